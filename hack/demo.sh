#!/usr/bin/env bash
# The demo: kdr's main job against sandbox clusters (default) or real Apache
# Kafka + Kafka Connect/MirrorMaker 2 (--kafka). Installs what is missing,
# builds, starts kdr-sandbox (or hack/kafka-real) with the clusters of
# hack/demo-sandbox.yaml (two data centres with Kafka Connect, and a stretch
# cluster) on free ports, puts examples/ pointed at them into a local Git
# repository, then:
#   validate -> plan -> apply -> plan again (empty) -> (--kafka: a record
#   replicated east -> west by real MM2) -> a pull request's plan as a markdown
#   comment -> merge -> the `kdr run` loop applies the new commit -> drift by
#   hand -> the loop repairs it, keeping the unmanaged override
set -euo pipefail

usage() {
  cat <<'EOF'
usage: hack/demo.sh [--kafka] [--help]
  (default)  the story on kdr-sandbox: fake Kafka/Connect speaking the real protocols, ready in ms
  --kafka    the same story on real Apache Kafka 4.1 (KRaft) and Kafka Connect with MirrorMaker 2
             (hack/kafka-real; a minute or so to start), with a record replicated east -> west
Every port is chosen free at start-up.
EOF
}
backend=sandbox
for arg in "$@"; do
  case "$arg" in
    --kafka) backend=kafka ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo: unknown argument '$arg'" >&2; usage >&2; exit 64 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./hack/install-deps.sh
build="$root/build/release"
mkdir -p "$root/build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
cmake --build "$build" -j"$(nproc)" --target kdr kdr-sandbox >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
kdr="$build/kdr"
if [ "$backend" = kafka ]; then
  bed_bin="$root/hack/kafka-real" bed_name=hack/kafka-real bed_wait=300 bed_what="real Kafka clusters and Connect workers"
else
  bed_bin="$build/kdr-sandbox" bed_name=kdr-sandbox bed_wait=10 bed_what="sandbox clusters"
fi

work=$(mktemp -d)
sandbox_pid= loop_pid=
cleanup() {
  [ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null && wait "$loop_pid" 2>/dev/null
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
git_commit() { git -C "$repo" -c user.name=demo -c user.email=demo@example.com commit -q "$@"; }
wait_for() { # seconds command...: poll until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

step "start the $bed_what" "$bed_name --config hack/demo-sandbox.yaml --ready-file ready.json"
"$bed_bin" --config hack/demo-sandbox.yaml --ready-file "$work/ready.json" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
started=$SECONDS
until [ -s "$work/ready.json" ]; do
  kill -0 "$sandbox_pid" 2>/dev/null && [ $((SECONDS - started)) -le "$bed_wait" ] \
    || { cat "$work/sandbox.log"; echo "demo: $bed_name did not start" >&2; exit 1; }
  sleep 0.2
done
echo "ready in $((SECONDS - started)) s"
cat "$work/ready.json"; echo

step "the topology lives in Git" "hack/examples-for ready.json topology (examples/ on the ports above) && git commit"
repo="$work/topology"
git init -q -b main "$repo"
"$root/hack/examples-for" "$work/ready.json" "$repo" "$root/examples"
git -C "$repo" add .
git_commit -m "Two-DC active-active topology with a stretch cluster"
git -C "$repo" log --oneline

step "validate the desired state" "kdr validate --git topology"
"$kdr" validate --git "$repo"

step "plan: what would change" "kdr plan --git topology"
"$kdr" plan --git "$repo"

step "apply it" "kdr apply --git topology --yes"
"$kdr" apply --git "$repo" --yes

step "plan again: nothing left to do" "kdr plan --git topology --detailed-exitcode"
"$kdr" plan --git "$repo" --detailed-exitcode

step "the flows' connectors on the Connect workers" "curl \$CONNECT/connectors?expand=status; kdr status --git topology"
for cluster in dc-east dc-west; do
  url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"][sys.argv[2]]["connect"])' "$work/ready.json" "$cluster")
  printf '%s: ' "$cluster"
  curl -fsS "$url/connectors?expand=status" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(", ".join("%s %s (%d tasks)" % (n, v["status"]["connector"]["state"], len(v["status"]["tasks"])) for n, v in sorted(d.items())))'
done
if [ "$backend" = kafka ]; then
  step "real MirrorMaker 2: a record produced on dc-east appears on dc-west as dc-east.orders" \
    "python3-kafka: produce to orders on dc-east; consume dc-east.orders on dc-west"
  /usr/bin/python3 - "$work/ready.json" <<'PY' || { echo "demo: the record was not replicated" >&2; exit 1; }
import json, sys, time
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
ready = json.load(open(sys.argv[1]))["clusters"]
producer = KafkaProducer(bootstrap_servers=ready["dc-east"]["bootstrap"].split(","), acks="all")
producer.send("orders", key=b"order-42", value=b'{"item": "book", "qty": 1}', headers=[("source", b"demo")]).get(30)
producer.close()
sent = time.time()
print('produced on dc-east orders: key=order-42 value={"item": "book", "qty": 1} headers=source:demo')
consumer = KafkaConsumer(bootstrap_servers=ready["dc-west"]["bootstrap"].split(","), auto_offset_reset="earliest",
                         enable_auto_commit=False)
while time.time() < sent + 180:
    parts = consumer.partitions_for_topic("dc-east.orders")
    if not parts:
        consumer.poll(500)
        continue
    tps = [TopicPartition("dc-east.orders", p) for p in parts]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    end = time.time() + 3
    while time.time() < end:
        for batch in consumer.poll(500).values():
            for m in batch:
                if m.key == b"order-42":
                    print("consumed on dc-west dc-east.orders p%d@%d: key=%s value=%s headers=%s (%.1f s after the send)"
                          % (m.partition, m.offset, m.key.decode(), m.value.decode(),
                             ",".join("%s:%s" % (k, v.decode()) for k, v in m.headers), time.time() - sent))
                    sys.exit(0)
sys.exit(1)
PY
  wait_for 120 "$kdr" status --git "$repo" || true
  "$kdr" status --git "$repo" || true
else
  # The sandbox's Connect runs no MirrorMaker 2 code, so the remote topics never appear: status says so.
  "$kdr" status --git "$repo" || true
fi

step "MirrorMaker 2 as a standalone mm2.properties (same flows)" "kdr render --git topology --format mm2-properties"
"$kdr" render --git "$repo" --format mm2-properties | head -40
echo "..."

listen=127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "start the loop: it applies each commit of main" "kdr run --git topology --ref main --interval 5s --listen $listen &"
"$kdr" run --git "$repo" --ref main --interval 5s --listen "$listen" >"$work/run.log" 2>&1 &
loop_pid=$!
wait_for 30 curl -fsS "http://$listen/readyz" || { cat "$work/run.log"; echo "demo: the loop did not get ready" >&2; exit 1; }
echo "ready"

step "a pull request adds a topic and grows orders" "git checkout -b add-invoices && edit topics.yaml && git commit"
git -C "$repo" checkout -q -b add-invoices
python3 - "$repo/topics.yaml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("    - name: orders\n      partitions: 12", "    - name: orders\n      partitions: 16", 1)
text = text.replace("    - name: events\n", "    - name: events\n    - name: invoices\n      partitions: 3\n", 1)
open(path, "w").write(text)
PY
git_commit -am "Add invoices, grow orders to 16 partitions"

step "the PR comment kdr would post" "kdr plan --git topology --ref add-invoices --base main --cluster dc-east --format markdown"
"$kdr" plan --git "$repo" --ref add-invoices --base main --cluster dc-east --format markdown

step "merge: the loop sees the new commit on main and applies it" "git checkout main && git merge add-invoices"
git -C "$repo" checkout -q main
git -C "$repo" merge -q --ff-only add-invoices
head=$(git -C "$repo" rev-parse HEAD)
wait_for 60 sh -c "curl -fsS http://$listen/metrics | grep -q 'revision=\"$head\"'" \
  || { tail -20 "$work/run.log"; echo "demo: the loop did not apply $head" >&2; exit 1; }
wait_for 30 "$kdr" plan --git "$repo" --detailed-exitcode || true
grep -E '"msg"|cycle' "$work/run.log" | tail -3
curl -fsS "http://$listen/metrics" | grep -E '^kdr_(info|reconcile_cycles_total|actions_total)' | head -8

step "drift: someone changes a managed config by hand" "python3-kafka: alter_configs orders retention.ms=1000 segment.ms=3600000"
/usr/bin/python3 - "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["dc-east"]["bootstrap"])' "$work/ready.json")" <<'PY'
import sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","), client_id="operator-by-hand")
# AlterConfigs replaces the whole set: this also drops min.insync.replicas.
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "orders", configs={"retention.ms": "1000", "segment.ms": "3600000"})])
admin.close()
print("orders on dc-east: retention.ms=1000, segment.ms=3600000 (unmanaged), min.insync.replicas dropped")
PY

step "what the loop will fix" "kdr plan --git topology --cluster dc-east"
"$kdr" plan --git "$repo" --cluster dc-east || true

step "the loop repairs the drift on its next cycle (level-triggered), unmanaged override kept" "kdr plan --git topology --detailed-exitcode"
wait_for 30 "$kdr" plan --git "$repo" --detailed-exitcode || { tail -20 "$work/run.log"; exit 1; }
"$kdr" plan --git "$repo" --detailed-exitcode
/usr/bin/python3 - "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["dc-east"]["bootstrap"])' "$work/ready.json")" <<'PY'
import sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","), client_id="check")
res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "orders")])[0].resources[0][4]
conf = {c[0]: c[1] for c in res}
print("orders on dc-east now: retention.ms=%s min.insync.replicas=%s segment.ms=%s" % (conf["retention.ms"], conf["min.insync.replicas"], conf["segment.ms"]))
admin.close()
PY

step "stop the loop" "kill -TERM <kdr run>"
kill -TERM "$loop_pid"; wait "$loop_pid"; echo "kdr run exited $?"; loop_pid=
echo
echo "demo: done (backend $backend)"
