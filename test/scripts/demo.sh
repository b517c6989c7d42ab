#!/usr/bin/env bash
# The README's main job: set up, then run the demo on Node 24.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PATH="$root/node_modules/.bin:$PATH"
exec node test/demo/run.ts "$@"
