import type { CapacityEstimate } from "../../domain/capacity.js";

export const percent = (f: number) => `${+(f * 100).toFixed(2)}%`;

/** One line, the same in `validate` and `plan`; the formula is in docs/capacity.md. */
export function renderCapacity(c: CapacityEstimate): string {
  return (
    `capacity: ${c.method} ×${c.pacingRatio} lines/agent · ${c.linesInUse} lines in use · ` +
    `${c.dialsPerHour} dials/h · ${c.connectsPerHour} connects/h · worst-case abandon ` +
    `${percent(c.worstCaseAbandonRate)} (threshold ${percent(c.abandonLimit)})` +
    `${c.canExceedAbandonmentLimit ? " — pacing CAN exceed the abandonment limit" : ""}`
  );
}
