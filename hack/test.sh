#!/usr/bin/env bash
# Runs every test of kdr: installs what is missing, builds with ASan+UBSan,
# runs the cmocka unit and integration binaries, replays the fuzz corpora,
# runs the script tests (independent clients against the test bed, on each
# backend: kdr-sandbox and real Apache Kafka via hack/kafka-real) and checks
# the golden files are current. Prints per-binary, per-backend and total
# counts and each stage's time; exits non-zero when anything failed.
#
#   hack/test.sh              everything
#   hack/test.sh PATTERN      only test binaries/scripts whose name matches PATTERN, an extended
#                             regular expression ("test_plan", "dr_|lag"); matching nothing is an error
#   KDR_VALGRIND=1 hack/test.sh   also run the unit binaries under valgrind (the RelWithDebInfo build of make build)
#   KDR_BACKENDS=sandbox hack/test.sh   test-bed binaries and script tests on these backends only
#                                       (default "sandbox kafka"; "kafka@3.9.1": the kafka backend on
#                                       another Apache Kafka release, KDR_KAFKA_VERSION)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
filter=${1:-}
# Whether a test named $1 is selected by the command line's PATTERN.
matched=0
selected() { [[ -z "$filter" || "$1" =~ $filter ]] && matched=$((matched + 1)); }

deps_t0=$SECONDS
"$root/hack/install-deps.sh" || { echo "test: installing dependencies failed" >&2; exit 1; }
echo "-- install-deps (Debian packages, Kafka jars, ...): $((SECONDS - deps_t0)) s"

build_t0=$SECONDS
build=${KDR_TEST_BUILD_DIR:-$root/build/asan}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$build" -DKDR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null || exit 1
cmake --build "$build" -j"$jobs" >"$build/build.log" 2>&1 || { cat "$build/build.log"; echo "test: build failed" >&2; exit 1; }

echo "-- build: $((SECONDS - build_t0)) s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=STDOUT
export KDR_BIN="$build/kdr"
export KDR_SANDBOX_BIN="$build/kdr-sandbox"
export KDR_SOURCE_DIR="$root"
# Every kdr-sandbox Connect worker of the suites (in-process and kdr-sandbox
# processes) answers pause/resume/stop at once and applies them this much later,
# as real Connect does after a rebalance, so no sandbox test passes only because
# the fake is instant (tests/sandbox/README.md). Users and the demo get 0.
export KDR_SANDBOX_CONNECT_DELAY_MS=${KDR_SANDBOX_CONNECT_DELAY_MS:-300}

passed=0 failed=0 binaries=0 broken=()
stage_name= stage_t0=
stage_start() { stage_name=$1; stage_t0=$SECONDS; echo "== $1"; }
stage_end() { echo "-- $stage_name: $((SECONDS - stage_t0)) s"; }
test_t0=$SECONDS
log_dir="$build/test-logs"
mkdir -p "$log_dir"

# The integration binaries written on the test bed (tests/support/testbed.h):
# they run once per backend of KDR_BACKENDS (sandbox: in-process; kafka: real
# Kafka through hack/kafka-real; sandbox-process: the kdr-sandbox process).
testbed_tests=" test_reconcile test_reconcile_stretch test_reconcile_faults test_kafka test_kafka_acls test_kafka_groups test_e2e_flows test_connect_client test_dr_secrets "
backends=${KDR_BACKENDS:-sandbox kafka}
declare -A bk_passed=() bk_failed=() bk_skipped=()
export KDR_KAFKA_REAL_BIN=${KDR_KAFKA_REAL_BIN:-$root/hack/kafka-real}

# The environment of a backend name: kafka@VERSION is the kafka backend on that release.
backend_env() {
  case "$1" in
    kafka@*) echo "KDR_BACKEND=kafka KDR_KAFKA_VERSION=${1#kafka@}" ;;
    *) echo "KDR_BACKEND=$1" ;;
  esac
}

run_cmocka() {
  local bin=$1 backend=$2 name out p f s t0 secs label
  name=$(basename "$bin")
  label=$name
  [ "$backend" = sandbox ] || label="$name [$backend]"
  out="$log_dir/$name.$backend.log"
  t0=$(date +%s)
  env $(backend_env "$backend") timeout 1800 "$bin" >"$out" 2>&1
  local rc=$?
  secs=$(( $(date +%s) - t0 ))
  p=$(grep -o '\[  PASSED  \] [0-9]* test' "$out" | grep -o '[0-9][0-9]*' | awk '{s+=$1} END {print s+0}')
  f=$(grep -o '\[  FAILED  \] [0-9]* test' "$out" | grep -o '[0-9][0-9]*' | awk '{s+=$1} END {print s+0}')
  s=$(grep -o '\[  SKIPPED \] [0-9]* test' "$out" | grep -o '[0-9][0-9]*' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f)); binaries=$((binaries + 1))
  bk_passed[$backend]=$(( ${bk_passed[$backend]:-0} + p ))
  bk_failed[$backend]=$(( ${bk_failed[$backend]:-0} + f ))
  bk_skipped[$backend]=$(( ${bk_skipped[$backend]:-0} + s ))
  if [ $rc -ne 0 ] || [ "$f" -ne 0 ] || { [ "$p" -eq 0 ] && [ "$s" -eq 0 ]; }; then
    cat "$out"
    if [ "$f" -eq 0 ]; then failed=$((failed + 1)); bk_failed[$backend]=$(( ${bk_failed[$backend]} + 1 )); fi
    broken+=("$label (exit $rc)")
    printf '%-40s FAILED  passed=%s failed=%s skipped=%s exit=%s %ss\n' "$label" "$p" "$f" "$s" "$rc" "$secs"
  else
    printf '%-40s ok      passed=%s skipped=%s %ss\n' "$label" "$p" "$s" "$secs"
  fi
}

for backend in $backends; do
  cm_t0=$SECONDS
  case "$backend" in
    sandbox) echo "== cmocka tests (backend sandbox)" ;;
    kafka|kafka@*)
      if [ ! -x "$KDR_KAFKA_REAL_BIN" ]; then
        echo "== cmocka tests (backend kafka): SKIPPED, no launcher at $KDR_KAFKA_REAL_BIN"
        continue
      fi
      echo "== cmocka tests (backend $backend: $KDR_KAFKA_REAL_BIN; test-bed binaries only)" ;;
    *) echo "== cmocka tests (backend $backend; test-bed binaries only)" ;;
  esac
  for bin in "$build"/tests/test_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    selected "$name" || continue
    case "$name" in test_k8s_real) continue ;; esac   # the Kubernetes stage below
    if [ "$backend" != sandbox ]; then
      case "$testbed_tests" in *" $name "*) ;; *) continue ;; esac
    fi
    run_cmocka "$bin" "$backend"
  done
  echo "-- cmocka tests (backend $backend): $((SECONDS - cm_t0)) s"
done

stage_start "fuzz corpora (replayed under the sanitizers)"
for bin in "$build"/fuzz/replay_fuzz_*; do
  [ -x "$bin" ] || continue
  name=${bin##*/replay_}
  corpus="$root/tests/fuzz/corpus/$name"
  [ -d "$corpus" ] || continue
  selected "$name" || continue
  if "$bin" "$corpus" >"$log_dir/$name.log" 2>&1; then
    passed=$((passed + 1)); printf '%-40s ok      %s\n' "$name" "$(tail -1 "$log_dir/$name.log")"
  else
    failed=$((failed + 1)); broken+=("$name"); cat "$log_dir/$name.log"; printf '%-40s FAILED\n' "$name"
  fi
done
stage_end

# The script tests run once per backend of the test bed (tests/integration/lib/bed.sh):
# sandbox (kdr-sandbox) and kafka (real Apache Kafka + Connect/MM2, hack/kafka-real)
# when it uses the switch (lib/bed.sh, lib/bed.py or KDR_BACKEND itself).
# A script that starts no bed runs once; one that exits 77 was skipped on that
# backend (it says why).
script_runs=()
for backend in $backends; do
  case "$backend" in sandbox|kafka|kafka@*) ;; *) continue ;; esac  # the scripts start their own bed process
  stage_start "script tests on backend $backend (independent clients, end to end)"
  b_passed=0 b_failed=0 b_skipped=0
  for script in "$root"/tests/integration/*.sh "$root"/tests/integration/*.py; do
    [ -f "$script" ] || continue
    name=$(basename "$script")
    selected "$name" || continue
    case "$name" in k8s_*|crd_schema.py) continue ;; esac   # the Kubernetes stage below
    uses_bed=0
    grep -qE 'lib/bed\.sh|import bed|KDR_BACKEND' "$script" && uses_bed=1
    if [ $uses_bed -eq 0 ] && [[ " ${script_runs[*]} " == *" $name "* ]]; then
      continue
    fi
    script_runs+=("$name")
    case "$script" in
      *.py) runner=(/usr/bin/python3 "$script") ;;
      *) runner=(bash "$script") ;;
    esac
    label=$name
    [ $uses_bed -eq 1 ] && label="$name [$backend]"
    log="$log_dir/$name.$backend.log"
    t0=$SECONDS
    env $(backend_env "$backend") timeout "$([ "$backend" = sandbox ] && echo 300 || echo 600)" "${runner[@]}" >"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      passed=$((passed + 1)); b_passed=$((b_passed + 1)); printf '%-40s ok      %ss\n' "$label" $((SECONDS - t0))
    elif [ $rc -eq 77 ]; then
      b_skipped=$((b_skipped + 1)); printf '%-40s skipped (%s)\n' "$label" "$(grep -m1 '^SKIPPED' "$log" | sed 's/^SKIPPED on backend [a-z]*: //')"
    else
      failed=$((failed + 1)); b_failed=$((b_failed + 1)); broken+=("$label"); cat "$log"; printf '%-40s FAILED  %ss\n' "$label" $((SECONDS - t0))
    fi
  done
  echo "backend $backend: $b_passed passed, $b_failed failed, $b_skipped skipped"
  stage_end
done

# The operator against a real kube-apiserver (hack/kube-real; built by install-deps), on kdr-sandbox.
k8s_tests=()
for t in "$build"/tests/test_k8s_real "$root"/tests/integration/crd_schema.py "$root"/tests/integration/k8s_*.py; do
  [ -e "$t" ] || continue
  selected "$(basename "$t")" && k8s_tests+=("$t")
done
if [ ${#k8s_tests[@]} -gt 0 ]; then
  kube_dir=$("$root/hack/kube/build.sh" --print-dir)
  if [ ! -x "$kube_dir/kube-apiserver" ] && ! "$root/hack/kube/build.sh" >"$log_dir/kube-build.log" 2>&1; then
    # Not a skip: without the API server the operator is untested, and CI must say so.
    echo "== Kubernetes operator tests: FAILED: no kube-apiserver in $kube_dir and building it failed:"
    tail -5 "$log_dir/kube-build.log"
    failed=$((failed + 1)); broken+=("kube-apiserver build")
  else
    stage_start "Kubernetes operator tests (real kube-apiserver $(basename "$kube_dir"), kdr-sandbox)"
    k8s_passed=$passed k8s_failed=$failed
    for t in "${k8s_tests[@]}"; do
      name=$(basename "$t")
      case "$t" in
        *.py)
          t0=$SECONDS
          timeout 600 /usr/bin/python3 "$t" >"$log_dir/$name.log" 2>&1
          rc=$?
          counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log_dir/$name.log" | tail -1)
          if [ $rc -eq 0 ]; then
            passed=$((passed + 1)); printf '%-40s ok      %s %ss\n' "$name" "$counts" $((SECONDS - t0))
          else
            failed=$((failed + 1)); broken+=("$name"); cat "$log_dir/$name.log"
            printf '%-40s FAILED  %s %ss\n' "$name" "$counts" $((SECONDS - t0))
          fi ;;
        *) run_cmocka "$t" sandbox ;;
      esac
    done
    echo "Kubernetes operator tests: $((passed - k8s_passed)) passed, $((failed - k8s_failed)) failed"
    stage_end
  fi
fi

if [ -z "$filter" ] && [ -x "$root/hack/golden.sh" ]; then
  stage_start "golden files are current"
  if "$root/hack/golden.sh" --check; then
    passed=$((passed + 1)); echo "golden                                   ok"
  else
    failed=$((failed + 1)); broken+=("golden"); echo "golden                                   FAILED"
  fi
  stage_end
fi

if [ -z "$filter" ] && [ -x "$root/hack/golden-render.sh" ]; then
  stage_start "golden rendered connector configs are current"
  if "$root/hack/golden-render.sh" --check; then
    passed=$((passed + 1)); echo "golden-render                            ok"
  else
    failed=$((failed + 1)); broken+=("golden-render"); echo "golden-render                            FAILED"
  fi
  stage_end
fi

if [ "${KDR_VALGRIND:-0}" = 1 ]; then
  stage_start "valgrind (release build as make build makes it: -O2 warnings, unit tests)"
  vbuild="$root/build/valgrind"
  cmake -S "$root" -B "$vbuild" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null \
    && cmake --build "$vbuild" -j"$jobs" >"$vbuild.log" 2>&1 || { cat "$vbuild.log"; echo "test: valgrind build failed" >&2; exit 1; }
  # The unit binaries: pure code, where valgrind finds what the sanitizers miss
  # (uninitialised reads); the property tests run a tenth of their cases here.
  for source in "$root"/tests/unit/test_*.c; do
    name=$(basename "$source" .c)
    selected "$name" || continue
    if KDR_PLACEMENT_CASES_PERCENT=10 valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        "$vbuild/tests/$name" >"$log_dir/vg-$name.log" 2>&1; then
      passed=$((passed + 1)); printf '%-40s ok\n' "valgrind $name"
    else
      failed=$((failed + 1)); broken+=("valgrind $name"); tail -40 "$log_dir/vg-$name.log"; printf '%-40s FAILED\n' "valgrind $name"
    fi
  done
  stage_end
fi

echo
for backend in $backends; do
  [ -n "${bk_passed[$backend]:-}${bk_failed[$backend]:-}" ] || continue
  printf '== cmocka on %-16s %s passed, %s failed, %s skipped\n' "$backend:" "${bk_passed[$backend]:-0}" \
    "${bk_failed[$backend]:-0}" "${bk_skipped[$backend]:-0}"
done
echo "== total: $passed passed, $failed failed ($binaries cmocka binaries) in $((SECONDS - test_t0)) s"
if [ -n "$filter" ] && [ "$matched" -eq 0 ]; then
  echo "test: no test binary or script matches '$filter' (an extended regular expression)" >&2
  exit 1
fi
if [ "$failed" -ne 0 ] || [ ${#broken[@]} -ne 0 ]; then
  printf 'failed: %s\n' "${broken[@]}"
  exit 1
fi
exit 0
