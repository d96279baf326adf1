/**
 * The fast YAML read for rules files: js-yaml (~7× faster than the `yaml` package on big files) with a
 * schema that mirrors `yaml`'s YAML 1.2 core schema, plus where every collection two and three levels deep
 * starts and ends (`campaigns:`, its entries, `defaults:`…), taken from js-yaml's parse events: entry
 * lines of a clean file, and the parts to re-read with `yaml` when a problem needs its exact position.
 *
 * It is only an accelerator: it answers `undefined` whenever the two parsers could disagree (anchors,
 * tags, directives, collection keys, under-indented multi-line flow content, lone CR line breaks, …) or
 * js-yaml refuses the text, and the caller then takes the `yaml` path, which stays the reference for both
 * values and error positions. Pure: no I/O.
 */
import { load, Schema, type State, Type } from "js-yaml";

/**
 * js-yaml's own CORE_SCHEMA is not `yaml`'s: it reads `0b101` and `+0x1F` as numbers and `+.5` as a string,
 * the opposite of `yaml`. These types copy `yaml`'s core tests and conversions (yaml/dist/schema/core) so a
 * plain scalar means the same thing on both paths. The tags are private on purpose: with no type under a
 * standard tag, an explicit `!!int`/`!!str`/`!!map` makes js-yaml throw, which sends the file to `yaml`.
 */
const scalarType = (name: string, test: RegExp, construct: (s: string) => unknown): Type =>
  new Type(`tag:dialrules.invalid,2025:${name}`, {
    kind: "scalar",
    resolve: (data: unknown) => typeof data === "string" && test.test(data),
    construct: (data: string) => construct(data),
  });

const CORE_12 = new Schema({
  implicit: [
    scalarType("null", /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalarType("bool", /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === "t" || s[0] === "T"),
    scalarType("oct", /^0o[0-7]+$/, (s) => Number.parseInt(s.substring(2), 8)),
    scalarType("int", /^[-+]?[0-9]+$/, (s) => Number.parseInt(s, 10)),
    scalarType("hex", /^0x[0-9a-fA-F]+$/, (s) => Number.parseInt(s.substring(2), 16)),
    scalarType("nan", /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) =>
      s.slice(-3).toLowerCase() === "nan"
        ? Number.NaN
        : s[0] === "-"
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY,
    ),
    scalarType("exp", /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => Number.parseFloat(s)),
    scalarType("float", /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => Number.parseFloat(s)),
  ],
});

/**
 * Text the fast path does not try, because `yaml` reads it differently or refuses it where js-yaml accepts:
 * - a lone CR: js-yaml breaks the line there, `yaml` does not;
 * - a `%` directive (`%YAML 1.1` switches `yaml` to another schema; js-yaml ignores it);
 * - `---`/`...` glued to text (`---a: 1`): js-yaml still sees a document marker at the start, `yaml` a key;
 * - a tag (`!x`, `!!int`, `! x`) after a separator;
 * - `#` right after a quote, bracket, comma or colon: `yaml` refuses it, js-yaml takes it as a comment;
 * - an explicit key `? `: the key can be a collection, which the parsers turn into different strings;
 * - an empty key (`{a: 1, : 2}`, `[: x]`, `[a, :{b: 1}]`, a line starting with `: `): js-yaml names it
 *   "null", `yaml` "" (in flow, a `:` right before `[` or `{` is an indicator too);
 * - a tab in a line's indentation: `yaml` refuses some that js-yaml reads (`\t---`).
 * False alarms (a `!` or `? ` inside a string) only cost the slow path.
 */
const UNSUPPORTED =
  /\r(?!\n)|^%|^(?:---|\.\.\.)\S|(?:^|[\s,[{:])!|["'\]},[{:]#|(?:^|[\s,[{])\?(?:\s|$)|(?:^|[[{,]|-[ \t])[ \t]*:(?:[\s,[\]{}]|$)|^ *\t/m;

/** The field of js-yaml's loader state read here that its type declarations leave out. */
interface LoaderState extends State {
  anchor?: string | null;
}

export interface FastYaml {
  value: unknown;
  /**
   * The list handed item by item to `ItemStream.onItem` (the value of its key in `value`): each item was
   * replaced by its index, so the items' values were garbage as soon as they were read.
   */
  streamed?: unknown[];
  /**
   * 0-based offset in the caller's text where a collection three levels deep starts (`campaigns[i]`):
   * `node` is the collection, `parent[key]` holds it (a streamed item is found from its parent and index).
   */
  startOf: (node: unknown, parent?: unknown, key?: string | number) => number | undefined;
  /**
   * [start, end) in the caller's text of a collection two or three levels deep (`defaults`, `campaigns`,
   * `campaigns[i]`): enough to re-read only that part with `yaml` when an error inside it needs a position.
   */
  spanOf: (node: unknown, parent?: unknown, key?: string | number) => readonly [number, number] | undefined;
}

/**
 * Items of the top-level block sequence under `key` (`campaigns:` written as `- …` lines) handed over one by
 * one as js-yaml finishes each, and dropped from the value: a 10,000-entry file then never holds all the
 * entries' parsed values at once, only what `onItem` keeps of them. When the read cannot vouch that the
 * items handed over are exactly that list's items in order (an empty `-` item, the key elsewhere), it is
 * read again without streaming and the answer has no `streamed`: whatever `onItem` collected is void.
 */
export interface ItemStream {
  key: string;
  /** `start`: the offset in the caller's text where the item starts. */
  onItem: (index: number, value: unknown, start: number) => void;
}

/** A collection two levels deep with more items than `limit`: reading stopped there, nothing was built past it. */
export interface TooManyItems {
  tooMany: { key: string; limit: number; offset: number };
}

/**
 * Reads `text` with js-yaml, or answers `undefined` when the `yaml` package must be asked instead. A
 * collection two levels deep (`campaigns:`) with more than `itemLimit` items stops the read as soon as the
 * item past the limit is read, so an oversized file costs no more than the limit.
 */
export function loadYamlFast(
  text: string,
  itemLimit: number,
  stream?: ItemStream,
): FastYaml | TooManyItems | undefined;
export function loadYamlFast(text: string): FastYaml | undefined;
export function loadYamlFast(
  text: string,
  itemLimit?: number,
  stream?: ItemStream,
): FastYaml | TooManyItems | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  const read = readFast(text, itemLimit, stream);
  // the streamed items could not be vouched for: read it all again the way it is read without a stream
  if (read === STREAM_DOUBT)
    return readFast(text, itemLimit, undefined) as FastYaml | TooManyItems | undefined;
  return read;
}

/** readFast's answer when a stream was asked for and its items may not be exactly the list's. */
const STREAM_DOUBT = Symbol("stream doubt");

function readFast(
  text: string,
  itemLimit: number | undefined,
  stream: ItemStream | undefined,
): FastYaml | TooManyItems | undefined | typeof STREAM_DOUBT {
  // js-yaml drops a leading BOM before counting offsets; `yaml` (and so the slow path's columns) keeps it
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const opens: number[] = [];
  const starts = new Map<object, number>();
  const ends = new Map<object, number>();
  let refused = false;
  // whether the document's root is a flow collection (set at the first node closed)
  let rootFlow: boolean | undefined;
  // items read so far in the collection two levels deep that is open, and the key it is the value of
  let items = 0;
  let lastKey = "";
  let tooMany: TooManyItems | undefined;
  // streaming: the list being streamed now (its items' spans), the one that was, and whether any other list
  // was taken for it (then nothing streamed is trusted)
  let streaming = false;
  let itemStarts: number[] = [];
  let itemEnds: number[] = [];
  let streamedList: unknown[] | undefined;
  let streamDoubt = false;
  const listener = (event: "open" | "close", state: State): void => {
    if (event === "open" || stream === undefined) {
      check(event, state, false);
      return;
    }
    // before check() pops it: the closing node is opens[length - 1]; a list two levels deep closes at
    // length 2, an item three levels deep at length 3
    const input = state.input;
    if (opens.length === 2 && streaming) {
      // the list whose items were streamed: remember which it is
      streaming = false;
      if (streamedList !== undefined || !Array.isArray(state.result)) streamDoubt = true;
      else streamedList = state.result;
    }
    // an item of a block sequence under `stream.key` of a block mapping at the root (whether the key
    // really is `stream.key` is checked at the end)
    const ownOpen = opens[2] ?? 0;
    const rootStart = contentStart(input, opens[0] ?? 0);
    const item =
      opens.length === 3 &&
      !refused &&
      lastKey === stream.key &&
      isBlockSequenceAt(input, contentStart(input, opens[1] ?? 0)) &&
      !isBlockSequenceAt(input, rootStart) &&
      input.charCodeAt(rootStart) !== 0x5b; /* [ */
    check(event, state, item);
    if (!item || refused) return;
    if (!streaming) {
      if (streamedList !== undefined) streamDoubt = true;
      streaming = true;
      itemStarts = [];
      itemEnds = [];
    }
    const index = itemStarts.length;
    const start = contentStart(input, ownOpen);
    itemStarts.push(start + shift);
    itemEnds.push(trimEnd(input, start, state.position) + shift);
    stream.onItem(index, state.result, start + shift);
    // js-yaml pushes `state.result` into the list right after this event: the index takes the value's place
    state.result = index;
  };
  /** Records spans and judges the node; `streamed`: its span is kept by index, not in the maps. */
  const check = (event: "open" | "close", state: State, streamed: boolean): void => {
    if (event === "open") {
      opens.push(state.position);
      return;
    }
    const open = opens.pop() ?? 0;
    if (refused) return;
    // js-yaml opens a flow root (a JSON file) twice, a block root once: under a flow root every level below
    // the root closes one further in
    rootFlow ??= isFlowAt(state.input, contentStart(state.input, opens[0] ?? open));
    const root = rootFlow ? 1 : 0;
    if (itemLimit !== undefined && opens.length === 2 + root && ++items > itemLimit) {
      const at = contentStart(state.input, opens[1 + root] ?? 0) + shift;
      tooMany = { tooMany: { key: lastKey, limit: itemLimit, offset: at } };
      throw tooMany;
    }
    // an anchor means aliases may follow: `yaml` bounds their expansion, js-yaml does not. js-yaml sets
    // `anchor` to null or the name on every node; a version without the field is not trusted either
    if ((state as LoaderState).anchor !== null) {
      refused = true;
      return;
    }
    const input = state.input;
    const end = state.position;
    const result: unknown = state.result;
    const isCollection = typeof result === "object" && result !== null;
    const start = contentStart(input, open);
    if (opens.length === 1 + root) {
      items = 0;
      if (typeof result === "string") lastKey = result;
    }
    // a flow root's collections two and three levels deep close one level further in (above)
    const deepest = 2 + root;
    if (isCollection && !streamed && opens.length >= 1 && opens.length <= deepest) {
      starts.set(result, start + shift);
      ends.set(result, trimEnd(input, start, end) + shift);
    }
    const first = input.charCodeAt(start);
    const flow = isFlowAt(input, start);
    if (isCollection && !flow) return; // a block collection: its lines are js-yaml's own business
    const last = trimEnd(input, start, end);
    const nl = lineBreakWithin(input, start, last);
    const multiLine = nl !== -1;
    // a collection, or a key spread over lines: `yaml` turns the first into a different string and
    // refuses the second; js-yaml accepts both
    if ((flow || multiLine) && isKeyPosition(input, end)) refused = true;
    // a collection in a flow mapping not after `:` is a key without a value (`{a: 1, [b]}`): js-yaml
    // turns it into a string ("b"), `yaml` keeps it a collection key
    else if (flow && inFlowMapping(input, opens, start) && !afterColon(input, start)) refused = true;
    // text right after a flow collection on its line (`} key: …`): js-yaml reads on, `yaml` refuses it
    else if (flow && !endsItsLine(input, last)) refused = true;
    // multi-line content outside block collections and block scalars: `yaml` wants every further line
    // indented past the parent block; js-yaml does not check, so anything doubtful goes to `yaml`
    else if (multiLine && first !== 0x7c /* | */ && first !== 0x3e /* > */)
      refused = !continuationIndented(input, start, nl, last, flow);
  };
  let value: unknown;
  try {
    value = load(text, {
      schema: CORE_12,
      json: false,
      listener,
      // "deficient indentation" (flow content left of its parent) is what continuationIndented judges,
      // more strictly; any other warning (a directive, a non-ASCII line break) is a doubt
      onWarning: (w) => {
        if (w.reason !== "deficient indentation") refused = true;
      },
    });
  } catch (err) {
    return err === tooMany && !refused ? tooMany : undefined;
  }
  // an empty document: js-yaml says undefined, `yaml` null; the checker would word them differently
  if (refused || opens.length !== 0 || value === undefined) return undefined;
  if (streamedList !== undefined || streamDoubt) {
    // trusted only when the streamed list is the key's value at the root and each of its items is the
    // index it was streamed as (js-yaml pushes an empty `-` item as null without an event)
    const list = streamedList;
    const ok =
      !streamDoubt &&
      list !== undefined &&
      stream !== undefined &&
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      Object.hasOwn(value, stream.key) &&
      (value as Record<string, unknown>)[stream.key] === list &&
      list.length === itemStarts.length &&
      list.every((item, i) => item === i);
    if (!ok) return STREAM_DOUBT;
  }
  const list = streamedList;
  const [listStarts, listEnds] = [itemStarts, itemEnds];
  const spanOf = (node: unknown, parent?: unknown, key?: string | number) => {
    if (list !== undefined && parent === list && typeof key === "number") {
      const start = listStarts[key];
      const end = listEnds[key];
      return start === undefined || end === undefined ? undefined : ([start, end] as const);
    }
    if (typeof node !== "object" || node === null) return undefined;
    const start = starts.get(node);
    const end = ends.get(node);
    return start === undefined || end === undefined ? undefined : ([start, end] as const);
  };
  const read: FastYaml = {
    value,
    startOf: (node, parent, key) => spanOf(node, parent, key)?.[0],
    spanOf,
  };
  if (list !== undefined) read.streamed = list;
  return read;
}

/** Whether a flow collection (`[` or `{`) starts at `pos`. */
function isFlowAt(s: string, pos: number): boolean {
  const c = s.charCodeAt(pos);
  return c === 0x5b /* [ */ || c === 0x7b; /* { */
}

/** Whether a block sequence entry (`-` then a blank or line break) starts at `pos`. */
function isBlockSequenceAt(s: string, pos: number): boolean {
  if (s.charCodeAt(pos) !== 0x2d /* - */) return false;
  const next = s.charCodeAt(pos + 1);
  return next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d || Number.isNaN(next);
}

/**
 * The first line break in `s` from `from` up to (not including) `to`, or -1. Bounded by the node's own end:
 * `indexOf` would search on to the next line break, which in a one-line JSON file is the end of the text,
 * for every node (quadratic: 101,000 entries on one line took 75 s).
 */
function lineBreakWithin(s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x0a) return i;
  return -1;
}

/** Skips blanks, line breaks and comments from `pos`: where the node's own text begins. */
function contentStart(s: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */) {
      const nl = s.indexOf("\n", i);
      if (nl === -1) return s.length;
      i = nl;
    } else return i;
  }
}

/**
 * Whether the node starting at `start` sits in a flow mapping: the innermost open node that starts
 * elsewhere is one (js-yaml opens the document's root node twice, at the same place).
 */
function inFlowMapping(s: string, opens: readonly number[], start: number): boolean {
  for (let k = opens.length - 1; k >= 0; k--) {
    const parentStart = contentStart(s, opens[k] ?? 0);
    if (parentStart !== start) return s.charCodeAt(parentStart) === 0x7b; /* { */
  }
  return false;
}

/** Whether the last non-blank character before `start` is `:` (the node is a value, not a key). */
function afterColon(s: string, start: number): boolean {
  let i = start - 1;
  while (
    i >= 0 &&
    (s.charCodeAt(i) === 0x20 ||
      s.charCodeAt(i) === 0x09 ||
      s.charCodeAt(i) === 0x0a ||
      s.charCodeAt(i) === 0x0d)
  )
    i--;
  return s.charCodeAt(i) === 0x3a;
}

/** Whether a `:` follows on the same line after `end` (the node just read is an implicit key). */
function isKeyPosition(s: string, end: number): boolean {
  let i = end;
  while (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09) i++;
  return s.charCodeAt(i) === 0x3a;
}

/** Whether only blanks, a comment, or a flow indicator (`,` `]` `}`) follow `pos` on its line. */
function endsItsLine(s: string, pos: number): boolean {
  let i = pos;
  while (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09) i++;
  const c = s.charCodeAt(i);
  return Number.isNaN(c) || c === 0x0a || c === 0x0d || c === 0x23 || c === 0x2c || c === 0x5d || c === 0x7d;
}

/** The end of the node's text: the blanks and line breaks js-yaml read past it are not part of it. */
function trimEnd(s: string, start: number, end: number): number {
  let last = end;
  for (;;) {
    const c = s.charCodeAt(last - 1);
    if (last > start && (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d)) last--;
    else return last;
  }
}

/**
 * For a node spanning [start, last) whose first line ends at `nl`: every further non-blank line must be
 * indented (by spaces) past the deepest indentation its first line sets — the column after any leading
 * `- `, `? `, `: ` indicators, else of its first character (a flow collection's closing bracket alone on
 * the last line may sit at that indentation). Conservative: `yaml` may accept some text
 * this refuses, which only costs the slow path.
 */
function continuationIndented(
  s: string,
  start: number,
  firstNl: number,
  last: number,
  flow: boolean,
): boolean {
  const lineStart = s.lastIndexOf("\n", start - 1) + 1;
  let i = lineStart;
  for (;;) {
    while (s.charCodeAt(i) === 0x20) i++;
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    const indicator = c === 0x2d /* - */ || c === 0x3f /* ? */ || c === 0x3a; /* : */
    if (indicator && (next === 0x20 || next === 0x0a) && i < start) i++;
    else break;
  }
  const indent = i - lineStart;
  let nl = firstNl;
  while (nl !== -1 && nl < last) {
    let j = nl + 1;
    while (s.charCodeAt(j) === 0x20) j++;
    const c = s.charCodeAt(j);
    const blank = c === 0x0a || c === 0x0d || j >= s.length;
    // `yaml` lets the line that only closes the outermost flow collection sit at the parent's indentation
    const closer = flow && j === last - 1;
    const tooShallow = closer ? j - nl - 1 < indent : j - nl - 1 <= indent;
    if (!blank && (tooShallow || c === 0x09)) return false;
    nl = s.indexOf("\n", nl + 1);
  }
  return true;
}
