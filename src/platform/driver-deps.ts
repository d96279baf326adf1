/**
 * What every HTTP driver takes from its caller, and the request plumbing built from it. Both drivers
 * share one limiter per credential process-wide (limiterFor), so two platforms opened with the same
 * credentials cannot together exceed the budget the platform grants them.
 */
import { type Clock, systemClock } from "../clock/clock.js";
import type { HttpObserver } from "../http/events.js";
import { limiterFor, type RequestLimiter } from "../http/rate-limiter.js";
import type { RandomSource, RetryPolicy } from "../http/retry.js";

export interface DriverDeps {
  clock?: Clock;
  observer?: HttpObserver;
  /** Defaults to the process-wide limiter of the driver's credentials (see limiterFor). */
  limiter?: RequestLimiter;
  random?: RandomSource;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout in real milliseconds. */
  timeoutMs?: number;
  maxBodyBytes?: number;
}

/** DriverDeps with the defaults filled in: the options HttpClient and the token sources share. */
export interface DriverPlumbing {
  clock: Clock;
  limiter: RequestLimiter;
  observer: HttpObserver | undefined;
  random: RandomSource | undefined;
  retry: Partial<RetryPolicy> | undefined;
  timeoutMs: number | undefined;
  maxBodyBytes: number | undefined;
}

/** `budget.key` names the credentials whose limiter is shared; `perMinute` is their configured budget. */
export function driverPlumbing(deps: DriverDeps, budget: { key: string; perMinute: number }): DriverPlumbing {
  const clock = deps.clock ?? systemClock;
  const limiter =
    deps.limiter ?? limiterFor(budget.key, { perMinute: budget.perMinute, clock, observer: deps.observer });
  return {
    clock,
    limiter,
    observer: deps.observer,
    random: deps.random,
    retry: deps.retry,
    timeoutMs: deps.timeoutMs,
    maxBodyBytes: deps.maxBodyBytes,
  };
}
