import type { ApplyObserver, CampaignResult } from "../engine/apply.js";

/**
 * Apply progress on stderr: a redrawn bar on a TTY (done/total, rate, ETA, conflicts, failures),
 * one plain line per campaign otherwise (logs, CI).
 */
export function progressReporter(
  stream: NodeJS.WriteStream,
  now: () => number = Date.now,
): ApplyObserver & { end(): void } {
  const tty = stream.isTTY === true;
  let total = 0;
  let done = 0;
  let conflicts = 0;
  let failures = 0;
  let started = now();
  const draw = () => {
    const elapsed = Math.max(1, now() - started) / 1000;
    const rate = done / elapsed;
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    const width = 24;
    const filled = total ? Math.round((done / total) * width) : 0;
    stream.write(
      `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(1)}/s  ETA ${eta}s  conflicts ${conflicts}  failed ${failures}  `,
    );
  };
  return {
    started(n) {
      total = n;
      started = now();
      if (tty) draw();
    },
    campaignDone(r: CampaignResult) {
      done += 1;
      if (r.outcome === "conflict") conflicts += 1;
      if (r.outcome === "failed" || r.outcome === "rejected_by_platform") failures += 1;
      if (tty) draw();
      else if (r.outcome !== "noop") {
        const revs =
          r.revisionAfter !== undefined ? ` (revision ${r.revisionBefore ?? "?"} → ${r.revisionAfter})` : "";
        stream.write(`${r.outcome.padEnd(20)} ${r.id}${revs}${r.note ? ` — ${r.note}` : ""}\n`);
      }
    },
    end() {
      if (tty && total > 0) stream.write("\n");
    },
  };
}
