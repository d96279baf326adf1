/** The hash-chained audit log: records and chain verification. */
import type { FastifyPluginAsync } from "fastify";
import type { AuditQuery } from "../../store/types.js";
import type { ServerServices } from "../contract.js";
import { problem, sendProblem } from "./problem.js";
import { problemResponses } from "./responses.js";
import { auditQuery, noQuery } from "./schemas.js";

export function auditRoutes(services: ServerServices): FastifyPluginAsync {
  return async (api) => {
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
        if (since !== undefined) {
          // JSON Schema's date-time allows a leap second (23:59:60); a JavaScript Date cannot hold one.
          if (Number.isNaN(Date.parse(since))) {
            return sendProblem(
              reply,
              problem(request, 400, "validation_failed", "since must be a time a clock can show", [
                { path: "query.since", message: "is not a representable time (leap seconds are not)" },
              ]),
            );
          }
          query.since = since;
        }
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
                  properties: {
                    seq: { type: "integer" },
                    id: { type: "string" },
                    problem: { type: "string" },
                  },
                },
              },
            },
            ...problemResponses,
          },
        },
      },
      async () => services.verifyAudit(),
    );
  };
}
