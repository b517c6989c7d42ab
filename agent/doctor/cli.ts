import { parseArgs } from "node:util";
import { loadAgentConfig, type VaultStanza } from "../../shared/agent-config/index.ts";
import type { TlsOptions } from "../../shared/vault/transport.ts";
import { VaultletError } from "../../shared/errors.ts";
import { formatReport } from "./report.ts";
import { runDoctor, type DoctorInput } from "./run.ts";

/** Where the kubelet mounts a pod's service-account token (Vault Agent's default token_path). */
export const DEFAULT_K8S_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";
const METHODS = new Set(["jwt", "kubernetes", "approle", "token_file"]);
/** Methods that log in with a JWT and a role; approle and token_file carry their own credential. */
const JWT_METHODS = new Set(["jwt", "kubernetes"]);

const USAGE = `usage: vaultlet doctor -config=FILE [-check-path=PATH ...]
       vaultlet doctor -token-file=F -role=R [-mount=auth/kubernetes] [-method=jwt|kubernetes]
       vaultlet doctor -method=approle -token-file=ROLE_ID_FILE [-secret-id-file=F] [-mount=auth/approle]
       vaultlet doctor -method=token_file -token-file=VAULT_TOKEN_FILE
                       [-vault-addr=URL] [-namespace=NS] [-ca-cert=PEM] [-tls-skip-verify]
                       [-check-path=PATH ...]

Decodes the login token (no verification), tries the login the agent would
make, and explains a refusal in plain words. -check-path reads a path with
the new token and explains a denial (policies, KV v2 data/ paths). With
VAULT_TOKEN set to a token that may read the role, a refused login also
compares the role's bindings with the token's claims.
Flags override the config. Exit 0 when the login works and every checked
path is readable, 1 otherwise. Never prints a token.
`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", multiple: true },
      "token-file": { type: "string" },
      "secret-id-file": { type: "string" },
      role: { type: "string" },
      mount: { type: "string" },
      method: { type: "string" },
      "vault-addr": { type: "string" },
      namespace: { type: "string" },
      "ca-cert": { type: "string" },
      "tls-skip-verify": { type: "boolean" },
      "check-path": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const input = await resolveInput(values);
  const report = await runDoctor(input);
  process.stdout.write(formatReport(report));
  return report.ok ? 0 : 1;
}

interface Flags {
  config?: string[];
  "token-file"?: string;
  "secret-id-file"?: string;
  role?: string;
  mount?: string;
  method?: string;
  "vault-addr"?: string;
  namespace?: string;
  "ca-cert"?: string;
  "tls-skip-verify"?: boolean;
  "check-path"?: string[];
}

/** Flags first, then the agent config's auto_auth and vault stanzas, then VAULT_ADDR. */
export async function resolveInput(
  flags: Flags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DoctorInput> {
  const fromConfig = flags.config?.length ? await configDefaults(flags.config) : {};
  const method = flags.method ?? fromConfig.method ?? methodFromMount(flags.mount) ?? "jwt";
  if (!METHODS.has(method)) {
    throw usage(
      `-method must be jwt, kubernetes, approle or token_file (got "${method}"); the doctor explains those`,
    );
  }
  const mount = normaliseMount(
    flags.mount ?? fromConfig.mount ?? `auth/${method === "token_file" ? "token" : method}`,
  );
  const role = flags.role ?? fromConfig.role ?? "";
  if (!role && JWT_METHODS.has(method))
    throw usage("give the role: -role=NAME, or -config=FILE with auto_auth.method.config.role");
  const tokenFile =
    flags["token-file"] ??
    fromConfig.tokenFile ??
    (method === "kubernetes" ? DEFAULT_K8S_TOKEN_PATH : undefined);
  if (!tokenFile)
    throw usage(
      "give the token file: -token-file=PATH (jwt: the config's path; approle: role_id_file_path; token_file: token_file_path)",
    );
  const secretIdFile = flags["secret-id-file"] ?? fromConfig.secretIdFile;
  const address = flags["vault-addr"] ?? fromConfig.address ?? env.VAULT_ADDR ?? env.BAO_ADDR;
  if (!address)
    throw usage(
      "give Vault's address: -vault-addr=URL, vault.address in the config, or VAULT_ADDR",
    );
  const namespace = flags.namespace ?? fromConfig.namespace ?? env.VAULT_NAMESPACE;
  const tls: TlsOptions = { ...fromConfig.tls };
  const caCert = flags["ca-cert"] ?? env.VAULT_CACERT;
  if (caCert) tls.caCert = caCert;
  if (flags["tls-skip-verify"]) tls.tlsSkipVerify = true;
  return {
    address,
    tls,
    ...(namespace ? { namespace } : {}),
    method,
    mount,
    role,
    tokenFile,
    ...(secretIdFile ? { secretIdFile } : {}),
    checkPaths: flags["check-path"] ?? [],
    ...(env.VAULT_TOKEN ? { operatorToken: env.VAULT_TOKEN } : {}),
  };
}

interface ConfigDefaults {
  method?: string;
  mount?: string;
  role?: string;
  tokenFile?: string;
  secretIdFile?: string;
  address?: string;
  namespace?: string;
  tls?: TlsOptions;
}

async function configDefaults(paths: string[]): Promise<ConfigDefaults> {
  const { config } = await loadAgentConfig(paths);
  const m = config.auto_auth?.method;
  if (!m) {
    throw usage(
      `the config (${paths.join(", ")}) has no auto_auth method; the doctor checks that login`,
    );
  }
  const cfg = m.config;
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const tokenFile =
    m.type === "kubernetes"
      ? (str(cfg.token_path) ?? DEFAULT_K8S_TOKEN_PATH)
      : m.type === "approle"
        ? str(cfg.role_id_file_path)
        : m.type === "token_file"
          ? str(cfg.token_file_path)
          : str(cfg.path);
  return {
    method: m.type,
    mount: m.mount_path,
    role: str(cfg.role),
    tokenFile,
    ...(str(cfg.secret_id_file_path) ? { secretIdFile: str(cfg.secret_id_file_path) } : {}),
    address: config.vault?.address,
    namespace: m.namespace ?? config.vault?.namespace,
    tls: tlsFromConfig(config.vault),
  };
}

function tlsFromConfig(v: VaultStanza | undefined): TlsOptions {
  if (!v) return {};
  return {
    ...(v.ca_cert ? { caCert: v.ca_cert } : {}),
    ...(v.ca_path ? { caPath: v.ca_path } : {}),
    ...(v.client_cert ? { clientCert: v.client_cert } : {}),
    ...(v.client_key ? { clientKey: v.client_key } : {}),
    ...(v.tls_server_name ? { tlsServerName: v.tls_server_name } : {}),
    ...(v.tls_skip_verify ? { tlsSkipVerify: true } : {}),
  };
}

function methodFromMount(mount?: string): string | undefined {
  if (!mount) return undefined;
  const last = normaliseMount(mount).split("/").pop();
  return last && METHODS.has(last) ? last : undefined;
}

/** "kubernetes", "auth/kubernetes" and "/auth/kubernetes/" all mean auth/kubernetes. */
export function normaliseMount(mount: string): string {
  const bare = mount.replace(/^\/+|\/+$/g, "");
  return bare.startsWith("auth/") ? bare : `auth/${bare}`;
}

function usage(message: string): VaultletError {
  return new VaultletError("USAGE", `${message}\n\n${USAGE}`);
}
