/** The demo's HTTPS calls to the webhook, trusting only the CA it published. */
import { request } from "node:https";
import type { K8sApiStandin } from "../support/k8s-api-standin.ts";
import { waitUntil, type TrackedProcess } from "../support/processes.ts";

/** The caBundle the webhook wrote into its MutatingWebhookConfiguration, PEM. */
export async function waitForCaBundle(
  k8s: K8sApiStandin,
  name: string,
  webhook: TrackedProcess,
  timeoutMs: number,
): Promise<string> {
  return waitUntil(
    "the webhook to publish its CA bundle",
    async () => {
      if (webhook.hasExited)
        throw new Error(`the webhook exited:\n${webhook.output().slice(-2000)}`);
      const bundle = k8s.get("mutatingwebhookconfigurations", name)?.webhooks?.[0]?.clientConfig
        ?.caBundle as string | undefined;
      return bundle ? Buffer.from(bundle, "base64").toString("utf8") : undefined;
    },
    timeoutMs,
  );
}

export interface JsonResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** GET (no body) or POST JSON over HTTPS, verifying the server against `ca`. */
export function postJson(url: string, ca: string, body: unknown): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        ca,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // health endpoints may answer plain text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
