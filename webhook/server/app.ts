import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../shared/log.ts";
import type { InjectorSettings } from "../settings.ts";
import {
  badRequest,
  parseReviewBody,
  reviewAdmission,
  type InjectFn,
  type ReviewOutcome,
} from "./admission.ts";
import { UNKNOWN_INJECTION_TYPE, type WebhookMetrics } from "./metrics.ts";
import { readBody } from "./body.ts";
import { reviewTimeoutMs } from "./review-timeout.ts";
import { createTurnQueue, type TurnQueue } from "./turn-queue.ts";

export const MUTATE_PATH = "/mutate";
export const READY_PATH = "/health/ready";
export const LIVE_PATH = "/healthz";
export const DEFAULT_METRICS_PATH = "/metrics";
/** The API server caps admission bodies near 3 MiB; pods are far smaller, so 1 MiB is generous. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface AdmissionAppOptions {
  readonly settings: InjectorSettings;
  readonly inject: InjectFn;
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  /** Readiness: true once TLS material is loaded and until shutdown starts. */
  readonly isReady: () => boolean;
  /** True once real TLS material is loaded; requests in flight at shutdown are still answered. */
  readonly isTlsReady: () => boolean;
  readonly maxBodyBytes?: number;
  readonly metricsPath?: string;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The webhook's HTTP routes: admission, health and metrics. Transport (TLS)
 * is the server's job. Four routes need no web framework: node's own HTTP
 * server answers them, and a framework's modules (with its body parsers'
 * character-set tables) would be most of the webhook's idle memory.
 */
export function createAdmissionApp(opts: AdmissionAppOptions): RequestHandler {
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metricsPath = routeKey(opts.metricsPath ?? DEFAULT_METRICS_PATH);
  // reviews wait their turn, earliest deadline first; health probes and
  // handshakes are answered between them
  const reviews = createTurnQueue((err) =>
    opts.logger.error({ err: String(err) }, "admission request failed"),
  );
  const getRoutes = new Map<string, (res: ServerResponse) => void>([
    [LIVE_PATH, (res) => sendJson(res, 200, { status: "ok" })],
    [
      READY_PATH,
      (res) => {
        const ready = opts.isReady();
        sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "not ready" });
      },
    ],
    [metricsPath, (res) => void sendMetrics(res, opts)],
  ]);
  return (req, res) => {
    const path = routeKey(req.url ?? "/");
    if (req.method === "POST" && path === MUTATE_PATH) {
      mutate(req, res, opts, limit, reviews);
      return;
    }
    const get = req.method === "GET" || req.method === "HEAD" ? getRoutes.get(path) : undefined;
    if (get) get(res);
    else sendJson(res, 404, { error: "not found" });
  };
}

/** The path without its query string, lower case and without a trailing slash. */
function routeKey(url: string): string {
  const q = url.indexOf("?");
  const path = (q === -1 ? url : url.slice(0, q)).toLowerCase();
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function sendMetrics(res: ServerResponse, opts: AdmissionAppOptions): Promise<void> {
  try {
    const text = await opts.metrics.registry.metrics();
    res.writeHead(200, {
      "content-type": opts.metrics.registry.contentType,
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  } catch (err) {
    opts.logger.error({ err: String(err) }, "metrics request failed");
    if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
  }
}

function mutate(
  req: IncomingMessage,
  res: ServerResponse,
  opts: AdmissionAppOptions,
  limit: number,
  reviews: TurnQueue,
): void {
  trackRequest(res, opts.metrics);
  const refused = refuseBody(req);
  if (refused) {
    sendJson(res, refused.status, { error: refused.message });
    return;
  }
  const timeoutMs = reviewTimeoutMs(req.url ?? "");
  readBody(req, limit).then(
    (body) =>
      reviews.push({
        timeoutMs,
        run: () => answerReview(body, res, opts),
        expire: () => expireReview(res, timeoutMs, opts),
      }),
    (err: unknown) => {
      const { status, message } = describeBodyError(err, limit);
      if (status >= 500) opts.logger.error({ err: String(err) }, "admission request failed");
      if (!res.headersSent && !res.destroyed) sendJson(res, status, { error: message });
    },
  );
}

function answerReview(body: Buffer, res: ServerResponse, opts: AdmissionAppOptions): void {
  // the API server gave up on this one (its timeout): the work would be thrown away
  if (res.destroyed) return;
  if (!opts.isTlsReady()) {
    sendJson(res, 503, { error: "webhook is not ready: TLS material is not loaded yet" });
    return;
  }
  const parsed = parseReviewBody(body);
  const outcome = parsed.ok
    ? reviewAdmission(parsed.value, opts.inject, opts.settings)
    : badRequest(parsed.message);
  record(outcome, opts.metrics, opts.logger);
  sendJson(res, outcome.status, outcome.body);
}

/** The review's client stopped waiting while it was queued: answering it would be wasted work. */
function expireReview(res: ServerResponse, timeoutMs: number, opts: AdmissionAppOptions): void {
  opts.metrics.expired.inc();
  opts.logger.debug({ timeoutMs }, "admission review expired in the queue");
  if (res.destroyed) return;
  sendJson(res, 503, {
    error:
      `the webhook was too busy to review this request within its timeout (${timeoutMs} ms); ` +
      "retry, or add webhook replicas or CPU",
  });
}

function trackRequest(res: ServerResponse, metrics: WebhookMetrics): void {
  const end = metrics.duration.startTimer();
  metrics.inFlight.inc();
  res.once("close", () => {
    metrics.inFlight.dec();
    // startTimer measures seconds; the histogram is in milliseconds like the reference.
    const seconds = end();
    metrics.duration.observe(seconds * 1000);
  });
}

/** A request whose headers already say its body cannot be an AdmissionReview. */
function refuseBody(req: IncomingMessage): { status: number; message: string } | undefined {
  const length = req.headers["content-length"];
  const hasBody =
    req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
  if (!hasBody) {
    return { status: 400, message: "request body is empty: expected an AdmissionReview as JSON" };
  }
  const type = req.headers["content-type"];
  if (mediaType(type) !== "application/json") {
    return {
      status: 415,
      message: `content type ${JSON.stringify(type ?? "none")} is not supported: send application/json`,
    };
  }
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") {
    return {
      status: 415,
      message: `content encoding ${JSON.stringify(encoding)} is not supported: send the AdmissionReview uncompressed`,
    };
  }
  return undefined;
}

/** `application/json; charset=utf-8` is application/json. */
function mediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const semi = header.indexOf(";");
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

function record(outcome: ReviewOutcome, metrics: WebhookMetrics, logger: Logger): void {
  const namespace = outcome.namespace ?? "";
  const fields = { uid: outcome.uid, namespace, pod: outcome.podName, result: outcome.result };
  switch (outcome.result) {
    case "injected":
      metrics.injections.inc({
        namespace,
        injection_type: outcome.injectionType ?? UNKNOWN_INJECTION_TYPE,
      });
      logger.info({ ...fields, injectionType: outcome.injectionType }, "pod injected");
      return;
    case "rejected":
    case "failed":
      metrics.failures.inc({ namespace, injection_type: UNKNOWN_INJECTION_TYPE });
      logger.warn({ ...fields, reason: outcome.reason }, "pod injection refused");
      return;
    case "bad_request":
      logger.warn({ reason: outcome.reason }, "admission request rejected");
      return;
    default:
      logger.debug({ ...fields, reason: outcome.reason }, "pod left unchanged");
  }
}

function describeBodyError(err: unknown, limit: number): { status: number; message: string } {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === "BODY_TOO_LARGE") {
    return {
      status: 413,
      message: `request body is larger than ${limit} bytes: an AdmissionReview for a pod is far smaller`,
    };
  }
  if (code === "BODY_ABORTED") {
    return { status: 400, message: "request body ended before its declared length" };
  }
  return { status: 500, message: "internal error" };
}
