/**
 * The time-window strategy: a range is read as a finite plan of windows (several at once), each
 * walked with a list or search paginator that proves its own progress. A checkpoint may only cover
 * the contiguous prefix of completed windows: this tracks it.
 */
export class CompletedPrefix {
  private readonly done: boolean[];
  private prefix = 0;

  constructor(count: number) {
    this.done = new Array<boolean>(count).fill(false);
  }

  /** Marks window `index` complete; returns the new length of the completed prefix when it grew. */
  complete(index: number): number | undefined {
    this.done[index] = true;
    const before = this.prefix;
    while (this.prefix < this.done.length && this.done[this.prefix]) this.prefix++;
    return this.prefix > before ? this.prefix : undefined;
  }
}
