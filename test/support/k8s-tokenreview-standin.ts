/**
 * STAND-IN for the Kubernetes API server's TokenReview endpoint. Test-only.
 *
 * There is no Kubernetes API server on the test machines, and OpenBao's
 * kubernetes auth makes exactly one call to it: POST
 * /apis/authentication.k8s.io/v1/tokenreviews. This small HTTPS server answers
 * that one call with the API server's response shape, deciding by verifying
 * the presented service-account JWT against a test signer's public key (the
 * job the API server does with its own signing keys). It is not a Kubernetes
 * implementation and answers nothing else (404).
 *
 * Usage:
 *   const signer = await createJwtSigner();
 *   const standin = await startTokenReviewStandin({ signer });
 *   await configureKubernetesAuth(bao, standin, { mount: "kubernetes" });
 *   await kubernetesRole(bao, "kubernetes", "web", {
 *     serviceAccountNames: ["web"], namespaces: ["shop"], audience: "vault", policies: ["p"] });
 *   const jwt = await signer.kubernetesToken({ namespace: "shop", serviceAccount: "web" });
 *   await bao.login("kubernetes", { role: "web", jwt });
 *   standin.reviews   // every TokenReview answered, for assertions
 */
import { registerTeardown } from "./processes.ts";
import { createServer } from "node:https";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import forge from "node-forge";
import type { JwtSigner } from "./jwt-signer.ts";
import type { BaoAdmin } from "./openbao-admin.ts";
import type { TeardownContext } from "./openbao.ts";

export const TOKENREVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

export interface TokenReviewRecord {
  authenticated: boolean;
  username?: string;
  audiences: string[];
  error?: string;
}

export interface TokenReviewStandin {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** PEM of the self-signed certificate (give it to OpenBao as kubernetes_ca_cert) */
  readonly caPem: string;
  /** bearer token OpenBao should present (token_reviewer_jwt) */
  readonly reviewerJwt: string;
  readonly reviews: TokenReviewRecord[];
  stop(): Promise<void>;
}

export interface StandinOptions {
  signer: JwtSigner;
  t?: TeardownContext;
  autoTeardown?: boolean;
}

function selfSignedCert(): { certPem: string; keyPem: string } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01" + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attrs = [{ name: "commonName", value: "kubernetes-tokenreview-standin" }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true },
    { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: "127.0.0.1" },
        { type: 2, value: "localhost" },
      ],
    },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function statusObject(code: number, reason: string, message: string) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
}

export async function startTokenReviewStandin(
  options: StandinOptions,
): Promise<TokenReviewStandin> {
  const { signer } = options;
  const { certPem, keyPem } = selfSignedCert();
  const reviewerJwt = await signer.kubernetesToken({
    namespace: "kube-system",
    serviceAccount: "openbao-token-reviewer",
    audience: signer.issuer,
    ttlSeconds: 3600,
  });
  const reviews: TokenReviewRecord[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || req.url?.split("?")[0] !== TOKENREVIEW_PATH) {
      send(
        res,
        404,
        statusObject(404, "NotFound", "the server could not find the requested resource"),
      );
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (
      !bearer ||
      !(await signer.verify(bearer).then(
        () => true,
        () => false,
      ))
    ) {
      send(res, 401, statusObject(401, "Unauthorized", "Unauthorized"));
      return;
    }
    const review = JSON.parse(await readBody(req)) as {
      spec?: { token?: string; audiences?: string[] };
    };
    const token = review.spec?.token ?? "";
    const wanted = review.spec?.audiences ?? [];
    const answer = (status: Record<string, unknown>) =>
      send(res, 201, {
        kind: "TokenReview",
        apiVersion: "authentication.k8s.io/v1",
        metadata: { creationTimestamp: null },
        spec: review.spec ?? {},
        status,
      });
    try {
      // The API server's default audience is its issuer when the review names none.
      const payload = await signer.verify(token, wanted.length ? wanted : undefined);
      const tokenAud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
      const audiences = wanted.length ? tokenAud.filter((a) => wanted.includes(a)) : tokenAud;
      const k8s = (payload["kubernetes.io"] ?? {}) as {
        namespace?: string;
        serviceaccount?: { name?: string; uid?: string };
        pod?: { name?: string; uid?: string };
      };
      const ns = k8s.namespace ?? "";
      const username = `system:serviceaccount:${ns}:${k8s.serviceaccount?.name ?? ""}`;
      if (payload.sub !== username)
        throw new Error("token subject does not match its service account");
      reviews.push({ authenticated: true, username, audiences });
      answer({
        authenticated: true,
        user: {
          username,
          uid: k8s.serviceaccount?.uid ?? "",
          groups: [
            "system:serviceaccounts",
            `system:serviceaccounts:${ns}`,
            "system:authenticated",
          ],
          extra: {
            "authentication.kubernetes.io/pod-name": [k8s.pod?.name ?? ""],
            "authentication.kubernetes.io/pod-uid": [k8s.pod?.uid ?? ""],
          },
        },
        audiences,
      });
    } catch (err) {
      // The API server hides the reason behind a generic message, as here.
      reviews.push({ authenticated: false, audiences: [], error: (err as Error).message });
      answer({ user: {}, error: "[invalid bearer token, service account token is not valid]" });
    }
  }

  const server: Server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) =>
      send(res, 500, statusObject(500, "InternalError", String(err))),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.unref();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let stopped = false;
  const standin: TokenReviewStandin = {
    url: `https://127.0.0.1:${port}`,
    caPem: certPem,
    reviewerJwt,
    reviews,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  registerTeardown(() => standin.stop(), options);
  return standin;
}

/** Enable kubernetes auth at `mount`, pointing at the stand-in. */
export async function configureKubernetesAuth(
  bao: BaoAdmin,
  standin: TokenReviewStandin,
  opts: { mount?: string } = {},
): Promise<void> {
  const mount = opts.mount ?? "kubernetes";
  await bao.enableAuth(mount, "kubernetes");
  await bao.api("POST", `auth/${mount}/config`, {
    kubernetes_host: standin.url,
    kubernetes_ca_cert: standin.caPem,
    token_reviewer_jwt: standin.reviewerJwt,
    disable_local_ca_jwt: true,
  });
}

export interface KubernetesRoleOptions {
  serviceAccountNames: string[];
  namespaces: string[];
  audience?: string;
  policies?: string[];
  tokenTtl?: string;
  tokenMaxTtl?: string;
  tokenPeriod?: string;
}

export async function kubernetesRole(
  bao: BaoAdmin,
  mount: string,
  name: string,
  opts: KubernetesRoleOptions,
): Promise<void> {
  await bao.api("POST", `auth/${mount}/role/${name}`, {
    bound_service_account_names: opts.serviceAccountNames,
    bound_service_account_namespaces: opts.namespaces,
    ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
    ...(opts.policies ? { token_policies: opts.policies } : {}),
    ...(opts.tokenTtl ? { token_ttl: opts.tokenTtl } : {}),
    ...(opts.tokenMaxTtl ? { token_max_ttl: opts.tokenMaxTtl } : {}),
    ...(opts.tokenPeriod ? { token_period: opts.tokenPeriod } : {}),
  });
}
