/*
 * pkg/spec, valid documents: every field of the three kinds into exact model
 * values, defaults, multi-document streams, directories, positions, and the
 * Kubernetes JSON form parsed equal to the YAML form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* Fails the test with every diagnostic printed, so a surprise is readable. */
static void assert_no_diags(const struct kdr_diags *diags)
{
	if (diags->n) {
		kdr_diags_print(diags, stdout);
		fail_msg("expected no diagnostics, got %zu", diags->n);
	}
}

static int parse_ok(struct kdr_desired *desired, const char *yaml)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_spec_parse_yaml(desired, "x.yaml", yaml, strlen(yaml), &diags);

	assert_no_diags(&diags);
	kdr_diags_release(&diags);
	return rc;
}

static const char full_cluster[] = "apiVersion: kdr.io/v1alpha1\n"
				   "kind: KafkaCluster\n"
				   "metadata:\n"
				   "  name: dc-east\n"
				   "  namespace: kdr\n"
				   "  labels: {team: data}\n"
				   "  annotations: {note: \"hello\"}\n"
				   "spec:\n"
				   "  bootstrapServers: east-broker1:9092,east-broker2:9092\n"
				   "  clientConfig:\n"
				   "    security.protocol: SASL_SSL\n"
				   "    sasl.mechanism: SCRAM-SHA-512\n"
				   "    sasl.username: kdr\n"
				   "    sasl.password: {valueFrom: {env: EAST_PASSWORD}}\n"
				   "    ssl.key.password: {valueFrom: {file: /etc/kdr/key-password}}\n"
				   "    sasl.oauthbearer.client.secret:\n"
				   "      valueFrom:\n"
				   "        secretKeyRef: {name: east-creds, key: client-secret}\n"
				   "    socket.timeout.ms: 30000\n"
				   "    enable.ssl.certificate.verification: false\n"
				   "  connect:\n"
				   "    url: https://connect-east:8083\n"
				   "    auth: {bearerToken: {valueFrom: {env: CONNECT_TOKEN}}}\n"
				   "    caFile: /etc/kdr/connect-ca.pem\n"
				   "    insecureSkipVerify: true\n"
				   "  datacenters:\n"
				   "    dc-east: [east-1a, east-1b]\n"
				   "    dc-west:\n"
				   "      - west-1a\n";

static void assert_value(const struct kdr_value *value, enum kdr_value_kind kind, const char *literal,
			 const char *ref, const char *key)
{
	assert_non_null(value);
	assert_int_equal(value->kind, kind);
	if (literal)
		assert_string_equal(value->literal, literal);
	else
		assert_null(value->literal);
	if (ref)
		assert_string_equal(value->ref, ref);
	else
		assert_null(value->ref);
	if (key)
		assert_string_equal(value->key, key);
	else
		assert_null(value->key);
}

static void test_cluster_every_field(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_cluster *cl = NULL;
	const struct kdr_value_map *cc = NULL;

	(void)state;
	assert_int_equal(parse_ok(&desired, full_cluster), 0);
	assert_int_equal(desired.n_clusters, 1);
	cl = &desired.clusters[0];
	assert_string_equal(cl->meta.name, "dc-east");
	assert_string_equal(cl->meta.namespace, "kdr");
	assert_string_equal(cl->meta.object_ref, "KafkaCluster/dc-east");
	assert_string_equal(cl->meta.file, "x.yaml");
	assert_int_equal(cl->meta.line, 1);
	assert_int_equal(cl->meta.col, 1);
	assert_string_equal(cl->bootstrap_servers, "east-broker1:9092,east-broker2:9092");

	cc = &cl->client_config;
	assert_int_equal(cc->n, 8);
	/* Sorted by key. */
	assert_string_equal(cc->v[0].key, "enable.ssl.certificate.verification");
	assert_value(&cc->v[0].value, KDR_VALUE_LITERAL, "false", NULL, NULL);
	assert_value(kdr_value_map_get(cc, "security.protocol"), KDR_VALUE_LITERAL, "SASL_SSL", NULL, NULL);
	assert_value(kdr_value_map_get(cc, "sasl.mechanism"), KDR_VALUE_LITERAL, "SCRAM-SHA-512", NULL, NULL);
	assert_value(kdr_value_map_get(cc, "sasl.username"), KDR_VALUE_LITERAL, "kdr", NULL, NULL);
	assert_value(kdr_value_map_get(cc, "sasl.password"), KDR_VALUE_ENV, NULL, "EAST_PASSWORD", NULL);
	assert_value(kdr_value_map_get(cc, "ssl.key.password"), KDR_VALUE_FILE, NULL, "/etc/kdr/key-password", NULL);
	assert_value(kdr_value_map_get(cc, "sasl.oauthbearer.client.secret"), KDR_VALUE_SECRET_KEY_REF, NULL,
		     "east-creds", "client-secret");
	assert_value(kdr_value_map_get(cc, "socket.timeout.ms"), KDR_VALUE_LITERAL, "30000", NULL, NULL);

	assert_true(cl->connect.present);
	assert_string_equal(cl->connect.url, "https://connect-east:8083");
	assert_int_equal(cl->connect.auth_kind, KDR_CONNECT_AUTH_BEARER);
	assert_value(&cl->connect.token, KDR_VALUE_ENV, NULL, "CONNECT_TOKEN", NULL);
	assert_string_equal(cl->connect.ca_file, "/etc/kdr/connect-ca.pem");
	assert_true(cl->connect.insecure_skip_verify);

	assert_int_equal(cl->n_datacenters, 2);
	assert_string_equal(cl->datacenters[0].name, "dc-east");
	assert_int_equal(cl->datacenters[0].racks.n, 2);
	assert_string_equal(cl->datacenters[0].racks.v[0], "east-1a");
	assert_string_equal(cl->datacenters[0].racks.v[1], "east-1b");
	assert_string_equal(cl->datacenters[1].name, "dc-west");
	assert_int_equal(cl->datacenters[1].racks.n, 1);
	assert_string_equal(cl->datacenters[1].racks.v[0], "west-1a");
	assert_string_equal(kdr_cluster_datacenter_of(cl, "east-1b"), "dc-east");
	kdr_desired_release(&desired);
}

static void test_cluster_basic_auth_and_minimal(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_cluster *cl = NULL;

	(void)state;
	assert_int_equal(parse_ok(&desired, "apiVersion: kdr.io/v1alpha1\n"
					    "kind: KafkaCluster\n"
					    "metadata: {name: west}\n"
					    "spec:\n"
					    "  bootstrapServers: w:9092\n"
					    "  connect:\n"
					    "    url: http://connect-west:8083\n"
					    "    auth:\n"
					    "      basic:\n"
					    "        username: admin\n"
					    "        password: {valueFrom: {secretKeyRef: {name: connect, key: pw}}}\n"
					    "---\n"
					    "apiVersion: kdr.io/v1alpha1\n"
					    "kind: KafkaCluster\n"
					    "metadata: {name: bare}\n"
					    "spec: {bootstrapServers: b:9092}\n"),
			 0);
	assert_int_equal(desired.n_clusters, 2);
	cl = &desired.clusters[0];
	assert_int_equal(cl->connect.auth_kind, KDR_CONNECT_AUTH_BASIC);
	assert_value(&cl->connect.username, KDR_VALUE_LITERAL, "admin", NULL, NULL);
	assert_value(&cl->connect.password, KDR_VALUE_SECRET_KEY_REF, NULL, "connect", "pw");
	assert_null(cl->connect.ca_file);
	assert_false(cl->connect.insecure_skip_verify);

	cl = &desired.clusters[1];
	assert_string_equal(cl->meta.object_ref, "KafkaCluster/bare");
	assert_int_equal(cl->meta.line, 13);
	assert_false(cl->connect.present);
	assert_int_equal(cl->connect.auth_kind, KDR_CONNECT_AUTH_NONE);
	assert_int_equal(cl->client_config.n, 0);
	assert_int_equal(cl->n_datacenters, 0);
	kdr_desired_release(&desired);
}

static const char full_flow[] = "apiVersion: kdr.io/v1alpha1\n"
				"kind: ReplicationFlow\n"
				"metadata: {name: east-to-west}\n"
				"spec:\n"
				"  source: dc-east\n"
				"  target: dc-west\n"
				"  topics: [\"orders\", \"events\", \"users\"]\n"
				"  topicsExclude: [\"dc-west\\\\..*\"]\n"
				"  groups: [\"app-.*\"]\n"
				"  groupsExclude: [console-.*]\n"
				"  keepDefaultExcludes: false\n"
				"  replicationPolicy: {type: identity, separator: \"_\"}\n"
				"  replicationFactor: 4\n"
				"  tasksMax: 8\n"
				"  syncTopicConfigs: false\n"
				"  syncTopicAcls: true\n"
				"  checkpoints: {enabled: false, intervalSeconds: 30, syncGroupOffsets: true, "
				"syncGroupOffsetsIntervalSeconds: 15}\n"
				"  heartbeats: {enabled: false, intervalSeconds: 5}\n"
				"  internalTopicsReplicationFactor: 5\n"
				"  connectorConfig:\n"
				"    producer.override.compression.type: zstd\n"
				"    consumer.max.poll.records: 500\n"
				"  suspended: true\n";

static void test_flow_every_field(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_flow *flow = NULL;

	(void)state;
	assert_int_equal(parse_ok(&desired, full_flow), 0);
	assert_int_equal(desired.n_flows, 1);
	flow = &desired.flows[0];
	assert_string_equal(flow->meta.object_ref, "ReplicationFlow/east-to-west");
	assert_string_equal(flow->source, "dc-east");
	assert_string_equal(flow->target, "dc-west");
	assert_int_equal(flow->topics.n, 3);
	assert_string_equal(flow->topics.v[0], "orders");
	assert_string_equal(flow->topics.v[2], "users");
	assert_int_equal(flow->topics_exclude.n, 1);
	assert_string_equal(flow->topics_exclude.v[0], "dc-west\\..*");
	assert_int_equal(flow->groups.n, 1);
	assert_string_equal(flow->groups.v[0], "app-.*");
	assert_int_equal(flow->groups_exclude.n, 1);
	assert_string_equal(flow->groups_exclude.v[0], "console-.*");
	assert_false(flow->keep_default_excludes);
	assert_int_equal(flow->replication_policy, KDR_REPLICATION_POLICY_IDENTITY);
	assert_string_equal(flow->separator, "_");
	assert_int_equal(flow->replication_factor, 4);
	assert_int_equal(flow->tasks_max, 8);
	assert_false(flow->sync_topic_configs);
	assert_true(flow->sync_topic_acls);
	assert_false(flow->checkpoints_enabled);
	assert_int_equal(flow->checkpoints_interval_seconds, 30);
	assert_true(flow->sync_group_offsets);
	assert_int_equal(flow->sync_group_offsets_interval_seconds, 15);
	assert_false(flow->heartbeats_enabled);
	assert_int_equal(flow->heartbeats_interval_seconds, 5);
	assert_int_equal(flow->internal_topics_replication_factor, 5);
	assert_int_equal(flow->connector_config.n, 2);
	assert_string_equal(kdr_strmap_get(&flow->connector_config, "producer.override.compression.type"), "zstd");
	assert_string_equal(kdr_strmap_get(&flow->connector_config, "consumer.max.poll.records"), "500");
	assert_true(flow->suspended);
	kdr_desired_release(&desired);
}

static void test_flow_defaults(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_flow *flow = NULL;

	(void)state;
	assert_int_equal(parse_ok(&desired, "apiVersion: kdr.io/v1alpha1\n"
					    "kind: ReplicationFlow\n"
					    "metadata: {name: f}\n"
					    "spec:\n"
					    "  source: a\n"
					    "  target: b\n"
					    "  groupsExclude:\n" /* null: as if not given */
					    "  checkpoints: {}\n"),
			 0);
	flow = &desired.flows[0];
	assert_int_equal(flow->topics.n, 1);
	assert_string_equal(flow->topics.v[0], ".*");
	assert_int_equal(flow->topics_exclude.n, 0);
	assert_int_equal(flow->groups.n, 1);
	assert_string_equal(flow->groups.v[0], ".*");
	assert_int_equal(flow->groups_exclude.n, 0);
	assert_true(flow->keep_default_excludes);
	assert_int_equal(flow->replication_policy, KDR_REPLICATION_POLICY_DEFAULT);
	assert_string_equal(flow->separator, ".");
	assert_int_equal(flow->replication_factor, 3);
	assert_int_equal(flow->tasks_max, 1);
	assert_true(flow->sync_topic_configs);
	assert_false(flow->sync_topic_acls);
	assert_true(flow->checkpoints_enabled);
	assert_int_equal(flow->checkpoints_interval_seconds, 60);
	assert_false(flow->sync_group_offsets);
	assert_int_equal(flow->sync_group_offsets_interval_seconds, 60);
	assert_true(flow->heartbeats_enabled);
	assert_int_equal(flow->heartbeats_interval_seconds, 1);
	assert_int_equal(flow->internal_topics_replication_factor, 3);
	assert_int_equal(flow->connector_config.n, 0);
	assert_false(flow->suspended);
	kdr_desired_release(&desired);
}

static void test_flow_empty_topics_list_replaces_default(void **state)
{
	struct kdr_desired desired = { 0 };

	(void)state;
	assert_int_equal(parse_ok(&desired, "apiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\nmetadata: {name: f}\n"
					    "spec: {source: a, target: b, topics: [], groups: [x]}\n"),
			 0);
	assert_int_equal(desired.flows[0].topics.n, 0);
	assert_int_equal(desired.flows[0].groups.n, 1);
	assert_string_equal(desired.flows[0].groups.v[0], "x");
	kdr_desired_release(&desired);
}

static const char full_policy[] = "apiVersion: kdr.io/v1alpha1\n"
				  "kind: TopicPolicy\n"
				  "metadata:\n"
				  "  name: core\n"
				  "spec:\n"
				  "  clusters: [dc-east, dc-west]\n"
				  "  topics:\n"
				  "    - name: orders\n"
				  "      partitions: 12\n"
				  "      replicationFactor: 4\n"
				  "      config: {cleanup.policy: compact, max.message.bytes: 2097152}\n"
				  "    - name: events\n"
				  "    - users\n"
				  "  match: \"payments\\\\..*\"\n"
				  "  partitions: 6\n"
				  "  replicationFactor: 3\n"
				  "  config:\n"
				  "    min.insync.replicas: 2\n"
				  "    cleanup.policy: delete\n"
				  "    unclean.leader.election.enable: false\n"
				  "    retention.ms: \"604800000\"\n"
				  "    segment.ms: 0600\n"
				  "  placement:\n"
				  "    strategy: static\n"
				  "    preferredLeaderDatacenter: dc-east\n"
				  "    requireDcLossSurvival: true\n"
				  "    assignments:\n"
				  "      orders: [[1, 2, 3], [2, 3, 1]]\n"
				  "      events:\n"
				  "        - [3, 1, 2]\n"
				  "  tiering: {enabled: true, localRetention: 1d, retention: 30d}\n"
				  "  configPrune: true\n"
				  "  prune: true\n";

static void test_policy_every_field(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_policy *policy = NULL;
	const struct kdr_assignment *a = NULL;

	(void)state;
	assert_int_equal(parse_ok(&desired, full_policy), 0);
	assert_int_equal(desired.n_policies, 1);
	policy = &desired.policies[0];
	assert_string_equal(policy->meta.object_ref, "TopicPolicy/core");
	assert_int_equal(policy->clusters.n, 2);
	assert_string_equal(policy->clusters.v[0], "dc-east");
	assert_string_equal(policy->clusters.v[1], "dc-west");

	assert_int_equal(policy->n_topics, 3);
	assert_string_equal(policy->topics[0].name, "orders");
	assert_int_equal(policy->topics[0].partitions, 12);
	assert_int_equal(policy->topics[0].replication_factor, 4);
	assert_int_equal(policy->topics[0].config.n, 2);
	assert_string_equal(kdr_strmap_get(&policy->topics[0].config, "cleanup.policy"), "compact");
	assert_string_equal(kdr_strmap_get(&policy->topics[0].config, "max.message.bytes"), "2097152");
	assert_int_equal(policy->topics[0].line, 8);
	assert_int_equal(policy->topics[0].col, 7);
	assert_string_equal(policy->topics[1].name, "events");
	assert_int_equal(policy->topics[1].partitions, 0);
	assert_int_equal(policy->topics[1].replication_factor, 0);
	assert_int_equal(policy->topics[1].config.n, 0);
	/* The short form of an entry. */
	assert_string_equal(policy->topics[2].name, "users");
	assert_int_equal(policy->topics[2].line, 13);
	assert_int_equal(policy->topics[2].col, 7);

	assert_string_equal(policy->match, "payments\\..*");
	assert_int_equal(policy->partitions, 6);
	assert_int_equal(policy->replication_factor, 3);
	/* Config values are strings exactly as written. */
	assert_int_equal(policy->config.n, 5);
	assert_string_equal(kdr_strmap_get(&policy->config, "min.insync.replicas"), "2");
	assert_string_equal(kdr_strmap_get(&policy->config, "cleanup.policy"), "delete");
	assert_string_equal(kdr_strmap_get(&policy->config, "unclean.leader.election.enable"), "false");
	assert_string_equal(kdr_strmap_get(&policy->config, "retention.ms"), "604800000");
	assert_string_equal(kdr_strmap_get(&policy->config, "segment.ms"), "0600");

	assert_int_equal(policy->strategy, KDR_PLACEMENT_STATIC);
	assert_string_equal(policy->preferred_leader_datacenter, "dc-east");
	assert_true(policy->require_dc_loss_survival);
	/* Sorted by topic, whatever the document order. */
	assert_int_equal(policy->n_assignments, 2);
	assert_string_equal(policy->assignments[0].topic, "events");
	a = &policy->assignments[0].assignment;
	assert_int_equal(a->n, 1);
	assert_int_equal(a->partitions[0].n, 3);
	assert_int_equal(a->partitions[0].ids[0], 3);
	assert_int_equal(a->partitions[0].ids[1], 1);
	assert_int_equal(a->partitions[0].ids[2], 2);
	assert_string_equal(policy->assignments[1].topic, "orders");
	a = &policy->assignments[1].assignment;
	assert_int_equal(a->n, 2);
	assert_int_equal(a->partitions[0].n, 3);
	assert_int_equal(a->partitions[0].ids[0], 1);
	assert_int_equal(a->partitions[0].ids[2], 3);
	assert_int_equal(a->partitions[1].ids[0], 2);
	assert_int_equal(a->partitions[1].ids[1], 3);
	assert_int_equal(a->partitions[1].ids[2], 1);

	assert_true(policy->tiering.present);
	assert_true(policy->tiering.enabled);
	assert_true(policy->tiering.has_local_retention);
	assert_int_equal(policy->tiering.local_retention_ms, 86400000);
	assert_true(policy->tiering.has_retention);
	assert_int_equal(policy->tiering.retention_ms, INT64_C(30) * 86400000);
	assert_true(policy->config_prune);
	assert_true(policy->prune);
	kdr_desired_release(&desired);
}

static void test_policy_defaults_and_durations(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_policy *policy = NULL;

	(void)state;
	assert_int_equal(parse_ok(&desired, "apiVersion: kdr.io/v1alpha1\n"
					    "kind: TopicPolicy\n"
					    "metadata: {name: p}\n"
					    "spec:\n"
					    "  clusters: [a]\n"
					    "---\n"
					    "apiVersion: kdr.io/v1alpha1\n"
					    "kind: TopicPolicy\n"
					    "metadata: {name: q}\n"
					    "spec:\n"
					    "  clusters: [a]\n"
					    "  tiering: {localRetention: 43200000, retention: -1}\n"
					    "---\n"
					    "apiVersion: kdr.io/v1alpha1\n"
					    "kind: TopicPolicy\n"
					    "metadata: {name: r}\n"
					    "spec:\n"
					    "  clusters: [a]\n"
					    "  tiering: {enabled: false, retention: \"12h\"}\n"),
			 0);
	assert_int_equal(desired.n_policies, 3);
	policy = &desired.policies[0];
	assert_int_equal(policy->n_topics, 0);
	assert_null(policy->match);
	assert_int_equal(policy->partitions, 1);
	assert_int_equal(policy->replication_factor, 3);
	assert_int_equal(policy->config.n, 0);
	assert_int_equal(policy->strategy, KDR_PLACEMENT_RACK_AWARE);
	assert_null(policy->preferred_leader_datacenter);
	assert_false(policy->require_dc_loss_survival);
	assert_int_equal(policy->n_assignments, 0);
	assert_false(policy->tiering.present);
	assert_false(policy->config_prune);
	assert_false(policy->prune);

	/* A bare integer duration is milliseconds; -1 retention is infinite. */
	policy = &desired.policies[1];
	assert_true(policy->tiering.present);
	assert_false(policy->tiering.enabled);
	assert_true(policy->tiering.has_local_retention);
	assert_int_equal(policy->tiering.local_retention_ms, 43200000);
	assert_true(policy->tiering.has_retention);
	assert_int_equal(policy->tiering.retention_ms, -1);

	policy = &desired.policies[2];
	assert_false(policy->tiering.has_local_retention);
	assert_int_equal(policy->tiering.retention_ms, 12 * 3600000);
	kdr_desired_release(&desired);
}

static void test_every_strategy(void **state)
{
	static const char *const names[] = { "any", "rack-aware", "cross-dc", "static" };
	static const enum kdr_placement_strategy expected[] = { KDR_PLACEMENT_ANY, KDR_PLACEMENT_RACK_AWARE,
								 KDR_PLACEMENT_CROSS_DC, KDR_PLACEMENT_STATIC };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct kdr_desired desired = { 0 };
		char *doc = kdr_asprintf("apiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata: {name: p}\n"
					 "spec: {clusters: [a], placement: {strategy: %s}}\n",
					 names[i]);

		assert_int_equal(parse_ok(&desired, doc), 0);
		assert_int_equal(desired.policies[0].strategy, expected[i]);
		kdr_desired_release(&desired);
		free(doc);
	}
}

static void test_multi_document_stream(void **state)
{
	struct kdr_desired desired = { 0 };

	(void)state;
	assert_int_equal(parse_ok(&desired, "# a leading comment\n"
					    "---\n"
					    "---\n"
					    "# only a comment\n"
					    "---\n"
					    "apiVersion: kdr.io/v1alpha1\n"
					    "kind: KafkaCluster\n"
					    "metadata: {name: a}\n"
					    "spec: {bootstrapServers: a:9092}\n"
					    "...\n"
					    "---\n"
					    "~\n"
					    "--- {apiVersion: kdr.io/v1alpha1, kind: KafkaCluster, metadata: {name: b}, spec: "
					    "{bootstrapServers: b:9092}}\n"
					    "---\n"
					    "apiVersion: kdr.io/v1alpha1\n"
					    "kind: ReplicationFlow\n"
					    "metadata: {name: a-to-b}\n"
					    "spec: {source: a, target: b}\n"
					    "---\n"),
			 0);
	assert_int_equal(desired.n_clusters, 2);
	assert_string_equal(desired.clusters[0].meta.name, "a");
	assert_int_equal(desired.clusters[0].meta.line, 6);
	assert_string_equal(desired.clusters[1].meta.name, "b");
	assert_int_equal(desired.clusters[1].meta.line, 13);
	assert_int_equal(desired.clusters[1].meta.col, 5);
	assert_int_equal(desired.n_flows, 1);
	assert_int_equal(desired.flows[0].meta.line, 15);
	assert_non_null(kdr_desired_flow(&desired, "a-to-b"));
	kdr_desired_release(&desired);
}

static void test_empty_inputs(void **state)
{
	struct kdr_desired desired = { 0 };

	(void)state;
	assert_int_equal(parse_ok(&desired, ""), 0);
	assert_int_equal(parse_ok(&desired, "\n\n# nothing\n"), 0);
	assert_int_equal(parse_ok(&desired, "---\n...\n"), 0);
	assert_int_equal(desired.n_clusters + desired.n_flows + desired.n_policies, 0);
	kdr_desired_release(&desired);
}

static void test_kubectl_yaml_metadata_is_accepted(void **state)
{
	struct kdr_desired desired = { 0 };

	(void)state;
	assert_int_equal(parse_ok(&desired, "apiVersion: kdr.io/v1alpha1\n"
					    "kind: KafkaCluster\n"
					    "metadata:\n"
					    "  name: a\n"
					    "  namespace: kafka\n"
					    "  generation: 7\n"
					    "  resourceVersion: \"4711\"\n"
					    "  uid: 0b6c0c5e-1d4c-4b9e-9d5e-0c7e3f0b8a11\n"
					    "  creationTimestamp: \"2024-05-01T10:00:00Z\"\n"
					    "  managedFields: [{manager: kubectl, operation: Apply}]\n"
					    "  finalizers: [kdr.io/finalizer]\n"
					    "spec: {bootstrapServers: a:9092}\n"
					    "status:\n"
					    "  observedGeneration: 7\n"
					    "  conditions: [{type: Ready, status: \"True\"}]\n"),
			 0);
	assert_int_equal(desired.clusters[0].meta.generation, 7);
	assert_string_equal(desired.clusters[0].meta.namespace, "kafka");
	kdr_desired_release(&desired);
}

static void assert_located(const struct kdr_meta *meta, const char *path, unsigned line, unsigned col)
{
	struct kdr_loc loc = { NULL, 0, 0 };

	kdr_meta_locate(&loc, meta, path);
	if (loc.line != line || loc.col != col)
		fail_msg("%s: at %u:%u, expected %u:%u", path, loc.line, loc.col, line, col);
}

static void test_positions(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_meta *meta = NULL;

	(void)state;
	assert_int_equal(parse_ok(&desired, full_policy), 0);
	meta = &desired.policies[0].meta;
	/* Scalars at their value, block collections at their key, list items at the item. */
	assert_located(meta, "apiVersion", 1, 13);
	assert_located(meta, "metadata", 3, 1);
	assert_located(meta, "metadata.name", 4, 9);
	assert_located(meta, "spec", 5, 1);
	assert_located(meta, "spec.clusters", 6, 3);
	assert_located(meta, "spec.clusters[1]", 6, 23);
	assert_located(meta, "spec.topics", 7, 3);
	assert_located(meta, "spec.topics[0]", 8, 7);
	assert_located(meta, "spec.topics[0].partitions", 9, 19);
	assert_located(meta, "spec.topics[0].config.cleanup.policy", 11, 32);
	assert_located(meta, "spec.topics[2]", 13, 7);
	assert_located(meta, "spec.partitions", 15, 15);
	assert_located(meta, "spec.config.min.insync.replicas", 18, 26);
	assert_located(meta, "spec.placement.strategy", 24, 15);
	assert_located(meta, "spec.placement.assignments.orders", 28, 7);
	assert_located(meta, "spec.placement.assignments.orders[1]", 28, 27);
	assert_located(meta, "spec.placement.assignments.orders[1][2]", 28, 34);
	assert_located(meta, "spec.placement.assignments.events[0]", 30, 11);
	assert_located(meta, "spec.tiering.retention", 31, 59);
	/* Not written: the nearest parent that was. */
	assert_located(meta, "spec.topics[1].partitions", 12, 7);
	assert_located(meta, "spec.heartbeats", 5, 1);
	kdr_desired_release(&desired);
}

static void test_string_forms(void **state)
{
	struct kdr_desired desired = { 0 };
	const struct kdr_policy *policy = NULL;

	(void)state;
	/* Quoted, block and !!str scalars are strings; scalars in a list of strings keep their text. */
	assert_int_equal(parse_ok(&desired, "apiVersion: kdr.io/v1alpha1\n"
					    "kind: TopicPolicy\n"
					    "metadata: {name: \"p\"}\n"
					    "spec:\n"
					    "  clusters: [a, 'b', \"c\", 1, true, !!str d]\n"
					    "  match: |-\n"
					    "    multi\n"
					    "  config:\n"
					    "    a: >-\n"
					    "      folded\n"
					    "      text\n"
					    "    b: 1.5\n"
					    "    c: \"\"\n"
					    "    d: !!str 3\n"),
			 0);
	policy = &desired.policies[0];
	assert_int_equal(policy->clusters.n, 6);
	assert_string_equal(policy->clusters.v[1], "b");
	assert_string_equal(policy->clusters.v[3], "1");
	assert_string_equal(policy->clusters.v[4], "true");
	assert_string_equal(policy->clusters.v[5], "d");
	assert_string_equal(policy->match, "multi");
	assert_string_equal(kdr_strmap_get(&policy->config, "a"), "folded text");
	assert_string_equal(kdr_strmap_get(&policy->config, "b"), "1.5");
	assert_string_equal(kdr_strmap_get(&policy->config, "c"), "");
	assert_string_equal(kdr_strmap_get(&policy->config, "d"), "3");
	kdr_desired_release(&desired);
}

static void test_integer_edges(void **state)
{
	struct kdr_desired desired = { 0 };

	(void)state;
	/* Range is validation's business: negative and extreme values parse. */
	assert_int_equal(parse_ok(&desired, "apiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata: {name: p}\n"
					    "spec:\n"
					    "  clusters: [a]\n"
					    "  partitions: 9223372036854775807\n"
					    "  replicationFactor: -9223372036854775808\n"
					    "  topics: [{name: t, partitions: 0, replicationFactor: -1}]\n"
					    "  placement: {assignments: {t: [[2147483647, -2147483648, 0]]}}\n"),
			 0);
	assert_int_equal(desired.policies[0].partitions, INT64_MAX);
	assert_int_equal(desired.policies[0].replication_factor, INT64_MIN);
	assert_int_equal(desired.policies[0].topics[0].partitions, 0);
	assert_int_equal(desired.policies[0].topics[0].replication_factor, -1);
	assert_int_equal(desired.policies[0].assignments[0].assignment.partitions[0].ids[0], INT32_MAX);
	assert_int_equal(desired.policies[0].assignments[0].assignment.partitions[0].ids[1], INT32_MIN);
	kdr_desired_release(&desired);
}

/* --- directories --- */

static void write_file(const char *dir, const char *name, const char *content)
{
	char *path = kdr_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(path);
}

static void make_dir(const char *dir, const char *name)
{
	char *path = kdr_asprintf("%s/%s", dir, name);

	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
}

static char *cluster_doc(const char *name)
{
	return kdr_asprintf("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: %s}\n"
			    "spec: {bootstrapServers: %s:9092}\n",
			    name, name);
}

static void write_cluster(const char *dir, const char *file, const char *name)
{
	char *doc = cluster_doc(name);

	write_file(dir, file, doc);
	free(doc);
}

static void remove_tree(const char *path)
{
	char *cmd = kdr_asprintf("rm -rf '%s'", path);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_load_dir_sorted_recursive(void **state)
{
	char dir[] = "/tmp/kdr-spec-test-XXXXXX";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	static const char *const order[] = { "a", "b", "c", "d", "e", "f" };
	char *link_target = NULL, *link_path = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	make_dir(dir, "sub");
	make_dir(dir, "sub/deeper");
	make_dir(dir, ".git");
	make_dir(dir, ".hidden-dir");
	make_dir(dir, "z-last");
	/* Written out of order: the result follows the sorted paths. */
	write_cluster(dir, "z-last/x.yaml", "f");
	write_cluster(dir, "sub/deeper/c.yaml", "d");
	write_cluster(dir, "sub/b.yml", "c");
	write_cluster(dir, "sub/e.yaml", "e");
	write_cluster(dir, "a.yaml", "a");
	write_cluster(dir, "b.yaml", "b");
	/* Not read: hidden files and dirs, other extensions, upper case. */
	write_cluster(dir, ".hidden.yaml", "hidden1");
	write_cluster(dir, ".git/config.yaml", "hidden2");
	write_cluster(dir, ".hidden-dir/x.yaml", "hidden3");
	write_cluster(dir, "notes.txt", "txt");
	write_cluster(dir, "UPPER.YAML", "upper");
	write_cluster(dir, "backup.yaml~", "backup");
	/* A symlink loop does not loop. */
	link_target = kdr_asprintf("%s/sub", dir);
	link_path = kdr_asprintf("%s/sub/deeper/loop", dir);
	assert_int_equal(symlink(link_target, link_path), 0);

	assert_int_equal(kdr_spec_load_dir(&desired, dir, &diags), 0);
	assert_no_diags(&diags);
	/* sub/deeper/loop -> sub is a directory already being read: skipped. */
	assert_int_equal(desired.n_clusters, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(desired.clusters[i].meta.name, order[i]);
	free(link_target);
	free(link_path);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	remove_tree(dir);
}

static void test_load_dir_exact_order_and_file_labels(void **state)
{
	char dir[] = "/tmp/kdr-spec-test-XXXXXX";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *expected = NULL, *line = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	make_dir(dir, "b");
	write_cluster(dir, "b/one.yaml", "b-one");
	write_cluster(dir, "a.yml", "a");
	write_cluster(dir, "b.yaml", "b");
	write_cluster(dir, "c.yaml", "c");
	write_file(dir, "b/two.yaml", "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: b-two}\n"
				      "spec: {bootstrapServer: x}\n");

	assert_int_equal(kdr_spec_load_dir(&desired, dir, &diags), KDR_EINVALID);
	assert_int_equal(desired.n_clusters, 5);
	/* strcmp order of the paths: "b.yaml" < "b/one.yaml" ('.' < '/'). */
	assert_string_equal(desired.clusters[0].meta.name, "a");
	assert_string_equal(desired.clusters[1].meta.name, "b");
	assert_string_equal(desired.clusters[2].meta.name, "b-one");
	assert_string_equal(desired.clusters[3].meta.name, "b-two");
	assert_string_equal(desired.clusters[4].meta.name, "c");
	expected = kdr_asprintf("%s/b/one.yaml", dir);
	assert_string_equal(desired.clusters[2].meta.file, expected);
	free(expected);

	assert_int_equal(diags.n, 2);
	line = kdr_diag_format(&diags.v[0]);
	expected = kdr_asprintf("%s/b/two.yaml:4:8: error: spec.bootstrapServer: unknown field "
				"(did you mean 'bootstrapServers'?)",
				dir);
	assert_string_equal(line, expected);
	free(line);
	free(expected);
	line = kdr_diag_format(&diags.v[1]);
	expected = kdr_asprintf("%s/b/two.yaml:4:7: error: spec.bootstrapServers: required field is missing", dir);
	assert_string_equal(line, expected);
	free(line);
	free(expected);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	remove_tree(dir);
}

static void test_load_errors(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *line = NULL;
	char dir[] = "/tmp/kdr-spec-test-XXXXXX";
	char *file = NULL;

	(void)state;
	assert_int_equal(kdr_spec_load_dir(&desired, "/nonexistent/kdr", &diags), KDR_EIO);
	assert_int_equal(kdr_spec_load_file(&desired, "/nonexistent/kdr.yaml", &diags), KDR_EIO);
	assert_int_equal(diags.n, 2);
	line = kdr_diag_format(&diags.v[0]);
	assert_string_equal(line, "/nonexistent/kdr: error: cannot open directory: No such file or directory");
	free(line);
	line = kdr_diag_format(&diags.v[1]);
	assert_string_equal(line, "/nonexistent/kdr.yaml: error: cannot open: No such file or directory");
	free(line);
	kdr_diags_release(&diags);

	/* A file given where a directory is expected is read as a directory of one. */
	assert_non_null(mkdtemp(dir));
	write_cluster(dir, "one.yaml", "one");
	file = kdr_asprintf("%s/one.yaml", dir);
	assert_int_equal(kdr_spec_load_dir(&desired, file, &diags), 0);
	assert_int_equal(kdr_spec_load_file(&desired, file, &diags), 0);
	assert_int_equal(desired.n_clusters, 2);
	assert_int_equal(diags.n, 0);
	free(file);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	remove_tree(dir);
}

/*
 * issue 14 item 5: a directory source stays inside its directory. A symlink
 * to a file outside is refused (its text would be parsed and quoted in
 * errors), one inside is read; a FIFO named *.yaml is skipped with a warning;
 * a FIFO given as the source is refused at once instead of blocking.
 */
static void on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "kdr_spec_load_* blocked on a FIFO\n");
	_exit(3);
}

static void test_dir_source_stays_inside_its_directory(void **state)
{
	char dir[] = "/tmp/kdr-spec-test-XXXXXX";
	char outside[] = "/tmp/kdr-spec-outside-XXXXXX";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *path = NULL, *target = NULL, *text = NULL;
	struct kdr_buf all = KDR_BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(outside));
	write_file(outside, "secret", "s3cr3t-t0ken-value: not yaml for kdr\n");
	make_dir(dir, "sub");
	write_cluster(dir, "sub/real.yaml", "inside");
	write_cluster(dir, "a.yaml", "a");
	/* leak.yaml -> OUTSIDE/secret */
	target = kdr_asprintf("%s/secret", outside);
	path = kdr_asprintf("%s/leak.yaml", dir);
	assert_int_equal(symlink(target, path), 0);
	free(path);
	free(target);
	/* link.yaml -> sub/real.yaml (inside: read, once under each name) */
	path = kdr_asprintf("%s/link.yaml", dir);
	assert_int_equal(symlink("sub/real.yaml", path), 0);
	free(path);
	/* fifo.yaml: a FIFO */
	path = kdr_asprintf("%s/fifo.yaml", dir);
	assert_int_equal(mkfifo(path, 0600), 0);

	signal(SIGALRM, on_alarm);
	alarm(10);
	assert_int_equal(kdr_spec_load_dir(&desired, dir, &diags), KDR_EIO);
	for (size_t i = 0; i < diags.n; i++) {
		char *line = kdr_diag_format(&diags.v[i]);

		kdr_buf_printf(&all, "%s\n", line);
		free(line);
	}
	printf("%s", all.ptr);
	assert_null(strstr(all.ptr, "s3cr3t"));
	text = kdr_asprintf("%s/leak.yaml: error: a symbolic link to '%s/secret', outside the source directory; "
			    "refused\n",
			    dir, outside);
	assert_non_null(strstr(all.ptr, text));
	free(text);
	text = kdr_asprintf("%s/fifo.yaml: warning: not a regular file; skipped\n", dir);
	assert_non_null(strstr(all.ptr, text));
	free(text);
	kdr_buf_release(&all);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);

	/* The FIFO given as the source (file or "directory of one"): refused at once. */
	assert_int_equal(kdr_spec_load_dir(&desired, path, &diags), KDR_EIO);
	assert_int_equal(kdr_spec_load_file(&desired, path, &diags), KDR_EIO);
	alarm(0);
	assert_int_equal(diags.n, 2);
	text = kdr_diag_format(&diags.v[0]);
	assert_non_null(strstr(text, "not a regular file"));
	free(text);
	free(path);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	remove_tree(dir);
	remove_tree(outside);
}

/* --- the Kubernetes JSON form --- */

static void assert_strvec_equal(const struct kdr_strvec *a, const struct kdr_strvec *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void assert_value_equal(const struct kdr_value *a, const struct kdr_value *b)
{
	assert_value(a, b->kind, b->literal, b->ref, b->key);
}

static void assert_policy_equal(const struct kdr_policy *a, const struct kdr_policy *b)
{
	assert_string_equal(a->meta.name, b->meta.name);
	/* A Kubernetes object is named with its namespace ("TopicPolicy kafka/core"), a file's is not. */
	if (!a->meta.namespace == !b->meta.namespace)
		assert_string_equal(a->meta.object_ref, b->meta.object_ref);
	assert_strvec_equal(&a->clusters, &b->clusters);
	assert_int_equal(a->n_topics, b->n_topics);
	for (size_t i = 0; i < a->n_topics; i++) {
		assert_string_equal(a->topics[i].name, b->topics[i].name);
		assert_int_equal(a->topics[i].partitions, b->topics[i].partitions);
		assert_int_equal(a->topics[i].replication_factor, b->topics[i].replication_factor);
		assert_true(kdr_strmap_equal(&a->topics[i].config, &b->topics[i].config));
	}
	assert_string_equal(a->match, b->match);
	assert_int_equal(a->partitions, b->partitions);
	assert_int_equal(a->replication_factor, b->replication_factor);
	assert_true(kdr_strmap_equal(&a->config, &b->config));
	assert_int_equal(a->strategy, b->strategy);
	assert_string_equal(a->preferred_leader_datacenter, b->preferred_leader_datacenter);
	assert_int_equal(a->require_dc_loss_survival, b->require_dc_loss_survival);
	assert_int_equal(a->n_assignments, b->n_assignments);
	for (size_t i = 0; i < a->n_assignments; i++) {
		const struct kdr_assignment *x = &a->assignments[i].assignment, *y = &b->assignments[i].assignment;

		assert_string_equal(a->assignments[i].topic, b->assignments[i].topic);
		assert_int_equal(x->n, y->n);
		for (size_t p = 0; p < x->n; p++) {
			assert_int_equal(x->partitions[p].n, y->partitions[p].n);
			assert_memory_equal(x->partitions[p].ids, y->partitions[p].ids,
					    x->partitions[p].n * sizeof(int32_t));
		}
	}
	assert_memory_equal(&a->tiering, &b->tiering, sizeof(a->tiering));
	assert_int_equal(a->config_prune, b->config_prune);
	assert_int_equal(a->prune, b->prune);
}

static void test_json_policy_equals_yaml(void **state)
{
	static const char json[] =
		"{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"TopicPolicy\",\n"
		" \"metadata\": {\"name\": \"core\", \"namespace\": \"kafka\", \"generation\": 3,\n"
		"   \"resourceVersion\": \"991\", \"uid\": \"7d1c\", \"creationTimestamp\": \"2024-05-01T10:00:00Z\",\n"
		"   \"labels\": {\"team\": \"data\"}, \"annotations\": {\"x\": \"y\"},\n"
		"   \"managedFields\": [{\"manager\": \"kubectl\", \"fieldsV1\": {\"f:spec\": {}}}]},\n"
		" \"spec\": {\"clusters\": [\"dc-east\", \"dc-west\"],\n"
		"   \"topics\": [{\"name\": \"orders\", \"partitions\": 12, \"replicationFactor\": 4,\n"
		"                \"config\": {\"cleanup.policy\": \"compact\", \"max.message.bytes\": \"2097152\"}},\n"
		"              {\"name\": \"events\"}, \"users\"],\n"
		"   \"match\": \"payments\\\\..*\", \"partitions\": 6, \"replicationFactor\": 3,\n"
		"   \"config\": {\"min.insync.replicas\": 2, \"cleanup.policy\": \"delete\",\n"
		"              \"unclean.leader.election.enable\": false, \"retention.ms\": \"604800000\",\n"
		"              \"segment.ms\": \"0600\"},\n"
		"   \"placement\": {\"strategy\": \"static\", \"preferredLeaderDatacenter\": \"dc-east\",\n"
		"                 \"requireDcLossSurvival\": true,\n"
		"                 \"assignments\": {\"orders\": [[1, 2, 3], [2, 3, 1]], \"events\": [[3, 1, 2]]}},\n"
		"   \"tiering\": {\"enabled\": true, \"localRetention\": 86400000, \"retention\": \"30d\"},\n"
		"   \"configPrune\": true, \"prune\": true},\n"
		" \"status\": {\"observedGeneration\": 3, \"conditions\": [{\"type\": \"Ready\", \"status\": \"True\"}]}}\n";
	struct kdr_desired from_yaml = { 0 }, from_json = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	const struct kdr_policy *policy = NULL;

	(void)state;
	assert_int_equal(parse_ok(&from_yaml, full_policy), 0);
	assert_int_equal(kdr_spec_parse_json(&from_json, "topicpolicies/core", json, strlen(json), &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(from_json.n_policies, 1);
	policy = &from_json.policies[0];
	assert_policy_equal(policy, &from_yaml.policies[0]);
	/* Kubernetes objects have no file; they are named by kind and name. */
	assert_null(policy->meta.file);
	assert_int_equal(policy->meta.line, 0);
	assert_string_equal(policy->meta.namespace, "kafka");
	assert_int_equal(policy->meta.generation, 3);
	assert_true(policy->meta.n_positions > 0);
	kdr_diags_release(&diags);
	kdr_desired_release(&from_yaml);
	kdr_desired_release(&from_json);
}

static void test_json_cluster_and_flow_equal_yaml(void **state)
{
	static const char cluster_json[] =
		"{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"KafkaCluster\",\n"
		" \"metadata\": {\"name\": \"dc-east\", \"namespace\": \"kdr\", \"labels\": {\"team\": \"data\"},\n"
		"              \"annotations\": {\"note\": \"hello\"}},\n"
		" \"spec\": {\"bootstrapServers\": \"east-broker1:9092,east-broker2:9092\",\n"
		"   \"clientConfig\": {\"security.protocol\": \"SASL_SSL\", \"sasl.mechanism\": \"SCRAM-SHA-512\",\n"
		"     \"sasl.username\": \"kdr\", \"sasl.password\": {\"valueFrom\": {\"env\": \"EAST_PASSWORD\"}},\n"
		"     \"ssl.key.password\": {\"valueFrom\": {\"file\": \"/etc/kdr/key-password\"}},\n"
		"     \"sasl.oauthbearer.client.secret\": {\"valueFrom\": {\"secretKeyRef\":\n"
		"         {\"name\": \"east-creds\", \"key\": \"client-secret\"}}},\n"
		"     \"socket.timeout.ms\": 30000, \"enable.ssl.certificate.verification\": false},\n"
		"   \"connect\": {\"url\": \"https://connect-east:8083\",\n"
		"     \"auth\": {\"bearerToken\": {\"valueFrom\": {\"env\": \"CONNECT_TOKEN\"}}},\n"
		"     \"caFile\": \"/etc/kdr/connect-ca.pem\", \"insecureSkipVerify\": true},\n"
		"   \"datacenters\": {\"dc-east\": [\"east-1a\", \"east-1b\"], \"dc-west\": [\"west-1a\"]}}}\n";
	static const char flow_json[] =
		"{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"ReplicationFlow\",\n"
		" \"metadata\": {\"name\": \"east-to-west\"},\n"
		" \"spec\": {\"source\": \"dc-east\", \"target\": \"dc-west\",\n"
		"   \"topics\": [\"orders\", \"events\", \"users\"], \"topicsExclude\": [\"dc-west\\\\..*\"],\n"
		"   \"groups\": [\"app-.*\"], \"groupsExclude\": [\"console-.*\"], \"keepDefaultExcludes\": false,\n"
		"   \"replicationPolicy\": {\"type\": \"identity\", \"separator\": \"_\"},\n"
		"   \"replicationFactor\": 4, \"tasksMax\": 8, \"syncTopicConfigs\": false, \"syncTopicAcls\": true,\n"
		"   \"checkpoints\": {\"enabled\": false, \"intervalSeconds\": 30, \"syncGroupOffsets\": true,\n"
		"                   \"syncGroupOffsetsIntervalSeconds\": 15},\n"
		"   \"heartbeats\": {\"enabled\": false, \"intervalSeconds\": 5},\n"
		"   \"internalTopicsReplicationFactor\": 5,\n"
		"   \"connectorConfig\": {\"producer.override.compression.type\": \"zstd\",\n"
		"                       \"consumer.max.poll.records\": 500},\n"
		"   \"suspended\": true}}\n";
	struct kdr_desired y = { 0 }, j = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	const struct kdr_cluster *a = NULL, *b = NULL;
	const struct kdr_flow *f = NULL, *g = NULL;

	(void)state;
	assert_int_equal(parse_ok(&y, full_cluster), 0);
	assert_int_equal(parse_ok(&y, full_flow), 0);
	assert_int_equal(kdr_spec_parse_json(&j, "c", cluster_json, strlen(cluster_json), &diags), 0);
	assert_int_equal(kdr_spec_parse_json(&j, "f", flow_json, strlen(flow_json), &diags), 0);
	assert_no_diags(&diags);

	a = &y.clusters[0];
	b = &j.clusters[0];
	assert_string_equal(b->meta.object_ref, "KafkaCluster kdr/dc-east");
	assert_string_equal(a->bootstrap_servers, b->bootstrap_servers);
	assert_int_equal(a->client_config.n, b->client_config.n);
	for (size_t i = 0; i < a->client_config.n; i++) {
		assert_string_equal(a->client_config.v[i].key, b->client_config.v[i].key);
		assert_value_equal(&a->client_config.v[i].value, &b->client_config.v[i].value);
	}
	assert_int_equal(a->connect.present, b->connect.present);
	assert_string_equal(a->connect.url, b->connect.url);
	assert_int_equal(a->connect.auth_kind, b->connect.auth_kind);
	assert_value_equal(&a->connect.token, &b->connect.token);
	assert_string_equal(a->connect.ca_file, b->connect.ca_file);
	assert_int_equal(a->connect.insecure_skip_verify, b->connect.insecure_skip_verify);
	/* JSON object keys are read sorted; these happen to be sorted in the YAML too. */
	assert_int_equal(a->n_datacenters, b->n_datacenters);
	for (size_t i = 0; i < a->n_datacenters; i++) {
		assert_string_equal(a->datacenters[i].name, b->datacenters[i].name);
		assert_strvec_equal(&a->datacenters[i].racks, &b->datacenters[i].racks);
	}

	f = &y.flows[0];
	g = &j.flows[0];
	assert_string_equal(g->meta.object_ref, "ReplicationFlow/east-to-west");
	assert_string_equal(f->source, g->source);
	assert_string_equal(f->target, g->target);
	assert_strvec_equal(&f->topics, &g->topics);
	assert_strvec_equal(&f->topics_exclude, &g->topics_exclude);
	assert_strvec_equal(&f->groups, &g->groups);
	assert_strvec_equal(&f->groups_exclude, &g->groups_exclude);
	assert_int_equal(f->keep_default_excludes, g->keep_default_excludes);
	assert_int_equal(f->replication_policy, g->replication_policy);
	assert_string_equal(f->separator, g->separator);
	assert_int_equal(f->replication_factor, g->replication_factor);
	assert_int_equal(f->tasks_max, g->tasks_max);
	assert_int_equal(f->sync_topic_configs, g->sync_topic_configs);
	assert_int_equal(f->sync_topic_acls, g->sync_topic_acls);
	assert_int_equal(f->checkpoints_enabled, g->checkpoints_enabled);
	assert_int_equal(f->checkpoints_interval_seconds, g->checkpoints_interval_seconds);
	assert_int_equal(f->sync_group_offsets, g->sync_group_offsets);
	assert_int_equal(f->sync_group_offsets_interval_seconds, g->sync_group_offsets_interval_seconds);
	assert_int_equal(f->heartbeats_enabled, g->heartbeats_enabled);
	assert_int_equal(f->heartbeats_interval_seconds, g->heartbeats_interval_seconds);
	assert_int_equal(f->internal_topics_replication_factor, g->internal_topics_replication_factor);
	assert_true(kdr_strmap_equal(&f->connector_config, &g->connector_config));
	assert_int_equal(f->suspended, g->suspended);
	kdr_diags_release(&diags);
	kdr_desired_release(&y);
	kdr_desired_release(&j);
}

static void test_json_numbers_as_config_strings(void **state)
{
	static const char json[] = "{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"TopicPolicy\",\n"
				   " \"metadata\": {\"name\": \"p\"}, \"spec\": {\"clusters\": [\"a\"],\n"
				   " \"config\": {\"a\": 1.5, \"b\": 2.0, \"c\": 1e300, \"d\": -7, \"e\": null}}}";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *line = NULL;

	(void)state;
	assert_int_equal(kdr_spec_parse_json(&desired, "p", json, strlen(json), &diags), KDR_EINVALID);
	assert_string_equal(kdr_strmap_get(&desired.policies[0].config, "a"), "1.5");
	assert_string_equal(kdr_strmap_get(&desired.policies[0].config, "b"), "2.0");
	assert_string_equal(kdr_strmap_get(&desired.policies[0].config, "c"), "1e+300");
	assert_string_equal(kdr_strmap_get(&desired.policies[0].config, "d"), "-7");
	assert_int_equal(diags.n, 1);
	line = kdr_diag_format(&diags.v[0]);
	assert_string_equal(line, "TopicPolicy/p: error: spec.config.e: found null, expected a string, number or boolean");
	free(line);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

static void test_examples_parse(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	/* The example topology the demo applies must always parse (warnings, e.g. a non-kdr file, are fine). */
	assert_int_equal(kdr_spec_load_dir(&desired, KDR_SOURCE_DIR "/examples", &diags), 0);
	if (diags.errors) {
		kdr_diags_print(&diags, stdout);
		fail_msg("examples/ has %zu error(s)", diags.errors);
	}
	assert_true(desired.n_clusters > 0);
	assert_true(desired.n_flows > 0);
	assert_true(desired.n_policies > 0);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cluster_every_field),
		cmocka_unit_test(test_cluster_basic_auth_and_minimal),
		cmocka_unit_test(test_flow_every_field),
		cmocka_unit_test(test_flow_defaults),
		cmocka_unit_test(test_flow_empty_topics_list_replaces_default),
		cmocka_unit_test(test_policy_every_field),
		cmocka_unit_test(test_policy_defaults_and_durations),
		cmocka_unit_test(test_every_strategy),
		cmocka_unit_test(test_multi_document_stream),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_kubectl_yaml_metadata_is_accepted),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_string_forms),
		cmocka_unit_test(test_integer_edges),
		cmocka_unit_test(test_load_dir_sorted_recursive),
		cmocka_unit_test(test_load_dir_exact_order_and_file_labels),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_dir_source_stays_inside_its_directory),
		cmocka_unit_test(test_json_policy_equals_yaml),
		cmocka_unit_test(test_json_cluster_and_flow_equal_yaml),
		cmocka_unit_test(test_json_numbers_as_config_strings),
		cmocka_unit_test(test_examples_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
