#!/usr/bin/env bash
# Git as the source of truth, end to end:
#  1. a pull request's plan (`kdr plan --git --ref HEAD --base main`) between two
#     commits made with fixed dates (so their ids are stable) matches the golden
#     text and markdown in tests/golden-pr/ (KDR_UPDATE_GOLDEN=1 rewrites them);
#  2. `kdr run --git file://BARE --ref main` against kdr-sandbox: a commit that
#     adds a topic and one that changes a config are applied, a broken commit is
#     refused while the last good state stays applied, the next good commit
#     recovers; /metrics names the applied commit; SIGTERM exits 0.
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
golden="$root/tests/golden-pr"
failures=0
work=$(mktemp -d)
run_pid=
# shellcheck source=lib/bed.sh
. "$root/tests/integration/lib/bed.sh"
bed_init
cleanup() {
  [ -n "$run_pid" ] && kill -KILL "$run_pid" 2>/dev/null
  bed_stop
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
wait_until() { # seconds description command...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { fail "$what (not within the limit)"; return 1; }
    sleep 0.2
  done
}
# Commits with fixed identities and dates: the same content gives the same ids.
commit() { # repo date message
  GIT_AUTHOR_DATE="$2" GIT_COMMITTER_DATE="$2" git -C "$1" -c user.name=kdr-test -c user.email=test@kdr.invalid \
    commit -q -a -m "$3"
}

# --- 1. the pull-request plan, golden ---
pr="$work/pr"
git init -q -b main "$pr"
cat >"$pr/cluster.yaml" <<'YAML'
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: prod}
spec:
  bootstrapServers: prod-1:9092,prod-2:9092,prod-3:9092
YAML
cat >"$pr/topics.yaml" <<'YAML'
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: app}
spec:
  clusters: [prod]
  topics:
    - name: orders
      partitions: 4
  replicationFactor: 3
  config: {retention.ms: "604800000"}
YAML
git -C "$pr" add .
commit "$pr" "2026-01-01T00:00:00Z" "base"
git -C "$pr" checkout -q -b feature
cat >"$pr/topics.yaml" <<'YAML'
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: app}
spec:
  clusters: [prod]
  topics:
    - name: orders
      partitions: 6
    - name: invoices
  replicationFactor: 3
  config: {retention.ms: "86400000"}
YAML
commit "$pr" "2026-01-02T00:00:00Z" "grow orders, add invoices, shorter retention"
for format in text markdown; do
  ext=$([ $format = text ] && echo txt || echo md)
  "$kdr" plan --git "$pr" --ref HEAD --base main --offline "$golden/live.json" --format $format \
    >"$work/plan.$ext" 2>"$work/err"
  rc=$?
  [ $rc -eq 0 ] || { fail "PR plan ($format) exited $rc"; cat "$work/err"; }
  if [ "${KDR_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$work/plan.$ext" "$golden/plan.$ext"
  elif ! diff -u "$golden/plan.$ext" "$work/plan.$ext"; then
    fail "PR plan ($format) differs from tests/golden-pr/plan.$ext (KDR_UPDATE_GOLDEN=1 rewrites it)"
  fi
done

# --- 2. the loop follows main of a bare repository ---
cat >"$work/sandbox.yaml" <<'YAML'
clusters:
  - name: git-a
    brokers: 3
    racks: [a, b, c]
YAML
bed_start "$work/sandbox.yaml" "$work/ready.json" "$work/sandbox.log" || { fail "the $bed_backend bed did not start"; exit 1; }
bootstrap=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["git-a"]["bootstrap"])' "$work/ready.json")
topic_config() { # topic key -> value on the broker (independent client)
  /usr/bin/python3 - "$bootstrap" "$1" "$2" <<'PY'
import sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","), client_id="git-flow-check")
try:
    res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, sys.argv[2])])[0].resources[0]
    print(dict((c[0], c[1]) for c in res[4]).get(sys.argv[3], "") if res[0] == 0 else "")
finally:
    admin.close()
PY
}
config_is() { [ "$(topic_config "$1" "$2")" = "$3" ]; }
has_topic() { kcat -L -b "$bootstrap" -J -m 5 2>/dev/null | /usr/bin/python3 -c 'import json,sys; sys.exit(0 if sys.argv[1] in [t["topic"] for t in json.load(sys.stdin)["topics"]] else 1)' "$1"; }
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
metrics() { curl -fsS --max-time 3 "http://127.0.0.1:$port/metrics"; }
applied() { metrics | grep -q "kdr_info{revision=\"$1\"} 1"; }

bare="$work/topology.git"
clone="$work/clone"
git init -q --bare -b main "$bare"
git init -q -b main "$clone"
cat >"$clone/cluster.yaml" <<YAML
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: git-a}
spec:
  bootstrapServers: $bootstrap
YAML
policy() { # retention extra-topic
  cat >"$clone/topics.yaml" <<YAML
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: app}
spec:
  clusters: [git-a]
  topics: [{name: orders}$2]
  partitions: 3
  replicationFactor: 3
  config: {retention.ms: "$1"}
YAML
}
push() { git -C "$clone" add -A && commit "$clone" "2026-01-0${2}T00:00:00Z" "$1" && git -C "$clone" push -q "$bare" main; }
policy 604800000 ""
git -C "$clone" remote add origin "$bare"
push "add orders" 1

"$kdr" run --git "file://$bare" --ref main --cache-dir "$work/cache" --interval 30s --poll 1s \
  --listen "127.0.0.1:$port" --log-format json >"$work/run.log" 2>&1 &
run_pid=$!
wait_until 30 "commit 1 applied: topic orders exists" has_topic orders
first=$(git -C "$clone" rev-parse HEAD)
wait_until 10 "/metrics names commit 1" applied "$first"

policy 86400000 ""
push "shorter retention" 2
second=$(git -C "$clone" rev-parse HEAD)
wait_until 20 "commit 2 applied: retention.ms=86400000" config_is orders retention.ms 86400000
wait_until 10 "/metrics names commit 2" applied "$second"

echo "this is: [not valid yaml" >"$clone/broken.yaml"
push "a broken document" 3
third=$(git -C "$clone" rev-parse HEAD)
wait_until 20 "the broken commit is reported" grep -q "broken.yaml" "$work/run.log"
grep -q "@ ${third:0:7}" "$work/run.log" || fail "the failure names the commit (broken.yaml:L:C @ ${third:0:7})"
applied "$second" || fail "the last good commit stays the applied one after a broken commit"
config_is orders retention.ms 86400000 || fail "nothing from the broken commit changed the cluster"
curl -fsS --max-time 3 "http://127.0.0.1:$port/healthz" >/dev/null || fail "/healthz after a broken commit"

rm "$clone/broken.yaml"
policy 86400000 ", {name: invoices}"
push "fix, add invoices" 4
fourth=$(git -C "$clone" rev-parse HEAD)
wait_until 20 "commit 4 recovers: topic invoices exists" has_topic invoices
wait_until 10 "/metrics names commit 4" applied "$fourth"

kill -TERM "$run_pid"
for _ in $(seq 1 50); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$run_pid" 2>/dev/null; then
  fail "kdr run did not stop on SIGTERM"
else
  wait "$run_pid"; rc=$?
  [ $rc -eq 0 ] || fail "kdr run exited $rc on SIGTERM"
fi
run_pid=
[ $failures -eq 0 ] || tail -30 "$work/run.log"
echo "git_flow: $failures failure(s) (backend $bed_backend)"
[ $failures -eq 0 ]
