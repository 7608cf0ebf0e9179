#!/usr/bin/python3
"""A broker crashed for real (issue 9): hack/kafka-real with `brokerProcesses: true`
runs each broker in its own JVM, and the control channel's `broker-kill CLUSTER ID`
SIGKILLs one (no controlled shutdown: the controller fences it when its session
times out), `broker-up` starts its JVM again from the same log dirs. On a 3-broker
cluster:

- kdr apply creates two RF-3 topics; kcat (an independent client) sees 3 replicas each;
- broker 2 SIGKILLed: kcat sees 2 brokers and no partition led by 2; kdr plan still
  reads the cluster (exit 0, no changes: the topics are still RF 3 by their assignment);
- kdr apply of a new topic (RF 2, as 2 brokers are up) succeeds; kcat sees it on 1 and 3;
- broker 2 restarted: kcat sees 3 brokers and every partition's ISR complete; kdr plan
  converges to no changes.

The sandbox has no broker process to kill (its brokers are in-process): it skips (77).
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bed  # noqa: E402


CONFIG = """clusters:
  - {name: dc-east, brokers: 3, brokerProcesses: true, autoCreateTopics: false}
"""

TOPICS = """---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: core}
spec:
  clusters: [dc-east]
  topics:
    - name: orders
    - name: events
  partitions: 3
  replicationFactor: 3
  config: {min.insync.replicas: "2"}
"""

LATE = """---
apiVersion: kdr.io/v1alpha1
kind: TopicPolicy
metadata: {name: late}
spec:
  clusters: [dc-east]
  topics:
    - name: audit
  partitions: 2
  replicationFactor: 2
"""


def main():
    b = bed.Bed()
    if not b.real:
        print("SKIPPED on backend sandbox: its brokers are in-process, there is no broker JVM to SIGKILL "
              "(broker-kill is hack/kafka-real's, with brokerProcesses: true)", flush=True)
        return 77
    work = tempfile.mkdtemp(prefix="kdr-broker-kill-")
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
        print("broker_kill_real: bed with brokerProcesses (controller JVM + 3 broker JVMs) ready in %.1f s"
              % (time.monotonic() - t0), flush=True)
        bootstrap = clusters["dc-east"]["bootstrap"]
        with open(os.path.join(desired, "clusters.yaml"), "w") as f:
            f.write("---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: dc-east}\n"
                    "spec:\n  bootstrapServers: \"%s\"\n" % bootstrap)
        with open(os.path.join(desired, "topics.yaml"), "w") as f:
            f.write(TOPICS)

        run("apply", desired, "--yes", expect=0)
        run("plan", desired, "--detailed-exitcode", expect=0)
        brokers, topics = bed.kcat_metadata(bootstrap)
        check(brokers == {1, 2, 3}, "kcat: 3 brokers before the kill (%s)" % sorted(brokers))
        check(all(len(topics.get(t, [])) == 3 and all(len(p[2]) == 3 for p in topics[t]) for t in ("orders", "events")),
              "kcat: orders and events have 3 partitions of 3 replicas")
        led_by_2 = sum(1 for t in topics.values() for p in t if p[1] == 2)
        print("broker_kill_real: %d partitions led by broker 2 before the kill" % led_by_2, flush=True)

        t1 = time.monotonic()
        b.control("broker-kill dc-east 2")
        print("broker_kill_real: broker 2 SIGKILLed, fenced and its leaderships moved in %.1f s"
              % (time.monotonic() - t1), flush=True)
        brokers, topics = bed.kcat_metadata(bootstrap)
        check(brokers == {1, 3}, "kcat: brokers 1 and 3 after the kill (%s)" % sorted(brokers))
        check(all(p[1] in (1, 3) for t in topics.values() for p in t),
              "kcat: every partition is led by broker 1 or 3")
        check(all(2 not in p[3] and len(p[2]) == 3 for t in ("orders", "events") for p in topics[t]),
              "kcat: broker 2 left every ISR, the assignments still have 3 replicas")

        plan = run("plan", desired, "--detailed-exitcode", expect=0)
        print(plan.stdout[-1500:], flush=True)
        check("broker(s) 2 hold replicas but are not live" in plan.stdout,
              "kdr plan warns that broker 2 holds replicas but is not live")
        with open(os.path.join(desired, "late.yaml"), "w") as f:
            f.write(LATE)
        applied = run("apply", desired, "--yes", expect=0)
        print(applied.stdout[-1500:], flush=True)
        brokers, topics = bed.kcat_metadata(bootstrap)
        check(len(topics.get("audit", [])) == 2 and all(set(p[2]) <= {1, 3} and len(p[2]) == 2 for p in topics["audit"]),
              "kcat: audit created with 2 partitions on brokers 1 and 3 (%s)" % topics.get("audit"))

        t2 = time.monotonic()
        b.control("broker-up dc-east 2")
        print("broker_kill_real: broker 2's JVM restarted from its log dirs and back in every ISR in %.1f s"
              % (time.monotonic() - t2), flush=True)
        brokers, topics = bed.kcat_metadata(bootstrap)
        check(brokers == {1, 2, 3}, "kcat: 3 brokers after the restart (%s)" % sorted(brokers))
        check(all(p[3] == p[2] for t in topics.values() for p in t), "kcat: every partition's ISR is complete")
        plan = run("plan", desired, "--detailed-exitcode", expect=0)
        check("No changes" in plan.stdout, "the plan after the restart says no changes")
    finally:
        rc = b.stop()
        check(rc == 0, "the bed stops with exit 0 (got %s)" % rc)
    print("broker_kill_real [%s]: %d passed, %d failed" % (b.backend, check.passed, check.failed), flush=True)
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
