#!/usr/bin/env bash
# The checkout service's dynamic PostgreSQL credentials: a fresh login role per
# lease, valid for at most an hour. Set PG_HOST, PG_ADMIN_USER and
# PG_ADMIN_PASSWORD (a role that may CREATE ROLE) for the first run;
# then let Vault own that password: `vault write -f database/rotate-root/checkout-db`.
set -euo pipefail
vault() { command "${VAULT_CLI:-vault}" "$@"; }
: "${PG_HOST:?set PG_HOST}" "${PG_ADMIN_USER:?set PG_ADMIN_USER}" "${PG_ADMIN_PASSWORD:?set PG_ADMIN_PASSWORD}"
: "${PG_DATABASE:=shop}"

vault write database/config/checkout-db \
  plugin_name=postgresql-database-plugin \
  connection_url="postgresql://{{username}}:{{password}}@${PG_HOST}:5432/${PG_DATABASE}?sslmode=verify-full" \
  username="$PG_ADMIN_USER" \
  password="$PG_ADMIN_PASSWORD" \
  allowed_roles=checkout

vault write database/roles/checkout \
  db_name=checkout-db \
  creation_statements="CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO \"{{name}}\";" \
  default_ttl=15m \
  max_ttl=1h
