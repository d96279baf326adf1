import type { FastifyRequest } from "fastify";
import { bearerRoute } from "./bearer-route.js";
import type { CampaignStore } from "./campaign-store.js";
import type { Outcome, RouteStep } from "./outcome.js";
import { mediaType } from "./outcome.js";
import type { TokenStore } from "./tokens.js";
import type { FieldError } from "./validate-patch.js";
import { validatePatchRequest } from "./validate-patch.js";

const READ_SCOPE = "outbound:campaign:read";
const WRITE_SCOPES = ["outbound:campaign:write", "outbound:rules:write"] as const;
const MAX_PAGE_SIZE = 100;

function problem(status: number, message: string, headers?: Record<string, string>): Outcome {
  return { status, body: { message }, headers };
}

function invalid(errors: FieldError[]): Outcome {
  return { status: 400, body: { message: "the request is invalid", errors } };
}

/** Wraps an API route with bearer authentication (bearer-route.ts) and a scope check. */
function authorized(
  tokens: TokenStore,
  req: FastifyRequest,
  scopes: readonly string[],
  handle: () => Outcome,
  loggedBody?: unknown,
): RouteStep {
  const unauthorized = (message: string) =>
    problem(401, message, { "www-authenticate": 'Bearer realm="dialrules-sim", error="invalid_token"' });
  return bearerRoute(
    tokens,
    req,
    unauthorized,
    (record) => {
      const missing = scopes.filter((s) => !record.scopes.includes(s));
      if (missing.length > 0) return problem(403, `access token lacks scope: ${missing.join(" ")}`);
      return handle();
    },
    loggedBody,
  );
}

/** A positive integer query parameter with bounds; default when absent. */
function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  max: number,
  errors: FieldError[],
): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) {
    const range = max === Number.POSITIVE_INFINITY ? "≥ 1" : `from 1 to ${max}`;
    errors.push({ field: name, message: `must be an integer ${range}, got "${raw}"` });
  }
  return value;
}

export function listCampaignsRoute(
  tokens: TokenStore,
  store: CampaignStore,
  req: FastifyRequest,
  query: URLSearchParams,
): RouteStep {
  return authorized(tokens, req, [READ_SCOPE], () => {
    const errors: FieldError[] = [];
    const page = intParam(query, "page", 1, Number.POSITIVE_INFINITY, errors);
    const pageSize = intParam(query, "pageSize", MAX_PAGE_SIZE, MAX_PAGE_SIZE, errors);
    if (errors.length > 0) return invalid(errors);
    const { campaigns, total } = store.page(page, pageSize);
    return { status: 200, body: { campaigns, page, pageSize, total } };
  });
}

export function getCampaignRoute(
  tokens: TokenStore,
  store: CampaignStore,
  req: FastifyRequest,
  id: string,
): RouteStep {
  return authorized(tokens, req, [READ_SCOPE], () => {
    const campaign = store.get(id);
    return campaign ? { status: 200, body: campaign } : problem(404, `campaign ${id} not found`);
  });
}

type ParsedBody = { ok: true; value: unknown } | { ok: false; error: FieldError };

function parseJsonBody(req: FastifyRequest): ParsedBody {
  const type = mediaType(req.headers["content-type"]);
  if (type !== "application/json" && !type.endsWith("+json")) {
    return { ok: false, error: { field: "body", message: "Content-Type must be application/json" } };
  }
  try {
    return { ok: true, value: JSON.parse(typeof req.body === "string" ? req.body : "") };
  } catch {
    return { ok: false, error: { field: "body", message: "is not valid JSON" } };
  }
}

export function patchCampaignRoute(
  tokens: TokenStore,
  store: CampaignStore,
  req: FastifyRequest,
  id: string,
): RouteStep {
  const parsed = parseJsonBody(req);
  const loggedBody = parsed.ok ? parsed.value : req.body;
  return authorized(
    tokens,
    req,
    WRITE_SCOPES,
    () => {
      const currentRevision = store.revisionOf(id);
      if (currentRevision === undefined) return problem(404, `campaign ${id} not found`);
      const ifMatch = req.headers["x-if-match"];
      const headerValue = Array.isArray(ifMatch) ? ifMatch.join(",") : ifMatch;
      if (!parsed.ok) {
        const errors = [parsed.error];
        if (headerValue === undefined) errors.unshift({ field: "X-If-Match", message: "header is required" });
        return invalid(errors);
      }
      const checked = validatePatchRequest(parsed.value, headerValue);
      if (!checked.ok) return invalid(checked.errors);
      if (checked.patch.revision !== currentRevision) {
        return {
          status: 409,
          body: {
            message: `revision ${checked.patch.revision} is stale; the campaign is at revision ${currentRevision}`,
            currentRevision,
          },
        };
      }
      const updated = store.apply(id, checked.patch.rules);
      return { status: 200, body: updated, appliedWrite: true };
    },
    loggedBody,
  );
}
