import { VaultletError } from "./errors.ts";

/** What a listen setting is called and an example of it, for the error a bad value gets. */
export interface ListenSetting {
  readonly name: string;
  readonly code: string;
  readonly example: string;
}

/**
 * Go-style listen addresses, as both programs take them: ":8080" (every
 * interface: host ""), "127.0.0.1:8443", "[::1]:8443". Callers pass
 * `host || undefined` to listen(), so "" means every interface, IPv4 and IPv6.
 */
export function parseListen(value: string, setting: ListenSetting): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new VaultletError(
      setting.code,
      `${setting.name} "${value}" is not HOST:PORT; use e.g. ${setting.example}`,
    );
  }
  return { host: m[1] ?? m[2] ?? "", port };
}
