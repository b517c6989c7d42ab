import { request, type Agent } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";

export interface HttpsReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly peerCertificate: PeerCertificate | undefined;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface HttpsCall {
  readonly url: string;
  readonly method?: string;
  readonly path: string;
  /** PEM the server's certificate must chain to. */
  readonly ca?: string;
  /** Skip verification, as the kubelet does for HTTPS probes. */
  readonly insecure?: boolean;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly agent?: Agent;
  readonly servername?: string;
}

/** One HTTPS request that verifies the server against `ca`. */
export function httpsRequest(call: HttpsCall): Promise<HttpsReply> {
  const target = new URL(call.path, call.url);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: call.method ?? "GET",
        ...(call.ca ? { ca: call.ca } : {}),
        ...(call.insecure ? { rejectUnauthorized: false } : {}),
        headers: call.headers,
        ...(call.agent ? { agent: call.agent } : { agent: false }),
        ...(call.servername ? { servername: call.servername } : {}),
      },
      (res) => {
        const peer =
          "getPeerCertificate" in res.socket
            ? (res.socket as TLSSocket).getPeerCertificate()
            : undefined;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            peerCertificate: peer,
            json: () => JSON.parse(body.toString("utf8")),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(call.body);
  });
}

/** POSTs JSON to /mutate. */
export function postReview(
  url: string,
  ca: string,
  review: unknown,
  agent?: Agent,
): Promise<HttpsReply> {
  return httpsRequest({
    url,
    ca,
    method: "POST",
    path: "/mutate",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(review),
    ...(agent ? { agent } : {}),
  });
}
