import type { HttpObserver } from "./events.js";

/**
 * Wraps an observer so a throwing metrics hook can never fail a request. Every hook is always present on
 * the result, which keeps call sites free of optional chaining.
 */
export function safeObserver(observer: HttpObserver | undefined): Required<HttpObserver> {
  const guard =
    <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      if (!fn) return;
      try {
        fn.apply(observer, args);
      } catch {
        // Observability must not change behaviour.
      }
    };
  return {
    request: guard(observer?.request),
    rateLimiterWait: guard(observer?.rateLimiterWait),
    tokenRefresh: guard(observer?.tokenRefresh),
    retry: guard(observer?.retry),
  };
}
