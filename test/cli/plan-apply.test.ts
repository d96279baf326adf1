import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { webhookEvent } from "../../src/webhook/events.js";
import { envFor, runCli } from "./run-cli.js";
import { CHANGE, INVALID, useSimFixture } from "./sim-fixture.js";

const fx = useSimFixture();
const file = fx.file;
const patches = fx.patches;

describe("dialrules plan", () => {
  it("shows each change, a summary line, and exits by --detailed-exitcode", async () => {
    const r = await runCli(["plan", "-f", file("rules.yaml", CHANGE), "--detailed-exitcode"], envFor(fx.sim));
    expect(r.stdout).toContain("~ CMP-10001");
    expect(r.stdout).toContain("dialingMethod: PREDICTIVE → PROGRESSIVE");
    expect(r.stdout).toContain("maxCallsPerAgent: 2 → 3");
    expect(r.stdout).toContain("Plan: 2 to change, 0 unchanged, 0 invalid.");
    expect(r.code).toBe(2);
    expect(patches()).toHaveLength(0);
    const plain = await runCli(["plan", "-f", file("rules.yaml", CHANGE)], envFor(fx.sim));
    expect(plain.code).toBe(0);
  });

  it("shows the capacity estimate per campaign when agents, handle time and connect rate are given", async () => {
    const r = await runCli(
      ["plan", "-f", file("rules.yaml", CHANGE), "--agents", "20", "--aht", "300", "--connect-rate", "0.3"],
      envFor(fx.sim),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/capacity: PROGRESSIVE ×1 lines\/agent · per agent [\d.]+ dials\/h/);
  });

  it("exits 1 on an invalid campaign and names the rule it breaks", async () => {
    const r = await runCli(["plan", "-f", file("rules.yaml", INVALID)], envFor(fx.sim));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/! CMP-10003 .*INVALID/);
    expect(r.stdout).toContain("47 CFR 64.1200(a)(7)");
  });

  it("campaigns two match entries claim differently are listed invalid in text and JSON, exit 1 (reproduction)", async () => {
    const overlap = file(
      "overlap.yaml",
      `profiles: [US_TCPA]
licenseTier: ENTERPRISE
campaigns:
  - match: "Survey-*"
    dialingRules: {dialingMethod: PREVIEW}
  - match: "Survey-NPS-*"
    dialingRules: {dialingMethod: PROGRESSIVE}
  - match: "Sales-*"
    dialingRules: {maxCallsPerAgent: 1}
`,
    );
    const text = await runCli(["plan", "-f", overlap], envFor(fx.sim));
    expect(text.code).toBe(1);
    for (const id of ["CMP-10003", "CMP-10011"]) {
      expect(text.stdout).toMatch(new RegExp(`! ${id} .*INVALID`));
    }
    expect(text.stdout).toMatch(
      /TARGET_MATCH_CONFLICT .*campaigns\[0\] \(match "Survey-\*"\) and campaigns\[1\]/,
    );
    expect(text.stdout).toContain("2 invalid");
    const json = await runCli(["plan", "-f", overlap, "--format", "json"], envFor(fx.sim));
    const plan = JSON.parse(json.stdout) as {
      campaigns: { id: string; status: string; findings: { code: string }[] }[];
    };
    const invalid = plan.campaigns.filter((c) => c.status === "invalid");
    expect(invalid.map((c) => c.id)).toEqual(["CMP-10003", "CMP-10011"]);
    expect(invalid.every((c) => c.findings.some((f) => f.code === "TARGET_MATCH_CONFLICT"))).toBe(true);
    const apply = await runCli(
      ["apply", "-f", overlap, "--yes", "--reason", "t", "--database", join(fx.dir, "db")],
      envFor(fx.sim),
    );
    expect(apply.code).toBe(1);
    expect(patches()).toHaveLength(0);
  });

  it("--format json and -o write the plan with each campaign's revision", async () => {
    const out = join(fx.dir, "plan.json");
    const r = await runCli(
      ["plan", "-f", file("rules.yaml", CHANGE), "--format", "json", "-o", out],
      envFor(fx.sim),
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(readFileSync(out, "utf8"));
    expect(JSON.parse(r.stdout)).toEqual(plan);
    expect(plan.campaigns.find((c: { id: string }) => c.id === "CMP-10001")).toMatchObject({
      revision: fx.sim.getCampaign("CMP-10001")!.revision,
      status: "change",
    });
  });

  it("a missing file is an input error (exit 2) and no platform request is made", async () => {
    const r = await runCli(["plan", "-f", join(fx.dir, "nope.yaml")], envFor(fx.sim));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read the rules file");
    expect(fx.sim.log).toHaveLength(0);
  });

  it("takes the connection from flags (secret only from a file) when no variables are set", async () => {
    const secretFile = file("secret", "demo-secret\n");
    const r = await runCli(
      [
        "plan",
        "-f",
        file("rules.yaml", CHANGE),
        "--api-base-url",
        fx.sim.apiBase,
        "--token-url",
        fx.sim.tokenUrl,
        "--client-id",
        "demo",
        "--client-secret-file",
        secretFile,
        "--rate-limit",
        "600/min",
      ],
      { PATH: process.env.PATH },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Plan: 2 to change");
  });

  it("with no platform configured it says how to get one", async () => {
    const r = await runCli(["plan", "-f", file("rules.yaml", CHANGE)], { PATH: process.env.PATH });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("dialrules demo");
  });
});

describe("dialrules apply", () => {
  it("refuses the whole plan when one campaign is invalid: zero writes", async () => {
    const r = await runCli(
      [
        "apply",
        "-f",
        file("rules.yaml", INVALID),
        "--yes",
        "--reason",
        "t",
        "--database",
        join(fx.dir, "db"),
      ],
      envFor(fx.sim),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Refusing to apply");
    expect(patches()).toHaveLength(0);
  });

  it("--skip-invalid applies the valid ones and reports the rest", async () => {
    const r = await runCli(
      [
        "apply",
        "-f",
        file("rules.yaml", INVALID),
        "--yes",
        "--reason",
        "t",
        "--skip-invalid",
        "--database",
        join(fx.dir, "db"),
      ],
      envFor(fx.sim),
    );
    expect(r.code).toBe(1);
    expect(
      patches()
        .map((p) => p.path.split("/").pop())
        .sort(),
    ).toEqual(["CMP-10001", "CMP-10002"]);
    expect(r.stdout).toMatch(/rejected_locally\s+CMP-10003/);
  });

  it("applies, then a second run is a no-op; --output json for machines", async () => {
    const rules = file("rules.yaml", CHANGE);
    const db = join(fx.dir, "db");
    const first = await runCli(
      ["apply", "-f", rules, "--yes", "--reason", "t", "--database", db],
      envFor(fx.sim),
    );
    expect(first.code).toBe(0);
    expect(fx.sim.getCampaign("CMP-10001")!.dialingRules.dialingMethod).toBe("PROGRESSIVE");
    const second = await runCli(
      ["apply", "-f", rules, "--yes", "--reason", "t", "--database", db, "--format", "json"],
      envFor(fx.sim),
    );
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).counts).toMatchObject({ applied: 0, noop: 2 });
    expect(patches()).toHaveLength(2);
  });

  it("applies a saved plan; a stale plan is merged, not clobbered", async () => {
    const out = join(fx.dir, "plan.json");
    await runCli(["plan", "-f", file("rules.yaml", CHANGE), "--out", out], envFor(fx.sim));
    fx.sim.editCampaign("CMP-10002", { dialingMethod: "POWER" });
    const r = await runCli(
      ["apply", "--plan", out, "--yes", "--reason", "t", "--database", join(fx.dir, "db")],
      envFor(fx.sim),
    );
    expect(r.code).toBe(0);
    expect(fx.sim.getCampaign("CMP-10002")!.dialingRules).toMatchObject({
      dialingMethod: "POWER",
      maxCallsPerAgent: 3,
    });
  });

  it("usage errors exit 2: no --reason, no --yes off a terminal, both -f and --plan", async () => {
    const rules = file("rules.yaml", CHANGE);
    const noReason = await runCli(["apply", "-f", rules, "--yes"], envFor(fx.sim));
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("--reason");
    const noYes = await runCli(["apply", "-f", rules, "--reason", "t"], envFor(fx.sim));
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain("--yes");
    const both = await runCli(
      ["apply", "-f", rules, "--plan", rules, "--yes", "--reason", "t"],
      envFor(fx.sim),
    );
    expect(both.code).toBe(2);
    const badPolicy = await runCli(
      ["apply", "-f", rules, "--yes", "--reason", "t", "--on-conflict", "maybe"],
      envFor(fx.sim),
    );
    expect(badPolicy.code).toBe(2);
    expect(patches()).toHaveLength(0);
  });
});

describe("dialrules export", () => {
  it("writes a rules file that plan then shows as no changes", async () => {
    const out = join(fx.dir, "export.yaml");
    const r = await runCli(
      ["export", "--all", "-o", out, "--profile", "US_TCPA", "--license-tier", "ENTERPRISE"],
      envFor(fx.sim),
    );
    expect(r.code).toBe(0);
    const plan = await runCli(["plan", "-f", out, "--detailed-exitcode"], envFor(fx.sim));
    expect(plan.stdout).toContain("Plan: 0 to change, 12 unchanged, 0 invalid.");
    expect(plan.code).toBe(0);
  });

  it("needs a selection", async () => {
    const r = await runCli(["export"], envFor(fx.sim));
    expect(r.code).toBe(2);
  });
});

describe("apply with a compliance webhook and a metrics file", () => {
  it("delivers one signed event per audit record and writes metrics; no secret anywhere", async () => {
    const { createServer } = await import("node:http");
    const { Webhook } = await import("svix");
    const { openStore } = await import("../../src/store/open-store.js");
    const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
    const received: { headers: Record<string, string>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        received.push({ headers: req.headers as Record<string, string>, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const db = join(fx.dir, "db");
      const metricsFile = join(fx.dir, "metrics.prom");
      const env = envFor(fx.sim, {
        DIALRULES_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
        DIALRULES_WEBHOOK_SECRET: secret,
      });
      const r = await runCli(
        [
          "apply",
          "-f",
          file("rules.yaml", CHANGE),
          "--yes",
          "--reason",
          "t",
          "--database",
          db,
          "--metrics-file",
          metricsFile,
        ],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      // Two campaign events and the run's summary (no audit key configured: no checkpoint).
      expect(r.stderr).toContain("Webhooks: 3 delivered");
      expect(received).toHaveLength(3);
      const verifier = new Webhook(secret);
      const types: string[] = [];
      const ids = received.map((m) => {
        const event = verifier.verify(m.body, m.headers) as { type: string; data: { id: string } };
        types.push(event.type);
        expect(m.headers["webhook-id"]).toBe(event.data.id);
        return event.data.id;
      });
      expect(types.sort()).toEqual(["campaign.rules.applied", "campaign.rules.applied", "run.summary"]);
      const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: db });
      const records = await store.audit.list();
      await store.close();
      expect(ids.sort()).toEqual(records.map((x) => x.id).sort());
      const metrics = readFileSync(metricsFile, "utf8");
      expect(metrics).toMatch(/dialrules_update_outcomes_total\{outcome="applied"\} 2/);
      expect(metrics).toMatch(/dialrules_platform_requests_total\{method="PATCH"/);
      const everything =
        r.stdout + r.stderr + metrics + JSON.stringify(records) + received.map((m) => m.body).join("");
      for (const s of ["demo-secret", secret, secret.slice(6)]) expect(everything).not.toContain(s);
    } finally {
      server.close();
    }
  });
});
