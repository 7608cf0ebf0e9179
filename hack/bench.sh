#!/usr/bin/env bash
# The DESIGN.md §8 and issue 15 benchmark: a release build (-O2, no
# sanitizers) in build/bench, then tests/bench/bench_reconcile against an
# in-process sandbox (2 clusters x 6 brokers over 3 racks): for 1,000,
# 10,000, 30,000 and 100,000 topics per cluster the first apply, no-change
# plans, a no-change plan under callgrind (instructions), 1-topic-change
# plans; at 10,000 topics the per-topic baseline (tests/bench/bench_per_topic)
# with 0 and 1 ms injected per request; then 10 clusters x 10,000 topics with
# one cluster slow and then down. Prints the steps, the growth table (ratios
# to 10,000 topics) and one PASS/FAIL line per target. Takes ~30 min on 2
# cores (callgrind at 100,000 topics is most of it). Not part of
# hack/test.sh or CI.
#
#   hack/bench.sh                      the full run
#   hack/bench.sh --sizes 500 --many-clusters 0 --no-instructions
#                                      a quick one (any bench_reconcile flag; --help lists them)
#   hack/bench.sh --backend kafka [--topics N]   the same steps on real Kafka (hack/kafka-real,
#                                      2 clusters x 3 brokers; tests/bench/bench_kafka.py)
#
# Exit status: 0 every target met, 1 a target missed, 2 the benchmark could
# not run (build, sandbox, usage).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

backend=sandbox
if [ "${1:-}" = "--backend" ]; then
  backend=${2:-}
  shift 2 || { echo "bench: --backend needs sandbox or kafka" >&2; exit 2; }
fi
case "$backend" in sandbox|kafka) ;; *) echo "bench: --backend sandbox|kafka, not '$backend'" >&2; exit 2 ;; esac

"$root/hack/install-deps.sh" || { echo "bench: installing dependencies failed" >&2; exit 2; }

build=${KDR_BENCH_BUILD_DIR:-$root/build/bench}
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$build"
# Release flags spelled out: CMake's default Release is -O3, the target is an -O2 build.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DKDR_SANITIZE=OFF >"$build/cmake.log" 2>&1 || { cat "$build/cmake.log"; echo "bench: cmake failed" >&2; exit 2; }
cmake --build "$build" -j"$jobs" --target kdr bench_reconcile bench_per_topic >"$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log"; echo "bench: build failed" >&2; exit 2; }

if [ "$backend" = kafka ]; then
  exec /usr/bin/python3 "$root/tests/bench/bench_kafka.py" --kdr "$build/kdr" "$@"
fi
"$build/bench/bench_reconcile" --kdr "$build/kdr" --per-topic "$build/bench/bench_per_topic" "$@"
