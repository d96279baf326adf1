import type { WebhookStatusView } from "../../contract.js";
import { formatTime } from "../format.js";
import { type Html, html } from "../html.js";
import { type PageContext, page } from "../layout.js";

function stats(view: WebhookStatusView): Html | null {
  const s = view.stats;
  if (!s) return null;
  return html`<table>
<caption>Delivery backlog</caption>
<tbody>
<tr><th scope="row">Pending</th><td>${s.pending}</td></tr>
<tr><th scope="row">Due now</th><td>${s.due}</td></tr>
<tr><th scope="row">Retrying after a failure</th><td>${s.retrying}</td></tr>
<tr><th scope="row">Being delivered</th><td>${s.inFlight}</td></tr>
<tr><th scope="row">Delivered</th><td>${s.delivered}</td></tr>
<tr><th scope="row">Dead letters</th><td${s.dead ? html` class="bad"` : null}>${s.dead}</td></tr>
<tr><th scope="row">Oldest pending since</th><td>${formatTime(s.oldestPendingAt)}</td></tr>
</tbody>
</table>
${
  s.lastFailure
    ? html`<p>Last failure: record <code>${s.lastFailure.auditId}</code> after ${s.lastFailure.attempts} attempt(s): ${
        s.lastFailure.status ? `HTTP ${s.lastFailure.status}, ` : ""
      }${s.lastFailure.error}</p>`
    : null
}`;
}

export function webhooksPage(ctx: PageContext, view: WebhookStatusView): string {
  const e = view.endpoint;
  return page(
    ctx,
    "Webhooks",
    html`${
      view.configured
        ? e
          ? html`<p>Endpoint <code>${e.displayUrl}</code>: <span class="${e.state === "active" ? "ok" : "bad"}">${e.state}</span>${
              e.reason ? `, ${e.reason}` : ""
            }${e.changedAt ? ` (since ${formatTime(e.changedAt)})` : ""}.</p>`
          : html`<p>A webhook endpoint is configured.</p>`
        : html`<p>No webhook endpoint is configured: audit events are kept in the outbox and sent once one is.</p>`
    }
${stats(view)}`,
  );
}
