/**
 * The Genesys Cloud outbound endpoints the driver uses, as RouteSteps for the request pipeline: listings,
 * GET and whole-object PUT of campaigns and attempt limits, contact lists, organisation settings. Strict
 * like the platform: versions checked (409 on campaigns, 400 "does not match the current version" on
 * attempt limits, the two forms Genesys uses), running campaigns refuse all but a few fields, the
 * organisation's calls-per-agent ceiling, errors as `{message, code, status, contextId, details, errors}`.
 */
import { randomUUID } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { bearerRoute } from "../bearer-route.js";
import type { Outcome, RouteStep } from "../outcome.js";
import type { TokenStore } from "../tokens.js";
import type { GenesysStore } from "./store.js";
import type { SimObject } from "./types.js";

export function genesysError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Outcome {
  return {
    status,
    body: { message, code, status, contextId: randomUUID(), details: [], errors: [] },
    headers,
  };
}

export function apiRoute(
  tokens: TokenStore,
  req: FastifyRequest,
  handle: () => Outcome,
  loggedBody?: unknown,
): RouteStep {
  const unauthorized = (text: string) => genesysError(401, "authentication.required", text);
  return bearerRoute(tokens, req, unauthorized, () => handle(), loggedBody);
}

function whole(query: URLSearchParams, name: string, fallback: number, min: number, max: number) {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  return value >= min && value <= max
    ? value
    : `${name} must be an integer from ${min} to ${max}, got "${raw}"`;
}

/** `?pageSize` (1–100, default 25) `&pageNumber` (from 1) → `{entities, pageSize, pageNumber, total, pageCount}`. */
export function listing(objects: SimObject[], query: URLSearchParams, path: string): Outcome {
  const pageSize = whole(query, "pageSize", 25, 1, 100);
  const pageNumber = whole(query, "pageNumber", 1, 1, 1_000_000);
  if (typeof pageSize === "string") return genesysError(400, "invalid.value", pageSize);
  if (typeof pageNumber === "string") return genesysError(400, "invalid.value", pageNumber);
  const pageCount = Math.ceil(objects.length / pageSize);
  const entities = objects.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    status: 200,
    body: {
      entities,
      pageSize,
      pageNumber,
      total: objects.length,
      pageCount,
      firstUri: `${path}?pageSize=${pageSize}&pageNumber=1`,
      selfUri: `${path}?pageSize=${pageSize}&pageNumber=${pageNumber}`,
      lastUri: `${path}?pageSize=${pageSize}&pageNumber=${Math.max(1, pageCount)}`,
    },
  };
}

export function getOne(map: Map<string, SimObject>, id: string, what: string): Outcome {
  const found = map.get(id);
  return found
    ? { status: 200, body: structuredClone(found) }
    : genesysError(404, "not.found", `${what} ${id} not found`);
}

const MODES = new Set(["agentless", "preview", "power", "predictive", "progressive", "external"]);
const NEEDS_ABANDON_RATE = new Set(["power", "predictive", "progressive"]);
const STATUSES = new Set(["on", "stopping", "off", "complete", "invalid", "forced_off", "forced_stopping"]);
/** Written by the platform, not by a PUT; ignored when compared. */
const READ_ONLY = new Set(["version", "dateCreated", "dateModified", "selfUri", "campaignStatus", "errors"]);
/** What a running campaign lets change (Genesys help, "Edit an existing campaign"). */
const CHANGEABLE_WHILE_RUNNING = new Set([
  "ruleSets",
  "dncLists",
  "callableTimeSet",
  "abandonRate",
  "script",
  "division",
  "callerName",
  "callerAddress",
]);
const RECALL_OUTCOMES = new Set(["busy", "noAnswer", "answeringMachine", "fax"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function badRequest(problems: string[]): Outcome {
  return genesysError(400, "bad.request", problems.join("; "));
}

interface PutContext {
  store: GenesysStore;
  now: string;
  id: string;
  body: unknown;
}

export function putCampaign({ store, now, id, body }: PutContext): Outcome {
  const stored = store.campaigns.get(id);
  if (!stored) return genesysError(404, "not.found", `campaign ${id} not found`);
  if (!isObject(body)) return genesysError(400, "bad.request", "The request body must be a JSON object");
  if (body.id !== undefined && body.id !== id)
    return badRequest([`id ${String(body.id)} does not match the path`]);
  if (!isWhole(body.version, 0, Number.MAX_SAFE_INTEGER))
    return badRequest(["version is required for updates"]);
  if (body.version !== stored.version) {
    return genesysError(
      409,
      "general.conflict",
      `The version supplied (${body.version}) does not match the current version (${stored.version}); the campaign was changed by someone else`,
    );
  }
  const problems: string[] = [];
  if (typeof body.name !== "string" || body.name.trim() === "") problems.push("name is required");
  if (typeof body.campaignStatus !== "string" || !STATUSES.has(body.campaignStatus))
    problems.push("campaignStatus is required for updates");
  else if (
    body.campaignStatus !== stored.campaignStatus &&
    !(body.campaignStatus === "off" || body.campaignStatus === "on")
  )
    problems.push(
      `Invalid transition from <${String(stored.campaignStatus).toUpperCase()}> to <${body.campaignStatus.toUpperCase()}>`,
    );
  const mode = body.dialingMode;
  if (typeof mode !== "string" || !MODES.has(mode))
    problems.push(`dialingMode must be one of ${[...MODES].join(", ")}`);
  const listId = isObject(body.contactList) ? body.contactList.id : undefined;
  if (typeof listId !== "string" || !store.contactLists.has(listId))
    problems.push("contactList must reference an existing contact list");
  if (
    body.abandonRate !== undefined &&
    !(typeof body.abandonRate === "number" && body.abandonRate >= 0 && body.abandonRate <= 100)
  )
    problems.push("abandonRate must be a percentage from 0 to 100");
  if (typeof mode === "string" && NEEDS_ABANDON_RATE.has(mode) && body.abandonRate === undefined)
    problems.push(`abandonRate is required for ${mode} campaigns`);
  const ceiling = store.settings.maxConfigurableCallsPerAgent;
  if (body.maxCallsPerAgent !== undefined) {
    if (!isWhole(body.maxCallsPerAgent, 1, 1000))
      problems.push("maxCallsPerAgent must be a whole number ≥ 1");
    else if (typeof ceiling === "number" && body.maxCallsPerAgent > ceiling)
      problems.push(
        `maxCallsPerAgent ${body.maxCallsPerAgent} exceeds the organization's maxConfigurableCallsPerAgent ${ceiling}`,
      );
  }
  if (problems.length > 0) return badRequest(problems);
  if (stored.campaignStatus === "on") {
    const keys = new Set([...Object.keys(stored), ...Object.keys(body)]);
    const changed = [...keys].filter(
      (k) =>
        !READ_ONLY.has(k) &&
        !CHANGEABLE_WHILE_RUNNING.has(k) &&
        JSON.stringify(stored[k]) !== JSON.stringify(body[k]),
    );
    if (changed.length > 0) {
      return genesysError(
        400,
        "campaign.running",
        `Cannot change ${changed.join(", ")} while the campaign is running; only ${[...CHANGEABLE_WHILE_RUNNING].join(", ")} may change`,
      );
    }
  }
  const next = store.replace(store.campaigns, id, body, now);
  return { status: 200, body: next, appliedWrite: true };
}

export function putAttemptLimits({ store, now, id, body }: PutContext): Outcome {
  const stored = store.attemptLimits.get(id);
  if (!stored) return genesysError(404, "not.found", `attempt limits ${id} not found`);
  if (!isObject(body)) return genesysError(400, "bad.request", "The request body must be a JSON object");
  if (!isWhole(body.version, 0, Number.MAX_SAFE_INTEGER))
    return badRequest(["version is required for updates"]);
  if (body.version !== stored.version) {
    // The other form of a stale version Genesys answers (util_retries.go, IsVersionMismatch).
    return badRequest([`Version ${body.version} does not match the current version ${stored.version}`]);
  }
  const problems: string[] = [];
  if (typeof body.name !== "string" || body.name.trim() === "") problems.push("name is required");
  const perContact = body.maxAttemptsPerContact;
  const perNumber = body.maxAttemptsPerNumber;
  if (perContact === undefined && perNumber === undefined)
    problems.push("maxAttemptsPerContact or maxAttemptsPerNumber is required");
  if (perContact !== undefined && !isWhole(perContact, 1, 100))
    problems.push("maxAttemptsPerContact must be from 1 to 100");
  if (perNumber !== undefined && !isWhole(perNumber, 1, 100))
    problems.push("maxAttemptsPerNumber must be from 1 to 100");
  const reset = body.resetPeriod ?? "NEVER";
  if (reset !== "NEVER" && reset !== "TODAY") problems.push("resetPeriod must be NEVER or TODAY");
  if (reset === "TODAY" && typeof body.timeZoneId !== "string")
    problems.push("timeZoneId is required when resetPeriod is TODAY");
  if (body.recallEntries !== undefined) {
    if (!isObject(body.recallEntries)) problems.push("recallEntries must be an object");
    else
      for (const [outcome, entry] of Object.entries(body.recallEntries)) {
        if (!RECALL_OUTCOMES.has(outcome)) {
          problems.push(
            `recallEntries.${outcome} is not a recall outcome (${[...RECALL_OUTCOMES].join(", ")})`,
          );
          continue;
        }
        if (!isObject(entry)) {
          problems.push(`recallEntries.${outcome} must be an object`);
          continue;
        }
        if (!isWhole(entry.minutesBetweenAttempts, 5, 100_000))
          problems.push(`recallEntries.${outcome}.minutesBetweenAttempts must be a whole number ≥ 5`);
        if (entry.nbrAttempts !== undefined) {
          if (!isWhole(entry.nbrAttempts, 0, 100))
            problems.push(`recallEntries.${outcome}.nbrAttempts must be a whole number ≥ 0`);
          else if (typeof perContact === "number" && entry.nbrAttempts >= perContact)
            problems.push(`recallEntries.${outcome}.nbrAttempts must be less than maxAttemptsPerContact`);
        }
      }
  }
  if (problems.length > 0) return badRequest(problems);
  const next = store.replace(store.attemptLimits, id, body, now);
  return { status: 200, body: next, appliedWrite: true };
}
