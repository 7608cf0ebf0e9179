/*
 * pkg/spec, the AccessPolicy kind: a full document decodes into the model
 * with its defaults; every schema error names file:line:col (or the JSON
 * object), the field, and a did-you-mean where one is close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spec/spec.h"
#include "util/error.h"

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

			printf("  %s\n", line);
			free(line);
		}
		fail_msg("diagnostics differ");
	}
}

static void expect_yaml(const char *yaml, const char *const *expected)
{
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_spec_parse_yaml(&desired, "x.yaml", yaml, strlen(yaml), &diags);

	check_diags(&diags, expected);
	assert_int_equal(rc, diags.errors ? KDR_EINVALID : 0);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

#define EXPECT_YAML(yaml, ...) expect_yaml(yaml, (const char *const[]){ __VA_ARGS__, NULL })
#define HEAD "apiVersion: kdr.io/v1alpha1\nkind: AccessPolicy\nmetadata: {name: billing-app}\n"

static void test_full_document(void **state)
{
	static const char yaml[] = HEAD "spec:\n"
					"  clusters: [dc-east]\n"
					"  grants:\n"
					"    - principal: \"User:billing\"\n"
					"      resource: {type: topic, name: orders}\n"
					"      operations: [read, describe]\n"
					"    - principal: User:billing\n"
					"      resource: {type: group, name: billing-}\n"
					"      pattern: prefixed\n"
					"      operations: [read]\n"
					"      permission: deny\n"
					"      host: 10.0.0.1\n"
					"    - principal: User:admin\n"
					"      resource: {type: cluster}\n"
					"      operations: [describe-configs, idempotent-write]\n";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct kdr_acl_list acls = { 0 };
	const struct kdr_access_policy *policy = NULL;
	char *text = NULL;

	(void)state;
	assert_int_equal(kdr_spec_parse_yaml(&desired, "x.yaml", yaml, strlen(yaml), &diags), 0);
	assert_int_equal(diags.n, 0);
	assert_int_equal(desired.n_access_policies, 1);
	policy = &desired.access_policies[0];
	assert_string_equal(policy->meta.object_ref, "AccessPolicy/billing-app");
	assert_false(policy->all_clusters);
	assert_true(kdr_access_policy_on(policy, "dc-east"));
	assert_false(kdr_access_policy_on(policy, "dc-west"));
	assert_int_equal(policy->n_grants, 3);
	assert_int_equal(policy->grants[0].line, 7);
	assert_int_equal(policy->grants[0].pattern, KDR_ACL_LITERAL);
	assert_int_equal(policy->grants[0].permission, KDR_ACL_ALLOW);
	assert_null(policy->grants[0].host);
	assert_int_equal(policy->grants[1].pattern, KDR_ACL_PREFIXED);
	assert_int_equal(policy->grants[1].permission, KDR_ACL_DENY);
	assert_null(policy->grants[2].resource_name);

	for (size_t i = 0; i < policy->n_grants; i++)
		kdr_access_policy_bindings(&acls, policy, i);
	assert_int_equal(acls.n, 5);
	text = kdr_acl_to_string(&acls.v[0]);
	assert_string_equal(text, "User:billing allow read topic:orders");
	free(text);
	text = kdr_acl_to_string(&acls.v[2]);
	assert_string_equal(text, "User:billing deny read group:billing- (prefixed) host=10.0.0.1");
	free(text);
	/* The cluster resource's name defaults to the only one Kafka accepts. */
	text = kdr_acl_to_string(&acls.v[3]);
	assert_string_equal(text, "User:admin allow describe-configs cluster:kafka-cluster");
	free(text);
	kdr_acl_list_release(&acls);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

static void test_clusters_omitted_means_all(void **state)
{
	static const char yaml[] = HEAD "spec:\n  grants: [{principal: 'User:a', resource: {type: topic, name: t}, "
					"operations: [write]}]\n";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	assert_int_equal(kdr_spec_parse_yaml(&desired, "x.yaml", yaml, strlen(yaml), &diags), 0);
	assert_true(desired.access_policies[0].all_clusters);
	assert_true(kdr_access_policy_on(&desired.access_policies[0], "anything"));
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

static void test_schema_errors(void **state)
{
	(void)state;
	EXPECT_YAML(HEAD "spec:\n"
			 "  cluster: [a]\n"
			 "  grants:\n"
			 "    - principal: User:a\n"
			 "      resource: {type: topics, nme: t}\n"
			 "      operation: [read]\n"
			 "      permision: allow\n",
		    "x.yaml:5:3: error: spec.cluster: unknown field (did you mean 'clusters'?)",
		    "x.yaml:8:24: error: spec.grants[0].resource.type: found 'topics', allowed: topic, group, cluster, "
		    "transactional-id (did you mean 'topic'?)",
		    "x.yaml:8:32: error: spec.grants[0].resource.nme: unknown field (did you mean 'name'?)",
		    "x.yaml:9:7: error: spec.grants[0].operation: unknown field (did you mean 'operations'?)",
		    "x.yaml:10:7: error: spec.grants[0].permision: unknown field (did you mean 'permission'?)",
		    "x.yaml:7:7: error: spec.grants[0].operations: required field is missing");
	EXPECT_YAML(HEAD "spec:\n"
			 "  grants:\n"
			 "    - principal: User:a\n"
			 "      resource: {type: group, name: g}\n"
			 "      pattern: prefix\n"
			 "      operations: [read, descibe, 3]\n"
			 "      permission: Allow\n",
		    "x.yaml:8:16: error: spec.grants[0].pattern: found 'prefix', allowed: literal, prefixed (did you "
		    "mean 'prefixed'?)",
		    "x.yaml:9:26: error: spec.grants[0].operations[1]: found 'descibe', allowed: all, read, write, "
		    "create, delete, alter, describe, cluster-action, describe-configs, alter-configs, "
		    "idempotent-write (did you mean 'describe'?)",
		    "x.yaml:9:35: error: spec.grants[0].operations[2]: found '3', allowed: all, read, write, create, "
		    "delete, alter, describe, cluster-action, describe-configs, alter-configs, idempotent-write",
		    "x.yaml:10:19: error: spec.grants[0].permission: found 'Allow', allowed: allow, deny (did you mean "
		    "'allow'?)");
	EXPECT_YAML(HEAD "spec: {clusters: [a]}\n", "x.yaml:4:7: error: spec.grants: required field is missing");
	EXPECT_YAML(HEAD "spec:\n  grants: [User:a]\n",
		    "x.yaml:5:12: error: spec.grants[0]: found 'User:a', expected a map {principal, resource, pattern, "
		    "operations, permission, host}");
	EXPECT_YAML(HEAD "spec:\n  grants: [{resource: {name: t}, operations: read}]\n",
		    "x.yaml:5:23: error: spec.grants[0].resource.type: required field is missing",
		    "x.yaml:5:46: error: spec.grants[0].operations: found 'read', expected a list of operations, e.g. "
		    "[read, describe]",
		    "x.yaml:5:12: error: spec.grants[0].principal: required field is missing");
}

static void test_json_names_the_object(void **state)
{
	static const char json[] = "{\"apiVersion\": \"kdr.io/v1alpha1\", \"kind\": \"AccessPolicy\", "
				   "\"metadata\": {\"name\": \"p\"}, \"spec\": {\"grants\": [{\"principal\": \"User:a\", "
				   "\"resource\": {\"type\": \"topic\", \"name\": \"t\"}, \"operations\": [\"red\"]}]}}";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	assert_int_equal(kdr_spec_parse_json(&desired, "obj", json, strlen(json), &diags), KDR_EINVALID);
	check_diags(&diags, (const char *const[]){ "AccessPolicy/p: error: spec.grants[0].operations[0]: found the string 'red', "
						   "allowed: all, read, write, create, delete, alter, describe, "
						   "cluster-action, describe-configs, alter-configs, idempotent-write "
						   "(did you mean 'read'?)",
						   NULL });
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
}

static void test_flow_mirror_acls(void **state)
{
	static const char yaml[] = "apiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\nmetadata: {name: f}\n"
				   "spec: {source: a, target: b, mirrorAcls: true}\n";
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	assert_int_equal(kdr_spec_parse_yaml(&desired, "x.yaml", yaml, strlen(yaml), &diags), 0);
	assert_true(desired.flows[0].mirror_acls);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	EXPECT_YAML("apiVersion: kdr.io/v1alpha1\nkind: ReplicationFlow\nmetadata: {name: f}\n"
		    "spec: {source: a, target: b, mirrorAcl: true}\n",
		    "x.yaml:4:30: error: spec.mirrorAcl: unknown field (did you mean 'mirrorAcls'?)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_document),
		cmocka_unit_test(test_clusters_omitted_means_all),
		cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_json_names_the_object),
		cmocka_unit_test(test_flow_mirror_acls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
