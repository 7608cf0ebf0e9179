#!/usr/bin/python3
"""Conformance of the Kafka Connect REST API, on either backend of the test bed
(KDR_BACKEND=sandbox: kdr-sandbox's Connect worker; kafka: a real Kafka Connect
distributed worker with MirrorMaker 2, from hack/kafka-real).

Every endpoint kdr's pkg/connect uses is probed with Python's own HTTP client
(no kdr code) and its status code and error body are checked against what real
Kafka Connect answers; the same assertions hold on both backends, so the
sandbox cannot answer differently from Connect where kdr looks. Differences
that remain are listed in tests/sandbox/README.md.

Run with /usr/bin/python3; prints "N passed, M failed"; exit 0 only if all passed.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "lib"))
import bed as testbed  # noqa: E402

BED = testbed.Bed()
CONFIG = """\
clusters:
  - name: conf
    brokers: 1
    connect: true
"""
MIRROR_SOURCE = "org.apache.kafka.connect.mirror.MirrorSourceConnector"
MIRROR_CHECKPOINT = "org.apache.kafka.connect.mirror.MirrorCheckpointConnector"
MIRROR_HEARTBEAT = "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector"
SETTLE_S = 60
LAG_MS = 2000  # the sandbox's Connect state delay in the section on asynchrony
INTERVAL = "emit.heartbeats.interval.seconds"  # in MirrorHeartbeatConnector's task configs too


def call(base, method, path, body=None):
    """(status, decoded JSON body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def is_error_body(body, code):
    """Connect's ErrorMessage: {"error_code": N, "message": "..."}."""
    return isinstance(body, dict) and body.get("error_code") == code and isinstance(body.get("message"), str)


def mirror_heartbeat(bootstrap, name):
    # The heartbeat connector needs no source cluster: it writes into its own target.
    return {"connector.class": MIRROR_HEARTBEAT, "name": name, "tasks.max": "1",
            "source.cluster.alias": "a", "target.cluster.alias": "conf",
            "source.cluster.bootstrap.servers": bootstrap, "target.cluster.bootstrap.servers": bootstrap,
            "heartbeats.topic.replication.factor": "1", INTERVAL: "5"}


def wait_state(base, name, want):
    deadline = time.monotonic() + SETTLE_S
    state = None
    while time.monotonic() < deadline:
        status, body = call(base, "GET", "/connectors/%s/status" % name)
        if status == 200:
            state = body.get("connector", {}).get("state")
            if state == want:
                return state
        time.sleep(0.3)
    return state


def wait_status(base, path, want):
    """Connect answers some requests only once the worker has caught up (409 during a rebalance)."""
    deadline = time.monotonic() + SETTLE_S
    status = body = None
    while time.monotonic() < deadline:
        status, body = call(base, "GET", path)
        if status == want:
            break
        time.sleep(0.3)
    return status, body


def wait_task_config(base, name, key, want):
    """Whether every task of connector name soon runs a config with key=want (409 during a rebalance)."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        status, tasks = call(base, "GET", "/connectors/%s/tasks" % name)
        if status == 200 and tasks and all(t.get("config", {}).get(key) == want for t in tasks):
            return True
        time.sleep(0.3)
    return False


def wait_tasks_running(base, name):
    """Whether connector name and all its tasks (at least one) soon read RUNNING."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        status, body = call(base, "GET", "/connectors/%s/status" % name)
        if status == 200 and body.get("connector", {}).get("state") == "RUNNING" and body.get("tasks") \
                and all(t.get("state") == "RUNNING" for t in body["tasks"]):
            return True
        time.sleep(0.3)
    return False


def task_status(base, name, task):
    """(state, trace) of task `task` of connector name now; (None, None) while unreadable (409, 404)."""
    status, body = call(base, "GET", "/connectors/%s/status" % name)
    for entry in body.get("tasks", []) if status == 200 and isinstance(body, dict) else []:
        if entry.get("id") == task:
            return entry.get("state"), entry.get("trace")
    return None, None


def wait_task_state(base, name, task, want):
    """The trace of task `task` once it reads `want` (bounded), or None."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        state, trace = task_status(base, name, task)
        if state == want:
            return trace or ""
        time.sleep(0.1)
    return None


def failing_again(base, bootstrap, check):
    """A task that fails again right after its restart, as kdr apply tells it from one not restarted yet
    (pkg/connect/settle.c). Real Connect: the heartbeat task's producer refuses its first record
    (max.request.size 10 bytes) a second after it starts, and after every restart; the sandbox runs no
    connector code and is told to do the same (connect-fail-task-again). The restart's 202 shows the task
    RESTARTING with its old trace; a read then sees it leave FAILED (RESTARTING, UNASSIGNED or RUNNING) and
    FAILED again with the same trace: the trace alone cannot tell a restart happened, the states can."""
    config = mirror_heartbeat(bootstrap, "hbfail")
    config[INTERVAL] = "1"
    config["producer.override.max.request.size"] = "10"
    status, _ = call(base, "PUT", "/connectors/hbfail/config", config)
    check(status == 201, "PUT a heartbeat connector whose producer refuses every record -> 201 (got %s)" % status)
    if not BED.real:
        check(wait_task_state(base, "hbfail", 0, "RUNNING") is not None, "sandbox: its task runs")
        BED.control("connect-fail-task-again conf hbfail 0 1000 org.apache.kafka.connect.errors.ConnectException: "
                    "Unrecoverable exception from producer send callback")
    trace = wait_task_state(base, "hbfail", 0, "FAILED")
    first = (trace or "").split("\n", 1)[0]
    check(first == "org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send "
          "callback", "its task FAILED with the producer's exception (got %r)" % first)
    status, body = call(base, "POST", "/connectors/hbfail/restart?includeTasks=true&onlyFailed=true")
    answered = time.monotonic()
    planned = body.get("tasks", [{}])[0] if isinstance(body, dict) and body.get("tasks") else {}
    check(status == 202 and planned.get("state") == "RESTARTING" and planned.get("trace") == trace,
          "POST restart?includeTasks=true&onlyFailed=true -> 202 with the FAILED task RESTARTING and its old trace "
          "(got %s %s)" % (status, planned.get("state")))
    seen = []
    again = None
    while time.monotonic() - answered < 15 and again is None:
        state, now = task_status(base, "hbfail", 0)
        if state and (not seen or seen[-1][1] != state):
            seen.append((time.monotonic() - answered, state))
        if state == "FAILED" and any(s != "FAILED" for _, s in seen):
            again = now
        time.sleep(0.05)
    print("%s: the task after the restart's answer: %s" % ("real Connect" if BED.real else "sandbox",
          ", ".join("%.3f s %s" % (t, s) for t, s in seen)), flush=True)
    check(again is not None, "a read sees the task leave FAILED after the restart, then FAILED again")
    check(again == trace, "it failed again with the same trace, word for word")
    status, _ = call(base, "DELETE", "/connectors/hbfail")
    check(status == 204, "DELETE hbfail -> 204 (got %s)" % status)


def failed_connector_and_task(base, bootstrap, check):
    """A FAILED connector with a FAILED task: restart?includeTasks=true&onlyFailed=true restarts both (the call
    kdr's plan makes for a FAILED connector, pkg/plan/connectors.c). Real Connect: the task's producer refuses
    its record (it FAILs 6 s after it starts), then a config whose target admin client cannot be built fails the
    connector at start; its tasks, which only a started connector could regenerate, stay as they were. The
    sandbox is told the same (connect-fail-task-again, connect-fail-connector)."""
    config = mirror_heartbeat(bootstrap, "hbboth")
    config[INTERVAL] = "1"
    config["producer.override.max.request.size"] = "10"
    status, _ = call(base, "PUT", "/connectors/hbboth/config", config)
    check(status == 201, "PUT connector hbboth -> 201 (got %s)" % status)
    if not BED.real:
        wait_task_state(base, "hbboth", 0, "RUNNING")
        BED.control("connect-fail-task-again conf hbboth 0 600000 org.apache.kafka.connect.errors.ConnectException: "
                    "Unrecoverable exception from producer send callback")
    check(wait_task_state(base, "hbboth", 0, "FAILED") is not None, "its task FAILED")
    if BED.real:
        config["target.admin.security.protocol"] = "BOGUS"
        status, _ = call(base, "PUT", "/connectors/hbboth/config", config)
        check(status == 200, "PUT a config whose admin client cannot be built -> 200 (got %s)" % status)
    else:
        BED.control("connect-fail-connector conf hbboth org.apache.kafka.common.KafkaException: The constructor of "
                    "org.apache.kafka.clients.admin.ForwardingAdmin threw an exception")
    state = wait_state(base, "hbboth", "FAILED")
    check(state == "FAILED" and task_status(base, "hbboth", 0)[0] == "FAILED",
          "the connector FAILED and its task FAILED (got %s, %s)" % (state, task_status(base, "hbboth", 0)[0]))
    status, body = call(base, "POST", "/connectors/hbboth/restart?includeTasks=true&onlyFailed=true")
    planned = [body.get("connector", {}).get("state")] + [t.get("state") for t in body.get("tasks", [])] \
        if isinstance(body, dict) else body
    check(status == 202 and planned == ["RESTARTING", "RESTARTING"],
          "POST restart?includeTasks=true&onlyFailed=true -> 202 with the connector and its task RESTARTING "
          "(got %s %s)" % (status, planned))
    check(wait_task_state(base, "hbboth", 0, "RUNNING") is not None, "the task runs again after the restart")
    status, _ = call(base, "DELETE", "/connectors/hbboth")
    check(status == 204, "DELETE hbboth -> 204 (got %s)" % status)


def probe(clusters, check):
    base, bootstrap = clusters["conf"]["connect"], clusters["conf"]["bootstrap"]
    status, body = call(base, "GET", "/")
    check(status == 200 and isinstance(body, dict) and "version" in body and "kafka_cluster_id" in body,
          "GET / -> 200 with version and kafka_cluster_id (got %s %r)" % (status, body))

    status, body = call(base, "GET", "/connector-plugins")
    classes = {p.get("class") for p in body} if isinstance(body, list) else set()
    check(status == 200 and {MIRROR_SOURCE, MIRROR_CHECKPOINT, MIRROR_HEARTBEAT} <= classes,
          "GET /connector-plugins -> 200 listing the three MM2 connectors")

    status, body = call(base, "GET", "/connectors")
    check(status == 200 and isinstance(body, list), "GET /connectors -> 200 with a list (got %s)" % status)
    status, body = call(base, "GET", "/connectors?expand=status&expand=info")
    check(status == 200 and isinstance(body, dict), "GET /connectors?expand=status&expand=info -> 200 with an object")

    for path in ("/connectors/missing", "/connectors/missing/config", "/connectors/missing/status"):
        status, body = call(base, "GET", path)
        check(status == 404 and is_error_body(body, 404), "GET %s -> 404 with an error body (got %s %r)" % (path, status, body))
    for method, path in (("PUT", "/connectors/missing/pause"), ("PUT", "/connectors/missing/resume"),
                         ("POST", "/connectors/missing/restart"), ("DELETE", "/connectors/missing")):
        status, body = call(base, method, path)
        check(status == 404 and is_error_body(body, 404),
              "%s %s -> 404 with an error body (got %s %r)" % (method, path, status, body))

    # An invalid config of a known class: 400 with Connect's message, nothing created.
    incomplete = {"connector.class": MIRROR_SOURCE, "name": "incomplete"}
    status, body = call(base, "PUT", "/connectors/incomplete/config", incomplete)
    check(status == 400 and is_error_body(body, 400), "PUT an invalid MirrorSource config -> 400 (got %s %r)" % (status, body))
    status, _ = call(base, "GET", "/connectors/incomplete")
    check(status == 404, "the invalid connector was not created (got %s)" % status)

    # A class no plugin provides: Connect 4.1 answers 400 naming it; Connect 3.9 (KDR_KAFKA_VERSION=3.9.1)
    # answers 500 with the same message -- the 500 an earlier probe saw. The sandbox answers as 4.1.
    unknown = {"connector.class": "com.example.NoSuchConnector", "name": "unknown", "tasks.max": "1"}
    want = 500 if BED.real and BED.kafka_version().startswith("3.") else 400
    status, body = call(base, "PUT", "/connectors/unknown/config", unknown)
    check(status == want and is_error_body(body, want) and "com.example.NoSuchConnector" in body["message"]
          and "Failed to find any class" in body["message"],
          "PUT an unknown connector.class -> %d naming the class (got %s %r)" % (want, status, body))
    status, _ = call(base, "GET", "/connectors/unknown")
    check(status == 404, "the unknown-class connector was not created (got %s)" % status)

    # The name in the body must be the name in the path.
    mismatch = mirror_heartbeat(bootstrap, "other")
    status, body = call(base, "PUT", "/connectors/hb/config", mismatch)
    check(status == 400 and is_error_body(body, 400), "PUT with a mismatched name -> 400 (got %s %r)" % (status, body))

    # Create, then update: 201 then 200, both with the connector's info.
    config = mirror_heartbeat(bootstrap, "hb")
    status, body = call(base, "PUT", "/connectors/hb/config", config)
    check(status == 201 and isinstance(body, dict) and body.get("name") == "hb",
          "PUT a new connector's config -> 201 with its info (got %s)" % status)
    check(wait_state(base, "hb", "RUNNING") == "RUNNING", "the new connector reaches RUNNING")
    check(wait_task_config(base, "hb", INTERVAL, "5"), "its task runs the config it was created with")

    # Real Connect is asynchronous: it answers a config update once the config is in its config topic,
    # and pause/resume/stop at once; it restarts the connector, regenerates the tasks and moves the
    # instances after answering (a rebalance). The sandbox does so only with its state delay
    # (connect-delay), which this section sets to LAG_MS, so that the first read right after each PUT
    # still shows the old tasks and states there. On both: the new config at once, the rest bounded.
    if not BED.real:
        BED.control("connect-delay conf %d" % LAG_MS)
    config[INTERVAL] = "6"
    status, body = call(base, "PUT", "/connectors/hb/config", config)
    answered = time.monotonic()
    check(status == 200 and body.get("config", {}).get(INTERVAL) == "6",
          "PUT an existing connector's config -> 200 with the new config (got %s)" % status)
    # The herder reads the config topic's snapshot: the first 200 already has the new config (real Connect
    # may answer 409 while the tasks' rebalance is pending; never the old config).
    status, body = wait_status(base, "/connectors/hb/config", 200)
    check(status == 200 and body.get(INTERVAL) == "6" and body.get("name") == "hb",
          "the first GET /connectors/hb/config -> 200 after the PUT has the updated config and its name")
    status, tasks = call(base, "GET", "/connectors/hb/tasks")
    read_after = time.monotonic() - answered
    old = [t.get("config", {}).get(INTERVAL) for t in tasks] if status == 200 else None
    if not BED.real:
        check(old == ["5"] and read_after < LAG_MS / 1000.0,
              "sandbox, state delay %d ms: GET tasks %.3f s after the config PUT still shows the old task "
              "config (got %s %s)" % (LAG_MS, read_after, status, old))
    else:  # what real Connect showed, for the README's account (a race: not a check)
        print("real Connect: GET tasks %.3f s after the config PUT: %s %s" % (read_after, status, old), flush=True)
    check(wait_task_config(base, "hb", INTERVAL, "6"), "after the config PUT the task gets the new config")
    print("the task config changed %.3f s after the PUT's answer" % (time.monotonic() - answered), flush=True)
    check(wait_state(base, "hb", "RUNNING") == "RUNNING", "and the connector is RUNNING again")

    def target_change(verb, want_status, before, after):
        status, _ = call(base, "PUT", "/connectors/hb/%s" % verb)
        answered = time.monotonic()
        check(status == want_status, "PUT %s -> %d (got %s)" % (verb, want_status, status))
        if not BED.real:
            first = call(base, "GET", "/connectors/hb/status")
            read_after = time.monotonic() - answered
            state = first[1].get("connector", {}).get("state") if isinstance(first[1], dict) else None
            check(first[0] == 200 and state == before and read_after < LAG_MS / 1000.0,
                  "sandbox, state delay %d ms: the status read %.3f s after PUT %s still shows %s (got %s %s)"
                  % (LAG_MS, read_after, verb, before, first[0], state))
        check(wait_state(base, "hb", after) == after, "after PUT %s the connector reaches %s" % (verb, after))

    target_change("pause", 202, "RUNNING", "PAUSED")
    target_change("resume", 202, "PAUSED", "RUNNING")
    target_change("stop", 204, "RUNNING", "STOPPED")
    target_change("resume", 202, "STOPPED", "RUNNING")

    # A restart is answered before it happens too: restart?includeTasks=.. writes a restart request to the
    # config topic and answers with the plan (DistributedHerder.restartConnectorAndTasks, executed by a later
    # tick); the status shows the old states, then RESTARTING, then the restarted ones. The sandbox, with its
    # delay, keeps the old states until the delay has passed (a FAILED task reads FAILED: test_connectsrv).
    status, body = call(base, "POST", "/connectors/hb/restart?includeTasks=true&onlyFailed=false")
    answered = time.monotonic()
    planned = [body.get("connector", {}).get("state")] + [t.get("state") for t in body.get("tasks", [])] \
        if isinstance(body, dict) else []
    check(status == 202 and len(planned) > 1 and set(planned) == {"RESTARTING"},
          "POST restart?includeTasks=true&onlyFailed=false -> 202 with the connector and every task RESTARTING "
          "(got %s %s)" % (status, planned))
    status, body = call(base, "GET", "/connectors/hb/status")
    first = [body.get("connector", {}).get("state")] + [t.get("state") for t in body.get("tasks", [])] \
        if isinstance(body, dict) else body
    print("%s: status %.3f s after the restart's answer: %s %s"
          % ("real Connect" if BED.real else "sandbox", time.monotonic() - answered, status, first), flush=True)
    if BED.real:  # what real Connect went through after the answer, for the README's account (not a check)
        seen = [(0.0, first)]
        while time.monotonic() - answered < 3:
            status, body = call(base, "GET", "/connectors/hb/status")
            states = [body.get("connector", {}).get("state")] + [t.get("state") for t in body.get("tasks", [])] \
                if status == 200 else status
            if states != seen[-1][1]:
                seen.append((time.monotonic() - answered, states))
            time.sleep(0.02)
        print("real Connect: states after the restart's answer: %s"
              % ", ".join("%.3f s %s" % (t, s) for t, s in seen), flush=True)
    check(wait_tasks_running(base, "hb"), "after the restart the connector and its task are RUNNING")
    status, _ = call(base, "POST", "/connectors/hb/tasks/0/restart")
    check(status == 204, "POST tasks/0/restart -> 204 (got %s)" % status)
    check(wait_tasks_running(base, "hb"), "after the task restart the connector and its task are RUNNING")
    if not BED.real:
        # Back to the delay the suite runs with (hack/test.sh's KDR_SANDBOX_CONNECT_DELAY_MS).
        BED.control("connect-delay conf %s" % os.environ.get("KDR_SANDBOX_CONNECT_DELAY_MS", "0"))

    status, _ = call(base, "POST", "/connectors/hb/restart")
    check(status in (200, 204), "POST restart -> 204 (got %s)" % status)
    status, body = call(base, "POST", "/connectors/hb/restart?includeTasks=true&onlyFailed=true")
    check(status == 202 and isinstance(body, dict) and body.get("name") == "hb",
          "POST restart?includeTasks=true&onlyFailed=true -> 202 with the connector's status (got %s %r)" % (status, body))

    failing_again(base, bootstrap, check)
    failed_connector_and_task(base, bootstrap, check)

    status, _ = call(base, "DELETE", "/connectors/hb")
    check(status == 204, "DELETE -> 204 (got %s)" % status)
    status, body = wait_status(base, "/connectors/hb", 404)
    check(status == 404, "a deleted connector answers 404 (got %s)" % status)


if __name__ == "__main__":
    sys.exit(BED.run_probes("conformance_connect", CONFIG, probe))
