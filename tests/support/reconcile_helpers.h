/*
 * Helpers shared by the reconcile integration tests (test_reconcile*.c): a
 * harness that runs kdr's own cycle (desired state from YAML -> executor
 * read -> plan -> executor apply) against the test bed (tests/support/testbed.h:
 * the in-process sandbox, or real Kafka, chosen by KDR_BACKEND), and an
 * independent path that checks what landed on the brokers without any kdr
 * code: a plain librdkafka client (Metadata, DescribeConfigs, AlterConfigs,
 * CreateTopics) and the kcat CLI (`kcat -L -J`, parsed with jansson).
 *
 * Real brokers apply a change on the controller first and on every broker a
 * moment later, so the independent checks of something that must appear (a
 * topic, its configs) ask again until it does, within REC_SETTLE_MS; on the
 * sandbox the first answer is final, so nothing waits there.
 */
#ifndef KDR_TEST_SUPPORT_RECONCILE_HELPERS_H
#define KDR_TEST_SUPPORT_RECONCILE_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>

#include "executor/executor.h"
#include "reader/reader.h"
#include "live/live.h"
#include "model/model.h"
#include "plan/plan.h"
#include "render/render.h"
#include "sandbox.h"
#include "testbed.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/strmap.h"
#include "validate/validate.h"

/* Kafka's API keys and error codes the tests use (Kafka's numbering). */
#define REC_API_METADATA	 3
#define REC_API_CREATE_TOPICS	 19
#define REC_API_DELETE_TOPICS	 20
#define REC_ERR_POLICY_VIOLATION 44

/* Per request for kdr and the independent clients: generous, the sandbox answers in milliseconds. */
#define REC_TIMEOUT_MS 5000
/* How long an independent check waits for a change to reach every broker (real Kafka propagates metadata). */
#define REC_SETTLE_MS 15000

#define REC_YAML_HEADER "apiVersion: kdr.io/v1alpha1\n"

/* Monotonic milliseconds. */
int64_t rec_now_ms(void);

/* Sleeps `ms` milliseconds. */
void rec_sleep_ms(int ms);

/* --- the harness: kdr's own cycle --- */

struct rec {
	struct kdr_testbed *bed;
	struct kdr_sandbox *sandbox; /* the in-process sandbox (counters, faults); NULL on other backends */
	struct kdr_desired desired;
	struct kdr_live live;
	struct kdr_plan plan;
	struct kdr_apply_report report;
	struct kdr_reader_report errors; /* the last read's outcome per cluster */
	int timeout_ms; /* the executor's per-request timeout */
	/* --cluster filter of the next plan and apply (NULL: all declared) */
	const char *const *clusters;
	size_t n_clusters;
	struct kdr_strmap watched; /* cluster -> the independent snapshot rec_watch took */
};

/* A bed with these clusters, empty (a fresh sandbox, or the binary's shared bed reset). */
struct rec *rec_start(const struct kdr_sandbox_cluster_spec *specs, size_t n);

/* Whether the harness has a bed and the bed's backend can `cap`. */
bool rec_can(const struct rec *rec, enum kdr_testbed_cap cap);

/* Releases the harness and its bed; accepts NULL. */
void rec_stop(struct rec *rec);

/* The bootstrap servers of `cluster` on the bed; fails the test when it has none. */
const char *rec_bootstrap(const struct rec *rec, const char *cluster);

/* Appends `yaml` to `out` with each "${NAME}" replaced by the bootstrap servers of bed cluster NAME. */
void rec_expand(struct kdr_buf *out, const struct rec *rec, const char *yaml);

/*
 * Replaces the desired state with `yaml` (see rec_expand). Fails the test
 * on any parse or validation error (what `kdr validate` would refuse is
 * never planned).
 */
void rec_desire(struct rec *rec, const char *yaml);

/* Reader options for the harness's clusters and timeout (borrowed from `rec`). */
void rec_reader_options(const struct rec *rec, struct kdr_reader_options *out);

/* Prints the current plan as `kdr plan` renders it (text). */
void rec_print_plan(const struct rec *rec);

/* Reads every (selected) cluster through pkg/reader; fails the test when one cannot be read. */
void rec_read(struct rec *rec);

/* Reads the live state and plans against it (the first half of `kdr apply`). */
void rec_plan(struct rec *rec, bool allow_delete);

/* Applies the current plan; returns the executor's code (the report is in rec->report). */
int rec_apply(struct rec *rec);

/* Applies the current plan and fails the test (with every message) unless every action succeeded. */
void rec_apply_ok(struct rec *rec);

/*
 * Off the sandbox, after an apply: waits (bounded) until the independent
 * client sees each created, grown or deleted topic as applied, then lets
 * the other brokers catch up for a moment. A real KRaft broker serves the
 * controller's changes a moment late, and kdr's next read may ask any broker
 * (seen on a loaded machine: the plan right after an apply planned the
 * creations again). The sandbox answers from one state: nothing to wait for.
 */
void rec_settle(const struct rec *rec);

/* Fails, printing the plan, unless it has no actions and nothing blocked. */
void rec_assert_plan_empty(const struct rec *rec);

/* How many actions of `kind` the current plan has. */
size_t rec_count_actions(const struct rec *rec, enum kdr_action_kind kind);

/* The plan's action of that kind for cluster/topic; its index through *index (may be NULL). */
const struct kdr_action *rec_action(const struct rec *rec, enum kdr_action_kind kind, const char *cluster,
				    const char *topic, size_t *index);

/* The blocked item of `cluster`/`topic`; fails the test, printing the plan, when there is none. */
const struct kdr_blocked *rec_blocked(const struct rec *rec, const char *cluster, const char *topic);

/* The note about cluster/topic of that kind whose message starts with `prefix`, or NULL. */
const struct kdr_note *rec_note(const struct rec *rec, enum kdr_note_kind kind, const char *cluster, const char *topic,
				const char *prefix);

/* --- the independent path: a plain librdkafka client --- */

/* A plain librdkafka client on `cluster` (no kdr code); rd_kafka_destroy it. */
rd_kafka_t *raw_client(const struct rec *rec, const char *cluster);

/* The topic in one fresh Metadata answer, or NULL; free *md with rd_kafka_metadata_destroy. */
const rd_kafka_metadata_topic_t *raw_topic_now(rd_kafka_t *rk, const struct rd_kafka_metadata **md, const char *topic);

/*
 * The topic as the independent client sees it, or NULL: asks again (up to
 * REC_SETTLE_MS) while it is missing or a partition has no leader, and
 * returns the last answer; free *md with rd_kafka_metadata_destroy.
 */
const rd_kafka_metadata_topic_t *raw_topic(rd_kafka_t *rk, const struct rd_kafka_metadata **md, const char *topic);

/* The topic is listed (asking again up to REC_SETTLE_MS while it is not). */
bool raw_topic_present(rd_kafka_t *rk, const char *topic);

/* The topic is not listed (asking again up to REC_SETTLE_MS while it is: a deletion reaches every broker late). */
bool raw_topic_absent(rd_kafka_t *rk, const char *topic);

/* The partition count of `topic` as the brokers report it; -1: absent. */
int raw_partition_count(rd_kafka_t *rk, const char *topic);

/*
 * The broker-side replica lists of partitions first..first+expect->n-1 are
 * exactly `expect`, in order, the topic has `total` partitions, and (all
 * brokers up) each partition is led by its first replica.
 */
void raw_assert_assignment(rd_kafka_t *rk, const char *topic, size_t total, size_t first,
			   const struct kdr_assignment *expect, bool check_leaders);

/* Creates a topic out of band (Kafka places it), as another tool would. */
void raw_create_topic(rd_kafka_t *rk, const char *topic, int partitions, int rf);

/* An out-of-band legacy AlterConfigs: `kv` (n pairs) REPLACES the topic's dynamic set. */
void raw_alter_configs(rd_kafka_t *rk, const char *topic, const char *const *kv, size_t n);

/*
 * Fails unless the dynamic overrides of `topic` are exactly `expect` (key,
 * value pairs, NULL-terminated), asking again for up to REC_SETTLE_MS.
 */
void raw_assert_overrides(rd_kafka_t *rk, const char *topic, const char *const *expect);

/*
 * Starts watching the cluster for changes: takes the independent snapshot
 * and, on the sandbox, zeroes its request counters (after the snapshot, so
 * the counters see only what follows).
 */
void rec_watch(struct rec *rec, const char *cluster);

/*
 * Nothing changed the cluster since rec_watch: on the sandbox no mutating
 * request arrived at all (validate_only ones included); on every backend the
 * independent snapshot is the same.
 */
void rec_assert_untouched(struct rec *rec, const char *cluster);

/* --- the independent path: kcat --- */

/* `kcat -L -J` of the cluster, parsed (caller json_decref's it). */
json_t *kcat_metadata(const struct rec *rec, const char *cluster);

/* As raw_assert_assignment, through kcat's view of Metadata. */
void kcat_assert_assignment(json_t *root, const char *topic, size_t total, size_t first,
			    const struct kdr_assignment *expect, bool check_leaders);

/* --- racks, as the sandbox spec lays them out (broker i on racks[(i-1) % n]) --- */

/* The rack of `broker` (1-based) in a sandbox cluster spec: its racks cycle over the brokers. */
const char *spec_rack(const struct kdr_sandbox_cluster_spec *spec, int32_t broker);

#endif
