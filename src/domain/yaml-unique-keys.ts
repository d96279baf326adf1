/**
 * Parsing YAML with the `yaml` package while refusing repeated keys, in linear time. `yaml`'s own
 * `uniqueKeys` compares each key with every key before it in its mapping: a 256 KB request body of 25,000
 * top-level keys cost minutes of a worker, a 10 MiB file hours. So the text is parsed without that check,
 * and the repeats are found with one set per mapping. Where no mapping is large the text is parsed again
 * with `yaml`'s check when a repeat is found (the rare case), so its errors are exactly `yaml`'s; past
 * that size `yaml`'s own check is what must be avoided, and the repeats found here are reported instead,
 * with `yaml`'s code and message at the repeated key's start — where `yaml` puts it too, except after an
 * empty value (`a:` then `a: 1`), where `yaml` names the end of the line before (its previous pair's end).
 * Among other errors, a repeat takes its place by position, where `yaml` lists errors in the order it
 * composes nodes. No valid rules file has a mapping that large.
 */
import { type Document, isScalar, LineCounter, parseDocument, visit, YAMLParseError } from "yaml";

/** Mappings up to this many pairs are left to `yaml`'s check (at most ~2 million key comparisons each). */
export const QUADRATIC_CHECK_MAX_PAIRS = 2_000;

export interface StrictParse {
  doc: Document;
  lineCounter: LineCounter;
}

/** `parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: false })`, without its quadratic cost. */
export function parseDocumentUniqueKeys(text: string): StrictParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  const { repeats, largest } = repeatedKeys(doc);
  if (repeats.length === 0) return { doc, lineCounter };
  if (largest <= QUADRATIC_CHECK_MAX_PAIRS) {
    const again = new LineCounter();
    const checked = parseDocument(text, {
      lineCounter: again,
      prettyErrors: false,
      uniqueKeys: true,
      strict: true,
    });
    return { doc: checked, lineCounter: again };
  }
  const errors = [...doc.errors];
  for (const at of repeats) {
    const error = new YAMLParseError([at, at + 1], "DUPLICATE_KEY", "Map keys must be unique");
    // `yaml` reports a repeat as it composes the key: after the errors before it in the text
    let i = errors.length;
    while (i > 0 && (errors[i - 1]?.pos[0] ?? 0) > at) i--;
    errors.splice(i, 0, error);
  }
  doc.errors = errors;
  return { doc, lineCounter };
}

/**
 * Start offsets of the keys that repeat an earlier key of their mapping, in document order, as `yaml`
 * compares them (scalar values by `===`: `NaN` never repeats), and the size of the largest mapping.
 */
export function repeatedKeys(doc: Document): { repeats: number[]; largest: number } {
  const repeats: number[] = [];
  let largest = 0;
  visit(doc, {
    Map(_, map) {
      largest = Math.max(largest, map.items.length);
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || Number.isNaN(key.value)) continue;
        if (seen.has(key.value)) repeats.push(key.range?.[0] ?? 0);
        else seen.add(key.value);
      }
    },
  });
  return { repeats: repeats.sort((a, b) => a - b), largest };
}
