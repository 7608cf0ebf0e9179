/*
 * The classic group coordinator's offsets: OffsetCommit v0-7, OffsetFetch
 * v0-5 and OffsetDelete v0, after Kafka's GroupCoordinator (the groups
 * themselves are api_groups.c's). Offsets are kept per group (not written
 * to __consumer_offsets) and removed with their topic.
 */
#include "sandbox_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define OFFSET_METADATA_MAX_BYTES 4096

/* --- offsets --- */

static struct kdr_sandbox_offset *offset_find(struct kdr_sandbox_group *group, const char *topic, int32_t partition)
{
	for (size_t i = 0; group && i < group->n_offsets; i++) {
		if (group->offsets[i].partition == partition && strcmp(group->offsets[i].topic, topic) == 0)
			return &group->offsets[i];
	}
	return NULL;
}

static void offset_remove(struct kdr_sandbox_group *group, struct kdr_sandbox_offset *offset)
{
	size_t i = (size_t)(offset - group->offsets);

	free(offset->topic);
	free(offset->metadata);
	memmove(&group->offsets[i], &group->offsets[i + 1], (group->n_offsets - i - 1) * sizeof(*group->offsets));
	group->n_offsets--;
}

void kdr_sandbox_groups_topic_deleted(struct kdr_sandbox_cluster *cl, const char *topic)
{
	for (size_t g = 0; g < cl->n_groups; g++) {
		struct kdr_sandbox_group *group = cl->groups[g];

		for (size_t i = group->n_offsets; i-- > 0;) {
			if (strcmp(group->offsets[i].topic, topic) == 0)
				offset_remove(group, &group->offsets[i]);
		}
	}
}

static int compare_offsets(const void *a, const void *b)
{
	const struct kdr_sandbox_offset *x = a;
	const struct kdr_sandbox_offset *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* Validates a commit against the group (ClassicGroup.validateOffsetCommit); may create a simple group. */
static int16_t commit_check(struct kdr_sandbox_request *req, const char *group_id, int32_t generation,
			    const char *member_id, struct kdr_sandbox_group **group)
{
	struct kdr_sandbox_member *member = NULL;
	int16_t error = 0;

	*group = NULL;
	if (!*group_id)
		return KDR_KAFKA_INVALID_GROUP_ID;
	if ((error = kdr_sandbox_coordinator_check(req, group_id)))
		return error;
	*group = kdr_sandbox_group_find(req->cluster, group_id);
	if (*group)
		kdr_sandbox_group_tick(req->cluster, *group);
	if (generation < 0 && (!member_id || !*member_id)) {
		/* A commit from outside the group (admin tools): only for an empty or new group. */
		if (*group && (*group)->state != KDR_SANDBOX_GROUP_EMPTY)
			return KDR_KAFKA_UNKNOWN_MEMBER_ID;
		if (!*group)
			*group = kdr_sandbox_group_create(req->cluster, group_id);
		return KDR_KAFKA_NONE;
	}
	if (!*group)
		return KDR_KAFKA_ILLEGAL_GENERATION;
	member = kdr_sandbox_member_find(*group, member_id);
	if (!member)
		return KDR_KAFKA_UNKNOWN_MEMBER_ID;
	if (generation != (*group)->generation)
		return KDR_KAFKA_ILLEGAL_GENERATION;
	if ((*group)->state == KDR_SANDBOX_GROUP_COMPLETING)
		return KDR_KAFKA_REBALANCE_IN_PROGRESS;
	member->last_seen_ms = kdr_sandbox_now_ms();
	return KDR_KAFKA_NONE;
}

int kdr_sandbox_handle_offset_commit(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	struct kdr_sandbox_group *group = NULL;
	const char *group_id = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t generation = -1;
	const char *member_id = NULL;
	int32_t n_topics = 0;
	int16_t group_error = 0;

	if (req->version >= 1) {
		generation = kdr_sandbox_read_i32(r);
		member_id = kdr_sandbox_read_string(r, &req->arena, false);
	}
	if (req->version >= 7)
		(void)kdr_sandbox_read_string(r, &req->arena, true);
	if (req->version >= 2 && req->version <= 4)
		(void)kdr_sandbox_read_i64(r); /* retention: offsets do not expire here */
	n_topics = kdr_sandbox_read_array_len(r, false, 6);
	if (r->bad)
		return -1;
	group_error = commit_check(req, group_id, generation, member_id, &group);

	if (req->version >= 3)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n_topics);
	for (int32_t t = 0; t < n_topics; t++) {
		const char *name = kdr_sandbox_read_string(r, &req->arena, false);
		struct kdr_sandbox_topic *topic = name ? kdr_sandbox_topic_find(cl, name) : NULL;
		int32_t n_parts = kdr_sandbox_read_array_len(r, false, 14);

		if (r->bad)
			return -1;
		kdr_sandbox_put_string(out, name);
		kdr_sandbox_put_i32(out, n_parts);
		for (int32_t p = 0; p < n_parts; p++) {
			int32_t index = kdr_sandbox_read_i32(r);
			int64_t offset = kdr_sandbox_read_i64(r);
			int32_t epoch = req->version >= 6 ? kdr_sandbox_read_i32(r) : -1;
			const char *metadata = NULL;
			int16_t error = group_error;

			if (req->version == 1)
				(void)kdr_sandbox_read_i64(r); /* commit timestamp */
			metadata = kdr_sandbox_read_string(r, &req->arena, true);
			if (r->bad)
				return -1;
			if (!error && (!topic || index < 0 || (size_t)index >= topic->n_partitions))
				error = KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
			if (!error && metadata && strlen(metadata) > OFFSET_METADATA_MAX_BYTES)
				error = KDR_KAFKA_OFFSET_METADATA_TOO_LARGE;
			if (!error) {
				struct kdr_sandbox_offset *stored = offset_find(group, name, index);

				if (!stored) {
					group->offsets = kdr_realloc(group->offsets,
								     (group->n_offsets + 1) * sizeof(*group->offsets));
					stored = &group->offsets[group->n_offsets++];
					memset(stored, 0, sizeof(*stored));
					stored->topic = kdr_strdup(name);
					stored->partition = index;
				}
				free(stored->metadata);
				stored->metadata = kdr_strdup(metadata ? metadata : "");
				stored->offset = offset;
				stored->leader_epoch = epoch;
				stored->commit_ms = kdr_sandbox_wall_ms();
			}
			kdr_sandbox_put_i32(out, index);
			kdr_sandbox_put_i16(out, error);
		}
	}
	if (group && group->n_offsets > 1)
		qsort(group->offsets, group->n_offsets, sizeof(*group->offsets), compare_offsets);
	return 0;
}

static void put_fetched_offset(struct kdr_sandbox_request *req, struct kdr_buf *out, int32_t partition,
			       const struct kdr_sandbox_offset *stored, int16_t error)
{
	kdr_sandbox_put_i32(out, partition);
	kdr_sandbox_put_i64(out, stored && !error ? stored->offset : -1);
	if (req->version >= 5)
		kdr_sandbox_put_i32(out, stored && !error ? stored->leader_epoch : -1);
	kdr_sandbox_put_string(out, stored && !error ? stored->metadata : "");
	kdr_sandbox_put_i16(out, error);
}

int kdr_sandbox_handle_offset_fetch(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	const char *group_id = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t n_topics = kdr_sandbox_read_array_len(r, req->version >= 2, 6);
	struct kdr_sandbox_group *group = NULL;
	int16_t error = 0;
	/* v0-1 carry errors per partition only; later versions put group-level ones at the top. */
	int16_t part_error = 0;

	if (r->bad)
		return -1;
	error = kdr_sandbox_coordinator_check(req, group_id);
	if (!error) {
		group = kdr_sandbox_group_find(cl, group_id);
		if (group)
			kdr_sandbox_group_tick(cl, group);
	}
	part_error = req->version < 2 ? error : 0;
	if (req->version >= 3)
		kdr_sandbox_put_i32(out, 0);
	/*
	 * All committed offsets of the group, grouped by topic (they are kept
	 * sorted), for a null list and, on v2+, an empty one: brokers since 2.4
	 * answer both that way, and librdkafka 2.0.2 sends an empty list when it
	 * means "all".
	 */
	if (n_topics < 0 || (n_topics == 0 && req->version >= 2)) {
		size_t count_pos = out->len;
		int32_t topics = 0;

		kdr_sandbox_put_i32(out, 0);
		for (size_t i = 0; !error && group && i < group->n_offsets;) {
			size_t end = i;

			while (end < group->n_offsets &&
			       strcmp(group->offsets[end].topic, group->offsets[i].topic) == 0)
				end++;
			kdr_sandbox_put_string(out, group->offsets[i].topic);
			kdr_sandbox_put_i32(out, (int32_t)(end - i));
			for (size_t o = i; o < end; o++)
				put_fetched_offset(req, out, group->offsets[o].partition, &group->offsets[o], 0);
			topics++;
			i = end;
		}
		kdr_sandbox_patch_i32(out, count_pos, topics);
	} else {
		kdr_sandbox_put_i32(out, n_topics);
		for (int32_t t = 0; t < n_topics; t++) {
			const char *name = kdr_sandbox_read_string(r, &req->arena, false);
			int32_t n_parts = kdr_sandbox_read_array_len(r, false, 4);

			if (r->bad)
				return -1;
			kdr_sandbox_put_string(out, name);
			kdr_sandbox_put_i32(out, n_parts);
			for (int32_t p = 0; p < n_parts; p++) {
				int32_t index = kdr_sandbox_read_i32(r);

				put_fetched_offset(req, out, index, error ? NULL : offset_find(group, name, index),
						   part_error);
			}
		}
		if (r->bad)
			return -1;
	}
	if (req->version >= 2)
		kdr_sandbox_put_i16(out, error);
	return 0;
}

/* Whether a consumer-protocol member subscribes to `topic` (ConsumerProtocolSubscription: version, topics, ...). */
static bool subscribed(const struct kdr_sandbox_group *group, const char *topic)
{
	struct kdr_sandbox_arena arena = {NULL, 0, 0};
	bool found = false;

	for (size_t m = 0; m < group->n_members && !found; m++) {
		const struct kdr_sandbox_protocol *p = kdr_sandbox_member_protocol(group->members[m], group->protocol_name);
		struct kdr_sandbox_reader r;
		int32_t n = 0;

		if (!p)
			continue;
		kdr_sandbox_reader_init(&r, p->metadata, p->len);
		(void)kdr_sandbox_read_i16(&r);
		n = kdr_sandbox_read_array_len(&r, false, 2);
		for (int32_t i = 0; i < n && !found && !r.bad; i++) {
			const char *name = kdr_sandbox_read_string(&r, &arena, false);

			found = name && strcmp(name, topic) == 0;
		}
	}
	kdr_sandbox_arena_release(&arena);
	return found;
}

int kdr_sandbox_handle_offset_delete(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	const char *group_id = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t n_topics = kdr_sandbox_read_array_len(r, false, 6);
	struct kdr_sandbox_group *group = NULL;
	int16_t error = 0;
	size_t count_pos = 0;

	if (r->bad)
		return -1;
	error = kdr_sandbox_coordinator_check(req, group_id);
	if (!error && !(group = kdr_sandbox_group_find(cl, group_id)))
		error = KDR_KAFKA_GROUP_ID_NOT_FOUND;
	if (!error) {
		kdr_sandbox_group_tick(cl, group);
		if (group->state != KDR_SANDBOX_GROUP_EMPTY &&
		    (!group->protocol_type || strcmp(group->protocol_type, "consumer") != 0))
			error = KDR_KAFKA_NON_EMPTY_GROUP;
	}
	kdr_sandbox_put_i16(out, error);
	kdr_sandbox_put_i32(out, 0);
	count_pos = out->len;
	kdr_sandbox_put_i32(out, error ? 0 : n_topics);
	for (int32_t t = 0; t < n_topics; t++) {
		const char *name = kdr_sandbox_read_string(r, &req->arena, false);
		int32_t n_parts = kdr_sandbox_read_array_len(r, false, 4);
		bool busy = !error && group->state != KDR_SANDBOX_GROUP_EMPTY && name && subscribed(group, name);

		if (r->bad)
			return -1;
		if (!error) {
			kdr_sandbox_put_string(out, name);
			kdr_sandbox_put_i32(out, n_parts);
		}
		for (int32_t p = 0; p < n_parts; p++) {
			int32_t index = kdr_sandbox_read_i32(r);
			struct kdr_sandbox_offset *stored = NULL;

			if (error)
				continue;
			if (!busy && (stored = offset_find(group, name, index)))
				offset_remove(group, stored);
			kdr_sandbox_put_i32(out, index);
			kdr_sandbox_put_i16(out, busy ? KDR_KAFKA_GROUP_SUBSCRIBED_TO_TOPIC : KDR_KAFKA_NONE);
		}
	}
	if (r->bad)
		return -1;
	(void)count_pos;
	return 0;
}
