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
echo "== tests"
exec node --test --test-concurrency="${TEST_CONCURRENCY:-3}" --test-timeout=300000 "test/**/*.test.ts"
