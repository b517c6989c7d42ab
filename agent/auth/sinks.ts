import path from "node:path";
import { VaultletError } from "../../shared/errors.ts";
import type { Sink } from "../../shared/agent-config/types.ts";
import { writeFileAtomic } from "../output/index.ts";
import { AUTH_CONFIG_INVALID } from "./methods.ts";

/** Vault Agent's default mode for a file sink */
export const DEFAULT_SINK_MODE = 0o640;

export interface TokenSink {
  readonly path: string;
  write(token: string): Promise<void>;
}

/** file sinks only; response wrapping and encryption of sinks are not supported yet */
export function createSinks(sinks: Sink[]): TokenSink[] {
  return sinks.map((sink, i) => {
    const where = `auto_auth.sink[${i}]`;
    if (sink.type !== "file") {
      throw new VaultletError(
        AUTH_CONFIG_INVALID,
        `${where}: sink type "${sink.type}" is not supported; use "file"`,
      );
    }
    if (sink.wrap_ttl || sink.dh_type || sink.dh_path) {
      throw new VaultletError(
        AUTH_CONFIG_INVALID,
        `${where}: wrap_ttl and dh_* (wrapped or encrypted sinks) are not supported; remove them`,
      );
    }
    const file = sink.config?.path;
    if (typeof file !== "string" || !file) {
      throw new VaultletError(AUTH_CONFIG_INVALID, `${where}: config.path is required`);
    }
    const abs = path.resolve(file);
    const perms = sink.config.mode ?? DEFAULT_SINK_MODE;
    return {
      path: abs,
      async write(token: string) {
        await writeFileAtomic(path.dirname(abs), path.basename(abs), token, { perms });
      },
    };
  });
}
