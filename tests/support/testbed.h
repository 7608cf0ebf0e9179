#ifndef KDR_TEST_TESTBED_H
#define KDR_TEST_TESTBED_H

/*
 * The test bed: Kafka clusters (and Connect workers) for the integration
 * tests, on one of three backends chosen by KDR_BACKEND, so a test is written
 * once (DESIGN.md §7):
 *
 *   sandbox          (default) the in-process sandbox (tests/sandbox/sandbox.h):
 *                    a fresh bed per test case, with request counters, fault
 *                    injection and brokers taken down and up.
 *   kafka            real Apache Kafka KRaft brokers and Kafka Connect with
 *                    MirrorMaker 2: the process KDR_KAFKA_REAL_BIN (default
 *                    $KDR_SOURCE_DIR/hack/kafka-real).
 *   sandbox-process  the kdr-sandbox process (KDR_SANDBOX_BIN): the same
 *                    external path as `kafka`, in a second, which proves the
 *                    launcher contract and the shared-bed logic.
 *
 * External backends get `BIN --config FILE --ready-file FILE` with
 * kdr-sandbox's config format (tests/sandbox/README.md), wait for the ready
 * file and are stopped by pid with SIGTERM. Real Kafka starts in seconds, so
 * on external backends a test binary starts ONE shared bed holding the union
 * of the clusters its tests need (kdr_testbed_share, from the cmocka group
 * setup) and every test case acquires it after a reset: connectors deleted,
 * every topic created since the bed was ready deleted, dynamic broker configs
 * and consumer groups back to what they were at start, every ACL deleted,
 * brokers and workers taken down (and not brought back) up again. A test therefore sees
 * an empty cluster on every backend, with the same names and assertions.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

struct kdr_testbed;

enum kdr_testbed_backend {
	KDR_TESTBED_SANDBOX,
	KDR_TESTBED_SANDBOX_PROCESS,
	KDR_TESTBED_KAFKA,
};

/* What a backend can do beyond "clusters that speak Kafka and Connect". */
enum kdr_testbed_cap {
	KDR_TESTBED_CAP_COUNTERS, /* kdr_sandbox_request_count and friends */
	KDR_TESTBED_CAP_FAULTS,	  /* per-request errors, latency, Connect 409/500, failed tasks */
	KDR_TESTBED_CAP_BROKER_STOP, /* kdr_testbed_broker_down/up (every backend; external: the control channel) */
	KDR_TESTBED_CAP_POLICY,	     /* kdr_sandbox_set_create_topic_policy */
	KDR_TESTBED_CAP_CONNECT_STOP, /* kdr_testbed_connect_down/up: a Connect worker process killed (kafka only) */
};

/* The backend KDR_BACKEND names (unset or empty: sandbox); aborts with a message on an unknown name. */
enum kdr_testbed_backend kdr_testbed_backend(void);
/* "sandbox", "sandbox-process" or "kafka". */
const char *kdr_testbed_backend_name(void);
/* Prints "<binary>: backend <name> (...)" on stdout: every test binary says where it ran. */
void kdr_testbed_announce(const char *binary);

/*
 * Starts a bed of `n` clusters on the selected backend (always a new one;
 * tests call kdr_testbed_acquire instead). Returns 0 or a negative kdr error
 * code with a message (kdr_error_message), e.g. the launcher's log tail.
 */
int kdr_testbed_start(struct kdr_testbed **out, const struct kdr_sandbox_cluster_spec *specs, size_t n);
/* Stops everything the bed started (the launcher by pid, SIGTERM) and frees it; NULL is fine. */
void kdr_testbed_stop(struct kdr_testbed *bed);

/*
 * For the cmocka group setup: announces the backend and, on an external
 * one, declares the binary's shared bed: `specs` (copied), the union of every
 * test's clusters, started by the first kdr_testbed_acquire (so a binary
 * whose tests all skip starts nothing). Returns 0. kdr_testbed_unshare
 * stops it (group teardown).
 */
int kdr_testbed_share(const char *binary, const struct kdr_sandbox_cluster_spec *specs, size_t n);
void kdr_testbed_unshare(void);

/*
 * A bed with (at least) the clusters `specs` names, each exactly of its
 * shape, empty as a new one: on the in-process sandbox a fresh bed; on an
 * external backend the shared bed, reset. Give it back with
 * kdr_testbed_release. Returns 0 or a negative code with a message (a
 * cluster the shared bed lacks or has in another shape is KDR_EINVALID).
 */
int kdr_testbed_acquire(struct kdr_testbed **out, const struct kdr_sandbox_cluster_spec *specs, size_t n);
void kdr_testbed_release(struct kdr_testbed *bed);
/* Empties a bed (see above); the in-process sandbox needs none. Returns 0 or a negative code. */
int kdr_testbed_reset(struct kdr_testbed *bed);

/* Per cluster, lent (valid while the bed lives); NULL: no such cluster (or no Connect). */
const char *kdr_testbed_bootstrap(const struct kdr_testbed *bed, const char *cluster);
const char *kdr_testbed_connect_url(const struct kdr_testbed *bed, const char *cluster);
const char *kdr_testbed_cluster_id(const struct kdr_testbed *bed, const char *cluster);

/* Whether the selected backend can do `cap`. */
bool kdr_testbed_can(enum kdr_testbed_cap cap);
/* The in-process sandbox (counters, faults), lent; NULL on the other backends. */
struct kdr_sandbox *kdr_testbed_sandbox(const struct kdr_testbed *bed);

/*
 * Takes a broker down and back up. In-process sandbox: its listener closed
 * (kdr_sandbox_broker_down); sandbox-process: the same, through kdr-sandbox's
 * control channel. kafka: the launcher's control channel (the
 * ready file's "control", tests/sandbox/README.md) shuts that broker's
 * KafkaRaftServer down in the cluster's JVM (a controlled shutdown, as
 * kafka-server-stop.sh) and starts it again from the same log dirs; down
 * returns once the other brokers' Metadata no longer lists it (nor names it
 * a leader), up once every live broker lists it and it is back in the ISR of
 * every partition it holds that has a leader. Returns 0 or a negative code.
 */
int kdr_testbed_broker_down(struct kdr_testbed *bed, const char *cluster, int32_t broker_id);
int kdr_testbed_broker_up(struct kdr_testbed *bed, const char *cluster, int32_t broker_id);

/*
 * Delays the answers to requests of `api_key` (-1: any) by `ms` on every
 * broker of `cluster` (0 removes it): kdr_sandbox_set_latency in process,
 * the control channel's `latency` on kdr-sandbox (its `all-up`, sent by the
 * shared bed's reset, clears it). Real Kafka cannot: KDR_EUNSUPPORTED.
 */
int kdr_testbed_set_latency(struct kdr_testbed *bed, const char *cluster, int api_key, int ms);

/*
 * kafka only (KDR_TESTBED_CAP_CONNECT_STOP): kills the cluster's Connect
 * worker JVM (SIGKILL) and returns once its port refuses; up starts it again
 * on the same port and group (its connectors live in the config topic) and
 * returns once it answers GET /connectors and lists the MM2 plugins.
 * KDR_EUNSUPPORTED elsewhere.
 */
int kdr_testbed_connect_down(struct kdr_testbed *bed, const char *cluster);
int kdr_testbed_connect_up(struct kdr_testbed *bed, const char *cluster);

/*
 * Runs one of Kafka's own command-line tools, a main class of the kafka
 * backend's jars (e.g. "kafka.admin.ConfigCommand"), as
 * `java -cp JARS CLASS --bootstrap-server BOOTSTRAP args...` (args
 * NULL-terminated), bounded to 120 s. Returns 0 when it exits 0, else a
 * negative code with its output; KDR_EUNSUPPORTED on other backends.
 */
int kdr_testbed_kafka_tool(const struct kdr_testbed *bed, const char *cluster, const char *main_class,
			   const char *const *args);

/*
 * Inside a cmocka test, before it acquires a bed: unless the backend can
 * `cap`, prints "skipped on <backend>: <why>" and skips the test (cmocka's skip()).
 */
#define KDR_TESTBED_REQUIRE(cap, why)                                                                                  \
	do {                                                                                                           \
		if (!kdr_testbed_can(cap)) {                                                                           \
			printf("skipped on %s: %s\n", kdr_testbed_backend_name(), (why));                              \
			skip();                                                                                        \
		}                                                                                                      \
	} while (0)

#endif
