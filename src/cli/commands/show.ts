/** `dialrules show ID`: today's rules on the platform, their compliance against a policy, the last changes. */
import type { Command } from "commander";
import { isCampaignOutcome } from "../../domain/audit-record.js";
import { policyFromFile } from "../../domain/policy.js";
import { validateRules } from "../../domain/validate.js";
import { openPlatform } from "../../platform/factory.js";
import { formatValue } from "../../render/format-value.js";
import { EXIT, setExitCode } from "../exit.js";
import {
  addConnectionOptions,
  type ConnectionFlags,
  connectionEnv,
  databaseOption,
  formatOption,
  loadRulesFile,
  platformOption,
} from "../options.js";
import { renderHistoryText } from "../render/trail.js";
import { type CommandIo, processIo, withStore } from "./audit.js";

interface ShowFlags extends ConnectionFlags {
  file?: string;
  format: "text" | "json";
  last: number;
  platform?: string;
  database?: string;
}

export function registerShow(program: Command, io: CommandIo = processIo()): void {
  const command = program
    .command("show")
    .description(
      "today's rules of one campaign on the platform, their compliance against a policy, the last changes",
    )
    .argument("<id>", "campaign id")
    .option("-f, --file <file>", "rules file whose policy (profiles, licence, limits) to check against")
    .addOption(formatOption())
    .option("--last <n>", "how many recorded changes to show", (v) => Number.parseInt(v, 10), 5)
    .addOption(platformOption())
    .addOption(databaseOption());
  addConnectionOptions(command).action(async (id: string, flags: ShowFlags) => {
    const policy = flags.file ? policyFromFile((await loadRulesFile(flags.file)).file) : undefined;
    const records = (await withStore(flags.database, io, (store) => store.audit.list({ campaignId: id })))
      .filter((r) => isCampaignOutcome(r.outcome))
      .slice(-Math.max(1, flags.last));
    const platform = await openPlatform(flags.platform, { env: connectionEnv(flags, io.env) });
    try {
      const campaign = await platform.getCampaign(id);
      const findings = policy ? validateRules(campaign.dialingRules, policy) : undefined;
      if (flags.format === "json") {
        io.out(`${JSON.stringify({ campaign, findings, lastChanges: records }, null, 2)}\n`);
      } else {
        const lines = [`${campaign.id} ${campaign.name} (revision ${campaign.revision}) on ${platform.name}`];
        for (const [field, value] of Object.entries(campaign.dialingRules)) {
          lines.push(`  ${field}: ${formatValue(value)}`);
        }
        if (!findings) lines.push("Compliance: not checked (pass -f RULES for the policy to check against)");
        else if (findings.length === 0) lines.push("Compliance: meets the policy");
        else {
          lines.push("Compliance:");
          for (const f of findings) lines.push(`  ${f.severity} ${f.code} ${f.path}: ${f.message}`);
        }
        io.out(`${lines.join("\n")}\n\n${renderHistoryText(id, records)}`);
      }
      setExitCode(findings?.some((f) => f.severity === "error") ? EXIT.failed : EXIT.ok);
    } finally {
      await platform.close();
    }
  });
}
