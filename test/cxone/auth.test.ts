import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { Secret } from "../../src/http/secret.js";
import { AuthError, type PlatformError } from "../../src/platform/errors.js";
import { cxoneSim, driver, pcSkills, requestsTo } from "./helpers.js";

describe("cxone driver: discovery and tokens", () => {
  it("discovers the token endpoint and the API host once, then uses the password grant with Basic client auth", async () => {
    const s = await cxoneSim();
    const platform = driver(s);
    const ids = pcSkills(s).map((k) => String(k.skillId));
    await Promise.all(ids.map((id) => platform.getCampaign(id)));

    expect(requestsTo(s, "GET", "/.well-known/openid-configuration")).toHaveLength(1);
    const apiDiscovery = requestsTo(s, "GET", "/.well-known/cxone-configuration");
    expect(apiDiscovery).toHaveLength(1);
    expect(apiDiscovery[0]?.query).toEqual({ tenantId: s.tenantId });

    const tokenRequests = requestsTo(s, "POST", "/auth/token");
    expect(tokenRequests).toHaveLength(1);
    const [token] = tokenRequests;
    expect(token?.headers.authorization).toBe("<redacted>"); // present, and the log never shows it
    expect(token?.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(token?.body).toEqual({ grant_type: "password", username: "demo-key", password: "<redacted>" });
    expect(s.tokensIssued("demo-key")).toBe(1);
    // Every API call went to the discovered endpoint with the configured version.
    const api = s.log.filter((e) => e.path.startsWith("/inContactAPI/"));
    expect(api.length).toBe(ids.length * 2);
    expect(api.every((e) => e.path.startsWith("/inContactAPI/services/v30.0/skills/"))).toBe(true);
  });

  it("a configured API endpoint and token URL skip discovery; versions are per endpoint", async () => {
    const s = await cxoneSim();
    const platform = driver(
      s,
      {},
      {
        apiEndpoint: s.apiEndpoint,
        tokenUrl: s.tokenUrl,
        apiVersions: { skills: "v27.0", generalSettings: "v31.0" },
      },
    );
    const id = String(pcSkills(s)[0]?.skillId);
    await platform.getCampaign(id);
    expect(requestsTo(s, "GET", "/.well-known/")).toHaveLength(0);
    expect(requestsTo(s, "GET", `/v27.0/skills/${id}`)).toHaveLength(1);
    expect(requestsTo(s, "GET", `/v31.0/skills/${id}/parameters`)).toHaveLength(1);
  });

  it("an unsupported API version is a NotFoundError that says so", async () => {
    const s = await cxoneSim();
    const platform = driver(s, {}, { apiVersions: { skills: "v5.0", generalSettings: "v30.0" } });
    const err = (await platform
      .getCampaign(String(pcSkills(s)[0]?.skillId))
      .catch((e: unknown) => e)) as PlatformError;
    expect(err.code).toBe("PLATFORM_NOT_FOUND");
    expect(err.message).toContain("API version v5.0 is not available");
  });

  it("refreshes before expiry on its own, and exactly once on a 401", async () => {
    const clock = new InstantClock();
    const s = await cxoneSim({ clock, tokenTtlSec: 3600 });
    const refreshes: string[] = [];
    const platform = driver(s, { clock, observer: { tokenRefresh: (r) => refreshes.push(r) } });
    const id = String(pcSkills(s)[0]?.skillId);
    await platform.getCampaign(id);
    clock.advance(55 * 60_000); // past the 10 % skew of an hour: refreshed proactively
    await platform.getCampaign(id);
    s.revokeTokens(); // the server forgets every token: the next call meets a 401
    const campaign = await platform.getCampaign(id);
    expect(campaign.id).toBe(id);
    expect(refreshes).toEqual(["initial", "expiry", "unauthorized"]);
    expect(s.tokensIssued("demo-key")).toBe(3);
    expect(s.log.filter((e) => e.status === 401)).toHaveLength(1);
  });

  it("a wrong access key secret is an AuthError that names the variables and never the secret", async () => {
    const s = await cxoneSim();
    const platform = driver(s, {}, { accessKeySecret: new Secret("wrong-secret-value") });
    const err = (await platform.listCampaigns().catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain("invalid_grant");
    expect(err.message).toContain("CXONE_ACCESS_KEY_ID");
    expect(`${err.message} ${inspect(err)}`).not.toContain("wrong-secret-value");
    expect(JSON.stringify(s.log)).not.toContain("wrong-secret-value");
  });

  it("a wrong client secret is an AuthError (invalid_client)", async () => {
    const s = await cxoneSim();
    const platform = driver(s, {}, { clientSecret: new Secret("nope") });
    const err = (await platform.listCampaigns().catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain("(401)");
    expect(err.message).toContain("CXONE_CLIENT_SECRET");
  });
});
