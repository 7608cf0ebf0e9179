/*
 * kdr failback's documents (dr.h): the reverse flow it declares and whether
 * it can be removed as a whole file. Pure: the recording is pkg/source's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dr/dr.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* A YAML double-quoted scalar (JSON escapes are YAML's too). */
static void put_quoted(struct kdr_buf *out, const char *text)
{
	kdr_buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			kdr_buf_printf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			kdr_buf_printf(out, "\\x%02x", *p);
		else
			kdr_buf_putc(out, (char)*p);
	}
	kdr_buf_putc(out, '"');
}

static void put_list(struct kdr_buf *out, const char *key, const struct kdr_strvec *list)
{
	kdr_buf_printf(out, "  %s: [", key);
	for (size_t i = 0; i < list->n; i++) {
		if (i)
			kdr_buf_puts(out, ", ");
		put_quoted(out, list->v[i]);
	}
	kdr_buf_puts(out, "]\n");
}

char *kdr_dr_failback_reverse_document(const struct kdr_flow *flow, const char *name)
{
	struct kdr_buf out = KDR_BUF_INIT;

	kdr_buf_printf(&out,
		       "# Written by `kdr failback --flow %s`: the reverse of flow %s, so that the records\n"
		       "# written on %s while %s was failed over reach %s. `kdr failback` removes it again\n"
		       "# once its consumer groups are failed over back (docs/runbook.md, \"Failback\").\n"
		       "apiVersion: kdr.io/v1alpha1\n"
		       "kind: ReplicationFlow\n"
		       "metadata:\n"
		       "  name: %s\n"
		       "spec:\n"
		       "  source: %s\n"
		       "  target: %s\n",
		       flow->meta.name, flow->meta.name, flow->target, flow->source, flow->source, name, flow->target,
		       flow->source);
	put_list(&out, "topics", &flow->topics);
	put_list(&out, "topicsExclude", &flow->topics_exclude);
	put_list(&out, "groups", &flow->groups);
	put_list(&out, "groupsExclude", &flow->groups_exclude);
	kdr_buf_printf(&out, "  keepDefaultExcludes: %s\n", flow->keep_default_excludes ? "true" : "false");
	kdr_buf_printf(&out, "  replicationPolicy: {type: %s, separator: ",
		       flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY ? "identity" : "default");
	put_quoted(&out, flow->separator ? flow->separator : ".");
	kdr_buf_puts(&out, "}\n");
	kdr_buf_printf(&out, "  replicationFactor: %lld\n", (long long)flow->replication_factor);
	kdr_buf_printf(&out, "  internalTopicsReplicationFactor: %lld\n",
		       (long long)flow->internal_topics_replication_factor);
	kdr_buf_printf(&out, "  tasksMax: %lld\n", (long long)flow->tasks_max);
	kdr_buf_printf(&out, "  syncTopicConfigs: %s\n", flow->sync_topic_configs ? "true" : "false");
	/* Checkpoints are what translates the groups back: always on, never synced into live groups. */
	kdr_buf_printf(&out, "  checkpoints: {enabled: true, intervalSeconds: %lld}\n",
		       (long long)flow->checkpoints_interval_seconds);
	kdr_buf_printf(&out, "  heartbeats: {enabled: %s, intervalSeconds: %lld}\n",
		       flow->heartbeats_enabled ? "true" : "false", (long long)flow->heartbeats_interval_seconds);
	if (flow->connector_config.n) {
		kdr_buf_puts(&out, "  connectorConfig:\n");
		for (size_t i = 0; i < flow->connector_config.n; i++) {
			kdr_buf_puts(&out, "    ");
			put_quoted(&out, flow->connector_config.v[i].key);
			kdr_buf_puts(&out, ": ");
			put_quoted(&out, flow->connector_config.v[i].value);
			kdr_buf_puts(&out, "\n");
		}
	}
	return kdr_buf_detach(&out);
}

bool kdr_dr_shares_file(const struct kdr_desired *desired, const struct kdr_flow *reverse)
{
	const char *file = reverse->meta.file;

	for (size_t i = 0; i < desired->n_clusters; i++)
		if (desired->clusters[i].meta.file && strcmp(desired->clusters[i].meta.file, file) == 0)
			return true;
	for (size_t i = 0; i < desired->n_flows; i++)
		if (&desired->flows[i] != reverse && desired->flows[i].meta.file &&
		    strcmp(desired->flows[i].meta.file, file) == 0)
			return true;
	for (size_t i = 0; i < desired->n_policies; i++)
		if (desired->policies[i].meta.file && strcmp(desired->policies[i].meta.file, file) == 0)
			return true;
	for (size_t i = 0; i < desired->n_access_policies; i++)
		if (desired->access_policies[i].meta.file && strcmp(desired->access_policies[i].meta.file, file) == 0)
			return true;
	return false;
}

#define REVERSE_SUFFIX "-failback"
#define MAX_FLOW_NAME 63

int kdr_dr_failback_step(struct kdr_dr_failback_state *out, const struct kdr_desired *desired,
			 const struct kdr_flow *flow)
{
	const char *name = flow->meta.name;
	const struct kdr_flow *reverse = NULL;

	memset(out, 0, sizeof(*out));
	if (strlen(name) + strlen(REVERSE_SUFFIX) > MAX_FLOW_NAME)
		return kdr_error_set(KDR_EINVALID, "flow name '%s' is too long for its reverse flow '%s%s' (at most %d)",
				     name, name, REVERSE_SUFFIX, MAX_FLOW_NAME);
	out->reverse_name = kdr_asprintf("%s%s", name, REVERSE_SUFFIX);
	reverse = kdr_desired_flow(desired, out->reverse_name);
	if (reverse && (strcmp(reverse->source, flow->target) != 0 || strcmp(reverse->target, flow->source) != 0))
		return kdr_error_set(KDR_EINVALID, "ReplicationFlow '%s' exists but is not %s -> %s: rename one of them",
				     out->reverse_name, flow->target, flow->source);
	out->owned = reverse != NULL;
	/* Active-active: a declared flow already goes back (the first by name); it is the reverse flow. */
	for (size_t i = 0; !reverse && i < desired->n_flows; i++)
		if (strcmp(desired->flows[i].source, flow->target) == 0 && strcmp(desired->flows[i].target, flow->source) == 0)
			reverse = &desired->flows[i];
	out->reverse = reverse;
	if (!flow->failed_over && (!reverse || (!out->owned && !reverse->failed_over)))
		out->step = KDR_DR_FAILBACK_NOTHING;
	else if (!reverse)
		out->step = KDR_DR_FAILBACK_DECLARE;
	else if (!reverse->failed_over && flow->failed_over)
		out->step = KDR_DR_FAILBACK_CATCH_UP;
	else
		out->step = KDR_DR_FAILBACK_RESTORE;
	return 0;
}

void kdr_dr_failback_state_release(struct kdr_dr_failback_state *state)
{
	free(state->reverse_name);
	memset(state, 0, sizeof(*state));
}
