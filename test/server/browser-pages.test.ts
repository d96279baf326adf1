import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { escapeHtml, html } from "../../src/server/dashboard/html.js";
import { csrfMatches, fromSameOrigin, readCookie, safeNext } from "../../src/server/dashboard/session.js";
import { FakeServices, TOKENS } from "./browser/fake-services.js";
import { csrfOf, dashboardApp, form, HIGH_RISK_RULES } from "./browser/helpers.js";
import { type DashboardTarget, startRealTarget } from "./browser/target.js";

const BANNER = "Running against an embedded simulator — no real campaigns are changed";

describe("dashboard session primitives", () => {
  it("reads only its own cookie and tolerates junk", () => {
    expect(readCookie("a=1; dialrules_session=drt_x%2By; b=2", "dialrules_session")).toBe("drt_x+y");
    expect(readCookie("dialrules_session=%E0%A4%A", "dialrules_session")).toBeUndefined();
    expect(readCookie(`dialrules_session=${"x".repeat(600)}`, "dialrules_session")).toBeUndefined();
    expect(readCookie(undefined, "dialrules_session")).toBeUndefined();
  });
  it("compares the CSRF token with the session's own", () => {
    expect(csrfMatches("tok-a", "tok-a")).toBe(true);
    expect(csrfMatches("tok-a", "tok-b")).toBe(false);
    expect(csrfMatches("tok-a", undefined)).toBe(false);
  });
  it("accepts only same-site posts and local redirect targets", () => {
    expect(fromSameOrigin({ host: "h:1", origin: "http://h:1", "sec-fetch-site": "same-origin" })).toBe(true);
    expect(fromSameOrigin({ host: "h:1" })).toBe(true); // curl and tests send neither header
    expect(fromSameOrigin({ host: "h:1", origin: "http://evil:1" })).toBe(false);
    expect(fromSameOrigin({ host: "h:1", origin: "null" })).toBe(false);
    expect(fromSameOrigin({ host: "h:1", "sec-fetch-site": "cross-site" })).toBe(false);
    for (const bad of [
      "//evil.example",
      "https://evil.example",
      "/\\evil",
      "evil",
      "/\t/evil.example",
      "/\n/evil",
      "/%09/x".replace("%09", "\u0009"),
    ])
      expect(safeNext(bad)).toBe("/");
    expect(safeNext("/changes/1?x=2")).toBe("/changes/1?x=2");
  });
});

describe("dashboard pages (inject)", () => {
  let services: FakeServices;
  let app: FastifyInstance;

  beforeEach(async () => {
    services = new FakeServices({ banner: BANNER });
    app = await dashboardApp(services);
  });
  afterEach(() => app.close());

  async function login(token: string): Promise<string> {
    const res = await app.inject({ method: "POST", url: "/login", ...form({ token, next: "/" }) });
    expect(res.statusCode).toBe(303);
    const cookie = String(res.headers["set-cookie"]);
    return cookie.split(";")[0]!;
  }
  const get = (url: string, cookie?: string) =>
    app.inject({ method: "GET", url, headers: cookie ? { cookie } : {} });
  async function post(url: string, cookie: string, fields: Record<string, string>, from = "/changes/new") {
    const csrf = csrfOf((await get(from, cookie)).body);
    const f = form({ _csrf: csrf, ...fields });
    return app.inject({ method: "POST", url, payload: f.payload, headers: { ...f.headers, cookie } });
  }
  async function requestChange(cookie: string, rulesText = HIGH_RISK_RULES): Promise<string> {
    const res = await post("/changes", cookie, { rulesText, reason: "more connects" });
    expect(res.statusCode).toBe(303);
    return String(res.headers.location).split("?")[0]!;
  }

  it("escapes every interpolated value", () => {
    const name = `<img src=x onerror="alert('x')">&`;
    expect(html`<td title="${name}">${name}</td>`.value).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</td>',
    );
    expect(html`<b>${html`<i>${"<x>"}</i>`}</b>`.value).toBe("<b><i>&lt;x&gt;</i></b>");
  });

  it("sends people without a session to the login form, which comes back afterwards", async () => {
    const res = await get("/campaigns");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login?next=%2Fcampaigns");
    const loginPage = await get("/login?next=%2Fcampaigns");
    expect(loginPage.body).toContain('<label for="token">API token</label>');
    expect(loginPage.body).toContain(BANNER);
    const ok = await app.inject({
      method: "POST",
      url: "/login",
      ...form({ token: TOKENS.viewer, next: "/campaigns" }),
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe("/campaigns");
    const cookie = String(ok.headers["set-cookie"]);
    expect(cookie).toMatch(/^dialrules_session=/);
    for (const attr of ["HttpOnly", "SameSite=Strict", "Path=/"]) expect(cookie).toContain(attr);
  });

  it("refuses an unknown token and an off-site redirect target", async () => {
    const bad = await app.inject({ method: "POST", url: "/login", ...form({ token: "nope", next: "/" }) });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('role="alert"');
    expect(bad.headers["set-cookie"]).toBeUndefined();
    const offsite = await app.inject({
      method: "POST",
      url: "/login",
      ...form({ token: TOKENS.viewer, next: "//evil.example/" }),
    });
    expect(offsite.headers.location).toBe("/");
  });

  it("renders a campaign name containing <script> as text, with the banner and security headers", async () => {
    const cookie = await login(TOKENS.viewer);
    const res = await get("/campaigns", cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("<script>alert");
    expect(res.body).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;");
    expect(res.body).toContain(BANNER);
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('<th scope="col">Compliance</th>');
    expect(res.body).toContain("ABANDON_RATE_OVER_LIMIT"); // CMP-3 keeps 5 %
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("refuses POSTs without the session's CSRF token or from another site, and writes nothing", async () => {
    const cookie = await login(TOKENS.operator);
    const fields = { rulesText: HIGH_RISK_RULES, reason: "r" };
    const none = form(fields);
    const noToken = await app.inject({
      method: "POST",
      url: "/changes",
      payload: none.payload,
      headers: { ...none.headers, cookie },
    });
    expect(noToken.statusCode).toBe(403);
    const wrong = form({ ...fields, _csrf: "x".repeat(43) });
    const wrongToken = await app.inject({
      method: "POST",
      url: "/changes",
      payload: wrong.payload,
      headers: { ...wrong.headers, cookie },
    });
    expect(wrongToken.statusCode).toBe(403);
    // A CSRF token of another session does not work either.
    const otherCsrf = csrfOf((await get("/changes/new", await login(TOKENS.approver))).body);
    const other = form({ ...fields, _csrf: otherCsrf });
    const otherSession = await app.inject({
      method: "POST",
      url: "/changes",
      payload: other.payload,
      headers: { ...other.headers, cookie },
    });
    expect(otherSession.statusCode).toBe(403);
    const mine = form({ ...fields, _csrf: csrfOf((await get("/changes/new", cookie)).body) });
    const crossSite = await app.inject({
      method: "POST",
      url: "/changes",
      payload: mine.payload,
      headers: { ...mine.headers, cookie, origin: "https://evil.example", host: "localhost:80" },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(services.changes.size).toBe(0);
  });

  it("shows the plan diff, risk and buttons by role; the requester cannot approve (four-eyes)", async () => {
    const operator = await login(TOKENS.operator);
    const url = await requestChange(operator);
    const asOperator = (await get(url, operator)).body;
    expect(asOperator).toContain("<strong>CMP-1</strong>");
    expect(asOperator).toContain("dialingMethod: PROGRESSIVE → PREDICTIVE");
    expect(asOperator).toContain("CMP-1: dialingMethod → PREDICTIVE");
    expect(asOperator).toContain("pending approval");
    expect(asOperator).not.toContain(">Approve</button>");
    expect(asOperator).not.toContain(">Apply</button>");
    expect(asOperator).toContain("other than olga (four-eyes)");

    const viewer = await login(TOKENS.viewer);
    const asViewer = (await get(url, viewer)).body;
    expect(asViewer).not.toContain('<button type="submit">Approve');
    expect((await get("/changes", viewer)).body).not.toContain("Request a change");

    const approver = await login(TOKENS.approver);
    const asApprover = (await get(url, approver)).body;
    expect(asApprover).toContain(">Approve</button>");
    expect(asApprover).toContain('<label for="rejection">Reason for rejecting</label>');
  });

  it("shows the service's four-eyes refusal when an approver approves their own high-risk change", async () => {
    const approver = await login(TOKENS.approver);
    const url = await requestChange(approver);
    const res = await post(`${url}/approve`, approver, {}, url);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain(
      "four-eyes: a high-risk change must be approved by someone other than its requester",
    );
    expect(services.changes.get(url.split("/").at(-1)!)?.state).toBe("pending_approval");
  });

  it("keeps the text and lists the problems of an invalid rules file", async () => {
    const operator = await login(TOKENS.operator);
    const res = await post("/changes", operator, { rulesText: "campaigns: [1, <b>", reason: "typo" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain("campaigns: [1, &lt;b&gt;</textarea>");
  });

  it("approves, applies, reports progress to the end and shows the audit record with chain intact", async () => {
    const operator = await login(TOKENS.operator);
    const approver = await login(TOKENS.approver);
    const url = await requestChange(operator);
    expect((await post(`${url}/approve`, approver, {}, url)).headers.location).toBe(`${url}?notice=approved`);
    const applied = await post(`${url}/apply`, operator, {}, url);
    expect(applied.headers.location).toBe(`${url}?notice=applying`);
    let fragment = "";
    for (let i = 0; i < 50 && !fragment.includes("data-final"); i++) {
      await new Promise((r) => setTimeout(r, 10));
      fragment = (await get(`${url}/progress`, operator)).body;
    }
    expect(fragment).toContain("Finished: 1 of 1 campaign(s) done (applied 1)");
    const detail = (await get(url, operator)).body;
    expect(detail).toContain("applied");
    expect(detail).not.toContain("data-poll");
    const audit = (await get("/audit", operator)).body;
    expect(audit).toContain("Audit chain intact");
    expect(audit).toContain("dialingMethod: PROGRESSIVE → PREDICTIVE");
    const campaigns = (await get("/campaigns", operator)).body;
    expect(campaigns).toContain("applied by olga");
  });

  it("signs out: the cookie is cleared", async () => {
    const cookie = await login(TOKENS.viewer);
    const res = await post("/logout", cookie, {}, "/");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login?signedout=1");
    expect(String(res.headers["set-cookie"])).toContain("Max-Age=0");
  });
});

describe("dashboard inside buildServer (real services, embedded simulator)", () => {
  let target: DashboardTarget;
  beforeAll(async () => {
    target = await startRealTarget();
  });
  afterAll(() => target?.close());

  it("shows the simulator banner and keeps the dashboard out of the API and its OpenAPI document", async () => {
    const login = await fetch(`${target.baseUrl}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain(escapeHtml(target.banner ?? "(no banner)"));
    // The form parser is the dashboard's own: the JSON API still refuses form bodies.
    const api = await fetch(`${target.baseUrl}/api/v1/changes`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Bearer ${target.tokens.operator}`,
      },
      body: "rulesText=x&reason=y",
    });
    expect(api.status).toBe(415);
    const openapi = (await (await fetch(`${target.baseUrl}/openapi.json`)).json()) as { paths: object };
    expect(
      Object.keys(openapi.paths).filter(
        (p) => !p.startsWith("/api/") && !/^\/(healthz|readyz|metrics)$/.test(p),
      ),
    ).toEqual([]);
    // Unknown API paths keep the API's problem details, not a dashboard page.
    const missing = await fetch(`${target.baseUrl}/api/v1/nope`, {
      headers: { authorization: `Bearer ${target.tokens.operator}` },
    });
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
  });
});
