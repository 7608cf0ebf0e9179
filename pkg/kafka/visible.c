/*
 * After an apply: wait (bounded) until every broker's Metadata shows what
 * the apply did. KRaft brokers learn a created topic, new partitions or a
 * deletion from the controller's metadata log asynchronously: CreateTopics
 * answers once the controller committed, and a Metadata request to another
 * broker a moment later may not list the topic yet. A plan run right after
 * `kdr apply` would then plan the topic again. Each broker is asked on its
 * own client (bootstrapped with that broker only: the request goes there,
 * and its answer says which broker gave it), so "every broker" is exact
 * rather than whichever broker librdkafka picks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* What one successful action should look like on a broker. */
struct expect {
	const char *topic;
	int64_t partitions; /* at least this many; 0: the topic must be gone */
};

/*
 * The expectations by topic name: an open-addressing table of indices into
 * `want`, built once per wait, so that checking a broker's answer of t topics
 * costs t lookups (sorting each answer cost 0.2-0.3 s per broker at 100,000
 * topics). A name expected twice is in two slots; a lookup visits both.
 */
struct expect_index {
	const struct expect *want;
	size_t *slots; /* index + 1 into want; 0: empty */
	size_t mask;
};

static void index_build(struct expect_index *ix, const struct expect *want, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	ix->want = want;
	ix->mask = size - 1;
	ix->slots = kdr_calloc(size, sizeof(*ix->slots));
	for (size_t i = 0; i < n; i++) {
		size_t at = (size_t)kdr_hash64_str(want[i].topic) & ix->mask;

		while (ix->slots[at])
			at = (at + 1) & ix->mask;
		ix->slots[at] = i + 1;
	}
}

/* Whether a broker's entry for the topic (NULL: not listed) shows `want`. */
static bool topic_shows(const rd_kafka_metadata_topic_t *found, const struct expect *want)
{
	if (want->partitions == 0)
		return !found || found->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
	if (!found || found->err || found->partition_cnt < want->partitions)
		return false;
	for (int p = 0; p < found->partition_cnt; p++)
		if (found->partitions[p].leader < 0)
			return false;
	return true;
}

/* What a broker's answer showed of each expectation. */
enum seen { SEEN_NOT_LISTED = 0, SEEN_SHOWN, SEEN_NOT_SHOWN };

/*
 * Whether broker `md` (its answer to an all-topics Metadata) shows every
 * expectation of `ix` (n of them); `missing` gets the first in plan order
 * that it does not. `seen` is scratch space for n entries.
 */
static bool shows_all(const struct rd_kafka_metadata *md, const struct expect_index *ix, size_t n,
		      unsigned char *seen, const char **missing)
{
	memset(seen, SEEN_NOT_LISTED, n);
	for (int t = 0; t < md->topic_cnt; t++) {
		const rd_kafka_metadata_topic_t *found = &md->topics[t];

		for (size_t at = (size_t)kdr_hash64_str(found->topic) & ix->mask; ix->slots[at]; at = (at + 1) & ix->mask) {
			size_t i = ix->slots[at] - 1;

			if (strcmp(ix->want[i].topic, found->topic) == 0)
				seen[i] = topic_shows(found, &ix->want[i]) ? SEEN_SHOWN : SEEN_NOT_SHOWN;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (seen[i] == SEEN_SHOWN || (seen[i] == SEEN_NOT_LISTED && topic_shows(NULL, &ix->want[i])))
			continue;
		*missing = ix->want[i].topic;
		return false;
	}
	return true;
}

/*
 * Up to this many expectations, and none a deletion, a broker is asked about
 * those topics by name (a topic handle each, librdkafka 2.0.2 has no other
 * way to name them) instead of for all topics: a 1-topic apply on a cluster
 * of 100,000 topics read six all-topics answers, seconds of parsing, for one
 * topic. Handles cost librdkafka a linear search each and a leader query
 * (one small Metadata) each, so a big apply asks for all topics: the answer
 * is as long either way when most of the topics are the created ones. A
 * deletion is never asked by name: Metadata for a missing topic may
 * auto-create it on a broker with auto.create.topics.enable.
 */
#define KDR_KAFKA_VISIBLE_NAMED_MAX 64

/* Whether the expectations are few enough, and all creations, to be asked by name. */
static bool ask_by_name(const struct expect *want, size_t n)
{
	if (n > KDR_KAFKA_VISIBLE_NAMED_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (want[i].partitions == 0)
			return false;
	return true;
}

/*
 * A client of the wait's own, bootstrapped with `bootstrap` only, that never
 * asks a broker to auto-create a topic it is asked about. NULL on failure.
 */
static rd_kafka_t *client_new(const struct kdr_kafka_conn *conn, const char *bootstrap)
{
	char errstr[256] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_dup(conn->conf_template);
	rd_kafka_t *rk = NULL;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk)
		rd_kafka_conf_destroy(conf);
	return rk;
}

/* One broker to ask: its address and node id. */
struct visible_broker {
	char *address;
	int32_t id;
	bool done;
};

/*
 * The cluster's brokers, from a Metadata about one expected topic (`topic`)
 * on a client of the wait's own. Not rd_kafka_metadata(all_topics=0) on the
 * apply's client: with no topic handle librdkafka 2.0.2 sends an empty topic
 * list, which Kafka answers with every topic (a seventh all-topics answer per
 * cluster: 1,101 topics to learn 3 brokers in test_kafka). Returns the count,
 * *out set (owned by the caller); 0 when no broker answered.
 */
static size_t broker_list(struct visible_broker **out, const struct kdr_kafka_conn *conn, const char *topic)
{
	rd_kafka_t *rk = client_new(conn, conn->bootstrap);
	rd_kafka_topic_t *handle = rk ? rd_kafka_topic_new(rk, topic, NULL) : NULL;
	const struct rd_kafka_metadata *md = NULL;
	size_t n = 0;

	*out = NULL;
	if (handle && rd_kafka_metadata(rk, 0, handle, &md, conn->timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		*out = kdr_calloc((size_t)md->broker_cnt + 1, sizeof(**out));
		for (int b = 0; b < md->broker_cnt; b++) {
			(*out)[n].address = kdr_asprintf("%s:%d", md->brokers[b].host, md->brokers[b].port);
			(*out)[n++].id = md->brokers[b].id;
		}
		rd_kafka_metadata_destroy(md);
	}
	if (handle)
		rd_kafka_topic_destroy(handle);
	if (rk)
		rd_kafka_destroy(rk);
	return n;
}

/*
 * Asks the broker at `address` (host:port, node `id`) for the expected
 * topics (by name, or all topics), on a client of its own (bootstrapped with
 * that broker only, so the request goes there; the answer's orig_broker_id
 * confirms it). Returns whether it shows every expectation.
 */
static bool broker_shows_all(const struct kdr_kafka_conn *conn, const char *address, int32_t id, int timeout_ms,
			     const struct expect_index *ix, size_t n, unsigned char *seen, const char **missing)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_t **handles = NULL;
	bool named = ask_by_name(ix->want, n), shown = false;
	rd_kafka_t *rk = client_new(conn, address);

	if (!rk)
		return false;
	if (named) {
		/* rd_kafka_metadata(all_topics=0) asks about the topics the client has handles for. */
		handles = kdr_calloc(n + 1, sizeof(*handles));
		for (size_t i = 0; i < n; i++)
			handles[i] = rd_kafka_topic_new(rk, ix->want[i].topic, NULL);
	}
	if (rd_kafka_metadata(rk, named ? 0 : 1, NULL, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		shown = md->orig_broker_id == id && shows_all(md, ix, n, seen, missing);
		rd_kafka_metadata_destroy(md);
	}
	for (size_t i = 0; handles && i < n; i++)
		if (handles[i])
			rd_kafka_topic_destroy(handles[i]);
	free(handles);
	rd_kafka_destroy(rk);
	return shown;
}

int kdr_kafka__wait_visible(struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
			    const struct kdr_action_result *results, int wait_ms)
{
	struct expect *want = kdr_calloc(plan->n_actions + 1, sizeof(*want));
	struct visible_broker *list = NULL;
	size_t n = 0, n_brokers = 0, left = 0;
	int64_t start = kdr_kafka__now_ms(), deadline = start + wait_ms;
	int pause_ms = 50;
	const char *missing = NULL;
	struct expect_index ix = {0};
	unsigned char *seen = NULL;
	int rc = 0;

	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];

		if (!results[i].attempted || results[i].code != 0 || !action->cluster ||
		    strcmp(action->cluster, conn->cluster) != 0)
			continue;
		if (action->kind == KDR_ACTION_CREATE_TOPIC || action->kind == KDR_ACTION_ADD_PARTITIONS)
			want[n++] = (struct expect){action->resource, action->partitions > 0 ? action->partitions : 1};
		else if (action->kind == KDR_ACTION_DELETE_TOPIC)
			want[n++] = (struct expect){action->resource, 0};
	}
	if (n == 0 || conn->validate_only || !conn->conf_template || wait_ms <= 0)
		goto cleanup;
	n_brokers = broker_list(&list, conn, want[0].topic);
	if (n_brokers == 0)
		goto cleanup; /* the apply's own results stand; nothing to wait on */
	index_build(&ix, want, n);
	seen = kdr_calloc(n + 1, sizeof(*seen));
	left = n_brokers;
	/*
	 * Every broker is asked at least once, whatever the deadline: at 100,000
	 * topics one all-topics answer takes seconds on a loaded machine, and a
	 * broker never asked would be reported as not showing the change only
	 * because the others' answers used up the time. Later rounds (a broker
	 * that did not show it yet) stop at the deadline.
	 */
	for (int round = 0; left > 0; round++) {
		for (size_t b = 0; b < n_brokers; b++) {
			int64_t slice = round == 0 ? wait_ms : deadline - kdr_kafka__now_ms();

			if (list[b].done)
				continue;
			if (slice <= 0)
				break;
			if (broker_shows_all(conn, list[b].address, list[b].id,
					     (int)(slice < conn->timeout_ms ? slice : conn->timeout_ms), &ix, n, seen,
					     &missing)) {
				list[b].done = true;
				left--;
			}
		}
		if (left == 0 || kdr_kafka__now_ms() >= deadline)
			break;
		sleep_ms(pause_ms);
		pause_ms = pause_ms * 2 > 2000 ? 2000 : pause_ms * 2;
	}
	if (left > 0) {
		struct kdr_buf ids = KDR_BUF_INIT;

		for (size_t b = 0; b < n_brokers; b++)
			if (!list[b].done)
				kdr_buf_printf(&ids, "%s%d", ids.len ? ", " : "", (int)list[b].id);
		rc = kdr_error_set(KDR_ETIMEOUT,
				   "cluster '%s': after %d ms broker(s) %s did not yet show every change of the apply "
				   "(e.g. topic '%s'; KRaft brokers learn them from the controller a moment later): a plan "
				   "run now may list them again",
				   conn->cluster, (int)(kdr_kafka__now_ms() - start), ids.ptr, missing ? missing : "?");
		kdr_buf_release(&ids);
	} else if (conn->debug) {
		fprintf(stderr,
			"ts=- level=debug msg=\"apply visible on every broker\" cluster=%s brokers=%zu ms=%lld\n",
			conn->cluster, n_brokers, (long long)(kdr_kafka__now_ms() - start));
	}
cleanup:
	for (size_t b = 0; b < n_brokers; b++)
		free(list[b].address);
	free(list);
	free(ix.slots);
	free(seen);
	free(want);
	return rc;
}
