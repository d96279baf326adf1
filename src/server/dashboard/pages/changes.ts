import type { ChangeRequest, Role } from "../../contract.js";
import { formatTime, words } from "../format.js";
import { type Fragment, type Html, html } from "../html.js";
import { csrfField, type PageContext, page } from "../layout.js";
import { cells, table } from "./parts.js";

/** Operators and approvers request changes; viewers only read. */
export const canRequest = (role: Role | undefined): boolean => role === "operator" || role === "approver";

export function stateLabel(c: ChangeRequest): Html {
  const cls = c.state === "applied" ? "ok" : c.state === "rejected" || c.state === "failed" ? "bad" : "warn";
  return html`<span class="${cls}">${words(c.state)}</span>`;
}

export const riskLabel = (c: ChangeRequest): Html =>
  c.risk === "high" ? html`<span class="bad">high</span>` : html`<span>low</span>`;

function row(c: ChangeRequest): Html {
  return cells(
    html`<a href="/changes/${encodeURIComponent(c.id)}">${c.id}</a>`,
    stateLabel(c),
    riskLabel(c),
    `${c.plan.summary.toChange} to change`,
    c.requestedBy,
    c.reason,
    formatTime(c.createdAt),
  );
}

export function changesPage(ctx: PageContext, changes: readonly ChangeRequest[], notice?: string): string {
  const newest = [...changes].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return page(
    ctx,
    "Changes",
    html`${canRequest(ctx.principal?.role) ? html`<p><a href="/changes/new">Request a change</a></p>` : null}
${table(
  "Change requests, newest first",
  ["Change", "State", "Risk", "Plan", "Requested by", "Reason", "Created"],
  newest.map(row),
  "No change has been requested yet.",
)}`,
    notice ? { notice } : {},
  );
}

const EXAMPLE = `profiles: [US_TCPA]
campaigns:
  - id: CMP-10001
    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 1}`;

export function newChangePage(
  ctx: PageContext,
  input: { rulesText: string; reason: string },
  error?: Fragment,
): string {
  if (!canRequest(ctx.principal?.role)) {
    return page(ctx, "Request a change", html`<p>Viewers can read but not request changes.</p>`);
  }
  return page(
    ctx,
    "Request a change",
    html`<form method="post" action="/changes">
${csrfField(ctx)}
<label for="rulesText">Rules (YAML or JSON)</label>
<p class="hint" id="rules-hint">The same rules file <code>dialrules plan</code> reads. Only the fields it names are changed. Example:</p>
<pre class="plan">${EXAMPLE}</pre>
<textarea id="rulesText" name="rulesText" required spellcheck="false" aria-describedby="rules-hint">${input.rulesText}</textarea>
<label for="reason">Reason</label>
<p class="hint" id="reason-hint">Recorded in the audit trail with every campaign written.</p>
<input type="text" id="reason" name="reason" required maxlength="500" value="${input.reason}" aria-describedby="reason-hint">
<p><button type="submit">Plan the change</button></p>
</form>`,
    error ? { error } : {},
  );
}
