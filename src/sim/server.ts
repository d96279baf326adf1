import { systemClock } from "../clock/clock.js";
import { InputError } from "../domain/errors.js";
import type { Campaign, PartialRules } from "../domain/rules.js";
import { getCampaignRoute, listCampaignsRoute, patchCampaignRoute } from "./campaign-api.js";
import { CampaignStore } from "./campaign-store.js";
import { startCxoneSimulator } from "./cxone/server.js";
import type { CxoneSimHandle, CxoneSimOptions } from "./cxone/types.js";
import { startGenesysSimulator } from "./genesys/server.js";
import type { GenesysSimHandle, GenesysSimOptions } from "./genesys/types.js";
import { createSimApp, installPipeline, listenSimApp } from "./pipeline.js";
import { deriveSeed, Random } from "./random.js";
import { seedCampaigns } from "./seed-campaigns.js";
import { ietfRateLimitFields } from "./token-bucket.js";
import { tokenRoute } from "./token-endpoint.js";
import { TokenStore } from "./tokens.js";
import type { FaultSpec, RequestLogEntry, SimClient, SimHandle, SimOptions } from "./types.js";
import { validateRulesPatch } from "./validate-patch.js";

export { parseFaultSpec, parseRate } from "./parse-options.js";
export { V2_SCOPES } from "./tokens.js";

const DEFAULT_CLIENTS: SimClient[] = [{ id: "demo", secret: "demo-secret" }];
const CAMPAIGN_STREAM = 1;
const FAULT_STREAM = 2;

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

/**
 * Starts the platform simulator (contract/v2-contract.openapi.yaml) on its own port. Every decision that
 * varies (seeded campaigns, faults) comes from the seed, and every wait from the injected clock, so a test
 * can replay a run exactly; many instances can run side by side in one process.
 */
export function startSimulator(opts: CxoneSimOptions): Promise<CxoneSimHandle>;
export function startSimulator(opts: GenesysSimOptions): Promise<GenesysSimHandle>;
/** v2 contract; `mode: "cxone"` needs the CxoneSimOptions overload (its handle speaks skills, not campaigns). */
export function startSimulator(opts?: SimOptions): Promise<SimHandle>;
export async function startSimulator(
  opts: SimOptions | CxoneSimOptions | GenesysSimOptions = {},
): Promise<SimHandle | CxoneSimHandle | GenesysSimHandle> {
  // The cxone and genesys modes are their own servers (src/sim/cxone, src/sim/genesys).
  if (opts.mode === "cxone") return startCxoneSimulator({ ...opts, mode: "cxone" });
  if (opts.mode === "genesys") {
    checkOptions(opts);
    return startGenesysSimulator({ ...opts, mode: "genesys" });
  }
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
  const app = createSimApp();
  const pipeline = installPipeline(app, {
    clock,
    options: opts,
    faultStream: FAULT_STREAM,
    requestIdPrefix: "sim",
    extendEntry: (entry: RequestLogEntry) => entry,
    concurrentEdit: (edit) => store.concurrentEdit(edit),
    // A gateway counts token requests against the client's budget too.
    budgetOutsideApi: true,
    budgetHeaders: ietfRateLimitFields,
    rateLimited: (clientId, retryAfterSec) => ({
      status: 429,
      body: { message: `rate limit exceeded for client ${clientId}; retry in ${retryAfterSec}s` },
      headers: { "retry-after": String(retryAfterSec) },
    }),
    serverError: (status) => ({ status, body: { message: "simulated server error" } }),
    verboseLine: (e: RequestLogEntry, tookMs: number) =>
      `[sim] #${e.seq} ${e.method} ${e.path} -> ${e.status}${e.clientId ? ` client=${e.clientId}` : ""}` +
      `${e.fault ? ` fault=${e.fault}` : ""}${e.concurrentEdit ? ` edited=${e.concurrentEdit.campaignId}` : ""} ${tookMs}ms`,
  });
  const run = pipeline.run;

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

  const url = await listenSimApp(app, opts);

  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    apiBase: `${url}/api/v2`,
    log: pipeline.log,
    peakInFlight: () => pipeline.peakInFlight(),
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
    setFaults: (next: FaultSpec): void => pipeline.setFaults(next),
    tokensIssued: (clientId?: string): number => tokens.issuedCount(clientId),
    revokeTokens: (): void => tokens.revokeAll(),
    stop: async (): Promise<void> => {
      await app.close();
    },
  };
}
