/**
 * Counts the items of one top-level list of a JSON document without building it. `JSON.parse` builds the
 * whole value before the schema can count `campaigns`: a 10 MiB file of `{"id":"C1"}` entries holds
 * 600,000 of them, and building them took 850 MB and 6 s before "at most 100000 allowed" (issue 17 §3).
 * This scan allocates nothing, so an oversized file is refused in linear time before it is parsed.
 *
 * It is a counter, not a validator: on text `JSON.parse` refuses it may count anything (it answers
 * `undefined` where it sees that the text is cut short), and it is asked only whether the list is over
 * the limit. A key repeated at the top level counts its last copy, the one
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
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== OPEN_MAP) return undefined;
  let found: JsonListCount | undefined;
  let depth = 1;
  /** Offset of the list being counted, or -1. */
  let listAt = -1;
  /** Commas directly inside the counted list. */
  let commas = 0;
  /** Whether anything but whitespace came after the counted list's `[`. */
  let nonEmpty = false;
  /** The last string read at depth 1 was `key`: a `[` at depth 1 opens that key's value. */
  let keyMatched = false;
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) continue;
    // set by anything before the counted list too, and reset when it opens; a `]` is a list's end (a
    // nested list's `[` has set it already)
    if (c !== CLOSE_LIST) nonEmpty = true;
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined; // an unterminated string: JSON.parse refuses the text
      if (depth === 1) keyMatched = isKey(text, i, end, key);
      i = end;
    } else if (c === OPEN_LIST || c === OPEN_MAP) {
      if (depth === 1 && c === OPEN_LIST && keyMatched) {
        listAt = i;
        commas = 0;
        nonEmpty = false;
      }
      depth++;
    } else if (c === CLOSE_LIST || c === CLOSE_MAP) {
      depth--;
      if (depth === 1 && listAt >= 0) {
        found = { count: commas + (nonEmpty ? 1 : 0), offset: listAt };
        listAt = -1;
      }
      if (depth === 0) return found;
    } else if (c === COMMA && depth === 2) commas++; // reset when the counted list opens
  }
  return undefined; // the root never closes: JSON.parse refuses the text
}

/** Offset of the closing quote of the string that opens at `start`, or -1 when it is not closed. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(close - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return close;
    i = close + 1;
  }
}

/**
 * Whether the string from `start` to `end` (its quotes) is `key`, escapes decoded as JSON does. Only
 * escapes make a longer string equal to the key, at most six characters (`\u0063`) for each of its own.
 */
function isKey(text: string, start: number, end: number, key: string): boolean {
  const raw = end - start - 1;
  if (raw === key.length) return text.startsWith(key, start + 1);
  if (raw > 6 * key.length) return false;
  try {
    return JSON.parse(text.slice(start, end + 1)) === key;
  } catch {
    return false;
  }
}
