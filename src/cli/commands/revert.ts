/**
 * `dialrules revert RUN_ID -f POLICY`: a plan that restores the values RUN_ID replaced, validated against the
 * policy of the given rules file (its campaigns are ignored), saved for `apply --plan` — the same path as any
 * change, with the same confirmation, audit records and checkpoint. Campaigns changed since the run are
 * conflicts: listed, left out, exit 1.
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { systemClock } from "../../clock/clock.js";
import { InputError } from "../../domain/errors.js";
import { nestingProblem } from "../../domain/nesting.js";
import { parseRulesValue } from "../../domain/rules-file.js";
import { createPlan } from "../../engine/plan.js";
import { revertTargets } from "../../engine/revert.js";
import { openPlatform } from "../../platform/factory.js";
import { formatValue } from "../../render/format-value.js";
import { EXIT, setExitCode } from "../exit.js";
import {
  addConnectionOptions,
  type ConnectionFlags,
  connectionEnv,
  databaseOption,
  outputFileOption,
  platformOption,
  readRulesText,
} from "../options.js";
import { renderPlanText } from "../render/plan-text.js";
import { type CommandIo, processIo, withStore } from "./audit.js";

interface RevertFlags extends ConnectionFlags {
  file: string;
  output: string;
  platform?: string;
  database?: string;
}

/** The policy part of a rules file (profiles, licence, limits, overrides), without its campaigns. */
async function policyValue(path: string): Promise<Record<string, unknown>> {
  // The same limits as every rules file: size before reading, nesting before parsing.
  const text = await readRulesText(path);
  const deep = nestingProblem(text, path);
  if (deep) throw deep;
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new InputError(
      "FILE_UNREADABLE",
      `cannot read the rules file: ${(err as Error).message}`,
      undefined,
      {
        file: path,
      },
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError("RULES_NOT_A_MAPPING", "the rules file must be a mapping", undefined, {
      file: path,
    });
  }
  const { campaigns: _c, defaults: _d, ...policy } = value as Record<string, unknown>;
  return policy;
}

export function registerRevert(program: Command, io: CommandIo = processIo()): void {
  const command = program
    .command("revert")
    .description(
      "plan the undo of one apply run: restore the values it replaced (campaigns changed since are conflicts, never overwritten); apply with `apply --plan`",
    )
    .argument("<run-id>", "the run to undo (see `dialrules audit list`)")
    .requiredOption(
      "-f, --file <file>",
      "rules file whose policy (profiles, licence, limits) validates the undo",
    )
    .addOption(outputFileOption("where to save the plan").default("revert-plan.json"))
    .addOption(platformOption())
    .addOption(databaseOption());
  addConnectionOptions(command).action(async (runId: string, flags: RevertFlags) => {
    const policy = await policyValue(flags.file);
    const records = await withStore(flags.database, io, (store) => store.audit.list({ runId }));
    if (records.length === 0) {
      throw new InputError(
        "REVERT_UNKNOWN_RUN",
        `no audit records of run ${runId}; see \`dialrules audit list\``,
      );
    }
    const platform = await openPlatform(flags.platform, { env: connectionEnv(flags, io.env) });
    try {
      const campaigns = await platform.listCampaigns();
      const targets = revertTargets(records, new Map(campaigns.map((c) => [c.id, c])));
      for (const c of targets.conflicts) {
        io.err(
          `conflict: ${c.campaignId} ${c.field} was changed since run ${runId} (it wrote ${formatValue(c.runWrote)}, the platform now holds ${formatValue(c.now)}): not reverted\n`,
        );
      }
      for (const id of targets.missing) io.err(`missing: ${id} is no longer on the platform: not reverted\n`);
      const value = {
        ...policy,
        campaigns: [...targets.restore].map(([id, dialingRules]) => ({ id, dialingRules })),
      };
      const sourceText = JSON.stringify(value);
      const plan = await createPlan({
        file: parseRulesValue(value, `revert of run ${runId}`),
        sourceText,
        platform,
        clock: systemClock,
      });
      await writeFile(flags.output, `${JSON.stringify(plan, null, 2)}\n`);
      io.out(renderPlanText(plan));
      io.out(
        `Revert plan of run ${runId}: ${targets.restore.size} campaign(s) to restore, ${targets.conflicts.length} conflict(s). ` +
          `Saved to ${flags.output}; apply it with: dialrules apply --plan ${flags.output} --reason "revert run ${runId}: …"\n`,
      );
      setExitCode(targets.conflicts.length > 0 || targets.missing.length > 0 ? EXIT.failed : EXIT.ok);
    } finally {
      await platform.close();
    }
  });
}
