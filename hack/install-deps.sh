#!/usr/bin/env bash
# Installs the Debian packages kdr builds, tests and demos with, only those missing.
# Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  librdkafka-dev libyaml-dev libgit2-dev libcurl4-openssl-dev libjansson-dev
  libcmocka-dev libpcre2-dev libmicrohttpd-dev libssl-dev
  kcat python3-kafka python3-yaml curl git valgrind lua5.4
  openjdk-17-jdk-headless maven
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Apache Kafka jars of the real backend (hack/kafka-real); nothing when cached.
"$(dirname "$0")/kafka/fetch.sh" >/dev/null

# The real Kubernetes API server of the operator tests (hack/kube-real): built from the
# Go module proxy once (several minutes), nothing when cached; a failed build only
# makes those tests say so.
"$(dirname "$0")/kube/build.sh" >/dev/null || echo "install-deps: building kube-apiserver failed; the Kubernetes tests report it" >&2
