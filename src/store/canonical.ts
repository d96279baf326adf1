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
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case "object": {
      const withToJson = value as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === "function") return canonicalJson(withToJson.toJSON());
      if (Array.isArray(value)) {
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          items.push(item === undefined ? "null" : canonicalJson(item));
        }
        return `[${items.join(",")}]`;
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
  }
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hash of a record: every field but `hash` itself. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _omit, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}
