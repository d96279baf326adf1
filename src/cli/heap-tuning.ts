/**
 * V8 heap settings for a command that reads one large input, reports and exits (`dialrules validate`).
 *
 * Node's defaults suit a long-running server: the young generation grows to 2 × 16 MiB semi-spaces and
 * the old generation to several times its live size before a full collection. For a one-shot command
 * that headroom is most of its peak memory — at 10,000 entries about two thirds of the growth over a
 * one-entry file was the young generation (issue 17: ≤ 1 KB per entry). Measured on the validate bench
 * (src/bench/validate-cli-bench.ts, 100,000 entries): peak RSS 1.5–1.6 KB → ~0.8 KB per entry, wall time
 * unchanged (1.2–1.4 s), CPU time +10–20 % (more, smaller collections; the helper threads do part of it).
 *  - semi-space growth factor 1: the young generation stays at its initial 2 × 1 MiB;
 *  - heap growing percent 25: after a full collection the old generation may grow by a quarter of what
 *    survived before the next one, instead of V8's default factor of up to 4 for a small heap.
 * Both are read by V8 at each resize, so setting them once the process runs takes effect (unlike
 * --max-semi-space-size, which V8 reads only when it creates the heap).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export const ONE_SHOT_HEAP_FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=25"] as const;

/** Applies ONE_SHOT_HEAP_FLAGS to this process; call before the large input is read. */
export function tuneHeapForOneShot(): void {
  for (const flag of ONE_SHOT_HEAP_FLAGS) setFlagsFromString(flag);
}

/**
 * Whatever the growing percent, V8 lets the old generation grow by at least 8 MB past what survived its
 * last full collection before it starts the next one, so an input of a few thousand entries never gets a
 * full collection: what survived two young collections and then died (start-up leftovers promoted by the
 * first young collections, lists outgrown, the parse's copy of the text) stays next to the live data until
 * the process ends and sets its peak. So the one-shot command collects itself while the input is small:
 * when 625, 1,250, 2,500 and 5,000 entries have been read, and between stages (after the parse, after
 * validation) for inputs of 2,500 up to 20,000 entries. Past that V8's own growing (25 % of what survived)
 * is in proportion to the data; more forced collections would cost time for no memory (docs/benchmarks.md,
 * "Peak memory of `validate`: collections at chosen moments").
 */
export const COLLECT_DURING_PARSE = [625, 1_250, 2_500, 5_000] as const;
const STAGES_FROM = 2_500;
const STAGES_BELOW = 20_000;

/** Whether to collect once `read` entries have been read. */
export function collectsAfterEntries(read: number): boolean {
  return (COLLECT_DURING_PARSE as readonly number[]).includes(read);
}

/** Whether to collect between two stages (parse, validation, report) of an input of `entries` entries. */
export function collectsBetweenStages(entries: number): boolean {
  return entries >= STAGES_FROM && entries < STAGES_BELOW;
}

let fullGc: (() => void) | undefined;

/**
 * A full collection now. The only way a script can ask V8 for one is `gc`, which `--expose-gc` puts on
 * the contexts created after it is set: it is set at run time and `gc` taken from a new context, made at
 * the first call (a few hundred KB), so an input that never needs a collection never pays for it.
 */
export function collectGarbage(): void {
  if (fullGc === undefined) {
    setFlagsFromString("--expose-gc");
    fullGc = runInNewContext("gc") as () => void;
  }
  fullGc();
}
