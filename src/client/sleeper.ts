/** Cancellable sleeps, so a shutting-down consumer leaves no timers behind. */

/** Hands out sleeps that `wakeAll` ends at once. */
export class Sleeper {
  readonly #pending = new Map<ReturnType<typeof setTimeout>, () => void>();
  #closed = false;

  /** Resolves after `ms`, or immediately once `wakeAll` has been called. */
  sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#pending.delete(t);
        resolve();
      }, ms);
      this.#pending.set(t, resolve);
    });
  }

  /** Ends every pending sleep and makes later sleeps return at once. */
  wakeAll(): void {
    this.#closed = true;
    for (const [t, resolve] of this.#pending) {
      clearTimeout(t);
      resolve();
    }
    this.#pending.clear();
  }
}

/** Runs at most `limit` async tasks at a time, in submission order. */
export class TaskLimiter {
  #active = 0;
  readonly #queue: Array<() => Promise<void>> = [];
  readonly #idle: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Queues a task; errors are the task's own business (they are swallowed here). */
  submit(task: () => Promise<void>): void {
    this.#queue.push(task);
    this.#drain();
  }

  #drain(): void {
    while (this.#active < this.limit && this.#queue.length > 0) {
      const task = this.#queue.shift()!;
      this.#active++;
      task().catch(() => {}).finally(() => {
        this.#active--;
        this.#drain();
        if (this.#active === 0 && this.#queue.length === 0) { for (const r of this.#idle.splice(0)) r(); }
      });
    }
  }

  /** Drops tasks not yet started. */
  clearPending(): void {
    this.#queue.length = 0;
  }

  /** Resolves when no task is running or queued. */
  idle(): Promise<void> {
    if (this.#active === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }
}
