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

/** Who asked for the change a record belongs to and who approved it (canonical identities, from the chain). */
function people(r: AuditRecord): Html | null {
  if (r.requester === undefined && r.approvers === undefined) return null;
  const approvers = r.approvers ?? [];
  return html`<br><span class="hint">requested by ${r.requester ?? "—"}; ${
    approvers.length ? `approved by ${approvers.join(", ")}` : "no approver (low risk or not decided yet)"
  }</span>`;
}

/** The run (every record it wrote), then the change request page, then the people on the record. */
function provenance(r: AuditRecord): Html {
  return html`<a href="/audit?runId=${encodeURIComponent(r.runId)}" title="Every record of this run"><code>${r.runId}</code></a>${
    r.changeId
      ? html`<br>change <a href="/changes/${encodeURIComponent(r.changeId)}"><code>${r.changeId}</code></a>`
      : null
  }${people(r)}`;
}

function row(r: AuditRecord): Html {
  return cells(
    r.seq,
    formatTime(r.time),
    r.actor,
    r.campaignId
      ? html`<a href="/audit?campaignId=${encodeURIComponent(r.campaignId)}">${r.campaignId}</a>${
          r.campaignName ? html`<br><span class="hint">${r.campaignName}</span>` : null
        }`
      : "—",
    html`<span class="${r.outcome === "applied" || r.outcome === "noop" ? "ok" : "bad"}">${words(r.outcome)}</span>`,
    r.diff.length
      ? r.diff.map((d) => html`<code>${d.field}: ${formatValue(d.from)} → ${formatValue(d.to)}</code><br>`)
      : "—",
    r.reason,
    provenance(r),
  );
}

export interface AuditView {
  verify: VerifyResult;
  records: readonly AuditRecord[];
  campaignId: string;
  /** Records of one apply run (or one change's decisions), when the page is filtered by run. */
  runId?: string;
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
${view.campaignId || view.runId ? html`<a href="/audit">Show all records</a>` : null}
</form>
${table(
  view.runId
    ? `Audit records of run ${view.runId}, newest first`
    : view.campaignId
      ? `Audit records of ${view.campaignId}, newest first`
      : "Latest audit records, newest first",
  ["Record", "Time", "Actor", "Campaign", "Outcome", "Changes", "Reason", "Run, change and people"],
  newest.map(row),
  "No audit records.",
)}
${view.earlier ? html`<p><a href="${view.earlier}">Earlier records</a></p>` : null}`,
  );
}
