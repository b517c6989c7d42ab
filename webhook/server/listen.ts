import { VaultletError } from "../../shared/errors.ts";

/**
 * Go-style listen addresses as AGENT_INJECT_LISTEN takes them: ":8080"
 * (every interface), "127.0.0.1:8443", "[::1]:8443". An empty host means
 * every interface.
 */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new VaultletError(
      "INVALID_SETTING",
      `listen address "${value}" is not HOST:PORT; use e.g. ":8080" or "127.0.0.1:8443"`,
    );
  }
  return { host: m[1] ?? m[2] ?? "", port };
}
