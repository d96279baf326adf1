/**
 * What every HTTP driver takes from its caller, and the request plumbing built from it. The limiter is
 * created by the composition root (cli, server) and passed in, so whoever opens two platforms on the same
 * credentials decides that they share one budget; there is no process-wide registry. A driver opened
 * without one gets its own limiter of the configured budget.
 */
import { type Clock, systemClock } from "../clock/clock.js";
import type { HttpObserver } from "../http/events.js";
import { RateLimiter, type RequestLimiter } from "../http/rate-limiter.js";
import type { RandomSource, RetryPolicy } from "../http/retry.js";

export interface DriverDeps {
  clock?: Clock;
  observer?: HttpObserver;
  /** The limiter to use; when absent, `createLimiter`'s, else one of this driver alone. */
  limiter?: RequestLimiter;
  /**
   * How the composition root (cli, server) makes the limiter of the driver's configured budget: with the
   * database's ledger, its clock and observer. The driver only says what its credentials' budget is.
   */
  createLimiter?: (budget: BudgetSpec) => RequestLimiter;
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

/** The configured budget of one credential: `key` names the credential's bucket in a shared ledger. */
export interface BudgetSpec {
  key: string;
  perMinute: number;
  burst?: number;
}

/** `budget` is the credentials' configured budget, used when no limiter is passed. */
export function driverPlumbing(deps: DriverDeps, budget: BudgetSpec): DriverPlumbing {
  const clock = deps.clock ?? systemClock;
  const limiter =
    deps.limiter ??
    deps.createLimiter?.(budget) ??
    new RateLimiter({
      perMinute: budget.perMinute,
      burst: budget.burst,
      key: budget.key,
      clock,
      observer: deps.observer,
    });
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
