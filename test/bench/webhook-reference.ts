/**
 * The reference injector (hashicorp/vault-k8s v1.7.6, `vault-k8s
 * agent-inject`) as the webhook benchmark's peer: the same AdmissionReview,
 * TLS from the same files, on loopback beside vaultlet's webhook.
 *
 * It is not part of the project and nothing in the tests or CI needs it: the
 * benchmark looks for VAULT_K8S_BIN, else dist/reference/vault-k8s, and when
 * neither exists it prints how to build one and leaves that column out.
 *
 * The reference insists on an in-cluster Kubernetes client (its service
 * account token and CA at /var/run/secrets/kubernetes.io/serviceaccount,
 * KUBERNETES_SERVICE_HOST/PORT) and watches MutatingWebhookConfigurations
 * from start-up. It runs here in a private mount namespace (`unshare -m`)
 * whose /run holds those two files, so the host's own /run is untouched:
 * pointed at the test cluster's API server when one is up (VAULTLET_CLUSTER_DIR,
 * VAULTLET_CLUSTER_TOKEN: its informer lists and watches as in a real
 * deployment), else at a closed loopback port (its informer keeps retrying).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "../support/processes.ts";

export const REFERENCE_VERSION = "v1.7.6";
const DEFAULT_BIN = resolve(import.meta.dirname, "../../dist/reference/vault-k8s");

export const HOW_TO_BUILD_REFERENCE = [
  `reference injector (hashicorp/vault-k8s ${REFERENCE_VERSION}) not found at $VAULT_K8S_BIN or ${DEFAULT_BIN}: its column is left out.`,
  `To build it, with Go 1.26: bring the source of hashicorp/vault-k8s at tag ${REFERENCE_VERSION} to a directory (a clone or an archive of the tag),`,
  `then in that directory: go build -ldflags "-X 'github.com/hashicorp/vault-k8s/version.Version=${REFERENCE_VERSION}'" -o ${DEFAULT_BIN} .`,
  "(its dependencies come from the Go module proxy; the module itself is not served there)",
].join("\n");

/** The reference binary, or undefined (then the caller prints HOW_TO_BUILD_REFERENCE). */
export function referenceBinary(): string | undefined {
  const fromEnv = process.env["VAULT_K8S_BIN"];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`VAULT_K8S_BIN=${fromEnv}: no such file`);
    return resolve(fromEnv);
  }
  return existsSync(DEFAULT_BIN) ? DEFAULT_BIN : undefined;
}

interface ApiServer {
  host: string;
  port: string;
  token: string;
  ca: string;
  /** how the reference's Kubernetes client was served, for the report */
  note: string;
}

/** The test cluster's API server with the admin token, or a closed loopback port. */
async function apiServer(): Promise<ApiServer> {
  const dir = process.env["VAULTLET_CLUSTER_DIR"];
  const token = process.env["VAULTLET_CLUSTER_TOKEN"];
  const server = process.env["VAULTLET_CLUSTER_SERVER"];
  if (dir && token && server && existsSync(join(dir, "pki/ca.crt"))) {
    const url = new URL(server);
    return {
      host: url.hostname,
      port: url.port || "443",
      token,
      ca: readFileSync(join(dir, "pki/ca.crt"), "utf8"),
      note: `its Kubernetes client talks to the test cluster's API server (${url.host})`,
    };
  }
  return {
    host: "127.0.0.1",
    port: String(await freePort()),
    token: "none",
    ca: "",
    note: "no cluster was up: its Kubernetes client points at a closed loopback port and keeps retrying",
  };
}

const SCRIPT = [
  "set -e",
  "mount -t tmpfs -o mode=0755 bench-run /run",
  "d=/run/secrets/kubernetes.io/serviceaccount",
  'mkdir -p "$d"',
  'cp "$1" "$d/token"',
  'cp "$2" "$d/ca.crt"',
  "shift 2",
  'exec "$@"',
].join("\n");

export interface ReferenceServer {
  child: ChildProcess;
  note: string;
}

/** Starts `vault-k8s agent-inject` on 127.0.0.1:port; its pid is the injector's own (exec all the way). */
export async function spawnReference(opts: {
  bin: string;
  port: number;
  workDir: string;
  env: Record<string, string>;
  logFd: number;
}): Promise<ReferenceServer> {
  const api = await apiServer();
  const tokenFile = join(opts.workDir, "token");
  const caFile = join(opts.workDir, "ca.crt");
  writeFileSync(tokenFile, api.token, { mode: 0o600 });
  writeFileSync(caFile, api.ca);
  const args = ["-m", "--propagation", "private", "/bin/sh", "-c", SCRIPT, "sh", tokenFile, caFile];
  args.push(opts.bin, "agent-inject", `-listen=127.0.0.1:${opts.port}`);
  const child = spawn("unshare", args, {
    env: {
      ...opts.env,
      KUBERNETES_SERVICE_HOST: api.host,
      KUBERNETES_SERVICE_PORT: api.port,
    },
    stdio: ["ignore", opts.logFd, opts.logFd],
  });
  return { child, note: api.note };
}
