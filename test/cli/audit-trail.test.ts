import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { openStore } from "../../src/store/open-store.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { envFor, runCli } from "./run-cli.js";

let sim: SimHandle;
let dir: string;
beforeEach(async () => {
  sim = await startSimulator({ campaigns: 3, rateLimitPerMinute: 100_000 });
  dir = mkdtempSync(join(tmpdir(), "dialrules-trail-"));
});
afterEach(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

const RULES = `profiles: [US_TCPA]
licenseTier: ENTERPRISE
campaigns:
  - id: CMP-10001
    dialingRules: {dialingMethod: PREVIEW, maxCallsPerAgent: 1}
`;

it("apply ends with a signed checkpoint when DIALRULES_AUDIT_KEY_FILE is set, and says plainly when it is not", async () => {
  const rules = join(dir, "rules.yaml");
  writeFileSync(rules, RULES);
  const db = join(dir, "db");
  const apply = (env: NodeJS.ProcessEnv) =>
    runCli(["apply", "-f", rules, "--yes", "--reason", "t", "--database", db], env);

  const unsigned = await apply(envFor(sim));
  expect(unsigned.code, unsigned.stderr).toBe(0);
  expect(unsigned.stderr).toContain("Audit: no checkpoint signed (DIALRULES_AUDIT_KEY_FILE is not set)");

  const key = join(dir, "audit-key.pem");
  writeFileSync(key, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }));
  const signed = await apply({ ...envFor(sim), DIALRULES_AUDIT_KEY_FILE: key });
  expect(signed.code, signed.stderr).toBe(0);
  expect(signed.stderr).toMatch(/Audit: checkpoint signed at seq \d+/);

  const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: db });
  const records = await store.audit.list();
  await store.close();
  expect(records.map((r) => r.outcome)).toEqual(["applied", "run_summary", "run_summary", "checkpoint"]);
  expect(records[3]?.checkpoint?.headHash).toBe(records[2]?.hash);

  const bad = join(dir, "not-a-key.pem");
  writeFileSync(bad, "hello");
  const refused = await apply({ ...envFor(sim), DIALRULES_AUDIT_KEY_FILE: bad });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("AUDIT_KEY_UNREADABLE");
});
