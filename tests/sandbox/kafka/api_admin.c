/*
 * Topic administration: CreateTopics v0-4, DeleteTopics v0-3,
 * CreatePartitions v0-1, with the checks and error codes of Kafka's
 * controller (ReplicationControlManager) in its order: NOT_CONTROLLER off
 * the controller; INVALID_REQUEST for duplicates or an assignment combined
 * with a partition count or replication factor; INVALID_TOPIC_EXCEPTION;
 * TOPIC_ALREADY_EXISTS; INVALID_PARTITIONS; INVALID_REPLICATION_FACTOR;
 * INVALID_REPLICA_ASSIGNMENT; INVALID_CONFIG; POLICY_VIOLATION. Without an
 * assignment, replicas are placed by Kafka's AdminUtils algorithm over the
 * live brokers (placement_kafka.c). validate_only runs every check and
 * changes nothing.
 */
#include "sandbox_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

/* A safety cap of the sandbox (memory), far above what tests and benchmarks use. */
#define MAX_PARTITIONS_PER_TOPIC 100000

static const char *error_message_or_null(int16_t error)
{
	switch (error) {
	case KDR_KAFKA_NOT_CONTROLLER:
		return "This is not the correct controller for this cluster.";
	default:
		return NULL;
	}
}

/* The request-wide verdicts before any per-topic check: controller, injected faults. */
static bool precheck(struct kdr_sandbox_request *req, const char *topic, struct kdr_sandbox_result *res)
{
	struct kdr_sandbox_broker *controller = kdr_sandbox_cluster_controller(req->cluster);
	int16_t fault = 0;

	if (controller != req->broker) {
		kdr_sandbox_result_set(res, KDR_KAFKA_NOT_CONTROLLER, "%s",
				       error_message_or_null(KDR_KAFKA_NOT_CONTROLLER));
		return false;
	}
	if (req->injected) {
		kdr_sandbox_result_set(res, req->injected, "injected by the sandbox");
		return false;
	}
	fault = kdr_sandbox_fault_take(req->cluster, req->api_key, topic);
	if (fault) {
		kdr_sandbox_result_set(res, fault, "injected by the sandbox");
		return false;
	}
	return true;
}

static int32_t broker_int_config(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker, const char *name)
{
	char *v = kdr_sandbox_broker_config_value(cl, broker, name);
	int32_t n = v ? (int32_t)strtol(v, NULL, 10) : 0;

	free(v);
	return n;
}

static size_t live_placement_brokers(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_placement_broker *out)
{
	size_t n = 0;

	for (size_t i = 0; i < cl->n_brokers; i++) {
		if (!cl->brokers[i].up)
			continue;
		out[n].id = cl->brokers[i].id;
		out[n].rack = cl->brokers[i].rack;
		n++;
	}
	return n;
}

/* Places `n_partitions` x `rf` replicas for a new topic; returns a Kafka error code. */
static int16_t place_new_topic(struct kdr_sandbox_cluster *cl, const char *name, int32_t n_partitions, int32_t rf,
			       int32_t **out, struct kdr_sandbox_result *res)
{
	struct kdr_sandbox_placement_broker *brokers = kdr_calloc(cl->n_brokers, sizeof(*brokers));
	size_t n = live_placement_brokers(cl, brokers);
	const char *why = NULL;
	int rc = 0;

	*out = NULL;
	if (rf > (int32_t)n) {
		free(brokers);
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REPLICATION_FACTOR,
				       "Replication factor: %d larger than available brokers: %zu.", rf, n);
		return res->error;
	}
	*out = kdr_calloc((size_t)n_partitions * (size_t)rf, sizeof(int32_t));
	rc = kdr_sandbox_place_replicas(*out, brokers, n, n_partitions, rf, -1, 0, kdr_hash64_str(name), &why);
	free(brokers);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		kdr_sandbox_result_set(res, (int16_t)rc, "%s", why);
		return res->error;
	}
	return KDR_KAFKA_NONE;
}

/*
 * ReplicationControlManager.validateManualPartitionAssignment for one
 * partition's replica list.
 */
static bool check_replicas(struct kdr_sandbox_cluster *cl, const int32_t *ids, size_t n, size_t expected_rf,
			   int32_t partition, struct kdr_sandbox_result *res)
{
	bool any_live = false;

	if (n == 0) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT,
				       "The manual partition assignment includes an empty "
				       "replica list.");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!kdr_sandbox_cluster_broker(cl, ids[i])) {
			kdr_sandbox_result_set(
			    res, KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT,
			    "The manual partition assignment includes broker %d, but no such broker is registered.",
			    ids[i]);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (ids[j] == ids[i]) {
				kdr_sandbox_result_set(
				    res, KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT,
				    "The manual partition assignment includes the broker %d more than once.", ids[i]);
				return false;
			}
		}
		any_live = any_live || kdr_sandbox_broker_is_live(cl, ids[i]);
	}
	if (expected_rf && n != expected_rf) {
		kdr_sandbox_result_set(
		    res, KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT,
		    "The manual partition assignment includes a partition with %zu replica(s), but this is not "
		    "consistent with previous partitions, which have %zu replica(s).",
		    n, expected_rf);
		return false;
	}
	if (!any_live) {
		kdr_sandbox_result_set(
		    res, KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT,
		    "All brokers specified in the manual partition assignment for partition %d are fenced or in "
		    "controlled shutdown.",
		    partition);
		return false;
	}
	return true;
}

int16_t kdr_sandbox_create_placed_topic(struct kdr_sandbox_cluster *cl, const char *name, int32_t partitions,
					int32_t rf, bool internal)
{
	struct kdr_sandbox_result res = {0, NULL};
	struct kdr_sandbox_topic *topic = NULL;
	int32_t *assignment = NULL;
	int16_t error = 0;

	if (kdr_sandbox_topic_collision(cl, name)) {
		error = KDR_KAFKA_INVALID_TOPIC_EXCEPTION;
	} else {
		error = place_new_topic(cl, name, partitions, rf, &assignment, &res);
		if (error == KDR_KAFKA_NONE) {
			topic = kdr_sandbox_topic_new(cl, name, assignment, (size_t)partitions, (size_t)rf);
			topic->internal = internal;
			kdr_sandbox_topic_insert(cl, topic);
		}
	}
	free(assignment);
	kdr_sandbox_result_release(&res);
	return error;
}

int16_t kdr_sandbox_auto_create_topic(struct kdr_sandbox_cluster *cl, const char *name)
{
	return kdr_sandbox_create_placed_topic(cl, name, broker_int_config(cl, NULL, "num.partitions"),
					       broker_int_config(cl, NULL, "default.replication.factor"), false);
}

struct creatable {
	const char *name;
	int32_t num_partitions;
	int16_t rf;
	int32_t n_assignments;
	int32_t *indexes;
	int32_t **brokers;
	int32_t *n_brokers;
	int32_t n_configs;
	const char **config_names;
	const char **config_values;
};

static void parse_creatable(struct kdr_sandbox_request *req, struct creatable *t)
{
	struct kdr_sandbox_reader *r = &req->r;

	t->name = kdr_sandbox_read_string(r, &req->arena, false);
	t->num_partitions = kdr_sandbox_read_i32(r);
	t->rf = kdr_sandbox_read_i16(r);
	t->n_assignments = kdr_sandbox_read_array_len(r, false, 8);
	if (t->n_assignments > 0) {
		t->indexes = kdr_sandbox_arena_alloc(&req->arena, (size_t)t->n_assignments * sizeof(int32_t));
		t->brokers = kdr_sandbox_arena_alloc(&req->arena, (size_t)t->n_assignments * sizeof(int32_t *));
		t->n_brokers = kdr_sandbox_arena_alloc(&req->arena, (size_t)t->n_assignments * sizeof(int32_t));
	}
	for (int32_t a = 0; a < t->n_assignments; a++) {
		t->indexes[a] = kdr_sandbox_read_i32(r);
		t->n_brokers[a] = kdr_sandbox_read_array_len(r, false, 4);
		t->brokers[a] = kdr_sandbox_arena_alloc(&req->arena, (size_t)(t->n_brokers[a] + 1) * sizeof(int32_t));
		for (int32_t b = 0; b < t->n_brokers[a]; b++)
			t->brokers[a][b] = kdr_sandbox_read_i32(r);
	}
	t->n_configs = kdr_sandbox_read_array_len(r, false, 4);
	if (t->n_configs > 0) {
		t->config_names = kdr_sandbox_arena_alloc(&req->arena, (size_t)t->n_configs * sizeof(char *));
		t->config_values = kdr_sandbox_arena_alloc(&req->arena, (size_t)t->n_configs * sizeof(char *));
	}
	for (int32_t c = 0; c < t->n_configs; c++) {
		t->config_names[c] = kdr_sandbox_read_string(r, &req->arena, false);
		t->config_values[c] = kdr_sandbox_read_string(r, &req->arena, true);
	}
}

/* The manual assignment as a dense partition-major array, or NULL with `res` set. */
static int32_t *manual_assignment(struct kdr_sandbox_cluster *cl, const struct creatable *t, size_t *rf,
				  struct kdr_sandbox_result *res)
{
	int32_t n = t->n_assignments;
	int32_t *dense = NULL;
	const int32_t **by_index = kdr_calloc((size_t)n, sizeof(*by_index));
	size_t *sizes = kdr_calloc((size_t)n, sizeof(*sizes));

	*rf = 0;
	for (int32_t a = 0; a < n; a++) {
		int32_t index = t->indexes[a];

		if (index < 0 || index >= n || by_index[index]) {
			kdr_sandbox_result_set(
			    res, KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT,
			    index >= 0 && index < n && by_index[index]
				? "Found multiple manual partition assignments for partition %d"
				: "Partitions should be numbered consecutively starting at 0; found partition %d",
			    index);
			goto cleanup;
		}
		by_index[index] = t->brokers[a];
		sizes[index] = (size_t)t->n_brokers[a];
	}
	for (int32_t p = 0; p < n; p++) {
		if (!check_replicas(cl, by_index[p], sizes[p], *rf, p, res))
			goto cleanup;
		*rf = sizes[p];
	}
	dense = kdr_calloc((size_t)n * *rf, sizeof(int32_t));
	for (int32_t p = 0; p < n; p++)
		memcpy(&dense[(size_t)p * *rf], by_index[p], *rf * sizeof(int32_t));
cleanup:
	free(by_index);
	free(sizes);
	return dense;
}

static int call_policy(struct kdr_sandbox_cluster *cl, const struct creatable *t, int32_t partitions, size_t rf,
		       const int32_t *assignment, bool manual, bool validate_only, struct kdr_sandbox_result *res)
{
	struct kdr_sandbox_topic_request request;
	char message[512] = "";

	if (!cl->policy)
		return 0;
	memset(&request, 0, sizeof(request));
	request.topic = t->name;
	request.num_partitions = partitions;
	request.replication_factor = (int16_t)rf;
	request.assignment = manual ? assignment : NULL;
	request.config_names = t->config_names;
	request.config_values = t->config_values;
	request.n_configs = t->n_configs > 0 ? (size_t)t->n_configs : 0;
	request.validate_only = validate_only;
	if (cl->policy(cl->policy_arg, &request, message, sizeof(message)) == 0)
		return 0;
	message[sizeof(message) - 1] = '\0';
	kdr_sandbox_result_set(res, KDR_KAFKA_POLICY_VIOLATION, "%s",
			       message[0] ? message : "Rejected by the create topic policy.");
	return -1;
}

static void create_one(struct kdr_sandbox_request *req, const struct creatable *t, bool duplicate, bool validate_only,
		       struct kdr_sandbox_result *res)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_strmap configs = KDR_STRMAP_INIT;
	struct kdr_sandbox_topic *collides = NULL;
	struct kdr_buf msg = KDR_BUF_INIT;
	int32_t *assignment = NULL;
	const char *why = NULL;
	int32_t partitions = t->num_partitions;
	size_t rf = 0;
	bool manual = t->n_assignments > 0;

	if (!precheck(req, t->name, res))
		goto cleanup;
	if (duplicate) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Duplicate topic name.");
		goto cleanup;
	}
	if (!kdr_sandbox_topic_name_valid(t->name, &why)) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_TOPIC_EXCEPTION, "%s", why);
		goto cleanup;
	}
	if (strcmp(t->name, "__cluster_metadata") == 0) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST,
				       "Creation of internal topic __cluster_metadata is prohibited.");
		goto cleanup;
	}
	if (kdr_sandbox_topic_find(cl, t->name)) {
		kdr_sandbox_result_set(res, KDR_KAFKA_TOPIC_ALREADY_EXISTS, "Topic '%s' already exists.", t->name);
		goto cleanup;
	}
	if ((collides = kdr_sandbox_topic_collision(cl, t->name))) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_TOPIC_EXCEPTION,
				       "Topic '%s' collides with existing topic: %s", t->name, collides->name);
		goto cleanup;
	}
	if (manual) {
		if (t->rf != -1) {
			kdr_sandbox_result_set(
			    res, KDR_KAFKA_INVALID_REQUEST,
			    "A manual partition assignment was specified, but replication factor was not set to -1.");
			goto cleanup;
		}
		if (t->num_partitions != -1) {
			kdr_sandbox_result_set(
			    res, KDR_KAFKA_INVALID_REQUEST,
			    "A manual partition assignment was specified, but numPartitions was not set to -1.");
			goto cleanup;
		}
		if (t->n_assignments > MAX_PARTITIONS_PER_TOPIC) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_PARTITIONS,
					       "The sandbox allows at most %d partitions per topic.",
					       MAX_PARTITIONS_PER_TOPIC);
			goto cleanup;
		}
		assignment = manual_assignment(cl, t, &rf, res);
		if (!assignment)
			goto cleanup;
		partitions = t->n_assignments;
	} else {
		int32_t want_rf =
		    t->rf == -1 ? broker_int_config(cl, req->broker, "default.replication.factor") : t->rf;

		if (t->rf < -1 || t->rf == 0) {
			kdr_sandbox_result_set(
			    res, KDR_KAFKA_INVALID_REPLICATION_FACTOR,
			    "Replication factor must be larger than 0, or -1 to use the default value.");
			goto cleanup;
		}
		if (t->num_partitions < -1 || t->num_partitions == 0) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_PARTITIONS,
					       "Number of partitions was set to an invalid non-positive value.");
			goto cleanup;
		}
		if (partitions == -1)
			partitions = broker_int_config(cl, req->broker, "num.partitions");
		if (partitions > MAX_PARTITIONS_PER_TOPIC) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_PARTITIONS,
					       "The sandbox allows at most %d partitions per topic.",
					       MAX_PARTITIONS_PER_TOPIC);
			goto cleanup;
		}
		if (place_new_topic(cl, t->name, partitions, want_rf, &assignment, res) != KDR_KAFKA_NONE)
			goto cleanup;
		rf = (size_t)want_rf;
	}
	for (int32_t c = 0; c < t->n_configs; c++) {
		if (!t->config_values[c]) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_CONFIG,
					       "Null value not supported for topic configs: %s", t->config_names[c]);
			goto cleanup;
		}
		kdr_strmap_set(&configs, t->config_names[c], t->config_values[c]);
	}
	if (kdr_sandbox_topic_configs_validate(cl, &configs, NULL, &msg) != 0) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_CONFIG, "%s", msg.ptr);
		goto cleanup;
	}
	if (call_policy(cl, t, partitions, rf, assignment, manual, validate_only, res) != 0)
		goto cleanup;
	if (!validate_only) {
		struct kdr_sandbox_topic *topic =
		    kdr_sandbox_topic_new(cl, t->name, assignment, (size_t)partitions, rf);

		kdr_strmap_copy(&topic->configs, &configs);
		kdr_sandbox_topic_insert(cl, topic);
	}
	kdr_sandbox_result_ok(res);
cleanup:
	free(assignment);
	kdr_strmap_release(&configs);
	kdr_buf_release(&msg);
}

int kdr_sandbox_handle_create_topics(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 14);
	struct creatable *topics = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*topics)) : NULL;
	const char **names = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*names)) : NULL;
	bool *duplicates = NULL;
	bool validate_only = false;

	for (int32_t i = 0; i < n && !r->bad; i++) {
		parse_creatable(req, &topics[i]);
		names[i] = topics[i].name;
	}
	(void)kdr_sandbox_read_i32(r); /* timeout: creation here is immediate */
	if (req->version >= 1)
		validate_only = kdr_sandbox_read_bool(r);
	if (r->bad)
		return -1;

	duplicates = kdr_sandbox_mark_duplicates(&req->arena, names, n);
	if (req->version >= 2)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		struct kdr_sandbox_result res = {0, NULL};

		create_one(req, &topics[i], duplicates[i], validate_only, &res);
		kdr_sandbox_put_string(out, topics[i].name);
		kdr_sandbox_put_i16(out, res.error);
		if (req->version >= 1)
			kdr_sandbox_put_string(out, res.message);
		free(res.message);
	}
	return 0;
}

int kdr_sandbox_handle_delete_topics(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 2);
	const char **names = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*names)) : NULL;
	bool *duplicates = NULL;

	for (int32_t i = 0; i < n; i++)
		names[i] = kdr_sandbox_read_string(r, &req->arena, false);
	(void)kdr_sandbox_read_i32(r); /* timeout: deletion here is immediate */
	if (r->bad)
		return -1;
	duplicates = kdr_sandbox_mark_duplicates(&req->arena, names, n);

	if (req->version >= 1)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		struct kdr_sandbox_result res = {0, NULL};

		if (!precheck(req, names[i], &res)) {
			/* error set */
		} else if (duplicates[i]) {
			res.error = KDR_KAFKA_INVALID_REQUEST;
		} else if (!kdr_sandbox_topic_find(cl, names[i])) {
			res.error = KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
		} else {
			kdr_sandbox_topic_remove(cl, names[i]);
			kdr_sandbox_groups_topic_deleted(cl, names[i]);
			kdr_sandbox_cluster_wake(cl);
		}
		kdr_sandbox_put_string(out, names[i]);
		kdr_sandbox_put_i16(out, res.error);
		free(res.message);
	}
	return 0;
}

struct partitions_request {
	const char *name;
	int32_t count;
	int32_t n_assignments; /* -1: null */
	int32_t **brokers;
	int32_t *n_brokers;
};

static void add_partitions(struct kdr_sandbox_request *req, const struct partitions_request *p, bool duplicate,
			   bool validate_only, struct kdr_sandbox_result *res)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_topic *topic = NULL;
	struct kdr_sandbox_placement_broker *brokers = NULL;
	int32_t *assignment = NULL;
	int32_t current = 0;
	int32_t added = 0;
	size_t rf = 0;

	if (!precheck(req, p->name, res))
		goto cleanup;
	if (duplicate) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REQUEST, "Duplicate topic in request.");
		goto cleanup;
	}
	topic = kdr_sandbox_topic_find(cl, p->name);
	if (!topic) {
		kdr_sandbox_result_set(res, KDR_KAFKA_UNKNOWN_TOPIC_OR_PARTITION, "The topic '%s' does not exist.",
				       p->name);
		goto cleanup;
	}
	current = (int32_t)topic->n_partitions;
	if (p->count == current) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_PARTITIONS, "Topic already has %d partition(s).",
				       current);
		goto cleanup;
	}
	if (p->count < current) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_PARTITIONS,
				       "The topic %s currently has %d partition(s); %d would not be an increase.",
				       p->name, current, p->count);
		goto cleanup;
	}
	if (p->count > MAX_PARTITIONS_PER_TOPIC) {
		kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_PARTITIONS,
				       "The sandbox allows at most %d partitions per topic.", MAX_PARTITIONS_PER_TOPIC);
		goto cleanup;
	}
	added = p->count - current;
	rf = topic->n_partitions ? topic->partitions[0].n_replicas : 1;
	if (p->n_assignments >= 0) {
		if (p->n_assignments != added) {
			kdr_sandbox_result_set(
			    res, KDR_KAFKA_INVALID_REPLICA_ASSIGNMENT,
			    "Attempted to add %d additional partition(s), but only %d assignment(s) were specified.",
			    added, p->n_assignments);
			goto cleanup;
		}
		assignment = kdr_calloc((size_t)added * rf, sizeof(int32_t));
		for (int32_t a = 0; a < added; a++) {
			if (!check_replicas(cl, p->brokers[a], (size_t)p->n_brokers[a], rf, current + a, res))
				goto cleanup;
			memcpy(&assignment[(size_t)a * rf], p->brokers[a], rf * sizeof(int32_t));
		}
	} else {
		size_t n_live = 0;
		int32_t fixed_start = 0;
		const char *why = NULL;
		int rc = 0;

		brokers = kdr_calloc(cl->n_brokers, sizeof(*brokers));
		n_live = live_placement_brokers(cl, brokers);
		if (rf > n_live) {
			kdr_sandbox_result_set(res, KDR_KAFKA_INVALID_REPLICATION_FACTOR,
					       "Replication factor: %zu larger than available brokers: %zu.", rf,
					       n_live);
			goto cleanup;
		}
		/* AdminZkClient.addPartitions: start where partition 0's first replica sits in the id-sorted list. */
		for (size_t i = 0; i < n_live; i++) {
			if (brokers[i].id >= topic->partitions[0].replicas[0]) {
				fixed_start = (int32_t)i;
				break;
			}
		}
		assignment = kdr_calloc((size_t)added * rf, sizeof(int32_t));
		rc = kdr_sandbox_place_replicas(assignment, brokers, n_live, added, (int32_t)rf, fixed_start, current,
						0, &why);
		if (rc != 0) {
			kdr_sandbox_result_set(res, (int16_t)rc, "%s", why);
			goto cleanup;
		}
	}
	if (!validate_only)
		kdr_sandbox_topic_add_partitions(cl, topic, assignment, (size_t)added, rf);
	kdr_sandbox_result_ok(res);
cleanup:
	free(assignment);
	free(brokers);
}

int kdr_sandbox_handle_create_partitions(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 10);
	struct partitions_request *topics =
	    n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*topics)) : NULL;
	const char **names = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*names)) : NULL;
	bool *duplicates = NULL;
	bool validate_only = false;

	for (int32_t i = 0; i < n && !r->bad; i++) {
		struct partitions_request *p = &topics[i];

		p->name = names[i] = kdr_sandbox_read_string(r, &req->arena, false);
		p->count = kdr_sandbox_read_i32(r);
		p->n_assignments = kdr_sandbox_read_array_len(r, true, 4);
		if (p->n_assignments > 0) {
			p->brokers = kdr_sandbox_arena_alloc(&req->arena, (size_t)p->n_assignments * sizeof(int32_t *));
			p->n_brokers = kdr_sandbox_arena_alloc(&req->arena, (size_t)p->n_assignments * sizeof(int32_t));
		}
		for (int32_t a = 0; a < p->n_assignments; a++) {
			p->n_brokers[a] = kdr_sandbox_read_array_len(r, false, 4);
			p->brokers[a] =
			    kdr_sandbox_arena_alloc(&req->arena, (size_t)(p->n_brokers[a] + 1) * sizeof(int32_t));
			for (int32_t b = 0; b < p->n_brokers[a]; b++)
				p->brokers[a][b] = kdr_sandbox_read_i32(r);
		}
	}
	(void)kdr_sandbox_read_i32(r); /* timeout */
	validate_only = kdr_sandbox_read_bool(r);
	if (r->bad)
		return -1;
	duplicates = kdr_sandbox_mark_duplicates(&req->arena, names, n);

	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		struct kdr_sandbox_result res = {0, NULL};

		add_partitions(req, &topics[i], duplicates[i], validate_only, &res);
		kdr_sandbox_put_string(out, topics[i].name);
		kdr_sandbox_put_i16(out, res.error);
		kdr_sandbox_put_string(out, res.message);
		free(res.message);
	}
	return 0;
}
