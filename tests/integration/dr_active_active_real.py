#!/usr/bin/python3
"""The active-active drill on real Apache Kafka + MirrorMaker 2 (issue 11, runbook "The
four patterns"): dc-east and dc-west, each with its own `orders` and its own Connect,
kdr applies two flows, east-to-west and west-to-east, each with the topic filter
`.*orders` (so that the remote topics would match too) and the default replication policy.

- records produced on each side arrive on the other as `<alias>.orders` (kcat reads
  them: exactly the other side's records); no record loops back: after several topic
  refreshes neither side has `dc-west.dc-east.orders` or `dc-east.dc-west.orders`
  (MM2's remote-topic naming and cycle detection) and each side's own `orders` holds only
  its own records;
- group billing consumed 30 of dc-east's 50 records on dc-east (committed); MM2
  checkpoints it; dc-east is lost (its broker and Connect stopped); `kdr failover --flow
  east-to-west --yes` commits billing on dc-west's `dc-east.orders` at the checkpoint
  (read back with an independent client); a real consumer of billing on dc-west resumes
  there and reads every record from 30 on (none lost, re-reads within MM2's window);
  dc-west's own `orders` still takes writes and its consumers read them;
- a second failover is a no-op;
- the failback, as the runbook's active-active section runs it: billing reaches 45 on
  dc-west's dc-east.orders; dc-east comes back with its data; `kdr failback --flow
  east-to-west --commit` finds west-to-east as the reverse flow and stops at step 2 (exit 2);
  `kdr lag --flow west-to-east` reaches 0 and the records dc-west took meanwhile are in
  dc-west.orders on dc-east; `kdr failover --flow west-to-east --yes --commit`; step 3
  (exit 0) moves billing on dc-east's orders from 30 to at most 45 (MM2's offset-syncs
  inverted) and restores both flows; `kdr apply` exits 0 and `kdr plan` has no changes.

Needs real MirrorMaker 2 (hack/kafka-real): on the sandbox it skips (77).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bed  # noqa: E402

API = (2, 6, 0)  # kafka-python's protocol choice, accepted by Kafka 4.x
N = 50
COMMITTED = 30
LAG_MAX = 10
ON_WEST = 45  # billing's position on dc-west's dc-east.orders when dc-east comes back


def git(d, *args):
    res = subprocess.run(["git", "-C", d, "-c", "user.name=kdr test", "-c", "user.email=test@kdr"] + list(args),
                         capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise AssertionError("git %s: %s" % (" ".join(args), res.stderr))
    return res.stdout.strip()

CONFIG = """clusters:
  - {name: dc-east, brokers: 1, connect: true, autoCreateTopics: false}
  - {name: dc-west, brokers: 1, connect: true, autoCreateTopics: false}
"""

FLOW = """---
apiVersion: kdr.io/v1alpha1
kind: ReplicationFlow
metadata: {name: %(src)s-to-%(dst)s}
spec:
  source: dc-%(src)s
  target: dc-%(dst)s
  topics: [".*orders"]
  groups: ["billing"]
  replicationFactor: 1
  internalTopicsReplicationFactor: 1
  checkpoints: {enabled: true, intervalSeconds: 1, syncGroupOffsets: false}
  heartbeats: {enabled: false}
  connectorConfig:
    offset.lag.max: "%(lag)d"
    refresh.groups.interval.seconds: "5"
    refresh.topics.interval.seconds: "5"
"""

TOPICS = """---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: orders}
spec:
  clusters: [dc-east, dc-west]
  topics: [orders]
  partitions: 1
  replicationFactor: 1
"""


def kcat_all(bootstrap, topic):
    """Every record of topic, or None when kcat fails."""
    return bed.kcat_consume(bootstrap, topic, partial_on_error=False)


def connector_state(url, name):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen("%s/connectors/%s/status" % (url, name), timeout=10) as r:
            return json.loads(r.read().decode())["connector"]["state"]
    except urllib.error.HTTPError as e:
        return "HTTP %d" % e.code


def main():
    b = bed.Bed()
    if not b.real:
        print("SKIPPED on backend sandbox: it runs no MirrorMaker 2 (the active-active data path is real MM2's)",
              flush=True)
        return 77
    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    work = tempfile.mkdtemp(prefix="kdr-active-active-")
    config = os.path.join(work, "bed.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    desired = os.path.join(work, "desired")
    os.makedirs(desired)
    check = bed.Checks()
    run = bed.kdr_runner(check)

    try:
        clusters = b.start(config, work)
        east, west = clusters["dc-east"], clusters["dc-west"]
        with open(os.path.join(desired, "clusters.yaml"), "w") as f:
            for name in ("dc-east", "dc-west"):
                f.write("---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: %s}\nspec:\n"
                        "  bootstrapServers: \"%s\"\n  connect: {url: \"%s\"}\n"
                        % (name, clusters[name]["bootstrap"], clusters[name]["connect"]))
        with open(os.path.join(desired, "topics.yaml"), "w") as f:
            f.write(TOPICS)
        with open(os.path.join(desired, "flows.yaml"), "w") as f:
            f.write(FLOW % {"src": "east", "dst": "west", "lag": LAG_MAX})
            f.write(FLOW % {"src": "west", "dst": "east", "lag": LAG_MAX})

        git(desired, "init", "-q", "-b", "main")
        git(desired, "add", "-A")
        git(desired, "commit", "-qm", "the active-active topology")
        # The topics first (kdr), the records and billing's commit, then the flows: MM2 sees the group at once.
        only_topics = os.path.join(work, "topics-only")
        os.makedirs(only_topics)
        for name in ("clusters.yaml", "topics.yaml"):
            with open(os.path.join(desired, name)) as src, open(os.path.join(only_topics, name), "w") as dst:
                dst.write(src.read())
        run("apply", only_topics, "--yes", expect=0)
        east_sent = ["east-%02d" % i for i in range(N)]
        west_sent = ["west-%02d" % i for i in range(N)]
        check(bed.kcat_produce(east["bootstrap"], "orders", east_sent, partition=0), "kcat: %d records to dc-east's orders" % N)
        check(bed.kcat_produce(west["bootstrap"], "orders", west_sent, partition=0), "kcat: %d records to dc-west's orders" % N)
        c = KafkaConsumer(bootstrap_servers=east["bootstrap"], group_id="billing", api_version=API,
                          enable_auto_commit=False)
        c.assign([TopicPartition("orders", 0)])
        c.commit({TopicPartition("orders", 0): OffsetAndMetadata(COMMITTED, "")})
        c.close()

        applied = run("apply", desired, "--yes", expect=0)
        print(applied.stdout[-2500:], flush=True)
        t0 = time.monotonic()
        got_west = bed.until("dc-east's records in dc-east.orders on dc-west",
                         lambda: (kcat_all(west["bootstrap"], "dc-east.orders") or []) if
                         "dc-east.orders" in bed.kcat_topics(west["bootstrap"]) and
                         len(kcat_all(west["bootstrap"], "dc-east.orders") or []) >= N else None, timeout=300)
        got_east = bed.until("dc-west's records in dc-west.orders on dc-east",
                         lambda: (kcat_all(east["bootstrap"], "dc-west.orders") or []) if
                         "dc-west.orders" in bed.kcat_topics(east["bootstrap"]) and
                         len(kcat_all(east["bootstrap"], "dc-west.orders") or []) >= N else None, timeout=300)
        print("dr_active_active_real: both directions replicated in %.1f s" % (time.monotonic() - t0), flush=True)
        check(got_west == east_sent, "kcat on dc-west: dc-east.orders holds exactly dc-east's %d records" % N)
        check(got_east == west_sent, "kcat on dc-east: dc-west.orders holds exactly dc-west's %d records" % N)

        time.sleep(15)  # three topic refreshes (5 s): a loop would have created the twice-prefixed topics by now
        topics_east, topics_west = bed.kcat_topics(east["bootstrap"]), bed.kcat_topics(west["bootstrap"])
        print("topics: dc-east %s, dc-west %s" % (topics_east, topics_west), flush=True)
        check(not any(t.count("orders") and t.count("dc-") > 1 for t in topics_east + topics_west),
              "no record loops back: no twice-prefixed remote topic on either side")
        check(kcat_all(east["bootstrap"], "orders") == east_sent and kcat_all(west["bootstrap"], "orders") == west_sent,
              "each side's own orders holds only its own records")
        check(kcat_all(west["bootstrap"], "dc-east.orders") == east_sent,
              "dc-east.orders on dc-west still holds exactly dc-east's records")

        def checkpointed():
            proc = run("failover", desired, "--flow", "east-to-west", "--dry-run", "--format", "json")
            if proc.returncode != 0:
                return None
            rows = [r for r in json.loads(proc.stdout).get("partitions", []) if r.get("group") == "billing"]
            return rows and rows
        rows = bed.until("MM2's checkpoint of billing", checkpointed, timeout=240, every=3)
        print("dry run: %s" % rows, flush=True)
        translated = rows[0]["new"]
        check(0 <= translated <= COMMITTED and COMMITTED - translated <= LAG_MAX + 1,
              "billing's checkpoint on dc-west %d: at or before 30, within offset.lag.max" % translated)

        b.control("connect-down dc-east")
        b.control("broker-down dc-east 1")
        out = run("failover", "--git", desired, "--flow", "east-to-west", "--yes", "--commit", "--format", "json",
                  "--timeout", "5s", expect=0)
        got = {r["partition"]: r["new"] for r in json.loads(out.stdout)["partitions"] if r["group"] == "billing"}
        admin = KafkaAdminClient(bootstrap_servers=west["bootstrap"], api_version=API)
        offsets = {tp.partition: om.offset for tp, om in admin.list_consumer_group_offsets("billing").items()
                   if tp.topic == "dc-east.orders"}
        admin.close()
        check(got == {0: translated} and offsets == got,
              "failover committed billing at %d on dc-west's dc-east.orders (independent read: %s)" % (translated, offsets))
        again = run("failover", "--git", desired, "--flow", "east-to-west", "--yes", "--timeout", "5s", expect=0)
        check("0 committed" in again.stdout, "a second failover is a no-op")

        consumer = KafkaConsumer("dc-east.orders", bootstrap_servers=west["bootstrap"], group_id="billing",
                                 api_version=API, enable_auto_commit=False, auto_offset_reset="earliest",
                                 session_timeout_ms=10000, heartbeat_interval_ms=1000)
        seen, first = [], None
        deadline = time.monotonic() + 60
        while len(seen) < N - translated and time.monotonic() < deadline:
            for msgs in consumer.poll(timeout_ms=500).values():
                for m in msgs:
                    first = m.offset if first is None else first
                    seen.append(m.value.decode())
        consumer.close(autocommit=False)
        check(first == translated, "billing's consumer on dc-west resumed at the translated offset (%s)" % first)
        check(seen == east_sent[translated:], "none lost: it read every record of dc-east from %d on (%d records)"
              % (translated, len(seen)))
        more = ["west-%02d" % i for i in range(N, N + 10)]
        check(bed.kcat_produce(west["bootstrap"], "orders", more, partition=0), "dc-west's own orders still takes writes")
        check(kcat_all(west["bootstrap"], "orders") == west_sent + more, "and its consumers read them all")

        # The failback: billing read dc-east's records on dc-west up to 45; dc-east comes back with its data.
        c = KafkaConsumer(bootstrap_servers=west["bootstrap"], group_id="billing", api_version=API,
                          enable_auto_commit=False)
        c.assign([TopicPartition("dc-east.orders", 0)])
        c.commit({TopicPartition("dc-east.orders", 0): OffsetAndMetadata(ON_WEST, "")})
        c.close()
        b.control("broker-up dc-east 1")
        b.control("connect-up dc-east")
        step = run("failback", "--git", desired, "--flow", "east-to-west", "--commit", expect=2)
        check("step 2 of 3" in step.stderr and "west-to-east" in step.stderr,
              "failback finds west-to-east as the reverse flow and stops at step 2\n" + step.stderr[-600:])
        def caught_up():
            proc = run("lag", "--git", desired, "--flow", "west-to-east", "--format", "json", "--max-rpo", "1h")
            return proc.returncode == 0 and json.loads(proc.stdout)["totalLag"] == 0
        bed.until("kdr lag --flow west-to-east to reach 0", caught_up, timeout=180, every=3)
        check(kcat_all(east["bootstrap"], "dc-west.orders") == west_sent + more,
              "the 10 records dc-west took while dc-east was lost reached dc-west.orders on dc-east")
        run("failover", "--git", desired, "--flow", "west-to-east", "--yes", "--commit", "--timeout", "5s", expect=0)
        step = run("failback", "--git", desired, "--flow", "east-to-west", "--commit", expect=0)
        print(step.stdout[-1500:], step.stderr[-1500:], flush=True)
        check("step 3 of 3" in step.stderr, "failback step 3 restores both flows")
        admin = KafkaAdminClient(bootstrap_servers=east["bootstrap"], api_version=API)
        back = {tp.partition: om.offset for tp, om in admin.list_consumer_group_offsets("billing").items()
                if tp.topic == "orders"}
        admin.close()
        check(COMMITTED <= back.get(0, -1) <= ON_WEST,
              "billing on dc-east's orders moved from %d to %s: at or before its position %d on dc-west"
              % (COMMITTED, back, ON_WEST))
        run("apply", "--git", desired, "--yes", expect=0)
        # Connect resumes a STOPPED connector asynchronously (a rebalance after kdr's PUT .../resume);
        # kdr waits for it before it exits 0, so the first read after it already sees them running.
        for name in ("kdr.west-to-east.source", "kdr.west-to-east.checkpoint"):
            state = connector_state(east["connect"], name)
            check(state == "RUNNING", "%s RUNNING on dc-east's Connect as soon as apply exits (got %s)" % (name, state))
        run("plan", "--git", desired, "--detailed-exitcode", expect=0)
    finally:
        rc = b.stop()
        check(rc == 0, "the bed stops with exit 0 (got %s)" % rc)
    print("dr_active_active_real [%s]: %d passed, %d failed" % (b.backend, check.passed, check.failed), flush=True)
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
