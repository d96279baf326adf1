import { describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { expectContract } from "./contract.js";
import { basicAuth, getCampaign, requestToken, simulators, TOKEN_PATH, token } from "./helpers.js";

const sim = simulators({ campaigns: 5 });

const AWKWARD_SECRET = "p&s=w+r%d :x/é";

describe("token endpoint", () => {
  it("issues a bearer token to a client authenticated with HTTP Basic", async () => {
    const s = await sim();
    const reply = await requestToken(s);
    expect(reply.status).toBe(200);
    expectContract(TOKEN_PATH, "post", 200, reply.body);
    expect(reply.body).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
    expect(reply.body.scope?.split(" ").sort()).toEqual([
      "outbound:campaign:read",
      "outbound:campaign:write",
      "outbound:rules:write",
    ]);
    expect(reply.headers.get("x-request-id")).toBeTruthy();
    expect(s.tokensIssued("demo")).toBe(1);
  });

  it("accepts client_id/client_secret in the body", async () => {
    const s = await sim();
    const reply = await requestToken(s, { via: "body" });
    expect(reply.status).toBe(200);
    expect(s.log[0]?.body).toMatchObject({ client_id: "demo", client_secret: "<redacted>" });
  });

  it.each(["basic", "body"] as const)(
    "form-decodes a secret with &, =, +, %% and spaces (%s)",
    async (via) => {
      const s = await sim({ clients: [{ id: "odd:id", secret: AWKWARD_SECRET }] });
      expect((await requestToken(s, { id: "odd:id", secret: AWKWARD_SECRET, via })).status).toBe(200);
      expect((await requestToken(s, { id: "odd:id", secret: `${AWKWARD_SECRET}x`, via })).status).toBe(401);
    },
  );

  it("rejects bad credentials with 401 invalid_client and never logs the secret", async () => {
    const s = await sim();
    for (const reply of [
      await requestToken(s, { secret: "wrong" }),
      await requestToken(s, { id: "nobody" }),
      await requestToken(s, { via: "body", secret: "wrong" }),
    ]) {
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe("invalid_client");
      expectContract(TOKEN_PATH, "post", 401, reply.body);
    }
    const noAuth = await fetch(s.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(noAuth.status).toBe(401);
    expect(s.tokensIssued()).toBe(0);
    expect(JSON.stringify(s.log)).not.toContain("demo-secret");
    expect(
      s.log.every((e) => e.headers.authorization === undefined || e.headers.authorization === "<redacted>"),
    ).toBe(true);
  });

  it("answers 400 unsupported_grant_type and invalid_scope", async () => {
    const s = await sim({ clients: [{ id: "reader", secret: "r", scopes: ["outbound:campaign:read"] }] });
    const grant = await requestToken(s, { id: "reader", secret: "r", grantType: "password" });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe("unsupported_grant_type");
    const unknown = await requestToken(s, {
      id: "reader",
      secret: "r",
      scope: "outbound:campaign:read admin",
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe("invalid_scope");
    const notAllowed = await requestToken(s, { id: "reader", secret: "r", scope: "outbound:rules:write" });
    expect(notAllowed.body.error).toBe("invalid_scope");
    expectContract(TOKEN_PATH, "post", 400, notAllowed.body);
    const narrowed = await requestToken(s, { id: "reader", secret: "r", scope: "outbound:campaign:read" });
    expect(narrowed.body.scope).toBe("outbound:campaign:read");
  });

  it("rejects a Basic header together with a client_secret in the body", async () => {
    const s = await sim();
    const res = await fetch(s.tokenUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: basicAuth("demo", "demo-secret"),
      },
      body: "grant_type=client_credentials&client_secret=demo-secret",
    });
    expect(res.status).toBe(400);
  });

  it("expires tokens by the injected clock", async () => {
    const clock = new InstantClock();
    const s = await sim({ clock, tokenTtlSec: 60 });
    const bearer = await token(s);
    clock.advance(59_999);
    expect((await getCampaign(s, bearer, "CMP-10001")).status).toBe(200);
    clock.advance(1);
    const expired = await getCampaign(s, bearer, "CMP-10001");
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const fresh = await token(s);
    expect((await getCampaign(s, fresh, "CMP-10001")).status).toBe(200);
    expect(s.tokensIssued("demo")).toBe(2);
  });

  it("revokeTokens invalidates every token issued so far", async () => {
    const s = await sim();
    const bearer = await token(s);
    s.revokeTokens();
    expect((await getCampaign(s, bearer, "CMP-10001")).status).toBe(401);
    expect((await getCampaign(s, await token(s), "CMP-10001")).status).toBe(200);
  });

  it("counts tokens per client", async () => {
    const s = await sim({
      clients: [
        { id: "a", secret: "sa" },
        { id: "b", secret: "sb" },
      ],
    });
    await token(s, { id: "a", secret: "sa" });
    await token(s, { id: "a", secret: "sa" });
    await token(s, { id: "b", secret: "sb" });
    expect([s.tokensIssued("a"), s.tokensIssued("b"), s.tokensIssued(), s.tokensIssued("c")]).toEqual([
      2, 1, 3, 0,
    ]);
  });
});
