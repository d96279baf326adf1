/**
 * The js-yaml fast path of parseRulesFile must be invisible: for any text it gives exactly what the `yaml`
 * path (parseRulesFileSlow) gives — the same RulesFile, entry lines included, or the same RulesFileError.
 * Valid documents are generated from random valid values and written in varied YAML formatting; invalid
 * ones come from mutating those and from arbitrary strings.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LICENSE_TIERS, PROFILE_IDS } from "../../src/domain/profiles.js";
import { DIALING_METHODS } from "../../src/domain/rules.js";
import { parseRulesFile, parseRulesFileSlow, RulesFileError } from "../../src/domain/rules-file.js";
import { OVERRIDE_LIMITS } from "../../src/domain/rules-schema.js";
import { loadYamlFast } from "../../src/domain/yaml-fast.js";
import { propertyRuns } from "../setup/property-runs.js";

type Value = string | number | Value[] | { [key: string]: Value };
type Obj = { [key: string]: Value };

// ---- random valid values ---------------------------------------------------------------------------

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const int = (min: number, max: number) => fc.integer({ min, max });
const rate = fc.oneof(
  int(0, 100).map((n) => n / 100),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

/** Drops the keys whose value is undefined (absent from the file). */
const compact = (o: Record<string, Value | undefined>): Obj => {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
};

const rules = fc
  .record({
    dialingMethod: opt(fc.constantFrom(...DIALING_METHODS)),
    maxCallsPerAgent: opt(int(1, 100)),
    retrySettings: opt(
      fc.record({ maxAttempts: int(0, 100), intervalMinutes: fc.array(int(0, 525_600), { maxLength: 4 }) }),
    ),
    abandonmentRateThreshold: opt(fc.record({ maxRate: rate, coolDownSec: int(0, 86_400) })),
  })
  .map(compact);

/** Text a rules file may hold: punctuation YAML cares about, quotes, non-ASCII, control characters. */
const text = fc
  .string({
    minLength: 1,
    maxLength: 24,
    unit: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(..."abcXYZ019-_ ") },
      { weight: 2, arbitrary: fc.constantFrom(..."#:,[]{}&*!|>'\"%@`?\\/.") },
      { weight: 1, arbitrary: fc.constantFrom("é", "漢", "😀", "\t", "\n", "\u0085", "\u2028", "\u007f") },
    ),
  })
  .filter((s) => s.trim() !== "");

/** Globs picomatch compiles strictly. */
const glob = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _-]{0,10}\*?$/).filter((s) => s.trim() === s);

const entry = fc.oneof(
  fc.record({ id: fc.oneof(text, fc.stringMatching(/^CMP-[0-9]{1,6}$/)), dialingRules: opt(rules) }),
  fc.record({ match: glob, dialingRules: opt(rules) }),
);

const rulesValue: fc.Arbitrary<Obj> = fc
  .record({
    profiles: fc.subarray([...PROFILE_IDS]),
    licenseTier: opt(fc.constantFrom(...LICENSE_TIERS)),
    limits: opt(
      fc
        .record({
          maxAbandonmentRate: opt(rate),
          minRetryIntervalMinutes: opt(int(0, 525_600)),
          maxRetries: opt(int(0, 100)),
          frequency: opt(
            fc.array(fc.record({ maxAttempts: int(1, 1000), windowMinutes: int(1, 525_600) }), {
              maxLength: 2,
            }),
          ),
        })
        .map(compact),
    ),
    overrides: opt(
      fc.uniqueArray(fc.constantFrom(...OVERRIDE_LIMITS), { maxLength: 3 }).chain((limits) =>
        fc.tuple(
          ...limits.map((limit) =>
            fc.record({
              limit: fc.constant(limit),
              value: limit === "maxAbandonmentRate" ? rate : int(1, 100),
              reason: text,
            }),
          ),
        ),
      ),
    ),
    capacity: opt(
      fc
        .record({
          agents: opt(int(1, 100_000)),
          avgHandleTimeSec: opt(fc.double({ min: 1, max: 86_400, noNaN: true })),
          connectRate: opt(fc.double({ min: 0.01, max: 1, noNaN: true })),
        })
        .map(compact),
    ),
    defaults: opt(rules.map((r) => ({ dialingRules: r }))),
    campaigns: fc.uniqueArray(entry, {
      maxLength: 8,
      selector: (e) => ("id" in e ? `id:${e.id}` : `match:${e.match}`),
    }),
  })
  .map((o) =>
    compact({
      ...o,
      campaigns: o.campaigns.map((e) => compact(e)),
      overrides: o.overrides?.map((x) => compact(x)),
    }),
  );

// ---- writing them as YAML in varied styles ---------------------------------------------------------

interface Style {
  /** Collections this deep or deeper are written in flow style (`{…}`, `[…]`). */
  flowDepth: number;
  indent: number;
  /** A block sequence under a key is indented (else it sits at the key's column). */
  seqIndented: boolean;
  comments: boolean;
  /** Flow collections are spread over lines, one item a line. */
  wrapFlow: boolean;
  docMarkers: boolean;
  seed: number;
}

/** mulberry32: a per-document source of small formatting choices, reproducible from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLAIN_SAFE = /^[A-Za-z][A-Za-z0-9_ .*-]*[A-Za-z0-9_.*]$|^[A-Za-z]$/;
const RESERVED = /^(?:true|false|null)$/i;

function writeYaml(value: Obj, style: Style): string {
  const rand = rng(style.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const comment = () =>
    style.comments && rand() < 0.3 ? `  # ${pick(["note", "why: x", "- y", "'q'"])}` : "";

  /** A line break in place of one inner space: the scalar folds it back to the space. */
  const fold = (quoted: string, col: number): string =>
    rand() < 0.2 ? quoted.replace(/(\S) (\S)/, `$1\n${" ".repeat(col + style.indent + 1)}$2`) : quoted;

  const str = (s: string, col: number): string => {
    const styles = ["double"];
    if (/^[\x20-\x7e]*$/.test(s)) styles.push("single");
    if (PLAIN_SAFE.test(s) && !RESERVED.test(s) && !s.includes("  ")) styles.push("plain", "plain");
    const chosen = pick(styles);
    if (chosen === "plain") return fold(s, col);
    if (chosen === "single") return fold(`'${s.replace(/'/g, "''")}'`, col);
    // YAML double quotes take JSON's escapes; the rest of the controls are escaped too so the value is exact
    const json = JSON.stringify(s).replace(
      /[\u007f-\u009f\u2028\u2029\ufeff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    return fold(json, col);
  };

  /** `|-` keeps text exactly when it has no tab or control and starts and ends with a visible character. */
  const blockScalar = (s: string, col: number): string | undefined => {
    if (!/^[^\s](?:[^\t\r\u007f-\u009f\u2028\u2029\ufeff]*[^\s])?$/.test(s) || rand() < 0.7) return undefined;
    const pad = " ".repeat(col + style.indent);
    const head = s.includes("\n") || rand() < 0.5 ? "|-" : ">-";
    return `${head}${comment()}\n${s
      .split("\n")
      .map((line) => (line === "" ? "" : `${pad}${line}`))
      .join("\n")}`;
  };
  const num = (n: number): string => {
    if (Number.isInteger(n) && n >= 0) {
      return pick([String(n), String(n), `0x${n.toString(16)}`, `0o${n.toString(8)}`, `+${n}`, `${n}.0`]);
    }
    const s = String(n);
    return s.startsWith("0.") && rand() < 0.3 ? s.slice(1) : s;
  };
  const key = (k: string): string => pick([k, k, k, `"${k}"`, `'${k}'`]);
  const scalar = (v: string | number, col: number): string => (typeof v === "number" ? num(v) : str(v, col));

  const flow = (v: Value, col: number): string => {
    if (typeof v !== "object") return scalar(v, col);
    const items = Array.isArray(v)
      ? v.map((x) => flow(x, col + style.indent))
      : Object.entries(v).map(([k, x]) => `${key(k)}: ${flow(x, col + style.indent)}`);
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    if (items.length === 0) return `${open}${close}`;
    if (!style.wrapFlow || rand() < 0.5) return `${open}${items.join(", ")}${close}`;
    const pad = " ".repeat(col + style.indent);
    const tail = rand() < 0.5 ? `\n${" ".repeat(col)}${close}` : close;
    return `${open}\n${items.map((x) => `${pad}${x}`).join(",\n")}${rand() < 0.3 ? "," : ""}${tail}`;
  };

  /** Lines of a collection in block style, starting at column `col`. */
  const block = (v: Value[] | Obj, col: number, depth: number): string[] => {
    const pad = " ".repeat(col);
    const lines: string[] = [];
    const entries: [string | undefined, Value][] = Array.isArray(v)
      ? v.map((x) => [undefined, x])
      : Object.entries(v);
    for (const [k, x] of entries) {
      if (style.comments && rand() < 0.1) lines.push(`${pad}# ${pick(["comment", "a: b", "[x]"])}`);
      if (rand() < 0.05) lines.push("");
      const lead = k === undefined ? "- " : `${key(k)}:`;
      const inline = typeof x !== "object" || depth + 1 >= style.flowDepth || Object.keys(x).length === 0;
      const literal = typeof x === "string" ? blockScalar(x, col) : undefined;
      if (literal) {
        lines.push(`${pad}${lead}${k === undefined ? "" : " "}${literal}`);
      } else if (inline) {
        lines.push(`${pad}${lead}${k === undefined ? "" : " "}${flow(x, col)}${comment()}`);
      } else if (k === undefined) {
        // `- ` then the collection's first line on the same line, or on the next one
        const inner = block(x as Value[] | Obj, col + 2, depth + 1);
        if (rand() < 0.8) lines.push(`${pad}- ${(inner[0] ?? "").slice(col + 2)}`, ...inner.slice(1));
        else lines.push(`${pad}-${comment()}`, ...inner);
      } else {
        const inner = Array.isArray(x) && !style.seqIndented ? col : col + style.indent;
        lines.push(`${pad}${lead}${comment()}`, ...block(x as Value[] | Obj, inner, depth + 1));
      }
    }
    return lines;
  };

  const body = style.flowDepth === 0 ? [flow(value, 0)] : block(value, 0, 0);
  const doc = [...(style.docMarkers ? ["---"] : []), ...body, ...(style.docMarkers ? ["..."] : [])];
  return `${doc.join("\n")}\n`;
}

const styleArb: fc.Arbitrary<Style> = fc.record({
  flowDepth: int(0, 5),
  indent: fc.constantFrom(2, 4),
  seqIndented: fc.boolean(),
  comments: fc.boolean(),
  wrapFlow: fc.boolean(),
  docMarkers: fc.boolean(),
  seed: fc.integer(),
});

// ---- the properties ----------------------------------------------------------------------------------

type Outcome = { file: unknown } | { error: string };

function outcome(parse: (t: string, f: string) => unknown, text: string, fileName: string): Outcome {
  try {
    return { file: parse(text, fileName) };
  } catch (err) {
    if (!(err instanceof RulesFileError)) throw err;
    return { error: err.message };
  }
}

/** Small edits that break a document the way people do: a character lost, added or doubled, a line moved. */
const mutated = fc
  .tuple(
    rulesValue,
    styleArb,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom("del", "ins", "dup", "indent", "dedent"),
        fc.constantFrom(..." -:#[]{},'\"&*!?\t\n\rx0|>"),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([value, style, edits]) => {
    let t = writeYaml(value, style);
    for (const [at, op, ch] of edits) {
      const i = at % (t.length + 1);
      const lineStart = t.lastIndexOf("\n", i - 1) + 1;
      if (op === "del") t = t.slice(0, i) + t.slice(i + 1);
      else if (op === "ins") t = t.slice(0, i) + ch + t.slice(i);
      else if (op === "dup") t = t.slice(0, i) + t.slice(i, i + 1) + t.slice(i);
      else if (op === "indent") t = `${t.slice(0, lineStart)} ${t.slice(lineStart)}`;
      else if (t[lineStart] === " ") t = t.slice(0, lineStart) + t.slice(lineStart + 1);
    }
    return t;
  });

/** Every path in a value, the root's included. */
function pathsOf(v: Value, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== "object") return [at];
  const children = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [at, ...children.flatMap(([k, x]) => pathsOf(x, [...at, k]))];
}

/** A copy of `root` with the node at `path` changed by `edit` (which returns undefined to delete it). */
function editAt(
  root: Value,
  path: (string | number)[],
  edit: (v: Value) => Value | undefined,
): Value | undefined {
  if (path.length === 0) return edit(root);
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (typeof root !== "object") return root;
  if (Array.isArray(root)) {
    const copy = [...root];
    const changed = editAt(copy[head as number] as Value, rest, edit);
    if (changed === undefined) copy.splice(head as number, 1);
    else copy[head as number] = changed;
    return copy;
  }
  const copy: Obj = { ...root };
  const changed = editAt(copy[head] as Value, rest, edit);
  if (changed === undefined) delete copy[head];
  else copy[head] = changed;
  return copy;
}

/** The mistakes people make in a rules file's values: a wrong type, a number out of range, a typo'd or missing key. */
const MISTAKES: readonly ((v: Value) => Value | undefined)[] = [
  () => "two",
  () => -5,
  () => 1e9,
  () => [],
  () => ({ x: 1 }),
  (v) => (typeof v === "object" && !Array.isArray(v) ? { ...v, bogusKey: 1 } : "bogus"),
  () => undefined,
];

/** A valid document with one mistake at a random place, written in a random style. */
const oneMistake = fc
  .tuple(rulesValue, styleArb, fc.nat(), fc.nat({ max: MISTAKES.length - 1 }))
  .map(([value, style, at, kind]) => {
    const paths = pathsOf(value).filter((p) => p.length > 0);
    const path = paths[at % paths.length] ?? ["profiles"];
    const edited = (editAt(value, path, MISTAKES[kind] as (v: Value) => Value | undefined) ?? {}) as Obj;
    return writeYaml(edited, style);
  });

/** More runs for a deeper search: FASTPATH_RUNS=20000 npx vitest run test/domain/rules-file-fastpath.test.ts */
const runs = (n: number) => Math.max(propertyRuns(n), Number(process.env.FASTPATH_RUNS ?? 0));

describe("parseRulesFile fast path (js-yaml) against the yaml path", () => {
  it("gives the same RulesFile, entry lines included, for valid documents in any style (property)", () => {
    let fastTaken = 0;
    let checked = 0;
    fc.assert(
      fc.property(rulesValue, styleArb, (value, style) => {
        const yaml = writeYaml(value, style);
        const slow = parseRulesFileSlow(yaml, "rules.yaml");
        const fast = parseRulesFile(yaml, "rules.yaml");
        expect(fast).toEqual(slow);
        expect(fast.campaigns).toHaveLength((value.campaigns as Value[]).length);
        for (const c of fast.campaigns) expect(c.line).toBeGreaterThan(0);
        checked++;
        if (loadYamlFast(yaml) !== undefined) fastTaken++;
      }),
      { numRuns: runs(400) },
    );
    // the property says nothing if every document fell back to the slow path
    expect(fastTaken).toBeGreaterThan(checked * 0.5);
  });

  it("gives the same result or the same error for broken documents (property)", () => {
    fc.assert(
      fc.property(mutated, (yaml) => {
        expect(outcome(parseRulesFile, yaml, "r.yaml")).toEqual(outcome(parseRulesFileSlow, yaml, "r.yaml"));
      }),
      { numRuns: runs(600) },
    );
  });

  it("locates a wrong value, key or type exactly where the yaml path does, from the fast read (property)", () => {
    let fastErrors = 0;
    let errors = 0;
    fc.assert(
      fc.property(oneMistake, (yaml) => {
        const fast = outcome(parseRulesFile, yaml, "r.yaml");
        expect(fast).toEqual(outcome(parseRulesFileSlow, yaml, "r.yaml"));
        if ("error" in fast) {
          errors++;
          if (loadYamlFast(yaml) !== undefined) fastErrors++;
        }
      }),
      { numRuns: runs(600) },
    );
    // most mistakes are found, and most of those are located without the yaml path re-reading the file
    expect(errors).toBeGreaterThan(runs(600) * 0.5);
    expect(fastErrors).toBeGreaterThan(errors * 0.5);
  });

  it("locates a mistake in a JSON file where the yaml path does in the same text (property)", () => {
    const oneMistakeJson = fc
      .tuple(rulesValue, fc.nat(), fc.nat({ max: MISTAKES.length - 1 }), fc.constantFrom(0, 2))
      .map(([value, at, kind, indent]) => {
        const paths = pathsOf(value).filter((p) => p.length > 0);
        const path = paths[at % paths.length] ?? ["profiles"];
        return JSON.stringify(
          editAt(value, path, MISTAKES[kind] as (v: Value) => Value | undefined),
          null,
          indent,
        );
      });
    fc.assert(
      fc.property(oneMistakeJson, (json) => {
        const asJson = outcome(parseRulesFile, json, "r.json");
        const asYaml = outcome(parseRulesFileSlow, json, "r.yaml");
        if ("error" in asJson && "error" in asYaml)
          expect(asJson.error.replaceAll("r.json", "r.yaml")).toBe(asYaml.error);
        else expect("error" in asJson).toBe("error" in asYaml);
      }),
      { numRuns: runs(300) },
    );
  });

  it("locates a wrong entry at any index of a JSON file where the yaml path does, re-reading only that entry (property)", () => {
    let fastErrors = 0;
    const wrongEntryJson = fc
      .tuple(
        entry.map((e) => compact(e)),
        int(0, 60),
        int(0, 60),
        fc.nat(),
        fc.nat({ max: MISTAKES.length - 1 }),
        fc.constantFrom(0, 1, 2),
      )
      .map(([wrong, count, at, where, kind, indent]) => {
        const index = at % (count + 1);
        const campaigns: Value[] = Array.from({ length: count }, (_, i) => ({
          id: `CMP-${i}`,
          dialingRules: { maxCallsPerAgent: 2 },
        }));
        campaigns.splice(index, 0, wrong);
        const paths = pathsOf(wrong).filter((p) => p.length > 0);
        const path = ["campaigns", index, ...(paths[where % paths.length] ?? [])];
        const edited = editAt(
          { profiles: ["US_TCPA"], campaigns },
          path,
          MISTAKES[kind] as (v: Value) => Value,
        );
        const json = JSON.stringify(edited, null, indent);
        // the longest entry's text as it stands in the file (each line after its first indented two levels
        // deeper), and "[~, ~, …]": the most a re-read may cost, whatever the mistake
        const entryTexts = ((edited as Obj).campaigns as Value[]).map((e) =>
          (JSON.stringify(e, null, indent) ?? "").replaceAll("\n", `\n${" ".repeat(2 * indent)}`),
        );
        const most = Math.max(...entryTexts.map((t) => t.length), 4 * entryTexts.length + 2);
        return { json, most };
      });
    fc.assert(
      fc.property(wrongEntryJson, ({ json, most }) => {
        const reread: number[] = [];
        let asJson: Outcome;
        try {
          asJson = { file: parseRulesFile(json, "r.json", { onReread: (n) => reread.push(n) }) };
        } catch (err) {
          if (!(err instanceof RulesFileError)) throw err;
          asJson = { error: err.message };
        }
        const asYaml = outcome(parseRulesFileSlow, json, "r.yaml");
        if ("error" in asJson && "error" in asYaml)
          expect(asJson.error.replaceAll("r.json", "r.yaml")).toBe(asYaml.error);
        else expect("error" in asJson).toBe("error" in asYaml);
        // read by js-yaml: each problem is placed from its entry's text, never the whole list's
        if ("error" in asJson && loadYamlFast(json) !== undefined) {
          fastErrors++;
          for (const n of reread) expect(n).toBeLessThanOrEqual(most);
        }
      }),
      { numRuns: runs(300) },
    );
    expect(fastErrors).toBeGreaterThan(runs(300) * 0.3);
  });

  it("throws only RulesFileError for arbitrary strings, like the yaml path (property)", () => {
    const yamlish = fc.stringMatching(/^[a-zA-Z0-9:\-[\]{}'", .#&*!?|>%\t\r\n]*$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), yamlish), (yaml) => {
        expect(outcome(parseRulesFile, yaml, "r.yaml")).toEqual(outcome(parseRulesFileSlow, yaml, "r.yaml"));
      }),
      { numRuns: runs(500) },
    );
  });

  it.each([
    ["an anchor and alias", "campaigns: &c []\nprofiles: *c\n"],
    ["a tag", "campaigns: !!seq []\n"],
    ["a %YAML 1.1 directive", "%YAML 1.1\n---\ncampaigns: []\n"],
    ["a collection as a key", "campaigns: []\n[profiles]: []\n"],
    // found by the broken-documents property (seed 981984202): js-yaml names the key "", `yaml` "[]"
    ["a collection as a key without a value in a flow mapping", "{profiles: [], campaigns:, [], }\n"],
    ["a mapping as a key without a value in a flow mapping", "{campaigns: [], {a: 1}}\n"],
    // found by the broken-documents property (seed -1263122848): an empty key before `{`/`[` in flow,
    // which js-yaml names "null" and `yaml` ""
    [
      "an empty key before a flow mapping in a flow sequence",
      "campaigns: [{id: A}, :{atch: x}]\nprofiles: []\n",
    ],
    ["an empty key right after `[`", "campaigns: [:{atch: x}]\nprofiles: []\n"],
    ["an empty key before a flow sequence", "campaigns: [ :[x]]\nprofiles: []\n"],
    ["an empty key before a flow mapping in a flow mapping", "{campaigns: [], :{a: 1}}\n"],
    [
      "an under-indented flow line",
      "campaigns:\n  - id: A\n    dialingRules: {dialingMethod: PREVIEW,\n    maxCallsPerAgent: 1}\n",
    ],
    ["a comment glued to a bracket", "campaigns: []#c\n"],
    ["a lone CR", "campaigns: []\rprofiles: []\n"],
  ])("leaves %s to the yaml path", (_name, yaml) => {
    expect(loadYamlFast(yaml)).toBeUndefined();
  });

  it("does not expand a billion-laughs document", () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const yaml = `${levels.join("\n")}\ncampaigns: []\n`;
    expect(loadYamlFast(yaml)).toBeUndefined();
    expect(() => parseRulesFile(yaml, "lol.yaml")).toThrow(RulesFileError);
  });

  it("refuses more than 100,000 entries as soon as the fast read passes the limit", () => {
    const entries = (n: number) =>
      `profiles: [US_TCPA]\ncampaigns:\n${Array.from({ length: n }, (_, i) => `  - id: C${i}\n`).join("")}`;
    const err = outcome(parseRulesFile, entries(100_001), "big.yaml");
    expect(err).toEqual({
      error:
        "1 problem in big.yaml:\n  big.yaml:3:3: campaigns: has more than 100000 items, at most 100000 allowed [RULES_OUT_OF_RANGE]",
    });
    expect(parseRulesFile(entries(100_000), "ok.yaml").campaigns).toHaveLength(100_000);
  });

  it("refuses more than 100,000 entries of a one-line flow document (YAML or JSON) and locates it", () => {
    const entries = (n: number) =>
      JSON.stringify({
        profiles: ["US_TCPA"],
        campaigns: Array.from({ length: n }, (_, i) => ({ id: `C${i}` })),
      });
    // a .yaml file whose root is a flow mapping: the fast read stops past the limit, as for a block file
    expect(outcome(parseRulesFile, entries(100_001), "big.yaml")).toEqual({
      error:
        "1 problem in big.yaml:\n  big.yaml:1:37: campaigns: has more than 100000 items, at most 100000 allowed [RULES_OUT_OF_RANGE]",
    });
    // a .json file is counted before JSON.parse would build it, with the same problem at the same place
    expect(outcome(parseRulesFile, entries(100_001), "big.json")).toEqual({
      error:
        "1 problem in big.json:\n  big.json:1:37: campaigns: has more than 100000 items, at most 100000 allowed [RULES_OUT_OF_RANGE]",
    });
    // indented, the list's key escaped and repeated (JSON.parse keeps the last copy): still counted
    const list = JSON.stringify(
      Array.from({ length: 100_001 }, (_, i) => ({ id: `C${i}` })),
      null,
      1,
    );
    const indented = `{\n "campaigns": [],\n "campaign\\u0073": ${list}\n}`;
    expect(outcome(parseRulesFile, indented, "big.json")).toEqual({
      error:
        "1 problem in big.json:\n  big.json:3:20: campaigns: has more than 100000 items, at most 100000 allowed [RULES_OUT_OF_RANGE]",
    });
    expect(parseRulesFile(entries(100_000), "ok.json").campaigns).toHaveLength(100_000);
  });

  it("reads the bench's style with exact entry lines", () => {
    const yaml =
      'profiles: [US_TCPA]\ncampaigns:\n  - id: CMP-1\n    dialingRules: {maxCallsPerAgent: 2}\n\n  - match: "Sales-*"\n';
    expect(loadYamlFast(yaml)).toBeDefined();
    const file = parseRulesFile(yaml, "r.yaml");
    expect(file.campaigns.map((c) => [c.line, c.column])).toEqual([
      [3, 5],
      [6, 5],
    ]);
    expect(file).toEqual(parseRulesFileSlow(yaml, "r.yaml"));
  });
});

describe("loadYamlFast streaming the entries of a block-sequence `campaigns:`", () => {
  const streamOf = (yaml: string) => {
    const items: [number, unknown][] = [];
    const read = loadYamlFast(yaml, 100_000, { key: "campaigns", onItem: (i, v) => items.push([i, v]) });
    return { read: read && "value" in read ? read : undefined, items };
  };

  it("hands each entry over as it is read and keeps only its index and span", () => {
    const yaml =
      "profiles: [US_TCPA]\ncampaigns:\n  - id: A\n    dialingRules: {maxCallsPerAgent: 2}\n  - match: 'S*'\n";
    const { read, items } = streamOf(yaml);
    expect(items).toEqual([
      [0, { id: "A", dialingRules: { maxCallsPerAgent: 2 } }],
      [1, { match: "S*" }],
    ]);
    const list = (read?.value as { campaigns?: unknown[] } | undefined)?.campaigns;
    expect(read?.streamed).toBe(list);
    expect(list).toEqual([0, 1]);
    expect(read?.spanOf(0, list, 1)).toEqual([yaml.indexOf("match"), yaml.length - 1]);
    expect(read?.startOf(0, list, 0)).toBe(yaml.indexOf("id: A"));
  });

  it.each([
    ["a flow list", "campaigns: [{id: A}, {id: B}]\n"],
    ["a list under another key", "profiles:\n  - US_TCPA\ncampaigns: []\n"],
    ["a list at the root", "- campaigns\n- - {id: A}\n"],
  ])("does not stream %s", (_name, yaml) => {
    const { read } = streamOf(yaml);
    expect(read).toBeDefined();
    expect(read?.streamed).toBeUndefined();
  });

  it.each([
    // js-yaml pushes an empty item without a parse event: the indices would not match the items
    ["an empty item", "profiles: []\ncampaigns:\n  -\n  - id: A\n"],
    // streamed while the last key read was the value "campaigns": the list is not the key's value
    ["a list whose key is not a string, after the value campaigns", "x: campaigns\n1:\n  - {id: A}\n"],
  ])("reads it again without streaming when it cannot vouch for the items: %s", (_name, yaml) => {
    const { read } = streamOf(yaml);
    expect(read?.streamed).toBeUndefined();
    expect(outcome(parseRulesFile, yaml, "r.yaml")).toEqual(outcome(parseRulesFileSlow, yaml, "r.yaml"));
  });

  it("gives the result and the problems, in order and located, of the unstreamed read", () => {
    const yaml = [
      "profiles: [US_TCPA, NOPE]",
      "campaigns:",
      "  - id: A",
      "    dialingRules: {maxCallsPerAgent: two, bogus: 1}",
      "  - id: A",
      "  - {match: '[x'}",
      "  - id: B",
      "    dialingRules: {dialingMethod: PREVIEW}",
      "",
    ].join("\n");
    expect(streamOf(yaml).read?.streamed).toBeDefined();
    const fast = outcome(parseRulesFile, yaml, "r.yaml");
    expect(fast).toEqual(outcome(parseRulesFileSlow, yaml, "r.yaml"));
    expect("error" in fast && fast.error.split("\n").length).toBe(6);
  });

  it("tells the caller's onEntry how many entries have been read, as each is read (and nothing for JSON)", () => {
    const yaml = "profiles: []\ncampaigns:\n  - id: A\n  - id: B\n  - match: 'S*'\n";
    const seen: number[] = [];
    const file = parseRulesFile(yaml, "r.yaml", { onEntry: (read) => seen.push(read) });
    expect(seen).toEqual([1, 2, 3]);
    expect(file.campaigns.map((e) => e.label)).toEqual([
      "campaigns[0] (id A)",
      "campaigns[1] (id B)",
      'campaigns[2] (match "S*")',
    ]);
    const json: number[] = [];
    parseRulesFile('{"profiles": [], "campaigns": [{"id": "A"}]}', "r.json", {
      onEntry: (n) => json.push(n),
    });
    expect(json).toEqual([]);
  });
});
