/** The cxone simulator's own contract, spoken to with plain fetch (no driver in between). */
import { describe, expect, it } from "vitest";
import { cxoneSim, pcSkills } from "./helpers.js";

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

async function token(url: string, auth?: string) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth) headers.authorization = auth;
  return fetch(`${url}/auth/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams({ grant_type: "password", username: "demo-key", password: "demo-key-secret" }),
  });
}

describe("cxone simulator", () => {
  it("serves both discovery documents and refuses an unknown tenant", async () => {
    const s = await cxoneSim();
    const oidc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(oidc.token_endpoint).toBe(`${s.url}/auth/token`);
    const cfg = await fetch(`${s.url}/.well-known/cxone-configuration?tenantId=${s.tenantId}`);
    expect(((await cfg.json()) as Record<string, unknown>).api_endpoint).toBe(s.url);
    const unknown = await fetch(`${s.url}/.well-known/cxone-configuration?tenantId=nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "NotFound", errorDescription: "no tenant nope" });
  });

  it("the password grant needs the client's Basic authentication", async () => {
    const s = await cxoneSim();
    expect((await token(s.url)).status).toBe(401);
    expect((await token(s.url, basic("demo", "wrong"))).status).toBe(401);
    const ok = await token(s.url, basic("demo", "demo-secret"));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
  });

  it("validates PUT bodies strictly and answers {error, errorDescription}; 429 comes without Retry-After", async () => {
    const s = await cxoneSim({ rateLimitPerMinute: 3 });
    const { access_token } = (await (await token(s.url, basic("demo", "demo-secret"))).json()) as {
      access_token: string;
    };
    const id = pcSkills(s)[0]?.skillId;
    const put = (body: unknown) =>
      fetch(`${s.url}/inContactAPI/services/v30.0/skills/${id}/parameters/general-settings`, {
        method: "PUT",
        headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const bad = await put({ generalSettings: { maxConcurrentCallsPerAgent: 1.5, colour: "red" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "InvalidParameter",
      errorDescription:
        "generalSettings.maxConcurrentCallsPerAgent: must be an integer from 1 to 10, got 1.5; generalSettings.colour: unknown field",
    });
    expect((await put({ generalSettings: { maxConcurrentCallsPerAgent: 2 } })).status).toBe(200);
    await put({ generalSettings: { maxConcurrentCallsPerAgent: 2 } }); // the third of a 3/min budget
    const limited = await put({ generalSettings: { maxConcurrentCallsPerAgent: 2 } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeNull();
    expect(await limited.json()).toMatchObject({ error: "TooManyRequests" });
  });
});
