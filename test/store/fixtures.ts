import type { AuditInput, AuditOutcome } from "../../src/domain/audit-record.js";

let n = 0;
export function auditInput(overrides: Partial<AuditInput> = {}): AuditInput {
  n++;
  return {
    runId: "run-1",
    actor: "alice",
    reason: "CHG-1234 move to progressive",
    platform: "v2",
    campaignId: `CMP-${(n % 3) + 1}`,
    campaignName: "Renewals",
    outcome: "applied" as AuditOutcome,
    writeMode: "conditional",
    revisionBefore: 7,
    revisionAfter: 8,
    rulesBefore: {
      dialingMethod: "PREDICTIVE",
      retrySettings: { maxAttempts: 2, intervalMinutes: [30, 120] },
      abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 60 },
      maxCallsPerAgent: 2.5,
    },
    rulesAfter: {
      dialingMethod: "PROGRESSIVE",
      retrySettings: { maxAttempts: 2, intervalMinutes: [30, 120] },
      abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 60 },
      maxCallsPerAgent: 1,
    },
    diff: [{ field: "dialingMethod", from: "PREDICTIVE", to: "PROGRESSIVE" }],
    findings: [
      {
        severity: "warning",
        code: "W_TEST",
        path: "dialingRules.maxCallsPerAgent",
        message: "m",
        citation: "47 CFR 64.1200(a)(7)",
      },
    ],
    latencyMs: 123.456,
    requestId: "req-1",
    ...overrides,
  };
}
