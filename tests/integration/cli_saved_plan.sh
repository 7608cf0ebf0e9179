#!/usr/bin/env bash
# Saved plans at the CLI, against kdr-sandbox: `kdr plan DIR --out PLAN.json`
# then `kdr apply PLAN.json --source DIR --yes` applies exactly that plan; a
# saved plan is refused (exit 1, "has changed since", nothing applied) once
# the live state it was made from has moved, by its own apply or by an
# out-of-band change (python3-kafka AlterConfigs, kcat/python3-kafka checks);
# a fresh plan then converges and keeps the out-of-band override.
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
python=/usr/bin/python3
failures=0
work=$(mktemp -d)
# shellcheck source=lib/bed.sh
. "$root/tests/integration/lib/bed.sh"
bed_init

cleanup() {
  bed_stop
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_exit() { # expected-code description command...
  local want=$1 what=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$what: exit $got, expected $want"; cat "$work/out" "$work/err"
  fi
}
expect_in() { # file needle description
  grep -qF -- "$2" "$1" || { fail "$3: '$2' not in $(basename "$1"):"; cat "$1"; }
}

# One cluster on ephemeral ports; the ready file says where.
cat >"$work/sandbox.yaml" <<'EOF'
clusters:
  - name: dc-east
    brokers: 3
    racks: [east-a, east-b, east-c]
    autoCreateTopics: false
EOF
bed_start "$work/sandbox.yaml" "$work/ready.json" "$work/sandbox.log" || { echo "FAIL: the $bed_backend bed did not become ready"; exit 1; }
bootstrap=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["dc-east"]["bootstrap"])' \
  "$work/ready.json")

# Independent views of the cluster: python3-kafka for configs, kcat for topics.
overrides() { # topic -> "key=value" lines of its dynamic overrides, sorted
  "$python" - "$bootstrap" "$1" <<'EOF'
import sys
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","), client_id="saved-plan-check")
res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, sys.argv[2])])[0].resources[0]
# entries: (name, value, read_only, config_source, is_sensitive, synonyms); source 1 = DYNAMIC_TOPIC_CONFIG
for entry in sorted(e for e in res[4] if e[3] == 1):
    print(f"{entry[0]}={entry[1]}")
admin.close()
EOF
}
alter_out_of_band() { # topic key=value... : a legacy AlterConfigs, which replaces the topic's whole dynamic set
  "$python" - "$bootstrap" "$@" <<'EOF'
import sys
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","), client_id="out-of-band")
configs = dict(kv.split("=", 1) for kv in sys.argv[3:])
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, sys.argv[2], configs=configs)])
admin.close()
EOF
}
topics() { # sorted topic names, as kcat sees them
  timeout 30 kcat -L -J -m 10 -b "$bootstrap" 2>/dev/null |
    "$python" -c 'import json,sys; print("\n".join(sorted(t["topic"] for t in json.load(sys.stdin)["topics"])))'
}

desired=$work/desired
mkdir "$desired"
cat >"$desired/clusters.yaml" <<EOF
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: dc-east}
spec:
  bootstrapServers: $bootstrap
EOF
write_topics() { # retention.ms of the policy
  cat >"$desired/topics.yaml" <<EOF
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: core}
spec:
  clusters: [dc-east]
  topics: [orders, events]
  partitions: 3
  replicationFactor: 3
  config: {min.insync.replicas: "2", retention.ms: "$1"}
  placement: {strategy: rack-aware}
EOF
}
write_topics 604800000

# 1. A saved plan applies exactly what it says.
expect_exit 0 "plan --out" "$kdr" plan "$desired" --out "$work/p1.json"
expect_in "$work/out" "+ create-topic" "plan shows the creates"
[ -s "$work/p1.json" ] || fail "plan --out wrote no file"
expect_in "$work/p1.json" '"kdrPlan": 1' "the saved plan is plan JSON"
expect_exit 0 "apply saved plan" "$kdr" apply "$work/p1.json" --source "$desired" --yes
expect_in "$work/out" "Applied: 2 succeeded, 0 failed, 0 skipped" "apply reports both creates"
[ "$(topics | tr '\n' ' ')" = "events orders " ] || fail "topics after apply: $(topics | tr '\n' ' ')"
[ "$(overrides orders | tr '\n' ' ')" = "min.insync.replicas=2 retention.ms=604800000 " ] ||
  fail "orders overrides after apply: $(overrides orders | tr '\n' ' ')"
expect_exit 0 "plan after apply is empty" "$kdr" plan "$desired" --detailed-exitcode

# 2. The same plan again: its own apply moved the live state, so it is refused.
expect_exit 1 "stale saved plan" "$kdr" apply "$work/p1.json" --source "$desired" --yes
expect_in "$work/err" "kdr apply: cluster 'dc-east' has changed since '$work/p1.json' was made; nothing was applied" \
  "refusal names the cluster and the plan"

# 3. A plan made, then the cluster changed out of band before it is applied: refused, nothing applied.
write_topics 86400000
expect_exit 0 "plan --out with a change" "$kdr" plan "$desired" --out "$work/p2.json"
expect_in "$work/out" "retention.ms 604800000 -> 86400000" "the plan shows the retention change"
alter_out_of_band orders min.insync.replicas=2 retention.ms=604800000 segment.ms=3600000
expect_exit 1 "saved plan after an out-of-band change" "$kdr" apply "$work/p2.json" --source "$desired" --yes
expect_in "$work/err" "has changed since" "refused because the cluster moved"
expect_in "$work/err" "nothing was applied" "refusal says nothing was applied"
[ "$(overrides orders | tr '\n' ' ')" = "min.insync.replicas=2 retention.ms=604800000 segment.ms=3600000 " ] ||
  fail "orders overrides after the refused apply: $(overrides orders | tr '\n' ' ')"
[ "$(overrides events | tr '\n' ' ')" = "min.insync.replicas=2 retention.ms=604800000 " ] ||
  fail "events overrides after the refused apply: $(overrides events | tr '\n' ' ')"

# 4. Planned again from the moved state, the saved plan applies and keeps the out-of-band override.
expect_exit 0 "plan --out again" "$kdr" plan "$desired" --out "$work/p3.json"
expect_exit 0 "apply the fresh saved plan" "$kdr" apply "$work/p3.json" --source "$desired" --yes
expect_in "$work/out" "Applied: 2 succeeded, 0 failed, 0 skipped" "both alter-configs applied"
[ "$(overrides orders | tr '\n' ' ')" = "min.insync.replicas=2 retention.ms=86400000 segment.ms=3600000 " ] ||
  fail "orders overrides after the fresh apply: $(overrides orders | tr '\n' ' ')"
[ "$(overrides events | tr '\n' ' ')" = "min.insync.replicas=2 retention.ms=86400000 " ] ||
  fail "events overrides after the fresh apply: $(overrides events | tr '\n' ' ')"
expect_exit 0 "plan after the fresh apply is empty" "$kdr" plan "$desired" --detailed-exitcode

if [ "$failures" -ne 0 ]; then
  tail -20 "$work/sandbox.log"
  echo "cli_saved_plan: $failures failure(s)"
  exit 1
fi
echo "cli_saved_plan: ok (backend $bed_backend)"
