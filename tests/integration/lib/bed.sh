# shellcheck shell=bash
# The test bed of the script tests, on either backend (source it; bash only):
#   KDR_BACKEND=sandbox (default): $KDR_SANDBOX_BIN (build/asan/kdr-sandbox), ready in ms
#   KDR_BACKEND=kafka: hack/kafka-real, real Apache Kafka + Connect/MM2, ready in seconds
# Both take the same config and write the same ready file (tests/sandbox/README.md).
#
#   bed_init                      prints "backend: X"; sets bed_bin, bed_backend, bed_wait (s to
#                                 be ready), bed_slack (s a script may add to its own time bounds)
#   bed_skip_on_kafka REASON      on kafka: prints why and exits 77 (hack/test.sh counts a skip)
#   bed_start CONFIG READY LOG [ARG...]   starts the bed (bed_pid; ARGs go to the launcher, e.g.
#                                 --emit-clusters FILE), waits for READY; 1 with the log on failure
#   bed_stop                      SIGTERM, wait; sets bed_rc to its exit code
#   bed_control READY COMMAND...  one command on the bed's control channel (the ready file's
#                                 "control", tests/sandbox/README.md: broker-down|broker-up CLUSTER ID,
#                                 connect-down|connect-up CLUSTER, all-up); prints the answer, 0 if "ok"
_bed_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
bed_pid=
bed_rc=

bed_init() {
  bed_backend=${KDR_BACKEND:-sandbox}
  case "$bed_backend" in
    sandbox) bed_bin=${KDR_SANDBOX_BIN:-$_bed_root/build/asan/kdr-sandbox}; bed_wait=10; bed_slack=0 ;;
    kafka) bed_bin=${KDR_KAFKA_REAL_BIN:-$_bed_root/hack/kafka-real}; bed_wait=${KDR_KAFKA_START_TIMEOUT:-300}; bed_slack=120 ;;
    *) echo "bed: KDR_BACKEND must be sandbox or kafka, not '$bed_backend'" >&2; exit 2 ;;
  esac
  echo "backend: $bed_backend"
}

bed_skip_on_kafka() {
  if [ "$bed_backend" = kafka ]; then
    echo "SKIPPED on backend kafka: $*"
    exit 77
  fi
}

bed_start() { # CONFIG READY LOG [ARG...]
  local config=$1 ready=$2 log=$3 start=$SECONDS
  shift 3
  rm -f "$ready"
  "$bed_bin" --config "$config" --ready-file "$ready" "$@" >"$log" 2>&1 &
  bed_pid=$!
  while [ $((SECONDS - start)) -le "$bed_wait" ]; do
    [ -s "$ready" ] && { echo "bed: $bed_backend ready in $((SECONDS - start)) s"; return 0; }
    kill -0 "$bed_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bed: $bed_backend did not become ready:" >&2
  cat "$log" >&2
  return 1
}

bed_stop() {
  bed_rc=
  [ -n "$bed_pid" ] || return 0
  kill -TERM "$bed_pid" 2>/dev/null
  bed_rc=0
  wait "$bed_pid" 2>/dev/null || bed_rc=$?
  bed_pid=
}

bed_control() { # READY COMMAND...
  local ready=$1 control answer
  shift
  control=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("control") or "")' "$ready")
  if [ -z "$control" ]; then
    echo "error: $bed_backend has no control channel (no \"control\" in $ready)"
    return 1
  fi
  exec 9<>"/dev/tcp/${control%:*}/${control##*:}" || { echo "error: cannot reach $control"; return 1; }
  printf '%s\n' "$*" >&9
  IFS= read -r -t 300 answer <&9
  exec 9<&- 9>&-
  echo "bed: $bed_backend: $* -> $answer"
  [ "$answer" = ok ]
}
