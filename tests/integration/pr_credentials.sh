#!/usr/bin/env bash
# issue 14 item 5: a pull request cannot redirect credentials. The base commit
# points KafkaCluster prod's connect.url at one HTTP listener ("base"), with
# Basic auth from the environment; the head points it at another ("evil") and
# adds a cluster of its own with a password reference. `kdr plan --git --ref
# HEAD --base main` against the test bed's Kafka must send the Basic
# credentials to the base's listener only, never to the head's, say so in the
# plan (text, markdown, json), and still show the change in the desired diff.
# Backend: either test bed for Kafka (tests/integration/lib/bed.sh: kdr-sandbox or
# real Kafka) + two python3 listeners standing in for Connect (they answer 200 with
# empty lists, as a Connect without connectors does, and log the Authorization
# header each request carried: what this test observes, and real Connect does not log).
set -u
root=${KDR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kdr=${KDR_BIN:-$root/build/asan/kdr}
# shellcheck source=lib/bed.sh
. "$root/tests/integration/lib/bed.sh"
failures=0
work=$(mktemp -d)
base_pid= evil_pid=
cleanup() {
  for pid in $base_pid $evil_pid; do kill -TERM "$pid" 2>/dev/null; done
  bed_stop
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
wait_until() { # seconds description command...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { fail "$what (not within the limit)"; return 1; }
    sleep 0.2
  done
}
bed_init
echo "Connect: python3 HTTP listeners (Connect REST stand-ins that log the Authorization header)"

# A listener on an ephemeral loopback port: logs each request's path and
# Authorization header, answers [] / {} so kdr reads an empty Connect.
listener() { # name
  /usr/bin/python3 - "$work/$1" <<'PY' &
import http.server, sys, json
log = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log + ".log", "a") as f:
            f.write("%s auth=%s\n" % (self.path, self.headers.get("Authorization", "-")))
        body = b"{}" if "expand" in self.path or self.path.rstrip("/") == "" else b"[]"
        if self.path.startswith("/connectors"):
            body = b"{}" if "expand" in self.path else b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(log + ".port", "w").write(str(s.server_address[1]))
s.serve_forever()
PY
}
listener base; base_pid=$!
listener evil; evil_pid=$!
wait_until 10 "listeners ready" test -s "$work/base.port" -a -s "$work/evil.port" || exit 1
base_port=$(cat "$work/base.port") evil_port=$(cat "$work/evil.port")

cat >"$work/sandbox.yaml" <<'YAML'
clusters:
  - name: prod
    brokers: 1
YAML
bed_start "$work/sandbox.yaml" "$work/ready.json" "$work/sandbox.log" || { fail "the bed is not ready"; exit 1; }
bootstrap=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clusters"]["prod"]["bootstrap"])' "$work/ready.json")

repo="$work/repo"
git init -q -b main "$repo"
cluster() { # connect-port
  cat >"$repo/cluster.yaml" <<YAML
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: prod}
spec:
  bootstrapServers: $bootstrap
  connect:
    url: http://127.0.0.1:$1
    auth: {basic: {username: kdr, password: {valueFrom: {env: KDR_TEST_CONNECT_PASSWORD}}}}
YAML
}
commit() { git -C "$repo" -c user.name=kdr-test -c user.email=test@kdr.invalid commit -q -a -m "$1"; }
cluster "$base_port"
git -C "$repo" add . && commit base
git -C "$repo" checkout -q -b feature
cluster "$evil_port"
cat >"$repo/extra.yaml" <<YAML
apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: pr-own}
spec:
  bootstrapServers: 127.0.0.1:1
  clientConfig: {sasl.username: kdr, sasl.password: {valueFrom: {env: KDR_TEST_CONNECT_PASSWORD}}}
  connect:
    url: http://127.0.0.1:$evil_port
    auth: {basic: {username: kdr, password: {valueFrom: {env: KDR_TEST_CONNECT_PASSWORD}}}}
YAML
git -C "$repo" add . && commit "point Connect elsewhere"

export KDR_TEST_CONNECT_PASSWORD=pr-cr3d3ntial-pw
for format in text markdown json; do
  "$kdr" plan --git "$repo" --ref HEAD --base main --cluster prod --timeout 10s --format $format \
    >"$work/plan.$format" 2>"$work/err.$format"
  rc=$?
  echo "plan --format $format: exit $rc"
  [ $rc -le 2 ] || { cat "$work/err.$format"; fail "plan ($format) exited $rc"; }
  if [ $format != json ]; then
    grep -q "the plan connects with the base's settings" "$work/plan.$format" \
      || fail "plan ($format) does not say the base's connection settings are used"
  fi
  grep -q "http://127.0.0.1:$evil_port" "$work/plan.$format" \
    || fail "plan ($format) does not show the head's connect.url change"
  if grep -q "pr-cr3d3ntial-pw" "$work/plan.$format" "$work/err.$format"; then fail "password printed ($format)"; fi
done
grep -q '"connectionSettingsFromBase": 2' "$work/plan.json" || fail "json: connectionSettingsFromBase is not 2"
if [ -s "$work/evil.log" ]; then
  fail "the head's Connect was contacted: $(cat "$work/evil.log")"
fi
# The base's listener got the reads, with the Basic credentials (kdr:pr-cr3d3ntial-pw).
expected_auth="Basic $(printf 'kdr:pr-cr3d3ntial-pw' | base64)"
grep -q "auth=$expected_auth" "$work/base.log" 2>/dev/null || fail "the base's Connect was not read with its credentials"
touch "$work/base.log" "$work/evil.log"
echo "base listener requests: $(wc -l <"$work/base.log"); head listener requests: $(wc -l <"$work/evil.log")"

echo "pr_credentials [$bed_backend]: $failures failure(s)"
[ $failures -eq 0 ]
