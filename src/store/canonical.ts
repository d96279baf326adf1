/**
 * Canonical serialisation for the audit hash chain.
 *
 * canonicalJson(value) is JSON with:
 *  - object keys sorted by UTF-16 code unit order (Array.prototype.sort default), at every depth;
 *  - keys whose value is `undefined` left out (as JSON.stringify does), array holes and `undefined` elements
 *    written as `null` (as JSON.stringify does);
 *  - no whitespace; strings and finite numbers exactly as JSON.stringify writes them;
 *  - non-finite numbers, bigints, functions and symbols refused (they have no stable JSON form).
 *
 * hash = hex(sha256(utf8(canonicalJson(record without `hash`))))  — the record includes id, seq, time and
 * prevHash, so moving, editing or removing any record changes a hash or breaks a link. The first record's
 * prevHash is GENESIS_HASH (64 zeros). An auditor can recompute a chain from `audit export --format jsonl`
 * with any JSON library that sorts keys.
 */
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      // what JSON.stringify writes for a finite number (SerializeJSONProperty: ToString), without the call
      return String(value);
    case "object":
      return canonicalObject(value);
    default:
      throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
  }
}

/** Keys as JSON strings, remembered: records use a small set of keys over and over. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 1000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * Objects and arrays, written by appending to one string: every audit record is hashed on the write path,
 * where the entries/filter/sort/map/join form cost about five times JSON.stringify of the same record
 * (issue 17 §1); with the keys' JSON forms remembered and numbers written by String, about twice. Same
 * output; the test checks it against that form.
 */
function canonicalObject(value: object): string {
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return canonicalJson(withToJson.toJSON());
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (i > 0) out += ",";
      out += item === undefined ? "null" : canonicalJson(item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Object.keys, then the default sort: UTF-16 code unit order, as the comparison operators order strings.
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (!first) out += ",";
    first = false;
    out += quotedKey(key);
    out += ":";
    out += canonicalJson(item);
  }
  return `${out}}`;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hash of a record: every field but `hash` itself. */
export function recordHash(record: Record<string, unknown>): string {
  // A plain record without `hash` (a new one being chained) is hashed as it is: the copy would be the same.
  if (!Object.hasOwn(record, "hash") && Object.getPrototypeOf(record) === Object.prototype) {
    return sha256Hex(canonicalJson(record));
  }
  const { hash: _omit, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}
