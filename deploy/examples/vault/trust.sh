#!/usr/bin/env bash
# Tells each auth mount which issuer to trust. Needs network access from Vault
# to the issuers. Set the variables for your installation:
#   K8S_HOST        API server URL as Vault reaches it, e.g. https://10.0.0.1:443
#   K8S_CA_FILE     the cluster CA certificate (PEM file)
#   K8S_REVIEWER_JWT_FILE  a token of a service account bound to the ClusterRole
#                   system:auth-delegator, for Vault's TokenReview calls
#   K8S_ISSUER      the cluster's service-account issuer (kubectl get --raw /.well-known/openid-configuration)
#   GITLAB_URL      e.g. https://gitlab.com
set -euo pipefail
vault() { command "${VAULT_CLI:-vault}" "$@"; }
: "${K8S_HOST:?set K8S_HOST}" "${K8S_CA_FILE:?set K8S_CA_FILE}" "${K8S_ISSUER:?set K8S_ISSUER}"
: "${K8S_REVIEWER_JWT_FILE:?set K8S_REVIEWER_JWT_FILE}"
: "${GITLAB_URL:=https://gitlab.com}"

# Vault runs outside the cluster here. The reviewer token is needed because
# the agents' tokens are for audience "vault": the API server would not accept
# them as Vault's own credential for the TokenReview call. (Vault inside the
# cluster uses its own service-account token instead.) Prefer the
# kubernetes-jwt mount below: no TokenReview, no reviewer credential at all.
vault write auth/kubernetes/config \
  kubernetes_host="$K8S_HOST" \
  kubernetes_ca_cert=@"$K8S_CA_FILE" \
  token_reviewer_jwt=@"$K8S_REVIEWER_JWT_FILE"

# Service-account tokens checked against the cluster's published keys: no
# TokenReview call, no reviewer credential. The cluster's discovery document
# must be reachable from Vault (or use jwt_validation_pubkeys instead).
vault write auth/kubernetes-jwt/config \
  oidc_discovery_url="$K8S_ISSUER" \
  bound_issuer="$K8S_ISSUER"

vault write auth/gitlab/config \
  oidc_discovery_url="$GITLAB_URL" \
  bound_issuer="$GITLAB_URL"

vault write auth/github/config \
  oidc_discovery_url="https://token.actions.githubusercontent.com" \
  bound_issuer="https://token.actions.githubusercontent.com"
