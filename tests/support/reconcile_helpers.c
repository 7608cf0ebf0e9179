/*
 * The helpers of the reconcile integration tests (test_reconcile*.c), in kdrtestsupport:
 * see reconcile_helpers.h.
 */
#include "reconcile_helpers.h"

static bool raw_overrides_are(rd_kafka_t *rk, const char *topic, const char *const *expect);

int64_t rec_now_ms(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rec_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

struct rec *rec_start(const struct kdr_sandbox_cluster_spec *specs, size_t n)
{
	struct rec *rec = kdr_calloc(1, sizeof(*rec));

	if (kdr_testbed_acquire(&rec->bed, specs, n) != 0) {
		free(rec);
		fail_msg("%s", kdr_error_message());
	}
	rec->sandbox = kdr_testbed_sandbox(rec->bed);
	rec->timeout_ms = REC_TIMEOUT_MS;
	return rec;
}

bool rec_can(const struct rec *rec, enum kdr_testbed_cap cap)
{
	return rec->bed && kdr_testbed_can(cap);
}

void rec_stop(struct rec *rec)
{
	if (!rec)
		return;
	kdr_apply_report_release(&rec->report);
	kdr_plan_release(&rec->plan);
	kdr_live_release(&rec->live);
	kdr_desired_release(&rec->desired);
	kdr_reader_report_release(&rec->errors);
	kdr_strmap_release(&rec->watched);
	kdr_testbed_release(rec->bed);
	free(rec);
}

const char *rec_bootstrap(const struct rec *rec, const char *cluster)
{
	const char *bootstrap = kdr_testbed_bootstrap(rec->bed, cluster);

	assert_non_null(bootstrap);
	return bootstrap;
}

void rec_expand(struct kdr_buf *out, const struct rec *rec, const char *yaml)
{
	const char *p = yaml;

	while (*p) {
		const char *open = strstr(p, "${");
		const char *close = open ? strchr(open, '}') : NULL;
		char name[128] = "";

		if (!open || !close) {
			kdr_buf_puts(out, p);
			break;
		}
		assert_true((size_t)(close - open - 2) < sizeof(name));
		memcpy(name, open + 2, (size_t)(close - open - 2));
		kdr_buf_printf(out, "%.*s%s", (int)(open - p), p, rec_bootstrap(rec, name));
		p = close + 1;
	}
}

void rec_desire(struct rec *rec, const char *yaml)
{
	struct kdr_buf text = KDR_BUF_INIT;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = 0;

	rec_expand(&text, rec, yaml);
	kdr_desired_release(&rec->desired);
	memset(&rec->desired, 0, sizeof(rec->desired));
	rc = kdr_spec_parse_yaml(&rec->desired, "reconcile.yaml", text.ptr, text.len, &diags);
	if (rc == 0)
		rc = kdr_validate(&rec->desired, &diags);
	if (rc != 0 || diags.errors) {
		kdr_diags_print(&diags, stdout);
		printf("--- yaml:\n%s\n", text.ptr);
		kdr_diags_release(&diags);
		kdr_buf_release(&text);
		fail_msg("desired state rejected (rc %d)", rc);
	}
	kdr_diags_release(&diags);
	kdr_buf_release(&text);
}

static void rec_executor_options(const struct rec *rec, struct kdr_executor_options *out)
{
	memset(out, 0, sizeof(*out));
	out->timeout_ms = rec->timeout_ms;
	out->clusters = rec->clusters;
	out->n_clusters = rec->n_clusters;
}

void rec_reader_options(const struct rec *rec, struct kdr_reader_options *out)
{
	memset(out, 0, sizeof(*out));
	out->timeout_ms = rec->timeout_ms;
	out->clusters = rec->clusters;
	out->n_clusters = rec->n_clusters;
}

void rec_print_plan(const struct rec *rec)
{
	struct kdr_buf out = KDR_BUF_INIT;

	kdr_render_plan(&out, &rec->plan, &rec->desired, KDR_RENDER_TEXT);
	printf("--- plan:\n%s\n", out.ptr);
	kdr_buf_release(&out);
}

void rec_read(struct rec *rec)
{
	struct kdr_reader_options options = {0};
	int rc = 0;

	rec_reader_options(rec, &options);
	kdr_live_release(&rec->live);
	kdr_reader_report_release(&rec->errors);
	rc = kdr_reader_read(&rec->live, &rec->errors, &rec->desired, &options);
	for (size_t i = 0; i < rec->errors.messages.n; i++)
		printf("read error: %s\n", rec->errors.messages.v[i]);
	assert_int_equal(rc, 0);
	assert_int_equal(rec->errors.messages.n, 0);
}

void rec_plan(struct rec *rec, bool allow_delete)
{
	struct kdr_plan_options options = {0};

	options.allow_delete = allow_delete;
	options.clusters = rec->clusters;
	options.n_clusters = rec->n_clusters;
	rec_read(rec);
	kdr_plan_release(&rec->plan);
	assert_int_equal(kdr_plan_compute(&rec->plan, &rec->desired, &rec->live, &options), 0);
}

int rec_apply(struct rec *rec)
{
	struct kdr_executor_options options = {0};

	rec_executor_options(rec, &options);
	kdr_apply_report_release(&rec->report);
	return kdr_executor_apply(&rec->report, &rec->plan, &rec->desired, &options);
}

void rec_apply_ok(struct rec *rec)
{
	int rc = rec_apply(rec);

	if (rc != 0 || rec->report.failed) {
		rec_print_plan(rec);
		for (size_t i = 0; i < rec->report.n; i++)
			if (rec->report.results[i].code)
				printf("failed: %s\n", rec->report.results[i].message);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(rec->report.failed, 0);
	assert_int_equal(rec->report.succeeded, rec->plan.n_actions);
	rec_settle(rec);
}

void rec_settle(const struct rec *rec)
{
	if (rec->sandbox)
		return;
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		const struct kdr_action *action = &rec->plan.actions[i];
		rd_kafka_t *rk = NULL;
		const struct rd_kafka_metadata *md = NULL;
		const rd_kafka_metadata_topic_t *mt = NULL;
		int64_t deadline = rec_now_ms() + REC_SETTLE_MS;

		if (action->kind != KDR_ACTION_CREATE_TOPIC && action->kind != KDR_ACTION_ADD_PARTITIONS &&
		    action->kind != KDR_ACTION_DELETE_TOPIC)
			continue;
		rk = raw_client(rec, action->cluster);
		if (action->kind == KDR_ACTION_DELETE_TOPIC) {
			raw_topic_absent(rk, action->resource);
		} else {
			mt = raw_topic(rk, &md, action->resource);
			while (mt && mt->partition_cnt != action->partitions && rec_now_ms() < deadline) {
				rd_kafka_metadata_destroy(md);
				rec_sleep_ms(100);
				mt = raw_topic(rk, &md, action->resource);
			}
			rd_kafka_metadata_destroy(md);
		}
		rd_kafka_destroy(rk);
	}
	rec_sleep_ms(500);
}

void rec_assert_plan_empty(const struct rec *rec)
{
	if (!kdr_plan_is_empty(&rec->plan))
		rec_print_plan(rec);
	assert_int_equal(rec->plan.n_actions, 0);
	assert_int_equal(rec->plan.n_blocked, 0);
}

size_t rec_count_actions(const struct rec *rec, enum kdr_action_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < rec->plan.n_actions; i++)
		n += rec->plan.actions[i].kind == kind;
	return n;
}

const struct kdr_action *rec_action(const struct rec *rec, enum kdr_action_kind kind, const char *cluster,
				    const char *topic, size_t *index)
{
	for (size_t i = 0; i < rec->plan.n_actions; i++) {
		const struct kdr_action *action = &rec->plan.actions[i];

		if (action->kind == kind && strcmp(action->cluster, cluster) == 0 &&
		    strcmp(action->resource, topic) == 0) {
			if (index)
				*index = i;
			return action;
		}
	}
	rec_print_plan(rec);
	fail_msg("no %s action for %s/%s", kdr_action_kind_name(kind), cluster, topic);
	return NULL;
}

const struct kdr_blocked *rec_blocked(const struct rec *rec, const char *cluster, const char *topic)
{
	for (size_t i = 0; i < rec->plan.n_blocked; i++)
		if (strcmp(rec->plan.blocked[i].cluster, cluster) == 0 && rec->plan.blocked[i].resource &&
		    strcmp(rec->plan.blocked[i].resource, topic) == 0)
			return &rec->plan.blocked[i];
	rec_print_plan(rec);
	fail_msg("nothing blocked for %s/%s", cluster, topic);
	return NULL;
}

const struct kdr_note *rec_note(const struct rec *rec, enum kdr_note_kind kind, const char *cluster, const char *topic,
				const char *prefix)
{
	for (size_t i = 0; i < rec->plan.n_notes; i++) {
		const struct kdr_note *note = &rec->plan.notes[i];

		if (note->kind == kind && note->cluster && strcmp(note->cluster, cluster) == 0 && note->resource &&
		    strcmp(note->resource, topic) == 0 && strncmp(note->message, prefix, strlen(prefix)) == 0)
			return note;
	}
	return NULL;
}

rd_kafka_t *raw_client(const struct rec *rec, const char *cluster)
{
	char errstr[256] = "";
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk = NULL;

	assert_int_equal(
	    rd_kafka_conf_set(conf, "bootstrap.servers", rec_bootstrap(rec, cluster), errstr, sizeof(errstr)),
	    RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "client.id", "independent-check", errstr, sizeof(errstr)),
			 RD_KAFKA_CONF_OK);
	/* Brokers taken down on purpose are no news. */
	assert_int_equal(rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)), RD_KAFKA_CONF_OK);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	assert_non_null(rk);
	return rk;
}

const rd_kafka_metadata_topic_t *raw_topic_now(rd_kafka_t *rk, const struct rd_kafka_metadata **md, const char *topic)
{
	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, md, REC_TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
	for (int i = 0; i < (*md)->topic_cnt; i++)
		if (strcmp((*md)->topics[i].topic, topic) == 0)
			return &(*md)->topics[i];
	return NULL;
}

/* Listed without error, every partition with a leader. */
static bool raw_topic_settled(const rd_kafka_metadata_topic_t *mt)
{
	if (!mt || mt->err)
		return false;
	for (int p = 0; p < mt->partition_cnt; p++)
		if (mt->partitions[p].leader < 0)
			return false;
	return true;
}

const rd_kafka_metadata_topic_t *raw_topic(rd_kafka_t *rk, const struct rd_kafka_metadata **md, const char *topic)
{
	int64_t deadline = rec_now_ms() + REC_SETTLE_MS;
	const rd_kafka_metadata_topic_t *mt = raw_topic_now(rk, md, topic);

	while (!raw_topic_settled(mt) && rec_now_ms() < deadline) {
		rd_kafka_metadata_destroy(*md);
		rec_sleep_ms(100);
		mt = raw_topic_now(rk, md, topic);
	}
	return mt;
}

bool raw_topic_present(rd_kafka_t *rk, const char *topic)
{
	const struct rd_kafka_metadata *md = NULL;
	bool exists = raw_topic(rk, &md, topic) != NULL;

	rd_kafka_metadata_destroy(md);
	return exists;
}

bool raw_topic_absent(rd_kafka_t *rk, const char *topic)
{
	int64_t deadline = rec_now_ms() + REC_SETTLE_MS;

	for (;;) {
		const struct rd_kafka_metadata *md = NULL;
		bool listed = raw_topic_now(rk, &md, topic) != NULL;

		rd_kafka_metadata_destroy(md);
		if (!listed)
			return true;
		if (rec_now_ms() > deadline)
			return false;
		rec_sleep_ms(100);
	}
}

int raw_partition_count(rd_kafka_t *rk, const char *topic)
{
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *mt = raw_topic(rk, &md, topic);
	int n = mt ? mt->partition_cnt : -1;

	rd_kafka_metadata_destroy(md);
	return n;
}

void raw_assert_assignment(rd_kafka_t *rk, const char *topic, size_t total, size_t first,
			   const struct kdr_assignment *expect, bool check_leaders)
{
	const struct rd_kafka_metadata *md = NULL;
	const rd_kafka_metadata_topic_t *mt = raw_topic(rk, &md, topic);
	int64_t deadline = rec_now_ms() + REC_SETTLE_MS;
	size_t seen = 0;

	/* New partitions reach every broker's metadata a moment after the controller took them. */
	while (mt && (size_t)mt->partition_cnt != total && rec_now_ms() < deadline) {
		rd_kafka_metadata_destroy(md);
		rec_sleep_ms(100);
		mt = raw_topic(rk, &md, topic);
	}
	assert_non_null(mt);
	assert_int_equal(mt->err, 0);
	assert_int_equal(mt->partition_cnt, total);
	for (int i = 0; i < mt->partition_cnt; i++) {
		const rd_kafka_metadata_partition_t *mp = &mt->partitions[i];
		const struct kdr_replica_list *want = NULL;

		if ((size_t)mp->id < first || (size_t)mp->id >= first + expect->n)
			continue;
		want = &expect->partitions[(size_t)mp->id - first];
		assert_int_equal(mp->replica_cnt, want->n);
		for (int r = 0; r < mp->replica_cnt; r++)
			assert_int_equal(mp->replicas[r], want->ids[r]);
		if (check_leaders)
			assert_int_equal(mp->leader, want->ids[0]);
		seen++;
	}
	assert_int_equal(seen, expect->n);
	rd_kafka_metadata_destroy(md);
}

void raw_create_topic(rd_kafka_t *rk, const char *topic, int partitions, int rf)
{
	char errstr[256] = "";
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, rf, errstr, sizeof(errstr));
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_topic_result_t **results = NULL;
	size_t count = 0;

	assert_non_null(nt);
	rd_kafka_CreateTopics(rk, &nt, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, REC_TIMEOUT_MS * 2);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &count);
	assert_int_equal(count, 1);
	if (rd_kafka_topic_result_error(results[0]))
		fail_msg("creating '%s': %s", topic, rd_kafka_topic_result_error_string(results[0]));
	rd_kafka_event_destroy(ev);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(queue);
	/* Visible (with leaders) before kdr is asked to notice it. */
	if (!raw_topic_present(rk, topic))
		fail_msg("created '%s' out of band, but Metadata does not list it after %d ms", topic, REC_SETTLE_MS);
}

/*
 * Waits (bounded) until the independent client describes exactly the `n`
 * pairs of `kv` as the topic's overrides: a change made out of band must be
 * visible before kdr is asked to notice it (a KRaft broker applies what the
 * controller took a moment later).
 */
static void raw_wait_overrides(rd_kafka_t *rk, const char *topic, const char *const *kv, size_t n)
{
	const char **expect = kdr_calloc(2 * n + 1, sizeof(*expect));
	int64_t deadline = rec_now_ms() + REC_SETTLE_MS;

	for (size_t i = 0; i < 2 * n; i++)
		expect[i] = kv[i];
	while (!raw_overrides_are(rk, topic, expect)) {
		if (rec_now_ms() > deadline)
			fail_msg("topic '%s': the out-of-band configs are not described after %d ms", topic, REC_SETTLE_MS);
		rec_sleep_ms(100);
	}
	free(expect);
}

void raw_alter_configs(rd_kafka_t *rk, const char *topic, const char *const *kv, size_t n)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(rd_kafka_ConfigResource_set_config(resource, kv[2 * i], kv[2 * i + 1]), 0);
	rd_kafka_AlterConfigs(rk, &resource, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, REC_TIMEOUT_MS * 2);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	resources = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &count);
	assert_int_equal(count, 1);
	assert_int_equal(rd_kafka_ConfigResource_error(resources[0]), 0);
	rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(resource);
	rd_kafka_queue_destroy(queue);
	raw_wait_overrides(rk, topic, kv, n);
}

/*
 * DescribeConfigs of one topic by the independent client: `values` gets
 * every config (name -> value, "(null)" for null), `sources` name -> Kafka's
 * source name ("DYNAMIC_TOPIC_CONFIG", "DEFAULT_CONFIG", ...). Returns the
 * resource's error (0: described); a failed request fails the test.
 */
static rd_kafka_resp_err_t raw_try_describe_configs(struct kdr_strmap *values, struct kdr_strmap *sources,
						    rd_kafka_t *rk, const char *topic)
{
	rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
	rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
	rd_kafka_event_t *ev = NULL;
	const rd_kafka_ConfigResource_t **resources = NULL;
	const rd_kafka_ConfigEntry_t **entries = NULL;
	size_t count = 0, n_entries = 0;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

	rd_kafka_DescribeConfigs(rk, &resource, 1, NULL, queue);
	ev = rd_kafka_queue_poll(queue, REC_TIMEOUT_MS * 2);
	assert_non_null(ev);
	assert_int_equal(rd_kafka_event_error(ev), 0);
	resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &count);
	assert_int_equal(count, 1);
	err = rd_kafka_ConfigResource_error(resources[0]);
	entries = err ? NULL : rd_kafka_ConfigResource_configs(resources[0], &n_entries);
	for (size_t i = 0; i < n_entries; i++) {
		const char *value = rd_kafka_ConfigEntry_value(entries[i]);

		kdr_strmap_set(values, rd_kafka_ConfigEntry_name(entries[i]), value ? value : "(null)");
		kdr_strmap_set(sources, rd_kafka_ConfigEntry_name(entries[i]),
			       rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(entries[i])));
	}
	rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(resource);
	rd_kafka_queue_destroy(queue);
	return err;
}

static void raw_describe_configs(struct kdr_strmap *values, struct kdr_strmap *sources, rd_kafka_t *rk,
				 const char *topic)
{
	assert_int_equal(raw_try_describe_configs(values, sources, rk, topic), 0);
}

/*
 * The topic's dynamic overrides on the broker side are exactly `expect`
 * (key -> value, NULL-terminated pairs): no key more, no key less.
 */
static bool raw_overrides_are(rd_kafka_t *rk, const char *topic, const char *const *expect)
{
	struct kdr_strmap values = KDR_STRMAP_INIT, sources = KDR_STRMAP_INIT;
	size_t n_expect = 0, n_dynamic = 0;
	bool same = raw_try_describe_configs(&values, &sources, rk, topic) == 0;

	for (; expect[2 * n_expect]; n_expect++) {
		const char *key = expect[2 * n_expect];

		same = same && kdr_strmap_get(&values, key) &&
		       strcmp(kdr_strmap_get(&values, key), expect[2 * n_expect + 1]) == 0 &&
		       strcmp(kdr_strmap_get(&sources, key), "DYNAMIC_TOPIC_CONFIG") == 0;
	}
	for (size_t i = 0; i < sources.n; i++)
		n_dynamic += strcmp(sources.v[i].value, "DYNAMIC_TOPIC_CONFIG") == 0;
	kdr_strmap_release(&values);
	kdr_strmap_release(&sources);
	return same && n_dynamic == n_expect;
}

void raw_assert_overrides(rd_kafka_t *rk, const char *topic, const char *const *expect)
{
	struct kdr_strmap values = KDR_STRMAP_INIT, sources = KDR_STRMAP_INIT;
	size_t n_expect = 0, n_dynamic = 0;
	int64_t deadline = rec_now_ms() + REC_SETTLE_MS;

	/* A broker that is not the controller serves a config change a moment later: ask again until then. */
	while (!raw_overrides_are(rk, topic, expect) && rec_now_ms() < deadline)
		rec_sleep_ms(100);
	raw_describe_configs(&values, &sources, rk, topic);
	for (; expect[2 * n_expect]; n_expect++) {
		const char *key = expect[2 * n_expect];

		if (!kdr_strmap_get(&values, key))
			fail_msg("topic '%s': no config '%s'", topic, key);
		assert_string_equal(kdr_strmap_get(&values, key), expect[2 * n_expect + 1]);
		assert_string_equal(kdr_strmap_get(&sources, key), "DYNAMIC_TOPIC_CONFIG");
	}
	for (size_t i = 0; i < sources.n; i++)
		if (strcmp(sources.v[i].value, "DYNAMIC_TOPIC_CONFIG") == 0)
			n_dynamic++;
	if (n_dynamic != n_expect) {
		for (size_t i = 0; i < sources.n; i++)
			if (strcmp(sources.v[i].value, "DYNAMIC_TOPIC_CONFIG") == 0)
				printf("override %s=%s\n", sources.v[i].key, kdr_strmap_get(&values, sources.v[i].key));
	}
	assert_int_equal(n_dynamic, n_expect);
	kdr_strmap_release(&values);
	kdr_strmap_release(&sources);
}

/*
 * An independent snapshot of what a mutating admin request could change on
 * the cluster: every topic with its replica lists and every config (value
 * and source), and each broker's dynamic configs; sorted text into `out`.
 */
static void raw_snapshot(struct kdr_buf *out, const struct rec *rec, const char *cluster)
{
	rd_kafka_t *rk = raw_client(rec, cluster);
	const struct rd_kafka_metadata *md = NULL;
	struct kdr_strmap topics = KDR_STRMAP_INIT; /* name -> its lines */

	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, REC_TIMEOUT_MS), RD_KAFKA_RESP_ERR_NO_ERROR);
	for (int t = 0; t < md->topic_cnt; t++) {
		const rd_kafka_metadata_topic_t *mt = &md->topics[t];
		struct kdr_strmap values = KDR_STRMAP_INIT, sources = KDR_STRMAP_INIT;
		struct kdr_buf text = KDR_BUF_INIT;

		kdr_buf_printf(&text, "topic %s partitions %d\n", mt->topic, mt->partition_cnt);
		for (int id = 0; id < mt->partition_cnt; id++)
			for (int p = 0; p < mt->partition_cnt; p++) {
				if (mt->partitions[p].id != id)
					continue;
				kdr_buf_printf(&text, "topic %s partition %d replicas", mt->topic, id);
				for (int r = 0; r < mt->partitions[p].replica_cnt; r++)
					kdr_buf_printf(&text, " %d", (int)mt->partitions[p].replicas[r]);
				kdr_buf_puts(&text, "\n");
			}
		kdr_buf_printf(&text, "topic %s describe: %s\n", mt->topic,
			       rd_kafka_err2name(raw_try_describe_configs(&values, &sources, rk, mt->topic)));
		for (size_t i = 0; i < values.n; i++)
			kdr_buf_printf(&text, "topic %s config %s=%s (%s)\n", mt->topic, values.v[i].key,
				       values.v[i].value, kdr_strmap_get(&sources, values.v[i].key));
		kdr_strmap_set(&topics, mt->topic, text.ptr);
		kdr_buf_release(&text);
		kdr_strmap_release(&values);
		kdr_strmap_release(&sources);
	}
	for (size_t i = 0; i < topics.n; i++)
		kdr_buf_puts(out, topics.v[i].value);
	for (int b = 0; b < md->broker_cnt; b++) {
		char name[16] = "";
		rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
		rd_kafka_ConfigResource_t *resource = NULL;
		rd_kafka_event_t *ev = NULL;
		const rd_kafka_ConfigResource_t **resources = NULL;
		const rd_kafka_ConfigEntry_t **entries = NULL;
		size_t count = 0, n_entries = 0;
		struct kdr_strmap dynamic = KDR_STRMAP_INIT;

		snprintf(name, sizeof(name), "%d", (int)md->brokers[b].id);
		resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, name);
		rd_kafka_DescribeConfigs(rk, &resource, 1, NULL, queue);
		ev = rd_kafka_queue_poll(queue, REC_TIMEOUT_MS * 2);
		assert_non_null(ev);
		assert_int_equal(rd_kafka_event_error(ev), 0);
		resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &count);
		assert_int_equal(count, 1);
		assert_int_equal(rd_kafka_ConfigResource_error(resources[0]), 0);
		entries = rd_kafka_ConfigResource_configs(resources[0], &n_entries);
		for (size_t e = 0; e < n_entries; e++) {
			rd_kafka_ConfigSource_t source = rd_kafka_ConfigEntry_source(entries[e]);
			const char *value = rd_kafka_ConfigEntry_value(entries[e]);

			if (source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG ||
			    source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG)
				kdr_strmap_set(&dynamic, rd_kafka_ConfigEntry_name(entries[e]), value ? value : "(null)");
		}
		for (size_t i = 0; i < dynamic.n; i++)
			kdr_buf_printf(out, "broker %s %s=%s\n", name, dynamic.v[i].key, dynamic.v[i].value);
		kdr_strmap_release(&dynamic);
		rd_kafka_event_destroy(ev);
		rd_kafka_ConfigResource_destroy(resource);
		rd_kafka_queue_destroy(queue);
	}
	kdr_strmap_release(&topics);
	rd_kafka_metadata_destroy(md);
	rd_kafka_destroy(rk);
}

/* Prints the lines of `a` that `b` lacks, each after `mark`. */
static void rec_print_missing_lines(const char *mark, const char *a, const char *b)
{
	const char *line = a;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = b;
		bool found = false;

		while (!found && *p) {
			const char *pe = strchr(p, '\n');
			size_t plen = pe ? (size_t)(pe - p) : strlen(p);

			found = plen == len && memcmp(p, line, len) == 0;
			p += plen + (pe ? 1 : 0);
		}
		if (!found)
			printf("%s%.*s\n", mark, (int)len, line);
		line += len + (end ? 1 : 0);
	}
}

void rec_watch(struct rec *rec, const char *cluster)
{
	struct kdr_buf snapshot = KDR_BUF_INIT;

	raw_snapshot(&snapshot, rec, cluster);
	kdr_strmap_set(&rec->watched, cluster, snapshot.ptr ? snapshot.ptr : "");
	kdr_buf_release(&snapshot);
	if (rec->sandbox)
		kdr_sandbox_reset_counters(rec->sandbox, cluster);
}

void rec_assert_untouched(struct rec *rec, const char *cluster)
{
	struct kdr_buf snapshot = KDR_BUF_INIT;
	const char *before = kdr_strmap_get(&rec->watched, cluster);

	assert_non_null(before);
	if (rec->sandbox)
		assert_int_equal(kdr_sandbox_mutating_count(rec->sandbox, cluster), 0);
	raw_snapshot(&snapshot, rec, cluster);
	if (strcmp(before, snapshot.ptr ? snapshot.ptr : "") != 0) {
		printf("--- cluster '%s' changed (- before, + after):\n", cluster);
		rec_print_missing_lines("- ", before, snapshot.ptr ? snapshot.ptr : "");
		rec_print_missing_lines("+ ", snapshot.ptr ? snapshot.ptr : "", before);
		fail_msg("cluster '%s' changed", cluster);
	}
	kdr_buf_release(&snapshot);
}

json_t *kcat_metadata(const struct rec *rec, const char *cluster)
{
	char command[1024] = "";
	struct kdr_buf out = KDR_BUF_INIT;
	char chunk[4096] = "";
	size_t n = 0;
	FILE *pipe = NULL;
	json_error_t error = {0};
	json_t *root = NULL;

	/* Bounded: a kcat that cannot reach a broker must not hang the test. */
	snprintf(command, sizeof(command), "timeout 30 kcat -L -J -m 10 -b '%s' 2>/dev/null",
		 rec_bootstrap(rec, cluster));
	pipe = popen(command, "r");
	assert_non_null(pipe);
	while ((n = fread(chunk, 1, sizeof(chunk), pipe)) > 0)
		kdr_buf_printf(&out, "%.*s", (int)n, chunk);
	assert_int_equal(pclose(pipe), 0);
	root = json_loads(out.ptr, 0, &error);
	if (!root)
		fail_msg("kcat output is not JSON (%s): %s", error.text, out.ptr);
	kdr_buf_release(&out);
	return root;
}

static json_t *kcat_topic(json_t *root, const char *topic)
{
	json_t *topics = json_object_get(root, "topics");
	size_t i = 0;
	json_t *t = NULL;

	json_array_foreach(topics, i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "topic")), topic) == 0)
			return t;
	}
	return NULL;
}

void kcat_assert_assignment(json_t *root, const char *topic, size_t total, size_t first,
			    const struct kdr_assignment *expect, bool check_leaders)
{
	json_t *t = kcat_topic(root, topic);
	json_t *partitions = json_object_get(t, "partitions");
	json_t *p = NULL;
	size_t i = 0, seen = 0;

	assert_non_null(t);
	assert_null(json_object_get(t, "error"));
	assert_int_equal(json_array_size(partitions), total);
	json_array_foreach(partitions, i, p)
	{
		size_t id = (size_t)json_integer_value(json_object_get(p, "partition"));
		json_t *replicas = json_object_get(p, "replicas");
		const struct kdr_replica_list *want = NULL;

		if (id < first || id >= first + expect->n)
			continue;
		want = &expect->partitions[id - first];
		assert_int_equal(json_array_size(replicas), want->n);
		for (size_t r = 0; r < want->n; r++)
			assert_int_equal(json_integer_value(json_object_get(json_array_get(replicas, r), "id")),
					 want->ids[r]);
		if (check_leaders)
			assert_int_equal(json_integer_value(json_object_get(p, "leader")), want->ids[0]);
		seen++;
	}
	assert_int_equal(seen, expect->n);
}

const char *spec_rack(const struct kdr_sandbox_cluster_spec *spec, int32_t broker)
{
	assert_true(broker >= 1 && broker <= spec->brokers);
	return spec->racks[(size_t)(broker - 1) % spec->n_racks];
}
