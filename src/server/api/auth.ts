/**
 * Authentication and the route's minimum role, checked in onRequest, before the body is read or validated:
 * an unauthenticated or under-privileged caller learns nothing about the body rules and costs no parsing.
 * The services check the roles again (the dashboard calls them directly).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Principal, Role, ServerServices } from "../contract.js";
import { requireRole } from "../roles.js";
import { problem, sendProblem } from "./problem.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Minimum role for the route. */
    role?: Role;
  }
}

const principals = new WeakMap<FastifyRequest, Principal>();

export function principalOf(request: FastifyRequest): Principal {
  const p = principals.get(request);
  if (!p) throw new Error("route reached without authentication");
  return p;
}

export function bearerAuth(services: ServerServices) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
    if (!match?.[1]) {
      reply.header("www-authenticate", 'Bearer realm="dialrules"');
      return sendProblem(
        reply,
        problem(
          request,
          401,
          "unauthenticated",
          "send Authorization: Bearer <token> (create one with `dialrules tokens create`)",
        ),
      );
    }
    const principal = await services.authenticate(match[1]);
    if (!principal) {
      reply.header("www-authenticate", 'Bearer realm="dialrules", error="invalid_token"');
      return sendProblem(reply, problem(request, 401, "invalid_token", "the token is unknown or revoked"));
    }
    const role = request.routeOptions.config.role ?? "viewer";
    try {
      requireRole(principal, role, `${request.method} ${request.routeOptions.url ?? ""}`);
    } catch (err) {
      return sendProblem(
        reply,
        problem(request, 403, "forbidden", err instanceof Error ? err.message : "forbidden"),
      );
    }
    principals.set(request, principal);
  };
}
