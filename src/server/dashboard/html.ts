/**
 * The dashboard's whole template engine: a tagged template that HTML-escapes every interpolated value.
 * Markup can only come from another `html` template (an `Html` value), never from a string, so a campaign
 * name, a reason or a finding message cannot inject markup however it is spelt.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate: nested templates, lists of them, text, numbers, or nothing. */
export type Fragment = Html | string | number | boolean | null | undefined | readonly Fragment[];

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

function render(fragment: Fragment): string {
  if (fragment instanceof Html) return fragment.value;
  if (Array.isArray(fragment)) return fragment.map(render).join("");
  // `false`/`null`/`undefined` render as nothing so `${cond && html`…`}` reads naturally.
  if (fragment === null || fragment === undefined || fragment === false) return "";
  return escapeHtml(String(fragment));
}

export function html(strings: TemplateStringsArray, ...values: readonly Fragment[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}
