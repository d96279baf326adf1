/** ISO or epoch-ms time as "2026-01-01 12:00:00 UTC": one zone for every reader of an audit trail. */
export function formatTime(time: string | number | null | undefined): string {
  if (time === null || time === undefined) return "—";
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export const percent = (fraction: number): string => `${Math.round(fraction * 10000) / 100} %`;

/** "pending_approval" → "pending approval". */
export const words = (code: string): string => code.replace(/_/g, " ");
