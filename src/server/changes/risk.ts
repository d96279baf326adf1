/**
 * Risk of a change request. High risk needs a second person (an approver who is not the requester):
 *  - switching a campaign to PREDICTIVE or POWER (the methods that can abandon calls),
 *  - raising the abandonment `maxRate` or `maxCallsPerAgent` (more dialing pressure),
 *  - any `overrides:` in the rules file (loosening a compliance limit).
 * Everything else (slower retries, lower rates, PREVIEW/PROGRESSIVE) is low risk.
 */
import type { Plan } from "../../engine/plan-types.js";

export interface RiskAssessment {
  risk: "low" | "high";
  reasons: string[];
}

const PRESSURE_METHODS = new Set(["PREDICTIVE", "POWER"]);

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const maxRateOf = (v: unknown): number | undefined =>
  v !== null && typeof v === "object" && "maxRate" in v
    ? num((v as { maxRate: unknown }).maxRate)
    : undefined;

export function assessRisk(plan: Plan): RiskAssessment {
  const reasons: string[] = [];
  for (const c of plan.campaigns) {
    for (const change of c.changes) {
      if (
        change.field === "dialingMethod" &&
        typeof change.to === "string" &&
        PRESSURE_METHODS.has(change.to)
      ) {
        reasons.push(`${c.id}: dialingMethod → ${change.to}`);
      }
      if (change.field === "maxCallsPerAgent") {
        const from = num(change.from);
        const to = num(change.to);
        if (to !== undefined && (from === undefined || to > from)) {
          reasons.push(`${c.id}: maxCallsPerAgent raised ${from ?? "?"} → ${to}`);
        }
      }
      if (change.field === "abandonmentRateThreshold") {
        const from = maxRateOf(change.from);
        const to = maxRateOf(change.to);
        if (to !== undefined && (from === undefined || to > from)) {
          reasons.push(`${c.id}: abandonmentRateThreshold.maxRate raised ${from ?? "?"} → ${to}`);
        }
      }
    }
  }
  for (const o of plan.rulesFile.overrides) {
    reasons.push(`overrides: ${o.limit} = ${o.value} (${o.reason})`);
  }
  return { risk: reasons.length > 0 ? "high" : "low", reasons };
}
