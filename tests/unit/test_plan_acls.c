/*
 * pkg/plan, ACLs: create-acl for declared bindings, ownership by principal
 * (delete-acl only under --allow-delete, other principals unmanaged and
 * reported), ACLs not read -> blocked, deny -> disruptive, and the DR
 * consistency of grants across flows: active-passive (warning without
 * mirrorAcls, grants with it), active-active, fan-out, identity naming,
 * wildcards and prefixes, and MM2's own syncTopicAcls left to MM2. Every
 * case checks that the plan of the simulated result is empty.
 */
#include "plan_helpers.h"

#define CLUSTER(name) "---\n" YAML_HEADER "kind: KafkaCluster\nmetadata: {name: " name "}\nspec: {bootstrapServers: 'h:9092'}\n"
#define ACCESS(name) "---\n" YAML_HEADER "kind: AccessPolicy\nmetadata: {name: " name "}\nspec:\n"

static void live_acl(struct kdr_live_cluster *cl, const char *principal, const char *op, const char *type,
		     const char *name, bool prefixed, bool deny)
{
	struct kdr_acl acl = { 0 };

	assert_int_equal(kdr_acl_operation_parse(&acl.operation, op), 0);
	assert_int_equal(kdr_acl_resource_type_parse(&acl.resource_type, type), 0);
	acl.principal = (char *)principal;
	acl.resource_name = (char *)name;
	acl.host = (char *)"*";
	acl.pattern = prefixed ? KDR_ACL_PREFIXED : KDR_ACL_LITERAL;
	acl.permission = deny ? KDR_ACL_DENY : KDR_ACL_ALLOW;
	cl->acls_read = true;
	kdr_acl_list_push(&cl->acls, &acl);
	kdr_acl_list_sort(&cl->acls);
}

static struct kdr_live_cluster *acl_cluster(struct kdr_live *live, const char *name)
{
	struct kdr_live_cluster *cl = live_cluster(live, name, 1, NULL);

	cl->acls_read = true;
	return cl;
}

static size_t count_kind(const struct kdr_plan *plan, enum kdr_action_kind kind, const char *cluster)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_actions; i++)
		if (plan->actions[i].kind == kind && (!cluster || strcmp(plan->actions[i].cluster, cluster) == 0))
			n++;
	return n;
}

static size_t count_acl_warnings(const struct kdr_plan *plan)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_notes; i++)
		if (plan->notes[i].kind == KDR_NOTE_WARNING && strstr(plan->notes[i].message, "after a failover"))
			n++;
	return n;
}

/* Applies the plan to a copy of `live` as Kafka would and checks the next plan has no ACL work left. */
static void check_converges(const struct kdr_desired *desired, const struct kdr_live *live,
			    const struct kdr_plan *plan, const struct kdr_plan_options *options)
{
	struct kdr_live after = { 0 };
	struct kdr_plan again = { 0 };

	kdr_live_copy(&after, live);
	kdr_plan_simulate(&after, plan);
	plan_ok(&again, desired, &after, options);
	for (size_t i = 0; i < again.n_actions; i++)
		printf("left: %s %s/%s\n", kdr_action_kind_name(again.actions[i].kind), again.actions[i].cluster,
		       again.actions[i].resource);
	assert_int_equal(count_kind(&again, KDR_ACTION_CREATE_ACL, NULL), 0);
	assert_int_equal(count_kind(&again, KDR_ACTION_DELETE_ACL, NULL), 0);
	assert_int_equal(count_acl_warnings(&again), 0);
	kdr_plan_release(&again);
	kdr_live_release(&after);
}

#define BILLING CLUSTER("dc-east") ACCESS("billing-app") \
	"  clusters: [dc-east]\n"                         \
	"  grants:\n"                                     \
	"    - principal: User:billing\n"                 \
	"      resource: {type: topic, name: orders}\n"   \
	"      operations: [read, describe]\n"            \
	"    - principal: User:billing\n"                 \
	"      resource: {type: group, name: billing-}\n" \
	"      pattern: prefixed\n"                       \
	"      operations: [read]\n"

static void test_create_missing_bindings(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };
	const struct kdr_action *action = NULL;

	(void)state;
	desired_from_yaml(&desired, BILLING);
	acl_cluster(&live, "dc-east");
	live_acl(live_get(&live, "dc-east"), "User:billing", "read", "topic", "orders", false, false);
	plan_ok(&plan, &desired, &live, NULL);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, NULL), 2);
	action = find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-east", "User:billing allow describe topic:orders");
	assert_non_null(action);
	assert_string_equal(action->policy, "billing-app");
	assert_string_equal(action->reason, "missing");
	assert_int_equal(action->risk, KDR_RISK_SAFE);
	assert_int_equal(action->acl.operation, KDR_ACL_OP_DESCRIBE);
	action = find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-east", "User:billing allow read group:billing- (prefixed)");
	assert_non_null(action);
	assert_int_equal(action->acl.pattern, KDR_ACL_PREFIXED);
	/* ACLs come after the topics and configs, before the connectors. */
	check_converges(&desired, &live, &plan, NULL);
	kdr_plan_release(&plan);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

static void test_ownership_and_allow_delete(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };
	struct kdr_plan_options options = { 0 };
	struct kdr_live_cluster *east = NULL;
	const struct kdr_action *action = NULL;

	(void)state;
	desired_from_yaml(&desired, BILLING);
	east = acl_cluster(&live, "dc-east");
	live_acl(east, "User:billing", "read", "topic", "orders", false, false);
	live_acl(east, "User:billing", "describe", "topic", "orders", false, false);
	live_acl(east, "User:billing", "read", "group", "billing-", true, false);
	live_acl(east, "User:billing", "write", "topic", "orders", false, false); /* owned, not declared */
	live_acl(east, "User:ops", "all", "cluster", "kafka-cluster", false, false);
	live_acl(east, "User:ops", "read", "topic", "*", false, false);

	plan_ok(&plan, &desired, &live, NULL);
	assert_int_equal(plan.n_actions, 0);
	assert_non_null(find_note(&plan, "dc-east", "User:billing allow write topic:orders",
				  "skipped: would delete this ACL binding (principal 'User:billing' is owned by "
				  "AccessPolicy 'billing-app', which does not declare it; use --allow-delete)"));
	assert_non_null(find_note(&plan, "dc-east", NULL,
				  "2 ACL binding(s) of principals no AccessPolicy names are unmanaged, left as they are: "
				  "User:ops (2)"));
	kdr_plan_release(&plan);

	options.allow_delete = true;
	plan_ok(&plan, &desired, &live, &options);
	assert_int_equal(plan.n_actions, 1);
	action = find_action(&plan, KDR_ACTION_DELETE_ACL, "dc-east", "User:billing allow write topic:orders");
	assert_non_null(action);
	assert_int_equal(action->risk, KDR_RISK_DESTRUCTIVE);
	assert_string_equal(action->policy, "billing-app");
	assert_string_equal(action->reason, "not declared: principal 'User:billing' is owned by AccessPolicy "
					    "'billing-app'");
	check_converges(&desired, &live, &plan, &options);
	kdr_plan_release(&plan);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

static void test_acls_not_read_block(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };
	struct kdr_live_cluster *east = NULL;
	const struct kdr_blocked *blocked = NULL;

	(void)state;
	desired_from_yaml(&desired, BILLING CLUSTER("dc-west"));
	east = live_cluster(&live, "dc-east", 1, NULL);
	east->acls_error = strdup("the cluster has no authorizer (DescribeAcls: SECURITY_DISABLED: )");
	live_cluster(&live, "dc-west", 1, NULL);
	plan_ok(&plan, &desired, &live, NULL);
	blocked = find_blocked(&plan, KDR_BLOCKED_ERROR, "dc-east", NULL);
	assert_non_null(blocked);
	assert_string_equal(blocked->reason, "the ACLs of cluster 'dc-east' were not read (the cluster has no "
					     "authorizer (DescribeAcls: SECURITY_DISABLED: )); its AccessPolicy grants "
					     "cannot be planned");
	/* A cluster no policy names needs no ACLs. */
	assert_null(find_blocked(&plan, KDR_BLOCKED_ERROR, "dc-west", NULL));
	assert_int_equal(plan.n_blocked, 1);
	kdr_plan_release(&plan);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

static void test_deny_is_disruptive(void **state)
{
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };
	const struct kdr_action *action = NULL;

	(void)state;
	desired_from_yaml(&desired, CLUSTER("dc-east") ACCESS("lockdown") "  grants:\n"
									  "    - principal: 'User:*'\n"
									  "      resource: {type: topic, name: secret}\n"
									  "      operations: [all]\n"
									  "      permission: deny\n");
	acl_cluster(&live, "dc-east");
	plan_ok(&plan, &desired, &live, NULL);
	action = find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-east", "User:* deny all topic:secret");
	assert_non_null(action);
	assert_int_equal(action->risk, KDR_RISK_DISRUPTIVE);
	check_converges(&desired, &live, &plan, NULL);
	kdr_plan_release(&plan);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

#define FLOW(name, source, target, extra)                                                                      \
	"---\n" YAML_HEADER "kind: ReplicationFlow\nmetadata: {name: " name "}\nspec:\n  source: " source         \
	"\n  target: " target "\n" extra

static void test_active_passive(void **state)
{
	static const char base[] = CLUSTER("dc-east") CLUSTER("dc-west") ACCESS("billing-app")
		"  clusters: [dc-east]\n"
		"  grants:\n"
		"    - principal: User:billing\n"
		"      resource: {type: topic, name: orders}\n"
		"      operations: [read, describe]\n"
		"    - principal: User:billing\n"
		"      resource: {type: topic, name: internal-audit}\n" /* not mirrored: no warning */
		"      operations: [read]\n"
		"    - principal: User:billing\n"
		"      resource: {type: group, name: billing-app}\n"
		"      operations: [read]\n"
		"    - principal: User:billing\n"
		"      resource: {type: topic, name: orders}\n"
		"      operations: [write]\n"; /* WRITE is not a consumer's grant */
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };
	struct kdr_buf yaml = KDR_BUF_INIT;
	const struct kdr_action *action = NULL;
	const struct kdr_note *note = NULL;

	(void)state;
	/* Without mirrorAcls: warnings on the target, no action there. */
	kdr_buf_printf(&yaml, "%s%s", base, FLOW("east-to-west", "dc-east", "dc-west", "  topics: [orders]\n"));
	desired_from_yaml(&desired, yaml.ptr);
	acl_cluster(&live, "dc-east");
	acl_cluster(&live, "dc-west");
	/* A grant made outside kdr on the source counts too: a failover does not care who made it. */
	live_acl(live_get(&live, "dc-east"), "User:analytics", "all", "topic", "orders", false, false);
	plan_ok(&plan, &desired, &live, NULL);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, "dc-west"), 0);
	note = find_note(&plan, "dc-west", "dc-east.orders", "principal 'User:billing' may read topic 'orders'");
	assert_non_null(note);
	assert_string_equal(note->message,
			    "principal 'User:billing' may read topic 'orders' on dc-east but may not topic "
			    "'dc-east.orders' here (flow east-to-west): after a failover it would get "
			    "TOPIC_AUTHORIZATION_FAILED; grant it in an AccessPolicy or set mirrorAcls: true on the flow");
	assert_non_null(find_note(&plan, "dc-west", "billing-app",
				  "principal 'User:billing' may read group 'billing-app' on dc-east but may not group "
				  "'billing-app' here (flow east-to-west): after a failover it would get "
				  "GROUP_AUTHORIZATION_FAILED"));
	assert_non_null(find_note(&plan, "dc-west", "dc-east.orders", "principal 'User:analytics' may describe"));
	/* billing read+describe orders, read group; analytics read+describe orders (ALL). */
	assert_int_equal(count_acl_warnings(&plan), 5);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);

	/* A grant on the target (here: a prefixed one, by a policy) satisfies it. */
	kdr_buf_reset(&yaml);
	kdr_buf_printf(&yaml, "%s%s%s", base, FLOW("east-to-west", "dc-east", "dc-west", "  topics: [orders]\n"),
		       ACCESS("dr") "  clusters: [dc-west]\n  grants:\n"
				    "    - {principal: 'User:billing', resource: {type: topic, name: dc-east.}, pattern: "
				    "prefixed, operations: [read]}\n"
				    "    - {principal: 'User:billing', resource: {type: group, name: '*'}, operations: "
				    "[read]}\n");
	desired_from_yaml(&desired, yaml.ptr);
	plan_ok(&plan, &desired, &live, NULL);
	/* READ implies DESCRIBE; only analytics is left. */
	assert_int_equal(count_acl_warnings(&plan), 2);
	assert_null(find_note(&plan, "dc-west", NULL, "principal 'User:billing' may"));
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);

	/* With mirrorAcls: kdr grants them on the target. */
	kdr_buf_reset(&yaml);
	kdr_buf_printf(&yaml, "%s%s", base,
		       FLOW("east-to-west", "dc-east", "dc-west", "  topics: [orders]\n  mirrorAcls: true\n"));
	desired_from_yaml(&desired, yaml.ptr);
	plan_ok(&plan, &desired, &live, NULL);
	assert_int_equal(count_acl_warnings(&plan), 0);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, "dc-west"), 5);
	action = find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow read topic:dc-east.orders");
	assert_non_null(action);
	assert_null(action->policy);
	assert_string_equal(action->reason,
			    "mirrors 'User:billing allow read topic:orders' of dc-east (flow east-to-west, mirrorAcls)");
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow read group:billing-app"));
	assert_non_null(
	    find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:analytics allow describe topic:dc-east.orders"));
	assert_null(find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow write topic:dc-east.orders"));
	check_converges(&desired, &live, &plan, NULL);
	kdr_plan_release(&plan);
	kdr_desired_release(&desired);
	kdr_live_release(&live);
	kdr_buf_release(&yaml);
}

static void test_active_active(void **state)
{
	static const char yaml[] = CLUSTER("dc-east") CLUSTER("dc-west") ACCESS("east")
		"  clusters: [dc-east]\n"
		"  grants: [{principal: 'User:billing', resource: {type: topic, name: orders}, operations: [read]}]\n"
		ACCESS("west") "  clusters: [dc-west]\n"
		"  grants: [{principal: 'User:invoicing', resource: {type: topic, name: invoices}, operations: [read]}]\n"
		FLOW("east-to-west", "dc-east", "dc-west", "  topicsExclude: ['dc-west\\\\..*']\n  mirrorAcls: true\n")
		FLOW("west-to-east", "dc-west", "dc-east", "  topicsExclude: ['dc-east\\\\..*']\n  mirrorAcls: true\n");
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };
	struct kdr_live live_after = { 0 };
	struct kdr_plan second = { 0 };

	(void)state;
	desired_from_yaml(&desired, yaml);
	acl_cluster(&live, "dc-east");
	acl_cluster(&live, "dc-west");
	plan_ok(&plan, &desired, &live, NULL);
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow read topic:dc-east.orders"));
	assert_non_null(
	    find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-east", "User:invoicing allow read topic:dc-west.invoices"));
	/* The declared grants themselves, and nothing for the other principal's remote topic. */
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, "dc-east"), 2);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, "dc-west"), 2);
	/* Once applied, the mirrored grants are not mirrored back (each flow excludes the other's remote topics). */
	kdr_live_copy(&live_after, &live);
	kdr_plan_simulate(&live_after, &plan);
	plan_ok(&second, &desired, &live_after, NULL);
	assert_int_equal(second.n_actions, 0);
	assert_int_equal(count_acl_warnings(&second), 0);
	kdr_plan_release(&second);
	kdr_live_release(&live_after);
	kdr_plan_release(&plan);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

static void test_fan_out_and_identity(void **state)
{
	static const char yaml[] = CLUSTER("dc-east") CLUSTER("dc-west") CLUSTER("dc-south") ACCESS("east")
		"  clusters: [dc-east]\n"
		"  grants:\n"
		"    - {principal: 'User:billing', resource: {type: topic, name: '*'}, operations: [read]}\n"
		"    - {principal: 'User:billing', resource: {type: topic, name: pay}, pattern: prefixed, operations: "
		"[describe]}\n"
		"    - {principal: 'User:billing', resource: {type: topic, name: ghost}, pattern: prefixed, operations: "
		"[describe]}\n"
		FLOW("east-to-west", "dc-east", "dc-west", "  mirrorAcls: true\n")
		FLOW("east-to-south", "dc-east", "dc-south",
		     "  replicationPolicy: {type: identity}\n  checkpoints: {enabled: false}\n  mirrorAcls: true\n");
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };

	(void)state;
	desired_from_yaml(&desired, yaml);
	acl_cluster(&live, "dc-east");
	live_topic(live_get(&live, "dc-east"), "payments", "1");
	acl_cluster(&live, "dc-west");
	acl_cluster(&live, "dc-south");
	plan_ok(&plan, &desired, &live, NULL);
	/* '*' under the default policy: every remote topic, i.e. the source's prefix. */
	assert_non_null(
	    find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow read topic:dc-east. (prefixed)"));
	assert_non_null(
	    find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow describe topic:dc-east.pay (prefixed)"));
	/* Identity: the same names; '*' stays '*'. */
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-south", "User:billing allow read topic:*"));
	assert_non_null(
	    find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-south", "User:billing allow describe topic:pay (prefixed)"));
	/* A prefix no replicated source topic has carries nothing. */
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, "dc-west"), 2);
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, "dc-south"), 2);
	check_converges(&desired, &live, &plan, NULL);
	kdr_plan_release(&plan);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

static void test_mm2_sync_topic_acls_left_to_mm2(void **state)
{
	static const char yaml[] = CLUSTER("dc-east") CLUSTER("dc-west") ACCESS("east")
		"  clusters: [dc-east]\n"
		"  grants:\n"
		"    - {principal: 'User:billing', resource: {type: topic, name: orders}, operations: [all]}\n"
		"    - {principal: 'User:billing', resource: {type: group, name: billing}, operations: [read]}\n"
		ACCESS("west") "  clusters: [dc-west]\n"
		"  grants: [{principal: 'User:billing', resource: {type: topic, name: local}, operations: [read]}]\n"
		FLOW("east-to-west", "dc-east", "dc-west", "  syncTopicAcls: true\n  mirrorAcls: true\n");
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_plan plan = { 0 };
	struct kdr_plan_options options = { .allow_delete = true };
	struct kdr_live_cluster *west = NULL;

	(void)state;
	desired_from_yaml(&desired, yaml);
	acl_cluster(&live, "dc-east");
	west = acl_cluster(&live, "dc-west");
	live_acl(west, "User:billing", "read", "topic", "local", false, false);
	/* What MM2 wrote: ALLOW ALL downgraded to READ on the remote topic. */
	live_acl(west, "User:billing", "read", "topic", "dc-east.orders", false, false);
	plan_ok(&plan, &desired, &live, &options);
	/* The literal topic grant is MM2's to write and kdr never deletes it, though User:billing is owned on dc-west. */
	assert_null(find_action(&plan, KDR_ACTION_DELETE_ACL, "dc-west", NULL));
	assert_null(find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow read topic:dc-east.orders"));
	assert_null(
	    find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow describe topic:dc-east.orders"));
	/* MM2 does not sync group ACLs: kdr does. */
	assert_non_null(find_action(&plan, KDR_ACTION_CREATE_ACL, "dc-west", "User:billing allow read group:billing"));
	assert_int_equal(count_kind(&plan, KDR_ACTION_CREATE_ACL, "dc-west"), 1);
	check_converges(&desired, &live, &plan, &options);
	kdr_plan_release(&plan);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

static void test_failover_lockouts(void **state)
{
	static const char yaml[] = CLUSTER("dc-east") CLUSTER("dc-west") ACCESS("east")
		"  clusters: [dc-east]\n"
		"  grants:\n"
		"    - {principal: 'User:billing', resource: {type: group, name: billing-}, pattern: prefixed, "
		"operations: [read]}\n"
		"    - {principal: 'User:billing', resource: {type: topic, name: orders}, operations: [read]}\n"
		FLOW("east-to-west", "dc-east", "dc-west", "  topics: [orders, events]\n");
	static const char *const topics[] = { "dc-east.orders", "dc-east.events", "dc-east.orders" };
	struct kdr_desired desired = { 0 };
	struct kdr_live live = { 0 };
	struct kdr_strvec out = KDR_STRVEC_INIT;
	struct kdr_live_cluster *west = NULL;

	(void)state;
	desired_from_yaml(&desired, yaml);
	acl_cluster(&live, "dc-east");
	west = acl_cluster(&live, "dc-west");
	/* Analytics may read the group on the source only through a live grant, and holds everything on the target. */
	live_acl(live_get(&live, "dc-east"), "User:analytics", "all", "group", "*", false, false);
	live_acl(west, "User:analytics", "read", "group", "*", false, false);
	live_acl(west, "User:analytics", "read", "topic", "dc-east.", true, false);
	live_acl(west, "User:billing", "read", "topic", "dc-east.orders", false, false);
	kdr_plan_acl_lockouts(&out, &desired, &live, &desired.flows[0], "billing-app", topics, 3);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0], "principal 'User:billing' reads group 'billing-app' on dc-east but may not read "
				      "group 'billing-app' on dc-west: its consumers would get GROUP_AUTHORIZATION_FAILED "
				      "after the failover");
	assert_string_equal(out.v[1], "principal 'User:billing' reads group 'billing-app' on dc-east but may not read "
				      "topic 'dc-east.events' on dc-west: its consumers would get "
				      "TOPIC_AUTHORIZATION_FAILED after the failover");
	kdr_strvec_release(&out);

	/* Once granted, nobody is locked out; a group no one is granted on the source says nothing. */
	live_acl(west, "User:billing", "read", "group", "billing-", true, false);
	live_acl(west, "User:billing", "read", "topic", "dc-east.events", false, false);
	kdr_plan_acl_lockouts(&out, &desired, &live, &desired.flows[0], "billing-app", topics, 3);
	kdr_plan_acl_lockouts(&out, &desired, &live, &desired.flows[0], "shipping", topics, 3);
	assert_int_equal(out.n, 0);

	/* A target whose ACLs could not be read: said once; one without an authorizer: nothing to say. */
	west->acls_read = false;
	west->acls_error = strdup("DescribeAcls: CLUSTER_AUTHORIZATION_FAILED: denied");
	kdr_plan_acl_lockouts(&out, &desired, &live, &desired.flows[0], "billing-app", topics, 3);
	assert_int_equal(out.n, 1);
	assert_non_null(strstr(out.v[0], "could not be read (DescribeAcls: CLUSTER_AUTHORIZATION_FAILED: denied)"));
	kdr_strvec_release(&out);
	/* The reader's flag decides, not the text: no authorizer found by the brokers' config says nothing ... */
	free(west->acls_error);
	west->acls_error = strdup("the cluster has no authorizer (no broker sets authorizer.class.name): ACLs are not "
				  "supported there");
	west->acls_no_authorizer = true;
	kdr_plan_acl_lockouts(&out, &desired, &live, &desired.flows[0], "billing-app", topics, 3);
	assert_int_equal(out.n, 0);
	/* ... and a text that merely names SECURITY_DISABLED is not taken for "no authorizer". */
	free(west->acls_error);
	west->acls_error = strdup("DescribeAcls: no answer in time (not SECURITY_DISABLED)");
	west->acls_no_authorizer = false;
	kdr_plan_acl_lockouts(&out, &desired, &live, &desired.flows[0], "billing-app", topics, 3);
	assert_int_equal(out.n, 1);
	kdr_strvec_release(&out);
	kdr_live_release(&live);
	kdr_desired_release(&desired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_missing_bindings),
		cmocka_unit_test(test_ownership_and_allow_delete),
		cmocka_unit_test(test_acls_not_read_block),
		cmocka_unit_test(test_deny_is_disruptive),
		cmocka_unit_test(test_active_passive),
		cmocka_unit_test(test_active_active),
		cmocka_unit_test(test_fan_out_and_identity),
		cmocka_unit_test(test_mm2_sync_topic_acls_left_to_mm2),
		cmocka_unit_test(test_failover_lockouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
