#!/usr/bin/python3
"""manifests/ against a real kube-apiserver (hack/kube-real): `kubectl kustomize`
renders the base (hardened Deployment with 2 replicas and probes, RBAC, metrics
Service); `kubectl apply --dry-run=server -k` accepts it; the ServiceAccount may do
exactly what the operator needs (`kubectl auth can-i` for each verb, and not for
others); and `kdr run --k8s --once` with that ServiceAccount's token reconciles a
KafkaCluster and TopicPolicy on kdr-sandbox and writes their status. The Argo CD
health check (manifests/argocd/health.lua) is run with lua5.4 when installed."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

root = os.environ.get("KDR_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
kdr = os.environ.get("KDR_BIN", os.path.join(root, "build", "asan", "kdr"))
sandbox_bin = os.environ.get("KDR_SANDBOX_BIN", os.path.join(root, "build", "asan", "kdr-sandbox"))
failures = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failures.append(msg)


def kubectl(*args, input=None):
    return subprocess.run(["kubectl", "--kubeconfig", kubeconfig, *args], capture_output=True, text=True,
                          input=input, timeout=120)


started = time.monotonic()
work = tempfile.mkdtemp(prefix="kdr-k8s-manifests-")
procs = []
try:
    rendered = subprocess.run(["kubectl", "kustomize", os.path.join(root, "manifests")], capture_output=True,
                              text=True)
    check(rendered.returncode == 0, f"kubectl kustomize manifests/ {rendered.stderr.strip()}")
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs)
    print("rendered:", ", ".join(kinds))
    deploy = next(d for d in docs if d["kind"] == "Deployment")
    pod = deploy["spec"]["template"]["spec"]
    c = pod["containers"][0]
    check(deploy["spec"]["replicas"] == 2 and "--k8s" in c["args"], "2 replicas of kdr run --k8s")
    check(c["livenessProbe"]["httpGet"]["path"] == "/healthz" and c["readinessProbe"]["httpGet"]["path"] == "/readyz",
          "probes on /healthz and /readyz")
    sc = c["securityContext"]
    check(pod["securityContext"]["runAsNonRoot"] and sc["readOnlyRootFilesystem"] and
          not sc["allowPrivilegeEscalation"] and sc["capabilities"]["drop"] == ["ALL"] and
          pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault" and "limits" in c["resources"],
          "non-root, read-only root, no privilege escalation, seccomp RuntimeDefault, resources")

    ready_path = os.path.join(work, "kube.json")
    kube = subprocess.Popen([sys.executable, os.path.join(root, "hack", "kube-real"), "--ready-file", ready_path],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "kube.log"), "w"))
    procs.append(kube)
    deadline = time.monotonic() + 900
    while not os.path.exists(ready_path) and kube.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if not os.path.exists(ready_path):
        print(open(os.path.join(work, "kube.log")).read()[-3000:])
        check(False, "hack/kube-real became ready")
        raise SystemExit
    info = json.load(open(ready_path))
    kubeconfig = info["kubeconfig"]
    print(f"backend: real kube-apiserver {info['version']} at {info['server']}; Kafka: kdr-sandbox")
    kubectl("apply", "-f", os.path.join(root, "crds"))
    kubectl("wait", "--for", "condition=established", "--timeout=60s", "-f", os.path.join(root, "crds"))
    # A namespace created by the same dry run does not exist for the objects in it: create it first.
    ns_doc = yaml.safe_dump(next(d for d in docs if d["kind"] == "Namespace"))
    check(kubectl("apply", "-f", "-", input=ns_doc).returncode == 0, "the Namespace")
    dry = kubectl("apply", "--dry-run=server", "-k", os.path.join(root, "manifests"))
    check(dry.returncode == 0, f"kubectl apply --dry-run=server -k manifests/ {dry.stderr.strip()}")
    real = kubectl("apply", "-k", os.path.join(root, "manifests"))
    check(real.returncode == 0, f"kubectl apply -k manifests/ {real.stderr.strip()}")

    sa = "system:serviceaccount:kdr-system:kdr"
    allowed = [
        ("list", "topicpolicies.kdr.io", ["--all-namespaces"]),
        ("watch", "kafkaclusters.kdr.io", ["--all-namespaces"]),
        ("get", "replicationflows.kdr.io", ["-n", "team-a"]),
        ("list", "accesspolicies.kdr.io", ["--all-namespaces"]),
        ("patch", "topicpolicies.kdr.io", ["--subresource=status", "-n", "team-a"]),
        ("update", "kafkaclusters.kdr.io", ["--subresource=status", "-n", "team-a"]),
        ("get", "secrets", ["-n", "team-a"]),
        ("create", "leases.coordination.k8s.io", ["-n", "kdr-system"]),
        ("update", "leases.coordination.k8s.io", ["-n", "kdr-system"]),
        ("create", "events.events.k8s.io", ["-n", "team-a"]),
    ]
    denied = [
        ("update", "topicpolicies.kdr.io", ["-n", "team-a"]),      # the spec is the user's
        ("delete", "kafkaclusters.kdr.io", ["-n", "team-a"]),
        ("list", "secrets", ["-n", "team-a"]),                     # only the ones named
        ("create", "secrets", ["-n", "kdr-system"]),
        ("create", "leases.coordination.k8s.io", ["-n", "team-a"]),
        ("create", "pods", ["-n", "kdr-system"]),
        ("delete", "events.events.k8s.io", ["-n", "team-a"]),
    ]
    for verb, resource, extra in allowed + denied:
        out = kubectl("auth", "can-i", verb, resource, *extra, "--as", sa)
        want = (verb, resource, extra) in allowed
        check((out.stdout.strip() == "yes") == want,
              f"can-i {verb} {resource} {' '.join(extra)}: {out.stdout.strip()} (want {'yes' if want else 'no'})")

    # The operator with that ServiceAccount's token, against the sandbox.
    token = kubectl("-n", "kdr-system", "create", "token", "kdr").stdout.strip()
    sa_config = os.path.join(work, "sa.kubeconfig")
    with open(sa_config, "w") as f:
        yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "sa",
                        "clusters": [{"name": "t", "cluster": {"server": info["server"],
                                                               "certificate-authority": info["caFile"]}}],
                        "users": [{"name": "kdr", "user": {"token": token}}],
                        "contexts": [{"name": "sa", "context": {"cluster": "t", "user": "kdr",
                                                                "namespace": "kdr-system"}}]}, f)
    config = open(os.path.join(root, "hack", "demo-sandbox.yaml")).read()
    config = re.sub(r"\n\s*port: \d+", "", config)
    config = re.sub(r"connect: \{port: \d+\}", "connect: true", config)
    open(os.path.join(work, "sandbox.yaml"), "w").write(config)
    sb_ready = os.path.join(work, "sandbox.json")
    sb = subprocess.Popen([sandbox_bin, "--config", os.path.join(work, "sandbox.yaml"), "--ready-file", sb_ready],
                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "sandbox.log"), "w"))
    procs.append(sb)
    for _ in range(200):
        if os.path.exists(sb_ready):
            break
        time.sleep(0.05)
    east = json.load(open(sb_ready))["clusters"]["dc-east"]
    kubectl("create", "namespace", "team-a")
    objs = f"""apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {{name: dc-east, namespace: team-a}}
spec: {{bootstrapServers: "{east['bootstrap']}"}}
---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {{name: core, namespace: team-a}}
spec: {{clusters: [dc-east], partitions: 3, replicationFactor: 3, topics: [{{name: sa-orders}}]}}
"""
    check(kubectl("apply", "-f", "-", input=objs).returncode == 0, "objects in team-a")
    run = subprocess.run([kdr, "run", "--k8s", "--kubeconfig", sa_config, "--once"], capture_output=True, text=True,
                         timeout=120)
    check(run.returncode == 0, f"kdr run --k8s --once as the ServiceAccount: exit {run.returncode}")
    if run.returncode != 0:
        print(run.stderr[-3000:])
    tp = json.loads(kubectl("-n", "team-a", "get", "topicpolicy", "core", "-o", "json").stdout)
    ready = [c for c in tp.get("status", {}).get("conditions", []) if c["type"] == "Ready"]
    check(ready and ready[0]["status"] == "True", f"status written as the ServiceAccount: {ready}")

    lua = shutil.which("lua5.4") or shutil.which("lua5.3") or shutil.which("lua")
    if lua:
        script = open(os.path.join(root, "manifests", "argocd", "health.lua")).read()

        def health(o):
            prog = ("local json = " + _lua_table(o) + "\nobj = json\nlocal function f()\n" + script +
                    "\nend\nlocal hs = f()\nprint(hs.status)\n")
            return subprocess.run([lua, "-"], input=prog, capture_output=True, text=True).stdout.strip()

        def _lua_table(v):
            if isinstance(v, dict):
                return "{" + ",".join(f"[{json.dumps(k)}]={_lua_table(x)}" for k, x in v.items()) + "}"
            if isinstance(v, list):
                return "{" + ",".join(_lua_table(x) for x in v) + "}"
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, (int, float)):
                return str(v)
            return json.dumps(v)

        check(health(tp) == "Healthy", f"Argo CD health of a Ready policy: {health(tp)}")
        tp["status"]["conditions"] = [{"type": "Stalled", "status": "True", "reason": "ValidationFailed",
                                       "message": "loop"}]
        check(health(tp) == "Degraded", "Argo CD health of a Stalled policy: Degraded")
        tp["metadata"]["generation"] = tp["status"]["observedGeneration"] + 1
        check(health(tp) == "Progressing", "Argo CD health of an unobserved generation: Progressing")
    else:
        print("Argo CD health check: not run (no lua interpreter installed)")
finally:
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
    if failures:
        for name in ("kube.log", "sandbox.log"):
            path = os.path.join(work, name)
            if os.path.exists(path):
                print(f"--- {name}")
                print(open(path).read()[-2000:])
    shutil.rmtree(work, ignore_errors=True)

print(f"k8s_manifests: {checks - len(failures)} passed, {len(failures)} failed in {time.monotonic() - started:.0f}s")
sys.exit(1 if failures else 0)
