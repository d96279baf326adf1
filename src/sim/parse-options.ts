import { InputError } from "../domain/errors.js";
import type { FaultSpec } from "./types.js";

type FaultKey = keyof FaultSpec;

/** The `--faults` keys and the FaultSpec field each sets. */
const FAULT_KEYS: Record<string, { field: FaultKey; kind: "rate" | "ms" | "status" | "count" }> = {
  latency: { field: "latencyMs", kind: "ms" },
  jitter: { field: "latencyJitterMs", kind: "ms" },
  "5xx": { field: "serverErrorRate", kind: "rate" },
  "5xx-status": { field: "serverErrorStatus", kind: "status" },
  drop: { field: "dropRate", kind: "rate" },
  editor: { field: "concurrentEditRate", kind: "rate" },
  lost: { field: "lostResponseRate", kind: "rate" },
  "lost-every": { field: "lostResponseEvery", kind: "count" },
};

function faultError(message: string): InputError {
  return new InputError(
    "INVALID_FAULTS",
    `${message} (expected e.g. "latency=50,jitter=20,5xx=0.05,5xx-status=503,drop=0.01,editor=0.1,lost=0.02,lost-every=3"; keys: ${Object.keys(FAULT_KEYS).join(", ")})`,
    "--faults",
  );
}

function parseFaultValue(key: string, raw: string, kind: "rate" | "ms" | "status" | "count"): number {
  const value = raw.trim() === "" ? Number.NaN : Number(raw);
  switch (kind) {
    case "rate":
      if (!(value >= 0 && value <= 1)) throw faultError(`${key}=${raw}: a rate must be a number from 0 to 1`);
      return value;
    case "ms":
      if (!(Number.isInteger(value) && value >= 0))
        throw faultError(`${key}=${raw}: must be whole milliseconds ≥ 0`);
      return value;
    case "status":
      if (!(Number.isInteger(value) && value >= 500 && value <= 599)) {
        throw faultError(`${key}=${raw}: must be an HTTP status from 500 to 599`);
      }
      return value;
    case "count":
      if (!(Number.isInteger(value) && value >= 1))
        throw faultError(`${key}=${raw}: must be a whole number ≥ 1`);
      return value;
  }
}

/** Parses the `--faults` flag, e.g. "latency=50,jitter=20,5xx=0.05,drop=0.01,editor=0.1,lost=0.02,lost-every=3". */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = {};
  const seen = new Set<string>();
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) throw faultError(`"${part.trim()}" is not key=value`);
    const key = part.slice(0, eq).trim();
    const known = FAULT_KEYS[key];
    if (!known || !Object.hasOwn(FAULT_KEYS, key)) throw faultError(`unknown fault "${key}"`);
    if (seen.has(key)) throw faultError(`"${key}" is given twice`);
    seen.add(key);
    spec[known.field] = parseFaultValue(key, part.slice(eq + 1).trim(), known.kind);
  }
  return spec;
}

const RATE_UNITS_PER_MINUTE: Record<string, number> = {
  s: 60,
  sec: 60,
  min: 1,
  m: 1,
  h: 1 / 60,
  hour: 1 / 60,
};

/** Parses a request budget such as "100/min", "6000/min" or "10/s"; returns requests per minute. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*([a-z]+)\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase();
  const factor =
    unit !== undefined && Object.hasOwn(RATE_UNITS_PER_MINUTE, unit)
      ? RATE_UNITS_PER_MINUTE[unit]
      : undefined;
  const count = Number(match?.[1]);
  if (factor === undefined || !(count > 0)) {
    throw new InputError(
      "INVALID_RATE",
      `"${text}" is not a request rate; expected a positive number per s, min or h, e.g. "100/min" or "10/s"`,
      "--rate-limit",
    );
  }
  return count * factor;
}
