/**
 * Risk of a change request. High risk needs a second person (an approver who is not the requester):
 *  - any switch of dialing method,
 *  - more retry attempts, or any retry interval shorter than before (more calls to the same person),
 *  - raising the abandonment `maxRate` or `maxCallsPerAgent` (more dialing pressure),
 *  - any `overrides:` in the change (loosening a compliance limit).
 * Everything else (fewer attempts, longer intervals, lower rates) is low risk.
 */
import type { Override } from "../../domain/rules-file.js";
import type { Plan } from "../../engine/plan-types.js";

export interface RiskAssessment {
  risk: "low" | "high";
  reasons: string[];
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const field = (v: unknown, name: string): unknown =>
  v !== null && typeof v === "object" && name in v ? (v as Record<string, unknown>)[name] : undefined;
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x) => typeof x === "number") : []);

/** "raised 2 → 3" when `to` exceeds `from` (or `from` was unset), else undefined. */
function raised(from: number | undefined, to: number | undefined): string | undefined {
  return to !== undefined && (from === undefined || to > from) ? `raised ${from ?? "?"} → ${to}` : undefined;
}

function retryReasons(from: unknown, to: unknown): string[] {
  const reasons: string[] = [];
  const attempts = raised(num(field(from, "maxAttempts")), num(field(to, "maxAttempts")));
  if (attempts) reasons.push(`retrySettings.maxAttempts ${attempts}`);
  const before = numbers(field(from, "intervalMinutes"));
  const after = numbers(field(to, "intervalMinutes"));
  // Compared step by step; a step that did not exist before counts as shorter than "never".
  const shorter = after.findIndex((m, i) => before[i] === undefined || m < (before[i] ?? 0));
  if (shorter >= 0) {
    reasons.push(
      `retrySettings.intervalMinutes[${shorter}] shortened ${before[shorter] ?? "(none)"} → ${after[shorter]}`,
    );
  }
  return reasons;
}

export function assessRisk(plan: Plan, overrides: readonly Override[]): RiskAssessment {
  const reasons: string[] = [];
  for (const c of plan.campaigns) {
    for (const change of c.changes) {
      if (change.field === "dialingMethod" && change.to !== change.from) {
        reasons.push(`${c.id}: dialingMethod ${String(change.from ?? "?")} → ${String(change.to)}`);
      }
      if (change.field === "retrySettings") {
        for (const r of retryReasons(change.from, change.to)) reasons.push(`${c.id}: ${r}`);
      }
      if (change.field === "maxCallsPerAgent") {
        const r = raised(num(change.from), num(change.to));
        if (r) reasons.push(`${c.id}: maxCallsPerAgent ${r}`);
      }
      if (change.field === "abandonmentRateThreshold") {
        const r = raised(num(field(change.from, "maxRate")), num(field(change.to, "maxRate")));
        if (r) reasons.push(`${c.id}: abandonmentRateThreshold.maxRate ${r}`);
      }
    }
  }
  for (const o of overrides) reasons.push(`overrides: ${o.limit} = ${o.value} (${o.reason})`);
  return { risk: reasons.length > 0 ? "high" : "low", reasons };
}
