import type { Principal } from "../contract.js";
import { type Fragment, type Html, html } from "./html.js";
import { CSRF_FIELD } from "./session.js";

/** What every page needs besides its own content. */
export interface PageContext {
  /** The request path, to mark the current navigation entry. */
  path: string;
  banner?: string;
  principal?: Principal;
  /** This session's CSRF token; every POST form embeds it. */
  csrf?: string;
}

export interface PageOptions {
  /** A success message after a redirect, announced politely. */
  notice?: string;
  /** What went wrong, announced at once. */
  error?: Fragment;
}

const NAV: readonly { href: string; label: string }[] = [
  { href: "/", label: "Overview" },
  { href: "/campaigns", label: "Campaigns" },
  { href: "/changes", label: "Changes" },
  { href: "/audit", label: "Audit trail" },
  { href: "/webhooks", label: "Webhooks" },
];

function isCurrent(path: string, href: string): boolean {
  return href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
}

export const csrfField = (ctx: PageContext): Html =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf ?? ""}">`;

/** A one-button POST form: the only way the dashboard changes anything, so it always carries the CSRF token. */
export function postButton(
  ctx: PageContext,
  action: string,
  label: string,
  className = "",
  extra: Fragment = null,
): Html {
  return html`<form class="inline" method="post" action="${action}">${csrfField(ctx)}${extra}<button type="submit"${
    className ? html` class="${className}"` : null
  }>${label}</button></form>`;
}

function header(ctx: PageContext): Html {
  const p = ctx.principal;
  return html`<header class="site">
  <span class="brand">dialrules</span>
  ${
    p
      ? html`<nav aria-label="Main"><ul>${NAV.map(
          (n) =>
            html`<li><a href="${n.href}"${isCurrent(ctx.path, n.href) ? html` aria-current="page"` : null}>${n.label}</a></li>`,
        )}</ul></nav>
  <div class="who"><span>Signed in as <strong>${p.actor}</strong> (${p.role})</span>${postButton(ctx, "/logout", "Sign out", "secondary")}</div>`
      : null
  }
</header>`;
}

export function page(ctx: PageContext, title: string, body: Html, options: PageOptions = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — dialrules</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
${ctx.banner ? html`<p class="banner" role="note">${ctx.banner}</p>` : null}
${header(ctx)}
<main id="main" tabindex="-1">
<h1>${title}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${options.error ? html`<div class="error" role="alert">${options.error}</div>` : null}
${body}
</main>
</body>
</html>
`.value;
}
