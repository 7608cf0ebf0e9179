#include <stdlib.h>
#include <string.h>

#include "placement/placement_internal.h"
#include "util/alloc.h"
#include "util/error.h"

/*
 * The rules, restated on whole lists rather than through the completability
 * test assign uses, so that the property tests compare two independent
 * formulations.
 */

/* Work arrays, sized once per check for the longest list. */
struct kdr_placement_scratch {
	size_t *nodes;
	size_t *count; /* per datacenter */
	int32_t *ids;
};

static void add_violation(struct kdr_placement_violations *out, int32_t partition, struct kdr_buf *msg)
{
	out->v = kdr_grow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
	out->v[out->n].partition = partition;
	out->v[out->n].message = kdr_buf_detach(msg);
	out->n++;
}

static size_t occurrences(const struct kdr_replica_list *list, size_t upto, int32_t id)
{
	size_t n = 0;

	for (size_t i = 0; i < upto; i++)
		n += list->ids[i] == id;
	return n;
}

/* Brokers of `list` that are known, each once, in list order. */
static size_t known_nodes(size_t *out, const struct kdr_placement_topo *topo, const struct kdr_replica_list *list)
{
	size_t n = 0;

	for (size_t i = 0; i < list->n; i++) {
		size_t node = kdr_placement__topo_find(topo, list->ids[i]);

		if (node != KDR_PLACEMENT_NONE && occurrences(list, i, list->ids[i]) == 0)
			out[n++] = node;
	}
	return n;
}

static size_t distinct_racks(const struct kdr_placement_topo *topo, const size_t *nodes, size_t n, size_t dc)
{
	size_t racks = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		if (dc != KDR_PLACEMENT_NONE && topo->nodes[nodes[i]].dc_ix != dc)
			continue;
		for (size_t e = 0; e < i && !seen; e++)
			seen = (dc == KDR_PLACEMENT_NONE || topo->nodes[nodes[e]].dc_ix == dc) &&
			       topo->nodes[nodes[e]].rack_ix == topo->nodes[nodes[i]].rack_ix;
		racks += !seen;
	}
	return racks;
}

/* "are all in rack 'a'" / "are all without a rack" / "span 2 racks", after the replica list. */
static void put_rack_span(struct kdr_buf *msg, const struct kdr_placement_topo *topo, const size_t *nodes, size_t n,
			  size_t dc, size_t have)
{
	if (have == 1) {
		for (size_t i = 0; i < n; i++) {
			const struct kdr_placement_node *node = &topo->nodes[nodes[i]];

			if (dc != KDR_PLACEMENT_NONE && node->dc_ix != dc)
				continue;
			if (node->rack)
				kdr_buf_printf(msg, " are all in rack '%s'", node->rack);
			else
				kdr_buf_puts(msg, " are all without a rack");
			return;
		}
	}
	kdr_buf_printf(msg, " span %zu racks", have);
}

static void check_rack_aware(struct kdr_placement_violations *out, struct kdr_buf *msg,
			     const struct kdr_placement_topo *topo, size_t p, const struct kdr_replica_list *list,
			     const size_t *nodes, size_t n)
{
	size_t want = n < topo->n_racks ? n : topo->n_racks;
	size_t have = distinct_racks(topo, nodes, n, KDR_PLACEMENT_NONE);

	if (have >= want)
		return;
	kdr_buf_printf(msg, "partition %zu: replicas ", p);
	kdr_placement__put_ids(msg, list->ids, list->n);
	put_rack_span(msg, topo, nodes, n, KDR_PLACEMENT_NONE, have);
	kdr_buf_printf(msg, "; rack-aware wants %zu racks", want);
	add_violation(out, (int32_t)p, msg);
}

static void check_cross_dc(struct kdr_placement_violations *out, struct kdr_buf *msg,
			   const struct kdr_placement_topo *topo, size_t p, const struct kdr_replica_list *list,
			   const struct kdr_placement_scratch *scratch, size_t n)
{
	const size_t *nodes = scratch->nodes;
	size_t q = n / topo->n_dcs, hi = q + (n % topo->n_dcs != 0);
	size_t *count = scratch->count;
	int32_t *ids = scratch->ids;
	bool spread = true;

	memset(count, 0, topo->n_dcs * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		count[topo->nodes[nodes[i]].dc_ix]++;
	for (size_t d = 0; d < topo->n_dcs; d++)
		spread = spread && count[d] >= q && count[d] <= hi;
	if (!spread) {
		kdr_buf_printf(msg, "partition %zu: replicas ", p);
		kdr_placement__put_ids(msg, list->ids, list->n);
		kdr_buf_puts(msg, " are");
		for (size_t d = 0; d < topo->n_dcs; d++)
			kdr_buf_printf(msg, "%s %zu in '%s'", d ? "," : "", count[d], topo->dcs[d]);
		if (hi == q)
			kdr_buf_printf(msg, "; cross-dc wants %zu per datacenter", q);
		else
			kdr_buf_printf(msg, "; cross-dc wants %zu or %zu per datacenter", q, hi);
		add_violation(out, (int32_t)p, msg);
		return;
	}
	for (size_t d = 0; d < topo->n_dcs; d++) {
		size_t want = count[d] < topo->dc_racks[d] ? count[d] : topo->dc_racks[d];
		size_t have = distinct_racks(topo, nodes, n, d);
		size_t k = 0;

		if (have >= want)
			continue;
		for (size_t i = 0; i < n; i++)
			if (topo->nodes[nodes[i]].dc_ix == d)
				ids[k++] = topo->nodes[nodes[i]].id;
		kdr_buf_printf(msg, "partition %zu: replicas ", p);
		kdr_placement__put_ids(msg, ids, k);
		kdr_buf_printf(msg, " in datacenter '%s'", topo->dcs[d]);
		put_rack_span(msg, topo, nodes, n, d, have);
		kdr_buf_printf(msg, "; cross-dc wants %zu racks there", want);
		add_violation(out, (int32_t)p, msg);
	}
}

static bool same_list(const struct kdr_replica_list *a, const struct kdr_replica_list *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->ids, b->ids, a->n * sizeof(int32_t)) == 0);
}

static void check_partition(struct kdr_placement_violations *out, struct kdr_buf *msg,
			    const struct kdr_placement_topo *topo, const struct kdr_placement_request *req, size_t p,
			    const struct kdr_replica_list *list, const struct kdr_placement_scratch *scratch)
{
	size_t *nodes = scratch->nodes;
	size_t n = known_nodes(nodes, topo, list);

	if (list->n != req->replication_factor) {
		kdr_buf_printf(msg, "partition %zu: %zu replica%s ", p, list->n, list->n == 1 ? "" : "s");
		kdr_placement__put_ids(msg, list->ids, list->n);
		kdr_buf_printf(msg, "; the replication factor is %zu", req->replication_factor);
		add_violation(out, (int32_t)p, msg);
	}
	for (size_t i = 0; i < list->n; i++) {
		size_t before = occurrences(list, i, list->ids[i]);
		size_t total = occurrences(list, list->n, list->ids[i]);

		if (before != 1)
			continue;
		kdr_buf_printf(msg, "partition %zu: replicas ", p);
		kdr_placement__put_ids(msg, list->ids, list->n);
		if (total == 2)
			kdr_buf_printf(msg, " list broker %d twice", (int)list->ids[i]);
		else
			kdr_buf_printf(msg, " list broker %d %zu times", (int)list->ids[i], total);
		add_violation(out, (int32_t)p, msg);
	}
	for (size_t i = 0; i < list->n; i++) {
		if (occurrences(list, i, list->ids[i]) != 0 ||
		    kdr_placement__topo_find(topo, list->ids[i]) != KDR_PLACEMENT_NONE)
			continue;
		kdr_buf_printf(msg, "partition %zu: replica %d is not a known broker", p, (int)list->ids[i]);
		add_violation(out, (int32_t)p, msg);
	}
	if (req->strategy == KDR_PLACEMENT_RACK_AWARE)
		check_rack_aware(out, msg, topo, p, list, nodes, n);
	else if (req->strategy == KDR_PLACEMENT_CROSS_DC && n > 0)
		check_cross_dc(out, msg, topo, p, list, scratch, n);
	else if (req->strategy == KDR_PLACEMENT_STATIC && p < req->static_assignment->n &&
		 !same_list(list, &req->static_assignment->partitions[p])) {
		kdr_buf_printf(msg, "partition %zu: replicas ", p);
		kdr_placement__put_ids(msg, list->ids, list->n);
		kdr_buf_puts(msg, " differ from the static assignment ");
		kdr_placement__put_ids(msg, req->static_assignment->partitions[p].ids,
				       req->static_assignment->partitions[p].n);
		add_violation(out, (int32_t)p, msg);
	}
	if (topo->pref_dc != KDR_PLACEMENT_NONE && list->n > 0) {
		size_t leader = kdr_placement__topo_find(topo, list->ids[0]);

		if (leader != KDR_PLACEMENT_NONE && topo->nodes[leader].dc_ix != topo->pref_dc) {
			const char *dc = topo->nodes[leader].dc;

			kdr_buf_printf(msg, "partition %zu: leader %d is in ", p, (int)list->ids[0]);
			if (dc)
				kdr_buf_printf(msg, "datacenter '%s'", dc);
			else
				kdr_buf_puts(msg, "no datacenter");
			kdr_buf_printf(msg, ", not the preferred leader datacenter '%s'", topo->dcs[topo->pref_dc]);
			add_violation(out, (int32_t)p, msg);
		}
	}
}

int kdr_placement_check(struct kdr_placement_violations *out, const struct kdr_placement_request *req,
			const struct kdr_assignment *current)
{
	struct kdr_placement_topo topo;
	struct kdr_placement_scratch scratch = {NULL, NULL, NULL};
	struct kdr_buf msg = KDR_BUF_INIT;
	size_t longest = 0;
	int error = 0;

	memset(&topo, 0, sizeof(topo));
	if ((error = kdr_placement__topo_build(&topo, req->brokers, req->n_brokers)) != 0)
		goto cleanup;
	if ((error = kdr_placement__topo_check_rules(&topo, req)) != 0)
		goto cleanup;
	if (req->strategy == KDR_PLACEMENT_STATIC && !req->static_assignment) {
		error = kdr_error_set(KDR_EINVALID, "strategy static needs an assignment to check against, and there "
						    "is none");
		goto cleanup;
	}
	/* A static assignment longer than the topic is growth still to come, not a violation. */
	if (req->strategy == KDR_PLACEMENT_STATIC && current->n > req->static_assignment->n) {
		kdr_buf_printf(&msg, "the topic has %zu partitions, the static assignment lists %zu", current->n,
			       req->static_assignment->n);
		add_violation(out, -1, &msg);
	}
	for (size_t p = 0; p < current->n; p++)
		if (current->partitions[p].n > longest)
			longest = current->partitions[p].n;
	scratch.nodes = kdr_calloc(longest, sizeof(size_t));
	scratch.count = kdr_calloc(topo.n_dcs, sizeof(size_t));
	scratch.ids = kdr_calloc(longest, sizeof(int32_t));
	for (size_t p = 0; p < current->n; p++)
		check_partition(out, &msg, &topo, req, p, &current->partitions[p], &scratch);
cleanup:
	free(scratch.nodes);
	free(scratch.count);
	free(scratch.ids);
	kdr_buf_release(&msg);
	kdr_placement__topo_release(&topo);
	return error;
}

void kdr_placement_violations_release(struct kdr_placement_violations *violations)
{
	for (size_t i = 0; i < violations->n; i++)
		free(violations->v[i].message);
	free(violations->v);
	memset(violations, 0, sizeof(*violations));
}
