/** The campaign list with compliance findings and the latest audit record of each campaign. */
import type { FastifyPluginAsync } from "fastify";
import type { ServerServices } from "../contract.js";
import { problemResponses } from "./responses.js";
import { noQuery } from "./schemas.js";

export function campaignRoutes(services: ServerServices): FastifyPluginAsync {
  return async (api) => {
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
  };
}
