/**
 * The JSON API under /api/v1: one fastify plugin per resource, behind one authentication hook (auth.ts).
 */
import type { FastifyPluginAsync } from "fastify";
import type { ServerServices } from "../contract.js";
import { auditRoutes } from "./audit.js";
import { bearerAuth } from "./auth.js";
import { campaignRoutes } from "./campaigns.js";
import { changeRoutes } from "./changes.js";
import { infoRoutes } from "./info.js";
import { webhookRoutes } from "./webhooks.js";

export function apiPlugin(services: ServerServices): FastifyPluginAsync {
  return async (api) => {
    // JSON only: fastify also parses text/plain by default, which would turn a stray text body into a string.
    api.removeContentTypeParser("text/plain");
    api.addHook("onRequest", async (_request, reply) => {
      reply.header("cache-control", "no-store");
      reply.header("x-content-type-options", "nosniff");
    });
    api.addHook("onRequest", bearerAuth(services));
    // approve/apply take no data: a POST without a body is the same as `{}` (and gets "required" errors elsewhere).
    api.addHook("preValidation", async (request) => {
      if (request.method === "POST" && request.body === undefined) request.body = {};
    });
    for (const routes of [infoRoutes, changeRoutes, campaignRoutes, auditRoutes, webhookRoutes]) {
      await api.register(routes(services));
    }
  };
}
