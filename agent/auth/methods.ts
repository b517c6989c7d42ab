import { readFile, unlink } from "node:fs/promises";
import { VaultletError } from "../../shared/errors.ts";
import type { AuthMethod } from "../../shared/agent-config/types.ts";

/**
 * Auto-auth methods: each turns its config into what a login needs. Files are
 * read fresh at every login, because kubelet rotates projected tokens and CI
 * systems replace id tokens; nothing is cached except an AppRole secret_id
 * that was removed after reading (it cannot be read twice).
 */
export const DEFAULT_KUBERNETES_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export type Credentials =
  { kind: "login"; body: Record<string, unknown> } | { kind: "token"; token: string };

export interface LoginMethod {
  readonly type: string;
  readonly mountPath: string;
  /** auto_auth.method.namespace: the login goes to this namespace */
  readonly namespace?: string;
  /** files whose replacement should be noticed at once */
  readonly watchPaths: string[];
  credentials(): Promise<Credentials>;
}

export const AUTH_CONFIG_INVALID = "AUTH_CONFIG_INVALID";
export const AUTH_FILE_UNREADABLE = "AUTH_FILE_UNREADABLE";

export function createLoginMethod(method: AuthMethod): LoginMethod {
  const impl = loginMethod(method);
  return method.namespace ? { ...impl, namespace: method.namespace } : impl;
}

function loginMethod(method: AuthMethod): LoginMethod {
  const where = `auto_auth.method "${method.type}"`;
  const mountPath = (method.mount_path || `auth/${method.type}`).replace(/^\/+|\/+$/g, "");
  const cfg = method.config ?? {};
  switch (method.type) {
    case "kubernetes": {
      const role = requiredString(cfg, "role", where);
      const tokenPath = optionalString(cfg, "token_path", where) ?? DEFAULT_KUBERNETES_TOKEN_PATH;
      return {
        type: method.type,
        mountPath,
        watchPaths: [tokenPath],
        async credentials() {
          return { kind: "login", body: { role, jwt: await readSecretFile(tokenPath, where) } };
        },
      };
    }
    case "jwt": {
      const role = requiredString(cfg, "role", where);
      const path = requiredString(cfg, "path", where);
      const remove = optionalBool(cfg, "remove_jwt_after_reading", where) ?? false;
      return {
        type: method.type,
        mountPath,
        watchPaths: [path],
        async credentials() {
          const jwt = await readSecretFile(path, where);
          if (remove) await removeQuietly(path);
          return { kind: "login", body: { role, jwt } };
        },
      };
    }
    case "approle":
      return approle(method.type, mountPath, cfg, where);
    case "token_file": {
      const path = requiredString(cfg, "token_file_path", where);
      return {
        type: method.type,
        mountPath,
        watchPaths: [path],
        async credentials() {
          return { kind: "token", token: await readSecretFile(path, where) };
        },
      };
    }
    default:
      throw new VaultletError(
        AUTH_CONFIG_INVALID,
        `${where}: method type "${method.type}" is not supported; use kubernetes, jwt, approle or token_file`,
      );
  }
}

function approle(
  type: string,
  mountPath: string,
  cfg: Record<string, unknown>,
  where: string,
): LoginMethod {
  const roleIdPath = requiredString(cfg, "role_id_file_path", where);
  const secretIdPath = optionalString(cfg, "secret_id_file_path", where);
  // Vault Agent's default: the secret_id file is removed once read
  const remove = optionalBool(cfg, "remove_secret_id_file_after_reading", where) ?? true;
  let cachedSecretId: string | undefined;
  return {
    type,
    mountPath,
    watchPaths: secretIdPath ? [roleIdPath, secretIdPath] : [roleIdPath],
    async credentials() {
      const body: Record<string, unknown> = { role_id: await readSecretFile(roleIdPath, where) };
      if (secretIdPath) {
        const fresh = await readOptional(secretIdPath, where);
        if (fresh !== undefined) {
          cachedSecretId = fresh;
          if (remove) await removeQuietly(secretIdPath);
        }
        if (cachedSecretId === undefined) {
          throw new VaultletError(
            AUTH_FILE_UNREADABLE,
            `${where}: secret_id file ${secretIdPath} does not exist and no secret_id was read before`,
          );
        }
        body["secret_id"] = cachedSecretId;
      }
      return { kind: "login", body };
    },
  };
}

async function readSecretFile(path: string, where: string): Promise<string> {
  const value = await readOptional(path, where);
  if (value === undefined) {
    throw new VaultletError(AUTH_FILE_UNREADABLE, `${where}: file ${path} does not exist`);
  }
  return value;
}

async function readOptional(path: string, where: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, "utf8")).trim();
    if (!text) throw new VaultletError(AUTH_FILE_UNREADABLE, `${where}: file ${path} is empty`);
    return text;
  } catch (err) {
    if (err instanceof VaultletError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new VaultletError(
      AUTH_FILE_UNREADABLE,
      `${where}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
      { cause: err },
    );
  }
}

/** a read-only projected volume cannot be cleaned; that is not worth a log line per login */
async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

function requiredString(cfg: Record<string, unknown>, key: string, where: string): string {
  const v = optionalString(cfg, key, where);
  if (v === undefined) {
    throw new VaultletError(AUTH_CONFIG_INVALID, `${where}: config.${key} is required`);
  }
  return v;
}

function optionalString(
  cfg: Record<string, unknown>,
  key: string,
  where: string,
): string | undefined {
  const v = cfg[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") {
    throw new VaultletError(AUTH_CONFIG_INVALID, `${where}: config.${key} must be a string`);
  }
  return v;
}

function optionalBool(
  cfg: Record<string, unknown>,
  key: string,
  where: string,
): boolean | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw new VaultletError(AUTH_CONFIG_INVALID, `${where}: config.${key} must be true or false`);
}
