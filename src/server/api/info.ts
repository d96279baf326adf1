/** GET /info: who the caller is and what this replica runs against. */
import type { FastifyPluginAsync } from "fastify";
import type { ServerServices } from "../contract.js";
import { principalOf } from "./auth.js";
import { problemResponses } from "./responses.js";
import { noQuery } from "./schemas.js";

export function infoRoutes(services: ServerServices): FastifyPluginAsync {
  return async (api) => {
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
  };
}
