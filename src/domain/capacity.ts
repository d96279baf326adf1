/**
 * Capacity estimate: lines in use, dials per hour and whether the pacing allowed by the rules can abandon
 * more calls than the abandonment threshold. Formula and assumptions: ../../docs/capacity.md.
 *
 * Model (one "batch" = the dials placed for one agent who becomes free):
 *   c = connect rate, r = lines per available agent allowed by the rules, A = average handle time (s),
 *   T = NO_CONNECT_SEC (time a dial that reaches no person holds the line: ≥ 15 s ring + setup/AMD).
 *   Pacing ratio k: PREVIEW 1; PROGRESSIVE and POWER r (fixed ratio); PREDICTIVE min(r, max(1, 1/c)) —
 *     the ratio that yields one expected live connect per free agent, capped by the ceiling.
 *   Live connects per batch X ~ Binomial(k, c): P(X ≥ 1) = 1 − (1 − c)^k, E[X] = k·c.
 *   Abandon fraction of live connects when one agent takes one call and the surplus is dropped:
 *     a(k) = 1 − P(X ≥ 1) / E[X]   (0 for k ≤ 1).
 *   Agent cycle per batch: P(X ≥ 1)·A + (1 − P(X ≥ 1))·T; dials/hour = agents · k · 3600 / cycle.
 *   Worst case: pacing at the ceiling r with no pooling of surplus connects across agents: a(r).
 *   canExceedAbandonmentLimit = a(r) > abandonmentRateThreshold.maxRate.
 * Unlike the tutorial's `capacity = maxCallsPerAgent × constant(method)`, every input changes the result.
 */
import {
  type DialingMethod,
  type DialingMethodReading,
  type DialingRules,
  possibleMethods,
} from "./rules.js";

export interface CapacityInputs {
  agents: number;
  avgHandleTimeSec: number;
  /** Fraction of dials answered by a live person, in (0, 1]. */
  connectRate: number;
}

export interface CapacityEstimate {
  method: DialingMethod;
  maxCallsPerAgent: number;
  inputs: CapacityInputs;
  /** Lines dialed per free agent the estimate assumes (k). */
  pacingRatio: number;
  /** Peak simultaneous outbound lines: agents × pacing ratio, rounded up. */
  linesInUse: number;
  dialsPerHour: number;
  /** Live connects handled by agents per hour. */
  connectsPerHour: number;
  /** Abandon fraction of live connects at the expected pacing ratio. */
  expectedAbandonRate: number;
  /** Abandon fraction if pacing runs at the ceiling with no pooling (worst case). */
  worstCaseAbandonRate: number;
  /** The rules' abandonment threshold the worst case is compared with. */
  abandonLimit: number;
  canExceedAbandonmentLimit: boolean;
}

/** Assumed seconds a dial that reaches no live person holds the line (ring ≥ 15 s per 47 CFR 64.1200(a)(6), plus setup). */
export const NO_CONNECT_SEC = 30;

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Fraction of live connects abandoned when k lines are dialed for one free agent. */
export function batchAbandonRate(k: number, connectRate: number): number {
  if (k <= 1 || connectRate <= 0) return 0;
  const anyConnect = 1 - (1 - connectRate) ** k;
  return Math.max(0, 1 - anyConnect / (k * connectRate));
}

export function pacingRatio(method: DialingMethod, maxCallsPerAgent: number, connectRate: number): number {
  switch (method) {
    case "PREVIEW":
      return 1;
    case "PROGRESSIVE":
    case "POWER":
      return maxCallsPerAgent;
    case "PREDICTIVE":
      return Math.min(maxCallsPerAgent, Math.max(1, 1 / connectRate));
  }
}

export function estimateCapacity(rules: DialingRules, inputs: CapacityInputs): CapacityEstimate {
  return estimateForReading(
    rules.dialingMethod,
    rules.maxCallsPerAgent,
    rules.abandonmentRateThreshold.maxRate,
    inputs,
  );
}

/**
 * For a method the platform cannot tell, the estimate of the candidate with the worst abandonment risk
 * (then the most dials): the strictest reading, never a guess.
 */
export function estimateForReading(
  method: DialingMethodReading,
  maxCallsPerAgent: number,
  abandonLimit: number,
  inputs: CapacityInputs,
): CapacityEstimate {
  const [first, ...rest] = possibleMethods(method).map((m) =>
    estimateFor(m, maxCallsPerAgent, abandonLimit, inputs),
  );
  if (!first) throw new RangeError("no dialing method to estimate");
  return rest.reduce(
    (worst, e) =>
      e.worstCaseAbandonRate > worst.worstCaseAbandonRate ||
      (e.worstCaseAbandonRate === worst.worstCaseAbandonRate && e.dialsPerHour > worst.dialsPerHour)
        ? e
        : worst,
    first,
  );
}

/** The estimate from the three fields it needs (so `validate` can estimate from partially known rules). */
export function estimateFor(
  method: DialingMethod,
  maxCallsPerAgent: number,
  abandonLimit: number,
  inputs: CapacityInputs,
): CapacityEstimate {
  const c = Math.min(1, Math.max(inputs.connectRate, Number.MIN_VALUE));
  const ceiling = method === "PREVIEW" ? 1 : maxCallsPerAgent;
  const k = pacingRatio(method, ceiling, c);
  const anyConnect = 1 - (1 - c) ** k;
  const cycleSec = anyConnect * inputs.avgHandleTimeSec + (1 - anyConnect) * NO_CONNECT_SEC;
  const batchesPerHour = inputs.agents * (3600 / cycleSec);
  const worst = batchAbandonRate(ceiling, c);
  return {
    method,
    maxCallsPerAgent,
    inputs: { ...inputs },
    pacingRatio: round(k, 3),
    linesInUse: Math.ceil(inputs.agents * k - 1e-9),
    dialsPerHour: Math.round(batchesPerHour * k),
    connectsPerHour: Math.round(batchesPerHour * anyConnect),
    expectedAbandonRate: round(batchAbandonRate(k, c), 4),
    worstCaseAbandonRate: round(worst, 4),
    abandonLimit,
    canExceedAbandonmentLimit: worst > abandonLimit,
  };
}
