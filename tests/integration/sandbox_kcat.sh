#!/usr/bin/env bash
# The test bed (KDR_BACKEND=sandbox: kdr-sandbox, kafka: hack/kafka-real) seen
# by an independent client, kcat (librdkafka underneath, but
# its own command-line path): the process starts from YAML and writes its
# ready file, `kcat -L` lists the brokers (with the controller) and topics,
# `kcat -P`/`-C` round-trip keyed records, SASL/PLAIN credentials are
# enforced, a bad config is refused with file:line:col and exit 64, and
# SIGTERM stops everything with exit 0. Ports are ephemeral, so parallel runs
# do not clash. Exits non-zero on the first failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pid=""
# shellcheck source=lib/bed.sh
. "$root/tests/integration/lib/bed.sh"
bed_init
bin=$bed_bin

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "sandbox_kcat: FAIL: $*" >&2
  [ -f "$work/sandbox.err" ] && sed 's/^/  sandbox stderr: /' "$work/sandbox.err" >&2
  exit 1
}

[ -x "$bin" ] || fail "no $bed_backend bed at $bin (set KDR_SANDBOX_BIN / KDR_KAFKA_REAL_BIN)"
command -v kcat >/dev/null || fail "kcat is not installed"

# A value from the ready file, by /usr/bin/python3 (always present with python3-kafka).
ready_get() {
  /usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["clusters"][sys.argv[2]][sys.argv[3]]; print("null" if v is None else v)' \
    "$work/ready.json" "$1" "$2"
}

cat >"$work/sandbox.yaml" <<'EOF'
clusters:
  - name: dc-east
    brokers: 3
    racks: [east-a, east-b, east-c]
    remoteStorage: true
  - name: dc-secure
    brokers: 1
    sasl: {username: mm2, password: s3cret}
EOF

start=$(date +%s%N)
"$bin" --config "$work/sandbox.yaml" --ready-file "$work/ready.json" >"$work/sandbox.out" 2>"$work/sandbox.err" &
pid=$!
for _ in $(seq 1 $((bed_wait * 20))); do
  [ -f "$work/ready.json" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the bed exited before it was ready"
  sleep 0.05
done
[ -f "$work/ready.json" ] || fail "no ready file after ${bed_wait}s"
echo "ready in $(( ($(date +%s%N) - start) / 1000000 )) ms"

bootstrap=$(ready_get dc-east bootstrap)
[ "$(ready_get dc-east connect)" = null ] || fail "dc-east has no Connect, yet the ready file names one"
[[ "$bootstrap" =~ ^127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+$ ]] || fail "bad bootstrap '$bootstrap'"
grep -q "^dc-east bootstrap=$bootstrap connect=- clusterId=$(ready_get dc-east clusterId)\$" "$work/sandbox.out" ||
  fail "stdout does not repeat the ready file: $(cat "$work/sandbox.out")"

kc() { timeout 20 kcat -b "$bootstrap" "$@"; }

# -L: the three brokers on their ports, broker 1 the controller (the sandbox's rule:
# the lowest live id); on KRaft Kafka Metadata names any live broker as controller.
kc -L >"$work/list.txt" 2>&1 || fail "kcat -L: $(cat "$work/list.txt")"
grep -q ' 3 brokers:' "$work/list.txt" || fail "kcat -L does not show 3 brokers: $(cat "$work/list.txt")"
IFS=, read -r -a addresses <<<"$bootstrap"
for i in 1 2 3; do
  grep -q "broker $i at ${addresses[$((i - 1))]}" "$work/list.txt" || fail "broker $i missing from kcat -L"
done
if [ "$bed_backend" = sandbox ]; then
  grep -q 'broker 1 at .*(controller)' "$work/list.txt" || fail "broker 1 is not the controller in kcat -L"
else
  grep -q 'broker [123] at .*(controller)' "$work/list.txt" || fail "no controller in kcat -L"
fi

# -P then -C: keyed records round-trip; the producer's metadata request auto-creates the topic.
printf 'k1:alpha\nk2:beta\nk3:gamma\n' | kc -P -t kcat-roundtrip -K: || fail "kcat -P"
kc -C -t kcat-roundtrip -o beginning -e -q -f '%k=%s@%o\n' >"$work/consumed.txt" || fail "kcat -C"
diff <(printf 'k1=alpha@0\nk2=beta@1\nk3=gamma@2\n') "$work/consumed.txt" || fail "records differ"

# The topic shows up in -L with its partition, leader and replicas.
kc -L -t kcat-roundtrip >"$work/topic.txt" 2>&1 || fail "kcat -L -t"
grep -q 'topic "kcat-roundtrip" with 1 partitions' "$work/topic.txt" || fail "topic not listed: $(cat "$work/topic.txt")"
grep -Eq 'partition 0, leader [123], replicas: [123], isrs: [123]' "$work/topic.txt" || fail "partition line wrong"

# A consumer group reads the same records and commits.
kc -G kcat-group -o beginning -e -q -f '%s\n' kcat-roundtrip >"$work/group.txt" 2>/dev/null || fail "kcat -G"
[ "$(sort "$work/group.txt" | tr '\n' ' ')" = "alpha beta gamma " ] || fail "group consumer read: $(cat "$work/group.txt")"

# SASL/PLAIN: the right credentials list the cluster, wrong ones do not.
secure=$(ready_get dc-secure bootstrap)
timeout 20 kcat -b "$secure" -L -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN \
  -X sasl.username=mm2 -X sasl.password=s3cret >"$work/sasl.txt" 2>&1 || fail "SASL with good credentials: $(cat "$work/sasl.txt")"
grep -q ' 1 brokers:' "$work/sasl.txt" || fail "SASL listing"
if timeout 20 kcat -b "$secure" -L -m 2 -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN \
  -X sasl.username=mm2 -X sasl.password=wrong >"$work/sasl-bad.txt" 2>&1; then
  fail "SASL with a wrong password succeeded"
fi
grep -q 'Authentication failed' "$work/sasl-bad.txt" || fail "no authentication error: $(cat "$work/sasl-bad.txt")"

# SIGTERM: clean exit 0 (under ASan this also checks for leaks), no process or port left.
children=$(pgrep -P "$pid" || true)
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "the bed exited $rc on SIGTERM"
for child in $children; do
  kill -0 "$child" 2>/dev/null && fail "process $child of the bed is left after SIGTERM"
done
for address in ${bootstrap//,/ } $secure; do
  (exec 3<>"/dev/tcp/${address%:*}/${address#*:}") 2>/dev/null && fail "$address still listens after SIGTERM"
done

# A bad config names file:line:col and exits 64.
printf 'clusters:\n  - name: x\n    brokers: many\n' >"$work/bad.yaml"
rc=0
"$bin" --config "$work/bad.yaml" 2>"$work/bad.err" || rc=$?
[ "$rc" -eq 64 ] || fail "bad config exited $rc, not 64"
grep -q "bad.yaml:3:14: 'brokers' must be an integer" "$work/bad.err" || fail "bad config message: $(cat "$work/bad.err")"

echo "sandbox_kcat: ok (backend $bed_backend)"
