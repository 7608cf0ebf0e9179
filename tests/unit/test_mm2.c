/* pkg/mm2: replication-policy naming, internal topics, connector rendering, mm2.properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/error.h"

static struct kdr_cluster *add_cluster(struct kdr_desired *desired, const char *name, const char *bootstrap,
				       const char *connect_url)
{
	struct kdr_cluster *cl = kdr_desired_add_cluster(desired);

	cl->meta.name = kdr_strdup(name);
	cl->bootstrap_servers = kdr_strdup(bootstrap);
	if (connect_url) {
		cl->connect.present = true;
		cl->connect.url = kdr_strdup(connect_url);
	}
	return cl;
}

static struct kdr_flow *add_flow(struct kdr_desired *desired, const char *name, const char *source,
				 const char *target)
{
	struct kdr_flow *flow = kdr_desired_add_flow(desired);

	flow->meta.name = kdr_strdup(name);
	flow->source = kdr_strdup(source);
	flow->target = kdr_strdup(target);
	return flow;
}

static void set_literal(struct kdr_cluster *cl, const char *key, const char *value)
{
	struct kdr_value v = { KDR_VALUE_LITERAL, kdr_strdup(value), NULL, NULL };

	kdr_value_map_set_take(&cl->client_config, key, &v);
}

static void set_env(struct kdr_cluster *cl, const char *key, const char *env)
{
	struct kdr_value v = { KDR_VALUE_ENV, NULL, kdr_strdup(env), NULL };

	kdr_value_map_set_take(&cl->client_config, key, &v);
}

static void assert_name(char *got, const char *expected)
{
	if (!expected) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, expected);
	free(got);
}

static void test_default_policy_naming(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_flow *flow = add_flow(&desired, "e2w", "dc-east", "dc-west");

	(void)state;
	assert_name(kdr_mm2_remote_topic(flow, "orders"), "dc-east.orders");
	assert_name(kdr_mm2_remote_topic(flow, "heartbeats"), "dc-east.heartbeats");
	assert_name(kdr_mm2_topic_source(flow, "dc-west.orders"), "dc-west");
	assert_name(kdr_mm2_topic_source(flow, "a.b.c"), "a");
	assert_name(kdr_mm2_topic_source(flow, "orders"), NULL);
	/* Java's split drops trailing empty parts: "orders." is local. */
	assert_name(kdr_mm2_topic_source(flow, "orders."), NULL);
	assert_name(kdr_mm2_topic_source(flow, "orders.."), NULL);
	assert_name(kdr_mm2_topic_source(flow, "a..b"), "a");
	assert_name(kdr_mm2_checkpoints_topic(flow), "dc-east.checkpoints.internal");
	assert_name(kdr_mm2_offset_syncs_topic(flow), "mm2-offset-syncs.dc-west.internal");
	kdr_desired_release(&desired);
}

static void test_custom_separator_naming(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_flow *flow = add_flow(&desired, "e2w", "east", "west");

	(void)state;
	free(flow->separator);
	flow->separator = kdr_strdup("__");
	assert_name(kdr_mm2_remote_topic(flow, "orders"), "east__orders");
	assert_name(kdr_mm2_topic_source(flow, "west__x.y"), "west");
	assert_name(kdr_mm2_topic_source(flow, "x.y"), NULL);
	assert_name(kdr_mm2_checkpoints_topic(flow), "east__checkpoints__internal");
	assert_name(kdr_mm2_offset_syncs_topic(flow), "mm2-offset-syncs__west__internal");
	kdr_desired_release(&desired);
}

static void test_identity_policy_naming(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_flow *flow = add_flow(&desired, "e2w", "dc-east", "dc-west");

	(void)state;
	flow->replication_policy = KDR_REPLICATION_POLICY_IDENTITY;
	assert_name(kdr_mm2_remote_topic(flow, "orders"), "orders");
	/* Heartbeats keep the prefix even under identity, so they stay traceable. */
	assert_name(kdr_mm2_remote_topic(flow, "heartbeats"), "dc-east.heartbeats");
	assert_name(kdr_mm2_topic_source(flow, "anything.at.all"), "dc-east");
	assert_name(kdr_mm2_topic_source(flow, "dc-west.heartbeats"), "dc-west");
	kdr_desired_release(&desired);
}

static void test_internal_topics(void **state)
{
	(void)state;
	assert_true(kdr_mm2_is_internal_topic("__consumer_offsets"));
	assert_true(kdr_mm2_is_internal_topic(".hidden"));
	assert_true(kdr_mm2_is_internal_topic("dc-east.checkpoints.internal"));
	assert_true(kdr_mm2_is_internal_topic("connect-offsets-internal"));
	assert_false(kdr_mm2_is_internal_topic("orders"));
	assert_false(kdr_mm2_is_internal_topic("orders.replica"));
	assert_false(kdr_mm2_is_internal_topic("internal.orders"));
	assert_true(kdr_mm2_is_heartbeats_topic("heartbeats"));
	assert_true(kdr_mm2_is_heartbeats_topic("dc-east.heartbeats"));
	assert_false(kdr_mm2_is_heartbeats_topic("heartbeats.old"));
}

static const struct kdr_mm2_connector *find(const struct kdr_mm2_connectors *all, const char *name)
{
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->v[i].name, name) == 0)
			return &all->v[i];
	return NULL;
}

static void test_render_active_passive_flow(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_mm2_connectors out = { 0 };
	struct kdr_flow *flow = NULL;
	const struct kdr_mm2_connector *source = NULL, *checkpoint = NULL, *heartbeat = NULL;

	(void)state;
	add_cluster(&desired, "dc-east", "e1:9092", "http://connect-east:8083");
	add_cluster(&desired, "dc-west", "w1:9092,w2:9092", "http://connect-west:8083");
	flow = add_flow(&desired, "east-to-west", "dc-east", "dc-west");
	kdr_strvec_release(&flow->topics);
	kdr_strvec_push(&flow->topics, "orders");
	kdr_strvec_push(&flow->topics, "payments\\..*");
	kdr_strvec_push(&flow->topics_exclude, "dc-west\\..*");
	flow->tasks_max = 4;
	flow->sync_group_offsets = true;
	kdr_strmap_set(&flow->connector_config, "offset.lag.max", "50");

	assert_int_equal(kdr_mm2_render_all(&out, &desired, NULL), 0);
	assert_int_equal(out.n, 3);
	/* Sorted by (cluster, name): the heartbeat runs on the source's Connect. */
	assert_string_equal(out.v[0].name, "kdr.east-to-west.heartbeat");
	assert_string_equal(out.v[0].cluster, "dc-east");
	assert_string_equal(out.v[1].name, "kdr.east-to-west.checkpoint");
	assert_string_equal(out.v[2].name, "kdr.east-to-west.source");
	assert_string_equal(out.v[2].cluster, "dc-west");

	source = find(&out, "kdr.east-to-west.source");
	assert_string_equal(kdr_strmap_get(&source->config, "connector.class"), KDR_MM2_SOURCE_CONNECTOR);
	assert_string_equal(kdr_strmap_get(&source->config, "name"), "kdr.east-to-west.source");
	assert_string_equal(kdr_strmap_get(&source->config, "source.cluster.alias"), "dc-east");
	assert_string_equal(kdr_strmap_get(&source->config, "target.cluster.alias"), "dc-west");
	assert_string_equal(kdr_strmap_get(&source->config, "source.cluster.bootstrap.servers"), "e1:9092");
	assert_string_equal(kdr_strmap_get(&source->config, "target.cluster.bootstrap.servers"), "w1:9092,w2:9092");
	assert_string_equal(kdr_strmap_get(&source->config, "topics"), "orders,payments\\..*");
	assert_string_equal(kdr_strmap_get(&source->config, "topics.exclude"),
			    "dc-west\\..*,.*[\\-\\.]internal,.*\\.replica,__.*");
	assert_string_equal(kdr_strmap_get(&source->config, "tasks.max"), "4");
	assert_string_equal(kdr_strmap_get(&source->config, "replication.factor"), "3");
	assert_string_equal(kdr_strmap_get(&source->config, "offset-syncs.topic.replication.factor"), "3");
	assert_string_equal(kdr_strmap_get(&source->config, "sync.topic.configs.enabled"), "true");
	assert_string_equal(kdr_strmap_get(&source->config, "sync.topic.acls.enabled"), "false");
	assert_string_equal(kdr_strmap_get(&source->config, "replication.policy.class"),
			    "org.apache.kafka.connect.mirror.DefaultReplicationPolicy");
	assert_string_equal(kdr_strmap_get(&source->config, "replication.policy.separator"), ".");
	assert_string_equal(kdr_strmap_get(&source->config, "header.converter"), KDR_MM2_BYTE_ARRAY_CONVERTER);
	assert_string_equal(kdr_strmap_get(&source->config, "key.converter"), KDR_MM2_BYTE_ARRAY_CONVERTER);
	assert_string_equal(kdr_strmap_get(&source->config, "value.converter"), KDR_MM2_BYTE_ARRAY_CONVERTER);
	assert_string_equal(kdr_strmap_get(&source->config, "offset.lag.max"), "50");
	assert_null(kdr_strmap_get(&source->config, "groups"));
	assert_null(kdr_strmap_get(&source->config, "topics.blacklist"));
	assert_int_equal(source->config.n, 19);

	checkpoint = find(&out, "kdr.east-to-west.checkpoint");
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "connector.class"), KDR_MM2_CHECKPOINT_CONNECTOR);
	/* The checkpoint connector applies the topic filter too: identical to the source's. */
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "topics"), kdr_strmap_get(&source->config, "topics"));
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "topics.exclude"),
			    kdr_strmap_get(&source->config, "topics.exclude"));
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "groups"), ".*");
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "groups.exclude"), "console-consumer-.*,connect-.*,__.*");
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "sync.group.offsets.enabled"), "true");
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "emit.checkpoints.interval.seconds"), "60");
	assert_string_equal(kdr_strmap_get(&checkpoint->config, "checkpoints.topic.replication.factor"), "3");

	heartbeat = find(&out, "kdr.east-to-west.heartbeat");
	assert_string_equal(kdr_strmap_get(&heartbeat->config, "connector.class"), KDR_MM2_HEARTBEAT_CONNECTOR);
	/* Aliases reversed: heartbeats are written into the source and travel the flow. */
	assert_string_equal(kdr_strmap_get(&heartbeat->config, "source.cluster.alias"), "dc-west");
	assert_string_equal(kdr_strmap_get(&heartbeat->config, "target.cluster.alias"), "dc-east");
	assert_string_equal(kdr_strmap_get(&heartbeat->config, "target.cluster.bootstrap.servers"), "e1:9092");
	assert_string_equal(kdr_strmap_get(&heartbeat->config, "tasks.max"), "1");
	assert_string_equal(kdr_strmap_get(&heartbeat->config, "emit.heartbeats.interval.seconds"), "1");
	assert_int_equal(out.notes.n, 0);
	kdr_mm2_connectors_release(&out);
	kdr_desired_release(&desired);
}

static void test_render_without_connect_or_checkpoints(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_mm2_connectors out = { 0 };
	struct kdr_flow *flow = NULL;

	(void)state;
	add_cluster(&desired, "dc-east", "e1:9092", NULL);
	add_cluster(&desired, "dc-west", "w1:9092", "http://connect-west:8083");
	flow = add_flow(&desired, "east-to-west", "dc-east", "dc-west");
	flow->checkpoints_enabled = false;
	flow->keep_default_excludes = false;
	assert_int_equal(kdr_mm2_render_flow(&out, &desired, flow, NULL), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].name, "kdr.east-to-west.source");
	assert_string_equal(kdr_strmap_get(&out.v[0].config, "topics.exclude"), "");
	assert_int_equal(out.notes.n, 1);
	assert_string_equal(out.notes.v[0], "flow 'east-to-west': cluster 'dc-east' declares no connect: no heartbeat "
					    "connector (heartbeats prove the flow end to end)");
	kdr_mm2_connectors_release(&out);

	flow = add_flow(&desired, "west-to-east", "dc-west", "dc-east");
	assert_int_equal(kdr_mm2_render_flow(&out, &desired, flow, NULL), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].name, "kdr.west-to-east.heartbeat");
	assert_string_equal(out.notes.v[0],
			    "flow 'west-to-east': cluster 'dc-east' declares no connect: no source or checkpoint "
			    "connector can run");
	kdr_mm2_connectors_release(&out);

	flow = add_flow(&desired, "broken", "dc-east", "dc-nowhere");
	assert_int_equal(kdr_mm2_render_flow(&out, &desired, flow, NULL), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "flow 'broken': cluster 'dc-nowhere' is not declared");
	kdr_mm2_connectors_release(&out);
	kdr_desired_release(&desired);
}

static int fake_lookup(char **out, const struct kdr_value *value, void *ctx)
{
	(void)ctx;
	if (strcmp(value->ref, "MISSING") == 0)
		return kdr_error_set(KDR_ENOTFOUND, "environment variable 'MISSING' is not set");
	*out = kdr_asprintf("resolved-%s", value->ref);
	return 0;
}

static void test_client_properties_translate_librdkafka_to_java(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_cluster *cl = add_cluster(&desired, "dc-east", "e1:9093", NULL);
	struct kdr_strmap props = KDR_STRMAP_INIT;
	struct kdr_strvec secret_keys = KDR_STRVEC_INIT;
	struct kdr_mm2_secrets secrets = { fake_lookup, NULL };

	(void)state;
	set_literal(cl, "security.protocol", "SASL_SSL");
	set_literal(cl, "sasl.mechanism", "SCRAM-SHA-512");
	set_literal(cl, "sasl.username", "kdr");
	set_env(cl, "sasl.password", "EAST_PASSWORD");
	set_literal(cl, "ssl.ca.location", "/etc/ssl/east.pem");
	set_literal(cl, "client.id", "kdr");
	set_literal(cl, "socket.keepalive.enable", "true");

	assert_int_equal(kdr_mm2_client_properties(&props, &secret_keys, cl, "source.cluster.", NULL), 0);
	assert_string_equal(kdr_strmap_get(&props, "source.cluster.bootstrap.servers"), "e1:9093");
	assert_string_equal(kdr_strmap_get(&props, "source.cluster.security.protocol"), "SASL_SSL");
	assert_string_equal(kdr_strmap_get(&props, "source.cluster.sasl.mechanism"), "SCRAM-SHA-512");
	assert_string_equal(kdr_strmap_get(&props, "source.cluster.sasl.jaas.config"),
			    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"kdr\" "
			    "password=\"${kdr:env:EAST_PASSWORD}\";");
	assert_string_equal(kdr_strmap_get(&props, "source.cluster.ssl.truststore.type"), "PEM");
	assert_string_equal(kdr_strmap_get(&props, "source.cluster.ssl.truststore.location"), "/etc/ssl/east.pem");
	/* librdkafka-only keys have no Java meaning and are not passed on. */
	assert_null(kdr_strmap_get(&props, "source.cluster.client.id"));
	assert_null(kdr_strmap_get(&props, "source.cluster.socket.keepalive.enable"));
	assert_null(kdr_strmap_get(&props, "source.cluster.sasl.password"));
	assert_int_equal(secret_keys.n, 1);
	assert_string_equal(secret_keys.v[0], "source.cluster.sasl.jaas.config");
	kdr_strmap_release(&props);
	kdr_strvec_release(&secret_keys);

	assert_int_equal(kdr_mm2_client_properties(&props, &secret_keys, cl, "target.cluster.", &secrets), 0);
	assert_string_equal(kdr_strmap_get(&props, "target.cluster.sasl.jaas.config"),
			    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"kdr\" "
			    "password=\"resolved-EAST_PASSWORD\";");
	kdr_strmap_release(&props);
	kdr_strvec_release(&secret_keys);

	set_env(cl, "sasl.password", "MISSING");
	assert_int_equal(kdr_mm2_client_properties(&props, &secret_keys, cl, "x.", &secrets), KDR_ENOTFOUND);
	kdr_strmap_release(&props);
	kdr_strvec_release(&secret_keys);
	kdr_desired_release(&desired);
}

static void test_plain_jaas_escapes_quotes(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_cluster *cl = add_cluster(&desired, "c", "h:1", NULL);
	struct kdr_strmap props = KDR_STRMAP_INIT;
	struct kdr_strvec secret_keys = KDR_STRVEC_INIT;

	(void)state;
	set_literal(cl, "sasl.mechanisms", "PLAIN");
	set_literal(cl, "sasl.username", "u\"x");
	set_literal(cl, "sasl.password", "p\\w");
	assert_int_equal(kdr_mm2_client_properties(&props, &secret_keys, cl, "", NULL), 0);
	assert_string_equal(kdr_strmap_get(&props, "sasl.jaas.config"),
			    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\\\"x\" "
			    "password=\"p\\\\w\";");
	kdr_strmap_release(&props);
	kdr_strvec_release(&secret_keys);
	kdr_desired_release(&desired);
}

static void test_properties_escape_regexes_and_name_flows(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;
	struct kdr_flow *flow = NULL;

	(void)state;
	add_cluster(&desired, "dc-east", "e1:9092", NULL);
	add_cluster(&desired, "dc-west", "w1:9092", NULL);
	add_cluster(&desired, "unused", "u1:9092", NULL);
	flow = add_flow(&desired, "east-to-west", "dc-east", "dc-west");
	kdr_strvec_push(&flow->topics_exclude, "dc-west\\..*");
	flow->suspended = true;
	kdr_mm2_render_properties(&out, &desired, NULL, NULL);
	assert_non_null(strstr(out.ptr, "\nclusters = dc-east, dc-west\n"));
	assert_non_null(strstr(out.ptr, "\ndc-east.bootstrap.servers = e1:9092\n"));
	assert_null(strstr(out.ptr, "unused"));
	assert_non_null(strstr(out.ptr, "\ndc-east->dc-west.enabled = false\n"));
	/* A .properties reader turns "\\." back into the regex's "\.". */
	assert_non_null(strstr(out.ptr, "\ndc-east->dc-west.topics.exclude = dc-west\\\\..*,.*[\\\\-\\\\.]internal,"));
	assert_non_null(strstr(out.ptr, "\ndc-east->dc-west.replication.factor = 3\n"));
	kdr_buf_release(&out);
	kdr_desired_release(&desired);
}

static void test_connect_json_is_an_array_of_bodies(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_mm2_connectors out = { 0 };
	struct kdr_buf json = KDR_BUF_INIT;

	(void)state;
	add_cluster(&desired, "a", "a:1", "http://a");
	add_cluster(&desired, "b", "b:1", "http://b");
	add_flow(&desired, "a-to-b", "a", "b");
	assert_int_equal(kdr_mm2_render_all(&out, &desired, NULL), 0);
	kdr_mm2_render_connect_json(&json, &out);
	assert_memory_equal(json.ptr, "[\n  {\n    \"connect\": \"a\",\n    \"name\": \"kdr.a-to-b.heartbeat\",\n", 60);
	assert_string_equal(json.ptr + json.len - 9, "    }\n  }\n]\n" + 3);
	kdr_buf_release(&json);
	kdr_mm2_connectors_release(&out);
	kdr_mm2_render_connect_json(&json, &out);
	assert_string_equal(json.ptr, "[]\n");
	kdr_buf_release(&json);
	kdr_desired_release(&desired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy_naming),
		cmocka_unit_test(test_custom_separator_naming),
		cmocka_unit_test(test_identity_policy_naming),
		cmocka_unit_test(test_internal_topics),
		cmocka_unit_test(test_render_active_passive_flow),
		cmocka_unit_test(test_render_without_connect_or_checkpoints),
		cmocka_unit_test(test_client_properties_translate_librdkafka_to_java),
		cmocka_unit_test(test_plain_jaas_escapes_quotes),
		cmocka_unit_test(test_properties_escape_regexes_and_name_flows),
		cmocka_unit_test(test_connect_json_is_an_array_of_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
