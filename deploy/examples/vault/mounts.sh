#!/usr/bin/env bash
# Secrets engines and auth methods for the examples. Run once as an operator:
#   VAULT_ADDR=https://vault.example.com:8200 VAULT_TOKEN=... ./mounts.sh
# Works with HashiCorp Vault (`vault`) and OpenBao (`VAULT_CLI=bao`).
set -euo pipefail
vault() { command "${VAULT_CLI:-vault}" "$@"; }

vault secrets enable -path=secret kv-v2
vault secrets enable -path=database database

# Pods: kubernetes auth (TokenReview) and, for clusters with a public OIDC
# issuer, jwt auth validating service-account tokens with the cluster's keys.
vault auth enable -path=kubernetes kubernetes
vault auth enable -path=kubernetes-jwt jwt

# CI: one jwt mount per issuer, so a role can never accept the other's tokens.
vault auth enable -path=gitlab jwt
vault auth enable -path=github jwt
