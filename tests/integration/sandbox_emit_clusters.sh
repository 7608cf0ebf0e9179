#!/usr/bin/env bash
# issue 14 item 4: `kdr-sandbox --emit-clusters FILE` writes the KafkaCluster
# documents of the clusters it started, so no address is copied by hand: the
# file validates, and kdr plans against it (a topic to create: exit 2 with
# --detailed-exitcode), SASL cluster included (password from the env the
# emitted document names). Backend: kdr-sandbox.
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
sandbox_bin=${KDR_SANDBOX_BIN:-$root/build/asan/kdr-sandbox}
failures=0
work=$(mktemp -d)
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill -TERM "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
echo "backend: kdr-sandbox"
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
"$sandbox_bin" --config "$work/sandbox.yaml" --ready-file "$work/ready.json" --emit-clusters "$work/desired/clusters.yaml" \
  >"$work/sandbox.log" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 50); do [ -s "$work/ready.json" ] && break; sleep 0.2; done
[ -s "$work/ready.json" ] || { cat "$work/sandbox.err"; fail "sandbox not ready"; exit 1; }
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
echo "sandbox_emit_clusters: $failures failure(s)"
[ $failures -eq 0 ]
