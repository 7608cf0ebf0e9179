#!/usr/bin/env bash
# issue 14 items 2 and 5: what kdr could not read is an error with its reason,
# in every format, never "No changes".
#  1. a Connect that answers 500 on every request, and one that is unreachable:
#     `plan --detailed-exitcode` exits 1 in text, markdown and json, the plan
#     (stdout) names the Connect and the reason; `apply --yes` exits 1 and
#     applies nothing (the pending topic is not created).
#  2. an unreachable Kafka cluster: the plan (stdout, all three formats) says
#     why ("Connection refused" / "no broker answered"), not only stderr.
# Backend: either test bed (tests/integration/lib/bed.sh). A Connect answering
# 500 to every request is a per-request fault no real worker has: a python3
# listener stands in for it on both. The unreachable Kafka is the cluster's
# only broker stopped (the bed's control channel) on both; the unreachable
# Connect is, on kafka, the real worker process killed, on sandbox a dead port
# (kdr-sandbox's worker lives in memory).
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
# shellcheck source=lib/bed.sh
. "$root/tests/integration/lib/bed.sh"
failures=0
work=$(mktemp -d)
http_pid=
cleanup() {
  [ -n "$http_pid" ] && kill -TERM "$http_pid" 2>/dev/null
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
bed_init
echo "Connect answering 500: a python3 HTTP listener (stand-in for a per-request fault)"

/usr/bin/python3 - "$work/http.port" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"error_code":500,"message":"Request timed out"}'
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_PUT = do_POST = do_GET
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
http_pid=$!
connect=false
[ "$bed_backend" = kafka ] && connect=true
cat >"$work/sandbox.yaml" <<YAML
clusters:
  - name: dc-a
    brokers: 1
    connect: $connect
YAML
bed_start "$work/sandbox.yaml" "$work/ready.json" "$work/sandbox.log" || { fail "the bed is not ready"; exit 1; }
wait_until 10 "listener ready" test -s "$work/http.port" || exit 1
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["dc-a"][sys.argv[2]])' "$work/ready.json" "$1"; }
bootstrap=$(field bootstrap)
port=$(cat "$work/http.port")
dead_connect=http://127.0.0.1:1
if [ "$bed_backend" = kafka ]; then
  dead_connect=$(field connect)
  bed_control "$work/ready.json" connect-down dc-a || { fail "could not kill the Connect worker"; exit 1; }
  echo "unreachable Connect: the real worker at $dead_connect, killed (SIGKILL)"
fi

desired() { # dir bootstrap connect-url
  mkdir -p "$1"
  cat >"$1/all.yaml" <<YAML
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: dc-a}
spec:
  bootstrapServers: $2
  connect: {url: "$3"}
---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: app}
spec:
  clusters: [dc-a]
  topics: [{name: pending-topic}]
  replicationFactor: 1
YAML
}

# --- 1. Connect unreadable ---
for case in http500 unreachable; do
  url=$([ $case = http500 ] && echo "http://127.0.0.1:$port" || echo "$dead_connect")
  dir="$work/$case"
  desired "$dir" "$bootstrap" "$url"
  for format in text markdown json; do
    "$kdr" plan "$dir" --detailed-exitcode --timeout 5s --format $format >"$work/out" 2>"$work/err"
    rc=$?
    echo "$case plan --format $format: exit $rc"
    [ $rc -eq 1 ] || fail "$case: plan --detailed-exitcode --format $format exited $rc, not 1"
    grep -q "connect '$url' could not be read: " "$work/out" \
      || { cat "$work/out"; fail "$case ($format): the plan does not say the Connect could not be read, and why"; }
    if [ $case = http500 ]; then
      grep -q "HTTP 500" "$work/out" || fail "$case ($format): the plan does not give the HTTP status"
    fi
    if grep -q "No changes" "$work/out"; then fail "$case ($format): plan says No changes"; fi
  done
  "$kdr" apply "$dir" --yes --timeout 5s >"$work/out" 2>"$work/err"
  rc=$?
  echo "$case apply: exit $rc"
  [ $rc -eq 1 ] || fail "$case: apply exited $rc, not 1"
  # All topics (no -t: a Metadata request naming the topic could auto-create it).
  if kcat -L -b "$bootstrap" -m 5 2>/dev/null | grep -q 'topic "pending-topic" with'; then
    fail "$case: apply created pending-topic although the plan had errors"
  fi
done

# --- 2. Kafka unreachable: the reason in the plan ---
dir="$work/kafka-down"
bed_control "$work/ready.json" broker-down dc-a 1 || { fail "could not stop the broker"; exit 1; }
echo "unreachable Kafka: the cluster's only broker ($bootstrap), stopped"
desired "$dir" "$bootstrap" "http://127.0.0.1:$port"
for format in text markdown json; do
  "$kdr" plan "$dir" --detailed-exitcode --timeout 3s --format $format >"$work/out" 2>"$work/err"
  rc=$?
  echo "kafka-down plan --format $format: exit $rc"
  [ $rc -eq 1 ] || fail "kafka-down: plan --format $format exited $rc, not 1"
  grep -q "cluster 'dc-a' could not be read: " "$work/out" \
    || { cat "$work/out"; fail "kafka-down ($format): the reason is not in the plan"; }
  grep -Eqi "refused|no broker answered" "$work/out" || fail "kafka-down ($format): no cause in the plan"
done

echo "unread_is_error [$bed_backend]: $failures failure(s)"
[ $failures -eq 0 ]
