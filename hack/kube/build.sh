#!/usr/bin/env bash
# Builds the test Kubernetes control plane for hack/kube-real, when it is missing:
#   $KDR_CACHE_DIR/kube-<version>/kube-apiserver   k8s.io/kubernetes/cmd/kube-apiserver
#   $KDR_CACHE_DIR/kube-<version>/etcd             ./etcd (go.etcd.io/etcd/server/v3/embed)
# KDR_CACHE_DIR defaults to ~/.cache/kdr. Both come from the Go module proxy through
# this directory's go.mod/go.sum (k8s.io/kubernetes plus the published staging modules).
# Prints the directory on stdout. Idempotent; concurrent callers wait on a lock.
#   --print-dir   print the directory and exit (nothing is built)
#   --force       rebuild even if the binaries exist
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/go.mod")"
if [ -z "$version" ]; then
  echo "kube/build.sh: no k8s.io/kubernetes version in $here/go.mod" >&2
  exit 1
fi
cache="${KDR_CACHE_DIR:-$HOME/.cache/kdr}"
dir="$cache/kube-$version"

force=0
case "${1:-}" in
  --print-dir) echo "$dir"; exit 0 ;;
  --force) force=1 ;;
  "") ;;
  *) echo "usage: hack/kube/build.sh [--print-dir|--force]" >&2; exit 2 ;;
esac

have() { [ -x "$dir/kube-apiserver" ] && [ -x "$dir/etcd" ]; }
if [ "$force" = 0 ] && have; then
  echo "$dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "kube/build.sh: go is not installed; cannot build kube-apiserver $version" >&2
  exit 1
fi

mkdir -p "$cache"
exec 9>"$cache/.kube-$version.lock"
flock 9
if [ "$force" = 0 ] && have; then   # another caller built it while we waited
  echo "$dir"
  exit 0
fi

minor="${version#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
ldflags+=" -X k8s.io/component-base/version.gitVersion=$version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"

tmp="$(mktemp -d "$cache/.kube-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "kube/build.sh: building kube-apiserver $version and etcd into $dir (first time: module download + compile, several minutes)" >&2
cd "$here"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
go build -p "${KDR_KUBE_BUILD_P:-2}" -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
go build -p "${KDR_KUBE_BUILD_P:-2}" -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./etcd
"$tmp/kube-apiserver" --version >&2
mkdir -p "$dir"
mv -f "$tmp/kube-apiserver" "$dir/kube-apiserver"
mv -f "$tmp/etcd" "$dir/etcd"
echo "kube/build.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$dir"
