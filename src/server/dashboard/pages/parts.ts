import type { Finding } from "../../../domain/findings.js";
import { type Fragment, type Html, html } from "../html.js";

/** One validation finding: severity in words (not colour alone), code, field, message and its legal source. */
export function findingItem(f: Finding): Html {
  return html`<li><span class="${f.severity === "error" ? "bad" : "warn"}">${f.severity}</span> <code>${f.code}</code> ${f.path}: ${f.message}${
    f.citation ? html` <cite>[${f.citation}]</cite>` : null
  }</li>`;
}

export function findingList(findings: readonly Finding[]): Html | null {
  return findings.length ? html`<ul class="findings">${findings.map(findingItem)}</ul>` : null;
}

/** A table with a caption and column headers; the first cell of each row is a row header. */
export function table(
  caption: string,
  columns: readonly string[],
  rows: readonly Html[],
  empty: string,
): Html {
  if (!rows.length) return html`<p>${empty}</p>`;
  return html`<table>
<caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export const cells = (first: Fragment, ...rest: readonly Fragment[]): Html =>
  html`<tr><th scope="row">${first}</th>${rest.map((c) => html`<td>${c}</td>`)}</tr>`;
