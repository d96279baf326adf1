import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildServer } from "../../../src/server/app.js";
import { dashboard } from "../../../src/server/dashboard/plugin.js";
import { openServiceDatabase } from "../../../src/server/db.js";
import { type Runtime, startRuntime } from "../../../src/server/runtime.js";
import { createTokenStore } from "../../../src/server/tokens/token-store.js";
import type { SimHandle } from "../../../src/sim/types.js";

/** A running dashboard the browser (or `inject`) can reach, with a viewer, an operator and an approver token. */
export interface DashboardTarget {
  baseUrl: string;
  /** The real services, over SQLite, against the embedded simulator. */
  runtime: Runtime;
  /** The embedded simulator behind them. */
  sim: SimHandle;
  app: FastifyInstance;
  tokens: { viewer: string; operator: string; approver: string };
  /** A campaign id whose dialing method is not PREDICTIVE yet, to request the high-risk change on. */
  campaignId: string;
  /** The banner every page must show, if the services set one. */
  banner?: string | undefined;
  close(): Promise<void>;
}

async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: "127.0.0.1", port: 0 });
}

/**
 * The real thing: `buildServer` with the JSON API and the dashboard, the real services on SQLite in a temp
 * folder, against the embedded simulator `serve` starts when no platform is configured (its banner included).
 */
export async function startRealTarget(
  options: {
    campaigns?: number;
    /** Changes the simulator's campaigns before the service first lists them. */
    prepare?: (sim: SimHandle) => void;
  } = {},
): Promise<DashboardTarget> {
  const dir = await mkdtemp(join(tmpdir(), "dialrules-browser-"));
  const sqlitePath = join(dir, "dialrules.db");
  const runtime = await startRuntime({
    sqlitePath,
    env: {},
    embeddedCampaigns: options.campaigns ?? 20,
    replica: "browser-test",
    openPlatform: () => Promise.reject(new Error("the browser test uses the embedded simulator")),
  });
  try {
    // Tokens the way `dialrules tokens create` makes them: in the service database, stored hashed.
    const sdb = await openServiceDatabase({ sqlitePath });
    const store = createTokenStore(sdb);
    const viewer = (await store.create("vera", "viewer")).token;
    const operator = (await store.create("olga", "operator")).token;
    const approver = (await store.create("arne", "approver")).token;
    await sdb.close();
    const sim = runtime.sim;
    if (!sim) throw new Error("no embedded simulator: a platform is configured");
    options.prepare?.(sim);
    const target = (await runtime.services.listCampaigns({ pageSize: 500 })).items.find(
      (v) => v.campaign.dialingRules.dialingMethod !== "PREDICTIVE",
    );
    if (!target) throw new Error("every seeded campaign is PREDICTIVE already");
    const app = await buildServer(runtime.services, { plugins: [dashboard(runtime.services)] });
    const baseUrl = await listen(app);
    return {
      baseUrl,
      runtime,
      sim,
      app,
      tokens: { viewer, operator, approver },
      campaignId: target.campaign.id,
      banner: runtime.info.banner,
      close: async () => {
        await app.close();
        await runtime.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
