/*
 * Metadata v0-8: live brokers with racks, cluster id, controller, topics
 * with partitions (leader, leader epoch, replicas, ISR, offline replicas).
 * Unknown topics are auto-created when the broker allows it
 * (auto.create.topics.enable) and the request does (v4+ flag; always before
 * v4); the answer to the request that triggered the creation is
 * LEADER_NOT_AVAILABLE, as a ZooKeeper-mode broker gives while the topic
 * is being set up, and the next Metadata shows it.
 */
#include "sandbox_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define AUTHORIZED_OPERATIONS_OMITTED INT32_MIN

static void put_ids(struct kdr_buf *out, const int32_t *ids, size_t n, struct kdr_sandbox_cluster *cl, bool live_only)
{
	size_t pos = out->len;
	int32_t count = 0;

	kdr_sandbox_put_i32(out, 0);
	for (size_t i = 0; i < n; i++) {
		if (live_only && !kdr_sandbox_broker_is_live(cl, ids[i]))
			continue;
		kdr_sandbox_put_i32(out, ids[i]);
		count++;
	}
	kdr_sandbox_patch_i32(out, pos, count);
}

static void put_partition(struct kdr_sandbox_request *req, struct kdr_buf *out,
			  const struct kdr_sandbox_partition *part)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	int16_t error = KDR_KAFKA_NONE;
	size_t live_replicas = 0;
	size_t live_isr = 0;
	size_t offline = 0;

	for (size_t i = 0; i < part->n_replicas; i++)
		live_replicas += kdr_sandbox_broker_is_live(cl, part->replicas[i]);
	for (size_t i = 0; i < part->n_isr; i++)
		live_isr += kdr_sandbox_broker_is_live(cl, part->isr[i]);
	offline = part->n_replicas - live_replicas;
	if (part->leader < 0 || !kdr_sandbox_broker_is_live(cl, part->leader))
		error = KDR_KAFKA_LEADER_NOT_AVAILABLE;
	else if (req->version == 0 && (live_replicas < part->n_replicas || live_isr < part->n_isr))
		error = KDR_KAFKA_REPLICA_NOT_AVAILABLE; /* v0 lists only live endpoints and says so */

	kdr_sandbox_put_i16(out, error);
	kdr_sandbox_put_i32(out, part->index);
	kdr_sandbox_put_i32(out, error == KDR_KAFKA_LEADER_NOT_AVAILABLE ? -1 : part->leader);
	if (req->version >= 7)
		kdr_sandbox_put_i32(out, part->leader_epoch);
	put_ids(out, part->replicas, part->n_replicas, cl, req->version == 0);
	put_ids(out, part->isr, part->n_isr, cl, req->version == 0);
	if (req->version >= 5) {
		kdr_sandbox_put_i32(out, (int32_t)offline);
		for (size_t i = 0; i < part->n_replicas; i++) {
			if (!kdr_sandbox_broker_is_live(cl, part->replicas[i]))
				kdr_sandbox_put_i32(out, part->replicas[i]);
		}
	}
}

static void put_topic(struct kdr_sandbox_request *req, struct kdr_buf *out, const char *name,
		      const struct kdr_sandbox_topic *topic, int16_t error)
{
	kdr_sandbox_put_i16(out, error);
	kdr_sandbox_put_string(out, name);
	if (req->version >= 1)
		kdr_sandbox_put_bool(out, topic && topic->internal);
	if (topic && error == KDR_KAFKA_NONE) {
		kdr_sandbox_put_i32(out, (int32_t)topic->n_partitions);
		for (size_t p = 0; p < topic->n_partitions; p++)
			put_partition(req, out, &topic->partitions[p]);
	} else {
		kdr_sandbox_put_i32(out, 0);
	}
	if (req->version >= 8)
		kdr_sandbox_put_i32(out, AUTHORIZED_OPERATIONS_OMITTED);
}

static int16_t missing_topic_error(struct kdr_sandbox_request *req, const char *name, bool allow_auto_create)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	const char *why = NULL;
	char *enabled = NULL;
	bool auto_create = false;
	int16_t error = 0;

	if (!kdr_sandbox_topic_name_valid(name, &why))
		return KDR_KAFKA_INVALID_TOPIC_EXCEPTION;
	enabled = kdr_sandbox_broker_config_value(cl, req->broker, "auto.create.topics.enable");
	auto_create = allow_auto_create && enabled && strcmp(enabled, "true") == 0;
	free(enabled);
	/* Internal topics are created by their coordinators, never on a client's request. */
	if (!auto_create || strcmp(name, "__consumer_offsets") == 0 || strcmp(name, "__transaction_state") == 0)
		return KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
	error = kdr_sandbox_auto_create_topic(cl, name);
	return error == KDR_KAFKA_NONE ? KDR_KAFKA_LEADER_NOT_AVAILABLE : error;
}

int kdr_sandbox_handle_metadata(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	struct kdr_sandbox_broker *controller = NULL;
	int32_t controller_id = -1;
	const char **names = NULL;
	int32_t n = kdr_sandbox_read_array_len(r, req->version >= 1, 2);
	bool allow_auto_create = true;
	size_t count_pos = 0;
	int32_t count = 0;

	if (n > 0)
		names = kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*names));
	for (int32_t i = 0; i < n; i++)
		names[i] = kdr_sandbox_read_string(r, &req->arena, false);
	if (req->version >= 4)
		allow_auto_create = kdr_sandbox_read_bool(r);
	if (req->version >= 8) {
		(void)kdr_sandbox_read_bool(r); /* include cluster authorized operations: not tracked */
		(void)kdr_sandbox_read_bool(r); /* include topic authorized operations */
	}
	if (r->bad)
		return -1;

	if (req->version >= 3)
		kdr_sandbox_put_i32(out, 0);
	count_pos = out->len;
	kdr_sandbox_put_i32(out, 0);
	for (size_t i = 0; i < cl->n_brokers; i++) {
		const struct kdr_sandbox_broker *broker = &cl->brokers[i];

		if (!broker->up)
			continue;
		kdr_sandbox_put_i32(out, broker->id);
		kdr_sandbox_put_string(out, "127.0.0.1");
		kdr_sandbox_put_i32(out, broker->port);
		if (req->version >= 1)
			kdr_sandbox_put_string(out, broker->rack);
		count++;
	}
	kdr_sandbox_patch_i32(out, count_pos, count);
	if (req->version >= 2)
		kdr_sandbox_put_string(out, cl->cluster_id);
	controller = kdr_sandbox_cluster_controller(cl);
	if (cl->metadata_controller > 0)
		controller_id = cl->metadata_controller; /* kdr_sandbox_set_metadata_controller */
	else if (controller)
		controller_id = controller->id;
	if (req->version >= 1)
		kdr_sandbox_put_i32(out, controller_id);

	count_pos = out->len;
	count = 0;
	kdr_sandbox_put_i32(out, 0);
	if (n < 0 || (req->version == 0 && n == 0)) {
		for (size_t t = 0; t < cl->n_topics; t++, count++)
			put_topic(req, out, cl->topics[t]->name, cl->topics[t], req->injected);
	} else {
		for (int32_t i = 0; i < n; i++) {
			struct kdr_sandbox_topic *topic = NULL;
			bool duplicate = false;
			int16_t error = req->injected;

			/* Kafka reads the requested names into a set. */
			for (int32_t j = 0; j < i && !duplicate; j++)
				duplicate = strcmp(names[i], names[j]) == 0;
			if (duplicate)
				continue;
			topic = kdr_sandbox_topic_find(cl, names[i]);
			if (!topic && !error)
				error = missing_topic_error(req, names[i], allow_auto_create);
			put_topic(req, out, names[i], topic, error);
			count++;
		}
	}
	kdr_sandbox_patch_i32(out, count_pos, count);
	cl->metadata_topics += (uint64_t)count;
	if (req->version >= 8)
		kdr_sandbox_put_i32(out, AUTHORIZED_OPERATIONS_OMITTED);
	return 0;
}
