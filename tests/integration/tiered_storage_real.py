#!/usr/bin/python3
"""The tiered-storage drill for real (issue 11, runbook "The four patterns"): a 3-broker
cluster with remote storage (hack/kafka-real `remoteStorage: true`: Apache Kafka's own
file-system RemoteStorageManager, LocalTieredStorage from the kafka-storage test jar,
whose directory the ready file names as `remoteStorageDir`).

- kdr apply creates `events` (RF 3) from a TopicPolicy with `tiering: {enabled: true,
  localRetention: 1s, retention: 1d}` and segment.ms 1000; kdr plan then has no changes;
- 5 batches of 20 records 1.5 s apart roll segments; the closed ones are copied to the
  tier (segment files appear under remoteStorageDir) and deleted from every broker's
  local log (the earliest local segment no longer starts at 0);
- kcat from offset 0 reads all 100 records, in order (served from the tier);
- the drill's "lose a broker": the leader stopped, kcat from offset 0 still reads all
  100 through the new leader; kdr plan still has no changes; the broker back, the
  plan has no changes.

The sandbox has no remote tier (remoteStorage only reports the broker config): it skips (77).
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bed  # noqa: E402


CONFIG = """clusters:
  - {name: tier, brokers: 3, remoteStorage: true, autoCreateTopics: false}
"""

TOPICS = """---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: tiered}
spec:
  clusters: [tier]
  topics:
    - name: events
  partitions: 1
  replicationFactor: 3
  config: {min.insync.replicas: "2", segment.ms: "1000"}
  tiering: {enabled: true, localRetention: 1s, retention: 1d}
"""
N_BATCHES, BATCH = 5, 20


def kcat_leader(bootstrap, topic):
    return [p[1] for p in bed.kcat_metadata(bootstrap)[1].get(topic, [])]


def segments(directory, partition_dir_prefix):
    """Base offsets of the *.log segment files under directory in dirs named prefix*."""
    found = []
    for dirpath, _, files in os.walk(directory):
        if os.path.basename(dirpath).startswith(partition_dir_prefix):
            found += [int(f.split("-")[0].split(".")[0]) for f in files if f.endswith(".log")]
    return sorted(found)


def main():
    b = bed.Bed()
    if not b.real:
        print("SKIPPED on backend sandbox: it has no remote tier (remoteStorage only makes its brokers report "
              "remote.log.storage.system.enable); LocalTieredStorage runs on hack/kafka-real", flush=True)
        return 77
    work = tempfile.mkdtemp(prefix="kdr-tiered-")
    config = os.path.join(work, "bed.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    desired = os.path.join(work, "desired")
    os.makedirs(desired)
    check = bed.Checks()
    run = bed.kdr_runner(check)

    try:
        t0 = time.monotonic()
        clusters = b.start(config, work)
        print("tiered_storage_real: 3 brokers with LocalTieredStorage ready in %.1f s" % (time.monotonic() - t0),
              flush=True)
        bootstrap = clusters["tier"]["bootstrap"]
        remote_dir = clusters["tier"].get("remoteStorageDir")
        check(remote_dir is not None and os.path.isdir(os.path.dirname(remote_dir)),
              "the ready file names the remote storage directory (%s)" % remote_dir)
        # hack/kafka-real's layout: broker i's log dir is broker-i beside the tier's directory.
        local_dirs = [os.path.join(os.path.dirname(remote_dir), "broker-%d" % i) for i in (1, 2, 3)]
        with open(os.path.join(desired, "clusters.yaml"), "w") as f:
            f.write("---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: tier}\n"
                    "spec:\n  bootstrapServers: \"%s\"\n" % bootstrap)
        with open(os.path.join(desired, "topics.yaml"), "w") as f:
            f.write(TOPICS)

        applied = run("apply", desired, "--yes", expect=0)
        print(applied.stdout[-1500:], flush=True)
        check("remote.storage.enable = true" in applied.stdout and "local.retention.ms = 1000" in applied.stdout,
              "kdr's plan creates events with remote.storage.enable=true and local.retention.ms=1000")
        run("plan", desired, "--detailed-exitcode", expect=0)

        sent = []
        for n in range(N_BATCHES):
            lines = ["r%03d" % (n * BATCH + i) for i in range(BATCH)]
            check(bed.kcat_produce(bootstrap, "events", lines, partition=0), "kcat: batch %d produced with acks=all" % n)
            sent += lines
            time.sleep(1.5)

        deadline = time.monotonic() + 90
        remote, local = [], [[0]]
        while time.monotonic() < deadline:
            remote = segments(remote_dir, "events-0")
            local = [segments(d, "events-0") for d in local_dirs]
            if len(remote) >= 2 and all(seg and seg[0] > 0 for seg in local):
                break
            time.sleep(1)
        print("tiered_storage_real: remote segments %s, local segments per broker %s (%.1f s)"
              % (remote, local, time.monotonic() - deadline + 90), flush=True)
        check(len(remote) >= 2 and remote[0] == 0, "segments from offset 0 were copied to the tier (%s)" % remote)
        check(all(seg and seg[0] > 0 for seg in local),
              "every broker deleted its local segments from offset 0 (earliest local: %s)"
              % [seg[0] if seg else None for seg in local])
        got = bed.kcat_consume(bootstrap, "events", partition=0, offset=0, timeout=120)
        check(got == sent, "kcat from offset 0 reads all %d records in order, from the tier (%d)" % (len(sent), len(got)))

        leader = kcat_leader(bootstrap, "events")[0]
        b.control("broker-down tier %d" % leader)
        print("tiered_storage_real: leader %d stopped, new leader %s" % (leader, kcat_leader(bootstrap, "events")),
              flush=True)
        got = bed.kcat_consume(bootstrap, "events", partition=0, offset=0, timeout=120)
        check(got == sent, "leader lost: kcat from offset 0 still reads all %d records (%d)" % (len(sent), len(got)))
        run("plan", desired, "--detailed-exitcode", expect=0)
        b.control("broker-up tier %d" % leader)
        plan = run("plan", desired, "--detailed-exitcode", expect=0)
        check("No changes" in plan.stdout, "the plan after the broker returns says no changes")
    finally:
        rc = b.stop()
        check(rc == 0, "the bed stops with exit 0 (got %s)" % rc)
    print("tiered_storage_real [%s]: %d passed, %d failed" % (b.backend, check.passed, check.failed), flush=True)
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
