/**
 * The HTTP server of `dialrules serve`: the JSON API under /api/v1, probes, metrics and the OpenAPI document,
 * then any extra plugins (the dashboard). CORS is off: no Access-Control-* header is ever sent, so browsers
 * keep other origins out; the dashboard is served from the same origin.
 */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from "fastify";
import { toProblem } from "./api/errors.js";
import { apiPlugin } from "./api/plugin.js";
import { problem, sendProblem } from "./api/problem.js";
import { auditRecordSchema, changeSchema, problemSchema } from "./api/schemas.js";
import type { ServerServices } from "./contract.js";
import { BODY_LIMIT_BYTES } from "./input/limits.js";
import { parseStrictJson } from "./input/strict-json.js";

export interface BuildServerOptions {
  /** Registered after the API (the dashboard plugin). */
  plugins?: FastifyPluginAsync[];
  bodyLimit?: number;
  /**
   * Behind a TLS-terminating proxy: believe its X-Forwarded-Proto/-For, so the dashboard knows the request
   * was HTTPS (Secure, __Host- cookies). Off by default: a client could otherwise claim HTTPS itself.
   */
  trustProxy?: boolean;
  logger?: FastifyServerOptions["logger"];
  /** Unexpected errors (5xx) are reported here with the request id; clients only see a generic problem. */
  log?: (line: string) => void;
}

export async function buildServer(
  services: ServerServices,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? BODY_LIMIT_BYTES,
    // Strict validation: a wrong type or an unknown field is an error, never silently coerced or dropped.
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, useDefaults: false },
    },
    return503OnClosing: true,
    trustProxy: options.trustProxy ?? false,
    forceCloseConnections: true,
  });
  // Every JSON body: strict UTF-8, nesting and duplicate keys checked in one linear scan before JSON.parse.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => {
    try {
      done(null, parseStrictJson(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addSchema(problemSchema);
  app.addSchema(changeSchema);
  app.addSchema(auditRecordSchema);

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "dialrules service API",
        version: "1.0.0",
        description:
          "Request, approve and apply dialing-rule changes of outbound campaigns with four-eyes approval and a hash-chained audit trail. Every /api/v1 call needs `Authorization: Bearer <token>` (see `dialrules tokens create`).",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      },
      servers: [{ url: "http://127.0.0.1:8080", description: "a local `dialrules serve`" }],
      tags: [
        { name: "changes", description: "Change requests, approvals and apply jobs" },
        { name: "campaigns", description: "Campaigns with their rules and compliance" },
        { name: "audit", description: "The hash-chained audit log" },
        { name: "webhooks", description: "The compliance webhook outbox" },
        { name: "operations", description: "Probes and metrics" },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "An API token" } },
      },
      security: [{ bearerAuth: [] }],
    },
    // Only the API is documented; the dashboard's HTML routes carry no tag.
    hideUntagged: true,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  app.setErrorHandler((err, request, reply) => {
    const p = toProblem(err, request);
    if (p.status >= 500) {
      options.log?.(
        `${request.method} ${request.url.split("?")[0]} → ${p.status} (request ${request.id}): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(request, 404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`),
    ),
  );

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await app.register(apiPlugin(services), { prefix: "/api/v1" });
  await registerOperations(app, services);

  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}

async function registerOperations(app: FastifyInstance, services: ServerServices): Promise<void> {
  const ops = { tags: ["operations"], security: [] };
  app.get(
    "/healthz",
    {
      schema: {
        ...ops,
        operationId: "healthz",
        summary: "Liveness: the process answers",
        response: { 200: { type: "object", properties: { status: { type: "string" } } } },
      },
    },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/readyz",
    {
      schema: {
        ...ops,
        operationId: "readyz",
        summary: "Readiness: the database and the platform are reachable (503 otherwise)",
        response: {
          200: readySchema,
          503: readySchema,
        },
      },
    },
    async (_request, reply) => {
      const r = await services.ready();
      const ok = r.database && r.platform;
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? "ready" : "not ready", ...r, replica: services.info().replica });
    },
  );
  app.get(
    "/metrics",
    {
      schema: {
        ...ops,
        operationId: "metrics",
        summary: "Prometheus metrics (text exposition format)",
        produces: ["text/plain"],
        response: { 200: { description: "Prometheus text format", type: "string" } },
      },
    },
    async (_request, reply) =>
      reply.type("text/plain; version=0.0.4; charset=utf-8").send(await services.metricsText()),
  );
}

const readySchema = {
  type: "object",
  properties: {
    status: { type: "string" },
    database: { type: "boolean" },
    platform: { type: "boolean" },
    replica: { type: "string" },
  },
} as const;
