/*
 * Reading a live cluster: one Metadata for all topics (on a client of its
 * own, gone before the configs are asked: read_metadata), then DescribeConfigs
 * for every broker (one call each, as librdkafka 2.0.2 requires, all in
 * flight at once) and for the topics (slices of 32 to 256 topics, at most
 * KDR_KAFKA_DESCRIBE_WINDOW in flight, round robin over the brokers:
 * describe_slices, describe_slice), folded into a
 * kdr_live_cluster, then DescribeAcls (acls.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/sort.h"

static int compare_broker(const void *a, const void *b)
{
	const struct kdr_live_broker *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int compare_topic(const void *a, const void *b)
{
	return strcmp(((const struct kdr_live_topic *)a)->name, ((const struct kdr_live_topic *)b)->name);
}

static int compare_config(const void *a, const void *b)
{
	return strcmp(((const struct kdr_live_config *)a)->name, ((const struct kdr_live_config *)b)->name);
}

static struct kdr_live_topic *find_topic(struct kdr_live_cluster *out, const char *name)
{
	struct kdr_live_topic key = {0};

	key.name = (char *)name;
	return bsearch(&key, out->topics, out->n_topics, sizeof(*out->topics), compare_topic);
}

/* Copies `n` ids to the topic's replica block at *next, which it advances. */
static void copy_replicas(struct kdr_replica_list *out, int32_t **next, const int32_t *ids, int n)
{
	out->n = n > 0 ? (size_t)n : 0;
	out->ids = *next;
	if (out->n)
		memcpy(out->ids, ids, out->n * sizeof(int32_t));
	*next += out->n;
}

static void config_from_entry(struct kdr_live_config *out, const rd_kafka_ConfigEntry_t *entry)
{
	out->name = kdr_strdup(rd_kafka_ConfigEntry_name(entry));
	out->value = kdr_strdup(rd_kafka_ConfigEntry_value(entry));
	/* librdkafka's rd_kafka_ConfigSource_t uses Kafka's numbering, as kdr_config_source does. */
	out->source = (enum kdr_config_source)rd_kafka_ConfigEntry_source(entry);
	out->read_only = rd_kafka_ConfigEntry_is_read_only(entry) != 0;
	out->sensitive = rd_kafka_ConfigEntry_is_sensitive(entry) != 0;
}

static int fill_topic(struct kdr_live_topic *topic, const struct kdr_kafka_conn *conn,
		      const rd_kafka_metadata_topic_t *mt)
{
	int32_t *next = NULL;

	topic->name = kdr_strdup(mt->topic);
	topic->internal = kdr_live_topic_name_is_internal(mt->topic);
	topic->n_partitions = mt->partition_cnt > 0 ? (size_t)mt->partition_cnt : 0;
	topic->partitions = kdr_calloc(topic->n_partitions ? topic->n_partitions : 1, sizeof(*topic->partitions));
	/* Every replica and ISR id of the topic in one block (a topic of 7 partitions: 1 allocation, not 14). */
	for (int i = 0; i < mt->partition_cnt; i++)
		topic->n_replica_ids +=
		    (size_t)(mt->partitions[i].replica_cnt > 0 ? mt->partitions[i].replica_cnt : 0) +
		    (size_t)(mt->partitions[i].isr_cnt > 0 ? mt->partitions[i].isr_cnt : 0);
	topic->replica_ids = kdr_calloc(topic->n_replica_ids ? topic->n_replica_ids : 1, sizeof(*topic->replica_ids));
	next = topic->replica_ids;
	for (size_t i = 0; i < topic->n_partitions; i++)
		topic->partitions[i].id = -1;
	for (int i = 0; i < mt->partition_cnt; i++) {
		const rd_kafka_metadata_partition_t *mp = &mt->partitions[i];
		struct kdr_live_partition *partition = NULL;

		if (mp->id < 0 || (size_t)mp->id >= topic->n_partitions || topic->partitions[mp->id].id != -1)
			return kdr_error_set(KDR_EINVALID,
					     "cluster '%s': topic '%s': metadata: partition ids are not 0..%zu",
					     conn->cluster, mt->topic, topic->n_partitions - 1);
		/* Stored by id, whatever order the broker listed them in. */
		partition = &topic->partitions[mp->id];
		partition->id = mp->id;
		partition->leader = mp->leader;
		copy_replicas(&partition->replicas, &next, mp->replicas, mp->replica_cnt);
		copy_replicas(&partition->isr, &next, mp->isrs, mp->isr_cnt);
	}
	return 0;
}

/* Brokers and topics from Metadata, both sorted. */
static int fill_from_metadata(struct kdr_live_cluster *out, const struct kdr_kafka_conn *conn,
			      const struct rd_kafka_metadata *md)
{
	out->n_brokers = md->broker_cnt > 0 ? (size_t)md->broker_cnt : 0;
	out->brokers = kdr_calloc(out->n_brokers ? out->n_brokers : 1, sizeof(*out->brokers));
	for (size_t i = 0; i < out->n_brokers; i++) {
		out->brokers[i].id = md->brokers[i].id;
		out->brokers[i].host = kdr_strdup(md->brokers[i].host);
		out->brokers[i].port = md->brokers[i].port;
	}
	qsort(out->brokers, out->n_brokers, sizeof(*out->brokers), compare_broker);

	out->topics = kdr_calloc(md->topic_cnt > 0 ? (size_t)md->topic_cnt : 1, sizeof(*out->topics));
	for (int i = 0; i < md->topic_cnt; i++) {
		const rd_kafka_metadata_topic_t *mt = &md->topics[i];
		int error = 0;

		/* Gone between the broker's listing and its answer: not there. */
		if (mt->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
			continue;
		/*
		 * A topic being created answers LEADER_NOT_AVAILABLE: keep it if
		 * its partitions are listed; without them the snapshot would
		 * claim a topic with no partitions, so the read fails
		 * (retriable) and the next cycle sees it whole.
		 */
		if (mt->err && (!kdr_kafka__error_retriable(mt->err) || mt->partition_cnt <= 0))
			return kdr_error_set(kdr_kafka__error_code(mt->err),
					     "cluster '%s': topic '%s': metadata: %s: %s", conn->cluster, mt->topic,
					     rd_kafka_err2name(mt->err), rd_kafka_err2str(mt->err));
		error = fill_topic(&out->topics[out->n_topics], conn, mt);
		out->n_topics++;
		if (error)
			return error;
	}
	qsort(out->topics, out->n_topics, sizeof(*out->topics), compare_topic);
	return 0;
}

/*
 * The effective default of a key, first seen wins (they are the same for
 * every topic). `hint` is where this entry's position found its key for the
 * previous topic: brokers answer every topic's keys in the same order, so
 * one comparison usually settles it instead of a search (450,000 entries
 * for 11,800 topics).
 */
static void add_topic_default(struct kdr_live_cluster *out, size_t *cap, const rd_kafka_ConfigEntry_t *entry,
			      size_t *hint)
{
	const char *name = rd_kafka_ConfigEntry_name(entry);
	long at = 0;

	if (*hint < out->n_topic_defaults && strcmp(out->topic_defaults[*hint].name, name) == 0)
		return;
	at = kdr_sort_locate_named(out->topic_defaults, out->n_topic_defaults, sizeof(*out->topic_defaults), name);
	if (at >= 0) {
		*hint = (size_t)at;
		return;
	}
	*hint = (size_t)(-at - 1);
	out->topic_defaults =
	    kdr_grow_insert(out->topic_defaults, cap, out->n_topic_defaults, sizeof(*out->topic_defaults), *hint);
	config_from_entry(&out->topic_defaults[*hint], entry);
	out->n_topic_defaults++;
}

/* Folds the topics' DescribeConfigs into overrides and defaults; marks vanished topics in `gone`. */
static int fold_topic_configs(struct kdr_live_cluster *out, const struct kdr_kafka_conn *conn, rd_kafka_event_t *ev,
			      bool *gone)
{
	const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
	const rd_kafka_ConfigResource_t **resources = NULL;
	size_t n_resources = 0;
	size_t cap_defaults = out->n_topic_defaults;
	size_t *hints = NULL;
	size_t n_hints = 0;
	int code = 0;

	if (!res)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': describe topic configs: unexpected answer",
				     conn->cluster);
	resources = rd_kafka_DescribeConfigs_result_resources(res, &n_resources);
	for (size_t r = 0; r < n_resources; r++) {
		const char *name = rd_kafka_ConfigResource_name(resources[r]);
		rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(resources[r]);
		struct kdr_live_topic *topic = NULL;
		const rd_kafka_ConfigEntry_t **entries = NULL;
		size_t n_entries = 0;
		size_t n_overrides = 0;
		char *detail = NULL;

		/* The broker resource that routed the slice (describe_slice) is not a topic's. */
		if (rd_kafka_ConfigResource_type(resources[r]) != RD_KAFKA_RESOURCE_TOPIC)
			continue;
		topic = find_topic(out, name);
		if (!topic)
			continue;
		if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
			gone[topic - out->topics] = true;
			continue;
		}
		if (err) {
			/* Without its overrides a topic's next alter-configs would wipe them: no partial snapshot. */
			detail = kdr_kafka__scrub(conn, rd_kafka_ConfigResource_error_string(resources[r]));
			code =
			    kdr_error_set(kdr_kafka__error_code(err),
					  "cluster '%s': topic '%s': describe configs: %s: %s", conn->cluster, name,
					  rd_kafka_err2name(err), detail && *detail ? detail : rd_kafka_err2str(err));
			free(detail);
			goto cleanup;
		}
		entries = rd_kafka_ConfigResource_configs(resources[r], &n_entries);
		if (n_entries > n_hints) {
			/* SIZE_MAX: no hint yet. */
			hints = kdr_realloc(hints, n_entries * sizeof(*hints));
			memset(hints + n_hints, 0xff, (n_entries - n_hints) * sizeof(*hints));
			n_hints = n_entries;
		}
		for (size_t e = 0; e < n_entries; e++)
			if (rd_kafka_ConfigEntry_source(entries[e]) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
				n_overrides++;
		free(topic->configs);
		topic->configs = kdr_calloc(n_overrides ? n_overrides : 1, sizeof(*topic->configs));
		topic->n_configs = 0;
		for (size_t e = 0; e < n_entries; e++) {
			if (rd_kafka_ConfigEntry_source(entries[e]) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
				config_from_entry(&topic->configs[topic->n_configs++], entries[e]);
			else
				add_topic_default(out, &cap_defaults, entries[e], &hints[e]);
		}
		qsort(topic->configs, topic->n_configs, sizeof(*topic->configs), compare_config);
	}
cleanup:
	free(hints);
	return code;
}

static const struct kdr_kafka_broker_memo *memo_find(const struct kdr_kafka_conn *conn, int32_t id)
{
	for (size_t i = 0; i < conn->n_memo; i++)
		if (conn->memo[i].id == id)
			return &conn->memo[i];
	return NULL;
}

/* Remembers what this read learnt of each broker, for a later read during which it is down. */
static void memo_update(struct kdr_kafka_conn *conn, const struct kdr_live_cluster *out)
{
	for (size_t i = 0; i < conn->n_memo; i++)
		free(conn->memo[i].rack);
	free(conn->memo);
	conn->memo = kdr_calloc(out->n_brokers ? out->n_brokers : 1, sizeof(*conn->memo));
	conn->n_memo = out->n_brokers;
	for (size_t i = 0; i < out->n_brokers; i++) {
		conn->memo[i].id = out->brokers[i].id;
		conn->memo[i].rack = kdr_strdup(out->brokers[i].rack);
	}
}

/*
 * A broker's DescribeConfigs: rack and remote storage. When it cannot be
 * described for a passing reason (down between Metadata and now, timed out)
 * the values this connection last read serve; a broker never seen before
 * fails the read, since an unknown rack would silently skew placement.
 */
static int fold_broker(struct kdr_live_broker *broker, bool *remote, struct kdr_live_config *min_isr,
		       int *authorizer, const struct kdr_kafka_conn *conn, rd_kafka_event_t *ev)
{
	const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
	rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
	const char *errstr = err ? rd_kafka_event_error_string(ev) : NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	const rd_kafka_ConfigEntry_t **entries = NULL;
	const struct kdr_kafka_broker_memo *memo = NULL;
	size_t n_resources = 0, n_entries = 0;
	char *detail = NULL;
	int code = 0;

	if (!err && res) {
		resources = rd_kafka_DescribeConfigs_result_resources(res, &n_resources);
		if (n_resources != 1) {
			err = RD_KAFKA_RESP_ERR__BAD_MSG;
			errstr = "expected one resource in the answer";
		} else if ((err = rd_kafka_ConfigResource_error(resources[0]))) {
			errstr = rd_kafka_ConfigResource_error_string(resources[0]);
		}
	}
	if (!err) {
		entries = rd_kafka_ConfigResource_configs(resources[0], &n_entries);
		*remote = false;
		*authorizer = 0;
		for (size_t e = 0; e < n_entries; e++) {
			const char *name = rd_kafka_ConfigEntry_name(entries[e]);
			const char *value = rd_kafka_ConfigEntry_value(entries[e]);

			/* An unset rack is a null value; an empty one is no rack either. */
			if (strcmp(name, "broker.rack") == 0 && value && *value)
				broker->rack = kdr_strdup(value);
			else if (strcmp(name, "remote.log.storage.system.enable") == 0 && value)
				*remote = strcasecmp(value, "true") == 0;
			else if (strcmp(name, "min.insync.replicas") == 0 && value && !min_isr->name)
				config_from_entry(min_isr, entries[e]);
			else if (strcmp(name, "authorizer.class.name") == 0 && value && *value)
				*authorizer = 1;
			if (rd_kafka_ConfigEntry_source(entries[e]) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG)
				kdr_strmap_set(&broker->dynamic_configs, name,
					       rd_kafka_ConfigEntry_is_sensitive(entries[e]) ? NULL : value);
			else if (rd_kafka_ConfigEntry_source(entries[e]) ==
				 RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG)
				kdr_strmap_set(&broker->default_configs, name,
					       rd_kafka_ConfigEntry_is_sensitive(entries[e]) ? NULL : value);
		}
		return 0;
	}
	/* Only when the broker may come back: an authorization failure is not papered over. */
	memo = kdr_kafka__error_retriable(err) ? memo_find(conn, broker->id) : NULL;
	if (memo) {
		broker->rack = kdr_strdup(memo->rack);
		*remote = memo->remote_storage;
		return 0;
	}
	detail = kdr_kafka__scrub(conn, errstr);
	code = kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': broker %d (%s:%d): describe configs: %s: %s",
			     conn->cluster, (int)broker->id, broker->host ? broker->host : "?", (int)broker->port,
			     rd_kafka_err2name(err), detail && *detail ? detail : rd_kafka_err2str(err));
	free(detail);
	return code;
}

/*
 * The topics' DescribeConfigs go in slices of KDR_KAFKA_DESCRIBE_SLICE_MIN
 * to KDR_KAFKA_DESCRIBE_SLICE_MAX topics: 64 equal slices where that fits
 * (fewer for small clusters, one per 32 topics below 2,048; 64 from 2,048 to
 * 16,384 topics), beyond that one per 256 topics. At most
 * KDR_KAFKA_DESCRIBE_WINDOW are in flight, each answer folded and freed
 * before the next slice is sent. Why: librdkafka 2.0.2 always asks with
 * synonyms, parses an answer into some 65 objects per topic (~13 KB), and
 * places each resource of an answer by a linear search over its request's
 * list, so a slice of s topics costs s^2/2 comparisons: the cap keeps that
 * at 128 per topic whatever the topic count (with a fixed 64 slices it grew
 * with N: 13% of a 100,000-topic plan's instructions). Measured for 11,900
 * topics on one cluster: a single request costs 1.4 s of CPU and peaks at
 * ~150 MB; 16 slices cost 0.4 s. The window keeps answers being parsed
 * while the next are on the way and bounds the answers held to 4 x 256
 * topics (~13 MB) per cluster. Its size is a trade measured on 2 shared
 * cores, 2 clusters x 10,000 topics: on real Kafka (3 brokers, each slice
 * ~0.1 s of a broker's time) two in flight to one broker took 6.2-12.9 s a
 * plan, two spread over the brokers 5.4-9.7 s, four spread 4.5-5.7 s; on the
 * sandbox, which answers faster than kdr parses, four cost 64 -> 75 MiB of
 * peak RSS at the same CPU.
 */
#define KDR_KAFKA_DESCRIBE_SLICES 64
#define KDR_KAFKA_DESCRIBE_SLICE_MIN 32
#define KDR_KAFKA_DESCRIBE_SLICE_MAX 256
#define KDR_KAFKA_DESCRIBE_WINDOW 4

static size_t describe_slices(size_t n_topics)
{
	size_t per = (n_topics + KDR_KAFKA_DESCRIBE_SLICES - 1) / KDR_KAFKA_DESCRIBE_SLICES;

	if (per < KDR_KAFKA_DESCRIBE_SLICE_MIN)
		per = KDR_KAFKA_DESCRIBE_SLICE_MIN;
	if (per > KDR_KAFKA_DESCRIBE_SLICE_MAX)
		per = KDR_KAFKA_DESCRIBE_SLICE_MAX;
	return (n_topics + per - 1) / per;
}

/*
 * Sends slice `slice` of `n_slices` of the topics; its opaque is `call`
 * (1-based). `via` >= 0: the slice also names that broker, which routes it
 * there (librdkafka 2.0.2 sends a DescribeConfigs with a BROKER resource to
 * that broker, and any other to one broker of its choice, the same for all:
 * a broker answers one connection's requests one at a time, so the window's
 * requests waited for each other). The broker's own configs come back with
 * the slice and are skipped.
 */
static void describe_slice(struct kdr_kafka_conn *conn, const struct kdr_live_cluster *out,
			   rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *queue, size_t slice, size_t n_slices,
			   size_t call, int32_t via)
{
	size_t from = out->n_topics * slice / n_slices;
	size_t to = out->n_topics * (slice + 1) / n_slices;
	size_t n = to - from;
	rd_kafka_ConfigResource_t **resources = kdr_calloc(n + 2, sizeof(*resources));
	char name[16] = "";

	for (size_t i = from; i < to; i++)
		resources[i - from] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, out->topics[i].name);
	if (via >= 0) {
		snprintf(name, sizeof(name), "%d", (int)via);
		resources[n++] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
	}
	rd_kafka_AdminOptions_set_opaque(options, (void *)(uintptr_t)call);
	/* librdkafka copies the resources and options into the request. */
	rd_kafka_DescribeConfigs(conn->rk, resources, n, options, queue);
	rd_kafka_ConfigResource_destroy_array(resources, n);
	free(resources);
}

/*
 * The broker the next slice goes to: round robin over the brokers whose own
 * DescribeConfigs has answered (up a moment ago), -1 (librdkafka's choice)
 * when none has. `turn` advances per slice sent.
 */
static int32_t slice_broker(const struct kdr_live_cluster *out, const bool *up, size_t *turn)
{
	for (size_t i = 0; i < out->n_brokers; i++) {
		size_t b = (*turn + i) % out->n_brokers;

		if (up[b]) {
			*turn = b + 1;
			return out->brokers[b].id;
		}
	}
	return -1;
}

/*
 * Sends every broker's DescribeConfigs at once and the topics' in slices,
 * and folds the answers as they come. The wait is bounded per answer: each
 * request has its own timeout, and a slice is only sent when one is answered.
 *
 * The slices wait for the first broker to answer and go to brokers that
 * did. librdkafka's choice for a request without a broker resource is the
 * controller named by the last Metadata, and it waits for that broker to be
 * up until the request times out, never asking again; on KRaft that name is
 * a random broker the answering one believes alive (KIP-590), so a broker
 * whose metadata lags names one that has just stopped, and the read failed
 * with _TIMED_OUT while two brokers stood by. Only when every broker's own
 * call failed (each served from memory, fold_broker) is it librdkafka's.
 */
static int describe_all(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(conn->rk);
	rd_kafka_AdminOptions_t *options = NULL;
	rd_kafka_event_t *ev = NULL;
	bool *gone = NULL;
	bool *remote = NULL;
	int *authorizer = NULL; /* per broker: 1 names an authorizer, 0 does not, -1 not told (down) */
	struct kdr_live_config *min_isr = NULL; /* per broker: its min.insync.replicas */
	bool *answered = NULL;
	bool *up = NULL;        /* per broker: its own DescribeConfigs answered */
	int32_t *via = NULL;    /* per slice: the broker it was routed to, -1 none */
	size_t turn = 0;
	size_t n_slices = describe_slices(out->n_topics);
	size_t n_calls = out->n_brokers + n_slices;
	size_t n_answered = 0, n_sent = 0;
	size_t n_brokers_answered = 0, n_up = 0, n_slices_answered = 0;
	int64_t deadline = 0;
	char name[16] = "";
	int error = 0;

	options = kdr_kafka__admin_options(conn, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, false);
	if (!options) {
		error = kdr_error_last();
		goto cleanup;
	}
	gone = kdr_calloc(out->n_topics + 1, sizeof(*gone));
	remote = kdr_calloc(out->n_brokers + 1, sizeof(*remote));
	authorizer = kdr_calloc(out->n_brokers + 1, sizeof(*authorizer));
	for (size_t i = 0; i < out->n_brokers; i++)
		authorizer[i] = -1;
	min_isr = kdr_calloc(out->n_brokers + 1, sizeof(*min_isr));
	answered = kdr_calloc(n_calls + 1, sizeof(*answered));
	up = kdr_calloc(out->n_brokers + 1, sizeof(*up));
	via = kdr_calloc(n_slices + 1, sizeof(*via));

	/* Opaque i+1 names call i: brokers 0..n_brokers-1, then the topics' slices. */
	for (size_t i = 0; i < out->n_brokers; i++) {
		rd_kafka_ConfigResource_t *resource = NULL;

		snprintf(name, sizeof(name), "%d", (int)out->brokers[i].id);
		resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
		rd_kafka_AdminOptions_set_opaque(options, (void *)(uintptr_t)(i + 1));
		rd_kafka_DescribeConfigs(conn->rk, &resource, 1, options, queue);
		rd_kafka_ConfigResource_destroy(resource);
	}

	deadline = kdr_kafka__admin_deadline(conn);
	while (n_answered < n_calls) {
		size_t call = 0;
		rd_kafka_resp_err_t err = 0;

		/* Up to the window in flight once a broker is up (or none can be: every broker's call is back). */
		while (n_sent < n_slices && n_sent - n_slices_answered < KDR_KAFKA_DESCRIBE_WINDOW &&
		       (n_up > 0 || n_brokers_answered == out->n_brokers)) {
			via[n_sent] = slice_broker(out, up, &turn);
			describe_slice(conn, out, options, queue, n_sent, n_slices, out->n_brokers + n_sent + 1,
				       via[n_sent]);
			n_sent++;
		}
		ev = kdr_kafka__wait_event(conn, queue, deadline);
		if (!ev) {
			error = kdr_error_set(KDR_ETIMEOUT, "cluster '%s': describe configs: no answer within %d ms",
					      conn->cluster, conn->timeout_ms);
			goto cleanup;
		}
		call = (size_t)(uintptr_t)rd_kafka_event_opaque(ev);
		if (rd_kafka_event_type(ev) != RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT || call < 1 || call > n_calls ||
		    answered[call - 1]) {
			rd_kafka_event_destroy(ev);
			ev = NULL;
			continue;
		}
		answered[call - 1] = true;
		n_answered++;
		if (call <= out->n_brokers) {
			n_brokers_answered++;
			up[call - 1] = rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR;
			n_up += up[call - 1];
			error = fold_broker(&out->brokers[call - 1], &remote[call - 1], &min_isr[call - 1],
					    &authorizer[call - 1], conn, ev);
		} else if (rd_kafka_event_error(ev) && via[call - out->n_brokers - 1] >= 0) {
			/*
			 * Its broker went away since it answered: the slice again, to another that answered (each
			 * failure takes one out, so this ends), librdkafka's choice once none is left.
			 */
			size_t slice = call - out->n_brokers - 1;

			for (size_t b = 0; b < out->n_brokers; b++)
				if (out->brokers[b].id == via[slice] && up[b]) {
					up[b] = false;
					n_up--;
				}
			answered[call - 1] = false;
			n_answered--;
			via[slice] = slice_broker(out, up, &turn);
			rd_kafka_event_destroy(ev);
			ev = NULL;
			describe_slice(conn, out, options, queue, slice, n_slices, call, via[slice]);
			continue;
		} else if ((err = rd_kafka_event_error(ev))) {
			char *detail = kdr_kafka__scrub(conn, rd_kafka_event_error_string(ev));

			error = kdr_error_set(
			    kdr_kafka__error_code(err), "cluster '%s': describe topic configs: %s: %s", conn->cluster,
			    rd_kafka_err2name(err), detail && *detail ? detail : rd_kafka_err2str(err));
			free(detail);
		} else {
			error = fold_topic_configs(out, conn, ev, gone);
		}
		/* Freed before the next slice is asked for: what bounds the peak memory. */
		rd_kafka_event_destroy(ev);
		ev = NULL;
		if (error)
			goto cleanup;
		if (call > out->n_brokers)
			n_slices_answered++;
		deadline = kdr_kafka__admin_deadline(conn);
	}

	/*
	 * librdkafka 2.0.2 drops DescribeAcls' error code (SECURITY_DISABLED reads
	 * as an empty list), so whether ACLs exist at all comes from the brokers'
	 * authorizer.class.name: none of the brokers that answered names one.
	 */
	conn->authorizer = -1;
	for (size_t i = 0; i < out->n_brokers; i++)
		if (authorizer[i] >= 0 && conn->authorizer < 1)
			conn->authorizer = authorizer[i];
	conn->answered_broker = slice_broker(out, up, &turn);
	out->remote_storage_enabled = out->n_brokers > 0;
	for (size_t i = 0; i < out->n_brokers; i++)
		out->remote_storage_enabled = out->remote_storage_enabled && remote[i];
	/*
	 * The topics show the defaults they inherit; with no topic that inherits
	 * min.insync.replicas (an empty cluster), the brokers' own value is the
	 * one a new topic gets. The plan's DC-loss verdicts depend on it.
	 */
	if (!kdr_live_effective_config(out, NULL, "min.insync.replicas", NULL))
		for (size_t i = 0; i < out->n_brokers; i++)
			if (min_isr[i].name) {
				kdr_live_cluster_set_topic_default(out, min_isr[i].name, min_isr[i].value,
								   min_isr[i].source);
				break;
			}

	/* Drop the topics that vanished between Metadata and DescribeConfigs (order is kept). */
	{
		size_t kept = 0;

		for (size_t i = 0; i < out->n_topics; i++) {
			if (gone[i])
				kdr_live_topic_release(&out->topics[i]);
			else
				out->topics[kept++] = out->topics[i];
		}
		out->n_topics = kept;
	}
	memo_update(conn, out);
	for (size_t i = 0; i < conn->n_memo; i++)
		conn->memo[i].remote_storage = remote[i];

cleanup:
	if (ev)
		rd_kafka_event_destroy(ev);
	if (options)
		rd_kafka_AdminOptions_destroy(options);
	/* Abandoned answers, if any, are dropped with the queue. */
	rd_kafka_queue_destroy(queue);
	free(gone);
	free(remote);
	free(authorizer);
	for (size_t i = 0; min_isr && i < out->n_brokers; i++) {
		free(min_isr[i].name);
		free(min_isr[i].value);
	}
	free(min_isr);
	free(answered);
	free(up);
	free(via);
	return error;
}

/*
 * The all-topics Metadata, asked on a client of its own that is destroyed
 * as soon as the answer is back (its cluster and controller ids copied
 * first). For such a request librdkafka 2.0.2 also keeps, for the life of
 * the client that asked, a full copy of the answer (rk_full_metadata) and a
 * metadata-cache entry per topic: ~1 KB per topic (20 MB for 2 x 10,000
 * topics), which on the read's own client sat through the DescribeConfigs
 * phase. `md` stays valid after its client is gone: librdkafka hands it
 * over as one block. Only for a connection that ends with this read
 * (conn->read_once, kdr_kafka_read_cluster): a kept one (pool.c) asks on
 * its own client, as a new client per read would cost a connection and a
 * Metadata of its own each time, and a kept client holds its last answer
 * anyway.
 */
static rd_kafka_resp_err_t read_metadata(const struct rd_kafka_metadata **md, char **cluster_id, int32_t *controller_id,
					 struct kdr_kafka_conn *conn)
{
	rd_kafka_conf_t *conf = conn->read_once && conn->conf_template ? rd_kafka_conf_dup(conn->conf_template) : NULL;
	rd_kafka_t *rk = conn->rk;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
	char errstr[512] = "";
	char *id = NULL;

	if (conf && !(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
		/* Refused although the read's own client was made from the same settings: that client asks. */
		rd_kafka_conf_destroy(conf);
		rk = conn->rk;
	}
	err = rd_kafka_metadata(rk, 1, NULL, md, conn->timeout_ms);
	/* The error callbacks of both clients (why no broker answered) are served into conn's last_reason. */
	rd_kafka_poll(rk, 0);
	if (err && rk != conn->rk)
		rd_kafka_poll(conn->rk, 0);
	if (!err) {
		/* Both come from the Metadata just received: no further request. */
		id = rd_kafka_clusterid(rk, 0);
		*cluster_id = kdr_strdup(id);
		if (id)
			rd_kafka_mem_free(rk, id);
		*controller_id = rd_kafka_controllerid(rk, 0);
	}
	if (rk != conn->rk)
		rd_kafka_destroy(rk);
	return err;
}

int kdr_kafka_conn_read(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
	int error = 0;

	memset(out, 0, sizeof(*out));
	out->name = kdr_strdup(conn->cluster);
	out->controller_id = -1;

	if ((error = kdr_kafka__conn_wait(conn)))
		goto cleanup;
	/* One Metadata request for every topic. */
	err = read_metadata(&md, &out->cluster_id, &out->controller_id, conn);
	if (err) {
		if (conn->last_reason[0])
			error =
			    kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': metadata: %s (bootstrap %s): %s",
					  conn->cluster, rd_kafka_err2str(err), conn->bootstrap, conn->last_reason);
		else
			error = kdr_error_set(kdr_kafka__error_code(err), "cluster '%s': metadata: %s (bootstrap %s)",
					      conn->cluster, rd_kafka_err2str(err), conn->bootstrap);
		goto cleanup;
	}
	if ((error = fill_from_metadata(out, conn, md)))
		goto cleanup;
	rd_kafka_metadata_destroy(md);
	md = NULL;
	/* The answer goes back to the system before the configs arrive. */
	kdr_kafka__release_memory();
	error = describe_all(out, conn);
	if (!error)
		error = kdr_kafka__read_acls(out, conn);

cleanup:
	if (md)
		rd_kafka_metadata_destroy(md);
	if (error) {
		kdr_live_cluster_release(out);
		memset(out, 0, sizeof(*out));
	}
	return error;
}

int kdr_kafka_read_cluster(struct kdr_live_cluster *out, const struct kdr_cluster *cl,
			   const struct kdr_kafka_options *options)
{
	struct kdr_kafka_conn *conn = NULL;
	int error = kdr_kafka_conn_open(&conn, cl, options);

	if (error) {
		memset(out, 0, sizeof(*out));
		return error;
	}
	conn->read_once = true;
	error = kdr_kafka_conn_read(out, conn);
	kdr_kafka_conn_free(conn);
	return error;
}
