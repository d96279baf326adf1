import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { systemClock } from "../../clock/clock.js";
import { createPlan } from "../../engine/plan.js";
import type { Plan } from "../../engine/plan-types.js";
import { EXIT, setExitCode } from "../exit.js";
import {
  addCapacityOptions,
  addConnectionOptions,
  type CapacityFlags,
  type ConnectionFlags,
  capacityInputs,
  connectionEnv,
  formatOption,
  loadRulesFile,
  outputFileOption,
  outputPath,
  platformOption,
} from "../options.js";
import { openReadingPlatform } from "../rate-budget.js";
import { renderPlanText } from "../render/plan-text.js";

interface PlanFlags extends CapacityFlags, ConnectionFlags {
  file: string;
  format: "text" | "json";
  detailedExitcode?: boolean;
  output?: string;
  /** Deprecated spelling of --output. */
  out?: string;
  platform?: string;
  showUnchanged?: boolean;
}

/** Exit code of `plan`: 1 when anything is invalid; with --detailed-exitcode 2 means "changes to apply". */
export function planExitCode(plan: Plan, detailed: boolean): number {
  if (plan.summary.invalid > 0 || plan.summary.fileErrors > 0) return EXIT.failed;
  return detailed && plan.summary.toChange > 0 ? 2 : EXIT.ok;
}

/** What to do with a saved plan: apply it when it is clean; fix it first when anything in it is invalid. */
export function savedPlanAdvice(plan: Plan, path: string): string {
  const { invalid, fileErrors } = plan.summary;
  if (invalid === 0 && fileErrors === 0)
    return `Saved to ${path}; apply it with: dialrules apply --plan ${path}\n`;
  const problems = [
    invalid ? `${invalid} invalid campaign(s) (marked ! above)` : "",
    fileErrors ? `${fileErrors} file error(s)` : "",
  ]
    .filter(Boolean)
    .join(" and ");
  return (
    `Saved to ${path}, but it has ${problems}: as saved, apply would refuse it. ` +
    "Fix the rules file and plan again; or, to write only the valid campaigns and report the others, " +
    "add --skip-invalid when you apply it.\n"
  );
}

export function registerPlan(program: Command): void {
  const command = program
    .command("plan")
    .description("show what apply would change, validated against the profiles, without writing anything")
    .requiredOption("-f, --file <file>", "rules file (YAML or JSON)")
    .addOption(formatOption())
    .option(
      "--detailed-exitcode",
      "exit 0 when nothing changes, 2 when there are changes, 1 on invalid campaigns",
    )
    .addOption(outputFileOption("save the plan (with each campaign's revision) for `apply --plan`"))
    .addOption(
      new Option("--out <file>", "deprecated spelling of -o/--output").argParser(outputPath).hideHelp(),
    )
    .option("--show-unchanged", "list unchanged campaigns too")
    .addOption(platformOption());
  addConnectionOptions(addCapacityOptions(command)).action(async (flags: PlanFlags) => {
    const { file, text } = await loadRulesFile(flags.file);
    const { platform, close } = await openReadingPlatform(flags.platform, connectionEnv(flags));
    try {
      const plan = await createPlan({
        file,
        sourceText: text,
        platform,
        clock: systemClock,
        capacity: capacityInputs(flags, file),
      });
      const saveTo = flags.output ?? flags.out;
      if (saveTo) await writeFile(saveTo, `${JSON.stringify(plan, null, 2)}\n`);
      process.stdout.write(
        flags.format === "json" ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan, flags),
      );
      if (saveTo && flags.format === "text") process.stdout.write(savedPlanAdvice(plan, saveTo));
      setExitCode(planExitCode(plan, flags.detailedExitcode === true));
    } finally {
      await close();
    }
  });
}
