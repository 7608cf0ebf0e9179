/*
 * The mirror preview: what a flow's topic filter does to the SOURCE cluster's
 * topics, evaluated as MirrorMaker 2 (3.9) evaluates it, so that a plan shows
 * which topics start or stop being replicated and under which names, before
 * anything is applied. A regex that silently matches too much or nothing is
 * the most common MM2 mistake; this is where it becomes visible.
 *
 * MM2's decision (MirrorSourceConnector.shouldReplicateTopic) and its topic
 * filter are pkg/mm2's (topic_filter.c, kdr_mm2_replicates); the flow's
 * filter comes compiled from the resolved desired state (pkg/resolve).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* --- the source's topics after the plan --- */

static int compare_after(const void *pa, const void *pb)
{
	const struct plan_topic_after *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

const struct plan_topic_after *kdr_plan__topic_after_find(const struct plan_topic_after *topics, size_t n,
							  const char *name)
{
	struct plan_topic_after key = {name, 0, false, false};

	return n ? bsearch(&key, topics, n, sizeof(*topics), compare_after) : NULL;
}

void kdr_plan__topics_after(struct plan_topic_after **out, size_t *n_out, const struct kdr_plan *plan,
			    const struct kdr_live_cluster *cl)
{
	struct plan_topic_after *topics = kdr_calloc(cl->n_topics + 1, sizeof(*topics));
	size_t n = cl->n_topics, cap = cl->n_topics + 1;
	size_t n_live = cl->n_topics;

	for (size_t i = 0; i < cl->n_topics; i++) {
		topics[i].name = cl->topics[i].name;
		topics[i].partitions = (int64_t)cl->topics[i].n_partitions;
	}
	/* Live topics are sorted: bisect them; creations are appended and sorted once at the end. */
	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];
		struct plan_topic_after *topic = NULL;

		if (!action->cluster || strcmp(action->cluster, cl->name) != 0 || !action->resource)
			continue;
		if (action->kind != KDR_ACTION_CREATE_TOPIC && action->kind != KDR_ACTION_ADD_PARTITIONS &&
		    action->kind != KDR_ACTION_DELETE_TOPIC)
			continue;
		topic = (struct plan_topic_after *)kdr_plan__topic_after_find(topics, n_live, action->resource);
		if (!topic && action->kind == KDR_ACTION_CREATE_TOPIC) {
			topics = kdr_grow(topics, &cap, n + 1, sizeof(*topics));
			topic = &topics[n++];
			memset(topic, 0, sizeof(*topic));
			topic->name = action->resource;
			topic->created = true;
		}
		if (!topic)
			continue;
		if (action->kind == KDR_ACTION_DELETE_TOPIC)
			topic->deleted = true;
		else if (action->partitions > topic->partitions)
			topic->partitions = action->partitions;
	}
	if (n > 1)
		qsort(topics, n, sizeof(*topics), compare_after);
	*out = topics;
	*n_out = n;
}

/* --- the preview --- */

/* One line of a start/stop list: "orders -> dc-east.orders". */
struct preview_entry {
	const char *topic;
	char *remote;
	const char *mark; /* " (new)", " (deleted)" or "" */
};

struct preview_list {
	struct preview_entry *v;
	size_t n;
	size_t cap;
};

static void list_add(struct preview_list *list, const char *topic, char *remote_take, const char *mark)
{
	list->v = kdr_grow(list->v, &list->cap, list->n + 1, sizeof(*list->v));
	list->v[list->n].topic = topic;
	list->v[list->n].remote = remote_take;
	list->v[list->n].mark = mark;
	list->n++;
}

static void list_release(struct preview_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i].remote);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

/* "a -> x.a, b -> x.b ... and 3 more" (the list is already in name order). */
static void put_list(struct kdr_buf *out, const struct preview_list *list)
{
	for (size_t i = 0; i < list->n && i < PLAN_PREVIEW_MAX_NAMES; i++)
		kdr_buf_printf(out, "%s%s%s -> %s", i ? ", " : "", list->v[i].topic, list->v[i].mark,
			       list->v[i].remote);
	if (list->n > PLAN_PREVIEW_MAX_NAMES)
		kdr_buf_printf(out, " ... and %zu more", list->n - PLAN_PREVIEW_MAX_NAMES);
}

/* The patterns of `list` joined with ", " for a message (heap string). */
static char *patterns_text(const struct kdr_strvec *list)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < list->n; i++)
		kdr_buf_printf(&buf, "%s'%s'", i ? ", " : "", list->v[i]);
	if (!list->n)
		kdr_buf_puts(&buf, "none");
	return kdr_buf_detach(&buf);
}

struct preview {
	struct plan_ctx *ctx;
	const struct kdr_flow *flow;
	char *connector; /* kdr.<flow>.source: the notes' resource */
	const struct kdr_mm2_topic_filter *want; /* the flow's, in ctx->filters */
	struct kdr_mm2_topic_filter have;	 /* valid when has_live */
	bool has_live;
	bool compare; /* false: what runs is unknown (Connect not read) or nothing can run (no Connect) */
	struct preview_list starts;
	struct preview_list stops;
	size_t replicated;   /* after the change, heartbeats aside */
	size_t *per_pattern; /* replicated topics each `topics` pattern matches */
};

/* Starts and stops of one source topic. */
static void preview_topic(struct preview *pv, const struct plan_topic_after *topic)
{
	const struct kdr_flow *flow = pv->flow;
	bool matched = false, now = false, before = false, renamed = false;
	char *remote_now = NULL, *remote_before = NULL;

	now = !topic->deleted && kdr_mm2_replicates(pv->want, topic->name, &matched);
	if (now && matched) {
		pv->replicated++;
		/* Per pattern only when MM2's comma split kept the user's list as it is. */
		for (size_t p = 0; p < flow->topics.n && pv->want->topics.n == flow->topics.n; p++)
			if (kdr_regex_full_match(pv->want->topics.v[p], topic->name))
				pv->per_pattern[p]++;
	}
	if (!pv->compare)
		return;
	before = pv->has_live && !topic->created && kdr_mm2_replicates(&pv->have, topic->name, NULL);
	if (now)
		remote_now = kdr_mm2_remote_topic(&pv->want->naming, topic->name);
	if (before)
		remote_before = kdr_mm2_remote_topic(&pv->have.naming, topic->name);
	/* A policy or separator change renames the copy: the old one stops, the new one starts. */
	renamed = now && before && strcmp(remote_now, remote_before) != 0;
	if (now && (!before || renamed)) {
		list_add(&pv->starts, topic->name, remote_now, topic->created ? " (new)" : "");
		remote_now = NULL;
	}
	if (before && (!now || renamed)) {
		list_add(&pv->stops, topic->name, remote_before, topic->deleted ? " (deleted)" : "");
		remote_before = NULL;
	}
	free(remote_now);
	free(remote_before);
}

static void preview_notes(struct preview *pv, const struct kdr_live_cluster *source, size_t n_topics)
{
	const struct kdr_flow *flow = pv->flow;
	struct kdr_buf msg = KDR_BUF_INIT;
	char *patterns = NULL;

	if (pv->starts.n) {
		kdr_buf_printf(&msg, "mirror preview: flow '%s' starts mirroring %zu topic(s) of '%s' into '%s': ",
			       flow->meta.name, pv->starts.n, flow->source, flow->target);
		put_list(&msg, &pv->starts);
		if (flow->suspended)
			kdr_buf_puts(&msg, " (the flow is suspended: nothing is copied until it is resumed)");
		kdr_plan__add_note(pv->ctx->plan, KDR_NOTE_INFO, flow->target, pv->connector, "%s", msg.ptr);
		kdr_buf_reset(&msg);
	}
	if (pv->stops.n) {
		kdr_buf_printf(&msg,
			       "mirror preview: flow '%s' stops mirroring %zu topic(s) of '%s': ", flow->meta.name,
			       pv->stops.n, flow->source);
		put_list(&msg, &pv->stops);
		kdr_buf_printf(&msg, " (the copies stay on '%s': MirrorMaker 2 never deletes remote topics)",
			       flow->target);
		kdr_plan__add_note(pv->ctx->plan, KDR_NOTE_INFO, flow->target, pv->connector, "%s", msg.ptr);
		kdr_buf_reset(&msg);
	}
	if (pv->replicated == 0) {
		patterns = patterns_text(&flow->topics);
		kdr_plan__add_note(
		    pv->ctx->plan, KDR_NOTE_WARNING, flow->target, pv->connector,
		    "mirror preview: the topic filter of flow '%s' (topics %s) matches none of the %zu topic(s) "
		    "on '%s' once exclusions, internal topics and cycles are taken out: the flow replicates "
		    "nothing (a regex that silently matches too much or nothing is the most common "
		    "MirrorMaker 2 mistake)",
		    flow->meta.name, patterns, n_topics, source->name);
	} else if (pv->want->topics.n == flow->topics.n) {
		for (size_t p = 0; p < flow->topics.n; p++)
			if (pv->per_pattern[p] == 0)
				kdr_plan__add_note(
				    pv->ctx->plan, KDR_NOTE_WARNING, flow->target, pv->connector,
				    "mirror preview: topics pattern '%s' of flow '%s' matches no replicated "
				    "topic on '%s' (a full match is needed, exclusions win)",
				    flow->topics.v[p], flow->meta.name, source->name);
	}
	free(patterns);
	kdr_buf_release(&msg);
}

/*
 * The consumer groups of the source the flow's group filter accepts, which
 * its checkpoint connector will checkpoint (MM2 takes, of those, the ones
 * with committed offsets on a replicated topic; where the offsets were read
 * the note names exactly those).
 */
static void preview_groups(struct preview *pv, const struct kdr_live_cluster *source)
{
	const struct kdr_flow *flow = pv->flow;
	const struct kdr_resolve_flow_filters *filters = &pv->ctx->flows[flow - pv->ctx->desired->flows];
	struct kdr_strvec names = KDR_STRVEC_INIT;
	struct kdr_buf msg = KDR_BUF_INIT;
	size_t accepted = 0;

	if (!source->groups_read || !flow->checkpoints_enabled || !filters->groups_ok)
		return;
	for (size_t i = 0; i < source->n_groups; i++) {
		const struct kdr_live_group *group = &source->groups[i];
		bool on_mirrored = !source->group_offsets_read;

		if (!kdr_mm2_group_filter_match(&filters->groups, group->id))
			continue;
		accepted++;
		for (size_t k = 0; k < group->n_offsets && !on_mirrored; k++)
			on_mirrored = kdr_mm2_replicates(pv->want, group->offsets[k].topic, NULL);
		if (on_mirrored)
			kdr_strvec_push(&names, group->id);
	}
	if (names.n) {
		kdr_buf_printf(&msg, "mirror preview: flow '%s' checkpoints %zu consumer group(s) of '%s'%s: ",
			       flow->meta.name, names.n, flow->source,
			       source->group_offsets_read ? " (with commits on mirrored topics)"
							  : " (those of them with commits on mirrored topics)");
		for (size_t i = 0; i < names.n && i < PLAN_PREVIEW_MAX_NAMES; i++)
			kdr_buf_printf(&msg, "%s%s", i ? ", " : "", names.v[i]);
		if (names.n > PLAN_PREVIEW_MAX_NAMES)
			kdr_buf_printf(&msg, " ... and %zu more", names.n - PLAN_PREVIEW_MAX_NAMES);
		kdr_plan__add_note(pv->ctx->plan, KDR_NOTE_INFO, flow->target, pv->connector, "%s", msg.ptr);
	} else if (accepted == 0 && source->n_groups) {
		kdr_plan__add_note(
		    pv->ctx->plan, KDR_NOTE_WARNING, flow->target, pv->connector,
		    "mirror preview: the group filter of flow '%s' accepts none of the %zu consumer group(s) "
		    "of '%s': no offsets will be translated for a failover",
		    flow->meta.name, source->n_groups, flow->source);
	}
	kdr_buf_release(&msg);
	kdr_strvec_release(&names);
}

/*
 * The failback guard. A flow with a recorded failover (spec.failedOver)
 * whose source would get mirrored topics created, i.e. a primary that came
 * back empty: those creations are taken out of the plan and become blocked
 * items, so neither apply nor the loop re-populates it before a failback.
 * A merely suspended flow (the older way to record a failover) gets the
 * same finding as a warning and its topics are created.
 */
static void failback_guard(struct plan_ctx *ctx, const struct kdr_flow *flow)
{
	struct kdr_strvec names = KDR_STRVEC_INIT;
	struct kdr_buf msg = KDR_BUF_INIT;
	struct kdr_plan *plan = ctx->plan;
	const struct kdr_resolve_flow_filters *filters = &ctx->flows[flow - ctx->desired->flows];
	char *connector = NULL;
	size_t kept = 0;

	if (!flow->suspended && !flow->failed_over)
		return;
	/* A filter that does not compile is reported by the preview (and validation). */
	if (filters->mm2_error)
		goto cleanup;
	for (size_t i = 0; i < plan->n_actions; i++) {
		struct kdr_action *action = &plan->actions[i];
		bool guarded = action->kind == KDR_ACTION_CREATE_TOPIC && strcmp(action->cluster, flow->source) == 0 &&
			       kdr_mm2_replicates(&filters->mm2, action->resource, NULL);

		if (guarded)
			kdr_strvec_push(&names, action->resource);
		if (guarded && flow->failed_over) {
			kdr_plan__add_blocked(
			    plan, KDR_BLOCKED_FAILED_OVER, flow->source, action->resource, action->policy, NULL,
			    "failback guard: flow '%s' failed over at %s (spec.failedOver) and mirrors this "
			    "topic from '%s': it is not created there empty; its records are on '%s'; fail "
			    "back first (kdr failback --flow %s, docs/runbook.md)",
			    flow->meta.name, flow->failed_over, flow->source, flow->target, flow->meta.name);
			kdr_action_release(action);
			continue;
		}
		if (kept != i)
			plan->actions[kept] = *action;
		kept++;
	}
	plan->n_actions = kept;
	if (names.n && !flow->failed_over) {
		kdr_buf_printf(&msg, "failback guard: flow '%s' is suspended (a recorded failover?) and %zu topic(s) it "
				     "mirrors would be created empty on its source '%s': ",
			       flow->meta.name, names.n, flow->source);
		for (size_t i = 0; i < names.n && i < PLAN_PREVIEW_MAX_NAMES; i++)
			kdr_buf_printf(&msg, "%s%s", i ? ", " : "", names.v[i]);
		if (names.n > PLAN_PREVIEW_MAX_NAMES)
			kdr_buf_printf(&msg, " ... and %zu more", names.n - PLAN_PREVIEW_MAX_NAMES);
		kdr_buf_printf(&msg, "; if '%s' came back after a failover its records are on '%s': fail back first "
				     "(docs/runbook.md; kdr failover --commit records it as spec.failedOver, which "
				     "blocks these)",
			       flow->source, flow->target);
		connector = kdr_asprintf("%s%s.%s", KDR_MM2_OWNED_PREFIX, flow->meta.name,
					 kdr_mm2_role_name(KDR_MM2_SOURCE));
		kdr_plan__add_note(plan, KDR_NOTE_WARNING, flow->source, connector, "%s", msg.ptr);
	}
cleanup:
	free(connector);
	kdr_buf_release(&msg);
	kdr_strvec_release(&names);
}

static void preview_flow(struct plan_ctx *ctx, const struct kdr_flow *flow)
{
	const struct kdr_live_cluster *source = kdr_live_cluster_find(ctx->live, flow->source);
	const struct kdr_live_cluster *target = kdr_live_cluster_find(ctx->live, flow->target);
	const struct kdr_cluster *target_spec = kdr_desired_cluster(ctx->desired, flow->target);
	const struct kdr_resolve_flow_filters *filters = &ctx->flows[flow - ctx->desired->flows];
	const struct kdr_live_connector *live = NULL;
	struct plan_topic_after *topics = NULL;
	size_t n_topics = 0, n_present = 0;
	struct preview pv;

	memset(&pv, 0, sizeof(pv));
	/* Without the source's topics there is nothing to evaluate (its absence is already reported). */
	if (!source)
		return;
	pv.ctx = ctx;
	pv.flow = flow;
	pv.connector =
	    kdr_asprintf("%s%s.%s", KDR_MM2_OWNED_PREFIX, flow->meta.name, kdr_mm2_role_name(KDR_MM2_SOURCE));
	for (size_t i = 0; i < flow->topics.n + flow->topics_exclude.n; i++) {
		const char *pattern =
		    i < flow->topics.n ? flow->topics.v[i] : flow->topics_exclude.v[i - flow->topics.n];

		if (strchr(pattern, ','))
			kdr_plan__add_note(
			    ctx->plan, KDR_NOTE_WARNING, flow->target, pv.connector,
			    "mirror preview: pattern '%s' of flow '%s' contains a comma: MirrorMaker 2 reads "
			    "topics and topics.exclude as comma-separated lists and splits it in two",
			    pattern, flow->meta.name);
	}
	if (filters->mm2_error) {
		kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, flow->target, pv.connector, "mirror preview: %s",
				   filters->mm2_error);
		goto cleanup;
	}
	pv.want = &filters->mm2;
	/*
	 * Compare with what runs now. A Connect that was not read leaves that
	 * unknown; without a Connect on the target no connector runs the filter
	 * (the render notes say so), so nothing starts or stops either.
	 */
	pv.compare = target_spec && target_spec->connect.present && target && target->connect.present;
	if (target && target->connect.present)
		live = kdr_live_connector_find(&target->connect, pv.connector);
	if (live) {
		if (kdr_mm2_topic_filter_live(&pv.have, live) == 0) {
			pv.has_live = true;
		} else {
			kdr_plan__add_note(
			    ctx->plan, KDR_NOTE_WARNING, flow->target, pv.connector,
			    "mirror preview: the running connector's filter cannot be evaluated (%s): every "
			    "matched topic is listed as starting",
			    kdr_error_message());
		}
	}
	pv.per_pattern = kdr_calloc(flow->topics.n + 1, sizeof(*pv.per_pattern));
	kdr_plan__topics_after(&topics, &n_topics, ctx->plan, source);
	for (size_t i = 0; i < n_topics; i++) {
		preview_topic(&pv, &topics[i]);
		n_present += !topics[i].deleted;
	}
	preview_notes(&pv, source, n_present);
	preview_groups(&pv, source);
cleanup:
	free(topics);
	free(pv.per_pattern);
	free(pv.connector);
	list_release(&pv.starts);
	list_release(&pv.stops);
	kdr_mm2_topic_filter_release(&pv.have);
}

void kdr_plan__mirror_preview(struct plan_ctx *ctx, const struct kdr_plan_options *options)
{
	for (size_t i = 0; i < ctx->desired->n_flows; i++) {
		const struct kdr_flow *flow = &ctx->desired->flows[i];

		if (!flow->meta.name || !flow->source || !flow->target)
			continue;
		if (kdr_plan__cluster_selected(options, flow->target))
			preview_flow(ctx, flow);
		/* Wherever the source is planned, even without the target (--cluster dc-east). */
		if (kdr_plan__cluster_selected(options, flow->source))
			failback_guard(ctx, flow);
	}
}
