/**
 * A real service for the API tests: a database (SQLite file or a fresh PostgreSQL schema), a simulator, the
 * runtime exactly as `serve` wires it, and the fastify app driven through `inject`. Tokens for each role.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import pg from "pg";
import { expect } from "vitest";
import { parseRulesFile } from "../../src/domain/rules-file.js";
import { openPlatform } from "../../src/platform/factory.js";
import { buildServer } from "../../src/server/app.js";
import type { ChangeRequest, Role } from "../../src/server/contract.js";
import { dashboard } from "../../src/server/dashboard/plugin.js";
import { openServiceDatabase, type ServiceDatabase } from "../../src/server/db.js";
import { type Runtime, startRuntime } from "../../src/server/runtime.js";
import { createTokenStore } from "../../src/server/tokens/token-store.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import type { CheckpointSigner } from "../../src/store/types.js";
import { type Kind, PG_URL, type TestDatabase, testDatabase } from "../store/databases.js";

export const HARNESS_POLICY = "profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns: []\n";

export const PEOPLE = {
  viewer: { name: "vera", role: "viewer" },
  operator: { name: "olga", role: "operator" },
  operator2: { name: "oscar", role: "operator" },
  approver: { name: "alice", role: "approver" },
  approver2: { name: "bob", role: "approver" },
} as const satisfies Record<string, { name: string; role: Role }>;
export type Person = keyof typeof PEOPLE;

export interface TestService {
  db: TestDatabase;
  sim: SimHandle;
  runtime: Runtime;
  app: FastifyInstance;
  tokens: Record<Person, string>;
  /** The service's own database (tokens, change requests, audit, outbox), for checks and legacy rows. */
  sdb: ServiceDatabase;
  call(who: Person | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Polls the change until its job is done or failed. */
  waitForJob(id: string, timeoutMs?: number): Promise<ChangeRequest>;
  /** Rows of a service table (for "nothing was written"). */
  count(table: "change_requests" | "apply_jobs" | "apply_results" | "api_tokens"): Promise<number>;
  close(): Promise<void>;
}

export async function startTestService(
  kind: Kind,
  options: {
    campaigns?: number;
    env?: Record<string, string>;
    policy?: string;
    trustProxy?: boolean;
    /** Signs a checkpoint at the end of every apply job, as `serve` does with DIALRULES_AUDIT_KEY_FILE. */
    signer?: CheckpointSigner;
  } = {},
): Promise<TestService> {
  const db = await testDatabase(kind);
  const sim = await startSimulator({
    campaigns: options.campaigns ?? 30,
    seed: 1,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
  });
  const env: NodeJS.ProcessEnv = {
    DIALRULES_V2_API_BASE_URL: sim.apiBase,
    DIALRULES_V2_TOKEN_URL: sim.tokenUrl,
    DIALRULES_V2_CLIENT_ID: "demo",
    DIALRULES_V2_CLIENT_SECRET: "demo-secret",
    DIALRULES_V2_RATE_LIMIT: "100000/min",
    DIALRULES_JOB_CHUNK_SIZE: "10",
    ...options.env,
  };
  const dbOptions =
    db.kind === "sqlite"
      ? { sqlitePath: db.options.sqlitePath }
      : { databaseUrl: db.options.databaseUrl, schema: db.options.schema };
  const sdb = await openServiceDatabase({ ...dbOptions, poolSize: 1 });
  const store = createTokenStore(sdb);
  const tokens = {} as Record<Person, string>;
  for (const [who, p] of Object.entries(PEOPLE) as [Person, { name: string; role: Role }][]) {
    tokens[who] = (await store.create(p.name, p.role)).token;
  }
  const runtime = await startRuntime({
    ...dbOptions,
    env,
    openPlatform: (name, wiring) => openPlatform(name, wiring),
    replica: `test-${kind}`,
    // The server's floor (a real platform needs one); the tests' rules use the same profile and tier.
    policy: parseRulesFile(options.policy ?? HARNESS_POLICY, "policy.yaml"),
    secrets: ["demo-secret"],
    ...(options.signer ? { signer: options.signer } : {}),
  });
  const app = await buildServer(runtime.services, {
    plugins: [dashboard(runtime.services)],
    trustProxy: options.trustProxy ?? false,
  });
  const call = (who: Person | undefined, o: InjectOptions) =>
    app.inject({
      ...o,
      headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...o.headers },
    });
  return {
    db,
    sim,
    runtime,
    app,
    tokens,
    sdb,
    call,
    async waitForJob(id, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const change = (
          await call("viewer", { method: "GET", url: `/api/v1/changes/${id}` })
        ).json() as ChangeRequest;
        // The change and its job are read one after the other: wait until both say the job ended.
        const ended = change.job && (change.job.state === "done" || change.job.state === "failed");
        if (ended && change.state !== "applying") return change;
        if (Date.now() > until)
          throw new Error(`job of ${id} not finished: ${JSON.stringify(change.job?.progress)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async count(table) {
      const r = await sdb.db
        .selectFrom(table)
        .select(sdb.db.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async close() {
      await app.close();
      await runtime.close();
      await sdb.close();
      await sim.stop();
      if (db.kind === "postgres") await dropBossSchema(db.options.schema ?? "");
      await db.cleanup();
    },
  };
}

/** A rules file (YAML) for the simulator's seeded campaigns. */
export function rules(entries: string, header = "profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\n"): string {
  return `${header}campaigns:\n${entries}`;
}

/** pg-boss keeps its tables in `<schema>_pgboss`; the per-test schema's cleanup does not know it. */
export async function dropBossSchema(schema: string): Promise<void> {
  if (!/^t_[0-9a-f]+$/.test(schema)) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`);
  } finally {
    await c.end();
  }
}

/** A JSON request body for `TestService.call`. */
export const json = (body: unknown) => ({
  headers: { "content-type": "application/json" },
  payload: JSON.stringify(body),
});

/** Posts a change request as `who` and expects it stored (201). */
export async function createChange(
  s: TestService,
  who: Person,
  text: string,
  reason = "test change",
): Promise<ChangeRequest> {
  const res = await s.call(who, { method: "POST", url: "/api/v1/changes", ...json({ rules: text, reason }) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as ChangeRequest;
}
