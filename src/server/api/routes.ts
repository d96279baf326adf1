/**
 * The JSON API. Authentication and the route's minimum role are checked in onRequest, before the body is
 * read or validated: an unauthenticated or under-privileged caller learns nothing about the body rules and
 * costs no parsing. The services check the roles again (the dashboard calls them directly).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AuditQuery } from "../../store/types.js";
import { requireRole } from "../service.js";
import type { Principal, Role, ServerServices } from "../services.js";
import { problem, sendProblem } from "./problem.js";
import { auditQuery, createChangeBody, emptyBody, idParams, noQuery, rejectBody } from "./schemas.js";

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

const problemResponses = {
  "4xx": {
    description: "Problem details (RFC 9457)",
    content: { "application/problem+json": { schema: { $ref: "Problem#" } } },
  },
  "5xx": {
    description: "Problem details (RFC 9457)",
    content: { "application/problem+json": { schema: { $ref: "Problem#" } } },
  },
} as const;

const changeResponse = { $ref: "ChangeRequest#" } as const;

export async function registerApi(api: FastifyInstance, services: ServerServices): Promise<void> {
  // JSON only: fastify also parses text/plain by default, which would turn a stray text body into a string.
  api.removeContentTypeParser("text/plain");
  api.addHook("onRequest", async (request, reply) => {
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
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
  });
  // approve/apply take no data: a POST without a body is the same as `{}` (and gets "required" errors elsewhere).
  api.addHook("preValidation", async (request) => {
    if (request.method === "POST" && request.body === undefined) request.body = {};
  });

  api.get(
    "/info",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["operations"],
        operationId: "getInfo",
        summary: "Who you are and what this replica runs against (banner in demo mode)",
        querystring: noQuery,
        response: {
          200: {
            type: "object",
            properties: {
              banner: { type: "string" },
              platform: { type: "string" },
              database: { type: "string" },
              replica: { type: "string" },
              principal: {
                type: "object",
                properties: {
                  actor: { type: "string" },
                  role: { type: "string" },
                  tokenId: { type: "string" },
                },
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request) => ({ ...services.info(), principal: principalOf(request) }),
  );

  api.get(
    "/changes",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["changes"],
        operationId: "listChanges",
        summary: "The latest 100 change requests, newest first (job progress without per-campaign results)",
        querystring: noQuery,
        response: { 200: { type: "array", items: changeResponse }, ...problemResponses },
      },
    },
    async () => services.listChanges(),
  );

  api.post<{ Body: { rules: string | Record<string, unknown>; reason: string } }>(
    "/changes",
    {
      config: { role: "operator" },
      schema: {
        tags: ["changes"],
        operationId: "createChange",
        summary: "Request a change: the rules are planned against the platform and stored with their risk",
        description:
          "High risk (switching to PREDICTIVE/POWER, raising maxRate or maxCallsPerAgent, any overrides) starts as pending_approval and needs an approver other than the requester; low risk starts approved. The actor is the token's name.",
        body: createChangeBody,
        querystring: noQuery,
        response: { 201: changeResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { rules, reason } = request.body;
      const rulesText = typeof rules === "string" ? rules : JSON.stringify(rules, null, 2);
      const change = await services.createChange({ rulesText, reason }, principalOf(request));
      return reply.status(201).header("location", `/api/v1/changes/${change.id}`).send(change);
    },
  );

  api.get<{ Params: { id: string } }>(
    "/changes/:id",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["changes"],
        operationId: "getChange",
        summary: "One change request with its plan and apply job (progress and per-campaign results)",
        params: idParams,
        querystring: noQuery,
        response: { 200: changeResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const change = await services.getChange(request.params.id);
      if (!change) {
        return sendProblem(
          reply,
          problem(request, 404, "change_not_found", `no change request ${request.params.id}`),
        );
      }
      return change;
    },
  );

  api.post<{ Params: { id: string } }>(
    "/changes/:id/approve",
    {
      config: { role: "approver" },
      schema: {
        tags: ["changes"],
        operationId: "approveChange",
        summary: "Approve a pending high-risk change (approver role; not its requester)",
        params: idParams,
        querystring: noQuery,
        body: emptyBody,
        response: { 200: changeResponse, ...problemResponses },
      },
    },
    async (request) => services.approve(request.params.id, principalOf(request)),
  );

  api.post<{ Params: { id: string }; Body: { reason: string } }>(
    "/changes/:id/reject",
    {
      config: { role: "approver" },
      schema: {
        tags: ["changes"],
        operationId: "rejectChange",
        summary: "Reject an open change (approver role)",
        params: idParams,
        querystring: noQuery,
        body: rejectBody,
        response: { 200: changeResponse, ...problemResponses },
      },
    },
    async (request) => services.reject(request.params.id, principalOf(request), request.body.reason),
  );

  api.post<{ Params: { id: string } }>(
    "/changes/:id/apply",
    {
      config: { role: "operator" },
      schema: {
        tags: ["changes"],
        operationId: "applyChange",
        summary:
          "Start the apply job of an approved change; returns at once (202), poll the change for progress",
        params: idParams,
        querystring: noQuery,
        body: emptyBody,
        response: { 202: changeResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const change = await services.apply(request.params.id, principalOf(request));
      return reply.status(202).header("location", `/api/v1/changes/${change.id}`).send(change);
    },
  );

  api.get(
    "/campaigns",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["campaigns"],
        operationId: "listCampaigns",
        summary: "Every campaign with its current rules, compliance findings and last audit record",
        querystring: noQuery,
        response: {
          200: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: true,
              properties: {
                campaign: { type: "object", additionalProperties: true },
                findings: { type: "array", items: { type: "object", additionalProperties: true } },
                compliant: { type: "boolean" },
                lastAudit: { $ref: "AuditRecord#" },
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async () => services.listCampaigns(),
  );

  api.get<{ Querystring: { campaign?: string; since?: string; limit?: string } }>(
    "/audit",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["audit"],
        operationId: "listAudit",
        summary: "Audit records, oldest first",
        querystring: auditQuery,
        response: { 200: { type: "array", items: { $ref: "AuditRecord#" } }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { campaign, since, limit } = request.query;
      const n = limit === undefined ? 100 : Number(limit);
      if (!(n >= 1 && n <= 1000)) {
        return sendProblem(
          reply,
          problem(request, 400, "validation_failed", "limit must be from 1 to 1000", [
            { path: "query.limit", message: "must be from 1 to 1000" },
          ]),
        );
      }
      const query: AuditQuery = { limit: n };
      if (campaign !== undefined) query.campaignId = campaign;
      if (since !== undefined) query.since = since;
      return services.audit(query);
    },
  );

  api.get(
    "/audit/verify",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["audit"],
        operationId: "verifyAudit",
        summary: "Recompute the hash chain; names the first broken record",
        querystring: noQuery,
        response: {
          200: {
            type: "object",
            additionalProperties: true,
            properties: {
              ok: { type: "boolean" },
              count: { type: "integer" },
              firstBroken: {
                type: "object",
                properties: { seq: { type: "integer" }, id: { type: "string" }, problem: { type: "string" } },
              },
            },
          },
          ...problemResponses,
        },
      },
    },
    async () => services.verifyAudit(),
  );

  api.get(
    "/webhooks/status",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["webhooks"],
        operationId: "webhookStatus",
        summary: "Webhook outbox backlog, failures, dead letters and the endpoint's state",
        querystring: noQuery,
        response: {
          200: {
            type: "object",
            additionalProperties: true,
            properties: {
              configured: { type: "boolean" },
              stats: { type: "object", additionalProperties: true },
              endpoint: { type: "object", additionalProperties: true },
            },
          },
          ...problemResponses,
        },
      },
    },
    async () => services.webhookStatus(),
  );
}
