"""The test bed of the Python script tests, on either backend (see bed.sh):
KDR_BACKEND=sandbox (default, $KDR_SANDBOX_BIN) or kafka (hack/kafka-real).

    import bed                       # with tests/integration/lib on sys.path
    b = bed.Bed()                    # prints "backend: X"
    b.skip_on_kafka("reason")        # on kafka: prints why, exits 77
    ready = b.start(config_path, work_dir)   # the ready file's "clusters" mapping
    rc = b.stop()                    # SIGTERM; its exit code
    b.control("broker-down dc-east 2")   # the control channel (tests/sandbox/README.md); raises unless "ok"
    sys.exit(b.run_probes("name", config_text, probe))   # probe(clusters, check): a table of checks
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
