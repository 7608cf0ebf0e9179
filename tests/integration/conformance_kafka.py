#!/usr/bin/python3
"""Conformance of the Kafka admin and offset APIs, on either backend of the test
bed (KDR_BACKEND=sandbox: kdr-sandbox; kafka: real Apache Kafka 4.1 KRaft via
hack/kafka-real), seen by Debian's python3-kafka, a client that shares no code
with librdkafka: the error code of each rule kdr relies on, per API —
CreateTopics, CreatePartitions, DeleteTopics, DescribeConfigs with synonyms,
ListOffsets — asserted equal on both backends. (sandbox_python_admin.py covers
placement, AlterConfigs replace-all, groups, offsets and ACLs the same way.)

Run with /usr/bin/python3; prints "N passed, M failed"; exit 0 only if all passed.
"""
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "lib"))
import bed as testbed  # noqa: E402

BED = testbed.Bed()
CONFIG = """\
clusters:
  - name: conf
    brokers: 3
    racks: [a, b, c]
"""
# Kafka's error codes (shared/reference/kafka-error-codes.tsv).
NONE, UNKNOWN_TOPIC, INVALID_TOPIC, TOPIC_EXISTS = 0, 3, 17, 36
INVALID_PARTITIONS, INVALID_RF, INVALID_ASSIGNMENT, INVALID_CONFIG = 37, 38, 39, 40
SOURCE_TOPIC, SOURCE_DEFAULT = 1, 5


def code_of(fn, *args, **kwargs):
    """Kafka's error code of an admin call: 0, or the errno of the error kafka-python raised."""
    try:
        fn(*args, **kwargs)
        return NONE
    except Exception as e:  # kafka-python raises the error class of the code
        return getattr(e, "errno", repr(e))


def wait_partitions(admin, topic, want, limit=30.0):
    """KRaft brokers learn a change a moment after the controller: poll Metadata."""
    deadline = time.monotonic() + limit
    count = None
    while time.monotonic() < deadline:
        described = admin.describe_topics([topic])
        if described and described[0]["error_code"] == 0:
            count = len(described[0]["partitions"])
            if count == want:
                break
        time.sleep(0.2)
    return count


def create_topic_rules(admin, check):
    check(code_of(admin.create_topics, [NewTopic("c-base", 2, 3)]) == NONE, "CreateTopics: created")
    check(code_of(admin.create_topics, [NewTopic("c-base", 2, 3)]) == TOPIC_EXISTS,
          "CreateTopics: an existing name -> TOPIC_ALREADY_EXISTS")
    check(code_of(admin.create_topics, [NewTopic("c-wide", 1, 4)]) == INVALID_RF,
          "CreateTopics: RF above the broker count -> INVALID_REPLICATION_FACTOR")
    check(code_of(admin.create_topics, [NewTopic("c-zero", 0, 1)]) == INVALID_PARTITIONS,
          "CreateTopics: 0 partitions -> INVALID_PARTITIONS")
    check(code_of(admin.create_topics, [NewTopic("bad/name", 1, 1)]) == INVALID_TOPIC,
          "CreateTopics: an illegal name -> INVALID_TOPIC_EXCEPTION")
    check(code_of(admin.create_topics, [NewTopic("c-badcfg", 1, 1, topic_configs={"segment.bytes": "1"})])
          == INVALID_CONFIG, "CreateTopics: an invalid config value -> INVALID_CONFIG")
    check(code_of(admin.create_topics, [NewTopic("c-unknowncfg", 1, 1, topic_configs={"no.such": "1"})])
          == INVALID_CONFIG, "CreateTopics: an unknown config -> INVALID_CONFIG")
    check(code_of(admin.create_topics, [NewTopic("c-badbroker", -1, -1, replica_assignments={0: [1, 9]})])
          == INVALID_ASSIGNMENT, "CreateTopics: an assignment naming a missing broker -> INVALID_REPLICA_ASSIGNMENT")
    check(code_of(admin.create_topics, [NewTopic("c-dup", -1, -1, replica_assignments={0: [1, 1]})])
          == INVALID_ASSIGNMENT, "CreateTopics: a replica listed twice -> INVALID_REPLICA_ASSIGNMENT")
    check(wait_partitions(admin, "c-base", 2) == 2, "c-base has 2 partitions")


def create_partitions_rules(admin, check):
    check(code_of(admin.create_partitions, {"c-base": NewPartitions(4)}) == NONE, "CreatePartitions: 2 -> 4")
    check(wait_partitions(admin, "c-base", 4) == 4, "c-base has 4 partitions")
    check(code_of(admin.create_partitions, {"c-base": NewPartitions(4)}) == INVALID_PARTITIONS,
          "CreatePartitions: the same count -> INVALID_PARTITIONS")
    check(code_of(admin.create_partitions, {"c-base": NewPartitions(3)}) == INVALID_PARTITIONS,
          "CreatePartitions: a decrease -> INVALID_PARTITIONS")
    check(code_of(admin.create_partitions, {"c-missing": NewPartitions(3)}) == UNKNOWN_TOPIC,
          "CreatePartitions: an unknown topic -> UNKNOWN_TOPIC_OR_PARTITION")
    check(code_of(admin.create_partitions, {"c-base": NewPartitions(5, [[1, 9, 2]])}) == INVALID_ASSIGNMENT,
          "CreatePartitions: an assignment naming a missing broker -> INVALID_REPLICA_ASSIGNMENT")
    check(code_of(admin.create_partitions, {"c-base": NewPartitions(6, [[1, 2, 3]])}) == INVALID_ASSIGNMENT,
          "CreatePartitions: fewer assignments than new partitions -> INVALID_REPLICA_ASSIGNMENT")


def describe_configs_rules(admin, check):
    check(code_of(admin.create_topics, [NewTopic("c-cfg", 1, 3, topic_configs={"retention.ms": "3600000"})])
          == NONE, "CreateTopics with a config override")
    wait_partitions(admin, "c-cfg", 1)
    response = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "c-cfg")], include_synonyms=True)
    resource = response[0].resources[0]
    check(resource[0] == NONE, "DescribeConfigs: no error (%r)" % (resource[0],))
    entries = {e[0]: e for e in resource[4]}
    retention = entries.get("retention.ms")
    check(retention is not None and retention[1] == "3600000" and retention[3] == SOURCE_TOPIC,
          "DescribeConfigs: retention.ms 3600000 from DYNAMIC_TOPIC_CONFIG (%r)" % (retention,))
    synonyms = [s[2] for s in retention[5]] if retention and len(retention) > 5 else []
    # Kafka 4.1 lists only the topic-level synonym here (its broker default is log.retention.hours).
    check(synonyms == [SOURCE_TOPIC], "DescribeConfigs: retention.ms synonyms: the topic override (%r)" % (synonyms,))
    cleanup = entries.get("cleanup.policy")
    check(cleanup is not None and cleanup[1] == "delete" and cleanup[3] == SOURCE_DEFAULT,
          "DescribeConfigs: cleanup.policy from DEFAULT_CONFIG (%r)" % (cleanup,))
    response = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "c-nonexistent")])
    check(response[0].resources[0][0] == UNKNOWN_TOPIC,
          "DescribeConfigs: an unknown topic -> UNKNOWN_TOPIC_OR_PARTITION (%r)" % (response[0].resources[0][0],))


def list_offsets_rules(bootstrap, check):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=5)
    stamps = []
    for i in range(3):
        stamps.append(1700000000000 + i * 1000)
        producer.send("c-cfg", key=b"k%d" % i, value=b"v%d" % i, partition=0, timestamp_ms=stamps[-1]).get(30)
    producer.close(10)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    tp = TopicPartition("c-cfg", 0)
    try:
        check(consumer.beginning_offsets([tp])[tp] == 0, "ListOffsets earliest: 0")
        check(consumer.end_offsets([tp])[tp] == 3, "ListOffsets latest: 3")
        found = consumer.offsets_for_times({tp: stamps[1]})[tp]
        check(found is not None and found.offset == 1 and found.timestamp == stamps[1],
              "ListOffsets by timestamp: the first record at or after it (%r)" % (found,))
        check(consumer.offsets_for_times({tp: stamps[2] + 1})[tp] is None,
              "ListOffsets by timestamp past the last record: none")
    finally:
        consumer.close()


def delete_topics_rules(admin, check):
    check(code_of(admin.delete_topics, ["c-never-existed"]) == UNKNOWN_TOPIC,
          "DeleteTopics: an unknown topic -> UNKNOWN_TOPIC_OR_PARTITION")
    check(code_of(admin.delete_topics, ["c-base"]) == NONE, "DeleteTopics: deleted")


def probe(clusters, check):
    bootstrap = clusters["conf"]["bootstrap"].split(",")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kdr-conformance", request_timeout_ms=15000)
    try:
        create_topic_rules(admin, check)
        create_partitions_rules(admin, check)
        describe_configs_rules(admin, check)
        list_offsets_rules(bootstrap, check)
        delete_topics_rules(admin, check)
    finally:
        admin.close()


if __name__ == "__main__":
    sys.exit(BED.run_probes("conformance_kafka", CONFIG, probe))
