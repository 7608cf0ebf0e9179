#!/usr/bin/env bash
# The demo: kdr's main job against sandbox clusters. Installs what is missing,
# builds, starts kdr-sandbox with the clusters of hack/demo-sandbox.yaml
# (two data centres with Kafka Connect, and a stretch cluster), then:
#   validate -> plan -> apply -> plan again (empty) -> drift out of band -> plan/apply fixes it
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./hack/install-deps.sh
build="$root/build/release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target kdr kdr-sandbox >/dev/null
kdr="$build/kdr"

work=$(mktemp -d)
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "start the sandbox clusters" "kdr-sandbox --config hack/demo-sandbox.yaml --ready-file ready.json"
"$build/kdr-sandbox" --config hack/demo-sandbox.yaml --ready-file "$work/ready.json" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -s "$work/ready.json" ] && break; sleep 0.05; done
[ -s "$work/ready.json" ] || { cat "$work/sandbox.log"; echo "demo: sandbox did not start" >&2; exit 1; }
cat "$work/ready.json"; echo

step "validate the desired state" "kdr validate examples/"
"$kdr" validate examples/

step "plan: what would change" "kdr plan examples/"
"$kdr" plan examples/

step "apply it" "kdr apply examples/ --yes"
"$kdr" apply examples/ --yes

step "plan again: nothing left to do" "kdr plan examples/ --detailed-exitcode"
"$kdr" plan examples/ --detailed-exitcode

step "a snapshot of the live state (what plan --offline reads)" "kdr snapshot examples/ --cluster stretch"
"$kdr" snapshot examples/ --cluster stretch >"$work/stretch.json"
head -c 600 "$work/stretch.json"; echo " ..."

step "drift: someone changes a managed config by hand" "kcat-free: python3-kafka alter_configs orders retention.ms=1000"
/usr/bin/python3 - "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["dc-east"]["bootstrap"])' "$work/ready.json")" <<'PY'
import sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","), client_id="operator-by-hand")
# AlterConfigs replaces the whole set: this also drops min.insync.replicas.
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "orders", configs={"retention.ms": "1000", "segment.ms": "3600000"})])
admin.close()
print("orders on dc-east: retention.ms=1000, segment.ms=3600000 (unmanaged), min.insync.replicas dropped")
PY

step "the PR comment for the drift" "kdr plan examples/ --cluster dc-east --format markdown"
"$kdr" plan examples/ --cluster dc-east --format markdown

step "apply fixes the managed keys and keeps the unmanaged override" "kdr apply examples/ --yes"
"$kdr" apply examples/ --yes

step "and the next plan is empty again" "kdr plan examples/ --detailed-exitcode"
"$kdr" plan examples/ --detailed-exitcode
echo
echo "demo: done"
