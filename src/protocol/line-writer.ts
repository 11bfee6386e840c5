import type { Writable } from 'node:stream';

/**
 * Writes protocol lines to a stream (stdout) with backpressure: when the consumer is slow the
 * connector waits for 'drain' instead of buffering records in memory.
 */
export class LineWriter {
  private pendingDrain: Promise<void> | undefined;

  constructor(private readonly out: Writable) {}

  /** Write one line. Returns a promise only when the caller must wait for the consumer. */
  write(line: string): void | Promise<void> {
    if (this.pendingDrain) return this.pendingDrain.then(() => this.write(line));
    const ok = this.out.write(line + '\n');
    if (ok) return;
    this.pendingDrain = new Promise<void>((resolve) => {
      this.out.once('drain', () => {
        this.pendingDrain = undefined;
        resolve();
      });
    });
    return this.pendingDrain;
  }

  /** Resolves once everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    if (this.pendingDrain) await this.pendingDrain;
    await new Promise<void>((resolve) => {
      if (this.out.writableLength === 0) return resolve();
      this.out.write('', () => resolve());
    });
  }
}
