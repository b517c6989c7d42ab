/** Replaced at bundle time by the package version; "dev" when run from the sources. */
export function bundleVersion(): string {
  return typeof VAULTLET_VERSION === "string" ? VAULTLET_VERSION : "dev";
}
declare const VAULTLET_VERSION: string | undefined;
