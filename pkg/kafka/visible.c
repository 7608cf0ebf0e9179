/*
 * After an apply: wait (bounded) until every broker's Metadata shows what
 * the apply did. KRaft brokers learn a created topic, new partitions or a
 * deletion from the controller's metadata log asynchronously: CreateTopics
 * answers once the controller committed, and a Metadata request to another
 * broker a moment later may not list the topic yet. A plan run right after
 * `kdr apply` would then plan the topic again. Each broker is asked on its
 * own client (bootstrapped with that broker only: the request goes there,
 * and its answer says which broker gave it), so "every broker" is exact
 * rather than whichever broker librdkafka picks. A broker serves one
 * connection's requests in order, so a request sent on a new client waits
 * behind the client's own bootstrap (ApiVersions, Metadata) and the leader
 * queries of its topic handles: with slow answers that used to be the whole
 * request timeout, and the broker was reported although it never had an
 * open connection to answer on. So each broker's client is made once per
 * wait, ahead of its turn (its connection comes up while earlier brokers
 * are asked), asked only once it is up, and kept for the later rounds.
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
 * At most this many of the wait's one-broker clients are open at once: each
 * runs a thread per broker it knows (all of the cluster's, once it has its
 * Metadata), so a client per broker of a 100-broker cluster would be ten
 * thousand threads. Clusters up to this size keep every broker's client for
 * the whole wait.
 */
#define KDR_KAFKA_VISIBLE_CLIENTS_MAX 8

/* One broker to ask: its address and node id, its client, and what it answered. */
struct visible_broker {
	char *address;
	int32_t id;
	rd_kafka_t *rk;		    /* bootstrapped with `address` only; NULL: none open */
	int64_t since_ms;	    /* when rk was made */
	bool up;		    /* rk has had its first Metadata: its connection is open */
	rd_kafka_topic_t **handles; /* a named ask's topics, made once rk is up */
	size_t n_handles;
	bool answered;	     /* it answered an ask (its own answer: orig_broker_id) */
	bool done;	     /* its last answer showed every expectation */
	const char *missing; /* the first expectation its last answer did not show */
};

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

/*
 * Waits, until `until_ms` at most, for the Metadata librdkafka sends by
 * itself once the client's connection is up (the cluster id comes with it:
 * no request of ours). A request sent before it is answered queues behind it
 * on the broker, which serves one connection's requests in order, and
 * behind the ApiVersions before it: with a slow broker that is the whole
 * request timeout, and the broker would be reported as not answering
 * although it was never asked on an open connection. Whether it came.
 */
static bool client_up(rd_kafka_t *rk, int64_t until_ms)
{
	int64_t left = until_ms - kdr_clock_mono_ms();
	char *id = rd_kafka_clusterid(rk, left > 0 ? (int)left : 0);

	if (!id)
		return false;
	rd_kafka_mem_free(rk, id);
	return true;
}

/*
 * The cluster's brokers, from a Metadata about one expected topic (`topic`)
 * on a client of the wait's own, asked once that client is up. Not
 * rd_kafka_metadata(all_topics=0) on the apply's client: with no topic
 * handle librdkafka 2.0.2 sends an empty topic list, which Kafka answers
 * with every topic (a seventh all-topics answer per cluster: 1,101 topics to
 * learn 3 brokers in test_kafka). The handle is made once the client is up,
 * so its leader query (one small Metadata) is all that goes before ours.
 * Returns the count, *out set (owned by the caller); 0 when no broker
 * answered within the connection's timeout.
 */
static size_t broker_list(struct visible_broker **out, const struct kdr_kafka_conn *conn, const char *topic)
{
	rd_kafka_t *rk = client_new(conn, conn->bootstrap);
	bool up = rk && client_up(rk, kdr_clock_mono_ms() + conn->timeout_ms);
	rd_kafka_topic_t *handle = up ? rd_kafka_topic_new(rk, topic, NULL) : NULL;
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
 * The topic broker_list asks about: a created one, which exists; a deleted
 * one's name only when the apply created nothing (its Metadata answers
 * UNKNOWN_TOPIC_OR_PART with the broker list, and the client's
 * allow.auto.create.topics=false keeps it from being created again).
 */
static const char *broker_list_topic(const struct expect *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (want[i].partitions > 0)
			return want[i].topic;
	return want[0].topic;
}

/* A broker's client and what hangs on it (the handles of a named ask); nothing when there is none. */
static void broker_client_release(struct visible_broker *broker)
{
	for (size_t i = 0; broker->handles && i < broker->n_handles; i++)
		if (broker->handles[i])
			rd_kafka_topic_destroy(broker->handles[i]);
	free(broker->handles);
	broker->handles = NULL;
	broker->n_handles = 0;
	if (broker->rk)
		rd_kafka_destroy(broker->rk);
	broker->rk = NULL;
	broker->up = false;
}

/*
 * Keeps a client open for each of the next KDR_KAFKA_VISIBLE_CLIENTS_MAX
 * brokers still to ask, in asking order from `from` (wrapping round to the
 * next round), and closes the others': made ahead, their connections come
 * up while earlier brokers are asked, and a broker asked again in the next
 * round is asked on the connection it has.
 */
static void broker_clients_ahead(struct visible_broker *list, size_t n_brokers, size_t from,
				 const struct kdr_kafka_conn *conn)
{
	size_t kept = 0;

	for (size_t k = 0; k < n_brokers; k++) {
		struct visible_broker *broker = &list[(from + k) % n_brokers];

		if (broker->done)
			continue;
		if (kept++ >= KDR_KAFKA_VISIBLE_CLIENTS_MAX) {
			broker_client_release(broker);
			continue;
		}
		if (!broker->rk) {
			broker->rk = client_new(conn, broker->address);
			broker->since_ms = kdr_clock_mono_ms();
		}
	}
}

/*
 * Asks `broker` for the expected topics (by name, or all topics) on its own
 * client (bootstrapped with that broker only, so the request goes there; the
 * answer's orig_broker_id confirms it), once the client is up: its own
 * Metadata may take until `up_by`. The answer then has `timeout_ms`, and
 * never beyond `answer_by`. The handles of a named ask are made once the
 * client is up, so that what goes before the request is their leader
 * queries only. Sets broker->answered on an answer and broker->missing to
 * the first expectation it does not show. Returns whether it shows every
 * expectation.
 */
static bool broker_shows_all(struct visible_broker *broker, int64_t up_by, int64_t answer_by, int timeout_ms,
			     const struct expect_index *ix, size_t n, unsigned char *seen)
{
	const struct rd_kafka_metadata *md = NULL;
	bool named = ask_by_name(ix->want, n), shown = false;
	int64_t left = 0;

	if (!broker->rk)
		return false;
	if (!broker->up && !(broker->up = client_up(broker->rk, up_by)))
		return false;
	left = answer_by - kdr_clock_mono_ms();
	if (left <= 0)
		return false;
	if (left < timeout_ms)
		timeout_ms = (int)left;
	if (named && !broker->handles) {
		/* rd_kafka_metadata(all_topics=0) asks about the topics the client has handles for. */
		broker->handles = kdr_calloc(n + 1, sizeof(*broker->handles));
		broker->n_handles = n;
		for (size_t i = 0; i < n; i++)
			broker->handles[i] = rd_kafka_topic_new(broker->rk, ix->want[i].topic, NULL);
	}
	if (rd_kafka_metadata(broker->rk, named ? 0 : 1, NULL, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		if (md->orig_broker_id == broker->id) {
			broker->answered = true;
			shown = shows_all(md, ix, n, seen, &broker->missing);
		}
		rd_kafka_metadata_destroy(md);
	}
	return shown;
}

/* The ids of the brokers of `list` (not done) whose `answered` is `answered`, "1, 3", into `ids`. */
static size_t broker_ids(struct kdr_buf *ids, const struct visible_broker *list, size_t n_brokers, bool answered,
			 const char **missing)
{
	size_t count = 0;

	for (size_t b = 0; b < n_brokers; b++) {
		if (list[b].done || list[b].answered != answered)
			continue;
		kdr_buf_printf(ids, "%s%d", count++ ? ", " : "", (int)list[b].id);
		if (missing && !*missing)
			*missing = list[b].missing;
	}
	return count;
}

/* The warning for the brokers not done: which did not answer, which did not show the apply yet. */
static int not_shown_error(const struct kdr_kafka_conn *conn, const struct visible_broker *list, size_t n_brokers,
			   int64_t start)
{
	struct kdr_buf silent = KDR_BUF_INIT, behind = KDR_BUF_INIT, what = KDR_BUF_INIT;
	const char *missing = NULL;
	int rc = 0;

	if (broker_ids(&silent, list, n_brokers, false, NULL))
		kdr_buf_printf(&what, "broker(s) %s did not answer within %d ms", silent.ptr, conn->timeout_ms);
	if (broker_ids(&behind, list, n_brokers, true, &missing))
		kdr_buf_printf(&what,
			       "%sbroker(s) %s did not yet show every change of the apply (e.g. topic '%s'; KRaft "
			       "brokers learn them from the controller a moment later)",
			       what.len ? " and " : "", behind.ptr, missing ? missing : "?");
	rc = kdr_error_set(KDR_ETIMEOUT, "cluster '%s': after %d ms %s: a plan run now may list them again",
			   conn->cluster, (int)(kdr_clock_mono_ms() - start), what.ptr);
	kdr_buf_release(&silent);
	kdr_buf_release(&behind);
	kdr_buf_release(&what);
	return rc;
}

int kdr_kafka__wait_visible(struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
			    const struct kdr_action_result *results, int wait_ms)
{
	struct expect *want = kdr_calloc(plan->n_actions + 1, sizeof(*want));
	struct visible_broker *list = NULL;
	size_t n = 0, n_brokers = 0, left = 0;
	int64_t start = kdr_clock_mono_ms(), deadline = start + wait_ms;
	int pause_ms = 50;
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
	n_brokers = broker_list(&list, conn, broker_list_topic(want, n));
	if (n_brokers == 0) {
		/* The apply's own results stand; that no broker could be asked is a warning like the others. */
		rc = kdr_error_set(
		    KDR_ETIMEOUT,
		    "cluster '%s': no broker answered within %d ms (bootstrap %s) with the list of brokers, "
		    "so none was asked whether it shows every change of the apply: a plan run now may "
		    "list them again",
		    conn->cluster, conn->timeout_ms, conn->bootstrap);
		goto cleanup;
	}
	index_build(&ix, want, n);
	seen = kdr_calloc(n + 1, sizeof(*seen));
	left = n_brokers;
	/*
	 * Every broker answers at least once, whatever the deadline: at 100,000
	 * topics one all-topics answer takes seconds on a loaded machine, and a
	 * broker never asked would be reported as not showing the change only
	 * because the others' answers used up the time. So in the first round
	 * each broker gets up to the connection's timeout for its client to come
	 * up (the clients are made ahead, so theirs come up while earlier brokers
	 * are asked) and then the whole timeout for its answer: a request is not
	 * counted as unanswered for the time it queued behind librdkafka's own.
	 * Later rounds (a broker that did not show it yet) stop at the deadline.
	 */
	for (int round = 0; left > 0; round++) {
		for (size_t b = 0; b < n_brokers; b++) {
			int timeout_ms = round == 0 && wait_ms < conn->timeout_ms ? wait_ms : conn->timeout_ms;

			if (list[b].done)
				continue;
			if (round > 0 && kdr_clock_mono_ms() >= deadline)
				break;
			broker_clients_ahead(list, n_brokers, b, conn);
			if (broker_shows_all(&list[b], round == 0 ? list[b].since_ms + conn->timeout_ms : deadline,
					     round == 0 ? INT64_MAX : deadline, timeout_ms, &ix, n, seen)) {
				list[b].done = true;
				left--;
				broker_client_release(&list[b]);
			}
		}
		if (left == 0 || kdr_clock_mono_ms() >= deadline)
			break;
		sleep_ms(pause_ms);
		pause_ms = pause_ms * 2 > 2000 ? 2000 : pause_ms * 2;
	}
	if (left > 0) {
		rc = not_shown_error(conn, list, n_brokers, start);
	} else if (conn->debug) {
		fprintf(stderr,
			"ts=- level=debug msg=\"apply visible on every broker\" cluster=%s brokers=%zu ms=%lld\n",
			conn->cluster, n_brokers, (long long)(kdr_clock_mono_ms() - start));
	}
cleanup:
	for (size_t b = 0; b < n_brokers; b++) {
		broker_client_release(&list[b]);
		free(list[b].address);
	}
	free(list);
	free(ix.slots);
	free(seen);
	free(want);
	return rc;
}
