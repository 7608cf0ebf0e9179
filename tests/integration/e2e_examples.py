#!/usr/bin/python3
"""End to end: the examples/ topology applied by the kdr binary to the test bed's
clusters (KDR_BACKEND=sandbox: kdr-sandbox; kafka: real Apache Kafka and Kafka
Connect with MirrorMaker 2, hack/kafka-real), checked with independent
clients (python3-kafka, curl): plan shows changes, apply makes them, the next
plan is empty, drift is repaired while unmanaged overrides survive."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

root = os.environ.get("KDR_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
kdr = os.environ.get("KDR_BIN", os.path.join(root, "build", "asan", "kdr"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import bed as testbed  # noqa: E402

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient  # noqa: E402

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def run(*args, expect=None):
    proc = subprocess.run([kdr, *args], capture_output=True, text=True, timeout=120)
    if expect is not None and proc.returncode != expect:
        print(proc.stdout)
        print(proc.stderr)
        check(False, f"kdr {' '.join(args)}: exit {proc.returncode}, expected {expect}")
    return proc


work = tempfile.mkdtemp(prefix="kdr-e2e-")
bed = testbed.Bed()
try:
    # The demo's clusters, on ephemeral ports.
    config = open(os.path.join(root, "hack", "demo-sandbox.yaml")).read()
    config = re.sub(r"\n\s*port: \d+", "", config)
    config = re.sub(r"connect: \{port: \d+\}", "connect: true", config)
    open(os.path.join(work, "sandbox.yaml"), "w").write(config)
    ready = bed.start(os.path.join(work, "sandbox.yaml"), work, stdout=subprocess.DEVNULL)

    # examples/ pointed at the bed's addresses.
    desired = os.path.join(work, "desired")
    subprocess.run([os.path.join(root, "hack", "examples-for"), os.path.join(work, "ready.json"), desired,
                    os.path.join(root, "examples")], check=True)

    run("validate", desired, expect=0)
    first = run("plan", desired, "--detailed-exitcode", expect=2)
    for needle in ["+ create-topic", "orders", "audit-log", "ledger", "kdr.east-to-west.source"]:
        check(needle in first.stdout, f"first plan mentions {needle!r}")

    applied = run("apply", desired, "--yes", expect=0)
    check("0 failed" in applied.stdout, "apply reports no failure")
    second = run("plan", desired, "--detailed-exitcode", expect=0)
    check("No changes" in second.stdout, "second plan says no changes")

    # Independent checks with python3-kafka.
    east = KafkaAdminClient(bootstrap_servers=ready["dc-east"]["bootstrap"].split(","), client_id="e2e-check")
    topics = set(east.list_topics())
    for topic in ["orders", "events", "users", "audit-log"]:
        check(topic in topics, f"dc-east has topic {topic}")
    meta = east.describe_topics(["orders"])[0]
    check(len(meta["partitions"]) == 12, f"orders has 12 partitions, got {len(meta['partitions'])}")
    racks = {b.nodeId: b.rack for b in east._client.cluster.brokers()}
    for p in meta["partitions"]:
        check(len(p["replicas"]) == 3, f"orders p{p['partition']} RF 3")
        check(len({racks[r] for r in p["replicas"]}) == 3, f"orders p{p['partition']} spans 3 racks")
    configs = east.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "orders")])
    entries = {c[0]: c[1] for c in configs[0].resources[0][4]}
    check(entries.get("min.insync.replicas") == "2", "orders min.insync.replicas=2")
    configs = east.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "audit-log")])
    entries = {c[0]: c[1] for c in configs[0].resources[0][4]}
    check(entries.get("remote.storage.enable") == "true", "audit-log tiered")
    check(entries.get("local.retention.ms") == "86400000", "audit-log local retention 1d")

    stretch = KafkaAdminClient(bootstrap_servers=ready["stretch"]["bootstrap"].split(","), client_id="e2e-check")
    racks = {b.nodeId: b.rack for b in stretch._client.cluster.brokers()}
    dc = {"a-1": "dc-a", "a-2": "dc-a", "b-1": "dc-b", "b-2": "dc-b"}
    for p in stretch.describe_topics(["ledger"])[0]["partitions"]:
        per_dc = [dc[racks[r]] for r in p["replicas"]]
        check(per_dc.count("dc-a") == 2 and per_dc.count("dc-b") == 2, f"ledger p{p['partition']} 2+2 over DCs")
        check(dc[racks[p["replicas"][0]]] == "dc-a", f"ledger p{p['partition']} led from dc-a")
    stretch.close()

    # The Connect workers run the flows' connectors (checked with curl-equivalent plain HTTP).
    west_connectors = json.load(urllib.request.urlopen(ready["dc-west"]["connect"] + "/connectors"))
    east_connectors = json.load(urllib.request.urlopen(ready["dc-east"]["connect"] + "/connectors"))
    check(sorted(west_connectors) == ["kdr.east-to-west.checkpoint", "kdr.east-to-west.source", "kdr.west-to-east.heartbeat"],
          f"dc-west connectors: {sorted(west_connectors)}")
    check(sorted(east_connectors) == ["kdr.east-to-west.heartbeat", "kdr.west-to-east.checkpoint", "kdr.west-to-east.source"],
          f"dc-east connectors: {sorted(east_connectors)}")

    # Drift: AlterConfigs by hand replaces the whole set (drops min.insync.replicas).
    east.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "orders",
                                       configs={"retention.ms": "1000", "segment.ms": "3600000"})])
    drift = run("plan", desired, "--cluster", "dc-east", "--detailed-exitcode", expect=2)
    check("retention.ms" in drift.stdout and "min.insync.replicas" in drift.stdout, "drift plan shows the managed keys")
    check("segment.ms" not in drift.stdout, "drift plan leaves the unmanaged override alone")
    run("apply", desired, "--cluster", "dc-east", "--yes", expect=0)
    configs = east.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "orders")])
    entries = {c[0]: c[1] for c in configs[0].resources[0][4]}
    check(entries.get("retention.ms") == "604800000", "retention.ms repaired")
    check(entries.get("min.insync.replicas") == "2", "min.insync.replicas repaired")
    check(entries.get("segment.ms") == "3600000", "unmanaged segment.ms survived")
    run("plan", desired, "--detailed-exitcode", expect=0)
    east.close()
finally:
    rc = bed.stop()
    if rc is not None:
        check(rc == 0, f"{bed.bin} exited {rc} on SIGTERM")
    if failures and bed.log and os.path.exists(bed.log):
        print(open(bed.log).read()[-3000:])
    shutil.rmtree(work, ignore_errors=True)

print(f"e2e_examples: {len(failures)} failure(s) (backend {bed.backend})")
sys.exit(1 if failures else 0)
