#!/usr/bin/python3
"""AccessPolicy end to end: the kdr binary against clusters behind SASL/PLAIN
with an authorizer (KDR_BACKEND=sandbox: kdr-sandbox, the default;
KDR_BACKEND=kafka: hack/kafka-real, real Kafka with StandardAuthorizer and
allow.everyone.if.no.acl.found=false), checked with independent clients
(python3-kafka's admin client, kcat as User:billing): the plan creates the
declared bindings and, for the flow with mirrorAcls, the grants on the remote
topic and the checkpointed group on the target; apply makes them; the second
plan is empty; an owned binding nobody declares is deleted only under
--allow-delete; another principal's binding is never touched; a flow without
mirrorAcls warns about the grant the target lacks. A consumer as User:billing
reads the remote topic on the target after the grants; on real Kafka it is
refused before them (the sandbox stores ACLs but enforces none)."""
import json
import os
import subprocess
import sys
import tempfile
import time

root = os.environ.get("KDR_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
kdr = os.environ.get("KDR_BIN", os.path.join(root, "build", "asan", "kdr"))
backend = os.environ.get("KDR_BACKEND", "sandbox")
if backend == "kafka":
    sandbox_bin = os.environ.get("KDR_KAFKA_REAL_BIN", os.path.join(root, "hack", "kafka-real"))
else:
    sandbox_bin = os.environ.get("KDR_SANDBOX_BIN", os.path.join(root, "build", "asan", "kdr-sandbox"))

from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType,  # noqa: E402
                         KafkaAdminClient, ResourcePattern, ResourcePatternFilter, ResourceType)

failures = []
print(f"acls_sandbox: backend {backend} ({os.path.basename(sandbox_bin)}, SASL/PLAIN, authorizer)")


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def run(*args, expect=None):
    proc = subprocess.run([kdr, *args], capture_output=True, text=True, timeout=120)
    if expect is not None and proc.returncode != expect:
        print(proc.stdout)
        print(proc.stderr)
        check(False, f"kdr {' '.join(args)}: exit {proc.returncode}, expected {expect}")
    return proc


def admin(bootstrap):
    return KafkaAdminClient(bootstrap_servers=bootstrap.split(","), client_id="acl-check",
                            security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
                            sasl_plain_username="admin", sasl_plain_password="secret")


def consume_as_billing(bootstrap):
    """kcat (librdkafka, its own client) as User:billing: (ok, output) of reading one record of dc-east.orders."""
    proc = subprocess.run(["timeout", "30", "kcat", "-C", "-b", bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
                           "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=billing",
                           "-X", "sasl.password=b1ll1ng", "-t", "dc-east.orders", "-o", "beginning", "-c", "1",
                           "-e", "-q"], capture_output=True, text=True)
    return proc.returncode == 0 and "order-1" in proc.stdout, (proc.stdout + proc.stderr).strip()


def produce_as_admin(bootstrap):
    proc = subprocess.run(["timeout", "30", "kcat", "-P", "-b", bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
                           "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=admin", "-X", "sasl.password=secret",
                           "-t", "dc-east.orders"], input="order-1\n", capture_output=True, text=True)
    check(proc.returncode == 0, f"kcat produce as admin: {proc.stderr.strip()}")


def bindings(client):
    """Every binding as kdr names it: (principal, op, permission, type, name, pattern, host)."""
    acls, error = client.describe_acls(ACLFilter(principal=None, host="*", operation=ACLOperation.ANY,
                                                 permission_type=ACLPermissionType.ANY,
                                                 resource_pattern=ResourcePatternFilter(
                                                     ResourceType.ANY, None, ACLResourcePatternType.ANY)))
    check(error.errno == 0, f"describe_acls error {error}")
    out = set()
    for acl in acls:
        pattern = acl.resource_pattern
        out.add((acl.principal, acl.operation.name.lower(), acl.permission_type.name.lower(),
                 pattern.resource_type.name.lower(), pattern.resource_name, pattern.pattern_type.name.lower(),
                 acl.host))
    return out


CLUSTERS = """apiVersion: kdr.io/v1alpha1
kind: KafkaCluster
metadata: {name: %(name)s}
spec:
  bootstrapServers: %(bootstrap)s
  clientConfig:
    security.protocol: SASL_PLAINTEXT
    sasl.mechanism: PLAIN
    sasl.username: admin
    sasl.password: {valueFrom: {env: KDR_TEST_SASL_PASSWORD}}
"""

DESIRED = """apiVersion: kdr.io/v1alpha1
kind: ReplicationFlow
metadata: {name: east-to-west}
spec:
  source: dc-east
  target: dc-west
  topics: [orders]
  groups: ["billing-.*"]
  mirrorAcls: true
---
apiVersion: kdr.io/v1alpha1
kind: ReplicationFlow
metadata: {name: west-to-east}
spec:
  source: dc-west
  target: dc-east
  topics: [invoices]
---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: core}
spec:
  clusters: [dc-east]
  topics: [orders]
  replicationFactor: 1
---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: west}
spec:
  clusters: [dc-west]
  topics: [invoices]
  replicationFactor: 1
---
apiVersion: kdr.io/v1alpha1
kind: AccessPolicy
metadata: {name: billing-app}
spec:
  clusters: [dc-east]
  grants:
    - principal: User:billing
      resource: {type: topic, name: orders}
      operations: [read, describe]
    - principal: User:billing
      resource: {type: group, name: billing-app}
      operations: [read]
    - principal: User:billing
      resource: {type: cluster}
      operations: [idempotent-write]
---
apiVersion: kdr.io/v1alpha1
kind: AccessPolicy
metadata: {name: invoicing}
spec:
  clusters: [dc-west]
  grants:
    - principal: User:invoicing
      resource: {type: topic, name: invoices}
      operations: [read]
"""

work = tempfile.mkdtemp(prefix="kdr-acls-")
sandbox = None
try:
    open(os.path.join(work, "sandbox.yaml"), "w").write(
        "clusters:\n"
        "  - {name: dc-east, brokers: 1, sasl: {username: admin, password: secret}, authorizer: true,\n"
        "     users: {billing: b1ll1ng}}\n"
        "  - {name: dc-west, brokers: 1, sasl: {username: admin, password: secret}, authorizer: true,\n"
        "     users: {billing: b1ll1ng}}\n")
    ready_path = os.path.join(work, "ready.json")
    sandbox = subprocess.Popen([sandbox_bin, "--config", os.path.join(work, "sandbox.yaml"), "--ready-file", ready_path],
                               stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "sandbox.log"), "w"))
    for _ in range(200 if backend != "kafka" else 6000):
        if os.path.exists(ready_path) or sandbox.poll() is not None:
            break
        time.sleep(0.05)
    ready = json.load(open(ready_path))["clusters"]
    os.environ["KDR_TEST_SASL_PASSWORD"] = "secret"

    desired = os.path.join(work, "desired")
    os.mkdir(desired)
    open(os.path.join(desired, "clusters.yaml"), "w").write(
        "---\n".join(CLUSTERS % {"name": n, "bootstrap": ready[n]["bootstrap"]} for n in ("dc-east", "dc-west")))
    open(os.path.join(desired, "desired.yaml"), "w").write(DESIRED)

    east, west = admin(ready["dc-east"]["bootstrap"]), admin(ready["dc-west"]["bootstrap"])
    # Live before kdr: an old grant of the owned User:invoicing, another principal's grant, both on dc-west.
    west.create_acls([
        ACL("User:invoicing", "*", ACLOperation.WRITE, ACLPermissionType.ALLOW,
            ResourcePattern(ResourceType.TOPIC, "invoices", ACLResourcePatternType.LITERAL)),
        ACL("User:ops", "*", ACLOperation.ALL, ACLPermissionType.ALLOW,
            ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", ACLResourcePatternType.LITERAL)),
    ])

    # The remote topic on the target (MM2 would create it; here the admin does) with one record in it.
    from kafka.admin import NewTopic  # noqa: E402
    west.create_topics([NewTopic("dc-east.orders", 1, 1)])
    produce_as_admin(ready["dc-west"]["bootstrap"])
    ok, output = consume_as_billing(ready["dc-west"]["bootstrap"])
    if backend == "kafka":
        print(f"acls_sandbox: before the grants, kcat as User:billing on dc-west: {output[-160:]!r}")
        check(not ok and "uthoriz" in output, f"before the grants User:billing is refused on dc-west: {output!r}")
    else:
        print("acls_sandbox: the sandbox enforces no ACL: the refusal before the grants is checked on real Kafka only")

    run("validate", desired, expect=0)
    first = run("plan", desired, "--detailed-exitcode", expect=2)
    for needle in ["+ create-acl User:billing allow read topic:orders",
                   "+ create-acl User:billing allow idempotent-write cluster:kafka-cluster",
                   "+ create-acl User:billing allow read topic:dc-east.orders",
                   "+ create-acl User:billing allow describe topic:dc-east.orders",
                   "+ create-acl User:billing allow read group:billing-app",
                   "mirrors 'User:billing allow read topic:orders' of dc-east (flow east-to-west, mirrorAcls)",
                   "skipped: would delete this ACL binding (principal 'User:invoicing' is owned by AccessPolicy "
                   "'invoicing'",
                   "unmanaged, left as they are: User:ops (1)",
                   # west-to-east has no mirrorAcls: a warning, not an action.
                   "principal 'User:invoicing' may read topic 'invoices' on dc-west but may not topic "
                   "'dc-west.invoices' here (flow west-to-east)"]:
        check(needle in first.stdout, f"first plan mentions {needle!r}")
    check("delete-acl" not in first.stdout, "no delete-acl without --allow-delete")
    check("create-acl User:invoicing allow read topic:dc-west.invoices" not in first.stdout,
          "no grant planned for a flow without mirrorAcls")

    js = json.loads(run("plan", desired, "--format", "json").stdout)
    acl_actions = [a for a in js["actions"] if a["kind"] == "create-acl"]
    check(len(acl_actions) == 8, f"8 create-acl actions in the JSON plan, got {len(acl_actions)}")
    check(all(a["risk"] == "safe" and set(a["acl"]) == {"principal", "host", "resourceType", "resourceName",
                                                           "pattern", "operation", "permission"}
              for a in acl_actions), "create-acl actions are safe and carry the binding")

    applied = run("apply", desired, "--yes", expect=0)
    check("0 failed" in applied.stdout, "apply reports no failure")
    second = run("plan", desired, "--detailed-exitcode", expect=0)
    check("No changes" in second.stdout, "second plan says no changes")

    got_east, got_west = bindings(east), bindings(west)
    for b in [("User:billing", "read", "allow", "topic", "orders", "literal", "*"),
              ("User:billing", "describe", "allow", "topic", "orders", "literal", "*"),
              ("User:billing", "read", "allow", "group", "billing-app", "literal", "*"),
              ("User:billing", "idempotent_write", "allow", "cluster", "kafka-cluster", "literal", "*")]:
        check(b in got_east, f"dc-east holds {b}")
    for b in [("User:billing", "read", "allow", "topic", "dc-east.orders", "literal", "*"),
              ("User:billing", "describe", "allow", "topic", "dc-east.orders", "literal", "*"),
              ("User:billing", "read", "allow", "group", "billing-app", "literal", "*"),
              ("User:invoicing", "read", "allow", "topic", "invoices", "literal", "*"),
              ("User:invoicing", "write", "allow", "topic", "invoices", "literal", "*"),
              ("User:ops", "all", "allow", "cluster", "kafka-cluster", "literal", "*")]:
        check(b in got_west, f"dc-west holds {b}")
    check(len(got_east) == 4, f"dc-east has exactly 4 bindings, got {sorted(got_east)}")
    ok, output = consume_as_billing(ready["dc-west"]["bootstrap"])
    check(ok, f"after the grants User:billing reads dc-east.orders on dc-west: {output!r}")
    print(f"acls_sandbox: after the grants, kcat as User:billing on dc-west read: {output[-80:]!r}")

    # --allow-delete: the owned, undeclared binding goes; the other principal's stays.
    pruned = run("plan", desired, "--allow-delete", "--detailed-exitcode", expect=2)
    check("- delete-acl User:invoicing allow write topic:invoices [destructive]" in pruned.stdout,
          "the owned undeclared binding is a destructive delete-acl under --allow-delete")
    check("User:ops" not in pruned.stdout.split("Notes:")[0], "no action touches User:ops")
    run("apply", desired, "--allow-delete", "--yes", expect=0)
    got_west = bindings(west)
    check(("User:invoicing", "write", "allow", "topic", "invoices", "literal", "*") not in got_west,
          "the undeclared User:invoicing binding was deleted")
    check(("User:ops", "all", "allow", "cluster", "kafka-cluster", "literal", "*") in got_west,
          "User:ops's binding survived")
    run("plan", desired, "--allow-delete", "--detailed-exitcode", expect=0)

    # Drift: a declared binding deleted by hand comes back.
    east.delete_acls([ACLFilter("User:billing", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                                ResourcePatternFilter(ResourceType.TOPIC, "orders", ACLResourcePatternType.LITERAL))])
    drift = run("plan", desired, "--cluster", "dc-east", "--detailed-exitcode", expect=2)
    check("+ create-acl User:billing allow read topic:orders" in drift.stdout, "drift: the deleted grant is planned")
    run("apply", desired, "--cluster", "dc-east", "--yes", expect=0)
    check(("User:billing", "read", "allow", "topic", "orders", "literal", "*") in bindings(east), "drift repaired")
    run("plan", desired, "--detailed-exitcode", expect=0)
    east.close()
    west.close()
finally:
    if sandbox:
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
        check(sandbox.returncode == 0, f"kdr-sandbox exited {sandbox.returncode} on SIGTERM")

print(f"acls_sandbox: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
