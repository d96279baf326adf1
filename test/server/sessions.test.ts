/**
 * Issue 13 §3: dashboard sessions that end. The cookie is an opaque id (not the API token), stored hashed,
 * with idle and absolute expiry, revoked on sign-out and with its token, a CSRF token per session, Secure and
 * __Host- over HTTPS (behind --trust-proxy), and no open redirect. Real service on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ABSOLUTE_MS, createSessionStore, IDLE_MS } from "../../src/server/sessions/session-store.js";
import { createTokenStore } from "../../src/server/tokens/token-store.js";
import { KINDS } from "../store/databases.js";
import { startTestService, type TestService } from "./harness.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe.each(KINDS)("dashboard sessions on %s", (kind) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(kind, { campaigns: 3, trustProxy: true });
  });
  afterAll(() => t?.close());

  async function login(token: string, headers: Record<string, string> = {}) {
    const res = await t.app.inject({
      method: "POST",
      url: "/login",
      headers: { ...FORM, ...headers },
      payload: new URLSearchParams({ token, next: "/" }).toString(),
    });
    expect(res.statusCode).toBe(303);
    const setCookie = String(res.headers["set-cookie"]);
    return { setCookie, cookie: setCookie.split(";")[0] ?? "" };
  }
  const page = (url: string, cookie: string) => t.app.inject({ method: "GET", url, headers: { cookie } });
  const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? "";

  it("keeps an opaque random id in the cookie, never the API token, and stores only its hash", async () => {
    const { cookie } = await login(t.tokens.viewer);
    const id = decodeURIComponent(cookie.split("=")[1] ?? "");
    expect(id).toMatch(/^drs_[A-Za-z0-9_-]{43}$/);
    expect(cookie).not.toContain(t.tokens.viewer);
    expect(await t.db.dump()).not.toContain(id);
    // The session id is not a bearer token for the API.
    const api = await t.app.inject({
      method: "GET",
      url: "/api/v1/info",
      headers: { authorization: `Bearer ${id}` },
    });
    expect(api.statusCode).toBe(401);
  });

  it("signs out for real: the old cookie stops working", async () => {
    const { cookie } = await login(t.tokens.operator);
    const home = await page("/", cookie);
    expect(home.statusCode).toBe(200);
    const out = await t.app.inject({
      method: "POST",
      url: "/logout",
      headers: { ...FORM, cookie },
      payload: new URLSearchParams({ _csrf: csrfOf(home.body) }).toString(),
    });
    expect(out.statusCode).toBe(303);
    const after = await page("/", cookie);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });

  it("ends every session of a revoked token", async () => {
    const tokens = createTokenStore(t.sdb);
    const { token, info } = await tokens.create("temp-approver", "approver");
    const { cookie } = await login(token);
    expect((await page("/", cookie)).statusCode).toBe(200);
    expect(await tokens.revoke(info.id)).toBe(true);
    expect((await page("/", cookie)).statusCode).toBe(303);
  });

  it("gives each session its own CSRF token", async () => {
    const a = await login(t.tokens.approver);
    const b = await login(t.tokens.approver);
    const csrfA = csrfOf((await page("/", a.cookie)).body);
    const csrfB = csrfOf((await page("/", b.cookie)).body);
    expect(csrfA).not.toBe("");
    expect(csrfA).not.toBe(csrfB);
    // A's token in B's session is refused.
    const res = await t.app.inject({
      method: "POST",
      url: "/logout",
      headers: { ...FORM, cookie: b.cookie },
      payload: new URLSearchParams({ _csrf: csrfA }).toString(),
    });
    expect(res.statusCode).toBe(403);
  });

  it("expires sessions after idle time and after the absolute limit (injected clock)", async () => {
    let now = 1_000_000;
    const sessions = createSessionStore(t.sdb, () => now);
    const principal = await createTokenStore(t.sdb).authenticate(t.tokens.viewer);
    if (!principal) throw new Error("viewer token unknown");
    const idle = await sessions.open(principal);
    now += IDLE_MS - 1;
    expect(await sessions.resume(idle.id)).toBeDefined();
    now += IDLE_MS + 1;
    expect(await sessions.resume(idle.id)).toBeUndefined();

    const busy = await sessions.open(principal);
    const start = now;
    while (now - start < ABSOLUTE_MS - IDLE_MS) {
      now += IDLE_MS / 2;
      expect(await sessions.resume(busy.id)).toBeDefined();
    }
    now = start + ABSOLUTE_MS + 1;
    expect(await sessions.resume(busy.id)).toBeUndefined();
  });

  it("sets Secure and the __Host- prefix over HTTPS (X-Forwarded-Proto with --trust-proxy), not over plain HTTP", async () => {
    const https = await login(t.tokens.viewer, { "x-forwarded-proto": "https" });
    expect(https.setCookie).toMatch(/^__Host-dialrules_session=drs_/);
    expect(https.setCookie).toContain("Secure");
    expect(https.setCookie).toContain("Path=/");
    expect(https.setCookie).not.toMatch(/Domain=/i);
    expect((await page("/", https.cookie)).statusCode).toBe(200);
    const plain = await login(t.tokens.viewer);
    expect(plain.setCookie).toMatch(/^dialrules_session=/);
    expect(plain.setCookie).not.toContain("Secure");
  });

  it("redirects only to same-origin paths without control characters", async () => {
    const { cookie } = await login(t.tokens.viewer);
    for (const next of ["/%09/evil.example", "/%0a/evil.example", "//evil.example", "/\\evil.example"]) {
      const res = await t.app.inject({ method: "GET", url: `/login?next=${next}`, headers: { cookie } });
      expect(res.statusCode, next).toBe(303);
      expect(res.headers.location, next).toBe("/");
    }
    const ok = await t.app.inject({ method: "GET", url: "/login?next=/audit", headers: { cookie } });
    expect(ok.headers.location).toBe("/audit");
  });
});
