/**
 * The simulator's `genesys` mode: Genesys Cloud's client-credentials token endpoint and the outbound API
 * the driver uses (docs/platforms/genesys.md#simulator). It runs the shared request pipeline (../pipeline.ts:
 * seeded faults, per-client budgets, request log); what differs is the API, the error bodies, and 429s that
 * carry Retry-After and, on every reply, `inin-ratelimit-allowed/-count/-reset`.
 */
import type { FastifyRequest } from "fastify";
import { systemClock } from "../../clock/clock.js";
import { InputError } from "../../domain/errors.js";
import { createSimApp, installPipeline, listenSimApp } from "../pipeline.js";
import { deriveSeed, Random } from "../random.js";
import { tokenRoute } from "../token-endpoint.js";
import { TokenStore } from "../tokens.js";
import type { SimClient } from "../types.js";
import { apiRoute, genesysError, getOne, listing, putAttemptLimits, putCampaign } from "./routes.js";
import { GenesysStore } from "./store.js";
import type { GenesysLogEntry, GenesysSimHandle, GenesysSimOptions, SimObject } from "./types.js";

const DEFAULT_CLIENTS: SimClient[] = [{ id: "demo", secret: "demo-secret" }];
const SEED_STREAM = 21;
const FAULT_STREAM = 22;
const API = "/api/v2/outbound";

function parseJson(req: FastifyRequest): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(typeof req.body === "string" ? req.body : "") };
  } catch {
    return { ok: false };
  }
}

export async function startGenesysSimulator(opts: GenesysSimOptions): Promise<GenesysSimHandle> {
  if (opts.campaigns !== undefined && !(Number.isInteger(opts.campaigns) && opts.campaigns >= 0)) {
    throw new InputError("INVALID_SIM_OPTION", "must be a whole number ≥ 0", "campaigns");
  }
  const clock = opts.clock ?? systemClock;
  const now = () => new Date(clock.now()).toISOString();
  const store = new GenesysStore(
    new Random(deriveSeed(opts.seed ?? 1, SEED_STREAM)),
    { count: opts.campaigns ?? 60, runningIds: opts.runningCampaignIds, now: now() },
    {
      id: "settings",
      version: 1,
      maxCallsPerAgent: 4,
      maxConfigurableCallsPerAgent: opts.maxConfigurableCallsPerAgent ?? 6,
      maxLineUtilization: 1,
      abandonSeconds: 2,
      complianceAbandonRateDenominator: opts.abandonRateDenominator ?? "ALL_CALLS",
      automaticTimeZoneMapping: { supportedCountries: ["US"] },
    },
  );
  const tokens = new TokenStore(opts.clients ?? DEFAULT_CLIENTS, opts.tokenTtlSec ?? 86_400, clock);

  const app = createSimApp();
  const pipeline = installPipeline(app, {
    clock,
    options: opts,
    faultStream: FAULT_STREAM,
    requestIdPrefix: "sim-genesys",
    extendEntry: (entry: GenesysLogEntry) => entry,
    concurrentEdit: (edit) => store.concurrentEdit(edit, now()),
    // The token endpoint lives on another host (login.{region}) with its own limits.
    budgetOutsideApi: false,
    rateLimited: (_clientId, retryAfterSec) =>
      genesysError(
        429,
        "too.many.requests.retry.after",
        `Rate limit exceeded the maximum. Retry the request in [${retryAfterSec}] seconds`,
        { "retry-after": String(retryAfterSec) },
      ),
    budgetHeaders: (state) => ({
      "inin-ratelimit-allowed": String(state.allowed),
      "inin-ratelimit-count": String(state.count),
      "inin-ratelimit-reset": String(state.resetSec),
    }),
    serverError: (status) =>
      genesysError(
        status,
        status === 503 ? "service.unavailable" : "internal.server.error",
        "simulated server error",
      ),
    verboseLine: (e: GenesysLogEntry, tookMs: number) =>
      `[sim genesys] #${e.seq} ${e.method} ${e.path} -> ${e.status}${e.fault ? ` fault=${e.fault}` : ""}${e.concurrentEdit ? ` edited=${e.concurrentEdit.campaignId}` : ""} ${tookMs}ms`,
  });
  const run = pipeline.run;
  type P = { Params: { id: string } };
  const query = (req: FastifyRequest) => new URL(req.url, "http://sim.invalid").searchParams;
  const sorted = (map: Map<string, SimObject>) =>
    [...map.values()].sort((a, b) => a.id.localeCompare(b.id)).map((o) => structuredClone(o));

  app.post("/oauth/token", (req, reply) => run(req, reply, false, () => tokenRoute(tokens, req)));
  app.get(`${API}/campaigns`, (req, reply) =>
    run(req, reply, true, () =>
      apiRoute(tokens, req, () => listing(sorted(store.campaigns), query(req), `${API}/campaigns`)),
    ),
  );
  app.get<P>(`${API}/campaigns/:id`, (req, reply) =>
    run(req, reply, true, () =>
      apiRoute(tokens, req, () => getOne(store.campaigns, req.params.id, "campaign")),
    ),
  );
  /** A whole-object PUT: the body is parsed here so garbage still gets Genesys's 400, never a framework one. */
  const putRoute = (path: string, handle: typeof putCampaign) =>
    app.put<P>(path, (req, reply) => {
      const parsed = parseJson(req);
      return run(req, reply, true, () =>
        apiRoute(
          tokens,
          req,
          () =>
            parsed.ok
              ? handle({ store, now: now(), id: req.params.id, body: parsed.value })
              : genesysError(400, "bad.request", "The request body is not valid JSON"),
          parsed.ok ? parsed.value : req.body,
        ),
      );
    });
  putRoute(`${API}/campaigns/:id`, putCampaign);
  app.get(`${API}/contactlists`, (req, reply) =>
    run(req, reply, true, () =>
      apiRoute(tokens, req, () => listing(sorted(store.contactLists), query(req), `${API}/contactlists`)),
    ),
  );
  app.get<P>(`${API}/contactlists/:id`, (req, reply) =>
    run(req, reply, true, () =>
      apiRoute(tokens, req, () => getOne(store.contactLists, req.params.id, "contact list")),
    ),
  );
  app.get(`${API}/attemptlimits`, (req, reply) =>
    run(req, reply, true, () =>
      apiRoute(tokens, req, () => listing(sorted(store.attemptLimits), query(req), `${API}/attemptlimits`)),
    ),
  );
  app.get<P>(`${API}/attemptlimits/:id`, (req, reply) =>
    run(req, reply, true, () =>
      apiRoute(tokens, req, () => getOne(store.attemptLimits, req.params.id, "attempt limits")),
    ),
  );
  putRoute(`${API}/attemptlimits/:id`, putAttemptLimits);
  app.get(`${API}/settings`, (req, reply) =>
    run(req, reply, true, () =>
      apiRoute(tokens, req, () => ({ status: 200, body: structuredClone(store.settings) })),
    ),
  );
  app.setNotFoundHandler((req, reply) => {
    const path = new URL(req.url, "http://sim.invalid").pathname;
    reply.code(404).send(genesysError(404, "not.found", `no such endpoint: ${req.method} ${path}`).body);
  });
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const outcome = genesysError(
      status,
      status < 500 ? "bad.request" : "internal.server.error",
      status < 500 ? (err.message ?? "bad request") : "internal simulator error",
    );
    reply.code(status).send(outcome.body);
  });

  const url = await listenSimApp(app, opts);
  const copy = (o: SimObject | undefined) => (o === undefined ? undefined : structuredClone(o));
  const editOf = (map: Map<string, SimObject>, id: string, fields: Record<string, unknown>, what: string) => {
    if (!map.has(id)) throw new InputError("INVALID_SIM_EDIT", `${what} ${id} does not exist`);
    return store.edit(map, id, fields, now());
  };

  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    apiBaseUrl: url,
    log: pipeline.log,
    peakInFlight: () => pipeline.peakInFlight(),
    getCampaign: (id) => copy(store.campaigns.get(id)),
    listCampaigns: () => sorted(store.campaigns),
    getContactList: (id) => copy(store.contactLists.get(id)),
    getAttemptLimits: (id) => copy(store.attemptLimits.get(id)),
    attemptLimitsOf: (id) => copy(store.limitsOf(id)),
    editCampaign: (id, fields) => editOf(store.campaigns, id, fields, "campaign"),
    editAttemptLimits: (id, fields) => editOf(store.attemptLimits, id, fields, "attempt limits"),
    setFaults: (next) => pipeline.setFaults(next),
    tokensIssued: (clientId) => tokens.issuedCount(clientId),
    revokeTokens: () => tokens.revokeAll(),
    stop: async () => {
      await app.close();
    },
  };
}
