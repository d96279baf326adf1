/**
 * Counts the items of one top-level list of a JSON document without building it. `JSON.parse` builds the
 * whole value before the schema can count `campaigns`: a 10 MiB file of `{"id":"C1"}` entries holds
 * 600,000 of them, and building them took 850 MB and 6 s before "at most 100000 allowed" (issue 17 §3).
 * This scan allocates nothing, so an oversized file is refused in linear time before it is parsed.
 *
 * It is a counter, not a validator: on text `JSON.parse` refuses it may count anything, and it is asked
 * only whether the list is over the limit. A key repeated at the top level counts its last copy, the one
 * `JSON.parse` keeps.
 */

export interface JsonListCount {
  /** Items of the last top-level `key` whose value is a list. */
  count: number;
  /** Offset of that list's `[`. */
  offset: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_LIST = 91;
const CLOSE_LIST = 93;
const OPEN_MAP = 123;
const CLOSE_MAP = 125;
/** JSON's four whitespace characters. */
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * The list under the top-level `key` of a JSON object document, counted; `undefined` when the root is
 * not an object or no top-level `key` holds a list.
 */
export function countJsonListItems(text: string, key: string): JsonListCount | undefined {
  let found: JsonListCount | undefined;
  let depth = 0;
  /** Offset of the list being counted, or -1. */
  let listAt = -1;
  let count = 0;
  /** Whether the counted list holds anything since its `[` or last comma. */
  let item = false;
  /** At depth 1: the last string was a key equal to `key`. */
  let keyMatched = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) continue;
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1) keyMatched = isKey(text, i, end, key);
      if (listAt >= 0 && depth === 2) item = true;
      i = end;
      continue;
    }
    if (c === OPEN_LIST || c === OPEN_MAP) {
      if (depth === 0 && c !== OPEN_MAP) return undefined;
      if (depth === 1 && c === OPEN_LIST && keyMatched) {
        listAt = i;
        count = 0;
        item = false;
      } else if (listAt >= 0 && depth === 2) item = true;
      depth++;
      continue;
    }
    if (c === CLOSE_LIST || c === CLOSE_MAP) {
      depth--;
      if (depth === 1 && listAt >= 0) {
        found = { count: count + (item ? 1 : 0), offset: listAt };
        listAt = -1;
      }
      if (depth <= 0) return depth === 0 ? found : undefined;
      continue;
    }
    if (c === COMMA) {
      if (listAt >= 0 && depth === 2) {
        count++;
        item = false;
      } else if (depth === 1) keyMatched = false;
      continue;
    }
    if (c === COLON) continue;
    if (depth === 0) return undefined; // a scalar root
    if (listAt >= 0 && depth === 2) item = true; // a number, true, false or null item
  }
  return found;
}

/** Offset of the closing quote of the string that opens at `start` (or the text's last offset). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) return text.length - 1;
    let slashes = 0;
    while (text.charCodeAt(close - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return close;
    i = close + 1;
  }
}

/** Whether the string from `start` to `end` (its quotes) is `key`, escapes decoded as JSON does. */
function isKey(text: string, start: number, end: number, key: string): boolean {
  if (end - start - 1 === key.length && text.startsWith(key, start + 1)) return true;
  // only an escape (`"campaign\u0073"`) makes a longer string equal to the key
  if (end - start - 1 <= key.length || !hasBackslash(text, start, end)) return false;
  try {
    return JSON.parse(text.slice(start, end + 1)) === key;
  } catch {
    return false;
  }
}

function hasBackslash(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}
