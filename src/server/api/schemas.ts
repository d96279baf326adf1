/**
 * JSON Schemas of every request part (validated by fastify's Ajv with additionalProperties: false, no type
 * coercion, no removal of unknown fields) and of the responses (documentation in /openapi.json; the response
 * schemas stay open so serialisation never drops a field).
 */
import { AUDIT_OUTCOMES } from "../../domain/audit-record.js";
import { CAMPAIGN_STATUSES, DIALING_METHODS } from "../../domain/rules.js";
import {
  CHANGE_STATES,
  COMPLIANCE_FILTERS,
  DEFAULT_CAMPAIGN_PAGE_SIZE,
  MAX_CAMPAIGN_PAGE_SIZE,
  MAX_CAMPAIGN_SEARCH,
} from "../contract.js";
import { MAX_RULES_TEXT } from "../input/limits.js";

export const MAX_REASON = 2_000;

export const problemSchema = {
  $id: "Problem",
  type: "object",
  description: "RFC 9457 problem details",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
    code: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: {
          path: { type: "string" },
          message: { type: "string" },
          code: { type: "string" },
          line: { type: "integer" },
          column: { type: "integer" },
        },
        required: ["path", "message"],
      },
    },
  },
  required: ["type", "title", "status", "detail"],
} as const;

const open = (description: string, properties: Record<string, unknown> = {}) => ({
  type: "object",
  description,
  additionalProperties: true,
  properties,
});

export const jobSchema = open("An apply job: progress readable from any replica", {
  id: { type: "string" },
  state: { type: "string", enum: ["queued", "running", "done", "failed"] },
  startedBy: { type: "string" },
  worker: { type: "string" },
  progress: open("done of total campaigns, counts by outcome", {
    done: { type: "integer" },
    total: { type: "integer" },
    counts: { type: "object", additionalProperties: { type: "integer" } },
  }),
  results: { type: "array", items: open("Result of one campaign") },
  error: { type: "string" },
});

export const changeSchema = {
  $id: "ChangeRequest",
  ...open("A change request with its plan, risk and apply job", {
    id: { type: "string" },
    state: { type: "string", enum: [...CHANGE_STATES] },
    requestedBy: { type: "string" },
    reason: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    risk: { type: "string", enum: ["low", "high"] },
    riskReasons: { type: "array", items: { type: "string" } },
    plan: open("The plan: per campaign the diff, findings and status (dialrules-plan/1)"),
    rulesText: { type: "string" },
    approvedBy: { type: "string" },
    rejectedBy: { type: "string" },
    rejectionReason: { type: "string" },
    job: jobSchema,
  }),
} as const;

export const auditRecordSchema = {
  $id: "AuditRecord",
  ...open("One hash-chained audit record", {
    id: { type: "string" },
    seq: { type: "integer" },
    time: { type: "string" },
    runId: { type: "string" },
    actor: { type: "string" },
    reason: { type: "string" },
    campaignId: { type: "string" },
    outcome: { type: "string", enum: [...AUDIT_OUTCOMES] },
    hash: { type: "string" },
    prevHash: { type: "string" },
  }),
} as const;

export const idParams = {
  type: "object",
  additionalProperties: false,
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" } },
} as const;

/** A run id (an apply job's id, or a CLI run's). */
export const runIdParams = {
  type: "object",
  additionalProperties: false,
  required: ["runId"],
  properties: { runId: { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,100}$" } },
} as const;

export const createChangeBody = {
  type: "object",
  additionalProperties: false,
  required: ["rules", "reason"],
  properties: {
    rules: {
      description: "The rules file: its YAML or JSON text, or the same document as a JSON object",
      oneOf: [
        { type: "string", minLength: 1, maxLength: MAX_RULES_TEXT },
        { type: "object", additionalProperties: true },
      ],
    },
    reason: {
      type: "string",
      minLength: 1,
      maxLength: MAX_REASON,
      description: "Why; recorded in every audit record",
    },
  },
} as const;

/** approve and apply carry no data; a body, if any, must be an empty object. */
export const emptyBody = {
  type: "object",
  additionalProperties: false,
  properties: {},
} as const;

export const rejectBody = {
  type: "object",
  additionalProperties: false,
  required: ["reason"],
  properties: { reason: { type: "string", minLength: 1, maxLength: MAX_REASON } },
} as const;

export const revertBody = {
  type: "object",
  additionalProperties: false,
  required: ["reason"],
  properties: {
    reason: {
      type: "string",
      minLength: 1,
      maxLength: MAX_REASON,
      description: "Why the run is undone; recorded in every audit record",
    },
  },
} as const;

export const auditQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    campaign: { type: "string", minLength: 1, maxLength: 200 },
    since: { type: "string", format: "date-time", description: "ISO-8601 time, inclusive" },
    limit: { type: "string", pattern: "^[0-9]{1,4}$", description: "1 to 1000 (default 100)" },
  },
} as const;

export const noQuery = { type: "object", additionalProperties: false, properties: {} } as const;

/** GET /campaigns: search, filters and paging (query values are strings: no type coercion). */
export const campaignQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    q: {
      type: "string",
      maxLength: MAX_CAMPAIGN_SEARCH,
      description: "Case-insensitive substring of the campaign id or name",
    },
    method: {
      type: "string",
      enum: [...DIALING_METHODS],
      description: "Campaigns that may dial with this method",
    },
    status: { type: "string", enum: [...CAMPAIGN_STATUSES] },
    compliance: {
      type: "string",
      enum: [...COMPLIANCE_FILTERS],
      description: "Only campaigns that meet (or break) the service's policy",
    },
    page: { type: "string", pattern: "^[1-9][0-9]{0,8}$", description: "1-based page number (default 1)" },
    pageSize: {
      type: "string",
      pattern: "^[1-9][0-9]{0,2}$",
      description: `Campaigns per page, 1 to ${MAX_CAMPAIGN_PAGE_SIZE} (default ${DEFAULT_CAMPAIGN_PAGE_SIZE})`,
    },
  },
} as const;
