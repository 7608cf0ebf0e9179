/*
 * The same flows as an mm2.properties for MirrorMaker 2's dedicated mode
 * (connect-mirror-maker.sh), for users who run MM2 standalone.
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "util/alloc.h"

/* .properties values treat backslash as an escape: MM2's regexes need it doubled. */
static void put_value(struct kdr_buf *out, const char *value)
{
	for (; *value; value++) {
		if (*value == '\\')
			kdr_buf_puts(out, "\\\\");
		else if (*value == '\n')
			kdr_buf_puts(out, "\\n");
		else
			kdr_buf_putc(out, *value);
	}
}

static void put_line(struct kdr_buf *out, const char *key, const char *value)
{
	kdr_buf_puts(out, key);
	kdr_buf_puts(out, " = ");
	put_value(out, value);
	kdr_buf_putc(out, '\n');
}

static void put_flow_line(struct kdr_buf *out, const struct kdr_flow *flow, const char *key, const char *value)
{
	char *full = kdr_asprintf("%s->%s.%s", flow->source, flow->target, key);

	put_line(out, full, value);
	free(full);
}

static void put_flow_int(struct kdr_buf *out, const struct kdr_flow *flow, const char *key, int64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", (long long)value);
	put_flow_line(out, flow, key, text);
}

/* Takes `joined` (a heap string). */
static void put_flow_line_take(struct kdr_buf *out, const struct kdr_flow *flow, const char *key, char *joined)
{
	put_flow_line(out, flow, key, joined);
	free(joined);
}

static bool uses_cluster(const struct kdr_flow *const *flows, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(flows[i]->source, name) == 0 || strcmp(flows[i]->target, name) == 0)
			return true;
	return false;
}

static void render_flow(struct kdr_buf *out, const struct kdr_flow *flow)
{
	kdr_buf_printf(out, "\n# flow %s%s\n", flow->meta.name, flow->suspended ? " (suspended: disabled)" : "");
	put_flow_line(out, flow, "enabled", flow->suspended ? "false" : "true");
	put_flow_line_take(out, flow, "topics", kdr_mm2_join_patterns(&flow->topics, NULL));
	put_flow_line_take(out, flow, "topics.exclude", kdr_mm2_topics_exclude(flow));
	put_flow_line_take(out, flow, "groups", kdr_mm2_join_patterns(&flow->groups, NULL));
	put_flow_line_take(out, flow, "groups.exclude", kdr_mm2_groups_exclude(flow));
	put_flow_line(out, flow, "replication.policy.class",
		      flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY
			      ? "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
			      : "org.apache.kafka.connect.mirror.DefaultReplicationPolicy");
	put_flow_line(out, flow, "replication.policy.separator", flow->separator ? flow->separator : ".");
	put_flow_int(out, flow, "replication.factor", flow->replication_factor);
	put_flow_int(out, flow, "tasks.max", flow->tasks_max);
	put_flow_line(out, flow, "sync.topic.configs.enabled", flow->sync_topic_configs ? "true" : "false");
	put_flow_line(out, flow, "sync.topic.acls.enabled", flow->sync_topic_acls ? "true" : "false");
	put_flow_line(out, flow, "emit.checkpoints.enabled", flow->checkpoints_enabled ? "true" : "false");
	put_flow_int(out, flow, "emit.checkpoints.interval.seconds", flow->checkpoints_interval_seconds);
	put_flow_line(out, flow, "sync.group.offsets.enabled", flow->sync_group_offsets ? "true" : "false");
	put_flow_int(out, flow, "sync.group.offsets.interval.seconds", flow->sync_group_offsets_interval_seconds);
	put_flow_line(out, flow, "emit.heartbeats.enabled", flow->heartbeats_enabled ? "true" : "false");
	put_flow_int(out, flow, "emit.heartbeats.interval.seconds", flow->heartbeats_interval_seconds);
	put_flow_int(out, flow, "offset-syncs.topic.replication.factor", flow->internal_topics_replication_factor);
	put_flow_int(out, flow, "checkpoints.topic.replication.factor", flow->internal_topics_replication_factor);
	put_flow_int(out, flow, "heartbeats.topic.replication.factor", flow->internal_topics_replication_factor);
	for (size_t i = 0; i < flow->connector_config.n; i++)
		put_flow_line(out, flow, flow->connector_config.v[i].key, flow->connector_config.v[i].value);
}

void kdr_mm2_render_properties(struct kdr_buf *out, const struct kdr_desired *desired, const struct kdr_flow *flow,
			       const struct kdr_mm2_secrets *secrets)
{
	const struct kdr_flow **flows = kdr_calloc(desired->n_flows + 1, sizeof(*flows));
	size_t n = 0;
	bool first = true;

	if (flow)
		flows[n++] = flow;
	else
		for (size_t i = 0; i < desired->n_flows; i++)
			flows[n++] = &desired->flows[i];
	kdr_buf_puts(out, "# mm2.properties for connect-mirror-maker.sh, rendered by kdr from the same\n"
			  "# ReplicationFlows it runs on Kafka Connect. Secrets appear as ${kdr:...} placeholders.\n"
			  "clusters = ");
	for (size_t i = 0; i < desired->n_clusters; i++) {
		if (!uses_cluster(flows, n, desired->clusters[i].meta.name))
			continue;
		kdr_buf_printf(out, "%s%s", first ? "" : ", ", desired->clusters[i].meta.name);
		first = false;
	}
	kdr_buf_putc(out, '\n');
	for (size_t i = 0; i < desired->n_clusters; i++) {
		const struct kdr_cluster *cl = &desired->clusters[i];
		struct kdr_strmap props = KDR_STRMAP_INIT;
		struct kdr_strvec secret_keys = KDR_STRVEC_INIT;
		char *prefix = NULL;

		if (!uses_cluster(flows, n, cl->meta.name))
			continue;
		prefix = kdr_asprintf("%s.", cl->meta.name);
		kdr_mm2_client_properties(&props, &secret_keys, cl, prefix, secrets);
		kdr_buf_printf(out, "\n# cluster %s\n", cl->meta.name);
		for (size_t k = 0; k < props.n; k++)
			put_line(out, props.v[k].key, props.v[k].value);
		free(prefix);
		kdr_strmap_release(&props);
		kdr_strvec_release(&secret_keys);
	}
	for (size_t i = 0; i < n; i++)
		render_flow(out, flows[i]);
	free(flows);
}
