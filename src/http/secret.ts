import { inspect } from "node:util";

const REDACTED = "<redacted>";

/**
 * A credential that cannot leak by accident: string conversion, JSON and util.inspect (console.log, pino's
 * fallbacks, error causes) all print `<redacted>`. Only `reveal()` gives the value, and only the token
 * request calls it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  get isEmpty(): boolean {
    return this.#value.length === 0;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
