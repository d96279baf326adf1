/**
 * A change's CPU work off the event loop: a small pool of worker threads (tinypool) runs `parseRulesFile`
 * and then `prepareChange` (floor check, planning and validation, risk, the plan's JSON), so four maximal
 * requests at once leave /healthz and every other request answering. The pre-scan and the size cap bound
 * each parse; the pool bounds how many run at a time.
 *
 * A change request is one task: the worker parses, then asks this thread (over a MessagePort) for what
 * planning needs — a fresh read of the platform, made only once the rules parsed, so a bad file still costs
 * no platform request — and plans. The parsed file never crosses back: copying a maximal one between threads
 * costs tens of milliseconds of this thread each way.
 */
import { availableParallelism } from "node:os";
import { MessageChannel } from "node:worker_threads";
import Tinypool from "tinypool";
import { InputError } from "../../domain/errors.js";
import { type Override, parseRulesFile, type RulesFile, RulesFileError } from "../../domain/rules-file.js";
import { builtWorkerFile } from "../../threads/built-worker.js";
import { type Prepared, type PrepareTask, prepareChange } from "../changes/prepare-change.js";

export interface ParseTask {
  text: string;
  fileName: string;
}

export interface Problem {
  code: string;
  message: string;
  path?: string;
  location?: { file?: string; line?: number; column?: number };
}

export type ParseReply = { file: RulesFile } | { problems: Problem[] };

/** What planning needs besides the parsed file, asked for once the file parsed. */
export type PlanContext = Omit<PrepareTask, "requested" | "rulesText">;

export type ParseAndPrepareReply =
  | { prepared: Prepared; overrides: Override[] }
  | { problems: Problem[] }
  /** The context could not be had (the platform read failed): the caller has the error. */
  | { aborted: true };

export interface RulesParser {
  /** Throws RulesFileError exactly like parseRulesFile. */
  parse(text: string, fileName: string): Promise<RulesFile>;
  /**
   * Parses the text (RulesFileError as parse), then awaits `context` and prepares the change
   * (prepare-change.ts). `context` is called only when the text parsed; its error is this call's error.
   */
  parseAndPrepare(
    text: string,
    fileName: string,
    context: () => Promise<PlanContext>,
  ): Promise<{ prepared: Prepared; overrides: Override[] }>;
  /** Prepares a change already parsed (a revert, built on this thread). */
  prepare(task: PrepareTask): Promise<Prepared>;
  close(): Promise<void>;
}

/** On the calling thread: for the CLI-like paths and when no built worker exists (tests from sources). */
export const inThreadRulesParser: RulesParser = {
  parse: async (text, fileName) => parseRulesFile(text, fileName),
  async parseAndPrepare(text, fileName, context) {
    const requested = parseRulesFile(text, fileName);
    const prepared = prepareChange({ ...(await context()), requested, rulesText: text });
    return { prepared, overrides: requested.overrides };
  },
  prepare: async (task) => prepareChange(task),
  close: async () => {},
};

/**
 * The worker's file: next to this module when running the build; from the sources (vitest), the build's
 * copy under dist/ (tests run `npm run build` first), or undefined when there is none.
 */
export function parseWorkerFile(): string | undefined {
  return builtWorkerFile(import.meta.url, "parse-worker");
}

const fileError = (fileName: string, problems: readonly Problem[]) =>
  new RulesFileError(
    fileName,
    problems.map((p) => new InputError(p.code, p.message, p.path, p.location)),
  );

export function workerRulesParser(options: { threads?: number } = {}): RulesParser {
  const filename = parseWorkerFile();
  if (!filename) return inThreadRulesParser;
  // One core stays with the event loop: on a 2-core host two busy workers starve it (/healthz p99 doubled).
  const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  const pool = new Tinypool({ filename, minThreads: 1, maxThreads: threads, idleTimeout: 60_000 });
  return {
    async parse(text, fileName) {
      const reply = (await pool.run({ text, fileName } satisfies ParseTask)) as ParseReply;
      if ("file" in reply) return reply.file;
      throw fileError(fileName, reply.problems);
    },
    async parseAndPrepare(text, fileName, context) {
      const { port1, port2 } = new MessageChannel();
      let failure: { error: unknown } | undefined;
      port1.on("message", () => {
        context().then(
          (ctx) => port1.postMessage({ context: ctx }),
          (error: unknown) => {
            failure = { error };
            port1.postMessage({ aborted: true });
          },
        );
      });
      try {
        const reply = (await pool.run(
          { text, fileName, port: port2 },
          { name: "parseAndPrepare", transferList: [port2] },
        )) as ParseAndPrepareReply;
        if (failure) throw failure.error;
        if ("problems" in reply) throw fileError(fileName, reply.problems);
        if ("aborted" in reply) throw new Error("the rules worker stopped without a plan");
        return reply;
      } finally {
        port1.close();
      }
    },
    prepare: async (task) => (await pool.run(task, { name: "prepare" })) as Prepared,
    close: () => pool.destroy(),
  };
}
