/**
 * PostgreSQL role separation: the owner role migrates and owns the tables; the application role, given its
 * rights by `dialrules db grant`, can append and read audit records but not disable triggers, update, delete or
 * truncate. The owner still can (issue 14's second reproduction): a checkpoint kept outside shows it.
 * Roles are cluster-wide and other test files run at the same time: random names, dropped after.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { registerAudit } from "../../src/cli/commands/audit.js";
import { registerDb } from "../../src/cli/commands/db.js";
import { signerFromPem } from "../../src/store/checkpoint.js";
import { openStore } from "../../src/store/open-store.js";
import type { SqlStore } from "../../src/store/types.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { runCli } from "./cli.js";
import { PG_URL } from "./databases.js";
import { auditInput } from "./fixtures.js";

const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
const owner = `dr_owner_${suffix}`;
const app = `dr_app_${suffix}`;
const schema = `t_roles_${suffix}`;
const urlAs = (role: string) => {
  const u = new URL(PG_URL);
  u.username = role;
  u.password = "";
  return u.toString();
};
const stores: SqlStore[] = [];
let dir: string;

async function admin(statements: string[], role?: string): Promise<void> {
  const c = new pg.Client({
    connectionString: role ? urlAs(role) : PG_URL,
    options: `-c search_path=${schema}`,
  });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

const open = async (role: string) => {
  const s = await openStore({ outboxEvent: webhookEvent, databaseUrl: urlAs(role), schema, poolSize: 2 });
  stores.push(s);
  return s;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dialrules-roles-"));
  await admin([
    `CREATE ROLE ${owner} LOGIN`,
    `CREATE ROLE ${app} LOGIN`,
    `CREATE SCHEMA ${schema} AUTHORIZATION ${owner}`,
  ]);
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  await admin([
    `DROP SCHEMA IF EXISTS ${schema} CASCADE`,
    `DROP OWNED BY ${app}`,
    `DROP OWNED BY ${owner}`,
    `DROP ROLE IF EXISTS ${app}`,
    `DROP ROLE IF EXISTS ${owner}`,
  ]);
  rmSync(dir, { recursive: true, force: true });
});

it("the application role appends and reads audit records but cannot disable triggers, update, delete or truncate; the owner's truncation is caught by the outside checkpoint", async () => {
  // Migrations as the owner, then the grants (as the owner too: it owns the tables).
  const ownerStore = await open(owner);
  const grant = await runCli(registerDb, ["db", "grant", "--role", app, "--database", urlAs(owner)], {
    DIALRULES_DATABASE_SCHEMA: schema,
  });
  expect(grant.code, grant.err).toBe(0);
  expect(grant.out).toContain(`GRANT SELECT, INSERT ON "${schema}"."audit" TO "${app}"`);

  const appStore = await open(app);
  for (let i = 0; i < 31; i++) await appStore.audit.append(auditInput());
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pub = join(dir, "audit.pub");
  writeFileSync(pub, publicKey.export({ type: "spki", format: "pem" }));
  const signer = signerFromPem(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  const cp = await appStore.audit.checkpoint(signer, { runId: "r", actor: "app" });
  const file = join(dir, "checkpoint.json");
  writeFileSync(file, JSON.stringify(cp));
  expect((await appStore.audit.list()).length).toBe(32);

  for (const attack of [
    "ALTER TABLE audit DISABLE TRIGGER USER",
    "UPDATE audit SET actor = 'mallory' WHERE seq = 5",
    "DELETE FROM audit WHERE seq = 32",
    "TRUNCATE audit CASCADE",
  ]) {
    await expect(admin([attack], app), attack).rejects.toThrow(/must be owner|permission denied/);
  }
  expect((await appStore.audit.verify()).ok).toBe(true);

  // The owner can: the reproduction. The chain alone then looks whole.
  await admin(
    [
      "ALTER TABLE audit DISABLE TRIGGER USER",
      "DELETE FROM journal WHERE audit_id IN (SELECT id FROM audit WHERE seq >= 30)",
      "DELETE FROM outbox WHERE seq >= 30",
      "DELETE FROM audit WHERE seq >= 30",
      "ALTER TABLE audit ENABLE TRIGGER USER",
    ],
    owner,
  );
  expect(await ownerStore.audit.verify()).toEqual({ ok: true, count: 29 });
  const env = { DIALRULES_DATABASE_SCHEMA: schema };
  const r = await runCli(
    registerAudit,
    ["audit", "verify", "--checkpoint", file, "--public-key", pub, "--database", urlAs(app)],
    env,
  );
  expect(r.code).toBe(1);
  expect(r.out).toContain("truncated tail");
  expect(r.out).toContain("covers 31 records but the chain ends at seq 29");
});
