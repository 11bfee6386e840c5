import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineWriter } from './line-writer.js';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** A consumer that accepts at most `capacity` bytes before asking the producer to wait. */
function slowConsumer(capacity: number): {
  stream: Writable;
  text: () => string;
  writes: () => number;
  release: () => void;
} {
  let text = '';
  let writes = 0;
  let pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: capacity,
    write(chunk: Buffer, _enc, cb) {
      writes++;
      text += chunk.toString();
      pending.push(cb);
    },
  });
  return {
    stream,
    text: () => text,
    writes: () => writes,
    release: () => {
      const callbacks = pending;
      pending = [];
      for (const cb of callbacks) cb();
    },
  };
}

describe('LineWriter', () => {
  it('keeps every line, in order, and batches them into few writes', async () => {
    let text = '';
    let writes = 0;
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        writes++;
        text += chunk.toString();
        cb();
      },
    });
    const w = new LineWriter(out);
    for (let i = 0; i < 10_000; i++) {
      const wait = w.write(`{"n":${i}}`);
      if (wait) await wait;
    }
    await w.flush();
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(10_000);
    expect(lines.every((l, i) => l === `{"n":${i}}`)).toBe(true);
    expect(writes).toBeLessThan(20);
  });

  it('makes the producer wait while the consumer is full instead of buffering', async () => {
    const consumer = slowConsumer(1024);
    const w = new LineWriter(consumer.stream);
    const big = 'x'.repeat(70_000);
    const wait = w.write(big);
    expect(wait).toBeInstanceOf(Promise);
    let resolved = false;
    void (wait as Promise<void>).then(() => (resolved = true));
    // Turns of the event loop, not wall-clock time: nothing but the consumer can release the wait.
    await turns(10);
    expect(resolved).toBe(false);
    consumer.release();
    await turns(10);
    expect(resolved).toBe(true);
    await w.flush();
    expect(consumer.text()).toBe(big + '\n');
  });

  it('sends a partial batch on the next turn of the event loop', async () => {
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _e, cb) {
        text += chunk.toString();
        cb();
      },
    });
    const w = new LineWriter(out);
    void w.write('{"type":"STATE"}');
    expect(text).toBe('');
    await new Promise((r) => setImmediate(r));
    expect(text).toBe('{"type":"STATE"}\n');
  });
});
