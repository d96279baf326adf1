/**
 * ServerServices (contract.ts) assembled from one part per aggregate: the campaign listing, change requests
 * (changes/), apply jobs (jobs/) and tokens (tokens/), plus the read-only operations (audit, webhooks, probes).
 */
import type { Clock } from "../clock/clock.js";
import type { RulesFile } from "../domain/rules-file.js";
import { policyFromFile } from "../domain/validate.js";
import type { Metrics } from "../metrics/metrics.js";
import { NotFoundError } from "../platform/errors.js";
import type { Platform } from "../platform/platform.js";
import type { CheckpointSigner, SqlStore } from "../store/types.js";
import type { WebhookConfig } from "../webhook/config.js";
import { createCampaignListing } from "./campaigns/campaign-listing.js";
import { createChangeRepo } from "./changes/change-repo.js";
import { createChangeService } from "./changes/change-service.js";
import type { ServerServices, ServiceInfo } from "./contract.js";
import type { ServiceDatabase } from "./db.js";
import { inThreadRulesParser, type RulesParser } from "./input/rules-parser.js";
import { type ApplyWorkerDeps, runChunk } from "./jobs/apply-job.js";
import { createJobRepo } from "./jobs/job-repo.js";
import type { CampaignLocks } from "./jobs/locks.js";
import type { ChunkTask, JobQueue } from "./jobs/queue.js";
import { createSessionStore } from "./sessions/session-store.js";
import { createTokenStore } from "./tokens/token-store.js";

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
  /**
   * The server's policy (`serve --policy`): every change is held to it as a floor, and the campaign list's
   * findings are computed under it.
   */
  policy: RulesFile;
  chunkSize: number;
  applyConcurrency: number;
  /** Where rules texts are parsed (default: on this thread; `serve` uses a worker pool). */
  rulesParser?: RulesParser;
  /** Signs a checkpoint at the end of every apply job (DIALRULES_AUDIT_KEY_FILE); none when undefined. */
  signer?: CheckpointSigner;
  /**
   * How long a campaign listing is served before a background re-read (default 60 s): writes through
   * dialrules show at once, so this only bounds how late an edit made outside dialrules appears.
   */
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

export function createServerServices(deps: ServiceDeps): RunningServices {
  const { store, sdb, platform, clock } = deps;
  const now = () => clock.now();
  const jobs = createJobRepo(sdb, now);
  const changes = createChangeRepo(sdb, jobs, now);
  const tokens = createTokenStore(sdb, now);
  const sessions = createSessionStore(sdb, now);
  const campaigns = createCampaignListing({
    platform,
    sdb,
    clock,
    policy: policyFromFile(deps.policy),
    ttlMs: deps.campaignsTtlMs ?? 60_000,
    ...(deps.log ? { log: deps.log } : {}),
  });
  const changeService = createChangeService({
    changes,
    jobs,
    campaigns,
    platform,
    clock,
    queue: deps.queue,
    chunkSize: deps.chunkSize,
    rulesParser: deps.rulesParser ?? inThreadRulesParser,
    floor: deps.policy,
    record: (input) => store.audit.append(input),
    runRecords: (runId) => store.audit.list({ runId }),
    platformName: platform.name,
    ...(deps.log ? { log: deps.log } : {}),
  });
  const stopping = new AbortController();
  let platformReady: { at: number; ok: boolean } | undefined;

  const workerDeps: ApplyWorkerDeps = {
    jobs,
    changes,
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
    onWritten: () => campaigns.invalidate(),
    ...(deps.signer ? { signer: deps.signer } : {}),
  };

  return {
    ...changeService,

    info: () => deps.info,

    authenticate: (token) => tokens.authenticate(token),

    async signIn(token) {
      const principal = await tokens.authenticate(token);
      if (!principal) return undefined;
      const { id, session } = await sessions.open(principal);
      return { sessionId: id, session };
    },

    resumeSession: (id) => sessions.resume(id),

    signOut: (id) => sessions.close(id),

    listCampaigns: (query) => campaigns.page(query),

    campaignPageJson: (query) => campaigns.serialized(query),

    audit: (query) => store.audit.list(query),

    verifyAudit: () => store.audit.verify(),

    async webhookStatus() {
      const stats = await store.outbox.stats(clock.now());
      if (!deps.webhook) return { configured: false, stats };
      return { configured: true, stats, endpoint: await store.outbox.endpoint(deps.webhook.url) };
    },

    async ready() {
      // A replica that can still read but no longer write (its SQLite writer thread stopped) is not ready.
      const database =
        sdb.writeProblem() === undefined &&
        (await changes.ping().then(
          () => true,
          () => false,
        ));
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
        for (const job of await jobs.unfinished()) {
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
}
