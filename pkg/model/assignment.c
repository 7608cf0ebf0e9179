#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"

void kdr_assignment_init(struct kdr_assignment *out, size_t partitions, size_t replication_factor)
{
	out->n = partitions;
	out->partitions = kdr_calloc(partitions ? partitions : 1, sizeof(*out->partitions));
	for (size_t p = 0; p < partitions; p++) {
		out->partitions[p].n = replication_factor;
		out->partitions[p].ids = kdr_calloc(replication_factor ? replication_factor : 1, sizeof(int32_t));
	}
}

void kdr_assignment_copy(struct kdr_assignment *out, const struct kdr_assignment *src)
{
	out->n = src->n;
	out->partitions = kdr_calloc(src->n ? src->n : 1, sizeof(*out->partitions));
	for (size_t p = 0; p < src->n; p++) {
		size_t rf = src->partitions[p].n;

		out->partitions[p].n = rf;
		out->partitions[p].ids = kdr_calloc(rf ? rf : 1, sizeof(int32_t));
		if (rf)
			memcpy(out->partitions[p].ids, src->partitions[p].ids, rf * sizeof(int32_t));
	}
}

void kdr_replica_list_release(struct kdr_replica_list *list)
{
	free(list->ids);
	list->ids = NULL;
	list->n = 0;
}

void kdr_assignment_release(struct kdr_assignment *assignment)
{
	for (size_t p = 0; p < assignment->n; p++)
		kdr_replica_list_release(&assignment->partitions[p]);
	free(assignment->partitions);
	assignment->partitions = NULL;
	assignment->n = 0;
}
