/*
 * pkg/spec, invalid documents: every class of error with its exact
 * diagnostic line (file:line:col or KIND/NAME, field path, what was found,
 * what is allowed), all errors reported, and never a secret in a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* Prints line `line` of `text` and a caret under column `col`, to make a failure readable. */
static void show_position(const char *text, unsigned line, unsigned col)
{
	const char *start = text;
	size_t len = 0;

	for (unsigned i = 1; i < line && start; i++) {
		start = strchr(start, '\n');
		if (start)
			start++;
	}
	if (!start || line == 0)
		return;
	len = strcspn(start, "\n");
	printf("      | %.*s\n      | %*s^\n", (int)len, start, (int)(col ? col - 1 : 0), "");
}

/* The source shown under each diagnostic when a comparison fails (NULL: none). */
static const char *current_source;

/* Compares every diagnostic line with `expected` (NULL-terminated), in order. */
static void check_diags(const struct kdr_diags *diags, const char *const *expected)
{
	size_t n = 0;
	bool same = true;

	while (expected[n])
		n++;
	same = diags->n == n;
	for (size_t i = 0; same && i < n; i++) {
		char *line = kdr_diag_format(&diags->v[i]);

		same = strcmp(line, expected[i]) == 0;
		free(line);
	}
	if (!same) {
		printf("expected:\n");
		for (size_t i = 0; i < n; i++)
			printf("  %s\n", expected[i]);
		printf("got:\n");
		for (size_t i = 0; i < diags->n; i++) {
			char *line = kdr_diag_format(&diags->v[i]);

			unsigned l = 0, c = 0;
			const char *where = diags->v[i].where ? strchr(diags->v[i].where, ':') : NULL;

			printf("  %s\n", line);
			free(line);
			if (current_source && where && sscanf(where, ":%u:%u", &l, &c) == 2)
				show_position(current_source, l, c);
		}
		fail_msg("diagnostics differ");
	}
}

static void expect_yaml_in(struct kdr_desired *desired, const char *file, const char *yaml,
			   const char *const *expected)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_spec_parse_yaml(desired, file, yaml, strlen(yaml), &diags);

	current_source = yaml;
	check_diags(&diags, expected);
	current_source = NULL;
	assert_int_equal(rc, diags.errors ? KDR_EINVALID : 0);
	kdr_diags_release(&diags);
}

static void expect_yaml_file(const char *file, const char *yaml, const char *const *expected)
{
	struct kdr_desired desired = { 0 };

	expect_yaml_in(&desired, file, yaml, expected);
	kdr_desired_release(&desired);
}

static void expect_json(const char *label, const char *json, const char *const *expected)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_spec_parse_json(&desired, label, json, strlen(json), &diags);

	check_diags(&diags, expected);
	assert_int_equal(rc, diags.errors ? KDR_EINVALID : 0);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

#define EXPECT_YAML(yaml, ...) expect_yaml_file("x.yaml", yaml, (const char *const[]){ __VA_ARGS__, NULL })
#define EXPECT_JSON(label, json, ...) expect_json(label, json, (const char *const[]){ __VA_ARGS__, NULL })

#define HEAD(kind) "apiVersion: kdr.io/v1alpha1\nkind: " kind "\nmetadata: {name: x}\n"

static void test_enum_did_you_mean(void **state)
{
	(void)state;
	expect_yaml_file("examples/bad.yaml",
			 "# A policy with a typo in its placement strategy.\n"
			 "apiVersion: kdr.io/v1alpha1\n"
			 "kind: TopicPolicy\n"
			 "metadata:\n"
			 "  name: core\n"
			 "spec:\n"
			 "  clusters: [dc-east]\n"
			 "  topics:\n"
			 "    - name: orders\n"
			 "  placement:\n"
			 "    preferredLeaderDatacenter: dc-east\n"
			 "    strategy: rackaware\n",
			 (const char *const[]){ "examples/bad.yaml:12:15: error: spec.placement.strategy: found "
						"'rackaware', allowed: any, rack-aware, cross-dc, static (did you mean "
						"'rack-aware'?)",
						NULL });
	EXPECT_YAML(HEAD("TopicPolicy") "spec: {clusters: [a], placement: {strategy: Static}}\n",
		    "x.yaml:4:45: error: spec.placement.strategy: found 'Static', allowed: any, rack-aware, cross-dc, "
		    "static (did you mean 'static'?)");
	EXPECT_YAML(HEAD("TopicPolicy") "spec: {clusters: [a], placement: {strategy: spread}}\n",
		    "x.yaml:4:45: error: spec.placement.strategy: found 'spread', allowed: any, rack-aware, cross-dc, "
		    "static");
	EXPECT_YAML(HEAD("ReplicationFlow") "spec: {source: a, target: b, replicationPolicy: {type: identiy}}\n",
		    "x.yaml:4:56: error: spec.replicationPolicy.type: found 'identiy', allowed: default, identity "
		    "(did you mean 'identity'?)");
	EXPECT_YAML(HEAD("TopicPolicy") "spec: {clusters: [a], placement: {strategy: [static]}}\n",
		    "x.yaml:4:45: error: spec.placement.strategy: found a list, allowed: any, rack-aware, cross-dc, "
		    "static");
}

static void test_unknown_fields(void **state)
{
	(void)state;
	EXPECT_YAML("kind: TopicPolicy\n"
		    "apiVersion: kdr.io/v1alpha1\n"
		    "spec:\n"
		    "  replicationFactr: 3\n"
		    "  clusters: [a]\n"
		    "metadata: {name: p}\n",
		    "x.yaml:4:3: error: spec.replicationFactr: unknown field (did you mean 'replicationFactor'?)");
	EXPECT_YAML(HEAD("KafkaCluster") "spec:\n  bootstrapServers: a:9092\n  color: blue\n",
		    "x.yaml:6:3: error: spec.color: unknown field, allowed: bootstrapServers, clientConfig, connect, "
		    "datacenters");
	EXPECT_YAML(HEAD("ReplicationFlow") "spec:\n"
					    "  source: a\n"
					    "  target: b\n"
					    "  checkpoints: {enabled: true, interval: 5}\n"
					    "  heartbeat: {enabled: true}\n",
		    "x.yaml:7:32: error: spec.checkpoints.interval: unknown field, allowed: enabled, intervalSeconds, "
		    "syncGroupOffsets, syncGroupOffsetsIntervalSeconds",
		    "x.yaml:8:3: error: spec.heartbeat: unknown field (did you mean 'heartbeats'?)");
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: a, lables: {}}\n"
		    "spec: {bootstrapServers: a}\nstatuss: {}\n",
		    "x.yaml:3:21: error: metadata.lables: unknown field (did you mean 'labels'?)",
		    "x.yaml:5:1: error: statuss: unknown field, allowed: apiVersion, kind, metadata, spec");
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n  clusters: [a]\n  topics: [{name: t, partition: 3}]\n",
		    "x.yaml:6:22: error: spec.topics[0].partition: unknown field (did you mean 'partitions'?)");
}

static void test_wrong_types(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n"
					"  clusters: {a: b}\n"
					"  partitions:  six\n"
					"  replicationFactor: [3]\n"
					"  match: {x: 1}\n"
					"  config: [a, b]\n"
					"  placement: rack-aware\n"
					"  tiering: true\n"
					"  topics: orders\n"
					"  prune: {}\n",
		    "x.yaml:5:13: error: spec.clusters: found a map, expected a list of strings",
		    "x.yaml:6:16: error: spec.partitions: found 'six', expected an integer",
		    "x.yaml:7:22: error: spec.replicationFactor: found a list, expected an integer",
		    "x.yaml:8:10: error: spec.match: found a map, expected a string",
		    "x.yaml:9:11: error: spec.config: found a list, expected a map of strings",
		    "x.yaml:10:14: error: spec.placement: found 'rack-aware', expected a map {strategy, "
		    "preferredLeaderDatacenter, requireDcLossSurvival, assignments, fallback}",
		    "x.yaml:11:12: error: spec.tiering: found 'true', expected a map {enabled, localRetention, retention}",
		    "x.yaml:12:11: error: spec.topics: found 'orders', expected a list of topics",
		    "x.yaml:13:10: error: spec.prune: found a map, expected true or false");
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n"
					"  clusters: [a, [b], {c: d}, ~]\n"
					"  topics: [[t], 7, ~]\n"
					"  config: {a: {b: c}, d: [e], f: }\n",
		    "x.yaml:5:17: error: spec.clusters[1]: found a list, expected a string",
		    "x.yaml:5:22: error: spec.clusters[2]: found a map, expected a string",
		    "x.yaml:5:30: error: spec.clusters[3]: found null, expected a string",
		    "x.yaml:6:12: error: spec.topics[0]: found a list, expected a topic name or a map {name, "
		    "partitions, replicationFactor, config}",
		    "x.yaml:6:20: error: spec.topics[2]: found null, expected a topic name or a map {name, partitions, "
		    "replicationFactor, config}",
		    "x.yaml:7:15: error: spec.config.a: found a map, expected a string, number or boolean",
		    "x.yaml:7:26: error: spec.config.d: found a list, expected a string, number or boolean",
		    "x.yaml:7:34: error: spec.config.f: found an empty value, expected a string, number or boolean");
	EXPECT_YAML(HEAD("KafkaCluster") "spec:\n"
					 "  bootstrapServers: a\n"
					 "  datacenters: [dc-a]\n"
					 "  connect: http://connect:8083\n"
					 "  clientConfig: [x]\n",
		    "x.yaml:6:16: error: spec.datacenters: found a list, expected a map of datacenter -> list of racks",
		    "x.yaml:7:12: error: spec.connect: found 'http://connect:8083', expected a map {url, auth, caFile, "
		    "insecureSkipVerify}",
		    "x.yaml:8:17: error: spec.clientConfig: found a list, expected a map of librdkafka properties");
	EXPECT_YAML(HEAD("KafkaCluster") "spec:\n"
					 "  bootstrapServers: a\n"
					 "  datacenters: {dc-a: rack-1, dc-b: ~, dc-c: [[r]]}\n",
		    "x.yaml:6:23: error: spec.datacenters.dc-a: found 'rack-1', expected a list of strings",
		    "x.yaml:6:37: error: spec.datacenters.dc-b: found null, expected a list of racks",
		    "x.yaml:6:47: error: spec.datacenters.dc-c[0]: found a list, expected a string");
	/* A document that is not a map at all. */
	EXPECT_YAML("- apiVersion: kdr.io/v1alpha1\n",
		    "x.yaml:1:1: error: found a list, expected a map {apiVersion, kind, metadata, spec}");
	EXPECT_YAML("just text\n", "x.yaml:1:1: error: found 'just text', expected a map {apiVersion, kind, metadata, "
				  "spec}");
}

static void test_assignments_types(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n"
					"  clusters: [a]\n"
					"  placement:\n"
					"    strategy: static\n"
					"    assignments:\n"
					"      a: [[1, 2, \"3\"], [2147483648], 4, [x, 1.0]]\n"
					"      b: [1, 2]\n"
					"      c: {0: [1]}\n",
		    "x.yaml:9:18: error: spec.placement.assignments.a[0][2]: found the string '3', expected an integer",
		    "x.yaml:9:25: error: spec.placement.assignments.a[1][0]: found '2147483648', expected an integer "
		    "from -2147483648 to 2147483647",
		    "x.yaml:9:38: error: spec.placement.assignments.a[2]: found '4', expected a list of broker ids, "
		    "e.g. [1, 2, 3]",
		    "x.yaml:9:42: error: spec.placement.assignments.a[3][0]: found 'x', expected an integer",
		    "x.yaml:9:45: error: spec.placement.assignments.a[3][1]: found '1.0', expected an integer",
		    "x.yaml:10:11: error: spec.placement.assignments.b[0]: found '1', expected a list of broker ids, "
		    "e.g. [1, 2, 3]",
		    "x.yaml:10:14: error: spec.placement.assignments.b[1]: found '2', expected a list of broker ids, "
		    "e.g. [1, 2, 3]",
		    "x.yaml:11:10: error: spec.placement.assignments.c: found a map, expected a list of replica lists, "
		    "e.g. [[1, 2, 3], [2, 3, 1]]");
	EXPECT_YAML(HEAD("TopicPolicy") "spec: {clusters: [a], placement: {assignments: [[1]]}}\n",
		    "x.yaml:4:48: error: spec.placement.assignments: found a list, expected a map of topic -> a list of "
		    "replica lists, e.g. [[1, 2, 3], [2, 3, 1]]");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n"
					"  clusters: [a]\n"
					"  partitions: 3\n"
					"  config:\n"
					"    retention.ms: \"1\"\n"
					"    retention.ms: \"2\"\n"
					"  partitions: 4\n"
					"  placement: {assignments: {t: [[1]], t: [[2]]}}\n",
		    "x.yaml:9:5: error: spec.config.retention.ms: duplicate key (first at line 8, column 5)",
		    "x.yaml:10:3: error: spec.partitions: duplicate key (first at line 6, column 3)",
		    "x.yaml:11:39: error: spec.placement.assignments.t: duplicate key (first at line 11, column 29)");
	/* The first value is the one kept. */
	{
		struct kdr_desired desired = { 0 };

		expect_yaml_in(&desired, "x.yaml", HEAD("TopicPolicy") "spec: {clusters: [a], partitions: 3, partitions: 4}\n",
			       (const char *const[]){ "x.yaml:4:38: error: spec.partitions: duplicate key (first at line "
						      "4, column 23)",
						      NULL });
		assert_int_equal(desired.policies[0].partitions, 3);
		kdr_desired_release(&desired);
	}
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: a, name: b}\n"
		    "spec: {bootstrapServers: a, clientConfig: {x: 1, 'x': 2}, datacenters: {d: [r], d: [s]}}\n",
		    "x.yaml:3:21: error: metadata.name: duplicate key (first at line 3, column 12)",
		    "x.yaml:4:50: error: spec.clientConfig.x: duplicate key (first at line 4, column 44)",
		    "x.yaml:4:81: error: spec.datacenters.d: duplicate key (first at line 4, column 73)");
}

static void test_missing_required(void **state)
{
	(void)state;
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {namespace: x}\nspec: {}\n",
		    "x.yaml:3:11: error: metadata.name: required field is missing",
		    "x.yaml:4:7: error: spec.bootstrapServers: required field is missing");
	EXPECT_YAML(HEAD("ReplicationFlow") "spec:\n  topics: [a]\n",
		    "x.yaml:5:3: error: spec.source: required field is missing",
		    "x.yaml:5:3: error: spec.target: required field is missing");
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n  partitions: 3\n  topics: [{partitions: 1}, {name: ~}]\n",
		    "x.yaml:6:12: error: spec.topics[0].name: required field is missing",
		    "x.yaml:6:36: error: spec.topics[1].name: found null, expected a string",
		    "x.yaml:5:3: error: spec.clusters: required field is missing");
	EXPECT_YAML(HEAD("TopicPolicy"), "x.yaml:1:1: error: spec: required field is missing");
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nspec: {clusters: [a]}\n",
		    "x.yaml:1:1: error: metadata: required field is missing");
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nmetadata: {name: a}\nspec: {}\n",
		    "x.yaml:1:1: error: kind: required field is missing");
	EXPECT_YAML("kind: KafkaCluster\nmetadata: {name: a}\nspec: {bootstrapServers: a}\n",
		    "x.yaml:1:1: error: apiVersion: required field is missing");
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name:\nspec:\n",
		    "x.yaml:4:8: error: metadata.name: found an empty value, expected a string",
		    "x.yaml:5:6: error: spec: found an empty value, expected a map");
	EXPECT_YAML(HEAD("KafkaCluster") "spec:\n"
					 "  bootstrapServers: a\n"
					 "  connect:\n"
					 "    auth: {basic: {username: u}}\n",
		    "x.yaml:7:19: error: spec.connect.auth.basic.password: required field is missing",
		    "x.yaml:7:5: error: spec.connect.url: required field is missing");
}

static void test_api_version_and_kind(void **state)
{
	(void)state;
	EXPECT_YAML("apiVersion: kdr.io/v1\nkind: KafkaCluster\nmetadata: {name: a}\nspec: {bootstrapServers: a}\n",
		    "x.yaml:1:13: error: apiVersion: found 'kdr.io/v1', allowed: kdr.io/v1alpha1");
	EXPECT_YAML("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 1}\n",
		    "x.yaml:1:13: error: apiVersion: found 'apps/v1', allowed: kdr.io/v1alpha1",
		    "x.yaml:2:7: error: kind: found 'Deployment', allowed: KafkaCluster, ReplicationFlow, TopicPolicy, AccessPolicy");
	/* An unknown kind: its spec is not checked, nothing is added. */
	{
		struct kdr_desired desired = { 0 };

		expect_yaml_in(&desired, "x.yaml",
			       "apiVersion: kdr.io/v1alpha1\nkind: TopicPolcy\nmetadata: {name: a}\nspec: {what: ever}\n",
			       (const char *const[]){ "x.yaml:2:7: error: kind: found 'TopicPolcy', allowed: "
						      "KafkaCluster, ReplicationFlow, TopicPolicy, AccessPolicy (did you mean "
						      "'TopicPolicy'?)",
						      NULL });
		assert_int_equal(desired.n_clusters + desired.n_flows + desired.n_policies, 0);
		kdr_desired_release(&desired);
	}
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: Topic\nmetadata: {name: a}\nspecs: {}\n",
		    "x.yaml:2:7: error: kind: found 'Topic', allowed: KafkaCluster, ReplicationFlow, TopicPolicy, AccessPolicy",
		    "x.yaml:4:1: error: specs: unknown field (did you mean 'spec'?)");
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: replicationflow\nmetadata: {name: a}\n",
		    "x.yaml:2:7: error: kind: found 'replicationflow', allowed: KafkaCluster, ReplicationFlow, "
		    "TopicPolicy, AccessPolicy (did you mean 'ReplicationFlow'?)");
	/* YAML that is not a resource at all (a tool's config next to the documents) is skipped with a warning. */
	EXPECT_YAML("clusters:\n  - name: dc-east\n    brokers: 3\n",
		    "x.yaml:1:1: warning: not a kdr resource (no apiVersion or kind), skipped");
}

static void test_integers(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("ReplicationFlow") "spec:\n"
					    "  source: a\n"
					    "  target: b\n"
					    "  replicationFactor: 9223372036854775808\n"
					    "  tasksMax: -9223372036854775809\n"
					    "  internalTopicsReplicationFactor: 03\n"
					    "  checkpoints: {intervalSeconds: \"60\", syncGroupOffsetsIntervalSeconds: 1.5}\n"
					    "  heartbeats: {intervalSeconds: 0x10}\n",
		    "x.yaml:7:22: error: spec.replicationFactor: found '9223372036854775808', expected an integer from "
		    "-9223372036854775808 to 9223372036854775807",
		    "x.yaml:8:13: error: spec.tasksMax: found '-9223372036854775809', expected an integer from "
		    "-9223372036854775808 to 9223372036854775807",
		    "x.yaml:9:36: error: spec.internalTopicsReplicationFactor: found '03', expected an integer without "
		    "leading zeros",
		    "x.yaml:10:34: error: spec.checkpoints.intervalSeconds: found the string '60', expected an integer",
		    "x.yaml:10:73: error: spec.checkpoints.syncGroupOffsetsIntervalSeconds: found '1.5', expected an "
		    "integer",
		    "x.yaml:11:33: error: spec.heartbeats.intervalSeconds: found '0x10', expected an integer");
	EXPECT_YAML(HEAD("TopicPolicy") "spec: {clusters: [a], partitions: +3, replicationFactor: 1_000}\n",
		    "x.yaml:4:35: error: spec.partitions: found '+3', expected an integer",
		    "x.yaml:4:58: error: spec.replicationFactor: found '1_000', expected an integer");
}

static void test_booleans(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("ReplicationFlow") "spec:\n"
					    "  source: a\n"
					    "  target: b\n"
					    "  suspended: yes\n"
					    "  syncTopicConfigs: True\n"
					    "  syncTopicAcls: \"false\"\n"
					    "  keepDefaultExcludes: 1\n"
					    "  heartbeats: {enabled: on}\n",
		    "x.yaml:7:14: error: spec.suspended: found 'yes', expected true or false",
		    "x.yaml:8:21: error: spec.syncTopicConfigs: found 'True', expected true or false",
		    "x.yaml:9:18: error: spec.syncTopicAcls: found the string 'false', expected true or false",
		    "x.yaml:10:24: error: spec.keepDefaultExcludes: found '1', expected true or false",
		    "x.yaml:11:25: error: spec.heartbeats.enabled: found 'on', expected true or false");
}

static void test_durations(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n"
					"  clusters: [a]\n"
					"  tiering:\n"
					"    localRetention: 1.5h\n"
					"    retention: 1 d\n"
					"---\n" HEAD("TopicPolicy") "spec:\n"
					"  clusters: [a]\n"
					"  tiering: {localRetention: -1, retention: 106751991167301d}\n"
					"---\n" HEAD("TopicPolicy") "spec:\n"
					"  clusters: [a]\n"
					"  tiering: {localRetention: [1d], retention: true, enabled: 1d}\n",
		    "x.yaml:7:21: error: spec.tiering.localRetention: found '1.5h', expected a duration: digits with a "
		    "unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), or plain digits for milliseconds",
		    "x.yaml:8:16: error: spec.tiering.retention: found '1 d', expected a duration: digits with a unit "
		    "ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), plain digits for milliseconds, or -1 for infinite",
		    "x.yaml:15:29: error: spec.tiering.localRetention: found '-1', expected a duration: digits with a "
		    "unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), or plain digits for milliseconds",
		    "x.yaml:15:44: error: spec.tiering.retention: found '106751991167301d', expected a duration of at "
		    "most 9223372036854775807 ms",
		    "x.yaml:22:29: error: spec.tiering.localRetention: found a list, expected a duration: digits with a "
		    "unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), or plain digits for milliseconds",
		    "x.yaml:22:46: error: spec.tiering.retention: found 'true', expected a duration: digits with a unit "
		    "ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), plain digits for milliseconds, or -1 for infinite",
		    "x.yaml:22:61: error: spec.tiering.enabled: found '1d', expected true or false");
}

static void test_secret_references(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("KafkaCluster") "spec:\n"
					 "  bootstrapServers: a\n"
					 "  clientConfig:\n"
					 "    a: {valueFrom: {}}\n"
					 "    b: {valueFrom: {env: X, file: Y}}\n"
					 "    c: {valueFrom: {envv: X}}\n"
					 "    d: {valueFrom: {secretKeyRef: {name: s}}}\n"
					 "    e: {valueFrom: {env: X}, extra: 1}\n"
					 "    f: {value: x}\n"
					 "    g: {valueFrom: {env: [X]}}\n"
					 "    h: [x]\n",
		    "x.yaml:7:20: error: spec.clientConfig.a.valueFrom: expected one of env, file, secretKeyRef",
		    "x.yaml:8:20: error: spec.clientConfig.b.valueFrom: only one of env, file, secretKeyRef may be given",
		    "x.yaml:9:21: error: spec.clientConfig.c.valueFrom.envv: unknown field (did you mean 'env'?)",
		    "x.yaml:10:35: error: spec.clientConfig.d.valueFrom.secretKeyRef.key: required field is missing",
		    "x.yaml:11:30: error: spec.clientConfig.e.extra: unknown field, allowed: valueFrom",
		    "x.yaml:12:9: error: spec.clientConfig.f.value: unknown field, allowed: valueFrom",
		    "x.yaml:12:8: error: spec.clientConfig.f.valueFrom: required field is missing",
		    "x.yaml:13:26: error: spec.clientConfig.g.valueFrom.env: found a list, expected a string",
		    "x.yaml:14:8: error: spec.clientConfig.h: found a list, expected a string or {valueFrom: {env | "
		    "file | secretKeyRef}}");
	EXPECT_YAML(HEAD("KafkaCluster") "spec:\n"
					 "  bootstrapServers: a\n"
					 "  connect:\n"
					 "    url: http://c\n"
					 "    auth: {bearerToken: t, basic: {username: u, password: p}}\n"
					 "---\n" HEAD("KafkaCluster") "spec:\n"
					 "  bootstrapServers: a\n"
					 "  connect:\n"
					 "    url: http://c\n"
					 "    auth: {}\n"
					 "    insecureSkipVerify: maybe\n",
		    "x.yaml:8:11: error: spec.connect.auth: only one of bearerToken, basic may be given",
		    "x.yaml:17:11: error: spec.connect.auth: expected one of bearerToken, basic",
		    "x.yaml:18:25: error: spec.connect.insecureSkipVerify: found 'maybe', expected true or false");
}

static void test_no_secret_in_messages(void **state)
{
	static const char yaml[] = HEAD("KafkaCluster") "spec:\n"
							"  bootstrapServers: a\n"
							"  clientConfig:\n"
							"    sasl.password: {valueFrom: hunter2-secret}\n"
							"    sasl.jaas.config: {valueFrom: {env: {x: hunter2-secret}}}\n"
							"    ssl.key.pem: {valueFrom: {file: hunter2-secret, x: 1}}\n"
							"    client.id: {valueFrom: hunter2-secret}\n"
							"  connect:\n"
							"    url: http://c\n"
							"    auth:\n"
							"      bearerToken: {valueFrom: hunter2-secret}\n"
							"      basic: hunter2-secret\n"
							"---\n" HEAD("KafkaCluster") "spec:\n"
							"  bootstrapServers: a\n"
							"  connect: {url: http://c, auth: hunter2-secret}\n";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	assert_int_equal(kdr_spec_parse_yaml(&desired, "x.yaml", yaml, strlen(yaml), &diags), KDR_EINVALID);
	current_source = yaml;
	check_diags(&diags, (const char *const[]){
				    "x.yaml:7:32: error: spec.clientConfig.sasl.password.valueFrom: found a value, "
				    "expected a map {env, file, secretKeyRef}",
				    "x.yaml:8:41: error: spec.clientConfig.sasl.jaas.config.valueFrom.env: found a map, "
				    "expected a string",
				    "x.yaml:9:53: error: spec.clientConfig.ssl.key.pem.valueFrom.x: unknown field, "
				    "allowed: env, file, secretKeyRef",
				    "x.yaml:10:28: error: spec.clientConfig.client.id.valueFrom: found a value, expected a "
				    "map {env, file, secretKeyRef}",
				    "x.yaml:14:32: error: spec.connect.auth.bearerToken.valueFrom: found a value, "
				    "expected a map {env, file, secretKeyRef}",
				    "x.yaml:15:14: error: spec.connect.auth.basic: found a value, expected a map "
				    "{username, password}",
				    "x.yaml:14:7: error: spec.connect.auth: only one of bearerToken, basic may be given",
				    "x.yaml:22:34: error: spec.connect.auth: found a value, expected a map {bearerToken, "
				    "basic}",
				    NULL });
	for (size_t i = 0; i < diags.n; i++) {
		char *line = kdr_diag_format(&diags.v[i]);

		assert_null(strstr(line, "hunter2"));
		free(line);
	}
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

static void test_yaml_syntax_errors(void **state)
{
	(void)state;
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: a\nspec: {}\n",
		    "x.yaml:4:5: error: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at "
		    "line 3, column 11)");
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\n  kind: KafkaCluster\n",
		    "x.yaml:2:7: error: invalid YAML: mapping values are not allowed in this context");
	EXPECT_YAML("a: 'unterminated\n",
		    "x.yaml:2:1: error: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at "
		    "line 1, column 4)");
	EXPECT_YAML("a:\n\tb: 1\n", "x.yaml:2:1: error: invalid YAML: found character that cannot start any token "
				   "(while scanning for the next token at line 2, column 1)");
	EXPECT_YAML("a: \"\\xff\xff\"\n", "x.yaml:1:9: error: invalid YAML: invalid leading UTF-8 octet (byte 0xff)");
}

static void test_errors_after_a_broken_document(void **state)
{
	struct kdr_desired desired = { 0 };

	(void)state;
	/* A syntax error loses its own document only; the next one is still read and checked. */
	expect_yaml_in(&desired, "x.yaml",
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: KafkaCluster\n"
		       "metadata: {name: a}\n"
		       "spec: {bootstrapServers: a}\n"
		       "---\n"
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: KafkaCluster\n"
		       "metadata: {name: [b}\n"
		       "spec: {bootstrapServers: b}\n"
		       "---\n"
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: KafkaCluster\n"
		       "metadata: {name: c}\n"
		       "spec: {bootstrapServers: c, extra: 1}\n"
		       "---\n"
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: KafkaCluster\n"
		       "  metadata: {name: d}\n"
		       "---\n"
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: KafkaCluster\n"
		       "metadata: {name: e}\n"
		       "spec: {bootstrapServers: e}\n",
		       (const char *const[]){
			       "x.yaml:8:20: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
			       "sequence at line 8, column 18)",
			       "x.yaml:14:29: error: spec.extra: unknown field, allowed: bootstrapServers, clientConfig, "
			       "connect, datacenters",
			       "x.yaml:18:11: error: invalid YAML: mapping values are not allowed in this context",
			       NULL });
	assert_int_equal(desired.n_clusters, 3);
	assert_string_equal(desired.clusters[0].meta.name, "a");
	assert_string_equal(desired.clusters[1].meta.name, "c");
	assert_string_equal(desired.clusters[2].meta.name, "e");
	assert_int_equal(desired.clusters[2].meta.line, 20);
	kdr_desired_release(&desired);
}

static void test_all_errors_reported(void **state)
{
	struct kdr_desired desired = { 0 };

	(void)state;
	expect_yaml_in(&desired, "x.yaml",
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: TopicPolicy\n"
		       "metadata: {name: core}\n"
		       "spec:\n"
		       "  clusters: [dc-east]\n"
		       "  partitons: 6\n"
		       "  replicationFactor: three\n"
		       "  topics:\n"
		       "    - name: a\n"
		       "      partitions: x\n"
		       "    - name: b\n"
		       "      config: {retention.ms: [1]}\n"
		       "  placement: {strategy: rackaware}\n"
		       "  tiering: {enabled: yes}\n"
		       "---\n"
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: ReplicationFlow\n"
		       "metadata: {name: f}\n"
		       "spec: {source: a, tasksMax: many}\n",
		       (const char *const[]){
			       "x.yaml:6:3: error: spec.partitons: unknown field (did you mean 'partitions'?)",
			       "x.yaml:7:22: error: spec.replicationFactor: found 'three', expected an integer",
			       "x.yaml:10:19: error: spec.topics[0].partitions: found 'x', expected an integer",
			       "x.yaml:12:30: error: spec.topics[1].config.retention.ms: found a list, expected a string, "
			       "number or boolean",
			       "x.yaml:13:25: error: spec.placement.strategy: found 'rackaware', allowed: any, "
			       "rack-aware, cross-dc, static (did you mean 'rack-aware'?)",
			       "x.yaml:14:22: error: spec.tiering.enabled: found 'yes', expected true or false",
			       "x.yaml:19:29: error: spec.tasksMax: found 'many', expected an integer",
			       "x.yaml:19:7: error: spec.target: required field is missing",
			       NULL });
	/* Objects with errors are still added, so validation can report more. */
	assert_int_equal(desired.n_policies, 1);
	assert_int_equal(desired.policies[0].n_topics, 2);
	assert_int_equal(desired.n_flows, 1);
	kdr_desired_release(&desired);
}

static void test_anchors_aliases_tags(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n"
					"  clusters: &both [a, b]\n"
					"  config: &cfg {x: \"1\"}\n"
					"  topics:\n"
					"    - {name: t, config: *cfg}\n"
					"  match: !regex \"a.*\"\n"
					"  partitions: !!int 3\n",
		    "x.yaml:5:13: error: found the anchor 'both': anchors and aliases are not supported, kdr documents "
		    "must be explicit",
		    "x.yaml:6:11: error: found the anchor 'cfg': anchors and aliases are not supported, kdr documents "
		    "must be explicit",
		    "x.yaml:8:25: error: found the alias 'cfg': anchors and aliases are not supported, kdr documents "
		    "must be explicit",
		    "x.yaml:9:10: error: found the tag '!regex': YAML tags are not supported (except !!str), write the "
		    "value plainly",
		    "x.yaml:10:15: error: found the tag '!!int': YAML tags are not supported (except !!str), write the "
		    "value plainly");
	/* A merge key needs an alias: rejected the same way, and the document is still checked. */
	EXPECT_YAML(HEAD("KafkaCluster") "spec:\n  <<: *base\n  bootstrapServers: a\n",
		    "x.yaml:5:7: error: found the alias 'base': anchors and aliases are not supported, kdr documents "
		    "must be explicit",
		    "x.yaml:5:3: error: spec.<<: unknown field, allowed: bootstrapServers, clientConfig, connect, "
		    "datacenters");
}

static void test_odd_yaml(void **state)
{
	char deep[400] = "";

	(void)state;
	/* Complex keys, empty keys, NUL in a string, nesting past the limit. */
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n  clusters: [a]\n  ? [k]\n  : v\n  config: {\"\": x}\n",
		    "x.yaml:6:5: error: found a list as a map key, expected a string",
		    "x.yaml:8:12: error: spec.config: found an empty key");
	EXPECT_YAML(HEAD("TopicPolicy") "spec: {clusters: [\"a\\0b\"]}\n",
		    "x.yaml:4:19: error: found a NUL character in a string");
	strcpy(deep, HEAD("TopicPolicy") "spec: {clusters: [a], config: {x: ");
	for (int i = 0; i < 70; i++)
		strcat(deep, "[");
	for (int i = 0; i < 70; i++)
		strcat(deep, "]");
	strcat(deep, "}}\n");
	EXPECT_YAML(deep, "x.yaml:4:96: error: found nesting deeper than 64 levels");
	/* A long or multi-line value is shortened and kept on one line. */
	EXPECT_YAML(HEAD("TopicPolicy") "spec:\n"
					"  clusters: [a]\n"
					"  partitions: \"a very long value that goes on and on and on and on and on and on and "
					"on\"\n"
					"  replicationFactor: |\n"
					"    two\n"
					"    lines\n",
		    "x.yaml:6:15: error: spec.partitions: found the string 'a very long value that goes on and on and "
		    "on and on and on and o...', expected an integer",
		    "x.yaml:7:22: error: spec.replicationFactor: found the string 'two\\nlines\\n', expected an integer");
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1 = { 0, 0 };

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * issue 14 item 5: 200,000 unclosed '[' (400 KB) stop at the nesting error at
 * once: the rest of that document is not parsed (libyaml's simple-key scan is
 * quadratic in the flow depth: over 60 s before), the next document is still
 * checked. The time is printed, not asserted.
 */
static void test_deep_nesting_stops_at_the_first_error(void **state)
{
	size_t depth = 200000;
	const char *head = HEAD("TopicPolicy") "spec: {clusters: [a], config: {x: ";
	const char *next = "\n---\n" HEAD("KafkaCluster") "spec: {bootstrapServers: \"a:9092\", colour: red}\n";
	struct kdr_buf yaml = KDR_BUF_INIT;
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct timespec t0 = { 0, 0 };
	double yaml_s = 0, json_s = 0;

	(void)state;
	kdr_buf_puts(&yaml, head);
	for (size_t i = 0; i < depth; i++)
		kdr_buf_putc(&yaml, '[');
	kdr_buf_puts(&yaml, next);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(kdr_spec_parse_yaml(&desired, "x.yaml", yaml.ptr, yaml.len, &diags), KDR_EINVALID);
	yaml_s = seconds_since(&t0);
	check_diags(&diags, (const char *const[]){ "x.yaml:4:96: error: found nesting deeper than 64 levels",
						   "x.yaml:9:36: error: spec.colour: unknown field, allowed: "
						   "bootstrapServers, clientConfig, connect, datacenters",
						   NULL });
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);

	/* The same depth in the Kubernetes JSON form. */
	kdr_buf_reset(&yaml);
	kdr_buf_puts(&yaml, "{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"TopicPolicy\", \"metadata\": {\"name\": "
			    "\"x\"}, \"spec\": ");
	for (size_t i = 0; i < depth; i++)
		kdr_buf_putc(&yaml, '[');
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_not_equal(kdr_spec_parse_json(&desired, "topicpolicies/x", yaml.ptr, yaml.len, &diags), 0);
	json_s = seconds_since(&t0);
	assert_int_equal(diags.errors, 1);
	printf("# 200,000-deep '[': yaml %.3f s, json %.3f s (%zu bytes)\n", yaml_s, json_s, yaml.len);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	kdr_buf_release(&yaml);
}

static void test_json_errors(void **state)
{
	(void)state;
	EXPECT_JSON("topicpolicies/core",
		    "{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"TopicPolicy\", \"metadata\": {\"name\": \"core\"},\n"
		    " \"spec\": {\"clusters\": [\"a\"], \"partitions\": \"6\", \"replicationFactor\": 2.5,\n"
		    "          \"placement\": {\"strategy\": \"rackaware\"}, \"prune\": \"true\", \"topicz\": []}}",
		    "TopicPolicy/core: error: spec.partitions: found the string '6', expected an integer",
		    "TopicPolicy/core: error: spec.placement.strategy: found the string 'rackaware', allowed: any, "
		    "rack-aware, cross-dc, static (did you mean 'rack-aware'?)",
		    "TopicPolicy/core: error: spec.prune: found the string 'true', expected true or false",
		    "TopicPolicy/core: error: spec.replicationFactor: found '2.5', expected an integer",
		    "TopicPolicy/core: error: spec.topicz: unknown field (did you mean 'topics'?)");
	/* Without a usable name, the caller's label names the object. */
	EXPECT_JSON("watch event 12", "{\"kind\": \"KafkaCluster\", \"metadata\": {}, \"spec\": {}}",
		    "watch event 12: error: metadata.name: required field is missing",
		    "watch event 12: error: spec.bootstrapServers: required field is missing",
		    "watch event 12: error: apiVersion: required field is missing");
	EXPECT_JSON("x", "[1, 2]", "x: error: found a list, expected a map {apiVersion, kind, metadata, spec}");
	EXPECT_JSON("x", "{\"a\": \"hunter2-secret", "x: error: invalid JSON: premature end of input (line 1, column 21)");
	EXPECT_JSON("x", "{\"kind\": \"KafkaCluster\", \"kind\": \"KafkaCluster\"}",
		    "x: error: invalid JSON: duplicate object key (line 1, column 31)");
	EXPECT_JSON("x", "", "x: error: invalid JSON: '[' or '{' expected near end of file (line 1, column 0)");
	EXPECT_JSON("x", "{} {}", "x: error: invalid JSON: end of file expected (line 1, column 4)");
	EXPECT_JSON("x", "{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"KafkaCluster\", \"metadata\": {\"name\": "
			 "\"a\"}, \"spec\": {\"bootstrapServers\": \"a\", \"clientConfig\": {\"sasl.password\": "
			 "{\"valueFrom\": \"hunter2\"}}, \"connect\": null}}",
		    "KafkaCluster/a: error: spec.clientConfig.sasl.password.valueFrom: found a value, expected a map "
		    "{env, file, secretKeyRef}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_did_you_mean),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_assignments_types),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_api_version_and_kind),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_secret_references),
		cmocka_unit_test(test_no_secret_in_messages),
		cmocka_unit_test(test_yaml_syntax_errors),
		cmocka_unit_test(test_errors_after_a_broken_document),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_anchors_aliases_tags),
		cmocka_unit_test(test_odd_yaml),
		cmocka_unit_test(test_deep_nesting_stops_at_the_first_error),
		cmocka_unit_test(test_json_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
