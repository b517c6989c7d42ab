import { X509Certificate } from "node:crypto";
import type { Dependency } from "../template/types.ts";
import { pointIn, type Random } from "../timing/jitter.ts";
import { RENEW_WINDOW } from "../auth/token-life.ts";
import { kindOf } from "./kinds/index.ts";
import { extendTolerance } from "../timing/extend-tolerance.ts";

/**
 * The refresh table, as pure functions: given what Vault returned for a
 * dependency and the time, what to do next and when. Every time is jittered.
 *
 * | secret                        | next action                                        |
 * |-------------------------------|----------------------------------------------------|
 * | certificate (pki issue/cert)  | fetch again at 85-95% of the certificate's life left at issue |
 * | renewable lease               | renew at ~2/3; replace once renewal stops extending |
 * | lease, not renewable          | fetch again at lease x threshold (+-5%)            |
 * | no lease (KV v1/v2, ...)      | read again every static interval x 0.85-0.95       |
 * |   first read, or back after failures | the next read at interval x 0.5-0.95       |
 *
 * KV v1 answers with a lease_duration of the mount TTL (often 32 days) but no
 * lease id; it is static and re-read on the interval, so changes are seen.
 */

export type SecretClass = "certificate" | "renewable-lease" | "lease" | "static";

/** the parts of Vault's response envelope the schedule looks at */
export interface LeaseInfo {
  lease_id?: string;
  /** seconds */
  lease_duration?: number;
  renewable?: boolean;
  data?: unknown;
}

export interface ScheduleOptions {
  /** template_config.static_secret_render_interval, ms (default 5m) */
  staticIntervalMs: number;
  /** template_config.lease_renewal_threshold, fraction (default 0.9) */
  leaseRenewalThreshold: number;
}

export const DEFAULT_SCHEDULE_OPTIONS: ScheduleOptions = {
  staticIntervalMs: 5 * 60_000,
  leaseRenewalThreshold: 0.9,
};

export const CERT_WINDOW: readonly [number, number] = [0.85, 0.95];
export const STATIC_WINDOW: readonly [number, number] = [0.85, 0.95];
/**
 * A fleet's first reads come together (pods started at once, or all back
 * after a Vault outage); re-reads drift apart only by the narrow window's
 * width per cycle. The first re-read after such a read is drawn from a wide
 * window, so one cycle spreads them over half the interval.
 */
export const FIRST_STATIC_WINDOW: readonly [number, number] = [0.5, 0.95];
const THRESHOLD_SPREAD = 0.05;
/** the earliest any refresh happens after the previous one, so nothing loops */
export const MIN_REFRESH_MS = 500;

export type SecretPlan =
  | { class: "renewable-lease"; action: "renew"; at: number; expiresAt: number }
  | { class: SecretClass; action: "refetch"; at: number; expiresAt: number | undefined };

export interface CertValidity {
  notBefore: number;
  notAfter: number;
}

/** the certificate's validity when the response carries one (PKI issue/sign) */
export function certificateValidity(data: unknown): CertValidity | undefined {
  if (!data || typeof data !== "object") return undefined;
  const pem = (data as Record<string, unknown>)["certificate"];
  if (typeof pem !== "string" || !pem.includes("BEGIN CERTIFICATE")) return undefined;
  try {
    const cert = new X509Certificate(pem);
    return { notBefore: cert.validFromDate.getTime(), notAfter: cert.validToDate.getTime() };
  } catch {
    return undefined;
  }
}

export function classify(dep: Dependency, res: LeaseInfo): SecretClass {
  if (kindOf(dep).schedule === "certificate" || certificateValidity(res.data)) return "certificate";
  const seconds = res.lease_duration ?? 0;
  if (res.lease_id && seconds > 0) return res.renewable ? "renewable-lease" : "lease";
  return "static";
}

/** after a fresh fetch of the dependency */
export function planAfterFetch(
  dep: Dependency,
  res: LeaseInfo,
  now: number,
  options: ScheduleOptions,
  random: Random,
  /** when the value was issued, if before now (a certificate adopted from a file) */
  issuedAt: number = now,
  /** the first value, or the first after failures: spread the next static read widely */
  regroup = false,
): SecretPlan {
  const cls = classify(dep, res);
  const ttlMs = (res.lease_duration ?? 0) * 1000;
  switch (cls) {
    case "certificate": {
      const v = certificateValidity(res.data);
      if (!v) return staticPlan("certificate", now, options, random);
      // Vault back-dates NotBefore (30s by default): count the life from issue, not from NotBefore
      const start = Math.max(v.notBefore, issuedAt);
      const life = Math.max(0, v.notAfter - start);
      const at = Math.max(now + MIN_REFRESH_MS, pointIn(start, life, ...CERT_WINDOW, random));
      return { class: cls, action: "refetch", at, expiresAt: v.notAfter };
    }
    case "renewable-lease":
      return renewPlan(ttlMs, now, random);
    case "lease": {
      const t = options.leaseRenewalThreshold;
      const lo = Math.min(0.98, t * (1 - THRESHOLD_SPREAD));
      const hi = Math.min(0.98, t * (1 + THRESHOLD_SPREAD));
      const at = Math.max(now + MIN_REFRESH_MS, pointIn(now, ttlMs, lo, hi, random));
      return { class: cls, action: "refetch", at, expiresAt: now + ttlMs };
    }
    case "static":
      return staticPlan("static", now, options, random, regroup ? FIRST_STATIC_WINDOW : undefined);
  }
}

/**
 * after renewing a lease: `incrementMs` is what was asked for (the duration
 * of the lease as fetched). Less than that back means the max TTL caps the
 * lease; renewing again is wasted, so replace it at ~2/3 of what is left.
 */
export function planAfterLeaseRenewal(
  incrementMs: number,
  renewed: LeaseInfo,
  now: number,
  random: Random,
): SecretPlan {
  const ttlMs = (renewed.lease_duration ?? 0) * 1000;
  if (
    renewed.renewable !== false &&
    ttlMs + extendTolerance(incrementMs) >= incrementMs &&
    ttlMs > 0
  ) {
    return renewPlan(ttlMs, now, random);
  }
  const at = pointIn(now, ttlMs, ...RENEW_WINDOW, random);
  return { class: "renewable-lease", action: "refetch", at, expiresAt: now + ttlMs };
}

/**
 * Leases die with the token that created them. When a new token replaces the
 * one owning a lease, replace the lease before the old token's end: keep the
 * planned time if it is already early enough, else pick a point in the first
 * part of the time left so the app gets the new secret while the old works.
 */
export function planOwnerHandover(
  plannedAt: number,
  ownerExpiresAt: number,
  now: number,
  random: Random,
): number {
  const left = ownerExpiresAt - now;
  const safeBefore = ownerExpiresAt - Math.max(MIN_REFRESH_MS, left * 0.25);
  if (plannedAt <= safeBefore) return plannedAt;
  return pointIn(now, left, 0.05, 0.4, random);
}

function renewPlan(ttlMs: number, now: number, random: Random): SecretPlan {
  const at = Math.max(now + MIN_REFRESH_MS / 2, pointIn(now, ttlMs, ...RENEW_WINDOW, random));
  return { class: "renewable-lease", action: "renew", at, expiresAt: now + ttlMs };
}

function staticPlan(
  cls: SecretClass,
  now: number,
  options: ScheduleOptions,
  random: Random,
  window: readonly [number, number] = STATIC_WINDOW,
): SecretPlan {
  const interval = Math.max(MIN_REFRESH_MS, options.staticIntervalMs);
  return {
    class: cls,
    action: "refetch",
    at: pointIn(now, interval, ...window, random),
    expiresAt: undefined,
  };
}
