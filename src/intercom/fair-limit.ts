/**
 * A concurrency limit whose free slots go to the waiting lane (one lane per stream) with the
 * fewest requests in flight, round-robin among equals. With readers running side by side, a
 * reader that fans out hundreds of detail requests would otherwise queue them all ahead of
 * another reader's next page, and a walk of dependent pages (a scroll, a search cursor) would
 * wait behind the whole queue for every page; here that page goes next. Within a lane, requests
 * keep their order.
 */
export class FairLimit {
  private active = 0;
  private readonly activeByLane = new Map<string, number>();
  /** Waiting starts per lane; the Map's order is the round-robin order among equals. */
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly concurrency: number) {}

  get activeCount(): number {
    return this.active;
  }

  get pendingCount(): number {
    let n = 0;
    for (const queue of this.waiting.values()) n += queue.length;
    return n;
  }

  run<T>(lane: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.active++;
        this.activeByLane.set(lane, (this.activeByLane.get(lane) ?? 0) + 1);
        Promise.resolve()
          .then(task)
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            const left = this.activeByLane.get(lane)! - 1;
            if (left === 0) this.activeByLane.delete(lane);
            else this.activeByLane.set(lane, left);
            this.startNext();
          });
      };
      if (this.active < this.concurrency && this.waiting.size === 0) start();
      else this.enqueue(lane, start);
    });
  }

  private enqueue(lane: string, start: () => void): void {
    const queue = this.waiting.get(lane);
    if (queue) queue.push(start);
    else this.waiting.set(lane, [start]);
  }

  /** The lane with the fewest in flight starts one request and, if it has more waiting, goes to the back. */
  private startNext(): void {
    while (this.active < this.concurrency && this.waiting.size > 0) {
      let lane = '';
      let fewest = Number.POSITIVE_INFINITY;
      for (const candidate of this.waiting.keys()) {
        const inFlight = this.activeByLane.get(candidate) ?? 0;
        if (inFlight < fewest) [lane, fewest] = [candidate, inFlight];
        if (inFlight === 0) break;
      }
      const queue = this.waiting.get(lane)!;
      this.waiting.delete(lane);
      const start = queue.shift()!;
      if (queue.length > 0) this.waiting.set(lane, queue);
      start();
    }
  }
}
