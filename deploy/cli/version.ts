import { readFile } from "node:fs/promises";

/** The package version: set at bundle time, read from package.json when run from the sources. */
export async function version(): Promise<string> {
  if (typeof VAULTLET_VERSION === "string") return VAULTLET_VERSION;
  const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}
declare const VAULTLET_VERSION: string | undefined;
