import { afterEach } from "vitest";
import type { Campaign } from "../../src/domain/rules.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle, SimOptions } from "../../src/sim/types.js";

/**
 * One test file's simulators: `sim(opts)` starts one over the file's defaults (no rate limit unless asked)
 * and every simulator started in a test is stopped after it.
 */
export function simulators(defaults: SimOptions): (opts?: SimOptions) => Promise<SimHandle> {
  const running: SimHandle[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  return async (opts = {}) => {
    const handle = await startSimulator({
      rateLimitPerMinute: Number.POSITIVE_INFINITY,
      ...defaults,
      ...opts,
    });
    running.push(handle);
    return handle;
  };
}

export const CAMPAIGN_PATH = "/api/v2/outbound/campaigns/{campaignId}";
export const LIST_PATH = "/api/v2/outbound/campaigns";
export const TOKEN_PATH = "/oauth/token";

/** RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding. */
export function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString("base64")}`;
}

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function toReply<T>(res: Response): Promise<Reply<T>> {
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text === "" ? undefined : JSON.parse(text)) as T,
  };
}

export interface TokenReply {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
}

export async function requestToken(
  sim: SimHandle,
  opts: { id?: string; secret?: string; via?: "basic" | "body"; scope?: string; grantType?: string } = {},
): Promise<Reply<TokenReply>> {
  const id = opts.id ?? "demo";
  const secret = opts.secret ?? "demo-secret";
  const form = new URLSearchParams({ grant_type: opts.grantType ?? "client_credentials" });
  if (opts.scope !== undefined) form.set("scope", opts.scope);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if ((opts.via ?? "basic") === "basic") {
    headers.authorization = basicAuth(id, secret);
  } else {
    form.set("client_id", id);
    form.set("client_secret", secret);
  }
  return toReply<TokenReply>(await fetch(sim.tokenUrl, { method: "POST", headers, body: form.toString() }));
}

/** A token for the default demo client; fails the test when the simulator refuses. */
export async function token(sim: SimHandle, opts: Parameters<typeof requestToken>[1] = {}): Promise<string> {
  const reply = await requestToken(sim, opts);
  if (reply.status !== 200 || !reply.body.access_token)
    throw new Error(`token request failed: ${reply.status}`);
  return reply.body.access_token;
}

export async function getCampaign(sim: SimHandle, bearer: string, id: string): Promise<Reply<Campaign>> {
  return toReply(
    await fetch(`${sim.apiBase}/outbound/campaigns/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${bearer}` },
    }),
  );
}

export interface ListReply {
  campaigns: Campaign[];
  page: number;
  pageSize: number;
  total: number;
  errors?: { field: string; message: string }[];
}

export async function listCampaigns(sim: SimHandle, bearer: string, query = ""): Promise<Reply<ListReply>> {
  return toReply(
    await fetch(`${sim.apiBase}/outbound/campaigns${query}`, {
      headers: { authorization: `Bearer ${bearer}` },
    }),
  );
}

export interface PatchReplyBody {
  id?: string;
  revision?: number;
  dialingRules?: Campaign["dialingRules"];
  currentRevision?: number;
  message?: string;
  errors?: { field: string; message: string }[];
}

/** PATCH with a raw body (string) or a JSON value; `ifMatch` null leaves the header out. */
export async function patchCampaign(
  sim: SimHandle,
  bearer: string,
  id: string,
  body: unknown,
  ifMatch: string | null,
  contentType = "application/json",
): Promise<Reply<PatchReplyBody>> {
  const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, "content-type": contentType };
  if (ifMatch !== null) headers["x-if-match"] = ifMatch;
  return toReply(
    await fetch(`${sim.apiBase}/outbound/campaigns/${encodeURIComponent(id)}`, {
      method: "PATCH",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

/** A PATCH computed against the simulator's current revision of `id`. */
export async function patchCurrent(
  sim: SimHandle,
  bearer: string,
  id: string,
  dialingRules: unknown,
): Promise<Reply<PatchReplyBody>> {
  const revision = sim.getCampaign(id)?.revision ?? 0;
  return patchCampaign(sim, bearer, id, { revision, dialingRules }, String(revision));
}
