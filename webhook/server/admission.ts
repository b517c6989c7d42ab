import type { InjectResult } from "../mutate/inject.ts";
import type { InjectorSettings } from "../settings.ts";
import { describeError } from "../../shared/errors.ts";
import { parseJson } from "../../shared/json.ts";
import { isObject } from "../../shared/own.ts";

/**
 * AdmissionReview in, AdmissionReview (or an HTTP error) out. Pure apart
 * from calling the injector, so every branch is tested without a server.
 */

export const ADMISSION_V1 = "admission.k8s.io/v1";
export const ADMISSION_V1BETA1 = "admission.k8s.io/v1beta1";
const API_VERSIONS: ReadonlySet<string> = new Set([ADMISSION_V1, ADMISSION_V1BETA1]);

export type InjectFn = (
  pod: unknown,
  namespace: string,
  settings: InjectorSettings,
) => InjectResult;

export type ReviewResult =
  "injected" | "skipped" | "rejected" | "failed" | "not_a_pod_create" | "bad_request";

export interface ReviewOutcome {
  /** HTTP status of the answer. */
  readonly status: number;
  /** JSON body: an AdmissionReview, or `{ error }` for a request that is not one. */
  readonly body: unknown;
  readonly result: ReviewResult;
  readonly uid?: string;
  readonly namespace?: string;
  readonly podName?: string;
  readonly injectionType?: string;
  /** Why the pod was skipped, refused or failed; never contains pod values. */
  readonly reason?: string;
}

interface AdmissionRequestView {
  readonly uid: string;
  readonly namespace: string;
  readonly operation: unknown;
  readonly kind: unknown;
  readonly resource: unknown;
  readonly subResource: unknown;
  readonly object: unknown;
}

export function badRequest(message: string): ReviewOutcome {
  return { status: 400, body: { error: message }, result: "bad_request", reason: message };
}

/** Decodes the raw body; empty and malformed bodies get a message that says what was expected. */
export function parseReviewBody(
  raw: Buffer | undefined,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!raw || raw.length === 0) {
    return { ok: false, message: "request body is empty: expected an AdmissionReview as JSON" };
  }
  try {
    return { ok: true, value: parseJson(raw.toString("utf8")) };
  } catch (err) {
    return {
      ok: false,
      message: `request body is not valid JSON (${jsonErrorKind(err)}): expected an AdmissionReview`,
    };
  }
}

/** V8's JSON messages quote the body, which may hold pod env values: keep only the kind of fault. */
function jsonErrorKind(err: unknown): string {
  const text = describeError(err);
  const at = /position (\d+)/.exec(text);
  if (at) return `error at byte ${at[1]}`;
  if (/end of JSON/i.test(text)) return "it ends too early";
  if (/Unexpected token/i.test(text)) return "unexpected character";
  return "unreadable";
}

export function reviewAdmission(
  review: unknown,
  inject: InjectFn,
  settings: InjectorSettings,
): ReviewOutcome {
  if (!isObject(review)) return badRequest("body must be a JSON object: an AdmissionReview");
  const apiVersion = review["apiVersion"];
  if (typeof apiVersion !== "string" || !API_VERSIONS.has(apiVersion)) {
    return badRequest(
      `apiVersion ${JSON.stringify(apiVersion ?? null)} is not supported: send ${ADMISSION_V1} or ${ADMISSION_V1BETA1}`,
    );
  }
  if (review["kind"] !== "AdmissionReview") {
    return badRequest(
      `kind ${JSON.stringify(review["kind"] ?? null)} is not supported: send kind AdmissionReview`,
    );
  }
  const request = readRequest(review["request"]);
  if (typeof request === "string") return badRequest(request);

  const answer = (response: Record<string, unknown>) => ({
    apiVersion,
    kind: "AdmissionReview",
    response: { uid: request.uid, ...response },
  });
  const base = { status: 200, uid: request.uid, namespace: request.namespace };

  if (!isPodCreate(request)) {
    return { ...base, body: answer({ allowed: true }), result: "not_a_pod_create" };
  }
  const podName = podNameOf(request.object);
  let result: InjectResult;
  try {
    result = inject(request.object, request.namespace, settings);
  } catch (err) {
    const message = `vaultlet could not inject pod ${podName}: ${describeError(err)}`;
    return {
      ...base,
      podName,
      body: answer({ allowed: false, status: { code: 500, message } }),
      result: "failed",
      reason: message,
    };
  }
  switch (result.kind) {
    case "skip":
      return {
        ...base,
        podName,
        body: answer({ allowed: true }),
        result: "skipped",
        reason: result.reason,
      };
    case "reject":
      return {
        ...base,
        podName,
        body: answer({
          allowed: false,
          status: { code: 400, message: result.message },
          ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
        }),
        result: "rejected",
        reason: result.message,
      };
    case "patch":
      return {
        ...base,
        podName,
        injectionType: result.injectionType,
        body: answer({
          allowed: true,
          patchType: "JSONPatch",
          patch: Buffer.from(JSON.stringify(result.patch)).toString("base64"),
          ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
        }),
        result: "injected",
      };
  }
}

function readRequest(value: unknown): AdmissionRequestView | string {
  if (value === undefined || value === null) {
    return "AdmissionReview has no request: the API server always sends one; check the caller";
  }
  if (!isObject(value)) return "AdmissionReview request must be an object";
  const uid = value["uid"];
  if (typeof uid !== "string" || uid === "") {
    return "AdmissionReview request.uid is missing: it must be echoed in the response";
  }
  const namespace = value["namespace"];
  return {
    uid,
    namespace: typeof namespace === "string" ? namespace : "",
    operation: value["operation"],
    kind: value["kind"],
    resource: value["resource"],
    subResource: value["subResource"],
    object: value["object"],
  };
}

/** Only CREATE of the pod itself: UPDATE broke deletions and Job finalizers in the reference. */
function isPodCreate(req: AdmissionRequestView): boolean {
  if (req.operation !== "CREATE") return false;
  if (typeof req.subResource === "string" && req.subResource !== "") return false;
  const kind = isObject(req.kind) ? req.kind : undefined;
  const resource = isObject(req.resource) ? req.resource : undefined;
  const isPodKind = kind !== undefined && (kind["group"] ?? "") === "" && kind["kind"] === "Pod";
  const isPodResource =
    resource !== undefined && (resource["group"] ?? "") === "" && resource["resource"] === "pods";
  return (isPodKind || (kind === undefined && isPodResource)) && isObject(req.object);
}

function podNameOf(pod: unknown): string {
  if (!isObject(pod) || !isObject(pod["metadata"])) return "(unnamed)";
  const meta = pod["metadata"];
  if (typeof meta["name"] === "string" && meta["name"] !== "") return meta["name"];
  if (typeof meta["generateName"] === "string") return `${meta["generateName"]}*`;
  return "(unnamed)";
}
