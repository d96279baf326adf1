import type { ApplyResult } from "../../engine/apply.js";
import { formatValue } from "../../render/format-value.js";
import { withCliAdvice } from "../advice.js";

/** The closing table of `apply`: counts per outcome, then every campaign that needs a person's eyes. */
export function renderApplySummary(result: ApplyResult): string {
  const lines: string[] = [""];
  for (const r of result.reconciled) {
    lines.push(`reconciled ${r.id}: ${r.outcome}${r.note ? ` — ${r.note}` : ""}`);
  }
  const notable = result.results.filter((r) => r.outcome !== "noop" && r.outcome !== "applied");
  for (const r of notable) {
    lines.push(`${r.outcome.padEnd(20)} ${r.id}  ${r.name}${r.note ? ` — ${r.note}` : ""}`);
    for (const c of r.conflicts) {
      lines.push(
        `    ${c.field}: ours ${formatValue(c.ours)}, theirs ${formatValue(c.theirs)} (planned from ${formatValue(c.base)})`,
      );
    }
    if (r.error) lines.push(`    ${r.error.code}: ${withCliAdvice(r.error.code, r.error.message)}`);
    for (const f of r.findings.filter((x) => x.severity === "error")) {
      lines.push(`    ✗ ${f.code} ${f.path}: ${f.message}${f.citation ? ` [${f.citation}]` : ""}`);
    }
  }
  const rebased = result.results.filter((r) => r.outcome === "applied" && r.note);
  for (const r of rebased) lines.push(`applied              ${r.id}  ${r.name} — ${r.note}`);
  lines.push("");
  lines.push("outcome               campaigns");
  for (const [outcome, n] of Object.entries(result.counts)) {
    if (n > 0) lines.push(`${outcome.padEnd(22)}${n}`);
  }
  lines.push("");
  if (result.notAttempted.length > 0) {
    const why = result.abortedOnConflict ? "--on-conflict abort stopped the run" : "the run was stopped";
    lines.push(`${why}: ${result.notAttempted.length} campaign(s) not attempted:`);
    for (const c of result.notAttempted) lines.push(`    ${c.id}  ${c.name}`);
    lines.push("");
  }
  const state = result.interrupted
    ? "Interrupted: re-run the same command to finish; nothing will be applied twice."
    : result.refused
      ? "Nothing was written."
      : "Done.";
  lines.push(`${state} Run id ${result.runId}.`);
  return `${lines.join("\n")}\n`;
}
