#include <stdlib.h>
#include <string.h>

#include "placement/placement_internal.h"
#include "util/alloc.h"
#include "util/error.h"

int kdr_placement_dc_loss(struct kdr_dc_loss_report *out, const struct kdr_placement_broker *brokers, size_t n_brokers,
			  const struct kdr_assignment *assignment, size_t min_insync_replicas)
{
	struct kdr_placement_topo topo;
	size_t *per_dc = NULL;
	bool *seen = NULL;
	int error = 0;

	memset(out, 0, sizeof(*out));
	memset(&topo, 0, sizeof(topo));
	if (min_insync_replicas < 1)
		return kdr_error_set(KDR_EINVALID, "min.insync.replicas %zu is invalid; it must be at least 1",
				     min_insync_replicas);
	if (assignment->n == 0)
		return kdr_error_set(KDR_EINVALID, "the assignment has no partitions to analyse");
	if ((error = kdr_placement__topo_build(&topo, brokers, n_brokers)) != 0)
		goto cleanup;

	out->n = topo.n_dcs;
	out->v = kdr_calloc(topo.n_dcs, sizeof(*out->v));
	for (size_t d = 0; d < topo.n_dcs; d++) {
		out->v[d].datacenter = kdr_strdup(topo.dcs[d]);
		out->v[d].min_replicas_left = SIZE_MAX;
	}
	per_dc = kdr_calloc(topo.n_dcs, sizeof(size_t));
	seen = kdr_calloc(topo.n, sizeof(bool));
	for (size_t p = 0; p < assignment->n; p++) {
		const struct kdr_replica_list *list = &assignment->partitions[p];
		size_t alive = 0;

		memset(per_dc, 0, topo.n_dcs * sizeof(size_t));
		for (size_t r = 0; r < list->n; r++) {
			size_t node = kdr_placement__topo_find(&topo, list->ids[r]);

			/* Unknown brokers hold nothing available; a replica listed twice is one copy. */
			if (node == KDR_PLACEMENT_NONE || seen[node])
				continue;
			seen[node] = true;
			alive++;
			if (topo.nodes[node].dc_ix != KDR_PLACEMENT_NONE)
				per_dc[topo.nodes[node].dc_ix]++;
		}
		for (size_t r = 0; r < list->n; r++) {
			size_t node = kdr_placement__topo_find(&topo, list->ids[r]);

			if (node != KDR_PLACEMENT_NONE)
				seen[node] = false;
		}
		for (size_t d = 0; d < topo.n_dcs; d++)
			if (alive - per_dc[d] < out->v[d].min_replicas_left)
				out->v[d].min_replicas_left = alive - per_dc[d];
	}
	out->survives_any_single_dc_loss = topo.n_dcs > 0;
	for (size_t d = 0; d < topo.n_dcs; d++) {
		out->v[d].survives = out->v[d].min_replicas_left >= min_insync_replicas;
		out->survives_any_single_dc_loss = out->survives_any_single_dc_loss && out->v[d].survives;
	}
cleanup:
	free(per_dc);
	free(seen);
	kdr_placement__topo_release(&topo);
	return error;
}

void kdr_dc_loss_report_release(struct kdr_dc_loss_report *report)
{
	for (size_t i = 0; i < report->n; i++)
		free(report->v[i].datacenter);
	free(report->v);
	memset(report, 0, sizeof(*report));
}
