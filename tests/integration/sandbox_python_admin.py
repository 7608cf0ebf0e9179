#!/usr/bin/python3
"""The test bed (KDR_BACKEND=sandbox: kdr-sandbox; kafka: real Apache Kafka via
hack/kafka-real) seen by Debian's python3-kafka (kafka-python 2.0.2), a client
that shares no code with librdkafka and negotiates its own versions (it probes
with ApiVersions v0 and Metadata v0): KafkaAdminClient creates topics (with
and without assignments, and Kafka's errors), describes and alters configs,
lists consumer groups and their offsets, and round-trips ACLs; a
KafkaProducer / KafkaConsumer pair round-trips records through a group.

Run with /usr/bin/python3. Starts the bed (tests/integration/lib/bed.py) on
ephemeral ports, always stops it, exits non-zero on the first failed check. The
same checks hold on both backends except where noted (Metadata's controller).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                         ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic,
                         ResourcePattern, ResourcePatternFilter, ResourceType)
from kafka.errors import (InvalidReplicationFactorError, InvalidRequestError, TopicAlreadyExistsError)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "lib"))
import bed as testbed  # noqa: E402

BED = testbed.Bed()

CONFIG = """\
clusters:
  - name: py
    brokers: 3
    racks: [a, b, c]
"""

SOURCE_TOPIC = 1
SOURCE_DEFAULT = 5


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_error(error_class, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except error_class:
        return
    except Exception as e:  # kafka-python wraps some errors; accept the class by name too
        if type(e).__name__ == error_class.__name__:
            return
        raise AssertionError("expected %s, got %r" % (error_class.__name__, e))
    raise AssertionError("expected %s, got success" % error_class.__name__)


def topic_configs(admin, topic):
    """{name: (value, source)} of a topic, from DescribeConfigs."""
    response = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])[0]
    error_code, _message, _type, _name, entries = response.resources[0]
    check(error_code == 0, "describe %s: error %d" % (topic, error_code))
    return {e[0]: (e[1], e[3]) for e in entries}


def describe_visible(admin, topic, partitions, limit=15.0):
    """describe_topics of a new topic once Metadata shows all its partitions: KRaft brokers
    learn a topic from the controller's log asynchronously, so the broker asked may not
    know it yet right after CreateTopics (the sandbox knows it at once)."""
    deadline = time.time() + limit
    while True:
        found = [t for t in admin.describe_topics([topic]) if t["topic"] == topic]
        if found and found[0]["error_code"] == 0 and len(found[0]["partitions"]) == partitions \
                and all(p["leader"] >= 0 for p in found[0]["partitions"]):
            return found[0]
        if time.time() > deadline:
            return found[0] if found else {"partitions": []}
        time.sleep(0.2)


def start_sandbox(work):
    config = os.path.join(work, "sandbox.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    return BED, BED.start(config, work)["py"]


def stop_sandbox(proc):
    rc = proc.stop(timeout=30)
    check(rc == 0, "%s exited %s on SIGTERM: %s" % (proc.bin, rc, open(proc.log).read()[-2000:]))


def run(cluster):
    bootstrap = cluster["bootstrap"].split(",")
    check(len(bootstrap) == 3, "3 brokers in the bootstrap list")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kdr-py-test", request_timeout_ms=10000)
    try:
        # The version kafka-python inferred from our ApiVersions answer (Produce v8 => 2.4+).
        check(admin.config["api_version"] >= (2, 4, 0), "inferred broker version %r" % (admin.config["api_version"],))
        cluster_info = admin.describe_cluster()
        check(cluster_info["cluster_id"] == cluster["clusterId"], "cluster id")
        check(sorted(b["node_id"] for b in cluster_info["brokers"]) == [1, 2, 3], "brokers")
        check({b["node_id"]: b["rack"] for b in cluster_info["brokers"]} == {1: "a", 2: "b", 3: "c"}, "racks")
        if BED.real:  # KRaft: any live broker is named (brokers forward to the quorum)
            check(cluster_info["controller_id"] in (1, 2, 3), "controller %r" % (cluster_info["controller_id"],))
        else:  # the sandbox: the lowest live id
            check(cluster_info["controller_id"] == 1, "controller")

        # CreateTopics: placement by Kafka's rack-aware algorithm, configs, and Kafka's errors.
        admin.create_topics([NewTopic("py-orders", 6, 3, topic_configs={"retention.ms": "3600000"})])
        partitions = describe_visible(admin, "py-orders", 6)["partitions"]
        check(len(partitions) == 6, "6 partitions")
        for p in partitions:
            check(sorted(p["replicas"]) == [1, 2, 3], "3 replicas on 3 racks: %r" % (p,))
            check(p["leader"] == p["replicas"][0], "first replica leads")
        check(sorted(p["leader"] for p in partitions) == [1, 1, 2, 2, 3, 3], "leaders spread")
        expect_error(TopicAlreadyExistsError, admin.create_topics, [NewTopic("py-orders", 1, 1)])
        expect_error(InvalidReplicationFactorError, admin.create_topics, [NewTopic("py-wide", 1, 4)])
        # kafka-python lets a partition count go with an assignment: Kafka answers INVALID_REQUEST.
        expect_error(InvalidRequestError, admin.create_topics,
                     [NewTopic("py-mixed", 2, -1, replica_assignments={0: [1, 2], 1: [2, 3]})])
        admin.create_topics([NewTopic("py-assigned", -1, -1, replica_assignments={0: [3, 1], 1: [2, 3]})])
        assigned = {p["partition"]: p for p in describe_visible(admin, "py-assigned", 2)["partitions"]}
        check(assigned[0]["replicas"] == [3, 1] and assigned[1]["replicas"] == [2, 3], "assignment kept")
        check(assigned[0]["leader"] == 3, "assigned leader")

        # DescribeConfigs: all topic configs, with sources. The sandbox models Kafka 3.9 (36);
        # Kafka 4.x removed message.format.version, message.downconversion.enable and
        # message.timestamp.difference.max.ms (33).
        configs = topic_configs(admin, "py-orders")
        want = 33 if BED.real else 36
        check(len(configs) == want, "%d topic configs, got %d" % (want, len(configs)))
        check(configs["retention.ms"] == ("3600000", SOURCE_TOPIC), "retention.ms %r" % (configs["retention.ms"],))
        check(configs["cleanup.policy"] == ("delete", SOURCE_DEFAULT), "cleanup.policy default")
        check(configs["max.message.bytes"] == ("1048588", SOURCE_DEFAULT), "max.message.bytes default")
        broker = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "2")])[0]
        entries = {e[0]: e for e in broker.resources[0][4]}
        check(entries["broker.rack"][1] == "b" and entries["broker.rack"][2] is True, "broker 2 rack, read-only")
        check(entries["remote.log.storage.system.enable"][1] == "false", "no remote storage")

        # AlterConfigs replaces the whole set; bad values are refused with INVALID_CONFIG.
        response = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "py-orders",
                                                       configs={"max.message.bytes": "2000000"})])
        check(response.resources[0][0] == 0, "alter: %r" % (response.resources[0],))
        deadline = time.time() + 15  # KRaft: the other brokers learn the change asynchronously
        configs = topic_configs(admin, "py-orders")
        while configs["max.message.bytes"][0] != "2000000" and time.time() < deadline:
            time.sleep(0.2)
            configs = topic_configs(admin, "py-orders")
        check(configs["max.message.bytes"] == ("2000000", SOURCE_TOPIC), "altered value")
        check(configs["retention.ms"] == ("604800000", SOURCE_DEFAULT), "omitted key deleted")
        response = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "py-orders",
                                                       configs={"segment.bytes": "1"})])
        check(response.resources[0][0] == 40, "INVALID_CONFIG for segment.bytes=1: %r" % (response.resources[0],))
        response = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "py-orders",
                                                       configs={"no.such.config": "1"})])
        check(response.resources[0][0] == 40, "INVALID_CONFIG for an unknown name")

        # Records through a consumer group, then the group through the admin client.
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        for i in range(10):
            producer.send("py-orders", key=b"k%d" % i, value=b"v%d" % i)
        producer.flush(10)
        producer.close(10)
        consumer = KafkaConsumer("py-orders", bootstrap_servers=bootstrap, group_id="py-group",
                                 auto_offset_reset="earliest", enable_auto_commit=False,
                                 consumer_timeout_ms=15000)
        values = set()
        for message in consumer:
            values.add(message.value)
            if len(values) == 10:
                break
        check(values == {b"v%d" % i for i in range(10)}, "consumed %r" % (values,))
        consumer.commit()
        groups = admin.list_consumer_groups()
        check(("py-group", "consumer") in groups, "group listed: %r" % (groups,))
        described = admin.describe_consumer_groups(["py-group"])[0]
        check(described.state == "Stable" and len(described.members) == 1, "group stable: %r" % (described,))
        consumer.close()
        offsets = admin.list_consumer_group_offsets("py-group")
        check(sum(o.offset for tp, o in offsets.items() if tp.topic == "py-orders") == 10, "committed %r" % (offsets,))

        # ACLs: create, describe by filter, delete.
        acl = ACL(principal="User:mm2", host="*", operation=ACLOperation.READ,
                  permission_type=ACLPermissionType.ALLOW,
                  resource_pattern=ResourcePattern(ResourceType.TOPIC, "py-orders"))
        prefixed = ACL(principal="User:mm2", host="*", operation=ACLOperation.WRITE,
                       permission_type=ACLPermissionType.ALLOW,
                       resource_pattern=ResourcePattern(ResourceType.TOPIC, "py-", ACLResourcePatternType.PREFIXED))
        result = admin.create_acls([acl, prefixed])
        check(len(result["succeeded"]) == 2 and not result["failed"], "create_acls %r" % (result,))
        # KRaft: ACLs reach the other brokers through the metadata log, asynchronously: poll.
        deadline = time.time() + 15
        while True:
            acls, error = admin.describe_acls(ACLFilter(principal="User:mm2", host=None, operation=ACLOperation.ANY,
                                                        permission_type=ACLPermissionType.ANY,
                                                        resource_pattern=ResourcePatternFilter(
                                                            ResourceType.TOPIC, "py-orders",
                                                            ACLResourcePatternType.MATCH)))
            if len(acls) == 2 or time.time() > deadline:
                break
            time.sleep(0.2)
        check(error.errno == 0, "describe_acls error %r" % (error,))
        check({(a.resource_pattern.resource_name, a.operation) for a in acls} ==
              {("py-orders", ACLOperation.READ), ("py-", ACLOperation.WRITE)}, "described %r" % (acls,))
        deleted = admin.delete_acls([ACLFilter(principal="User:mm2", host="*", operation=ACLOperation.WRITE,
                                               permission_type=ACLPermissionType.ANY,
                                               resource_pattern=ResourcePatternFilter(
                                                   ResourceType.TOPIC, None, ACLResourcePatternType.ANY))])
        check(len(deleted[0][1]) == 1, "one ACL deleted: %r" % (deleted,))
        deadline = time.time() + 15
        while True:
            acls, error = admin.describe_acls(ACLFilter(principal=None, host=None, operation=ACLOperation.ANY,
                                                        permission_type=ACLPermissionType.ANY,
                                                        resource_pattern=ResourcePatternFilter(
                                                            ResourceType.ANY, None, ACLResourcePatternType.ANY)))
            if len(acls) == 1 or time.time() > deadline:
                break
            time.sleep(0.2)
        check(len(acls) == 1 and acls[0].operation == ACLOperation.READ, "one ACL left: %r" % (acls,))

        # DeleteTopics, and the name is gone.
        deleted = admin.delete_topics(["py-assigned"])
        check(all(err == 0 for _, err in deleted.topic_error_codes), "delete_topics: %r" % (deleted,))
        deadline = time.time() + 15  # KRaft: the other brokers learn the deletion asynchronously
        while "py-assigned" in admin.list_topics() and time.time() < deadline:
            time.sleep(0.2)
        check("py-assigned" not in admin.list_topics(), "topic deleted (delete_topics: %r)" % (deleted,))
    finally:
        admin.close()


def main():
    if not os.access(BED.bin, os.X_OK):
        print("sandbox_python_admin: no bed at %s (set KDR_SANDBOX_BIN / KDR_KAFKA_REAL_BIN)" % BED.bin, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as work:
        proc, cluster = start_sandbox(work)
        try:
            run(cluster)
        except Exception as e:
            print("sandbox_python_admin: FAIL: %s" % e, file=sys.stderr)
            stop_sandbox_quietly(proc)
            return 1
        stop_sandbox(proc)
    print("sandbox_python_admin: ok (backend %s)" % BED.backend)
    return 0


def stop_sandbox_quietly(proc):
    try:
        stop_sandbox(proc)
    except AssertionError as e:
        print("sandbox_python_admin: also: %s" % e, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
