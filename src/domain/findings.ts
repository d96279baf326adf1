/** A validation result: stable code, field path, a message a person can act on, and the rule's source. */
export interface Finding {
  severity: "error" | "warning";
  code: string;
  /** Dotted path with indices, e.g. `dialingRules.retrySettings.intervalMinutes[1]`. */
  path: string;
  message: string;
  citation?: string;
}

export const hasErrors = (findings: readonly Finding[]): boolean =>
  findings.some((f) => f.severity === "error");
