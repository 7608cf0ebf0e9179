/*
 * pkg/kafka's ACLs against the test bed (tests/support/testbed.h: the
 * in-process sandbox, or real Kafka with KDR_BACKEND=kafka; real librdkafka
 * either way): every binding kind kdr can send round-trips (topic, group,
 * the cluster as librdkafka's code 4, literal and prefixed, allow and deny,
 * a host); creating what exists and deleting what is already gone succeed;
 * a cluster without an authorizer (no authorizer.class.name) is read
 * without ACLs and says so; validate-only sends nothing; a transactional-id
 * binding fails alone (librdkafka 2.0.2 has no such resource type). On the
 * sandbox also the request counts (a read asks one DescribeAcls; the
 * create-acl and delete-acl actions go in one CreateAcls and one
 * DeleteAcls; no DescribeAcls without an authorizer) and the injected
 * faults (a refused DescribeAcls -- librdkafka 2.0.2 reports it as an empty
 * list -- is found by a DeleteAcls matching nothing and reads as not read,
 * with the reason, never as no ACLs; a refused CreateAcls fails each action
 * with Kafka's error name), which skip elsewhere, saying so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/kafka.h"
#include "sandbox.h"
#include "testbed.h"
#include "util/alloc.h"
#include "util/error.h"

#define API_DESCRIBE_ACLS 29
#define API_CREATE_ACLS	  30
#define API_DELETE_ACLS	  31
#define ERR_SECURITY_DISABLED 54
#define ERR_CLUSTER_AUTHORIZATION_FAILED 31

static struct kdr_testbed *bed;
static struct kdr_sandbox *sandbox; /* the in-process sandbox (counters, faults); NULL on other backends */
static struct kdr_cluster cl;
/* The desired state manages these clusters' ACLs: an empty answer is checked (kdr_kafka_options). */
static struct kdr_kafka_options options = { .timeout_ms = 5000, .verify_empty_acls = true };

static struct kdr_cluster open_cl; /* a cluster without an authorizer */

static void bed_specs(struct kdr_sandbox_cluster_spec specs[2])
{
	memset(specs, 0, 2 * sizeof(*specs));
	specs[0].name = "c";
	specs[0].brokers = 1;
	specs[0].auto_create_topics = true;
	specs[1].name = "open";
	specs[1].brokers = 1;
	specs[1].auto_create_topics = true;
	specs[1].no_authorizer = true;
}

/* Per test: a bed as new (a fresh sandbox, or the shared real bed reset: no ACLs). */
static int setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2];

	(void)state;
	bed_specs(specs);
	if (kdr_testbed_acquire(&bed, specs, 2) != 0) {
		fprintf(stderr, "%s\n", kdr_error_message());
		return -1;
	}
	sandbox = kdr_testbed_sandbox(bed);
	memset(&open_cl, 0, sizeof(open_cl));
	open_cl.meta.name = kdr_strdup("open");
	open_cl.bootstrap_servers = kdr_strdup(kdr_testbed_bootstrap(bed, "open"));
	memset(&cl, 0, sizeof(cl));
	cl.meta.name = kdr_strdup("c");
	cl.bootstrap_servers = kdr_strdup(kdr_testbed_bootstrap(bed, "c"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kdr_cluster_release(&cl);
	kdr_cluster_release(&open_cl);
	kdr_testbed_release(bed);
	bed = NULL;
	sandbox = NULL;
	return 0;
}

/* The request counters, on the sandbox only. */
static void reset_counters(const char *cluster)
{
	if (sandbox)
		kdr_sandbox_reset_counters(sandbox, cluster);
}

static void assert_requests(const char *cluster, int api, uint64_t expected)
{
	if (sandbox)
		assert_int_equal(kdr_sandbox_request_count(sandbox, cluster, api), expected);
}

static void add_acl(struct kdr_plan *plan, enum kdr_action_kind kind, enum kdr_acl_resource_type type,
		    const char *name, enum kdr_acl_pattern pattern, const char *principal, const char *host,
		    enum kdr_acl_operation op, enum kdr_acl_permission permission)
{
	struct kdr_action *action = NULL;
	struct kdr_acl acl = { type, (char *)name, pattern, (char *)principal, (char *)host, op, permission };

	plan->actions = kdr_grow(plan->actions, &plan->cap_actions, plan->n_actions + 1, sizeof(*plan->actions));
	action = &plan->actions[plan->n_actions++];
	memset(action, 0, sizeof(*action));
	action->kind = kind;
	action->cluster = kdr_strdup("c");
	action->resource = kdr_acl_to_string(&acl);
	kdr_acl_copy(&action->acl, &acl);
}

/* The five bindings of the round trip, as create-acl (or delete-acl) actions. */
static void five(struct kdr_plan *plan, enum kdr_action_kind kind)
{
	add_acl(plan, kind, KDR_ACL_TOPIC, "orders", KDR_ACL_LITERAL, "User:billing", "*", KDR_ACL_OP_READ,
		KDR_ACL_ALLOW);
	add_acl(plan, kind, KDR_ACL_TOPIC, "pay", KDR_ACL_PREFIXED, "User:billing", "10.0.0.1", KDR_ACL_OP_DESCRIBE,
		KDR_ACL_ALLOW);
	add_acl(plan, kind, KDR_ACL_GROUP, "billing-", KDR_ACL_PREFIXED, "User:billing", "*", KDR_ACL_OP_READ,
		KDR_ACL_ALLOW);
	add_acl(plan, kind, KDR_ACL_CLUSTER, "kafka-cluster", KDR_ACL_LITERAL, "User:billing", "*",
		KDR_ACL_OP_IDEMPOTENT_WRITE, KDR_ACL_ALLOW);
	add_acl(plan, kind, KDR_ACL_TOPIC, "*", KDR_ACL_LITERAL, "User:*", "*", KDR_ACL_OP_ALTER_CONFIGS, KDR_ACL_DENY);
}

static void read_ok(struct kdr_live_cluster *live)
{
	int rc = kdr_kafka_read_cluster(live, &cl, &options);

	if (rc != 0)
		fail_msg("read: %s", kdr_error_message());
}

static void apply_expect(const struct kdr_plan *plan, int rc_expected, struct kdr_action_result *results)
{
	int rc = kdr_kafka_apply(results, plan, &cl, &options);

	if (rc != rc_expected)
		fail_msg("apply: %d (expected %d): %s", rc, rc_expected, kdr_error_message());
}

static void test_round_trip_batched(void **state)
{
	struct kdr_plan plan = { 0 }, deletes = { 0 };
	struct kdr_live_cluster live;
	struct kdr_action_result results[8];

	(void)state;
	reset_counters("c");
	read_ok(&live);
	assert_true(live.acls_read);
	assert_null(live.acls_error);
	assert_int_equal(live.acls.n, 0);
	assert_requests("c", API_DESCRIBE_ACLS, 1);
	/* An empty answer is checked once (a DeleteAcls matching nothing): it might have been a refusal. */
	assert_requests("c", API_DELETE_ACLS, 1);
	kdr_live_cluster_release(&live);
	/* A read for a desired state that manages no ACLs here sends nothing but reads. */
	{
		struct kdr_kafka_options plain = options;

		plain.verify_empty_acls = false;
		reset_counters("c");
		assert_int_equal(kdr_kafka_read_cluster(&live, &cl, &plain), 0);
		assert_true(live.acls_read);
		assert_requests("c", API_DESCRIBE_ACLS, 1);
		assert_requests("c", API_DELETE_ACLS, 0);
		kdr_live_cluster_release(&live);
	}

	five(&plan, KDR_ACTION_CREATE_ACL);
	reset_counters("c");
	apply_expect(&plan, 0, results);
	for (size_t i = 0; i < plan.n_actions; i++) {
		assert_true(results[i].attempted);
		assert_int_equal(results[i].code, 0);
		kdr_action_result_release(&results[i]);
	}
	assert_requests("c", API_CREATE_ACLS, 1);

	/* Read back: the same five bindings, in kdr's order, whatever librdkafka calls them; no check needed. */
	reset_counters("c");
	read_ok(&live);
	assert_int_equal(live.acls.n, 5);
	assert_requests("c", API_DELETE_ACLS, 0);
	for (size_t i = 0; i < plan.n_actions; i++)
		assert_true(kdr_acl_list_find(&live.acls, &plan.actions[i].acl) >= 0);
	kdr_live_cluster_release(&live);

	/* Creating again is a no-op success (Kafka's too). */
	apply_expect(&plan, 0, results);
	for (size_t i = 0; i < plan.n_actions; i++)
		kdr_action_result_release(&results[i]);

	five(&deletes, KDR_ACTION_DELETE_ACL);
	reset_counters("c");
	apply_expect(&deletes, 0, results);
	for (size_t i = 0; i < deletes.n_actions; i++) {
		assert_int_equal(results[i].code, 0);
		kdr_action_result_release(&results[i]);
	}
	assert_requests("c", API_DELETE_ACLS, 1);
	read_ok(&live);
	assert_int_equal(live.acls.n, 0);
	kdr_live_cluster_release(&live);
	/* Deleting what is gone: the binding is as wanted, success. */
	apply_expect(&deletes, 0, results);
	for (size_t i = 0; i < deletes.n_actions; i++)
		kdr_action_result_release(&results[i]);
	kdr_plan_release(&plan);
	kdr_plan_release(&deletes);
}

/*
 * issue 12: a refused DescribeAcls is never "no ACLs". librdkafka 2.0.2
 * drops its error code (the answer reads as an empty list), so kdr checks an
 * empty answer with a DeleteAcls that matches nothing: a principal that may
 * not alter the ACLs is refused (CLUSTER_AUTHORIZATION_FAILED), and one with
 * an authorizer but no ACL naming it could only have been refused the
 * DescribeAcls too. Injected here as a real broker answers such a principal
 * (on real Kafka: acls_sandbox.py, a principal without the grants).
 */
static void test_describe_refused_is_an_error(void **state)
{
	struct kdr_live_cluster live;

	(void)state;
	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (a refused DescribeAcls)");
	assert_int_equal(
	    kdr_sandbox_inject_error(sandbox, "c", API_DESCRIBE_ACLS, ERR_CLUSTER_AUTHORIZATION_FAILED, 1), 0);
	assert_int_equal(kdr_sandbox_inject_error(sandbox, "c", API_DELETE_ACLS, ERR_CLUSTER_AUTHORIZATION_FAILED, 1),
			 0);
	reset_counters("c");
	/* The read itself goes on: only a plan that manages ACLs on this cluster needs them. */
	read_ok(&live);
	assert_false(live.acls_read);
	assert_false(live.acls_no_authorizer); /* refused: unknown, not "none" */
	assert_non_null(live.acls_error);
	assert_non_null(strstr(live.acls_error, "DescribeAcls refused: kdr's principal may not describe the cluster's "
						"ACLs (CLUSTER_AUTHORIZATION_FAILED"));
	assert_int_equal(live.acls.n, 0);
	assert_requests("c", API_DESCRIBE_ACLS, 1);
	assert_requests("c", API_DELETE_ACLS, 1);
	kdr_live_cluster_release(&live);
	/* SECURITY_DISABLED (no authorizer after all): ACLs are not supported, said so. */
	assert_int_equal(kdr_sandbox_inject_error(sandbox, "c", API_DESCRIBE_ACLS, ERR_SECURITY_DISABLED, 1), 0);
	assert_int_equal(kdr_sandbox_inject_error(sandbox, "c", API_DELETE_ACLS, ERR_SECURITY_DISABLED, 1), 0);
	read_ok(&live);
	assert_false(live.acls_read);
	assert_true(live.acls_no_authorizer);
	assert_non_null(strstr(live.acls_error, "no authorizer (SECURITY_DISABLED): ACLs are not supported there"));
	kdr_live_cluster_release(&live);
	/* Unrefused and empty: read, no bindings (the probe deleted nothing). */
	read_ok(&live);
	assert_true(live.acls_read);
	assert_null(live.acls_error);
	assert_int_equal(live.acls.n, 0);
	kdr_live_cluster_release(&live);
}

static void test_no_authorizer(void **state)
{
	struct kdr_live_cluster live;

	(void)state;
	reset_counters("open");
	assert_int_equal(kdr_kafka_read_cluster(&live, &open_cl, &options), 0);
	assert_false(live.acls_read);
	assert_true(live.acls_no_authorizer);
	assert_string_equal(live.acls_error, "the cluster has no authorizer (no broker sets authorizer.class.name): "
					     "ACLs are not supported there");
	/* Known from the broker configs: DescribeAcls is not even asked. */
	assert_requests("open", API_DESCRIBE_ACLS, 0);
	kdr_live_cluster_release(&live);
}

static void test_create_refused_fails_each_action(void **state)
{
	struct kdr_plan plan = { 0 };
	struct kdr_action_result results[8];

	(void)state;
	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs fault injection (a refused CreateAcls)");
	five(&plan, KDR_ACTION_CREATE_ACL);
	assert_int_equal(
	    kdr_sandbox_inject_error(sandbox, "c", API_CREATE_ACLS, ERR_CLUSTER_AUTHORIZATION_FAILED, 1), 0);
	assert_int_not_equal(kdr_kafka_apply(results, &plan, &cl, &options), 0);
	for (size_t i = 0; i < plan.n_actions; i++) {
		assert_true(results[i].attempted);
		assert_int_not_equal(results[i].code, 0);
		assert_string_equal(results[i].error_name, "CLUSTER_AUTHORIZATION_FAILED");
		assert_non_null(strstr(results[i].message, "cluster 'c': ACL '"));
		kdr_action_result_release(&results[i]);
	}
	assert_non_null(strstr(plan.actions[0].resource, "User:billing allow read topic:orders"));
	kdr_plan_release(&plan);
}

static void test_validate_only_and_unsendable(void **state)
{
	struct kdr_plan plan = { 0 };
	struct kdr_action_result results[8];
	struct kdr_kafka_options dry = options;
	struct kdr_live_cluster live;

	(void)state;
	add_acl(&plan, KDR_ACTION_CREATE_ACL, KDR_ACL_TOPIC, "t", KDR_ACL_LITERAL, "User:a", "*", KDR_ACL_OP_READ,
		KDR_ACL_ALLOW);
	add_acl(&plan, KDR_ACTION_CREATE_ACL, KDR_ACL_TRANSACTIONAL_ID, "tx-", KDR_ACL_PREFIXED, "User:a", "*",
		KDR_ACL_OP_WRITE, KDR_ACL_ALLOW);
	/* Validate-only: CreateAcls has no such mode, so nothing is sent and each action says so. */
	dry.validate_only = true;
	reset_counters("c");
	assert_int_equal(kdr_kafka_apply(results, &plan, &cl, &dry), 0);
	assert_requests("c", API_CREATE_ACLS, 0);
	for (size_t i = 0; i < plan.n_actions; i++) {
		assert_false(results[i].attempted);
		assert_non_null(strstr(results[i].message, "not sent: CreateAcls has no validate-only mode"));
		kdr_action_result_release(&results[i]);
	}
	/* For real: the topic binding is created, the transactional-id one fails alone, before any request. */
	assert_int_equal(kdr_kafka_apply(results, &plan, &cl, &options), KDR_EUNSUPPORTED);
	assert_int_equal(results[0].code, 0);
	assert_int_equal(results[1].code, KDR_EUNSUPPORTED);
	assert_non_null(strstr(results[1].message, "librdkafka 2.0.2 cannot send this binding"));
	for (size_t i = 0; i < plan.n_actions; i++)
		kdr_action_result_release(&results[i]);
	read_ok(&live);
	assert_int_equal(live.acls.n, 1);
	assert_int_equal(kdr_acl_compare(&live.acls.v[0], &plan.actions[0].acl), 0);
	kdr_live_cluster_release(&live);
	kdr_plan_release(&plan);
}

/*
 * DescribeAcls and the empty answer's check go to a broker that answered
 * the read, not to librdkafka's controller: on KRaft Metadata names a random
 * broker as controller, possibly one that has just stopped, and librdkafka
 * waited for it until the request timed out ("ACLs not read" with two
 * brokers standing by). A 3-broker sandbox of its own: broker 3 down and
 * named controller; read with no binding (the check runs) and with one.
 */
static void test_acls_read_when_the_named_controller_is_down(void **state)
{
	struct kdr_sandbox_cluster_spec spec = { 0 };
	struct kdr_sandbox *three = NULL;
	struct kdr_cluster three_cl = { 0 };
	struct kdr_kafka_options quick = options;
	struct kdr_plan plan = { 0 };
	struct kdr_action_result results[2];
	struct kdr_live_cluster live;

	(void)state;
	KDR_TESTBED_REQUIRE(KDR_TESTBED_CAP_FAULTS, "needs the controller Metadata names set");
	spec.name = "three";
	spec.brokers = 3;
	assert_int_equal(kdr_sandbox_start(&three, &spec, 1), 0);
	three_cl.meta.name = kdr_strdup("three");
	three_cl.bootstrap_servers = kdr_strdup(kdr_sandbox_bootstrap(three, "three"));
	quick.timeout_ms = 3000;
	assert_int_equal(kdr_sandbox_broker_down(three, "three", 3), 0);
	assert_int_equal(kdr_sandbox_set_metadata_controller(three, "three", 3), 0);
	for (int with_binding = 0; with_binding < 2; with_binding++) {
		int rc = kdr_kafka_read_cluster(&live, &three_cl, &quick);

		if (rc != 0)
			fail_msg("read: %s", kdr_error_message());
		printf("# backend sandbox: %s, controller named down: acls_read=%d n=%zu error=%s\n",
		       with_binding ? "one binding" : "no binding", live.acls_read, live.acls.n,
		       live.acls_error ? live.acls_error : "none");
		assert_int_equal(live.controller_id, 3);
		assert_null(live.acls_error);
		assert_true(live.acls_read);
		assert_int_equal(live.acls.n, (size_t)with_binding);
		kdr_live_cluster_release(&live);
		if (with_binding)
			break;
		add_acl(&plan, KDR_ACTION_CREATE_ACL, KDR_ACL_TOPIC, "orders", KDR_ACL_LITERAL, "User:billing", "*",
			KDR_ACL_OP_READ, KDR_ACL_ALLOW);
		free(plan.actions[0].cluster);
		plan.actions[0].cluster = kdr_strdup("three");
		/* Apply's CreateAcls still follows librdkafka's controller (a cycle later retries): named right for it. */
		assert_int_equal(kdr_sandbox_set_metadata_controller(three, "three", 0), 0);
		assert_int_equal(kdr_kafka_apply(results, &plan, &three_cl, &quick), 0);
		kdr_action_result_release(&results[0]);
		assert_int_equal(kdr_sandbox_set_metadata_controller(three, "three", 3), 0);
	}
	kdr_plan_release(&plan);
	kdr_cluster_release(&three_cl);
	kdr_sandbox_stop(three);
}

static int group_setup(void **state)
{
	struct kdr_sandbox_cluster_spec specs[2];

	(void)state;
	bed_specs(specs);
	return kdr_testbed_share("test_kafka_acls", specs, 2);
}

static int group_teardown(void **state)
{
	(void)state;
	kdr_testbed_unshare();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_batched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe_refused_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_authorizer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refused_fails_each_action, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_only_and_unsendable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acls_read_when_the_named_controller_is_down, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
