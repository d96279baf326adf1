/**
 * `serve` on SQLite writes through one writer thread per database file (src/store/sqlite-writer.ts). If that
 * thread dies, reads still work but no write can: the replica must say so on /readyz (so an orchestrator
 * replaces it) and a write must fail with an answer, not hang.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { terminateWriterThread } from "../../src/store/sqlite-writer.js";
import { rules, startTestService, type TestService } from "./harness.js";

let s: TestService;
beforeAll(async () => {
  s = await startTestService("sqlite");
});
afterAll(async () => {
  await s.close();
});

it("reports not ready once the SQLite writer thread has stopped, and a write fails instead of hanging", async () => {
  const ready = await s.app.inject({ method: "GET", url: "/readyz" });
  expect(ready.statusCode).toBe(200);
  expect(ready.json()).toMatchObject({ status: "ready", database: true });

  if (s.db.kind !== "sqlite") throw new Error("this test needs the SQLite service");
  await terminateWriterThread(resolve(s.db.options.sqlitePath ?? ""));

  const after = await s.app.inject({ method: "GET", url: "/readyz" });
  expect(after.statusCode).toBe(503);
  expect(after.json()).toMatchObject({ status: "not ready", database: false });
  // reads still answer
  expect((await s.call("viewer", { method: "GET", url: "/api/v1/changes" })).statusCode).toBe(200);
  const write = await s.call("operator", {
    method: "POST",
    url: "/api/v1/changes",
    payload: {
      rules: rules("  - id: CMP-10002\n    dialingRules: {maxCallsPerAgent: 1}\n"),
      reason: "after the writer stopped",
    },
  });
  expect(write.statusCode).toBeGreaterThanOrEqual(500);
  expect(write.body).not.toContain("demo-secret");
});
