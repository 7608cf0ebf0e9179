/*
 * Counts and intervals: partitions, replication factors and tasks are at
 * least 1 and fit Kafka's wire types (partitions int32, replication factor
 * int16); MM2 intervals are positive; the replication-policy separator is a
 * non-empty piece of a topic name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "validate/validate_internal.h"

#define MAX_PARTITIONS INT32_MAX
#define MAX_REPLICATION_FACTOR INT16_MAX

/* Reports `value` at `path` unless min <= value <= max. */
static void check_range(struct kdr_validate_ctx *ctx, const struct kdr_meta *meta, const char *path, int64_t value,
			int64_t min, int64_t max, const char *max_reason)
{
	if (value < min)
		kdr_validate__report(ctx, KDR_SEV_ERROR, meta, path, "found %lld; must be at least %lld",
				     (long long)value, (long long)min);
	else if (value > max)
		kdr_validate__report(ctx, KDR_SEV_ERROR, meta, path, "found %lld; must be at most %lld (%s)",
				     (long long)value, (long long)max, max_reason);
}

/* "YYYY-MM-DDTHH:MM:SSZ" with plausible fields (the form kdr failover --commit writes). */
static bool is_utc_timestamp(const char *text)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	int month = 0, day = 0, hour = 0, minute = 0, second = 0;

	if (strlen(text) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i])
			return false;
	month = atoi(text + 5);
	day = atoi(text + 8);
	hour = atoi(text + 11);
	minute = atoi(text + 14);
	second = atoi(text + 17);
	return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60;
}

static void check_flow(struct kdr_validate_ctx *ctx, const struct kdr_flow *flow)
{
	const struct kdr_meta *meta = &flow->meta;

	if (flow->failed_over && !is_utc_timestamp(flow->failed_over))
		kdr_validate__report(ctx, KDR_SEV_ERROR, meta, "spec.failedOver",
				     "found '%s'; expected the UTC time the failover was recorded, as kdr failover "
				     "--commit writes it (e.g. \"2026-12-07T01:02:03Z\"); remove the field to clear it",
				     flow->failed_over);

	check_range(ctx, meta, "spec.replicationFactor", flow->replication_factor, 1, MAX_REPLICATION_FACTOR,
		    "a 16-bit number in kafka");
	check_range(ctx, meta, "spec.tasksMax", flow->tasks_max, 1, INT32_MAX, "a 32-bit number in connect");
	check_range(ctx, meta, "spec.checkpoints.intervalSeconds", flow->checkpoints_interval_seconds, 1, INT32_MAX,
		    "seconds as a 32-bit number");
	check_range(ctx, meta, "spec.checkpoints.syncGroupOffsetsIntervalSeconds",
		    flow->sync_group_offsets_interval_seconds, 1, INT32_MAX, "seconds as a 32-bit number");
	check_range(ctx, meta, "spec.heartbeats.intervalSeconds", flow->heartbeats_interval_seconds, 1, INT32_MAX,
		    "seconds as a 32-bit number");
	check_range(ctx, meta, "spec.internalTopicsReplicationFactor", flow->internal_topics_replication_factor, 1,
		    MAX_REPLICATION_FACTOR, "a 16-bit number in kafka");
	if (!flow->separator || !flow->separator[0]) {
		kdr_validate__report(ctx, KDR_SEV_ERROR, meta, "spec.replicationPolicy.separator",
				     "empty; MM2 needs a separator between cluster alias and topic name (e.g. '.')");
		return;
	}
	for (const char *p = flow->separator; *p; p++) {
		if (kdr_validate__topic_char(*p))
			continue;
		kdr_validate__report(ctx, KDR_SEV_ERROR, meta, "spec.replicationPolicy.separator",
				     "found '%s'; it becomes part of remote topic names, so use only characters legal "
				     "in kafka topic names (letters, digits, '.', '_', '-')",
				     flow->separator);
		return;
	}
	/*
	 * MM2 takes the text before the first separator of a remote topic name as
	 * its source alias: with the separator inside an alias it reads the wrong
	 * alias, and cycle detection and checkpoint renaming for failback fail.
	 */
	for (size_t i = 0; i < 2; i++) {
		const char *alias = i == 0 ? flow->source : flow->target;

		if (!alias || !strstr(alias, flow->separator))
			continue;
		kdr_validate__report(ctx, KDR_SEV_WARNING, meta, "spec.replicationPolicy.separator",
				     "'%s' also appears in cluster name '%s', and MM2 reads a remote topic's source "
				     "cluster as the text before the first separator, so it cannot detect cycles or "
				     "rename checkpoints for failback; use a separator that no cluster name contains "
				     "(e.g. '.')",
				     flow->separator, alias);
		break;
	}
}

/*
 * A topic's own partitions / replicationFactor of 0 means "the policy's"; an
 * explicit 0 (the parser recorded the field) is as wrong as a negative one.
 * One pass over the recorded positions finds the explicit ones (a policy may
 * declare thousands of topics, so no lookup per topic).
 */
static void find_explicit_overrides(const struct kdr_policy *policy, bool *partitions, bool *rf)
{
	static const char prefix[] = "spec.topics[";

	for (size_t i = 0; i < policy->meta.n_positions; i++) {
		const char *path = policy->meta.positions[i].path;
		char *end = NULL;
		unsigned long index = 0;

		if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
			continue;
		index = strtoul(path + sizeof(prefix) - 1, &end, 10);
		if (index >= policy->n_topics || strncmp(end, "].", 2) != 0)
			continue;
		if (strcmp(end + 2, "partitions") == 0)
			partitions[index] = true;
		else if (strcmp(end + 2, "replicationFactor") == 0)
			rf[index] = true;
	}
}

static void check_policy(struct kdr_validate_ctx *ctx, const struct kdr_policy *policy)
{
	const struct kdr_meta *meta = &policy->meta;
	bool *explicit_partitions = NULL;
	bool *explicit_rf = NULL;

	check_range(ctx, meta, "spec.partitions", policy->partitions, 1, MAX_PARTITIONS, "a 32-bit number in kafka");
	check_range(ctx, meta, "spec.replicationFactor", policy->replication_factor, 1, MAX_REPLICATION_FACTOR,
		    "a 16-bit number in kafka");
	if (!policy->n_topics)
		return;
	explicit_partitions = kdr_calloc(policy->n_topics, sizeof(*explicit_partitions));
	explicit_rf = kdr_calloc(policy->n_topics, sizeof(*explicit_rf));
	find_explicit_overrides(policy, explicit_partitions, explicit_rf);
	for (size_t t = 0; t < policy->n_topics; t++) {
		const struct kdr_topic_decl *topic = &policy->topics[t];
		char *path = NULL;

		if (topic->partitions || explicit_partitions[t]) {
			path = kdr_asprintf("spec.topics[%zu].partitions", t);
			check_range(ctx, meta, path, topic->partitions, 1, MAX_PARTITIONS, "a 32-bit number in kafka");
			free(path);
		}
		if (topic->replication_factor || explicit_rf[t]) {
			path = kdr_asprintf("spec.topics[%zu].replicationFactor", t);
			check_range(ctx, meta, path, topic->replication_factor, 1, MAX_REPLICATION_FACTOR,
				    "a 16-bit number in kafka");
			free(path);
		}
	}
	free(explicit_partitions);
	free(explicit_rf);
}

void kdr_validate__check_numbers(struct kdr_validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++)
		check_flow(ctx, &ctx->desired->flows[i]);
	for (size_t i = 0; i < ctx->desired->n_policies; i++)
		check_policy(ctx, &ctx->desired->policies[i]);
}
