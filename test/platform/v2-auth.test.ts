import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { type Clock, InstantClock } from "../../src/clock/clock.js";
import { noRateLimit, RateLimiter } from "../../src/http/rate-limiter.js";
import { Secret } from "../../src/http/secret.js";
import { AuthError, type PlatformError } from "../../src/platform/errors.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle, SimOptions } from "../../src/sim/types.js";
import { configFor, fixedRandom, requestsTo } from "./helpers.js";

const sims: SimHandle[] = [];
async function sim(opts: SimOptions = {}): Promise<SimHandle> {
  const handle = await startSimulator({ campaigns: 5, ...opts });
  sims.push(handle);
  return handle;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

describe("v2 driver: tokens", () => {
  it("200 concurrent getCampaign calls on a cold cache cause exactly one token request", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const refreshes: string[] = [];
    const platform = createV2Platform(configFor(s), {
      clock,
      limiter: noRateLimit,
      observer: { tokenRefresh: (reason) => refreshes.push(reason) },
    });
    const ids = s.listCampaigns().map((c) => c.id);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => platform.getCampaign(ids[i % ids.length] ?? "")),
    );
    expect(results).toHaveLength(200);
    expect(results[0]).toEqual(s.getCampaign(ids[0] ?? ""));
    expect(s.tokensIssued("demo")).toBe(1);
    expect(requestsTo(s, "POST", "/oauth/token")).toHaveLength(1);
    expect(refreshes).toEqual(["initial"]);
  });

  it("reuses the token until shortly before expiry, then fetches a new one", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, tokenTtlSec: 3600 });
    const refreshes: string[] = [];
    const platform = createV2Platform(configFor(s), {
      clock,
      limiter: noRateLimit,
      observer: { tokenRefresh: (reason) => refreshes.push(reason) },
    });
    const id = s.listCampaigns()[0]?.id ?? "";
    await platform.getCampaign(id);
    clock.advance(50 * 60_000);
    await platform.getCampaign(id);
    expect(s.tokensIssued()).toBe(1);
    // Past the skew (10% of an hour) but not yet expired at the server: refreshed proactively, no 401.
    clock.advance(5 * 60_000);
    await platform.getCampaign(id);
    expect(s.tokensIssued()).toBe(2);
    expect(refreshes).toEqual(["initial", "expiry"]);
    expect(s.log.filter((e) => e.status === 401)).toHaveLength(0);
  });

  it("a token that expired at the server (advanced past ttl) is refreshed once and the call retried", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, tokenTtlSec: 600 });
    const refreshes: string[] = [];
    const platform = createV2Platform(configFor(s), {
      clock,
      limiter: noRateLimit,
      observer: { tokenRefresh: (reason) => refreshes.push(reason) },
    });
    const id = s.listCampaigns()[0]?.id ?? "";
    await platform.getCampaign(id);
    clock.advance(601_000);
    expect((await platform.getCampaign(id)).id).toBe(id);
    expect(s.tokensIssued()).toBe(2);
    expect(refreshes).toEqual(["initial", "expiry"]);
  });

  it("a 401 mid-flight (tokens revoked) causes one refresh and a successful retry", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock });
    const refreshes: string[] = [];
    const platform = createV2Platform(configFor(s), {
      clock,
      limiter: noRateLimit,
      observer: { tokenRefresh: (reason) => refreshes.push(reason) },
    });
    const id = s.listCampaigns()[0]?.id ?? "";
    await platform.getCampaign(id);
    s.revokeTokens();
    // Many callers hit the 401 at once: still one refresh.
    const again = await Promise.all(Array.from({ length: 20 }, () => platform.getCampaign(id)));
    expect(again.every((c) => c.id === id)).toBe(true);
    expect(s.tokensIssued()).toBe(2);
    expect(refreshes).toEqual(["initial", "unauthorized"]);
    const gets = requestsTo(s, "GET", "/api/v2/outbound/campaigns/");
    expect(gets.filter((e) => e.status === 401)).toHaveLength(20);
    expect(gets.filter((e) => e.status === 200)).toHaveLength(21);
  });

  it("a second 401 after the refresh surfaces AuthError", async () => {
    // Every reading of this clock moves it 5 s on, so each 1-second token is dead on arrival.
    let t = Date.UTC(2026, 0, 1);
    const racing: Clock = { now: () => (t += 5000), sleep: async () => {} };
    const s = await sim({ clock: racing, tokenTtlSec: 1 });
    const platform = createV2Platform(configFor(s), { clock: new InstantClock(), limiter: noRateLimit });
    const error = await platform.getCampaign(s.listCampaigns()[0]?.id ?? "").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).status).toBe(401);
    expect(s.tokensIssued()).toBe(2);
    expect(requestsTo(s, "GET", "/api/v2/").map((e) => e.status)).toEqual([401, 401]);
  });

  it.each(["basic", "body"] as const)(
    "a secret with &, =, +, %, : and spaces authenticates (%s client auth)",
    async (clientAuth) => {
      const secret = "p&ss=w+rd%20:x y%";
      const s = await sim({ clients: [{ id: "id with:colon&amp", secret }] });
      const platform = createV2Platform(
        configFor(s, { clientId: "id with:colon&amp", clientSecret: new Secret(secret), clientAuth }),
        { clock: new InstantClock(), limiter: noRateLimit },
      );
      await platform.getCampaign(s.listCampaigns()[0]?.id ?? "");
      expect(s.tokensIssued("id with:colon&amp")).toBe(1);
      const tokenRequest = requestsTo(s, "POST", "/oauth/token")[0];
      expect(tokenRequest?.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
      expect(tokenRequest?.body).toMatchObject({ grant_type: "client_credentials" });
      if (clientAuth === "basic") expect(tokenRequest?.headers.authorization).toBe("<redacted>");
      else expect(tokenRequest?.body).toMatchObject({ client_id: "id with:colon&amp" });
    },
  );

  it("bad credentials give AuthError without the secret anywhere in it", async () => {
    const s = await sim();
    const secret = "wrong-s3cret&value";
    const platform = createV2Platform(configFor(s, { clientSecret: new Secret(secret) }), {
      clock: new InstantClock(),
      limiter: noRateLimit,
    });
    const error = await platform.getCampaign("anything").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    const auth = error as AuthError;
    expect(auth.status).toBe(401);
    expect(auth.message).toContain("demo");
    const renderings = [
      auth.message,
      auth.stack ?? "",
      JSON.stringify(auth),
      JSON.stringify(Object.entries(auth)),
      inspect(auth, { depth: 10, showHidden: true }),
      String(auth.cause),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
      expect(text).not.toContain(Buffer.from(`demo:${encodeURIComponent(secret)}`).toString("base64"));
    }
    expect(auth.cause).toBeUndefined();
    // Rejected credentials are not retried.
    expect(requestsTo(s, "POST", "/oauth/token")).toHaveLength(1);
  });

  it("a missing scope is AuthError 403", async () => {
    const s = await sim({ clients: [{ id: "reader", secret: "r", scopes: ["outbound:campaign:read"] }] });
    const platform = createV2Platform(
      configFor(s, { clientId: "reader", clientSecret: new Secret("r"), scopes: ["outbound:campaign:read"] }),
      { clock: new InstantClock(), limiter: noRateLimit },
    );
    const c = s.listCampaigns()[0];
    if (!c) throw new Error("no campaign");
    const error = await platform
      .updateRules(c.id, c.revision, { maxCallsPerAgent: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as PlatformError).status).toBe(403);
  });

  it("token requests spend the same client budget as API requests", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock });
    const limiter = new RateLimiter({ perMinute: 60, burst: 1, rateFraction: 1, clock });
    const platform = createV2Platform(configFor(s), { clock, limiter, random: fixedRandom(0) });
    const start = clock.now();
    await platform.getCampaign(s.listCampaigns()[0]?.id ?? "");
    // Token request first, then the GET one interval later.
    expect(clock.now() - start).toBe(1000);
  });
});
