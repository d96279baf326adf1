/**
 * Three `serve` replicas (the built CLI, as deployed) on one PostgreSQL schema and one external simulator with
 * a 6000/min budget. A 500-campaign change is applied through the API and the replica doing the work is killed
 * with SIGKILL mid-way: the others finish its chunks after pg-boss expires them. Every campaign converges,
 * each is written exactly once (PATCH count in the simulator log), and the shared budget means no 429.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ChangeRequest } from "../../src/server/contract.js";
import { openServiceDatabase } from "../../src/server/db.js";
import { createTokenStore } from "../../src/server/tokens/token-store.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { assertBuilt, CLI } from "../cli/run-cli.js";
import { PG_URL, type TestDatabase, testDatabase } from "../store/databases.js";
import { dropBossSchema } from "./harness.js";

const CAMPAIGNS = 500;
const DESIRED = {
  dialingMethod: "PREVIEW",
  maxCallsPerAgent: 1,
  retrySettings: { maxAttempts: 3, intervalMinutes: [60, 240, 1440] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
};
const RULES = `profiles: []\nlicenseTier: ENTERPRISE\ncampaigns:\n  - match: "*"\n    dialingRules: ${JSON.stringify(DESIRED)}\n`;

interface Replica {
  name: string;
  child: ChildProcess;
  url: string;
  stderr: string[];
}

let db: TestDatabase;
/** The servers' floor (a real platform needs one): the baseline under an enterprise licence. */
let policyFile = "";
let sim: SimHandle;
const replicas: Replica[] = [];
let tokens: { operator: string; approver: string; approver2: string };

function startReplica(name: string): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--port", "0", "--database", PG_URL, "--replica-id", name],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DIALRULES_V2_API_BASE_URL: sim.apiBase,
        DIALRULES_V2_TOKEN_URL: sim.tokenUrl,
        DIALRULES_V2_CLIENT_ID: "demo",
        DIALRULES_V2_CLIENT_SECRET: "demo-secret",
        DIALRULES_V2_RATE_LIMIT: "6000/min",
        DIALRULES_DATABASE_SCHEMA: db.options.schema,
        DIALRULES_JOB_EXPIRE_SECONDS: "8",
        DIALRULES_JOB_MAINTENANCE_SECONDS: "1",
        DIALRULES_JOB_CHUNK_SIZE: "20",
        DIALRULES_POLICY_FILE: policyFile,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) => stderr.push(l));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr.join("\n")}`)), 30_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const m = /^\{"listening":"([^"]+)"/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ name, child, url: m[1], stderr });
      }
    });
    child.once("exit", (code) => reject(new Error(`${name} exited ${code}: ${stderr.join("\n")}`)));
  });
}

async function api(
  r: Replica,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ChangeRequest }> {
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as ChangeRequest };
}

beforeAll(async () => {
  assertBuilt();
  db = await testDatabase("postgres");
  policyFile = join(await mkdtemp(join(tmpdir(), "dialrules-policy-")), "policy.yaml");
  await writeFile(policyFile, "profiles: []\nlicenseTier: ENTERPRISE\ncampaigns: []\n");
  sim = await startSimulator({ campaigns: CAMPAIGNS, seed: 7, rateLimitPerMinute: 6000 });
  const sdb = await openServiceDatabase({ databaseUrl: PG_URL, schema: db.options.schema, poolSize: 1 });
  const store = createTokenStore(sdb);
  tokens = {
    operator: (await store.create("olga", "operator")).token,
    approver: (await store.create("alice", "approver")).token,
    approver2: (await store.create("bob", "approver")).token,
  };
  await sdb.close();
  for (const name of ["r1", "r2", "r3"]) replicas.push(await startReplica(name));
}, 90_000);

afterAll(async () => {
  if (process.env.DIALRULES_TEST_VERBOSE)
    for (const r of replicas) console.error(r.name, r.stderr.join("\n"));
  for (const r of replicas)
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGTERM");
  await Promise.all(
    replicas.map((r) =>
      r.child.exitCode === null && r.child.signalCode === null
        ? new Promise((res) => r.child.once("exit", res))
        : undefined,
    ),
  );
  await sim?.stop();
  if (db) {
    await dropBossSchema(db.options.schema ?? "");
    await db.cleanup();
  }
});

it("three replicas finish a 500-campaign apply after one is killed: converged, no duplicate writes, no 429", async () => {
  const [r1, r2, r3] = replicas as [Replica, Replica, Replica];
  const created = await api(r1, tokens.approver, "POST", "/api/v1/changes", {
    rules: RULES,
    reason: "replica drill",
  });
  expect(created.status).toBe(201);
  const id = created.json.id;
  expect(created.json.plan.summary).toMatchObject({ toChange: CAMPAIGNS, invalid: 0 });
  expect(created.json.risk).toBe("high");
  expect((await api(r2, tokens.approver2, "POST", `/api/v1/changes/${id}/approve`, {})).status).toBe(200);
  expect((await api(r3, tokens.operator, "POST", `/api/v1/changes/${id}/apply`, {})).status).toBe(202);

  // Kill the replica that most recently took a chunk, once a fifth of the campaigns are done.
  let victim: Replica | undefined;
  let doneAtKill = 0;
  for (const until = Date.now() + 60_000; Date.now() < until && !victim; ) {
    const change = (await api(r2, tokens.operator, "GET", `/api/v1/changes/${id}`)).json;
    const p = change.job?.progress;
    if (process.env.DIALRULES_TEST_VERBOSE)
      console.error("before kill", change.state, JSON.stringify(p), change.job?.worker);
    if (p && p.done >= CAMPAIGNS / 5 && change.job?.worker) {
      victim = replicas.find((r) => r.name === change.job?.worker);
      doneAtKill = p.done;
    } else await new Promise((r) => setTimeout(r, 100));
  }
  expect(victim).toBeDefined();
  const killed = victim as Replica;
  killed.child.kill("SIGKILL");
  await new Promise((r) => killed.child.once("exit", r));
  expect(doneAtKill).toBeLessThan(CAMPAIGNS);
  const survivor = replicas.find((r) => r !== killed) as Replica;

  let final: ChangeRequest | undefined;
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    const change = (await api(survivor, tokens.operator, "GET", `/api/v1/changes/${id}`)).json;
    if (process.env.DIALRULES_TEST_VERBOSE)
      console.error("after kill", change.state, JSON.stringify(change.job?.progress), change.job?.worker);
    // The change and its job are read one after the other: wait until both say the job ended.
    const ended = change.job?.state === "done" || change.job?.state === "failed";
    if (ended && change.state !== "applying") {
      final = change;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(final?.job?.state, JSON.stringify(final?.job?.progress)).toBe("done");
  expect(final?.state).toBe("applied");
  expect(final?.job?.progress).toMatchObject({
    done: CAMPAIGNS,
    total: CAMPAIGNS,
    counts: { applied: CAMPAIGNS },
  });

  // Converged: every campaign holds the desired rules.
  for (const c of sim.listCampaigns()) expect(c.dialingRules, c.id).toEqual(DESIRED);
  // Exactly one write per campaign, and the shared budget kept every replica under the simulator's limit.
  const patches = new Map<string, number>();
  for (const e of sim.log) if (e.method === "PATCH") patches.set(e.path, (patches.get(e.path) ?? 0) + 1);
  expect(patches.size).toBe(CAMPAIGNS);
  expect([...patches.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect(sim.log.filter((e) => e.status === 429)).toEqual([]);

  // The audit chain is intact and names the principal who applied, once per campaign.
  const verify = await fetch(`${survivor.url}/api/v1/audit/verify`, {
    headers: { authorization: `Bearer ${tokens.operator}` },
  });
  const v = (await verify.json()) as { ok: boolean; count: number };
  expect(v.ok).toBe(true);
  expect(v.count).toBeGreaterThanOrEqual(CAMPAIGNS);
}, 240_000);
