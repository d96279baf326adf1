import { describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { expectContract, requiredHeaders } from "./contract.js";
import { CAMPAIGN_PATH, getCampaign, requestToken, simulators, TOKEN_PATH, token } from "./helpers.js";

const sim = simulators({ campaigns: 3 });

describe("per-client token bucket", () => {
  it("states the budget in IETF RateLimit fields on every reply that spends it, 429 included", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, rateLimitPerMinute: 5 });
    const bearer = await token(s);
    const ok = await getCampaign(s, bearer, "CMP-10001");
    expect(ok.headers.get("ratelimit-policy")).toBe('"default";q=5;w=60');
    expect(ok.headers.get("ratelimit")).toBe('"default";r=3;t=0');
    for (let i = 0; i < 3; i++) await getCampaign(s, bearer, "CMP-10001");
    const limited = await getCampaign(s, bearer, "CMP-10001");
    expect(limited.status).toBe(429);
    // Nothing left; one more request is accepted in 12 s (5/min).
    expect(limited.headers.get("ratelimit")).toBe('"default";r=0;t=12');
  });

  it("answers 429 with Retry-After once the budget is spent, and passes again after that wait", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, rateLimitPerMinute: 5 });
    const bearer = await token(s); // the token request spends 1 of 5
    for (let i = 0; i < 4; i++) expect((await getCampaign(s, bearer, "CMP-10001")).status).toBe(200);

    const limited = await getCampaign(s, bearer, "CMP-10001");
    expect(limited.status).toBe(429);
    expectContract(CAMPAIGN_PATH, "get", 429, limited.body);
    expect(requiredHeaders(CAMPAIGN_PATH, "get", 429)).toEqual(["retry-after"]);
    // 5/min refills one request every 12 s
    expect(limited.headers.get("retry-after")).toBe("12");
    expect(s.log.at(-1)).toMatchObject({ status: 429, fault: "rate-limited", clientId: "demo" });

    clock.advance(11_999);
    const almost = await getCampaign(s, bearer, "CMP-10001");
    expect(almost.status).toBe(429);
    expect(almost.headers.get("retry-after")).toBe("1");
    clock.advance(1);
    expect((await getCampaign(s, bearer, "CMP-10001")).status).toBe(200);
    expect((await getCampaign(s, bearer, "CMP-10001")).status).toBe(429);
  });

  it("rounds Retry-After up to whole seconds, so waiting that long always suffices", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, rateLimitPerMinute: 7 });
    for (let i = 0; i < 7; i++) expect((await requestToken(s)).status).toBe(200);
    const limited = await requestToken(s);
    // one request per 60/7 s = 8.57 s
    expect(limited.headers.get("retry-after")).toBe("9");
    clock.advance(8_000);
    expect((await requestToken(s)).status).toBe(429);
    clock.advance(1_000);
    expect((await requestToken(s)).status).toBe(200);
  });

  it("counts token requests and refills continuously up to the full minute's budget", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, rateLimitPerMinute: 2 });
    expect((await requestToken(s)).status).toBe(200);
    expect((await requestToken(s)).status).toBe(200);
    const limited = await requestToken(s);
    expect(limited.status).toBe(429);
    expectContract(TOKEN_PATH, "post", 429, limited.body);
    expect(limited.headers.get("retry-after")).toBe("30");
    clock.advance(10 * 60_000); // a long pause refills to capacity, not beyond
    expect((await requestToken(s)).status).toBe(200);
    expect((await requestToken(s)).status).toBe(200);
    expect((await requestToken(s)).status).toBe(429);
  });

  it("keeps one bucket per client id", async () => {
    const clock = new InstantClock();
    const s = await sim({
      clock,
      rateLimitPerMinute: 1,
      clients: [
        { id: "a", secret: "sa" },
        { id: "b", secret: "sb" },
      ],
    });
    expect((await requestToken(s, { id: "a", secret: "sa" })).status).toBe(200);
    expect((await requestToken(s, { id: "a", secret: "sa" })).status).toBe(429);
    expect((await requestToken(s, { id: "b", secret: "sb" })).status).toBe(200);
  });

  it("lets a burst of a minute's budget through and limits the rest", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, rateLimitPerMinute: 100 });
    const bearer = await token(s);
    const replies = await Promise.all(Array.from({ length: 150 }, () => getCampaign(s, bearer, "CMP-10002")));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(99);
    expect(statuses.filter((st) => st === 429)).toHaveLength(51);
  });
});
