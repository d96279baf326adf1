/** One measured number in the `npm run bench` table. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "< 50 ms". */
  target?: string;
  /** Whether the target was met; absent when there is no target. */
  ok?: boolean;
}

/** `x` rounded to `digits` decimal places (for a table cell). */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const fmt = (n: number): string =>
  Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 2 });

/** Renders rows as an aligned text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ["benchmark", "value", "unit", "target", "ok"];
  const body = rows.map((r) => [
    r.name,
    fmt(r.value),
    r.unit,
    r.target ?? "",
    r.ok === undefined ? "" : r.ok ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function printTable(rows: readonly BenchRow[]): void {
  process.stdout.write(`${formatTable(rows)}\n`);
}
