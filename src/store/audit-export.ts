/** Audit export formats: JSON Lines (canonical JSON, re-hashable by an auditor) and CSV (RFC 4180). */
import { canonicalJson } from "./canonical.js";
import type { AuditRecord, AuditStore } from "./types.js";

export type ExportFormat = "jsonl" | "csv";

const CSV_COLUMNS: { name: string; get: (r: AuditRecord) => unknown }[] = [
  { name: "seq", get: (r) => r.seq },
  { name: "id", get: (r) => r.id },
  { name: "time", get: (r) => r.time },
  { name: "run_id", get: (r) => r.runId },
  { name: "actor", get: (r) => r.actor },
  { name: "reason", get: (r) => r.reason },
  { name: "platform", get: (r) => r.platform },
  { name: "campaign_id", get: (r) => r.campaignId },
  { name: "campaign_name", get: (r) => r.campaignName },
  { name: "outcome", get: (r) => r.outcome },
  { name: "write_mode", get: (r) => r.writeMode },
  { name: "revision_before", get: (r) => r.revisionBefore },
  { name: "revision_after", get: (r) => r.revisionAfter },
  { name: "latency_ms", get: (r) => r.latencyMs },
  { name: "request_id", get: (r) => r.requestId },
  { name: "diff", get: (r) => r.diff },
  { name: "findings", get: (r) => r.findings },
  { name: "rules_before", get: (r) => r.rulesBefore },
  { name: "rules_after", get: (r) => r.rulesAfter },
  { name: "platform_error", get: (r) => r.platformError },
  { name: "conflicts", get: (r) => r.conflicts },
  { name: "overrides", get: (r) => r.overrides },
  { name: "prev_hash", get: (r) => r.prevHash },
  { name: "hash", get: (r) => r.hash },
];

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "object" ? canonicalJson(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvHeader = (): string => `${CSV_COLUMNS.map((c) => c.name).join(",")}\r\n`;
export const csvRow = (r: AuditRecord): string =>
  `${CSV_COLUMNS.map((c) => csvCell(c.get(r))).join(",")}\r\n`;
export const jsonlRow = (r: AuditRecord): string => `${canonicalJson(r)}\n`;

/** Streams the whole log in seq order, a page at a time, so exports of millions of rows stay flat in memory. */
export async function exportAudit(
  audit: AuditStore,
  format: ExportFormat,
  write: (chunk: string) => Promise<void> | void,
  pageSize = 1000,
): Promise<number> {
  if (format === "csv") await write(csvHeader());
  let afterSeq = 0;
  let count = 0;
  for (;;) {
    const page = await audit.list({ afterSeq, limit: pageSize });
    if (page.length === 0) break;
    await write(page.map(format === "csv" ? csvRow : jsonlRow).join(""));
    count += page.length;
    afterSeq = (page[page.length - 1] as AuditRecord).seq;
    if (page.length < pageSize) break;
  }
  return count;
}
