import Fastify, { type FastifyInstance } from "fastify";
import type { ServerServices } from "../../../src/server/contract.js";
import { dashboardPlugin } from "../../../src/server/dashboard/plugin.js";

/** A fastify app with only the dashboard, for `inject` tests against any `ServerServices`. */
export async function dashboardApp(services: ServerServices): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(dashboardPlugin, { services });
  await app.ready();
  return app;
}

export const HIGH_RISK_RULES = `profiles: [US_TCPA]
licenseTier: ENTERPRISE
campaigns:
  - id: CMP-1
    dialingRules: {dialingMethod: PREDICTIVE, maxCallsPerAgent: 2}
`;

export const form = (fields: Record<string, string>) => ({
  headers: { "content-type": "application/x-www-form-urlencoded" },
  payload: new URLSearchParams(fields).toString(),
});

export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error("no CSRF field on the page");
  return match[1];
}
