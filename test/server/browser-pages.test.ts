import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml, html } from "../../src/server/dashboard/html.js";
import { campaignsPage } from "../../src/server/dashboard/pages/campaigns.js";
import { csrfMatches, fromSameOrigin, readCookie, safeNext } from "../../src/server/dashboard/session.js";
import { csrfOf, form, highRiskRules } from "./browser/helpers.js";
import { type DashboardTarget, startRealTarget } from "./browser/target.js";

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

describe("dashboard pages (inject, real services over SQLite, embedded simulator)", () => {
  let target: DashboardTarget;
  let app: FastifyInstance;
  /** A campaign the simulator holds above the US 3 % abandonment limit. */
  let drifted = "";

  beforeAll(async () => {
    target = await startRealTarget({
      prepare: (sim) => {
        const c = sim.listCampaigns().at(-1);
        if (!c) throw new Error("no seeded campaigns");
        drifted = c.id;
        sim.editCampaign(c.id, { abandonmentRateThreshold: { maxRate: 0.05, coolDownSec: 300 } });
      },
    });
    app = target.app;
  });
  afterAll(() => target?.close());

  const highRisk = () => highRiskRules(target.campaignId);

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
  async function requestChange(cookie: string, rulesText = highRisk()): Promise<string> {
    const res = await post("/changes", cookie, { rulesText, reason: "more connects" });
    expect(res.statusCode, res.body).toBe(303);
    return String(res.headers.location).split("?")[0]!;
  }

  it("escapes every interpolated value", () => {
    const name = `<img src=x onerror="alert('x')">&`;
    expect(html`<td title="${name}">${name}</td>`.value).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</td>',
    );
    expect(html`<b>${html`<i>${"<x>"}</i>`}</b>`.value).toBe("<b><i>&lt;x&gt;</i></b>");
  });

  it("renders a campaign name containing <script> as text", () => {
    const view = {
      campaign: {
        id: "CMP-1",
        name: '<script>alert("pwned")</script>',
        status: "ACTIVE" as const,
        revision: 1,
        dialingRules: {
          dialingMethod: "PREVIEW" as const,
          maxCallsPerAgent: 1,
          retrySettings: { maxAttempts: 0, intervalMinutes: [] },
          abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
        },
      },
      findings: [],
      compliant: true,
    };
    const body = campaignsPage(
      { path: "/campaigns" },
      { q: "<b>" },
      {
        items: [view],
        page: 1,
        pageSize: 100,
        total: 1,
        pages: 1,
        campaigns: 1,
        nonCompliant: 0,
        notManaged: [{ id: "9", name: "<i>x</i>", reason: "agentless" }],
      },
    );
    expect(body).not.toContain("<script>alert");
    expect(body).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;");
    expect(body).toContain('value="&lt;b&gt;"');
    expect(body).toContain("&lt;i&gt;x&lt;/i&gt;");
  });

  it("sends people without a session to the login form, which comes back afterwards", async () => {
    const res = await get("/campaigns");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login?next=%2Fcampaigns");
    const loginPage = await get("/login?next=%2Fcampaigns");
    expect(loginPage.body).toContain('<label for="token">API token</label>');
    expect(loginPage.body).toContain(escapeHtml(target.banner ?? "(no banner)"));
    const ok = await app.inject({
      method: "POST",
      url: "/login",
      ...form({ token: target.tokens.viewer, next: "/campaigns" }),
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
      ...form({ token: target.tokens.viewer, next: "//evil.example/" }),
    });
    expect(offsite.headers.location).toBe("/");
  });

  it("shows the campaigns with the banner, security headers and a non-compliant campaign's folded findings", async () => {
    const cookie = await login(target.tokens.viewer);
    const res = await get("/campaigns", cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(escapeHtml(target.banner ?? "(no banner)"));
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('<th scope="col">Compliance</th>');
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(res.headers["cache-control"]).toBe("no-store");
    // The drifted campaign (5 % abandonment) shows a count that opens to its findings.
    const row = res.body.split("<tr>").find((r) => r.includes(`${drifted}<br>`)) ?? "";
    expect(row).toMatch(
      /<span class="bad">Not compliant<\/span><details class="findings"><summary>\d+ problem\(s\)/,
    );
    expect(row).toContain("ABANDON_RATE_OVER_LIMIT");
  });

  it("refuses POSTs without the session's CSRF token or from another site, and writes nothing", async () => {
    const before = (await target.runtime.services.listChanges()).length;
    const cookie = await login(target.tokens.operator);
    const fields = { rulesText: highRisk(), reason: "r" };
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
    const otherCsrf = csrfOf((await get("/changes/new", await login(target.tokens.approver))).body);
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
    expect((await target.runtime.services.listChanges()).length).toBe(before);
  });

  it("shows the plan diff, risk and buttons by role; the requester cannot approve (four-eyes)", async () => {
    const operator = await login(target.tokens.operator);
    const url = await requestChange(operator);
    const asOperator = (await get(url, operator)).body;
    expect(asOperator).toContain(`<strong>${target.campaignId}</strong>`);
    expect(asOperator).toMatch(/dialingMethod: \w+ → PREDICTIVE/);
    expect(asOperator).toMatch(new RegExp(`${target.campaignId}: dialingMethod \\w+ → PREDICTIVE`));
    expect(asOperator).toContain("pending approval");
    expect(asOperator).not.toContain(">Approve</button>");
    expect(asOperator).not.toContain(">Apply</button>");
    expect(asOperator).toContain("other than olga (four-eyes)");

    const viewer = await login(target.tokens.viewer);
    const asViewer = (await get(url, viewer)).body;
    expect(asViewer).not.toContain('<button type="submit">Approve');
    expect((await get("/changes", viewer)).body).not.toContain("Request a change");

    const approver = await login(target.tokens.approver);
    const asApprover = (await get(url, approver)).body;
    expect(asApprover).toContain(">Approve</button>");
    expect(asApprover).toContain('<label for="rejection">Reason for rejecting</label>');
  });

  it("shows the service's four-eyes refusal when an approver approves their own high-risk change", async () => {
    const approver = await login(target.tokens.approver);
    const url = await requestChange(approver);
    const res = await post(`${url}/approve`, approver, {}, url);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain("a high-risk change needs an approver other than its requester (arne)");
    const id = decodeURIComponent(url.split("/").at(-1)!);
    expect((await target.runtime.services.getChange(id))?.state).toBe("pending_approval");
  });

  it("keeps the text and lists the problems of an invalid rules file", async () => {
    const operator = await login(target.tokens.operator);
    const res = await post("/changes", operator, { rulesText: "campaigns: [1, <b>", reason: "typo" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain("campaigns: [1, &lt;b&gt;</textarea>");
  });

  it("approves, applies, reports progress to the end; the audit page links run → change → people, chain intact", async () => {
    const operator = await login(target.tokens.operator);
    const approver = await login(target.tokens.approver);
    const url = await requestChange(operator);
    const changeId = decodeURIComponent(url.split("/").at(-1)!);
    expect((await post(`${url}/approve`, approver, {}, url)).headers.location).toBe(`${url}?notice=approved`);
    const applied = await post(`${url}/apply`, operator, {}, url);
    expect(applied.headers.location).toBe(`${url}?notice=applying`);
    let fragment = "";
    for (let i = 0; i < 500 && !fragment.includes("data-final"); i++) {
      await new Promise((r) => setTimeout(r, 20));
      fragment = (await get(`${url}/progress`, operator)).body;
    }
    expect(fragment).toContain("Finished: 1 of 1 campaign(s) done (applied 1)");
    const detail = (await get(url, operator)).body;
    expect(detail).toContain("applied");
    expect(detail).not.toContain("data-poll");

    const audit = (await get("/audit", operator)).body;
    // The chain is verified by the real store, not re-implemented here.
    expect(audit).toContain("Audit chain intact");
    expect(audit).toMatch(/dialingMethod: \w+ → PREDICTIVE/);
    const jobId = (await target.runtime.services.getChange(changeId))?.job?.id ?? "";
    expect(jobId).not.toBe("");
    const applyRow = audit.split("<tr>").find((r) => r.includes(`>${target.campaignId}</a>`)) ?? "";
    expect(applyRow).toContain(`href="/audit?runId=${encodeURIComponent(jobId)}"`);
    expect(applyRow).toContain(`href="/changes/${encodeURIComponent(changeId)}"`);
    expect(applyRow).toContain("requested by olga; approved by arne");
    // The decisions are on the record too, with the same change link.
    const approvedRow = audit.split("<tr>").find((r) => r.includes("change approved")) ?? "";
    expect(approvedRow).toContain(`href="/changes/${encodeURIComponent(changeId)}"`);
    // The run link lists that run's records only.
    const run = (await get(`/audit?runId=${encodeURIComponent(jobId)}`, operator)).body;
    expect(run).toContain(`Audit records of run ${jobId}`);
    expect(run).toContain(`>${target.campaignId}</a>`);
    expect(run).not.toContain("change approved");
    expect(await target.runtime.services.verifyAudit()).toMatchObject({ ok: true });

    const campaigns = (await get(`/campaigns?q=${encodeURIComponent(target.campaignId)}`, operator)).body;
    expect(campaigns).toContain("applied by olga");
  });

  it("signs out: the cookie is cleared and the session ends", async () => {
    const cookie = await login(target.tokens.viewer);
    const res = await post("/logout", cookie, {}, "/");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login?signedout=1");
    expect(String(res.headers["set-cookie"])).toContain("Max-Age=0");
    expect((await get("/campaigns", cookie)).statusCode).toBe(303);
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
