/**
 * The simulator's `cxone` mode: NICE CXone discovery, the password-grant token endpoint and the Admin API
 * endpoints of Personal Connection skills (docs/platforms/cxone.md#simulator). It runs the v2
 * simulator's request pipeline (../pipeline.ts: seeded fault plan, per-client token buckets, request log)
 * and token store; what differs is the API, the error bodies, 429s without Retry-After, and skills that
 * refuse changes while running.
 */
import { performance } from "node:perf_hooks";
import type { FastifyRequest } from "fastify";
import { systemClock } from "../../clock/clock.js";
import { InputError } from "../../domain/errors.js";
import type { Outcome, RouteStep } from "../outcome.js";
import { createSimApp, installPipeline, listenSimApp } from "../pipeline.js";
import { deriveSeed, Random } from "../random.js";
import { TokenStore } from "../tokens.js";
import type { RequestLogEntry, SimClient } from "../types.js";
import {
  accessKeyTokenRoute,
  adminRoute,
  cxoneConfiguration,
  cxoneError,
  getGeneralSettings,
  getParameters,
  getSkill,
  listSkills,
  openIdConfiguration,
  passwordTokenRoute,
  putGeneralSettings,
} from "./routes.js";
import { SkillStore, seedSkills } from "./skill-store.js";
import type {
  CxoneConcurrentEdit,
  CxoneLogEntry,
  CxoneSimHandle,
  CxoneSimOptions,
  SimAccessKey,
} from "./types.js";
import { SIM_TENANT_ID } from "./types.js";
import { checkSettings, crossFieldProblems } from "./validate-settings.js";

const DEFAULT_CLIENTS: SimClient[] = [{ id: "demo", secret: "demo-secret" }];
const DEFAULT_KEYS: SimAccessKey[] = [{ id: "demo-key", secret: "demo-key-secret" }];
const SKILL_STREAM = 11;
const FAULT_STREAM = 12;
const API = "/inContactAPI/services/:version";

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
  let url = "";

  const app = createSimApp();
  const pipeline = installPipeline(app, {
    clock,
    options: opts,
    faultStream: FAULT_STREAM,
    requestIdPrefix: "sim-cxone",
    // Sub-millisecond arrival time, for measuring the race window.
    extendEntry: (entry: RequestLogEntry<CxoneConcurrentEdit>): CxoneLogEntry => ({
      ...entry,
      at: performance.now(),
    }),
    concurrentEdit: (edit) => store.concurrentEdit(edit),
    // The budget is the access key's, spent by Admin API calls only.
    budgetOutsideApi: false,
    // Deliberately no Retry-After: CXone does not promise one.
    rateLimited: (clientId) => cxoneError(429, "TooManyRequests", `rate limit exceeded for ${clientId}`),
    serverError: (status) => cxoneError(status, "ServerError", "simulated server error"),
    verboseLine: (e: CxoneLogEntry) =>
      `[sim cxone] #${e.seq} ${e.method} ${e.path} -> ${e.status}${e.fault ? ` fault=${e.fault}` : ""}`,
  });
  const run = pipeline.run;

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
  app.post("/authentication/v1/token/access-key", (req, reply) =>
    run(req, reply, false, () => accessKeyTokenRoute(keys, tokens, req)),
  );
  app.post("/auth/token", (req, reply) =>
    run(req, reply, false, () => passwordTokenRoute(clients, keys, tokens, req)),
  );
  app.get<P>(`${API}/skills`, (req, reply) =>
    run(req, reply, true, () =>
      adminRoute(tokens, req, req.params.version, () =>
        listSkills(store, new URL(req.url, "http://sim.invalid").searchParams, opts.ignoreSkillFilters),
      ),
    ),
  );
  app.get<P>(`${API}/skills/:id`, (req, reply) =>
    run(req, reply, true, () =>
      adminRoute(tokens, req, req.params.version, () => getSkill(store, req.params.id)),
    ),
  );
  app.get<P>(`${API}/skills/:id/parameters`, (req, reply) =>
    run(req, reply, true, () =>
      adminRoute(tokens, req, req.params.version, () =>
        opts.hideParameters
          ? cxoneError(404, "NotFound", "parameters are not exposed for this skill")
          : getParameters(store, req.params.id),
      ),
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
    // Outside the Admin API's routes CXone's gateway answers `{message}` (one of the three error shapes).
    reply.code(404).send({ message: `no such endpoint: ${req.method} ${path}` });
  });
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    reply.code(status).send({
      error: status < 500 ? "InvalidRequest" : "ServerError",
      errorDescription: status < 500 ? (err.message ?? "bad request") : "internal simulator error",
    });
  });

  url = await listenSimApp(app, opts);

  return {
    url,
    tenantId,
    tokenUrl: `${url}/auth/token`,
    apiEndpoint: url,
    log: pipeline.log,
    peakInFlight: () => pipeline.peakInFlight(),
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
    editParameters(id, blocks) {
      const updated = store.updateBlocks(id, blocks);
      if (!updated) throw new InputError("INVALID_SIM_EDIT", `skill ${id} does not exist`);
      return updated;
    },
    setRunning(id, running) {
      if (!store.setRunning(id, running))
        throw new InputError("INVALID_SIM_EDIT", `skill ${id} does not exist`);
    },
    setFaults: (next) => pipeline.setFaults(next),
    tokensIssued: (accessKeyId) => tokens.issuedCount(accessKeyId),
    revokeTokens: () => tokens.revokeAll(),
    stop: async () => {
      await app.close();
    },
  };
}
