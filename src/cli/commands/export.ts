import { writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { type Command, Option } from "commander";
import { DialrulesError, InputError } from "../../domain/errors.js";
import { LICENSE_TIERS, type LicenseTier, PROFILE_IDS, type ProfileId } from "../../domain/profiles.js";
import { type RulesExportFormat, renderExport, selectCampaigns } from "../../engine/rules-export.js";
import {
  addConnectionOptions,
  type ConnectionFlags,
  connectionEnv,
  outputFileOption,
  platformOption,
} from "../options.js";
import { openReadingPlatform } from "../rate-budget.js";

interface ExportFlags extends ConnectionFlags {
  id: string[];
  match?: string;
  all?: boolean;
  output?: string;
  format?: RulesExportFormat;
  profile: ProfileId[];
  licenseTier?: LicenseTier;
  platform?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const BY_EXTENSION: Record<string, RulesExportFormat> = { ".json": "json", ".yaml": "yaml", ".yml": "yaml" };

/**
 * --format when given, else the extension of -o FILE (.json, .yaml, .yml), else YAML. A --format that
 * contradicts the file's extension is refused rather than writing YAML into one.json.
 */
export function exportFormat(
  format: RulesExportFormat | undefined,
  output: string | undefined,
): RulesExportFormat {
  const fromName = output === undefined ? undefined : BY_EXTENSION[extname(output).toLowerCase()];
  if (format !== undefined && fromName !== undefined && format !== fromName) {
    throw new InputError(
      "EXPORT_FORMAT_MISMATCH",
      `--format ${format} contradicts the file name ${output}; drop --format or name the file *.${format}`,
      "format",
    );
  }
  return format ?? fromName ?? "yaml";
}

export function registerExport(program: Command): void {
  const command = program
    .command("export")
    .description("write today's rules as a rules file (plan on it shows no changes)")
    .option("--id <id>", "a campaign id (repeatable)", collect, [])
    .option("--match <glob>", "campaigns whose name matches (exit 1 when none does)")
    .option("--all", "every campaign")
    .addOption(
      outputFileOption("write to this file instead of standard output (.json: JSON, .yaml/.yml: YAML)"),
    )
    .addOption(
      new Option(
        "--format <format>",
        "file format (default: from the -o file's extension, else yaml)",
      ).choices(["yaml", "json"]),
    )
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
    const format = exportFormat(flags.format, flags.output);
    const { platform, close } = await openReadingPlatform(flags.platform, connectionEnv(flags));
    try {
      const all = await platform.listCampaigns();
      const campaigns = selectCampaigns(all, {
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
      if (flags.match && selectCampaigns(all, { ids: [], match: flags.match, all: false }).length === 0) {
        // An empty file would look like a successful export of nothing.
        throw new DialrulesError(
          "EXPORT_NO_MATCH",
          `no campaign name on the ${platform.name} platform matches --match "${flags.match}" (${all.length} campaign(s) looked at); nothing was exported`,
          "match",
        );
      }
      const text = renderExport(
        campaigns,
        {
          platform: platform.name,
          exportedAt: new Date().toISOString(),
          profiles: [...new Set(flags.profile)],
          ...(flags.licenseTier ? { licenseTier: flags.licenseTier } : {}),
        },
        format,
      );
      if (flags.output) {
        await writeFile(flags.output, text);
        process.stderr.write(`Exported ${campaigns.length} campaign(s) to ${flags.output} (${format})\n`);
      } else process.stdout.write(text);
    } finally {
      await close();
    }
  });
}
