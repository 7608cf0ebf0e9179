/*
 * The sandbox's admin APIs seen through librdkafka 2.0.2's admin client, the
 * client kdr uses: topics with and without assignments (placement checked
 * through metadata), configs (sources, defaults, the legacy replace-all
 * alter), partitions, deletion, ACLs, and every Kafka error code the
 * sandbox must produce for a real request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "sandbox.h"

#define TIMEOUT_MS 10000

static struct kdr_sandbox *sandbox;
static rd_kafka_t *east; /* 3 brokers, racks a/b/c, remote storage */
static rd_kafka_t *west; /* 3 brokers, no racks, no remote storage, no auto-creation */

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *bootstrap)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err)), RD_KAFKA_CONF_OK);
	rd_kafka_conf_set_log_cb(conf, quiet);
	rk = rd_kafka_new(type, conf, err, sizeof(err));
	assert_non_null(rk);
	return rk;
}

static int setup(void **state)
{
	static const char *const racks[] = {"a", "b", "c"};
	struct kdr_sandbox_cluster_spec specs[2];

	(void)state;
	memset(specs, 0, sizeof(specs));
	specs[0].name = "east";
	specs[0].brokers = 3;
	specs[0].racks = racks;
	specs[0].n_racks = 3;
	specs[0].remote_storage = true;
	specs[0].auto_create_topics = true;
	specs[1].name = "west";
	specs[1].brokers = 3;
	specs[1].auto_create_topics = false;
	if (kdr_sandbox_start(&sandbox, specs, 2) != 0)
		return -1;
	east = client(RD_KAFKA_PRODUCER, kdr_sandbox_bootstrap(sandbox, "east"));
	west = client(RD_KAFKA_PRODUCER, kdr_sandbox_bootstrap(sandbox, "west"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rd_kafka_destroy(east);
	rd_kafka_destroy(west);
	kdr_sandbox_stop(sandbox);
	return 0;
}

/* Waits for the admin result of `type` on `queue`. */
static rd_kafka_event_t *wait_result(rd_kafka_queue_t *queue, rd_kafka_event_type_t type)
{
	rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, TIMEOUT_MS);

	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_type(ev), type);
	return ev;
}

static rd_kafka_AdminOptions_t *options(rd_kafka_t *rk, rd_kafka_admin_op_t op, bool validate_only, int32_t broker)
{
	char err[256];
	rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, op);

	rd_kafka_AdminOptions_set_request_timeout(opts, TIMEOUT_MS, err, sizeof(err));
	if (validate_only)
		assert_null(rd_kafka_AdminOptions_set_validate_only(opts, 1, err, sizeof(err)));
	if (broker >= 0)
		assert_int_equal(rd_kafka_AdminOptions_set_broker(opts, broker, err, sizeof(err)), 0);
	return opts;
}

struct topic_args {
	const char *name;
	int partitions;
	int rf;
	const int32_t *assignment;  /* partitions x rf, or NULL */
	const char *const *configs; /* name, value, ..., NULL */
	bool validate_only;
	int32_t broker; /* -1: the controller */
	char message[512];
};

static rd_kafka_resp_err_t create_topic(rd_kafka_t *rk, struct topic_args *args)
{
	char err[256];
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_NewTopic_t *topic = NULL;
	rd_kafka_AdminOptions_t *opts = options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, args->validate_only, args->broker);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_topic_result_t **results = NULL;
	size_t n = 0;
	rd_kafka_resp_err_t code = 0;

	topic = rd_kafka_NewTopic_new(args->name, args->partitions, args->assignment ? -1 : args->rf, err, sizeof(err));
	assert_non_null(topic);
	for (int p = 0; args->assignment && p < args->partitions; p++)
		assert_int_equal(rd_kafka_NewTopic_set_replica_assignment(topic, p,
									  (int32_t *)&args->assignment[p * args->rf],
									  (size_t)args->rf, err, sizeof(err)),
				 0);
	for (size_t i = 0; args->configs && args->configs[i]; i += 2)
		assert_int_equal(rd_kafka_NewTopic_set_config(topic, args->configs[i], args->configs[i + 1]), 0);
	rd_kafka_CreateTopics(rk, &topic, 1, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
	assert_int_equal(n, 1);
	code = rd_kafka_topic_result_error(results[0]);
	snprintf(args->message, sizeof(args->message), "%s",
		 rd_kafka_topic_result_error_string(results[0]) ? rd_kafka_topic_result_error_string(results[0]) : "");
	rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_NewTopic_destroy(topic);
	rd_kafka_queue_destroy(queue);
	return code;
}

static rd_kafka_resp_err_t create_simple(rd_kafka_t *rk, const char *name, int partitions, int rf)
{
	struct topic_args args = {name, partitions, rf, NULL, NULL, false, -1, ""};

	return create_topic(rk, &args);
}

/* Metadata of every topic; the caller destroys it. */
static const struct rd_kafka_metadata *metadata(rd_kafka_t *rk)
{
	const struct rd_kafka_metadata *md = NULL;

	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, TIMEOUT_MS), 0);
	return md;
}

static const rd_kafka_metadata_topic_t *find_topic(const struct rd_kafka_metadata *md, const char *name)
{
	for (int i = 0; i < md->topic_cnt; i++) {
		if (strcmp(md->topics[i].topic, name) == 0)
			return &md->topics[i];
	}
	return NULL;
}

static const char *rack_of(int32_t id)
{
	static const char *const racks[] = {"a", "b", "c"};

	return racks[(id - 1) % 3];
}

static void test_create_topic_kafka_placement(void **state)
{
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *topic = NULL;
	int leaders[4] = {0};

	(void)state;
	assert_int_equal(create_simple(east, "orders", 6, 3), 0);
	md = metadata(east);
	assert_int_equal(md->broker_cnt, 3);
	topic = find_topic(md, "orders");
	assert_non_null(topic);
	assert_int_equal(topic->err, 0);
	assert_int_equal(topic->partition_cnt, 6);
	for (int p = 0; p < 6; p++) {
		const rd_kafka_metadata_partition_t *part = &topic->partitions[p];

		assert_int_equal(part->id, p);
		assert_int_equal(part->replica_cnt, 3);
		assert_int_equal(part->isr_cnt, 3);
		/* The first replica leads; rack-aware placement puts the 3 replicas on 3 racks. */
		assert_int_equal(part->leader, part->replicas[0]);
		assert_string_not_equal(rack_of(part->replicas[0]), rack_of(part->replicas[1]));
		assert_string_not_equal(rack_of(part->replicas[0]), rack_of(part->replicas[2]));
		assert_string_not_equal(rack_of(part->replicas[1]), rack_of(part->replicas[2]));
		leaders[part->leader]++;
	}
	/* Kafka's round robin spreads leaders evenly: 6 partitions over 3 brokers. */
	assert_int_equal(leaders[1], 2);
	assert_int_equal(leaders[2], 2);
	assert_int_equal(leaders[3], 2);
	rd_kafka_metadata_destroy(md);
}

static void test_create_topic_rack_unaware_placement(void **state)
{
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *topic = NULL;
	int leaders[4] = {0};
	int shifted = 0;

	(void)state;
	assert_int_equal(create_simple(west, "payments", 6, 2), 0);
	md = metadata(west);
	topic = find_topic(md, "payments");
	assert_non_null(topic);
	assert_int_equal(topic->partition_cnt, 6);
	for (int p = 0; p < 6; p++) {
		const rd_kafka_metadata_partition_t *part = &topic->partitions[p];

		assert_int_equal(part->replica_cnt, 2);
		assert_int_not_equal(part->replicas[0], part->replicas[1]);
		leaders[part->leader]++;
		/* Leaders walk the brokers in id order: partition p+1's leader follows partition p's. */
		if (p > 0)
			assert_int_equal(part->replicas[0], topic->partitions[p - 1].replicas[0] % 3 + 1);
		if (p == 3)
			shifted = (part->replicas[1] - part->replicas[0] + 3) % 3 !=
				  (topic->partitions[0].replicas[1] - topic->partitions[0].replicas[0] + 3) % 3;
	}
	/* After a full lap of 3 partitions Kafka shifts the followers by one. */
	assert_true(shifted);
	assert_int_equal(leaders[1], 2);
	assert_int_equal(leaders[2], 2);
	assert_int_equal(leaders[3], 2);
	rd_kafka_metadata_destroy(md);
}

static void test_create_topic_with_assignment(void **state)
{
	static const int32_t assignment[] = {3, 1, 1, 2, 2, 3, 3, 2};
	struct topic_args args = {"assigned", 4, 2, assignment, NULL, false, -1, ""};
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *topic = NULL;

	(void)state;
	assert_int_equal(create_topic(east, &args), 0);
	md = metadata(east);
	topic = find_topic(md, "assigned");
	assert_non_null(topic);
	assert_int_equal(topic->partition_cnt, 4);
	for (int p = 0; p < 4; p++) {
		assert_int_equal(topic->partitions[p].replica_cnt, 2);
		assert_int_equal(topic->partitions[p].replicas[0], assignment[p * 2]);
		assert_int_equal(topic->partitions[p].replicas[1], assignment[p * 2 + 1]);
		assert_int_equal(topic->partitions[p].leader, assignment[p * 2]);
	}
	rd_kafka_metadata_destroy(md);
}

static void test_create_topic_validate_only_and_defaults(void **state)
{
	struct topic_args args = {"dry-run", 3, 1, NULL, NULL, true, -1, ""};
	const struct rd_kafka_metadata *md = NULL;

	(void)state;
	assert_int_equal(create_topic(east, &args), 0);
	/* Broker defaults (num.partitions=1, default.replication.factor=1) for -1/-1. */
	assert_int_equal(create_simple(east, "defaults", -1, -1), 0);
	md = metadata(east);
	assert_null(find_topic(md, "dry-run"));
	assert_non_null(find_topic(md, "defaults"));
	assert_int_equal(find_topic(md, "defaults")->partition_cnt, 1);
	assert_int_equal(find_topic(md, "defaults")->partitions[0].replica_cnt, 1);
	rd_kafka_metadata_destroy(md);
	/* validate_only still reports what a real create would fail with. */
	args.name = "orders";
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
}

/* Describes one resource; the caller destroys the returned event. */
static rd_kafka_event_t *describe_at(rd_kafka_t *rk, rd_kafka_ResourceType_t type, const char *name, int32_t broker,
				     const rd_kafka_ConfigResource_t **resource)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(type, name);
	rd_kafka_AdminOptions_t *opts = options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, false, broker);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	size_t n = 0;

	rd_kafka_DescribeConfigs(rk, &res, 1, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
	assert_int_equal(n, 1);
	*resource = resources[0];
	rd_kafka_ConfigResource_destroy(res);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_queue_destroy(queue);
	return ev;
}

static rd_kafka_event_t *describe(rd_kafka_t *rk, rd_kafka_ResourceType_t type, const char *name,
				  const rd_kafka_ConfigResource_t **resource)
{
	return describe_at(rk, type, name, -1, resource);
}

static const rd_kafka_ConfigEntry_t *find_entry(const rd_kafka_ConfigResource_t *resource, const char *name,
						size_t *count)
{
	size_t n = 0;
	const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(resource, &n);

	if (count)
		*count = n;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rd_kafka_ConfigEntry_name(entries[i]), name) == 0)
			return entries[i];
	}
	return NULL;
}

static void test_describe_topic_configs(void **state)
{
	static const char *const configs[] = {"retention.ms", "3600000", "cleanup.policy", "compact", NULL};
	struct topic_args args = {"described", 1, 1, NULL, configs, false, -1, ""};
	const rd_kafka_ConfigResource_t *resource = NULL;
	const rd_kafka_ConfigEntry_t *entry = NULL;
	const rd_kafka_ConfigEntry_t **synonyms = NULL;
	rd_kafka_event_t *ev = NULL;
	size_t count = 0;
	size_t n_synonyms = 0;

	(void)state;
	assert_int_equal(create_topic(east, &args), 0);
	ev = describe(east, RD_KAFKA_RESOURCE_TOPIC, "described", &resource);
	assert_int_equal(rd_kafka_ConfigResource_error(resource), 0);
	/* Every topic config of Kafka 3.9 is listed. */
	entry = find_entry(resource, "retention.ms", &count);
	assert_int_equal(count, 36);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "3600000");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
	assert_false(rd_kafka_ConfigEntry_is_default(entry));
	assert_false(rd_kafka_ConfigEntry_is_read_only(entry));
	synonyms = rd_kafka_ConfigEntry_synonyms(entry, &n_synonyms);
	assert_true(n_synonyms >= 1);
	assert_string_equal(rd_kafka_ConfigEntry_name(synonyms[0]), "retention.ms");
	entry = find_entry(resource, "cleanup.policy", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "compact");
	/* Defaults as Kafka prints them, with DEFAULT_CONFIG and the broker synonym. */
	entry = find_entry(resource, "segment.bytes", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "1073741824");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
	assert_true(rd_kafka_ConfigEntry_is_default(entry));
	synonyms = rd_kafka_ConfigEntry_synonyms(entry, &n_synonyms);
	assert_int_equal(n_synonyms, 1);
	assert_string_equal(rd_kafka_ConfigEntry_name(synonyms[0]), "log.segment.bytes");
	entry = find_entry(resource, "min.cleanable.dirty.ratio", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "0.5");
	entry = find_entry(resource, "leader.replication.throttled.replicas", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "");
	entry = find_entry(resource, "local.retention.ms", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "-2");
	rd_kafka_event_destroy(ev);

	ev = describe(east, RD_KAFKA_RESOURCE_TOPIC, "no-such-topic", &resource);
	assert_int_equal(rd_kafka_ConfigResource_error(resource), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
	rd_kafka_event_destroy(ev);
}

static void test_describe_broker_configs(void **state)
{
	const rd_kafka_ConfigResource_t *resource = NULL;
	const rd_kafka_ConfigEntry_t *entry = NULL;
	rd_kafka_event_t *ev = NULL;

	(void)state;
	ev = describe(east, RD_KAFKA_RESOURCE_BROKER, "2", &resource);
	assert_int_equal(rd_kafka_ConfigResource_error(resource), 0);
	entry = find_entry(resource, "broker.rack", NULL);
	assert_non_null(entry);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "b");
	assert_true(rd_kafka_ConfigEntry_is_read_only(entry));
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
	entry = find_entry(resource, "remote.log.storage.system.enable", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "true");
	entry = find_entry(resource, "broker.id", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "2");
	entry = find_entry(resource, "log.retention.ms", NULL);
	assert_null(rd_kafka_ConfigEntry_value(entry));
	assert_false(rd_kafka_ConfigEntry_is_read_only(entry));
	entry = find_entry(resource, "log.retention.hours", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "168");
	assert_true(rd_kafka_ConfigEntry_is_read_only(entry));
	rd_kafka_event_destroy(ev);

	/* Without racks, broker.rack is null with DEFAULT_CONFIG. */
	ev = describe(west, RD_KAFKA_RESOURCE_BROKER, "3", &resource);
	entry = find_entry(resource, "broker.rack", NULL);
	assert_null(rd_kafka_ConfigEntry_value(entry));
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
	entry = find_entry(resource, "remote.log.storage.system.enable", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "false");
	entry = find_entry(resource, "auto.create.topics.enable", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "false");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
	rd_kafka_event_destroy(ev);
}

/* Legacy AlterConfigs with name/value pairs; returns the resource's error. */
static rd_kafka_resp_err_t alter(rd_kafka_t *rk, rd_kafka_ResourceType_t type, const char *name,
				 const char *const *configs, char *message, size_t size)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(type, name);
	rd_kafka_AdminOptions_t *opts = options(rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, false, -1);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	rd_kafka_resp_err_t code = 0;
	size_t n = 0;

	for (size_t i = 0; configs[i]; i += 2)
		assert_int_equal(rd_kafka_ConfigResource_set_config(res, configs[i], configs[i + 1]), 0);
	rd_kafka_AlterConfigs(rk, &res, 1, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	resources = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
	assert_int_equal(n, 1);
	code = rd_kafka_ConfigResource_error(resources[0]);
	if (message)
		snprintf(message, size, "%s",
			 rd_kafka_ConfigResource_error_string(resources[0])
			     ? rd_kafka_ConfigResource_error_string(resources[0])
			     : "");
	rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(res);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_queue_destroy(queue);
	return code;
}

static void test_alter_configs_replaces_the_set(void **state)
{
	static const char *const configs[] = {"retention.ms", "86400000", "max.message.bytes", "2000000", NULL};
	static const char *const replace[] = {"max.message.bytes", "3000000", NULL};
	struct topic_args args = {"altered", 1, 1, NULL, configs, false, -1, ""};
	const rd_kafka_ConfigResource_t *resource = NULL;
	const rd_kafka_ConfigEntry_t *entry = NULL;
	rd_kafka_event_t *ev = NULL;

	(void)state;
	assert_int_equal(create_topic(east, &args), 0);
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "altered", replace, NULL, 0), 0);
	ev = describe(east, RD_KAFKA_RESOURCE_TOPIC, "altered", &resource);
	entry = find_entry(resource, "max.message.bytes", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "3000000");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
	/* Left out of the request, so deleted: back to the broker default. */
	entry = find_entry(resource, "retention.ms", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "604800000");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
	rd_kafka_event_destroy(ev);
}

static void test_alter_configs_rejects_bad_values(void **state)
{
	static const char *const unknown[] = {"retention.forever", "1", NULL};
	static const char *const not_number[] = {"retention.ms", "soon", NULL};
	static const char *const below_min[] = {"segment.bytes", "13", NULL};
	static const char *const not_listed[] = {"cleanup.policy", "shred", NULL};
	static const char *const compaction_lag[] = {"min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5", NULL};
	static const char *const read_only[] = {"broker.rack", "z", NULL};
	char message[512];
	const rd_kafka_ConfigResource_t *resource = NULL;
	rd_kafka_event_t *ev = NULL;

	(void)state;
	assert_int_equal(create_simple(east, "guarded", 1, 1), 0);
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "guarded", unknown, message, sizeof(message)),
			 RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_non_null(strstr(message, "retention.forever"));
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "guarded", not_number, NULL, 0),
			 RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "guarded", below_min, message, sizeof(message)),
			 RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_non_null(strstr(message, "at least 14"));
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "guarded", not_listed, NULL, 0),
			 RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "guarded", compaction_lag, NULL, 0),
			 RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "nowhere", not_listed, NULL, 0),
			 RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_BROKER, "1", read_only, NULL, 0),
			 RD_KAFKA_RESP_ERR_INVALID_REQUEST);
	/* Nothing of the rejected requests stuck. */
	ev = describe(east, RD_KAFKA_RESOURCE_TOPIC, "guarded", &resource);
	assert_int_equal(rd_kafka_ConfigEntry_source(find_entry(resource, "segment.bytes", NULL)),
			 RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
	assert_string_equal(rd_kafka_ConfigEntry_value(find_entry(resource, "cleanup.policy", NULL)), "delete");
	rd_kafka_event_destroy(ev);
}

static void test_broker_dynamic_config_feeds_topics(void **state)
{
	static const char *const dynamic[] = {"log.retention.ms", "7200000", NULL};
	static const char *const none[] = {NULL};
	const rd_kafka_ConfigResource_t *resource = NULL;
	const rd_kafka_ConfigEntry_t *entry = NULL;
	rd_kafka_event_t *ev = NULL;

	(void)state;
	assert_int_equal(create_simple(west, "inherits", 1, 1), 0);
	/* A per-broker dynamic log.retention.ms becomes the topic's value, sourced DYNAMIC_BROKER_CONFIG. */
	assert_int_equal(alter(west, RD_KAFKA_RESOURCE_BROKER, "1", dynamic, NULL, 0), 0);
	ev = describe(west, RD_KAFKA_RESOURCE_BROKER, "1", &resource);
	entry = find_entry(resource, "log.retention.ms", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "7200000");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG);
	rd_kafka_event_destroy(ev);
	ev = describe_at(west, RD_KAFKA_RESOURCE_TOPIC, "inherits", 1, &resource);
	entry = find_entry(resource, "retention.ms", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "7200000");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG);
	rd_kafka_event_destroy(ev);
	/* Broker 2 has no such override: it reports Kafka's default, with no synonyms (the quirk). */
	ev = describe_at(west, RD_KAFKA_RESOURCE_TOPIC, "inherits", 2, &resource);
	entry = find_entry(resource, "retention.ms", NULL);
	assert_string_equal(rd_kafka_ConfigEntry_value(entry), "604800000");
	assert_int_equal(rd_kafka_ConfigEntry_source(entry), RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
	rd_kafka_event_destroy(ev);
	assert_int_equal(alter(west, RD_KAFKA_RESOURCE_BROKER, "1", none, NULL, 0), 0);
	ev = describe(west, RD_KAFKA_RESOURCE_BROKER, "1", &resource);
	assert_null(rd_kafka_ConfigEntry_value(find_entry(resource, "log.retention.ms", NULL)));
	rd_kafka_event_destroy(ev);
}

static void test_tiered_storage_rules(void **state)
{
	static const char *const tiered[] = {
	    "remote.storage.enable", "true", "retention.ms", "86400000", "local.retention.ms", "3600000", NULL};
	static const char *const local_too_long[] = {
	    "remote.storage.enable", "true", "retention.ms", "3600000", "local.retention.ms", "86400000", NULL};
	static const char *const local_unlimited[] = {
	    "remote.storage.enable", "true", "retention.ms", "3600000", "local.retention.ms", "-1", NULL};
	static const char *const compacted[] = {"remote.storage.enable", "true", "cleanup.policy", "compact", NULL};
	static const char *const disable[] = {"retention.ms", "86400000", NULL};
	static const char *const disable_and_delete[] = {"remote.storage.enable", "false",
							 "remote.log.delete.on.disable", "true", NULL};
	struct topic_args args = {"tiered", 1, 1, NULL, tiered, false, -1, ""};
	char message[512];

	(void)state;
	assert_int_equal(create_topic(east, &args), 0);
	args.name = "tiered-bad";
	args.configs = local_too_long;
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_non_null(strstr(args.message, "local.retention.ms"));
	args.configs = local_unlimited;
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	args.configs = compacted;
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	/* The west brokers do not enable remote storage at all. */
	args.configs = tiered;
	assert_int_equal(create_topic(west, &args), RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_non_null(strstr(args.message, "Tiered Storage functionality is disabled"));
	/* Leaving remote.storage.enable out of a replace-all alter turns it off: Kafka 3.9 refuses that. */
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "tiered", disable, message, sizeof(message)),
			 RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	assert_non_null(strstr(message, "remote.log.delete.on.disable"));
	assert_int_equal(alter(east, RD_KAFKA_RESOURCE_TOPIC, "tiered", disable_and_delete, NULL, 0), 0);
}

static rd_kafka_resp_err_t create_partitions(rd_kafka_t *rk, const char *name, int total, const int32_t *assignment,
					     int rf, bool validate_only)
{
	char err[256];
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_NewPartitions_t *parts = rd_kafka_NewPartitions_new(name, (size_t)total, err, sizeof(err));
	rd_kafka_AdminOptions_t *opts = options(rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, validate_only, -1);
	const rd_kafka_topic_result_t **results = NULL;
	rd_kafka_event_t *ev = NULL;
	rd_kafka_resp_err_t code = 0;
	size_t n = 0;

	for (int i = 0; assignment && assignment[i * rf]; i++)
		assert_int_equal(rd_kafka_NewPartitions_set_replica_assignment(parts, i, (int32_t *)&assignment[i * rf],
									       (size_t)rf, err, sizeof(err)),
				 0);
	rd_kafka_CreatePartitions(rk, &parts, 1, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT);
	results = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
	assert_int_equal(n, 1);
	code = rd_kafka_topic_result_error(results[0]);
	rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_NewPartitions_destroy(parts);
	rd_kafka_queue_destroy(queue);
	return code;
}

static void test_create_partitions(void **state)
{
	static const int32_t assignment[] = {2, 3, 3, 1, 0};
	static const int32_t wrong_rf[] = {2, 0};
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *topic = NULL;

	(void)state;
	assert_int_equal(create_simple(east, "growing", 2, 2), 0);
	assert_int_equal(create_partitions(east, "growing", 3, NULL, 0, true), 0);
	assert_int_equal(create_partitions(east, "growing", 3, NULL, 0, false), 0);
	assert_int_equal(create_partitions(east, "growing", 5, assignment, 2, false), 0);
	md = metadata(east);
	topic = find_topic(md, "growing");
	assert_int_equal(topic->partition_cnt, 5);
	assert_int_equal(topic->partitions[2].replica_cnt, 2);
	assert_int_equal(topic->partitions[3].replicas[0], 2);
	assert_int_equal(topic->partitions[3].replicas[1], 3);
	assert_int_equal(topic->partitions[4].replicas[0], 3);
	assert_int_equal(topic->partitions[4].leader, 3);
	rd_kafka_metadata_destroy(md);
	/* Partitions only grow. */
	assert_int_equal(create_partitions(east, "growing", 5, NULL, 0, false), RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
	assert_int_equal(create_partitions(east, "growing", 4, NULL, 0, false), RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
	assert_int_equal(create_partitions(east, "growing", 6, wrong_rf, 1, false),
			 RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT);
	assert_int_equal(create_partitions(east, "no-such-topic", 6, NULL, 0, false),
			 RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

static rd_kafka_resp_err_t delete_topic(rd_kafka_t *rk, const char *name)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_DeleteTopic_t *del = rd_kafka_DeleteTopic_new(name);
	rd_kafka_AdminOptions_t *opts = options(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, false, -1);
	const rd_kafka_topic_result_t **results = NULL;
	rd_kafka_event_t *ev = NULL;
	rd_kafka_resp_err_t code = 0;
	size_t n = 0;

	rd_kafka_DeleteTopics(rk, &del, 1, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_DELETETOPICS_RESULT);
	results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
	assert_int_equal(n, 1);
	code = rd_kafka_topic_result_error(results[0]);
	rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_DeleteTopic_destroy(del);
	rd_kafka_queue_destroy(queue);
	return code;
}

static void test_delete_topics(void **state)
{
	const struct rd_kafka_metadata *md = NULL;

	(void)state;
	assert_int_equal(create_simple(east, "doomed", 1, 1), 0);
	assert_int_equal(delete_topic(east, "doomed"), 0);
	md = metadata(east);
	assert_null(find_topic(md, "doomed"));
	rd_kafka_metadata_destroy(md);
	assert_int_equal(delete_topic(east, "doomed"), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
	/* The name is free again. */
	assert_int_equal(create_simple(east, "doomed", 2, 1), 0);
}

static int forbid_single_replica(void *arg, const struct kdr_sandbox_topic_request *request, char *message, size_t size)
{
	int *calls = arg;

	(*calls)++;
	if (request->replication_factor >= 2)
		return 0;
	snprintf(message, size, "topic %s needs at least 2 replicas", request->topic);
	return 1;
}

static void test_create_topic_errors(void **state)
{
	static const int32_t duplicate[] = {1, 1};
	static const int32_t unknown_broker[] = {1, 9};
	static const int32_t uneven[] = {1, 2, 3, 0};
	static const char *const null_value[] = {"retention.ms", NULL, NULL};
	static const char *const bad_value[] = {"retention.ms", "-5", NULL};
	char long_name[251];
	struct topic_args args = {"dup-assign", 1, 2, duplicate, NULL, false, -1, ""};
	int calls = 0;

	(void)state;
	assert_int_equal(create_simple(east, "orders", 3, 1), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
	assert_int_equal(create_simple(east, "too-many-replicas", 3, 4), RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR);
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT);
	args.assignment = unknown_broker;
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT);
	assert_non_null(strstr(args.message, "broker 9"));
	/* librdkafka refuses ragged lists itself, so send 2 and then 1 replica via two partitions of RF 2 and 1. */
	{
		char err[256];
		rd_kafka_queue_t *queue = rd_kafka_queue_new(east);
		rd_kafka_NewTopic_t *topic = rd_kafka_NewTopic_new("uneven", 2, -1, err, sizeof(err));
		rd_kafka_AdminOptions_t *opts = options(east, RD_KAFKA_ADMIN_OP_CREATETOPICS, false, -1);
		rd_kafka_event_t *ev = NULL;
		const rd_kafka_topic_result_t **results = NULL;
		size_t n = 0;

		assert_int_equal(
		    rd_kafka_NewTopic_set_replica_assignment(topic, 0, (int32_t *)uneven, 2, err, sizeof(err)), 0);
		assert_int_equal(
		    rd_kafka_NewTopic_set_replica_assignment(topic, 1, (int32_t *)&uneven[2], 1, err, sizeof(err)), 0);
		rd_kafka_CreateTopics(east, &topic, 1, opts, queue);
		ev = wait_result(queue, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
		results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
		assert_int_equal(rd_kafka_topic_result_error(results[0]), RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT);
		rd_kafka_event_destroy(ev);
		rd_kafka_AdminOptions_destroy(opts);
		rd_kafka_NewTopic_destroy(topic);
		rd_kafka_queue_destroy(queue);
	}
	assert_int_equal(create_simple(east, "bad name!", 1, 1), RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);
	assert_int_equal(create_simple(east, "..", 1, 1), RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);
	memset(long_name, 'x', 250);
	long_name[250] = '\0';
	assert_int_equal(create_simple(east, long_name, 1, 1), RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);
	long_name[249] = '\0';
	assert_int_equal(create_simple(east, long_name, 1, 1), 0);
	/* '.' and '_' collide in metric names. */
	assert_int_equal(create_simple(east, "metrics.x", 1, 1), 0);
	assert_int_equal(create_simple(east, "metrics_x", 1, 1), RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);

	args.name = "nulled";
	args.assignment = NULL;
	args.partitions = 1;
	args.rf = 1;
	args.configs = null_value;
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_INVALID_CONFIG);
	args.configs = bad_value;
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_INVALID_CONFIG);

	/* Admin requests that must reach the controller fail elsewhere. */
	args.configs = NULL;
	args.name = "off-controller";
	args.broker = 2;
	assert_int_equal(kdr_sandbox_controller_id(sandbox, "east"), 1);
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_NOT_CONTROLLER);
	args.broker = -1;

	assert_int_equal(kdr_sandbox_set_create_topic_policy(sandbox, "east", forbid_single_replica, &calls), 0);
	args.name = "single";
	assert_int_equal(create_topic(east, &args), RD_KAFKA_RESP_ERR_POLICY_VIOLATION);
	assert_non_null(strstr(args.message, "needs at least 2 replicas"));
	args.rf = 2;
	args.name = "double";
	assert_int_equal(create_topic(east, &args), 0);
	assert_int_equal(calls, 2);
	assert_int_equal(kdr_sandbox_set_create_topic_policy(sandbox, "east", NULL, NULL), 0);
}

static void test_metadata_auto_creation(void **state)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_t *rkt = NULL;
	rd_kafka_resp_err_t err = 0;

	(void)state;
	/* west disables auto.create.topics.enable: the topic stays unknown. */
	rkt = rd_kafka_topic_new(west, "never-created", NULL);
	err = rd_kafka_metadata(west, 0, rkt, &md, TIMEOUT_MS);
	assert_int_equal(err, 0);
	assert_int_equal(md->topic_cnt, 1);
	assert_int_equal(md->topics[0].err, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
}

struct acl {
	rd_kafka_ResourceType_t type;
	const char *name;
	rd_kafka_ResourcePatternType_t pattern;
	const char *principal;
	rd_kafka_AclOperation_t op;
	rd_kafka_AclPermissionType_t permission;
};

static rd_kafka_AclBinding_t *binding(const struct acl *acl)
{
	char err[256];
	rd_kafka_AclBinding_t *b = rd_kafka_AclBinding_new(acl->type, acl->name, acl->pattern, acl->principal, "*",
							   acl->op, acl->permission, err, sizeof(err));

	assert_non_null(b);
	return b;
}

static void test_acl_round_trip(void **state)
{
	static const struct acl acls[] = {
	    {RD_KAFKA_RESOURCE_TOPIC, "orders", RD_KAFKA_RESOURCE_PATTERN_LITERAL, "User:mm2",
	     RD_KAFKA_ACL_OPERATION_READ, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW},
	    {RD_KAFKA_RESOURCE_TOPIC, "east.", RD_KAFKA_RESOURCE_PATTERN_PREFIXED, "User:mm2",
	     RD_KAFKA_ACL_OPERATION_WRITE, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW},
	    {RD_KAFKA_RESOURCE_GROUP, "mm2-group", RD_KAFKA_RESOURCE_PATTERN_LITERAL, "User:bob",
	     RD_KAFKA_ACL_OPERATION_READ, RD_KAFKA_ACL_PERMISSION_TYPE_DENY},
	    {RD_KAFKA_RESOURCE_BROKER, "not-kafka-cluster", RD_KAFKA_RESOURCE_PATTERN_LITERAL, "User:mm2",
	     RD_KAFKA_ACL_OPERATION_ALTER, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW},
	};
	rd_kafka_AclBinding_t *new_acls[4];
	rd_kafka_queue_t *queue = rd_kafka_queue_new(east);
	rd_kafka_AdminOptions_t *opts = options(east, RD_KAFKA_ADMIN_OP_CREATEACLS, false, -1);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_acl_result_t **created = NULL;
	const rd_kafka_AclBinding_t **described = NULL;
	rd_kafka_AclBindingFilter_t *filter = NULL;
	const rd_kafka_DeleteAcls_result_response_t **deleted = NULL;
	char err[256];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		new_acls[i] = binding(&acls[i]);
	rd_kafka_CreateAcls(east, new_acls, 4, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_CREATEACLS_RESULT);
	created = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
	assert_int_equal(n, 4);
	for (int i = 0; i < 3; i++)
		assert_null(rd_kafka_acl_result_error(created[i]));
	/* RD_KAFKA_RESOURCE_BROKER is Kafka's CLUSTER (4), whose only valid name is kafka-cluster. */
	assert_int_equal(rd_kafka_error_code(rd_kafka_acl_result_error(created[3])), RD_KAFKA_RESP_ERR_INVALID_REQUEST);
	rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);

	/* All ACLs of User:mm2 on topics, literal and prefixed alike. */
	filter = rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_TOPIC, NULL, RD_KAFKA_RESOURCE_PATTERN_ANY, "User:mm2",
					       NULL, RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, err,
					       sizeof(err));
	opts = options(east, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, false, -1);
	rd_kafka_DescribeAcls(east, filter, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_DESCRIBEACLS_RESULT);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	described = rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &n);
	assert_int_equal(n, 2);
	/* Sorted by resource: literal before prefixed. */
	assert_string_equal(rd_kafka_AclBinding_name(described[0]), "orders");
	assert_int_equal(rd_kafka_AclBinding_operation(described[0]), RD_KAFKA_ACL_OPERATION_READ);
	assert_string_equal(rd_kafka_AclBinding_name(described[1]), "east.");
	assert_int_equal(rd_kafka_AclBinding_resource_pattern_type(described[1]), RD_KAFKA_RESOURCE_PATTERN_PREFIXED);
	rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_AclBinding_destroy(filter);

	/* MATCH finds the prefixed ACL for a concrete topic name. */
	filter = rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_TOPIC, "east.orders", RD_KAFKA_RESOURCE_PATTERN_MATCH,
					       NULL, NULL, RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY,
					       err, sizeof(err));
	opts = options(east, RD_KAFKA_ADMIN_OP_DELETEACLS, false, -1);
	rd_kafka_DeleteAcls(east, &filter, 1, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_DELETEACLS_RESULT);
	deleted = rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev), &n);
	assert_int_equal(n, 1);
	assert_null(rd_kafka_DeleteAcls_result_response_error(deleted[0]));
	rd_kafka_DeleteAcls_result_response_matching_acls(deleted[0], &n);
	assert_int_equal(n, 1);
	rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_AclBinding_destroy(filter);

	filter = rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_ANY, NULL, RD_KAFKA_RESOURCE_PATTERN_ANY, NULL, NULL,
					       RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, err,
					       sizeof(err));
	opts = options(east, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, false, -1);
	rd_kafka_DescribeAcls(east, filter, opts, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_DESCRIBEACLS_RESULT);
	described = rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &n);
	assert_int_equal(n, 2);
	assert_int_equal(rd_kafka_AclBinding_restype(described[0]), RD_KAFKA_RESOURCE_TOPIC);
	assert_int_equal(rd_kafka_AclBinding_restype(described[1]), RD_KAFKA_RESOURCE_GROUP);
	assert_string_equal(rd_kafka_AclBinding_principal(described[1]), "User:bob");
	assert_int_equal(rd_kafka_AclBinding_permission_type(described[1]), RD_KAFKA_ACL_PERMISSION_TYPE_DENY);
	rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_AclBinding_destroy(filter);
	for (int i = 0; i < 4; i++)
		rd_kafka_AclBinding_destroy(new_acls[i]);
	rd_kafka_queue_destroy(queue);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_topic_kafka_placement),
	    cmocka_unit_test(test_create_topic_rack_unaware_placement),
	    cmocka_unit_test(test_create_topic_with_assignment),
	    cmocka_unit_test(test_create_topic_validate_only_and_defaults),
	    cmocka_unit_test(test_describe_topic_configs),
	    cmocka_unit_test(test_describe_broker_configs),
	    cmocka_unit_test(test_alter_configs_replaces_the_set),
	    cmocka_unit_test(test_alter_configs_rejects_bad_values),
	    cmocka_unit_test(test_broker_dynamic_config_feeds_topics),
	    cmocka_unit_test(test_tiered_storage_rules),
	    cmocka_unit_test(test_create_partitions),
	    cmocka_unit_test(test_delete_topics),
	    cmocka_unit_test(test_create_topic_errors),
	    cmocka_unit_test(test_metadata_auto_creation),
	    cmocka_unit_test(test_acl_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
