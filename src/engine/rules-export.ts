import picomatch from "picomatch";
import { stringify } from "yaml";
import type { LicenseTier, ProfileId } from "../domain/profiles.js";
import type { Campaign, DialingRules, PartialRules } from "../domain/rules.js";

export interface ExportSelection {
  ids: string[];
  match?: string;
  all: boolean;
}

export interface ExportHeader {
  platform: string;
  exportedAt: string;
  profiles: ProfileId[];
  licenseTier?: LicenseTier;
}

/** The campaigns an export covers: --all, or the union of --id and --match, in id order. */
export function selectCampaigns(campaigns: readonly Campaign[], selection: ExportSelection): Campaign[] {
  const isMatch = selection.match ? picomatch(selection.match) : undefined;
  const ids = new Set(selection.ids);
  return campaigns
    .filter((c) => selection.all || ids.has(c.id) || isMatch?.(c.name) === true)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** A method the platform cannot tell cannot be written down as one: it is left unmanaged. */
function exportable(rules: DialingRules): PartialRules {
  if (typeof rules.dialingMethod === "string") return rules;
  const { dialingMethod: _unknown, ...rest } = rules;
  return rest;
}

export type RulesExportFormat = "yaml" | "json";

/**
 * Today's rules as a rules file: one `id` entry per campaign with all four fields (the dialing method only
 * when the platform can tell it), so `plan` on it shows "no changes". Profiles and licence tier are not platform data; they come from flags.
 * YAML starts with a comment saying where it came from; JSON has no comments, so it is the document alone.
 */
export function renderExport(
  campaigns: readonly Campaign[],
  header: ExportHeader,
  format: RulesExportFormat = "yaml",
): string {
  const doc: Record<string, unknown> = { profiles: header.profiles };
  if (header.licenseTier) doc.licenseTier = header.licenseTier;
  doc.campaigns = campaigns.map((c) => ({ id: c.id, dialingRules: exportable(c.dialingRules) }));
  if (format === "json") return `${JSON.stringify(doc, null, 2)}\n`;
  const intro = [
    `# Exported by dialrules from the ${header.platform} platform at ${header.exportedAt}.`,
    `# ${campaigns.length} campaign(s); names: ${campaigns
      .slice(0, 5)
      .map((c) => c.name)
      .join(", ")}${campaigns.length > 5 ? ", …" : ""}`,
  ];
  return `${intro.join("\n")}\n${stringify(doc, { flowCollectionPadding: false, lineWidth: 0 })}`;
}
