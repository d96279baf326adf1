/**
 * Issue 13 §4: hostile input gets a 400 (or 413), never a 500, a dead process or a stalled loop, through the
 * API and the dashboard alike, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT_BYTES } from "../../src/server/input/limits.js";
import { KINDS } from "../store/databases.js";
import { rules, startTestService, type TestService } from "./harness.js";

const CAMPAIGN = "CMP-0001";

describe.each(KINDS)("hostile input (%s)", (kind) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(kind, { campaigns: 5 });
  });
  afterAll(() => t.close());

  const postChange = (body: string | Buffer) =>
    t.call("operator", {
      method: "POST",
      url: "/api/v1/changes",
      headers: { "content-type": "application/json" },
      payload: body,
    });

  it("refuses YAML rules nested 1,000 and 10,000 `[` deep before any parser runs (400, the process lives)", async () => {
    for (const depth of [1_000, 10_000]) {
      const text = rules(`  - id: ${CAMPAIGN}\n    dialingRules: {maxCallsPerAgent: ${"[".repeat(depth)}}\n`);
      const res = await postChange(JSON.stringify({ rules: text, reason: "deep" }));
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ code: "NESTING_TOO_DEEP" });
    }
    expect((await t.call(undefined, { method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect(await t.count("change_requests")).toBe(0);
  });

  it("refuses JSON rules nested 10,000 deep with 400, not 500", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const body = `{"reason":"deep","rules":{"campaigns":[{"id":"${CAMPAIGN}","dialingRules":{"maxCallsPerAgent":${deep}}}]}}`;
    const res = await postChange(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "NESTING_TOO_DEEP" });
  });

  it("refuses duplicate keys in JSON rules, as YAML does", async () => {
    const body = `{"reason":"dup","rules":{"profiles":["US_TCPA"],"campaigns":[{"id":"${CAMPAIGN}","dialingRules":{"maxCallsPerAgent":2,"maxCallsPerAgent":3}}]}}`;
    const res = await postChange(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "duplicate_key" });
    expect(res.json().detail).toContain("maxCallsPerAgent");
    // the YAML twin was already refused
    const yaml = rules(`  - id: ${CAMPAIGN}\n    dialingRules: {maxCallsPerAgent: 2, maxCallsPerAgent: 3}\n`);
    expect((await postChange(JSON.stringify({ rules: yaml, reason: "dup" }))).statusCode).toBe(400);
    expect(await t.count("change_requests")).toBe(0);
  });

  it("refuses a body that is not valid UTF-8 with 400", async () => {
    const bad = Buffer.concat([
      Buffer.from('{"reason":"x'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","rules":"a: 1"}'),
    ]);
    const res = await postChange(bad);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "body_not_utf8" });
  });

  it("answers 400 to a leap-second `since`", async () => {
    const res = await t.call("viewer", { method: "GET", url: "/api/v1/audit?since=2026-12-31T23:59:60Z" });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe("query.since");
  });

  describe("the dashboard, under the same rules", () => {
    let cookie = "";
    let csrf = "";
    beforeAll(async () => {
      const login = await t.app.inject({
        method: "POST",
        url: "/login",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({ token: t.tokens.operator, next: "/" }).toString(),
      });
      cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
      const page = await t.app.inject({ method: "GET", url: "/changes/new", headers: { cookie } });
      csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
      expect(csrf).not.toBe("");
    });
    const postForm = (payload: string | Buffer) =>
      t.app.inject({
        method: "POST",
        url: "/changes",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        payload,
      });

    it("refuses deep YAML from the form with a page, and the process lives", async () => {
      const text = rules(
        `  - id: ${CAMPAIGN}\n    dialingRules: {maxCallsPerAgent: ${"[".repeat(10_000)}}\n`,
      );
      const res = await postForm(
        new URLSearchParams({ _csrf: csrf, rulesText: text, reason: "deep" }).toString(),
      );
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain("NESTING_TOO_DEEP");
      expect((await t.call(undefined, { method: "GET", url: "/healthz" })).statusCode).toBe(200);
    });

    it("has the API's body cap, not a larger one (413)", async () => {
      const big = "x".repeat(BODY_LIMIT_BYTES + 10);
      const res = await postForm(
        new URLSearchParams({ _csrf: csrf, rulesText: big, reason: "big" }).toString(),
      );
      expect(res.statusCode).toBe(413);
      const api = await postChange(JSON.stringify({ rules: big, reason: "big" }));
      expect(api.statusCode).toBe(413);
    });

    it("refuses invalid UTF-8 in the form (raw and %-escaped) with 400", async () => {
      for (const payload of [
        Buffer.concat([
          Buffer.from(`_csrf=${csrf}&reason=`),
          Buffer.from([0xff, 0xfe]),
          Buffer.from("&rulesText=a"),
        ]),
        `_csrf=${csrf}&reason=%C3%28&rulesText=a`,
      ]) {
        const res = await postForm(payload);
        expect(res.statusCode).toBe(400);
      }
      expect(await t.count("change_requests")).toBe(0);
    });
  });
});
