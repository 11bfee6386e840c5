import { started } from './record-guards.js';

/** Detail requests outstanding per page: half the connection budget, at least 4. */
export function detailWindow(maxConcurrency: number): number {
  return Math.max(4, Math.ceil(maxConcurrency / 2));
}

/**
 * Fetches details for a page with at most `window` requests outstanding, yielding in page order.
 * A fetch that fails while an earlier one is awaited is already handled (started): the first
 * failure in page order is thrown, never an unhandled rejection.
 */
export async function* fetchInOrder<T, R>(
  items: T[],
  window: number,
  fetch: (item: T) => Promise<R>,
): AsyncGenerator<[T, R]> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < window && next < items.length) pending.push(started(fetch(items[next++]!)));
  };
  fill();
  for (let i = 0; i < items.length; i++) {
    const result = await pending.shift()!;
    fill();
    yield [items[i]!, result];
  }
}
