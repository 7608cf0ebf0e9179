#!/usr/bin/env bash
# `kdr run` end to end against kdr-sandbox, checked with independent clients
# (kcat for topics, curl for the HTTP endpoints): the loop becomes ready and
# creates the declared topic; /metrics carries the cycle counters and the
# revision; a new document is applied within seconds; a broken document is
# reported, nothing is applied from it and the loop keeps running; fixing it
# recovers; SIGTERM exits 0 promptly. `kdr run --once --dry-run` exits 0 and
# changes nothing; `--once` leaving a blocked item exits 2, with nothing pending 0. Bounded well under a minute; children are always killed.
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
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
# The whole script is bounded even if something hangs in a way the checks below miss.
watchdog() {
  sleep $((55 + bed_slack)) &
  local nap=$!
  trap 'kill $nap 2>/dev/null; exit 0' TERM
  wait $nap && { echo "FAIL: controller_run.sh took more than $((55 + bed_slack)) s" >&2; kill -TERM $$; }
}
watchdog &
watchdog_pid=$!
trap 'exit 1' TERM INT
trap 'kill $watchdog_pid 2>/dev/null; cleanup' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# wait_until SECONDS DESCRIPTION COMMAND...: polls every 0.2 s.
wait_until() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -lt $deadline ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "$what (not within ${limit}s)"
  return 1
}
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$listen$1"; }
status_is() { [ "$(http_status "$1")" = "$2" ]; }
# The topics of dc-a as an independent client sees them; kcat retried, since a loaded
# machine can make one Metadata time out, and an unanswered listing must never read as
# "no such topic" (that would pass the absence checks below without checking anything).
topics() {
  local out='' attempt
  for attempt in 1 2 3 4 5; do
    out=$(kcat -L -b "$bootstrap" -J -m 10 2>/dev/null) && break
    out=''; sleep 1
  done
  [ -n "$out" ] || return 1
  /usr/bin/python3 -c 'import json,sys; print("\n".join(sorted(t["topic"] for t in json.load(sys.stdin)["topics"])))' <<<"$out"
}
has_topic() {
  local all
  all=$(topics) || { fail "kcat could not list the topics of dc-a (5 attempts)"; return 2; }
  grep -qx -- "$1" <<<"$all"
}
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# One cluster, three brokers with racks, ephemeral ports.
cat >"$work/sandbox.yaml" <<'EOF'
clusters:
  - name: dc-a
    brokers: 3
    racks: [a, b, c]
EOF
bed_start "$work/sandbox.yaml" "$work/ready.json" "$work/sandbox.log" || { echo "FAIL: the $bed_backend bed did not start"; exit 1; }
bootstrap=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["dc-a"]["bootstrap"])' "$work/ready.json")

desired="$work/desired"
mkdir -p "$desired"
cat >"$desired/cluster.yaml" <<EOF
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: dc-a}
spec:
  bootstrapServers: $bootstrap
EOF
policy() { # NAME TOPIC
  cat <<EOF
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: $1}
spec:
  clusters: [dc-a]
  partitions: 3
  replicationFactor: 3
  config: {retention.ms: "86400000"}
  topics: [$2]
EOF
}
# Written to a temporary name and renamed, as an editor or a git checkout would.
put() { printf '%s\n' "$2" >"$desired/.$1.tmp" && mv "$desired/.$1.tmp" "$desired/$1"; }
put core.yaml "$(policy core orders)"

# The independent client sees the sandbox (so "topic absent" below means absent, not unreadable).
kcat -L -b "$bootstrap" -J -m 5 >/dev/null 2>&1 || { echo "FAIL: kcat cannot read the sandbox"; exit 1; }

# --once --dry-run: exit 0, nothing created.
"$kdr" run "$desired" --once --dry-run >"$work/once.out" 2>"$work/once.log"
rc=$?
[ $rc -eq 0 ] || { fail "run --once --dry-run: exit $rc, expected 0"; cat "$work/once.log"; }
grep -q 'drift (dry run: not applied).*resource=orders' "$work/once.log" || { fail "dry run did not report the missing topic"; cat "$work/once.log"; }
grep -q 'result=success' "$work/once.log" || fail "dry run cycle not successful"
has_topic orders && fail "run --once --dry-run created a topic"

# The loop.
listen="127.0.0.1:$(free_port)"
"$kdr" run "$desired" --interval 2s --listen "$listen" --log-format json >"$work/run.out" 2>"$work/run.log" &
run_pid=$!

wait_until 15 "/readyz 200" status_is /readyz 200
status_is /healthz 200 || fail "/healthz is not 200 while the loop runs"
wait_until 5 "topic 'orders' created by the loop" has_topic orders
curl -s --max-time 3 "http://$listen/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
grep -q '^# TYPE kdr_reconcile_cycles_total counter$' "$work/metrics.txt" || fail "/metrics lacks kdr_reconcile_cycles_total's TYPE"
grep -Eq '^kdr_reconcile_cycles_total\{result="success"\} [1-9][0-9]*$' "$work/metrics.txt" || fail "/metrics counts no successful cycle"
grep -Eq '^kdr_info\{revision="[0-9a-f]{16}"\} 1$' "$work/metrics.txt" || fail "/metrics lacks kdr_info with a revision label"
grep -Eq '^kdr_actions_total\{kind="create-topic",result="succeeded"\} 1$' "$work/metrics.txt" || fail "/metrics lacks the create-topic action"
grep -Eq '^kdr_cluster_backoff_seconds\{cluster="dc-a"\} 0$' "$work/metrics.txt" || fail "/metrics lacks the cluster's backoff gauge"
[ $failures -eq 0 ] || cat "$work/metrics.txt"
# Every log line is one JSON object with ts, level and msg.
/usr/bin/python3 - "$work/run.log" <<'PY' || fail "the JSON log has malformed lines"
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    obj = json.loads(line)
    assert {"ts", "level", "msg"} <= obj.keys(), (n, line)
    if obj["msg"] == "reconcile cycle finished":
        assert {"cycle", "revision", "result", "clusters", "succeeded", "failed", "skipped", "dry_run", "held",
                "pending", "blocked", "duration_ms"} <= obj.keys(), line
PY

# A new document: applied within a few seconds (the source is checked every 2 s here).
put events.yaml "$(policy extra events)"
wait_until 8 "topic 'events' created after the directory changed" has_topic events

# A broken document: reported, nothing from it applied, the loop keeps running.
put broken.yaml "$(policy broken payments | sed 's/partitions: 3/partitions: many/')"
wait_until 8 "the rejected revision logged" grep -q '"msg":"desired state rejected; the last good one stays in effect"' "$work/run.log"
grep -q '"msg":"document error".*broken.yaml' "$work/run.log" || fail "the document error is not located in the log"
sleep 2.5 # at least one resync of the last good state
status_is /healthz 200 || fail "/healthz is not 200 after a broken document"
status_is /readyz 200 || fail "/readyz flapped after a broken document"
has_topic payments && fail "a topic of the invalid revision was created"
has_topic orders && has_topic events || fail "the previous topics did not survive the broken document"
kill -0 "$run_pid" 2>/dev/null || fail "kdr run exited after a broken document"
curl -s --max-time 3 "http://$listen/metrics" | grep -Eq '^kdr_source_errors_total [1-9]' || fail "kdr_source_errors_total did not count the rejected revision"

# Fixed: the loop recovers and applies it.
put broken.yaml "$(policy broken payments)"
wait_until 8 "topic 'payments' created after the fix" has_topic payments
wait_until 5 "a successful cycle after the fix" grep -q '"msg":"source usable again"' "$work/run.log"

# SIGTERM: the current cycle finishes, exit 0, promptly.
kill -TERM "$run_pid"
deadline=$((SECONDS + 10))
while kill -0 "$run_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
if kill -0 "$run_pid" 2>/dev/null; then
  fail "kdr run did not exit within 10 s of SIGTERM"
else
  wait "$run_pid"
  rc=$?
  [ $rc -eq 0 ] || fail "kdr run exited $rc after SIGTERM, expected 0"
fi
run_pid=
grep -q '"msg":"controller stopped","signal":15' "$work/run.log" || fail "the stop is not logged"

# --once with something left for a person (a partition decrease is blocked): exit 2, as apply's rule says.
put core.yaml "$(policy core orders | sed 's/partitions: 3/partitions: 1/')"
"$kdr" run "$desired" --once >"$work/blocked.out" 2>"$work/blocked.log"
rc=$?
[ $rc -eq 2 ] || { fail "run --once with a blocked partition decrease: exit $rc, expected 2"; cat "$work/blocked.log"; }
grep -q 'blocked=1' "$work/blocked.log" && grep -q 'kdr run: 1 item(s) pending after the cycle' "$work/blocked.log" ||
  { fail "run --once did not report the blocked item"; cat "$work/blocked.log"; }
put core.yaml "$(policy core orders)"
"$kdr" run "$desired" --once >"$work/settled.out" 2>"$work/settled.log"
rc=$?
[ $rc -eq 0 ] || { fail "run --once with nothing pending: exit $rc, expected 0"; cat "$work/settled.log"; }
# Secrets never reach the log; this cluster has none, but no credential key may appear either.
grep -Eqi 'password|sasl\.jaas' "$work/run.log" && fail "the log mentions credentials"

# The Git source: one cycle at the commit of the ref (the revision logged is the commit id).
if command -v git >/dev/null; then
  repo="$work/repo"
  git init -q -b main "$repo" && mkdir -p "$repo/kdr"
  cp "$desired/cluster.yaml" "$repo/kdr/"
  policy gitops from-git >"$repo/kdr/policy.yaml"
  git -C "$repo" add -A && git -C "$repo" -c user.name=kdr -c user.email=kdr@example.invalid commit -q -m desired
  commit=$(git -C "$repo" rev-parse main)
  "$kdr" run --git "$repo" --ref main --path kdr --once >"$work/git.out" 2>"$work/git.log"
  rc=$?
  [ $rc -eq 0 ] || { fail "run --git --once: exit $rc, expected 0"; cat "$work/git.log"; }
  has_topic from-git || fail "the topic declared in the Git commit was not created"
  grep -q "reconcile cycle finished cycle=1 revision=$commit result=success" "$work/git.log" || { fail "the cycle does not name the commit"; cat "$work/git.log"; }
fi

# One cluster unreachable: it fails (and backs off), the other is still reconciled.
isolated="$work/isolated"
mkdir -p "$isolated"
cp "$desired/cluster.yaml" "$isolated/"
cat >"$isolated/more.yaml" <<'EOF'
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: gone}
spec:
  bootstrapServers: 127.0.0.1:1
---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: both}
spec:
  clusters: [dc-a, gone]
  replicationFactor: 3
  topics: [isolated]
EOF
"$kdr" run "$isolated" --once --timeout 5s >"$work/isolated.out" 2>"$work/isolated.log"
rc=$?
[ $rc -eq 1 ] || fail "run --once with an unreachable cluster: exit $rc, expected 1"
has_topic isolated || fail "the reachable cluster was not reconciled while the other one failed"
grep -q 'error cannot read cluster .*cluster=gone' "$work/isolated.log" || fail "the unreachable cluster's failure is not logged"
grep -q 'warn cluster failed; backing off .*cluster=gone failures=1' "$work/isolated.log" || fail "the unreachable cluster does not back off"
grep -q 'result=failure .*clusters=2 clusters_failed=1 .*succeeded=1' "$work/isolated.log" || fail "the cycle summary does not show one cluster failed, one action applied"
[ $failures -eq 0 ] || cat "$work/isolated.log"

if [ $failures -ne 0 ]; then
  echo "--- kdr run log"; cat "$work/run.log"
  echo "controller_run.sh: $failures failure(s)"
  exit 1
fi
echo "controller_run.sh: ok (backend $bed_backend)"
