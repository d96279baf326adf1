import { DialrulesError } from "../../domain/errors.js";
import { formatProblem, RulesFileError } from "../../domain/rules-file.js";
import { ServiceError } from "../contract.js";
import { type Html, html } from "./html.js";

export interface ShownError {
  status: number;
  message: Html;
}

/**
 * Errors a person can act on (bad rules, four-eyes, wrong state) become a message on the page with the
 * service's own words; anything else is a bug and goes to fastify's error handling.
 */
export function describeError(err: unknown): ShownError | undefined {
  if (err instanceof RulesFileError) {
    return {
      status: 400,
      message: html`<p>${err.problems.length} problem(s) in the rules:</p><ul>${err.problems.map(
        (p) => html`<li>${formatProblem(p)}</li>`,
      )}</ul>`,
    };
  }
  if (err instanceof ServiceError) {
    return {
      status: err.status,
      message: html`<p>${err.message}</p>${
        err.problems.length
          ? html`<ul>${err.problems.map((p) => html`<li>${p.path}: ${p.message} [${p.code}]</li>`)}</ul>`
          : ""
      }`,
    };
  }
  if (err instanceof DialrulesError)
    return { status: 400, message: html`<p>${err.message} [${err.code}]</p>` };
  // Other 4xx errors (fastify's, or a service error type added later) carry a status code: show them too.
  const status = clientStatus(err);
  if (status !== undefined && err instanceof Error) return { status, message: html`<p>${err.message}</p>` };
  return undefined;
}

function clientStatus(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const code = typeof status === "number" ? status : statusCode;
  return typeof code === "number" && code >= 400 && code < 500 ? code : undefined;
}
