#include <stdlib.h>
#include <string.h>

#include "placement/placement_internal.h"
#include "util/alloc.h"
#include "util/error.h"

static int compare_nodes(const void *a, const void *b)
{
	int32_t x = ((const struct kdr_placement_node *)a)->id;
	int32_t y = ((const struct kdr_placement_node *)b)->id;

	return (x > y) - (x < y);
}

/* NULL (no rack) sorts first. */
static int compare_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a;
	const char *y = *(const char *const *)b;

	if (!x || !y)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

static bool same_name(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

/* Sorts and dedupes `names` in place; returns the count kept. */
static size_t sort_unique(const char **names, size_t n)
{
	size_t kept = 0;

	if (n > 1)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || !same_name(names[kept - 1], names[i]))
			names[kept++] = names[i];
	return kept;
}

static size_t find_name(const char **names, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare_names(&names[mid], &name);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return KDR_PLACEMENT_NONE;
}

int kdr_placement__topo_build(struct kdr_placement_topo *out, const struct kdr_placement_broker *brokers,
			      size_t n_brokers)
{
	size_t n_dcs = 0;

	memset(out, 0, sizeof(*out));
	out->pref_dc = KDR_PLACEMENT_NONE;
	out->n = n_brokers;
	out->nodes = kdr_calloc(n_brokers, sizeof(*out->nodes));
	out->racks = kdr_calloc(n_brokers, sizeof(*out->racks));
	out->dcs = kdr_calloc(n_brokers, sizeof(*out->dcs));
	for (size_t i = 0; i < n_brokers; i++) {
		out->nodes[i].id = brokers[i].id;
		out->nodes[i].rack = brokers[i].rack;
		out->nodes[i].dc = brokers[i].datacenter;
		out->nodes[i].replicas = brokers[i].replicas;
		out->nodes[i].leaders = brokers[i].leaders;
		out->racks[i] = brokers[i].rack;
		if (brokers[i].datacenter)
			out->dcs[n_dcs++] = brokers[i].datacenter;
	}
	if (n_brokers > 1)
		qsort(out->nodes, n_brokers, sizeof(*out->nodes), compare_nodes);
	for (size_t i = 1; i < n_brokers; i++)
		if (out->nodes[i].id == out->nodes[i - 1].id)
			return kdr_error_set(KDR_EINVALID, "broker %d is listed twice", (int)out->nodes[i].id);

	out->n_racks = sort_unique(out->racks, n_brokers);
	out->n_dcs = sort_unique(out->dcs, n_dcs);
	out->rack_brokers = kdr_calloc(out->n_racks, sizeof(size_t));
	out->rack_dc = kdr_calloc(out->n_racks, sizeof(size_t));
	out->dc_brokers = kdr_calloc(out->n_dcs, sizeof(size_t));
	out->dc_racks = kdr_calloc(out->n_dcs, sizeof(size_t));
	for (size_t r = 0; r < out->n_racks; r++)
		out->rack_dc[r] = KDR_PLACEMENT_NONE;
	for (size_t i = 0; i < n_brokers; i++) {
		struct kdr_placement_node *node = &out->nodes[i];

		node->rack_ix = find_name(out->racks, out->n_racks, node->rack);
		node->dc_ix = node->dc ? find_name(out->dcs, out->n_dcs, node->dc) : KDR_PLACEMENT_NONE;
		out->rack_brokers[node->rack_ix]++;
		if (node->dc_ix != KDR_PLACEMENT_NONE) {
			out->dc_brokers[node->dc_ix]++;
			if (out->rack_dc[node->rack_ix] == KDR_PLACEMENT_NONE) {
				out->rack_dc[node->rack_ix] = node->dc_ix;
				out->dc_racks[node->dc_ix]++;
			}
		}
	}
	return 0;
}

void kdr_placement__topo_release(struct kdr_placement_topo *topo)
{
	free(topo->nodes);
	free(topo->racks);
	free(topo->rack_brokers);
	free(topo->rack_dc);
	free(topo->dcs);
	free(topo->dc_brokers);
	free(topo->dc_racks);
	memset(topo, 0, sizeof(*topo));
}

size_t kdr_placement__topo_find(const struct kdr_placement_topo *topo, int32_t id)
{
	size_t lo = 0, hi = topo->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (topo->nodes[mid].id == id)
			return mid;
		if (topo->nodes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return KDR_PLACEMENT_NONE;
}

static int check_cross_dc(const struct kdr_placement_topo *topo)
{
	if (topo->n_dcs == 0)
		return kdr_error_set(KDR_EINVALID,
				     "cross-dc placement needs datacenters, but no broker's rack is in one");
	for (size_t i = 0; i < topo->n; i++) {
		const struct kdr_placement_node *node = &topo->nodes[i];

		if (!node->rack)
			return kdr_error_set(KDR_EINVALID,
					     "broker %d has no rack; cross-dc placement needs every broker's rack in "
					     "a datacenter",
					     (int)node->id);
		if (!node->dc)
			return kdr_error_set(
			    KDR_EINVALID,
			    "broker %d (rack '%s') is in no datacenter; cross-dc placement needs every "
			    "broker's rack in a datacenter",
			    (int)node->id, node->rack);
	}
	/* A rack split over datacenters would make "spread over racks within a DC" ambiguous. */
	for (size_t i = 0; i < topo->n; i++) {
		const struct kdr_placement_node *node = &topo->nodes[i];
		size_t first = topo->rack_dc[node->rack_ix];

		if (first != node->dc_ix) {
			const char *a = topo->dcs[first < node->dc_ix ? first : node->dc_ix];
			const char *b = topo->dcs[first < node->dc_ix ? node->dc_ix : first];

			return kdr_error_set(KDR_EINVALID, "rack '%s' is in two datacenters, '%s' and '%s'", node->rack,
					     a, b);
		}
	}
	return 0;
}

int kdr_placement__topo_check_rules(struct kdr_placement_topo *topo, const struct kdr_placement_request *req)
{
	const char *pref = req->preferred_leader_datacenter;
	struct kdr_buf names = KDR_BUF_INIT;
	int error = 0;

	topo->pref_dc = KDR_PLACEMENT_NONE;
	if (req->strategy == KDR_PLACEMENT_CROSS_DC && (error = check_cross_dc(topo)) != 0)
		goto cleanup;
	if (!pref)
		goto cleanup;
	if (topo->n_dcs == 0) {
		error = kdr_error_set(
		    KDR_EINVALID, "preferred leader datacenter '%s' is unknown: no broker's rack is in a datacenter",
		    pref);
		goto cleanup;
	}
	topo->pref_dc = find_name(topo->dcs, topo->n_dcs, pref);
	if (topo->pref_dc == KDR_PLACEMENT_NONE) {
		for (size_t d = 0; d < topo->n_dcs; d++)
			kdr_buf_printf(&names, "%s'%s'", d ? ", " : "", topo->dcs[d]);
		error =
		    kdr_error_set(KDR_EINVALID, "preferred leader datacenter '%s' has no brokers; brokers are in %s",
				  pref, names.ptr);
	}
cleanup:
	kdr_buf_release(&names);
	return error;
}

void kdr_placement__put_ids(struct kdr_buf *buf, const int32_t *ids, size_t n)
{
	kdr_buf_putc(buf, '[');
	for (size_t i = 0; i < n; i++)
		kdr_buf_printf(buf, "%s%d", i ? "," : "", (int)ids[i]);
	kdr_buf_putc(buf, ']');
}
