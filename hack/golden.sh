#!/usr/bin/env bash
# Golden plan outputs: each tests/golden/<case>/ holds desired/ (YAML), live.json
# (a snapshot), optional `args` (extra plan flags, one line) and the expected
# plan.txt, plan.md, plan.json and exitcode. Without arguments this script
# regenerates them; with --check it fails when any differs (CI runs that).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kdr=${KDR_BIN:-$root/build/asan/kdr}
mode=${1:-write}
status=0

[ -x "$kdr" ] || { echo "golden: $kdr not built (run hack/test.sh or set KDR_BIN)" >&2; exit 1; }
kdr=$(cd "$(dirname "$kdr")" && pwd)/$(basename "$kdr")

for case_dir in "$root"/tests/golden/*/; do
  [ -d "$case_dir/desired" ] || continue
  name=$(basename "$case_dir")
  args=()
  if [ -f "$case_dir/args" ]; then
    read -r -a args <"$case_dir/args"
  fi
  tmp=$(mktemp -d)
  for format in text markdown json; do
    case $format in text) file=plan.txt ;; markdown) file=plan.md ;; json) file=plan.json ;; esac
    set +e
    (cd "$case_dir" && "$kdr" plan desired --offline live.json --format "$format" "${args[@]}" >"$tmp/$file" 2>"$tmp/stderr")
    rc=$?
    set -e
    echo "$rc" >"$tmp/exitcode"
    if [ "$rc" -ge 64 ]; then
      echo "golden: $name: kdr plan failed with exit $rc:" >&2; cat "$tmp/stderr" >&2; status=1
    fi
  done
  for file in plan.txt plan.md plan.json exitcode; do
    if [ "$mode" = "--check" ]; then
      if ! diff -u "$case_dir/$file" "$tmp/$file" >&2; then
        echo "golden: $name/$file is stale (run hack/golden.sh)" >&2; status=1
      fi
    else
      cp "$tmp/$file" "$case_dir/$file"
    fi
  done
  rm -rf "$tmp"
done
exit $status
