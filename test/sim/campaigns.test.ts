import { describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { expectContract } from "./contract.js";
import {
  CAMPAIGN_PATH,
  getCampaign,
  LIST_PATH,
  listCampaigns,
  patchCampaign,
  patchCurrent,
  simulators,
  token,
} from "./helpers.js";

const sim = simulators({ campaigns: 12 });

describe("reading campaigns", () => {
  it("runs many instances side by side, each with its own port and state", async () => {
    const sims = await Promise.all([1, 2, 3, 4].map(() => sim()));
    expect(new Set(sims.map((s) => s.url)).size).toBe(4);
    sims[0]!.editCampaign("CMP-10001", { maxCallsPerAgent: 9 });
    const bearer = await token(sims[1]!);
    expect((await getCampaign(sims[1]!, bearer, "CMP-10001")).body.revision).toBe(
      sims[2]!.getCampaign("CMP-10001")!.revision,
    );
    expect(sims[0]!.getCampaign("CMP-10001")!.revision).toBe(sims[3]!.getCampaign("CMP-10001")!.revision + 1);
  });

  it("returns one campaign per the contract, and 404 for an unknown id", async () => {
    const s = await sim();
    const bearer = await token(s);
    const found = await getCampaign(s, bearer, "CMP-10003");
    expect(found.status).toBe(200);
    expectContract(CAMPAIGN_PATH, "get", 200, found.body);
    expect(found.body).toEqual(s.getCampaign("CMP-10003"));
    const missing = await getCampaign(s, bearer, "CMP-99999");
    expect(missing.status).toBe(404);
    expectContract(CAMPAIGN_PATH, "get", 404, missing.body);
  });

  it("pages through the list", async () => {
    const s = await sim();
    const bearer = await token(s);
    const first = await listCampaigns(s, bearer, "?page=1&pageSize=5");
    expectContract(LIST_PATH, "get", 200, first.body);
    expect(first.body).toMatchObject({ page: 1, pageSize: 5, total: 12 });
    expect(first.body.campaigns.map((c) => c.id)).toEqual([
      "CMP-10001",
      "CMP-10002",
      "CMP-10003",
      "CMP-10004",
      "CMP-10005",
    ]);
    const last = await listCampaigns(s, bearer, "?page=3&pageSize=5");
    expect(last.body.campaigns.map((c) => c.id)).toEqual(["CMP-10011", "CMP-10012"]);
    const beyond = await listCampaigns(s, bearer, "?page=4&pageSize=5");
    expect(beyond.body.campaigns).toEqual([]);
    const defaults = await listCampaigns(s, bearer);
    expect(defaults.body).toMatchObject({ page: 1, pageSize: 100, total: 12 });
    expect(defaults.body.campaigns).toHaveLength(12);
  });

  it.each(["?pageSize=101", "?pageSize=0", "?page=0", "?page=x", "?pageSize=2.5", "?page=-1"])(
    "rejects bad paging %s with 400 and an errors array",
    async (query) => {
      const s = await sim();
      const reply = await listCampaigns(s, await token(s), query);
      expect(reply.status).toBe(400);
      expect(reply.body.errors?.[0]?.field).toMatch(/^page(Size)?$/);
    },
  );

  it("answers 401 without a valid bearer token", async () => {
    const s = await sim();
    for (const authorization of [undefined, "Bearer nope", "Basic ZGVtbzpkZW1vLXNlY3JldA=="]) {
      const res = await fetch(`${s.apiBase}/outbound/campaigns`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expectContract(LIST_PATH, "get", 401, await res.json());
    }
  });

  it("answers 403 when the token lacks a scope", async () => {
    const s = await sim({
      clients: [
        { id: "reader", secret: "r", scopes: ["outbound:campaign:read"] },
        { id: "writer", secret: "w", scopes: ["outbound:campaign:write", "outbound:rules:write"] },
        { id: "half", secret: "h", scopes: ["outbound:campaign:read", "outbound:campaign:write"] },
      ],
    });
    const reader = await token(s, { id: "reader", secret: "r" });
    const writer = await token(s, { id: "writer", secret: "w" });
    const half = await token(s, { id: "half", secret: "h" });
    expect((await getCampaign(s, reader, "CMP-10001")).status).toBe(200);
    const readDenied = await listCampaigns(s, writer);
    expect(readDenied.status).toBe(403);
    expectContract(LIST_PATH, "get", 403, readDenied.body);
    expect((await getCampaign(s, writer, "CMP-10001")).status).toBe(403);
    for (const bearer of [reader, half]) {
      const denied = await patchCurrent(s, bearer, "CMP-10001", { maxCallsPerAgent: 1 });
      expect(denied.status).toBe(403);
      expectContract(CAMPAIGN_PATH, "patch", 403, denied.body);
    }
    expect((await patchCurrent(s, writer, "CMP-10001", { maxCallsPerAgent: 1 })).status).toBe(200);
  });

  it("sets an x-request-id on every reply, unique per request", async () => {
    const s = await sim();
    const bearer = await token(s);
    const ids = [
      (await getCampaign(s, bearer, "CMP-10001")).headers.get("x-request-id"),
      (await getCampaign(s, bearer, "nope")).headers.get("x-request-id"),
      (await fetch(`${s.url}/elsewhere`)).headers.get("x-request-id"),
    ];
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(3);
    expect(s.log.map((e) => e.requestId).slice(1)).toEqual(ids);
  });
});

describe("changing rules", () => {
  it("increments the revision by exactly 1 per successful PATCH and stamps updatedAt from the clock", async () => {
    const clock = new InstantClock(Date.UTC(2026, 4, 1, 12));
    const s = await sim({ clock });
    const bearer = await token(s);
    const start = s.getCampaign("CMP-10002")!.revision;
    for (let i = 1; i <= 3; i++) {
      clock.advance(1000);
      const reply = await patchCurrent(s, bearer, "CMP-10002", { maxCallsPerAgent: i });
      expect(reply.status).toBe(200);
      expectContract(CAMPAIGN_PATH, "patch", 200, reply.body);
      expect(reply.body.revision).toBe(start + i);
    }
    expect(s.getCampaign("CMP-10002")).toMatchObject({
      revision: start + 3,
      updatedAt: new Date(Date.UTC(2026, 4, 1, 12) + 3000).toISOString(),
    });
  });

  it("replaces only the fields present and keeps the others", async () => {
    const s = await sim();
    const bearer = await token(s);
    const before = s.getCampaign("CMP-10004")!;
    const retrySettings = { maxAttempts: 2, intervalMinutes: [30, 90] };
    const reply = await patchCurrent(s, bearer, "CMP-10004", { retrySettings });
    expect(reply.status).toBe(200);
    expect(reply.body.dialingRules).toEqual({ ...before.dialingRules, retrySettings });
    expect(s.getCampaign("CMP-10004")).toMatchObject({
      id: before.id,
      name: before.name,
      status: before.status,
      dialingRules: { ...before.dialingRules, retrySettings },
    });
  });

  it("answers 409 with the current revision when the revision is stale", async () => {
    const s = await sim();
    const bearer = await token(s);
    const read = (await getCampaign(s, bearer, "CMP-10005")).body;
    const other = s.editCampaign("CMP-10005", { maxCallsPerAgent: 7 });
    expect(other.revision).toBe(read.revision + 1);
    const stale = await patchCampaign(
      s,
      bearer,
      "CMP-10005",
      { revision: read.revision, dialingRules: { maxCallsPerAgent: 2 } },
      String(read.revision),
    );
    expect(stale.status).toBe(409);
    expectContract(CAMPAIGN_PATH, "patch", 409, stale.body);
    expect(stale.body.currentRevision).toBe(other.revision);
    expect(s.getCampaign("CMP-10005")?.dialingRules.maxCallsPerAgent).toBe(7);
  });

  it("rejects an unknown field with 400 naming its path, and does not apply anything", async () => {
    const s = await sim();
    const bearer = await token(s);
    const before = s.getCampaign("CMP-10006")!;
    const reply = await patchCurrent(s, bearer, "CMP-10006", {
      maxCallsPerAgent: 2,
      retrySettings: { maxAttempts: 1, intervalMinutes: [10], foo: true },
    });
    expect(reply.status).toBe(400);
    expectContract(CAMPAIGN_PATH, "patch", 400, reply.body);
    expect(reply.body.errors).toEqual([
      { field: "dialingRules.retrySettings.foo", message: expect.stringContaining("unknown") },
    ]);
    expect(s.getCampaign("CMP-10006")).toEqual(before);
  });

  it("reports every problem at once", async () => {
    const s = await sim();
    const bearer = await token(s);
    const reply = await patchCampaign(
      s,
      bearer,
      "CMP-10001",
      {
        revision: 3,
        extra: 1,
        dialingRules: {
          dialingMethod: "ROBOT",
          retrySettings: { maxAttempts: 3, intervalMinutes: [15, "60", 0] },
          abandonmentRateThreshold: { maxRate: 1.5 },
          maxCallsPerAgent: 2.5,
          colour: "blue",
        },
      },
      "4",
    );
    expect(reply.status).toBe(400);
    expectContract(CAMPAIGN_PATH, "patch", 400, reply.body);
    const fields = (reply.body.errors ?? []).map((e) => e.field).sort();
    expect(fields).toEqual(
      [
        "X-If-Match",
        "extra",
        "dialingRules.colour",
        "dialingRules.dialingMethod",
        "dialingRules.retrySettings.intervalMinutes[1]",
        "dialingRules.retrySettings.intervalMinutes[2]",
        "dialingRules.abandonmentRateThreshold.maxRate",
        "dialingRules.abandonmentRateThreshold.coolDownSec",
        "dialingRules.maxCallsPerAgent",
      ].sort(),
    );
    expect(reply.body.errors?.every((e) => e.message.length > 0)).toBe(true);
  });

  it("enforces the platform rule intervalMinutes.length == maxAttempts", async () => {
    const s = await sim();
    const reply = await patchCurrent(s, await token(s), "CMP-10001", {
      retrySettings: { maxAttempts: 3, intervalMinutes: [15, 60] },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      {
        field: "dialingRules.retrySettings.intervalMinutes",
        message: expect.stringContaining("maxAttempts"),
      },
    ]);
  });

  it.each([
    ["missing", null, [{ field: "X-If-Match", message: expect.any(String) }]],
    ["not a number", "abc", [{ field: "X-If-Match", message: expect.any(String) }]],
    ["different from body.revision", "+1", [{ field: "X-If-Match", message: expect.any(String) }]],
  ])("rejects an X-If-Match that is %s", async (_label, header, errors) => {
    const s = await sim();
    const revision = s.getCampaign("CMP-10001")!.revision;
    const value = header === "+1" ? String(revision + 1) : header;
    const reply = await patchCampaign(
      s,
      await token(s),
      "CMP-10001",
      { revision, dialingRules: { maxCallsPerAgent: 1 } },
      value,
    );
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual(errors);
  });

  it("rejects an empty dialingRules, a missing revision, and a body that is not JSON", async () => {
    const s = await sim();
    const bearer = await token(s);
    const empty = await patchCurrent(s, bearer, "CMP-10001", {});
    expect(empty.body.errors).toEqual([{ field: "dialingRules", message: expect.any(String) }]);
    const noRevision = await patchCampaign(
      s,
      bearer,
      "CMP-10001",
      { dialingRules: { maxCallsPerAgent: 1 } },
      "1",
    );
    expect(noRevision.body.errors).toEqual([{ field: "revision", message: expect.any(String) }]);
    const notJson = await patchCampaign(s, bearer, "CMP-10001", "{revision: 1", "1");
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors).toEqual([{ field: "body", message: expect.any(String) }]);
    const wrongType = await patchCampaign(s, bearer, "CMP-10001", "revision=1", "1", "text/plain");
    expect(wrongType.status).toBe(400);
  });

  it("answers 404 for a PATCH of an unknown campaign", async () => {
    const s = await sim();
    const reply = await patchCampaign(
      s,
      await token(s),
      "CMP-4242",
      { revision: 1, dialingRules: { maxCallsPerAgent: 1 } },
      "1",
    );
    expect(reply.status).toBe(404);
    expectContract(CAMPAIGN_PATH, "patch", 404, reply.body);
  });

  it("logs the PATCH body as received, with the authorization redacted", async () => {
    const s = await sim();
    const bearer = await token(s);
    const body = { revision: s.getCampaign("CMP-10003")!.revision, dialingRules: { maxCallsPerAgent: 3 } };
    await patchCampaign(s, bearer, "CMP-10003", body, String(body.revision));
    const entry = s.log.at(-1)!;
    expect(entry).toMatchObject({
      method: "PATCH",
      path: "/api/v2/outbound/campaigns/CMP-10003",
      status: 200,
      body,
    });
    expect(entry.headers.authorization).toBe("<redacted>");
    expect(entry.headers["x-if-match"]).toBe(String(body.revision));
    expect(JSON.stringify(s.log)).not.toContain(bearer);
  });

  it("editCampaign refuses invalid rules and unknown ids", async () => {
    const s = await sim();
    expect(() => s.editCampaign("CMP-10001", { maxCallsPerAgent: 0 })).toThrow(/maxCallsPerAgent/);
    expect(() => s.editCampaign("CMP-0", { maxCallsPerAgent: 1 })).toThrow(/CMP-0/);
  });
});
