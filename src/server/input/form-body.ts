/**
 * application/x-www-form-urlencoded bodies, strictly: the raw bytes must be UTF-8 and every %-escape must
 * decode to UTF-8 (URLSearchParams would turn both into U+FFFD silently). Repeated fields keep the first.
 */
import { InputError } from "../../domain/errors.js";
import { decodeUtf8 } from "./strict-json.js";

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replaceAll("+", " "));
  } catch {
    throw new InputError("body_not_utf8", "a form field is not valid UTF-8; nothing was stored");
  }
}

export function parseStrictForm(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of decodeUtf8(body).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeComponent(pair.slice(eq + 1));
    if (!Object.hasOwn(out, name)) out[name] = value;
  }
  return out;
}
