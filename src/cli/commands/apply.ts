import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { type Command, Option } from "commander";
import { systemClock } from "../../clock/clock.js";
import { InputError } from "../../domain/errors.js";
import { createPlan } from "../../engine/plan.js";
import type { Plan } from "../../engine/plan-types.js";
import { openPlatform } from "../../platform/factory.js";
import { databaseOptions, openStore } from "../../store/open-store.js";
import { webhookEvent } from "../../webhook/events.js";
import { reconcileInDoubt, runApply } from "../apply-run.js";
import { auditSigner, checkpointRun } from "../audit-key.js";
import { EXIT, setExitCode } from "../exit.js";
import {
  addCapacityOptions,
  addConnectionOptions,
  type CapacityFlags,
  type ConnectionFlags,
  capacityInputs,
  connectionEnv,
  databaseOption,
  defaultActor,
  formatOption,
  loadRulesFile,
  platformOption,
  positiveInt,
} from "../options.js";
import { progressReporter } from "../progress.js";
import { storeLimiters } from "../rate-budget.js";
import { bothObservers, deliverWebhooks, knownSecrets, runMetrics } from "../run-wiring.js";

interface ApplyFlags extends CapacityFlags, ConnectionFlags {
  file?: string;
  plan?: string;
  yes?: boolean;
  concurrency: number;
  reason?: string;
  actor?: string;
  onConflict: "abort" | "rebase" | "overwrite";
  skipInvalid?: boolean;
  format: "text" | "json";
  platform?: string;
  database?: string;
  metricsFile?: string;
}

async function loadSavedPlan(path: string): Promise<Plan> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new InputError(
      "PLAN_UNREADABLE",
      `cannot read the saved plan: ${(err as Error).message}`,
      undefined,
      { file: path },
    );
  }
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    (parsed as { format?: unknown }).format !== "dialrules-plan/1"
  ) {
    throw new InputError(
      "PLAN_FORMAT",
      "not a dialrules plan (expected format dialrules-plan/1); create one with `dialrules plan -f RULES -o plan.json`",
      "format",
      { file: path },
    );
  }
  return parsed as Plan;
}

/** Ctrl-C once: finish the writes in flight and stop. Twice: abort them (they stay in the journal as in doubt). */
function interruptSignals(): { stop: AbortController; abort: AbortController; dispose(): void } {
  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      process.stderr.write("\nStopping after the writes in flight (Ctrl-C again to abort them)…\n");
      stop.abort();
    } else abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    stop,
    abort,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

export function registerApply(program: Command): void {
  const command = program
    .command("apply")
    .description("write the planned changes: validated first, conflict-safe, journaled and audited")
    .option("-f, --file <file>", "rules file (YAML or JSON); plans afresh")
    .option("--plan <plan.json>", "a plan saved by `plan -o FILE`; writes are conditional on its revisions")
    .option("-y, --yes", "do not ask for confirmation")
    .option(
      "--concurrency <n>",
      "campaigns written in parallel (all share one rate limiter); more, up to 64, while the platform states room in its budget (not with --on-conflict abort)",
      positiveInt,
      4,
    )
    .option("--reason <text>", "why this change is made (required; goes into every audit record)")
    .option("--actor <name>", "who makes the change (env DIALRULES_ACTOR, default the OS user)")
    .addOption(
      new Option(
        "--on-conflict <policy>",
        "when another writer changed a field the rules file declares: abort (stop the whole run at the first conflict; campaigns not yet attempted are listed), rebase (report that campaign as a conflict, go on with the others), overwrite (write ours: last writer wins)",
      )
        .choices(["abort", "rebase", "overwrite"])
        .default("rebase"),
    )
    .option("--skip-invalid", "apply the valid campaigns and report the invalid ones")
    .option("--metrics-file <file>", "write Prometheus metrics of this run to a file")
    .addOption(formatOption())
    .addOption(platformOption())
    .addOption(databaseOption());
  addConnectionOptions(addCapacityOptions(command)).action(async (flags: ApplyFlags) => {
    if ((flags.file === undefined) === (flags.plan === undefined)) {
      throw new InputError("APPLY_SOURCE", "give exactly one of -f FILE or --plan plan.json");
    }
    if (!flags.reason?.trim()) {
      throw new InputError(
        "APPLY_REASON",
        'apply needs --reason "…": it is written into every audit record',
        "reason",
      );
    }
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
    if (!flags.yes && !interactive) {
      throw new InputError("APPLY_CONFIRM", "not a terminal: pass --yes to apply without confirmation");
    }
    const loaded = flags.file ? await loadRulesFile(flags.file) : undefined;
    const saved = flags.plan ? await loadSavedPlan(flags.plan) : undefined;
    const signer = auditSigner(); // a bad key file stops the run before anything is written
    const store = await openStore({
      outboxEvent: webhookEvent,
      ...databaseOptions(flags.database),
      secrets: knownSecrets(connectionEnv(flags)),
    });
    const run = runMetrics(store);
    const platform = await openPlatform(flags.platform, {
      env: connectionEnv(flags),
      observer: run.metrics.httpObserver(),
      createLimiter: storeLimiters(store, run.metrics.httpObserver()),
    }).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
    const signals = interruptSignals();
    const progress = flags.format === "text" ? progressReporter(process.stderr) : undefined;
    try {
      const actor = flags.actor ?? defaultActor();
      // Settle what an interrupted earlier run left in doubt before planning, so the plan sees the truth.
      const reconciled = await reconcileInDoubt(
        { platform, store, clock: systemClock },
        actor,
        signals.abort.signal,
      );
      const plan =
        saved ??
        (await createPlan({
          file: loaded!.file,
          sourceText: loaded!.text,
          platform,
          clock: systemClock,
          capacity: capacityInputs(flags, loaded!.file),
        }));
      const { exitCode, result } = await runApply(
        {
          plan,
          platform,
          store,
          clock: systemClock,
          actor,
          reason: flags.reason,
          concurrency: flags.concurrency,
          onConflict: flags.onConflict,
          skipInvalid: flags.skipInvalid === true,
          output: flags.format,
          out: (t) => process.stdout.write(t),
          confirm: flags.yes ? undefined : askYesNo,
          // A saved plan may be old: what it calls unchanged is read again before it is believed.
          recheckUnchanged: saved !== undefined,
          observer: bothObservers(progress, run.observer),
          stop: signals.stop.signal,
          abort: signals.abort.signal,
        },
        reconciled,
      );
      progress?.end();
      if (result) {
        await checkpointRun(store, signer, { runId: result.runId, actor, platform: platform.name }, (t) =>
          process.stderr.write(t),
        );
      }
      await deliverWebhooks(store, run.metrics, (t) => process.stderr.write(t));
      if (flags.metricsFile) await run.metrics.writeToFile(flags.metricsFile);
      setExitCode(exitCode);
    } finally {
      signals.dispose();
      run.dispose();
      await store.close();
      await platform.close();
    }
  });
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export { EXIT };
