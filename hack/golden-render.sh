#!/usr/bin/env bash
# Golden rendered connector configs: each tests/golden-render/<case>/ holds
# desired/ (YAML) and the expected output of `kdr render desired` as Kafka
# Connect REST bodies (connect.json) and as an mm2.properties for MirrorMaker
# 2's dedicated mode (mm2.properties). Without arguments this script
# regenerates them; with --check it fails when any differs (CI runs that).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kdr=${KDR_BIN:-$root/build/asan/kdr}
mode=${1:-write}
status=0

[ -x "$kdr" ] || { echo "golden-render: $kdr not built (run hack/test.sh or set KDR_BIN)" >&2; exit 1; }
kdr=$(cd "$(dirname "$kdr")" && pwd)/$(basename "$kdr")

for case_dir in "$root"/tests/golden-render/*/; do
  [ -d "$case_dir/desired" ] || continue
  name=$(basename "$case_dir")
  tmp=$(mktemp -d)
  for format in connect-json mm2-properties; do
    case $format in connect-json) file=connect.json ;; mm2-properties) file=mm2.properties ;; esac
    set +e
    (cd "$case_dir" && "$kdr" render desired --format "$format" >"$tmp/$file" 2>"$tmp/stderr")
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
      echo "golden-render: $name: kdr render --format $format failed with exit $rc:" >&2; cat "$tmp/stderr" >&2; status=1
    fi
  done
  for file in connect.json mm2.properties; do
    if [ "$mode" = "--check" ]; then
      if ! diff -u "$case_dir/$file" "$tmp/$file" >&2; then
        echo "golden-render: $name/$file is stale (run hack/golden-render.sh)" >&2; status=1
      fi
    else
      cp "$tmp/$file" "$case_dir/$file"
    fi
  done
  rm -rf "$tmp"
done
exit $status
