/**
 * Errors are values: a stable code, a message that says what to do, and the input path at fault.
 * Every layer throws or returns subclasses of this so the CLI and API can render them uniformly.
 */
export class DialrulesError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: a rules file, a flag, a request body. Exit code 2 in the CLI, 4xx in the API. */
export class InputError extends DialrulesError {
  constructor(
    code: string,
    message: string,
    path?: string,
    readonly location?: { file?: string; line?: number; column?: number },
  ) {
    super(code, message, path);
  }
}
