/*
 * pkg/validate, AccessPolicy: Kafka's rules per grant (principal format,
 * operations per resource type from AclEntry.supportedOperations, the cluster
 * resource's name, no prefixed '*', topic names, hosts), cluster references,
 * and across policies: duplicates, allow/deny conflicts, a deny that makes
 * another policy's allow dead. Each diagnostic asserted exactly.
 */
#include "validate_helpers.h"

#define ACCESS(name) DOC "kind: AccessPolicy\nmetadata: {name: " name "}\nspec:\n"

static void test_valid_policies(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS ACCESS("billing")
		   "  clusters: [dc-east]\n"
		   "  grants:\n"
		   "    - principal: User:billing\n"
		   "      resource: {type: topic, name: orders}\n"
		   "      operations: [read, describe]\n"
		   "    - principal: User:billing\n"
		   "      resource: {type: group, name: billing-}\n"
		   "      pattern: prefixed\n"
		   "      operations: [read]\n"
		   "    - principal: User:billing\n"
		   "      resource: {type: cluster}\n"
		   "      operations: [idempotent-write]\n"
		   "      host: 10.1.2.3\n" ACCESS("ops")
		   "  grants:\n"
		   "    - principal: Group:ops\n"
		   "      resource: {type: topic, name: '*'}\n"
		   "      operations: [all]\n"
		   "      host: 'fd00::1'\n",
		   0, "");
}

/*
 * issue 12: a transactional-id grant is refused at validation, saying why
 * (before: a warning, then CreateAcls failed it mid-apply), naming the grant.
 */
static void test_transactional_id_grants_are_refused(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS ACCESS("billing")
		   "  grants:\n"
		   "    - principal: User:billing\n"
		   "      resource: {type: transactional-id, name: '*'}\n"
		   "      operations: [write, describe]\n",
		   KDR_EINVALID,
		   "t.yaml:20:24: error: spec.grants[0].resource.type: transactional-id grants cannot be applied by "
		   "this kdr: librdkafka 2.0.2 knows no resource type above 4 (Kafka's TRANSACTIONAL_ID is 5), so "
		   "CreateAcls could not send it; grant it outside kdr (kafka-acls.sh --transactional-id) and leave it "
		   "out of the AccessPolicy");
}

static void test_kafka_rules(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS ACCESS("bad")
		   "  grants:\n"
		   "    - principal: billing\n"                        /* 19 */
		   "      resource: {type: group, name: g}\n"
		   "      operations: [write, read, read]\n"            /* 21 */
		   "    - principal: 'User:'\n"                         /* 22 */
		   "      resource: {type: cluster, name: prod}\n"      /* 23 */
		   "      operations: [read]\n"                         /* 24 */
		   "    - principal: User:a\n"                          /* 25 */
		   "      resource: {type: topic, name: '*'}\n"
		   "      pattern: prefixed\n"                          /* 27 */
		   "      operations: []\n"                             /* 28 */
		   "    - principal: User:a\n"                          /* 29 */
		   "      resource: {type: topic, name: 'bad topic'}\n" /* 30 */
		   "      operations: [read]\n"
		   "      host: broker.example.com\n"                   /* 32 */
		   "    - principal: User:a\n"                          /* 33 */
		   "      resource: {type: transactional-id}\n"         /* 34 */
		   "      operations: [read]\n",                        /* 35 */
		   KDR_EINVALID,
		   "t.yaml:19:18: error: spec.grants[0].principal: 'billing' is not a principal; "
		   "expected Type:name, e.g. User:billing\n"
		   "t.yaml:21:20: error: spec.grants[0].operations[0]: 'write' is not an operation "
		   "on a group resource; Kafka allows: all, read, delete, describe, describe-configs, alter-configs\n"
		   "t.yaml:21:33: warning: spec.grants[0].operations[2]: 'read' is listed twice\n"
		   "t.yaml:22:18: error: spec.grants[1].principal: 'User:' is not a principal; "
		   "expected Type:name, e.g. User:billing\n"
		   "t.yaml:23:39: error: spec.grants[1].resource.name: 'prod': the cluster resource "
		   "is always named 'kafka-cluster' (or leave the name out)\n"
		   "t.yaml:24:20: error: spec.grants[1].operations[0]: 'read' is not an operation "
		   "on a cluster resource; Kafka allows: all, create, alter, describe, cluster-action, "
		   "describe-configs, alter-configs, idempotent-write\n"
		   "t.yaml:27:16: error: spec.grants[2].pattern: a prefixed pattern may not be '*' "
		   "(a literal '*' matches every topic)\n"
		   "t.yaml:28:7: error: spec.grants[2].operations: empty; name at least one "
		   "operation\n"
		   "t.yaml:30:37: error: spec.grants[3].resource.name: 'bad topic' is not a legal "
		   "topic name ([a-zA-Z0-9._-], 1..249, not '.' or '..')\n"
		   "t.yaml:32:13: error: spec.grants[3].host: 'broker.example.com' is not '*' or an "
		   "IP address (Kafka matches the client's address, never a host name)\n"
		   "t.yaml:34:7: error: spec.grants[4].resource: resource.name is required for a "
		   "transactional-id resource (use '*' for all)\n"
		   "t.yaml:35:20: error: spec.grants[4].operations[0]: 'read' is not an operation "
		   "on a transactional-id resource; Kafka allows: all, write, describe\n"
		   "t.yaml:34:24: error: spec.grants[4].resource.type: transactional-id grants cannot be applied by "
		   "this kdr: librdkafka 2.0.2 knows no resource type above 4 (Kafka's TRANSACTIONAL_ID is 5), so "
		   "CreateAcls could not send it; grant it outside kdr (kafka-acls.sh --transactional-id) and leave it "
		   "out of the AccessPolicy");
}

static void test_cluster_references(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS ACCESS("a")
		   "  clusters: [dc-est, dc-west, dc-west]\n"
		   "  grants: [{principal: User:a, resource: {type: topic, name: t}, operations: [read]}]\n" ACCESS("b")
		   "  clusters: []\n"
		   "  grants: [{principal: User:a, resource: {type: topic, name: t}, operations: [read]}]\n",
		   KDR_EINVALID,
		   "t.yaml:18:14: error: spec.clusters[0]: cluster 'dc-est' is not defined (did you "
		   "mean 'dc-east'?)\n"
		   "t.yaml:18:31: error: spec.clusters[2]: cluster 'dc-west' is listed twice (first as "
		   "spec.clusters[1])\n"
		   "t.yaml:25:3: error: spec.clusters: empty; list the clusters, or leave "
		   "spec.clusters out for all of them");
}

static void test_duplicates_conflicts_dead_allows(void **state)
{
	(void)state;
	check_yaml(TWO_CLUSTERS ACCESS("app")
		   "  grants:\n"
		   "    - principal: User:billing\n" /* 19: grants[0] */
		   "      resource: {type: topic, name: orders}\n"
		   "      operations: [read, write]\n"
		   "    - principal: User:billing\n" /* 22: grants[1] */
		   "      resource: {type: topic, name: payments.card}\n"
		   "      operations: [read]\n" ACCESS("lockdown")
		   "  clusters: [dc-west]\n"
		   "  grants:\n"
		   "    - principal: User:billing\n" /* 31: grants[0] */
		   "      resource: {type: topic, name: orders}\n"
		   "      operations: [read]\n"
		   "    - principal: User:billing\n" /* 34: grants[1] */
		   "      resource: {type: topic, name: orders}\n"
		   "      operations: [write]\n"
		   "      permission: deny\n"
		   "    - principal: 'User:*'\n" /* 38: grants[2] */
		   "      resource: {type: topic, name: payments.}\n"
		   "      pattern: prefixed\n"
		   "      operations: [all]\n"
		   "      permission: deny\n",
		   KDR_EINVALID,
		   "t.yaml:32:7: warning: spec.grants[0]: cluster 'dc-west': User:billing allow "
		   "read topic:orders is also declared by AccessPolicy/app grants[0] (t.yaml:19:7)\n"
		   "t.yaml:19:7: error: spec.grants[0]: cluster 'dc-west': User:billing allow write "
		   "topic:orders conflicts with the same binding denied by AccessPolicy/lockdown grants[1] "
		   "(t.yaml:35:7)\n"
		   "t.yaml:22:7: warning: spec.grants[1]: cluster 'dc-west': User:billing allow read "
		   "topic:payments.card has no effect: Kafka's DENY wins, and it is denied by AccessPolicy/lockdown "
		   "grants[2] (t.yaml:39:7)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_policies),
		cmocka_unit_test(test_transactional_id_grants_are_refused),
		cmocka_unit_test(test_kafka_rules),
		cmocka_unit_test(test_cluster_references),
		cmocka_unit_test(test_duplicates_conflicts_dead_allows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
