#!/usr/bin/env bash
# The README's main job: set up, then run the demo on Node 24 against a
# single-node Kubernetes on this machine (test/support/cluster).
#   npm run demo            leaves the cluster up, so the next run takes under a minute
#   npm run demo -- --down  also stops the cluster at the end
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
if [ ! -x .tools/cluster/bin/kube-apiserver ] || [ ! -x node_modules/.bin/node ]; then
  echo "[demo] first run: installing Node 24, OpenBao, PostgreSQL, helm, and building Kubernetes" >&2
  echo "[demo] and etcd from the Go module proxy (about 20 minutes on 2 idle cores from empty caches, longer" >&2
  echo "[demo] on a busy machine; each step prints its time). Then the images and the cluster" >&2
  echo "[demo] (about 1 minute) and the demo itself (under 1 minute). Later runs skip the builds." >&2
fi
# shellcheck source=setup.sh
source test/scripts/setup.sh
export PATH="$root/node_modules/.bin:$PATH"
exec node test/demo/run.ts "$@"
