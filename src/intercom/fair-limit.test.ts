import { describe, expect, it } from 'vitest';
import { FairLimit } from './fair-limit.js';

/** A task that runs until released from outside, recording when it started. */
function gated(started: string[], name: string): { task: () => Promise<string>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    task: async () => {
      started.push(name);
      await done;
      return name;
    },
    release: () => release(),
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('FairLimit', () => {
  it('never runs more than its concurrency, and keeps each lane in order', async () => {
    const limit = new FairLimit(2);
    const started: string[] = [];
    const tasks = ['a1', 'a2', 'a3', 'a4'].map((name) => gated(started, name));
    const results = tasks.map((t) => limit.run('a', t.task));
    await settle();
    expect(started).toEqual(['a1', 'a2']);
    expect(limit.activeCount).toBe(2);
    expect(limit.pendingCount).toBe(2);
    tasks[1]!.release();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    for (const t of tasks) t.release();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(limit.activeCount).toBe(0);
  });

  it('a lane that queues one request behind another lane’s hundreds gets the next free slot', async () => {
    const limit = new FairLimit(2);
    const started: string[] = [];
    const fanOut = Array.from({ length: 100 }, (_, i) => gated(started, `detail${i}`));
    const fanOutDone = fanOut.map((t) => limit.run('conversation_parts', t.task));
    const page = gated(started, 'scroll page');
    const pageDone = limit.run('companies', page.task);
    await settle();
    expect(started).toEqual(['detail0', 'detail1']);
    // One slot frees: the scroll page goes before the 98 details queued ahead of it.
    fanOut[0]!.release();
    await settle();
    expect(started).toEqual(['detail0', 'detail1', 'scroll page']);
    page.release();
    await pageDone;
    await settle();
    // Then turns alternate between the lanes that wait: only the fan-out is left.
    expect(started.slice(3)).toEqual(['detail2']);
    for (const t of fanOut) t.release();
    await Promise.all(fanOutDone);
    expect(started).toHaveLength(101);
  });

  it('alternates between lanes that both have work waiting', async () => {
    const limit = new FairLimit(1);
    const order: string[] = [];
    const run = (lane: string, name: string) =>
      limit.run(lane, async () => {
        order.push(name);
      });
    await Promise.all([run('a', 'a1'), run('a', 'a2'), run('a', 'a3'), run('b', 'b1'), run('b', 'b2')]);
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
  });

  it('a task that throws or rejects frees its slot and rejects its caller only', async () => {
    const limit = new FairLimit(1);
    const failing = limit.run('a', () => Promise.reject(new Error('boom')));
    const throwing = limit.run('a', () => {
      throw new Error('sync boom');
    });
    const next = limit.run('b', async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    await expect(throwing).rejects.toThrow('sync boom');
    await expect(next).resolves.toBe('ok');
    expect(limit.activeCount).toBe(0);
  });
});
