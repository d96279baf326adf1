import { DIALING_METHODS, type DialingMethod, type PartialRules } from "../domain/rules.js";

/** One problem in a request, in the contract's `errors` array shape. */
export interface FieldError {
  field: string;
  message: string;
}

export interface ValidPatch {
  revision: number;
  rules: PartialRules;
}

type Fields = Record<string, unknown>;

function isPlainObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Checks an object's keys against the allowed ones. Unknown fields are reported one by one with their full
 * path: the contract rejects them (additionalProperties: false) and a client needs to see which one.
 */
function checkKeys(
  value: Fields,
  path: string,
  allowed: readonly string[],
  required: readonly string[],
  errors: FieldError[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) errors.push({ field: join(path, key), message: "unknown field" });
  }
  for (const key of required) {
    if (!Object.hasOwn(value, key)) errors.push({ field: join(path, key), message: "is required" });
  }
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function checkInteger(value: unknown, path: string, min: number, max: number, errors: FieldError[]): boolean {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    errors.push({ field: path, message: `must be an integer, got ${describe(value)}` });
    return false;
  }
  if (value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `at least ${min}` : `between ${min} and ${max}`;
    errors.push({ field: path, message: `must be ${range}, got ${value}` });
    return false;
  }
  return true;
}

function checkNumber(value: unknown, path: string, min: number, max: number, errors: FieldError[]): boolean {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    errors.push({ field: path, message: `must be a number, got ${describe(value)}` });
    return false;
  }
  if (value < min || value > max) {
    errors.push({ field: path, message: `must be between ${min} and ${max}, got ${value}` });
    return false;
  }
  return true;
}

function checkObject(value: unknown, path: string, errors: FieldError[]): value is Fields {
  if (isPlainObject(value)) return true;
  errors.push({ field: path, message: `must be an object, got ${describe(value)}` });
  return false;
}

function checkRetrySettings(value: unknown, path: string, errors: FieldError[]): void {
  if (!checkObject(value, path, errors)) return;
  checkKeys(value, path, ["maxAttempts", "intervalMinutes"], ["maxAttempts", "intervalMinutes"], errors);
  const before = errors.length;
  if (Object.hasOwn(value, "maxAttempts"))
    checkInteger(value.maxAttempts, `${path}.maxAttempts`, 0, 50, errors);
  const intervals = value.intervalMinutes;
  if (Object.hasOwn(value, "intervalMinutes")) {
    if (!Array.isArray(intervals)) {
      errors.push({
        field: `${path}.intervalMinutes`,
        message: `must be an array, got ${describe(intervals)}`,
      });
    } else {
      if (intervals.length > 50) {
        errors.push({
          field: `${path}.intervalMinutes`,
          message: `must have at most 50 items, got ${intervals.length}`,
        });
      }
      intervals.forEach((item, i) => {
        checkInteger(item, `${path}.intervalMinutes[${i}]`, 1, 43200, errors);
      });
    }
  }
  // The platform rule is only meaningful once both fields are well-formed.
  if (errors.length === before && Array.isArray(intervals) && intervals.length !== value.maxAttempts) {
    errors.push({
      field: `${path}.intervalMinutes`,
      message: `must have exactly maxAttempts (${String(value.maxAttempts)}) items, got ${intervals.length}`,
    });
  }
}

function checkAbandonment(value: unknown, path: string, errors: FieldError[]): void {
  if (!checkObject(value, path, errors)) return;
  checkKeys(value, path, ["maxRate", "coolDownSec"], ["maxRate", "coolDownSec"], errors);
  if (Object.hasOwn(value, "maxRate")) checkNumber(value.maxRate, `${path}.maxRate`, 0, 1, errors);
  if (Object.hasOwn(value, "coolDownSec"))
    checkInteger(value.coolDownSec, `${path}.coolDownSec`, 0, 86400, errors);
}

const RULE_KEYS = ["dialingMethod", "retrySettings", "abandonmentRateThreshold", "maxCallsPerAgent"] as const;

/** Validates a `dialingRules` patch object (DialingRulesPatch in the contract); returns every problem. */
export function validateRulesPatch(value: unknown, path = "dialingRules"): FieldError[] {
  const errors: FieldError[] = [];
  if (!checkObject(value, path, errors)) return errors;
  checkKeys(value, path, RULE_KEYS, [], errors);
  if (Object.keys(value).length === 0)
    errors.push({ field: path, message: "must contain at least one field" });
  if (
    Object.hasOwn(value, "dialingMethod") &&
    !DIALING_METHODS.includes(value.dialingMethod as DialingMethod)
  ) {
    errors.push({ field: `${path}.dialingMethod`, message: `must be one of ${DIALING_METHODS.join(", ")}` });
  }
  if (Object.hasOwn(value, "retrySettings"))
    checkRetrySettings(value.retrySettings, `${path}.retrySettings`, errors);
  if (Object.hasOwn(value, "abandonmentRateThreshold")) {
    checkAbandonment(value.abandonmentRateThreshold, `${path}.abandonmentRateThreshold`, errors);
  }
  if (Object.hasOwn(value, "maxCallsPerAgent")) {
    checkInteger(value.maxCallsPerAgent, `${path}.maxCallsPerAgent`, 1, 100, errors);
  }
  return errors;
}

/**
 * Copies only the known rule fields, so nothing unexpected can reach the store. The values themselves are
 * not copied here: CampaignStore.apply keeps its own copy of what it stores.
 */
function toRules(value: Fields): PartialRules {
  const rules: PartialRules = {};
  for (const key of RULE_KEYS) {
    if (Object.hasOwn(value, key)) Object.assign(rules, { [key]: value[key] });
  }
  return rules;
}

/**
 * Validates a PATCH request (body plus the X-If-Match header) strictly per the contract and reports every
 * problem at once, as the platform does, so a client can fix a body in one round trip.
 */
export function validatePatchRequest(
  body: unknown,
  ifMatch: string | undefined,
): { ok: true; patch: ValidPatch } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (ifMatch === undefined) {
    errors.push({ field: "X-If-Match", message: "header is required" });
  } else if (!/^[0-9]+$/.test(ifMatch)) {
    errors.push({ field: "X-If-Match", message: "must be a revision number" });
  }
  if (!isPlainObject(body)) {
    errors.push({ field: "body", message: `must be a JSON object, got ${describe(body)}` });
    return { ok: false, errors };
  }
  checkKeys(body, "", ["revision", "dialingRules"], ["revision", "dialingRules"], errors);
  const revisionValid =
    Object.hasOwn(body, "revision") &&
    checkInteger(body.revision, "revision", 0, Number.POSITIVE_INFINITY, errors);
  if (Object.hasOwn(body, "dialingRules")) errors.push(...validateRulesPatch(body.dialingRules));
  if (
    revisionValid &&
    ifMatch !== undefined &&
    /^[0-9]+$/.test(ifMatch) &&
    Number(ifMatch) !== body.revision
  ) {
    errors.push({ field: "X-If-Match", message: `must equal body.revision (${String(body.revision)})` });
  }
  if (errors.length > 0 || !isPlainObject(body.dialingRules)) return { ok: false, errors };
  return { ok: true, patch: { revision: body.revision as number, rules: toRules(body.dialingRules) } };
}
