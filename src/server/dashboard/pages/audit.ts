import { formatValue } from "../../../render/format-value.js";
import type { AuditRecord, VerifyResult } from "../../../store/types.js";
import { formatTime, words } from "../format.js";
import { type Html, html } from "../html.js";
import { type PageContext, page } from "../layout.js";
import { cells, table } from "./parts.js";

export function chainStatus(verify: VerifyResult): Html {
  if (verify.ok) {
    return html`<p role="status"><span class="ok">Audit chain intact</span>: ${verify.count} record(s) verified.</p>`;
  }
  const b = verify.firstBroken;
  return html`<div role="alert"><p><span class="bad">Audit chain BROKEN</span> at record ${b.seq} (${b.id}): ${b.problem}.</p>
<p>Records from there on cannot be trusted; keep a copy of the database and investigate before changing anything.</p></div>`;
}

function row(r: AuditRecord): Html {
  return cells(
    r.seq,
    formatTime(r.time),
    r.actor,
    html`${r.campaignId}${r.campaignName ? html`<br><span class="hint">${r.campaignName}</span>` : null}`,
    html`<span class="${r.outcome === "applied" || r.outcome === "noop" ? "ok" : "bad"}">${words(r.outcome)}</span>`,
    r.diff.length
      ? r.diff.map((d) => html`<code>${d.field}: ${formatValue(d.from)} → ${formatValue(d.to)}</code><br>`)
      : "—",
    r.reason,
    html`<code>${r.runId}</code>`,
  );
}

export interface AuditView {
  verify: VerifyResult;
  records: readonly AuditRecord[];
  campaignId: string;
  /** Link to the page before this one (older records), when there is one. */
  earlier?: string;
}

export function auditPage(ctx: PageContext, view: AuditView): string {
  const newest = [...view.records].sort((a, b) => b.seq - a.seq);
  return page(
    ctx,
    "Audit trail",
    html`${chainStatus(view.verify)}
<form method="get" action="/audit" class="actions">
<div><label for="campaignId">Campaign id</label>
<input type="text" id="campaignId" name="campaignId" value="${view.campaignId}" maxlength="100"></div>
<button type="submit">Filter</button>
${view.campaignId ? html`<a href="/audit">Show all campaigns</a>` : null}
</form>
${table(
  view.campaignId
    ? `Audit records of ${view.campaignId}, newest first`
    : "Latest audit records, newest first",
  ["Record", "Time", "Actor", "Campaign", "Outcome", "Changes", "Reason", "Run"],
  newest.map(row),
  "No audit records.",
)}
${view.earlier ? html`<p><a href="${view.earlier}">Earlier records</a></p>` : null}`,
  );
}
