/*
 * The resource kinds (DESIGN.md §2): field tables and the few fields
 * that need code. Field names here are the schema users depend on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_internal.h"
#include "util/alloc.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

enum kind {
	KIND_CLUSTER,
	KIND_FLOW,
	KIND_POLICY,
	KIND_ACCESS_POLICY,
	KIND_UNKNOWN,
};

static const char *const kind_names[] = { "KafkaCluster", "ReplicationFlow", "TopicPolicy",
						    "AccessPolicy" };

/* --- metadata --- */

static void decode_string_map(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	/* labels and annotations: accepted and not used, but they must still be maps. */
	(void)obj;
	kdr_spec__expect_map(ctx, value, "a map of strings");
}

static const struct kdr_spec_field metadata_fields[] = {
	{ "name", KDR_SPEC_STRING, offsetof(struct kdr_meta, name), true, NULL, NULL, NULL, 0 },
	{ "namespace", KDR_SPEC_STRING, offsetof(struct kdr_meta, namespace), false, NULL, NULL, NULL, 0 },
	{ "labels", KDR_SPEC_CUSTOM, 0, false, decode_string_map, "a map of strings", NULL, 0 },
	{ "annotations", KDR_SPEC_CUSTOM, 0, false, decode_string_map, "a map of strings", NULL, 0 },
	{ "generation", KDR_SPEC_INT, offsetof(struct kdr_meta, generation), false, NULL, NULL, NULL, 0 },
	/* The rest of Kubernetes' ObjectMeta, as `kubectl get -o yaml` prints it. */
	{ "resourceVersion", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "uid", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "creationTimestamp", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "deletionTimestamp", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "deletionGracePeriodSeconds", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "managedFields", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "ownerReferences", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "finalizers", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "generateName", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
	{ "selfLink", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },
};

/* --- KafkaCluster --- */

static void decode_client_config(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_cluster *cl = obj;

	if (!kdr_spec__expect_map(ctx, value, "a map of librdkafka properties"))
		return;
	for (size_t i = 0; i + 1 < value->n; i += 2) {
		const struct kdr_spec_node *key = value->items[i], *item = value->items[i + 1];
		struct kdr_value v = { KDR_VALUE_LITERAL, NULL, NULL, NULL };
		size_t saved = 0;

		if (!kdr_spec__map_entry_begin(ctx, key, item, &saved))
			continue;
		if (kdr_spec__get_value(ctx, &v, item))
			kdr_value_map_set_take(&cl->client_config, key->text, &v);
		kdr_value_release(&v);
		kdr_spec__path_pop(ctx, saved);
	}
}

/* spec.connect.auth while it is decoded: one of bearerToken or basic. */
struct auth_state {
	struct kdr_connect_spec *connect;
	bool bearer;
	bool basic;
};

static void decode_bearer(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct auth_state *auth = obj;

	auth->bearer = true;
	kdr_spec__get_value(ctx, &auth->connect->token, value);
}

static void decode_username(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct auth_state *auth = obj;

	kdr_spec__get_value(ctx, &auth->connect->username, value);
}

static void decode_password(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct auth_state *auth = obj;

	kdr_spec__get_value(ctx, &auth->connect->password, value);
}

#define VALUE_EXPECTED "a string or {valueFrom: {env | file | secretKeyRef}}"

static const struct kdr_spec_field basic_fields[] = {
	{ "username", KDR_SPEC_CUSTOM, 0, true, decode_username, VALUE_EXPECTED, NULL, 0 },
	{ "password", KDR_SPEC_CUSTOM, 0, true, decode_password, VALUE_EXPECTED, NULL, 0 },
};

static void decode_basic(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct auth_state *auth = obj;

	auth->basic = true;
	kdr_spec__decode_fields(ctx, value, basic_fields, N(basic_fields), auth);
}

static const struct kdr_spec_field auth_fields[] = {
	{ "bearerToken", KDR_SPEC_CUSTOM, 0, false, decode_bearer, VALUE_EXPECTED, NULL, 0 },
	{ "basic", KDR_SPEC_CUSTOM, 0, false, decode_basic, "a map {username, password}", NULL, 0 },
};

static void decode_auth(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct auth_state auth = { obj, false, false };

	if (!kdr_spec__decode_fields(ctx, value, auth_fields, N(auth_fields), &auth))
		return;
	if (auth.bearer && auth.basic)
		kdr_spec__error(ctx, value, "only one of bearerToken, basic may be given");
	else if (!auth.bearer && !auth.basic)
		kdr_spec__error(ctx, value, "expected one of bearerToken, basic");
	auth.connect->auth_kind = auth.bearer ? KDR_CONNECT_AUTH_BEARER
				  : auth.basic ? KDR_CONNECT_AUTH_BASIC
					       : KDR_CONNECT_AUTH_NONE;
}

static const struct kdr_spec_field connect_fields[] = {
	{ "url", KDR_SPEC_STRING, offsetof(struct kdr_connect_spec, url), true, NULL, NULL, NULL, 0 },
	{ "auth", KDR_SPEC_CUSTOM, 0, false, decode_auth, "a map {bearerToken} or {basic}", NULL, 0 },
	{ "caFile", KDR_SPEC_STRING, offsetof(struct kdr_connect_spec, ca_file), false, NULL, NULL, NULL, 0 },
	{ "insecureSkipVerify", KDR_SPEC_BOOL, offsetof(struct kdr_connect_spec, insecure_skip_verify), false, NULL,
	  NULL, NULL, 0 },
};

static void decode_connect(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_cluster *cl = obj;

	if (kdr_spec__decode_fields(ctx, value, connect_fields, N(connect_fields), &cl->connect))
		cl->connect.present = true;
}

static void decode_datacenters(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_cluster *cl = obj;
	size_t cap = cl->n_datacenters;

	if (!kdr_spec__expect_map(ctx, value, "a map of datacenter -> list of racks"))
		return;
	for (size_t i = 0; i + 1 < value->n; i += 2) {
		const struct kdr_spec_node *key = value->items[i], *item = value->items[i + 1];
		struct kdr_strvec racks = KDR_STRVEC_INIT;
		struct kdr_datacenter *dc = NULL;
		size_t saved = 0;

		if (!kdr_spec__map_entry_begin(ctx, key, item, &saved))
			continue;
		if (kdr_spec__node_is_null(item))
			kdr_spec__error_expected(ctx, item, "a list of racks");
		else
			kdr_spec__get_strings(ctx, &racks, item);
		cl->datacenters = kdr_grow(cl->datacenters, &cap, cl->n_datacenters + 1, sizeof(*cl->datacenters));
		dc = &cl->datacenters[cl->n_datacenters++];
		dc->name = kdr_strdup(key->text);
		dc->racks = racks;
		kdr_spec__path_pop(ctx, saved);
	}
}

static const struct kdr_spec_field cluster_fields[] = {
	{ "bootstrapServers", KDR_SPEC_STRING, offsetof(struct kdr_cluster, bootstrap_servers), true, NULL, NULL, NULL,
	  0 },
	{ "clientConfig", KDR_SPEC_CUSTOM, 0, false, decode_client_config, "a map of librdkafka properties", NULL, 0 },
	{ "connect", KDR_SPEC_CUSTOM, 0, false, decode_connect, "a map {url, auth, caFile, insecureSkipVerify}", NULL,
	  0 },
	{ "datacenters", KDR_SPEC_CUSTOM, 0, false, decode_datacenters, "a map of datacenter -> list of racks", NULL,
	  0 },
};

/* --- ReplicationFlow --- */

static void decode_policy_type(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	static const char *const names[] = { "default", "identity" };
	struct kdr_flow *flow = obj;
	long at = kdr_spec__get_enum(ctx, value, names, N(names));

	if (at == 0)
		flow->replication_policy = KDR_REPLICATION_POLICY_DEFAULT;
	else if (at == 1)
		flow->replication_policy = KDR_REPLICATION_POLICY_IDENTITY;
}

static const struct kdr_spec_field replication_policy_fields[] = {
	{ "type", KDR_SPEC_CUSTOM, 0, false, decode_policy_type, "default or identity", NULL, 0 },
	{ "separator", KDR_SPEC_STRING, offsetof(struct kdr_flow, separator), false, NULL, NULL, NULL, 0 },
};

static const struct kdr_spec_field checkpoints_fields[] = {
	{ "enabled", KDR_SPEC_BOOL, offsetof(struct kdr_flow, checkpoints_enabled), false, NULL, NULL, NULL, 0 },
	{ "intervalSeconds", KDR_SPEC_INT, offsetof(struct kdr_flow, checkpoints_interval_seconds), false, NULL, NULL,
	  NULL, 0 },
	{ "syncGroupOffsets", KDR_SPEC_BOOL, offsetof(struct kdr_flow, sync_group_offsets), false, NULL, NULL, NULL,
	  0 },
	{ "syncGroupOffsetsIntervalSeconds", KDR_SPEC_INT,
	  offsetof(struct kdr_flow, sync_group_offsets_interval_seconds), false, NULL, NULL, NULL, 0 },
};

static const struct kdr_spec_field heartbeats_fields[] = {
	{ "enabled", KDR_SPEC_BOOL, offsetof(struct kdr_flow, heartbeats_enabled), false, NULL, NULL, NULL, 0 },
	{ "intervalSeconds", KDR_SPEC_INT, offsetof(struct kdr_flow, heartbeats_interval_seconds), false, NULL, NULL,
	  NULL, 0 },
};

static const struct kdr_spec_field flow_fields[] = {
	{ "source", KDR_SPEC_STRING, offsetof(struct kdr_flow, source), true, NULL, NULL, NULL, 0 },
	{ "target", KDR_SPEC_STRING, offsetof(struct kdr_flow, target), true, NULL, NULL, NULL, 0 },
	{ "topics", KDR_SPEC_STRINGS, offsetof(struct kdr_flow, topics), false, NULL, NULL, NULL, 0 },
	{ "topicsExclude", KDR_SPEC_STRINGS, offsetof(struct kdr_flow, topics_exclude), false, NULL, NULL, NULL, 0 },
	{ "groups", KDR_SPEC_STRINGS, offsetof(struct kdr_flow, groups), false, NULL, NULL, NULL, 0 },
	{ "groupsExclude", KDR_SPEC_STRINGS, offsetof(struct kdr_flow, groups_exclude), false, NULL, NULL, NULL, 0 },
	{ "keepDefaultExcludes", KDR_SPEC_BOOL, offsetof(struct kdr_flow, keep_default_excludes), false, NULL, NULL,
	  NULL, 0 },
	{ "replicationPolicy", KDR_SPEC_OBJECT, 0, false, NULL, NULL, replication_policy_fields,
	  N(replication_policy_fields) },
	{ "replicationFactor", KDR_SPEC_INT, offsetof(struct kdr_flow, replication_factor), false, NULL, NULL, NULL,
	  0 },
	{ "tasksMax", KDR_SPEC_INT, offsetof(struct kdr_flow, tasks_max), false, NULL, NULL, NULL, 0 },
	{ "syncTopicConfigs", KDR_SPEC_BOOL, offsetof(struct kdr_flow, sync_topic_configs), false, NULL, NULL, NULL,
	  0 },
	{ "syncTopicAcls", KDR_SPEC_BOOL, offsetof(struct kdr_flow, sync_topic_acls), false, NULL, NULL, NULL, 0 },
	{ "mirrorAcls", KDR_SPEC_BOOL, offsetof(struct kdr_flow, mirror_acls), false, NULL, NULL, NULL, 0 },
	{ "checkpoints", KDR_SPEC_OBJECT, 0, false, NULL, NULL, checkpoints_fields, N(checkpoints_fields) },
	{ "heartbeats", KDR_SPEC_OBJECT, 0, false, NULL, NULL, heartbeats_fields, N(heartbeats_fields) },
	{ "internalTopicsReplicationFactor", KDR_SPEC_INT, offsetof(struct kdr_flow, internal_topics_replication_factor),
	  false, NULL, NULL, NULL, 0 },
	{ "connectorConfig", KDR_SPEC_CONFIG, offsetof(struct kdr_flow, connector_config), false, NULL, NULL, NULL, 0 },
	{ "suspended", KDR_SPEC_BOOL, offsetof(struct kdr_flow, suspended), false, NULL, NULL, NULL, 0 },
	{ "failedOver", KDR_SPEC_STRING, offsetof(struct kdr_flow, failed_over), false, NULL, NULL, NULL, 0 },
};

/* --- TopicPolicy --- */

static const struct kdr_spec_field topic_fields[] = {
	{ "name", KDR_SPEC_STRING, offsetof(struct kdr_topic_decl, name), true, NULL, NULL, NULL, 0 },
	{ "partitions", KDR_SPEC_INT, offsetof(struct kdr_topic_decl, partitions), false, NULL, NULL, NULL, 0 },
	{ "replicationFactor", KDR_SPEC_INT, offsetof(struct kdr_topic_decl, replication_factor), false, NULL, NULL,
	  NULL, 0 },
	{ "config", KDR_SPEC_CONFIG, offsetof(struct kdr_topic_decl, config), false, NULL, NULL, NULL, 0 },
};

#define TOPIC_EXPECTED "a topic name or a map {name, partitions, replicationFactor, config}"

static void decode_topics(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_policy *policy = obj;
	size_t cap = policy->n_topics;

	if (!kdr_spec__expect_seq(ctx, value, "a list of topics"))
		return;
	for (size_t i = 0; i < value->n; i++) {
		const struct kdr_spec_node *item = value->items[i];
		struct kdr_topic_decl decl = { 0 };
		size_t saved = kdr_spec__path_push_index(ctx, i);

		decl.line = item->line;
		decl.col = item->col;
		kdr_spec__record(ctx, NULL, item);
		/* A bare name is the short form of {name: NAME}. */
		if (item->kind == KDR_SPEC_NODE_SCALAR && item->style != KDR_SPEC_STYLE_INVALID &&
		    !kdr_spec__node_is_null(item))
			decl.name = kdr_strdup(item->text);
		else if (item->kind == KDR_SPEC_NODE_MAP)
			kdr_spec__decode_fields(ctx, item, topic_fields, N(topic_fields), &decl);
		else if (item->style != KDR_SPEC_STYLE_INVALID || item->kind != KDR_SPEC_NODE_SCALAR)
			kdr_spec__error_expected(ctx, item, TOPIC_EXPECTED);
		kdr_spec__path_pop(ctx, saved);
		/* An entry without a name has been reported and cannot be used. */
		if (!decl.name) {
			kdr_strmap_release(&decl.config);
			continue;
		}
		policy->topics = kdr_grow(policy->topics, &cap, policy->n_topics + 1, sizeof(*policy->topics));
		policy->topics[policy->n_topics++] = decl;
	}
}

static void decode_strategy(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	const char *names[] = {
		kdr_placement_strategy_name(KDR_PLACEMENT_ANY),
		kdr_placement_strategy_name(KDR_PLACEMENT_RACK_AWARE),
		kdr_placement_strategy_name(KDR_PLACEMENT_CROSS_DC),
		kdr_placement_strategy_name(KDR_PLACEMENT_STATIC),
	};
	struct kdr_policy *policy = obj;
	long at = kdr_spec__get_enum(ctx, value, names, N(names));

	if (at >= 0)
		kdr_placement_strategy_parse(&policy->strategy, names[at]);
}

static void decode_fallback(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	const char *names[] = {
		kdr_placement_strategy_name(KDR_PLACEMENT_ANY),
		kdr_placement_strategy_name(KDR_PLACEMENT_RACK_AWARE),
		kdr_placement_strategy_name(KDR_PLACEMENT_CROSS_DC),
	};
	struct kdr_policy *policy = obj;
	long at = kdr_spec__get_enum(ctx, value, names, N(names));

	if (at >= 0 && kdr_placement_strategy_parse(&policy->fallback, names[at]) == 0)
		policy->has_fallback = true;
}

#define ASSIGNMENT_EXPECTED "a list of replica lists, e.g. [[1, 2, 3], [2, 3, 1]]"

/* One topic's [[1,2,3],[2,3,1]]; broker ids are int32 (their values are validation's business). */
static void decode_assignment(struct kdr_spec_ctx *ctx, struct kdr_assignment *out, const struct kdr_spec_node *value)
{
	if (!kdr_spec__expect_seq(ctx, value, ASSIGNMENT_EXPECTED))
		return;
	out->n = value->n;
	out->partitions = kdr_calloc(value->n ? value->n : 1, sizeof(*out->partitions));
	for (size_t p = 0; p < value->n; p++) {
		const struct kdr_spec_node *replicas = value->items[p];
		struct kdr_replica_list *list = &out->partitions[p];
		size_t saved = kdr_spec__path_push_index(ctx, p);

		kdr_spec__record(ctx, NULL, replicas);
		if (kdr_spec__expect_seq(ctx, replicas, "a list of broker ids, e.g. [1, 2, 3]")) {
			list->ids = kdr_calloc(replicas->n ? replicas->n : 1, sizeof(*list->ids));
			for (size_t r = 0; r < replicas->n; r++) {
				size_t saved_id = kdr_spec__path_push_index(ctx, r);
				int64_t id = 0;

				kdr_spec__record(ctx, NULL, replicas->items[r]);
				if (kdr_spec__get_int(ctx, &id, replicas->items[r], INT32_MIN, INT32_MAX))
					list->ids[list->n++] = (int32_t)id;
				kdr_spec__path_pop(ctx, saved_id);
			}
		}
		kdr_spec__path_pop(ctx, saved);
	}
}

static int compare_assignments(const void *a, const void *b)
{
	const struct kdr_static_assignment *x = a, *y = b;

	return strcmp(x->topic, y->topic);
}

static void decode_assignments(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_policy *policy = obj;
	size_t cap = policy->n_assignments;

	if (!kdr_spec__expect_map(ctx, value, "a map of topic -> " ASSIGNMENT_EXPECTED))
		return;
	for (size_t i = 0; i + 1 < value->n; i += 2) {
		const struct kdr_spec_node *key = value->items[i], *item = value->items[i + 1];
		struct kdr_static_assignment *sa = NULL;
		size_t saved = 0;

		if (!kdr_spec__map_entry_begin(ctx, key, item, &saved))
			continue;
		policy->assignments =
			kdr_grow(policy->assignments, &cap, policy->n_assignments + 1, sizeof(*policy->assignments));
		sa = &policy->assignments[policy->n_assignments++];
		memset(sa, 0, sizeof(*sa));
		sa->topic = kdr_strdup(key->text);
		decode_assignment(ctx, &sa->assignment, item);
		kdr_spec__path_pop(ctx, saved);
	}
	if (policy->n_assignments > 1)
		qsort(policy->assignments, policy->n_assignments, sizeof(*policy->assignments), compare_assignments);
}

static const struct kdr_spec_field placement_fields[] = {
	{ "strategy", KDR_SPEC_CUSTOM, 0, false, decode_strategy, "any, rack-aware, cross-dc or static", NULL, 0 },
	{ "preferredLeaderDatacenter", KDR_SPEC_STRING, offsetof(struct kdr_policy, preferred_leader_datacenter), false,
	  NULL, NULL, NULL, 0 },
	{ "requireDcLossSurvival", KDR_SPEC_BOOL, offsetof(struct kdr_policy, require_dc_loss_survival), false, NULL,
	  NULL, NULL, 0 },
	{ "assignments", KDR_SPEC_CUSTOM, 0, false, decode_assignments, "a map of topic -> " ASSIGNMENT_EXPECTED, NULL,
	  0 },
	{ "fallback", KDR_SPEC_CUSTOM, 0, false, decode_fallback, "any, rack-aware or cross-dc", NULL, 0 },
};

static void decode_local_retention(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_policy *policy = obj;

	if (kdr_spec__get_duration(ctx, &policy->tiering.local_retention_ms, value, false))
		policy->tiering.has_local_retention = true;
}

static void decode_retention(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_policy *policy = obj;

	if (kdr_spec__get_duration(ctx, &policy->tiering.retention_ms, value, true))
		policy->tiering.has_retention = true;
}

static const struct kdr_spec_field tiering_fields[] = {
	{ "enabled", KDR_SPEC_BOOL, offsetof(struct kdr_policy, tiering.enabled), false, NULL, NULL, NULL, 0 },
	{ "localRetention", KDR_SPEC_CUSTOM, 0, false, decode_local_retention, "a duration", NULL, 0 },
	{ "retention", KDR_SPEC_CUSTOM, 0, false, decode_retention, "a duration", NULL, 0 },
};

static void decode_tiering(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct kdr_policy *policy = obj;

	if (kdr_spec__decode_fields(ctx, value, tiering_fields, N(tiering_fields), policy))
		policy->tiering.present = true;
}

static const struct kdr_spec_field policy_fields[] = {
	{ "clusters", KDR_SPEC_STRINGS, offsetof(struct kdr_policy, clusters), true, NULL, NULL, NULL, 0 },
	{ "topics", KDR_SPEC_CUSTOM, 0, false, decode_topics, "a list of topics", NULL, 0 },
	{ "match", KDR_SPEC_STRING, offsetof(struct kdr_policy, match), false, NULL, NULL, NULL, 0 },
	{ "partitions", KDR_SPEC_INT, offsetof(struct kdr_policy, partitions), false, NULL, NULL, NULL, 0 },
	{ "replicationFactor", KDR_SPEC_INT, offsetof(struct kdr_policy, replication_factor), false, NULL, NULL, NULL,
	  0 },
	{ "config", KDR_SPEC_CONFIG, offsetof(struct kdr_policy, config), false, NULL, NULL, NULL, 0 },
	{ "placement", KDR_SPEC_OBJECT, 0, false, NULL, NULL, placement_fields, N(placement_fields) },
	{ "tiering", KDR_SPEC_CUSTOM, 0, false, decode_tiering, "a map {enabled, localRetention, retention}", NULL, 0 },
	{ "configPrune", KDR_SPEC_BOOL, offsetof(struct kdr_policy, config_prune), false, NULL, NULL, NULL, 0 },
	{ "prune", KDR_SPEC_BOOL, offsetof(struct kdr_policy, prune), false, NULL, NULL, NULL, 0 },
};

/* --- the document --- */

static void decode_api_version(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	static const char *const versions[] = { KDR_API_VERSION };

	(void)obj;
	kdr_spec__get_enum(ctx, value, versions, N(versions));
}

static void decode_kind(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	(void)obj;
	kdr_spec__get_enum(ctx, value, kind_names, N(kind_names));
}

/* The spec of a kind kdr does not know: there is nothing to check it against. */
static void decode_unknown_spec(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	(void)ctx;
	(void)value;
	(void)obj;
}

static void decode_metadata(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	(void)obj;
	kdr_spec__decode_fields(ctx, value, metadata_fields, N(metadata_fields), ctx->meta);
}

#define ROOT_FIELDS(spec_type, spec_required, spec_decode, sub, n_sub)                                       \
	{                                                                                                    \
		{ "apiVersion", KDR_SPEC_CUSTOM, 0, true, decode_api_version, KDR_API_VERSION, NULL, 0 },    \
		{ "kind", KDR_SPEC_CUSTOM, 0, true, decode_kind, "KafkaCluster, ReplicationFlow, TopicPolicy or AccessPolicy", \
		  NULL, 0 },                                                                                 \
		{ "metadata", KDR_SPEC_CUSTOM, 0, true, decode_metadata, "a map {name}", NULL, 0 },          \
		{ "spec", spec_type, 0, spec_required, spec_decode, "a map", sub, n_sub },                   \
		{ "status", KDR_SPEC_IGNORE, 0, false, NULL, NULL, NULL, 0 },                                \
	}

static const struct kdr_spec_field root_fields[][5] = {
    [KIND_CLUSTER] = ROOT_FIELDS(KDR_SPEC_OBJECT, true, NULL, cluster_fields, N(cluster_fields)),
    [KIND_FLOW] = ROOT_FIELDS(KDR_SPEC_OBJECT, true, NULL, flow_fields, N(flow_fields)),
    [KIND_POLICY] = ROOT_FIELDS(KDR_SPEC_OBJECT, true, NULL, policy_fields, N(policy_fields)),
    [KIND_ACCESS_POLICY] = ROOT_FIELDS(KDR_SPEC_CUSTOM, true, kdr_spec__decode_access_policy, NULL, 0),
    /* An unknown kind: its spec cannot be checked, but the rest can. */
    [KIND_UNKNOWN] = ROOT_FIELDS(KDR_SPEC_CUSTOM, false, decode_unknown_spec, NULL, 0),
};

/* The scalar text of `node`, or NULL. */
static const char *scalar_text(const struct kdr_spec_node *node)
{
	if (!node || node->kind != KDR_SPEC_NODE_SCALAR || node->style == KDR_SPEC_STYLE_INVALID ||
	    kdr_spec__node_is_null(node))
		return NULL;
	return node->text;
}

void kdr_spec__decode_document(struct kdr_desired *into, const struct kdr_spec_node *root, const char *file,
			       const char *label, struct kdr_diags *diags)
{
	struct kdr_spec_ctx ctx = { diags, file, label, NULL, KDR_BUF_INIT };
	struct kdr_meta scratch = { 0 };
	struct kdr_meta *meta = &scratch;
	const char *kind_text = NULL, *name = NULL;
	char *ref = NULL;
	enum kind kind = KIND_UNKNOWN;
	void *obj = NULL;

	if (!ctx.ref)
		ctx.ref = "(json)";
	if (root->kind != KDR_SPEC_NODE_MAP) {
		kdr_spec__error_expected(&ctx, root, "a map {apiVersion, kind, metadata, spec}");
		return;
	}
	/* Something else's YAML (a tool's config next to the documents) is not ours to judge. */
	if (!kdr_spec__map_get(root, "apiVersion") && !kdr_spec__map_get(root, "kind")) {
		struct kdr_loc loc = { file ? file : ctx.ref, file ? root->line : 0, file ? root->col : 0 };

		kdr_diags_warning(diags, &loc, NULL, "not a kdr resource (no apiVersion or kind), skipped");
		return;
	}
	/*
	 * Peek at kind and name first: the object must exist before its fields
	 * are decoded (positions go into it), and a JSON object's diagnostics
	 * are named after it. Problems with either are reported in order below.
	 */
	kind_text = scalar_text(kdr_spec__map_get(root, "kind"));
	name = scalar_text(kdr_spec__map_get(kdr_spec__map_get(root, "metadata"), "name"));
	for (size_t i = 0; kind_text && i < N(kind_names); i++)
		if (strcmp(kind_text, kind_names[i]) == 0)
			kind = (enum kind)i;
	if (!file && kind_text && name) {
		/* A Kubernetes object is named as kubectl shows it: "TopicPolicy ns/core". */
		const char *ns = scalar_text(kdr_spec__map_get(kdr_spec__map_get(root, "metadata"), "namespace"));

		ref = ns ? kdr_asprintf("%s %s/%s", kind_text, ns, name) : kdr_asprintf("%s/%s", kind_text, name);
		ctx.ref = ref;
	}
	switch (kind) {
	case KIND_CLUSTER: {
		struct kdr_cluster *cl = kdr_desired_add_cluster(into);

		obj = cl;
		meta = &cl->meta;
		break;
	}
	case KIND_FLOW: {
		struct kdr_flow *flow = kdr_desired_add_flow(into);

		obj = flow;
		meta = &flow->meta;
		break;
	}
	case KIND_POLICY: {
		struct kdr_policy *policy = kdr_desired_add_policy(into);

		obj = policy;
		meta = &policy->meta;
		break;
	}
	case KIND_ACCESS_POLICY: {
		struct kdr_access_policy *policy = kdr_desired_add_access_policy(into);

		obj = policy;
		meta = &policy->meta;
		break;
	}
	case KIND_UNKNOWN:
		break;
	}
	ctx.meta = meta;
	meta->file = kdr_strdup(file);
	meta->line = root->line;
	meta->col = root->col;
	kdr_spec__decode_fields(&ctx, root, root_fields[kind], N(root_fields[kind]), obj);
	if (kind == KIND_UNKNOWN)
		kdr_meta_release(&scratch);
	else if (meta->name && !file && meta->namespace)
		meta->object_ref = kdr_asprintf("%s %s/%s", kind_names[kind], meta->namespace, meta->name);
	else if (meta->name)
		meta->object_ref = kdr_asprintf("%s/%s", kind_names[kind], meta->name);
	else if (file)
		meta->object_ref = kdr_asprintf("%s/<unnamed>", kind_names[kind]);
	else
		meta->object_ref = kdr_strdup(ctx.ref);
	kdr_buf_release(&ctx.path);
	free(ref);
}
