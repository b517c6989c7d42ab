/**
 * Randomness for schedules. Every wait in the agent goes through these helpers
 * so that pods started together (a rollout, a Vault outage) spread their
 * requests instead of hitting Vault in lock-step. `Random` is injectable so
 * tests choose the draw.
 */
export type Random = () => number;

export const defaultRandom: Random = Math.random;

/** A value drawn uniformly from [base*lo, base*hi]. */
export function spread(base: number, lo: number, hi: number, random: Random): number {
  const r = clamp01(random());
  return base * (lo + (hi - lo) * r);
}

/** A time between `from + span*lo` and `from + span*hi`. */
export function pointIn(
  from: number,
  span: number,
  lo: number,
  hi: number,
  random: Random,
): number {
  return from + spread(Math.max(0, span), lo, hi, random);
}

function clamp01(r: number): number {
  if (!Number.isFinite(r) || r < 0) return 0;
  return r >= 1 ? 1 - Number.EPSILON : r;
}
