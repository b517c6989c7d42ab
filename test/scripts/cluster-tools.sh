#!/usr/bin/env bash
# Installs what the single-node test cluster needs, idempotently, into
# .tools/cluster (binaries and images, each with a version stamp):
#   - kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl
#     (Kubernetes v1.37.2, built from the Go module proxy through the wrapper
#     module in test/cluster/kube-build);
#   - etcd 3.6.16 (test/cluster/etcd-build);
#   - containerd, runc, the CNI plugins and umoci from Debian packages;
#   - the pod sandbox image (pause) and the tests' probe image, static C
#     programs packaged as OCI archives.
# Sourced by setup.sh; exports CLUSTER_BIN_DIR, CLUSTER_IMAGES_DIR and CNI_BIN_DIR.
# Needs root (the kubelet, containerd and runc do) and a Debian-like system.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

KUBE_VERSION=v1.37.2
ETCD_VERSION=v3.6.16
KUBE_COMPONENTS="kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl"
tools="$root/.tools/cluster"
bin="$tools/bin"
images="$tools/images"

clog() { printf '[setup] %s\n' "$*" >&2; }
# Runs a step and prints how long it took, so the first run's cost stays visible.
timed() {
  local what="$1" start=$SECONDS
  shift
  "$@"
  clog "$what: done in $((SECONDS - start)) s"
}
# A stamp names the version and hashes the inputs, so a change rebuilds.
stamp_of() { printf '%s %s' "$1" "$(cat "${@:2}" | sha256sum | cut -c1-16)"; }
stamp_ok() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }

if [ "$(id -u)" != 0 ]; then
  clog "the cluster tests run a kubelet, containerd and runc, which need root: run npm test as root"
  exit 1
fi
if ! command -v go >/dev/null 2>&1; then
  clog "the cluster tools are built with Go: install Go (https://go.dev/dl) first"
  exit 1
fi
mkdir -p "$bin" "$images"

# Debian packages: installed once, only when one is missing.
install_debs() {
  local missing=()
  command -v containerd >/dev/null 2>&1 || missing+=(containerd)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  command -v umoci >/dev/null 2>&1 || missing+=(umoci)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -n "$(ls /usr/lib/*/libc.a 2>/dev/null)" ] || missing+=(libc6-dev)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  if [ "${#missing[@]}" -gt 0 ]; then
    clog "installing ${missing[*]} from Debian packages (about 1 minute)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}
timed "Debian packages (containerd, runc, CNI plugins, umoci)" install_debs

# Kubernetes: the flags are part of the Go build cache key, keep them stable.
kube_src="$root/test/cluster/kube-build"
kube_stamp="$(stamp_of "$KUBE_VERSION" "$kube_src/go.mod" "$kube_src/go.sum")"
build_kube() {
  local name ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
  for name in $KUBE_COMPONENTS; do
    clog "  go build $name"
    (cd "$kube_src" && go build -trimpath -ldflags "$ldflags" -o "$bin/$name.tmp" "k8s.io/kubernetes/cmd/$name") >&2
    mv "$bin/$name.tmp" "$bin/$name"
  done
  echo "$kube_stamp" >"$bin/.kube-version"
}
if ! stamp_ok "$bin/.kube-version" "$kube_stamp"; then
  clog "building Kubernetes $KUBE_VERSION ($KUBE_COMPONENTS) into .tools/cluster/bin"
  clog "  first time only: about 13 minutes on 2 idle cores with an empty Go cache, downloads included"
  timed "Kubernetes $KUBE_VERSION" build_kube
fi

etcd_src="$root/test/cluster/etcd-build"
etcd_stamp="$(stamp_of "$ETCD_VERSION" "$etcd_src/go.mod" "$etcd_src/go.sum" "$etcd_src/main.go")"
build_etcd() {
  (cd "$etcd_src" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" .) >&2
  mv "$bin/etcd.tmp" "$bin/etcd"
  echo "$etcd_stamp" >"$bin/.etcd-version"
}
if ! stamp_ok "$bin/.etcd-version" "$etcd_stamp"; then
  clog "building etcd $ETCD_VERSION into .tools/cluster/bin (first time only: about 1-2 minutes)"
  timed "etcd $ETCD_VERSION" build_etcd
fi

# OCI image archive from one static C program: NAME SOURCE ENTRYPOINT USER.
# The layout names it in full (vaultlet.local/NAME:1): containerd would make
# an extra import-DATE:latest reference for a bare tag.
build_image() {
  local name="$1" src="$2" entry="$3" user="$4" work ref
  work="$(mktemp -d)"
  ref="$work/layout:vaultlet.local/$name:1"
  gcc -static -O2 -Wall -o "$work/prog" "$src"
  umoci init --layout "$work/layout"
  umoci new --image "$ref"
  umoci unpack --image "$ref" "$work/bundle" >/dev/null
  install -m 0755 "$work/prog" "$work/bundle/rootfs$entry"
  umoci repack --image "$ref" "$work/bundle"
  umoci config --image "$ref" --config.entrypoint "$entry" ${user:+--config.user "$user"}
  tar -C "$work/layout" -cf "$images/$name.oci.tar.tmp" .
  mv "$images/$name.oci.tar.tmp" "$images/$name.oci.tar"
  rm -rf "$work"
}
for spec in "pause:/pause:65535:65535" "probe:/probe:"; do
  IFS=: read -r name entry user group <<<"$spec"
  src="$root/test/cluster/images/$name.c"
  img_stamp="$(stamp_of "$name-2" "$src" "${BASH_SOURCE[0]}")"
  if ! stamp_ok "$images/.$name-version" "$img_stamp"; then
    clog "building the $name image (static C program, OCI archive)"
    timed "$name image" build_image "$name" "$src" "$entry" "${user}${group:+:$group}"
    echo "$img_stamp" >"$images/.$name-version"
  fi
done

CLUSTER_BIN_DIR="$bin"
CLUSTER_IMAGES_DIR="$images"
CNI_BIN_DIR=/usr/lib/cni
export CLUSTER_BIN_DIR CLUSTER_IMAGES_DIR CNI_BIN_DIR
