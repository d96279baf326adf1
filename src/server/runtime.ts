/**
 * Wires one `serve` replica: store, service tables, platform (configured, or an embedded simulator), the
 * shared rate budget and job queue on PostgreSQL (or in-process ones on SQLite), metrics and the webhook
 * delivery worker. The platform factory is passed in (it lives with the CLI's wiring).
 */
import { hostname } from "node:os";
import { type Clock, systemClock } from "../clock/clock.js";
import { InputError } from "../domain/errors.js";
import type { RulesFile } from "../domain/rules-file.js";
import { startEmbeddedV2 } from "../embedded/embedded-sim.js";
import type { HttpObserver } from "../http/events.js";
import { limiterFactory } from "../http/rate-limiter.js";
import { createMetrics } from "../metrics/metrics.js";
import { v2Configured } from "../platform/config.js";
import type { DriverDeps } from "../platform/driver-deps.js";
import type { Platform } from "../platform/platform.js";
import type { SimHandle } from "../sim/types.js";
import { isPostgresUrl } from "../store/backend.js";
import { openStore } from "../store/open-store.js";
import type { CheckpointSigner } from "../store/types.js";
import { webhookConfigFromEnv } from "../webhook/config.js";
import { webhookEvent } from "../webhook/events.js";
import { createDeliveryWorker, type DeliveryWorker } from "../webhook/worker.js";
import type { ServiceInfo } from "./contract.js";
import { openServiceDatabase } from "./db.js";
import { workerRulesParser } from "./input/rules-parser.js";
import { DEFAULT_CHUNK_SIZE } from "./jobs/apply-job.js";
import { localLocks, postgresLocks } from "./jobs/locks.js";
import { inProcessQueue, type JobQueue, pgBossQueue } from "./jobs/queue.js";
import { createServerServices, type RunningServices } from "./server-services.js";

export type PlatformOpener = (
  name: string | undefined,
  wiring: { env: NodeJS.ProcessEnv; observer: HttpObserver; createLimiter?: DriverDeps["createLimiter"] },
) => Promise<Platform>;

export interface RuntimeOptions {
  databaseUrl?: string;
  sqlitePath?: string;
  /** PostgreSQL schema (default public); pg-boss uses `<schema>_pgboss` (`pgboss` for public). */
  schema?: string;
  env: NodeJS.ProcessEnv;
  platformName?: string;
  openPlatform: PlatformOpener;
  replica?: string;
  /** Values the store must never persist (client secret, webhook secrets). */
  secrets?: readonly string[];
  /**
   * The server's policy floor (`serve --policy` / DIALRULES_POLICY_FILE). Required against a real platform;
   * the embedded demo defaults to DEMO_POLICY.
   */
  policy?: RulesFile;
  /**
   * Signs a checkpoint of the audit chain at the end of every apply job (`serve` passes the key of
   * DIALRULES_AUDIT_KEY_FILE). Without one, jobs end unsigned (`serve` says so when it starts).
   */
  signer?: CheckpointSigner;
  /** Seeded campaigns of the embedded simulator (default 200). */
  embeddedCampaigns?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

export interface Runtime {
  services: RunningServices;
  info: ServiceInfo;
  /** The embedded simulator, when no platform is configured. */
  sim?: SimHandle;
  close(): Promise<void>;
}

const envInt = (env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number => {
  const v = env[name];
  if (v === undefined || v.trim() === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new RangeError(`${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
};

/** The embedded simulator's floor: US TCPA under an enterprise licence (the seeded campaigns meet it). */
export const DEMO_POLICY: RulesFile = {
  fileName: "(demo policy: US_TCPA, ENTERPRISE)",
  profiles: ["US_TCPA"],
  licenseTier: "ENTERPRISE",
  limits: {},
  overrides: [],
  defaults: {},
  campaigns: [],
};

export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}`;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const env = options.env;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const replica = options.replica ?? defaultReplicaId();
  const postgres = isPostgresUrl(options.databaseUrl);
  const schema = options.schema ?? "public";
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };

  try {
    const metrics = createMetrics({ defaultLabels: { replica } });
    // On SQLite, commits (fsync) run on a writer thread: the event loop keeps answering (issue 13 §4).
    const dbOptions = {
      databaseUrl: options.databaseUrl,
      sqlitePath: options.sqlitePath,
      schema,
      writerThread: true,
    };
    const store = await openStore({
      outboxEvent: webhookEvent,
      ...dbOptions,
      poolSize: 4,
      secrets: options.secrets,
      clock,
    });
    closers.push(() => store.close());
    const sdb = await openServiceDatabase({ ...dbOptions, poolSize: 4 });
    closers.push(() => sdb.close());
    const unsubscribe = store.onAppend((r) => metrics.observeAudit(r));
    closers.push(async () => unsubscribe());
    metrics.setBacklogSource(async () => (await store.outbox.stats(clock.now())).pending);

    let policy = options.policy;
    let platform: Platform;
    let banner: string | undefined;
    let sim: SimHandle | undefined;
    const observer = metrics.httpObserver();
    const chosen = options.platformName ?? env.DIALRULES_PLATFORM ?? "v2";
    if (chosen === "v2" && !v2Configured(env)) {
      const campaigns = options.embeddedCampaigns ?? 200;
      const perMinute = 6000;
      const embedded = await startEmbeddedV2({ campaigns, rateLimitPerMinute: perMinute }, { observer });
      sim = embedded.sim;
      closers.push(() => embedded.sim.stop());
      platform = embedded.platform;
      banner =
        `Demo mode: no platform is configured (DIALRULES_V2_CLIENT_ID is unset), so this replica runs against an embedded ` +
        `simulator with ${campaigns} seeded campaigns at ${sim.url}. Nothing here changes a real contact center. ` +
        `Set DIALRULES_V2_API_BASE_URL, DIALRULES_V2_TOKEN_URL, DIALRULES_V2_CLIENT_ID and DIALRULES_V2_CLIENT_SECRET to use a real platform.`;
      policy ??= DEMO_POLICY;
    } else {
      if (!policy) {
        throw new InputError(
          "POLICY_REQUIRED",
          "serve against a real platform needs --policy FILE (or DIALRULES_POLICY_FILE): the profiles, licence tier and limits every change is held to",
          "--policy",
        );
      }
      // Every replica draws on the bucket in the shared database (PostgreSQL: one for all replicas).
      const createLimiter = limiterFactory({ clock, ledger: store.rateLedger, observer });
      platform = await options.openPlatform(options.platformName, { env, observer, createLimiter });
    }
    closers.push(() => platform.close());

    const queue: JobQueue =
      postgres && options.databaseUrl
        ? pgBossQueue({
            connectionString: options.databaseUrl,
            schema: schema === "public" ? "pgboss" : `${schema}_pgboss`,
            concurrency: envInt(env, "DIALRULES_JOB_CONCURRENCY", 2),
            expireInSeconds: envInt(env, "DIALRULES_JOB_EXPIRE_SECONDS", 300),
            maintenanceIntervalSeconds: envInt(env, "DIALRULES_JOB_MAINTENANCE_SECONDS", 30),
            onError: log,
          })
        : inProcessQueue({ concurrency: envInt(env, "DIALRULES_JOB_CONCURRENCY", 2), onError: log });

    const info: ServiceInfo = {
      ...(banner ? { banner } : {}),
      platform: platform.name,
      database: store.kind,
      replica,
    };
    const webhook = webhookConfigFromEnv(env);
    const rulesParser = workerRulesParser();
    closers.push(() => rulesParser.close());
    const services = createServerServices({
      store,
      sdb,
      platform,
      clock,
      queue,
      locks: postgres && options.databaseUrl ? postgresLocks(options.databaseUrl, schema) : localLocks(),
      info,
      metrics,
      webhook,
      policy,
      chunkSize: envInt(env, "DIALRULES_JOB_CHUNK_SIZE", DEFAULT_CHUNK_SIZE),
      applyConcurrency: envInt(env, "DIALRULES_APPLY_CONCURRENCY", 4),
      campaignsTtlMs: envInt(env, "DIALRULES_CAMPAIGNS_TTL_SECONDS", 60) * 1000,
      rulesParser,
      ...(options.signer ? { signer: options.signer } : {}),
      log,
    });
    await services.start();
    closers.push(() => services.stop());

    let worker: DeliveryWorker | undefined;
    if (webhook) {
      worker = createDeliveryWorker({
        store,
        url: webhook.url,
        secrets: webhook.secrets,
        workerId: replica,
        observer: metrics.deliveryObserver(),
        log,
      });
      worker.start();
      const w = worker;
      closers.push(() => w.stop());
    }
    return { services, info, ...(sim ? { sim } : {}), close };
  } catch (err) {
    await close();
    throw err;
  }
}
