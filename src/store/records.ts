/**
 * Conversions between AuditInput/AuditRecord and rows. The input is normalised before hashing so that
 * what is hashed is exactly what reading the row back yields: top-level null/undefined fields are dropped,
 * nested values go through a JSON round trip (undefined keys vanish, NaN becomes null), and secrets the
 * store was told about are replaced.
 */

import type { Selectable } from "kysely";
import {
  AUDIT_OUTCOMES,
  type AuditInput,
  type AuditOutcome,
  type RecordOutcome,
  TRAIL_OUTCOMES,
} from "../domain/audit-record.js";
import { DialrulesError } from "../domain/errors.js";
import type { JournalEntry } from "../engine/store-contract.js";
import type { AuditTable, JournalTable } from "./schema.js";
import type { AuditRecord } from "./types.js";

const SCALAR_FIELDS = [
  "runId",
  "actor",
  "reason",
  "platform",
  "campaignId",
  "campaignName",
  "outcome",
  "writeMode",
  "revisionBefore",
  "revisionAfter",
  "latencyMs",
  "requestId",
  "changeId",
  "requester",
] as const;
const JSON_FIELDS = [
  "rulesBefore",
  "rulesAfter",
  "diff",
  "findings",
  "platformError",
  "conflicts",
  "overrides",
  "runSummary",
  "checkpoint",
  "approvers",
] as const;

export const REDACTED = "[REDACTED]";

/** Replaces every occurrence of each secret in every string inside `value`. */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === "string") return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        redactText(k, secrets),
        redactDeep(v, secrets),
      ]),
    );
  }
  return value;
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

function isOutcome(value: unknown): value is AuditOutcome {
  return typeof value === "string" && (AUDIT_OUTCOMES as readonly string[]).includes(value);
}

const RECORD_OUTCOMES: readonly string[] = [...AUDIT_OUTCOMES, ...TRAIL_OUTCOMES];
const isRecordOutcome = (value: unknown): value is RecordOutcome =>
  typeof value === "string" && RECORD_OUTCOMES.includes(value);

export function normalizeInput(input: AuditInput, secrets: readonly string[]): AuditInput {
  if (!isRecordOutcome(input.outcome)) {
    throw new DialrulesError(
      "AUDIT_INVALID_OUTCOME",
      `audit outcome ${JSON.stringify(input.outcome)} is not one of ${RECORD_OUTCOMES.join(", ")}`,
    );
  }
  for (const f of ["runId", "actor", "reason", "platform", "campaignId"] as const) {
    if (typeof input[f] !== "string") {
      throw new DialrulesError("AUDIT_INVALID_INPUT", `audit input field ${f} must be a string`);
    }
  }
  const source = input as unknown as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const key of RECORD_FIELDS) {
    const v = source[key];
    if (v !== undefined && v !== null) picked[key] = v;
  }
  // Plain data (what the engine builds) is copied as a JSON round trip would leave it, without the text in
  // between; anything else takes one JSON round trip for the whole record, or one per field when a field has
  // no JSON form at all (a function), which the per-field form refuses. This runs for every audit record on
  // the apply's write path.
  let out = plainJsonCopy(picked, 0) as Record<string, unknown> | typeof NOT_PLAIN;
  if (out === NOT_PLAIN) {
    out = JSON.parse(JSON.stringify(picked)) as Record<string, unknown>;
    if (Object.keys(out).length !== Object.keys(picked).length) out = perFieldRoundTrip(picked);
  }
  if (secrets.length > 0) for (const key of Object.keys(out)) out[key] = redactDeep(out[key], secrets);
  out.diff ??= [];
  out.findings ??= [];
  return out as unknown as AuditInput;
}

const RECORD_FIELDS = [...SCALAR_FIELDS, ...JSON_FIELDS];

/** plainJsonCopy's answer for a value it leaves to a real JSON round trip. */
const NOT_PLAIN = Symbol("not plain JSON data");
/** Deeper than this is left to JSON (which refuses a cycle with its own error). */
const PLAIN_DEPTH_MAX = 64;

/**
 * What `JSON.parse(JSON.stringify(value))` gives, for plain data: objects with Object's (or no) prototype
 * and no toJSON, arrays, strings, booleans, null and numbers (non-finite ones become null, -0 becomes 0,
 * undefined is left out of objects and is null in arrays, as are holes). Anything else — a Date, a class
 * instance, a function, a symbol, a bigint, a `__proto__` key, deep nesting — answers NOT_PLAIN.
 */
function plainJsonCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case "object": {
      if (value === null) return null;
      if (depth > PLAIN_DEPTH_MAX) return NOT_PLAIN;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const copy = item === undefined ? null : plainJsonCopy(item, depth + 1);
          if (copy === NOT_PLAIN) return NOT_PLAIN;
          out[i] = copy;
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
      const source = value as Record<string, unknown>;
      if (typeof source.toJSON === "function") return NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(source)) {
        if (key === "__proto__") return NOT_PLAIN;
        const item = source[key];
        if (item === undefined) continue;
        const copy = plainJsonCopy(item, depth + 1);
        if (copy === NOT_PLAIN) return NOT_PLAIN;
        out[key] = copy;
      }
      return out;
    }
    default:
      // undefined at the top, a function, a symbol, a bigint: JSON's own handling decides
      return NOT_PLAIN;
  }
}

function perFieldRoundTrip(picked: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(picked)) out[key] = JSON.parse(JSON.stringify(v) as string);
  return out;
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export function recordToRow(r: AuditRecord): AuditTable {
  return {
    seq: r.seq,
    id: r.id,
    time: r.time,
    prev_hash: r.prevHash,
    hash: r.hash,
    run_id: r.runId,
    actor: r.actor,
    reason: r.reason,
    platform: r.platform,
    campaign_id: r.campaignId,
    campaign_name: r.campaignName ?? null,
    outcome: r.outcome,
    write_mode: r.writeMode ?? null,
    revision_before: r.revisionBefore ?? null,
    revision_after: r.revisionAfter ?? null,
    rules_before: json(r.rulesBefore),
    rules_after: json(r.rulesAfter),
    diff: JSON.stringify(r.diff),
    findings: JSON.stringify(r.findings),
    platform_error: json(r.platformError),
    conflicts: json(r.conflicts),
    overrides: json(r.overrides),
    latency_ms: r.latencyMs ?? null,
    request_id: r.requestId ?? null,
    run_summary: json(r.runSummary),
    checkpoint: json(r.checkpoint),
    change_id: r.changeId ?? null,
    requester: r.requester ?? null,
    approvers: json(r.approvers),
  };
}

/** Parses a JSON column; a value that does not parse is kept as text so verify() reports a hash mismatch. */
function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const num = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));

export function rowToRecord(row: Selectable<AuditTable>): AuditRecord {
  const r: Record<string, unknown> = {
    id: row.id,
    seq: Number(row.seq),
    time: row.time,
    prevHash: row.prev_hash,
    hash: row.hash,
    runId: row.run_id,
    actor: row.actor,
    reason: row.reason,
    platform: row.platform,
    campaignId: row.campaign_id,
    campaignName: row.campaign_name ?? undefined,
    outcome: row.outcome,
    writeMode: row.write_mode ?? undefined,
    revisionBefore: num(row.revision_before),
    revisionAfter: num(row.revision_after),
    rulesBefore: parse(row.rules_before),
    rulesAfter: parse(row.rules_after),
    diff: parse(row.diff),
    findings: parse(row.findings),
    platformError: parse(row.platform_error),
    conflicts: parse(row.conflicts),
    overrides: parse(row.overrides),
    latencyMs: num(row.latency_ms),
    requestId: row.request_id ?? undefined,
    runSummary: parse(row.run_summary ?? null),
    checkpoint: parse(row.checkpoint ?? null),
    changeId: row.change_id ?? undefined,
    requester: row.requester ?? undefined,
    approvers: parse(row.approvers ?? null),
  };
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r as unknown as AuditRecord;
}

export function rowToJournalEntry(row: Selectable<JournalTable>): JournalEntry {
  return {
    id: row.id,
    runId: row.run_id,
    campaignId: row.campaign_id,
    baseRevision: Number(row.base_revision),
    patch: JSON.parse(row.patch),
    createdAt: row.created_at,
    outcome: isOutcome(row.outcome) ? row.outcome : null,
  };
}
