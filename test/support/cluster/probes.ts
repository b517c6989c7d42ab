/**
 * Readiness checks for the cluster's components, and waiting on them with an
 * error that names the component's log file.
 */
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
import { execFile } from "node:child_process";
import type { ClusterLayout } from "./layout.ts";
import { componentLog } from "./layout.ts";
import { componentPid, isAlive } from "./processes.ts";

export class ClusterError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ClusterError";
    this.code = code;
  }
}

export interface HttpGet {
  url: string;
  ca?: string | Buffer;
  token?: string;
  /** Serving certificates the component made for itself (controller manager, scheduler). */
  insecure?: boolean;
}

/** GET a URL; the status and body, or undefined when nothing answers. */
export function httpGet(req: HttpGet): Promise<{ status: number; body: string } | undefined> {
  const url = new URL(req.url);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const r = request(
      url,
      {
        method: "GET",
        ca: req.ca,
        rejectUnauthorized: !req.insecure,
        headers: req.token ? { authorization: `Bearer ${req.token}` } : {},
        timeout: 3000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    r.on("timeout", () => r.destroy());
    r.on("error", () => resolve(undefined));
    r.end();
  });
}

export function commandOk(binary: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 5000 }, (err) => resolve(!err));
  });
}

/**
 * Polls `check` until it returns true. Fails early if the component's process
 * died, and in any case names its log file.
 */
export async function waitForComponent(
  layout: ClusterLayout,
  component: string,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const log = componentLog(layout, component);
  for (;;) {
    if (await check()) return;
    const pid = componentPid(layout, component);
    if (pid !== undefined && !isAlive(pid)) {
      throw new ClusterError(
        "COMPONENT_EXITED",
        `${component} exited before ${what}; read its log: ${log}`,
      );
    }
    if (Date.now() > deadline) {
      throw new ClusterError(
        "COMPONENT_NOT_READY",
        `${component}: not ${what} after ${Math.round(timeoutMs / 1000)} s; read its log: ${log}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
