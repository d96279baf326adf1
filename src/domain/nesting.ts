/**
 * A linear pre-scan that refuses deeply nested YAML or JSON before any parser sees it. Parsers recurse per
 * level: a 20 KB document of 10,000 `[` killed the process (V8 ran out of memory compiling a regular
 * expression deep inside the recursion). A rules file needs about six levels; 64 is generous.
 *
 * The scan over-counts rather than under-counts (a stray `[` in an unquoted name counts as a level), so a
 * document it passes cannot be deeper than `max` for any parser. Depth is the sum of:
 *  - flow collections open at this point (`[`, `{` outside quotes and comments),
 *  - block indentation levels open (one per distinct, deeper indentation),
 *  - compact sequence dashes at the start of a line (`- - - x`).
 */
import { InputError } from "./errors.js";

export const MAX_NESTING = 64;

export interface TooDeep {
  depth: number;
  line: number;
  column: number;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
/** A quote opens a quoted scalar only where a scalar can start (`a: it's` is plain text). */
const opensScalar = (prev: number) =>
  prev === -1 || isSpace(prev) || prev === 91 || prev === 123 || prev === 44 || prev === 58 || prev === 45;

/** The first place where `text` nests deeper than `max`, or undefined. One pass, O(length). */
export function findTooDeep(text: string, max = MAX_NESTING): TooDeep | undefined {
  const n = text.length;
  let flow = 0;
  const indents: number[] = [];
  let line = 1;
  let lineStart = 0;
  let prev = -1;
  let i = 0;
  let atLineStart = true;
  /** Indentation of a block scalar's header line (`key: |`): deeper lines are text, not structure. */
  let blockScalarIndent = -1;

  const tooDeep = (at: number, extra = 0): TooDeep | undefined => {
    const depth = flow + indents.length + extra;
    return depth > max ? { depth, line, column: at - lineStart + 1 } : undefined;
  };

  while (i < n) {
    // at a line start (outside flow collections): indentation, compact dashes
    if (atLineStart && flow === 0) {
      atLineStart = false;
      let j = i;
      while (j < n && text.charCodeAt(j) === 32) j++;
      const c = text.charCodeAt(j);
      const blank = j >= n || c === 10 || c === 13 || c === 35; // empty or comment-only line
      const indent = j - i;
      if (!blank && blockScalarIndent >= 0 && indent > blockScalarIndent) {
        // a line of a literal/folded scalar: skip it whole
        const nl = text.indexOf("\n", j);
        i = nl === -1 ? n : nl + 1;
        line++;
        lineStart = i;
        prev = 10;
        atLineStart = true;
        continue;
      }
      if (!blank) {
        blockScalarIndent = -1;
        while (indents.length > 0 && (indents.at(-1) ?? 0) > indent) indents.pop();
        // a line that is a flow collection (`[…]`, JSON) opens no block level of its own
        const flowLine = c === 91 || c === 123;
        if (!flowLine && (indents.length === 0 || (indents.at(-1) ?? 0) < indent)) indents.push(indent);
        let dashes = 0;
        for (;;) {
          const after = text.charCodeAt(j + 1);
          if (
            text.charCodeAt(j) !== 45 ||
            !(after === 32 || after === 9 || j + 1 >= n || after === 10 || after === 13)
          )
            break;
          dashes++;
          j++; // the newline after a bare `-` stays for the line counting below
          while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
        }
        const deep = tooDeep(j, dashes);
        if (deep) return deep;
      }
      prev = j > i ? 32 : prev;
      i = j;
      continue;
    }
    const c = text.charCodeAt(i);
    atLineStart = false;
    if (c === 10) {
      line++;
      i++;
      lineStart = i;
      prev = c;
      atLineStart = true;
      continue;
    }
    if (c === 35 && (prev === -1 || isSpace(prev))) {
      // comment to the end of the line
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if ((c === 34 || c === 39) && opensScalar(prev)) {
      // (the quoted text's own line breaks move the line start; searching back for it instead made a
      // one-line JSON file quadratic)
      i = skipQuoted(text, i, c, (at) => {
        line++;
        lineStart = at + 1;
      });
      prev = c;
      continue;
    }
    if (c === 91 || c === 123) {
      flow++;
      const deep = tooDeep(i);
      if (deep) return deep;
    } else if ((c === 93 || c === 125) && flow > 0) {
      flow--;
    } else if ((c === 124 || c === 62) && flow === 0 && opensScalar(prev)) {
      // `|` or `>` (with optional chomping/indent indicators) ending the line: a block scalar follows
      let j = i + 1;
      while (j < n && /[-+0-9]/.test(text[j] ?? "")) j++;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      const end = text.charCodeAt(j);
      if (j >= n || end === 10 || end === 13 || end === 35) blockScalarIndent = indents.at(-1) ?? 0;
    }
    prev = c;
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
    if (c === 10) newline(i);
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
