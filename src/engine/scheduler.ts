import type { ReaderClaim } from '../streams/types.js';

/** One unit of work for runScheduled: a reader's run with its claim on a limited resource. */
export interface ScheduledTask {
  claim?: ReaderClaim;
  /** Handles its own failures; a rejection means the run as a whole broke (the sink failed). */
  run(): Promise<void>;
}

export interface ScheduleOptions {
  /** Tasks running at once, at most. */
  parallel: number;
  /** False once the run is stopping: nothing more starts. */
  canStart(): boolean;
  /** Called once, at the first rejection, so that the caller stops the tasks still running. */
  onBroken(): void;
}

/**
 * Runs tasks side by side: at most `parallel` at once and, per claimed resource, at most its
 * limit. Tasks start in their order, except that one waiting for its resource lets later ones
 * go first. Resolves with the tasks that never started (the run stopped first). When a task
 * rejects, nothing more starts; once every started task has settled, the first rejection is
 * rethrown, so none of them is left unhandled.
 */
export async function runScheduled<T extends ScheduledTask>(tasks: readonly T[], opts: ScheduleOptions): Promise<T[]> {
  const waiting = [...tasks];
  const held = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let broken: { error: unknown } | undefined;
  const fits = (task: T): boolean => !task.claim || (held.get(task.claim.resource) ?? 0) < task.claim.limit;
  const hold = (task: T, delta: number): void => {
    if (task.claim) held.set(task.claim.resource, (held.get(task.claim.resource) ?? 0) + delta);
  };
  const start = (task: T): void => {
    hold(task, 1);
    const settled: Promise<void> = task
      .run()
      .catch((error: unknown) => {
        if (broken) return;
        broken = { error };
        opts.onBroken();
      })
      .finally(() => {
        hold(task, -1);
        running.delete(settled);
      });
    running.add(settled);
  };
  for (;;) {
    while (running.size < Math.max(1, opts.parallel) && !broken && opts.canStart()) {
      const next = waiting.findIndex(fits);
      if (next < 0) break;
      start(waiting.splice(next, 1)[0]!);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (broken) throw broken.error;
  return waiting;
}
