import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { InputError } from "../../domain/errors.js";
import { LICENSE_TIERS, type LicenseTier, PROFILE_IDS, type ProfileId } from "../../domain/profiles.js";
import { renderExport, selectCampaigns } from "../../engine/rules-export.js";
import { openPlatform } from "../../platform/factory.js";
import { addConnectionOptions, type ConnectionFlags, connectionEnv, platformOption } from "../options.js";

interface ExportFlags extends ConnectionFlags {
  id: string[];
  match?: string;
  all?: boolean;
  output?: string;
  profile: ProfileId[];
  licenseTier?: LicenseTier;
  platform?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerExport(program: Command): void {
  const command = program
    .command("export")
    .description("write today's rules as a rules file (plan on it shows no changes)")
    .option("--id <id>", "a campaign id (repeatable)", collect, [])
    .option("--match <glob>", "campaigns whose name matches")
    .option("--all", "every campaign")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .addOption(
      new Option("--profile <id>", "regulatory profile to put in the file (repeatable)")
        .choices(PROFILE_IDS)
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .addOption(new Option("--license-tier <tier>", "licence tier to put in the file").choices(LICENSE_TIERS))
    .addOption(platformOption());
  addConnectionOptions(command).action(async (flags: ExportFlags) => {
    if (!flags.all && flags.id.length === 0 && !flags.match) {
      throw new InputError(
        "EXPORT_SELECTION",
        "say which campaigns: --id ID (repeatable), --match GLOB or --all",
      );
    }
    const platform = await openPlatform(flags.platform, { env: connectionEnv(flags) });
    try {
      const campaigns = selectCampaigns(await platform.listCampaigns(), {
        ids: flags.id,
        match: flags.match,
        all: flags.all === true,
      });
      const missing = flags.id.filter((id) => !campaigns.some((c) => c.id === id));
      if (missing.length)
        throw new InputError(
          "EXPORT_UNKNOWN_ID",
          `no such campaign on the platform: ${missing.join(", ")}`,
          "id",
        );
      const text = renderExport(campaigns, {
        platform: platform.name,
        exportedAt: new Date().toISOString(),
        profiles: [...new Set(flags.profile)],
        ...(flags.licenseTier ? { licenseTier: flags.licenseTier } : {}),
      });
      if (flags.output) {
        await writeFile(flags.output, text);
        process.stderr.write(`Exported ${campaigns.length} campaign(s) to ${flags.output}\n`);
      } else process.stdout.write(text);
    } finally {
      await platform.close();
    }
  });
}
