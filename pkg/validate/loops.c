/*
 * Replication loops.
 *
 * The rule (decidable, and a faithful model of MM2 rather than of regexes):
 * a cycle of flows C0 -> C1 -> ... -> C0 is a replication loop when some
 * candidate topic name, starting on one cluster of the cycle, is replicated
 * by every hop in turn and so arrives back on the cluster it started from.
 * A hop replicates a name as MM2's MirrorSourceConnector does:
 *   - the name is not internal to MM2/Kafka (starts with "__" or ".", ends
 *     with ".internal" or "-internal"),
 *   - it matches spec.topics and neither spec.topicsExclude nor, with
 *     keepDefaultExcludes, MM2's default topics.exclude,
 *   - MM2's cycle detection does not drop it: with the default policy a name
 *     whose chain of "<alias><sep>" prefixes contains the hop's target alias
 *     is dropped; the identity policy detects nothing;
 * and renames it (default: "<source><sep><name>"; identity: unchanged).
 * The candidate names are the topics the policies declare on the starting
 * cluster plus one example name generated from each spec.topics pattern of
 * the cycle's flows ("payments\..*" -> "payments.x"), so patterns aimed at
 * topics that are not declared are covered too. A hop therefore breaks the
 * loop exactly when its filter (or MM2's detection) drops every candidate that
 * arrived from the previous hop.
 * All elementary cycles are enumerated (each once, starting at its lowest
 * flow index); each looping cycle is one error on the flow that sends the
 * offending topic out first. A cycle of default-policy flows with the same
 * separator never loops (MM2 detects it); mixing in an identity hop, or
 * separators that differ, does.
 *
 * Second rule, a warning: with the default policy, a flow A->B whose filter
 * selects the remote topics "<B><sep>..." that a reverse flow B->A writes on A
 * is harmless (MM2 drops them as cycles) but wrong; the filter should exclude
 * them.
 */
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "validate/validate_internal.h"

/* Enumeration stops after this many cycles; a real topology has a handful. */
#define MAX_CYCLES 1000
#define TOPIC_MAX 249

struct loop_search {
	struct kdr_validate_ctx *ctx;
	bool *usable;    /* per flow: both ends defined and distinct, filters compiled */
	size_t *path;    /* flow indices of the current path */
	size_t depth;
	size_t cycles;
};

/*
 * DefaultReplicationPolicy.topicSource: the part before the first separator,
 * or none when no non-empty part follows (Java's split drops trailing empty
 * strings). Returns the length of the source, or -1.
 */
static long topic_source(const char *name, const char *sep)
{
	const char *p = strstr(name, sep);
	size_t seplen = strlen(sep);
	const char *rest = NULL;

	if (!p || seplen == 0)
		return -1;
	rest = p + seplen;
	while (*rest && strncmp(rest, sep, seplen) == 0)
		rest += seplen;
	return *rest ? (long)(p - name) : -1;
}

/* MirrorSourceConnector.isCycle for `flow`. */
static bool mm2_is_cycle(const struct kdr_flow *flow, const char *name)
{
	const char *cur = name;
	size_t seplen = strlen(flow->separator);

	if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY)
		return false;
	for (;;) {
		long len = topic_source(cur, flow->separator);

		if (len < 0)
			return false;
		if (strlen(flow->target) == (size_t)len && strncmp(cur, flow->target, (size_t)len) == 0)
			return true;
		cur += (size_t)len + seplen;
	}
}

/* Name of `name` on the target of `flow`. */
static char *remote_name(const struct kdr_flow *flow, const char *name)
{
	if (flow->replication_policy == KDR_REPLICATION_POLICY_IDENTITY)
		return kdr_strdup(name);
	return kdr_asprintf("%s%s%s", flow->source, flow->separator, name);
}

/*
 * Sends `start` around the cycle beginning at hop `first`; returns the name it
 * comes back with (heap), or NULL when some hop drops it.
 */
static char *travel(const struct kdr_validate_ctx *ctx, const size_t *cycle, size_t n, size_t first, const char *start)
{
	char *name = kdr_strdup(start);

	for (size_t h = 0; h < n; h++) {
		size_t f = cycle[(first + h) % n];
		const struct kdr_flow *flow = &ctx->desired->flows[f];
		char *next = NULL;

		if (!kdr_validate__flow_accepts(ctx, f, name) || mm2_is_cycle(flow, name)) {
			free(name);
			return NULL;
		}
		next = remote_name(flow, name);
		free(name);
		name = next;
		if (strlen(name) > TOPIC_MAX) {
			free(name);
			return NULL;
		}
	}
	return name;
}

/* Candidate names for a trip starting at hop `first` (see the rule above). */
static void candidates(struct kdr_strvec *out, const struct kdr_validate_ctx *ctx, const size_t *cycle, size_t n,
		       size_t first)
{
	const char *origin = ctx->desired->flows[cycle[first]].source;
	size_t from = 0;
	size_t count = kdr_resolve_decls_of(ctx->resolved, origin, &from);

	/* decls of a cluster are sorted by topic: a repeated name follows its first. */
	for (size_t k = from; k < from + count; k++)
		if (k == from || strcmp(ctx->decls[k - 1].topic, ctx->decls[k].topic) != 0)
			kdr_strvec_push(out, ctx->decls[k].topic);
	for (size_t h = 0; h < n; h++) {
		size_t f = cycle[(first + h) % n];
		const struct kdr_flow *flow = &ctx->desired->flows[f];

		for (size_t i = 0; i < flow->topics.n; i++)
			kdr_validate__regex_samples(out, flow->topics.v[i], ctx->filters[f].topics.v[i]);
	}
}

/* Why MM2's own cycle detection lets this loop through. */
static char *loop_reason(const struct kdr_validate_ctx *ctx, const size_t *cycle, size_t n)
{
	const struct kdr_flow *first = &ctx->desired->flows[cycle[0]];

	for (size_t h = 0; h < n; h++)
		if (ctx->desired->flows[cycle[h]].replication_policy == KDR_REPLICATION_POLICY_IDENTITY)
			return kdr_strdup("the identity replication policy keeps topic names, so MM2 cannot detect the "
					  "cycle");
	for (size_t h = 1; h < n; h++)
		if (strcmp(ctx->desired->flows[cycle[h]].separator, first->separator) != 0)
			return kdr_strdup("the flows use different separators, so MM2 cannot detect the cycle");
	for (size_t h = 0; h < n; h++) {
		const struct kdr_flow *flow = &ctx->desired->flows[cycle[h]];

		if (strstr(flow->source, flow->separator))
			return kdr_asprintf("cluster name '%s' contains the separator '%s', so MM2 cannot detect the "
					    "cycle",
					    flow->source, flow->separator);
	}
	return kdr_strdup("MM2's cycle detection does not catch it");
}

static void report_loop(struct kdr_validate_ctx *ctx, const size_t *cycle, size_t n, size_t first,
			const char *topic, const char *back)
{
	const struct kdr_flow *head = &ctx->desired->flows[cycle[first]];
	struct kdr_buf flows = KDR_BUF_INIT;
	char *reason = loop_reason(ctx, cycle, n);

	for (size_t h = 0; h < n; h++) {
		const struct kdr_flow *flow = &ctx->desired->flows[cycle[(first + h) % n]];

		kdr_buf_printf(&flows, "%s'%s'", h ? " -> " : "", kdr_validate__name(&flow->meta));
	}
	kdr_validate__report(ctx, KDR_SEV_ERROR, &head->meta, "spec.topics",
			     "replication loop: topic '%s' on '%s' comes back to it as '%s' through flows %s; %s; "
			     "on one of these flows exclude what arrives from the previous one (spec.topicsExclude) "
			     "or narrow spec.topics",
			     topic, head->source, back, flows.ptr, reason);
	free(reason);
	kdr_buf_release(&flows);
}

static void check_cycle(struct kdr_validate_ctx *ctx, const size_t *cycle, size_t n)
{
	for (size_t first = 0; first < n; first++) {
		struct kdr_strvec names = KDR_STRVEC_INIT;
		bool found = false;

		candidates(&names, ctx, cycle, n, first);
		for (size_t i = 0; i < names.n && !found; i++) {
			char *back = travel(ctx, cycle, n, first, names.v[i]);

			if (!back)
				continue;
			report_loop(ctx, cycle, n, first, names.v[i], back);
			free(back);
			found = true;
		}
		kdr_strvec_release(&names);
		if (found)
			return;
	}
}

/* Extends the path ending at cluster `at`; cycles close on the first flow's source. */
static void search(struct loop_search *ls, const char *at)
{
	const struct kdr_desired *d = ls->ctx->desired;
	const size_t start = ls->path[0];

	if (strcmp(at, d->flows[start].source) == 0) {
		ls->cycles++;
		check_cycle(ls->ctx, ls->path, ls->depth);
		return;
	}
	/* Elementary: no cluster twice on the path. */
	for (size_t i = 0; i < ls->depth; i++)
		if (strcmp(d->flows[ls->path[i]].source, at) == 0)
			return;
	for (size_t f = start + 1; f < d->n_flows && ls->cycles < MAX_CYCLES; f++) {
		if (!ls->usable[f] || strcmp(d->flows[f].source, at) != 0)
			continue;
		ls->path[ls->depth++] = f;
		search(ls, d->flows[f].target);
		ls->depth--;
	}
}

static void check_cycles(struct kdr_validate_ctx *ctx, bool *usable)
{
	const struct kdr_desired *d = ctx->desired;
	struct loop_search ls = { ctx, usable, NULL, 0, 0 };

	ls.path = kdr_calloc(d->n_flows, sizeof(*ls.path));
	for (size_t s = 0; s < d->n_flows && ls.cycles < MAX_CYCLES; s++) {
		if (!usable[s])
			continue;
		ls.path[0] = s;
		ls.depth = 1;
		search(&ls, d->flows[s].target);
	}
	free(ls.path);
}

/* The second rule: a default-policy flow selecting its target's remote topics. */
static void check_remote_reselection(struct kdr_validate_ctx *ctx, const bool *usable, size_t index)
{
	const struct kdr_desired *d = ctx->desired;
	const struct kdr_flow *flow = &d->flows[index];

	if (flow->replication_policy != KDR_REPLICATION_POLICY_DEFAULT)
		return;
	for (size_t r = 0; r < d->n_flows; r++) {
		const struct kdr_flow *reverse = &d->flows[r];
		struct kdr_strvec originals = KDR_STRVEC_INIT;
		size_t from = 0, count = 0;
		bool reported = false;

		/* With an identity reverse flow or another separator it is a real loop, reported above. */
		if (!usable[r] || reverse->replication_policy != KDR_REPLICATION_POLICY_DEFAULT ||
		    strcmp(reverse->source, flow->target) != 0 || strcmp(reverse->target, flow->source) != 0 ||
		    strcmp(reverse->separator, flow->separator) != 0)
			continue;
		count = kdr_resolve_decls_of(ctx->resolved, reverse->source, &from);
		for (size_t k = from; k < from + count; k++)
			if (k == from || strcmp(ctx->decls[k - 1].topic, ctx->decls[k].topic) != 0)
				kdr_strvec_push(&originals, ctx->decls[k].topic);
		for (size_t i = 0; i < reverse->topics.n; i++)
			kdr_validate__regex_samples(&originals, reverse->topics.v[i], ctx->filters[r].topics.v[i]);
		for (size_t k = 0; k < originals.n && !reported; k++) {
			char *remote = NULL;
			char *quoted = NULL;
			char *path = NULL;
			size_t i = 0;

			if (!kdr_validate__flow_accepts(ctx, r, originals.v[k]))
				continue;
			remote = remote_name(reverse, originals.v[k]);
			/* If MM2 would not drop it, it is a real loop, reported by the cycle rule. */
			if (!kdr_validate__flow_accepts(ctx, index, remote) || !mm2_is_cycle(flow, remote)) {
				free(remote);
				continue;
			}
			while (i < ctx->filters[index].topics.n &&
			       !kdr_regex_full_match(ctx->filters[index].topics.v[i], remote))
				i++;
			quoted = kdr_validate__regex_quote(flow->separator);
			path = kdr_asprintf("spec.topics[%zu]", i);
			kdr_validate__report(
			    ctx, KDR_SEV_WARNING, &flow->meta, path,
			    "'%s' also selects '%s', the copy of '%s' that flow '%s' writes on '%s'; MM2 "
			    "drops it as a cycle, but the filter should not select it: add '%s%s.*' to "
			    "spec.topicsExclude",
			    flow->topics.v[i], remote, originals.v[k], kdr_validate__name(&reverse->meta), flow->source,
			    flow->target, quoted);
			free(path);
			free(quoted);
			free(remote);
			reported = true;
		}
		kdr_strvec_release(&originals);
		if (reported)
			return;
	}
}

void kdr_validate__check_loops(struct kdr_validate_ctx *ctx)
{
	const struct kdr_desired *d = ctx->desired;
	bool *usable = NULL, *hops = NULL;

	if (d->n_flows == 0)
		return;
	usable = kdr_calloc(d->n_flows, sizeof(*usable));
	hops = kdr_calloc(d->n_flows, sizeof(*hops));
	for (size_t f = 0; f < d->n_flows; f++) {
		const struct kdr_flow *flow = &d->flows[f];

		usable[f] = !ctx->filters[f].topics_error && flow->source && flow->target && flow->separator &&
			    flow->separator[0] && strcmp(flow->source, flow->target) != 0 &&
			    kdr_desired_cluster(d, flow->source) && kdr_desired_cluster(d, flow->target);
		/*
		 * A failed-over flow replicates nothing (the plan holds its connectors
		 * stopped): not a hop, so its reverse flow (kdr failback) is no cycle.
		 */
		hops[f] = usable[f] && !flow->failed_over;
	}
	check_cycles(ctx, hops);
	for (size_t f = 0; f < d->n_flows; f++)
		if (usable[f])
			check_remote_reselection(ctx, usable, f);
	free(usable);
	free(hops);
}
