/** Where human-readable text goes: process.stderr or a test stream. */
export interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const CLEAR_ROW = '\r\x1b[2K';
const UP_AND_CLEAR = '\x1b[1A\x1b[2K';

/**
 * stderr with a live block at the bottom (one progress row per running stream on a terminal).
 * Every other line written through it first erases the block, so no log or METRIC line is ever
 * glued to a fragment of a progress row; the next progress tick draws the block again below.
 */
export class TerminalLines implements TextOut {
  private liveRows = 0;

  constructor(private readonly out: TextOut) {}

  static of(out: TextOut): TerminalLines {
    return out instanceof TerminalLines ? out : new TerminalLines(out);
  }

  get isTTY(): boolean {
    return this.out.isTTY === true;
  }

  get columns(): number {
    return this.out.columns || 100;
  }

  write(text: string): void {
    this.clearLive();
    this.out.write(text);
  }

  /** Replaces the live block with these rows, each cut to the terminal width (a wrapped row could not be erased). */
  drawLive(rows: string[]): void {
    const width = Math.max(20, this.columns - 1);
    const fitted = rows.map((row) => (row.length > width ? `${row.slice(0, width - 1)}…` : row));
    this.out.write(this.eraseSequence() + fitted.join('\n'));
    this.liveRows = fitted.length;
  }

  clearLive(): void {
    if (this.liveRows === 0) return;
    this.out.write(this.eraseSequence());
    this.liveRows = 0;
  }

  /** The cursor sits at the end of the block's last row: erase it, then each row above it. */
  private eraseSequence(): string {
    return this.liveRows === 0 ? '' : CLEAR_ROW + UP_AND_CLEAR.repeat(this.liveRows - 1);
  }
}
