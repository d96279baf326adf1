/**
 * A linear pre-scan that refuses deeply nested YAML or JSON before any parser sees it. Parsers recurse per
 * level: a 20 KB document of 10,000 `[` killed the process (V8 ran out of memory compiling a regular
 * expression deep inside the recursion). A rules file needs about six levels; 64 is generous.
 *
 * The scan must never under-count: a document it passes cannot be deeper than `max` for the `yaml` package.
 * Where it cannot tell, it counts more (a multi-line quoted scalar's continuation lines are read as
 * structure; a scalar sequence item counts as a level). Depth is the sum of:
 *  - flow collections open at this point (`[`, `{` where a node can start, or anywhere inside a flow; a pair
 *    in a flow sequence is a mapping of its own, and one whose key is a flow collection, `[[a]: b]`, puts
 *    that key's levels one deeper),
 *  - block levels open: one per deeper indentation, and one per compact node on a line (`- - k: v` opens a
 *    sequence at column 0, one at 2 and a mapping at 4, whose columns later lines are measured against);
 *    a sequence at the same column as its mapping key (`k:` then `- a`) is a level of its own.
 * Quotes, `|`/`>` and flow collections open only where a node starts (after indentation, `- `, `: `, `? `, a
 * tag or anchor; in a flow also after `[`, `{`, `,` and a JSON key's `:`): inside a plain scalar
 * (`a: rock 'n' roll [1`) they are text, and reading them as structure made the scan skip the lines up to the
 * next quote, or hide the block lines after a stray `[`. Such a stray `[` is still counted, as a level that
 * hides nothing. What `yaml` builds from some invalid text (`[- a]`, `k: - a`) is counted too.
 * Checked against `yaml` by the property tests in test/domain/nesting.test.ts.
 */
import { InputError } from "./errors.js";

export const MAX_NESTING = 64;

export interface TooDeep {
  depth: number;
  line: number;
  column: number;
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
/** Marks a flow sequence's entry that is a single-pair mapping (`[a: b]`). */
const PAIR = 0;
/** Characters that can mean something besides text: quotes, brackets, `,:?-!&|>`. */
const INDICATOR = new Uint8Array(128);
for (const ch of `"'[]{},:?-!&|>`) INDICATOR[ch.charCodeAt(0)] = 1;
const isBlank = (c: number) => c === SPACE || c === TAB || c === CR;
/** End of a token: whitespace, a line break or the end of the text (NaN from charCodeAt). */
const endsToken = (c: number) => isBlank(c) || c === LF || Number.isNaN(c);

/** The first place where `text` nests deeper than `max`, or undefined. One pass, O(length). */
export function findTooDeep(text: string, max = MAX_NESTING): TooDeep | undefined {
  const n = text.length;
  /** Open flow collections, innermost last: `{`, `[`, or a `[` whose entry is a single-pair map (`[a: b]`). */
  const flows: number[] = [];
  /**
   * For each open flow, the deepest flow depth reached inside it so far. A pair in a flow sequence whose key
   * is a flow collection (`[[a]: b]`) wraps that key in its mapping: everything the key reached is one level
   * deeper, known only at the `:` after the key has closed.
   */
  const peaks: number[] = [];
  /** The deepest flow depth reached inside the flow collection closed last (the key, if a `:` follows). */
  let closedPeak = 0;
  const pushFlow = (kind: number, peak = flows.length + 1) => {
    flows.push(kind);
    peaks.push(peak);
  };
  const popFlow = () => {
    flows.pop();
    const peak = peaks.pop() ?? 0;
    const last = peaks.length - 1;
    if (last >= 0 && (peaks[last] ?? 0) < peak) peaks[last] = peak;
    return peak;
  };
  /** Levels a block line opens inside itself (`? k`, `a: b: c`, `k: - a`): counted until the next line. */
  let lineExtra = 0;
  /** The line has had a `: ` (the first is the line's own mapping, counted by its level). */
  let lineColon = false;
  /** The line's node is a flow collection (no level of its own): if a `: ` follows, it was a mapping's key. */
  let flowKey = false;
  /**
   * `[`/`{` inside a block plain scalar (`a: x [1`): text to `yaml`, unless it reads the line otherwise after
   * an error; counted, but without ending block structure (a stray `[` must not hide the lines after it).
   */
  let loose = 0;
  /** The deepest flow reached on this block line. */
  let lineFlowMax = 0;
  /** Columns of the open block levels, innermost last (a same-column sequence sits at column + 0.5). */
  const levels: number[] = [];
  /** Whether each level is a sequence (opened by a `- `). */
  const seqs: boolean[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  let atLineStart = true;
  /** A node (scalar, quote, flow collection, block scalar) can start here. */
  let nodeStart = true;
  /** The last character was whitespace or a line start (a `#` after it starts a comment). */
  let afterSpace = true;
  /** The last token was a quoted scalar or a closed flow collection (JSON key: `"a":"b"`). */
  let jsonKey = false;
  /** Lines indented deeper than this belong to a literal/folded scalar: text, not structure. */
  let blockScalarIndent = -1;
  /** The line whose start was read as block structure (a `|` after a multi-line quote is not trusted). */
  let blockLine = 0;
  /** Column of the node a `|` at the start of this line's content belongs to (its dash, or itself). */
  let ownerColumn = 0;
  let contentStart = -1;

  const tooDeep = (at: number, flowDepth = flows.length): TooDeep | undefined => {
    const depth = flowDepth + levels.length + lineExtra + loose;
    return depth > max ? { depth, line, column: at - lineStart + 1 } : undefined;
  };
  const top = () => levels.at(-1) ?? -1;

  while (i < n) {
    if (atLineStart && flows.length === 0) {
      atLineStart = false;
      let j = i;
      while (j < n && text.charCodeAt(j) === SPACE) j++;
      const c = text.charCodeAt(j);
      const indent = j - i;
      if (j >= n || c === LF || (c === CR && text.charCodeAt(j + 1) === LF) || c === 35) {
        // empty or comment-only line: no structure, and it does not end a block scalar
        i = j;
        continue;
      }
      if (blockScalarIndent >= 0 && indent > blockScalarIndent) {
        const nl = text.indexOf("\n", j);
        i = nl === -1 ? n : nl;
        continue;
      }
      blockScalarIndent = -1;
      blockLine = line;
      lineExtra = 0;
      lineColon = false;
      while (top() > indent) {
        levels.pop();
        seqs.pop();
      }
      // `---` or `...` at column 0: a document ends, and every level with it
      if (
        indent === 0 &&
        /^(?:---|\.\.\.)$/.test(text.slice(j, j + 3)) &&
        endsToken(text.charCodeAt(j + 3))
      ) {
        levels.length = 0;
        seqs.length = 0;
        j += 3;
        while (j < n && (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === TAB)) j++;
      }
      // compact indicators: each `- ` is a sequence at its column, each `? ` or `: ` a mapping's entry
      let indicatorColumn = -1;
      for (;;) {
        const k = text.charCodeAt(j);
        if (!((k === 45 || k === 63 || k === 58) && endsToken(text.charCodeAt(j + 1)))) break;
        const col = j - i;
        if (top() < col) {
          levels.push(col);
          seqs.push(k === 45);
        } else if (k === 45 && seqs.at(-1) === false) {
          // a dash at the column of a mapping key (`k:` then `- a`) is a sequence inside that mapping
          levels.push(col + 0.5);
          seqs.push(true);
        }
        indicatorColumn = col;
        j++;
        while (j < n && (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === TAB)) j++;
      }
      const first = text.charCodeAt(j);
      const bare = j >= n || first === LF || (first === CR && text.charCodeAt(j + 1) === LF) || first === 35;
      // the node after the dashes (or the line's only node); a flow collection counts itself
      if (!bare && first !== 91 && first !== 123 && top() < j - i) {
        levels.push(j - i);
        seqs.push(false);
      }
      ownerColumn = indicatorColumn >= 0 ? indicatorColumn : j - i;
      flowKey = !bare && (first === 91 || first === 123);
      lineFlowMax = 0;
      contentStart = j;
      const deep = tooDeep(j);
      if (deep) return deep;
      nodeStart = true;
      afterSpace = true;
      jsonKey = false;
      i = j;
      continue;
    }
    const c = text.charCodeAt(i);
    atLineStart = false;
    if (c === LF) {
      line++;
      i++;
      lineStart = i;
      atLineStart = true;
      afterSpace = true;
      continue;
    }
    // (`yaml` reads a CR that ends no line as text: `\r'` opens no quote, `\r#` starts no comment)
    if (c === SPACE || c === TAB || (c === CR && text.charCodeAt(i + 1) === LF)) {
      afterSpace = true;
      i++;
      continue;
    }
    if (c === 35 && afterSpace) {
      // comment to the end of the line
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if (c < 128 && !INDICATOR[c]) {
      // plain text (the common case): it ends whatever could start here
      nodeStart = false;
      jsonKey = false;
      afterSpace = false;
      i++;
      continue;
    }
    const wasNodeStart = nodeStart;
    const wasJsonKey = jsonKey;
    nodeStart = false;
    jsonKey = false;
    afterSpace = false;
    const inFlow = flows.length > 0;
    if ((c === 34 || c === 39) && wasNodeStart) {
      // (the quoted text's own line breaks move the line start; searching back for it instead made a
      // one-line JSON file quadratic)
      i = skipQuoted(text, i, c, (at) => {
        line++;
        lineStart = at + 1;
      });
      jsonKey = true;
      closedPeak = 0;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    // an indicator is followed by a space or a line end, and in a flow also by `,`, `[`, `]`, `{`, `}`
    const indicator =
      endsToken(next) ||
      (inFlow && (next === 44 || next === 91 || next === 93 || next === 123 || next === 125));
    let opened = false;
    let openDepth = 0;
    if ((c === 91 || c === 123) && (wasNodeStart || inFlow)) {
      pushFlow(c);
      nodeStart = true;
      opened = true;
    } else if (c === 91 || c === 123) {
      loose++;
      opened = true;
    } else if ((c === 93 || c === 125) && inFlow) {
      if (flows.at(-1) === PAIR) popFlow();
      closedPeak = popFlow();
      jsonKey = true;
    } else if (c === 93 || c === 125) {
      if (loose > 0) loose--;
    } else if (c === 44 && inFlow) {
      if (flows.at(-1) === PAIR) popFlow();
      nodeStart = true;
    } else if ((c === 58 && (indicator || wasJsonKey)) || (c === 63 && indicator && wasNodeStart)) {
      // a value (`: `, or `:` after a JSON key) or a complex key (`? `): a mapping may open here
      nodeStart = true;
      if (inFlow) {
        // in a flow sequence, `a: b` and `? a` are a single-pair mapping inside it
        if (flows.at(-1) === 91) {
          // a flow collection as the pair's key (`[[a]: b]`) is one level deeper than it was counted
          openDepth = wasJsonKey ? closedPeak + 1 : 0;
          pushFlow(PAIR, Math.max(flows.length + 1, openDepth));
          opened = true;
        }
      } else if (c === 63 || lineColon) {
        lineExtra++;
        opened = true;
      } else {
        lineColon = true;
        if (flowKey) {
          // `[a]: b`: the mapping was open around its flow key, as deep as that key went
          lineExtra++;
          const deep = tooDeep(i, lineFlowMax);
          if (deep) return deep;
        }
      }
    } else if (c === 45 && indicator && wasNodeStart) {
      // `k: - a`, `[- a]`: not YAML, but `yaml` reads a sequence there
      if (!inFlow) lineExtra++;
      else if (flows.at(-1) !== PAIR) pushFlow(PAIR);
      nodeStart = true;
      opened = true;
    } else if ((c === 33 || c === 38) && wasNodeStart) {
      // a tag or anchor: the node starts after it
      while (i + 1 < n && !endsToken(text.charCodeAt(i + 1))) i++;
      nodeStart = true;
    } else if ((c === 124 || c === 62) && wasNodeStart && !inFlow && blockLine === line) {
      // `|` or `>` (with optional chomping/indent indicators) ending the line: a block scalar follows
      let j = i + 1;
      while (j < n && /[-+0-9]/.test(text[j] ?? "")) j++;
      while (j < n && isBlank(text.charCodeAt(j))) j++;
      const end = text.charCodeAt(j);
      if (j >= n || end === LF || end === 35) blockScalarIndent = i === contentStart ? ownerColumn : top();
    }
    if (opened) {
      const flowDepth = Math.max(flows.length, openDepth);
      lineFlowMax = Math.max(lineFlowMax, flowDepth);
      const deep = tooDeep(i, flowDepth);
      if (deep) return deep;
    }
    i++;
  }
  return undefined;
}

/** Index just after the closing quote (or the end of the text when it is never closed). */
function skipQuoted(text: string, start: number, quote: number, newline: (at: number) => void): number {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === LF) newline(i);
    if (quote === 34 && c === 92) {
      i += 2; // backslash escape in double quotes
      continue;
    }
    if (c === quote) {
      if (quote === 39 && text.charCodeAt(i + 1) === 39) {
        i += 2; // '' is an escaped single quote
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** The pre-scan as an input problem (code NESTING_TOO_DEEP), or undefined when the text is shallow enough. */
export function nestingProblem(text: string, file?: string, max = MAX_NESTING): InputError | undefined {
  const deep = findTooDeep(text, max);
  if (!deep) return undefined;
  return new InputError(
    "NESTING_TOO_DEEP",
    `nested more than ${max} levels deep; nothing was parsed (a rules file needs about six)`,
    undefined,
    { ...(file ? { file } : {}), line: deep.line, column: deep.column },
  );
}
