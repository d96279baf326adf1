import { isDocument, isMap, isPair, isSeq, parseAllDocuments } from "yaml";
import { findTooDeep } from "../../src/domain/nesting.js";

/** The depth the scan counts: the least cap it passes. */
export function scanDepth(text: string): number {
  let max = 0;
  while (findTooDeep(text, max)) max++;
  return max;
}

/** The deepest nesting of collections (keys included) in what `yaml` builds from `text`. */
export function yamlDepth(text: string): number {
  const depth = (node: unknown): number => {
    if (isPair(node)) return Math.max(depth(node.key), depth(node.value));
    if (!isMap(node) && !isSeq(node)) return 0;
    return 1 + Math.max(0, ...(node.items as unknown[]).map(depth));
  };
  return Math.max(0, ...parseAllDocuments(text).map((doc) => (isDocument(doc) ? depth(doc.contents) : 0)));
}
