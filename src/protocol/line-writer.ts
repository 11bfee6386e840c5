import type { Writable } from 'node:stream';

/** Lines are handed to the stream in chunks of about this size: one write per record is costly. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes protocol lines to a stream (stdout) with backpressure: when the consumer is slow the
 * connector waits for 'drain' instead of buffering records in memory. Lines are batched into
 * ~64 KB writes; a batch that is not full goes out on the next turn of the event loop, so a
 * STATE never waits behind a quiet stream.
 */
export class LineWriter {
  private buffer: string[] = [];
  private bufferedChars = 0;
  private scheduled = false;
  private drained: Promise<void> | undefined;

  constructor(private readonly out: Writable) {}

  /** Queue one line. Returns a promise only when the caller must wait for the consumer. */
  write(line: string): void | Promise<void> {
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
    if (this.bufferedChars >= CHUNK_CHARS) return this.push();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.push();
      });
    }
    return this.drained;
  }

  /** Resolves once everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    await this.push();
    await new Promise<void>((resolve) => {
      if (this.out.writableLength === 0) return resolve();
      this.out.write('', () => resolve());
    });
  }

  private push(): void | Promise<void> {
    if (this.buffer.length === 0) return this.drained;
    // The last line's newline comes from an empty last item: `join(...) + '\n'` would make a second
    // string that the stream flattens, copying the whole chunk once more.
    this.buffer.push('');
    const chunk = this.buffer.join('\n');
    this.buffer = [];
    this.bufferedChars = 0;
    // Order is kept by the stream itself; while it is full, callers wait on one shared 'drain'.
    if (!this.out.write(chunk) && !this.drained) {
      this.drained = new Promise<void>((resolve) => {
        this.out.once('drain', () => {
          this.drained = undefined;
          resolve();
        });
      });
    }
    return this.drained;
  }
}
