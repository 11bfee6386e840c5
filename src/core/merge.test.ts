import { describe, expect, it } from 'vitest';
import { mergeGenerators } from './merge.js';

/** Waits some turns of the event loop: the sources interleave without any wall-clock time. */
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

async function* numbers(from: number, count: number, delayTurns: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    await turns(delayTurns);
    yield from + i;
  }
}

describe('mergeGenerators', () => {
  it('yields every item of every source exactly once and reports each source done', async () => {
    const items: number[] = [];
    const done: number[] = [];
    for await (const t of mergeGenerators(
      [() => numbers(0, 5, 3), () => numbers(100, 3, 1), () => numbers(200, 4, 2)],
      2,
    )) {
      if (t.done) done.push(t.index);
      else items.push(t.item);
    }
    expect(items.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 100, 101, 102, 200, 201, 202, 203]);
    expect(done.sort()).toEqual([0, 1, 2]);
  });

  it('never runs more sources than the concurrency', async () => {
    let active = 0;
    let peak = 0;
    const source = () =>
      (async function* () {
        active++;
        peak = Math.max(peak, active);
        await turns(5);
        yield 1;
        active--;
      })();
    for await (const _ of mergeGenerators(
      Array.from({ length: 6 }, () => source),
      3,
    ))
      void _;
    expect(peak).toBe(3);
  });

  it('propagates a failure of one source', async () => {
    const failing = async function* (): AsyncGenerator<number> {
      yield 1;
      throw new Error('slice failed');
    };
    await expect(
      (async () => {
        for await (const _ of mergeGenerators([() => numbers(0, 3, 5), failing], 2)) void _;
      })(),
    ).rejects.toThrow('slice failed');
  });

  it('a source failing while the consumer still handles an earlier item is thrown by the next pull, never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = async function* (): AsyncGenerator<number> {
        yield 1;
        throw new Error('slice failed');
      };
      const merged = mergeGenerators([failing, () => numbers(10, 3, 50)], 2);
      await expect(
        (async () => {
          for await (const _ of merged) await turns(20); // a slow consumer: the failure lands meanwhile
        })(),
      ).rejects.toThrow('slice failed');
      await turns(5);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
