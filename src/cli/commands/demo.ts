import { type Command, Option } from "commander";
import { runDemo } from "../demo-run.js";
import { setExitCode } from "../exit.js";
import { positiveInt } from "../options.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "run plan and apply of examples/demo.yaml against a built-in simulator; needs no configuration",
    )
    .option("--database <path>", "SQLite file for the audit trail", "./dialrules-demo.db")
    .option("--campaigns <n>", "campaigns the simulator seeds", positiveInt, 200)
    .option("-f, --file <file>", "another rules file to run instead of examples/demo.yaml")
    .option("--verbose", "print the full plan diff and apply table, not only what happened")
    .addOption(
      new Option(
        "--platform <name>",
        "simulator mode and driver: v2 (tutorial contract), cxone (NICE CXone skills) or genesys (Genesys Cloud campaigns)",
      )
        .choices(["v2", "cxone", "genesys"])
        .default("v2"),
    )
    .action(
      async (flags: {
        database: string;
        campaigns: number;
        file?: string;
        platform: "v2" | "cxone" | "genesys";
        verbose?: boolean;
      }) => {
        const outcome = await runDemo({
          platform: flags.platform,
          database: flags.database,
          campaigns: flags.campaigns,
          rulesFile: flags.file,
          verbose: flags.verbose === true,
          out: (t) => process.stdout.write(t),
        });
        // v2: the demo's invalid campaign is expected, success means everything valid was applied. cxone
        // runs rules that are valid for every skill, so an invalid or rejected campaign is a failure too.
        const r = outcome.result?.counts;
        const strict = flags.platform === "cxone";
        const ok =
          r !== undefined &&
          r.failed === 0 &&
          r.conflict === 0 &&
          outcome.chainIntact &&
          (!strict ||
            (outcome.plan.summary.invalid === 0 && r.rejected_locally === 0 && r.rejected_by_platform === 0));
        setExitCode(ok ? 0 : 1);
      },
    );
}
