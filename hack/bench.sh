#!/usr/bin/env bash
# The DESIGN.md §8 benchmark: a release build (-O2, no sanitizers) in
# build/bench, then tests/bench/bench_reconcile against an in-process sandbox
# (2 clusters x 6 brokers over 3 racks, 10,000 declared topics per cluster by
# default): the first apply and no-change plans, with wall time, peak RSS and
# admin requests per cluster, printed as a markdown table with one PASS/FAIL
# line per target. Not part of hack/test.sh or CI.
#
#   hack/bench.sh                      the full run
#   hack/bench.sh --topics 500         a quick one (any bench_reconcile flag; --help lists them)
#
# Exit status: 0 every target met, 1 a target missed, 2 the benchmark could
# not run (build, sandbox, usage).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/hack/install-deps.sh" || { echo "bench: installing dependencies failed" >&2; exit 2; }

build=${KDR_BENCH_BUILD_DIR:-$root/build/bench}
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$build"
# Release flags spelled out: CMake's default Release is -O3, the target is an -O2 build.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DKDR_SANITIZE=OFF >"$build/cmake.log" 2>&1 || { cat "$build/cmake.log"; echo "bench: cmake failed" >&2; exit 2; }
cmake --build "$build" -j"$jobs" --target kdr bench_reconcile >"$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log"; echo "bench: build failed" >&2; exit 2; }

"$build/bench/bench_reconcile" --kdr "$build/kdr" "$@"
