/**
 * ServerServices over the engine, the store and the service tables. Both views (JSON API, dashboard) call
 * this; every rule about who may do what is enforced here, so neither view can forget one.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../clock/clock.js";
import type { CapacityInputs } from "../domain/capacity.js";
import { InputError } from "../domain/errors.js";
import { hasErrors } from "../domain/findings.js";
import type { Campaign } from "../domain/rules.js";
import { parseRulesFile, type RulesFile } from "../domain/rules-file.js";
import { policyFromFile, validateRules } from "../domain/validate.js";
import { blockingProblems } from "../engine/apply.js";
import { planAgainst } from "../engine/plan.js";
import type { Metrics } from "../metrics/metrics.js";
import { NotFoundError } from "../platform/errors.js";
import type { Platform } from "../platform/platform.js";
import { rowToRecord } from "../store/records.js";
import type { AuditRecord, SqlStore } from "../store/types.js";
import type { WebhookConfig } from "../webhook/config.js";
import { type ApplyWorkerDeps, chunkCount, runChunk } from "./apply-job.js";
import type { ServiceDatabase } from "./db.js";
import type { CampaignLocks } from "./locks.js";
import type { ChunkTask, JobQueue } from "./queue.js";
import { createRepo } from "./repo.js";
import { assessRisk } from "./risk.js";
import {
  type CampaignView,
  type ChangeRequest,
  type Principal,
  type Role,
  type ServerServices,
  ServiceError,
  type ServiceInfo,
} from "./services.js";
import { createTokenStore } from "./tokens.js";

export interface ServiceDeps {
  store: SqlStore;
  sdb: ServiceDatabase;
  platform: Platform;
  clock: Clock;
  queue: JobQueue;
  locks: CampaignLocks;
  info: ServiceInfo;
  metrics: Metrics;
  webhook: WebhookConfig | null;
  /** Profiles, license tier and limits that campaign findings are computed under (default: the baseline). */
  policy?: RulesFile;
  chunkSize: number;
  applyConcurrency: number;
  /** How long a campaign listing is reused (the platform budget is shared with apply jobs). */
  campaignsTtlMs?: number;
  log?: (line: string) => void;
}

export interface RunningServices extends ServerServices {
  /** Starts the apply worker (and, with an in-process queue, re-queues unfinished jobs). */
  start(): Promise<void>;
  /** Lets apply chunks in flight finish their current campaigns; the rest stays queued. */
  stop(): Promise<void>;
  runTask(task: ChunkTask): Promise<void>;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, approver: 2 };

export function requireRole(by: Principal, role: Role, action: string): void {
  if (RANK[by.role] < RANK[role]) {
    throw new ServiceError(403, "forbidden", `${action} needs the ${role} role; this token has ${by.role}`);
  }
}

export const EMPTY_POLICY_FILE: RulesFile = {
  fileName: "(service default policy)",
  profiles: [],
  limits: {},
  overrides: [],
  defaults: {},
  campaigns: [],
};

const MAX_REASON = 2000;

function capacityOf(file: RulesFile): CapacityInputs | undefined {
  const c = file.capacity;
  if (c?.agents === undefined || c.avgHandleTimeSec === undefined || c.connectRate === undefined)
    return undefined;
  return { agents: c.agents, avgHandleTimeSec: c.avgHandleTimeSec, connectRate: c.connectRate };
}

function checkReason(reason: string, field: string): string {
  const r = reason.trim();
  if (r.length === 0) throw new InputError("reason_required", `${field} must not be empty`, field);
  if (r.length > MAX_REASON)
    throw new InputError("reason_too_long", `${field} is over ${MAX_REASON} characters`, field);
  return r;
}

export function createServerServices(deps: ServiceDeps): RunningServices {
  const { store, sdb, platform, clock } = deps;
  const repo = createRepo(sdb, () => clock.now());
  const tokens = createTokenStore(sdb, () => clock.now());
  const policy = policyFromFile(deps.policy ?? EMPTY_POLICY_FILE);
  const ttl = deps.campaignsTtlMs ?? 5_000;
  const stopping = new AbortController();

  // Campaign listing: reused for `ttl`, one read in flight at a time however many requests ask.
  let cached: { at: number; campaigns: Campaign[] } | undefined;
  let inflight: Promise<Campaign[]> | undefined;
  const readCampaigns = (fresh: boolean): Promise<Campaign[]> => {
    if (!fresh && cached && clock.now() - cached.at < ttl) return Promise.resolve(cached.campaigns);
    if (inflight) return inflight;
    inflight = platform
      .listCampaigns()
      .then((campaigns) => {
        cached = { at: clock.now(), campaigns };
        return campaigns;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  let validated: { source: Campaign[]; views: CampaignView[] } | undefined;
  let platformReady: { at: number; ok: boolean } | undefined;

  const workerDeps: ApplyWorkerDeps = {
    repo,
    store,
    platform,
    clock,
    locks: deps.locks,
    replica: deps.info.replica,
    chunkSize: deps.chunkSize,
    concurrency: deps.applyConcurrency,
    stop: stopping.signal,
    observer: {
      conflictResolved: (r) => {
        if (r !== "already-applied") deps.metrics.conflict(r);
      },
    },
    onWritten: () => {
      cached = undefined;
    },
  };

  async function mustGet(id: string): Promise<ChangeRequest> {
    const change = await repo.getChange(id);
    if (!change) throw new ServiceError(404, "change_not_found", `no change request ${id}`);
    return change;
  }

  async function lastAuditByCampaign(): Promise<Map<string, AuditRecord>> {
    const latest = sdb.db
      .selectFrom("audit")
      .select(["campaign_id", sdb.db.fn.max("seq").as("max_seq")])
      .groupBy("campaign_id")
      .as("latest");
    const rows = await sdb.db
      .selectFrom("audit")
      .innerJoin(latest, "latest.max_seq", "audit.seq")
      .selectAll("audit")
      .execute();
    return new Map(rows.map((r) => [r.campaign_id, rowToRecord(r)]));
  }

  const services: RunningServices = {
    info: () => deps.info,

    authenticate: (token) => tokens.authenticate(token),

    async listCampaigns(): Promise<CampaignView[]> {
      const [campaigns, last] = await Promise.all([readCampaigns(false), lastAuditByCampaign()]);
      // Validation depends only on the listing: computed once per listing, not per request.
      if (validated?.source !== campaigns) {
        validated = {
          source: campaigns,
          views: [...campaigns]
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((campaign) => {
              const findings = validateRules(campaign.dialingRules, policy);
              return { campaign, findings, compliant: !hasErrors(findings) };
            }),
        };
      }
      return validated.views.map((v) => {
        const lastAudit = last.get(v.campaign.id);
        return lastAudit ? { ...v, lastAudit } : v;
      });
    },

    async createChange(input, by) {
      requireRole(by, "operator", "requesting a change");
      const reason = checkReason(input.reason, "reason");
      // Parsed before anything is read or written: a bad rules file costs no platform request.
      const file = parseRulesFile(input.rulesText, "rules");
      // A fresh read (not the cached listing): the plan's revisions are the base of every conditional write.
      const campaigns = await readCampaigns(true);
      const plan = planAgainst(
        { file, sourceText: input.rulesText, platform, clock, capacity: capacityOf(file) },
        campaigns,
      );
      const { risk, reasons } = assessRisk(plan);
      const id = `chg_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
      await repo.insertChange({
        id,
        requestedBy: by.actor,
        requesterTokenId: by.tokenId,
        reason,
        createdAt: new Date(clock.now()).toISOString(),
        risk,
        riskReasons: reasons,
        plan,
        rulesText: input.rulesText,
        // Low risk needs no second person: an operator may apply it straight away.
        state: risk === "high" ? "pending_approval" : "approved",
      });
      deps.log?.(`change ${id} requested by ${by.actor} (${risk} risk, ${plan.summary.toChange} to change)`);
      return mustGet(id);
    },

    getChange: (id) => repo.getChange(id),

    listChanges: () => repo.listChanges(100),

    async approve(id, by) {
      requireRole(by, "approver", "approving a change");
      const raw = await repo.rawChange(id);
      if (!raw) throw new ServiceError(404, "change_not_found", `no change request ${id}`);
      if (raw.state !== "pending_approval") {
        throw new ServiceError(
          409,
          "change_not_pending",
          `change ${id} is ${raw.state}; only a pending_approval change can be approved`,
        );
      }
      if (raw.requester_token_id === by.tokenId || raw.requested_by === by.actor) {
        throw new ServiceError(
          403,
          "four_eyes",
          `a high-risk change needs an approver other than its requester (${raw.requested_by}); ask another approver`,
        );
      }
      if (!(await repo.transition(id, ["pending_approval"], { state: "approved", approved_by: by.actor }))) {
        throw new ServiceError(
          409,
          "change_state_changed",
          `change ${id} changed state meanwhile; reload it`,
        );
      }
      deps.log?.(`change ${id} approved by ${by.actor}`);
      return mustGet(id);
    },

    async reject(id, by, reason) {
      requireRole(by, "approver", "rejecting a change");
      const why = checkReason(reason, "reason");
      const raw = await repo.rawChange(id);
      if (!raw) throw new ServiceError(404, "change_not_found", `no change request ${id}`);
      const ok = await repo.transition(id, ["pending_approval", "approved"], {
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
      const started = await repo.startJob(id, {
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
        if (chunks === 0) await repo.finishIfComplete(jobId);
        else await deps.queue.enqueue(Array.from({ length: chunks }, (_, chunk) => ({ jobId, chunk })));
      } catch (err) {
        await repo.failJob(
          jobId,
          `could not queue the job: ${err instanceof Error ? err.message : String(err)}`,
        );
        throw err;
      }
      deps.log?.(`change ${id} apply job ${jobId} started by ${by.actor} (${chunks} chunk(s))`);
      return mustGet(id);
    },

    audit: (query) => store.audit.list(query),

    verifyAudit: () => store.audit.verify(),

    async webhookStatus() {
      const stats = await store.outbox.stats(clock.now());
      if (!deps.webhook) return { configured: false, stats };
      return { configured: true, stats, endpoint: await store.outbox.endpoint(deps.webhook.url) };
    },

    async ready() {
      const database = await repo.ping().then(
        () => true,
        () => false,
      );
      // Probes come every few seconds; the platform budget is for work, so its answer is reused for 10 s.
      if (!platformReady || clock.now() - platformReady.at > 10_000) {
        const ok = await platform.getCampaign("__dialrules_readyz__").then(
          () => true,
          (err: unknown) => err instanceof NotFoundError,
        );
        platformReady = { at: clock.now(), ok };
      }
      return { database, platform: platformReady.ok };
    },

    metricsText: () => deps.metrics.text(),

    runTask: (task) => runChunk(workerDeps, task),

    async start() {
      await deps.queue.start((task) => runChunk(workerDeps, task));
      if (deps.queue.kind === "in-process") {
        for (const job of await repo.unfinishedJobs()) {
          deps.log?.(`resuming apply job ${job.id} (left unfinished by an earlier run)`);
          await deps.queue.enqueue(
            Array.from({ length: job.chunks }, (_, chunk) => ({ jobId: job.id, chunk })),
          );
        }
      }
    },

    async stop() {
      stopping.abort();
      await deps.queue.stop();
    },
  };
  return services;
}
