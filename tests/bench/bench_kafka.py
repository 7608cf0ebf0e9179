#!/usr/bin/python3
"""The no-change-plan benchmark on real Apache Kafka (hack/bench.sh --backend kafka).

Starts hack/kafka-real with 2 clusters x 3 brokers over 3 racks, writes a desired
state like tests/bench/bench_reconcile.c's (20 TopicPolicies, N topics on both
clusters, two policy configs and one per-topic config on every tenth topic), runs
the kdr binary: the first `kdr apply DIR --yes`, then `kdr plan DIR
--detailed-exitcode` three times (each must exit 0), and prints wall time, kdr's
CPU time and peak RSS (wait4) per step as a markdown table. Below it, each
step's exit code, its result summary and what it wrote on stderr (the apply's
warnings: brokers that did not show every change within its wait, Connect
changes not reported in time); an exit other than expected (the apply 0, the
plans 0; the plans that wait for the brokers after the apply 2 until they list
every topic) fails the bench (exit 1).

Differences from the sandbox run, for what one 2-core machine holds: every topic
has --partitions (default 1) and --rf (default 1) instead of 3..12 partitions at
RF 3 (10,000 topics x 7.5 partitions x RF 3 would be 225,000 replica logs per
3-broker JVM); kdr's requests do not depend on the partition count except
Metadata's size. Request counts per cluster come from Kafka's own RequestsPerSec
meters (the launcher's control channel: "requests CLUSTER"), taken before and after
each step; the step's count is the difference, for the APIs kdr sends (the
brokers' replication and the controller's quorum traffic are other APIs).

--trace runs one more no-change plan with KDR_DEBUG=1 KDR_RDKAFKA_DEBUG=protocol and
sums librdkafka's per-request round-trip times by API: where the wall time goes
(brokers answering, or kdr between requests).
"""
import re
import socket
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


def step_output(log, limit=40):
    """What a step said beyond its plan: its stderr lines (warnings: the apply's wait for the brokers to
    show every change, Connect not reporting a change in time; errors) and stdout's result summary
    ("Applied: N succeeded, ..."), the first `limit` stderr lines and how many more."""
    with open(log + ".err", errors="replace") as f:
        err = [line.rstrip("\n") for line in f if line.strip()]
    with open(log + ".out", errors="replace") as f:
        summary = [line.strip() for line in f if re.match(r"(Applied|Validated): ", line)]
    shown = err[:limit]
    if len(err) > limit:
        shown.append("... %d more stderr line(s) in %s.err" % (len(err) - limit, log))
    return summary, shown


def report_step(label, code, want, log):
    """Prints a step's exit code, result summary and stderr; returns 1 when the exit code is not `want`."""
    summary, err = step_output(log)
    print("bench_kafka: %s: exit %d (expected %d)%s" % (label, code, want,
                                                        "; " + summary[-1] if summary else ""))
    for line in err:
        print("    stderr: %s" % line)
    if code != want:
        print("bench_kafka: FAIL %s: exit %d, expected %d" % (label, code, want))
        return 1
    return 0


# The APIs kdr's plan and apply send (the rest is the clusters' own traffic).
KDR_APIS = ("Metadata", "DescribeConfigs", "CreateTopics", "CreatePartitions", "AlterConfigs",
            "IncrementalAlterConfigs", "DeleteTopics", "ApiVersions", "DescribeAcls", "DescribeCluster",
            "ListGroups", "DescribeGroups", "OffsetFetch", "ListOffsets", "FindCoordinator")
SHOWN = ("Metadata", "DescribeConfigs", "CreateTopics", "ApiVersions")


def requests(control, cluster):
    """{API: count} of the cluster's nodes since they started (the control channel's "requests")."""
    host, port = control.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=120) as sock:
        sock.sendall(("requests %s\n" % cluster).encode())
        answer = sock.makefile().readline().split()
    if not answer or answer[0] != "ok":
        raise RuntimeError("requests %s: %s" % (cluster, " ".join(answer)))
    return {k: int(v) for k, v in (w.split("=", 1) for w in answer[1:])}


def diff(after, before):
    return {k: after.get(k, 0) - before.get(k, 0) for k in KDR_APIS}


def trace(kdr, desired, log):
    """One no-change plan with librdkafka's protocol log. Returns its exit code, wall time, and per
    (cluster, API): requests, summed rtt, longest rtt, span from the first sent to the last answer,
    and the most requests in flight at once (1: kdr sends them one after another)."""
    env = dict(os.environ, KDR_DEBUG="1", KDR_RDKAFKA_DEBUG="protocol")
    t0 = time.monotonic()
    with open(log, "w") as err:
        code = subprocess.run([kdr, "plan", desired, "--detailed-exitcode", "--timeout", "120s"],
                              stdout=subprocess.DEVNULL, stderr=err, env=env).returncode
    wall = time.monotonic() - t0
    stamp = re.compile(r"^ts=\S*T(\d+):(\d+):([0-9.]+)Z .*cluster=(\S+) ")
    sent = re.compile(r"Sent (\w+)Request \(v\d+")
    got = re.compile(r"Received (\w+)Response \(v\d+, \d+ bytes, CorrId \d+, rtt ([0-9.]+)ms\)")
    per = {}
    with open(log, errors="replace") as f:
        for line in f:
            m = stamp.match(line)
            if not m:
                continue
            t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            ms, mg = sent.search(line), got.search(line)
            if not ms and not mg:
                continue
            key = (m.group(4), (ms or mg).group(1))
            e = per.setdefault(key, {"n": 0, "rtt": 0.0, "top": 0.0, "first": t, "last": t, "open": 0, "most": 0})
            if ms:
                e["open"] += 1
                e["most"] = max(e["most"], e["open"])
                e["first"] = min(e["first"], t)
            else:
                rtt = float(mg.group(2)) / 1000.0
                e["n"] += 1
                e["rtt"] += rtt
                e["top"] = max(e["top"], rtt)
                e["open"] = max(0, e["open"] - 1)
                e["last"] = max(e["last"], t)
    return code, wall, per


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kdr", required=True)
    ap.add_argument("--topics", type=int, default=10000)
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--rf", type=int, default=1)
    ap.add_argument("--plans", type=int, default=3)
    ap.add_argument("--trace", action="store_true", help="one more plan with librdkafka's protocol log (rtt per API)")
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
        body = json.load(open(ready_path))
        ready, control = body["clusters"], body["control"]
        names = sorted(ready)
        desired = os.path.join(work, "desired")
        write_desired(desired, ready, a.topics, a.partitions, a.rf)
        print("bench_kafka: real Kafka 4.1.1, 2 clusters x 3 brokers (bed ready in %.0f s), %d topics per cluster, "
              "%d partition(s), RF %d; nproc %d, load %.1f" % (time.monotonic() - t0, a.topics, a.partitions, a.rf,
                                                               os.cpu_count(), os.getloadavg()[0]))
        print()
        print("Requests per cluster (%s), from Kafka's RequestsPerSec meters; \"all\": every API kdr sends."
              % " / ".join(names))
        print()
        print("| step | topics per cluster | exit | wall s | kdr CPU s | kdr peak RSS MiB | %s | all |"
              % " | ".join(SHOWN))
        print("|---|---:|---:|---:|---:|---:|%s---:|" % ("---:|" * len(SHOWN)))
        rows = [("apply (first)", ["apply", desired, "--yes", "--timeout", "300s"], 0)]
        rows += [("plan (no change) #%d" % (i + 1), ["plan", desired, "--detailed-exitcode", "--timeout", "120s"], 0)
                 for i in range(a.plans)]
        bad = 0
        settled = None
        outcomes = []  # (label, exit code, expected, log) of each row, reported below the table
        for i, (label, args, want) in enumerate(rows):
            log = os.path.join(work, "step%d" % i)
            before = {n: requests(control, n) for n in names}
            code, wall, cpu, rss = step(a.kdr, args, log)
            counts = {n: diff(requests(control, n), before[n]) for n in names}
            cells = [" / ".join(str(counts[n][api]) for n in names) for api in SHOWN]
            cells.append(" / ".join(str(sum(counts[n].values())) for n in names))
            print("| %s | %d | %d | %.2f | %.2f | %.1f | %s |" % (label, a.topics, code, wall, cpu, rss,
                                                                 " | ".join(cells)), flush=True)
            outcomes.append((label, code, want, log))
            if i == 0:
                # KRaft: CreateTopics answers once the controller committed; the brokers create
                # the logs and answer Metadata for them later (minutes for 20,000 on 2 cores).
                # A plan exits 2 while some are not listed yet; any other exit ends the wait.
                t1 = time.monotonic()
                settle_log = os.path.join(work, "settle")
                plans = 0
                while time.monotonic() - t1 < 600:
                    code = step(a.kdr, ["plan", desired, "--detailed-exitcode", "--timeout", "120s"], settle_log)[0]
                    plans += 1
                    if code != 2:
                        break
                    time.sleep(5)
                if code == 0:
                    settled = (time.monotonic() - t1, plans)
                else:
                    outcomes.append(("plan after the apply (#%d, waiting for the brokers)" % plans, code, 0,
                                     settle_log))
        print()
        for label, code, want, log in outcomes:
            bad += report_step(label, code, want, log)
        if settled:
            print("bench_kafka: after the apply, every broker listed all topics (plan #%d exited 0) after %.0f s"
                  % (settled[1], settled[0]))
        else:
            print("bench_kafka: FAIL the plans after the apply never exited 0 (within 600 s)")
            bad += 1
        if a.trace:
            code, wall, per = trace(a.kdr, desired, os.path.join(work, "trace.err"))
            print()
            print("bench_kafka: traced no-change plan (exit %d): wall %.2f s; librdkafka round trips, both clusters:"
                  % (code, wall))
            print()
            print("| cluster | API | requests | summed rtt s | longest rtt s | first sent to last answer s | "
                  "most in flight |")
            print("|---|---|---:|---:|---:|---:|---:|")
            for (cluster, api) in sorted(per):
                e = per[(cluster, api)]
                print("| %s | %s | %d | %.2f | %.2f | %.2f | %d |" % (cluster, api, e["n"], e["rtt"], e["top"],
                                                                      e["last"] - e["first"], e["most"]))
        return 1 if bad else 0
    finally:
        if bed and bed.poll() is None:
            bed.terminate()
            try:
                bed.wait(120)
            except subprocess.TimeoutExpired:
                bed.kill()
                bed.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
