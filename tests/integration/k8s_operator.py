#!/usr/bin/python3
"""kdr as a Kubernetes operator, against a real kube-apiserver (hack/kube-real)
and kdr-sandbox clusters: the CRDs and examples/ applied as custom resources
with kubectl; `kdr validate/plan --k8s` read them; `kdr run --k8s` creates the
topics and connectors; a `kubectl patch` is reconciled within seconds; an
object valid by the schema but not by kdr's rules (a replication loop) is
rejected with the validator's message and nothing is applied; a restarted
API server is survived; two `kdr run --k8s` share the work through a Lease;
a leader that cannot renew the Lease (updates denied by an admission policy)
stops acting once the lease duration has passed and resumes when it renews;
`kdr failover --commit --k8s` patches the ReplicationFlow and the operator
holds the flow's connectors stopped.
Checked with independent clients (python3-kafka, curl, kubectl)."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

root = os.environ.get("KDR_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
kdr = os.environ.get("KDR_BIN", os.path.join(root, "build", "asan", "kdr"))
sandbox_bin = os.environ.get("KDR_SANDBOX_BIN", os.path.join(root, "build", "asan", "kdr-sandbox"))

from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402

failures = []
checks = 0
NS = "kdr-e2e"


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, flush=True)
    else:
        print("ok:", msg, flush=True)


def wait_for(pred, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return None


work = tempfile.mkdtemp(prefix="kdr-k8s-e2e-")
procs = []


def start(args, log, **kw):
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, log), "w"), **kw)
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, timeout=30):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def kubectl(*args, input=None, expect=0):
    proc = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, *args], capture_output=True, text=True,
                          input=input, timeout=120)
    if expect is not None and proc.returncode != expect:
        print(proc.stdout, proc.stderr)
        check(False, f"kubectl {' '.join(args)}: exit {proc.returncode}, expected {expect}")
    return proc


def kdr_cmd(*args, expect=None):
    proc = subprocess.run([kdr, *args], capture_output=True, text=True, timeout=180)
    if expect is not None and proc.returncode != expect:
        print(proc.stdout, proc.stderr)
        check(False, f"kdr {' '.join(args)}: exit {proc.returncode}, expected {expect}")
    return proc


def objects():
    out = kubectl("get", "kafkaclusters,replicationflows,topicpolicies,accesspolicies", "-n", NS, "-o", "json",
                  expect=None)
    return json.loads(out.stdout)["items"] if out.returncode == 0 else []


def condition(obj, type_):
    for c in obj.get("status", {}).get("conditions", []):
        if c["type"] == type_:
            return c
    return {}


def obj(kind, name):
    out = kubectl("get", kind, name, "-n", NS, "-o", "json", expect=None)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def all_ready():
    items = objects()
    return items and all(condition(o, "Ready").get("status") == "True" and
                         o.get("status", {}).get("observedGeneration") == o["metadata"]["generation"] and
                         condition(o, "Ready").get("observedGeneration") == o["metadata"]["generation"]
                         for o in items)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def topics(bootstrap):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def log_says_applied(log, resource):
    """Whether a kdr run log says it applied an action on `resource`. An independent client can see a
    created topic before that line is written: kdr logs it only once the whole apply has returned (after
    its wait until every broker lists the topic), so a check of the log waits for the line itself."""
    return any("action applied" in line and f"resource={resource}" in line.split() for line in log.splitlines())


def run_log(name):
    return open(os.path.join(work, name)).read()


def connectors(url):
    with urllib.request.urlopen(f"{url}/connectors", timeout=10) as r:
        return set(json.load(r))


started = time.monotonic()
kube = None
try:
    # The real API server.
    ready_path = os.path.join(work, "kube-ready.json")
    kube = start([sys.executable, os.path.join(root, "hack", "kube-real"), "--ready-file", ready_path], "kube.log")
    if not wait_for(lambda: os.path.exists(ready_path) or kube.poll() is not None, 900) or kube.poll() is not None:
        log = open(os.path.join(work, "kube.log")).read()
        print(log[-3000:])
        if "go is not installed" in log or "cannot build" in log:
            print("k8s_operator: SKIPPED: no kube-apiserver binary and it cannot be built here")
            sys.exit(0)
        check(False, "hack/kube-real became ready")
        raise SystemExit
    kube_ready = json.load(open(ready_path))
    kubeconfig = kube_ready["kubeconfig"]
    print(f"backend: real kube-apiserver {kube_ready['version']} at {kube_ready['server']}; Kafka: kdr-sandbox")
    client_version = subprocess.run(["kubectl", "version", "--client", "-o", "json"], capture_output=True,
                                    text=True).stdout
    print("kubectl", json.loads(client_version)["clientVersion"]["gitVersion"])

    # The sandbox clusters of the demo, on ephemeral ports.
    config = open(os.path.join(root, "hack", "demo-sandbox.yaml")).read()
    config = re.sub(r"\n\s*port: \d+", "", config)
    config = re.sub(r"connect: \{port: \d+\}", "connect: true", config)
    open(os.path.join(work, "sandbox.yaml"), "w").write(config)
    sb_ready = os.path.join(work, "sandbox-ready.json")
    start([sandbox_bin, "--config", os.path.join(work, "sandbox.yaml"), "--ready-file", sb_ready], "sandbox.log")
    check(wait_for(lambda: os.path.exists(sb_ready), 20) is not None, "kdr-sandbox ready")
    clusters = json.load(open(sb_ready))["clusters"]
    east, west = clusters["dc-east"], clusters["dc-west"]

    # CRDs, then examples/ as custom resources pointed at the sandbox.
    kubectl("apply", "-f", os.path.join(root, "crds"))
    kubectl("wait", "--for", "condition=established", "--timeout=60s", "-f", os.path.join(root, "crds"))
    kubectl("create", "namespace", NS)
    ports = {"dc-east": ("127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094", "http://127.0.0.1:18083"),
             "dc-west": ("127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094", "http://127.0.0.1:28083"),
             "stretch": ("127.0.0.1:39092,127.0.0.1:39093", None)}
    crs = os.path.join(work, "crs")
    os.mkdir(crs)
    for name in sorted(os.listdir(os.path.join(root, "examples"))):
        if not name.endswith(".yaml"):
            continue
        text = open(os.path.join(root, "examples", name)).read()
        for cluster, (bootstrap, connect) in ports.items():
            text = text.replace(bootstrap, clusters[cluster]["bootstrap"])
            if connect:
                text = text.replace(connect, clusters[cluster]["connect"])
        open(os.path.join(crs, name), "w").write(text)
    applied = kubectl("apply", "-n", NS, "-f", crs)
    check(applied.returncode == 0, "kubectl apply -f examples/ as custom resources (server-side schema)")
    got = kubectl("get", "kafkaclusters,replicationflows,topicpolicies", "-n", NS, "-o", "name").stdout.split()
    check(len(got) >= 7, f"the examples are objects: {len(got)}")

    common = ["--k8s", "--kubeconfig", kubeconfig, "--namespace", NS]
    v = kdr_cmd("validate", *common, expect=0)
    check("valid:" in v.stdout, "kdr validate --k8s: valid")
    p = kdr_cmd("plan", *common, "--detailed-exitcode", expect=2)
    check("create-topic" in p.stdout and "orders" in p.stdout, "kdr plan --k8s: topics to create")

    # The operator.
    listen = f"127.0.0.1:{free_port()}"
    # The default --lag-interval (60s): the first cycle creates the topics (its status predates them),
    # so the next cycle measures again rather than serving that first, topic-less figure for a minute.
    op = start([kdr, "run", *common, "--interval", "20s", "--listen", listen], "run1.log")
    t0 = time.monotonic()
    ok = wait_for(lambda: {"orders", "events", "users"} <= topics(east["bootstrap"]) and
                  "kdr.east-to-west.source" in connectors(west["connect"]), 60, 0.5)
    check(ok is not None, f"kdr run --k8s created topics and connectors ({time.monotonic() - t0:.1f}s)")

    ok = wait_for(all_ready, 30, 0.5)
    check(ok is not None, "every object Ready=True with observedGeneration = generation")
    if not ok:
        for o in objects():
            print(o["kind"], o["metadata"]["name"], json.dumps(o.get("status")))
    printed = kubectl("get", "kafkaclusters,replicationflows,topicpolicies", "-n", NS).stdout
    print(printed)
    check("SOURCE" in printed and "READY" in printed and "REASON" in printed and "Reconciled" in printed,
          "kubectl get shows READY, REASON, SOURCE -> TARGET")
    flow = wait_for(lambda: (lambda o: o if any(c.get("state") == "RUNNING" and c.get("tasks")
                                                for c in o.get("status", {}).get("connectors", [])) else None)(
        obj("replicationflow", "east-to-west")), 30, 0.5) or {}
    conns = flow.get("status", {}).get("connectors", [])
    print("east-to-west connectors:", json.dumps(conns))
    check(any(c["name"] == "kdr.east-to-west.source" and c["cluster"] == "dc-west" for c in conns),
          "a flow's status lists its connectors and task states")
    lag = wait_for(lambda: (lambda lg: lg if len(lg.get("topics", [])) >= 4 else None)(
        obj("replicationflow", "east-to-west").get("status", {}).get("lag", {})), 45, 0.5) or \
        obj("replicationflow", "east-to-west").get("status", {}).get("lag", {})
    print("east-to-west lag:", json.dumps(lag))
    # The sandbox runs no MM2: no offset-syncs, so the figures are unknown (absent), the topics listed.
    check("measuredTime" in lag and sorted(t["topic"] for t in lag.get("topics", [])) ==
          ["events", "orders", "payments.card", "users"] and lag.get("topicsOmitted") == 0,
          "a flow's status carries its replication lag (kdr lag's figures; unknown ones absent)")
    core = obj("topicpolicy", "core")
    check(core.get("status", {}).get("plan", {}).get("actions", -1) >= 0 and
          condition(core, "Stalled").get("status") == "False", "a policy's status carries its plan summary")
    # Status is written only when it changes: an idle resync leaves resourceVersion alone.
    rv = obj("topicpolicy", "core")["metadata"]["resourceVersion"]
    time.sleep(3)
    check(obj("topicpolicy", "core")["metadata"]["resourceVersion"] == rv, "no status write without a change")

    # A patch is reconciled within seconds.
    t0 = time.monotonic()
    kubectl("-n", NS, "patch", "topicpolicy", "core", "--type", "json", "-p",
            '[{"op": "add", "path": "/spec/topics/-", "value": {"name": "patched"}}]')
    ok = wait_for(lambda: "patched" in topics(east["bootstrap"]), 30, 0.3)
    check(ok is not None, f"a kubectl patch reconciled in {time.monotonic() - t0:.1f}s")

    # Valid by the schema, not by kdr's rules: an identity-policy replication loop.
    loop = """apiVersion: kdr.io/v1alpha1
kind: ReplicationFlow
metadata: {name: loop-a}
spec: {source: dc-east, target: dc-west, topics: [loopy], replicationPolicy: {type: identity}}
---
apiVersion: kdr.io/v1alpha1
kind: ReplicationFlow
metadata: {name: loop-b}
spec: {source: dc-west, target: dc-east, topics: [loopy], replicationPolicy: {type: identity}}
"""
    r = kubectl("apply", "-n", NS, "-f", "-", input=loop)
    check(r.returncode == 0, "the API server accepts the loop (its schema cannot see it)")
    kubectl("-n", NS, "patch", "topicpolicy", "core", "--type", "json", "-p",
            '[{"op": "add", "path": "/spec/topics/-", "value": {"name": "not-while-invalid"}}]')
    ok = wait_for(lambda: (lambda log: "desired state rejected" in log and "ReplicationFlow kdr-e2e/loop-" in log)(
        open(os.path.join(work, "run1.log")).read()), 15, 0.3)
    check(ok is not None, "kdr run rejects the loop, naming the objects")
    time.sleep(3)
    check("not-while-invalid" not in topics(east["bootstrap"]), "nothing applied while the objects are invalid")
    loop_a = wait_for(lambda: (lambda o: o if condition(o, "Stalled").get("status") == "True" else None)(
        obj("replicationflow", "loop-a")), 15, 0.5) or {}
    stalled = condition(loop_a, "Stalled")
    print("loop-a Stalled:", stalled.get("reason"), stalled.get("message"))
    check(stalled.get("reason") == "ValidationFailed" and "loop" in stalled.get("message", ""),
          "the loop's flow is Stalled with the validator's message")
    check(condition(obj("topicpolicy", "core"), "Ready").get("reason") == "DesiredStateInvalid",
          "the other objects say why nothing is applied")
    time.sleep(2)
    events = json.loads(kubectl("-n", NS, "get", "events", "-o", "json").stdout)["items"]
    loop_events = [e for e in events if e.get("regarding", e.get("involvedObject", {})).get("name") == "loop-a"
                   and e.get("reason") == "ValidationFailed"]
    check(len(loop_events) == 1 and loop_events[0].get("type") == "Warning",
          f"one Warning Event ValidationFailed for loop-a (found {len(loop_events)})")
    check(any(e.get("reason") == "Reconciled" and e.get("type") == "Normal" for e in events),
          "Normal Events for reconciled objects")
    kubectl("-n", NS, "delete", "replicationflow", "loop-a", "loop-b")
    ok = wait_for(lambda: "not-while-invalid" in topics(east["bootstrap"]), 30, 0.3)
    check(ok is not None, "fixed objects are applied")

    # kdr.io/paused: no actions for that object; kdr.io/dry-run: plan into status only.
    kubectl("-n", NS, "annotate", "topicpolicy", "core", "kdr.io/paused=true")
    kubectl("-n", NS, "patch", "topicpolicy", "core", "--type", "json", "-p",
            '[{"op": "add", "path": "/spec/topics/-", "value": {"name": "while-paused"}}]')
    ok = wait_for(lambda: condition(obj("topicpolicy", "core"), "Ready").get("reason") == "Paused", 15, 0.3)
    check(ok is not None, "a paused policy says Paused")
    time.sleep(2)
    check("while-paused" not in topics(east["bootstrap"]), "nothing applied for a paused policy")
    kubectl("-n", NS, "annotate", "topicpolicy", "core", "kdr.io/paused-", "kdr.io/dry-run=true")
    ok = wait_for(lambda: condition(obj("topicpolicy", "core"), "Ready").get("reason") == "DryRun", 15, 0.3)
    core = obj("topicpolicy", "core")
    check(ok is not None and core.get("status", {}).get("plan", {}).get("byAction", {}).get("create-topic", 0) >= 1,
          "dry-run: the plan is in status (create-topic counted), Ready=False DryRun")
    check("while-paused" not in topics(east["bootstrap"]), "nothing applied in dry-run")
    kubectl("-n", NS, "annotate", "topicpolicy", "core", "kdr.io/dry-run-")
    ok = wait_for(lambda: "while-paused" in topics(east["bootstrap"]), 15, 0.3)
    check(ok is not None, "without the annotations the change is applied")

    # The API server restarts: the watch resumes, a change made after it is reconciled.
    os.kill(kube.pid, signal.SIGHUP)
    ok = wait_for(lambda: json.load(open(ready_path)).get("restarts", 0) >= 1 if os.path.exists(ready_path)
                  else False, 120, 0.5)
    check(ok is not None, "kube-apiserver restarted")
    t0 = time.monotonic()
    kubectl("-n", NS, "patch", "topicpolicy", "core", "--type", "json", "-p",
            '[{"op": "add", "path": "/spec/topics/-", "value": {"name": "after-restart"}}]')
    ok = wait_for(lambda: "after-restart" in topics(east["bootstrap"]), 60, 0.5)
    check(ok is not None, f"a change after the API server restart reconciled in {time.monotonic() - t0:.1f}s")
    check(op.poll() is None, "kdr run survived the restart")

    # Two replicas: exactly one holds the Lease and acts; kill it, the other takes over.
    def holder():
        out = kubectl("-n", NS, "get", "lease", "kdr-leader", "-o", "json", expect=None)
        return json.loads(out.stdout)["spec"].get("holderIdentity") if out.returncode == 0 else None

    first = holder()
    check(first is not None and first.endswith(f"_{op.pid}"), f"the first replica holds the Lease ({first})")
    op2 = start([kdr, "run", *common, "--interval", "20s", "--listen", f"127.0.0.1:{free_port()}"], "run2.log")
    time.sleep(3)
    kubectl("-n", NS, "patch", "topicpolicy", "core", "--type", "json", "-p",
            '[{"op": "add", "path": "/spec/topics/-", "value": {"name": "two-replicas"}}]')
    ok = wait_for(lambda: log_says_applied(run_log("run1.log"), "two-replicas"), 30, 0.3)
    check(ok is not None and "two-replicas" in topics(east["bootstrap"]),
          "the leader applied the change (its log says so, an independent client sees the topic)")
    log2 = wait_for(lambda: (lambda log: log if "reconcile cycle finished" in log else None)(run_log("run2.log")),
                    30, 0.3) or run_log("run2.log")
    check("action applied" not in log2 and "reconcile cycle finished" in log2,
          "the other replica ran its cycles and applied nothing")
    check(holder() == first, "the Lease stayed with the first replica")
    t0 = time.monotonic()
    op.kill()
    op.wait()
    ok = wait_for(lambda: holder() not in (None, first), 40, 0.5)
    check(ok is not None, f"the second replica took the Lease over {time.monotonic() - t0:.1f}s after the "
          "leader was killed (lease duration 15s)")
    kubectl("-n", NS, "patch", "topicpolicy", "core", "--type", "json", "-p",
            '[{"op": "add", "path": "/spec/topics/-", "value": {"name": "new-leader"}}]')
    ok = wait_for(lambda: log_says_applied(run_log("run2.log"), "new-leader"), 30, 0.3)
    check(ok is not None and "new-leader" in topics(east["bootstrap"]),
          "the new leader acts (its log says so, an independent client sees the topic)")
    if ok is None:
        print("--- run2.log (tail)\n" + "\n".join(run_log("run2.log").splitlines()[-25:]))

    # The leader cannot renew: a ValidatingAdmissionPolicy denies every update of the Lease (the
    # API server stays up, the informers keep working). Once the lease duration (15 s) has passed
    # without a renewal the leader stops acting: a change made meanwhile is not applied; when
    # renewals pass again it leads again and applies it.
    leader = holder()
    check(leader is not None and leader.endswith(f"_{op2.pid}"), f"the second replica holds the Lease ({leader})")
    freeze = f"""apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {{name: kdr-e2e-freeze-lease}}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [coordination.k8s.io]
      apiVersions: ["*"]
      operations: [UPDATE]
      resources: [leases]
  matchConditions:
  - name: the-kdr-leader-lease
    expression: "object.metadata.namespace == '{NS}' && object.metadata.name == 'kdr-leader'"
  validations:
  - expression: "false"
    message: the kdr leader Lease is frozen by the test
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {{name: kdr-e2e-freeze-lease}}
spec:
  policyName: kdr-e2e-freeze-lease
  validationActions: [Deny]
"""
    lost_before = open(os.path.join(work, "run2.log")).read().count("lost the leader lease")
    kubectl("apply", "-f", "-", input=freeze)
    t0 = time.monotonic()
    ok = wait_for(lambda: "frozen by the test" in kubectl("-n", NS, "annotate", "--overwrite", "lease", "kdr-leader",
                                                          f"kdr-e2e/probe={time.time()}", expect=None).stderr, 20, 0.5)
    check(ok is not None, f"the API server denies Lease updates ({time.monotonic() - t0:.1f}s after the policy)")
    ok = wait_for(lambda: open(os.path.join(work, "run2.log")).read().count(
        f"lost the leader lease as {leader}") > lost_before, 40, 0.2)
    lost_after = time.monotonic() - t0
    check(ok is not None and 10 <= lost_after <= 25,
          f"the leader that cannot renew says it lost the lease {lost_after:.1f}s after renewals were denied "
          "(lease duration 15 s, renewed every 2 s)")
    check(holder() == leader, "nobody else took the Lease (the leader only cannot renew)")
    log2 = open(os.path.join(work, "run2.log")).read()
    applied_before, cycles_before = log2.count("action applied"), log2.count("reconcile cycle finished")
    kubectl("-n", NS, "patch", "topicpolicy", "core", "--type", "json", "-p",
            '[{"op": "add", "path": "/spec/topics/-", "value": {"name": "while-not-renewing"}}]')
    ok = wait_for(lambda: open(os.path.join(work, "run2.log")).read().count("reconcile cycle finished") >
                  cycles_before, 30, 0.3)
    time.sleep(3)
    log2 = open(os.path.join(work, "run2.log")).read()
    check(ok is not None and "while-not-renewing" not in topics(east["bootstrap"]) and
          log2.count("action applied") == applied_before,
          "a leader that could not renew ran its cycle and applied nothing (an independent client sees no topic)")
    kubectl("delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", "kdr-e2e-freeze-lease")
    t0 = time.monotonic()
    ok = wait_for(lambda: "while-not-renewing" in topics(east["bootstrap"]), 60, 0.5)
    log2 = open(os.path.join(work, "run2.log")).read()
    check(ok is not None and log2.rfind(f"acquired the leader lease as {leader}") >
          log2.rfind(f"lost the leader lease as {leader}"),
          f"renewals pass again: it leads again and applied the change {time.monotonic() - t0:.1f}s later")
    # A failover recorded in the custom resources: `kdr failover --commit --k8s` patches the
    # ReplicationFlow itself, through the kubeconfig it read the objects with; the operator converges on
    # it (the flow's connectors, stopped by the failover, stay stopped; its status observes the new
    # generation). The sandbox runs no MM2: an empty checkpoints topic, no group moves.
    admin = KafkaAdminClient(bootstrap_servers=west["bootstrap"], request_timeout_ms=10000)
    try:
        admin.create_topics([NewTopic("dc-east.checkpoints.internal", 1, 1)])
    finally:
        admin.close()
    flow0 = obj("replicationflow", "east-to-west")
    gen0 = flow0["metadata"]["generation"]
    f = kdr_cmd("failover", *common, "--flow", "east-to-west", "--yes", "--commit", "--timeout", "20s")
    print("kdr failover --commit --k8s:", f.returncode, f.stderr.strip()[-1500:])
    flow1 = obj("replicationflow", "east-to-west")
    spec1 = flow1.get("spec", {})
    # The operator writes the flow's status right after the patch: its resourceVersion moves on again.
    said = re.search(rf"kdr failover: recorded in ReplicationFlow {NS}/east-to-west \(resourceVersion (\d+)\)",
                     f.stderr)
    check(f.returncode == 0 and "kubectl patch" not in f.stderr and said is not None and
          int(flow0["metadata"]["resourceVersion"]) < int(said.group(1)) <= int(flow1["metadata"]["resourceVersion"]),
          "kdr failover --commit --k8s patched the ReplicationFlow itself and says so (its new resourceVersion)")
    check(spec1.get("suspended") is True and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", spec1.get("failedOver", ""))
          and flow1["metadata"]["generation"] == gen0 + 1 and
          {k: v for k, v in spec1.items() if k not in ("suspended", "failedOver")} ==
          {k: v for k, v in flow0["spec"].items() if k not in ("suspended", "failedOver")},
          f"the flow's spec: suspended true, failedOver {spec1.get('failedOver')}, nothing else changed (kubectl)")

    def converged():
        o = obj("replicationflow", "east-to-west")
        return o if (o.get("status", {}).get("observedGeneration") == o["metadata"]["generation"] and
                     condition(o, "Ready").get("observedGeneration") == o["metadata"]["generation"]) else None
    flow2 = wait_for(converged, 30, 0.5) or obj("replicationflow", "east-to-west")
    print("east-to-west status after the failover:", json.dumps(flow2.get("status", {}).get("conditions")))
    check(converged() is not None and condition(flow2, "Ready").get("status") == "True",
          "the operator converged on the recorded failover: Ready at the new generation")
    time.sleep(3)

    def states(url):
        out = {}
        for name in connectors(url):
            if name.startswith("kdr.east-to-west."):
                with urllib.request.urlopen(f"{url}/connectors/{name}/status", timeout=10) as r:
                    out[name] = json.load(r)["connector"]["state"]
        return out
    west_states, east_states = states(west["connect"]), states(east["connect"])
    print("east-to-west connectors: dc-west's Connect", west_states, "dc-east's", east_states)
    check(set(west_states) == {"kdr.east-to-west.source", "kdr.east-to-west.checkpoint"} and
          all(v != "RUNNING" for v in list(west_states.values()) + list(east_states.values())),
          "its connectors stay stopped (the heartbeat paused): the operator neither resumes nor recreates them")
    again = kdr_cmd("failover", *common, "--flow", "east-to-west", "--yes", "--commit", "--timeout", "20s")
    check(again.returncode == 0 and "is recorded" in again.stderr and
          obj("replicationflow", "east-to-west")["metadata"]["generation"] == gen0 + 1,
          "a second failover --commit --k8s records nothing")
    rc = stop(op2)
    check(rc == 0, f"kdr run exits 0 on SIGTERM (got {rc})")
    check(holder() == "", "the Lease is released on SIGTERM")
finally:
    for p in reversed(procs):
        stop(p)
    if failures:
        for name in sorted(os.listdir(work)):
            if name.endswith(".log"):
                print(f"--- {name} (tail)")
                print(open(os.path.join(work, name)).read()[-4000:])
    shutil.rmtree(work, ignore_errors=True)

print(f"k8s_operator: {checks - len(failures)} passed, {len(failures)} failed in {time.monotonic() - started:.0f}s")
sys.exit(1 if failures else 0)
