/** The one record an apply run ends with: what it was given, what happened, which campaigns were unchanged. */
import type { AuditInput, AuditOutcome } from "../domain/audit-record.js";
import type { Plan, PlannedCampaign } from "./plan-types.js";

export function runSummaryInput(
  plan: Plan,
  run: { runId: string; actor: string; reason: string },
  platform: string,
  outcome: {
    counts: Record<AuditOutcome, number>;
    unchanged: PlannedCampaign[];
    refused: boolean;
    interrupted: boolean;
  },
): AuditInput {
  const counts = Object.fromEntries(Object.entries(outcome.counts).filter(([, n]) => n > 0));
  return {
    runId: run.runId,
    actor: run.actor,
    reason: run.reason,
    platform,
    campaignId: "",
    outcome: "run_summary",
    diff: [],
    findings: [],
    runSummary: {
      campaigns: plan.campaigns.length,
      counts,
      unchanged: outcome.unchanged.map((c) => ({ id: c.id, revision: c.revision })),
      refused: outcome.refused,
      interrupted: outcome.interrupted,
      sourceHash: plan.sourceHash,
    },
  };
}
