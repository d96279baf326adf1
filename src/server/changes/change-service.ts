/**
 * The life of a change request: requested (planned against the platform, risk assessed), approved or
 * rejected (four-eyes on high risk), applied (an apply job queued). Every rule about who may do what with a
 * change is enforced here, so neither view (API, dashboard) can forget one.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../../clock/clock.js";
import { type AuditInput, isCampaignOutcome } from "../../domain/audit-record.js";
import { InputError } from "../../domain/errors.js";
import type { Finding } from "../../domain/findings.js";
import type { Campaign } from "../../domain/rules.js";
import { type Override, parseRulesValue, type RulesFile } from "../../domain/rules-file.js";
import type { LimitsSpec } from "../../domain/rules-file-types.js";
import { blockingProblems } from "../../engine/apply.js";
import type { Plan } from "../../engine/plan-types.js";
import { type RevertTargets, revertTargets } from "../../engine/revert.js";
import type { Platform } from "../../platform/platform.js";
import { formatValue } from "../../render/format-value.js";
import type { AuditRecord } from "../../store/types.js";
import type { CampaignListing } from "../campaigns/campaign-listing.js";
import { type ChangeRequest, type Principal, type ServerServices, ServiceError } from "../contract.js";
import type { ChangeRequestsTable } from "../db.js";
import { MAX_RULES_TEXT } from "../input/limits.js";
import type { PlanContext, RulesParser } from "../input/rules-parser.js";
import { chunkCount } from "../jobs/apply-job.js";
import type { JobRepo } from "../jobs/job-repo.js";
import type { JobQueue } from "../jobs/queue.js";
import { requireRole } from "../roles.js";
import { canonicalIdentity } from "../tokens/identity.js";
import { type ChangeRepo, newChangeView } from "./change-repo.js";
import { type Prepared, type PrepareTask, platformData, prepareChange } from "./prepare-change.js";

export interface ChangeServiceDeps {
  changes: ChangeRepo;
  jobs: JobRepo;
  campaigns: CampaignListing;
  platform: Platform;
  clock: Clock;
  queue: JobQueue;
  chunkSize: number;
  rulesParser: RulesParser;
  /** The server's policy (`serve --policy`): profiles, licence tier and limits every change is held to. */
  floor: RulesFile;
  /** Appends to the hash-chained audit log (whose outbox feeds the webhooks). */
  record: (input: AuditInput) => Promise<unknown>;
  /** The audit records of one apply run (what a revert restores). */
  runRecords: (runId: string) => Promise<AuditRecord[]>;
  platformName: string;
  log?: (line: string) => void;
}

export type ChangeService = Pick<
  ServerServices,
  "createChange" | "revertRun" | "getChange" | "listChanges" | "approve" | "reject" | "apply"
>;

const MAX_REASON = 2000;

function floorBroken(broken: readonly { id: string; findings: Finding[] }[]): ServiceError {
  const problems = broken.flatMap((c) =>
    c.findings
      .filter((f) => f.severity === "error")
      .map((f) => ({ path: `${c.id}.${f.path}`, message: f.message, code: f.code })),
  );
  const names = broken.slice(0, 5).map((c) => c.id);
  return new ServiceError(
    422,
    "policy_floor",
    `${broken.length} campaign(s) (${names.join(", ")}${broken.length > 5 ? ", …" : ""}) would break the server's policy; nothing was stored. ` +
      "Change the rules, or loosen a limit with an overrides: entry and its reason (a second person must approve)",
    problems,
  );
}

/** What a revert leaves out, as warnings stored with its plan: changed since the run, or gone. */
function revertLeftOut(runId: string, targets: RevertTargets): Finding[] {
  return [
    ...targets.conflicts.map(
      (c): Finding => ({
        severity: "warning",
        code: "REVERT_CONFLICT",
        path: `${c.campaignId}.${c.field}`,
        message: `changed since run ${runId} (it wrote ${formatValue(c.runWrote)}, the platform now holds ${formatValue(c.now)}): not reverted`,
      }),
    ),
    ...targets.missing.map(
      (id): Finding => ({
        severity: "warning",
        code: "REVERT_MISSING",
        path: id,
        message: `no longer on the platform: not reverted`,
      }),
    ),
  ];
}

function decisionBase(
  changeId: string,
  actor: string,
  reason: string,
  requester: string,
  approvers: string[],
): Omit<AuditInput, "outcome" | "platform"> {
  return {
    runId: changeId,
    actor,
    reason,
    campaignId: "",
    diff: [],
    findings: [],
    changeId,
    requester,
    approvers,
  };
}

function checkReason(reason: string, field: string): string {
  const r = reason.trim();
  if (r.length === 0) throw new InputError("reason_required", `${field} must not be empty`, field);
  if (r.length > MAX_REASON)
    throw new InputError("reason_too_long", `${field} is over ${MAX_REASON} characters`, field);
  return r;
}

export function createChangeService(deps: ChangeServiceDeps): ChangeService {
  const { changes, jobs, platform, clock } = deps;
  /** A decision on a change as an audit record: who decided, who asked, who approved. */
  const decisionRecord = (
    outcome: "change_approved" | "change_rejected",
    raw: ChangeRequestsTable,
    actor: string,
    reason: string,
    approvers: string[],
  ): AuditInput => ({
    ...decisionBase(raw.id, actor, reason, canonicalIdentity(raw.requested_by), approvers),
    platform: deps.platformName,
    outcome,
  });

  async function mustGet(id: string): Promise<ChangeRequest> {
    const change = await changes.get(id);
    if (!change) throw new ServiceError(404, "change_not_found", `no change request ${id}`);
    return change;
  }

  /** What planning needs besides the parsed change (prepare-change.ts). */
  const contextFor = (campaigns: Campaign[], notes: Finding[] = []): PlanContext => ({
    floor: deps.floor,
    campaigns,
    platform: platformData(platform),
    now: clock.now(),
    notes,
    writeChecked: platform.checkWrite !== undefined,
  });

  /**
   * The platform's own write check needs the live platform, so the worker planned without it: run it on the
   * patches the plan would send. Only a refusal (rare) makes this thread plan again, exactly, with the check.
   */
  const platformRefuses = (prepared: Prepared, campaigns: readonly Campaign[]): boolean => {
    const check = platform.checkWrite?.bind(platform);
    if (!check || prepared.kind !== "planned" || prepared.writeChecks.length === 0) return false;
    const byId = new Map(campaigns.map((c) => [c.id, c]));
    return prepared.writeChecks.some((w) => check(w.patch, byId.get(w.campaignId)).length > 0);
  };
  const planHere = (task: PrepareTask): Prepared => prepareChange({ ...task, writeChecked: false }, platform);

  /** Stores a prepared change (held to the floor, planned, risk assessed) and returns its view. */
  async function storeChange(
    prepared: Prepared,
    input: { rulesText: string; reason: string; overrides: readonly Override[] },
    by: Principal,
  ): Promise<ChangeRequest> {
    if (prepared.kind === "floor_broken") throw floorBroken(prepared.broken);
    const { rulesText, reason } = input;
    const { risk, reasons, state, planJson } = prepared;
    const id = `chg_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const row = {
      id,
      requestedBy: by.actor,
      requesterTokenId: by.tokenId,
      reason,
      createdAt: new Date(clock.now()).toISOString(),
      risk,
      riskReasons: reasons,
      planJson,
      rulesText,
      // Low risk needs no second person: an operator may apply it straight away.
      state,
    } as const;
    await changes.insert(row);
    if (state === "pending_approval") {
      await deps.record({
        ...decisionBase(id, by.actor, reason, by.person, []),
        platform: deps.platformName,
        outcome: "change_pending_approval",
        findings: prepared.findings,
        overrides: input.overrides.map((o) => ({ limit: o.limit, value: o.value, reason: o.reason })),
      });
    }
    deps.log?.(`change ${id} requested by ${by.actor} (${risk} risk, ${prepared.toChange} to change)`);
    // What was just stored, without reading a megabyte back and parsing it on this thread.
    return newChangeView(row);
  }

  /** The policy part (profiles, limits) of the change whose apply job was `runId`; none for a CLI run. */
  async function runPolicy(runId: string): Promise<{ profiles: string[]; limits?: LimitsSpec }> {
    const job = await jobs.job(runId);
    const origin = job ? await changes.raw(job.changeId) : undefined;
    if (!origin) return { profiles: [] };
    const file = (JSON.parse(origin.plan) as Plan).rulesFile;
    return { profiles: [...file.profiles], limits: file.limits };
  }

  return {
    async createChange(input, by) {
      requireRole(by, "operator", "requesting a change");
      const reason = checkReason(input.reason, "reason");
      if (input.rulesText.length > MAX_RULES_TEXT) {
        throw new InputError(
          "rules_too_large",
          `the rules are ${input.rulesText.length} characters, over the limit of ${MAX_RULES_TEXT}; split the change`,
          "rules",
        );
      }
      const rulesText = input.rulesText;
      let campaigns: Campaign[] = [];
      // Parsed before anything is read or written: a bad rules file costs no platform request. Then a fresh
      // read (not the cached listing): the plan's revisions are the base of every conditional write.
      const context = async () => {
        campaigns = await deps.campaigns.fresh();
        return contextFor(campaigns);
      };
      let { prepared, overrides } = await deps.rulesParser.parseAndPrepare(rulesText, "rules", context);
      if (platformRefuses(prepared, campaigns)) {
        const requested = await deps.rulesParser.parse(rulesText, "rules");
        prepared = planHere({ ...contextFor(campaigns), requested, rulesText });
      }
      return storeChange(prepared, { rulesText, reason, overrides }, by);
    },

    async revertRun(runId, input, by) {
      requireRole(by, "operator", "requesting a revert");
      const reason = checkReason(input.reason, "reason");
      const records = await deps.runRecords(runId);
      if (!records.some((r) => isCampaignOutcome(r.outcome))) {
        throw new ServiceError(
          404,
          "run_not_found",
          `no apply run ${runId} in the audit trail; the run id is in GET /api/v1/audit (runId)`,
        );
      }
      const campaigns = await deps.campaigns.fresh();
      const targets = revertTargets(records, new Map(campaigns.map((c) => [c.id, c])));
      // Campaigns changed since the run are never overwritten: they stay out of the plan, listed with it.
      const left = revertLeftOut(runId, targets);
      if (targets.restore.size === 0) {
        throw new ServiceError(
          409,
          "revert_nothing_to_restore",
          `run ${runId} left nothing to restore: ${left.length ? "every campaign it changed was changed since or is gone" : "it changed no campaign"}; nothing was stored`,
          left.map((f) => ({ path: f.path, message: f.message, code: f.code })),
        );
      }
      // The undo is held to the policy of the change that made the run (when serve made it), and the floor.
      const value = {
        ...(await runPolicy(runId)),
        campaigns: [...targets.restore].map(([id, dialingRules]) => ({ id, dialingRules })),
      };
      const rulesText = JSON.stringify(value);
      const requested = parseRulesValue(value, `revert of run ${runId}`);
      const task = { ...contextFor(campaigns, left), requested, rulesText };
      let prepared = await deps.rulesParser.prepare(task);
      if (platformRefuses(prepared, campaigns)) prepared = planHere(task);
      return storeChange(prepared, { rulesText, reason, overrides: requested.overrides }, by);
    },

    getChange: (id) => changes.get(id),

    listChanges: () => changes.list(100),

    async approve(id, by) {
      requireRole(by, "approver", "approving a change");
      const raw = await changes.raw(id);
      if (!raw) throw new ServiceError(404, "change_not_found", `no change request ${id}`);
      if (raw.state !== "pending_approval") {
        throw new ServiceError(
          409,
          "change_not_pending",
          `change ${id} is ${raw.state}; only a pending_approval change can be approved`,
        );
      }
      // The person, not the token or its spelling: "Ops-Lead " is the ops-lead who asked.
      if (raw.requester_token_id === by.tokenId || canonicalIdentity(raw.requested_by) === by.person) {
        throw new ServiceError(
          403,
          "four_eyes",
          `a high-risk change needs an approver other than its requester (${raw.requested_by}); ask another approver`,
        );
      }
      if (
        !(await changes.transition(id, ["pending_approval"], { state: "approved", approved_by: by.actor }))
      ) {
        throw new ServiceError(
          409,
          "change_state_changed",
          `change ${id} changed state meanwhile; reload it`,
        );
      }
      await deps.record(decisionRecord("change_approved", raw, by.actor, raw.reason, [by.person]));
      deps.log?.(`change ${id} approved by ${by.actor}`);
      return mustGet(id);
    },

    async reject(id, by, reason) {
      requireRole(by, "approver", "rejecting a change");
      const why = checkReason(reason, "reason");
      const raw = await changes.raw(id);
      if (!raw) throw new ServiceError(404, "change_not_found", `no change request ${id}`);
      const ok = await changes.transition(id, ["pending_approval", "approved"], {
        state: "rejected",
        rejected_by: by.actor,
        rejection_reason: why,
      });
      if (!ok) {
        throw new ServiceError(
          409,
          "change_not_open",
          `change ${id} is ${raw.state}; only an open change can be rejected`,
        );
      }
      await deps.record(
        decisionRecord(
          "change_rejected",
          raw,
          by.actor,
          why,
          raw.approved_by ? [canonicalIdentity(raw.approved_by)] : [],
        ),
      );
      deps.log?.(`change ${id} rejected by ${by.actor}`);
      return mustGet(id);
    },

    async apply(id, by) {
      requireRole(by, "operator", "applying a change");
      const change = await mustGet(id);
      if (change.state !== "approved") {
        const hint =
          change.state === "pending_approval" ? " (a high-risk change needs an approver first)" : "";
        throw new ServiceError(
          409,
          "change_not_approved",
          `change ${id} is ${change.state}; only an approved change can be applied${hint}`,
        );
      }
      const { invalid, fileErrors } = blockingProblems(change.plan);
      if (invalid.length > 0 || fileErrors.length > 0) {
        const names = invalid.slice(0, 5).map((c) => c.id);
        throw new ServiceError(
          422,
          "plan_invalid",
          `the plan has ${invalid.length} invalid campaign(s)${names.length ? ` (${names.join(", ")}${invalid.length > 5 ? ", …" : ""})` : ""}` +
            `${fileErrors.length ? ` and ${fileErrors.length} file error(s)` : ""}; nothing was written. Fix the rules and request a new change`,
        );
      }
      const jobId = randomUUID();
      const chunks = chunkCount(change.plan, deps.chunkSize);
      const started = await jobs.start(id, {
        id: jobId,
        startedBy: by.actor,
        total: change.plan.campaigns.length,
        chunks,
      });
      if (!started)
        throw new ServiceError(
          409,
          "change_state_changed",
          `change ${id} changed state meanwhile; reload it`,
        );
      try {
        if (chunks === 0) await jobs.finishIfComplete(jobId);
        else await deps.queue.enqueue(Array.from({ length: chunks }, (_, chunk) => ({ jobId, chunk })));
      } catch (err) {
        await jobs.fail(
          jobId,
          `could not queue the job: ${err instanceof Error ? err.message : String(err)}`,
        );
        throw err;
      }
      deps.log?.(`change ${id} apply job ${jobId} started by ${by.actor} (${chunks} chunk(s))`);
      return mustGet(id);
    },
  };
}
