import { randomUUID } from "node:crypto";
import type { Clock } from "../clock/clock.js";
import {
  type ApplyObserver,
  type ApplyResult,
  applyPlan,
  type CampaignResult,
  type ConflictPolicy,
  reconcileInDoubt,
} from "../engine/apply.js";
import type { Plan } from "../engine/plan-types.js";
import type { Platform } from "../platform/platform.js";
import type { Store } from "../store/types.js";
import { EXIT } from "./exit.js";
import { renderApplySummary } from "./render/apply-summary.js";
import { renderPlanText } from "./render/plan-text.js";

export interface ApplyRun {
  plan: Plan;
  platform: Platform;
  store: Store;
  clock: Clock;
  actor: string;
  reason: string;
  concurrency: number;
  onConflict: ConflictPolicy;
  skipInvalid: boolean;
  output: "text" | "json";
  /** Print the plan before applying (the demo prints it itself, earlier). Default true. */
  showPlan?: boolean;
  out: (text: string) => void;
  /** Asks the person to confirm; undefined means confirmed (--yes). */
  confirm?: (question: string) => Promise<boolean>;
  observer?: ApplyObserver;
  stop?: AbortSignal;
  abort?: AbortSignal;
  runId?: string;
  /** Re-read the campaigns the plan calls unchanged before believing it (a saved plan; a prompt answered). */
  recheckUnchanged?: boolean;
}

export interface ApplyRunOutcome {
  exitCode: number;
  result?: ApplyResult;
}

/** Exit code of `apply`: 0 all applied or no-op; 1 anything failed, conflicted or invalid; 130 interrupted. */
export function applyExitCode(result: ApplyResult): number {
  if (result.interrupted) return EXIT.interrupted;
  const c = result.counts;
  const bad = c.failed + c.conflict + c.rejected_locally + c.rejected_by_platform;
  return result.refused || bad > 0 ? EXIT.failed : EXIT.ok;
}

/** The whole of `apply` after a plan exists: show, confirm, write, summarise. */
export async function runApply(run: ApplyRun, reconciled: CampaignResult[] = []): Promise<ApplyRunOutcome> {
  const { plan } = run;
  if (run.output === "text" && run.showPlan !== false) run.out(renderPlanText(plan));
  const invalid = plan.summary.invalid + plan.summary.fileErrors;
  if (invalid > 0 && !run.skipInvalid && run.output === "text") {
    run.out(
      `Refusing to apply: ${plan.summary.invalid} invalid campaign(s)${plan.summary.fileErrors ? ` and ${plan.summary.fileErrors} file error(s)` : ""}; nothing was written. Fix them, or use --skip-invalid to apply only the valid ones.\n`,
    );
  }
  let recheckUnchanged = run.recheckUnchanged === true;
  if (plan.summary.toChange > 0 && (invalid === 0 || run.skipInvalid) && run.confirm) {
    const ok = await run.confirm(`Apply ${plan.summary.toChange} change(s)? [y/N] `);
    if (!ok) {
      run.out("Nothing applied.\n");
      // The file is not what the platform holds and nothing changed that: not a success.
      return { exitCode: EXIT.failed };
    }
    recheckUnchanged = true; // the person may have taken a while to answer
  }
  const result = await applyPlan(
    plan,
    {
      runId: run.runId ?? randomUUID(),
      actor: run.actor,
      reason: run.reason,
      concurrency: run.concurrency,
      // a small change goes out in one round while the platform's bucket has room; under --on-conflict
      // abort only the configured number are in flight when a conflict stops the run
      burstWorkers: run.onConflict !== "abort",
      onConflict: run.onConflict,
      skipInvalid: run.skipInvalid,
      stop: run.stop,
      abort: run.abort,
      recheckUnchanged,
    },
    { platform: run.platform, store: run.store, clock: run.clock, observer: run.observer },
  );
  result.reconciled.push(...reconciled);
  run.out(run.output === "json" ? `${JSON.stringify(result, null, 2)}\n` : renderApplySummary(result));
  return { exitCode: applyExitCode(result), result };
}

export { reconcileInDoubt };
