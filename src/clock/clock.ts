/**
 * Time as a dependency. Everything that waits (backoff, rate limits, token expiry, the simulator's
 * buckets and latency) takes a Clock so tests can run hours of schedule in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/**
 * A clock whose sleeps complete at once and move virtual time forward. Tests read `sleeps` to check
 * what a component waited for (e.g. "Retry-After: 2 waited at least 2000 ms") without waiting.
 */
export class InstantClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
    await Promise.resolve();
  }
}

/**
 * Real time sped up by `factor`: a minute of a 100/min budget passes in 600 ms at factor 100.
 * Used where a real server (the simulator) and a client must agree on time while the test stays fast.
 */
export class ScaledClock implements Clock {
  private readonly origin = Date.now();
  constructor(
    readonly factor: number,
    private readonly start = Date.UTC(2026, 0, 1),
  ) {}
  now(): number {
    return this.start + (Date.now() - this.origin) * this.factor;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms / this.factor, signal);
  }
}

/**
 * A clock that only moves when told to. Sleeps resolve when `advance` passes their deadline, which
 * lets a test hold a component mid-wait and inspect it.
 */
export class ManualClock implements Clock {
  private waiters: { until: number; resolve: () => void }[] = [];
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter = { until: this.current + Math.max(0, ms), resolve };
      this.waiters.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(abortReason(signal));
        },
        { once: true },
      );
    });
  }
  /** Moves time forward and wakes every sleeper whose deadline has passed. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.waiters.filter((w) => w.until <= this.current);
    this.waiters = this.waiters.filter((w) => w.until > this.current);
    for (const w of due) w.resolve();
  }
  get pendingSleeps(): number {
    return this.waiters.length;
  }
}
