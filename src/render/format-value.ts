/**
 * Compact, stable rendering of rule values for people: `{maxAttempts: 3, intervalMinutes: [15, 60]}`.
 * src/render is presentation shared by both adapters that show rules to people (the CLI's text output and
 * the server's dashboard), so a diff reads the same everywhere; the domain does not own how values look.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  if (isMethodSet(value)) return `one of ${value.oneOf.join(", ")}`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${formatValue(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

function isMethodSet(value: unknown): value is { oneOf: readonly string[] } {
  return (
    value !== null &&
    typeof value === "object" &&
    Object.keys(value).length === 1 &&
    Array.isArray((value as { oneOf?: unknown }).oneOf)
  );
}
