/**
 * Work that must reach Intercom before the process exits after SIGTERM/SIGINT (cancelling a
 * server-side export job, so that the workspace's only slot is not held by a run that is gone).
 * Readers track the promise; the process waits for them, bounded, before exiting.
 */
const pending = new Set<Promise<unknown>>();

export function trackCleanup(work: Promise<unknown>): void {
  const settled = work.catch(() => undefined).finally(() => pending.delete(settled));
  pending.add(settled);
}

/** Resolves when every tracked cleanup settled, or after `timeoutMs`, whichever is first. */
export async function settleCleanups(timeoutMs: number): Promise<void> {
  if (pending.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...pending]),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
