import { describe, expect, it } from 'vitest';
import { mergeGenerators } from './merge.js';

async function* numbers(from: number, count: number, delayMs: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, delayMs));
    yield from + i;
  }
}

describe('mergeGenerators', () => {
  it('yields every item of every source exactly once and reports each source done', async () => {
    const items: number[] = [];
    const done: number[] = [];
    for await (const t of mergeGenerators([() => numbers(0, 5, 3), () => numbers(100, 3, 1), () => numbers(200, 4, 2)], 2)) {
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
        await new Promise((r) => setTimeout(r, 5));
        yield 1;
        active--;
      })();
    for await (const _ of mergeGenerators(Array.from({ length: 6 }, () => source), 3)) void _;
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
});
