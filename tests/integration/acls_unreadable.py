#!/usr/bin/python3
"""ACLs kdr cannot read are never "no ACLs" (issue 12), the kdr binary on either
backend (lib/bed.py: kdr-sandbox, or hack/kafka-real: real Kafka with
StandardAuthorizer):

- a cluster without an authorizer (noAuthorizer: no authorizer.class.name, ACL
  requests answer SECURITY_DISABLED on both backends): the plan of an
  AccessPolicy on it is an error saying ACLs are not supported there, in text,
  markdown and JSON, exit 1, and no create-acl is planned;
- a DescribeAcls refused to kdr's principal (real Kafka: User:billing, granted
  only DESCRIBE_CONFIGS on the cluster so the rest of the read works;
  librdkafka 2.0.2 reports the refusal as an empty list): an error naming the
  refusal in all three formats, exit 1, no create-acl (before: the grant was
  planned as if the cluster had no ACLs). The sandbox enforces no ACL, so this
  half runs on real Kafka; on the sandbox test_kafka_acls
  test_describe_refused_is_an_error covers it with injected refusals.
- kdr backup: of the cluster without an authorizer, exit 0 and the manifest says ACLs are
  not supported there; as the refused principal (real Kafka), exit 1 and nothing written.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bed  # noqa: E402

root = os.environ.get("KDR_SOURCE_DIR", bed.ROOT)
kdr = os.environ.get("KDR_BIN", os.path.join(root, "build", "asan", "kdr"))

CONFIG = """clusters:
  - {name: dc-east, brokers: 1, sasl: {username: admin, password: secret}, authorizer: true,
     users: {billing: b1ll1ng}}
  - {name: dc-open, brokers: 1, noAuthorizer: true}
"""

POLICY = """---
apiVersion: kdr.io/v1alpha1
kind: AccessPolicy
metadata: {name: billing-app}
spec:
  clusters: [%s]
  grants:
    - principal: User:billing
      resource: {type: topic, name: orders}
      operations: [read]
"""


def cluster_doc(name, bootstrap, user=None):
    doc = "---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: %s}\nspec:\n" \
          "  bootstrapServers: %s\n" % (name, bootstrap)
    if user:
        doc += ("  clientConfig:\n    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: PLAIN\n"
                "    sasl.username: %s\n    sasl.password: {valueFrom: {env: KDR_TEST_ACL_PASSWORD}}\n" % user)
    return doc


def plans(check, desired, cluster, needle, env):
    """kdr plan in the three formats: exit 1, `needle` in the cluster's error, no create-acl."""
    for fmt in ("text", "markdown", "json"):
        proc = subprocess.run([kdr, "plan", desired, "--detailed-exitcode", "--format", fmt], capture_output=True,
                              text=True, timeout=180, env=env)
        check(proc.returncode == 1, "%s: plan --format %s exits 1 (got %d)" % (cluster, fmt, proc.returncode))
        check("create-acl" not in proc.stdout, "%s: no create-acl planned (--format %s)" % (cluster, fmt))
        if fmt == "json":
            try:
                blocked = [b for b in json.loads(proc.stdout).get("blocked", []) if b.get("cluster") == cluster]
            except ValueError:
                blocked = []
            check(any(b.get("kind") == "error" and needle in b.get("reason", "") for b in blocked),
                  "%s: the JSON plan has an error naming %r" % (cluster, needle))
        else:
            text = proc.stdout.replace("\\_", "_")
            check(needle in text, "%s: the %s plan names %r" % (cluster, fmt, needle))
        if proc.returncode != 1 or needle not in proc.stdout.replace("\\_", "_"):
            print(proc.stdout[-2000:], proc.stderr[-1000:])


def probe(clusters, check):
    work = os.path.dirname(b.log)
    env = dict(os.environ, KDR_TEST_ACL_PASSWORD="secret")

    # No authorizer: ACLs are not supported there, on both backends.
    open_dir = os.path.join(work, "open")
    os.mkdir(open_dir)
    with open(os.path.join(open_dir, "desired.yaml"), "w") as f:
        f.write(cluster_doc("dc-open", clusters["dc-open"]["bootstrap"]) + POLICY % "dc-open")
    plans(check, open_dir, "dc-open", "ACLs are not supported there", env)
    # kdr backup of it: no ACLs to back up, said so in the manifest (exit 0).
    out = os.path.join(work, "open-backup")
    proc = subprocess.run([kdr, "backup", open_dir, "--cluster", "dc-open", "--out", out], capture_output=True,
                          text=True, timeout=180, env=env)
    manifest = json.load(open(os.path.join(out, "manifest.json"))) if proc.returncode == 0 else {}
    check(proc.returncode == 0 and manifest.get("aclsRead") is False and manifest.get("aclsNoAuthorizer") is True
          and "ACLs are not supported there" in
          manifest.get("aclsError", "") and "kind: AccessPolicy" not in open(os.path.join(out, "acls.yaml")).read(),
          "dc-open: kdr backup exits 0 and its manifest says ACLs are not supported: %s" % proc.stderr[-300:])

    if not b.real:
        print("acls_unreadable: the sandbox enforces no ACL: the refused DescribeAcls is checked on real Kafka "
              "(and with injected refusals by test_kafka_acls)", flush=True)
        return
    # kdr as User:billing: DESCRIBE_CONFIGS on the cluster (the read needs it), nothing on the ACLs.
    from kafka.admin import (ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType,  # noqa: E402
                             KafkaAdminClient, ResourcePattern, ResourceType)
    admin = KafkaAdminClient(bootstrap_servers=clusters["dc-east"]["bootstrap"].split(","), client_id="acl-setup",
                             security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
                             sasl_plain_username="admin", sasl_plain_password="secret")
    result = admin.create_acls([ACL("User:billing", "*", ACLOperation.DESCRIBE_CONFIGS, ACLPermissionType.ALLOW,
                                    ResourcePattern(ResourceType.CLUSTER, "kafka-cluster",
                                                    ACLResourcePatternType.LITERAL))])
    check(not result["failed"], "admin grants User:billing describe-configs on the cluster")
    admin.close()
    refused_dir = os.path.join(work, "refused")
    os.mkdir(refused_dir)
    with open(os.path.join(refused_dir, "desired.yaml"), "w") as f:
        f.write(cluster_doc("dc-east", clusters["dc-east"]["bootstrap"], "billing") + POLICY % "dc-east")
    env["KDR_TEST_ACL_PASSWORD"] = "b1ll1ng"
    plans(check, refused_dir, "dc-east", "DescribeAcls refused: kdr's principal may not describe the cluster's ACLs "
          "(CLUSTER_AUTHORIZATION_FAILED", env)
    # kdr backup as User:billing (a source without an AccessPolicy): refused, nothing written, never "no ACLs".
    bare_dir = os.path.join(work, "bare")
    os.mkdir(bare_dir)
    with open(os.path.join(bare_dir, "desired.yaml"), "w") as f:
        f.write(cluster_doc("dc-east", clusters["dc-east"]["bootstrap"], "billing"))
    out = os.path.join(work, "refused-backup")
    proc = subprocess.run([kdr, "backup", bare_dir, "--cluster", "dc-east", "--out", out], capture_output=True,
                          text=True, timeout=180, env=env)
    check(proc.returncode == 1 and "the ACLs could not be read" in proc.stderr and not os.path.exists(out),
          "dc-east as User:billing: kdr backup exits 1, says the ACLs could not be read, writes nothing: %s"
          % proc.stderr[-300:])


b = bed.Bed()
sys.exit(b.run_probes("acls_unreadable", CONFIG, probe))
