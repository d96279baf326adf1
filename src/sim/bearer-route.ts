/**
 * Bearer authentication around an API route, shared by both simulator modes; they differ only in the
 * error bodies and in what they check once the token is good (v2: scopes, cxone: the API version).
 */
import type { FastifyRequest } from "fastify";
import type { Outcome, RouteStep } from "./outcome.js";
import type { IssuedToken, TokenStore } from "./tokens.js";

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
}

/**
 * The caller's client id is known even for an expired token, so an expired token still spends its
 * client's rate budget (as a gateway would count it).
 */
export function bearerRoute(
  tokens: TokenStore,
  req: FastifyRequest,
  unauthorized: (message: string) => Outcome,
  authorized: (token: IssuedToken) => Outcome,
  loggedBody?: unknown,
): RouteStep {
  const token = bearerToken(req.headers.authorization);
  const record = token === undefined ? undefined : tokens.lookup(token);
  return {
    clientId: record?.clientId,
    loggedBody,
    respond: () => {
      if (token === undefined) return unauthorized("missing bearer token");
      if (!record) return unauthorized("invalid access token");
      if (!tokens.isLive(record)) return unauthorized("access token expired");
      return authorized(record);
    },
  };
}
