/**
 * A test OIDC token issuer for OpenBao's jwt auth: a fresh ES256 or RS256 key
 * pair (jose) that signs JWTs, plain or shaped like the CI systems' ID
 * tokens (GitLab, GitHub Actions). Service-account tokens come from the test
 * cluster itself (test/support/cluster/vault-trust.ts), not from here.
 *
 * Usage:
 *   const signer = await createJwtSigner({ alg: "ES256" });
 *   signer.publicKeyPem                      // give to OpenBao's jwt_validation_pubkeys
 *   await signer.signJwt({ sub, aud, exp, claims })
 *   await signer.gitlabIdToken({ projectPath: "group/app", ref: "main", audience: "https://vault.example" })
 *   await signer.githubActionsToken({ repository: "org/app", ref: "refs/heads/main", audience: "vault" })
 */
import { SignJWT, exportSPKI, generateKeyPair } from "jose";
import type { JWTPayload } from "jose";
import { randomUUID } from "node:crypto";

export type JwtAlg = "ES256" | "RS256";

/** the default issuer: a test issuer's own, no real system's */
export const TEST_ISSUER = "https://issuer.vaultlet.test";
export const GITLAB_ISSUER = "https://gitlab.example.test";
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

export interface SignJwtInput {
  sub?: string;
  aud?: string | string[];
  /** expiry as seconds since the epoch; default now + 10 minutes */
  exp?: number;
  /** issued-at seconds since the epoch; default now */
  iat?: number;
  /** issuer; default the signer's issuer */
  iss?: string;
  claims?: Record<string, unknown>;
}

export interface GitlabIdTokenInput {
  projectPath: string;
  ref?: string;
  refType?: "branch" | "tag";
  audience?: string | string[];
  pipelineSource?: string;
  environment?: string;
  ttlSeconds?: number;
}

export interface GithubActionsTokenInput {
  repository: string;
  ref?: string;
  audience?: string | string[];
  workflow?: string;
  environment?: string;
  eventName?: string;
  ttlSeconds?: number;
}

export interface JwtSigner {
  readonly alg: JwtAlg;
  readonly issuer: string;
  readonly kid: string;
  readonly publicKeyPem: string;
  signJwt(input: SignJwtInput): Promise<string>;
  gitlabIdToken(input: GitlabIdTokenInput): Promise<string>;
  githubActionsToken(input: GithubActionsTokenInput): Promise<string>;
}

const now = () => Math.floor(Date.now() / 1000);

export async function createJwtSigner(
  options: { alg?: JwtAlg; issuer?: string } = {},
): Promise<JwtSigner> {
  const alg = options.alg ?? "ES256";
  const issuer = options.issuer ?? TEST_ISSUER;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicKeyPem = await exportSPKI(publicKey);
  const kid = randomUUID();

  async function signJwt(input: SignJwtInput): Promise<string> {
    const iat = input.iat ?? now();
    const payload: JWTPayload = { ...(input.claims ?? {}) };
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg, kid, typ: "JWT" })
      .setIssuer(input.iss ?? issuer)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(input.exp ?? iat + 600)
      .setJti(randomUUID());
    if (input.sub !== undefined) jwt.setSubject(input.sub);
    if (input.aud !== undefined) jwt.setAudience(input.aud);
    return jwt.sign(privateKey);
  }

  return {
    alg,
    issuer,
    kid,
    publicKeyPem,
    signJwt,
    // Shape of a GitLab CI `id_tokens` token.
    gitlabIdToken(input) {
      const [namespacePath] = input.projectPath.split("/");
      const ref = input.ref ?? "main";
      const refType = input.refType ?? "branch";
      return signJwt({
        iss: issuer,
        sub: `project_path:${input.projectPath}:ref_type:${refType}:ref:${ref}`,
        aud: input.audience ?? GITLAB_ISSUER,
        exp: now() + (input.ttlSeconds ?? 300),
        claims: {
          namespace_id: "72",
          namespace_path: namespacePath,
          project_id: "4242",
          project_path: input.projectPath,
          user_id: "17",
          user_login: "ci-user",
          user_email: "ci-user@example.test",
          pipeline_id: "1001",
          pipeline_source: input.pipelineSource ?? "push",
          job_id: "50012",
          ref,
          ref_type: refType,
          ref_protected: "true",
          ...(input.environment ? { environment: input.environment } : {}),
        },
      });
    },
    // Shape of a GitHub Actions OIDC token.
    githubActionsToken(input) {
      const ref = input.ref ?? "refs/heads/main";
      const [owner] = input.repository.split("/");
      const sub = input.environment
        ? `repo:${input.repository}:environment:${input.environment}`
        : `repo:${input.repository}:ref:${ref}`;
      return signJwt({
        iss: issuer,
        sub,
        aud: input.audience ?? `https://github.com/${owner}`,
        exp: now() + (input.ttlSeconds ?? 300),
        claims: {
          ref,
          sha: "9f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9",
          repository: input.repository,
          repository_owner: owner,
          repository_visibility: "private",
          run_id: "7000000001",
          run_number: "12",
          run_attempt: "1",
          actor: "octo-dev",
          workflow: input.workflow ?? "deploy",
          event_name: input.eventName ?? "push",
          ref_type: "branch",
          job_workflow_ref: `${input.repository}/.github/workflows/deploy.yml@${ref}`,
          runner_environment: "github-hosted",
          ...(input.environment ? { environment: input.environment } : {}),
        },
      });
    },
  };
}
