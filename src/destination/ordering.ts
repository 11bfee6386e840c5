/**
 * Runs tasks concurrently, except that tasks sharing a key run in the order they were submitted
 * (two records for the same contact are written in input order). Dependencies only point back
 * in time, so this cannot deadlock.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const before = keys.map((k) => this.tails.get(k)).filter((p): p is Promise<void> => p !== undefined);
    const result = before.length ? Promise.all(before).then(task) : task();
    if (keys.length === 0) return result;
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    for (const k of keys) this.tails.set(k, tail);
    void tail.then(() => {
      for (const k of keys) if (this.tails.get(k) === tail) this.tails.delete(k);
    });
    return result;
  }
}

/** A counting semaphore: at most `size` records in flight, so a fast input cannot fill memory. */
export class Window {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  acquire(): Promise<void> | void {
    if (this.active < this.size) {
      this.active++;
      return;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
