/**
 * Configures a running OpenBao (or Vault) through its HTTP API with an admin
 * token, for tests. Every OpenBao started by ./openbao.ts is a BaoAdmin, so
 * usually you call these as `bao.enableKvV2("kv")` and so on.
 *
 * Usage:
 *   await bao.enableKvV2("kv");  await bao.enableKvV1("kv1");
 *   await bao.kvPut("kv", "app/config", { user: "u", password: "p" });
 *   await bao.writePolicy("read-kv", 'path "kv/data/*" { capabilities = ["read"] }');
 *   const { client_token } = await bao.createToken({ policies: ["read-kv"], ttl: "1h" });
 *   const signer = await bao.enableJwtAuth({ mount: "jwt" });   // trusts signer's public key
 *   await bao.jwtRole("jwt", "app", { boundAudiences: ["vault"], userClaim: "sub", policies: ["read-kv"] });
 *   await bao.enablePki("pki", { domain: "example.test", maxTtl: "5m" });  // role "example-dot-test"
 *   await bao.api("GET", "sys/mounts")       // anything else, with the admin token
 *
 * These are test helpers: errors are plain Errors carrying Vault's messages.
 */
import { createJwtSigner } from "./jwt-signer.ts";
import type { JwtAlg, JwtSigner } from "./jwt-signer.ts";

export interface ApiOptions {
  /** token for this call instead of the admin token; null sends none */
  token?: string | null;
  /** statuses that are returned instead of thrown (the parsed body, or undefined) */
  okStatuses?: number[];
}

export class BaoApiError extends Error {
  readonly status: number;
  readonly errors: string[];
  constructor(method: string, path: string, status: number, errors: string[]) {
    super(`${method} /v1/${path} -> ${status}: ${errors.join("; ") || "(no message)"}`);
    this.name = "BaoApiError";
    this.status = status;
    this.errors = errors;
  }
}

export interface TokenOptions {
  policies?: string[];
  ttl?: string;
  period?: string;
  explicitMaxTtl?: string;
  renewable?: boolean;
  noDefaultPolicy?: boolean;
  numUses?: number;
  orphan?: boolean;
  displayName?: string;
  meta?: Record<string, string>;
}

/** The `auth` block of a token creation or login response. */
export interface AuthInfo {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  lease_duration: number;
  renewable: boolean;
  entity_id?: string;
  metadata?: Record<string, string> | null;
}

export interface JwtRoleOptions {
  /** required by OpenBao for jwt roles: at least one bound audience, unless boundSubject/claims suffice */
  boundAudiences?: string[];
  boundSubject?: string;
  boundClaims?: Record<string, string | string[]>;
  /** "string" (default) or "glob" */
  boundClaimsType?: "string" | "glob";
  userClaim?: string;
  claimMappings?: Record<string, string>;
  policies?: string[];
  tokenTtl?: string;
  tokenMaxTtl?: string;
  tokenPeriod?: string;
  tokenExplicitMaxTtl?: string;
  /** seconds of clock skew tolerated (OpenBao's default is 60) */
  clockSkewLeeway?: number;
}

export interface EnableJwtAuthOptions {
  mount?: string;
  /** reuse a signer (e.g. one another mount trusts too) */
  signer?: JwtSigner;
  alg?: JwtAlg;
  /** bound_issuer; default the signer's issuer */
  boundIssuer?: string;
}

export interface EnablePkiOptions {
  /** role name; default the domain with dots as "-dot-" */
  role?: string;
  /** domain the role may issue for (subdomains allowed) */
  domain?: string;
  /** role max_ttl, e.g. "5m" */
  maxTtl?: string;
  /** role ttl (default certificate lifetime) */
  ttl?: string;
  /** mount's max lease ttl for the CA itself; default "87600h" */
  mountMaxTtl?: string;
  commonName?: string;
}

export interface PkiInfo {
  mount: string;
  role: string;
  domain: string;
  /** the root CA certificate, PEM */
  caPem: string;
}

function fieldsOf(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export class BaoAdmin {
  address: string;
  adminToken: string;
  private readonly kvVersions = new Map<string, 1 | 2>();

  constructor(address: string, adminToken: string) {
    this.address = address;
    this.adminToken = adminToken;
  }

  /** One HTTP call to /v1/<path>; returns the parsed JSON body (undefined for 204). */
  async api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: ApiOptions = {},
  ): Promise<T> {
    const clean = path.replace(/^\/+/, "").replace(/^v1\//, "");
    const headers: Record<string, string> = { "X-Vault-Request": "true" };
    const token = options.token === undefined ? this.adminToken : options.token;
    if (token) headers["X-Vault-Token"] = token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(`${this.address}/v1/${clean}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (res.ok || options.okStatuses?.includes(res.status)) return parsed as T;
    const errors =
      parsed && typeof parsed === "object" && Array.isArray((parsed as { errors?: unknown }).errors)
        ? ((parsed as { errors: string[] }).errors ?? [])
        : [text.slice(0, 200)];
    throw new BaoApiError(method, clean, res.status, errors);
  }

  async enableSecretsEngine(
    mount: string,
    type: string,
    options?: Record<string, string>,
    config?: Record<string, unknown>,
  ): Promise<void> {
    await this.api("POST", `sys/mounts/${mount}`, fieldsOf({ type, options, config }));
  }

  async enableKvV2(mount = "kv"): Promise<void> {
    await this.enableSecretsEngine(mount, "kv", { version: "2" });
    this.kvVersions.set(mount, 2);
    await this.kvV2Ready(mount);
  }

  /**
   * A new KV v2 mount upgrades its storage in the background and answers 400
   * ("Upgrading from non-versioned to versioned data") until it is done, for
   * longer on a loaded machine: wait for its config to read back.
   */
  private async kvV2Ready(mount: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.api("GET", `${mount}/config`);
        return;
      } catch (err) {
        if (attempt >= 400 || !/Upgrading from non-versioned/i.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async enableKvV1(mount = "kv1"): Promise<void> {
    await this.enableSecretsEngine(mount, "kv", { version: "1" });
    this.kvVersions.set(mount, 1);
  }

  private async kvVersion(mount: string): Promise<1 | 2> {
    const known = this.kvVersions.get(mount);
    if (known) return known;
    const info = await this.api<{ data: { options?: { version?: string } | null } }>(
      "GET",
      `sys/mounts/${mount}`,
    );
    const version = info.data.options?.version === "2" ? 2 : 1;
    this.kvVersions.set(mount, version);
    return version;
  }

  /** Write a KV secret (v1 or v2, whichever the mount is). Returns v2's version metadata. */
  async kvPut(
    mount: string,
    path: string,
    data: Record<string, unknown>,
  ): Promise<{ version?: number }> {
    if ((await this.kvVersion(mount)) === 2) {
      const res = await this.api<{ data: { version: number } }>("POST", `${mount}/data/${path}`, {
        data,
      });
      return { version: res.data.version };
    }
    await this.api("POST", `${mount}/${path}`, data);
    return {};
  }

  /** Delete a KV secret; on v2, `allVersions` removes its metadata too (gone for good). */
  async kvDelete(mount: string, path: string, opts: { allVersions?: boolean } = {}): Promise<void> {
    if ((await this.kvVersion(mount)) === 2) {
      await this.api("DELETE", `${mount}/${opts.allVersions ? "metadata" : "data"}/${path}`);
    } else {
      await this.api("DELETE", `${mount}/${path}`);
    }
  }

  async writePolicy(name: string, hcl: string): Promise<void> {
    await this.api("PUT", `sys/policies/acl/${name}`, { policy: hcl });
  }

  /** Create a token (child of the admin token unless `orphan`). */
  async createToken(opts: TokenOptions = {}): Promise<AuthInfo> {
    const body = fieldsOf({
      policies: opts.policies,
      ttl: opts.ttl,
      period: opts.period,
      explicit_max_ttl: opts.explicitMaxTtl,
      renewable: opts.renewable,
      no_default_policy: opts.noDefaultPolicy,
      num_uses: opts.numUses,
      display_name: opts.displayName,
      meta: opts.meta,
    });
    const res = await this.api<{ auth: AuthInfo }>(
      "POST",
      opts.orphan ? "auth/token/create-orphan" : "auth/token/create",
      body,
    );
    return res.auth;
  }

  async enableAuth(mount: string, type: string): Promise<void> {
    await this.api("POST", `sys/auth/${mount}`, { type });
  }

  /** Enable jwt auth trusting a test signer's public key; returns the signer. */
  async enableJwtAuth(opts: EnableJwtAuthOptions = {}): Promise<JwtSigner> {
    const mount = opts.mount ?? "jwt";
    const signer = opts.signer ?? (await createJwtSigner({ alg: opts.alg ?? "ES256" }));
    await this.enableAuth(mount, "jwt");
    await this.api("POST", `auth/${mount}/config`, {
      jwt_validation_pubkeys: [signer.publicKeyPem],
      bound_issuer: opts.boundIssuer ?? signer.issuer,
    });
    return signer;
  }

  async jwtRole(mount: string, name: string, opts: JwtRoleOptions): Promise<void> {
    await this.api(
      "POST",
      `auth/${mount}/role/${name}`,
      fieldsOf({
        role_type: "jwt",
        bound_audiences: opts.boundAudiences,
        bound_subject: opts.boundSubject,
        bound_claims: opts.boundClaims,
        bound_claims_type: opts.boundClaimsType,
        user_claim: opts.userClaim ?? "sub",
        claim_mappings: opts.claimMappings,
        token_policies: opts.policies,
        token_ttl: opts.tokenTtl,
        token_max_ttl: opts.tokenMaxTtl,
        token_period: opts.tokenPeriod,
        token_explicit_max_ttl: opts.tokenExplicitMaxTtl,
        clock_skew_leeway: opts.clockSkewLeeway,
      }),
    );
  }

  /** Log in on any auth mount; returns the auth block. */
  async login(mount: string, body: Record<string, unknown>): Promise<AuthInfo> {
    const res = await this.api<{ auth: AuthInfo }>("POST", `auth/${mount}/login`, body, {
      token: null,
    });
    return res.auth;
  }

  /** Enable PKI, generate an internal root CA and a role for `domain` with a short max TTL. */
  async enablePki(mount = "pki", opts: EnablePkiOptions = {}): Promise<PkiInfo> {
    const domain = opts.domain ?? "example.test";
    const role = opts.role ?? domain.replace(/\./g, "-dot-");
    await this.enableSecretsEngine(mount, "pki", undefined, {
      max_lease_ttl: opts.mountMaxTtl ?? "87600h",
    });
    const root = await this.api<{ data: { certificate: string } }>(
      "POST",
      `${mount}/root/generate/internal`,
      { common_name: opts.commonName ?? `${domain} test root CA`, ttl: "87600h", key_type: "ec" },
    );
    await this.api("POST", `${mount}/roles/${role}`, {
      allowed_domains: [domain],
      allow_subdomains: true,
      allow_bare_domains: true,
      max_ttl: opts.maxTtl ?? "5m",
      ttl: opts.ttl ?? opts.maxTtl ?? "5m",
      key_type: "ec",
      key_bits: 256,
    });
    return { mount, role, domain, caPem: root.data.certificate };
  }
}
