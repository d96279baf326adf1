import type { Finding } from "../../domain/findings.js";
import type { Plan, PlannedCampaign } from "../../engine/plan-types.js";
import { formatValue } from "../../render/format-value.js";
import { renderCapacity, renderCapacityInputs } from "./capacity.js";

function findingLine(f: Finding): string {
  const mark = f.severity === "error" ? "✗" : "⚠";
  return `${mark} ${f.code} ${f.path}: ${f.message}${f.citation ? ` [${f.citation}]` : ""}`;
}

function capacityLine(c: PlannedCampaign): string | undefined {
  return c.capacity ? renderCapacity(c.capacity) : undefined;
}

/** Reads like an infrastructure-as-code plan: one block per change or problem, unchanged summarised. */
export function renderPlanText(plan: Plan, options: { showUnchanged?: boolean } = {}): string {
  const lines: string[] = [];
  for (const c of plan.campaigns) {
    if (c.status === "unchanged" && !options.showUnchanged && !c.findings.length) continue;
    const sign = c.status === "invalid" ? "!" : c.status === "change" ? "~" : "=";
    lines.push(
      `${sign} ${c.id}  ${c.name}  (revision ${c.revision})${c.status === "invalid" ? "  INVALID" : ""}`,
    );
    for (const change of c.changes) {
      lines.push(`    ${change.field}: ${formatValue(change.from)} → ${formatValue(change.to)}`);
    }
    for (const f of c.findings) lines.push(`    ${findingLine(f)}`);
    const cap = capacityLine(c);
    if (cap) lines.push(`    ${cap}`);
  }
  const skipped = plan.notManaged ?? [];
  if (skipped.length > 0) {
    lines.push("");
    for (const c of skipped.slice(0, 20)) lines.push(`- ${c.id}  ${c.name}  not managed: ${c.reason}`);
    if (skipped.length > 20) lines.push(`- and ${skipped.length - 20} more campaign(s) not managed`);
  }
  if (plan.findings.length) {
    lines.push("");
    for (const f of plan.findings) lines.push(findingLine(f));
  }
  const inputs = plan.campaigns.find((c) => c.capacity)?.capacity?.inputs;
  if (inputs) lines.push("", renderCapacityInputs(inputs));
  const s = plan.summary;
  if (s.unchanged > 0 && !options.showUnchanged) lines.push(`= ${s.unchanged} campaign(s) unchanged`);
  lines.push("");
  lines.push(
    `Plan: ${s.toChange} to change, ${s.unchanged} unchanged, ${s.invalid} invalid${s.fileErrors ? `, ${s.fileErrors} file error(s)` : ""}.`,
  );
  return `${lines.join("\n")}\n`;
}
