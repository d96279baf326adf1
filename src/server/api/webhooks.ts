/** The webhook outbox's state. */
import type { FastifyPluginAsync } from "fastify";
import type { ServerServices } from "../contract.js";
import { problemResponses } from "./responses.js";
import { noQuery } from "./schemas.js";

export function webhookRoutes(services: ServerServices): FastifyPluginAsync {
  return async (api) => {
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
  };
}
