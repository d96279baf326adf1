import { CommanderError } from "commander";
import { DialrulesError, InputError } from "../domain/errors.js";
import { withCliAdvice } from "./advice.js";

/** The CLI's exit codes, shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Sets the exit code a command decided on; commands never call process.exit themselves. */
export function setExitCode(code: number): void {
  process.exitCode = code;
}

/**
 * `dialrules … | head -1`: once the reader has gone, writing to the pipe fails with EPIPE, which Node
 * raises as an unhandled 'error' event (a stack trace, exit 1). The reader has what it wanted, so the rest
 * of the output is dropped without a word and the command ends as it would have: `apply` still finishes
 * the writes it started and records them, and the exit code is the command's own.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
    // later writes are dropped: a destroyed stream reports them to its callbacks, never as 'error' events
    stream.write = ((_chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      if (typeof done === "function") queueMicrotask(() => done());
      return true;
    }) as typeof stream.write;
  });
}

/**
 * Runs the program and maps what escapes to an exit code and one readable line on stderr.
 * Stack traces only with DIALRULES_DEBUG=1: users get the code and message.
 */
export async function runMain(main: () => Promise<number>): Promise<void> {
  try {
    const code = await main();
    if (process.exitCode === undefined) process.exitCode = code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end with code 0; usage errors already printed their message
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (err instanceof InputError) {
      const where = err.location?.file
        ? `${err.location.file}${err.location.line ? `:${err.location.line}:${err.location.column ?? 1}` : ""}: `
        : "";
      process.stderr.write(`error[${err.code}]: ${where}${err.path ? `${err.path}: ` : ""}${err.message}\n`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof DialrulesError) {
      process.stderr.write(`error[${err.code}]: ${withCliAdvice(err.code, err.message)}\n`);
      process.exitCode = EXIT.failed;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.failed;
    }
    if (process.env.DIALRULES_DEBUG === "1" && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  }
}
