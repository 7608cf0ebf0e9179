/*
 * Reassignment proposals for what the admin API cannot do (RF changes and
 * placement repairs), as kafka-reassign-partitions.sh reads them:
 *   {"version": 1, "partitions": [
 *     {"topic": "orders", "partition": 0, "replicas": [1, 2, 3], "log_dirs": ["any", "any", "any"]}
 *   ]}
 * The target comes from pkg/placement (the policy's strategy over the live
 * brokers), then each partition keeps as many of its current replicas (and its
 * current leader) as it can while still passing the placement check, so that
 * the least data moves. Only partitions whose replica list changes are listed.
 */
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/json_write.h"

char *kdr_plan__reassignment_format(const char *topic, const struct kdr_assignment *target,
				    const struct kdr_assignment *current)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	struct kdr_json_w w;

	kdr_json_w_init(&w, &buf);
	kdr_json_w_open(&w, NULL, '{', true);
	kdr_json_w_int(&w, "version", 1);
	/* One partition a line, as kafka-reassign-partitions.sh --generate prints them. */
	kdr_json_w_open_lines(&w, "partitions", '[');
	for (size_t p = 0; p < target->n; p++) {
		const struct kdr_replica_list *list = &target->partitions[p];

		if (current && p < current->n && current->partitions[p].n == list->n &&
		    (!list->n || memcmp(current->partitions[p].ids, list->ids, list->n * sizeof(*list->ids)) == 0))
			continue;
		kdr_json_w_open(&w, NULL, '{', true);
		kdr_json_w_string(&w, "topic", topic);
		kdr_json_w_int(&w, "partition", (long long)p);
		kdr_json_w_open(&w, "replicas", '[', true);
		for (size_t r = 0; r < list->n; r++)
			kdr_json_w_int(&w, NULL, list->ids[r]);
		kdr_json_w_close(&w, ']');
		kdr_json_w_open(&w, "log_dirs", '[', true);
		for (size_t r = 0; r < list->n; r++)
			kdr_json_w_string(&w, NULL, "any");
		kdr_json_w_close(&w, ']');
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	kdr_json_w_close(&w, '}');
	kdr_json_w_release(&w);
	kdr_buf_putc(&buf, '\n');
	return kdr_buf_detach(&buf);
}

static bool contains(const struct kdr_replica_list *list, int32_t id)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->ids[i] == id)
			return true;
	return false;
}

static bool is_broker(const struct kdr_placement_request *req, int32_t id)
{
	for (size_t i = 0; i < req->n_brokers; i++)
		if (req->brokers[i].id == id)
			return true;
	return false;
}

/* Whether one replica list passes the strategy's per-partition rules. */
static bool passes(const struct kdr_placement_request *single, struct kdr_replica_list *list)
{
	struct kdr_assignment one = {list, 1};
	struct kdr_placement_violations violations = {NULL, 0, 0};
	bool ok = kdr_placement_check(&violations, single, &one) == 0 && violations.n == 0;

	kdr_placement_violations_release(&violations);
	return ok;
}

static size_t count_violations(const struct kdr_placement_request *req, const struct kdr_assignment *assignment)
{
	struct kdr_placement_violations violations = {NULL, 0, 0};
	size_t n = SIZE_MAX;

	if (kdr_placement_check(&violations, req, assignment) == 0)
		n = violations.n;
	kdr_placement_violations_release(&violations);
	return n;
}

/* Moves the target of partition `p` towards `current` while it stays valid. */
static void keep_current(struct kdr_replica_list *cand, const struct kdr_replica_list *current,
			 const struct kdr_placement_request *single)
{
	struct kdr_replica_list ordered = {NULL, 0};
	size_t k = 0;

	for (size_t s = 0; s < current->n; s++) {
		int32_t id = current->ids[s];

		if (contains(cand, id) || !is_broker(single, id))
			continue;
		for (size_t j = 0; j < cand->n; j++) {
			int32_t old = cand->ids[j];

			if (contains(current, old))
				continue;
			cand->ids[j] = id;
			if (passes(single, cand))
				break;
			cand->ids[j] = old;
		}
	}
	/* Kept replicas in their current order (the current leader stays first), new ones after. */
	ordered.n = cand->n;
	ordered.ids = kdr_calloc(cand->n + 1, sizeof(*ordered.ids));
	for (size_t s = 0; s < current->n; s++)
		if (contains(cand, current->ids[s]) &&
		    !contains(&(struct kdr_replica_list){ordered.ids, k}, current->ids[s]))
			ordered.ids[k++] = current->ids[s];
	for (size_t j = 0; j < cand->n; j++)
		if (!contains(current, cand->ids[j]))
			ordered.ids[k++] = cand->ids[j];
	if (k == cand->n && passes(single, &ordered))
		memcpy(cand->ids, ordered.ids, cand->n * sizeof(*cand->ids));
	free(ordered.ids);
}

char *kdr_plan__reassignment_json(char **why, const struct plan_cluster *pc, const struct plan_topic *pt,
				  const struct kdr_live_topic *topic)
{
	struct kdr_placement_request req, single;
	struct kdr_assignment current = {NULL, 0}, target = {NULL, 0}, fresh = {NULL, 0};
	struct kdr_placement_broker *brokers = kdr_plan__brokers_without(pc, topic);
	const struct kdr_assignment *fixed = NULL;
	char *json = NULL;

	*why = NULL;
	kdr_plan__live_assignment(&current, topic);
	memset(&req, 0, sizeof(req));
	req.topic = pt->name;
	req.brokers = brokers;
	req.n_brokers = pc->n_brokers;
	req.replication_factor = (size_t)pt->replication_factor;
	req.strategy = kdr_plan__topic_strategy(pc, pt, &fixed);
	req.preferred_leader_datacenter = pt->policy->preferred_leader_datacenter;
	req.partitions = topic->n_partitions;
	if (req.strategy == KDR_PLACEMENT_STATIC) {
		/* The policy spells the target out. */
		if (!fixed || fixed->n < topic->n_partitions) {
			*why = kdr_asprintf("the static assignment does not cover partitions 0..%zu",
					    topic->n_partitions - 1);
			goto cleanup;
		}
		req.static_assignment = fixed;
		kdr_assignment_copy(&target, fixed);
		for (size_t p = topic->n_partitions; p < target.n; p++)
			kdr_replica_list_release(&target.partitions[p]);
		target.n = topic->n_partitions;
	} else {
		if (kdr_placement_assign(&target, &req) != 0) {
			*why = kdr_strdup(kdr_error_message());
			goto cleanup;
		}
		kdr_assignment_copy(&fresh, &target);
		single = req;
		single.partitions = 1;
		for (size_t p = 0; p < target.n; p++)
			keep_current(&target.partitions[p], &current.partitions[p], &single);
		/* Per-partition repairs must not break a whole-topic rule the fresh assignment met. */
		if (count_violations(&req, &target) > count_violations(&req, &fresh)) {
			kdr_assignment_release(&target);
			target = fresh;
			fresh.partitions = NULL;
			fresh.n = 0;
		}
	}
	json = kdr_plan__reassignment_format(pt->name, &target, &current);
	if (strstr(json, "\"partitions\": []")) {
		free(json);
		json = NULL;
		*why = kdr_strdup("no reassignment of the live brokers satisfies the policy");
	}
cleanup:
	free(current.partitions); /* a view */
	kdr_assignment_release(&target);
	kdr_assignment_release(&fresh);
	free(brokers);
	return json;
}
