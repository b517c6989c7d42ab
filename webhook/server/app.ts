import express, { type NextFunction, type Request, type Response } from "express";
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

/** The webhook's HTTP routes: admission, health and metrics. Transport (TLS) is the server's job. */
export function createAdmissionApp(opts: AdmissionAppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  app.get(LIVE_PATH, (_req, res) => {
    res.status(200).json({ status: "ok" });
  });
  app.get(READY_PATH, (_req, res) => {
    const ready = opts.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready" });
  });
  app.get(opts.metricsPath ?? DEFAULT_METRICS_PATH, async (_req, res, next) => {
    try {
      const text = await opts.metrics.registry.metrics();
      res.status(200).type(opts.metrics.registry.contentType).send(text);
    } catch (err) {
      next(err);
    }
  });

  app.post(
    MUTATE_PATH,
    trackRequest(opts.metrics),
    requireJsonBody,
    express.raw({ type: () => true, limit }),
    (req: Request, res: Response) => {
      if (!opts.isTlsReady()) {
        res.status(503).json({ error: "webhook is not ready: TLS material is not loaded yet" });
        return;
      }
      const parsed = parseReviewBody(Buffer.isBuffer(req.body) ? req.body : undefined);
      const outcome = parsed.ok
        ? reviewAdmission(parsed.value, opts.inject, opts.settings)
        : badRequest(parsed.message);
      record(outcome, opts.metrics, opts.logger);
      res.status(outcome.status).json(outcome.body);
    },
  );

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: "not found" });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, message } = describeHttpError(err, limit);
    if (status >= 500) opts.logger.error({ err: String(err) }, "admission request failed");
    if (!res.headersSent) res.status(status).json({ error: message });
  });
  return app;
}

function trackRequest(metrics: WebhookMetrics) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const end = metrics.duration.startTimer();
    metrics.inFlight.inc();
    res.once("close", () => {
      metrics.inFlight.dec();
      // startTimer measures seconds; the histogram is in milliseconds like the reference.
      const seconds = end();
      metrics.duration.observe(seconds * 1000);
    });
    next();
  };
}

function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  const length = req.headers["content-length"];
  const hasBody =
    req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
  if (!hasBody) {
    res.status(400).json({ error: "request body is empty: expected an AdmissionReview as JSON" });
    return;
  }
  if (!req.is("application/json")) {
    const type = req.headers["content-type"] ?? "none";
    res.status(415).json({
      error: `content type ${JSON.stringify(type)} is not supported: send application/json`,
    });
    return;
  }
  next();
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

function describeHttpError(err: unknown, limit: number): { status: number; message: string } {
  const e = err as { status?: unknown; type?: unknown };
  if (e && e.type === "entity.too.large") {
    return {
      status: 413,
      message: `request body is larger than ${limit} bytes: an AdmissionReview for a pod is far smaller`,
    };
  }
  if (e && typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    return { status: e.status, message: `bad request body: ${String((err as Error).message)}` };
  }
  return { status: 500, message: "internal error" };
}
