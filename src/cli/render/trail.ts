/** History and as-of answers for people (text, printable HTML) and tools (CSV; JSON is the value itself). */
import { formatValue } from "../../render/format-value.js";
import { csvCell } from "../../store/audit-export.js";
import type { AsOfAnswer } from "../../store/trail.js";
import type { AuditRecord, VerifyResult } from "../../store/types.js";

/** Fields serve-driven changes carry (issue 13); absent on records written by the CLI. */
interface ChangeFields {
  changeId?: string;
  requester?: string;
  approvers?: string[];
}
const changeOf = (r: AuditRecord): ChangeFields => r as AuditRecord & ChangeFields;

function who(r: AuditRecord): string {
  const c = changeOf(r);
  const parts = [`by ${r.actor}`];
  if (c.requester) parts.push(`requested by ${c.requester}`);
  if (c.approvers?.length) parts.push(`approved by ${c.approvers.join(", ")}`);
  if (c.changeId) parts.push(`change ${c.changeId}`);
  return parts.join(", ");
}

export function renderHistoryText(campaignId: string, records: readonly AuditRecord[]): string {
  if (records.length === 0) return `No audit records for ${campaignId}.\n`;
  const lines = [`History of ${campaignId} (${records.length} record(s), oldest first)`, ""];
  for (const r of records) {
    const rev = r.revisionBefore !== undefined ? ` rev ${r.revisionBefore}→${r.revisionAfter ?? "?"}` : "";
    lines.push(`#${r.seq} ${r.time}  ${r.outcome}${rev}  ${who(r)}`);
    lines.push(`    run ${r.runId}: ${r.reason}`);
    for (const d of r.diff) lines.push(`    ${d.field}: ${formatValue(d.from)} → ${formatValue(d.to)}`);
    for (const c of r.conflicts ?? []) {
      lines.push(`    conflict on ${c.field}: ours ${formatValue(c.ours)}, theirs ${formatValue(c.theirs)}`);
    }
    if (r.platformError) lines.push(`    error ${r.platformError.code}: ${r.platformError.message}`);
  }
  return `${lines.join("\n")}\n`;
}

const CSV_COLUMNS: [string, (r: AuditRecord) => unknown][] = [
  ["seq", (r) => r.seq],
  ["time", (r) => r.time],
  ["campaign_id", (r) => r.campaignId],
  ["outcome", (r) => r.outcome],
  ["actor", (r) => r.actor],
  ["requester", (r) => changeOf(r).requester],
  ["approvers", (r) => changeOf(r).approvers?.join(" ")],
  ["change_id", (r) => changeOf(r).changeId],
  ["run_id", (r) => r.runId],
  ["reason", (r) => r.reason],
  ["revision_before", (r) => r.revisionBefore],
  ["revision_after", (r) => r.revisionAfter],
  ["diff", (r) => r.diff],
  ["rules_before", (r) => r.rulesBefore],
  ["rules_after", (r) => r.rulesAfter],
  ["hash", (r) => r.hash],
];

export function recordsCsv(records: readonly AuditRecord[]): string {
  const rows = [CSV_COLUMNS.map(([name]) => name).join(",")];
  for (const r of records) rows.push(CSV_COLUMNS.map(([, get]) => csvCell(get(r))).join(","));
  return `${rows.join("\r\n")}\r\n`;
}

function verifyLine(verify: VerifyResult): string {
  if (!verify.ok) return `Chain BROKEN at seq ${verify.firstBroken.seq}: ${verify.firstBroken.problem}`;
  const cp = verify.checkpoints;
  const signed = cp?.stored
    ? `; ${cp.stored} signed checkpoint(s) verified ${cp.trustedKey ? "with the trusted key" : "with the key each carries"}`
    : "; no signed checkpoints";
  return `Chain intact (${verify.count} records)${signed}`;
}

function coverage(a: AsOfAnswer): string {
  if (!a.proof) return "";
  return a.coveredBy
    ? `Record seq ${a.proof.seq} is covered by the checkpoint of seq ${a.coveredBy.seq} signed ${a.coveredBy.time} by key ${a.coveredBy.keyId}.`
    : `No signed checkpoint covers record seq ${a.proof.seq} yet.`;
}

export function renderAsOfText(a: AsOfAnswer, verify: VerifyResult): string {
  const lines = [`Rules of ${a.campaignId} in force at ${a.time}:`];
  if (a.rules) {
    for (const [field, value] of Object.entries(a.rules)) lines.push(`  ${field}: ${formatValue(value)}`);
    if (a.revision !== undefined) lines.push(`  (platform revision ${a.revision})`);
  } else lines.push("  unknown");
  lines.push(`Basis: ${a.basis}.`, verifyLine(verify));
  const cov = coverage(a);
  if (cov) lines.push(cov);
  lines.push("", renderHistoryText(a.campaignId, a.records).trimEnd());
  return `${lines.join("\n")}\n`;
}

export function asOfJson(a: AsOfAnswer, verify: VerifyResult): string {
  return `${JSON.stringify({ ...a, verification: verify }, null, 2)}\n`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained page a compliance officer can print: no scripts, no external resources. */
export function renderAsOfHtml(a: AsOfAnswer, verify: VerifyResult, generatedAt: string): string {
  const e = (v: unknown) => escapeHtml(typeof v === "string" ? v : formatValue(v));
  const rules = a.rules
    ? Object.entries(a.rules)
        .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`)
        .join("")
    : `<tr><td colspan="2">unknown</td></tr>`;
  const rows = a.records
    .map((r) => {
      const c = changeOf(r);
      const diff = r.diff.map((d) => `${e(d.field)}: ${e(d.from)} → ${e(d.to)}`).join("<br>");
      return `<tr${r.seq === a.proof?.seq ? ' class="proof"' : ""}><td>${r.seq}</td><td>${e(r.time)}</td><td>${e(r.outcome)}</td><td>${e(r.actor)}</td><td>${e(c.requester ?? "")}</td><td>${e(c.approvers?.join(", ") ?? "")}</td><td>${e(r.reason)}</td><td>${diff}</td><td class="hash">${e(r.hash)}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rules of ${e(a.campaignId)} at ${e(a.time)}</title>
<style>body{font:11pt system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}.proof{background:#eef}.hash{font:8pt monospace;word-break:break-all}@media print{body{margin:0}}</style>
</head><body>
<h1>Dialing rules of campaign ${e(a.campaignId)} in force at ${e(a.time)}</h1>
<table><caption>Rules in force</caption>${rules}</table>
<p><strong>Basis:</strong> ${e(a.basis)}${a.revision !== undefined ? ` (platform revision ${a.revision})` : ""}.</p>
<p><strong>Verification:</strong> ${e(verifyLine(verify))}. ${e(coverage(a))}</p>
<table><caption>Audit records of ${e(a.campaignId)} up to ${e(a.time)}</caption>
<thead><tr><th>seq</th><th>time</th><th>outcome</th><th>actor</th><th>requester</th><th>approvers</th><th>reason</th><th>changes</th><th>hash</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>Generated ${e(generatedAt)} by dialrules. Each record's hash is SHA-256 over its canonical JSON (docs/audit.md); re-check with <code>dialrules audit verify</code>.</p>
</body></html>
`;
}
