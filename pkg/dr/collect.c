/* The latest checkpoint / offset-sync per key, and offsets per partition (dr.h). */
#include <stdlib.h>
#include <string.h>

#include "dr/dr.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/sort.h"

/* Topic, then partition: the order of every set here. */
static int compare_partition(const char *topic_a, int32_t partition_a, const char *topic_b, int32_t partition_b)
{
	int c = strcmp(topic_a, topic_b);

	return c ? c : (partition_a > partition_b) - (partition_a < partition_b);
}

/* --- checkpoints --- */

static int compare_checkpoint_key(const void *a, const void *b)
{
	const struct kdr_mm2_checkpoint *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c ? c : compare_partition(x->topic, x->partition, y->topic, y->partition);
}

static void release_checkpoint(void *cp)
{
	kdr_mm2_checkpoint_release(cp);
}

static void note_error(char **first_error, size_t *corrupt, int64_t offset)
{
	(*corrupt)++;
	if (!*first_error)
		*first_error = kdr_asprintf("record at offset %lld: %s", (long long)offset, kdr_error_message());
}

void kdr_dr_checkpoints_add(struct kdr_dr_checkpoints *set, const struct kdr_mm2_checkpoint *cp)
{
	struct kdr_mm2_checkpoint *copy = NULL;

	set->v = kdr_grow(set->v, &set->cap, set->n + 1, sizeof(*set->v));
	copy = &set->v[set->n++];
	copy->group = kdr_strdup(cp->group);
	copy->topic = kdr_strdup(cp->topic);
	copy->partition = cp->partition;
	copy->upstream_offset = cp->upstream_offset;
	copy->downstream_offset = cp->downstream_offset;
	copy->metadata = kdr_strdup(cp->metadata ? cp->metadata : "");
	set->records++;
}

void kdr_dr_checkpoints_add_record(struct kdr_dr_checkpoints *set, int64_t offset, const void *key, size_t key_len,
				   const void *value, size_t value_len)
{
	struct kdr_mm2_checkpoint cp = { 0 };

	if (kdr_mm2_checkpoint_decode(&cp, key, key_len, value, value_len) != 0) {
		set->records++;
		note_error(&set->first_error, &set->corrupt, offset);
		return;
	}
	set->v = kdr_grow(set->v, &set->cap, set->n + 1, sizeof(*set->v));
	set->v[set->n++] = cp;
	set->records++;
}

void kdr_dr_checkpoints_finish(struct kdr_dr_checkpoints *set)
{
	/* Records were added in log order: the last of each key is the newest. */
	set->n = kdr_sort_keep_last(set->v, set->n, sizeof(*set->v), compare_checkpoint_key, release_checkpoint);
}

const struct kdr_mm2_checkpoint *kdr_dr_checkpoints_find(const struct kdr_dr_checkpoints *set, const char *group,
							 const char *topic, int32_t partition)
{
	struct kdr_mm2_checkpoint key = { (char *)group, (char *)topic, partition, 0, 0, NULL };

	if (set->n == 0)
		return NULL;
	return bsearch(&key, set->v, set->n, sizeof(*set->v), compare_checkpoint_key);
}

void kdr_dr_checkpoints_release(struct kdr_dr_checkpoints *set)
{
	for (size_t i = 0; i < set->n; i++)
		kdr_mm2_checkpoint_release(&set->v[i]);
	free(set->v);
	free(set->first_error);
	memset(set, 0, sizeof(*set));
}

/* --- offset-syncs --- */

static int compare_sync_key(const void *a, const void *b)
{
	const struct kdr_mm2_offset_sync *x = a, *y = b;

	return compare_partition(x->topic, x->partition, y->topic, y->partition);
}

static void release_sync(void *sync)
{
	kdr_mm2_offset_sync_release(sync);
}

void kdr_dr_syncs_add_record(struct kdr_dr_syncs *set, int64_t offset, const void *key, size_t key_len,
			     const void *value, size_t value_len)
{
	struct kdr_mm2_offset_sync sync = { 0 };

	set->records++;
	if (kdr_mm2_offset_sync_decode(&sync, key, key_len, value, value_len) != 0) {
		note_error(&set->first_error, &set->corrupt, offset);
		return;
	}
	set->v = kdr_grow(set->v, &set->cap, set->n + 1, sizeof(*set->v));
	set->v[set->n++] = sync;
}

void kdr_dr_syncs_finish(struct kdr_dr_syncs *set)
{
	/* As checkpoints: the newest offset-sync per partition wins. */
	set->n = kdr_sort_keep_last(set->v, set->n, sizeof(*set->v), compare_sync_key, release_sync);
}

const struct kdr_mm2_offset_sync *kdr_dr_syncs_find(const struct kdr_dr_syncs *set, const char *topic,
						    int32_t partition)
{
	struct kdr_mm2_offset_sync key = { (char *)topic, partition, 0, 0 };

	if (!set || set->n == 0)
		return NULL;
	return bsearch(&key, set->v, set->n, sizeof(*set->v), compare_sync_key);
}

void kdr_dr_syncs_release(struct kdr_dr_syncs *set)
{
	for (size_t i = 0; i < set->n; i++)
		kdr_mm2_offset_sync_release(&set->v[i]);
	free(set->v);
	free(set->first_error);
	memset(set, 0, sizeof(*set));
}

/* --- offsets --- */

static int compare_offset(const void *a, const void *b)
{
	const struct kdr_dr_offset *x = a, *y = b;

	return compare_partition(x->topic, x->partition, y->topic, y->partition);
}

void kdr_dr_offsets_set(struct kdr_dr_offsets *set, const char *topic, int32_t partition, int64_t offset)
{
	struct kdr_dr_offset *o = NULL;

	set->v = kdr_grow(set->v, &set->cap, set->n + 1, sizeof(*set->v));
	o = &set->v[set->n++];
	o->topic = kdr_strdup(topic);
	o->partition = partition;
	o->offset = offset;
	o->timestamp_ms = -1;
}

void kdr_dr_offsets_sort(struct kdr_dr_offsets *set)
{
	if (set->n > 1)
		qsort(set->v, set->n, sizeof(*set->v), compare_offset);
}

const struct kdr_dr_offset *kdr_dr_offsets_find(const struct kdr_dr_offsets *set, const char *topic,
						int32_t partition)
{
	struct kdr_dr_offset key = { (char *)topic, partition, 0, 0 };

	if (!set || set->n == 0)
		return NULL;
	return bsearch(&key, set->v, set->n, sizeof(*set->v), compare_offset);
}

void kdr_dr_offsets_release(struct kdr_dr_offsets *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].topic);
	free(set->v);
	memset(set, 0, sizeof(*set));
}
