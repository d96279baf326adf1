/**
 * The request pipeline both simulator modes (v2 in server.ts, cxone in cxone/server.ts) run every request
 * through: the arrival hook (request log entry, fault plan drawn in arrival order, x-request-id), then
 * latency, dropped connection, concurrent editor, per-client budget, injected 5xx, the route itself, lost
 * replies of applied writes, and the log's final status. A mode supplies only what differs: its routes and
 * their auth, its error bodies, its log entry's extra fields and its concurrent editor.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Clock } from "../clock/clock.js";
import { drawFaultPlan, type FaultPlan } from "./fault-plan.js";
import type { Outcome, RouteStep } from "./outcome.js";
import { deriveSeed, Random } from "./random.js";
import { type BudgetState, ClientBuckets } from "./token-bucket.js";
import type { FaultSpec, RequestLogEntry, SimOptions } from "./types.js";

export interface ModeHooks<Edit, E extends RequestLogEntry<Edit>> {
  clock: Clock;
  /** The simulator's options: seed, initial faults, per-client budget (default 100/min), verbose. */
  options: Pick<SimOptions, "seed" | "faults" | "rateLimitPerMinute" | "verbose">;
  /** The seed stream of the fault plan, distinct from the mode's other streams. */
  faultStream: number;
  /** x-request-id is `${requestIdPrefix}-${instance}-${seq}`. */
  requestIdPrefix: string;
  /** The mode's own log fields, added on arrival. */
  extendEntry(entry: RequestLogEntry<Edit>): E;
  /** Applies a drawn concurrent edit to the mode's store; what changed, for the log. */
  concurrentEdit(edit: NonNullable<FaultPlan["edit"]>): Edit | undefined;
  /** Whether requests outside the API (the token endpoint) spend the caller's budget too. */
  budgetOutsideApi: boolean;
  /** The reply to a request over its client's budget. */
  rateLimited(clientId: string, retryAfterSec: number): Outcome;
  /** Headers describing the caller's budget, sent on every reply that spent it (genesys: inin-ratelimit-*). */
  budgetHeaders?(state: BudgetState): Record<string, string>;
  /** The reply of an injected 5xx. */
  serverError(status: number): Outcome;
  /** The stderr line of a finished request, written when the simulator is verbose. */
  verboseLine(entry: E, tookMs: number): string;
}

export interface Pipeline<E> {
  /** Every request in arrival order. */
  readonly log: E[];
  /** Runs `route` through the faults; `isApi` requests may meet the concurrent editor. */
  run(
    req: FastifyRequest,
    reply: FastifyReply,
    isApi: boolean,
    route: () => RouteStep,
  ): Promise<FastifyReply | undefined>;
  setFaults(next: FaultSpec): void;
  /** Most requests that were being handled at once so far (arrived, not yet answered or dropped). */
  peakInFlight(): number;
}

interface RequestContext<E> {
  entry: E;
  plan: FaultPlan;
  startedAt: number;
}

/** A Fastify app whose bodies reach the routes as strings, so any garbage gets the mode's 400, never a framework error. */
export function createSimApp(): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  return app;
}

/** Listens and returns the base URL a client on this machine can use. */
export async function listenSimApp(
  app: FastifyInstance,
  opts: { port?: number; host?: string },
): Promise<string> {
  const host = opts.host ?? "127.0.0.1";
  await app.listen({ port: opts.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  return `http://${hostForUrl(host)}:${port}`;
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * A request target that WHATWG URL parsing would keep as it is: one path of unreserved and sub-delimiter
 * characters, without dot segments, percent escapes, a query or a fragment. Such a target is its own
 * pathname, with no query: every PATCH and GET of a campaign, i.e. the simulator's per-request work.
 */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-_~!$&'()*+,;=:@/]*$/;

/** The logged path and query of a request target (what `new URL(target, base)` gives for them). */
export function pathAndQuery(target: string): { path: string; query: Record<string, string> } {
  if (PLAIN_PATH.test(target)) return { path: target, query: {} };
  const url = new URL(target, "http://sim.invalid");
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

function loggedHeaders(req: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === "authorization" ? "<redacted>" : Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

export function installPipeline<Edit, E extends RequestLogEntry<Edit>>(
  app: FastifyInstance,
  hooks: ModeHooks<Edit, E>,
): Pipeline<E> {
  const { clock, options } = hooks;
  const faultRandom = new Random(deriveSeed(options.seed ?? 1, hooks.faultStream));
  let faults: FaultSpec = { ...options.faults };
  let appliedWrites = 0;
  const log: E[] = [];
  const buckets = new ClientBuckets(options.rateLimitPerMinute ?? 100, clock);
  const contexts = new WeakMap<FastifyRequest, RequestContext<E>>();
  const instanceId = randomBytes(4).toString("hex");

  let inFlight = 0;
  let peakInFlight = 0;
  const record = (ctx: RequestContext<E>, status: RequestLogEntry["status"]): void => {
    if (ctx.entry.status === "pending") inFlight -= 1;
    ctx.entry.status = status;
    if (options.verbose)
      process.stderr.write(`${hooks.verboseLine(ctx.entry, clock.now() - ctx.startedAt)}\n`);
  };

  // Arrival: fault decisions are drawn here, in arrival order, before any await can reorder requests.
  // Both hooks take fastify's callback form: an async hook costs each request a promise and a microtask
  // turn per hook, on the simulator's one thread, which answers every request of a run in series.
  app.addHook("onRequest", (req, reply, done) => {
    const { path, query } = pathAndQuery(req.url);
    const seq = log.length + 1;
    const entry = hooks.extendEntry({
      seq,
      time: clock.now(),
      method: req.method,
      path,
      query,
      headers: loggedHeaders(req),
      body: undefined,
      status: "pending",
      requestId: `${hooks.requestIdPrefix}-${instanceId}-${seq}`,
    });
    log.push(entry);
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const plan = drawFaultPlan(faultRandom, faults);
    if (plan.latencyMs > 0) entry.fault = "latency";
    contexts.set(req, { entry, plan, startedAt: clock.now() });
    reply.header("x-request-id", entry.requestId);
    done();
  });

  app.addHook("onSend", (req, reply, payload, done) => {
    const ctx = contexts.get(req);
    if (ctx && ctx.entry.status === "pending") record(ctx, reply.statusCode);
    done(null, payload);
  });

  const noReply = (
    req: FastifyRequest,
    reply: FastifyReply,
    ctx: RequestContext<E>,
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

  const run: Pipeline<E>["run"] = async (req, reply, isApi, route) => {
    const ctx = contexts.get(req);
    if (!ctx) throw new Error("request reached a handler without its context");
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
    if (isApi && plan.edit) {
      const edit = hooks.concurrentEdit(plan.edit);
      if (edit !== undefined) entry.concurrentEdit = edit;
    }
    if (step.clientId !== undefined && (isApi || hooks.budgetOutsideApi)) {
      const decision = buckets.take(step.clientId);
      const state = hooks.budgetHeaders ? buckets.state(step.clientId) : undefined;
      if (state && hooks.budgetHeaders) {
        for (const [name, value] of Object.entries(hooks.budgetHeaders(state))) reply.header(name, value);
      }
      if (!decision.allowed) {
        entry.fault = "rate-limited";
        return send(reply, hooks.rateLimited(step.clientId, decision.retryAfterSec));
      }
    }
    if (plan.serverErrorStatus !== undefined) {
      entry.fault = "server-error";
      return send(reply, hooks.serverError(plan.serverErrorStatus));
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

  return {
    log,
    run,
    setFaults(next) {
      faults = { ...next };
    },
    peakInFlight: () => peakInFlight,
  };
}
