import { describe, expect, it } from 'vitest';
import { runScheduled, type ScheduledTask } from './scheduler.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('runScheduled', () => {
  it('runs at most `limit` tasks holding one resource (5 pending export jobs), the rest as slots free', async () => {
    const gates = Array.from({ length: 7 }, () => deferred());
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const tasks: ScheduledTask[] = gates.map((gate, i) => ({
      claim: { resource: 'reporting export jobs', limit: 5 },
      run: async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await gate.promise;
        running--;
      },
    }));
    const done = runScheduled(tasks, { parallel: 12, canStart: () => true, onBroken: () => undefined });
    await turn();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3]!.resolve();
    await turn();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    for (const gate of gates) gate.resolve();
    expect(await done).toEqual([]);
    expect(most).toBe(5);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('starts nothing more once the run stops, and returns the tasks that never started', async () => {
    const first = deferred();
    let stopping = false;
    const tasks = [0, 1, 2].map((i) => ({
      id: i,
      run: async () => {
        if (i === 0) await first.promise;
      },
    }));
    const done = runScheduled(tasks, { parallel: 1, canStart: () => !stopping, onBroken: () => undefined });
    stopping = true;
    first.resolve();
    expect((await done).map((t) => t.id)).toEqual([1, 2]);
  });

  it('a rejecting task (a broken sink) stops new starts, tells the caller once, and rejects after the running ones settled', async () => {
    const slow = deferred();
    let slowSettled = false;
    let broken = 0;
    let thirdStarted = false;
    const failure = new Error('write EPIPE');
    const tasks: ScheduledTask[] = [
      { run: () => Promise.reject(failure) },
      {
        run: async () => {
          await slow.promise;
          slowSettled = true;
          throw new Error('stopped too');
        },
      },
      {
        run: async () => {
          thirdStarted = true;
        },
      },
    ];
    const done = runScheduled(tasks, {
      parallel: 2,
      canStart: () => true,
      onBroken: () => {
        broken++;
        slow.resolve();
      },
    });
    await expect(done).rejects.toBe(failure);
    expect(slowSettled).toBe(true);
    expect(broken).toBe(1);
    expect(thirdStarted).toBe(false);
  });
});
