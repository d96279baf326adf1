import type { Finding } from "../../../domain/findings.js";
import { CAMPAIGN_STATUSES, DIALING_METHODS } from "../../../domain/rules.js";
import { formatValue } from "../../../render/format-value.js";
import type { CampaignPage, CampaignQuery, CampaignView } from "../../contract.js";
import { formatTime, percent, words } from "../format.js";
import { type Html, html } from "../html.js";
import { type PageContext, page } from "../layout.js";
import { cells, findingList, table } from "./parts.js";

/** The findings folded away behind their count, so one campaign cannot fill the screen. */
function foldedFindings(findings: readonly Finding[], label: string): Html | null {
  if (!findings.length) return null;
  return html`<details class="findings"><summary>${label}</summary>${findingList(findings)}</details>`;
}

function compliance(v: CampaignView): Html {
  const errors = v.findings.filter((f) => f.severity === "error").length;
  const warnings = v.findings.length - errors;
  if (v.compliant) {
    return html`<span class="ok">Compliant</span>${foldedFindings(v.findings, `${warnings} warning(s)`)}`;
  }
  return html`<span class="bad">Not compliant</span>${foldedFindings(
    v.findings,
    `${errors} problem(s)${warnings ? `, ${warnings} warning(s)` : ""}`,
  )}`;
}

function row(v: CampaignView): Html {
  const c = v.campaign;
  const r = c.dialingRules;
  const last = v.lastAudit;
  return cells(
    html`${c.id}<br><span class="hint">${c.name}</span>`,
    c.status,
    formatValue(r.dialingMethod),
    r.maxCallsPerAgent,
    `${r.retrySettings.maxAttempts} at ${r.retrySettings.intervalMinutes.join(", ")} min`,
    `${percent(r.abandonmentRateThreshold.maxRate)}, cool-down ${r.abandonmentRateThreshold.coolDownSec} s`,
    compliance(v),
    last
      ? html`<a href="/audit?campaignId=${encodeURIComponent(c.id)}">${formatTime(last.time)}: ${words(last.outcome)} by ${last.actor}</a>`
      : "—",
  );
}

/** `/campaigns?…` for this query with some fields replaced; empty fields and page 1 are left out. */
export function campaignsHref(query: CampaignQuery, change: Partial<CampaignQuery> = {}): string {
  const merged = { ...query, ...change };
  const params = new URLSearchParams();
  if (merged.q) params.set("q", merged.q);
  if (merged.method) params.set("method", merged.method);
  if (merged.status) params.set("status", merged.status);
  if (merged.compliance) params.set("compliance", merged.compliance);
  if (merged.page && merged.page > 1) params.set("page", String(merged.page));
  const text = params.toString();
  return text ? `/campaigns?${text}` : "/campaigns";
}

function select(
  name: string,
  label: string,
  current: string | undefined,
  options: readonly { value: string; text: string }[],
): Html {
  return html`<div><label for="${name}">${label}</label>
<select id="${name}" name="${name}"><option value="">Any</option>${options.map(
    (o) => html`<option value="${o.value}"${o.value === current ? html` selected` : null}>${o.text}</option>`,
  )}</select></div>`;
}

function searchForm(query: CampaignQuery): Html {
  return html`<form method="get" action="/campaigns" class="actions" role="search" aria-label="Campaigns">
<div><label for="q">Id or name contains</label>
<input type="text" id="q" name="q" value="${query.q ?? ""}" maxlength="100"></div>
${select(
  "method",
  "Dialing method",
  query.method,
  DIALING_METHODS.map((m) => ({ value: m, text: m })),
)}
${select(
  "status",
  "Status",
  query.status,
  CAMPAIGN_STATUSES.map((s) => ({ value: s, text: s })),
)}
${select("compliance", "Compliance", query.compliance, [
  { value: "compliant", text: "Compliant" },
  { value: "non-compliant", text: "Not compliant" },
])}
<button type="submit">Search</button>
<a href="/campaigns">Clear</a>
</form>`;
}

function pager(query: CampaignQuery, p: CampaignPage): Html | null {
  if (p.pages <= 1 && p.page <= 1) return null;
  return html`<nav aria-label="Pages" class="actions">
${p.page > 1 ? html`<a href="${campaignsHref(query, { page: Math.min(p.page - 1, p.pages) })}" rel="prev">Previous page</a>` : null}
<span>Page ${p.page} of ${p.pages}</span>
${p.page < p.pages ? html`<a href="${campaignsHref(query, { page: p.page + 1 })}" rel="next">Next page</a>` : null}
</nav>`;
}

function filtered(query: CampaignQuery): boolean {
  return Boolean(query.q || query.method || query.status || query.compliance);
}

export function campaignsPage(ctx: PageContext, query: CampaignQuery, p: CampaignPage): string {
  const first = p.total === 0 ? 0 : (p.page - 1) * p.pageSize + 1;
  const last = Math.min(p.total, p.page * p.pageSize);
  const summary = html`<p>${p.campaigns} campaign(s); ${
    p.nonCompliant
      ? html`<a class="bad" href="${campaignsHref({ compliance: "non-compliant" })}">${p.nonCompliant} not compliant</a>`
      : html`<span class="ok">all compliant</span>`
  } with the service's policy.</p>`;
  const notManaged = p.notManaged.length
    ? html`<details><summary>${p.notManaged.length} more on the platform that dialrules leaves alone</summary>
<ul>${p.notManaged.map((c) => html`<li>${c.id} <span class="hint">${c.name}</span>: ${c.reason}</li>`)}</ul></details>`
    : null;
  const showing =
    p.total === 0
      ? null
      : html`<p role="status">Showing ${first}–${last} of ${p.total} ${filtered(query) ? "matching " : ""}campaign(s).</p>`;
  return page(
    ctx,
    "Campaigns",
    html`${summary}
${notManaged}
${searchForm(query)}
${showing}
${table(
  "Campaigns with their current dialing rules",
  [
    "Campaign",
    "Status",
    "Dialing method",
    "Lines per agent",
    "Retries",
    "Abandonment limit",
    "Compliance",
    "Last change",
  ],
  p.items.map(row),
  filtered(query) || p.page > 1 ? "No campaign matches." : "The platform has no campaigns.",
)}
${pager(query, p)}`,
  );
}
