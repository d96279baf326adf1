import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { systemClock } from "../clock/clock.js";
import { InputError } from "../domain/errors.js";
import type { Campaign, PartialRules } from "../domain/rules.js";
import { getCampaignRoute, listCampaignsRoute, patchCampaignRoute } from "./campaign-api.js";
import { CampaignStore } from "./campaign-store.js";
import { startCxoneSimulator } from "./cxone/server.js";
import type { CxoneSimHandle, CxoneSimOptions } from "./cxone/types.js";
import { drawFaultPlan, type FaultPlan } from "./fault-plan.js";
import type { Outcome, RouteStep } from "./outcome.js";
import { deriveSeed, Random } from "./random.js";
import { seedCampaigns } from "./seed-campaigns.js";
import { ClientBuckets } from "./token-bucket.js";
import { tokenRoute } from "./token-endpoint.js";
import { TokenStore } from "./tokens.js";
import type { FaultSpec, RequestLogEntry, SimClient, SimHandle, SimOptions } from "./types.js";
import { validateRulesPatch } from "./validate-patch.js";

export { parseFaultSpec, parseRate } from "./parse-options.js";
export { V2_SCOPES } from "./tokens.js";

const DEFAULT_CLIENTS: SimClient[] = [{ id: "demo", secret: "demo-secret" }];
const CAMPAIGN_STREAM = 1;
const FAULT_STREAM = 2;

interface RequestContext {
  entry: RequestLogEntry;
  plan: FaultPlan;
  startedAt: number;
}

function checkOptions(opts: SimOptions): void {
  const bad = (path: string, message: string) => new InputError("INVALID_SIM_OPTION", message, path);
  if (opts.campaigns !== undefined && !(Number.isInteger(opts.campaigns) && opts.campaigns >= 0)) {
    throw bad("campaigns", "must be a whole number ≥ 0");
  }
  if (opts.rateLimitPerMinute !== undefined && !(opts.rateLimitPerMinute > 0)) {
    throw bad("rateLimitPerMinute", "must be > 0 (Infinity turns rate limiting off)");
  }
  if (opts.tokenTtlSec !== undefined && !(Number.isInteger(opts.tokenTtlSec) && opts.tokenTtlSec >= 1)) {
    throw bad("tokenTtlSec", "must be a whole number of seconds ≥ 1");
  }
}

function loggedHeaders(req: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === "authorization" ? "<redacted>" : Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Starts the platform simulator (contract/v2-contract.openapi.yaml) on its own port. Every decision that
 * varies (seeded campaigns, faults) comes from the seed, and every wait from the injected clock, so a test
 * can replay a run exactly; many instances can run side by side in one process.
 */
export function startSimulator(opts: CxoneSimOptions): Promise<CxoneSimHandle>;
/** v2 contract; `mode: "cxone"` needs the CxoneSimOptions overload (its handle speaks skills, not campaigns). */
export function startSimulator(opts?: SimOptions): Promise<SimHandle>;
export async function startSimulator(
  opts: SimOptions | CxoneSimOptions = {},
): Promise<SimHandle | CxoneSimHandle> {
  // The cxone mode is its own server (src/sim/cxone); the v2 path below is unchanged.
  if (opts.mode === "cxone") return startCxoneSimulator({ ...opts, mode: "cxone" });
  return startV2Simulator(opts);
}

async function startV2Simulator(opts: SimOptions): Promise<SimHandle> {
  checkOptions(opts);
  const clock = opts.clock ?? systemClock;
  const seed = opts.seed ?? 1;
  const store = new CampaignStore(
    seedCampaigns(opts.campaigns ?? 200, new Random(deriveSeed(seed, CAMPAIGN_STREAM)), clock.now()),
    clock,
  );
  const tokens = new TokenStore(opts.clients ?? DEFAULT_CLIENTS, opts.tokenTtlSec ?? 3600, clock);
  const buckets = new ClientBuckets(opts.rateLimitPerMinute ?? 100, clock);
  const faultRandom = new Random(deriveSeed(seed, FAULT_STREAM));
  let faults: FaultSpec = { ...opts.faults };
  let appliedWrites = 0;
  const log: RequestLogEntry[] = [];
  const contexts = new WeakMap<FastifyRequest, RequestContext>();
  const instanceId = randomBytes(4).toString("hex");

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 });

  // Bodies are parsed by the routes so that any garbage becomes the contract's 400, never a framework error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  const record = (ctx: RequestContext, status: RequestLogEntry["status"]): void => {
    ctx.entry.status = status;
    if (!opts.verbose) return;
    const e = ctx.entry;
    const tookMs = clock.now() - ctx.startedAt;
    process.stderr.write(
      `[sim] #${e.seq} ${e.method} ${e.path} -> ${status}${e.clientId ? ` client=${e.clientId}` : ""}` +
        `${e.fault ? ` fault=${e.fault}` : ""}${e.concurrentEdit ? ` edited=${e.concurrentEdit.campaignId}` : ""} ${tookMs}ms\n`,
    );
  };

  const contextOf = (req: FastifyRequest): RequestContext => {
    const ctx = contexts.get(req);
    if (!ctx) throw new Error("request reached a handler without its context");
    return ctx;
  };

  // Arrival: fault decisions are drawn here, in arrival order, before any await can reorder requests.
  app.addHook("onRequest", async (req, reply) => {
    const url = new URL(req.url, "http://sim.invalid");
    const entry: RequestLogEntry = {
      seq: log.length + 1,
      time: clock.now(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: loggedHeaders(req),
      body: undefined,
      status: "pending",
    };
    entry.requestId = `sim-${instanceId}-${entry.seq}`;
    log.push(entry);
    const plan = drawFaultPlan(faultRandom, faults);
    if (plan.latencyMs > 0) entry.fault = "latency";
    contexts.set(req, { entry, plan, startedAt: clock.now() });
    reply.header("x-request-id", entry.requestId);
  });

  app.addHook("onSend", async (req, reply) => {
    const ctx = contexts.get(req);
    if (ctx && ctx.entry.status === "pending") record(ctx, reply.statusCode);
  });

  const noReply = (
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: RequestContext,
    status: "dropped" | "lost",
  ) => {
    record(ctx, status);
    reply.hijack();
    req.raw.socket.destroy();
  };

  const send = (reply: FastifyReply, outcome: Outcome) => {
    reply.code(outcome.status);
    for (const [name, value] of Object.entries(outcome.headers ?? {})) reply.header(name, value);
    return reply.send(outcome.body);
  };

  /**
   * The pipeline every route runs through: latency, dropped connection, concurrent editor, per-client
   * budget, injected 5xx, the route itself, and lost replies of applied writes.
   */
  const run = async (
    req: FastifyRequest,
    reply: FastifyReply,
    isApi: boolean,
    route: () => RouteStep,
  ): Promise<FastifyReply | undefined> => {
    const ctx = contextOf(req);
    const { plan, entry } = ctx;
    const step = route();
    entry.body = step.loggedBody;
    entry.clientId = step.clientId;
    if (plan.latencyMs > 0) await clock.sleep(plan.latencyMs);
    if (plan.drop) {
      entry.fault = "drop";
      noReply(req, reply, ctx, "dropped");
      return undefined;
    }
    if (isApi && plan.edit) entry.concurrentEdit = store.concurrentEdit(plan.edit);
    if (step.clientId !== undefined) {
      const decision = buckets.take(step.clientId);
      if (!decision.allowed) {
        entry.fault = "rate-limited";
        return send(reply, {
          status: 429,
          body: {
            message: `rate limit exceeded for client ${step.clientId}; retry in ${decision.retryAfterSec}s`,
          },
          headers: { "retry-after": String(decision.retryAfterSec) },
        });
      }
    }
    if (plan.serverErrorStatus !== undefined) {
      entry.fault = "server-error";
      return send(reply, { status: plan.serverErrorStatus, body: { message: "simulated server error" } });
    }
    const outcome = step.respond();
    if (outcome.appliedWrite) {
      appliedWrites += 1;
      const every = faults.lostResponseEvery;
      if (plan.loseResponse || (every !== undefined && every > 0 && appliedWrites % every === 0)) {
        entry.fault = "lost-response";
        noReply(req, reply, ctx, "lost");
        return undefined;
      }
    }
    return send(reply, outcome);
  };

  app.post("/oauth/token", (req, reply) => run(req, reply, false, () => tokenRoute(tokens, req)));
  app.get("/api/v2/outbound/campaigns", (req, reply) =>
    run(req, reply, true, () =>
      listCampaignsRoute(tokens, store, req, new URL(req.url, "http://sim.invalid").searchParams),
    ),
  );
  app.get<{ Params: { id: string } }>("/api/v2/outbound/campaigns/:id", (req, reply) =>
    run(req, reply, true, () => getCampaignRoute(tokens, store, req, req.params.id)),
  );
  app.patch<{ Params: { id: string } }>("/api/v2/outbound/campaigns/:id", (req, reply) =>
    run(req, reply, true, () => patchCampaignRoute(tokens, store, req, req.params.id)),
  );

  app.setNotFoundHandler((req, reply) => {
    const path = new URL(req.url, "http://sim.invalid").pathname;
    reply.code(404).send({ message: `no such endpoint: ${req.method} ${path}` });
  });

  // Framework-level failures (oversized or unreadable bodies) still answer in the contract's shapes.
  app.setErrorHandler((err: { statusCode?: number; message?: string }, req, reply) => {
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const message = status < 500 ? (err.message ?? "bad request") : "internal simulator error";
    if (req.url.startsWith("/oauth/")) {
      reply
        .code(status)
        .send({ error: status === 400 ? "invalid_request" : "server_error", error_description: message });
    } else {
      reply
        .code(status)
        .send(status === 400 ? { message, errors: [{ field: "body", message }] } : { message });
    }
  });

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${hostForUrl(opts.host ?? "127.0.0.1")}:${port}`;

  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    apiBase: `${url}/api/v2`,
    log,
    getCampaign: (id: string): Campaign | undefined => store.get(id),
    listCampaigns: (): Campaign[] => store.list(),
    editCampaign(id: string, rules: PartialRules): Campaign {
      const errors = validateRulesPatch(rules);
      if (errors.length > 0) {
        throw new InputError("INVALID_SIM_EDIT", errors.map((e) => `${e.field}: ${e.message}`).join("; "));
      }
      const updated = store.apply(id, rules);
      if (!updated) throw new InputError("INVALID_SIM_EDIT", `campaign ${id} does not exist`);
      return updated;
    },
    setFaults(next: FaultSpec): void {
      faults = { ...next };
    },
    tokensIssued: (clientId?: string): number => tokens.issuedCount(clientId),
    revokeTokens: (): void => tokens.revokeAll(),
    stop: async (): Promise<void> => {
      await app.close();
    },
  };
}
