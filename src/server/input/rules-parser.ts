/**
 * Parsing a change's rules text off the event loop: a small pool of worker threads (tinypool) runs
 * `parseRulesFile`, so four maximal requests parsing at once leave /healthz and every other request
 * answering. The pre-scan and the size cap bound each parse; the pool bounds how many run at a time.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Tinypool from "tinypool";
import { InputError } from "../../domain/errors.js";
import { parseRulesFile, type RulesFile, RulesFileError } from "../../domain/rules-file.js";

export interface ParseTask {
  text: string;
  fileName: string;
}

export type ParseReply =
  | { file: RulesFile }
  | {
      problems: {
        code: string;
        message: string;
        path?: string;
        location?: { file?: string; line?: number; column?: number };
      }[];
    };

export interface RulesParser {
  /** Throws RulesFileError exactly like parseRulesFile. */
  parse(text: string, fileName: string): Promise<RulesFile>;
  close(): Promise<void>;
}

/** On the calling thread: for the CLI-like paths and when no built worker exists (tests from sources). */
export const inThreadRulesParser: RulesParser = {
  parse: async (text, fileName) => parseRulesFile(text, fileName),
  close: async () => {},
};

/**
 * The worker's file: next to this module when running the build; from the sources (vitest), the build's
 * copy under dist/ (tests run `npm run build` first), or undefined when there is none.
 */
export function parseWorkerFile(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidate = here.endsWith(".ts")
    ? here.replace(/[/\\]src[/\\](server[/\\]input[/\\])rules-parser\.ts$/, "/dist/$1parse-worker.js")
    : here.replace(/rules-parser\.js$/, "parse-worker.js");
  return existsSync(candidate) ? candidate : undefined;
}

export function workerRulesParser(options: { threads?: number } = {}): RulesParser {
  const filename = parseWorkerFile();
  if (!filename) return inThreadRulesParser;
  const threads = options.threads ?? 2;
  const pool = new Tinypool({ filename, minThreads: 1, maxThreads: threads, idleTimeout: 60_000 });
  return {
    async parse(text, fileName) {
      const reply = (await pool.run({ text, fileName } satisfies ParseTask)) as ParseReply;
      if ("file" in reply) return reply.file;
      throw new RulesFileError(
        fileName,
        reply.problems.map((p) => new InputError(p.code, p.message, p.path, p.location)),
      );
    },
    close: () => pool.destroy(),
  };
}
