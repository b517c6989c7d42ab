/**
 * Vault grants exactly the increment unless a max TTL caps it; a hair of
 * slack for long TTLs, none that would hide a cap on a TTL of seconds
 */
export function extendTolerance(incrementMs: number): number {
  return Math.min(1000, incrementMs * 0.01);
}
