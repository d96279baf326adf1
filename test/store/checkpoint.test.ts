/**
 * Issue 14's reproductions: someone who can write the database rewrites a record and recomputes every later
 * hash, or deletes the newest records with their outbox and journal rows. The chain alone cannot show either;
 * signed checkpoints (stored, and kept outside as a file or webhook) do.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { registerAudit } from "../../src/cli/commands/audit.js";
import { ManualClock } from "../../src/clock/clock.js";
import { recordHash } from "../../src/store/canonical.js";
import { signerFromPem } from "../../src/store/checkpoint.js";
import type { AuditRecord, SqlStore } from "../../src/store/types.js";
import { runCli } from "./cli.js";
import { KINDS, type TestDatabase, testDatabase } from "./databases.js";
import { auditInput } from "./fixtures.js";

function keyFiles(dir: string, name: string) {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const priv = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(priv, privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(pub, publicKey.export({ type: "spki", format: "pem" }));
  return { priv, pub, signer: signerFromPem(readFileSync(priv, "utf8")) };
}

/** SQL that rewrites record `seq` and recomputes every later hash with the project's own hash function. */
function rewriteAndRehash(records: AuditRecord[], seq: number): string[] {
  const out: string[] = [];
  let prev: string | undefined;
  for (const r of records) {
    if (r.seq < seq) {
      prev = r.hash;
      continue;
    }
    const changed: AuditRecord = { ...r, prevHash: prev ?? r.prevHash };
    if (r.seq === seq) Object.assign(changed, { actor: "mallory", reason: "nothing to see" });
    changed.hash = recordHash(changed as unknown as Record<string, unknown>);
    out.push(
      `UPDATE audit SET actor = '${changed.actor}', reason = '${changed.reason}', prev_hash = '${changed.prevHash}', hash = '${changed.hash}' WHERE seq = ${r.seq}`,
    );
    prev = changed.hash;
  }
  return out;
}

describe.each(KINDS)("signed checkpoints on %s", (kind) => {
  let db: TestDatabase;
  let dir: string;
  afterEach(async () => {
    await db?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(records: number) {
    db = await testDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), "dialrules-ckpt-"));
    const clock = new ManualClock(Date.UTC(2026, 4, 1));
    const store: SqlStore = await db.open({ clock });
    for (let i = 0; i < records; i++) {
      await store.audit.append(auditInput());
      clock.advance(1000);
    }
    const key = keyFiles(dir, "audit");
    const cp = await store.audit.checkpoint(key.signer, { runId: "run-1", actor: "alice" });
    const file = join(dir, "checkpoint.json");
    writeFileSync(file, JSON.stringify(cp));
    return { store, key, file, cp: cp! };
  }
  const verify = (...args: string[]) =>
    runCli(registerAudit, ["audit", "verify", "--database", db.cli.database, ...args], db.cli.env);

  it("a checkpoint signs the head and is itself a chained record with an audit.checkpoint outbox row", async () => {
    const { store, cp, key } = await setup(3);
    expect(cp).toMatchObject({ seq: 3, keyId: key.signer.keyId, algorithm: "Ed25519" });
    const records = await store.audit.list();
    expect(records).toHaveLength(4);
    expect(records[3]).toMatchObject({ outcome: "checkpoint", campaignId: "", checkpoint: cp });
    expect(cp.headHash).toBe(records[2]?.hash);
    expect((await store.outbox.get(records[3]!.id))?.eventType).toBe("audit.checkpoint");
    const ok = await verify("--checkpoint", join(dir, "checkpoint.json"), "--public-key", key.pub);
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toContain("4 records, chain intact");
    expect(ok.out).toContain("1 signed checkpoint(s) verified with the trusted key");
    expect(ok.out).toContain("checkpoint of seq 3");
  });

  it("record 5 rewritten and every later hash recomputed: plain verify fails on the stored checkpoint", async () => {
    const { store } = await setup(30);
    await db.attack(rewriteAndRehash(await store.audit.list(), 5));
    expect((await store.audit.list())[4]?.actor).toBe("mallory");
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.out).not.toContain("chain intact");
    expect(r.out).toMatch(/seq 31 .*rewritten record: the checkpoint signed at .* covers seq 30/);
  });

  it("the same rewrite with the stored checkpoint deleted too: the outside checkpoint still shows it", async () => {
    const { store, key, file } = await setup(30);
    await db.attack([
      ...rewriteAndRehash(await store.audit.list(), 5),
      "DELETE FROM outbox WHERE seq = 31",
      "DELETE FROM audit WHERE seq = 31",
    ]);
    // The chain alone now looks whole: the known limit that checkpoints kept outside the database close.
    expect(await verify()).toMatchObject({ code: 0, out: "30 records, chain intact\n" });
    const r = await verify("--checkpoint", file, "--public-key", key.pub);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /seq 30 .*rewritten record: the chain up to seq 30 is not the one the checkpoint signed/,
    );
  });

  it("the newest records deleted with their outbox and journal rows: --checkpoint reports a truncated tail", async () => {
    const { store, key, file } = await setup(31);
    await db.attack([
      "DELETE FROM journal WHERE audit_id IN (SELECT id FROM audit WHERE seq >= 30)",
      "DELETE FROM outbox WHERE seq >= 30",
      "DELETE FROM audit WHERE seq >= 30",
    ]);
    expect((await store.audit.list()).length).toBe(29);
    expect(await verify()).toMatchObject({ code: 0, out: "29 records, chain intact\n" });
    const r = await verify("--checkpoint", file, "--public-key", key.pub);
    expect(r.code).toBe(1);
    expect(r.out).toContain("truncated tail: the checkpoint signed at");
    expect(r.out).toContain("covers 31 records but the chain ends at seq 29");
  });

  it("a forged checkpoint fails: altered fields, another key, no trusted key", async () => {
    const { key, file, cp } = await setup(5);
    const altered = join(dir, "altered.json");
    writeFileSync(altered, JSON.stringify({ ...cp, seq: 4, headHash: "0".repeat(64) }));
    const r1 = await verify("--checkpoint", altered, "--public-key", key.pub);
    expect(r1.code).toBe(1);
    expect(r1.out).toMatch(/forged checkpoint: .*signature that does not verify/);

    const other = keyFiles(dir, "mallory");
    const byOther = join(dir, "other.json");
    writeFileSync(
      byOther,
      JSON.stringify(
        other.signer.sign({
          format: cp.format,
          seq: cp.seq,
          headHash: cp.headHash,
          time: cp.time,
          keyId: other.signer.keyId,
          algorithm: "Ed25519",
        }),
      ),
    );
    const r2 = await verify("--checkpoint", byOther, "--public-key", key.pub);
    expect(r2.code).toBe(1);
    expect(r2.out).toContain(`forged checkpoint: the --checkpoint file names key ${other.signer.keyId}`);
    // The stored checkpoint was signed by the audit key, not the one a verifier is told to trust.
    const r3 = await verify("--public-key", other.pub);
    expect(r3.code).toBe(1);
    expect(r3.out).toContain("forged checkpoint: the stored checkpoint names key");

    await expect(verify("--checkpoint", file)).rejects.toThrow(/needs the trusted public key/);
  });

  it("audit checkpoint -o FILE signs with DIALRULES_AUDIT_KEY_FILE; without it, it says what to set", async () => {
    const { key } = await setup(2);
    const out = join(dir, "cli-checkpoint.json");
    const env = { ...db.cli.env, DIALRULES_AUDIT_KEY_FILE: key.priv };
    const r = await runCli(
      registerAudit,
      ["audit", "checkpoint", "-o", out, "--database", db.cli.database],
      env,
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ seq: 3, keyId: key.signer.keyId });
    const v = await runCli(
      registerAudit,
      ["audit", "verify", "--checkpoint", out, "--database", db.cli.database],
      env, // the public half of DIALRULES_AUDIT_KEY_FILE is trusted
    );
    expect(v.code, v.out).toBe(0);
    await expect(
      runCli(registerAudit, ["audit", "checkpoint", "--database", db.cli.database], db.cli.env),
    ).rejects.toThrow(/DIALRULES_AUDIT_KEY_FILE/);
  });
});
