/**
 * The dashboard's one stylesheet and its one small script. They live in a TypeScript module rather than
 * beside it because the build is plain `tsc`, which copies no other files into dist/.
 */

export const CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b57d0;
  --ok: #116329; --bad: #a40e26; --warn: #7a4d00; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
.banner { background: #fff4ce; border-bottom: 2px solid #d4a72c; padding: .5rem 1rem; margin: 0; font-weight: 600; }
header.site { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .5rem 1rem;
  border-bottom: 1px solid var(--line); }
header.site .brand { font-weight: 700; margin-right: 1rem; }
nav ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.who { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
main { padding: 1rem; max-width: 80rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
button { font: inherit; padding: .35rem .9rem; border: 1px solid var(--accent); border-radius: 4px;
  background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
form.inline { display: inline; }
.actions { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; margin: 1rem 0; }
label { display: block; font-weight: 600; margin-top: .75rem; }
input[type=text], input[type=password], textarea { font: inherit; width: 100%; max-width: 48rem;
  padding: .35rem; border: 1px solid var(--muted); border-radius: 4px; }
textarea { font-family: ui-monospace, monospace; min-height: 16rem; }
.hint { color: var(--muted); margin: .25rem 0; }
.notice, .error { padding: .5rem 1rem; border-radius: 4px; margin: 1rem 0; }
.notice { background: #dafbe1; border: 1px solid var(--ok); }
.error { background: #ffebe9; border: 1px solid var(--bad); }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.warn { color: var(--warn); font-weight: 600; }
pre.plan, code { font-family: ui-monospace, monospace; }
pre.plan { background: var(--bg-soft); padding: .75rem; overflow-x: auto; white-space: pre-wrap; }
ul.findings { margin: .25rem 0; padding-left: 1.25rem; }
select { font: inherit; padding: .3rem; border: 1px solid var(--muted); border-radius: 4px; }
details > summary { cursor: pointer; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
progress { width: 100%; max-width: 32rem; height: 1.25rem; }
`;

/**
 * Progressive enhancement for the apply progress: re-fetch the server-rendered fragment every second and
 * reload once the job is finished (to show results and the new state). Without JS the page offers a
 * "Refresh progress" link instead; nothing else on the dashboard needs a script.
 */
export const JS = `"use strict";
const box = document.querySelector("[data-poll]");
if (box) {
  const tick = () => fetch(box.dataset.poll, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
    .then((fragment) => {
      box.innerHTML = fragment; // server-rendered and escaped, from this origin only (CSP connect-src 'self')
      // Reload without the "?notice=applying" of the redirect: the notice is stale once the job is over.
      if (box.querySelector("[data-final]")) location.replace(location.pathname); else setTimeout(tick, 1000);
    })
    .catch(() => setTimeout(tick, 3000));
  setTimeout(tick, 1000);
}
`;
