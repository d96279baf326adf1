/**
 * Reading a rules file: YAML (JSON accepted) → checked `RulesFile`, or one `RulesFileError` that lists every
 * problem with file, line, column and field path. Pure: the caller reads the file and passes its text.
 * The contract: for any input whatsoever, the only thing that escapes is a `RulesFileError`.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseDocument,
  type YAMLMap,
} from "yaml";
import { InputError } from "./errors.js";
import { countJsonListItems } from "./json-list-count.js";
import { nestingProblem } from "./nesting.js";
import type { RulesFile } from "./rules-file-types.js";
import {
  BOUNDS,
  checkRulesValue,
  formatPath,
  type Issue,
  MAX_PROBLEMS,
  type Path,
  StreamedEntries,
} from "./rules-schema.js";
import { type FastYaml, loadYamlFast, type TooManyItems } from "./yaml-fast.js";
import { parseDocumentUniqueKeys } from "./yaml-unique-keys.js";

export * from "./rules-file-types.js";
export { formatPath, MAX_PROBLEMS } from "./rules-schema.js";

/** All problems of one rules file. An InputError, so the CLI maps it to exit 2 and the API to 400. */
export class RulesFileError extends InputError {
  constructor(
    readonly fileName: string,
    readonly problems: readonly InputError[],
  ) {
    super("RULES_FILE_INVALID", summarize(fileName, problems));
  }
}

/** `file:line:col: path: message [CODE]` — the one-line form used in messages and by the CLI. */
export function formatProblem(p: InputError): string {
  const loc = p.location;
  const where = loc?.file ? `${loc.file}${loc.line ? `:${loc.line}:${loc.column ?? 1}` : ""}: ` : "";
  return `${where}${p.path ? `${p.path}: ` : ""}${p.message} [${p.code}]`;
}

function summarize(fileName: string, problems: readonly InputError[]): string {
  const head = `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${fileName}`;
  return [`${head}:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join("\n");
}

type Locate = (path: Path, atKey?: boolean) => { line: number; column: number } | undefined;

export interface ParseHooks {
  /**
   * Called with the number of `campaigns` entries read so far, as each one has been read and checked
   * (only where they are streamed: a block sequence read by the fast path). A stream given up midway (an
   * empty `-` item makes the file be read again without streaming) stops the calls where it was, so `read`
   * may never reach the list's length. The one-shot `validate` collects garbage from here
   * (src/cli/heap-tuning.ts), which is harmless either way.
   */
  onEntry?: (read: number) => void;
  /**
   * Called with the length of each text the `yaml` package parses: the whole text on the slow path (and for
   * a JSON file whose problems js-yaml cannot place), else only the part a problem is in. The measure of
   * issue 17's promise that locating a problem never parses the whole file again.
   */
  onReread?: (chars: number) => void;
}

/** Parses and checks a rules file's text. Throws only `RulesFileError`. */
export function parseRulesFile(text: string, fileName: string, hooks: ParseHooks = {}): RulesFile {
  return parseGuarded(text, fileName, true, hooks);
}

/**
 * `parseRulesFile` without the js-yaml fast path: every YAML file goes through the `yaml` package.
 * Internal, for the tests that check both paths give the same result.
 */
export function parseRulesFileSlow(text: string, fileName: string, hooks: ParseHooks = {}): RulesFile {
  return parseGuarded(text, fileName, false, hooks);
}

function parseGuarded(text: string, fileName: string, fast: boolean, hooks: ParseHooks): RulesFile {
  let result: RulesFile | InputError[];
  try {
    result = parseUnsafe(text, fileName, fast, hooks);
  } catch (err) {
    // Defence in depth: a bug or a pathological document must still surface as our typed error.
    result = [
      new InputError(
        "RULES_UNREADABLE",
        `cannot read the rules file: ${err instanceof Error ? err.message : String(err)}`,
        undefined,
        { file: fileName },
      ),
    ];
  }
  if (Array.isArray(result)) throw new RulesFileError(fileName, result);
  return result;
}

/**
 * Checks an already-parsed value (an HTTP request body, a test fixture). Throws only `RulesFileError`;
 * problems carry the path but no line.
 */
export function parseRulesValue(value: unknown, fileName: string): RulesFile {
  let problems: InputError[];
  try {
    const checked = checkRulesValue(value, fileName);
    if (checked.file) return checked.file;
    problems = toProblems(checked.issues, checked.more, fileName, () => undefined);
  } catch (err) {
    problems = [
      new InputError(
        "RULES_UNREADABLE",
        `cannot check the rules: ${err instanceof Error ? err.message : String(err)}`,
        undefined,
        {
          file: fileName,
        },
      ),
    ];
  }
  throw new RulesFileError(fileName, problems);
}

function parseUnsafe(
  text: string,
  fileName: string,
  fast: boolean,
  hooks: ParseHooks,
): RulesFile | InputError[] {
  if (typeof text !== "string") {
    return [new InputError("RULES_UNREADABLE", "the rules file is not text", undefined, { file: fileName })];
  }
  // Before any parser: parsers recurse per level, and a deep enough document kills the process.
  const deep = nestingProblem(text, fileName);
  if (deep) return [deep];
  const looksJson = /\.json$/i.test(fileName);
  if (!looksJson && fast) {
    // js-yaml is ~7× faster than `yaml` on big files but keeps no positions; it keeps where each entry
    // starts and ends, which gives a clean file its entry lines and locates a problem by re-reading only
    // the entry (or the small part) it is in with `yaml`. Any doubt (see yaml-fast.ts) re-reads it all.
    // `campaigns:` as a block sequence (the usual shape) is checked entry by entry as js-yaml reads it, so
    // the parsed entries are never all alive at once next to the checked file (issue 17: ≤ 1 KB per entry)
    const entries = new StreamedEntries();
    const lines = lineCounter(text);
    const read = loadYamlFast(text, BOUNDS.campaignsCount.max, {
      key: "campaigns",
      onItem: (index, value, start) => {
        const at = lines(start);
        entries.add(index, value, at.line, at.column);
        hooks.onEntry?.(index + 1);
      },
    });
    if (read && "tooMany" in read) return [tooManyItems(read, text, fileName)];
    if (read) {
      const checked = checkRulesValue(
        read.value,
        fileName,
        read.streamed ? { list: read.streamed, entries } : undefined,
      );
      const result = checked.file
        ? fastFile(read, checked.file, text)
        : fastProblems(read, checked, text, fileName, hooks);
      if (result) return result;
    }
  }
  let value: unknown;
  let locate: Locate;
  if (looksJson) {
    // JSON.parse is an order of magnitude faster than the YAML parser on large files; positions are only
    // needed when something is wrong, so the YAML parse (JSON is YAML) is done lazily then.
    const tooMany = jsonTooManyEntries(text);
    if (tooMany) return [tooManyItems(tooMany, text, fileName)];
    try {
      value = JSON.parse(text);
    } catch (err) {
      return [jsonSyntaxError(text, fileName, err, hooks)];
    }
    // JSON is YAML: where js-yaml reads it too, a problem is located from its entry alone
    // (only once a problem needs a position: a clean JSON file is read by JSON.parse alone)
    locate = lazyJsonLocator(text, hooks);
  } else {
    hooks.onReread?.(text.length);
    const { doc, lineCounter } = parseDocumentUniqueKeys(text);
    const errors = [...doc.errors, ...doc.warnings];
    // as the checker's issues: the first MAX_PROBLEMS, then one problem counting the rest
    const syntax = errors.slice(0, MAX_PROBLEMS).map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return new InputError(`RULES_YAML_${e.code}`, e.message.split("\n")[0] ?? e.message, undefined, {
        file: fileName,
        line: pos.line,
        column: pos.col,
      });
    });
    if (errors.length > MAX_PROBLEMS) syntax.push(moreProblems(errors.length - MAX_PROBLEMS, fileName));
    if (syntax.length > 0) return syntax;
    value = doc.toJS({ maxAliasCount: 1000 });
    locate = yamlLocator(doc, lineCounter);
  }
  const checked = checkRulesValue(value, fileName);
  if (!checked.file) return toProblems(checked.issues, checked.more, fileName, locate);
  // entry lines are a display nicety; for JSON they would cost the slow YAML parse, so they are skipped
  if (looksJson) return checked.file;
  for (const entry of checked.file.campaigns) {
    const pos = locate(["campaigns", entry.index]);
    if (pos) {
      entry.line = pos.line;
      entry.column = pos.column;
    }
  }
  for (const [i, o] of checked.file.overrides.entries()) {
    const pos = locate(["overrides", i]);
    if (pos) o.line = pos.line;
  }
  return checked.file;
}

/** The checked file with its entries' lines, or `undefined` when one cannot be placed (the slow path can). */
function fastFile(read: FastYaml, file: RulesFile, text: string): RulesFile | undefined {
  const top = read.value as { campaigns?: unknown; overrides?: unknown };
  const campaigns = Array.isArray(top.campaigns) ? top.campaigns : [];
  const overrides = Array.isArray(top.overrides) ? top.overrides : [];
  // streamed entries were placed as they were read
  const entries = read.streamed
    ? []
    : file.campaigns.map((e) => read.startOf(campaigns[e.index], campaigns, e.index));
  const overrideStarts = file.overrides.map((_, i) => read.startOf(overrides[i], overrides, i));
  const pos = linePositions(text, [...entries, ...overrideStarts]);
  for (const [i, entry] of read.streamed ? [] : file.campaigns.entries()) {
    const p = pos[i];
    // the slow path always finds a checked entry; if this cannot, let it
    if (!p) return undefined;
    entry.line = p.line;
    entry.column = p.column;
  }
  for (const [i, o] of file.overrides.entries()) {
    const p = pos[entries.length + i];
    if (!p) return undefined;
    o.line = p.line;
  }
  return file;
}

/** The problems of a file js-yaml read, located without re-reading all of it; `undefined`: ask the slow path. */
function fastProblems(
  read: FastYaml,
  checked: { issues: readonly Issue[]; more: number },
  text: string,
  fileName: string,
  hooks: ParseHooks,
): InputError[] | undefined {
  try {
    return toProblems(checked.issues, checked.more, fileName, spanLocator(read, text, hooks));
  } catch (err) {
    if (err === CANNOT_LOCATE) return undefined;
    throw err;
  }
}

/**
 * A JSON file's `campaigns` over the limit, counted before `JSON.parse` builds them. Fewer characters than
 * two per allowed entry (`[1,1,…]`) cannot hold too many, so small files skip the count.
 */
function jsonTooManyEntries(text: string): TooManyItems | undefined {
  const limit = BOUNDS.campaignsCount.max;
  if (text.length <= 2 * limit) return undefined;
  const list = countJsonListItems(text, "campaigns");
  if (list === undefined || list.count <= limit) return undefined;
  return { tooMany: { key: "campaigns", limit, offset: list.offset } };
}

/** `campaigns:` with more entries than allowed: refused where the list starts, before its entries are built. */
function tooManyItems(read: TooManyItems, text: string, fileName: string): InputError {
  const { key, limit, offset } = read.tooMany;
  const pos = linePositions(text, [offset])[0];
  return new InputError(
    "RULES_OUT_OF_RANGE",
    `has more than ${limit} items, at most ${limit} allowed`,
    key || undefined,
    pos ? { file: fileName, line: pos.line, column: pos.column } : { file: fileName },
  );
}

/** The longest part of a file re-read with `yaml` to locate a problem (the server's whole request body). */
export const LOCATE_PART_MAX_CHARS = 256 * 1024;

/** Thrown inside a span locator when a part re-read with `yaml` does not parse: the whole file is re-read. */
const CANNOT_LOCATE = Symbol("cannot locate from spans");

/**
 * Locates a path the way `yamlLocator` does on the whole document, from the spans js-yaml recorded: the
 * deepest collection on the path two or three levels down (`campaigns[i]`, `defaults`) is re-read alone
 * with `yaml`, its own child collections cut out, so a problem in a 100,000-entry file costs one entry's
 * parse. What no span covers (a top-level key, a scalar) is read from the document with every collection
 * two levels deep cut out. Throws CANNOT_LOCATE when a part does not parse on its own.
 */
function spanLocator(read: FastYaml, text: string, hooks: ParseHooks): Locate {
  const lines = lineStarts(text);
  /**
   * Each part parsed once: problems in the same collection (keys of one mapping, items of one list) cut
   * the same part, and parsing it again for each made 1,000 unknown top-level keys cost 10 s.
   */
  const parsed = new Map<string, { doc: Document; toOriginal(offset: number): number } | null>();
  /** The spans of a collection's child collections. */
  const collectionsOf = (container: unknown): (readonly [number, number])[] =>
    entriesOf(container).flatMap(([k, child]) => {
      const span = read.spanOf(child, container, k);
      return span ? [span] : [];
    });
  return (path, atKey) => {
    let node: unknown = read.value;
    let anchor: { span: readonly [number, number]; node: unknown; depth: number } | undefined;
    for (let depth = 0; depth < Math.min(2, path.length); depth++) {
      const parent = node;
      const seg = path[depth] as string | number;
      node = childOf(parent, seg);
      if (node === undefined) break;
      const span = read.spanOf(node, parent, seg);
      // the anchor's own key lies outside its span
      if (span && (depth + 1 < path.length || !atKey)) anchor = { span, node, depth: depth + 1 };
    }
    const [from, to] = anchor?.span ?? [0, text.length];
    const within = anchor ? path.slice(anchor.depth) : path;
    const container = anchor ? anchor.node : read.value;
    // Every child collection of the container is cut out. None is on the path: js-yaml records spans only
    // for collections two and three levels deep (an entry's own collections have none), and a collection
    // on the path that has one is the anchor itself — except at a key (`bogus: [1]`), whose value a problem
    // there does not need. So all of a container's problems share one part.
    const key = `${from} ${to}`;
    let part = parsed.get(key);
    if (part === undefined) {
      const cut = collectionsOf(container);
      const flowRoot = text.charCodeAt(from) === 0x5b || text.charCodeAt(from) === 0x7b;
      const pad = anchor && !flowRoot ? from - lineStartOf(lines, from) : 0;
      const cutText = cutOut(text, from, to, cut, pad);
      // only a mapping of some 20,000 keys or a huge scalar makes a part this long; `yaml` would take
      // ~150 bytes of memory per character of it (1.6 GB for a 10 MiB mapping): left unlocated
      if (cutText.text.length > LOCATE_PART_MAX_CHARS) part = null;
      else {
        hooks.onReread?.(cutText.text.length);
        // repeated keys need no check here: js-yaml refused them in YAML, and JSON keeps the last (as nodeOffset)
        const doc = parseDocument(cutText.text, { prettyErrors: false, uniqueKeys: false, strict: true });
        if (doc.errors.length > 0 || doc.warnings.length > 0) throw CANNOT_LOCATE;
        part = { doc, toOriginal: cutText.toOriginal };
      }
      parsed.set(key, part);
    }
    if (part === null) return undefined;
    const offset = nodeOffset(part.doc, within, atKey);
    if (offset === undefined) return undefined;
    const original = part.toOriginal(offset);
    const lineIndex = lineIndexOf(lines, original);
    return { line: lineIndex + 1, column: original - (lines[lineIndex] ?? 0) + 1 };
  };
}

function childOf(node: unknown, seg: string | number): unknown {
  if (typeof node !== "object" || node === null) return undefined;
  if (Array.isArray(node)) return typeof seg === "number" ? node[seg] : undefined;
  return Object.hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
}

function entriesOf(node: unknown): [string | number, unknown][] {
  if (typeof node !== "object" || node === null) return [];
  if (Array.isArray(node)) return node.map((v, i) => [i, v]);
  return Object.entries(node);
}

/**
 * `text[from, to)` with each `cut` span replaced by `~` (a null, valid wherever a collection was), after
 * `pad` spaces that put its first line at its own column; `toOriginal` maps an offset back to `text`.
 */
function cutOut(
  text: string,
  from: number,
  to: number,
  cut: readonly (readonly [number, number])[],
  pad: number,
): { text: string; toOriginal(offset: number): number } {
  const parts: string[] = [" ".repeat(pad)];
  const partStart: number[] = [];
  const originStart: number[] = [];
  let length = pad;
  let at = from;
  const keep = (start: number, end: number) => {
    partStart.push(length);
    originStart.push(start);
    parts.push(text.slice(start, end));
    length += end - start;
  };
  for (const [start, end] of [...cut].sort((a, b) => a[0] - b[0])) {
    if (start < at || end > to) continue;
    keep(at, start);
    parts.push("~");
    length += 1;
    at = end;
  }
  keep(at, to);
  return {
    text: parts.join(""),
    toOriginal(offset) {
      const i = lastAtMost(partStart, offset);
      return (originStart[i] ?? from) + offset - (partStart[i] ?? pad);
    },
  };
}

/**
 * 1-based line and column of offsets given in ascending order, counting lines as `yaml`'s LineCounter
 * does (at `\n`): one pass over the text however many offsets are asked for.
 */
function lineCounter(text: string): (offset: number) => { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  return (offset) => {
    if (offset < scanned) {
      // out of order (never for the items of one list): count from the start again
      line = 1;
      lineStart = 0;
    }
    for (let nl = text.indexOf("\n", lineStart); nl !== -1 && nl < offset; nl = text.indexOf("\n", nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    scanned = offset;
    return { line, column: offset - lineStart + 1 };
  };
}

/** Offsets where each line starts (line breaks at `\n`, as `yaml`'s LineCounter counts them). */
function lineStarts(text: string): Uint32Array {
  let count = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  const starts = new Uint32Array(count);
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts[n++] = i + 1;
  return starts;
}

/** The index of the last element of the ascending `xs` that is ≤ `x` (0 when none is). */
function lastAtMost(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((xs[mid] ?? 0) <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** 0-based index of the line holding `offset`. */
const lineIndexOf = (starts: Uint32Array, offset: number): number => lastAtMost(starts, offset);

const lineStartOf = (starts: Uint32Array, offset: number): number => starts[lineIndexOf(starts, offset)] ?? 0;

/**
 * 1-based line and column of each offset, counting lines the way `yaml`'s LineCounter does (at `\n`).
 * One pass over the text for offsets in ascending order (entries come in document order).
 */
function linePositions(
  text: string,
  offsets: readonly (number | undefined)[],
): ({ line: number; column: number } | undefined)[] {
  const at = lineCounter(text);
  return offsets.map((offset) => (offset === undefined ? undefined : at(offset)));
}

/** The checker's issues (at most MAX_PROBLEMS, `more` past them counted), located and in document order. */
function toProblems(issues: readonly Issue[], more: number, fileName: string, locate: Locate): InputError[] {
  const problems = issues.map((issue) => {
    const pos = locate(issue.path, issue.atKey);
    const location = pos ? { file: fileName, line: pos.line, column: pos.column } : { file: fileName };
    return new InputError(issue.code, issue.message, formatPath(issue.path) || undefined, location);
  });
  // document order, then path: stable whatever order the checks ran in
  problems.sort(
    (a, b) =>
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
      (a.path ?? "").localeCompare(b.path ?? "") ||
      a.code.localeCompare(b.code),
  );
  if (more > 0) problems.push(moreProblems(more, fileName));
  return problems;
}

function moreProblems(more: number, fileName: string): InputError {
  return new InputError(
    "RULES_MORE_PROBLEMS",
    `${more} more problem${more === 1 ? "" : "s"} not listed (the first ${MAX_PROBLEMS} are): fix those and check again`,
    undefined,
    { file: fileName },
  );
}

function jsonSyntaxError(text: string, fileName: string, err: unknown, hooks: ParseHooks): InputError {
  const message = (err instanceof Error ? err.message : String(err)).replace(
    / in JSON at position \d+.*$/,
    "",
  );
  // V8 names a position only for some errors; the YAML parser (JSON is YAML) locates the others.
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : "");
  let offset = m?.[1] ? Number(m[1]) : undefined;
  if (offset === undefined) {
    hooks.onReread?.(text.length);
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
    offset = doc.errors[0]?.pos[0];
  }
  if (offset === undefined)
    return new InputError("RULES_JSON_SYNTAX", message, undefined, { file: fileName });
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return new InputError("RULES_JSON_SYNTAX", message, undefined, {
    file: fileName,
    line,
    column: offset - before.lastIndexOf("\n"),
  });
}

/** From js-yaml's spans where it reads the text, else from the whole text re-read with `yaml`; both lazily. */
function lazyJsonLocator(text: string, hooks: ParseHooks): Locate {
  let quick: Locate | undefined | null;
  const slow = lazyYamlLocator(text, hooks);
  return (path, atKey) => {
    if (quick === undefined) {
      const read = loadYamlFast(text);
      quick = read ? spanLocator(read, text, hooks) : null;
    }
    if (quick === null) return slow(path, atKey);
    try {
      return quick(path, atKey);
    } catch (err) {
      if (err === CANNOT_LOCATE) return slow(path, atKey);
      throw err;
    }
  };
}

function lazyYamlLocator(text: string, hooks: ParseHooks): Locate {
  let locate: Locate | undefined;
  return (path, atKey) => {
    if (!locate) {
      const lineCounter = new LineCounter();
      hooks.onReread?.(text.length);
      const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
      locate = doc.errors.length > 0 ? () => undefined : yamlLocator(doc, lineCounter);
    }
    return locate(path, atKey);
  };
}

/** Finds the node at `path` (or the nearest existing ancestor) and returns its 1-based line and column. */
function yamlLocator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, atKey) => {
    const offset = nodeOffset(doc, path, atKey);
    if (offset === undefined) return undefined;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/**
 * A mapping's pairs by key, built once per mapping: looking each problem's key up among all pairs was
 * quadratic in a mapping of many unknown keys. The last of a repeated key wins: the one JSON.parse keeps
 * (a YAML file repeating one is refused before).
 */
function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items) if (isPair(p) && isScalar(p.key)) index.set(String(p.key.value), p);
    pairIndexes.set(map, index);
  }
  return index;
}

/** The offset where the node at `path` (or its nearest existing ancestor) starts; its key's with `atKey`. */
function nodeOffset(doc: Document, path: Path, atKey: boolean | undefined): number | undefined {
  let node: unknown = doc.contents;
  let best: unknown = node;
  for (const [i, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(seg));
      if (!pair) break;
      next = atKey && i === path.length - 1 ? pair.key : pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      next = node.items[seg];
    }
    if (next === undefined || next === null) break;
    node = next;
    best = next;
  }
  return (best as { range?: [number, number, number] } | null)?.range?.[0];
}
