/** CXONE_AUTH=access-key: `POST /authentication/v1/token/access-key` with {accessKeyId, accessKeySecret}. */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { Secret } from "../../src/http/secret.js";
import { loadCxoneConfig } from "../../src/platform/cxone/config.js";
import { AuthError } from "../../src/platform/errors.js";
import { cxoneSim, driver, pcSkills, requestsTo } from "./helpers.js";

const accessKey = { auth: "access-key" as const, clientId: "", clientSecret: new Secret("") };

describe("access-key authentication", () => {
  it("gets a token with the access key alone (JSON body, no application) and reads skills with it", async () => {
    const clock = new InstantClock();
    const s = await cxoneSim({ clock });
    const refreshes: string[] = [];
    const platform = driver(s, { clock, observer: { tokenRefresh: (r) => refreshes.push(r) } }, accessKey);
    const id = String(pcSkills(s)[0]?.skillId);
    expect((await platform.getCampaign(id)).id).toBe(id);
    const logins = requestsTo(s, "POST", "/authentication/v1/token/access-key");
    expect(logins).toHaveLength(1);
    expect(logins[0]?.body).toEqual({ accessKeyId: "demo-key", accessKeySecret: "<redacted>" });
    expect(requestsTo(s, "POST", "/auth/token")).toHaveLength(0);
    expect(requestsTo(s, "GET", "/.well-known/openid-configuration")).toHaveLength(0);
    // Same cache and refresh rules as the password grant: one refresh on a 401.
    s.revokeTokens();
    await platform.getCampaign(id);
    expect(refreshes).toEqual(["initial", "unauthorized"]);
  });

  it("a wrong secret is an AuthError naming the variables, never the secret", async () => {
    const s = await cxoneSim();
    const platform = driver(s, {}, { ...accessKey, accessKeySecret: new Secret("very-wrong-secret") });
    const err = (await platform.listCampaigns().catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain("invalid_grant");
    expect(err.message).toContain("CXONE_ACCESS_KEY_ID");
    expect(err.message).not.toContain("CXONE_CLIENT_ID");
    expect(`${err.message} ${inspect(err)} ${JSON.stringify(s.log)}`).not.toContain("very-wrong-secret");
  });

  it("CXONE_AUTH=access-key needs no registered application; anything else is refused", () => {
    const env = {
      CXONE_AUTH: "access-key",
      CXONE_TENANT_ID: "t1",
      CXONE_ACCESS_KEY_ID: "k",
      CXONE_ACCESS_KEY_SECRET: "s3cret",
    };
    const config = loadCxoneConfig(env);
    expect(config.auth).toBe("access-key");
    expect(config.clientId).toBe("");
    expect(() => loadCxoneConfig({ ...env, CXONE_AUTH: "token" })).toThrow(/CXONE_AUTH/);
    expect(() => loadCxoneConfig({ ...env, CXONE_AUTH: undefined })).toThrow(/CXONE_CLIENT_ID/);
  });
});
