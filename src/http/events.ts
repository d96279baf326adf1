/**
 * Hooks the HTTP layer calls so metrics (src/metrics) and logs can observe it without the HTTP layer
 * depending on them. All optional; they must not throw.
 */
export interface HttpObserver {
  /** One finished HTTP exchange (each retry counts). `route` is a template such as `/outbound/campaigns/:id`. */
  request?(e: { method: string; route: string; status: number | "network"; durationMs: number }): void;
  /** The client-side limiter made a request wait this long. */
  rateLimiterWait?(ms: number): void;
  /** A token was fetched; `reason` says why. */
  tokenRefresh?(reason: "initial" | "expiry" | "unauthorized"): void;
  /** A retry was scheduled after `status` and a delay. */
  retry?(e: { route: string; status: number | "network"; delayMs: number; attempt: number }): void;
}
