#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "util/alloc.h"
#include "util/error.h"

static void set_int(struct kdr_strmap *config, const char *key, int64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", (long long)value);
	kdr_strmap_set(config, key, text);
}

static void set_bool(struct kdr_strmap *config, const char *key, bool value)
{
	kdr_strmap_set(config, key, value ? "true" : "false");
}

char *kdr_mm2_join_patterns(const struct kdr_strvec *patterns, const char *defaults)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < patterns->n; i++) {
		if (i)
			kdr_buf_putc(&buf, ',');
		kdr_buf_puts(&buf, patterns->v[i]);
	}
	if (defaults) {
		if (buf.len)
			kdr_buf_putc(&buf, ',');
		kdr_buf_puts(&buf, defaults);
	}
	return kdr_buf_detach(&buf);
}

char *kdr_mm2_topics_exclude(const struct kdr_flow *flow)
{
	return kdr_mm2_join_patterns(&flow->topics_exclude,
				     flow->keep_default_excludes ? KDR_MM2_DEFAULT_TOPICS_EXCLUDE : NULL);
}

char *kdr_mm2_groups_exclude(const struct kdr_flow *flow)
{
	return kdr_mm2_join_patterns(&flow->groups_exclude,
				     flow->keep_default_excludes ? KDR_MM2_DEFAULT_GROUPS_EXCLUDE : NULL);
}

static struct kdr_mm2_connector *add_connector(struct kdr_mm2_connectors *out, const struct kdr_flow *flow,
					       enum kdr_mm2_role role, const char *cluster)
{
	struct kdr_mm2_connector *connector;

	out->v = kdr_grow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
	connector = &out->v[out->n++];
	memset(connector, 0, sizeof(*connector));
	connector->name = kdr_asprintf("%s%s.%s", KDR_MM2_OWNED_PREFIX, flow->meta.name, kdr_mm2_role_name(role));
	connector->cluster = kdr_strdup(cluster);
	connector->flow = kdr_strdup(flow->meta.name);
	connector->role = role;
	return connector;
}

/* Keys every connector of a flow carries: identity, clusters, policy, converters. */
static int render_common(struct kdr_mm2_connector *connector, const struct kdr_flow *flow,
			 const struct kdr_cluster *from, const struct kdr_cluster *to,
			 const char *connector_class, const struct kdr_mm2_secrets *secrets)
{
	struct kdr_strmap *config = &connector->config;
	int rc;

	/*
	 * The user's extra keys go in first so that every key kdr renders wins,
	 * even if validation (which refuses such clashes) was bypassed.
	 */
	for (size_t i = 0; i < flow->connector_config.n; i++)
		kdr_strmap_set(config, flow->connector_config.v[i].key, flow->connector_config.v[i].value);
	kdr_strmap_set(config, "name", connector->name);
	kdr_strmap_set(config, "connector.class", connector_class);
	kdr_strmap_set(config, "source.cluster.alias", from->meta.name);
	kdr_strmap_set(config, "target.cluster.alias", to->meta.name);
	rc = kdr_mm2_client_properties(config, &connector->secret_keys, from, "source.cluster.", secrets);
	if (rc == 0)
		rc = kdr_mm2_client_properties(config, &connector->secret_keys, to, "target.cluster.", secrets);
	if (rc != 0)
		return rc;
	kdr_strmap_set(config, "replication.policy.class",
		       flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY
			       ? "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
			       : "org.apache.kafka.connect.mirror.DefaultReplicationPolicy");
	kdr_strmap_set(config, "replication.policy.separator", flow->separator ? flow->separator : ".");
	/* Connect's default header converter would turn replicated header bytes into Base64 text. */
	kdr_strmap_set(config, "key.converter", KDR_MM2_BYTE_ARRAY_CONVERTER);
	kdr_strmap_set(config, "value.converter", KDR_MM2_BYTE_ARRAY_CONVERTER);
	kdr_strmap_set(config, "header.converter", KDR_MM2_BYTE_ARRAY_CONVERTER);
	return 0;
}

static void render_topic_filter(struct kdr_strmap *config, const struct kdr_flow *flow)
{
	char *topics = kdr_mm2_join_patterns(&flow->topics, NULL);
	char *exclude = kdr_mm2_topics_exclude(flow);

	kdr_strmap_set(config, "topics", topics);
	kdr_strmap_set(config, "topics.exclude", exclude);
	free(topics);
	free(exclude);
}

int kdr_mm2_render_flow(struct kdr_mm2_connectors *out, const struct kdr_desired *desired,
			const struct kdr_flow *flow, const struct kdr_mm2_secrets *secrets)
{
	const struct kdr_cluster *source = kdr_desired_cluster(desired, flow->source);
	const struct kdr_cluster *target = kdr_desired_cluster(desired, flow->target);
	struct kdr_mm2_connector *connector = NULL;
	int rc = 0;

	if (!source || !target)
		return kdr_error_set(KDR_EINVALID, "flow '%s': cluster '%s' is not declared", flow->meta.name,
				     source ? flow->target : flow->source);
	if (!target->connect.present) {
		kdr_strvec_push_take(&out->notes,
				     kdr_asprintf("flow '%s': cluster '%s' declares no connect: no source or checkpoint "
						  "connector can run",
						  flow->meta.name, flow->target));
	} else {
		connector = add_connector(out, flow, KDR_MM2_SOURCE, flow->target);
		rc = render_common(connector, flow, source, target, KDR_MM2_SOURCE_CONNECTOR, secrets);
		if (rc != 0)
			return rc;
		set_int(&connector->config, "tasks.max", flow->tasks_max);
		render_topic_filter(&connector->config, flow);
		set_int(&connector->config, "replication.factor", flow->replication_factor);
		set_int(&connector->config, "offset-syncs.topic.replication.factor",
			flow->internal_topics_replication_factor);
		set_bool(&connector->config, "sync.topic.configs.enabled", flow->sync_topic_configs);
		set_bool(&connector->config, "sync.topic.acls.enabled", flow->sync_topic_acls);

		/* MM2 3.9 rejects emit.checkpoints.enabled=false: a disabled checkpoint is no connector. */
		if (flow->checkpoints_enabled) {
			char *groups = kdr_mm2_join_patterns(&flow->groups, NULL);
			char *groups_exclude = kdr_mm2_groups_exclude(flow);

			connector = add_connector(out, flow, KDR_MM2_CHECKPOINT, flow->target);
			rc = render_common(connector, flow, source, target, KDR_MM2_CHECKPOINT_CONNECTOR, secrets);
			if (rc == 0) {
				set_int(&connector->config, "tasks.max", flow->tasks_max);
				render_topic_filter(&connector->config, flow);
				kdr_strmap_set(&connector->config, "groups", groups);
				kdr_strmap_set(&connector->config, "groups.exclude", groups_exclude);
				set_bool(&connector->config, "emit.checkpoints.enabled", true);
				set_int(&connector->config, "emit.checkpoints.interval.seconds",
					flow->checkpoints_interval_seconds);
				set_bool(&connector->config, "sync.group.offsets.enabled", flow->sync_group_offsets);
				set_int(&connector->config, "sync.group.offsets.interval.seconds",
					flow->sync_group_offsets_interval_seconds);
				set_int(&connector->config, "checkpoints.topic.replication.factor",
					flow->internal_topics_replication_factor);
			}
			free(groups);
			free(groups_exclude);
			if (rc != 0)
				return rc;
		}
	}
	if (!flow->heartbeats_enabled)
		return 0;
	if (!source->connect.present) {
		kdr_strvec_push_take(&out->notes,
				     kdr_asprintf("flow '%s': cluster '%s' declares no connect: no heartbeat connector "
						  "(heartbeats prove the flow end to end)",
						  flow->meta.name, flow->source));
		return 0;
	}
	/*
	 * The heartbeat connector runs against the SOURCE with the aliases
	 * reversed: it writes `heartbeats` into the source, and the flow's source
	 * connector carries them to the target as <source>.heartbeats.
	 */
	connector = add_connector(out, flow, KDR_MM2_HEARTBEAT, flow->source);
	rc = render_common(connector, flow, target, source, KDR_MM2_HEARTBEAT_CONNECTOR, secrets);
	if (rc != 0)
		return rc;
	set_int(&connector->config, "tasks.max", 1);
	set_bool(&connector->config, "emit.heartbeats.enabled", true);
	set_int(&connector->config, "emit.heartbeats.interval.seconds", flow->heartbeats_interval_seconds);
	set_int(&connector->config, "heartbeats.topic.replication.factor", flow->internal_topics_replication_factor);
	return 0;
}

static int compare_connectors(const void *a, const void *b)
{
	const struct kdr_mm2_connector *x = a, *y = b;
	int cmp = strcmp(x->cluster, y->cluster);

	return cmp ? cmp : strcmp(x->name, y->name);
}

int kdr_mm2_render_all(struct kdr_mm2_connectors *out, const struct kdr_desired *desired,
		       const struct kdr_mm2_secrets *secrets)
{
	for (size_t i = 0; i < desired->n_flows; i++) {
		int rc = kdr_mm2_render_flow(out, desired, &desired->flows[i], secrets);

		if (rc != 0)
			return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), compare_connectors);
	return 0;
}

void kdr_mm2_render_connect_json(struct kdr_buf *out, const struct kdr_mm2_connectors *connectors)
{
	/*
	 * One JSON array; each element is the POST /connectors body plus
	 * "connect", the KafkaCluster whose Connect runs it (strip it with
	 * jq '{name, config}' before posting by hand).
	 */
	kdr_buf_puts(out, "[");
	for (size_t i = 0; i < connectors->n; i++) {
		const struct kdr_mm2_connector *connector = &connectors->v[i];

		kdr_buf_puts(out, i ? ",\n  {\n    \"connect\": " : "\n  {\n    \"connect\": ");
		kdr_buf_put_json_string(out, connector->cluster);
		kdr_buf_puts(out, ",\n    \"name\": ");
		kdr_buf_put_json_string(out, connector->name);
		kdr_buf_puts(out, ",\n    \"config\": {\n");
		for (size_t k = 0; k < connector->config.n; k++) {
			kdr_buf_puts(out, "      ");
			kdr_buf_put_json_string(out, connector->config.v[k].key);
			kdr_buf_puts(out, ": ");
			kdr_buf_put_json_string(out, connector->config.v[k].value);
			kdr_buf_puts(out, k + 1 < connector->config.n ? ",\n" : "\n");
		}
		kdr_buf_puts(out, "    }\n  }");
	}
	kdr_buf_puts(out, connectors->n ? "\n]\n" : "]\n");
}

void kdr_mm2_connectors_release(struct kdr_mm2_connectors *connectors)
{
	for (size_t i = 0; i < connectors->n; i++) {
		struct kdr_mm2_connector *connector = &connectors->v[i];

		free(connector->name);
		free(connector->cluster);
		free(connector->flow);
		/* Rendered configs may hold resolved secrets: wipe before freeing. */
		for (size_t k = 0; k < connector->config.n; k++)
			if (kdr_strvec_contains(&connector->secret_keys, connector->config.v[k].key))
				kdr_wipe(connector->config.v[k].value);
		kdr_strmap_release(&connector->config);
		kdr_strvec_release(&connector->secret_keys);
	}
	free(connectors->v);
	kdr_strvec_release(&connectors->notes);
	memset(connectors, 0, sizeof(*connectors));
}
