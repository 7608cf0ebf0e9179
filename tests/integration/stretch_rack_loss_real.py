#!/usr/bin/python3
"""The stretch drill for real (issue 11, runbook "The four patterns"): one cluster over
three racks, each rack its own datacenter, two brokers a rack, each broker its own
JVM (hack/kafka-real `brokerProcesses: true`). A whole rack is lost: both its
brokers SIGKILLed (`broker-kill`, no controlled shutdown).

- kdr apply places `orders` rack-aware and `ledger` cross-dc (one replica per DC,
  leaders in dc-a, requireDcLossSurvival) at RF 3, min.insync.replicas 2;
- kcat (an independent client) reads the assignment: every partition's 3 replicas
  are on brokers of 3 distinct racks (the broker -> rack map is the bed's config,
  broker i on racks[(i-1) % 3]), ledger's leaders are in dc-a;
- rack a (brokers 1 and 4) killed: kcat sees 4 brokers, every partition still led
  and with an ISR of at least min.insync.replicas (2); kcat produces 50 records per
  topic with acks=all and consumes all of them; kdr plan exits 0 (no changes, nothing
  destructive) and warns that brokers 1, 4 hold replicas but are not live;
- rack a restarted: every ISR complete, kdr plan converges to no changes.

The sandbox has no broker process to kill (its brokers are in-process): it skips (77).
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bed  # noqa: E402


RACKS = ["rack-a", "rack-b", "rack-c"]
N_BROKERS = 6
CONFIG = """clusters:
  - {name: stretch, brokers: %d, racks: [%s], brokerProcesses: true, autoCreateTopics: false}
""" % (N_BROKERS, ", ".join(RACKS))
RACK_OF = {i: RACKS[(i - 1) % len(RACKS)] for i in range(1, N_BROKERS + 1)}  # hack/kafka-real's rule
LOST = sorted(i for i, r in RACK_OF.items() if r == "rack-a")

TOPICS = """---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: spread}
spec:
  clusters: [stretch]
  topics:
    - name: orders
  partitions: 6
  replicationFactor: 3
  config: {min.insync.replicas: "2"}
  placement: {strategy: rack-aware}
---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: critical}
spec:
  clusters: [stretch]
  topics:
    - name: ledger
  partitions: 4
  replicationFactor: 3
  config: {min.insync.replicas: "2"}
  placement: {strategy: cross-dc, preferredLeaderDatacenter: dc-a, requireDcLossSurvival: true}
"""


def produce(bootstrap, topic, n, tag):
    """n records TAG-i with acks=all; with a rack lost, kcat's "Broker transport failure" for the dead
    brokers of the bootstrap list is not a failed delivery (the callers read the records back)."""
    return bed.kcat_produce(bootstrap, topic, ["%s-%d" % (tag, i) for i in range(n)], message_timeout_ms=30000,
                            transport_failures_ok=True)


def main():
    b = bed.Bed()
    if not b.real:
        print("SKIPPED on backend sandbox: its brokers are in-process, there is no broker JVM to SIGKILL "
              "(broker-kill is hack/kafka-real's, with brokerProcesses: true)", flush=True)
        return 77
    work = tempfile.mkdtemp(prefix="kdr-stretch-")
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
        print("stretch_rack_loss_real: controller JVM + %d broker JVMs over %s ready in %.1f s"
              % (N_BROKERS, RACKS, time.monotonic() - t0), flush=True)
        bootstrap = clusters["stretch"]["bootstrap"]
        with open(os.path.join(desired, "clusters.yaml"), "w") as f:
            f.write("---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: stretch}\n"
                    "spec:\n  bootstrapServers: \"%s\"\n  datacenters:\n%s" % (
                        bootstrap, "".join("    dc-%s: [%s]\n" % (r[-1], r) for r in RACKS)))
        with open(os.path.join(desired, "topics.yaml"), "w") as f:
            f.write(TOPICS)

        applied = run("apply", desired, "--yes", expect=0)
        print(applied.stdout[-2000:], flush=True)
        run("plan", desired, "--detailed-exitcode", expect=0)
        brokers, topics = bed.kcat_metadata(bootstrap, sort_replicas=False)
        check(brokers == set(RACK_OF), "kcat: %d brokers before the loss (%s)" % (N_BROKERS, sorted(brokers)))
        for name, n in (("orders", 6), ("ledger", 4)):
            parts = topics.get(name, [])
            print("kcat: %s assignment %s" % (name, [(p[0], p[2]) for p in parts]), flush=True)
            check(len(parts) == n and all(len(p[2]) == 3 for p in parts),
                  "kcat: %s has %d partitions of 3 replicas" % (name, n))
            check(all(len({RACK_OF[r] for r in p[2]}) == 3 for p in parts),
                  "kcat: every partition of %s has its 3 replicas in 3 distinct racks" % name)
        check(all(RACK_OF[p[1]] == "rack-a" for p in topics.get("ledger", [])),
              "kcat: every ledger partition is led in dc-a (preferredLeaderDatacenter)")
        for name in ("orders", "ledger"):
            check(produce(bootstrap, name, 50, "before"), "kcat: 50 records to %s with acks=all before" % name)

        t1 = time.monotonic()
        for broker in LOST:
            b.control("broker-kill stretch %d" % broker)
        print("stretch_rack_loss_real: rack-a (brokers %s) SIGKILLed and fenced in %.1f s"
              % (LOST, time.monotonic() - t1), flush=True)
        brokers, topics = bed.kcat_metadata(bootstrap, sort_replicas=False)
        live = set(RACK_OF) - set(LOST)
        check(brokers == live, "kcat: brokers %s after losing rack-a (%s)" % (sorted(live), sorted(brokers)))
        for name in ("orders", "ledger"):
            parts = topics.get(name, [])
            check(all(p[1] in live for p in parts), "kcat: every %s partition has a live leader (%s)"
                  % (name, [(p[0], p[1]) for p in parts]))
            check(all(len(p[3]) >= 2 and not set(p[3]) & set(LOST) for p in parts),
                  "kcat: every %s partition keeps an ISR of >= min.insync.replicas 2 without rack-a (%s)"
                  % (name, [(p[0], p[3]) for p in parts]))
            check(produce(bootstrap, name, 50, "during"),
                  "kcat: 50 records to %s with acks=all while rack-a is lost" % name)
            got = bed.kcat_consume(bootstrap, name)
            check(sorted(got) == sorted(["before-%d" % i for i in range(50)] + ["during-%d" % i for i in range(50)]),
                  "kcat: %s consumed whole while rack-a is lost (%d records, 100 expected)" % (name, len(got)))

        plan = run("plan", desired, "--detailed-exitcode", expect=0)
        print(plan.stdout[-2000:], flush=True)
        lost = ", ".join(str(i) for i in LOST)
        check(plan.stdout.count("broker(s) %s hold replicas but are not live" % lost) == 2,
              "kdr plan warns, for orders and for ledger alike, that brokers %s hold replicas but are not live" % lost)
        check("No changes" in plan.stdout, "kdr plan plans nothing while rack-a is lost")

        t2 = time.monotonic()
        for broker in LOST:
            b.control("broker-up stretch %d" % broker)
        print("stretch_rack_loss_real: rack-a's JVMs restarted and back in every ISR in %.1f s"
              % (time.monotonic() - t2), flush=True)
        brokers, topics = bed.kcat_metadata(bootstrap, sort_replicas=False)
        check(brokers == set(RACK_OF), "kcat: %d brokers after rack-a returns (%s)" % (N_BROKERS, sorted(brokers)))
        check(all(p[3] == sorted(p[2]) for t in topics.values() for p in t), "kcat: every partition's ISR is complete")
        plan = run("plan", desired, "--detailed-exitcode", expect=0)
        check("No changes" in plan.stdout and "not live" not in plan.stdout,
              "the plan after rack-a returns says no changes and warns of nothing")
        for name in ("orders", "ledger"):
            check(len(bed.kcat_consume(bootstrap, name)) == 100, "kcat: %s still has its 100 records" % name)
    finally:
        rc = b.stop()
        check(rc == 0, "the bed stops with exit 0 (got %s)" % rc)
    print("stretch_rack_loss_real [%s]: %d passed, %d failed" % (b.backend, check.passed, check.failed), flush=True)
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
