/* Objects -> sorted (field path, printable value) lists; the only place that knows the kinds' fields. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_internal.h"
#include "util/alloc.h"
#include "util/scrub.h"
#include "util/buf.h"
#include "util/sort.h"

static void add_take(struct diff_flat *out, char *path, char *value)
{
	struct diff_flat_field *field = NULL;

	out->v = kdr_grow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
	field = &out->v[out->n];
	memset(field, 0, sizeof(*field));
	field->path = path;
	field->value = value;
	out->n++;
}

static void add_str(struct diff_flat *out, const char *path, const char *value)
{
	if (value)
		add_take(out, kdr_strdup(path), kdr_strdup(value));
}

static void add_int(struct diff_flat *out, const char *path, int64_t value)
{
	add_take(out, kdr_strdup(path), kdr_asprintf("%" PRId64, value));
}

static void add_bool(struct diff_flat *out, const char *path, bool value)
{
	add_str(out, path, value ? "true" : "false");
}

/* A redacted literal: prints KDR_REDACTED, compared by the lent literal. */
static void add_redacted(struct diff_flat *out, const char *path, const char *literal)
{
	add_take(out, kdr_strdup(path), kdr_strdup(KDR_REDACTED));
	out->v[out->n - 1].redacted = true;
	out->v[out->n - 1].secret = literal ? literal : "";
}

/*
 * A value that may be a reference. References print where the secret comes
 * from (a name, not a secret); literals print unless `sensitive`.
 */
static void add_value(struct diff_flat *out, const char *path, const struct kdr_value *value, bool sensitive)
{
	switch (value->kind) {
	case KDR_VALUE_LITERAL:
		if (sensitive)
			add_redacted(out, path, value->literal);
		else
			add_str(out, path, value->literal ? value->literal : "");
		break;
	case KDR_VALUE_ENV:
		add_take(out, kdr_strdup(path), kdr_asprintf("valueFrom env %s", value->ref ? value->ref : ""));
		break;
	case KDR_VALUE_FILE:
		add_take(out, kdr_strdup(path), kdr_asprintf("valueFrom file %s", value->ref ? value->ref : ""));
		break;
	case KDR_VALUE_SECRET_KEY_REF:
		add_take(out, kdr_strdup(path),
			 kdr_asprintf("valueFrom secretKeyRef %s/%s", value->ref ? value->ref : "",
				      value->key ? value->key : ""));
		break;
	}
}

/* A literal config map: every key a field, sensitive keys redacted. */
static void add_config(struct diff_flat *out, const char *prefix, const struct kdr_strmap *config)
{
	for (size_t i = 0; i < config->n; i++) {
		char *path = kdr_asprintf("%s.%s", prefix, config->v[i].key);

		if (kdr_config_key_is_sensitive(config->v[i].key))
			add_redacted(out, path, config->v[i].value);
		else
			add_str(out, path, config->v[i].value);
		free(path);
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A list whose order means nothing (patterns MM2 joins with '|', cluster
 * names, racks), printed sorted as "[a, b]" so that reordering is no change.
 */
static void add_set(struct diff_flat *out, const char *path, const struct kdr_strvec *list)
{
	struct kdr_buf text = KDR_BUF_INIT;
	const char **sorted = NULL;

	if (list->n) {
		sorted = kdr_malloc(list->n * sizeof(*sorted));
		for (size_t i = 0; i < list->n; i++)
			sorted[i] = list->v[i];
		qsort(sorted, list->n, sizeof(*sorted), compare_strings);
	}
	kdr_buf_putc(&text, '[');
	for (size_t i = 0; i < list->n; i++)
		kdr_buf_printf(&text, "%s%s", i ? ", " : "", sorted[i]);
	kdr_buf_putc(&text, ']');
	add_take(out, kdr_strdup(path), kdr_buf_detach(&text));
	free(sorted);
}

/* By path, duplicate paths in the order they were added. */
static void sort_fields(struct diff_flat *out)
{
	kdr_sort_by_name(out->v, out->n, sizeof(*out->v));
}

void kdr_diff__flatten_cluster(struct diff_flat *out, const struct kdr_cluster *cl)
{
	add_str(out, "spec.bootstrapServers", cl->bootstrap_servers);
	for (size_t i = 0; i < cl->client_config.n; i++) {
		const struct kdr_value_entry *entry = &cl->client_config.v[i];
		char *path = kdr_asprintf("spec.clientConfig.%s", entry->key);

		add_value(out, path, &entry->value, kdr_config_key_is_sensitive(entry->key));
		free(path);
	}
	if (cl->connect.present) {
		const struct kdr_connect_spec *connect = &cl->connect;
		char *url = kdr_scrub_userinfo_dup(connect->url);

		add_str(out, "spec.connect.url", url);
		free(url);
		/* Credentials by field, whatever their key says. */
		if (connect->auth_kind == KDR_CONNECT_AUTH_BEARER) {
			add_value(out, "spec.connect.auth.bearerToken", &connect->token, true);
		} else if (connect->auth_kind == KDR_CONNECT_AUTH_BASIC) {
			add_value(out, "spec.connect.auth.basic.username", &connect->username, false);
			add_value(out, "spec.connect.auth.basic.password", &connect->password, true);
		}
		add_str(out, "spec.connect.caFile", connect->ca_file);
		add_bool(out, "spec.connect.insecureSkipVerify", connect->insecure_skip_verify);
	}
	for (size_t i = 0; i < cl->n_datacenters; i++) {
		char *path = kdr_asprintf("spec.datacenters.%s", cl->datacenters[i].name);

		add_set(out, path, &cl->datacenters[i].racks);
		free(path);
	}
	sort_fields(out);
}

void kdr_diff__flatten_flow(struct diff_flat *out, const struct kdr_flow *flow)
{
	add_str(out, "spec.source", flow->source);
	add_str(out, "spec.target", flow->target);
	add_set(out, "spec.topics", &flow->topics);
	add_set(out, "spec.topicsExclude", &flow->topics_exclude);
	add_set(out, "spec.groups", &flow->groups);
	add_set(out, "spec.groupsExclude", &flow->groups_exclude);
	add_bool(out, "spec.keepDefaultExcludes", flow->keep_default_excludes);
	add_str(out, "spec.replicationPolicy.type",
		flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY ? "identity" : "default");
	add_str(out, "spec.replicationPolicy.separator", flow->separator);
	add_int(out, "spec.replicationFactor", flow->replication_factor);
	add_int(out, "spec.tasksMax", flow->tasks_max);
	add_bool(out, "spec.syncTopicConfigs", flow->sync_topic_configs);
	add_bool(out, "spec.syncTopicAcls", flow->sync_topic_acls);
	add_bool(out, "spec.checkpoints.enabled", flow->checkpoints_enabled);
	add_int(out, "spec.checkpoints.intervalSeconds", flow->checkpoints_interval_seconds);
	add_bool(out, "spec.checkpoints.syncGroupOffsets", flow->sync_group_offsets);
	add_int(out, "spec.checkpoints.syncGroupOffsetsIntervalSeconds", flow->sync_group_offsets_interval_seconds);
	add_bool(out, "spec.heartbeats.enabled", flow->heartbeats_enabled);
	add_int(out, "spec.heartbeats.intervalSeconds", flow->heartbeats_interval_seconds);
	add_int(out, "spec.internalTopicsReplicationFactor", flow->internal_topics_replication_factor);
	add_config(out, "spec.connectorConfig", &flow->connector_config);
	add_bool(out, "spec.suspended", flow->suspended);
	if (flow->failed_over)
		add_str(out, "spec.failedOver", flow->failed_over);
	sort_fields(out);
}

static char *assignment_text(const struct kdr_assignment *assignment)
{
	struct kdr_buf text = KDR_BUF_INIT;

	kdr_buf_putc(&text, '[');
	for (size_t p = 0; p < assignment->n; p++) {
		const struct kdr_replica_list *replicas = &assignment->partitions[p];

		kdr_buf_puts(&text, p ? ",[" : "[");
		for (size_t r = 0; r < replicas->n; r++)
			kdr_buf_printf(&text, "%s%" PRId32, r ? "," : "", replicas->ids[r]);
		kdr_buf_putc(&text, ']');
	}
	kdr_buf_putc(&text, ']');
	return kdr_buf_detach(&text);
}

void kdr_diff__flatten_policy(struct diff_flat *out, const struct kdr_policy *policy)
{
	add_set(out, "spec.clusters", &policy->clusters);
	/* Keyed by topic name, so moving an entry in the list is no change. */
	for (size_t i = 0; i < policy->n_topics; i++) {
		const struct kdr_topic_decl *topic = &policy->topics[i];
		char *prefix = kdr_asprintf("spec.topics[%s]", topic->name ? topic->name : "");
		char *path = NULL;

		add_str(out, prefix, "declared");
		if (topic->partitions) {
			path = kdr_asprintf("%s.partitions", prefix);
			add_int(out, path, topic->partitions);
			free(path);
		}
		if (topic->replication_factor) {
			path = kdr_asprintf("%s.replicationFactor", prefix);
			add_int(out, path, topic->replication_factor);
			free(path);
		}
		path = kdr_asprintf("%s.config", prefix);
		add_config(out, path, &topic->config);
		free(path);
		free(prefix);
	}
	add_str(out, "spec.match", policy->match);
	add_int(out, "spec.partitions", policy->partitions);
	add_int(out, "spec.replicationFactor", policy->replication_factor);
	add_config(out, "spec.config", &policy->config);
	add_str(out, "spec.placement.strategy", kdr_placement_strategy_name(policy->strategy));
	add_str(out, "spec.placement.preferredLeaderDatacenter", policy->preferred_leader_datacenter);
	add_bool(out, "spec.placement.requireDcLossSurvival", policy->require_dc_loss_survival);
	if (policy->has_fallback)
		add_str(out, "spec.placement.fallback", kdr_placement_strategy_name(policy->fallback));
	for (size_t i = 0; i < policy->n_assignments; i++) {
		const struct kdr_static_assignment *assignment = &policy->assignments[i];
		char *path = kdr_asprintf("spec.placement.assignments[%s]", assignment->topic);

		add_take(out, path, assignment_text(&assignment->assignment));
	}
	if (policy->tiering.present) {
		add_bool(out, "spec.tiering.enabled", policy->tiering.enabled);
		/* Milliseconds, the unit both notations normalise to ("1d" and "86400000" are no change). */
		if (policy->tiering.has_local_retention)
			add_int(out, "spec.tiering.localRetention", policy->tiering.local_retention_ms);
		if (policy->tiering.has_retention)
			add_int(out, "spec.tiering.retention", policy->tiering.retention_ms);
	}
	add_bool(out, "spec.configPrune", policy->config_prune);
	add_bool(out, "spec.prune", policy->prune);
	sort_fields(out);
}

bool kdr_diff__field_differs(const struct diff_flat_field *a, const struct diff_flat_field *b)
{
	if (a->redacted != b->redacted)
		return true;
	if (a->redacted)
		return strcmp(a->secret, b->secret) != 0;
	return strcmp(a->value, b->value) != 0;
}

void kdr_diff__flat_release(struct diff_flat *flat)
{
	for (size_t i = 0; i < flat->n; i++) {
		free(flat->v[i].path);
		free(flat->v[i].value);
	}
	free(flat->v);
	memset(flat, 0, sizeof(*flat));
}
