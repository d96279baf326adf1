/**
 * Runs in a worker thread (see rules-parser.ts): parses one rules file, and plans a change, so a large or
 * hostile one never blocks the server's event loop. Problems travel back as plain data (class instances do
 * not cross threads).
 */
import { getPriority, setPriority } from "node:os";
import { isMainThread, type MessagePort } from "node:worker_threads";
import { parseRulesFile, type RulesFile, RulesFileError } from "../../domain/rules-file.js";
import { type Prepared, type PrepareTask, prepareChange } from "../changes/prepare-change.js";
import type { ParseAndPrepareReply, ParseReply, ParseTask, PlanContext, Problem } from "./rules-parser.js";

/**
 * This thread's nice value. Parsing and planning are background work: when they and the event loop want the
 * same core, the event loop goes first — on a 2-core host, four maximal plans otherwise kept /healthz waiting
 * in the run queue behind them (issue 13 §4). Only in a worker thread on Linux, where a thread's nice value is
 * its own; elsewhere it would lower the whole process.
 */
export const WORKER_NICE = 10;
if (!isMainThread && process.platform === "linux") {
  try {
    setPriority(Math.max(getPriority(), WORKER_NICE));
  } catch {
    // Not allowed here (a sandbox): the work still runs, at the event loop's priority.
  }
}

const problemsOf = (err: RulesFileError): Problem[] =>
  err.problems.map((p) => ({
    code: p.code,
    message: p.message,
    ...(p.path ? { path: p.path } : {}),
    ...(p.location ? { location: p.location } : {}),
  }));

function parsed(task: ParseTask): { file: RulesFile } | { problems: Problem[] } {
  try {
    return { file: parseRulesFile(task.text, task.fileName) };
  } catch (err) {
    if (!(err instanceof RulesFileError)) throw err;
    return { problems: problemsOf(err) };
  }
}

export default function parse(task: ParseTask): ParseReply {
  return parsed(task);
}

/** A change already parsed (see prepare-change.ts). */
export function prepare(task: PrepareTask): Prepared {
  return prepareChange(task);
}

/** Parse; once it parsed, ask the server's thread for the plan's context over `port`; then prepare. */
export async function parseAndPrepare(
  task: ParseTask & { port: MessagePort },
): Promise<ParseAndPrepareReply> {
  const { port } = task;
  try {
    const result = parsed(task);
    if ("problems" in result) return result;
    const answer = await new Promise<{ context?: PlanContext; aborted?: true }>((resolve) => {
      port.once("message", resolve);
      port.postMessage({ parsed: true });
    });
    if (!answer.context) return { aborted: true };
    const requested = result.file;
    return {
      prepared: prepareChange({ ...answer.context, requested, rulesText: task.text }),
      overrides: requested.overrides,
    };
  } finally {
    port.close();
  }
}
