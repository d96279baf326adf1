/**
 * Percent ⇄ fraction without float noise. Both CXone and Genesys Cloud store an abandonment rate as a
 * percent (3 = 3 %); the rule model keeps a fraction (0.03).
 */

/** Percent (platform) → fraction (ours): 2.9 → 0.029, not 0.028999999999999998. */
export function percentToFraction(percent: number): number {
  return Math.round(percent * 10_000) / 1_000_000;
}

/** Fraction (ours) → percent (platform): 0.029 → 2.9, not 2.9000000000000004. */
export function fractionToPercent(fraction: number): number {
  return Math.round(fraction * 1_000_000) / 10_000;
}
