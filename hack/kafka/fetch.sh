#!/usr/bin/env bash
# Copies the pinned Apache Kafka jars (hack/kafka/pom.xml) into
# ${KDR_CACHE_DIR:-~/.cache/kdr}/kafka-<version>/lib with Maven's dependency plugin.
# Idempotent: once the cache holds them (a stamp file names the pom's hash) it does
# nothing and needs no network. Prints the cache directory on stdout.
#   hack/kafka/fetch.sh [--print-dir]     --print-dir: only print where the jars go
# KDR_KAFKA_VERSION=3.9.1 (any version Maven Central serves) fetches that release
# instead of the pom's; hack/kafka-real and the test bed then run it (the matrix's
# second column).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pinned=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
version=${KDR_KAFKA_VERSION:-$pinned}
cache=${KDR_CACHE_DIR:-$HOME/.cache/kdr}/kafka-$version
if [ "${1:-}" = "--print-dir" ]; then
  echo "$cache"
  exit 0
fi
if [ "$version" = "$pinned" ]; then
  stamp="$cache/lib/.fetched-$(sha256sum "$here/pom.xml" | cut -c1-16)"
else
  stamp="$cache/lib/.fetched-$( (cat "$here/pom.xml"; echo "$version") | sha256sum | cut -c1-16)"
fi
if [ -f "$stamp" ]; then
  echo "$cache"
  exit 0
fi
command -v mvn >/dev/null || { echo "fetch: Maven (mvn) is needed to fetch Kafka $version" >&2; exit 1; }
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/lib.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetch: copying Apache Kafka $version jars into $cache/lib" >&2
start=$(date +%s)
mvn -B -q -f "$here/pom.xml" ${KDR_MAVEN_OPTS:-} -Dkafka.version="$version" dependency:copy-dependencies \
  -DoutputDirectory="$tmp" >&2
touch "$tmp/$(basename "$stamp")"
rm -rf "$cache/lib"
mv "$tmp" "$cache/lib"
trap - EXIT
echo "fetch: done in $(( $(date +%s) - start )) s ($(ls "$cache/lib" | wc -l) jars)" >&2
echo "$cache"
