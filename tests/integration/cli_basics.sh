#!/usr/bin/env bash
# The kdr CLI as users and scripts meet it: help, usage errors (exit 64),
# validate on good and broken directories (every error with file:line:col,
# exit 1), offline plan/apply round trip (second plan empty), render.
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
failures=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

expect_exit() { # expected-code description command...
  local want=$1 what=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$work/out" "$work/err"; failures=$((failures + 1))
  fi
}
expect_in() { # file needle description
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: $3: '$2' not in $(basename "$1"):"; cat "$1"; failures=$((failures + 1))
  fi
}

# The README's CLI synopsis is written by hand: it names every option each command's --help lists, and no other.
/usr/bin/python3 - "$kdr" "$root/README.md" >"$work/synopsis" <<'PY' || { cat "$work/synopsis"; failures=$((failures + 1)); }
import re, subprocess, sys
kdr, readme = sys.argv[1], sys.argv[2]
block = open(readme).read().split("## CLI", 1)[1].split("```", 2)[1]
source = {"--git", "--ref", "--path", "--cache-dir", "--token-env", "--token-file", "--k8s", "--namespace", "--kubeconfig", "--context"}
named, cmd = {}, None
for line in block.splitlines():
    m = re.match(r"kdr (\w+)", line)
    cmd = m.group(1) if m else cmd if line.startswith(" ") else None
    if cmd and cmd != "version":
        named.setdefault(cmd, set()).update(re.findall(r"--[a-z0-9-]+", line))
wrong = 0
for cmd, opts in sorted(named.items()):
    out = subprocess.run([kdr, cmd, "--help"], capture_output=True, text=True).stdout
    listed = set(re.findall(r"^ +(?:-., )?(--[a-z0-9-]+)", out.partition("\noptions:\n")[2], re.M)) - {"--help"}
    for o in sorted((listed - source) - opts):
        print("FAIL: README's synopsis of kdr %s lacks %s (its --help lists it)" % (cmd, o)); wrong += 1
    for o in sorted((opts - source) - listed):
        print("FAIL: README's synopsis of kdr %s names %s (its --help does not list it)" % (cmd, o)); wrong += 1
if len(named) < 12:
    print("FAIL: README's synopsis: only %d commands found" % len(named)); wrong += 1
sys.exit(1 if wrong else 0)
PY
expect_exit 0 "kdr --help" "$kdr" --help
expect_in "$work/out" "validate" "help lists validate"
expect_in "$work/out" "exit status" "help documents exit status"
expect_exit 64 "kdr without command" "$kdr"
expect_exit 64 "unknown command" "$kdr" frobnicate
expect_in "$work/err" "unknown command 'frobnicate'" "unknown command named"
for cmd in validate plan apply snapshot render run status lag failover failback backup restore; do
  expect_exit 0 "kdr $cmd --help" "$kdr" "$cmd" --help
  expect_in "$work/out" "usage: kdr $cmd" "$cmd help has a usage line"
  # The usage line (up to the blank line) names every option the help lists (after "options:").
  sed '/^$/q' "$work/out" >"$work/usage"
  sed '1,/^options:$/d' "$work/out" | grep -oE '^ +(-., )?--[a-z0-9-]+' | sed -E 's/^ +(-., )?//' | grep -vx -- --help >"$work/options"
  [ -s "$work/options" ] || { echo "FAIL: $cmd help lists no options"; failures=$((failures + 1)); }
  while read -r option; do
    grep -qE -- "$option[] ]" "$work/usage" || { echo "FAIL: $cmd usage line lacks $option"; failures=$((failures + 1)); }
  done <"$work/options"
  expect_exit 64 "kdr $cmd --bogus" "$kdr" "$cmd" --bogus
  expect_in "$work/err" "usage: kdr $cmd" "$cmd usage error prints the usage line"
done
expect_exit 0 "kdr lag --help" "$kdr" lag --help
expect_in "$work/out" "usage: kdr lag [DIR] --flow F [" "a required option is shown without brackets"
expect_exit 0 "kdr failover --help" "$kdr" failover --help
expect_in "$work/out" "[--group G]..." "a repeatable option is shown with ..."
# A required option (its help says so) missing is a usage error naming it.
expect_exit 64 "lag without --flow" "$kdr" lag "$root/examples"
expect_in "$work/err" "kdr lag: --flow F is required" "lag names its required option"
expect_exit 64 "backup without --out" "$kdr" backup "$root/examples" --cluster dc-east
expect_in "$work/err" "kdr backup: --out BACKUP_DIR is required" "backup names its required option"
expect_exit 64 "plan --format xml" "$kdr" plan "$root/examples" --format xml
expect_in "$work/err" "allowed: text, markdown, json" "format error lists the formats"
expect_exit 64 "plan --timeout soon" "$kdr" plan --timeout soon

expect_exit 0 "validate examples" "$kdr" validate "$root/examples"
expect_in "$work/out" "valid: 3 cluster(s), 2 flow(s), 4 topic policy(ies)" "validate summary"

expect_exit 1 "validate broken schema" "$kdr" validate "$root/tests/fixtures/broken-schema"
expect_in "$work/err" "policy.yaml:6:3: error: spec.replicationFactr: " "unknown field located"
expect_in "$work/err" "did you mean 'replicationFactor'?" "unknown field did-you-mean"
expect_in "$work/err" "policy.yaml:7:15: error: spec.partitions: " "bad integer located"
expect_in "$work/err" "policy.yaml:9:15: error: spec.placement.strategy: " "bad enum located"
expect_in "$work/err" "did you mean 'rack-aware'?" "enum did-you-mean"
expect_in "$work/err" "policy.yaml:12:7: error: kind: " "unknown kind located"
expect_in "$work/err" "tiering.yaml:6:22: error: spec.tiering.enabled: " "bad boolean located"
expect_in "$work/err" "tiering.yaml:6:43: error: spec.tiering.localRetention: " "bad duration located"

expect_exit 1 "validate broken rules" "$kdr" validate "$root/tests/fixtures/broken-rules"
expect_in "$work/err" "all.yaml:12:11: error: spec.target: " "source == target located"
expect_in "$work/err" "all.yaml:13:12: error: spec.topics[0]: " "bad regex located"
expect_in "$work/err" "all.yaml:14:13: error: spec.tasksMax: " "tasksMax located"
expect_in "$work/err" "all.yaml:20:14: error: spec.clusters[0]: " "unknown cluster located"
expect_in "$work/err" "did you mean 'dc-east'?" "cluster did-you-mean"
expect_in "$work/err" "all.yaml:21:20: error: spec.topics[1]" "bad topic name located"

# Every error in one run (issue 14 item 1): the schema errors of two documents and the rule errors
# of every document that decoded and of the sound fields of a partly broken one (before: 2 of
# the 9, then 8), sorted by file, line, column.
expect_exit 1 "validate a set with schema and rule errors" "$kdr" validate "$root/tests/fixtures/broken-mixed"
grep -c ': error: ' "$work/err" | grep -qx 9 || { echo "FAIL: not all 9 errors in one run:"; cat "$work/err"; failures=$((failures + 1)); }
expect_in "$work/err" "c-duration.yaml:8:36: error: spec.topics[1].name: topic name 'bad archive'" "rule error of a sound field of a partly broken document"
expect_in "$work/err" "b-typo.yaml:8:3: error: spec.replicationFactr: unknown field" "schema typo reported"
expect_in "$work/err" "c-duration.yaml:9:44: error: spec.tiering.localRetention: found '1 day'" "bad duration reported"
expect_in "$work/err" "c-duration.yaml:15:14: error: spec.clusters[0]: cluster 'dc-nowhere' is not defined" "rule error of a sound document next to a broken one"
expect_in "$work/err" "a-rules.yaml:21:20: error: spec.topics[1].name" "rule errors of another file"
expect_in "$work/err" "nothing will be used from it" "still nothing used"
grep ': error: ' "$work/err" | sed 's/: error: .*//' | awk -F: '{printf "%s %09d %09d\n", $1, $2, $3}' >"$work/order"
sort -c "$work/order" 2>/dev/null || { echo "FAIL: diagnostics not sorted by file, line, column:"; cat "$work/err"; failures=$((failures + 1)); }

# Offline round trip: plan, apply to the snapshot, plan again is empty.
cp "$root/tests/golden/drift/live.json" "$work/live.json"
expect_exit 2 "offline plan has changes" "$kdr" plan "$root/tests/golden/drift/desired" --offline "$work/live.json" --detailed-exitcode
for format in text markdown json; do
  expect_exit 2 "offline plan --format $format" "$kdr" plan "$root/tests/golden/drift/desired" --offline "$work/live.json" --detailed-exitcode --format "$format"
done
expect_exit 0 "offline plan --out" "$kdr" plan "$root/tests/golden/drift/desired" --offline "$work/live.json" --out "$work/plan.json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["kdrPlan"] == 1 and d["actions"]' "$work/plan.json" \
  || { echo "FAIL: --out wrote no plan JSON"; failures=$((failures + 1)); }
expect_exit 1 "apply without --yes on a pipe refuses" "$kdr" apply "$root/tests/golden/drift/desired" --offline "$work/live.json"
expect_in "$work/err" "refusing to apply without --yes" "apply refusal explained"
cmp -s "$root/tests/golden/drift/live.json" "$work/live.json" || { echo "FAIL: refused apply changed the snapshot"; failures=$((failures + 1)); }
# --reassignments DIR creates DIR (and its parents) instead of failing once per file (issue 14 item 4).
expect_exit 2 "plan --reassignments into a new directory" "$kdr" plan "$root/tests/golden/drift/desired" --offline "$work/live.json" --detailed-exitcode --reassignments "$work/new/reassign"
ls "$work/new/reassign/"*.reassignment.json >/dev/null 2>&1 || { echo "FAIL: --reassignments did not create the directory and its files"; cat "$work/err"; failures=$((failures + 1)); }
if grep -q "No such file or directory" "$work/err"; then echo "FAIL: --reassignments: No such file or directory"; failures=$((failures + 1)); fi

# Exit status, one rule (README "Exit status"): 2 = pending (changes, or blocked items a
# human must resolve), 1 = error. apply that leaves blocked items exits 2, and says so.
expect_exit 2 "offline apply leaves blocked items (pending human action)" "$kdr" apply "$root/tests/golden/drift/desired" --offline "$work/live.json" --yes
expect_in "$work/err" "2 blocked item(s) need a human" "apply names what is left pending"
expect_exit 2 "blocked items remain after apply" "$kdr" plan "$root/tests/golden/drift/desired" --offline "$work/live.json" --detailed-exitcode
expect_exit 2 "apply again: nothing applied, still blocked" "$kdr" apply "$root/tests/golden/drift/desired" --offline "$work/live.json" --yes
# Plan errors (the desired state cannot be met on this cluster) are errors: 1, with or without --detailed-exitcode.
expect_exit 1 "plan with a plan error" "$kdr" plan "$root/tests/golden/tiering-without-remote-storage/desired" --offline "$root/tests/golden/tiering-without-remote-storage/live.json"
expect_exit 1 "plan --detailed-exitcode with a plan error" "$kdr" plan "$root/tests/golden/tiering-without-remote-storage/desired" --offline "$root/tests/golden/tiering-without-remote-storage/live.json" --detailed-exitcode
cp "$root/tests/golden/tiering-without-remote-storage/live.json" "$work/tiering.json"
expect_exit 1 "apply with a plan error" "$kdr" apply "$root/tests/golden/tiering-without-remote-storage/desired" --offline "$work/tiering.json" --yes
grep -q '^[+~-] ' "$work/out" && { echo "FAIL: actions remain after offline apply:"; cat "$work/out"; failures=$((failures + 1)); }

# The example topology against an empty snapshot: apply, then the plan is empty.
cp "$root/tests/golden/examples-empty/live.json" "$work/examples.json"
expect_exit 0 "offline apply of examples" "$kdr" apply "$root/examples" --offline "$work/examples.json" --yes
expect_exit 0 "second plan of examples is empty" "$kdr" plan "$root/examples" --offline "$work/examples.json" --detailed-exitcode
expect_in "$work/out" "No changes" "second plan says so"

expect_exit 0 "render connect-json" "$kdr" render "$root/examples" --flow east-to-west
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(c["name"] for c in d) == ["kdr.east-to-west.checkpoint","kdr.east-to-west.heartbeat","kdr.east-to-west.source"]' "$work/out" \
  || { echo "FAIL: render connect-json"; cat "$work/out"; failures=$((failures + 1)); }
expect_exit 0 "render mm2-properties" "$kdr" render "$root/examples" --format mm2-properties
expect_in "$work/out" "dc-east->dc-west.enabled = true" "mm2.properties has the flow"
expect_exit 1 "render unknown flow" "$kdr" render "$root/examples" --flow nope
expect_in "$work/err" "--flow 'nope': no ReplicationFlow of that name" "unknown flow explained"

# Install (issue 14 item 4): cmake --install (what `make install PREFIX=` runs) puts both binaries in PREFIX/bin.
build_dir=$(dirname "$kdr")
if [ -f "$build_dir/cmake_install.cmake" ]; then
  cmake --install "$build_dir" --prefix "$work/prefix" >"$work/out" 2>&1 || { cat "$work/out"; failures=$((failures + 1)); }
  expect_exit 0 "installed kdr runs" "$work/prefix/bin/kdr" version
  [ -x "$work/prefix/bin/kdr-sandbox" ] || { echo "FAIL: kdr-sandbox not installed"; failures=$((failures + 1)); }
fi

echo "cli_basics: $failures failure(s)"
[ "$failures" -eq 0 ]
