/**
 * The simulator's `cxone` mode: NICE CXone discovery, the password-grant token endpoint and the Admin API
 * endpoints of Personal Connection skills (docs/platforms/cxone.md#simulator). It reuses the v2
 * simulator's seeded randomness, fault plan, per-client token buckets and token store; what differs is the
 * API, the error bodies, 429s without Retry-After, and skills that refuse changes while running.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { systemClock } from "../../clock/clock.js";
import { InputError } from "../../domain/errors.js";
import { drawFaultPlan, type FaultPlan } from "../fault-plan.js";
import type { Outcome, RouteStep } from "../outcome.js";
import { deriveSeed, Random } from "../random.js";
import { ClientBuckets } from "../token-bucket.js";
import { TokenStore } from "../tokens.js";
import type { FaultSpec, SimClient } from "../types.js";
import {
  adminRoute,
  cxoneConfiguration,
  cxoneError,
  getGeneralSettings,
  getSkill,
  listSkills,
  openIdConfiguration,
  passwordTokenRoute,
  putGeneralSettings,
} from "./routes.js";
import { SkillStore, seedSkills } from "./skill-store.js";
import type { CxoneLogEntry, CxoneSimHandle, CxoneSimOptions, SimAccessKey } from "./types.js";
import { SIM_TENANT_ID } from "./types.js";
import { checkSettings, crossFieldProblems } from "./validate-settings.js";

const DEFAULT_CLIENTS: SimClient[] = [{ id: "demo", secret: "demo-secret" }];
const DEFAULT_KEYS: SimAccessKey[] = [{ id: "demo-key", secret: "demo-key-secret" }];
const SKILL_STREAM = 11;
const FAULT_STREAM = 12;
const API = "/inContactAPI/services/:version";

interface Context {
  entry: CxoneLogEntry;
  plan: FaultPlan;
}

function loggedHeaders(req: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === "authorization" ? "<redacted>" : Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function parseJson(req: FastifyRequest): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(typeof req.body === "string" ? req.body : "") };
  } catch {
    return { ok: false };
  }
}

export async function startCxoneSimulator(opts: CxoneSimOptions): Promise<CxoneSimHandle> {
  if (opts.skills !== undefined && !(Number.isInteger(opts.skills) && opts.skills >= 0)) {
    throw new InputError("INVALID_SIM_OPTION", "must be a whole number ≥ 0", "skills");
  }
  const clock = opts.clock ?? systemClock;
  const seed = opts.seed ?? 1;
  const tenantId = opts.tenantId ?? SIM_TENANT_ID;
  const clients = opts.clients ?? DEFAULT_CLIENTS;
  const keys = opts.accessKeys ?? DEFAULT_KEYS;
  const store = new SkillStore(
    seedSkills(opts.skills ?? 40, new Random(deriveSeed(seed, SKILL_STREAM)), opts.runningSkillIds),
  );
  // The token store's "clients" are the access keys: a token, and its rate budget, belong to a user.
  const tokens = new TokenStore(keys, opts.tokenTtlSec ?? 3600, clock);
  const buckets = new ClientBuckets(opts.rateLimitPerMinute ?? 100, clock);
  const faultRandom = new Random(deriveSeed(seed, FAULT_STREAM));
  let faults: FaultSpec = { ...opts.faults };
  let appliedWrites = 0;
  const log: CxoneLogEntry[] = [];
  const contexts = new WeakMap<FastifyRequest, Context>();
  const instanceId = randomBytes(4).toString("hex");
  let url = "";

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.addHook("onRequest", async (req, reply) => {
    const parsed = new URL(req.url, "http://sim.invalid");
    const entry: CxoneLogEntry = {
      seq: log.length + 1,
      time: clock.now(),
      at: performance.now(),
      method: req.method,
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      headers: loggedHeaders(req),
      body: undefined,
      status: "pending",
      requestId: `sim-cxone-${instanceId}-${log.length + 1}`,
    };
    log.push(entry);
    const plan = drawFaultPlan(faultRandom, faults);
    if (plan.latencyMs > 0) entry.fault = "latency";
    contexts.set(req, { entry, plan });
    reply.header("x-request-id", entry.requestId);
  });
  app.addHook("onSend", async (req, reply) => {
    const ctx = contexts.get(req);
    if (ctx && ctx.entry.status === "pending") ctx.entry.status = reply.statusCode;
    if (ctx && opts.verbose) {
      const e = ctx.entry;
      process.stderr.write(
        `[sim cxone] #${e.seq} ${e.method} ${e.path} -> ${e.status}${e.fault ? ` fault=${e.fault}` : ""}\n`,
      );
    }
  });

  const send = (reply: FastifyReply, outcome: Outcome) => {
    reply.code(outcome.status);
    for (const [name, value] of Object.entries(outcome.headers ?? {})) reply.header(name, value);
    return outcome.body === undefined ? reply.send() : reply.send(outcome.body);
  };
  const noReply = (req: FastifyRequest, reply: FastifyReply, ctx: Context, status: "dropped" | "lost") => {
    ctx.entry.status = status;
    reply.hijack();
    req.raw.socket.destroy();
  };

  /** Latency, dropped connection, concurrent editor, per-key budget, 5xx, the route, lost replies. */
  const run = async (req: FastifyRequest, reply: FastifyReply, isApi: boolean, route: () => RouteStep) => {
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
      const edit = store.concurrentEdit(plan.edit);
      if (edit) entry.concurrentEdit = edit;
    }
    if (step.clientId !== undefined && isApi) {
      if (!buckets.take(step.clientId).allowed) {
        entry.fault = "rate-limited";
        // Deliberately no Retry-After: CXone does not promise one.
        return send(reply, cxoneError(429, "TooManyRequests", `rate limit exceeded for ${step.clientId}`));
      }
    }
    if (plan.serverErrorStatus !== undefined) {
      entry.fault = "server-error";
      return send(reply, cxoneError(plan.serverErrorStatus, "ServerError", "simulated server error"));
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

  const fixed = (outcome: () => Outcome): RouteStep => ({ respond: outcome });
  type P = { Params: { version: string; id: string } };

  app.get("/.well-known/openid-configuration", (req, reply) =>
    run(req, reply, false, () => fixed(() => openIdConfiguration(url))),
  );
  app.get("/.well-known/cxone-configuration", (req, reply) =>
    run(req, reply, false, () =>
      fixed(() => cxoneConfiguration(url, tenantId, new URL(req.url, "http://sim.invalid").searchParams)),
    ),
  );
  app.post("/auth/token", (req, reply) =>
    run(req, reply, false, () => passwordTokenRoute(clients, keys, tokens, req)),
  );
  app.get<P>(`${API}/skills`, (req, reply) =>
    run(req, reply, true, () =>
      adminRoute(tokens, req, req.params.version, () =>
        listSkills(store, new URL(req.url, "http://sim.invalid").searchParams),
      ),
    ),
  );
  app.get<P>(`${API}/skills/:id`, (req, reply) =>
    run(req, reply, true, () =>
      adminRoute(tokens, req, req.params.version, () => getSkill(store, req.params.id)),
    ),
  );
  app.get<P>(`${API}/skills/:id/parameters/general-settings`, (req, reply) =>
    run(req, reply, true, () =>
      adminRoute(tokens, req, req.params.version, () => getGeneralSettings(store, req.params.id)),
    ),
  );
  app.put<P>(`${API}/skills/:id/parameters/general-settings`, (req, reply) => {
    const parsed = parseJson(req);
    return run(req, reply, true, () =>
      adminRoute(
        tokens,
        req,
        req.params.version,
        () =>
          parsed.ok
            ? putGeneralSettings(store, req.params.id, parsed.value)
            : cxoneError(400, "InvalidRequest", "body: is not valid JSON"),
        parsed.ok ? parsed.value : req.body,
      ),
    );
  });
  app.setNotFoundHandler((req, reply) => {
    const path = new URL(req.url, "http://sim.invalid").pathname;
    reply.code(404).send({ error: "NotFound", errorDescription: `no such endpoint: ${req.method} ${path}` });
  });
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    reply.code(status).send({
      error: status < 500 ? "InvalidRequest" : "ServerError",
      errorDescription: status < 500 ? (err.message ?? "bad request") : "internal simulator error",
    });
  });

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  const host = opts.host ?? "127.0.0.1";
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  url = `http://${shown}:${port}`;

  return {
    url,
    tenantId,
    tokenUrl: `${url}/auth/token`,
    apiEndpoint: url,
    log,
    getSkill: (id) => store.get(id),
    listSkills: () => store.list(),
    editGeneralSettings(id, settings) {
      const checked = checkSettings(settings, "generalSettings");
      if (!checked.ok) throw new InputError("INVALID_SIM_EDIT", checked.problems.join("; "));
      const current = store.get(id);
      if (!current) throw new InputError("INVALID_SIM_EDIT", `skill ${id} does not exist`);
      const cross = crossFieldProblems({ ...current.generalSettings, ...checked.settings });
      if (cross.length > 0) throw new InputError("INVALID_SIM_EDIT", cross.join("; "));
      return store.update(id, checked.settings) ?? current;
    },
    setRunning(id, running) {
      if (!store.setRunning(id, running))
        throw new InputError("INVALID_SIM_EDIT", `skill ${id} does not exist`);
    },
    setFaults(next) {
      faults = { ...next };
    },
    tokensIssued: (accessKeyId) => tokens.issuedCount(accessKeyId),
    revokeTokens: () => tokens.revokeAll(),
    stop: async () => {
      await app.close();
    },
  };
}
