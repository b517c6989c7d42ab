#!/usr/bin/env bash
# The whole suite: set-up, type-check, lint, format check, then every test on Node 24.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PATH="$root/node_modules/.bin:$PATH"
echo "node $(node --version), $("$BAO_BIN" version | head -n 1), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"

echo "== type-check"; tsc --noEmit -p .
echo "== lint"; eslint -c test/eslint.config.js --max-warnings=0 .
echo "== format"; prettier --check --log-level=warn .
echo "== images"
# The real-pod tests run the images users ship: built here from this checkout.
node deploy/images/build-images.ts
echo "== test cluster"
# One single-node Kubernetes for the whole run (test/support/cluster); torn
# down on exit, whatever happened. The tests find it through the VAULTLET_*
# variables `cli.ts env` prints; its logs stay in $VAULTLET_CLUSTER_DIR/logs.
cluster_down() { node test/support/cluster/cli.ts down || true; }
trap cluster_down EXIT
trap "exit 130" INT TERM
node test/support/cluster/cli.ts up
eval "$(node test/support/cluster/cli.ts env)"
export VAULTLET_CLUSTER_DIR VAULTLET_KUBECONFIG VAULTLET_CLUSTER_SERVER VAULTLET_CLUSTER_TOKEN

echo "== tests"
status=0
node --test --test-concurrency="${TEST_CONCURRENCY:-3}" --test-timeout=300000 "test/**/*.test.ts" || status=$?
trap - EXIT
echo "== test cluster down"
node test/support/cluster/cli.ts down || status=1
exit "$status"
