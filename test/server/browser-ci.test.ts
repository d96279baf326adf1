/**
 * Issue 13 §5: under CI the dashboard's browser test never skips. With Chromium missing it fails with a
 * message saying what to install; outside CI it is reported as skipped. Runs browser.test.ts in a child
 * vitest with DIALRULES_CHROMIUM pointing at a file that does not exist.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify, stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VITEST = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));
const MISSING = "/nonexistent/dialrules-test/chromium";

async function runBrowserTest(ci: boolean): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DIALRULES_CHROMIUM: MISSING,
    CI: ci ? "true" : "",
    NO_COLOR: "1",
  };
  delete env.FORCE_COLOR;
  // The parent vitest marks its workers; the child must run as a top-level vitest.
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  return promisify(execFile)(process.execPath, [VITEST, "run", "test/server/browser.test.ts"], {
    cwd: ROOT,
    env,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      code: err.code ?? 1,
      out: `${err.stdout ?? ""}${err.stderr ?? ""}`,
    }),
  );
}

describe("the browser test without Chromium", () => {
  it("fails under CI=true, naming what is missing", async () => {
    const { code, out } = await runBrowserTest(true);
    expect(code, out).not.toBe(0);
    expect(out).toContain(`CI=true but ${MISSING} is missing (apt-get install -y chromium)`);
  });

  it("is reported as skipped outside CI", async () => {
    const { code, out } = await runBrowserTest(false);
    expect(code, out).toBe(0);
    expect(stripVTControlCharacters(out)).toMatch(/Tests\s+1 skipped \(1\)/);
  });
});
