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

export const ONE_SHOT_HEAP_FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=25"] as const;

/** Applies ONE_SHOT_HEAP_FLAGS to this process; call before the large input is read. */
export function tuneHeapForOneShot(): void {
  for (const flag of ONE_SHOT_HEAP_FLAGS) setFlagsFromString(flag);
}
