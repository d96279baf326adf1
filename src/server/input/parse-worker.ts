/**
 * Runs in a worker thread (see rules-parser.ts): parses one rules file so a large or hostile one never
 * blocks the server's event loop. Problems travel back as plain data (class instances do not cross threads).
 */
import { parseRulesFile, RulesFileError } from "../../domain/rules-file.js";
import type { ParseReply, ParseTask } from "./rules-parser.js";

export default function parse(task: ParseTask): ParseReply {
  try {
    return { file: parseRulesFile(task.text, task.fileName) };
  } catch (err) {
    if (!(err instanceof RulesFileError)) throw err;
    return {
      problems: err.problems.map((p) => ({
        code: p.code,
        message: p.message,
        ...(p.path ? { path: p.path } : {}),
        ...(p.location ? { location: p.location } : {}),
      })),
    };
  }
}
