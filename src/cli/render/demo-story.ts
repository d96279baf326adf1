import type { SignedCheckpoint } from "../../domain/audit-record.js";
import type { ApplyResult } from "../../engine/apply.js";
import type { Plan } from "../../engine/plan-types.js";

export interface DemoStory {
  plan: Plan;
  result?: ApplyResult;
  /** The campaign another writer changed between plan and apply, and what it changed. */
  rebased?: { id: string; what: string };
  audit: { count: number; intact: boolean };
  checkpoint?: { cp: SignedCheckpoint; file: string };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The demo's short output: what happened, in the order it happened — the plan, the campaign refused before
 * any write, the concurrent writer whose change was kept, the audit chain verified and signed. The full
 * diff and apply table are behind `demo --verbose`.
 */
export function renderDemoStory(s: DemoStory): string {
  const { plan, result } = s;
  const lines: string[] = [];
  const p = plan.summary;
  lines.push(
    `1. plan: ${p.toChange} to change, ${p.unchanged} unchanged, ${p.invalid} invalid — the full diff with --verbose`,
  );
  const invalid = plan.campaigns.filter((c) => c.status === "invalid");
  for (const c of invalid) {
    const f = c.findings.find((x) => x.severity === "error");
    lines.push(`   ! ${c.id} ${c.name} INVALID — refused before any write (no request is sent for it):`);
    if (f) lines.push(`     ✗ ${f.code}: ${f.message}${f.citation ? ` [${f.citation}]` : ""}`);
  }
  const notManaged = plan.findings.filter((f) => f.code === "CAMPAIGN_NOT_MANAGED");
  if (notManaged[0]) {
    lines.push(
      `   ${plural(notManaged.length, "matched campaign")} not managed (CAMPAIGN_NOT_MANAGED), e.g. ${notManaged[0].message}`,
    );
  }
  if (s.rebased) {
    lines.push(
      `2. between plan and apply, another writer changes ${s.rebased.id}'s ${s.rebased.what} (a field the rules file leaves alone)`,
    );
  }
  if (result) {
    const c = result.counts;
    const parts = [
      `${c.applied} applied`,
      c.rejected_locally ? `${c.rejected_locally} refused before any write` : "",
      c.rejected_by_platform ? `${c.rejected_by_platform} rejected by the platform` : "",
      c.conflict ? plural(c.conflict, "conflict") : "",
      c.failed ? `${c.failed} failed` : "",
    ].filter(Boolean);
    lines.push(`3. apply (invalid campaigns skipped and reported): ${parts.join(", ")}`);
    for (const r of result.results.filter((x) => x.outcome === "applied" && x.note)) {
      lines.push(`   ${r.id} ${r.name}: applied — ${r.note}; the other writer's change is kept`);
    }
    for (const r of result.results.filter((x) => x.outcome === "conflict" || x.outcome === "failed")) {
      lines.push(`   ${r.id} ${r.name}: ${r.outcome}${r.note ? ` — ${r.note}` : ""}`);
    }
  } else lines.push("3. apply: nothing was applied");
  const cp = s.checkpoint;
  lines.push(
    `4. audit: ${plural(s.audit.count, "record")}, hash chain verified: ${s.audit.intact ? "chain intact" : "chain BROKEN"}` +
      (cp ? `; signed checkpoint of seq ${cp.cp.seq} (key ${cp.cp.keyId}) in ${cp.file}` : ""),
  );
  return `${lines.join("\n")}\n`;
}
