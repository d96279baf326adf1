import type { Random } from "./random.js";
import type { FaultSpec } from "./types.js";

const DEFAULT_SERVER_ERROR_STATUSES = [500, 502, 503, 504] as const;

/** What the fault generator decided for one request, drawn when it arrives. */
export interface FaultPlan {
  latencyMs: number;
  drop: boolean;
  /** The 5xx to answer instead of handling the request, if any. */
  serverErrorStatus?: number;
  /** A concurrent edit to apply before handling (API requests only): where and what. */
  edit?: { campaignRoll: number; fieldRoll: number; valueRoll: number };
  /** Drop the reply of this request if it is a successful PATCH. */
  loseResponse: boolean;
}

/**
 * Draws the same number of values for every request whatever the spec says, so the fault sequence depends
 * only on the seed and the order of requests (and not on, say, which faults happened to be enabled earlier).
 */
export function drawFaultPlan(random: Random, spec: FaultSpec): FaultPlan {
  const jitterRoll = random.next();
  const dropRoll = random.next();
  const errorRoll = random.next();
  const statusRoll = random.next();
  const editRoll = random.next();
  const campaignRoll = random.next();
  const fieldRoll = random.next();
  const valueRoll = random.next();
  const lostRoll = random.next();

  const plan: FaultPlan = {
    latencyMs: (spec.latencyMs ?? 0) + Math.floor(jitterRoll * ((spec.latencyJitterMs ?? 0) + 1)),
    drop: dropRoll < (spec.dropRate ?? 0),
    loseResponse: lostRoll < (spec.lostResponseRate ?? 0),
  };
  if (errorRoll < (spec.serverErrorRate ?? 0)) {
    plan.serverErrorStatus =
      spec.serverErrorStatus ??
      DEFAULT_SERVER_ERROR_STATUSES[Math.floor(statusRoll * DEFAULT_SERVER_ERROR_STATUSES.length)];
  }
  if (editRoll < (spec.concurrentEditRate ?? 0)) plan.edit = { campaignRoll, fieldRoll, valueRoll };
  return plan;
}
