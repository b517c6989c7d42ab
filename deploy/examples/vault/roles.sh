#!/usr/bin/env bash
# Policies and roles for the examples: every role names its audience and the
# narrowest identity that may use it, and hands out a short-lived token.
#   VAULT_ADDR=... VAULT_TOKEN=... ./roles.sh
set -euo pipefail
vault() { command "${VAULT_CLI:-vault}" "$@"; }
cd "$(dirname "${BASH_SOURCE[0]}")"

vault policy write checkout policies/checkout.hcl
vault policy write report policies/report.hcl
vault policy write ci-deploy policies/ci-deploy.hcl

# deploy/examples/kubernetes/checkout.yaml: service account checkout in
# namespace shop, token audience "vault" (the projected token vaultlet adds).
vault write auth/kubernetes-jwt/role/checkout \
  role_type=jwt \
  user_claim=sub \
  bound_audiences=vault \
  bound_subject=system:serviceaccount:shop:checkout \
  token_policies=checkout \
  token_ttl=15m \
  token_max_ttl=1h

# deploy/examples/kubernetes/report-job.yaml: kubernetes auth, same bindings.
vault write auth/kubernetes/role/report \
  bound_service_account_names=report \
  bound_service_account_namespaces=batch \
  audience=vault \
  token_policies=report \
  token_ttl=10m \
  token_max_ttl=30m

# deploy/examples/ci/gitlab: only the protected main branch of shop/checkout.
# bound_claims is a map, so the role is written as JSON on stdin.
vault write auth/gitlab/role/checkout-deploy - <<'JSON'
{
  "role_type": "jwt",
  "user_claim": "sub",
  "bound_audiences": ["https://vault.example.com"],
  "bound_claims_type": "string",
  "bound_claims": {
    "project_path": "shop/checkout",
    "ref": "main",
    "ref_type": "branch",
    "ref_protected": "true"
  },
  "token_policies": ["ci-deploy"],
  "token_ttl": "10m",
  "token_max_ttl": "15m"
}
JSON

# deploy/examples/ci/github: only main of shop-org/checkout, running in the
# production environment (so the environment's protection rules apply).
vault write auth/github/role/checkout-deploy - <<'JSON'
{
  "role_type": "jwt",
  "user_claim": "sub",
  "bound_audiences": ["https://vault.example.com"],
  "bound_subject": "repo:shop-org/checkout:environment:production",
  "bound_claims_type": "string",
  "bound_claims": {
    "repository": "shop-org/checkout",
    "ref": "refs/heads/main",
    "environment": "production"
  },
  "token_policies": ["ci-deploy"],
  "token_ttl": "10m",
  "token_max_ttl": "15m"
}
JSON
