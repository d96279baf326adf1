/**
 * Test-only, in-memory `ServerServices` for the dashboard's fast tests: the real planner (domain + planAgainst)
 * over a fixed campaign list, the service's rules (roles, four-eyes, states) in their simplest form, an apply
 * that writes one campaign per tick, and a hash-chained audit list. Not a second implementation of the service.
 */
import { createHash } from "node:crypto";
import { systemClock } from "../../../src/clock/clock.js";
import type { FieldChange } from "../../../src/domain/diff.js";
import type { Campaign } from "../../../src/domain/rules.js";
import { parseRulesFile } from "../../../src/domain/rules-file.js";
import { policyFromFile, validateRules } from "../../../src/domain/validate.js";
import type { CampaignResult } from "../../../src/engine/apply.js";
import { planAgainst } from "../../../src/engine/plan.js";
import type { Platform } from "../../../src/platform/platform.js";
import {
  type CampaignView,
  type ChangeRequest,
  type DashboardSession,
  type Principal,
  ROLES,
  type Role,
  type ServerServices,
  ServiceError,
  type ServiceInfo,
  type WebhookStatusView,
} from "../../../src/server/contract.js";
import type { AuditQuery, AuditRecord, VerifyResult } from "../../../src/store/types.js";

export const TOKENS = {
  operator: "tok-operator-olga",
  approver: "tok-approver-arne",
  viewer: "tok-viewer-vera",
} as const;
const ACTORS: Record<Role, string> = { operator: "olga", approver: "arne", viewer: "vera" };

const rules = (
  method: Campaign["dialingRules"]["dialingMethod"],
  maxRate = 0.03,
): Campaign["dialingRules"] => ({
  dialingMethod: method,
  maxCallsPerAgent: 1,
  retrySettings: { maxAttempts: 3, intervalMinutes: [60, 240, 1440] },
  abandonmentRateThreshold: { maxRate, coolDownSec: 300 },
});

export function seedCampaigns(): Campaign[] {
  return [
    {
      id: "CMP-1",
      name: "Collections-East-1",
      status: "ACTIVE",
      revision: 1,
      dialingRules: rules("PROGRESSIVE"),
    },
    {
      id: "CMP-2",
      name: '<script>alert("pwned")</script>',
      status: "ACTIVE",
      revision: 1,
      dialingRules: rules("PREVIEW"),
    },
    {
      id: "CMP-3",
      name: "Sales-Renewals",
      status: "PAUSED",
      revision: 4,
      dialingRules: rules("POWER", 0.05),
    },
  ];
}

const platform: Platform = {
  name: "memory",
  capabilities: {
    conditionalWrite: true,
    writableFields: ["dialingMethod", "retrySettings", "abandonmentRateThreshold", "maxCallsPerAgent"],
  },
  getCampaign: () => Promise.reject(new Error("not used")),
  listCampaigns: () => Promise.reject(new Error("not used")),
  updateRules: () => Promise.reject(new Error("not used")),
  close: () => Promise.resolve(),
};

const defaultPolicy = policyFromFile(parseRulesFile("profiles: [US_TCPA]\ncampaigns: []\n", "default.yaml"));

function riskReasons(id: string, changes: readonly FieldChange[]): string[] {
  const reasons: string[] = [];
  for (const c of changes) {
    if (c.field === "dialingMethod" && (c.to === "PREDICTIVE" || c.to === "POWER")) {
      reasons.push(`${id}: dialingMethod → ${String(c.to)}`);
    }
    if (c.field === "maxCallsPerAgent" && Number(c.to) > Number(c.from)) {
      reasons.push(`${id}: maxCallsPerAgent raised`);
    }
  }
  return reasons;
}

export interface FakeServicesOptions {
  banner?: string;
  /** Milliseconds between two campaign writes of an apply, so progress is visible. */
  applyStepMs?: number;
}

export class FakeServices implements ServerServices {
  readonly campaigns = seedCampaigns();
  readonly changes = new Map<string, ChangeRequest>();
  readonly records: AuditRecord[] = [];
  private nextId = 1;

  constructor(private readonly options: FakeServicesOptions = {}) {}

  info(): ServiceInfo {
    return {
      ...(this.options.banner ? { banner: this.options.banner } : {}),
      platform: "memory",
      database: "sqlite",
      replica: "test-1",
    };
  }

  /** Page rendering only; the real session rules are tested against the real service (sessions.test.ts). */
  private readonly sessions = new Map<string, DashboardSession>();

  async signIn(token: string): Promise<{ sessionId: string; session: DashboardSession } | undefined> {
    const principal = await this.authenticate(token);
    if (!principal) return undefined;
    const sessionId = `drs_fake${this.sessions.size}`;
    const session = { principal, csrf: `csrf-${this.sessions.size}` };
    this.sessions.set(sessionId, session);
    return { sessionId, session };
  }

  async resumeSession(sessionId: string): Promise<DashboardSession | undefined> {
    return this.sessions.get(sessionId);
  }

  async signOut(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const role = ROLES.find((r) => TOKENS[r] === token);
    return role ? { actor: ACTORS[role], person: ACTORS[role], role, tokenId: `id-${role}` } : undefined;
  }

  async listCampaigns(): Promise<CampaignView[]> {
    return this.campaigns.map((campaign) => {
      const findings = validateRules(campaign.dialingRules, defaultPolicy);
      const lastAudit = this.records.filter((r) => r.campaignId === campaign.id).at(-1);
      return {
        campaign,
        findings,
        compliant: !findings.some((f) => f.severity === "error"),
        ...(lastAudit ? { lastAudit } : {}),
      };
    });
  }

  async createChange(input: { rulesText: string; reason: string }, by: Principal): Promise<ChangeRequest> {
    if (by.role === "viewer") throw new ServiceError(403, "FORBIDDEN", "viewers cannot request changes");
    if (!input.reason) throw new ServiceError(400, "REASON_REQUIRED", "a reason is required");
    const file = parseRulesFile(input.rulesText, "rules.yaml");
    const plan = planAgainst(
      { file, sourceText: input.rulesText, platform, clock: systemClock },
      this.campaigns,
    );
    const reasons = plan.campaigns.flatMap((c) => riskReasons(c.id, c.changes));
    for (const o of file.overrides) reasons.push(`overrides: ${o.limit}`);
    const change: ChangeRequest = {
      id: `chg-${this.nextId++}`,
      // As the real service: a low-risk change needs no approval.
      state: reasons.length ? "pending_approval" : "approved",
      requestedBy: by.actor,
      reason: input.reason,
      createdAt: new Date().toISOString(),
      risk: reasons.length ? "high" : "low",
      riskReasons: reasons,
      plan,
      rulesText: input.rulesText,
    };
    this.changes.set(change.id, change);
    return change;
  }

  /** Page rendering only; revert is tested against the real service (serve-audit.test.ts). */
  async revertRun(runId: string): Promise<ChangeRequest> {
    throw new ServiceError(404, "run_not_found", `no apply run ${runId} in the audit trail`);
  }

  async getChange(id: string): Promise<ChangeRequest | undefined> {
    return this.changes.get(id);
  }

  async listChanges(): Promise<ChangeRequest[]> {
    return [...this.changes.values()];
  }

  private pending(id: string): ChangeRequest {
    const change = this.changes.get(id);
    if (!change) throw new ServiceError(404, "NOT_FOUND", `no change ${id}`);
    if (change.state !== "pending_approval") {
      throw new ServiceError(409, "WRONG_STATE", `change ${id} is ${change.state}, not pending approval`);
    }
    return change;
  }

  async approve(id: string, by: Principal): Promise<ChangeRequest> {
    const change = this.pending(id);
    if (by.role !== "approver")
      throw new ServiceError(403, "FORBIDDEN", "only approvers can approve changes");
    if (change.risk === "high" && change.requestedBy === by.actor) {
      throw new ServiceError(
        403,
        "FOUR_EYES",
        "four-eyes: a high-risk change must be approved by someone other than its requester",
      );
    }
    change.state = "approved";
    change.approvedBy = by.actor;
    return change;
  }

  async reject(id: string, by: Principal, reason: string): Promise<ChangeRequest> {
    const change = this.changes.get(id);
    if (!change) throw new ServiceError(404, "NOT_FOUND", `no change ${id}`);
    if (change.state !== "pending_approval" && change.state !== "approved") {
      throw new ServiceError(409, "WRONG_STATE", `change ${id} is ${change.state}; it cannot be rejected`);
    }
    if (by.role !== "approver") throw new ServiceError(403, "FORBIDDEN", "only approvers can reject changes");
    change.state = "rejected";
    change.rejectedBy = by.actor;
    change.rejectionReason = reason;
    return change;
  }

  async apply(id: string, by: Principal): Promise<ChangeRequest> {
    const change = this.changes.get(id);
    if (!change) throw new ServiceError(404, "NOT_FOUND", `no change ${id}`);
    if (by.role === "viewer") throw new ServiceError(403, "FORBIDDEN", "viewers cannot apply changes");
    if (change.state !== "approved")
      throw new ServiceError(409, "WRONG_STATE", `change ${id} is ${change.state}; it cannot be applied`);
    const targets = change.plan.campaigns.filter((c) => c.status === "change");
    change.state = "applying";
    change.job = {
      id: `job-${change.id}`,
      state: "queued",
      startedBy: by.actor,
      worker: "test-1",
      progress: { done: 0, total: targets.length, counts: {} },
      results: [],
    };
    const step = (i: number) => {
      const job = change.job!;
      const target = targets[i];
      if (!target) {
        job.state = "done";
        change.state = "applied";
        return;
      }
      job.state = "running";
      const campaign = this.campaigns.find((c) => c.id === target.id)!;
      const before = campaign.revision;
      campaign.dialingRules = { ...campaign.dialingRules, ...target.desired };
      campaign.revision++;
      this.append({ change, actor: by.actor, campaign, changes: target.changes, before });
      const result: CampaignResult = {
        id: campaign.id,
        name: campaign.name,
        outcome: "applied",
        revisionBefore: before,
        revisionAfter: campaign.revision,
        changes: target.changes,
        conflicts: [],
        findings: target.findings,
        latencyMs: 1,
        writes: 1,
      };
      job.results.push(result);
      job.progress.done++;
      job.progress.counts.applied = (job.progress.counts.applied ?? 0) + 1;
      setTimeout(() => step(i + 1), this.options.applyStepMs ?? 0);
    };
    setTimeout(() => step(0), this.options.applyStepMs ?? 0);
    return change;
  }

  private append(a: {
    change: ChangeRequest;
    actor: string;
    campaign: Campaign;
    changes: FieldChange[];
    before: number;
  }): void {
    const prevHash = this.records.at(-1)?.hash ?? "0".repeat(64);
    const body = {
      id: `aud-${this.records.length + 1}`,
      seq: this.records.length + 1,
      time: new Date().toISOString(),
      runId: a.change.job!.id,
      actor: a.actor,
      reason: a.change.reason,
      platform: "memory",
      campaignId: a.campaign.id,
      campaignName: a.campaign.name,
      outcome: "applied" as const,
      revisionBefore: a.before,
      revisionAfter: a.campaign.revision,
      diff: a.changes,
      findings: [],
      prevHash,
    };
    this.records.push({ ...body, hash: hashOf(body) });
  }

  async audit(query: AuditQuery): Promise<AuditRecord[]> {
    return this.records
      .filter((r) => !query.campaignId || r.campaignId === query.campaignId)
      .filter((r) => query.afterSeq === undefined || r.seq > query.afterSeq)
      .slice(0, query.limit ?? Number.POSITIVE_INFINITY);
  }

  async verifyAudit(): Promise<VerifyResult> {
    let prev = "0".repeat(64);
    for (const r of this.records) {
      const { hash, ...body } = r;
      if (r.prevHash !== prev || hashOf(body) !== hash) {
        return {
          ok: false,
          count: this.records.length,
          firstBroken: { seq: r.seq, id: r.id, problem: "hash mismatch" },
        };
      }
      prev = hash;
    }
    return { ok: true, count: this.records.length };
  }

  async webhookStatus(): Promise<WebhookStatusView> {
    return {
      configured: true,
      endpoint: {
        displayUrl: "https://hooks.example/dialrules",
        state: "active",
        reason: null,
        changedAt: null,
      },
      stats: {
        pending: this.records.length,
        due: 0,
        retrying: 0,
        inFlight: 0,
        delivered: 0,
        dead: 0,
        oldestPendingAt: null,
        lastFailure: null,
      },
    };
  }

  async ready(): Promise<{ database: boolean; platform: boolean }> {
    return { database: true, platform: true };
  }

  async metricsText(): Promise<string> {
    return "";
  }
}

function hashOf(body: object): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}
