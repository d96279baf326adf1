/** A reply a route decided on; the request pipeline applies faults around it before sending. */
export interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** True for a PATCH that changed a campaign: only such replies can be "lost". */
  appliedWrite?: boolean;
}

/** A route, split so the pipeline can rate-limit by client before the route does its work. */
export interface RouteStep {
  /** Whose budget this request spends; undefined when the caller cannot be identified. */
  clientId?: string;
  /** The body as parsed, for the request log (secrets already redacted). */
  loggedBody?: unknown;
  respond(): Outcome;
}

/** Media type without parameters, lower-cased: "application/json; charset=utf-8" → "application/json". */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}
