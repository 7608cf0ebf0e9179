/*
 * Executing a plan's Kafka actions: one admin request per action kind
 * (CreateTopics, CreatePartitions, AlterConfigs, DeleteTopics), each action's
 * outcome mapped from the per-topic results into its kdr_action_result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_int.h"
#include "util/alloc.h"
#include "util/error.h"

/*
 * Kafka closes a connection whose request exceeds socket.request.max.bytes
 * (100 MiB by default): a batch is split before its estimated size gets near
 * that, and only then.
 */
#define KDR_KAFKA_MAX_REQUEST_BYTES ((size_t)48 << 20)

/* One action of a batch, with its topic (for matching the per-topic results). */
struct pending {
	size_t action;
	const char *topic;
};

/* A per-topic result, whatever the admin call. */
struct outcome {
	const char *topic;
	rd_kafka_resp_err_t err;
	const char *errstr;
};

static int compare_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int cmp = strcmp(x->topic, y->topic);

	if (cmp)
		return cmp;
	return x->action < y->action ? -1 : x->action > y->action;
}

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
			kdr_kafka_result_fail_local(result, conn, topic, KDR_EINVALID,
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
		kdr_kafka_result_fail_local(result, conn, topic, KDR_EINVALID,
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

/* Sends one request carrying `batch` and records every action's outcome. */
static void run_batch(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
		      enum kdr_action_kind kind, struct pending *batch, size_t n)
{
	char prefix[64] = "";
	rd_kafka_queue_t *queue = NULL;
	rd_kafka_AdminOptions_t *options = NULL;
	rd_kafka_event_t *ev = NULL;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
	struct outcome *outcomes = NULL;
	size_t n_outcomes = 0;
	void **objects = kdr_calloc(n, sizeof(*objects));
	struct pending *sent = kdr_calloc(n, sizeof(*sent));
	size_t n_sent = 0;

	snprintf(prefix, sizeof(prefix), "%s request: ", request_name(kind));
	for (size_t i = 0; i < n; i++) {
		void *object = build_object(&results[batch[i].action], conn, &plan->actions[batch[i].action]);

		if (object) {
			objects[n_sent] = object;
			sent[n_sent++] = batch[i];
		}
	}
	if (n_sent == 0)
		goto cleanup;

	options = kdr_kafka_admin_options(conn, admin_op(kind), conn->validate_only && kind != KDR_ACTION_DELETE_TOPIC);
	if (!options) {
		for (size_t i = 0; i < n_sent; i++)
			kdr_kafka_result_fail_local(&results[sent[i].action], conn, sent[i].topic, KDR_EINVALID,
						    kdr_error_message());
		goto cleanup;
	}
	queue = rd_kafka_queue_new(conn->rk);
	send_request(conn, kind, objects, n_sent, options, queue);
	ev = kdr_kafka_wait_event(conn, queue, kdr_kafka_admin_deadline(conn));
	if (!ev) {
		for (size_t i = 0; i < n_sent; i++)
			kdr_kafka_result_fail(&results[sent[i].action], conn, sent[i].topic, prefix,
					      RD_KAFKA_RESP_ERR__TIMED_OUT, "no answer in time");
		goto cleanup;
	}
	if ((err = rd_kafka_event_error(ev))) {
		/* The whole request failed (timeout, no controller, ...): so did each action in it. */
		for (size_t i = 0; i < n_sent; i++)
			kdr_kafka_result_fail(&results[sent[i].action], conn, sent[i].topic, prefix, err,
					      rd_kafka_event_error_string(ev));
		goto cleanup;
	}

	outcomes = extract_outcomes(&n_outcomes, kind, ev);
	qsort(sent, n_sent, sizeof(*sent), compare_pending);
	for (size_t o = 0; o < n_outcomes; o++) {
		struct pending key = {0, outcomes[o].topic};
		struct pending *match = NULL;
		struct kdr_action_result *result = NULL;

		if (!outcomes[o].topic)
			continue;
		/* Topics are unique within a batch, so the topic alone finds the action. */
		for (size_t lo = 0, hi = n_sent; lo < hi && !match;) {
			size_t mid = lo + (hi - lo) / 2;
			int cmp = strcmp(sent[mid].topic, key.topic);

			if (cmp == 0)
				match = &sent[mid];
			else if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!match)
			continue;
		result = &results[match->action];
		if (outcomes[o].err)
			kdr_kafka_result_fail(result, conn, match->topic, NULL, outcomes[o].err, outcomes[o].errstr);
		else {
			kdr_action_result_release(result);
			result->attempted = true;
			result->code = 0;
		}
	}
	for (size_t i = 0; i < n_sent; i++)
		if (!results[sent[i].action].attempted)
			kdr_kafka_result_fail_local(&results[sent[i].action], conn, sent[i].topic, KDR_EINVALID,
						    "the broker's answer has no result for this topic");

cleanup:
	for (size_t i = 0; i < n_sent; i++)
		destroy_object(kind, objects[i]);
	free(objects);
	free(sent);
	free(outcomes);
	if (ev)
		rd_kafka_event_destroy(ev);
	if (options)
		rd_kafka_AdminOptions_destroy(options);
	if (queue)
		rd_kafka_queue_destroy(queue);
}

/* All actions of one kind for this cluster, in as few requests as the size limit allows. */
static void apply_kind(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
		       enum kdr_action_kind kind)
{
	struct pending *batch = kdr_calloc(plan->n_actions + 1, sizeof(*batch));
	size_t n = 0, unique = 0, start = 0, bytes = 0;

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
			kdr_kafka_result_fail_local(&results[i], conn, "", KDR_EINVALID, "action without a topic");
			continue;
		}
		batch[n].action = i;
		batch[n].topic = action->resource;
		n++;
	}
	/* librdkafka refuses a whole call that names a topic twice: the later duplicates fail alone. */
	qsort(batch, n, sizeof(*batch), compare_pending);
	for (size_t i = 0; i < n; i++) {
		if (unique > 0 && strcmp(batch[unique - 1].topic, batch[i].topic) == 0) {
			kdr_kafka_result_fail_local(&results[batch[i].action], conn, batch[i].topic, KDR_EINVALID,
						    "the plan has this action twice; sent once");
			continue;
		}
		batch[unique++] = batch[i];
	}
	qsort(batch, unique, sizeof(*batch), compare_pending_action);
	for (size_t i = 0; i < unique; i++) {
		size_t size = estimate_bytes(&plan->actions[batch[i].action]);

		if (i > start && bytes + size > KDR_KAFKA_MAX_REQUEST_BYTES) {
			run_batch(results, conn, plan, kind, batch + start, i - start);
			start = i;
			bytes = 0;
		}
		bytes += size;
	}
	if (unique > start)
		run_batch(results, conn, plan, kind, batch + start, unique - start);
	free(batch);
}

int kdr_kafka_conn_apply(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan)
{
	static const enum kdr_action_kind order[] = {
	    KDR_ACTION_CREATE_TOPIC,
	    KDR_ACTION_ADD_PARTITIONS,
	    KDR_ACTION_ALTER_CONFIGS,
	    KDR_ACTION_DELETE_TOPIC,
	};
	size_t mine = 0, failed = 0, first = 0;
	int error = 0;

	for (size_t i = 0; i < plan->n_actions; i++) {
		memset(&results[i], 0, sizeof(results[i]));
		if (is_mine(&plan->actions[i], conn))
			mine++;
	}
	if (mine == 0)
		return 0;

	error = kdr_kafka_conn_wait(conn);
	if (error) {
		/* Nothing can be sent: every action of this cluster fails with the reason. */
		for (size_t i = 0; i < plan->n_actions; i++) {
			if (!is_mine(&plan->actions[i], conn))
				continue;
			results[i].attempted = true;
			results[i].code = error;
			results[i].error_name = conn->last_err ? kdr_strdup(rd_kafka_err2name(conn->last_err)) : NULL;
			results[i].message = kdr_strdup(kdr_error_message());
		}
		return error;
	}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		apply_kind(results, conn, plan, order[k]);

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
