/*
 * Consumer groups and their offsets (kafka.h, DR operations): read them in
 * batches, commit a group's offsets. librdkafka 2.0.2's group admin API.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"

/* ListConsumerGroupOffsets calls in flight (one group each in librdkafka 2.0.2). */
#define KDR_KAFKA_OFFSETS_WINDOW 8

static int event_failed(struct kdr_kafka_conn *conn, rd_kafka_event_t *ev, const char *what, const char *group)
{
	rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
	char *detail = NULL;
	int code = 0;

	if (!err)
		return 0;
	detail = kdr_kafka__scrub(conn, rd_kafka_event_error_string(ev));
	if (group)
		code = kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': group '%s': %s: %s: %s", conn->cluster,
				     group, what, rd_kafka_err2name(err), detail ? detail : "");
	else
		code = kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': %s: %s: %s", conn->cluster, what,
				     rd_kafka_err2name(err), detail ? detail : "");
	free(detail);
	return code;
}

/* A group's own error in an answer (`gerr`), as event_failed words a request's; returns the code set. */
static int group_failed(struct kdr_kafka_conn *conn, const rd_kafka_error_t *gerr, const char *what, const char *group)
{
	char *detail = kdr_kafka__scrub(conn, rd_kafka_error_string(gerr));
	int code = kdr_error_set(kdr_kafka__error_code(rd_kafka_error_code(gerr)), "cluster '%s': group '%s': %s: %s: %s",
				 conn->cluster, group, what, rd_kafka_error_name(gerr), detail ? detail : "");

	free(detail);
	return code;
}

/* Waits for the one answer of type `type` on `queue` (NULL + error on timeout). */
static rd_kafka_event_t *wait_result(struct kdr_kafka_conn *conn, rd_kafka_queue_t *queue, rd_kafka_event_type_t type,
				     const char *what)
{
	int64_t deadline = kdr_kafka__admin_deadline(conn);

	for (;;) {
		rd_kafka_event_t *ev = kdr_kafka__wait_event(conn, queue, deadline);

		if (!ev) {
			kdr_error_set(KDR_ETIMEOUT, "cluster '%s': %s: no answer within %d ms", conn->cluster, what,
				      conn->timeout_ms);
			return NULL;
		}
		if (rd_kafka_event_type(ev) == type)
			return ev;
		rd_kafka_event_destroy(ev);
	}
}

/*
 * Lists and describes every group with rd_kafka_list_groups: per broker one
 * ListGroups and one DescribeGroups for all of that broker's groups (the
 * newer DescribeConsumerGroups of librdkafka 2.0.2 sends a FindCoordinator
 * and a DescribeGroups per group). It also gives the real protocol type.
 */
static int list_describe(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn)
{
	const struct rd_kafka_group_list *list = NULL;
	rd_kafka_resp_err_t err = rd_kafka_list_groups(conn->rk, NULL, &list, conn->timeout_ms);
	int error = 0;

	if (err == RD_KAFKA_RESP_ERR__PARTIAL) {
		/* Some broker did not answer: the list would be half the truth. */
		rd_kafka_group_list_destroy(list);
		return kdr_error_set(KDR_EUNAVAILABLE, "cluster '%s': list groups: not every broker answered within %d ms",
				     conn->cluster, conn->timeout_ms);
	}
	if (err)
		return kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': list groups: %s: %s", conn->cluster,
				     rd_kafka_err2name(err), rd_kafka_err2str(err));
	for (int i = 0; i < list->group_cnt && !error; i++) {
		const struct rd_kafka_group_info *info = &list->groups[i];
		struct kdr_live_group *group = NULL;

		if (info->err) {
			error = kdr_error_set(kdr_kafka__error_code(info->err),
					      "cluster '%s': group '%s': describe: %s: %s", conn->cluster, info->group,
					      rd_kafka_err2name(info->err), rd_kafka_err2str(info->err));
			break;
		}
		group = kdr_live_cluster_add_group(out, info->group);
		free(group->state);
		group->state = kdr_strdup(info->state && *info->state ? info->state : "Unknown");
		free(group->protocol_type);
		group->protocol_type = kdr_strdup(info->protocol_type ? info->protocol_type : "");
		group->n_members = info->member_cnt;
	}
	rd_kafka_group_list_destroy(list);
	return error;
}

static void send_offsets(struct kdr_kafka_conn *conn, rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *queue,
			 const struct kdr_live_cluster *out, size_t i)
{
	rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(out->groups[i].id, NULL);

	rd_kafka_AdminOptions_set_opaque(options, (void *)(uintptr_t)(i + 1));
	rd_kafka_ListConsumerGroupOffsets(conn->rk, &req, 1, options, queue);
	rd_kafka_ListConsumerGroupOffsets_destroy(req);
}

static int fold_offsets(struct kdr_live_group *group, struct kdr_kafka_conn *conn, rd_kafka_event_t *ev)
{
	const rd_kafka_group_result_t **results = NULL;
	size_t n = 0;
	int error = event_failed(conn, ev, "list offsets", group->id);

	if (error)
		return error;
	results = rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
	for (size_t r = 0; r < n; r++) {
		const rd_kafka_error_t *gerr = rd_kafka_group_result_error(results[r]);
		const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(results[r]);

		if (gerr)
			return group_failed(conn, gerr, "list offsets", group->id);
		for (int p = 0; parts && p < parts->cnt; p++) {
			const rd_kafka_topic_partition_t *tp = &parts->elems[p];
			char *metadata = NULL;

			if (tp->err || tp->offset < 0)
				continue; /* nothing committed there */
			if (tp->metadata && tp->metadata_size)
				metadata = kdr_strndup(tp->metadata, tp->metadata_size);
			kdr_live_group_add_offset(group, tp->topic, tp->partition, tp->offset, metadata);
			free(metadata);
		}
	}
	return 0;
}

static int read_offsets(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn, rd_kafka_queue_t *queue)
{
	rd_kafka_AdminOptions_t *options = NULL;
	rd_kafka_event_t *ev = NULL;
	size_t sent = 0, answered = 0;
	bool *done = NULL;
	int error = 0;

	if (!out->n_groups)
		return 0;
	options = kdr_kafka__admin_options(conn, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, false);
	if (!options)
		return kdr_error_last();
	done = kdr_calloc(out->n_groups, sizeof(*done));
	for (; sent < out->n_groups && sent < KDR_KAFKA_OFFSETS_WINDOW; sent++)
		send_offsets(conn, options, queue, out, sent);
	while (answered < out->n_groups) {
		size_t call = 0;

		ev = wait_result(conn, queue, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, "list group offsets");
		if (!ev) {
			error = kdr_error_last();
			goto cleanup;
		}
		call = (size_t)(uintptr_t)rd_kafka_event_opaque(ev);
		if (call < 1 || call > out->n_groups || done[call - 1]) {
			rd_kafka_event_destroy(ev);
			ev = NULL;
			continue;
		}
		done[call - 1] = true;
		answered++;
		error = fold_offsets(&out->groups[call - 1], conn, ev);
		rd_kafka_event_destroy(ev);
		ev = NULL;
		if (error)
			goto cleanup;
		if (sent < out->n_groups)
			send_offsets(conn, options, queue, out, sent++);
	}
cleanup:
	if (ev)
		rd_kafka_event_destroy(ev);
	free(done);
	rd_kafka_AdminOptions_destroy(options);
	return error;
}

int kdr_kafka_conn_read_groups(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn, bool offsets)
{
	rd_kafka_queue_t *queue = NULL;
	int error = kdr_kafka__conn_wait(conn);

	if (error)
		return error;
	queue = rd_kafka_queue_new(conn->rk);
	if (!(error = list_describe(out, conn)) && offsets)
		error = read_offsets(out, conn, queue);
	rd_kafka_queue_destroy(queue);
	if (error) {
		kdr_live_cluster_groups_release(out);
		return error;
	}
	out->groups_read = true;
	out->group_offsets_read = offsets;
	kdr_live_cluster_sort(out);
	return 0;
}

/* The group coordinator is moving or loading: a client finds it again and retries. */
static bool coordinator_error(rd_kafka_resp_err_t err)
{
	return err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR || err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
	       err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE || err == RD_KAFKA_RESP_ERR__WAIT_COORD;
}

/*
 * One AlterConsumerGroupOffsets. *coordinator is set when it failed and every
 * error in the answer (group-level or per partition) was a coordinator error.
 */
static int commit_once(struct kdr_kafka_conn *conn, const char *group, struct kdr_kafka_group_commit *offsets, size_t n,
		       bool *coordinator)
{
	rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new((int)(n ? n : 1));
	rd_kafka_AlterConsumerGroupOffsets_t *req = NULL;
	struct kdr_kafka__admin_call call = { 0 };
	const rd_kafka_group_result_t **results = NULL;
	size_t n_results = 0;
	int error = 0;

	for (size_t i = 0; i < n; i++) {
		rd_kafka_topic_partition_t *tp =
			rd_kafka_topic_partition_list_add(parts, offsets[i].topic, offsets[i].partition);

		tp->offset = offsets[i].offset;
		if (offsets[i].metadata && *offsets[i].metadata) {
			tp->metadata_size = strlen(offsets[i].metadata);
			tp->metadata = kdr_strndup(offsets[i].metadata, tp->metadata_size);
		}
		offsets[i].code = 0;
		offsets[i].message = NULL;
	}
	if ((error = kdr_kafka__conn_wait(conn)))
		goto cleanup;
	call.options = kdr_kafka__admin_options(conn, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, false);
	if (!call.options) {
		error = kdr_error_last();
		goto cleanup;
	}
	call.queue = rd_kafka_queue_new(conn->rk);
	req = rd_kafka_AlterConsumerGroupOffsets_new(group, parts);
	rd_kafka_AlterConsumerGroupOffsets(conn->rk, &req, 1, call.options, call.queue);
	call.ev = wait_result(conn, call.queue, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT, "commit group offsets");
	if (!call.ev) {
		error = kdr_error_last();
		goto cleanup;
	}
	*coordinator = coordinator_error(rd_kafka_event_error(call.ev));
	if ((error = event_failed(conn, call.ev, "commit offsets", group)))
		goto cleanup;
	results = rd_kafka_AlterConsumerGroupOffsets_result_groups(
	    rd_kafka_event_AlterConsumerGroupOffsets_result(call.ev), &n_results);
	for (size_t r = 0; r < n_results; r++) {
		const rd_kafka_error_t *gerr = rd_kafka_group_result_error(results[r]);
		const rd_kafka_topic_partition_list_t *got = rd_kafka_group_result_partitions(results[r]);

		if (gerr) {
			*coordinator = coordinator_error(rd_kafka_error_code(gerr));
			error = group_failed(conn, gerr, "commit offsets", group);
			for (size_t i = 0; i < n; i++)
				offsets[i].code = error;
			goto cleanup;
		}
		for (int p = 0; got && p < got->cnt; p++) {
			const rd_kafka_topic_partition_t *tp = &got->elems[p];

			if (!tp->err)
				continue;
			*coordinator = (!error || *coordinator) && coordinator_error(tp->err);
			for (size_t i = 0; i < n; i++) {
				if (strcmp(offsets[i].topic, tp->topic) != 0 || offsets[i].partition != tp->partition)
					continue;
				offsets[i].code = kdr_kafka__error_code(tp->err);
				offsets[i].message = kdr_asprintf("cluster '%s': group '%s': topic '%s' partition %d: "
								  "commit: %s: %s",
								  conn->cluster, group, tp->topic, (int)tp->partition,
								  rd_kafka_err2name(tp->err), rd_kafka_err2str(tp->err));
				if (!error)
					error = kdr_error_set(offsets[i].code, "%s", offsets[i].message);
			}
		}
	}
cleanup:
	kdr_kafka__admin_call_release(&call);
	if (req)
		rd_kafka_AlterConsumerGroupOffsets_destroy(req);
	rd_kafka_topic_partition_list_destroy(parts);
	return error;
}

int kdr_kafka_conn_commit_group(struct kdr_kafka_conn *conn, const char *group, struct kdr_kafka_group_commit *offsets,
				size_t n)
{
	int64_t start = kdr_clock_mono_ms();
	int64_t deadline = start + (conn->timeout_ms > 0 ? conn->timeout_ms : 30000);
	int64_t remaining = 0;
	int backoff_ms = 100;
	int attempts = 0;
	char *last = NULL;
	int error = 0;

	for (;;) {
		bool coordinator = false;

		attempts++;
		error = commit_once(conn, group, offsets, n, &coordinator);
		if (!error || !coordinator)
			return error;
		remaining = deadline - kdr_clock_mono_ms();
		if (remaining <= 0)
			break;
		usleep((useconds_t)(remaining < backoff_ms ? remaining : backoff_ms) * 1000);
		backoff_ms = backoff_ms < 500 ? backoff_ms * 2 : 1000;
		for (size_t i = 0; i < n; i++) {
			free(offsets[i].message);
			offsets[i].message = NULL;
		}
	}
	last = kdr_strdup(kdr_error_message());
	error = kdr_error_set(error,
			      "cluster '%s': group '%s': commit offsets: the group coordinator was not ready after %d "
			      "attempts in %lld ms (timeout %d ms): %s",
			      conn->cluster, group, attempts, (long long)(kdr_clock_mono_ms() - start),
			      conn->timeout_ms, last);
	free(last);
	return error;
}
