/*
 * Records and consumer groups through librdkafka 2.0.2: a producer and a
 * consumer-group consumer round-trip records; the group is seen Stable with
 * its member by DescribeConsumerGroups and listed by ListConsumerGroups;
 * committed offsets come back through ListConsumerGroupOffsets; admin-side
 * AlterConsumerGroupOffsets / DeleteConsumerGroupOffsets / DeleteGroups
 * follow Kafka's rules; broker-side record checks surface as Kafka's codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "sandbox.h"

#define TIMEOUT_MS 15000

static struct kdr_sandbox *sandbox;
static const char *bootstrap;
static rd_kafka_t *admin;

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

/* A client with `settings` (name, value, ..., NULL). */
static rd_kafka_t *client(rd_kafka_type_t type, const char *const *settings, rd_kafka_conf_t *conf)
{
	char err[256];
	rd_kafka_t *rk = NULL;

	if (!conf)
		conf = rd_kafka_conf_new();
	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err)), RD_KAFKA_CONF_OK);
	for (size_t i = 0; settings && settings[i]; i += 2)
		assert_int_equal(rd_kafka_conf_set(conf, settings[i], settings[i + 1], err, sizeof(err)),
				 RD_KAFKA_CONF_OK);
	rd_kafka_conf_set_log_cb(conf, quiet);
	rk = rd_kafka_new(type, conf, err, sizeof(err));
	assert_non_null(rk);
	return rk;
}

static int setup(void **state)
{
	static const char *const racks[] = {"r1", "r2", "r3"};
	struct kdr_sandbox_cluster_spec spec;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.name = "main";
	spec.brokers = 3;
	spec.racks = racks;
	spec.n_racks = 3;
	spec.auto_create_topics = true;
	if (kdr_sandbox_start(&sandbox, &spec, 1) != 0)
		return -1;
	bootstrap = kdr_sandbox_bootstrap(sandbox, "main");
	admin = client(RD_KAFKA_PRODUCER, NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rd_kafka_destroy(admin);
	kdr_sandbox_stop(sandbox);
	return 0;
}

static rd_kafka_event_t *wait_result(rd_kafka_queue_t *queue, rd_kafka_event_type_t type)
{
	rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, TIMEOUT_MS);

	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_type(ev), type);
	return ev;
}

static void create_topic(const char *name, int partitions, int rf, const char *const *configs)
{
	char err[256];
	rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
	rd_kafka_NewTopic_t *topic = rd_kafka_NewTopic_new(name, partitions, rf, err, sizeof(err));
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_topic_result_t **results = NULL;
	size_t n = 0;

	for (size_t i = 0; configs && configs[i]; i += 2)
		rd_kafka_NewTopic_set_config(topic, configs[i], configs[i + 1]);
	rd_kafka_CreateTopics(admin, &topic, 1, NULL, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
	results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
	assert_int_equal(n, 1);
	assert_int_equal(rd_kafka_topic_result_error(results[0]), 0);
	rd_kafka_event_destroy(ev);
	rd_kafka_NewTopic_destroy(topic);
	rd_kafka_queue_destroy(queue);
}

struct delivery {
	int ok;
	int failed;
	rd_kafka_resp_err_t last_error;
	int64_t offsets[8]; /* highest offset seen per partition */
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
	struct delivery *d = opaque;

	(void)rk;
	if (msg->err) {
		d->failed++;
		d->last_error = msg->err;
		return;
	}
	d->ok++;
	if (msg->partition >= 0 && msg->partition < 8 && msg->offset > d->offsets[msg->partition])
		d->offsets[msg->partition] = msg->offset;
}

/* Produces `n` records "v<i>" with keys "k<i>" (NULL keys when !keyed); returns the delivery outcome. */
static struct delivery produce(const char *topic, int n, bool keyed, size_t value_size, const char *const *settings)
{
	struct delivery d;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *producer = NULL;
	char *big = value_size ? calloc(1, value_size + 1) : NULL;

	memset(&d, 0, sizeof(d));
	for (int i = 0; i < 8; i++)
		d.offsets[i] = -1;
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, &d);
	producer = client(RD_KAFKA_PRODUCER, settings, conf);
	if (big)
		memset(big, 'x', value_size);
	for (int i = 0; i < n; i++) {
		char key[32];
		char value[32];
		rd_kafka_vu_t vu[4];

		snprintf(key, sizeof(key), "k%d", i);
		snprintf(value, sizeof(value), "v%d", i);
		/* rd_kafka_produceva rather than the RD_KAFKA_V_* macros, which need GNU extensions. */
		memset(vu, 0, sizeof(vu));
		vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
		vu[0].u.cstr = topic;
		vu[1].vtype = RD_KAFKA_VTYPE_KEY;
		vu[1].u.mem.ptr = keyed ? key : NULL;
		vu[1].u.mem.size = keyed ? strlen(key) : 0;
		vu[2].vtype = RD_KAFKA_VTYPE_VALUE;
		vu[2].u.mem.ptr = big ? big : value;
		vu[2].u.mem.size = big ? value_size : strlen(value);
		vu[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
		vu[3].u.i = RD_KAFKA_MSG_F_COPY;
		assert_null(rd_kafka_produceva(producer, vu, 4));
	}
	rd_kafka_flush(producer, TIMEOUT_MS);
	rd_kafka_destroy(producer);
	free(big);
	return d;
}

static rd_kafka_t *consumer(const char *group, const char *topic)
{
	const char *const settings[] = {"group.id",
					group,
					"auto.offset.reset",
					"earliest",
					"enable.auto.commit",
					"false",
					"heartbeat.interval.ms",
					"300",
					"session.timeout.ms",
					"6000",
					"topic.metadata.refresh.interval.ms",
					"1000",
					NULL};
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, settings, NULL);
	rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);

	rd_kafka_poll_set_consumer(rk);
	rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
	assert_int_equal(rd_kafka_subscribe(rk, topics), 0);
	rd_kafka_topic_partition_list_destroy(topics);
	return rk;
}

/* Polls until `want` records arrived (marking values seen) or the timeout passes; returns the count. */
static int consume(rd_kafka_t *rk, int want, bool *seen, int64_t timeout_ms)
{
	int got = 0;
	int64_t waited = 0;

	while (got < want && waited < timeout_ms) {
		rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 100);
		int value = -1;

		waited += 100;
		if (!msg)
			continue;
		if (!msg->err && msg->len > 1 && sscanf((const char *)msg->payload, "v%d", &value) == 1 && seen &&
		    value >= 0 && value < want && !seen[value]) {
			seen[value] = true;
			got++;
		}
		rd_kafka_message_destroy(msg);
	}
	return got;
}

static const rd_kafka_ConsumerGroupDescription_t *describe_group(rd_kafka_event_t **ev, const char *group)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
	const rd_kafka_ConsumerGroupDescription_t **groups = NULL;
	size_t n = 0;

	rd_kafka_DescribeConsumerGroups(admin, &group, 1, NULL, queue);
	*ev = wait_result(queue, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT);
	assert_int_equal(rd_kafka_event_error(*ev), 0);
	groups = rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(*ev), &n);
	assert_int_equal(n, 1);
	rd_kafka_queue_destroy(queue);
	return groups[0];
}

static bool group_listed(const char *group)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConsumerGroupListing_t **groups = NULL;
	size_t n = 0;
	bool found = false;

	rd_kafka_ListConsumerGroups(admin, NULL, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT);
	groups = rd_kafka_ListConsumerGroups_result_valid(rd_kafka_event_ListConsumerGroups_result(ev), &n);
	for (size_t i = 0; i < n; i++)
		found = found || strcmp(rd_kafka_ConsumerGroupListing_group_id(groups[i]), group) == 0;
	rd_kafka_event_destroy(ev);
	rd_kafka_queue_destroy(queue);
	return found;
}

/* Alters `group`'s offsets of `topic` partitions 0..n-1; returns the group error or the first partition error. */
static rd_kafka_resp_err_t alter_offsets(const char *group, const char *topic, const int64_t *offsets, int n)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
	rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n);
	rd_kafka_AlterConsumerGroupOffsets_t *alter = NULL;
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_group_result_t **groups = NULL;
	const rd_kafka_topic_partition_list_t *result = NULL;
	rd_kafka_resp_err_t code = 0;
	size_t count = 0;

	for (int i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(parts, topic, i)->offset = offsets[i];
	alter = rd_kafka_AlterConsumerGroupOffsets_new(group, parts);
	rd_kafka_AlterConsumerGroupOffsets(admin, &alter, 1, NULL, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT);
	if (rd_kafka_event_error(ev)) {
		code = rd_kafka_event_error(ev);
	} else {
		groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
		    rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &count);
		assert_int_equal(count, 1);
		code = rd_kafka_group_result_error(groups[0])
			   ? rd_kafka_error_code(rd_kafka_group_result_error(groups[0]))
			   : 0;
		result = rd_kafka_group_result_partitions(groups[0]);
		for (int i = 0; !code && result && i < result->cnt; i++)
			code = result->elems[i].err;
	}
	rd_kafka_event_destroy(ev);
	rd_kafka_AlterConsumerGroupOffsets_destroy(alter);
	rd_kafka_topic_partition_list_destroy(parts);
	rd_kafka_queue_destroy(queue);
	return code;
}

/* Fills offsets[0..n-1] with `group`'s committed offsets of `topic` (-1001 when none). */
static void list_offsets(const char *group, const char *topic, int64_t *offsets, int n)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
	rd_kafka_ListConsumerGroupOffsets_t *list = rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_group_result_t **groups = NULL;
	const rd_kafka_topic_partition_list_t *result = NULL;
	size_t count = 0;

	for (int i = 0; i < n; i++)
		offsets[i] = RD_KAFKA_OFFSET_INVALID;
	rd_kafka_ListConsumerGroupOffsets(admin, &list, 1, NULL, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	groups =
	    rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev), &count);
	assert_int_equal(count, 1);
	assert_null(rd_kafka_group_result_error(groups[0]));
	result = rd_kafka_group_result_partitions(groups[0]);
	for (int i = 0; result && i < result->cnt; i++) {
		if (strcmp(result->elems[i].topic, topic) == 0 && result->elems[i].partition < n)
			offsets[result->elems[i].partition] = result->elems[i].offset;
	}
	rd_kafka_event_destroy(ev);
	rd_kafka_ListConsumerGroupOffsets_destroy(list);
	rd_kafka_queue_destroy(queue);
}

static rd_kafka_resp_err_t delete_group(const char *group)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
	rd_kafka_DeleteGroup_t *del = rd_kafka_DeleteGroup_new(group);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_group_result_t **groups = NULL;
	rd_kafka_resp_err_t code = 0;
	size_t count = 0;

	rd_kafka_DeleteGroups(admin, &del, 1, NULL, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
	groups = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &count);
	assert_int_equal(count, 1);
	code = rd_kafka_group_result_error(groups[0]) ? rd_kafka_error_code(rd_kafka_group_result_error(groups[0])) : 0;
	rd_kafka_event_destroy(ev);
	rd_kafka_DeleteGroup_destroy(del);
	rd_kafka_queue_destroy(queue);
	return code;
}

static void test_produce_consume_and_group_state(void **state)
{
	static const int64_t admin_offsets[] = {1, 1, 1};
	bool seen[30] = {false};
	struct delivery d;
	rd_kafka_t *rk = NULL;
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConsumerGroupDescription_t *desc = NULL;
	const rd_kafka_MemberAssignment_t *assignment = NULL;
	int64_t committed[3];
	int64_t total = 0;

	(void)state;
	create_topic("events", 3, 3, NULL);
	d = produce("events", 30, true, 0, NULL);
	assert_int_equal(d.ok, 30);
	assert_int_equal(d.failed, 0);

	rk = consumer("g-events", "events");
	assert_int_equal(consume(rk, 30, seen, TIMEOUT_MS), 30);
	assert_int_equal(rd_kafka_commit(rk, NULL, 0), 0);

	/* While it consumes, the group is Stable with this one member holding all 3 partitions. */
	desc = describe_group(&ev, "g-events");
	assert_null(rd_kafka_ConsumerGroupDescription_error(desc));
	assert_int_equal(rd_kafka_ConsumerGroupDescription_state(desc), RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
	assert_string_equal(rd_kafka_ConsumerGroupDescription_partition_assignor(desc), "range");
	assert_int_equal(rd_kafka_ConsumerGroupDescription_member_count(desc), 1);
	assignment = rd_kafka_MemberDescription_assignment(rd_kafka_ConsumerGroupDescription_member(desc, 0));
	assert_int_equal(rd_kafka_MemberAssignment_partitions(assignment)->cnt, 3);
	assert_non_null(
	    strstr(rd_kafka_MemberDescription_host(rd_kafka_ConsumerGroupDescription_member(desc, 0)), "127.0.0.1"));
	rd_kafka_event_destroy(ev);
	assert_true(group_listed("g-events"));
	/* An admin commit into a group with members is refused, as Kafka does. */
	assert_int_equal(alter_offsets("g-events", "events", admin_offsets, 3), RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID);
	assert_int_equal(delete_group("g-events"), RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP);

	assert_int_equal(rd_kafka_consumer_close(rk), 0);
	rd_kafka_destroy(rk);

	list_offsets("g-events", "events", committed, 3);
	for (int p = 0; p < 3; p++) {
		assert_true(committed[p] >= 0);
		total += committed[p];
	}
	assert_int_equal(total, 30);
	desc = describe_group(&ev, "g-events");
	assert_int_equal(rd_kafka_ConsumerGroupDescription_state(desc), RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
	assert_int_equal(rd_kafka_ConsumerGroupDescription_member_count(desc), 0);
	rd_kafka_event_destroy(ev);
	assert_int_equal(delete_group("g-events"), 0);
	assert_int_equal(delete_group("g-events"), RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
	desc = describe_group(&ev, "g-events");
	assert_int_equal(rd_kafka_ConsumerGroupDescription_state(desc), RD_KAFKA_CONSUMER_GROUP_STATE_DEAD);
	rd_kafka_event_destroy(ev);
}

static void test_group_offsets_admin_round_trip(void **state)
{
	static const int64_t offsets[] = {5, 7};
	int64_t read_back[2];
	rd_kafka_queue_t *queue = NULL;
	rd_kafka_topic_partition_list_t *parts = NULL;
	rd_kafka_DeleteConsumerGroupOffsets_t *del = NULL;
	rd_kafka_event_t *ev = NULL;

	(void)state;
	create_topic("ledger", 2, 2, NULL);
	assert_int_equal(alter_offsets("g-admin", "ledger", offsets, 2), 0);
	list_offsets("g-admin", "ledger", read_back, 2);
	assert_int_equal(read_back[0], 5);
	assert_int_equal(read_back[1], 7);
	assert_true(group_listed("g-admin"));

	queue = rd_kafka_queue_new(admin);
	parts = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(parts, "ledger", 0);
	del = rd_kafka_DeleteConsumerGroupOffsets_new("g-admin", parts);
	rd_kafka_DeleteConsumerGroupOffsets(admin, &del, 1, NULL, queue);
	ev = wait_result(queue, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	rd_kafka_event_destroy(ev);
	rd_kafka_DeleteConsumerGroupOffsets_destroy(del);
	rd_kafka_topic_partition_list_destroy(parts);
	rd_kafka_queue_destroy(queue);

	list_offsets("g-admin", "ledger", read_back, 2);
	assert_int_equal(read_back[0], RD_KAFKA_OFFSET_INVALID);
	assert_int_equal(read_back[1], 7);
	assert_int_equal(delete_group("g-admin"), 0);
	assert_false(group_listed("g-admin"));
}

static void test_two_consumers_share_partitions(void **state)
{
	bool seen[12] = {false};
	rd_kafka_t *a = NULL;
	rd_kafka_t *b = NULL;
	rd_kafka_topic_partition_list_t *assigned_a = NULL;
	rd_kafka_topic_partition_list_t *assigned_b = NULL;
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConsumerGroupDescription_t *desc = NULL;
	int waited = 0;

	(void)state;
	create_topic("shared", 4, 2, NULL);
	assert_int_equal(produce("shared", 12, true, 0, NULL).ok, 12);
	a = consumer("g-shared", "shared");
	assert_true(consume(a, 12, seen, TIMEOUT_MS) > 0);
	b = consumer("g-shared", "shared");
	/* The second member triggers a rebalance; both keep polling until each holds partitions. */
	for (;;) {
		rd_kafka_message_t *msg = NULL;

		if ((msg = rd_kafka_consumer_poll(a, 50)))
			rd_kafka_message_destroy(msg);
		if ((msg = rd_kafka_consumer_poll(b, 50)))
			rd_kafka_message_destroy(msg);
		assert_int_equal(rd_kafka_assignment(a, &assigned_a), 0);
		assert_int_equal(rd_kafka_assignment(b, &assigned_b), 0);
		if (assigned_a->cnt + assigned_b->cnt == 4 && assigned_a->cnt > 0 && assigned_b->cnt > 0)
			break;
		rd_kafka_topic_partition_list_destroy(assigned_a);
		rd_kafka_topic_partition_list_destroy(assigned_b);
		waited += 100;
		assert_true(waited < TIMEOUT_MS);
	}
	assert_int_equal(assigned_a->cnt, 2);
	assert_int_equal(assigned_b->cnt, 2);
	rd_kafka_topic_partition_list_destroy(assigned_a);
	rd_kafka_topic_partition_list_destroy(assigned_b);
	desc = describe_group(&ev, "g-shared");
	assert_int_equal(rd_kafka_ConsumerGroupDescription_member_count(desc), 2);
	rd_kafka_event_destroy(ev);
	rd_kafka_consumer_close(b);
	rd_kafka_destroy(b);
	rd_kafka_consumer_close(a);
	rd_kafka_destroy(a);
}

static void test_session_expiry(void **state)
{
	bool seen[3] = {false};
	rd_kafka_t *rk = NULL;
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConsumerGroupDescription_t *desc = NULL;
	int state_now = -1;

	(void)state;
	create_topic("expiring", 1, 1, NULL);
	assert_int_equal(produce("expiring", 3, true, 0, NULL).ok, 3);
	rk = consumer("g-expire", "expiring");
	assert_int_equal(consume(rk, 3, seen, TIMEOUT_MS), 3);
	/* Gone without LeaveGroup: the member stays until its 6 s session times out. */
	rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
	desc = describe_group(&ev, "g-expire");
	assert_int_equal(rd_kafka_ConsumerGroupDescription_member_count(desc), 1);
	rd_kafka_event_destroy(ev);
	for (int i = 0; i < 100; i++) {
		desc = describe_group(&ev, "g-expire");
		state_now = (int)rd_kafka_ConsumerGroupDescription_state(desc);
		rd_kafka_event_destroy(ev);
		if (state_now == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY)
			break;
		usleep(200 * 1000);
	}
	assert_int_equal(state_now, RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
}

static void test_watermarks_and_offsets_for_times(void **state)
{
	int64_t low = -1;
	int64_t high = -1;
	rd_kafka_topic_partition_list_t *times = NULL;

	(void)state;
	create_topic("timed", 1, 1, NULL);
	assert_int_equal(produce("timed", 5, true, 0, NULL).ok, 5);
	assert_int_equal(rd_kafka_query_watermark_offsets(admin, "timed", 0, &low, &high, TIMEOUT_MS), 0);
	assert_int_equal(low, 0);
	assert_int_equal(high, 5);
	times = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(times, "timed", 0)->offset = 0; /* timestamp 0: the first record */
	assert_int_equal(rd_kafka_offsets_for_times(admin, times, TIMEOUT_MS), 0);
	assert_int_equal(times->elems[0].err, 0);
	assert_int_equal(times->elems[0].offset, 0);
	times->elems[0].offset = INT64_MAX / 2; /* far future: none, so the end */
	assert_int_equal(rd_kafka_offsets_for_times(admin, times, TIMEOUT_MS), 0);
	assert_int_equal(times->elems[0].offset, -1);
	rd_kafka_topic_partition_list_destroy(times);
}

static void test_log_append_time(void **state)
{
	static const char *const configs[] = {"message.timestamp.type", "LogAppendTime", NULL};
	const char *const settings[] = {"group.id", "g-time", "auto.offset.reset", "earliest", NULL};
	rd_kafka_t *rk = NULL;
	rd_kafka_topic_partition_list_t *parts = NULL;
	rd_kafka_message_t *msg = NULL;
	rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
	int waited = 0;

	(void)state;
	create_topic("appended", 1, 1, configs);
	assert_int_equal(produce("appended", 1, true, 0, NULL).ok, 1);
	rk = client(RD_KAFKA_CONSUMER, settings, NULL);
	parts = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(parts, "appended", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
	assert_int_equal(rd_kafka_assign(rk, parts), 0);
	rd_kafka_topic_partition_list_destroy(parts);
	while (!msg || msg->err) {
		if (msg)
			rd_kafka_message_destroy(msg);
		msg = rd_kafka_consumer_poll(rk, 100);
		waited += 100;
		assert_true(waited < TIMEOUT_MS);
	}
	assert_true(rd_kafka_message_timestamp(msg, &type) > 0);
	assert_int_equal(type, RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME);
	rd_kafka_message_destroy(msg);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
}

static void test_broker_record_checks(void **state)
{
	static const char *const small[] = {"max.message.bytes", "1000", NULL};
	static const char *const compacted[] = {"cleanup.policy", "compact", NULL};
	static const char *const no_retry[] = {"message.send.max.retries", "0", NULL};
	struct delivery d;

	(void)state;
	create_topic("small", 1, 1, small);
	d = produce("small", 1, true, 4000, no_retry);
	assert_int_equal(d.failed, 1);
	assert_int_equal(d.last_error, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
	create_topic("compacted", 1, 1, compacted);
	d = produce("compacted", 1, false, 0, no_retry);
	assert_int_equal(d.failed, 1);
	assert_int_equal(d.last_error, RD_KAFKA_RESP_ERR_INVALID_RECORD);
	d = produce("compacted", 2, true, 0, no_retry);
	assert_int_equal(d.ok, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_produce_consume_and_group_state),
	    cmocka_unit_test(test_group_offsets_admin_round_trip),
	    cmocka_unit_test(test_two_consumers_share_partitions),
	    cmocka_unit_test(test_session_expiry),
	    cmocka_unit_test(test_watermarks_and_offsets_for_times),
	    cmocka_unit_test(test_log_append_time),
	    cmocka_unit_test(test_broker_record_checks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
