import type { PlannedCampaign } from "../../../engine/plan-types.js";
import { formatValue } from "../../../render/format-value.js";
import type { ApplyJobView, ChangeRequest } from "../../contract.js";
import { formatTime, words } from "../format.js";
import { type Fragment, type Html, html } from "../html.js";
import { csrfField, type PageContext, page, postButton } from "../layout.js";
import { canRequest, riskLabel, stateLabel } from "./changes.js";
import { cells, findingList, table } from "./parts.js";

const SIGNS = { change: "~", invalid: "!", unchanged: "=" } as const;
const SIGN_TITLES = {
  change: "will change",
  invalid: "invalid, not written",
  unchanged: "unchanged",
} as const;

/** One campaign of the plan, in the CLI's words: `~ CMP-1  Name` then `field: from → to` lines. */
function plannedItem(c: PlannedCampaign): Html {
  return html`<li><abbr title="${SIGN_TITLES[c.status]}">${SIGNS[c.status]}</abbr> <strong>${c.id}</strong>  ${c.name} <span class="hint">(revision ${c.revision})</span>${
    c.status === "invalid" ? html` <span class="bad">INVALID</span>` : null
  }
${c.changes.length ? html`<ul>${c.changes.map((ch) => html`<li><code>${ch.field}: ${formatValue(ch.from)} → ${formatValue(ch.to)}</code></li>`)}</ul>` : null}
${findingList(c.findings)}</li>`;
}

function planSection(change: ChangeRequest): Html {
  const plan = change.plan;
  const s = plan.summary;
  const shown = plan.campaigns.filter((c) => c.status !== "unchanged" || c.findings.length > 0);
  return html`<section aria-labelledby="plan-h">
<h2 id="plan-h">Plan</h2>
<p>Plan: ${s.toChange} to change, ${s.unchanged} unchanged, ${s.invalid} invalid${s.fileErrors ? `, ${s.fileErrors} file error(s)` : ""}.</p>
${shown.length ? html`<ul class="plan">${shown.map(plannedItem)}</ul>` : null}
${plan.findings.length ? html`<h3>Findings for the whole file</h3>${findingList(plan.findings)}` : null}
<details><summary>Rules as submitted</summary><pre class="plan">${change.rulesText}</pre></details>
</section>`;
}

function facts(change: ChangeRequest): Html {
  return html`<dl class="facts">
<dt>State</dt><dd>${stateLabel(change)}</dd>
<dt>Risk</dt><dd>${riskLabel(change)}${
    change.riskReasons.length
      ? html`<ul class="findings">${change.riskReasons.map((r) => html`<li>${r}</li>`)}</ul>`
      : null
  }</dd>
<dt>Requested by</dt><dd>${change.requestedBy}, ${formatTime(change.createdAt)}</dd>
<dt>Reason</dt><dd>${change.reason}</dd>
${change.approvedBy ? html`<dt>Approved by</dt><dd>${change.approvedBy}</dd>` : null}
${change.rejectedBy ? html`<dt>Rejected by</dt><dd>${change.rejectedBy}${change.rejectionReason ? `: ${change.rejectionReason}` : ""}</dd>` : null}
</dl>`;
}

/** Buttons by role and state; the service still decides (four-eyes, state) and its refusal is shown. */
function actions(ctx: PageContext, change: ChangeRequest): Html | null {
  const role = ctx.principal?.role;
  const base = `/changes/${encodeURIComponent(change.id)}`;
  const parts: Fragment[] = [];
  const pending = change.state === "pending_approval";
  const open = pending || change.state === "approved";
  if (pending && role !== "approver") {
    parts.push(
      html`<p>Waiting for an approver${change.risk === "high" ? html` other than ${change.requestedBy} (four-eyes)` : null}.</p>`,
    );
  }
  if (
    pending &&
    role === "approver" &&
    change.requestedBy === ctx.principal?.actor &&
    change.risk === "high"
  ) {
    parts.push(
      html`<p class="hint">You requested this change; four-eyes means another approver must approve it.</p>`,
    );
  }
  const buttons: Fragment[] = [];
  if (pending && role === "approver") buttons.push(postButton(ctx, `${base}/approve`, "Approve"));
  // Low-risk changes start approved: an operator applies them without waiting for anyone.
  if (change.state === "approved" && canRequest(role))
    buttons.push(postButton(ctx, `${base}/apply`, "Apply"));
  if (open && role === "approver") {
    buttons.push(html`<form method="post" action="${base}/reject">${csrfField(ctx)}
<label for="rejection">Reason for rejecting</label>
<input type="text" id="rejection" name="reason" required maxlength="2000">
<button type="submit" class="danger">Reject</button></form>`);
  }
  if (buttons.length) parts.push(html`<div class="actions">${buttons}</div>`);
  if (!parts.length) return null;
  return html`<section aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>${parts}</section>`;
}

const isFinal = (job: ApplyJobView): boolean => job.state === "done" || job.state === "failed";

/** The live part of the page; also served alone at /changes/:id/progress for the polling script. */
export function progressFragment(job: ApplyJobView): Html {
  const { done, total, counts } = job.progress;
  const summary = Object.entries(counts)
    .filter(([, n]) => n)
    .map(([outcome, n]) => `${words(outcome)} ${n}`)
    .join(", ");
  const final = isFinal(job);
  return html`<div${final ? html` data-final="true"` : null}>
<p role="status">${final ? (job.state === "done" ? "Finished" : "Failed") : job.state === "queued" ? "Queued" : "Applying"}: ${done} of ${total} campaign(s) done${summary ? ` (${summary})` : ""}.</p>
<progress max="${Math.max(total, 1)}" value="${done}" aria-label="Campaigns done">${done} of ${total}</progress>
<p class="hint">Job ${job.id}, started by ${job.startedBy}${job.worker ? `, on replica ${job.worker}` : ""}.</p>
${job.error ? html`<p class="bad">${job.error}</p>` : null}
</div>`;
}

function results(job: ApplyJobView): Html {
  return table(
    "Result per campaign",
    ["Campaign", "Outcome", "Revision", "Changes", "Note"],
    job.results.map((r) =>
      cells(
        html`${r.id}<br><span class="hint">${r.name}</span>`,
        html`<span class="${r.outcome === "applied" || r.outcome === "noop" ? "ok" : "bad"}">${words(r.outcome)}</span>`,
        r.revisionAfter !== undefined
          ? `${r.revisionBefore ?? "?"} → ${r.revisionAfter}`
          : (r.revisionBefore ?? "—"),
        r.changes.map(
          (ch) => html`<code>${ch.field}: ${formatValue(ch.from)} → ${formatValue(ch.to)}</code><br>`,
        ),
        [r.note, r.error ? `${r.error.code}: ${r.error.message}` : null].filter(Boolean).join("; ") || "—",
      ),
    ),
    "No campaign has finished yet.",
  );
}

/** Undo of a finished run: a new change request (risk, four-eyes) built by the service, never a direct write. */
function revertForm(ctx: PageContext, job: ApplyJobView): Html | null {
  if (!isFinal(job) || !canRequest(ctx.principal?.role)) return null;
  return html`<form method="post" action="/runs/${encodeURIComponent(job.id)}/revert" class="actions">${csrfField(ctx)}
<div><label for="revert-reason">Reason for reverting this run</label>
<input type="text" id="revert-reason" name="reason" required maxlength="2000"></div>
<button type="submit">Request revert of this run</button>
<p class="hint">Restores the values this run replaced, as a new change request with its own risk and approval.
Campaigns changed since are listed and left alone.</p></form>`;
}

function jobSection(ctx: PageContext, change: ChangeRequest): Html | null {
  const job = change.job;
  if (!job) return null;
  const base = `/changes/${encodeURIComponent(change.id)}`;
  const live = !isFinal(job);
  return html`<section aria-labelledby="progress-h">
<h2 id="progress-h">Apply</h2>
<div id="progress"${live ? html` data-poll="${base}/progress"` : null}>${progressFragment(job)}</div>
${live ? html`<p><a href="${base}">Refresh progress</a></p>` : null}
${job.results.length || !live ? results(job) : null}
${revertForm(ctx, job)}
</section>`;
}

export function changePage(
  ctx: PageContext,
  change: ChangeRequest,
  options: { notice?: string; error?: Fragment } = {},
) {
  return page(
    ctx,
    `Change ${change.id}`,
    html`${facts(change)}
${actions(ctx, change)}
${jobSection(ctx, change)}
${planSection(change)}`,
    options,
  );
}
