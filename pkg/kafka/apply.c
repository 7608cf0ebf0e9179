/*
 * Executing a plan's Kafka actions: batched admin requests per action kind
 * (CreateTopics, CreatePartitions, AlterConfigs, DeleteTopics; at most 32
 * per kind), each action's outcome mapped from the per-topic results into
 * its kdr_action_result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/sort.h"

/*
 * Kafka closes a connection whose request exceeds socket.request.max.bytes
 * (100 MiB by default): a batch is split before its estimated size gets near
 * that, and only then.
 */
#define KDR_KAFKA_MAX_REQUEST_BYTES ((size_t)48 << 20)

/* One action of a batch, with its topic (for matching the per-topic results); the topic first, for kdr_sort_by_name. */
struct pending {
	const char *topic;
	size_t action;
};

/* A per-topic result, whatever the admin call. */
struct outcome {
	const char *topic;
	rd_kafka_resp_err_t err;
	const char *errstr;
};

static int compare_pending_action(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	return x->action < y->action ? -1 : x->action > y->action;
}

static const char *request_name(enum kdr_action_kind kind)
{
	switch (kind) {
	case KDR_ACTION_CREATE_TOPIC:
		return "CreateTopics";
	case KDR_ACTION_ADD_PARTITIONS:
		return "CreatePartitions";
	case KDR_ACTION_ALTER_CONFIGS:
		return "AlterConfigs";
	case KDR_ACTION_DELETE_TOPIC:
		return "DeleteTopics";
	default:
		return "?";
	}
}

static rd_kafka_admin_op_t admin_op(enum kdr_action_kind kind)
{
	switch (kind) {
	case KDR_ACTION_CREATE_TOPIC:
		return RD_KAFKA_ADMIN_OP_CREATETOPICS;
	case KDR_ACTION_ADD_PARTITIONS:
		return RD_KAFKA_ADMIN_OP_CREATEPARTITIONS;
	case KDR_ACTION_ALTER_CONFIGS:
		return RD_KAFKA_ADMIN_OP_ALTERCONFIGS;
	default:
		return RD_KAFKA_ADMIN_OP_DELETETOPICS;
	}
}

static bool is_mine(const struct kdr_action *action, const struct kdr_kafka_conn *conn)
{
	return kdr_kafka_handles(action->kind) && action->cluster && strcmp(action->cluster, conn->cluster) == 0;
}

/* Roughly what the action adds to a request on the wire. */
static size_t estimate_bytes(const struct kdr_action *action)
{
	size_t bytes = 32 + (action->resource ? strlen(action->resource) : 0);

	for (size_t p = 0; p < action->assignment.n; p++)
		bytes += 8 + 4 * action->assignment.partitions[p].n;
	for (size_t i = 0; i < action->config.n; i++)
		bytes += 8 + strlen(action->config.v[i].key) +
			 (action->config.v[i].value ? strlen(action->config.v[i].value) : 0);
	return bytes;
}

/* The admin object for one action, or NULL with the action's result failed. */
static void *build_object(struct kdr_action_result *result, const struct kdr_kafka_conn *conn,
			  const struct kdr_action *action)
{
	char errstr[512] = "";
	const char *topic = action->resource;
	void *object = NULL;

	switch (action->kind) {
	case KDR_ACTION_CREATE_TOPIC: {
		rd_kafka_NewTopic_t *nt = NULL;
		size_t n = action->assignment.n;

		if (n > 0 && action->partitions != (int64_t)n) {
			kdr_kafka__result_fail_local(result, conn, topic, KDR_EINVALID,
						     "create-topic: the assignment does not cover the partitions");
			return NULL;
		}
		/*
		 * librdkafka 2.0.2: with an assignment the partition count is the
		 * real one and the replication factor -1; it sends -1/-1 itself.
		 */
		nt = rd_kafka_NewTopic_new(topic, (int)action->partitions, n > 0 ? -1 : (int)action->replication_factor,
					   errstr, sizeof(errstr));
		for (size_t p = 0; nt && p < n; p++)
			if (rd_kafka_NewTopic_set_replica_assignment(
				nt, (int32_t)p, action->assignment.partitions[p].ids,
				action->assignment.partitions[p].n, errstr, sizeof(errstr))) {
				rd_kafka_NewTopic_destroy(nt);
				nt = NULL;
			}
		for (size_t i = 0; nt && i < action->config.n; i++)
			if (rd_kafka_NewTopic_set_config(nt, action->config.v[i].key, action->config.v[i].value)) {
				snprintf(errstr, sizeof(errstr), "invalid config '%s'", action->config.v[i].key);
				rd_kafka_NewTopic_destroy(nt);
				nt = NULL;
			}
		object = nt;
		break;
	}
	case KDR_ACTION_ADD_PARTITIONS: {
		rd_kafka_NewPartitions_t *np =
		    rd_kafka_NewPartitions_new(topic, (size_t)action->partitions, errstr, sizeof(errstr));

		/* Assignments are indexed from the first new partition. */
		for (size_t p = 0; np && p < action->assignment.n; p++)
			if (rd_kafka_NewPartitions_set_replica_assignment(
				np, (int32_t)p, action->assignment.partitions[p].ids,
				action->assignment.partitions[p].n, errstr, sizeof(errstr))) {
				rd_kafka_NewPartitions_destroy(np);
				np = NULL;
			}
		object = np;
		break;
	}
	case KDR_ACTION_ALTER_CONFIGS: {
		rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);

		/* The complete set: AlterConfigs reverts every key not sent to its default. */
		for (size_t i = 0; resource && i < action->config.n; i++)
			if (rd_kafka_ConfigResource_set_config(resource, action->config.v[i].key,
							       action->config.v[i].value)) {
				snprintf(errstr, sizeof(errstr), "invalid config '%s'", action->config.v[i].key);
				rd_kafka_ConfigResource_destroy(resource);
				resource = NULL;
			}
		object = resource;
		break;
	}
	case KDR_ACTION_DELETE_TOPIC:
		object = rd_kafka_DeleteTopic_new(topic);
		break;
	default:
		break;
	}
	if (!object)
		kdr_kafka__result_fail_local(result, conn, topic, KDR_EINVALID,
					     errstr[0] ? errstr : "cannot build the request");
	return object;
}

static void destroy_object(enum kdr_action_kind kind, void *object)
{
	switch (kind) {
	case KDR_ACTION_CREATE_TOPIC:
		rd_kafka_NewTopic_destroy(object);
		break;
	case KDR_ACTION_ADD_PARTITIONS:
		rd_kafka_NewPartitions_destroy(object);
		break;
	case KDR_ACTION_ALTER_CONFIGS:
		rd_kafka_ConfigResource_destroy(object);
		break;
	case KDR_ACTION_DELETE_TOPIC:
		rd_kafka_DeleteTopic_destroy(object);
		break;
	default:
		break;
	}
}

static void send_request(struct kdr_kafka_conn *conn, enum kdr_action_kind kind, void **objects, size_t n,
			 const rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *queue)
{
	switch (kind) {
	case KDR_ACTION_CREATE_TOPIC:
		rd_kafka_CreateTopics(conn->rk, (rd_kafka_NewTopic_t **)objects, n, options, queue);
		break;
	case KDR_ACTION_ADD_PARTITIONS:
		rd_kafka_CreatePartitions(conn->rk, (rd_kafka_NewPartitions_t **)objects, n, options, queue);
		break;
	case KDR_ACTION_ALTER_CONFIGS:
		rd_kafka_AlterConfigs(conn->rk, (rd_kafka_ConfigResource_t **)objects, n, options, queue);
		break;
	case KDR_ACTION_DELETE_TOPIC:
		rd_kafka_DeleteTopics(conn->rk, (rd_kafka_DeleteTopic_t **)objects, n, options, queue);
		break;
	default:
		break;
	}
}

/* The per-topic results of a result event, uniformly; *n is set. Lent from `ev`. */
static struct outcome *extract_outcomes(size_t *n, enum kdr_action_kind kind, rd_kafka_event_t *ev)
{
	const rd_kafka_topic_result_t **topics = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	struct outcome *outcomes = NULL;
	size_t count = 0;

	switch (kind) {
	case KDR_ACTION_CREATE_TOPIC:
		if (rd_kafka_event_CreateTopics_result(ev))
			topics = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &count);
		break;
	case KDR_ACTION_ADD_PARTITIONS:
		if (rd_kafka_event_CreatePartitions_result(ev))
			topics =
			    rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &count);
		break;
	case KDR_ACTION_ALTER_CONFIGS:
		if (rd_kafka_event_AlterConfigs_result(ev))
			resources =
			    rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &count);
		break;
	case KDR_ACTION_DELETE_TOPIC:
		if (rd_kafka_event_DeleteTopics_result(ev))
			topics = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &count);
		break;
	default:
		break;
	}
	outcomes = kdr_calloc(count ? count : 1, sizeof(*outcomes));
	for (size_t i = 0; i < count; i++) {
		if (resources) {
			outcomes[i].topic = rd_kafka_ConfigResource_name(resources[i]);
			outcomes[i].err = rd_kafka_ConfigResource_error(resources[i]);
			outcomes[i].errstr = rd_kafka_ConfigResource_error_string(resources[i]);
		} else {
			outcomes[i].topic = rd_kafka_topic_result_name(topics[i]);
			outcomes[i].err = rd_kafka_topic_result_error(topics[i]);
			outcomes[i].errstr = rd_kafka_topic_result_error_string(topics[i]);
		}
	}
	*n = count;
	return outcomes;
}

/* One request's worth of actions of one kind: its admin objects and the actions they were built for. */
struct batch {
	struct pending *items; /* a run of the kind's list, lent */
	size_t n;
	void **objects; /* built objects, parallel to sent[0..n_sent) */
	struct pending *sent;
	size_t n_sent;
	bool in_flight;
	bool resent;	    /* sent again once after the controller was lost */
	int32_t controller; /* the controller librdkafka knew when the batch was sent */
};

/* Builds the batch's admin objects; an action whose object cannot be built fails alone. */
static void batch_build(struct batch *b, struct kdr_action_result *results, const struct kdr_kafka_conn *conn,
			const struct kdr_plan *plan)
{
	b->objects = kdr_calloc(b->n + 1, sizeof(*b->objects));
	b->sent = kdr_calloc(b->n + 1, sizeof(*b->sent));
	b->n_sent = 0;
	for (size_t i = 0; i < b->n; i++) {
		void *object = build_object(&results[b->items[i].action], conn, &plan->actions[b->items[i].action]);

		if (object) {
			b->objects[b->n_sent] = object;
			b->sent[b->n_sent++] = b->items[i];
		}
	}
}

static void batch_release(struct batch *b, enum kdr_action_kind kind)
{
	for (size_t i = 0; i < b->n_sent; i++)
		destroy_object(kind, b->objects[i]);
	free(b->objects);
	free(b->sent);
	b->objects = NULL;
	b->sent = NULL;
	b->n_sent = 0;
	b->in_flight = false;
}

/* Every action of the batch failed with one request-level error. */
static void batch_fail(struct kdr_action_result *results, const struct kdr_kafka_conn *conn, const struct batch *b,
		       const char *prefix, rd_kafka_resp_err_t err, const char *detail)
{
	for (size_t i = 0; i < b->n_sent; i++)
		kdr_kafka__result_fail(&results[b->sent[i].action], conn, b->sent[i].topic, prefix, err, detail);
}

/*
 * Whether a whole request failed the way a lost controller fails it (librdkafka
 * waited for a controller that is gone, or the connection to it dropped):
 * librdkafka keeps the dead controller until its next metadata refresh
 * (minutes), so every later request would wait its full timeout too.
 */
static bool controller_lost(rd_kafka_resp_err_t err)
{
	return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
	       err == RD_KAFKA_RESP_ERR_NOT_CONTROLLER || err == RD_KAFKA_RESP_ERR__WAIT_COORD;
}

/*
 * A Metadata request: librdkafka learns the current controller from its
 * answer. Returns whether it is another than `sent_to`, the one a failed
 * request went to (a slow but present
 * controller is not a lost one: its late answer may still land, so the batch
 * is not sent twice).
 */
static bool refresh_controller(struct kdr_kafka_conn *conn, int32_t sent_to)
{
	const struct rd_kafka_metadata *md = NULL;
	int32_t now = -1;

	if (rd_kafka_metadata(conn->rk, 0, NULL, &md, conn->timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR)
		rd_kafka_metadata_destroy(md);
	now = rd_kafka_controllerid(conn->rk, 0);
	return now >= 0 && now != sent_to;
}

/* Records each action's outcome from the batch's result event. */
static void batch_collect(struct kdr_action_result *results, const struct kdr_kafka_conn *conn, struct batch *b,
			  enum kdr_action_kind kind, const char *prefix, rd_kafka_event_t *ev)
{
	rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
	struct outcome *outcomes = NULL;
	size_t n_outcomes = 0;

	if (err) {
		/* The whole request failed (timeout, no controller, ...): so did each action in it. */
		batch_fail(results, conn, b, prefix, err, rd_kafka_event_error_string(ev));
		return;
	}
	outcomes = extract_outcomes(&n_outcomes, kind, ev);
	kdr_sort_by_name(b->sent, b->n_sent, sizeof(*b->sent));
	for (size_t o = 0; o < n_outcomes; o++) {
		const struct pending *match = NULL;
		struct kdr_action_result *result = NULL;
		size_t at = 0;

		if (!outcomes[o].topic)
			continue;
		/* Topics are unique within a batch, so the topic alone finds the action. */
		at = kdr_sort_first_named(b->sent, b->n_sent, sizeof(*b->sent), outcomes[o].topic);
		if (at == b->n_sent || strcmp(b->sent[at].topic, outcomes[o].topic) != 0)
			continue;
		match = &b->sent[at];
		result = &results[match->action];
		if (outcomes[o].err)
			kdr_kafka__result_fail(result, conn, match->topic, NULL, outcomes[o].err, outcomes[o].errstr);
		else {
			kdr_action_result_release(result);
			result->attempted = true;
			result->code = 0;
		}
	}
	for (size_t i = 0; i < b->n_sent; i++)
		if (!results[b->sent[i].action].attempted)
			kdr_kafka__result_fail_local(&results[b->sent[i].action], conn, b->sent[i].topic, KDR_EINVALID,
						     "the broker's answer has no result for this topic");
	free(outcomes);
}

/*
 * The actions of one kind go in KDR_KAFKA_APPLY_SLICES requests (fewer for
 * few actions: at least KDR_KAFKA_APPLY_SLICE_MIN per request; more past
 * 8,192 actions: at most KDR_KAFKA_APPLY_SLICE_MAX per request), also split
 * before a request would near the broker's size limit, with at most
 * KDR_KAFKA_APPLY_WINDOW in flight. Why not one request: librdkafka 2.0.2
 * places each topic of an answer by a linear search over the request (0.6 s
 * of CPU for one CreateTopics of 10,000 topics, 0.08 s in 32 slices), and a
 * broker's controller answers a smaller request well within its operation
 * timeout. Why the cap: with 32 requests the search grew with N (2 x 100,000
 * creates: 18.9 -> 13.4 s of CPU with 391 requests of 256 per cluster).
 */
#define KDR_KAFKA_APPLY_SLICES 32
#define KDR_KAFKA_APPLY_SLICE_MIN 32
#define KDR_KAFKA_APPLY_SLICE_MAX 256
#define KDR_KAFKA_APPLY_WINDOW 2

/* Cuts `items` (in plan order) into batches; returns them, *n_out set. */
static struct batch *cut_batches(size_t *n_out, struct pending *items, size_t n, const struct kdr_plan *plan)
{
	size_t slices = (n + KDR_KAFKA_APPLY_SLICE_MIN - 1) / KDR_KAFKA_APPLY_SLICE_MIN;
	size_t per_slice = 0, start = 0, bytes = 0, count = 0, cap = 0;
	struct batch *batches = NULL;

	if (slices > KDR_KAFKA_APPLY_SLICES)
		slices = KDR_KAFKA_APPLY_SLICES;
	per_slice = slices ? (n + slices - 1) / slices : 1;
	if (per_slice > KDR_KAFKA_APPLY_SLICE_MAX)
		per_slice = KDR_KAFKA_APPLY_SLICE_MAX;
	for (size_t i = 0; i <= n; i++) {
		size_t size = i < n ? estimate_bytes(&plan->actions[items[i].action]) : 0;

		if (i > start && (i == n || i - start >= per_slice || bytes + size > KDR_KAFKA_MAX_REQUEST_BYTES)) {
			batches = kdr_grow(batches, &cap, count + 1, sizeof(*batches));
			memset(&batches[count], 0, sizeof(batches[count]));
			batches[count].items = items + start;
			batches[count].n = i - start;
			count++;
			start = i;
			bytes = 0;
		}
		bytes += size;
	}
	*n_out = count;
	return batches;
}

/* Sends the batches of one kind, a window at a time, and records every action's outcome. */
static void run_batches(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
			enum kdr_action_kind kind, struct batch *batches, size_t n_batches)
{
	char prefix[64] = "";
	rd_kafka_queue_t *queue = NULL;
	rd_kafka_AdminOptions_t *options = NULL;
	rd_kafka_event_t *ev = NULL;
	size_t next = 0, in_flight = 0;
	int64_t deadline = 0;

	snprintf(prefix, sizeof(prefix), "%s request: ", request_name(kind));
	options =
	    kdr_kafka__admin_options(conn, admin_op(kind), conn->validate_only && kind != KDR_ACTION_DELETE_TOPIC);
	if (!options) {
		for (size_t b = 0; b < n_batches; b++)
			for (size_t i = 0; i < batches[b].n; i++)
				kdr_kafka__result_fail_local(&results[batches[b].items[i].action], conn,
							     batches[b].items[i].topic, KDR_EINVALID,
							     kdr_error_message());
		return;
	}
	queue = rd_kafka_queue_new(conn->rk);
	deadline = kdr_kafka__admin_deadline(conn);
	while (next < n_batches || in_flight > 0) {
		struct batch *b = NULL;
		size_t call = 0;

		/* Fill the window; a batch none of whose objects could be built sends nothing. */
		while (next < n_batches && in_flight < KDR_KAFKA_APPLY_WINDOW) {
			b = &batches[next++];
			batch_build(b, results, conn, plan);
			if (b->n_sent == 0) {
				batch_release(b, kind);
				continue;
			}
			/* librdkafka copies the objects and the options (opaque included) into the request. */
			rd_kafka_AdminOptions_set_opaque(options, (void *)(uintptr_t)next);
			b->controller = rd_kafka_controllerid(conn->rk, 0);
			send_request(conn, kind, b->objects, b->n_sent, options, queue);
			b->in_flight = true;
			in_flight++;
		}
		if (in_flight == 0)
			break;
		ev = kdr_kafka__wait_event(conn, queue, deadline);
		if (!ev) {
			/* librdkafka gave no answer, not even its own timeout: nothing more is sent. */
			for (size_t i = 0; i < n_batches; i++) {
				if (batches[i].in_flight)
					batch_fail(results, conn, &batches[i], prefix, RD_KAFKA_RESP_ERR__TIMED_OUT,
						   "no answer in time");
				batch_release(&batches[i], kind);
			}
			for (size_t i = next; i < n_batches; i++)
				for (size_t j = 0; j < batches[i].n; j++)
					kdr_kafka__result_fail(&results[batches[i].items[j].action], conn,
							       batches[i].items[j].topic, prefix,
							       RD_KAFKA_RESP_ERR__TIMED_OUT,
							       "not sent: an earlier request got no answer in time");
			break;
		}
		call = (size_t)(uintptr_t)rd_kafka_event_opaque(ev);
		if (call >= 1 && call <= n_batches && batches[call - 1].in_flight) {
			b = &batches[call - 1];
			if (!b->resent && controller_lost(rd_kafka_event_error(ev)) &&
			    refresh_controller(conn, b->controller)) {
				/*
				 * The controller was lost mid-apply: with the metadata refreshed (the new
				 * controller), this batch is sent once more instead of failing it and
				 * every batch after it on the dead one.
				 */
				b->resent = true;
				b->controller = rd_kafka_controllerid(conn->rk, 0);
				rd_kafka_AdminOptions_set_opaque(options, (void *)(uintptr_t)call);
				send_request(conn, kind, b->objects, b->n_sent, options, queue);
			} else {
				batch_collect(results, conn, b, kind, prefix, ev);
				batch_release(b, kind);
				in_flight--;
			}
		}
		rd_kafka_event_destroy(ev);
		ev = NULL;
		/* Each request has its own timeout: the wait is bounded per answer. */
		deadline = kdr_kafka__admin_deadline(conn);
	}
	rd_kafka_AdminOptions_destroy(options);
	/* Abandoned answers, if any, are dropped with the queue. */
	rd_kafka_queue_destroy(queue);
}

/* How long a create that answered TOPIC_ALREADY_EXISTS may take to show in the metadata of the broker asked. */
#define KDR_KAFKA_EXISTS_SETTLE_MS 5000

/*
 * A create-topic that answered TOPIC_ALREADY_EXISTS: the topic appeared
 * between the read and the create. The usual cause is kdr's own earlier run,
 * killed (or timed out) after its request reached the controller: that
 * request landed late and holds what the same desired state plans. When the
 * topic now has the planned partition count and replication factor the
 * action is done (nothing is created twice, and the next plan compares its
 * configs and placement); otherwise it stays failed, saying what exists.
 */
static void settle_already_exists(struct kdr_action_result *results, struct kdr_kafka_conn *conn,
				  const struct kdr_plan *plan, const struct pending *items, size_t n)
{
	bool *open = kdr_calloc(n + 1, sizeof(*open));
	size_t waiting = 0;
	int64_t deadline = kdr_clock_mono_ms() + KDR_KAFKA_EXISTS_SETTLE_MS;

	for (size_t i = 0; i < n; i++) {
		const char *name = results[items[i].action].error_name;

		open[i] = name && strcmp(name, "TOPIC_ALREADY_EXISTS") == 0;
		waiting += open[i];
	}
	while (waiting > 0) {
		const struct rd_kafka_metadata *md = NULL;
		bool last = kdr_clock_mono_ms() >= deadline;

		/* On an error they stay failed, with the broker's message. */
		if (rd_kafka_metadata(conn->rk, 1, NULL, &md, conn->timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
			break;
		for (size_t i = 0; i < n; i++) {
			struct kdr_action_result *result = &results[items[i].action];
			const struct kdr_action *action = &plan->actions[items[i].action];
			const rd_kafka_metadata_topic_t *mt = NULL;

			if (!open[i])
				continue;
			for (int t = 0; t < md->topic_cnt && !mt; t++)
				if (strcmp(md->topics[t].topic, items[i].topic) == 0 && md->topics[t].err == 0)
					mt = &md->topics[t];
			if (!mt && !last)
				continue; /* not yet in this broker's metadata */
			open[i] = false;
			waiting--;
			if (!mt)
				continue;
			if (mt->partition_cnt == action->partitions && mt->partition_cnt > 0 &&
			    mt->partitions[0].replica_cnt == action->replication_factor) {
				kdr_action_result_release(result);
				result->attempted = true;
				result->code = 0;
			} else {
				char *message = kdr_asprintf("%s; it exists with %d partition(s) and replication factor %d",
							     result->message, mt->partition_cnt,
							     mt->partition_cnt > 0 ? mt->partitions[0].replica_cnt : 0);

				free(result->message);
				result->message = message;
			}
		}
		rd_kafka_metadata_destroy(md);
		if (waiting > 0)
			rd_kafka_poll(conn->rk, 200);
	}
	free(open);
}

/* All actions of one kind for this cluster, in a bounded number of requests. */
static void apply_kind(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
		       enum kdr_action_kind kind)
{
	struct pending *items = kdr_calloc(plan->n_actions + 1, sizeof(*items));
	struct batch *batches = NULL;
	size_t n = 0, unique = 0, n_batches = 0;

	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];

		if (action->kind != kind || !is_mine(action, conn))
			continue;
		if (kind == KDR_ACTION_DELETE_TOPIC && conn->validate_only) {
			/* DeleteTopics cannot validate only: not sent, and said so. */
			results[i].message = kdr_asprintf("cluster '%s': topic '%s': not sent: DeleteTopics has no "
							  "validate-only mode",
							  conn->cluster, action->resource ? action->resource : "");
			continue;
		}
		if (!action->resource || !*action->resource) {
			kdr_kafka__result_fail_local(&results[i], conn, "", KDR_EINVALID, "action without a topic");
			continue;
		}
		items[n].action = i;
		items[n].topic = action->resource;
		n++;
	}
	/* librdkafka refuses a whole call that names a topic twice: the later duplicates (a stable sort) fail alone. */
	kdr_sort_by_name(items, n, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		if (unique > 0 && strcmp(items[unique - 1].topic, items[i].topic) == 0) {
			kdr_kafka__result_fail_local(&results[items[i].action], conn, items[i].topic, KDR_EINVALID,
						     "the plan has this action twice; sent once");
			continue;
		}
		items[unique++] = items[i];
	}
	/* Plan order within the kind, so that requests carry the actions as the plan lists them. */
	qsort(items, unique, sizeof(*items), compare_pending_action);
	batches = cut_batches(&n_batches, items, unique, plan);
	if (n_batches)
		run_batches(results, conn, plan, kind, batches, n_batches);
	if (kind == KDR_ACTION_CREATE_TOPIC && !conn->validate_only)
		settle_already_exists(results, conn, plan, items, unique);
	free(batches);
	free(items);
}

/* Whether the step `run` (NULL: every Kafka kind) carries actions of `kind`. */
static bool in_run(const struct kdr_apply_run *run, enum kdr_action_kind kind)
{
	return run ? kdr_apply_run_has(run, kind) : kdr_action_kind_stage(kind) == KDR_APPLY_KAFKA;
}

int kdr_kafka_conn_apply_run(struct kdr_action_result *results, struct kdr_kafka_conn *conn,
			     const struct kdr_plan *plan, const struct kdr_apply_run *run)
{
	enum kdr_action_kind order[KDR_ACTION_KIND_COUNT];
	size_t n_kinds = kdr_action_kinds_in_order(order);
	size_t mine = 0, failed = 0, first = 0;
	int error = 0;

	for (size_t i = 0; i < plan->n_actions; i++) {
		memset(&results[i], 0, sizeof(results[i]));
		if (is_mine(&plan->actions[i], conn) && in_run(run, plan->actions[i].kind))
			mine++;
	}
	if (mine == 0)
		return 0;

	error = kdr_kafka__conn_wait(conn);
	if (error) {
		/* Nothing can be sent: every action of this cluster fails with the reason. */
		for (size_t i = 0; i < plan->n_actions; i++) {
			if (!is_mine(&plan->actions[i], conn) || !in_run(run, plan->actions[i].kind))
				continue;
			results[i].attempted = true;
			results[i].code = error;
			results[i].error_name = conn->last_err ? kdr_strdup(rd_kafka_err2name(conn->last_err)) : NULL;
			results[i].message = kdr_strdup(kdr_error_message());
		}
		return error;
	}
	/* The plan's order of kinds (kinds.c), the Kafka ones of this step. */
	for (size_t k = 0; k < n_kinds; k++) {
		if (!in_run(run, order[k]))
			continue;
		if (order[k] == KDR_ACTION_CREATE_ACL || order[k] == KDR_ACTION_DELETE_ACL)
			kdr_kafka__apply_acls(results, conn, plan, order[k]);
		else
			apply_kind(results, conn, plan, order[k]);
	}
	/* Done once every broker shows it (a plan right after must not list it again); a delay only warns. */
	if (kdr_kafka__wait_visible(conn, plan, results, KDR_KAFKA_VISIBLE_WAIT_MS) != 0)
		fprintf(stderr, "kdr: warning: %s\n", kdr_error_message());

	for (size_t i = 0; i < plan->n_actions; i++) {
		if (!results[i].attempted || results[i].code == 0)
			continue;
		if (failed++ == 0)
			first = i;
	}
	if (failed == 0)
		return 0;
	return kdr_error_set(results[first].code, "cluster '%s': %zu of %zu actions failed; first: %s", conn->cluster,
			     failed, mine, results[first].message ? results[first].message : "");
}

int kdr_kafka_conn_apply(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan)
{
	return kdr_kafka_conn_apply_run(results, conn, plan, NULL);
}

int kdr_kafka_apply(struct kdr_action_result *results, const struct kdr_plan *plan, const struct kdr_cluster *cl,
		    const struct kdr_kafka_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	int error = 0;

	for (size_t i = 0; i < plan->n_actions; i++)
		memset(&results[i], 0, sizeof(results[i]));
	error = kdr_kafka_conn_open(&conn, cl, options);
	if (error) {
		/* Same outcome as an unreachable cluster: each of its actions carries the reason. */
		for (size_t i = 0; i < plan->n_actions; i++) {
			const struct kdr_action *action = &plan->actions[i];

			if (!kdr_kafka_handles(action->kind) || !action->cluster || !cl->meta.name ||
			    strcmp(action->cluster, cl->meta.name) != 0)
				continue;
			results[i].attempted = true;
			results[i].code = error;
			results[i].message = kdr_strdup(kdr_error_message());
		}
		return error;
	}
	error = kdr_kafka_conn_apply(results, conn, plan);
	kdr_kafka_conn_free(conn);
	return error;
}
