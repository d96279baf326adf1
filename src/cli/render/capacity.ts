import type { CapacityEstimate, CapacityInputs } from "../../domain/capacity.js";

export const percent = (f: number) => `${+(f * 100).toFixed(2)}%`;

const perAgent = (total: number, agents: number) => +(total / agents).toFixed(1);

/**
 * One line per campaign, the same in `validate` and `plan`; the formula is in docs/capacity.md. It shows
 * the campaign's own figures (its pacing, dials and connects per agent, its abandonment risk): the agents,
 * handle time and connect rate are the whole file's, said once by `renderCapacityInputs`.
 */
export function renderCapacity(c: CapacityEstimate): string {
  const agents = c.inputs.agents;
  return (
    `capacity: ${c.method} ×${c.pacingRatio} lines/agent · per agent ${perAgent(c.dialsPerHour, agents)} dials/h, ` +
    `${perAgent(c.connectsPerHour, agents)} connects/h · worst-case abandon ` +
    `${percent(c.worstCaseAbandonRate)} (threshold ${percent(c.abandonLimit)})` +
    `${c.canExceedAbandonmentLimit ? " — pacing CAN exceed the abandonment limit" : ""}`
  );
}

/** The capacity inputs, once: they belong to the whole file (flags or `capacity:`), not to one campaign. */
export function renderCapacityInputs(i: CapacityInputs): string {
  return (
    `capacity inputs (whole file): ${i.agents} agents · handle time ${i.avgHandleTimeSec} s · ` +
    `connect rate ${i.connectRate}; each campaign's line is per agent`
  );
}
