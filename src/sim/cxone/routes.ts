/**
 * The CXone endpoints the driver uses, as RouteSteps for the request pipeline (server.ts): discovery,
 * the password-grant token endpoint, skills and their general settings. API errors are CXone's
 * `{"error", "errorDescription"}`; the token endpoint answers OAuth's `{"error", "error_description"}`.
 */
import type { FastifyRequest } from "fastify";
import { bearerRoute } from "../bearer-route.js";
import type { Outcome, RouteStep } from "../outcome.js";
import { mediaType } from "../outcome.js";
import { parseBasicAuth, type TokenStore } from "../tokens.js";
import type { SimClient } from "../types.js";
import type { SkillStore } from "./skill-store.js";
import type { SimAccessKey, SimSkill } from "./types.js";
import { checkSettingsBody, crossFieldProblems } from "./validate-settings.js";

/** Admin API versions the simulator serves (assumed range; see the doc). */
export const MIN_API_VERSION = 11;
export const MAX_API_VERSION = 33;

export function cxoneError(
  status: number,
  error: string,
  errorDescription: string,
  headers?: Record<string, string>,
): Outcome {
  return { status, body: { error, errorDescription }, headers };
}

function oauthError(status: number, error: string, description: string): Outcome {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (status === 401) headers["www-authenticate"] = 'Basic realm="dialrules-sim-cxone"';
  return { status, body: { error, error_description: description }, headers };
}

export function openIdConfiguration(url: string): Outcome {
  return {
    status: 200,
    body: {
      issuer: url,
      token_endpoint: `${url}/auth/token`,
      grant_types_supported: ["password", "refresh_token", "authorization_code"],
      token_endpoint_auth_methods_supported: ["client_secret_basic"],
    },
  };
}

export function cxoneConfiguration(url: string, tenantId: string, query: URLSearchParams): Outcome {
  const asked = query.get("tenantId");
  if (asked === null || asked === "") return cxoneError(400, "InvalidRequest", "tenantId is required");
  if (asked !== tenantId) return cxoneError(404, "NotFound", `no tenant ${asked}`);
  return {
    status: 200,
    body: {
      private: false,
      area: "sim1",
      domain: new URL(url).host,
      api_endpoint: url,
      ui_endpoint: url,
      auth_endpoint: url,
    },
  };
}

/**
 * POST /auth/token, password grant: the registered application by HTTP Basic (required), a user's access
 * key as username/password. The issued token's identity (and rate budget) is the access key.
 */
export function passwordTokenRoute(
  clients: readonly SimClient[],
  keys: readonly SimAccessKey[],
  tokens: TokenStore,
  req: FastifyRequest,
): RouteStep {
  const rawBody = typeof req.body === "string" ? req.body : "";
  const isForm = mediaType(req.headers["content-type"]) === "application/x-www-form-urlencoded";
  const form = new URLSearchParams(isForm ? rawBody : "");
  const loggedBody = Object.fromEntries(
    [...form.entries()].map(
      ([k, v]) => [k, k === "password" || k === "client_secret" ? "<redacted>" : v] as const,
    ),
  );
  const username = form.get("username");
  const knownKey = keys.find((k) => k.id === username);
  const respond = (): Outcome => {
    if (!isForm)
      return oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    const basic = parseBasicAuth(req.headers.authorization);
    if (basic === undefined)
      return oauthError(401, "invalid_client", "client authentication (HTTP Basic) is required");
    if (basic === "malformed") return oauthError(401, "invalid_client", "malformed Basic authorization");
    const client = clients.find((c) => c.id === basic.clientId && c.secret === basic.secret);
    if (!client) return oauthError(401, "invalid_client", "unknown client or wrong secret");
    const grant = form.get("grant_type");
    if (grant === null) return oauthError(400, "invalid_request", "grant_type is required");
    if (grant !== "password")
      return oauthError(400, "unsupported_grant_type", "only the password grant is supported");
    const password = form.get("password");
    if (username === null || password === null)
      return oauthError(400, "invalid_request", "username and password are required");
    return issueForKey(tokens, knownKey, password, {});
  };
  return { clientId: knownKey?.id, loggedBody, respond };
}

/** A token for the access key when the secret matches; OAuth's invalid_grant otherwise. */
function issueForKey(
  tokens: TokenStore,
  key: SimAccessKey | undefined,
  secret: unknown,
  extra: Record<string, string>,
): Outcome {
  const user = key && key.secret === secret ? tokens.findClient(key.id) : undefined;
  if (!user) return oauthError(400, "invalid_grant", "invalid access key id or secret");
  const { token, expiresIn } = tokens.issue(user, []);
  return {
    status: 200,
    body: { access_token: token, token_type: "Bearer", expires_in: expiresIn, ...extra },
    headers: { "cache-control": "no-store", pragma: "no-cache" },
  };
}

/**
 * POST /authentication/v1/token/access-key: `{accessKeyId, accessKeySecret}` as JSON, no application
 * (cxone-mcp's login). The refusal's status and body are assumed (400 `{error, error_description}`).
 */
export function accessKeyTokenRoute(
  keys: readonly SimAccessKey[],
  tokens: TokenStore,
  req: FastifyRequest,
): RouteStep {
  let body: unknown;
  try {
    body = JSON.parse(typeof req.body === "string" ? req.body : "");
  } catch {
    body = undefined;
  }
  const b = (body ?? {}) as { accessKeyId?: unknown; accessKeySecret?: unknown };
  const id = typeof b.accessKeyId === "string" ? b.accessKeyId : undefined;
  const knownKey = keys.find((k) => k.id === id);
  const respond = (): Outcome => {
    if (mediaType(req.headers["content-type"]) !== "application/json" || body === undefined)
      return oauthError(400, "invalid_request", "a JSON body {accessKeyId, accessKeySecret} is required");
    return issueForKey(tokens, knownKey, b.accessKeySecret, { id_token: "sim.id.token" });
  };
  return { clientId: knownKey?.id, loggedBody: { accessKeyId: id, accessKeySecret: "<redacted>" }, respond };
}

/** Bearer check and API version check around an Admin API route; the caller's key is known even when expired. */
export function adminRoute(
  tokens: TokenStore,
  req: FastifyRequest,
  version: string,
  handle: () => Outcome,
  loggedBody?: unknown,
): RouteStep {
  const unauthorized = (text: string) =>
    cxoneError(401, "InvalidToken", text, { "www-authenticate": 'Bearer error="invalid_token"' });
  return bearerRoute(
    tokens,
    req,
    unauthorized,
    () => {
      const match = /^v(\d+)\.0$/.exec(version);
      const n = match ? Number(match[1]) : Number.NaN;
      if (!(n >= MIN_API_VERSION && n <= MAX_API_VERSION)) {
        return cxoneError(
          404,
          "NotFound",
          `API version ${version} is not available (v${MIN_API_VERSION}.0 to v${MAX_API_VERSION}.0)`,
        );
      }
      return handle();
    },
    loggedBody,
  );
}

function skillSummary(s: SimSkill) {
  const { generalSettings: _g, cadenceSettings: _c, deliveryPreferences: _d, ...rest } = s;
  return rest;
}

const isPc = (s: SimSkill) => s.outboundStrategy === "Personal Connection";

function wholeParam(query: URLSearchParams, name: string, fallback: number, max: number): number | string {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  return value >= 0 && value <= max ? value : `${name}: must be an integer from 0 to ${max}, got "${raw}"`;
}

/** GET /skills?mediaTypeId&outboundStrategy&isActive&skip&top: CXone pages with skip/top (top ≤ 100). */
export function listSkills(store: SkillStore, query: URLSearchParams, ignoreFilters = false): Outcome {
  const skip = wholeParam(query, "skip", 0, 1_000_000_000);
  const top = wholeParam(query, "top", 100, 100);
  if (typeof skip === "string") return cxoneError(400, "InvalidParameter", skip);
  if (typeof top === "string") return cxoneError(400, "InvalidParameter", top);
  const media = ignoreFilters ? null : query.get("mediaTypeId");
  const strategy = ignoreFilters ? null : query.get("outboundStrategy");
  const all = store
    .list()
    .filter((s) => media === null || String(s.mediaTypeId) === media)
    .filter((s) => strategy === null || s.outboundStrategy?.toLowerCase() === strategy.toLowerCase());
  const page = all.slice(skip, skip + top);
  // CXone answers an empty page with 204 and no body.
  if (page.length === 0) return { status: 204, body: undefined };
  return {
    status: 200,
    // totalRecords as a string, as some endpoints send it (cxone-mcp).
    body: { businessUnitId: 4600001, totalRecords: String(all.length), skills: page.map(skillSummary) },
  };
}

function skillIdOf(raw: string): number | undefined {
  return /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
}

/** Wrapped in `{skills: [ … ]}`, as live tenants answer (cxone-mcp reads `full.skills?.[0] || full`). */
export function getSkill(store: SkillStore, rawId: string): Outcome {
  const id = skillIdOf(rawId);
  const skill = id === undefined ? undefined : store.get(id);
  return skill
    ? { status: 200, body: { businessUnitId: 4600001, skills: [skillSummary(skill)] } }
    : cxoneError(404, "NotFound", `skill ${rawId} not found`);
}

/** `GET /skills/{id}/parameters`: every parameter block of a Personal Connection skill. */
export function getParameters(store: SkillStore, rawId: string): Outcome {
  const found = pcSkill(store, rawId);
  if ("status" in found) return found;
  const skill = found.skill;
  return {
    status: 200,
    body: {
      skillName: skill.skillName,
      skillNo: skill.skillId,
      generalSettings: skill.generalSettings,
      cadenceSettings: skill.cadenceSettings,
      deliveryPreferences: {
        ...skill.deliveryPreferences,
        confirmationRequiredDeliveryType: 1,
        confirmationRequiredTimeout: 30,
      },
      retrySettings: {
        maximumAttempts: skill.generalSettings.maximumAttempts,
        minimumRetryMinutes: skill.generalSettings.minimumRetryMinutes,
        finalizeWhenExhausted: true,
      },
    },
  };
}

export function getGeneralSettings(store: SkillStore, rawId: string): Outcome {
  const found = pcSkill(store, rawId);
  return "status" in found ? found : { status: 200, body: found.skill.generalSettings };
}

/** The Personal Connection skill a parameters route names, or the error CXone answers. */
function pcSkill(store: SkillStore, rawId: string): { skill: SimSkill } | Outcome {
  const id = skillIdOf(rawId);
  const skill = id === undefined ? undefined : store.get(id);
  if (!skill) return cxoneError(404, "NotFound", `skill ${rawId} not found`);
  if (!isPc(skill)) {
    return cxoneError(400, "InvalidRequest", `skill ${rawId} is not a Personal Connection skill`);
  }
  return { skill };
}

export function putGeneralSettings(store: SkillStore, rawId: string, body: unknown): Outcome {
  const id = skillIdOf(rawId);
  const skill = id === undefined ? undefined : store.get(id);
  if (id === undefined || !skill) return cxoneError(404, "NotFound", `skill ${rawId} not found`);
  if (!isPc(skill)) {
    return cxoneError(400, "InvalidRequest", `skill ${rawId} is not a Personal Connection skill`);
  }
  const checked = checkSettingsBody(body);
  if (!checked.ok) return cxoneError(400, "InvalidParameter", checked.problems.join("; "));
  if (skill.isRunning) {
    return cxoneError(409, "SkillRunning", `skill ${rawId} is running; stop it before changing its settings`);
  }
  const cross = crossFieldProblems({ ...skill.generalSettings, ...checked.settings });
  if (cross.length > 0) return cxoneError(400, "InvalidParameter", cross.join("; "));
  store.update(id, checked.settings);
  return { status: 200, body: undefined, appliedWrite: true };
}
