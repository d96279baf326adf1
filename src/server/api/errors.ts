/** Maps whatever a handler or fastify throws to a problem: field paths for validation, no internals for 5xx. */
import type { FastifyError, FastifyRequest } from "fastify";
import { DialrulesError, InputError } from "../../domain/errors.js";
import { RulesFileError } from "../../domain/rules-file.js";
import { PlatformError } from "../../platform/errors.js";
import { ServiceError } from "../contract.js";
import { type FieldProblem, type Problem, problem } from "./problem.js";

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldPath(context: string, issue: AjvIssue): string {
  const base = (issue.instancePath ?? "")
    .split("/")
    .filter((s) => s !== "")
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join("");
  const extra =
    typeof issue.params?.additionalProperty === "string"
      ? `.${issue.params.additionalProperty}`
      : typeof issue.params?.missingProperty === "string"
        ? `.${issue.params.missingProperty}`
        : "";
  return `${context}${base}${extra}`;
}

function issueMessage(issue: AjvIssue): string {
  if (issue.keyword === "additionalProperties") return "unknown field";
  return issue.message ?? "is invalid";
}

const CONTEXT: Record<string, string> = {
  body: "body",
  querystring: "query",
  params: "path",
  headers: "headers",
};

export function toProblem(err: unknown, request: FastifyRequest): Problem {
  const fe = err as Partial<FastifyError> & { validation?: AjvIssue[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const context = CONTEXT[fe.validationContext ?? "body"] ?? "body";
    const errors = fe.validation.map((i) => ({
      path: fieldPath(context, i),
      message: issueMessage(i),
      code: i.keyword,
    }));
    return problem(
      request,
      400,
      "validation_failed",
      `the request ${context} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`,
      errors,
    );
  }
  if (err instanceof ServiceError) {
    return problem(
      request,
      err.status,
      err.code,
      err.message,
      err.problems.length ? [...err.problems] : undefined,
    );
  }
  if (err instanceof RulesFileError) {
    const errors: FieldProblem[] = err.problems.map((p) => ({
      path: p.path ?? "",
      message: p.message,
      code: p.code,
      ...(p.location?.line ? { line: p.location.line } : {}),
      ...(p.location?.column ? { column: p.location.column } : {}),
    }));
    return problem(
      request,
      400,
      "rules_invalid",
      `the rules file has ${errors.length} problem(s); nothing was planned or stored`,
      errors,
    );
  }
  if (err instanceof InputError) {
    return problem(
      request,
      400,
      err.code,
      err.message,
      err.path ? [{ path: `body.${err.path}`, message: err.message, code: err.code }] : undefined,
    );
  }
  if (err instanceof PlatformError) {
    return problem(
      request,
      502,
      "platform_unavailable",
      `the platform did not answer as expected (${err.code}): ${err.message}`,
    );
  }
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return problem(
      request,
      413,
      "body_too_large",
      "the request body is over the limit of 256 KiB; nothing was stored",
    );
  }
  if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return problem(request, 415, "unsupported_media_type", "send the body as application/json");
  }
  const status = typeof fe.statusCode === "number" ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return problem(request, status, (fe.code ?? "bad_request").toLowerCase(), fe.message ?? "bad request");
  }
  if (err instanceof DialrulesError) return problem(request, 500, err.code, err.message);
  return problem(
    request,
    500,
    "internal_error",
    "the server could not handle this request; the error is in the server log",
  );
}
