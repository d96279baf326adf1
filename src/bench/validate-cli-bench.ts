/**
 * Child process of the `validate` size rows (validate-bench.ts): runs `dialrules validate -f FILE` as the
 * CLI does (its heap settings, then read, parse, check, validate, render; the rendered text is discarded)
 * and prints its own time and peak RSS as JSON, so each size is measured in a fresh process.
 *
 *   node dist/bench/validate-cli-bench.js FILE [PLATFORM]   (PLATFORM: as `validate --platform`)
 */
import { performance } from "node:perf_hooks";
import { runValidate } from "../cli/commands/validate.js";
import { tuneHeapForOneShot } from "../cli/heap-tuning.js";

const [file, platform] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: node dist/bench/validate-cli-bench.js FILE [PLATFORM]\n");
  process.exitCode = 2;
} else {
  tuneHeapForOneShot(); // as the validate command's action does
  const t0 = performance.now();
  const exit = await runValidate(platform === undefined ? { file } : { file, platform }, {
    stdout: () => {},
    stderr: () => {},
  });
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ exit, ms, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}
