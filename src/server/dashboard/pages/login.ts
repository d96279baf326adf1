import { type Fragment, html } from "../html.js";
import { type PageContext, page } from "../layout.js";

export function loginPage(
  ctx: PageContext,
  next: string,
  options: { error?: Fragment; notice?: string } = {},
) {
  return page(
    ctx,
    "Sign in",
    html`<form method="post" action="/login">
<input type="hidden" name="next" value="${next}">
<label for="token">API token</label>
<p class="hint" id="token-hint">Paste a token made with <code>dialrules tokens create --name NAME --role viewer|operator|approver</code>.
Its role decides what you can do here.</p>
<input type="password" id="token" name="token" autocomplete="off" required aria-describedby="token-hint">
<p><button type="submit">Sign in</button></p>
</form>`,
    options,
  );
}
