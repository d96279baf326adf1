/**
 * Request bodies as JSON, refused with a 400 (never a 500, never a stalled process) when they are not valid
 * UTF-8, nest deeper than MAX_NESTING, repeat a key in one object (JSON.parse would keep the last silently;
 * a rules file in YAML refuses it, so must its JSON twin) or are not JSON. One linear scan before JSON.parse.
 */
import { InputError } from "../../domain/errors.js";
import { MAX_NESTING } from "../../domain/nesting.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Strict UTF-8 decoding: a malformed byte sequence is an error, not U+FFFD. */
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new InputError("body_not_utf8", "the request body is not valid UTF-8; nothing was stored");
  }
}

interface Frame {
  object: boolean;
  keys?: Set<string>;
  expectKey: boolean;
  path: string;
  index: number;
}

/** Depth and duplicate-key check of JSON text; syntax is left to JSON.parse. O(length). */
export function scanJson(text: string, max = MAX_NESTING): void {
  const stack: Frame[] = [];
  let lastKey = "";
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) {
      const top = stack.at(-1);
      const path = top ? (top.object ? `${top.path}.${lastKey}` : `${top.path}[${top.index}]`) : "body";
      stack.push({ object: c === 123, expectKey: c === 123, path, index: 0 });
      if (stack.length > max) {
        throw new InputError(
          "NESTING_TOO_DEEP",
          `the request body is nested more than ${max} levels deep (at ${path}); nothing was parsed`,
        );
      }
    } else if (c === 125 || c === 93) {
      stack.pop();
    } else if (c === 44) {
      const top = stack.at(-1);
      if (top?.object) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === 34) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92) j += 2;
        else if (d === 34) break;
        else j++;
      }
      const top = stack.at(-1);
      if (top?.object && top.expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return; // not JSON: JSON.parse reports it
        }
        top.keys ??= new Set();
        if (top.keys.has(key)) {
          throw new InputError(
            "duplicate_key",
            `the key "${key}" appears twice in ${top.path}; nothing was stored`,
            `${top.path}.${key}`,
          );
        }
        top.keys.add(key);
        top.expectKey = false;
        lastKey = key;
      }
      i = j;
    }
  }
}

/** UTF-8 check, pre-scan, then JSON.parse; every failure an InputError (→ 400). */
export function parseStrictJson(body: Buffer): unknown {
  const text = decodeUtf8(body);
  scanJson(text);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(
      "body_not_json",
      `the request body is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
