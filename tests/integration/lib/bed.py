"""The test bed of the Python script tests, on either backend (see bed.sh):
KDR_BACKEND=sandbox (default, $KDR_SANDBOX_BIN) or kafka (hack/kafka-real).

    import bed                       # with tests/integration/lib on sys.path
    b = bed.Bed()                    # prints "backend: X"
    b.skip_on_kafka("reason")        # on kafka: prints why, exits 77
    ready = b.start(config_path, work_dir)   # the ready file's "clusters" mapping
    rc = b.stop()                    # SIGTERM; its exit code
    b.control("broker-down dc-east 2")   # the control channel (tests/sandbox/README.md); raises unless "ok"
    sys.exit(b.run_probes("name", config_text, probe))   # probe(clusters, check): a table of checks

The real drills' helpers (independent clients and the kdr runner):

    run = bed.kdr_runner(check)      # run("plan", dir, expect=0): kdr with a timeout, its exit code checked
    bed.kcat_metadata(bootstrap)     # ({broker ids}, {topic: [(partition, leader, [replicas], [isr])]})
    bed.kcat_topics(bootstrap)       # the non-internal topic names, sorted
    bed.kcat_produce(bootstrap, topic, lines)   # acks=all; True when kcat reports no failed delivery
    bed.kcat_consume(bootstrap, topic)          # every record from the beginning (kcat -e)
    bed.until("what", fn, timeout)   # fn's first truthy value, polled; raises on timeout
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class Checks:
    """A table of checks that goes on past a failure and counts: check(condition, what)."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, condition, what):
        if condition:
            self.passed += 1
            print("ok:", what, flush=True)
        else:
            self.failed += 1
            print("FAILED:", what, flush=True)


class Bed:
    def __init__(self):
        self.backend = os.environ.get("KDR_BACKEND", "sandbox")
        if self.backend == "sandbox":
            self.bin = os.environ.get("KDR_SANDBOX_BIN", os.path.join(ROOT, "build", "asan", "kdr-sandbox"))
            self.wait = 10.0
        elif self.backend == "kafka":
            self.bin = os.environ.get("KDR_KAFKA_REAL_BIN", os.path.join(ROOT, "hack", "kafka-real"))
            self.wait = float(os.environ.get("KDR_KAFKA_START_TIMEOUT", "300"))
        else:
            sys.exit("bed: KDR_BACKEND must be sandbox or kafka, not %r" % self.backend)
        self.proc = None
        self.log = None
        # A test stopped by SIGTERM (hack/test.sh's timeout) still runs its finally: the bed stops.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        print("backend:", self.backend, flush=True)

    @property
    def real(self):
        return self.backend == "kafka"

    def kafka_version(self):
        """The Apache Kafka release the kafka backend runs: KDR_KAFKA_VERSION, else hack/kafka/pom.xml's."""
        if os.environ.get("KDR_KAFKA_VERSION"):
            return os.environ["KDR_KAFKA_VERSION"]
        with open(os.path.join(ROOT, "hack", "kafka", "pom.xml")) as f:
            text = f.read()
        return text.split("<kafka.version>", 1)[1].split("</kafka.version>", 1)[0].strip()

    def skip_on_kafka(self, reason):
        if self.real:
            print("SKIPPED on backend kafka:", reason, flush=True)
            sys.exit(77)

    def start(self, config, work, stdout=None, args=()):
        ready = os.path.join(work, "ready.json")
        self.log = os.path.join(work, "bed.log")
        if os.path.exists(ready):
            os.unlink(ready)
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([self.bin, "--config", config, "--ready-file", ready] + list(args),
                                         stdout=stdout or log, stderr=log)
        start = time.monotonic()
        while time.monotonic() - start < self.wait:
            if os.path.exists(ready):
                print("bed: %s ready in %.1f s" % (self.backend, time.monotonic() - start), flush=True)
                with open(ready) as f:
                    body = json.load(f)
                self.control_address = body.get("control")
                return body["clusters"]
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        with open(self.log) as f:
            raise AssertionError("%s did not become ready (exit %s): %s" % (self.bin, self.proc.poll(), f.read()))

    def control(self, command, timeout=300):
        """One command on the bed's control channel (the ready file's "control": broker-down|broker-up
        CLUSTER ID, connect-down|connect-up CLUSTER, all-up); returns once done, raises unless "ok"."""
        if not getattr(self, "control_address", None):
            raise AssertionError("backend %s has no control channel" % self.backend)
        host, port = self.control_address.rsplit(":", 1)
        start = time.monotonic()
        with socket.create_connection((host, int(port)), timeout=timeout) as s:
            s.sendall((command + "\n").encode())
            answer = s.makefile().readline().strip()
        print("bed: %s: %s -> %s (%.1f s)" % (self.backend, command, answer, time.monotonic() - start), flush=True)
        if answer != "ok":
            raise AssertionError("%s: %s" % (command, answer))

    def stop(self, timeout=60):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def run_probes(self, name, config_text, probe):
        """Starts a bed from `config_text`, runs probe(clusters, check), always stops the bed,
        prints "NAME [backend]: N passed, M failed"; returns the exit code (0 only if all passed)."""
        work = tempfile.mkdtemp(prefix="kdr-%s-" % name)
        config = os.path.join(work, "bed.yaml")
        with open(config, "w") as f:
            f.write(config_text)
        check = Checks()
        try:
            probe(self.start(config, work), check)
        finally:
            self.stop()
        print("%s [%s]: %d passed, %d failed" % (name, self.backend, check.passed, check.failed), flush=True)
        return 0 if check.failed == 0 else 1


def kdr_bin():
    """The kdr binary under test: $KDR_BIN, else the sanitizer build of $KDR_SOURCE_DIR (or this tree)."""
    root = os.environ.get("KDR_SOURCE_DIR", ROOT)
    return os.environ.get("KDR_BIN", os.path.join(root, "build", "asan", "kdr"))


def kdr_runner(check, timeout=300):
    """run(*args, expect=None): runs kdr (killed after `timeout` s), prints its exit code and time; with
    `expect`, checks the exit code and prints the ends of its output when it differs. Returns the process."""
    kdr = kdr_bin()

    def run(*args, expect=None):
        start = time.monotonic()
        proc = subprocess.run([kdr] + list(args), capture_output=True, text=True, timeout=timeout)
        print("kdr %s -> %d (%.1f s)" % (" ".join(args[:1]), proc.returncode, time.monotonic() - start), flush=True)
        if expect is not None:
            check(proc.returncode == expect, "kdr %s exits %d (got %d)" % (" ".join(args), expect, proc.returncode))
            if proc.returncode != expect:
                print(proc.stdout[-3000:], proc.stderr[-2000:], flush=True)
        return proc
    return run


def kcat_metadata(bootstrap, sort_replicas=True):
    """kcat -L -J: ({broker ids}, {topic: [(partition, leader, [replicas], [isr])]}), internal topics left out;
    the isr sorted, the replicas too unless sort_replicas is False (then in assignment order)."""
    proc = subprocess.run(["kcat", "-b", bootstrap, "-L", "-J", "-m", "20"], capture_output=True, text=True,
                          timeout=60)
    if proc.returncode != 0:
        raise AssertionError("kcat -L: %s" % proc.stderr)
    md = json.loads(proc.stdout)
    brokers = {b["id"] for b in md["brokers"]}

    def replicas(p):
        ids = [r["id"] for r in p["replicas"]]
        return sorted(ids) if sort_replicas else ids
    topics = {t["topic"]: sorted((p["partition"], p["leader"], replicas(p), sorted(r["id"] for r in p.get("isrs", [])))
                                 for p in t["partitions"])
              for t in md["topics"] if not t["topic"].startswith("__")}
    return brokers, topics


def kcat_topics(bootstrap):
    """The names of the non-internal topics kcat -L lists, sorted."""
    return sorted(kcat_metadata(bootstrap)[1])


def kcat_produce(bootstrap, topic, lines, partition=None, message_timeout_ms=None, transport_failures_ok=False):
    """The lines as records (to `partition`, else kcat's partitioner) with acks=all; True when kcat exits 0 and
    logs no ERROR. transport_failures_ok: "Broker transport failure" lines (kcat's word for a dead broker of
    the bootstrap list) are not a failed delivery; the callers read the records back to prove they landed."""
    cmd = ["kcat", "-P", "-b", bootstrap, "-t", topic] + (["-p", str(partition)] if partition is not None else [])
    cmd += ["-X", "request.required.acks=-1"]
    if message_timeout_ms is not None:
        cmd += ["-X", "message.timeout.ms=%d" % message_timeout_ms]
    proc = subprocess.run(cmd, input="".join(line + "\n" for line in lines), capture_output=True, text=True,
                          timeout=90)
    if proc.returncode != 0 or proc.stderr.strip():
        print("kcat -P %s: rc %d %s" % (topic, proc.returncode, proc.stderr[-1000:]), flush=True)
    errors = [line for line in proc.stderr.splitlines()
              if "ERROR" in line and not (transport_failures_ok and "Broker transport failure" in line)]
    return proc.returncode == 0 and not errors


def kcat_consume(bootstrap, topic, partition=None, offset="beginning", timeout=90, partial_on_error=True):
    """Every record of topic (or of `partition`) from `offset` to the end (kcat -e), split on whitespace.
    When kcat fails it prints why and returns what it read, or None unless partial_on_error."""
    cmd = ["kcat", "-C", "-b", bootstrap, "-t", topic] + (["-p", str(partition)] if partition is not None else [])
    proc = subprocess.run(cmd + ["-o", str(offset), "-e", "-q"], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        print("kcat -C %s: rc %d %s" % (topic, proc.returncode, proc.stderr[-1000:]), flush=True)
        if not partial_on_error:
            return None
    return proc.stdout.split()


def until(what, fn, timeout, every=2):
    """fn()'s first truthy value, asked every `every` s; raises AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out (%d s) waiting for %s" % (timeout, what))
        time.sleep(every)
