import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { systemClock } from "../../clock/clock.js";
import { createPlan } from "../../engine/plan.js";
import type { Plan } from "../../engine/plan-types.js";
import { openPlatform } from "../../platform/factory.js";
import { EXIT, setExitCode } from "../exit.js";
import {
  addCapacityOptions,
  addConnectionOptions,
  type CapacityFlags,
  type ConnectionFlags,
  capacityInputs,
  connectionEnv,
  loadRulesFile,
  outputOption,
  platformOption,
} from "../options.js";
import { renderPlanText } from "../render/plan-text.js";

interface PlanFlags extends CapacityFlags, ConnectionFlags {
  file: string;
  output: "text" | "json";
  detailedExitcode?: boolean;
  out?: string;
  platform?: string;
  showUnchanged?: boolean;
}

/** Exit code of `plan`: 1 when anything is invalid; with --detailed-exitcode 2 means "changes to apply". */
export function planExitCode(plan: Plan, detailed: boolean): number {
  if (plan.summary.invalid > 0 || plan.summary.fileErrors > 0) return EXIT.failed;
  return detailed && plan.summary.toChange > 0 ? 2 : EXIT.ok;
}

export function registerPlan(program: Command): void {
  const command = program
    .command("plan")
    .description("show what apply would change, validated against the profiles, without writing anything")
    .requiredOption("-f, --file <file>", "rules file (YAML or JSON)")
    .addOption(outputOption())
    .option(
      "--detailed-exitcode",
      "exit 0 when nothing changes, 2 when there are changes, 1 on invalid campaigns",
    )
    .option("--out <plan.json>", "save the plan (with each campaign's revision) for `apply --plan`")
    .option("--show-unchanged", "list unchanged campaigns too")
    .addOption(platformOption());
  addConnectionOptions(addCapacityOptions(command)).action(async (flags: PlanFlags) => {
    const { file, text } = await loadRulesFile(flags.file);
    const platform = await openPlatform(flags.platform, { env: connectionEnv(flags) });
    try {
      const plan = await createPlan({
        file,
        sourceText: text,
        platform,
        clock: systemClock,
        capacity: capacityInputs(flags, file),
      });
      if (flags.out) await writeFile(flags.out, `${JSON.stringify(plan, null, 2)}\n`);
      process.stdout.write(
        flags.output === "json" ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan, flags),
      );
      if (flags.out && flags.output === "text")
        process.stdout.write(`Saved to ${flags.out}; apply it with: dialrules apply --plan ${flags.out}\n`);
      setExitCode(planExitCode(plan, flags.detailedExitcode === true));
    } finally {
      await platform.close();
    }
  });
}
