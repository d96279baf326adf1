/**
 * Run counts of property tests. Full under `npm test`; under mutation testing (vitest.mutation.config.ts sets
 * DIALRULES_MUTATION=1) a tenth, at least 10: every mutant that survives re-runs every property test covering
 * it, and the mutation run must fit on a 2-core machine. A property that finds a bug finds it in the first
 * few runs almost always; the full counts still run in `npm test`.
 */
export const UNDER_MUTATION = process.env.DIALRULES_MUTATION === "1";

export function propertyRuns(n: number): number {
  return UNDER_MUTATION ? Math.max(10, Math.round(n / 10)) : n;
}
