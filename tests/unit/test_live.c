/* Unit tests of pkg/live: snapshot containers, lookups and the JSON snapshot format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "live/live.h"
#include "util/buf.h"
#include "util/error.h"

/* A snapshot in the exact form kdr_live_to_json writes (so it must round-trip byte for byte). */
static const char canonical[] =
    "{\n"
    "  \"kdrSnapshot\": 1,\n"
    "  \"clusters\": {\n"
    "    \"dc-east\": {\n"
    "      \"clusterId\": \"east-id\",\n"
    "      \"controller\": 1,\n"
    "      \"brokers\": [\n"
    "        {\"id\": 1, \"host\": \"127.0.0.1\", \"port\": 9092, \"rack\": \"east-a\"},\n"
    "        {\"id\": 2, \"host\": \"127.0.0.1\", \"port\": 9093, \"rack\": \"east-b\"},\n"
    "        {\"id\": 3, \"host\": null, \"port\": 0, \"rack\": null}\n"
    "      ],\n"
    "      \"remoteStorage\": true,\n"
    "      \"topicDefaults\": {\n"
    "        \"min.insync.replicas\": {\"value\": \"1\", \"source\": \"DEFAULT_CONFIG\", \"readOnly\": false, "
    "\"sensitive\": false},\n"
    "        \"retention.ms\": {\"value\": \"604800000\", \"source\": \"STATIC_BROKER_CONFIG\", \"readOnly\": "
    "false, \"sensitive\": false}\n"
    "      },\n"
    "      \"topics\": {\n"
    "        \"__consumer_offsets\": {\n"
    "          \"internal\": true,\n"
    "          \"partitions\": [\n"
    "            {\"id\": 0, \"leader\": 1, \"replicas\": [1, 2, 3], \"isr\": [1, 2, 3]}\n"
    "          ],\n"
    "          \"configs\": {\n"
    "            \"cleanup.policy\": {\"value\": \"compact\", \"source\": \"DYNAMIC_TOPIC_CONFIG\", "
    "\"readOnly\": false, \"sensitive\": false}\n"
    "          }\n"
    "        },\n"
    "        \"orders\": {\n"
    "          \"internal\": false,\n"
    "          \"partitions\": [\n"
    "            {\"id\": 0, \"leader\": 1, \"replicas\": [1, 2], \"isr\": [1]},\n"
    "            {\"id\": 1, \"leader\": -1, \"replicas\": [2, 1], \"isr\": []}\n"
    "          ],\n"
    "          \"configs\": {\n"
    "            \"retention.ms\": {\"value\": \"86400000\", \"source\": \"DYNAMIC_TOPIC_CONFIG\", \"readOnly\": "
    "false, \"sensitive\": false},\n"
    "            \"x.secret\": {\"value\": null, \"source\": \"DYNAMIC_TOPIC_CONFIG\", \"readOnly\": true, "
    "\"sensitive\": true}\n"
    "          }\n"
    "        },\n"
    "        \"payments.\\\"quoted\\\"\": {\n"
    "          \"internal\": false,\n"
    "          \"partitions\": [],\n"
    "          \"configs\": {}\n"
    "        }\n"
    "      },\n"
    "      \"connect\": {\n"
    "        \"url\": \"http://connect-east:8083\",\n"
    "        \"version\": \"3.9.0\",\n"
    "        \"kafkaClusterId\": \"east-id\",\n"
    "        \"connectors\": {\n"
    "          \"kdr.east-to-west.source\": {\n"
    "            \"type\": \"source\",\n"
    "            \"state\": \"FAILED\",\n"
    "            \"trace\": \"java.lang.Exception\\n\\tat x\",\n"
    "            \"config\": {\n"
    "              \"connector.class\": \"org.apache.kafka.connect.mirror.MirrorSourceConnector\",\n"
    "              \"source.cluster.sasl.password\": null,\n"
    "              \"tasks.max\": \"2\"\n"
    "            },\n"
    "            \"tasks\": [\n"
    "              {\"id\": 0, \"state\": \"RUNNING\", \"workerId\": \"w1:8083\", \"trace\": null},\n"
    "              {\"id\": 1, \"state\": \"FAILED\", \"workerId\": null, \"trace\": \"boom\"}\n"
    "            ]\n"
    "          },\n"
    "          \"other\": {\n"
    "            \"type\": null,\n"
    "            \"state\": \"UNKNOWN\",\n"
    "            \"trace\": null,\n"
    "            \"config\": {},\n"
    "            \"tasks\": []\n"
    "          }\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"dc-west\": {\n"
    "      \"clusterId\": null,\n"
    "      \"controller\": -1,\n"
    "      \"brokers\": [],\n"
    "      \"remoteStorage\": false,\n"
    "      \"topicDefaults\": {},\n"
    "      \"topics\": {},\n"
    "      \"connect\": null\n"
    "    }\n"
    "  }\n"
    "}\n";

static void parse_ok(struct kdr_live *live, const char *text)
{
	int rc = kdr_live_from_json(live, text, strlen(text), "snap.json");

	if (rc != 0)
		fail_msg("unexpected error: %s", kdr_error_message());
}

/* The parts canonical lacks, in the exact written form: groups (one line each, offsets one per line) and ACLs. */
static const char canonical_groups_acls[] =
    "{\n"
    "  \"kdrSnapshot\": 1,\n"
    "  \"clusters\": {\n"
    "    \"c\": {\n"
    "      \"clusterId\": \"id\",\n"
    "      \"controller\": 1,\n"
    "      \"brokers\": [],\n"
    "      \"remoteStorage\": false,\n"
    "      \"topicDefaults\": {},\n"
    "      \"topics\": {},\n"
    "      \"connect\": null,\n"
    "      \"groups\": {\n"
    "        \"billing\": {\"state\": \"Stable\", \"protocolType\": \"consumer\", \"members\": 2, \"offsets\": [\n"
    "          {\"topic\": \"orders\", \"partition\": 0, \"offset\": 42, \"metadata\": \"\"},\n"
    "          {\"topic\": \"orders\", \"partition\": 1, \"offset\": 9000000000, \"metadata\": \"m\\\"x\"}\n"
    "        ]},\n"
    "        \"idle\": {\"state\": \"Empty\", \"protocolType\": \"\", \"members\": 0, \"offsets\": []}\n"
    "      },\n"
    "      \"acls\": [\n"
    "        {\"principal\": \"User:billing\", \"host\": \"*\", \"resourceType\": \"topic\", \"resourceName\": "
    "\"orders\", \"pattern\": \"literal\", \"operation\": \"read\", \"permission\": \"allow\"},\n"
    "        {\"principal\": \"User:billing\", \"host\": \"*\", \"resourceType\": \"group\", \"resourceName\": "
    "\"bill\", \"pattern\": \"prefixed\", \"operation\": \"read\", \"permission\": \"deny\"}\n"
    "      ],\n"
    "      \"aclsError\": \"partly\"\n"
    "    }\n"
    "  }\n"
    "}\n";

static void test_round_trip_groups_acls(void **state)
{
	struct kdr_live live = {0};
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	parse_ok(&live, canonical_groups_acls);
	kdr_live_to_json(&out, &live);
	assert_string_equal(out.ptr, canonical_groups_acls);
	kdr_buf_release(&out);
	kdr_live_release(&live);
}

static void test_round_trip_canonical(void **state)
{
	struct kdr_live live = {0};
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	parse_ok(&live, canonical);
	kdr_live_to_json(&out, &live);
	assert_string_equal(out.ptr, canonical);
	kdr_buf_release(&out);
	kdr_live_release(&live);
}

static void test_parsed_values(void **state)
{
	struct kdr_live live = {0};
	const struct kdr_live_cluster *cl = NULL;
	const struct kdr_live_topic *topic = NULL;
	const struct kdr_live_connector *conn = NULL;
	const struct kdr_live_config *config = NULL;

	(void)state;
	parse_ok(&live, canonical);
	assert_int_equal(live.n_clusters, 2);
	cl = kdr_live_cluster_find(&live, "dc-east");
	assert_non_null(cl);
	assert_string_equal(cl->cluster_id, "east-id");
	assert_int_equal(cl->controller_id, 1);
	assert_int_equal(cl->n_brokers, 3);
	assert_string_equal(kdr_live_broker_find(cl, 2)->rack, "east-b");
	assert_null(kdr_live_broker_find(cl, 3)->rack);
	assert_null(kdr_live_broker_find(cl, 3)->host);
	assert_null(kdr_live_broker_find(cl, 4));
	assert_true(cl->remote_storage_enabled);
	topic = kdr_live_topic_find(cl, "__consumer_offsets");
	assert_non_null(topic);
	assert_true(topic->internal);
	topic = kdr_live_topic_find(cl, "orders");
	assert_non_null(topic);
	assert_false(topic->internal);
	assert_int_equal(topic->n_partitions, 2);
	assert_int_equal(topic->partitions[1].id, 1);
	assert_int_equal(topic->partitions[1].leader, -1);
	assert_int_equal(topic->partitions[1].replicas.n, 2);
	assert_int_equal(topic->partitions[1].replicas.ids[0], 2);
	assert_int_equal(topic->partitions[1].isr.n, 0);
	config = kdr_live_topic_config_find(topic, "x.secret");
	assert_non_null(config);
	assert_null(config->value);
	assert_true(config->sensitive);
	assert_true(config->read_only);
	assert_int_equal(config->source, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	assert_null(kdr_live_topic_find(cl, "nope"));
	assert_non_null(kdr_live_topic_find(cl, "payments.\"quoted\""));
	assert_true(cl->connect.present);
	assert_string_equal(cl->connect.version, "3.9.0");
	conn = kdr_live_connector_find(&cl->connect, "kdr.east-to-west.source");
	assert_non_null(conn);
	assert_int_equal(conn->state, KDR_CONNECTOR_FAILED);
	assert_string_equal(conn->trace, "java.lang.Exception\n\tat x");
	assert_string_equal(kdr_strmap_get(&conn->config, "tasks.max"), "2");
	assert_true(kdr_strmap_has(&conn->config, "source.cluster.sasl.password"));
	assert_null(kdr_strmap_get(&conn->config, "source.cluster.sasl.password"));
	assert_int_equal(conn->n_tasks, 2);
	assert_int_equal(conn->tasks[1].state, KDR_CONNECTOR_FAILED);
	assert_null(conn->tasks[1].worker_id);
	assert_null(kdr_live_connector_find(&cl->connect, "absent"));
	cl = kdr_live_cluster_find(&live, "dc-west");
	assert_non_null(cl);
	assert_null(cl->cluster_id);
	assert_false(cl->connect.present);
	assert_null(kdr_live_cluster_find(&live, "dc-north"));
	kdr_live_release(&live);
}

static void test_effective_config(void **state)
{
	struct kdr_live live = {0};
	const struct kdr_live_cluster *cl = NULL;
	const struct kdr_live_topic *topic = NULL;
	enum kdr_config_source source = KDR_CONFIG_SOURCE_DEFAULT;

	(void)state;
	parse_ok(&live, canonical);
	cl = kdr_live_cluster_find(&live, "dc-east");
	topic = kdr_live_topic_find(cl, "orders");
	assert_string_equal(kdr_live_effective_config(cl, topic, "retention.ms", &source), "86400000");
	assert_int_equal(source, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	assert_string_equal(kdr_live_effective_config(cl, topic, "min.insync.replicas", &source), "1");
	assert_int_equal(source, KDR_CONFIG_SOURCE_DEFAULT);
	topic = kdr_live_topic_find(cl, "payments.\"quoted\"");
	assert_string_equal(kdr_live_effective_config(cl, topic, "retention.ms", &source), "604800000");
	assert_int_equal(source, KDR_CONFIG_SOURCE_STATIC_BROKER);
	assert_null(kdr_live_effective_config(cl, topic, "segment.ms", &source));
	assert_int_equal(source, KDR_CONFIG_SOURCE_UNKNOWN);
	/* No topic: only the cluster default. */
	assert_string_equal(kdr_live_effective_config(cl, NULL, "retention.ms", NULL), "604800000");
	kdr_live_release(&live);
}

/* Building a snapshot through the API, out of order, then sorting. */
static void build_snapshot(struct kdr_live *live)
{
	struct kdr_live_cluster *cl = NULL;
	struct kdr_live_topic *topic = NULL;
	static const int32_t r0[] = {3, 1}, r1[] = {1, 2};

	cl = kdr_live_add_cluster(live, "zeta");
	cl = kdr_live_add_cluster(live, "alpha");
	kdr_live_cluster_add_broker(cl, 2, "h2", 9093, "rack-b");
	kdr_live_cluster_add_broker(cl, 1, "h1", 9092, NULL);
	kdr_live_cluster_add_broker(cl, 3, "h3", 9094, "rack-c");
	kdr_live_cluster_set_topic_default(cl, "retention.ms", "604800000", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "cleanup.policy", "delete", KDR_CONFIG_SOURCE_DEFAULT);
	topic = kdr_live_cluster_add_topic(cl, "topic-b");
	kdr_live_topic_add_partition(topic, r0, 2);
	kdr_live_topic_add_partition(topic, r1, 2);
	kdr_live_topic_set_config(topic, "segment.ms", "1000", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	kdr_live_topic_set_config(topic, "cleanup.policy", "compact", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	kdr_live_topic_set_config(topic, "retention.ms", "5", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	topic = kdr_live_cluster_add_topic(cl, "topic-a");
	kdr_live_topic_add_partition(topic, r1, 2);
	kdr_live_sort(live);
}

static void test_build_and_sort(void **state)
{
	struct kdr_live live = {0}, parsed = {0};
	struct kdr_buf out = KDR_BUF_INIT, again = KDR_BUF_INIT;
	const struct kdr_live_cluster *cl = NULL;
	const struct kdr_live_topic *topic = NULL;

	(void)state;
	build_snapshot(&live);
	assert_string_equal(live.clusters[0].name, "alpha");
	assert_string_equal(live.clusters[1].name, "zeta");
	cl = kdr_live_cluster_find(&live, "alpha");
	assert_int_equal(cl->brokers[0].id, 1);
	assert_int_equal(cl->brokers[2].id, 3);
	assert_string_equal(cl->topics[0].name, "topic-a");
	assert_string_equal(cl->topic_defaults[0].name, "cleanup.policy");
	topic = kdr_live_topic_find(cl, "topic-b");
	assert_int_equal(topic->n_configs, 3);
	assert_string_equal(topic->configs[0].name, "cleanup.policy");
	assert_string_equal(topic->configs[2].name, "segment.ms");
	assert_int_equal(topic->partitions[0].leader, 3);
	assert_int_equal(topic->partitions[1].id, 1);
	assert_int_equal(topic->partitions[1].isr.n, 2);
	assert_int_equal(kdr_live_cluster_find(&live, "zeta")->controller_id, -1);

	kdr_live_to_json(&out, &live);
	parse_ok(&parsed, out.ptr);
	kdr_live_to_json(&again, &parsed);
	assert_string_equal(out.ptr, again.ptr);
	kdr_buf_release(&out);
	kdr_buf_release(&again);
	kdr_live_release(&parsed);
	kdr_live_release(&live);
}

static void test_mutations(void **state)
{
	struct kdr_live live = {0};
	struct kdr_live_cluster *cl = NULL;
	struct kdr_live_topic *topic = NULL;

	(void)state;
	build_snapshot(&live);
	cl = &live.clusters[0];
	topic = &cl->topics[1]; /* topic-b */
	kdr_live_topic_set_config(topic, "retention.ms", "10", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	assert_int_equal(topic->n_configs, 3);
	assert_string_equal(kdr_live_topic_config_find(topic, "retention.ms")->value, "10");
	kdr_live_topic_set_config(topic, "a.first", "x", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	assert_string_equal(topic->configs[0].name, "a.first");
	assert_true(kdr_live_topic_remove_config(topic, "a.first"));
	assert_false(kdr_live_topic_remove_config(topic, "a.first"));
	assert_int_equal(topic->n_configs, 3);
	assert_null(kdr_live_topic_config_find(topic, "a.first"));
	assert_true(kdr_live_cluster_remove_topic(cl, "topic-a"));
	assert_false(kdr_live_cluster_remove_topic(cl, "topic-a"));
	assert_int_equal(cl->n_topics, 1);
	assert_string_equal(cl->topics[0].name, "topic-b");
	assert_null(kdr_live_topic_find(cl, "topic-a"));
	kdr_live_release(&live);
	kdr_live_release(NULL);
}

static void test_copy(void **state)
{
	struct kdr_live live = {0}, copy = {0};
	struct kdr_buf a = KDR_BUF_INIT, b = KDR_BUF_INIT;

	(void)state;
	parse_ok(&live, canonical);
	kdr_live_copy(&copy, &live);
	kdr_live_release(&live);
	kdr_live_to_json(&a, &copy);
	assert_string_equal(a.ptr, canonical);
	kdr_live_copy(&live, &copy);
	kdr_live_to_json(&b, &live);
	assert_string_equal(a.ptr, b.ptr);
	kdr_buf_release(&a);
	kdr_buf_release(&b);
	kdr_live_release(&copy);
	kdr_live_release(&live);
}

/*
 * A topic as the reader fills it: every partition's replica and ISR ids in
 * the topic's one block. Released (with a partition added after, whose ids
 * are its own) without freeing inside the block, copied into lists of their
 * own; ASan/LeakSanitizer check the frees.
 */
static void test_replica_block(void **state)
{
	struct kdr_live_cluster cl = {0};
	struct kdr_live_topic *topic = NULL;
	struct kdr_live_topic copy = {0};
	const int32_t ids[] = {1, 2, 3, 1, 2, 2, 3, 1, 2, 3};

	(void)state;
	topic = kdr_live_cluster_add_topic(&cl, "blocked");
	topic->n_replica_ids = sizeof(ids) / sizeof(ids[0]);
	topic->replica_ids = malloc(sizeof(ids));
	assert_non_null(topic->replica_ids);
	memcpy(topic->replica_ids, ids, sizeof(ids));
	topic->n_partitions = 2;
	topic->partitions = calloc(3, sizeof(*topic->partitions));
	assert_non_null(topic->partitions);
	topic->partitions[0] = (struct kdr_live_partition){0, 1, {topic->replica_ids, 3}, {topic->replica_ids + 3, 2}};
	/* An empty ISR at the block's end. */
	topic->partitions[1] =
	    (struct kdr_live_partition){1, 2, {topic->replica_ids + 5, 5}, {topic->replica_ids + 10, 0}};
	kdr_live_topic_add_partition(topic, (const int32_t[]){3, 1, 2}, 3);
	assert_int_equal(topic->n_partitions, 3);
	assert_int_equal(topic->partitions[1].replicas.ids[4], 3);

	kdr_live_topic_copy(&copy, topic);
	assert_null(copy.replica_ids);
	assert_int_equal(copy.partitions[0].isr.n, 2);
	assert_int_equal(copy.partitions[0].isr.ids[1], 2);
	assert_int_equal(copy.partitions[2].replicas.ids[0], 3);
	kdr_live_topic_release(&copy);
	kdr_live_cluster_release(&cl);
}

static void test_secrets_never_written(void **state)
{
	struct kdr_live live = {0};
	struct kdr_live_cluster *cl = NULL;
	struct kdr_live_topic *topic = NULL;
	struct kdr_live_connector *conn = NULL;
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	cl = kdr_live_add_cluster(&live, "c");
	topic = kdr_live_cluster_add_topic(cl, "t");
	kdr_live_topic_set_config(topic, "some.key", "hunter2", KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	topic->configs[0].sensitive = true;
	cl->connect.present = true;
	cl->connect.connectors = calloc(1, sizeof(*cl->connect.connectors));
	cl->connect.n_connectors = 1;
	conn = &cl->connect.connectors[0];
	conn->name = strdup("kdr.f.source");
	kdr_strmap_set(&conn->config, "target.cluster.sasl.jaas.config", "password=\"swordfish\"");
	kdr_strmap_set(&conn->config, "tasks.max", "1");
	kdr_live_to_json(&out, &live);
	assert_null(strstr(out.ptr, "hunter2"));
	assert_null(strstr(out.ptr, "swordfish"));
	assert_non_null(strstr(out.ptr, "\"some.key\": {\"value\": null"));
	assert_non_null(strstr(out.ptr, "\"target.cluster.sasl.jaas.config\": null"));
	assert_non_null(strstr(out.ptr, "\"tasks.max\": \"1\""));
	kdr_buf_release(&out);
	kdr_live_release(&live);
}

static void test_lenient_forms(void **state)
{
	static const char text[] =
	    "{\"kdrSnapshot\": 1, \"clusters\": {\"c\": {"
	    "\"topicDefaults\": {\"retention.ms\": \"100\"},"
	    "\"topics\": {\"t\": {\"partitions\": [{\"id\": 1, \"replicas\": [2]},"
	    " {\"id\": 0, \"replicas\": [1]}],"
	    " \"configs\": {\"a\": \"1\", \"b\": null, \"c\": {\"value\": \"3\", \"sensitive\": true}}}},"
	    "\"brokers\": [{\"id\": 2}, {\"id\": 1, \"rack\": \"r\"}]}}}";
	struct kdr_live live = {0};
	const struct kdr_live_cluster *cl = NULL;
	const struct kdr_live_topic *topic = NULL;

	(void)state;
	parse_ok(&live, text);
	cl = &live.clusters[0];
	assert_int_equal(cl->controller_id, -1);
	assert_int_equal(cl->brokers[0].id, 1);
	assert_string_equal(cl->brokers[0].rack, "r");
	assert_int_equal(cl->topic_defaults[0].source, KDR_CONFIG_SOURCE_DEFAULT);
	topic = &cl->topics[0];
	assert_int_equal(topic->partitions[0].id, 0);
	assert_int_equal(topic->partitions[0].replicas.ids[0], 1);
	assert_int_equal(topic->partitions[1].leader, -1);
	assert_int_equal(topic->partitions[1].isr.n, 0);
	assert_int_equal(topic->configs[0].source, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	assert_string_equal(topic->configs[0].value, "1");
	assert_null(topic->configs[1].value);
	assert_null(topic->configs[2].value); /* sensitive: never kept */
	assert_true(topic->configs[2].sensitive);
	kdr_live_release(&live);
}

struct error_case {
	const char *json;
	const char *message;
};

#define SNAP(clusters) "{\"kdrSnapshot\": 1, \"clusters\": " clusters "}"
#define CL(body)       SNAP("{\"c\": {" body "}}")
#define TOPIC(body)    CL("\"topics\": {\"t\": {" body "}}")
#define CONN(body)     CL("\"connect\": {\"connectors\": {\"k\": {" body "}}}")
#define ACL(operation)                                                                                                 \
	"{\"principal\": \"User:a\", \"resourceType\": \"topic\", \"resourceName\": \"t\", \"operation\": "            \
	"\"" operation "\", \"permission\": \"allow\"}"

static const struct error_case error_cases[] = {
    {"", "snap.json:1:0: invalid JSON: '[' or '{' expected near end of file"},
    {"{\"kdrSnapshot\": 1,\n \"clusters\": {]}", "snap.json:2:15: invalid JSON: string or '}' expected near ']'"},
    {SNAP("{}") " x", "snap.json:1:36: invalid JSON: end of file expected near 'x'"},
    {"{\"kdrSnapshot\": 1, \"kdrSnapshot\": 1, \"clusters\": {}}",
     "snap.json:1:32: invalid JSON: duplicate object key near '\"kdrSnapshot\"'"},
    {"[1]", "snap.json: $: expected an object, found an array"},
    {"{\"clusters\": {}}", "snap.json: $: missing field 'kdrSnapshot' (not a kdr snapshot?)"},
    {"{\"kdrSnapshot\": 2, \"clusters\": {}}",
     "snap.json: $.kdrSnapshot: unsupported snapshot version 2 (this kdr reads version 1)"},
    {"{\"kdrSnapshot\": \"1\", \"clusters\": {}}",
     "snap.json: $.kdrSnapshot: unsupported snapshot version \"1\" (this kdr reads version 1)"},
    {"{\"kdrSnapshot\": 1}", "snap.json: $: missing field 'clusters'"},
    {"{\"kdrSnapshot\": 1, \"clusters\": {}, \"extra\": 1}",
     "snap.json: $.extra: unknown field (allowed: kdrSnapshot, clusters)"},
    {SNAP("[]"), "snap.json: $.clusters: expected an object, found an array"},
    {SNAP("{\"dc-east\": 1}"), "snap.json: $.clusters[\"dc-east\"]: expected an object, found an integer"},
    {CL("\"clusterID\": \"x\""),
     "snap.json: $.clusters.c.clusterID: unknown field (allowed: clusterId, controller, brokers, remoteStorage, "
     "topicDefaults, topics, connect, groups, acls, aclsError, aclsNoAuthorizer)"},
    {CL("\"clusterId\": 5"), "snap.json: $.clusters.c.clusterId: expected a string or null, found an integer"},
    {CL("\"controller\": 1.5"), "snap.json: $.clusters.c.controller: expected an integer, found a number"},
    {CL("\"controller\": 4294967296"), "snap.json: $.clusters.c.controller: integer out of range"},
    {CL("\"brokers\": {}"), "snap.json: $.clusters.c.brokers: expected an array, found an object"},
    {CL("\"brokers\": [1]"), "snap.json: $.clusters.c.brokers[0]: expected an object, found an integer"},
    {CL("\"brokers\": [{\"host\": \"h\"}]"), "snap.json: $.clusters.c.brokers[0]: missing field 'id'"},
    {CL("\"brokers\": [{\"id\": \"1\"}]"),
     "snap.json: $.clusters.c.brokers[0].id: expected an integer, found a string"},
    {CL("\"brokers\": [{\"id\": 1, \"port\": true}]"),
     "snap.json: $.clusters.c.brokers[0].port: expected an integer, found a boolean"},
    {CL("\"brokers\": [{\"id\": 1}, {\"id\": 2, \"rack\": 3}]"),
     "snap.json: $.clusters.c.brokers[1].rack: expected a string or null, found an integer"},
    {CL("\"brokers\": [{\"id\": 1, \"hots\": \"h\"}]"),
     "snap.json: $.clusters.c.brokers[0].hots: unknown field (allowed: id, host, port, rack)"},
    {CL("\"brokers\": [{\"id\": 1}, {\"id\": 1}]"), "snap.json: $.clusters.c.brokers: duplicate broker id 1"},
    {CL("\"remoteStorage\": \"true\""), "snap.json: $.clusters.c.remoteStorage: expected a boolean, found a string"},
    {CL("\"topicDefaults\": []"), "snap.json: $.clusters.c.topicDefaults: expected an object, found an array"},
    {CL("\"topicDefaults\": {\"retention.ms\": 5}"),
     "snap.json: $.clusters.c.topicDefaults[\"retention.ms\"]: expected an object, a string or null, found an "
     "integer"},
    {CL("\"topicDefaults\": {\"a\": {\"source\": \"DEFAULT_CONFIG\"}}"),
     "snap.json: $.clusters.c.topicDefaults.a: missing field 'value'"},
    {CL("\"topicDefaults\": {\"a\": {\"value\": 1}}"),
     "snap.json: $.clusters.c.topicDefaults.a.value: expected a string or null, found an integer"},
    {CL("\"topicDefaults\": {\"a\": {\"value\": \"1\", \"source\": \"BROKER\"}}"),
     "snap.json: $.clusters.c.topicDefaults.a.source: unknown config source 'BROKER' (allowed: "
     "DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, "
     "DEFAULT_CONFIG, DYNAMIC_BROKER_LOGGER_CONFIG, UNKNOWN)"},
    {CL("\"topicDefaults\": {\"a\": {\"value\": \"1\", \"source\": 5}}"),
     "snap.json: $.clusters.c.topicDefaults.a.source: expected a string, found an integer"},
    {CL("\"topicDefaults\": {\"a\": {\"value\": \"1\", \"readOnly\": 0}}"),
     "snap.json: $.clusters.c.topicDefaults.a.readOnly: expected a boolean, found an integer"},
    {CL("\"topicDefaults\": {\"a\": {\"value\": \"1\", \"sensitive\": null}}"),
     "snap.json: $.clusters.c.topicDefaults.a.sensitive: expected a boolean, found null"},
    {CL("\"topicDefaults\": {\"a\": {\"value\": \"1\", \"synonyms\": []}}"),
     "snap.json: $.clusters.c.topicDefaults.a.synonyms: unknown field (allowed: value, source, readOnly, "
     "sensitive)"},
    {CL("\"topics\": []"), "snap.json: $.clusters.c.topics: expected an object, found an array"},
    {CL("\"topics\": {\"t\": null}"), "snap.json: $.clusters.c.topics.t: expected an object, found null"},
    {TOPIC("\"internal\": 1"), "snap.json: $.clusters.c.topics.t.internal: expected a boolean, found an integer"},
    {TOPIC("\"partition\": []"),
     "snap.json: $.clusters.c.topics.t.partition: unknown field (allowed: internal, partitions, configs)"},
    {TOPIC("\"partitions\": {}"), "snap.json: $.clusters.c.topics.t.partitions: expected an array, found an object"},
    {TOPIC("\"partitions\": [[]]"),
     "snap.json: $.clusters.c.topics.t.partitions[0]: expected an object, found an array"},
    {TOPIC("\"partitions\": [{\"replicas\": []}]"),
     "snap.json: $.clusters.c.topics.t.partitions[0]: missing field 'id'"},
    {TOPIC("\"partitions\": [{\"id\": 0}]"),
     "snap.json: $.clusters.c.topics.t.partitions[0]: missing field 'replicas'"},
    {TOPIC("\"partitions\": [{\"id\": 0, \"replicas\": 1}]"),
     "snap.json: $.clusters.c.topics.t.partitions[0].replicas: expected an array, found an integer"},
    {TOPIC("\"partitions\": [{\"id\": 0, \"replicas\": [1, \"2\"]}]"),
     "snap.json: $.clusters.c.topics.t.partitions[0].replicas[1]: expected an integer, found a string"},
    {TOPIC("\"partitions\": [{\"id\": 0, \"replicas\": [1], \"isr\": [null]}]"),
     "snap.json: $.clusters.c.topics.t.partitions[0].isr[0]: expected an integer, found null"},
    {TOPIC("\"partitions\": [{\"id\": 0, \"replicas\": [1], \"leader\": \"1\"}]"),
     "snap.json: $.clusters.c.topics.t.partitions[0].leader: expected an integer, found a string"},
    {TOPIC("\"partitions\": [{\"id\": 0, \"replicas\": [1], \"lead\": 1}]"),
     "snap.json: $.clusters.c.topics.t.partitions[0].lead: unknown field (allowed: id, leader, replicas, isr)"},
    {TOPIC("\"partitions\": [{\"id\": 0, \"replicas\": [1]}, {\"id\": 2, \"replicas\": [1]}]"),
     "snap.json: $.clusters.c.topics.t.partitions: partition ids must be 0..1, each once"},
    {TOPIC("\"partitions\": [{\"id\": 0, \"replicas\": [1]}, {\"id\": 0, \"replicas\": [1]}]"),
     "snap.json: $.clusters.c.topics.t.partitions: partition ids must be 0..1, each once"},
    {TOPIC("\"configs\": {\"retention.ms\": true}"),
     "snap.json: $.clusters.c.topics.t.configs[\"retention.ms\"]: expected an object, a string or null, found a "
     "boolean"},
    {CL("\"connect\": []"), "snap.json: $.clusters.c.connect: expected an object or null, found an array"},
    {CL("\"connect\": {\"uri\": \"x\"}"),
     "snap.json: $.clusters.c.connect.uri: unknown field (allowed: url, version, kafkaClusterId, connectors)"},
    {CL("\"connect\": {\"version\": 3}"),
     "snap.json: $.clusters.c.connect.version: expected a string or null, found an integer"},
    {CL("\"connect\": {\"connectors\": []}"),
     "snap.json: $.clusters.c.connect.connectors: expected an object, found an array"},
    {CL("\"connect\": {\"connectors\": {\"k\": \"x\"}}"),
     "snap.json: $.clusters.c.connect.connectors.k: expected an object, found a string"},
    {CONN("\"state\": \"running\""),
     "snap.json: $.clusters.c.connect.connectors.k.state: unknown connector state 'running' (allowed: RUNNING, "
     "PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING, UNKNOWN)"},
    {CONN("\"type\": 1"), "snap.json: $.clusters.c.connect.connectors.k.type: expected a string or null, found an "
			  "integer"},
    {CONN("\"config\": {\"tasks.max\": 1}"),
     "snap.json: $.clusters.c.connect.connectors.k.config[\"tasks.max\"]: expected a string or null, found an "
     "integer"},
    {CONN("\"config\": []"), "snap.json: $.clusters.c.connect.connectors.k.config: expected an object, found an array"},
    {CONN("\"tasks\": {}"), "snap.json: $.clusters.c.connect.connectors.k.tasks: expected an array, found an object"},
    {CONN("\"tasks\": [{\"state\": \"RUNNING\"}]"),
     "snap.json: $.clusters.c.connect.connectors.k.tasks[0]: missing field 'id'"},
    {CONN("\"tasks\": [{\"id\": 0}, {\"id\": 0}]"),
     "snap.json: $.clusters.c.connect.connectors.k.tasks: duplicate task id 0"},
    {CONN("\"tasks\": [{\"id\": 0, \"workerId\": 1}]"),
     "snap.json: $.clusters.c.connect.connectors.k.tasks[0].workerId: expected a string or null, found an integer"},
    {CONN("\"tasks\": [{\"id\": 0, \"state\": \"DONE\"}]"),
     "snap.json: $.clusters.c.connect.connectors.k.tasks[0].state: unknown connector state 'DONE' (allowed: "
     "RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING, UNKNOWN)"},
    {CONN("\"tasks\": [{\"id\": 0, \"worker\": \"w\"}]"),
     "snap.json: $.clusters.c.connect.connectors.k.tasks[0].worker: unknown field (allowed: id, state, workerId, "
     "trace)"},
    {CL("\"groups\": []"), "snap.json: $.clusters.c.groups: expected an object, found an array"},
    {CL("\"groups\": {\"g\": {\"members\": \"2\"}}"),
     "snap.json: $.clusters.c.groups.g.members: expected an integer, found a string"},
    {CL("\"groups\": {\"g\": {\"offsets\": [{\"topic\": \"t\"}]}}"),
     "snap.json: $.clusters.c.groups.g.offsets[0]: an offset needs 'topic' and a 'partition' >= 0"},
    {CL("\"groups\": {\"g\": {\"offsets\": [{\"topic\": \"t\", \"partition\": 0, \"offset\": 1.5}]}}"),
     "snap.json: $.clusters.c.groups.g.offsets[0].offset: expected an integer, found a number"},
    {CL("\"groups\": {\"g\": {\"owner\": 1}}"),
     "snap.json: $.clusters.c.groups.g.owner: unknown field (allowed: state, protocolType, members, offsets)"},
    {CL("\"acls\": {}"), "snap.json: $.clusters.c.acls: expected an array or null"},
    {CL("\"acls\": [1]"), "snap.json: $.clusters.c.acls[0]: expected an object"},
    {CL("\"acls\": [{\"host\": \"*\"}]"), "snap.json: $.clusters.c.acls[0].principal: missing field"},
    {CL("\"acls\": [{\"principal\": 1}]"), "snap.json: $.clusters.c.acls[0].principal: expected a string"},
    {CL("\"acls\": [{\"principal\": \"User:a\", \"verb\": 1}]"),
     "snap.json: $.clusters.c.acls[0].verb: unknown field (allowed: principal, host, resourceType, resourceName, "
     "pattern, operation, permission)"},
    /* An unknown key that is not a plain name is quoted, as everywhere in the snapshot's paths. */
    {CL("\"acls\": [{\"resource-name\": \"t\"}]"),
     "snap.json: $.clusters.c.acls[0][\"resource-name\"]: unknown field (allowed: principal, host, resourceType, "
     "resourceName, pattern, operation, permission)"},
    {CL("\"acls\": [" ACL("read") ", " ACL("fly") "]"),
     "snap.json: $.clusters.c.acls[1].operation: unknown ACL operation 'fly' (expected one of all, read, write, "
     "create, delete, alter, describe, cluster-action, describe-configs, alter-configs, idempotent-write, "
     "create-tokens, describe-tokens)"},
    {SNAP("{\"dc-east\": {\"acls\": [" ACL("read") ", {\"principal\": \"User:a\"}]}}"),
     "snap.json: $.clusters[\"dc-east\"].acls[1].resourceType: missing field"},
    {CL("\"aclsError\": 5"), "snap.json: $.clusters.c.aclsError: expected a string or null"},
    {CONN("\"status\": \"x\""),
     "snap.json: $.clusters.c.connect.connectors.k.status: unknown field (allowed: type, state, trace, config, "
     "tasks)"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		struct kdr_live live = {0};
		int rc = kdr_live_from_json(&live, error_cases[i].json, strlen(error_cases[i].json), "snap.json");

		if (rc != KDR_EINVALID)
			fail_msg("case %zu: rc %d, want KDR_EINVALID", i, rc);
		if (strcmp(kdr_error_message(), error_cases[i].message) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, kdr_error_message(), error_cases[i].message);
		/* A failed parse leaves an empty, releasable snapshot. */
		assert_int_equal(live.n_clusters, 0);
		assert_null(live.clusters);
		kdr_live_release(&live);
	}
}

static void test_names(void **state)
{
	enum kdr_config_source source = KDR_CONFIG_SOURCE_UNKNOWN;
	enum kdr_connector_state cs = KDR_CONNECTOR_UNKNOWN;

	(void)state;
	for (int i = KDR_CONFIG_SOURCE_UNKNOWN; i <= KDR_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER; i++) {
		assert_int_equal(kdr_config_source_parse(&source, kdr_config_source_name((enum kdr_config_source)i)),
				 0);
		assert_int_equal(source, i);
	}
	assert_string_equal(kdr_config_source_name(KDR_CONFIG_SOURCE_DYNAMIC_TOPIC), "DYNAMIC_TOPIC_CONFIG");
	assert_string_equal(kdr_config_source_name((enum kdr_config_source)99), "UNKNOWN");
	assert_int_equal(kdr_config_source_parse(&source, "UNKNOWN_CONFIG"), 0);
	assert_int_equal(source, KDR_CONFIG_SOURCE_UNKNOWN);
	assert_int_equal(kdr_config_source_parse(&source, "dynamic_topic_config"), KDR_EINVALID);
	assert_int_equal(kdr_config_source_parse(&source, NULL), KDR_EINVALID);
	for (int i = KDR_CONNECTOR_UNKNOWN; i <= KDR_CONNECTOR_RESTARTING; i++) {
		assert_int_equal(kdr_connector_state_parse(&cs, kdr_connector_state_name((enum kdr_connector_state)i)),
				 0);
		assert_int_equal(cs, i);
	}
	assert_string_equal(kdr_connector_state_name(KDR_CONNECTOR_PAUSED), "PAUSED");
	assert_int_equal(kdr_connector_state_parse(&cs, "Running"), KDR_EINVALID);
	assert_int_equal(kdr_connector_state_parse(&cs, NULL), KDR_EINVALID);
}

/* Kafka 4.x's Topic.INTERNAL_TOPICS, share groups' state topic included; nothing else with a "__" prefix. */
static void test_internal_topic_names(void **state)
{
	(void)state;
	assert_true(kdr_live_topic_name_is_internal("__consumer_offsets"));
	assert_true(kdr_live_topic_name_is_internal("__transaction_state"));
	assert_true(kdr_live_topic_name_is_internal("__share_group_state"));
	/* Not in INTERNAL_TOPICS: the KRaft log (never in Metadata) and the brokers' tiering metadata. */
	assert_false(kdr_live_topic_name_is_internal("__cluster_metadata"));
	assert_false(kdr_live_topic_name_is_internal("__remote_log_metadata"));
	assert_false(kdr_live_topic_name_is_internal("__share_group_state2"));
	assert_false(kdr_live_topic_name_is_internal("orders"));
	assert_false(kdr_live_topic_name_is_internal(NULL));
}

/* The ACL read state round-trips: no authorizer is the reader's flag, kept apart from the text. */
static void test_acls_no_authorizer_round_trip(void **state)
{
	struct kdr_live live = {0}, again = {0};
	struct kdr_buf out = KDR_BUF_INIT;
	const struct kdr_live_cluster *cl = NULL;

	(void)state;
	parse_ok(&live, CL("\"aclsError\": \"no authorizer\", \"aclsNoAuthorizer\": true"));
	cl = kdr_live_cluster_find(&live, "c");
	assert_false(cl->acls_read);
	assert_true(cl->acls_no_authorizer);
	kdr_live_to_json(&out, &live);
	assert_non_null(strstr(out.ptr, "\"aclsError\": \"no authorizer\",\n      \"aclsNoAuthorizer\": true"));
	parse_ok(&again, out.ptr);
	assert_true(kdr_live_cluster_find(&again, "c")->acls_no_authorizer);
	kdr_live_release(&again);
	kdr_live_release(&live);
	kdr_buf_release(&out);
	/* Absent: unknown (a refusal), not "no authorizer". */
	parse_ok(&live, CL("\"aclsError\": \"DescribeAcls: SECURITY_DISABLED in the text only\""));
	assert_false(kdr_live_cluster_find(&live, "c")->acls_no_authorizer);
	kdr_live_release(&live);
	assert_int_not_equal(kdr_live_from_json(&live, CL("\"aclsNoAuthorizer\": 1"), strlen(CL("\"aclsNoAuthorizer\": 1")),
						"snap.json"),
			     0);
	assert_non_null(strstr(kdr_error_message(), "aclsNoAuthorizer: expected a boolean or null"));
	kdr_live_release(&live);
}

static void test_empty_snapshot(void **state)
{
	struct kdr_live live = {0};
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	kdr_live_to_json(&out, &live);
	assert_string_equal(out.ptr, "{\n  \"kdrSnapshot\": 1,\n  \"clusters\": {}\n}\n");
	parse_ok(&live, out.ptr);
	assert_int_equal(live.n_clusters, 0);
	assert_null(kdr_live_cluster_find(&live, "x"));
	kdr_live_release(&live);
	kdr_buf_release(&out);
}

/* The example in docs/snapshot-format.md is exactly what the writer produces. */
static void test_documented_example(void **state)
{
	const char *path = KDR_SOURCE_DIR "/docs/snapshot-format.md";
	FILE *f = fopen(path, "rb");
	struct kdr_buf doc = KDR_BUF_INIT, out = KDR_BUF_INIT;
	struct kdr_live live = {0};
	char chunk[4096];
	size_t n = 0;
	const char *start = NULL, *end = NULL;
	char *example = NULL;

	(void)state;
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kdr_buf_put(&doc, chunk, n);
	fclose(f);
	start = strstr(doc.ptr, "```json\n");
	assert_non_null(start);
	start += strlen("```json\n");
	end = strstr(start, "```");
	assert_non_null(end);
	example = strndup(start, (size_t)(end - start));
	parse_ok(&live, example);
	kdr_live_to_json(&out, &live);
	assert_string_equal(out.ptr, example);
	free(example);
	kdr_buf_release(&out);
	kdr_buf_release(&doc);
	kdr_live_release(&live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_canonical),
	    cmocka_unit_test(test_round_trip_groups_acls),
	    cmocka_unit_test(test_parsed_values),
	    cmocka_unit_test(test_effective_config),
	    cmocka_unit_test(test_build_and_sort),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_copy),
	    cmocka_unit_test(test_replica_block),
	    cmocka_unit_test(test_secrets_never_written),
	    cmocka_unit_test(test_lenient_forms),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_internal_topic_names),
	    cmocka_unit_test(test_acls_no_authorizer_round_trip),
	    cmocka_unit_test(test_empty_snapshot),
	    cmocka_unit_test(test_documented_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
