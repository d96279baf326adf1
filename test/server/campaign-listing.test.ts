/**
 * Issue 13 §5 and issue 17 §3: the campaign list is searched, filtered and paged by the service, sent once
 * serialized with an ETag (304 while nothing changed), and follows every change of the platform listing and
 * the audit trail (ours, and records another replica appends). Real service, real store, real simulator.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRulesFile } from "../../src/domain/rules-file.js";
import { startEmbeddedCxone } from "../../src/embedded/embedded-sim.js";
import type { CampaignPage, ChangeRequest } from "../../src/server/contract.js";
import { startRuntime } from "../../src/server/runtime.js";
import { KINDS } from "../store/databases.js";
import { form } from "./browser/helpers.js";
import { rules, startTestService, type TestService } from "./harness.js";

const CAMPAIGNS = 250;

describe.each(KINDS)("campaign listing on %s", (kind) => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService(kind, { campaigns: CAMPAIGNS });
  });
  afterAll(async () => {
    await s?.close();
  });

  const list = async (query = "", headers: Record<string, string> = {}) =>
    s.call("viewer", { method: "GET", url: `/api/v1/campaigns${query}`, headers });
  const page = async (query = "") => {
    const res = await list(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as CampaignPage;
  };
  const ids = (p: CampaignPage) => p.items.map((v) => v.campaign.id);

  it("pages on the server, sorted by id, with the figures a pager needs", async () => {
    const all = s.sim
      .listCampaigns()
      .map((c) => c.id)
      .sort();
    const first = await page();
    expect(first).toMatchObject({ page: 1, pageSize: 100, total: CAMPAIGNS, pages: 3, campaigns: CAMPAIGNS });
    expect(ids(first)).toEqual(all.slice(0, 100));
    expect(ids(await page("?page=3"))).toEqual(all.slice(200));
    expect(ids(await page("?page=2&pageSize=7"))).toEqual(all.slice(7, 14));
    const past = await page("?page=9");
    expect(past).toMatchObject({ items: [], total: CAMPAIGNS, page: 9 });
    for (const bad of [
      "?pageSize=501",
      "?pageSize=0",
      "?page=0",
      "?page=-1",
      "?method=FAX",
      "?compliance=maybe",
    ]) {
      const res = await list(bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    }
    expect((await list("?pageSize=501")).json().errors[0].path).toBe("query.pageSize");
  });

  it("searches ids and names (any case) and filters by method, status and compliance", async () => {
    const campaigns = s.sim.listCampaigns();
    const name = campaigns[17]?.name ?? "";
    const fragment = name.slice(2, 12).toUpperCase();
    const byName = await page(`?q=${encodeURIComponent(fragment)}&pageSize=500`);
    const expected = campaigns
      .filter((c) => `${c.id}\n${c.name}`.toLowerCase().includes(fragment.toLowerCase()))
      .map((c) => c.id)
      .sort();
    expect(expected.length).toBeGreaterThan(1);
    expect(ids(byName)).toEqual(expected);
    expect(byName.total).toBe(expected.length);
    expect(byName.campaigns).toBe(CAMPAIGNS);

    expect(ids(await page("?q=cmp-1001"))).toEqual(
      campaigns
        .map((c) => c.id)
        .filter((id) => id.startsWith("CMP-1001"))
        .sort(),
    );

    const preview = await page("?method=PREVIEW&status=PAUSED&pageSize=500");
    expect(preview.total).toBe(
      campaigns.filter((c) => c.dialingRules.dialingMethod === "PREVIEW" && c.status === "PAUSED").length,
    );
    for (const v of preview.items) {
      expect(v.campaign.dialingRules.dialingMethod).toBe("PREVIEW");
      expect(v.campaign.status).toBe("PAUSED");
    }

    const bad = await page("?compliance=non-compliant&pageSize=500");
    expect(bad.total).toBe(bad.nonCompliant);
    expect(bad.total).toBeGreaterThan(0); // the simulator seeds some drift
    expect(bad.items.every((v) => !v.compliant && v.findings.some((f) => f.severity === "error"))).toBe(true);
    const good = await page("?compliance=compliant&pageSize=500");
    expect(good.total + bad.total).toBe(CAMPAIGNS);
    expect(good.items.every((v) => v.compliant)).toBe(true);
  });

  it("answers 304 to its ETag until an apply changes the page; other pages keep theirs", async () => {
    const target = "CMP-10002";
    const first = await list(`?q=${target}`);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers["cache-control"]).toBe("private, no-cache");
    const other = await list("?q=CMP-10003");
    const otherTag = String(other.headers.etag);
    expect(otherTag).not.toBe(etag);

    const same = await list(`?q=${target}`, { "if-none-match": etag });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe("");
    expect(same.headers.etag).toBe(etag);
    expect((await list(`?q=${target}`, { "if-none-match": `"nope", W/${etag}` })).statusCode).toBe(304);

    // A low-risk change applied through the service.
    const created = await s.call("operator", {
      method: "POST",
      url: "/api/v1/changes",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({
        rules: rules(`  - id: ${target}\n    dialingRules: {maxCallsPerAgent: 1}\n`),
        reason: "etag test",
      }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const change = created.json() as ChangeRequest;
    expect(
      (await s.call("operator", { method: "POST", url: `/api/v1/changes/${change.id}/apply` })).statusCode,
    ).toBe(202);
    const done = await s.waitForJob(change.id);
    expect(done.state).toBe("applied");

    const after = await list(`?q=${target}`, { "if-none-match": etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    const view = (after.json() as CampaignPage).items[0];
    expect(view?.campaign.dialingRules.maxCallsPerAgent).toBe(1);
    expect(view?.lastAudit).toMatchObject({ outcome: "applied", changeId: change.id, runId: done.job?.id });
    // A page whose content did not change keeps its ETag, so its clients keep their copy.
    expect((await list("?q=CMP-10003", { "if-none-match": otherTag })).statusCode).toBe(304);
  });

  it("follows audit records another replica appends", async () => {
    const target = "CMP-10005";
    const before = await list(`?q=${target}`);
    expect((before.json() as CampaignPage).items[0]?.lastAudit).toBeUndefined();
    const replica = await s.db.open();
    const record = await replica.audit.append({
      runId: "run_other_replica",
      actor: "oscar",
      reason: "written by another replica",
      platform: "v2",
      campaignId: target,
      outcome: "rejected_locally",
      diff: [],
      findings: [],
    });
    const after = await list(`?q=${target}`, { "if-none-match": String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect((after.json() as CampaignPage).items[0]?.lastAudit?.id).toBe(record.id);

    // That replica changed the campaign on the platform: its audit record makes this replica re-read the
    // listing (in the background, long before the 60 s TTL), so the new rules show on a later request.
    const lines = s.sim.getCampaign(target)?.dialingRules.maxCallsPerAgent === 1 ? 2 : 1;
    s.sim.editCampaign(target, { maxCallsPerAgent: lines });
    await replica.audit.append({
      runId: "run_other_replica",
      actor: "oscar",
      reason: "written by another replica",
      platform: "v2",
      campaignId: target,
      outcome: "applied",
      diff: [],
      findings: [],
    });
    let shown: number | undefined;
    for (let i = 0; i < 100 && shown !== lines; i++) {
      shown = (await page(`?q=${target}`)).items[0]?.campaign.dialingRules.maxCallsPerAgent;
      if (shown !== lines) await new Promise((r) => setTimeout(r, 20));
    }
    expect(shown).toBe(lines);
  });

  it("dashboard: a search form, filters kept in the pager's links, folded findings", async () => {
    const login = await s.app.inject({
      method: "POST",
      url: "/login",
      ...form({ token: s.tokens.viewer, next: "/" }),
    });
    const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
    const get = (url: string) => s.app.inject({ method: "GET", url, headers: { cookie } });
    const home = (await get("/campaigns")).body;
    expect(home).toContain(`${CAMPAIGNS} campaign(s)`);
    expect(home).toContain('<form method="get" action="/campaigns"');
    expect(home).toContain('<label for="q">Id or name contains</label>');
    expect(home).toContain("Showing 1–100 of 250 campaign(s).");
    expect(home).toContain("Page 1 of 3");
    expect(home).toContain('href="/campaigns?page=2" rel="next"');
    expect(home.match(/<tr><th scope="row">/g)).toHaveLength(100);
    expect(home).toContain('href="/campaigns?compliance=non-compliant"');

    const active = s.sim.listCampaigns().filter((c) => c.status === "ACTIVE").length;
    expect(active).toBeGreaterThan(100);
    const second = (await get("/campaigns?status=ACTIVE&page=2")).body;
    expect(second).toContain(`Showing 101–${active} of ${active} matching campaign(s).`);
    expect(second).toContain('href="/campaigns?status=ACTIVE" rel="prev"');
    expect(second).toContain('<option value="ACTIVE" selected>');

    const nonCompliant = (await get("/campaigns?compliance=non-compliant")).body;
    const rows = nonCompliant.split('<tr><th scope="row">').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatch(
        /<span class="bad">Not compliant<\/span><details class="findings"><summary>\d+ problem\(s\)/,
      );
    }
    // Unknown values read as "any"; nothing matches a search for nonsense.
    expect((await get("/campaigns?method=FAX&page=x")).body).toContain("Showing 1–100 of 250 campaign(s).");
    expect((await get("/campaigns?q=no-such-campaign")).body).toContain("No campaign matches.");
  });
});

describe("campaign listing of serve on cxone", () => {
  it("lists only the skills dialrules manages; agentless and SMS skills are named as left alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dialrules-cxone-serve-"));
    const embedded = await startEmbeddedCxone({ campaigns: 40, rateLimitPerMinute: 100_000 });
    const runtime = await startRuntime({
      sqlitePath: join(dir, "serve.db"),
      env: { CXONE_CLIENT_ID: "demo" },
      platformName: "cxone",
      policy: parseRulesFile("profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns: []\n", "policy.yaml"),
      openPlatform: async () => embedded.platform,
    });
    try {
      const skills = embedded.sim.listSkills();
      const agentless = skills.filter((k) => k.agentless).map((k) => String(k.skillId));
      const sms = skills.filter((k) => k.smsTransportCodeId !== null).map((k) => String(k.skillId));
      expect(agentless.length).toBeGreaterThan(0);
      expect(sms.length).toBeGreaterThan(0);
      const listed = await runtime.services.listCampaigns({ pageSize: 500 });
      const listedIds = listed.items.map((v) => v.campaign.id);
      for (const id of [...agentless, ...sms]) expect(listedIds).not.toContain(id);
      const left = new Map(listed.notManaged.map((c) => [c.id, c.reason]));
      for (const id of agentless) expect(left.get(id)).toMatch(/^agentless skill/);
      for (const id of sms) expect(left.get(id)).toMatch(/^proactive SMS skill/);
      // Searching for a left-alone skill's id finds no campaign.
      expect((await runtime.services.listCampaigns({ q: agentless[0] })).items).toEqual([]);
      const json = JSON.parse(
        (await runtime.services.campaignPageJson()).json.toString("utf8"),
      ) as CampaignPage;
      expect(json.notManaged.map((c) => c.id)).toEqual(expect.arrayContaining([...agentless, ...sms]));
    } finally {
      await runtime.close();
      await embedded.sim.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
