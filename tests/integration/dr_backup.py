#!/usr/bin/python3
"""kdr backup and kdr restore end to end on the test bed (KDR_BACKEND=sandbox: kdr-sandbox,
the default; KDR_BACKEND=kafka: real Apache Kafka via hack/kafka-real), checked with an
independent client (python3-kafka):
  - dc-east gets topics (an explicit assignment, dynamic configs), ACLs, a group with
    committed offsets and records with keys, headers and timestamps, all made by python3-kafka
  - kdr backup --data: the files; a second backup is byte-identical (SOURCE_DATE_EPOCH fixes
    the manifest's createdAt, the only time-dependent line; without it only that line differs)
  - adoption: the backup's documents next to the KafkaCluster plan to "no changes"
  - restore --dry-run changes nothing; restore --data --offsets into the empty dc-west (same
    broker ids) creates the topics with the same assignment, configs and ACLs, produces the
    records (read back by python3-kafka with keys, headers, timestamps) and commits the
    offsets; a backup of dc-west is byte-identical to dc-east's (cluster name and id aside)
  - a second restore changes nothing; --offsets refuses an active group and an offset past
    the log end; a damaged data file is refused by its checksum
  - dc-conn (a Connect worker): brokers.json holds a dynamic broker config, connectors.json a
    connector's config with every secret "(redacted)"; restore --connectors: a no-op onto the
    cluster running it; once it is deleted, refused naming the redacted keys; created with
    --connector-secrets (dry run first); a drifted key set back, an extra key kept; twice a no-op;
    restore --broker-configs sets a drifted broker config back, keeps another, twice a no-op
  - --commit makes a Git commit naming cluster and time
Both clusters run with an authorizer (the sasl admin is a super user).
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bed  # noqa: E402

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import (ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType,  # noqa: E402
                         ConfigResource, ConfigResourceType, NewTopic, ResourcePattern, ResourceType)
from kafka.structs import OffsetAndMetadata  # noqa: E402

KDR = os.environ.get("KDR_BIN", os.path.join(bed.ROOT, "build", "asan", "kdr"))
SASL = dict(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_plain_username="admin",
            sasl_plain_password="secret")

CONFIG = """clusters:
  - {name: dc-east, brokers: 3, racks: [a, b, c], sasl: {username: admin, password: secret}, authorizer: true}
  - {name: dc-west, brokers: 3, racks: [a, b, c], sasl: {username: admin, password: secret}, authorizer: true}
  - {name: dc-conn, brokers: 1, connect: true}
"""

CLUSTER = """apiVersion: kdr.io/v1alpha1
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

NOW = int(time.time() * 1000) - 60000  # recent: no retention removes them during the test
RECORDS = [  # (partition, key, value, headers, timestamp)
    (0, b"k1", b"v1", [("trace", b"t-1"), ("trace", b"t-2")], NOW),
    (0, None, b"no key", [], NOW + 1),
    (1, b"k3", b"\x00\xffbinary", [("empty", b"")], NOW + 2),
    (1, b"k4", None, [], NOW + 3),
    (2, b"k5", b"", [], NOW + 4),
]


def kdr(*args, env=None):
    proc = subprocess.run([KDR, *args], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, **(env or {})))
    return proc


def read_tree(path, skip=()):
    out = {}
    for base, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            rel = os.path.relpath(os.path.join(base, name), path)
            if rel not in skip:
                with open(os.path.join(base, name), "rb") as f:
                    out[rel] = f.read()
    return out


def wait_for(what, predicate, timeout=60):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out waiting for " + what)


def group_offsets(admin, group):
    """The group's committed offsets; on KRaft the coordinator may need a moment after the first commit."""
    for _ in range(60):
        try:
            return admin.list_consumer_group_offsets(group)
        except Exception as e:  # GroupCoordinatorNotAvailable, CoordinatorLoadInProgress
            last = e
            time.sleep(0.5)
    raise last


def consume_all(bootstrap, topic, partitions):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000,
                             **SASL)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    ends = consumer.end_offsets(tps)
    got = []
    deadline = time.monotonic() + 60
    while sum(consumer.position(tp) for tp in tps) < sum(ends.values()) and time.monotonic() < deadline:
        for tp, msgs in consumer.poll(timeout_ms=1000).items():
            for m in msgs:
                got.append((m.partition, m.offset, m.key, m.value, [(k, v) for k, v in m.headers], m.timestamp))
    consumer.close()
    return sorted(got)


def probe(clusters, check, b):
    work = tempfile.mkdtemp(prefix="kdr-backup-")
    os.environ["KDR_TEST_SASL_PASSWORD"] = "secret"
    east_bs, west_bs = clusters["dc-east"]["bootstrap"], clusters["dc-west"]["bootstrap"]
    src = os.path.join(work, "src")
    os.mkdir(src)
    with open(os.path.join(src, "clusters.yaml"), "w") as f:
        f.write("---\n".join(CLUSTER % {"name": n, "bootstrap": clusters[n]["bootstrap"]} for n in ("dc-east", "dc-west")))
    with open(os.path.join(src, "conn.yaml"), "w") as f:
        f.write("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: dc-conn}\nspec:\n"
                "  bootstrapServers: %s\n  connect: {url: '%s'}\n" % (clusters["dc-conn"]["bootstrap"],
                                                                    clusters["dc-conn"]["connect"]))

    # dc-east's state, made by an independent client.
    east = KafkaAdminClient(bootstrap_servers=east_bs, client_id="backup-test", **SASL)
    east.create_topics([NewTopic("orders", num_partitions=-1, replication_factor=-1,
                                 replica_assignments={0: [1, 2, 3], 1: [2, 3, 1], 2: [3, 1, 2]},
                                 topic_configs={"retention.ms": "604800000", "max.message.bytes": "2000000"}),
                        NewTopic("audit.log", num_partitions=1, replication_factor=2,
                                 topic_configs={"cleanup.policy": "compact"})])
    east.create_acls([
        ACL("User:billing", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
            ResourcePattern(ResourceType.TOPIC, "orders", ACLResourcePatternType.LITERAL)),
        ACL("User:billing", "*", ACLOperation.DESCRIBE, ACLPermissionType.ALLOW,
            ResourcePattern(ResourceType.TOPIC, "orders", ACLResourcePatternType.LITERAL)),
        ACL("User:billing", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
            ResourcePattern(ResourceType.GROUP, "billing-", ACLResourcePatternType.PREFIXED)),
        ACL("User:ops", "10.0.0.9", ACLOperation.WRITE, ACLPermissionType.DENY,
            ResourcePattern(ResourceType.TOPIC, "audit.log", ACLResourcePatternType.LITERAL)),
    ])
    wait_for("dc-east lists its topics", lambda: {"orders", "audit.log"} <= set(east.list_topics()))
    producer = KafkaProducer(bootstrap_servers=east_bs, acks="all", **SASL)
    sent = [producer.send("orders", key=key, value=value, headers=headers, partition=partition, timestamp_ms=ts)
            for partition, key, value, headers, ts in RECORDS]
    producer.flush()
    check(all(f.get(timeout=30).offset >= 0 for f in sent), "python3-kafka produced the 5 records to dc-east")
    producer.close()
    committer = KafkaConsumer(bootstrap_servers=east_bs, group_id="billing-app", enable_auto_commit=False, **SASL)
    committer.assign([TopicPartition("orders", 0), TopicPartition("orders", 1)])
    committer.commit({TopicPartition("orders", 0): OffsetAndMetadata(2, "m0"),
                      TopicPartition("orders", 1): OffsetAndMetadata(1, "")})
    committer.close()
    if b.real:
        time.sleep(2)  # KRaft: ACLs and configs reach every broker a moment after the answer

    # Backup, twice: byte-identical.
    one, two = os.path.join(work, "east-1"), os.path.join(work, "east-2")
    epoch = {"SOURCE_DATE_EPOCH": "1796601600"}
    r1 = kdr("backup", src, "--cluster", "dc-east", "--out", one, "--data", "orders", env=epoch)
    check(r1.returncode == 0, "backup exits 0: " + r1.stderr.strip()[-300:])
    r2 = kdr("backup", src, "--cluster", "dc-east", "--out", two, "--data", "orders", env=epoch)
    check(r2.returncode == 0, "second backup exits 0")
    t1, t2 = read_tree(one), read_tree(two)
    check(sorted(t1) == ["acls.yaml", "brokers.json", "connectors.json", "data/SHA256SUMS", "data/orders/0.jsonl",
                         "data/orders/1.jsonl", "data/orders/2.jsonl", "groups.json", "manifest.json", "topics.yaml"],
          "backup files: %s" % sorted(t1))
    check(t1 == t2, "a second backup of the unchanged cluster is byte-identical")
    r3 = kdr("backup", src, "--cluster", "dc-east", "--out", os.path.join(work, "east-3"), "--data", "orders")
    t3 = read_tree(os.path.join(work, "east-3"))
    diff = [(a, c) for a, c in zip(t1["manifest.json"].splitlines(), t3["manifest.json"].splitlines()) if a != c]
    check(r3.returncode == 0 and {k: v for k, v in t3.items() if k != "manifest.json"} ==
          {k: v for k, v in t1.items() if k != "manifest.json"} and len(diff) == 1 and b"createdAt" in diff[0][0],
          "without SOURCE_DATE_EPOCH only the manifest's createdAt line differs: %r" % diff)
    small = os.path.join(work, "small")
    over = kdr("backup", src, "--cluster", "dc-east", "--out", small, "--data", "orders", "--max-bytes", "10")
    check(over.returncode == 1 and "exceed --max-bytes 10" in over.stderr and not os.path.exists(small),
          "--data over --max-bytes fails naming the bound and writes nothing: " + over.stderr.strip()[-200:])
    topics = t1["topics.yaml"].decode()
    check('"orders": [[1, 2, 3], [2, 3, 1], [3, 1, 2]]' in topics, "topics.yaml holds the exact assignment")
    check('"cleanup.policy": "compact"' in topics and '"max.message.bytes": "2000000"' in topics
          and '"retention.ms": "604800000"' in topics,
          "topics.yaml holds the dynamic configs")
    acls = t1["acls.yaml"].decode()
    check("kind: AccessPolicy" in acls and "operations: [read, describe]" in acls and "pattern: prefixed" in acls
          and "permission: deny" in acls and 'host: "10.0.0.9"' in acls, "acls.yaml holds the bindings")
    groups = json.loads(t1["groups.json"])
    check([(g["id"], [(o["topic"], o["partition"], o["offset"], o["metadata"]) for o in g["offsets"]])
           for g in groups["groups"]] == [("billing-app", [("orders", 0, 2, "m0"), ("orders", 1, 1, "")])],
          "groups.json holds the committed offsets: %s" % groups["groups"])
    manifest = json.loads(t1["manifest.json"])
    check(manifest["cluster"] == "dc-east" and manifest["clusterId"] == clusters["dc-east"]["clusterId"]
          and manifest["counts"]["records"] == 5 and manifest["counts"]["aclBindings"] == 4,
          "manifest: cluster, id and counts")
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=os.path.join(one, "data"), capture_output=True,
                          text=True)
    check(sums.returncode == 0, "sha256sum -c verifies the data files: " + sums.stdout.strip())
    check(b"secret" not in b"".join(t1.values()), "the SASL password is in no file")

    # Adoption: the backup's documents next to the KafkaCluster plan to no changes.
    adopt = os.path.join(work, "adopt")
    os.mkdir(adopt)
    for name in ("clusters.yaml",):
        with open(os.path.join(src, name)) as f, open(os.path.join(adopt, name), "w") as g:
            g.write(f.read())
    for name in ("topics.yaml", "acls.yaml"):
        with open(os.path.join(adopt, name), "wb") as g:
            g.write(t1[name])
    plan = kdr("plan", adopt, "--cluster", "dc-east", "--detailed-exitcode")
    check(plan.returncode == 0 and "No changes" in plan.stdout,
          "adoption: the backup plans to no changes on dc-east: %s %s" % (plan.stdout[-400:], plan.stderr[-300:]))

    # Restore into the empty dc-west: dry run first.
    dry = kdr("restore", src, "--from", one, "--cluster", "dc-west", "--dry-run", "--data", "--offsets")
    check(dry.returncode == 0 and "create-topic" in dry.stdout and "would produce 2 record(s) to orders-0"
          in dry.stdout, "dry run shows the plan and the records: " + dry.stdout[-500:])
    west = KafkaAdminClient(bootstrap_servers=west_bs, client_id="backup-test", **SASL)
    check(not ({"orders", "audit.log"} & set(west.list_topics())), "the dry run created nothing")
    rest = kdr("restore", src, "--from", one, "--cluster", "dc-west", "--yes", "--data", "--offsets")
    check(rest.returncode == 0, "restore --data --offsets exits 0: %s %s" % (rest.stdout[-800:], rest.stderr[-400:]))
    check("--data: 5 record(s) produced" in rest.stdout and "--offsets: 2 committed" in rest.stdout,
          "restore produced 5 records and committed 2 offsets")
    wait_for("dc-west lists the restored topics", lambda: {"orders", "audit.log"} <= set(west.list_topics()))
    got_east, got_west = consume_all(east_bs, "orders", 3), consume_all(west_bs, "orders", 3)
    check(len(got_west) == 5 and got_west == got_east,
          "python3-kafka reads the same records (partition, offset, key, value, headers, timestamp) on dc-west")
    offsets = group_offsets(west, "billing-app")
    check({(tp.partition, om.offset, om.metadata) for tp, om in offsets.items()} == {(0, 2, "m0"), (1, 1, "")},
          "dc-west's group billing-app has the backed-up offsets: %s" % offsets)
    if b.real:
        time.sleep(2)

    # Round trip: a backup of dc-west is dc-east's, cluster name and id aside.
    back = os.path.join(work, "west")
    r4 = kdr("backup", src, "--cluster", "dc-west", "--out", back, "--data", "orders", env=epoch)
    t4 = read_tree(back)

    def normal(tree, name, cid):
        return {k: v.replace(name.encode(), b"CLUSTER").replace(cid.encode(), b"ID") for k, v in tree.items()}
    n1 = normal(t1, "dc-east", clusters["dc-east"]["clusterId"])
    n4 = normal(t4, "dc-west", clusters["dc-west"]["clusterId"])
    check(r4.returncode == 0 and sorted(n1) == sorted(n4), "the backup of dc-west has the same files")
    for name in sorted(n1):
        check(n1[name] == n4.get(name), "round trip: %s is byte-identical (cluster name and id aside)" % name)

    # A second restore changes nothing.
    again = kdr("restore", src, "--from", one, "--cluster", "dc-west", "--yes", "--data", "--offsets")
    check(again.returncode == 0 and "No changes" in again.stdout and "already holds records" in again.stdout
          and "--offsets: 0 committed, 2 unchanged, 0 refused" in again.stdout,
          "a second restore changes nothing: " + again.stdout[-600:])

    # --offsets refuses an active group.
    consumer = KafkaConsumer("orders", bootstrap_servers=west_bs, group_id="billing-app", enable_auto_commit=False,
                             **SASL)
    wait_for("the consumer joins billing-app", lambda: consumer.poll(timeout_ms=500) is not None and
             consumer.assignment())
    refused = kdr("restore", src, "--from", one, "--cluster", "dc-west", "--yes", "--offsets")
    consumer.close()
    check(refused.returncode == 1 and "refused: the group is active" in refused.stdout,
          "an active group is refused: " + refused.stdout[-400:])

    # Past the log end: a group in the backup ahead of dc-west's records is refused, not committed.
    ahead = os.path.join(work, "ahead")
    os.mkdir(ahead)
    for name, data in t1.items():
        os.makedirs(os.path.dirname(os.path.join(ahead, name)), exist_ok=True)
        with open(os.path.join(ahead, name), "wb") as f:
            f.write(data.replace(b'"offset": 2', b'"offset": 9') if name == "groups.json" else data)
    past = kdr("restore", src, "--from", ahead, "--cluster", "dc-west", "--yes", "--offsets")
    check(past.returncode == 1 and "past the log end 2" in past.stdout, "an offset past the log end is refused")
    offsets = group_offsets(west, "billing-app")
    check({(tp.partition, om.offset) for tp, om in offsets.items()} == {(0, 2), (1, 1)},
          "nothing was committed past the log end")

    # Restored records get new offsets: a backup whose partitions started at offset 10 (retention had deleted
    # the first records) restores them at 0.., and --offsets moves the group's offsets with them.
    shifted = os.path.join(work, "shifted")
    for name, data in t1.items():
        if name.startswith("data/"):
            continue
        os.makedirs(os.path.dirname(os.path.join(shifted, name)), exist_ok=True)
        if name == "groups.json":
            doc = json.loads(data)
            for g in doc["groups"]:
                for o in g["offsets"]:
                    o["topic"], o["offset"] = "shifted", o["offset"] + 10
            data = json.dumps(doc, sort_keys=True).encode()
        else:
            data = data.replace(b"orders", b"shifted")
        with open(os.path.join(shifted, name), "wb") as f:
            f.write(data)
    sums = []
    os.makedirs(os.path.join(shifted, "data", "shifted"))
    for p in range(3):
        lines = t1["data/orders/%d.jsonl" % p].decode().splitlines()
        out = [json.dumps(dict(json.loads(lines[0]), topic="shifted"), sort_keys=True, separators=(",", ":"))]
        for line in lines[1:]:
            rec = json.loads(line)
            rec["offset"] += 10
            out.append(json.dumps(rec, sort_keys=True, separators=(",", ":")))
        body = ("\n".join(out) + "\n").encode()
        with open(os.path.join(shifted, "data", "shifted", "%d.jsonl" % p), "wb") as f:
            f.write(body)
        sums.append("%s  shifted/%d.jsonl\n" % (hashlib.sha256(body).hexdigest(), p))
    with open(os.path.join(shifted, "data", "SHA256SUMS"), "w") as f:
        f.write("".join(sums))
    moved = kdr("restore", src, "--from", shifted, "--cluster", "dc-west", "--yes", "--data", "--offsets")
    offsets = group_offsets(west, "billing-app")
    check(moved.returncode == 0 and "--data: 5 record(s) produced" in moved.stdout and
          {(tp.partition, om.offset) for tp, om in offsets.items() if tp.topic == "shifted"} == {(0, 2), (1, 1)},
          "backed-up offsets 12 and 11 (records from offset 10) are committed as 2 and 1 on the restored records: "
          "%s %s %s" % (offsets, moved.stdout[-700:], moved.stderr[-300:]))
    again = kdr("restore", src, "--from", shifted, "--cluster", "dc-west", "--yes", "--data", "--offsets")
    check(again.returncode == 0 and "--offsets: 0 committed, 2 unchanged, 0 refused" in again.stdout,
          "a second restore of the shifted backup changes nothing: " + again.stdout[-400:])

    # A damaged data file: the checksum refuses it before anything is produced.
    damaged = os.path.join(work, "damaged")
    for name, data in t1.items():
        os.makedirs(os.path.dirname(os.path.join(damaged, name)), exist_ok=True)
        with open(os.path.join(damaged, name), "wb") as f:
            f.write(data.replace(b'"offset":1', b'"offset":7') if name == "data/orders/0.jsonl" else data)
    bad = kdr("restore", src, "--from", damaged, "--cluster", "dc-west", "--yes", "--data")
    check(bad.returncode == 1 and "data/orders/0.jsonl: SHA-256" in bad.stderr and "no record was produced"
          in bad.stderr, "a damaged data file is refused by its checksum: " + bad.stderr.strip()[-200:])

    # Dynamic broker configs and Connect connector configs, secrets redacted (dc-conn: no SASL, a Connect worker).
    conn_bs, conn_url = clusters["dc-conn"]["bootstrap"], clusters["dc-conn"]["connect"]
    conn_admin = KafkaAdminClient(bootstrap_servers=conn_bs, client_id="backup-test")
    altered = conn_admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "1",
                                                       configs={"unclean.leader.election.enable": "true"})])
    check(all(res[0] == 0 for res in altered.resources), "a dynamic broker config is set on dc-conn: %s" % altered)
    jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="mm2" password="hunter2";'
    body = json.dumps({"name": "mirror-hb", "config": {
        "connector.class": "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector",
        "source.cluster.alias": "a", "target.cluster.alias": "b", "tasks.max": "1",
        "source.cluster.bootstrap.servers": conn_bs, "target.cluster.bootstrap.servers": conn_bs,
        "target.cluster.sasl.jaas.config": jaas, "target.cluster.ssl.key.password": "hunter3",
        "consumer.override.extra.login": jaas}}).encode()
    req = urllib.request.Request(conn_url + "/connectors", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    check(urllib.request.urlopen(req, timeout=60).status == 201, "a connector with secrets is created on dc-conn")
    if b.real:
        time.sleep(2)
    cb1, cb2 = os.path.join(work, "conn-1"), os.path.join(work, "conn-2")
    c1 = kdr("backup", src, "--cluster", "dc-conn", "--out", cb1, env=epoch)
    c2 = kdr("backup", src, "--cluster", "dc-conn", "--out", cb2, env=epoch)
    tc1, tc2 = read_tree(cb1), read_tree(cb2)
    check(c1.returncode == 0 and c2.returncode == 0 and tc1 == tc2, "two backups of dc-conn are byte-identical")
    brokers = json.loads(tc1["brokers.json"])
    check(brokers["brokers"]["1"]["dynamic"].get("unclean.leader.election.enable") == "true",
          "brokers.json holds the dynamic broker config: %s" % brokers["brokers"]["1"])
    connectors = json.loads(tc1["connectors.json"])
    conf = {c["name"]: c["config"] for c in connectors["connectors"]}.get("mirror-hb", {})
    check(conf.get("target.cluster.sasl.jaas.config") == "(redacted)" and
          conf.get("target.cluster.ssl.key.password") == "(redacted)" and
          conf.get("consumer.override.extra.login") == "(redacted)" and
          conf.get("connector.class", "").endswith("MirrorHeartbeatConnector"),
          "connectors.json holds the connector with its secrets redacted: %s" % conf)
    check(b"hunter2" not in b"".join(tc1.values()) and b"hunter3" not in b"".join(tc1.values()),
          "no connector secret is in any file of the backup")

    # restore --broker-configs: the backed-up value set back, a key the backup does not have kept.
    drift = conn_admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "1", configs={
        "unclean.leader.election.enable": "false", "log.retention.bytes": "1073741824"})])
    check(all(res[0] == 0 for res in drift.resources), "broker 1's dynamic configs are changed by hand: %s" % drift)

    def broker_dynamic():
        out = os.path.join(work, "conn-brokers")
        kdr("backup", src, "--cluster", "dc-conn", "--out", out)
        with open(os.path.join(out, "brokers.json")) as f:
            return json.load(f)["brokers"]["1"]["dynamic"]
    wait_for("the changed broker configs", lambda: broker_dynamic().get("log.retention.bytes") == "1073741824")
    dry = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--dry-run", "--broker-configs")
    check(dry.returncode == 0 and "would set" in dry.stdout and "--broker-configs: 1 to set" in dry.stdout and
          broker_dynamic().get("unclean.leader.election.enable") == "false",
          "restore --broker-configs --dry-run shows the key to set and sets nothing: %s %s" % (dry.stdout[-500:],
                                                                                            dry.stderr[-300:]))
    rest = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--yes", "--broker-configs")
    check(rest.returncode == 0 and "--broker-configs: 1 set" in rest.stdout,
          "restore --broker-configs sets it: %s %s" % (rest.stdout[-500:], rest.stderr[-300:]))
    got = wait_for("the restored broker config",
                   lambda: (lambda d: d if d.get("unclean.leader.election.enable") == "true" else None)(broker_dynamic()))
    check(got == {"unclean.leader.election.enable": "true", "log.retention.bytes": "1073741824"},
          "broker 1 has the backed-up value and keeps the other key: %s" % got)
    again = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--yes", "--broker-configs")
    check(again.returncode == 0 and "--broker-configs: 0 set, " in again.stdout and " 0 refused" in again.stdout,
          "a second restore --broker-configs changes nothing: " + again.stdout[-300:])
    conn_admin.close()

    # restore --connectors: onto the cluster that still runs the connector, the redacted keys keep its own values.
    def connector_config(name):
        """The connector's config, None when there is none; real Connect answers 409/500 while it rebalances."""
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(conn_url + "/connectors/" + name + "/config", timeout=30) as resp:
                    return json.loads(resp.read())
            except urllib.error.HTTPError as e:
                if e.code == 404:
                    return None
                if e.code not in (409, 500) or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    same = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--yes", "--connectors")
    check(same.returncode == 0 and "No changes" in same.stdout and "mirror-hb" not in same.stdout,
          "restore --connectors onto the cluster that runs the connector changes nothing: %s %s" %
          (same.stdout[-400:], same.stderr[-300:]))
    # The connector lost: without the secrets it is refused, naming it and its keys; nothing is created.
    delete = urllib.request.Request(conn_url + "/connectors/mirror-hb", method="DELETE")
    check(urllib.request.urlopen(delete, timeout=60).status in (200, 204), "the connector is deleted on dc-conn")
    wait_for("the connector is gone", lambda: connector_config("mirror-hb") is None)
    refused = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--yes", "--connectors")
    check(refused.returncode == 1 and "connector 'mirror-hb'" in refused.stdout and
          "'target.cluster.sasl.jaas.config'" in refused.stdout and "'consumer.override.extra.login'" in refused.stdout
          and "--connector-secrets" in refused.stdout and "nothing was restored" in refused.stderr,
          "a connector whose secrets were redacted is refused, naming it and the keys: %s %s" %
          (refused.stdout[-600:], refused.stderr[-200:]))
    check(connector_config("mirror-hb") is None, "the refused connector was not created")
    secrets = os.path.join(work, "connector-secrets.json")
    with open(secrets, "w") as f:
        json.dump({"mirror-hb": {"target.cluster.sasl.jaas.config": jaas, "target.cluster.ssl.key.password": "hunter3",
                                 "consumer.override.extra.login": jaas}}, f)
    os.chmod(secrets, 0o600)
    dry = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--dry-run", "--connectors",
              "--connector-secrets", secrets)
    check(dry.returncode == 0 and "+ create-connector mirror-hb" in dry.stdout and
          connector_config("mirror-hb") is None and "hunter" not in dry.stdout + dry.stderr,
          "--dry-run shows the connector to create, secrets redacted, and creates nothing: " + dry.stdout[-600:])
    made = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--yes", "--connectors",
               "--connector-secrets", secrets)
    got = wait_for("the restored connector", lambda: connector_config("mirror-hb"))
    check(made.returncode == 0 and "hunter" not in made.stdout + made.stderr and
          got.get("target.cluster.sasl.jaas.config") == jaas and got.get("target.cluster.ssl.key.password") == "hunter3"
          and got.get("connector.class", "").endswith("MirrorHeartbeatConnector") and got.get("tasks.max") == "1",
          "restore --connectors --connector-secrets creates the connector with the supplied secrets: %s %s" %
          (made.stdout[-400:], made.stderr[-300:]))
    # Drift: a backed-up key is set back, a key the backup does not have is kept (restore removes nothing).
    drifted = dict(got, **{"tasks.max": "2", "emit.heartbeats.interval.seconds": "7"})
    put = urllib.request.Request(conn_url + "/connectors/mirror-hb/config", data=json.dumps(drifted).encode(),
                                 method="PUT", headers={"Content-Type": "application/json"})
    check(urllib.request.urlopen(put, timeout=60).status in (200, 201), "the connector's config is changed by hand")
    fixed = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--yes", "--connectors")
    got = wait_for("the updated connector", lambda: (connector_config("mirror-hb") or {}).get("tasks.max") == "1"
                   and connector_config("mirror-hb"), timeout=30)
    check(fixed.returncode == 0 and "~ update-connector mirror-hb" in fixed.stdout and
          got.get("emit.heartbeats.interval.seconds") == "7" and got.get("target.cluster.sasl.jaas.config") == jaas
          and "hunter" not in fixed.stdout + fixed.stderr,
          "restore --connectors sets tasks.max back, keeps the extra key and the live secrets: %s" % fixed.stdout[-500:])
    again = kdr("restore", src, "--from", cb1, "--cluster", "dc-conn", "--yes", "--connectors")
    check(again.returncode == 0 and "No changes" in again.stdout, "a second restore --connectors changes nothing: " +
          again.stdout[-300:])

    # --commit: the backup directory becomes a Git commit naming cluster and time.
    repo = os.path.join(work, "repo")
    c1 = kdr("backup", src, "--cluster", "dc-east", "--out", repo, "--commit")
    log = subprocess.run(["git", "-C", repo, "log", "--format=%s", "-n", "1"], capture_output=True, text=True)
    files = subprocess.run(["git", "-C", repo, "ls-files"], capture_output=True, text=True).stdout.split()
    check(c1.returncode == 0 and "committed" in c1.stdout, "backup --commit exits 0: " + c1.stderr[-300:])
    check(log.stdout.startswith("kdr backup of cluster 'dc-east'") and " at 20" in log.stdout,
          "the commit message names the cluster and the time: " + log.stdout.strip())
    check("topics.yaml" in files and "manifest.json" in files, "the commit holds the backup files")
    c2 = kdr("backup", src, "--cluster", "dc-east", "--out", repo, "--commit")
    stat = subprocess.run(["git", "-C", repo, "diff", "--stat", "HEAD~1", "HEAD"], capture_output=True, text=True)
    check(c2.returncode == 0 and (stat.stdout.strip() == "" or stat.stdout.strip().startswith("manifest.json |")
                                  and "1 file changed" in stat.stdout),
          "a second committed backup of the unchanged cluster diffs in the manifest only: " + stat.stdout.strip())
    east.close()
    west.close()


if __name__ == "__main__":
    b = bed.Bed()
    sys.exit(b.run_probes("dr_backup", CONFIG, lambda clusters, check: probe(clusters, check, b)))
