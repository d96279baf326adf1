import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type SimFlags, simOptionsFromFlags } from "../../src/cli/commands/sim.js";
import { InputError } from "../../src/domain/errors.js";
import { requestToken } from "./helpers.js";

const DEFAULTS: SimFlags = {
  port: "8080",
  host: "127.0.0.1",
  campaigns: "200",
  seed: "1",
  rateLimit: "100/min",
  tokenTtl: "3600",
  client: [],
};

describe("dialrules sim flags", () => {
  it("defaults to the demo client and the documented budget", () => {
    expect(simOptionsFromFlags(DEFAULTS)).toMatchObject({
      port: 8080,
      campaigns: 200,
      seed: 1,
      rateLimitPerMinute: 100,
      tokenTtlSec: 3600,
      clients: [{ id: "demo", secret: "demo-secret" }],
      faults: {},
    });
  });

  it("parses repeatable clients whose secrets contain colons, and faults", () => {
    const options = simOptionsFromFlags({
      ...DEFAULTS,
      client: ["a:s:e:c", "b:x"],
      faults: "drop=0.5",
      rateLimit: "10/s",
    });
    expect(options.clients).toEqual([
      { id: "a", secret: "s:e:c" },
      { id: "b", secret: "x" },
    ]);
    expect(options).toMatchObject({ faults: { dropRate: 0.5 }, rateLimitPerMinute: 600 });
  });

  it.each([
    [{ port: "70000" }, "--port"],
    [{ campaigns: "-1" }, "--campaigns"],
    [{ tokenTtl: "0" }, "--token-ttl"],
    [{ rateLimit: "lots" }, "--rate-limit"],
    [{ faults: "drop=2" }, "--faults"],
    [{ client: ["no-secret-here"] }, "--client"],
    [{ client: ["a:1", "a:2"] }, "--client"],
  ] as [Partial<SimFlags>, string][])("rejects %j naming %s", (flags, path) => {
    try {
      simOptionsFromFlags({ ...DEFAULTS, ...flags });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
      expect((err as InputError).message).not.toContain("no-secret-here");
    }
  });
});

describe("dialrules sim (process)", () => {
  it("prints where it listens without the secret, serves tokens, and stops cleanly on SIGTERM", async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "test/sim/fixtures/sim-cli.ts",
        "sim",
        "--port",
        "0",
        "--campaigns",
        "3",
        "--client",
        "ops:t0p-s3cret",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    try {
      await expect
        .poll(() => (exitCode !== undefined ? `exited early: ${stderr}` : stdout), {
          timeout: 30_000,
          interval: 50,
        })
        .toContain("Press Ctrl+C");
      const tokenUrl = /DIALRULES_V2_TOKEN_URL=(\S+)/.exec(stdout)?.[1];
      const apiBase = /DIALRULES_V2_API_BASE_URL=(\S+)/.exec(stdout)?.[1];
      expect(stdout).toContain("DIALRULES_V2_CLIENT_ID=ops");
      expect(apiBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
      expect(stdout).not.toContain("t0p-s3cret");
      const url = tokenUrl!.replace(/\/oauth\/token$/, "");
      const handle = { tokenUrl: tokenUrl!, url, apiBase: apiBase! };
      const reply = await requestToken(handle as Parameters<typeof requestToken>[0], {
        id: "ops",
        secret: "t0p-s3cret",
      });
      expect(reply.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain("simulator stopped (SIGTERM)");
    expect(stderr).toBe("");
  });
});
