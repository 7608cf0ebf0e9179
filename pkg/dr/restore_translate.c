/* restore --offsets with --data: the backed-up offsets moved to the restored records' (backup.h). */
#include <string.h>

#include "dr/backup.h"

static const struct kdr_dr_partition_records *find_set(const struct kdr_dr_partition_records *sets, size_t n,
							 const char *topic, int32_t partition)
{
	for (size_t i = 0; i < n; i++)
		if (sets[i].partition == partition && strcmp(sets[i].topic, topic) == 0)
			return &sets[i];
	return NULL;
}

/* How many of the set's records (in offset order) come before `offset`. */
static int64_t records_before(const struct kdr_dr_partition_records *set, int64_t offset)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->v[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)lo;
}

void kdr_dr_restore_offsets_translate(struct kdr_live_cluster *backup, const struct kdr_dr_partition_records *sets,
				      size_t n)
{
	for (size_t g = 0; g < backup->n_groups; g++)
		for (size_t o = 0; o < backup->groups[g].n_offsets; o++) {
			struct kdr_live_group_offset *off = &backup->groups[g].offsets[o];
			const struct kdr_dr_partition_records *set = find_set(sets, n, off->topic, off->partition);

			if (set && off->offset >= 0)
				off->offset = records_before(set, off->offset);
		}
}
