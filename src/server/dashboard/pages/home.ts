import type { VerifyResult } from "../../../store/types.js";
import type { ChangeRequest, WebhookStatusView } from "../../contract.js";
import { type Html, html } from "../html.js";
import { type PageContext, page } from "../layout.js";
import { chainStatus } from "./audit.js";
import { canRequest, stateLabel } from "./changes.js";

export interface Overview {
  changes: readonly ChangeRequest[];
  verify: VerifyResult;
  webhooks: WebhookStatusView;
}

const link = (c: ChangeRequest): Html =>
  html`<li><a href="/changes/${encodeURIComponent(c.id)}">${c.id}</a> ${stateLabel(c)}: ${c.reason} (${c.requestedBy})</li>`;

export function homePage(ctx: PageContext, view: Overview): string {
  const waiting = view.changes.filter((c) => c.state === "pending_approval");
  const running = view.changes.filter((c) => c.state === "applying");
  const s = view.webhooks.stats;
  return page(
    ctx,
    "Overview",
    html`${canRequest(ctx.principal?.role) ? html`<p><a href="/changes/new">Request a change</a></p>` : null}
<h2>Waiting for approval</h2>
${waiting.length ? html`<ul>${waiting.map(link)}</ul>` : html`<p>Nothing is waiting.</p>`}
<h2>Being applied</h2>
${running.length ? html`<ul>${running.map(link)}</ul>` : html`<p>No apply is running.</p>`}
<h2>Audit trail</h2>
${chainStatus(view.verify)}
<h2>Webhooks</h2>
<p>${
      view.webhooks.configured && s
        ? `${s.pending} pending, ${s.dead} dead letter(s).`
        : view.webhooks.configured
          ? "Configured."
          : "Not configured."
    } <a href="/webhooks">Details</a></p>`,
  );
}

export function messagePage(ctx: PageContext, title: string, message: string): string {
  return page(ctx, title, html`<p>${message}</p><p><a href="/">Back to the overview</a></p>`);
}
