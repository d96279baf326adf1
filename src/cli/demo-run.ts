import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { systemClock } from "../clock/clock.js";
import { parseRulesFile } from "../domain/rules-file.js";
import { startEmbeddedCxone, startEmbeddedV2 } from "../embedded/embedded-sim.js";
import type { ApplyResult } from "../engine/apply.js";
import { createPlan } from "../engine/plan.js";
import type { Plan } from "../engine/plan-types.js";
import type { Platform } from "../platform/platform.js";
import { CXONE_DEMO_RULES } from "../sim/cxone/demo-rules.js";
import type { CxoneSimHandle } from "../sim/cxone/types.js";
import type { SimHandle } from "../sim/types.js";
import { databaseOptions, openStore } from "../store/open-store.js";
import { webhookEvent } from "../webhook/events.js";
import { runApply } from "./apply-run.js";
import { capacityInputs } from "./options.js";
import { progressReporter } from "./progress.js";
import { renderPlanText } from "./render/plan-text.js";

/** examples/demo.yaml, found from the installed package (dist/cli → ../../examples). */
export const DEMO_RULES_FILE = fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url));

export interface DemoOptions {
  database?: string;
  campaigns: number;
  rulesFile?: string;
  out: (text: string) => void;
  /** Which simulator mode and driver to run; default v2. */
  platform?: "v2" | "cxone";
}

export interface DemoOutcome {
  exitCode: number;
  plan: Plan;
  result?: ApplyResult;
  rebased?: string;
  databaseLocation: string;
  chainIntact: boolean;
}

/**
 * Picks a planned change and has "another writer" edit a field the rules file does not declare for it,
 * between plan and apply, so the write meets a 409 and is rebased. Returns the campaign id.
 */
function injectConcurrentEdit(plan: Plan, sim: SimHandle): string | undefined {
  for (const c of plan.campaigns) {
    if (c.status !== "change" || c.desired.retrySettings !== undefined) continue;
    sim.editCampaign(c.id, { retrySettings: { maxAttempts: 2, intervalMinutes: [120, 1440] } });
    return c.id;
  }
  return undefined;
}

/** The cxone twin of injectConcurrentEdit: another admin changes a mapped setting the plan leaves alone. */
function injectCxoneEdit(plan: Plan, sim: CxoneSimHandle): string | undefined {
  for (const c of plan.campaigns) {
    if (c.status !== "change" || c.desired.retrySettings !== undefined) continue;
    const skill = sim.getSkill(Number(c.id));
    if (!skill || skill.isRunning) continue;
    const current = skill.generalSettings.minimumRetryMinutes;
    sim.editGeneralSettings(skill.skillId, {
      minimumRetryMinutes: typeof current === "number" ? current + 30 : 90,
    });
    return c.id;
  }
  return undefined;
}

interface DemoTarget {
  url: string;
  platform: Platform;
  rules?: { text: string; path: string };
  edit: (plan: Plan) => string | undefined;
  editNote: string;
  stop: () => Promise<void>;
}

async function cxoneTarget(options: DemoOptions, perMinute: number): Promise<DemoTarget> {
  const { sim, platform } = await startEmbeddedCxone({
    campaigns: options.campaigns,
    rateLimitPerMinute: perMinute,
  });
  return {
    url: sim.url,
    platform,
    ...(options.rulesFile ? {} : { rules: { text: CXONE_DEMO_RULES, path: "(built-in cxone demo rules)" } }),
    edit: (plan) => injectCxoneEdit(plan, sim),
    editNote: "minimum retry minutes",
    stop: () => sim.stop(),
  };
}

/** `dialrules demo`: the whole job against an embedded simulator and an embedded SQLite database. */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  if (options.platform === "cxone") return runDemoOn(options, await cxoneTarget(options, 600));
  const perMinute = 600;
  const { sim, platform } = await startEmbeddedV2({
    campaigns: options.campaigns,
    rateLimitPerMinute: perMinute,
  });
  return runDemoOn(options, {
    url: sim.url,
    platform,
    edit: (plan) => injectConcurrentEdit(plan, sim),
    editNote: "retry schedule",
    stop: () => sim.stop(),
  });
}

async function runDemoOn(options: DemoOptions, target: DemoTarget): Promise<DemoOutcome> {
  const out = options.out;
  const perMinute = 600;
  const { platform } = target;
  const dbOptions = databaseOptions(options.database ?? "./dialrules-demo.db");
  const store = await openStore({ ...dbOptions, outboxEvent: webhookEvent });
  const databaseLocation = dbOptions.sqlitePath ? resolve(dbOptions.sqlitePath) : store.location;
  try {
    const rulesPath = target.rules?.path ?? options.rulesFile ?? DEMO_RULES_FILE;
    const text = target.rules?.text ?? (await readFile(rulesPath, "utf8"));
    const file = parseRulesFile(text, rulesPath);
    const what = platform.name === "cxone" ? "skills" : "campaigns";
    out(
      `Simulator (${platform.name}): ${target.url} with ${options.campaigns} seeded ${what}, ${perMinute} requests/min per client.\n`,
    );
    out(`Rules file: ${rulesPath}\n\n== plan ==\n`);
    const plan = await createPlan({
      file,
      sourceText: text,
      platform,
      clock: systemClock,
      capacity: capacityInputs({}, file),
    });
    out(renderPlanText(plan));
    const rebased = target.edit(plan);
    if (rebased)
      out(`\n(demo) another writer now changes ${rebased}'s ${target.editNote} behind our back.\n`);
    out("\n== apply (invalid campaigns are skipped and reported) ==\n");
    const progress = process.stderr.isTTY ? progressReporter(process.stderr) : undefined;
    const { exitCode, result } = await runApply({
      plan,
      platform,
      store,
      clock: systemClock,
      actor: "demo",
      reason: `dialrules demo: move the demo campaigns to the compliant rules of ${target.rules ? "the built-in cxone demo rules" : "examples/demo.yaml"}`,
      concurrency: 4,
      onConflict: "rebase",
      skipInvalid: true,
      output: "text",
      showPlan: false,
      out,
      observer: progress,
      runId: randomUUID(),
    });
    progress?.end();
    const verify = await store.audit.verify();
    out(`\nAudit trail: ${verify.count} record(s), chain ${verify.ok ? "intact" : "BROKEN"}.\n`);
    out(`SQLite database: ${databaseLocation}\n`);
    out(`Look at it with: dialrules audit list --database ${databaseLocation}\n`);
    return { exitCode, plan, result, rebased, databaseLocation, chainIntact: verify.ok };
  } finally {
    await store.close();
    await platform.close();
    await target.stop();
  }
}
