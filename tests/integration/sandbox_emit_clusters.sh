#!/usr/bin/env bash
# issue 14 item 4: `kdr-sandbox --emit-clusters FILE` (and hack/kafka-real's) writes
# the KafkaCluster documents of the clusters it started, so no address is copied
# by hand: the file validates, and kdr plans against it (a topic to create: exit
# 2 with --detailed-exitcode), SASL cluster included (password from the env the
# emitted document names). Backend: either (tests/integration/lib/bed.sh).
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
# shellcheck source=lib/bed.sh
. "$root/tests/integration/lib/bed.sh"
failures=0
work=$(mktemp -d)
cleanup() {
  bed_stop
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
bed_init
cat >"$work/sandbox.yaml" <<'YAML'
clusters:
  - name: dc-a
    brokers: 1
    connect: true
  - name: dc-s
    brokers: 1
    sasl: {username: admin, password: s4ndb0x-pw}
YAML
mkdir -p "$work/desired"
bed_start "$work/sandbox.yaml" "$work/ready.json" "$work/sandbox.err" --emit-clusters "$work/desired/clusters.yaml" ||
  { fail "the bed is not ready"; exit 1; }
[ -s "$work/desired/clusters.yaml" ] || fail "no clusters file written before the ready file"
cat "$work/desired/clusters.yaml"
grep -q "export KDR_SANDBOX_PASSWORD_DC_S=" "$work/sandbox.err" || fail "no hint for the SASL password's env var"
cat >"$work/desired/topics.yaml" <<'YAML'
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: app}
spec:
  clusters: [dc-a, dc-s]
  topics: [{name: emitted}]
  replicationFactor: 1
YAML
"$kdr" validate "$work/desired" >"$work/out" 2>&1 || { cat "$work/out"; fail "the emitted clusters do not validate"; }
export KDR_SANDBOX_PASSWORD_DC_S=s4ndb0x-pw
"$kdr" plan "$work/desired" --detailed-exitcode --timeout 10s >"$work/out" 2>&1
rc=$?
echo "plan against the emitted clusters: exit $rc"
[ $rc -eq 2 ] || { cat "$work/out"; fail "plan exited $rc, not 2"; }
[ "$(grep -c '+ create-topic emitted' "$work/out")" -eq 2 ] || { cat "$work/out"; fail "the topic is not planned on both clusters"; }
echo "sandbox_emit_clusters [$bed_backend]: $failures failure(s)"
[ $failures -eq 0 ]
