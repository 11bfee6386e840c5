/**
 * Runs several async generators at once (at most `concurrency` of them) and yields their items
 * as they come, tagged with the index of the source. Each source is pulled one item at a time,
 * so a slow consumer slows every source down (no unbounded buffering).
 */
export type Tagged<T> = { index: number; item: T; done?: false } | { index: number; done: true };

export async function* mergeGenerators<T>(
  sources: (() => AsyncGenerator<T>)[],
  concurrency: number,
): AsyncGenerator<Tagged<T>> {
  const running = new Map<
    number,
    { gen: AsyncGenerator<T>; next: Promise<{ index: number; result: IteratorResult<T> }> }
  >();
  let nextToStart = 0;
  const pull = (index: number, gen: AsyncGenerator<T>) => {
    const next = gen.next().then((result) => ({ index, result }));
    // A source may fail while the consumer still handles an earlier item (nothing awaits its pull
    // yet): marked handled so that is no unhandled rejection; the next race still throws it.
    next.catch(() => undefined);
    return next;
  };
  const startMore = () => {
    while (running.size < concurrency && nextToStart < sources.length) {
      const index = nextToStart++;
      const gen = sources[index]!();
      running.set(index, { gen, next: pull(index, gen) });
    }
  };
  try {
    startMore();
    while (running.size > 0) {
      const { index, result } = await Promise.race([...running.values()].map((r) => r.next));
      const entry = running.get(index)!;
      if (result.done) {
        running.delete(index);
        startMore();
        yield { index, done: true };
      } else {
        entry.next = pull(index, entry.gen);
        yield { index, item: result.value };
      }
    }
  } finally {
    // Stop the others when the consumer stops or one source failed; their pending pulls are dropped.
    for (const { gen, next } of running.values()) {
      next.catch(() => undefined);
      void gen.return(undefined).catch(() => undefined);
    }
  }
}
