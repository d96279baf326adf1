import { formatValue } from "../../../render/format-value.js";
import type { CampaignView } from "../../contract.js";
import { formatTime, percent, words } from "../format.js";
import { type Html, html } from "../html.js";
import { type PageContext, page } from "../layout.js";
import { cells, findingList, table } from "./parts.js";

function compliance(v: CampaignView): Html {
  if (v.compliant) return html`<span class="ok">Compliant</span>${findingList(v.findings)}`;
  const errors = v.findings.filter((f) => f.severity === "error").length;
  return html`<span class="bad">Not compliant: ${errors} problem(s)</span>${findingList(v.findings)}`;
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
    last ? `${formatTime(last.time)}: ${words(last.outcome)} by ${last.actor}` : "—",
  );
}

export function campaignsPage(ctx: PageContext, views: readonly CampaignView[]): string {
  const failing = views.filter((v) => !v.compliant).length;
  return page(
    ctx,
    "Campaigns",
    html`<p>${views.length} campaign(s); ${failing ? html`<span class="bad">${failing} not compliant</span>` : html`<span class="ok">all compliant</span>`} with the service's default policy.</p>
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
  views.map(row),
  "The platform has no campaigns.",
)}`,
  );
}
