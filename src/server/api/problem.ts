/**
 * RFC 9457 problem details. `type` is a URN per error code (stable, not dereferenceable), `code` repeats it
 * for clients that switch on a string, and `errors` lists field problems with a path into the request.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

export const PROBLEM_TYPE = "application/problem+json";

export interface FieldProblem {
  /** e.g. "body.rules", "campaigns[0].dialingRules.maxCallsPerAgent" (rules file), "query.limit". */
  path: string;
  message: string;
  code?: string;
  line?: number;
  column?: number;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: FieldProblem[];
}

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Request body too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal server error",
  502: "Bad gateway",
  503: "Service unavailable",
};

export function problem(
  request: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  errors?: FieldProblem[],
): Problem {
  return {
    type: `urn:dialrules:problem:${code}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    // The path only: a query string could carry something the caller did not mean to have echoed.
    instance: request.url.split("?")[0] ?? request.url,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type(PROBLEM_TYPE).send(p);
}
