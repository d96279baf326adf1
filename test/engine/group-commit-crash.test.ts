/**
 * kill -9 in the middle of group-committed writes (issue 17): every outcome the engine reported as recorded
 * is in the database with its audit record, no transaction is half there, and the chain verifies.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KINDS, type TestDatabase, testDatabase } from "../store/databases.js";

const CHILD = join(import.meta.dirname, "fixtures", "apply-child.ts");

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.cleanup();
  db = undefined;
});

/** Runs the child until it has reported `killAfter` recorded outcomes, then SIGKILLs it. */
function applyAndKill(
  options: object,
  n: number,
  killAfter: number,
): Promise<{ reported: string[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      // Node itself with tsx's loader, not the tsx CLI: that one relays to a grandchild SIGKILL would miss.
      process.execPath,
      ["--import", "tsx", CHILD, JSON.stringify(options), String(n), "16"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const reported: string[] = [];
    let buffered = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const [word, id] = line.split(" ");
        if (word === "recorded" && id) reported.push(id);
      }
      if (reported.length >= killAfter && child.exitCode === null) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited ${code} before the kill: ${stderr}`));
      else resolve({ reported, signal });
    });
  });
}

describe.each(KINDS)("group commit survives kill -9 on %s", (kind) => {
  it("every outcome reported as recorded is stored with its audit record; the chain verifies", async () => {
    db = await testDatabase(kind);
    await (await db.open()).close(); // migrate before the child starts
    const { reported } = await applyAndKill(db.options, 5000, 400);
    expect(reported.length).toBeGreaterThanOrEqual(400);
    expect(reported.length).toBeLessThan(5000);

    const store = await db.open();
    expect(await store.audit.verify()).toMatchObject({ ok: true });
    const records = await store.audit.list({ runId: "crash-run" });
    const entries = await store.journalEntries("crash-run");
    const applied = new Set(records.filter((r) => r.outcome === "applied").map((r) => r.campaignId));
    const completed = new Set(entries.filter((e) => e.outcome === "applied").map((e) => e.campaignId));
    for (const id of reported) {
      expect(applied.has(id), `audit record of ${id}`).toBe(true);
      expect(completed.has(id), `journal outcome of ${id}`).toBe(true);
    }
    // No half transaction: an outcome and its audit record (and outbox row) come together or not at all.
    expect(completed).toEqual(applied);
    expect(records.length).toBe(applied.size);
    expect((await store.outbox.stats(Date.now())).pending).toBe(records.length);
    // The rest are intents still in doubt (or never started): the next apply reconciles them by reading.
    const inDoubt = await store.journal.inDoubt();
    expect(inDoubt.length).toBe(entries.length - completed.size);
  });
});
