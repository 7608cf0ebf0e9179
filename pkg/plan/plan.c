/*
 * plan(desired, live): the orchestration. Per planned cluster (desired
 * KafkaClusters, restricted by options->clusters, in name order): a blocked
 * error when the cluster is missing from live; else its fingerprint, the
 * governed topics (govern.c) in name order, each one's partitions, RF and
 * placement (topics.c) and configs (configs.c), then prunes (prune.c). Then
 * the MM2 connectors of every flow (connectors.c). Finally the actions are
 * sorted into the order of DESIGN.md §4 (the kinds' ranks, kinds.c).
 */
#include "plan/plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/sort.h"

static const char *const risk_names[] = {
    [KDR_RISK_SAFE] = "safe",
    [KDR_RISK_DISRUPTIVE] = "disruptive",
    [KDR_RISK_DATA_MOVING] = "data-moving",
    [KDR_RISK_DESTRUCTIVE] = "destructive",
    [KDR_RISK_IRREVERSIBLE] = "irreversible",
};

const char *kdr_risk_name(enum kdr_risk risk)
{
	return kdr_names_at(risk_names, sizeof(risk_names) / sizeof(risk_names[0]), (long)risk, "unknown");
}

static const char *const blocked_names[] = {
    [KDR_BLOCKED_PARTITION_DECREASE] = "partition-decrease",
    [KDR_BLOCKED_REPLICATION_FACTOR] = "replication-factor",
    [KDR_BLOCKED_PLACEMENT_VIOLATION] = "placement-violation",
    [KDR_BLOCKED_ERROR] = "error",
    [KDR_BLOCKED_FAILED_OVER] = "failed-over",
};

const char *kdr_blocked_kind_name(enum kdr_blocked_kind kind)
{
	return kdr_names_at(blocked_names, sizeof(blocked_names) / sizeof(blocked_names[0]), (long)kind, "unknown");
}

const char *kdr_note_kind_name(enum kdr_note_kind kind)
{
	return kind == KDR_NOTE_WARNING ? "warning" : "info";
}

/* --- appending --- */

const char *kdr_plan__policy_name(const struct kdr_policy *policy)
{
	return policy->meta.name ? policy->meta.name : "?";
}

struct kdr_action *kdr_plan__add_action(struct kdr_plan *plan, enum kdr_action_kind kind, const char *cluster,
					const char *resource, const char *policy)
{
	struct kdr_action *action = NULL;

	plan->actions = kdr_grow(plan->actions, &plan->cap_actions, plan->n_actions + 1, sizeof(*plan->actions));
	action = &plan->actions[plan->n_actions++];
	memset(action, 0, sizeof(*action));
	action->kind = kind;
	action->risk = KDR_RISK_SAFE;
	action->cluster = kdr_strdup(cluster);
	action->resource = kdr_strdup(resource);
	action->policy = kdr_strdup(policy);
	return action;
}

void kdr_plan__add_change(struct kdr_action *action, const char *key, const char *old_value, const char *new_value,
			  bool sensitive)
{
	struct kdr_config_change *change = NULL;

	action->changes = kdr_realloc(action->changes, (action->n_changes + 1) * sizeof(*action->changes));
	change = &action->changes[action->n_changes++];
	change->key = kdr_strdup(key);
	change->old_value = kdr_strdup(old_value);
	change->new_value = kdr_strdup(new_value);
	change->sensitive = sensitive;
}

void kdr_plan__add_blocked(struct kdr_plan *plan, enum kdr_blocked_kind kind, const char *cluster, const char *resource,
			   const char *policy, char *reassignment_json_take, const char *fmt, ...)
{
	struct kdr_blocked *blocked = NULL;
	struct kdr_buf reason = KDR_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(&reason, fmt, ap);
	va_end(ap);
	plan->blocked = kdr_grow(plan->blocked, &plan->cap_blocked, plan->n_blocked + 1, sizeof(*plan->blocked));
	blocked = &plan->blocked[plan->n_blocked++];
	memset(blocked, 0, sizeof(*blocked));
	blocked->kind = kind;
	blocked->cluster = kdr_strdup(cluster);
	blocked->resource = kdr_strdup(resource);
	blocked->policy = kdr_strdup(policy);
	blocked->reason = kdr_buf_detach(&reason);
	blocked->reassignment_json = reassignment_json_take;
}

void kdr_plan__add_note(struct kdr_plan *plan, enum kdr_note_kind kind, const char *cluster, const char *resource,
			const char *fmt, ...)
{
	struct kdr_note *note = NULL;
	struct kdr_buf message = KDR_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(&message, fmt, ap);
	va_end(ap);
	plan->notes = kdr_grow(plan->notes, &plan->cap_notes, plan->n_notes + 1, sizeof(*plan->notes));
	note = &plan->notes[plan->n_notes++];
	note->kind = kind;
	note->cluster = kdr_strdup(cluster);
	note->resource = kdr_strdup(resource);
	note->message = kdr_buf_detach(&message);
}

/* --- ordering --- */

/* NULL sorts first. */
static int compare_opt(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int compare_actions(const void *pa, const void *pb)
{
	const struct kdr_action *a = pa, *b = pb;
	int cmp = kdr_action_kind_rank(a->kind) - kdr_action_kind_rank(b->kind);

	if (cmp)
		return cmp;
	if ((cmp = compare_opt(a->cluster, b->cluster)) != 0)
		return cmp;
	if ((cmp = compare_opt(a->resource, b->resource)) != 0)
		return cmp;
	return (int)a->kind - (int)b->kind;
}

static int compare_blocked(const void *pa, const void *pb)
{
	const struct kdr_blocked *a = pa, *b = pb;
	int cmp = compare_opt(a->cluster, b->cluster);

	if (cmp)
		return cmp;
	if ((cmp = compare_opt(a->resource, b->resource)) != 0)
		return cmp;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	return compare_opt(a->reason, b->reason);
}

static int compare_notes(const void *pa, const void *pb)
{
	const struct kdr_note *a = pa, *b = pb;
	int cmp = compare_opt(a->cluster, b->cluster);

	if (cmp)
		return cmp;
	return compare_opt(a->resource, b->resource);
}

static void plan_sort(struct kdr_plan *plan)
{
	if (plan->n_actions > 1)
		qsort(plan->actions, plan->n_actions, sizeof(*plan->actions), compare_actions);
	if (plan->n_blocked > 1)
		qsort(plan->blocked, plan->n_blocked, sizeof(*plan->blocked), compare_blocked);
	/* Notes keep the order they were made in within one resource (qsort is not stable). */
	kdr_sort_stable(plan->notes, plan->n_notes, sizeof(*plan->notes), compare_notes);
}

/* --- the plan --- */

bool kdr_plan__cluster_selected(const struct kdr_plan_options *options, const char *name)
{
	if (!options || !options->clusters)
		return true;
	for (size_t i = 0; i < options->n_clusters; i++)
		if (options->clusters[i] && strcmp(options->clusters[i], name) == 0)
			return true;
	return false;
}

static void ctx_release(struct plan_ctx *ctx)
{
	kdr_plan__matched_release(ctx);
	kdr_resolved_free(ctx->own_resolved);
	ctx->own_resolved = NULL;
	ctx->flows = NULL;
}

/* Compiles the regexes once and checks what validation should have caught. */
static int ctx_init(struct plan_ctx *ctx, const struct kdr_desired *desired, const struct kdr_plan_options *options)
{
	ctx->resolved = options && options->resolved ? options->resolved : kdr_resolved_of(desired);
	if (!ctx->resolved)
		ctx->resolved = ctx->own_resolved = kdr_resolved_new(desired);
	ctx->filters = &ctx->resolved->filters;
	ctx->flows = ctx->filters->flows;
	for (size_t i = 0; i < desired->n_policies; i++) {
		const struct kdr_policy *policy = &desired->policies[i];
		const char *name = kdr_plan__policy_name(policy);

		for (size_t c = 0; c < policy->clusters.n; c++)
			if (!kdr_desired_cluster(desired, policy->clusters.v[c]))
				return kdr_error_set(KDR_EINVALID, "policy '%s': cluster '%s' is not defined", name,
						     policy->clusters.v[c]);
		if (policy->partitions < 1 || policy->replication_factor < 1)
			return kdr_error_set(KDR_EINVALID, "policy '%s': partitions and replicationFactor must be >= 1",
					     name);
		for (size_t t = 0; t < policy->n_topics; t++)
			if (!policy->topics[t].name || policy->topics[t].partitions < 0 ||
			    policy->topics[t].replication_factor < 0)
				return kdr_error_set(KDR_EINVALID, "policy '%s': topics[%zu] is invalid", name, t);
		if (ctx->filters->match_error[i])
			return kdr_error_set(KDR_EINVALID, "policy '%s': match: %s", name, ctx->filters->match_error[i]);
	}
	for (size_t i = 0; i < desired->n_flows; i++) {
		const struct kdr_flow *flow = &desired->flows[i];
		const char *name = flow->meta.name ? flow->meta.name : "?";

		if (!flow->source || !flow->target)
			return kdr_error_set(KDR_EINVALID, "flow '%s': source and target are required", name);
		if (ctx->flows[i].topics_error)
			return kdr_error_set(KDR_EINVALID, "flow '%s': topics: %s", name, ctx->flows[i].topics_error);
	}
	return 0;
}

static int compare_cluster_specs(const void *pa, const void *pb)
{
	const struct kdr_cluster *a = *(const struct kdr_cluster *const *)pa;
	const struct kdr_cluster *b = *(const struct kdr_cluster *const *)pb;

	return compare_opt(a->meta.name, b->meta.name);
}

static void plan_cluster(struct plan_ctx *ctx, const struct kdr_cluster *spec, const struct kdr_live_cluster *live)
{
	struct plan_cluster pc;
	struct plan_topic *topics = NULL;
	size_t n_topics = 0;
	char *fingerprint = kdr_plan_fingerprint(live);

	kdr_strmap_set(&ctx->plan->fingerprints, spec->meta.name, fingerprint);
	free(fingerprint);
	kdr_plan__cluster_init(&pc, spec, live);
	kdr_plan__collect_topics(&topics, &n_topics, ctx, &pc);
	for (size_t i = 0; i < n_topics; i++) {
		kdr_plan__topic_partitions(ctx, &pc, &topics[i]);
		kdr_plan__topic_configs(ctx, &pc, &topics[i]);
	}
	kdr_plan__prune(ctx, &pc);
	kdr_plan__topics_release(topics, n_topics);
	kdr_plan__cluster_release(&pc);
}

int kdr_plan_compute(struct kdr_plan *out, const struct kdr_desired *desired, const struct kdr_live *live,
		     const struct kdr_plan_options *options)
{
	struct plan_ctx ctx;
	const struct kdr_cluster **specs = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&ctx, 0, sizeof(ctx));
	ctx.plan = out;
	ctx.desired = desired;
	ctx.live = live;
	ctx.allow_delete = options && options->allow_delete;
	out->revision = kdr_strdup(desired->revision);
	if ((rc = ctx_init(&ctx, desired, options)) != 0)
		goto cleanup;

	specs = kdr_calloc(desired->n_clusters + 1, sizeof(*specs));
	for (size_t i = 0; i < desired->n_clusters; i++) {
		if (!desired->clusters[i].meta.name) {
			rc = kdr_error_set(KDR_EINVALID, "a KafkaCluster has no name");
			goto cleanup;
		}
		specs[i] = &desired->clusters[i];
	}
	if (desired->n_clusters > 1)
		qsort(specs, desired->n_clusters, sizeof(*specs), compare_cluster_specs);
	for (size_t i = 0; i < desired->n_clusters; i++) {
		const char *name = specs[i]->meta.name;
		const struct kdr_live_cluster *cl = NULL;

		if (!kdr_plan__cluster_selected(options, name))
			continue;
		cl = kdr_live_cluster_find(live, name);
		if (!cl) {
			const char *reason = kdr_live_unread_reason(live, name);

			if (reason)
				kdr_plan__add_blocked(out, KDR_BLOCKED_ERROR, name, NULL, NULL, NULL,
						      "cluster '%s' could not be read: %s", name,
						      kdr_plan__strip_cluster_prefix(reason, name));
			else
				kdr_plan__add_blocked(
				    out, KDR_BLOCKED_ERROR, name, NULL, NULL, NULL,
				    "cluster '%s' is missing from the live state (unreachable, or not in "
				    "the snapshot)",
				    name);
			continue;
		}
		plan_cluster(&ctx, specs[i], cl);
	}
	kdr_plan__connectors(&ctx, options);
	kdr_plan__delete_order(&ctx);
	kdr_plan__acls(&ctx, options);
	plan_sort(out);
cleanup:
	free(specs);
	ctx_release(&ctx);
	if (rc)
		kdr_plan_release(out);
	return rc;
}

bool kdr_plan_is_empty(const struct kdr_plan *plan)
{
	return plan->n_actions == 0 && plan->n_blocked == 0;
}

void kdr_plan_count_risks(const struct kdr_plan *plan, size_t *counts)
{
	for (int i = 0; i <= KDR_RISK_IRREVERSIBLE; i++)
		counts[i] = 0;
	for (size_t i = 0; i < plan->n_actions; i++)
		if ((int)plan->actions[i].risk >= 0 && plan->actions[i].risk <= KDR_RISK_IRREVERSIBLE)
			counts[plan->actions[i].risk]++;
}

void kdr_plan_count(struct kdr_plan_counts *out, const struct kdr_plan *plan)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < plan->n_actions; i++) {
		switch (kdr_action_kind_class(plan->actions[i].kind)) {
		case KDR_ACTION_CLASS_CREATE:
			out->create++;
			break;
		case KDR_ACTION_CLASS_CHANGE:
			out->change++;
			break;
		case KDR_ACTION_CLASS_DELETE:
			out->del++;
			break;
		}
	}
	out->blocked = plan->n_blocked;
	kdr_plan_count_risks(plan, out->risk);
	for (size_t r = KDR_RISK_DISRUPTIVE; r <= KDR_RISK_IRREVERSIBLE; r++)
		if (out->risk[r])
			out->any_risky = true;
}

bool kdr_action_has_placement(const struct kdr_action *action)
{
	const struct kdr_placement_summary *ps = &action->placement;

	if (!kdr_action_kind_has(action->kind, KDR_ACTION_FIELD_TOPIC_SHAPE))
		return false;
	return ps->replicas_per_dc.n || ps->replicas_per_rack.n || ps->has_dc_loss || ps->min_insync_replicas > 0;
}

/* --- freeing --- */

void kdr_plan__placement_summary_release(struct kdr_placement_summary *summary)
{
	kdr_strmap_release(&summary->replicas_per_dc);
	kdr_strmap_release(&summary->replicas_per_rack);
	kdr_dc_loss_report_release(&summary->dc_loss);
}

void kdr_action_release(struct kdr_action *action)
{
	free(action->cluster);
	free(action->resource);
	free(action->policy);
	free(action->reason);
	free(action->after);
	kdr_assignment_release(&action->assignment);
	kdr_plan__placement_summary_release(&action->placement);
	kdr_strmap_release(&action->config);
	for (size_t i = 0; i < action->n_changes; i++) {
		free(action->changes[i].key);
		free(action->changes[i].old_value);
		free(action->changes[i].new_value);
	}
	free(action->changes);
	free(action->task_ids);
	kdr_acl_release(&action->acl);
	memset(action, 0, sizeof(*action));
}

void kdr_plan_release(struct kdr_plan *plan)
{
	for (size_t i = 0; i < plan->n_actions; i++)
		kdr_action_release(&plan->actions[i]);
	free(plan->actions);
	for (size_t i = 0; i < plan->n_blocked; i++) {
		free(plan->blocked[i].cluster);
		free(plan->blocked[i].resource);
		free(plan->blocked[i].policy);
		free(plan->blocked[i].reason);
		free(plan->blocked[i].reassignment_json);
	}
	free(plan->blocked);
	for (size_t i = 0; i < plan->n_notes; i++) {
		free(plan->notes[i].cluster);
		free(plan->notes[i].resource);
		free(plan->notes[i].message);
	}
	free(plan->notes);
	free(plan->revision);
	kdr_strmap_release(&plan->fingerprints);
	memset(plan, 0, sizeof(*plan));
}

static const char *strip_prefix(const char *message, const char *what, const char *name)
{
	size_t lw = strlen(what), ln = name ? strlen(name) : 0;

	if (name && strncmp(message, what, lw) == 0 && strncmp(message + lw, name, ln) == 0 &&
	    strncmp(message + lw + ln, "': ", 3) == 0)
		return message + lw + ln + 3;
	return message;
}

const char *kdr_plan__strip_cluster_prefix(const char *message, const char *name)
{
	return strip_prefix(message, "cluster '", name);
}

const char *kdr_plan__strip_connect_prefix(const char *message, const char *url)
{
	return strip_prefix(message, "connect '", url);
}
