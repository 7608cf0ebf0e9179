#!/usr/bin/python3
"""Real MirrorMaker 2 end to end (real backend only: hack/kafka-real; on the
sandbox it is skipped, the sandbox's Connect runs no connector code).

kdr applies the flows of examples/ to real Kafka Connect workers on real Kafka
clusters (dc-east with tiered storage, dc-west), then, with independent clients
(python3-kafka, plain HTTP):
  - records produced on dc-east `orders` (keys, values, headers) appear on dc-west
    as `dc-east.orders`, identical;
  - a consumer group that committed on dc-east gets checkpoints in
    `dc-east.checkpoints.internal` on dc-west; heartbeats reach dc-west;
  - `kdr status` reports every connector and task RUNNING (exit 0);
  - a connector whose source bootstrap cannot be resolved ends FAILED in real
    Connect, `kdr status` exits 1 with the trace's first lines, and once the
    source is fixed `kdr apply` brings it back to RUNNING;
  - `kdr lag` reads the flow, `kdr failover` moves the group to dc-west at the
    checkpointed offsets (checked with python3-kafka);
  - the tiered topic `audit-log` (segment.bytes 1 MiB here) really uploads
    segments: LocalTieredStorage's directory fills with segment files.
Two changes to the example copy, for time: checkpoints every 5 s instead of 60 s,
and audit-log's segment.bytes at 1 MiB so segments roll. Bounded by deadlines."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.environ.get("KDR_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
KDR = os.environ.get("KDR_BIN", os.path.join(ROOT, "build", "asan", "kdr"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "lib"))
import bed as testbed  # noqa: E402

BED = testbed.Bed()
if not BED.real:
    print("SKIPPED on backend %s: real MirrorMaker 2 needs real Kafka Connect (KDR_BACKEND=kafka)" % BED.backend)
    sys.exit(77)

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

failures = []
CLUSTERS = ["--cluster", "dc-east", "--cluster", "dc-west"]


def check(cond, msg):
    print(("ok:   " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failures.append(msg)
    return cond


def kdr(*args):
    return subprocess.run([KDR, *args], capture_output=True, text=True, timeout=180)


def wait_for(limit, what, fn):
    deadline = time.monotonic() + limit
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # a transient client error: try again until the deadline
            last = e
        time.sleep(1)
    check(False, "%s (not within %d s; last: %r)" % (what, limit, last))
    return None


def consume_all(bootstrap, topic, want, limit=60):
    """Records of topic (every partition, from the start) once there are at least `want`."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=2000)
    try:
        def poll():
            parts = consumer.partitions_for_topic(topic)
            if not parts:
                consumer.poll(100)
                return None
            tps = [TopicPartition(topic, p) for p in parts]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            records = []
            for message in consumer:  # ends after 2 s without a record, or once enough are read
                records.append(message)
                if len(records) >= want and topic.endswith("heartbeats"):
                    break  # a heartbeat a second: the topic never goes quiet
            return records if len(records) >= want else None
        return wait_for(limit, "%d record(s) in %s" % (want, topic), poll) or []
    finally:
        consumer.close()


work = tempfile.mkdtemp(prefix="kdr-mm2-")
try:
    with open(os.path.join(work, "bed.yaml"), "w") as f:
        f.write("clusters:\n"
                "  - name: dc-east\n    brokers: 3\n    racks: [east-a, east-b, east-c]\n"
                "    connect: true\n    remoteStorage: true\n"
                "  - name: dc-west\n    brokers: 3\n    racks: [west-a, west-b, west-c]\n    connect: true\n")
    ready = BED.start(os.path.join(work, "bed.yaml"), work)
    data_dir = re.search(r"data in (\S+)\)", open(BED.log).read()).group(1)
    east, west = ready["dc-east"]["bootstrap"].split(","), ready["dc-west"]["bootstrap"].split(",")

    desired = os.path.join(work, "desired")
    subprocess.run([os.path.join(ROOT, "hack", "examples-for"), os.path.join(work, "ready.json"), desired,
                    os.path.join(ROOT, "examples")], check=True)
    flows = open(os.path.join(desired, "flows.yaml")).read()
    flows = flows.replace("checkpoints: {enabled: true, intervalSeconds: 60,", "checkpoints: {enabled: true, intervalSeconds: 5,")
    open(os.path.join(desired, "flows.yaml"), "w").write(flows)
    topics = open(os.path.join(desired, "topics.yaml")).read()
    topics = topics.replace("  tiering:\n    enabled: true\n    localRetention: 1d",
                            "  config: {segment.bytes: \"1048576\"}\n  tiering:\n    enabled: true\n    localRetention: 1d")
    open(os.path.join(desired, "topics.yaml"), "w").write(topics)
    check("intervalSeconds: 5" in flows and "segment.bytes" in topics, "example copy adjusted")

    # 1. The topics first (no flows yet), so that a group exists when the checkpoint connector starts.
    only_topics = os.path.join(work, "topics-only")
    os.mkdir(only_topics)
    for name in ("clusters.yaml", "topics.yaml"):
        shutil.copy(os.path.join(desired, name), only_topics)
    r = kdr("apply", only_topics, "--yes", *CLUSTERS)
    check(r.returncode == 0, "kdr apply (topics) exit %d %s" % (r.returncode, r.stderr[-500:]))

    # Right after CreateTopics a KRaft broker may not lead its new partitions yet: retries, and each send checked.
    producer = KafkaProducer(bootstrap_servers=east, acks="all", retries=20, retry_backoff_ms=500)
    sent = []
    for i in range(5):
        rec = (b"key-%d" % i, b"value-%d" % i, [("trace", b"t-%d" % i), ("origin", b"dc-east")])
        try:
            producer.send("orders", key=rec[0], value=rec[1], headers=rec[2]).get(60)
            sent.append(rec)
        except Exception as e:
            check(False, "produce %r to dc-east orders: %r" % (rec[0], e))
    producer.close(10)
    check(len(sent) == 5, "5 records produced to dc-east orders")
    group = KafkaConsumer("orders", bootstrap_servers=east, group_id="mm2-e2e-group", auto_offset_reset="earliest",
                          enable_auto_commit=False)
    got = 0
    deadline = time.monotonic() + 90
    while got < len(sent) and time.monotonic() < deadline:
        got += sum(len(batch) for batch in group.poll(1000).values())
    group.commit()
    group.close()
    check(got == len(sent), "group mm2-e2e-group read %d record(s) on dc-east and committed" % got)

    # 2. The flows.
    r = kdr("apply", desired, "--yes", *CLUSTERS)
    check(r.returncode == 0, "kdr apply (flows) exit %d" % r.returncode)
    if r.returncode != 0:
        print(r.stdout[-3000:], r.stderr[-2000:])
    r = kdr("plan", desired, "--detailed-exitcode", *CLUSTERS)
    check(r.returncode == 0, "plan after apply is empty (exit %d)" % r.returncode)

    # 3. Records, identical, on dc-west.
    mirrored = consume_all(west, "dc-east.orders", len(sent), limit=120)
    seen = sorted((m.key, m.value, sorted(m.headers)) for m in mirrored)
    check(seen == sorted((k, v, sorted(h)) for k, v, h in sent), "dc-west dc-east.orders holds the records: %r" % seen)

    # 4. Checkpoints for the group, on dc-west.
    checkpoints = consume_all(west, "dc-east.checkpoints.internal", 1, limit=120)
    check(any(b"mm2-e2e-group" in (m.key or b"") for m in checkpoints),
          "a checkpoint for mm2-e2e-group in dc-east.checkpoints.internal (%d record(s))" % len(checkpoints))

    # 5. Heartbeats from dc-east reach dc-west.
    beats = consume_all(west, "dc-east.heartbeats", 1, limit=60)
    check(len(beats) >= 1, "heartbeats flow: %d in dc-west dc-east.heartbeats" % len(beats))

    # 6. kdr status: everything RUNNING.
    def all_running():
        r = kdr("status", desired, *CLUSTERS)
        return r if r.returncode == 0 and "FAILED" not in r.stdout and "UNASSIGNED" not in r.stdout else None
    r = wait_for(90, "kdr status exits 0 with every connector RUNNING", all_running)
    if r:
        check(re.search(r"kdr\.east-to-west\.source: RUNNING, 4 task\(s\): 4 RUNNING", r.stdout) is not None,
              "status shows east-to-west.source RUNNING with its 4 tasks")

    # 7. A broken source: dc-east's bootstrap cannot be resolved by the dc-west worker's connectors.
    broken = os.path.join(work, "broken")
    shutil.copytree(desired, broken)
    clusters = open(os.path.join(broken, "clusters.yaml")).read()
    clusters = clusters.replace("bootstrapServers: " + ready["dc-east"]["bootstrap"],
                                "bootstrapServers: dc-east-gone.invalid:9092", 1)
    open(os.path.join(broken, "clusters.yaml"), "w").write(clusters)
    r = kdr("apply", broken, "--yes", "--cluster", "dc-west")
    check("kdr.east-to-west.source" in r.stdout, "kdr apply pushes the broken source config (exit %d)" % r.returncode)
    url = ready["dc-west"]["connect"]

    def failed_state():
        with urllib.request.urlopen(url + "/connectors/kdr.east-to-west.source/status", timeout=5) as resp:
            st = json.load(resp)
        states = [st["connector"]["state"]] + [t["state"] for t in st.get("tasks", [])]
        return st if "FAILED" in states else None
    st = wait_for(120, "real Connect reports kdr.east-to-west.source FAILED", failed_state)
    if st:
        r = kdr("status", desired, *CLUSTERS)
        check(r.returncode == 1, "kdr status exits 1 on the FAILED connector (exit %d)" % r.returncode)
        trace = (st["connector"].get("trace") or next((t.get("trace") for t in st.get("tasks", []) if t.get("trace")), ""))
        first = trace.splitlines()[0] if trace else ""
        check(first != "" and first[:60] in r.stdout + r.stderr,
              "kdr status shows the trace's first line %r" % first[:80])

    # 8. Fixed: kdr apply restores the config and restarts the connector.
    r = kdr("apply", desired, "--yes", *CLUSTERS)
    check(r.returncode == 0, "kdr apply with the fixed source exit %d" % r.returncode)
    if wait_for(120, "kdr status back to 0 with everything RUNNING after the fix", all_running):
        print("ok:   the fixed connector is RUNNING again (apply PUT its config back; Connect restarted it)")

    # 9. Tiered storage really uploads: produce 3 MiB into audit-log (1 MiB segments).
    producer = KafkaProducer(bootstrap_servers=east, acks="all", batch_size=65536, linger_ms=5)
    blob = os.urandom(1024)
    futures = [producer.send("audit-log", value=blob, partition=0) for _ in range(3 * 1024)]
    producer.flush(60)
    check(all(f.succeeded() for f in futures), "3 MiB produced to dc-east audit-log")
    producer.close(10)
    tiered = os.path.join(data_dir, "dc-east", "tiered")

    def uploaded():
        files = [os.path.join(d, f) for d, _, fs in os.walk(tiered) for f in fs]
        segments = [f for f in files if "audit-log" in f and f.endswith(".log")]
        return segments or None
    segs = wait_for(90, "LocalTieredStorage holds audit-log segments under %s" % tiered, uploaded)
    check(bool(segs), "tiered storage uploaded %d audit-log segment(s)" % len(segs or []))
    # 10. kdr lag and kdr failover on real MM2 data (librdkafka's group APIs against Kafka 4:
    #     ListGroups/DescribeGroups, ListConsumerGroupOffsets, AlterConsumerGroupOffsets).
    r = kdr("lag", desired, "--flow", "east-to-west", "--format", "json")
    lag = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
    check(r.returncode == 0 and "partitions" in lag, "kdr lag east-to-west exit %d: %s" % (r.returncode, r.stderr[-300:]))
    r = kdr("failover", desired, "--flow", "east-to-west", "--group", "mm2-e2e-group", "--yes")
    check(r.returncode == 0, "kdr failover east-to-west mm2-e2e-group exit %d: %s %s"
          % (r.returncode, r.stdout[-600:], r.stderr[-300:]))
    from kafka.admin import KafkaAdminClient  # noqa: E402
    admin = KafkaAdminClient(bootstrap_servers=west)
    moved = admin.list_consumer_group_offsets("mm2-e2e-group")
    admin.close()
    total = sum(o.offset for tp, o in moved.items() if tp.topic == "dc-east.orders")
    check(total == len(sent), "after failover mm2-e2e-group on dc-west is at %d of %d in dc-east.orders"
          % (total, len(sent)))
finally:
    rc = BED.stop()
    if rc is not None:
        check(rc == 0, "the bed exited %s on SIGTERM" % rc)
    shutil.rmtree(work, ignore_errors=True)

print("real_mm2: %d failure(s) (backend %s)" % (len(failures), BED.backend))
sys.exit(1 if failures else 0)
