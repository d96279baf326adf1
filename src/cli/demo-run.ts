import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { systemClock } from "../clock/clock.js";
import { parseRulesFile } from "../domain/rules-file.js";
import { startEmbeddedCxone, startEmbeddedGenesys, startEmbeddedV2 } from "../embedded/embedded-sim.js";
import type { ApplyResult } from "../engine/apply.js";
import { createPlan } from "../engine/plan.js";
import type { Plan } from "../engine/plan-types.js";
import type { Platform } from "../platform/platform.js";
import { CXONE_DEMO_RULES } from "../sim/cxone/demo-rules.js";
import type { CxoneSimHandle } from "../sim/cxone/types.js";
import { GENESYS_DEMO_RULES } from "../sim/genesys/demo-rules.js";
import type { GenesysSimHandle } from "../sim/genesys/types.js";
import type { SimHandle } from "../sim/types.js";
import { publicKeyFromPem, signerFromPem } from "../store/checkpoint.js";
import { databaseOptions, openStore } from "../store/open-store.js";
import { webhookEvent } from "../webhook/events.js";
import { runApply } from "./apply-run.js";
import { capacityInputs, readRulesText } from "./options.js";
import { progressReporter } from "./progress.js";
import { renderDemoStory } from "./render/demo-story.js";
import { renderPlanText } from "./render/plan-text.js";

/**
 * The demo signs its checkpoints with a key kept next to its database (made on first use), so it shows the
 * whole audit story with nothing configured. A real deployment sets DIALRULES_AUDIT_KEY_FILE (docs/audit.md).
 */
function demoAuditKey(sqlitePath: string | undefined) {
  const base = resolve(sqlitePath ?? "dialrules-demo").replace(/\.db$/, "");
  const keyFile = `${base}-audit-key.pem`;
  const publicKeyFile = `${base}-audit.pub`;
  let generated = false;
  if (!existsSync(keyFile)) {
    const pair = generateKeyPairSync("ed25519");
    writeFileSync(keyFile, pair.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(publicKeyFile, pair.publicKey.export({ type: "spki", format: "pem" }));
    generated = true;
  }
  const pem = readFileSync(keyFile, "utf8");
  return {
    signer: signerFromPem(pem, keyFile),
    publicKey: publicKeyFromPem(pem, keyFile),
    publicKeyFile,
    checkpointFile: `${base}-checkpoint.json`,
    generated,
  };
}

/** examples/demo.yaml, found from the installed package (dist/cli → ../../examples). */
export const DEMO_RULES_FILE = fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url));

export interface DemoOptions {
  database?: string;
  campaigns: number;
  rulesFile?: string;
  out: (text: string) => void;
  /** Which simulator mode and driver to run; default v2. */
  platform?: "v2" | "cxone" | "genesys";
  /** The full plan diff and apply table; by default a short account of what happened. */
  verbose?: boolean;
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

/** The genesys twin: another admin renames the caller id of a campaign being changed (a field we never touch). */
function injectGenesysEdit(plan: Plan, sim: GenesysSimHandle): string | undefined {
  for (const c of plan.campaigns) {
    const campaign = sim.getCampaign(c.id);
    if (c.status !== "change" || !campaign || campaign.campaignStatus === "on") continue;
    sim.editCampaign(c.id, { callerName: "Acme Collections (edited)" });
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
  // CXone refuses changes to running skills; the demo stops them first, as an administrator would.
  for (const skill of sim.listSkills()) if (skill.isRunning) sim.setRunning(skill.skillId, false);
  return {
    url: sim.url,
    platform,
    ...(options.rulesFile ? {} : { rules: { text: CXONE_DEMO_RULES, path: "(built-in cxone demo rules)" } }),
    edit: (plan) => injectCxoneEdit(plan, sim),
    editNote: "minimum retry minutes",
    stop: () => sim.stop(),
  };
}

async function genesysTarget(options: DemoOptions, perMinute: number): Promise<DemoTarget> {
  const { sim, platform } = await startEmbeddedGenesys({
    campaigns: options.campaigns,
    rateLimitPerMinute: perMinute,
  });
  return {
    url: sim.url,
    platform,
    ...(options.rulesFile
      ? {}
      : { rules: { text: GENESYS_DEMO_RULES, path: "(built-in genesys demo rules)" } }),
    edit: (plan) => injectGenesysEdit(plan, sim),
    editNote: "caller name",
    stop: () => sim.stop(),
  };
}

/** `dialrules demo`: the whole job against an embedded simulator and an embedded SQLite database. */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  if (options.platform === "cxone") return runDemoOn(options, await cxoneTarget(options, 600));
  if (options.platform === "genesys") return runDemoOn(options, await genesysTarget(options, 600));
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
  const verbose = options.verbose === true;
  /** Only with --verbose: the full plan and apply output. */
  const detail = verbose ? out : () => {};
  const perMinute = 600;
  const { platform } = target;
  const dbOptions = databaseOptions(options.database ?? "./dialrules-demo.db");
  const store = await openStore({ ...dbOptions, outboxEvent: webhookEvent });
  const databaseLocation = dbOptions.sqlitePath ? resolve(dbOptions.sqlitePath) : store.location;
  try {
    const rulesPath = target.rules?.path ?? options.rulesFile ?? DEMO_RULES_FILE;
    const text = target.rules?.text ?? (await readRulesText(rulesPath));
    const file = parseRulesFile(text, rulesPath);
    const what = platform.name === "cxone" ? "skills" : "campaigns";
    out(
      `Simulator (${platform.name}): ${target.url} with ${options.campaigns} seeded ${what}, ${perMinute} requests/min per client. Nothing real is touched.\n`,
    );
    out(`Rules file: ${rulesPath}\n`);
    // built-in rules have no file to open: always shown
    if (target.rules) out(`\n${text.trimEnd()}\n`);
    detail("\n== plan ==\n");
    const plan = await createPlan({
      file,
      sourceText: text,
      platform,
      clock: systemClock,
      capacity: capacityInputs({}, file),
    });
    detail(renderPlanText(plan));
    const rebased = target.edit(plan);
    if (rebased)
      detail(`\n(demo) another writer now changes ${rebased}'s ${target.editNote} behind our back.\n`);
    detail("\n== apply (invalid campaigns are skipped and reported) ==\n");
    const progress = process.stderr.isTTY ? progressReporter(process.stderr) : undefined;
    const { exitCode, result } = await runApply({
      plan,
      platform,
      store,
      clock: systemClock,
      actor: "demo",
      reason: `dialrules demo: move the demo campaigns to the compliant rules of ${target.rules ? `the built-in ${platform.name} demo rules` : "examples/demo.yaml"}`,
      concurrency: 4,
      onConflict: "rebase",
      skipInvalid: true,
      output: "text",
      showPlan: false,
      out: detail,
      observer: progress,
      runId: randomUUID(),
    });
    progress?.end();
    const key = demoAuditKey(dbOptions.sqlitePath);
    const cp = result
      ? await store.audit.checkpoint(key.signer, {
          runId: result.runId,
          actor: "demo",
          platform: platform.name,
        })
      : null;
    if (cp) writeFileSync(key.checkpointFile, `${JSON.stringify(cp, null, 2)}\n`);
    const verify = await store.audit.verify({ trustedKey: key.publicKey });
    if (verbose) {
      out(`\nAudit trail: ${verify.count} record(s), chain ${verify.ok ? "intact" : "BROKEN"}.\n`);
      if (cp) {
        out(
          `Signed checkpoint of seq ${cp.seq} (key ${cp.keyId}, ${key.generated ? "a demo key generated now" : "the demo key"}): ${key.checkpointFile}\n`,
        );
      }
    } else {
      out("\n");
      out(
        renderDemoStory({
          plan,
          result,
          ...(rebased ? { rebased: { id: rebased, what: target.editNote } } : {}),
          audit: { count: verify.count, intact: verify.ok },
          ...(cp ? { checkpoint: { cp, file: key.checkpointFile } } : {}),
        }),
      );
      out("\n");
    }
    out(`SQLite database: ${databaseLocation}\n`);
    out(`Look at it with: dialrules audit list --database ${databaseLocation}\n`);
    out(
      `Verify it against the checkpoint: dialrules audit verify --database ${databaseLocation} --checkpoint ${key.checkpointFile} --public-key ${key.publicKeyFile}\n`,
    );
    if (!verbose) out("The full plan diff and apply table: dialrules demo --verbose\n");
    return { exitCode, plan, result, rebased, databaseLocation, chainIntact: verify.ok };
  } finally {
    await store.close();
    await platform.close();
    await target.stop();
  }
}
