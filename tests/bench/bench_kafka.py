#!/usr/bin/python3
"""The no-change-plan benchmark on real Apache Kafka (hack/bench.sh --backend kafka).

Starts hack/kafka-real with 2 clusters x 3 brokers over 3 racks, writes a desired
state like tests/bench/bench_reconcile.c's (20 TopicPolicies, N topics on both
clusters, two policy configs and one per-topic config on every tenth topic), runs
the kdr binary: the first `kdr apply DIR --yes`, then `kdr plan DIR
--detailed-exitcode` three times (each must exit 0), and prints wall time, kdr's
CPU time and peak RSS (wait4) per step as a markdown table.

Differences from the sandbox run, for what one 2-core machine holds: every topic
has --partitions (default 1) and --rf (default 1) instead of 3..12 partitions at
RF 3 (10,000 topics x 7.5 partitions x RF 3 would be 225,000 replica logs per
3-broker JVM); kdr's requests do not depend on the partition count except
Metadata's size. Request counts per API are not measured: Kafka keeps them in
JMX, not on a port this driver reads.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def write_desired(d, ready, topics, partitions, rf, policies=20):
    os.makedirs(d)
    names = sorted(ready)
    with open(os.path.join(d, "clusters.yaml"), "w") as f:
        f.write("---\n".join("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: %s\nspec:\n"
                             "  bootstrapServers: %s\n" % (n, ready[n]["bootstrap"]) for n in names))
    per = (topics + policies - 1) // policies
    nxt = 0
    for p in range(policies):
        if nxt >= topics:
            break
        lines = ["apiVersion: kdr.io/v1alpha1", "kind: TopicPolicy", "metadata:", "  name: bench-%02d" % p,
                 "spec:", "  clusters: [%s]" % ", ".join(names), "  partitions: %d" % partitions,
                 "  replicationFactor: %d" % rf, "  config:", '    min.insync.replicas: "1"',
                 '    retention.ms: "%d"' % (604800000 + p), "  topics:"]
        for _ in range(per):
            if nxt >= topics:
                break
            lines.append("    - name: bench.p%02d.topic-%06d" % (p, nxt))
            if nxt % 10 == 0:
                lines.append("      config: {cleanup.policy: compact}")
            nxt += 1
        with open(os.path.join(d, "topics-%02d.yaml" % p), "w") as f:
            f.write("\n".join(lines) + "\n")


def step(kdr, args, log):
    t0 = time.monotonic()
    with open(log + ".out", "w") as out, open(log + ".err", "w") as err:
        p = subprocess.Popen([kdr, *args], stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    return code, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kdr", required=True)
    ap.add_argument("--topics", type=int, default=10000)
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--rf", type=int, default=1)
    ap.add_argument("--plans", type=int, default=3)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="kdr-bench-kafka-")
    bed = None
    try:
        cfg = os.path.join(work, "bed.yaml")
        with open(cfg, "w") as f:
            f.write("clusters:\n" + "".join("  - name: bench-%d\n    brokers: 3\n    racks: [r1, r2, r3]\n"
                                            "    autoCreateTopics: false\n" % i for i in (1, 2)))
        env = dict(os.environ)
        env.setdefault("KDR_KAFKA_HEAP_MB", "1536")
        env.setdefault("KDR_KAFKA_LOG_LEVEL", "WARN")
        ready_path = os.path.join(work, "ready.json")
        t0 = time.monotonic()
        bed = subprocess.Popen([os.path.join(ROOT, "hack", "kafka-real"), "--config", cfg, "--ready-file", ready_path],
                               stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "bed.log"), "w"), env=env)
        while not os.path.exists(ready_path):
            if bed.poll() is not None or time.monotonic() - t0 > 300:
                sys.stderr.write(open(os.path.join(work, "bed.log")).read())
                return 2
            time.sleep(0.2)
        ready = json.load(open(ready_path))["clusters"]
        desired = os.path.join(work, "desired")
        write_desired(desired, ready, a.topics, a.partitions, a.rf)
        print("bench_kafka: real Kafka 4.1.1, 2 clusters x 3 brokers (bed ready in %.0f s), %d topics per cluster, "
              "%d partition(s), RF %d; nproc %d, load %.1f" % (time.monotonic() - t0, a.topics, a.partitions, a.rf,
                                                               os.cpu_count(), os.getloadavg()[0]))
        print()
        print("| step | topics per cluster | exit | wall s | kdr CPU s | kdr peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|")
        rows = [("apply (first)", ["apply", desired, "--yes", "--timeout", "300s"], 0)]
        rows += [("plan (no change) #%d" % (i + 1), ["plan", desired, "--detailed-exitcode", "--timeout", "120s"], 0)
                 for i in range(a.plans)]
        bad = 0
        settled = []
        for i, (label, args, want) in enumerate(rows):
            code, wall, cpu, rss = step(a.kdr, args, os.path.join(work, "step%d" % i))
            print("| %s | %d | %d | %.2f | %.2f | %.1f |" % (label, a.topics, code, wall, cpu, rss), flush=True)
            if code != want:
                bad += 1
                sys.stderr.write(open(os.path.join(work, "step%d.err" % i)).read()[-2000:])
            if i == 0:
                # KRaft: CreateTopics answers once the controller committed; the brokers create
                # the logs and answer Metadata for them later (minutes for 20,000 on 2 cores).
                t1 = time.monotonic()
                while time.monotonic() - t1 < 600:
                    if step(a.kdr, ["plan", desired, "--detailed-exitcode", "--timeout", "120s"],
                            os.path.join(work, "settle"))[0] == 0:
                        break
                    time.sleep(5)
                settled.append(time.monotonic() - t1)
        print()
        print("bench_kafka: after the apply, every broker listed all topics (a plan exited 0) after %.0f s" % settled[0])
        return 1 if bad else 0
    finally:
        if bed and bed.poll() is None:
            bed.terminate()
            bed.wait(60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
