/** The served OpenAPI document passes a maintained linter (Redocly CLI, recommended rules). */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestService, type TestService } from "./harness.js";

const REDOCLY = fileURLToPath(new URL("../../node_modules/.bin/redocly", import.meta.url));
let s: TestService;
const dir = mkdtempSync(join(tmpdir(), "dialrules-openapi-"));

beforeAll(async () => {
  s = await startTestService("sqlite", { campaigns: 3 });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("documents every API route with its schemas and lints clean", async () => {
  const res = await s.app.inject({ method: "GET", url: "/openapi.json" });
  expect(res.statusCode).toBe(200);
  const doc = res.json() as {
    openapi: string;
    paths: Record<string, Record<string, { operationId?: string; requestBody?: unknown }>>;
  };
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths).sort()).toEqual(
    [
      "/api/v1/audit",
      "/api/v1/audit/verify",
      "/api/v1/campaigns",
      "/api/v1/changes",
      "/api/v1/changes/{id}",
      "/api/v1/changes/{id}/apply",
      "/api/v1/changes/{id}/approve",
      "/api/v1/changes/{id}/reject",
      "/api/v1/info",
      "/api/v1/runs/{runId}/revert",
      "/api/v1/webhooks/status",
      "/healthz",
      "/metrics",
      "/readyz",
    ].sort(),
  );
  expect(doc.paths["/api/v1/changes"]?.post?.requestBody).toBeDefined();
  const file = join(dir, "openapi.json");
  writeFileSync(file, res.body);
  const result = await promisify(execFile)(REDOCLY, ["lint", file, "--format=stylish"], {
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      code: err.code ?? 1,
      out: `${err.stdout ?? ""}${err.stderr ?? ""}`,
    }),
  );
  expect(result.code, result.out).toBe(0);
});
