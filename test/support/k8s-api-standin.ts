/**
 * STAND-IN for the Kubernetes API server. Not a Kubernetes implementation:
 * it answers only the calls vaultlet's automatic TLS makes
 *   - GET / PATCH (JSON patch) admissionregistration.k8s.io/v1 MutatingWebhookConfiguration
 *   - GET / POST / PUT coordination.k8s.io/v1 Lease
 *   - GET / POST / PUT v1 Secret
 * with the API server's response shapes: objects carrying metadata.uid,
 * resourceVersion and creationTimestamp; `Status` objects for 401, 404
 * (NotFound), 409 (AlreadyExists on create, Conflict on a stale
 * resourceVersion), 422 (a failed JSON patch `test`) and 400 (a Lease time
 * that is not RFC 3339 with microseconds, as the real decoder refuses).
 * It speaks HTTPS on loopback with bearer-token auth, and `kubeConfig()`
 * points @kubernetes/client-node at it. Every request is recorded for tests.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fastJsonPatch from "fast-json-patch";
import { KubeConfig } from "@kubernetes/client-node";
import { generateCa, issueServingCert } from "../../webhook/tls/certs.ts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Resource {
  /** plural resource name, as in URLs and Status details */
  readonly plural: string;
  readonly group: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespaced: boolean;
}

const RESOURCES: Record<string, Resource> = {
  mutatingwebhookconfigurations: {
    plural: "mutatingwebhookconfigurations",
    group: "admissionregistration.k8s.io",
    kind: "MutatingWebhookConfiguration",
    apiVersion: "admissionregistration.k8s.io/v1",
    namespaced: false,
  },
  leases: {
    plural: "leases",
    group: "coordination.k8s.io",
    kind: "Lease",
    apiVersion: "coordination.k8s.io/v1",
    namespaced: true,
  },
  secrets: { plural: "secrets", group: "", kind: "Secret", apiVersion: "v1", namespaced: true },
};

const ROUTE =
  /^\/(?:api\/v1|apis\/(admissionregistration\.k8s\.io|coordination\.k8s\.io)\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/?]+))?(?:\?.*)?$/;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
}

export interface K8sApiStandin {
  readonly url: string;
  /** A KubeConfig with the stand-in's CA and bearer token. */
  kubeConfig(): KubeConfig;
  /** Stores an object as if created by kubectl (gets uid and resourceVersion). */
  seed(obj: Obj): Obj;
  /** The stored object, or undefined. */
  get(plural: string, name: string, namespace?: string): Obj | undefined;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startK8sApiStandin(): Promise<K8sApiStandin> {
  const ca = await generateCa();
  const serving = await issueServingCert(ca, ["127.0.0.1", "localhost"]);
  const token = randomBytes(16).toString("hex");
  const store = new Map<string, Obj>();
  const requests: RecordedRequest[] = [];
  let revision = 1000;

  const keyOf = (r: Resource, ns: string | undefined, name: string) =>
    `${r.plural}/${r.namespaced ? ns : ""}/${name}`;

  const stamp = (r: Resource, obj: Obj, ns: string | undefined, existing?: Obj): Obj => {
    const out = structuredClone(obj);
    out.apiVersion = r.apiVersion;
    out.kind = r.kind;
    out.metadata = {
      ...out.metadata,
      ...(r.namespaced ? { namespace: ns } : {}),
      uid: existing?.metadata?.uid ?? randomUUID(),
      creationTimestamp:
        existing?.metadata?.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      resourceVersion: String(++revision),
    };
    return out;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      contentType: req.headers["content-type"],
    });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, status(401, "Unauthorized", "Unauthorized"));
    }
    const m = ROUTE.exec(req.url ?? "");
    const resource = m ? RESOURCES[m[3]!] : undefined;
    if (
      !m ||
      !resource ||
      (m[1] ?? "") !== resource.group ||
      Boolean(m[2]) !== resource.namespaced
    ) {
      return send(
        res,
        404,
        status(404, "NotFound", "the server could not find the requested resource"),
      );
    }
    const ns = m[2];
    const name = m[4] ? decodeURIComponent(m[4]) : undefined;
    const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
    const details = (n: string) => ({
      name: n,
      ...(resource.group ? { group: resource.group } : {}),
      kind: resource.plural,
    });
    const notFound = (n: string) =>
      send(res, 404, status(404, "NotFound", `${qualified} "${n}" not found`, details(n)));

    let parsed: Obj | undefined;
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        return send(
          res,
          400,
          status(400, "BadRequest", "the body of the request was in an unknown format"),
        );
      }
    }

    if (req.method === "GET" && name) {
      const obj = store.get(keyOf(resource, ns, name));
      return obj ? send(res, 200, obj) : notFound(name);
    }
    if (req.method === "POST" && !name) {
      const objName = parsed?.metadata?.name;
      if (!objName)
        return send(
          res,
          422,
          status(422, "Invalid", `${resource.kind} "" is invalid: metadata.name: Required value`),
        );
      const invalid = validate(resource, parsed!);
      if (invalid) return send(res, 400, status(400, "BadRequest", invalid));
      const key = keyOf(resource, ns, objName);
      if (store.has(key)) {
        return send(
          res,
          409,
          status(
            409,
            "AlreadyExists",
            `${qualified} "${objName}" already exists`,
            details(objName),
          ),
        );
      }
      const created = stamp(resource, parsed!, ns);
      store.set(key, created);
      return send(res, 201, created);
    }
    if (req.method === "PUT" && name) {
      const key = keyOf(resource, ns, name);
      const existing = store.get(key);
      if (!existing) return notFound(name);
      if (parsed?.metadata?.name !== name) {
        return send(
          res,
          400,
          status(
            400,
            "BadRequest",
            `the name of the object (${parsed?.metadata?.name}) does not match the name on the URL (${name})`,
          ),
        );
      }
      const invalid = validate(resource, parsed!);
      if (invalid) return send(res, 400, status(400, "BadRequest", invalid));
      const rv = parsed.metadata.resourceVersion;
      if (rv !== undefined && rv !== existing.metadata.resourceVersion) {
        return send(res, 409, conflict(qualified, name, details(name)));
      }
      const updated = stamp(resource, parsed, ns, existing);
      store.set(key, updated);
      return send(res, 200, updated);
    }
    if (req.method === "PATCH" && name) {
      const key = keyOf(resource, ns, name);
      const existing = store.get(key);
      if (!existing) return notFound(name);
      if (req.headers["content-type"] !== "application/json-patch+json") {
        return send(
          res,
          415,
          status(
            415,
            "UnsupportedMediaType",
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json`,
          ),
        );
      }
      let patched: Obj;
      try {
        patched = fastJsonPatch.applyPatch(
          structuredClone(existing),
          parsed as never,
          true,
          false,
        ).newDocument;
      } catch (err) {
        return send(
          res,
          422,
          status(
            422,
            "Invalid",
            `the server rejected our request due to an error in our request: ${(err as Error).message}`,
          ),
        );
      }
      const updated = stamp(resource, patched, ns, existing);
      store.set(key, updated);
      return send(res, 200, updated);
    }
    return send(
      res,
      405,
      status(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
      ),
    );
  };

  const server: Server = createServer(
    { cert: serving.certPem, key: serving.keyPem },
    (req, res) => {
      handle(req, res).catch((err) => send(res, 500, status(500, "InternalError", String(err))));
    },
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: "standin",
            server: url,
            caData: Buffer.from(ca.certPem).toString("base64"),
            skipTLSVerify: false,
          },
        ],
        users: [{ name: "standin", token }],
        contexts: [{ name: "standin", cluster: "standin", user: "standin" }],
        currentContext: "standin",
      });
      return kc;
    },
    seed(obj) {
      const r = Object.values(RESOURCES).find((x) => x.kind === obj.kind);
      if (!r) throw new Error(`the stand-in does not store ${obj.kind}`);
      const stored = stamp(r, obj, obj.metadata?.namespace);
      store.set(keyOf(r, obj.metadata?.namespace, obj.metadata.name), stored);
      return stored;
    },
    get(plural, name, namespace) {
      const r = RESOURCES[plural];
      return r ? store.get(keyOf(r, namespace, name)) : undefined;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function validate(resource: Resource, obj: Obj): string | undefined {
  if (resource.kind !== "Lease") return undefined;
  for (const field of ["acquireTime", "renewTime"]) {
    const v = obj.spec?.[field];
    if (v !== undefined && v !== null && !(typeof v === "string" && MICRO_TIME.test(v))) {
      return `Lease in version "v1" cannot be handled as a Lease: parsing time "${String(v)}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse`;
    }
  }
  return undefined;
}

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

function conflict(qualified: string, name: string, details: Obj): Obj {
  return status(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details,
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, code: number, body: Obj): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
