import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/domain/errors.js";
import {
  DEFAULT_SCOPES,
  loadPlatformConfig,
  parseRateLimit,
  Secret,
  v2Configured,
  v2DeprecationNote,
  v2Environment,
} from "../../src/platform/config.js";

const base = { CXONE_CLIENT_ID: "client-1", CXONE_CLIENT_SECRET: "top-secret" };

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("loadPlatformConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadPlatformConfig(base);
    expect(config).toMatchObject({
      apiBaseUrl: "https://platform.nicecxone.com/api/v2",
      tokenUrl: "https://platform.nicecxone.com/oauth/token",
      clientId: "client-1",
      scopes: [...DEFAULT_SCOPES],
      rateLimitPerMinute: 100,
      clientAuth: "basic",
    });
    expect(config.clientSecret.reveal()).toBe("top-secret");
  });

  it("reads every variable, and flags override them", () => {
    const env = {
      ...base,
      CXONE_API_BASE_URL: "https://eu.example.com/api/v2/",
      CXONE_TOKEN_URL: "https://eu.example.com/oauth/token",
      CXONE_SCOPES: "a b,c",
      CXONE_RATE_LIMIT: "2/s",
      CXONE_CLIENT_AUTH: "body",
    };
    expect(loadPlatformConfig(env)).toMatchObject({
      apiBaseUrl: "https://eu.example.com/api/v2",
      scopes: ["a", "b", "c"],
      rateLimitPerMinute: 120,
      clientAuth: "body",
    });
    const flagged = loadPlatformConfig(env, {
      apiBaseUrl: "http://127.0.0.1:8080/api/v2",
      clientId: "flag-client",
      clientSecret: "flag-secret",
      rateLimit: "50/min",
      clientAuth: "basic",
    });
    expect(flagged).toMatchObject({
      apiBaseUrl: "http://127.0.0.1:8080/api/v2",
      clientId: "flag-client",
      rateLimitPerMinute: 50,
      clientAuth: "basic",
    });
    expect(flagged.clientSecret.reveal()).toBe("flag-secret");
  });

  it("reads the secret from a file, trimmed", () => {
    const dir = mkdtempSync(join(tmpdir(), "dialrules-config-"));
    const file = join(dir, "secret");
    writeFileSync(file, "  file-secret\n");
    const config = loadPlatformConfig({ CXONE_CLIENT_ID: "c", CXONE_CLIENT_SECRET_FILE: file });
    expect(config.clientSecret.reveal()).toBe("file-secret");
    const missing = inputError(() =>
      loadPlatformConfig({ CXONE_CLIENT_ID: "c", CXONE_CLIENT_SECRET_FILE: join(dir, "nope") }),
    );
    expect(missing.path).toBe("CXONE_CLIENT_SECRET_FILE");
    writeFileSync(file, "\n");
    expect(
      inputError(() => loadPlatformConfig({ CXONE_CLIENT_ID: "c", CXONE_CLIENT_SECRET_FILE: file })).message,
    ).toContain("empty");
  });

  it.each([
    [{ CXONE_CLIENT_SECRET: "s" }, "CXONE_CLIENT_ID"],
    [{ CXONE_CLIENT_ID: "c" }, "CXONE_CLIENT_SECRET"],
    [{ ...base, CXONE_RATE_LIMIT: "lots" }, "CXONE_RATE_LIMIT"],
    [{ ...base, CXONE_RATE_LIMIT: "0/min" }, "CXONE_RATE_LIMIT"],
    [{ ...base, CXONE_RATE_LIMIT: "5/fortnight" }, "CXONE_RATE_LIMIT"],
    [{ ...base, CXONE_CLIENT_AUTH: "jwt" }, "CXONE_CLIENT_AUTH"],
    [{ ...base, CXONE_API_BASE_URL: "not a url" }, "CXONE_API_BASE_URL"],
    [{ ...base, CXONE_TOKEN_URL: "ftp://x/token" }, "CXONE_TOKEN_URL"],
    [{ ...base, CXONE_TOKEN_URL: "http://auth.example.com/token" }, "CXONE_TOKEN_URL"],
    [{ ...base, CXONE_API_BASE_URL: "https://user:pw@x.example.com/api" }, "CXONE_API_BASE_URL"],
  ])("refuses %o naming %s", (env, variable) => {
    const error = inputError(() => loadPlatformConfig(env));
    expect(error.path).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain("top-secret");
  });

  it("allows plain http elsewhere only when told to", () => {
    const env = {
      ...base,
      CXONE_TOKEN_URL: "http://sim:8080/oauth/token",
      CXONE_ALLOW_INSECURE_HTTP: "true",
    };
    expect(loadPlatformConfig(env).tokenUrl).toBe("http://sim:8080/oauth/token");
  });

  it("never prints the secret", () => {
    const config = loadPlatformConfig(base);
    for (const text of [
      JSON.stringify(config),
      inspect(config, { depth: 5 }),
      `${config.clientSecret}`,
      String(config.clientSecret),
    ]) {
      expect(text).not.toContain("top-secret");
    }
    expect(JSON.stringify(config)).toContain("<redacted>");
  });
});

describe("parseRateLimit", () => {
  it.each([
    ["100/min", 100],
    ["100/m", 100],
    ["100", 100],
    ["2/s", 120],
    ["6000/h", 100],
    ["1.5/min", 1.5],
  ])("%s is %d per minute", (text, perMinute) => {
    expect(parseRateLimit("X", text)).toBe(perMinute);
  });
});

describe("Secret", () => {
  it("redacts itself everywhere but reveal()", () => {
    const secret = new Secret("hunter2");
    expect(`${secret}`).toBe("<redacted>");
    expect(JSON.stringify({ secret })).toBe('{"secret":"<redacted>"}');
    expect(inspect({ secret })).not.toContain("hunter2");
    expect(Object.keys(secret)).toEqual([]);
    expect(secret.reveal()).toBe("hunter2");
  });
});

describe("v2Environment: the v2 driver's own names, the old CXONE_* ones deprecated", () => {
  it("reads DIALRULES_V2_* when any is set, and then never the CXONE_* ones (those are the cxone driver's)", () => {
    const r = v2Environment({ DIALRULES_V2_CLIENT_ID: "new", CXONE_CLIENT_SECRET: "cxone-secret" });
    expect(r.deprecated).toEqual([]);
    expect(r.env.DIALRULES_V2_CLIENT_SECRET).toBeUndefined();
    expect(v2Configured({ DIALRULES_V2_CLIENT_ID: "new" })).toBe(true);
  });

  it("falls back to the CXONE_* names, listing them, and the note names variables, never values", () => {
    const r = v2Environment({
      CXONE_CLIENT_ID: "old",
      CXONE_CLIENT_SECRET: "s3cret-value",
      CXONE_SCOPES: " ",
    });
    expect(r.deprecated).toEqual(["CXONE_CLIENT_ID", "CXONE_CLIENT_SECRET"]);
    expect(r.env.DIALRULES_V2_CLIENT_ID).toBe("old");
    const config = loadPlatformConfig(r.env, {}, "DIALRULES_V2_");
    expect(config.clientId).toBe("old");
    expect(config.clientSecret.reveal()).toBe("s3cret-value");
    const note = v2DeprecationNote(r.deprecated);
    expect(note).toContain("CXONE_CLIENT_SECRET → DIALRULES_V2_CLIENT_SECRET");
    expect(note).not.toContain("s3cret-value");
    expect(note?.split("\n")).toHaveLength(1);
    expect(v2DeprecationNote([])).toBeUndefined();
    expect(v2Configured({})).toBe(false);
  });

  it("problems name the new variables", () => {
    expect(() => loadPlatformConfig({}, {}, "DIALRULES_V2_")).toThrow(/DIALRULES_V2_CLIENT_ID must be set/);
    expect(() =>
      loadPlatformConfig(
        {
          DIALRULES_V2_CLIENT_ID: "c",
          DIALRULES_V2_CLIENT_SECRET: "s",
          DIALRULES_V2_API_BASE_URL: "http://example.com",
        },
        {},
        "DIALRULES_V2_",
      ),
    ).toThrow(/DIALRULES_V2_ALLOW_INSECURE_HTTP=true/);
  });
});
