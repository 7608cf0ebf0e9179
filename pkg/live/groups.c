/* Consumer groups in the live snapshot (live.h). */
#include <stdlib.h>
#include <string.h>

#include "live/live_internal.h"
#include "util/alloc.h"

_Static_assert(offsetof(struct kdr_live_group, id) == 0, "id first");

static int compare_group(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_offset(const void *a, const void *b)
{
	const struct kdr_live_group_offset *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

const struct kdr_live_group *kdr_live_group_find(const struct kdr_live_cluster *cl, const char *id)
{
	if (!cl || cl->n_groups == 0)
		return NULL;
	return bsearch(&id, cl->groups, cl->n_groups, sizeof(*cl->groups), compare_group);
}

const struct kdr_live_group_offset *kdr_live_group_offset_find(const struct kdr_live_group *group, const char *topic,
							       int32_t partition)
{
	struct kdr_live_group_offset key = { (char *)topic, partition, 0, NULL };

	if (!group || group->n_offsets == 0)
		return NULL;
	return bsearch(&key, group->offsets, group->n_offsets, sizeof(*group->offsets), compare_offset);
}

bool kdr_live_group_active(const struct kdr_live_group *group)
{
	if (!group)
		return false;
	if (group->n_members > 0)
		return true;
	return group->state && strcmp(group->state, "Empty") != 0 && strcmp(group->state, "Dead") != 0;
}

struct kdr_live_group *kdr_live_cluster_add_group(struct kdr_live_cluster *cl, const char *id)
{
	struct kdr_live_group *group = NULL;

	cl->groups = kdr_realloc(cl->groups, (cl->n_groups + 1) * sizeof(*cl->groups));
	group = &cl->groups[cl->n_groups++];
	memset(group, 0, sizeof(*group));
	group->id = kdr_strdup(id);
	group->state = kdr_strdup("Empty");
	group->protocol_type = kdr_strdup("");
	return group;
}

void kdr_live_group_add_offset(struct kdr_live_group *group, const char *topic, int32_t partition, int64_t offset,
			       const char *metadata)
{
	struct kdr_live_group_offset *o = NULL;

	group->offsets = kdr_realloc(group->offsets, (group->n_offsets + 1) * sizeof(*group->offsets));
	o = &group->offsets[group->n_offsets++];
	o->topic = kdr_strdup(topic);
	o->partition = partition;
	o->offset = offset;
	o->metadata = kdr_strdup(metadata ? metadata : "");
}

void kdr_live__groups_sort(struct kdr_live_cluster *cl)
{
	if (cl->n_groups > 1)
		qsort(cl->groups, cl->n_groups, sizeof(*cl->groups), compare_group);
	for (size_t i = 0; i < cl->n_groups; i++)
		if (cl->groups[i].n_offsets > 1)
			qsort(cl->groups[i].offsets, cl->groups[i].n_offsets, sizeof(*cl->groups[i].offsets),
			      compare_offset);
}

void kdr_live__groups_copy(struct kdr_live_cluster *out, const struct kdr_live_cluster *src)
{
	out->groups_read = src->groups_read;
	out->group_offsets_read = src->group_offsets_read;
	out->groups = NULL;
	out->n_groups = 0;
	for (size_t i = 0; i < src->n_groups; i++) {
		const struct kdr_live_group *from = &src->groups[i];
		struct kdr_live_group *group = kdr_live_cluster_add_group(out, from->id);

		free(group->state);
		free(group->protocol_type);
		group->state = kdr_strdup(from->state);
		group->protocol_type = kdr_strdup(from->protocol_type);
		group->n_members = from->n_members;
		for (size_t j = 0; j < from->n_offsets; j++)
			kdr_live_group_add_offset(group, from->offsets[j].topic, from->offsets[j].partition,
						  from->offsets[j].offset, from->offsets[j].metadata);
	}
}

void kdr_live_group_release(struct kdr_live_group *group)
{
	free(group->id);
	free(group->state);
	free(group->protocol_type);
	for (size_t i = 0; i < group->n_offsets; i++) {
		free(group->offsets[i].topic);
		free(group->offsets[i].metadata);
	}
	free(group->offsets);
	memset(group, 0, sizeof(*group));
}

void kdr_live_cluster_groups_release(struct kdr_live_cluster *cl)
{
	for (size_t i = 0; i < cl->n_groups; i++)
		kdr_live_group_release(&cl->groups[i]);
	free(cl->groups);
	cl->groups = NULL;
	cl->n_groups = 0;
	cl->groups_read = false;
	cl->group_offsets_read = false;
}
