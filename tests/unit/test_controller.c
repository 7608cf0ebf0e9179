/* pkg/controller: backoff arithmetic, the metrics exposition, the log line formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "controller/controller.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* --- backoff --- */

static void test_backoff_doubles_from_base_and_caps(void **state)
{
	struct kdr_controller_backoff_policy policy = KDR_CONTROLLER_BACKOFF_POLICY_INIT;
	static const int64_t want[] = { 0, 5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000, 300000 };

	(void)state;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(kdr_controller_backoff_delay(&policy, i), want[i]);
	/* However long the outage, the delay stays at the cap (no overflow). */
	assert_int_equal(kdr_controller_backoff_delay(&policy, 64), 300000);
	assert_int_equal(kdr_controller_backoff_delay(&policy, UINT32_MAX), 300000);
	policy.base_ms = 7;
	policy.max_ms = INT64_MAX;
	assert_int_equal(kdr_controller_backoff_delay(&policy, 3), 28);
	assert_true(kdr_controller_backoff_delay(&policy, 200) > 0);
	/* A cap below the base is the cap. */
	policy.base_ms = 1000;
	policy.max_ms = 500;
	assert_int_equal(kdr_controller_backoff_delay(&policy, 1), 500);
}

static void test_jitter_stays_within_bounds_and_spreads(void **state)
{
	struct kdr_rng rng;
	int64_t lo = INT64_MAX, hi = 0;

	(void)state;
	kdr_rng_seed(&rng, 42);
	for (int i = 0; i < 20000; i++) {
		int64_t v = kdr_controller_jitter(&rng, 60000, 10);

		assert_true(v >= 54000 && v <= 66000);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	/* Uniform over the whole +-10%: both ends are reached closely. */
	assert_true(lo < 54300);
	assert_true(hi > 65700);
	assert_int_equal(kdr_controller_jitter(&rng, 60000, 0), 60000);
	assert_int_equal(kdr_controller_jitter(&rng, 0, 10), 0);
	assert_int_equal(kdr_controller_jitter(&rng, 5, 10), 5); /* too small to move */
	for (int i = 0; i < 1000; i++) {
		int64_t v = kdr_controller_jitter(&rng, 1000, 250); /* capped at 100% */

		assert_true(v >= 0 && v <= 2000);
	}
	/* Huge values do not overflow. */
	assert_true(kdr_controller_jitter(&rng, INT64_MAX / 2, 10) > INT64_MAX / 4);
}

static void test_backoff_fail_sets_jittered_deadline_and_reset_clears(void **state)
{
	struct kdr_controller_backoff_policy policy = KDR_CONTROLLER_BACKOFF_POLICY_INIT;
	struct kdr_controller_backoff backoff = { 0, 0, 0 };
	struct kdr_rng rng;
	int64_t now = 1000000;

	(void)state;
	kdr_rng_seed(&rng, 7);
	assert_false(kdr_controller_backoff_active(&backoff, now));
	for (unsigned i = 1; i <= 9; i++) {
		int64_t delay = kdr_controller_backoff_delay(&policy, i);

		kdr_controller_backoff_fail(&backoff, &policy, &rng, now);
		assert_int_equal(backoff.failures, i);
		assert_int_equal(backoff.delay_ms, delay);
		assert_true(backoff.not_before_ms >= now + delay - delay / 10);
		assert_true(backoff.not_before_ms <= now + delay + delay / 10);
		assert_true(kdr_controller_backoff_active(&backoff, now));
		assert_true(kdr_controller_backoff_active(&backoff, backoff.not_before_ms - 1));
		assert_false(kdr_controller_backoff_active(&backoff, backoff.not_before_ms));
	}
	assert_int_equal(backoff.delay_ms, 300000);
	kdr_controller_backoff_reset(&backoff);
	assert_int_equal(backoff.failures, 0);
	assert_int_equal(backoff.delay_ms, 0);
	assert_false(kdr_controller_backoff_active(&backoff, now));
	/* After a success the next failure starts from the base again. */
	kdr_controller_backoff_fail(&backoff, &policy, &rng, now);
	assert_int_equal(backoff.delay_ms, 5000);
}

/* --- metrics --- */

static void test_metrics_exposition_is_exact(void **state)
{
	struct kdr_controller_stats stats;
	struct kdr_buf out = KDR_BUF_INIT;
	static const char want[] =
		"# HELP kdr_reconcile_cycles_total Reconcile cycles run, by result.\n"
		"# TYPE kdr_reconcile_cycles_total counter\n"
		"kdr_reconcile_cycles_total{result=\"failure\"} 1\n"
		"kdr_reconcile_cycles_total{result=\"success\"} 3\n"
		"# HELP kdr_actions_total Plan actions by kind and result (dry-run: planned under --dry-run, never "
		"applied; held: not attempted, the connector delete it waits for failed; pending: applied, Connect did "
		"not report it within the timeout).\n"
		"# TYPE kdr_actions_total counter\n"
		"kdr_actions_total{kind=\"alter-configs\",result=\"failed\"} 1\n"
		"kdr_actions_total{kind=\"alter-configs\",result=\"succeeded\"} 4\n"
		"kdr_actions_total{kind=\"create-topic\",result=\"succeeded\"} 2\n"
		"kdr_actions_total{kind=\"delete-topic\",result=\"dry-run\"} 1\n"
		"kdr_actions_total{kind=\"delete-topic\",result=\"held\"} 2\n"
		"kdr_actions_total{kind=\"delete-topic\",result=\"skipped\"} 6\n"
		"kdr_actions_total{kind=\"resume-connector\",result=\"pending\"} 1\n"
		"kdr_actions_total{kind=\"resume-connector\",result=\"succeeded\"} 3\n"
		"# HELP kdr_errors_total Errors per cluster: failed reads, failed actions, plan-time errors.\n"
		"# TYPE kdr_errors_total counter\n"
		"kdr_errors_total{cluster=\"dc-east\"} 0\n"
		"kdr_errors_total{cluster=\"dc-west\"} 5\n"
		"# HELP kdr_source_errors_total Source checks that failed and revisions rejected as invalid (the last "
		"good desired state stays in use).\n"
		"# TYPE kdr_source_errors_total counter\n"
		"kdr_source_errors_total 2\n"
		"# HELP kdr_last_success_timestamp_seconds Unix time the last successful reconcile cycle ended (0: "
		"none yet).\n"
		"# TYPE kdr_last_success_timestamp_seconds gauge\n"
		"kdr_last_success_timestamp_seconds 1700000000.123\n"
		"# HELP kdr_last_cycle_duration_seconds Duration of the last reconcile cycle.\n"
		"# TYPE kdr_last_cycle_duration_seconds gauge\n"
		"kdr_last_cycle_duration_seconds 1.5\n"
		"# HELP kdr_info The desired-state revision last reconciled (a commit id, or a content hash of a "
		"directory).\n"
		"# TYPE kdr_info gauge\n"
		"kdr_info{revision=\"0123456789abcdef0123456789abcdef01234567\"} 1\n"
		"# HELP kdr_plan_actions Actions in the last plan.\n"
		"# TYPE kdr_plan_actions gauge\n"
		"kdr_plan_actions 7\n"
		"# HELP kdr_drift_items Differences left after the last cycle: actions not applied (all of them under "
		"--dry-run) plus blocked items.\n"
		"# TYPE kdr_drift_items gauge\n"
		"kdr_drift_items 3\n"
		"# HELP kdr_cluster_backoff_seconds Current backoff delay of a failing cluster (0: healthy).\n"
		"# TYPE kdr_cluster_backoff_seconds gauge\n"
		"kdr_cluster_backoff_seconds{cluster=\"dc-east\"} 0\n"
		"kdr_cluster_backoff_seconds{cluster=\"dc-west\"} 20\n";

	(void)state;
	memset(&stats, 0, sizeof(stats));
	stats.cycles_success = 3;
	stats.cycles_failure = 1;
	stats.actions[KDR_ACTION_CREATE_TOPIC][KDR_CONTROLLER_ACTION_SUCCEEDED] = 2;
	stats.actions[KDR_ACTION_ALTER_CONFIGS][KDR_CONTROLLER_ACTION_SUCCEEDED] = 4;
	stats.actions[KDR_ACTION_ALTER_CONFIGS][KDR_CONTROLLER_ACTION_FAILED] = 1;
	stats.actions[KDR_ACTION_DELETE_TOPIC][KDR_CONTROLLER_ACTION_DRY_RUN] = 1;
	stats.actions[KDR_ACTION_DELETE_TOPIC][KDR_CONTROLLER_ACTION_SKIPPED] = 6;
	stats.actions[KDR_ACTION_DELETE_TOPIC][KDR_CONTROLLER_ACTION_HELD] = 2;
	stats.actions[KDR_ACTION_RESUME_CONNECTOR][KDR_CONTROLLER_ACTION_PENDING] = 1;
	stats.actions[KDR_ACTION_RESUME_CONNECTOR][KDR_CONTROLLER_ACTION_SUCCEEDED] = 3;
	stats.source_errors_total = 2;
	/* Added out of order: the exposition is sorted by cluster name. */
	kdr_controller_stats_cluster(&stats, "dc-west")->errors_total = 5;
	kdr_controller_stats_cluster(&stats, "dc-west")->backoff_ms = 20000;
	kdr_controller_stats_cluster(&stats, "dc-east");
	assert_int_equal(stats.n_clusters, 2);
	stats.last_success_unix_ms = INT64_C(1700000000123);
	stats.last_cycle_duration_ms = 1500;
	stats.revision = kdr_strdup("0123456789abcdef0123456789abcdef01234567");
	stats.plan_actions = 7;
	stats.drift_items = 3;
	kdr_controller_metrics_render(&out, &stats);
	assert_string_equal(out.ptr, want);
	/* The same stats give the same bytes. */
	kdr_buf_reset(&out);
	kdr_controller_metrics_render(&out, &stats);
	assert_string_equal(out.ptr, want);
	kdr_buf_release(&out);
	kdr_controller_stats_release(&stats);
}

static void test_metrics_before_first_cycle(void **state)
{
	struct kdr_controller_stats stats;
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	memset(&stats, 0, sizeof(stats));
	kdr_controller_metrics_render(&out, &stats);
	assert_non_null(strstr(out.ptr, "kdr_reconcile_cycles_total{result=\"success\"} 0\n"));
	assert_non_null(strstr(out.ptr, "kdr_last_success_timestamp_seconds 0\n"));
	assert_non_null(strstr(out.ptr, "kdr_info{revision=\"\"} 1\n"));
	/* Families without series still have their HELP and TYPE. */
	assert_non_null(strstr(out.ptr, "# TYPE kdr_actions_total counter\n# HELP kdr_errors_total"));
	assert_non_null(strstr(out.ptr, "# TYPE kdr_cluster_backoff_seconds gauge\n"));
	assert_null(strstr(out.ptr, "kdr_cluster_backoff_seconds{"));
	kdr_buf_release(&out);
	kdr_controller_stats_release(&stats);
}

/* The flows' lag series: the figures when measured, bounded topics (the furthest behind), sorted labels. */
static void test_metrics_flow_lag_bounded(void **state)
{
	struct kdr_controller_stats stats;
	struct kdr_buf out = KDR_BUF_INIT, want = KDR_BUF_INIT;
	struct kdr_health_lag *lag = NULL;
	size_t topic_series = 0;
	const char *p = NULL;

	(void)state;
	memset(&stats, 0, sizeof(stats));
	stats.n_flow_lags = 2;
	stats.flow_lags = kdr_calloc(2, sizeof(*stats.flow_lags));
	stats.flow_lags[0].flow = kdr_strdup("east-to-west");
	stats.flow_lags[1].flow = kdr_strdup("west-to-east");
	stats.flow_lags[1].lag.error = kdr_strdup("flow 'west-to-east': 'dc-west' and 'dc-east' must both be readable");
	lag = &stats.flow_lags[0].lag;
	lag->measured = true;
	lag->records = -1; /* one topic unknown */
	lag->rpo_ms = -1;
	lag->heartbeat_age_ms = 1500;
	lag->measured_at_ms = 1796600000250;
	lag->n_topics = KDR_HEALTH_LAG_TOPICS + 5;
	lag->topics = kdr_calloc(lag->n_topics, sizeof(*lag->topics));
	for (size_t i = 0; i < lag->n_topics; i++) {
		lag->topics[i].topic = kdr_asprintf("t%02zu", i);
		lag->topics[i].records = (int64_t)i; /* t01..t05 are the least behind: left out */
		lag->topics[i].rpo_ms = (int64_t)i * 1000;
	}
	lag->topics[0].records = -1; /* unknown: worst, shown (its value is not) */
	kdr_controller_metrics_render(&out, &stats);
	assert_non_null(strstr(out.ptr, "kdr_flow_lag_measured{flow=\"east-to-west\"} 1\n"
					"kdr_flow_lag_measured{flow=\"west-to-east\"} 0\n"));
	/* When the figures were taken (kdr run --lag-interval serves them between measurements). */
	assert_non_null(strstr(out.ptr, "# TYPE kdr_flow_lag_measured_timestamp_seconds gauge\n"
					"kdr_flow_lag_measured_timestamp_seconds{flow=\"east-to-west\"} 1796600000.25\n"
					"# HELP kdr_flow_lag_records"));
	/* Unknown totals are left out, not faked. */
	assert_null(strstr(out.ptr, "kdr_flow_lag_records{"));
	assert_null(strstr(out.ptr, "kdr_flow_rpo_seconds{"));
	assert_non_null(strstr(out.ptr, "kdr_flow_heartbeat_age_seconds{flow=\"east-to-west\"} 1.5\n"));
	assert_null(strstr(out.ptr, "kdr_flow_heartbeat_age_seconds{flow=\"west-to-east\"}"));
	for (p = out.ptr; (p = strstr(p, "kdr_flow_topic_lag_records{")); p++)
		topic_series++;
	/* t00 (unknown) counts against the bound but has no value: 19 values of the 20 shown. */
	assert_int_equal(topic_series, KDR_HEALTH_LAG_TOPICS - 1);
	assert_null(strstr(out.ptr, "topic=\"t01\""));
	assert_null(strstr(out.ptr, "kdr_flow_topic_lag_records{flow=\"east-to-west\",topic=\"t00\"}"));
	assert_non_null(strstr(out.ptr, "kdr_flow_topic_rpo_seconds{flow=\"east-to-west\",topic=\"t00\"} 0\n"));
	kdr_buf_puts(&want, "kdr_flow_topic_lag_records{flow=\"east-to-west\",topic=\"t06\"} 6\n"
			    "kdr_flow_topic_lag_records{flow=\"east-to-west\",topic=\"t07\"} 7\n");
	assert_null(strstr(out.ptr, "topic=\"t05\""));
	assert_non_null(strstr(out.ptr, want.ptr));
	assert_non_null(strstr(out.ptr, "kdr_flow_topic_rpo_seconds{flow=\"east-to-west\",topic=\"t24\"} 24\n"));
	assert_non_null(strstr(out.ptr, "kdr_flow_lag_topics_omitted{flow=\"east-to-west\"} 5\n"
					"kdr_flow_lag_topics_omitted{flow=\"west-to-east\"} 0\n"));
	kdr_buf_release(&out);
	kdr_buf_release(&want);
	kdr_controller_stats_release(&stats);
}

static void test_metrics_escape_label_values(void **state)
{
	struct kdr_controller_stats stats;
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	kdr_controller_metrics_escape(&out, "a\\b\"c\nd\te");
	/* Only backslash, quote and newline are escaped in the 0.0.4 text format. */
	assert_string_equal(out.ptr, "a\\\\b\\\"c\\nd\te");
	kdr_buf_reset(&out);
	kdr_controller_metrics_escape(&out, NULL);
	assert_string_equal(out.ptr, "");

	memset(&stats, 0, sizeof(stats));
	stats.revision = kdr_strdup("rev \"x\"\\\n");
	kdr_controller_stats_cluster(&stats, "we\"ird\\name");
	kdr_controller_metrics_render(&out, &stats);
	assert_non_null(strstr(out.ptr, "\nkdr_info{revision=\"rev \\\"x\\\"\\\\\\n\"} 1\n"));
	assert_non_null(strstr(out.ptr, "\nkdr_errors_total{cluster=\"we\\\"ird\\\\name\"} 0\n"));
	assert_non_null(strstr(out.ptr, "\nkdr_cluster_backoff_seconds{cluster=\"we\\\"ird\\\\name\"} 0\n"));
	kdr_buf_release(&out);
	kdr_controller_stats_release(&stats);
}

static void test_metrics_seconds_formatting(void **state)
{
	struct kdr_controller_stats stats;
	struct kdr_buf out = KDR_BUF_INIT;
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "0" }, { 5000, "5" }, { 300000, "300" }, { 1500, "1.5" }, { 1050, "1.05" }, { 1234, "1.234" },
		{ 1, "0.001" }, { 999, "0.999" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[128];

		memset(&stats, 0, sizeof(stats));
		kdr_controller_stats_cluster(&stats, "c")->backoff_ms = cases[i].ms;
		kdr_buf_reset(&out);
		kdr_controller_metrics_render(&out, &stats);
		snprintf(want, sizeof(want), "\nkdr_cluster_backoff_seconds{cluster=\"c\"} %s\n", cases[i].text);
		if (!strstr(out.ptr, want))
			fail_msg("%lld ms: expected '%s' in:\n%s", (long long)cases[i].ms, want, out.ptr);
		kdr_controller_stats_release(&stats);
	}
	kdr_buf_release(&out);
}

/* --- logs --- */

static const struct kdr_controller_log_field sample_fields[] = {
	{ "cycle", "12", true },
	{ "revision", "abc123", false },
	{ "cluster", "dc-east", false },
	{ "error", "cluster 'dc-east': cannot reach \"broker\" 1\nretry", false },
	{ "empty", "", false },
	{ "expr", "a=b", false },
	{ "ok", "true", true },
	{ "missing", NULL, false },
};
#define N_SAMPLE (sizeof(sample_fields) / sizeof(sample_fields[0]))

/* 2023-11-14T22:13:20.123Z */
#define SAMPLE_TS INT64_C(1700000000123)

static void test_log_text_line_is_exact(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT;

	(void)state;
	kdr_controller_log_format_line(&out, KDR_CONTROLLER_LOG_TEXT, SAMPLE_TS, KDR_CONTROLLER_LOG_WARN,
				       "reconcile cycle finished", sample_fields, N_SAMPLE);
	assert_string_equal(out.ptr,
			    "2023-11-14T22:13:20.123Z warn reconcile cycle finished cycle=12 revision=abc123 "
			    "cluster=dc-east error=\"cluster 'dc-east': cannot reach \\\"broker\\\" 1\\nretry\" "
			    "empty=\"\" expr=\"a=b\" ok=true missing=\"\"\n");
	kdr_buf_reset(&out);
	/* A message that could be mistaken for a field is quoted. */
	kdr_controller_log_format_line(&out, KDR_CONTROLLER_LOG_TEXT, 0, KDR_CONTROLLER_LOG_INFO, "x=y", NULL, 0);
	assert_string_equal(out.ptr, "1970-01-01T00:00:00.000Z info \"x=y\"\n");
	kdr_buf_release(&out);
}

/* Reads a text line back: ts, level, msg (up to the first key=), then key=value pairs. */
static json_t *parse_text_line(const char *line)
{
	json_t *obj = json_object();
	const char *p = line;
	const char *end = line + strlen(line);
	struct kdr_buf msg = KDR_BUF_INIT;
	char *token = NULL;

	assert_true(end > line && end[-1] == '\n');
	end--;
	token = kdr_strndup(p, (size_t)(strchr(p, ' ') - p));
	json_object_set_new(obj, "ts", json_string(token));
	p += strlen(token) + 1;
	free(token);
	token = kdr_strndup(p, (size_t)(strchr(p, ' ') - p));
	json_object_set_new(obj, "level", json_string(token));
	p += strlen(token) + 1;
	free(token);
	while (p < end) {
		const char *space = NULL, *eq = NULL;
		size_t key_len = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
		char *key = NULL;

		if (*p == '"' || key_len == 0 || p[key_len] != '=') {
			/* Part of the message (quoted or plain words). */
			if (*p == '"') {
				json_error_t err;
				json_t *s =
				    json_loadb(p, (size_t)(end - p), JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &err);

				assert_non_null(s);
				kdr_buf_puts(&msg, json_string_value(s));
				p += err.position;
				json_decref(s);
			} else {
				space = memchr(p, ' ', (size_t)(end - p));
				if (!space)
					space = end;
				kdr_buf_printf(&msg, "%s%.*s", msg.len ? " " : "", (int)(space - p), p);
				p = space;
			}
			if (p < end && *p == ' ')
				p++;
			continue;
		}
		key = kdr_strndup(p, key_len);
		eq = p + key_len + 1;
		if (*eq == '"') {
			json_error_t err;
			json_t *s = json_loadb(eq, (size_t)(end - eq), JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &err);

			assert_non_null(s);
			json_object_set_new(obj, key, s);
			p = eq + err.position;
		} else {
			space = memchr(eq, ' ', (size_t)(end - eq));
			if (!space)
				space = end;
			json_object_set_new(obj, key, json_stringn(eq, (size_t)(space - eq)));
			p = space;
		}
		free(key);
		if (p < end && *p == ' ')
			p++;
	}
	json_object_set_new(obj, "msg", json_string(msg.ptr));
	kdr_buf_release(&msg);
	return obj;
}

static void test_log_text_line_reads_back(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT;
	json_t *obj = NULL;

	(void)state;
	kdr_controller_log_format_line(&out, KDR_CONTROLLER_LOG_TEXT, SAMPLE_TS, KDR_CONTROLLER_LOG_ERROR,
				       "action failed", sample_fields, N_SAMPLE);
	obj = parse_text_line(out.ptr);
	assert_string_equal(json_string_value(json_object_get(obj, "ts")), "2023-11-14T22:13:20.123Z");
	assert_string_equal(json_string_value(json_object_get(obj, "level")), "error");
	assert_string_equal(json_string_value(json_object_get(obj, "msg")), "action failed");
	assert_string_equal(json_string_value(json_object_get(obj, "cycle")), "12");
	assert_string_equal(json_string_value(json_object_get(obj, "error")),
			    "cluster 'dc-east': cannot reach \"broker\" 1\nretry");
	assert_string_equal(json_string_value(json_object_get(obj, "expr")), "a=b");
	assert_string_equal(json_string_value(json_object_get(obj, "empty")), "");
	json_decref(obj);
	kdr_buf_release(&out);
}

static void test_log_json_line_parses_with_types(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT;
	json_error_t err;
	json_t *obj = NULL;
	const char *key = NULL;
	json_t *value = NULL;
	static const char *const order[] = { "ts", "level", "msg", "cycle", "revision", "cluster", "error",
					     "empty", "expr", "ok", "missing" };
	size_t i = 0;

	(void)state;
	kdr_controller_log_format_line(&out, KDR_CONTROLLER_LOG_JSON, SAMPLE_TS, KDR_CONTROLLER_LOG_INFO,
				       "reconcile \"cycle\" finished", sample_fields, N_SAMPLE);
	/* One line, newline-terminated, nothing else. */
	assert_true(out.len > 0 && out.ptr[out.len - 1] == '\n');
	assert_null(memchr(out.ptr, '\n', out.len - 1));
	obj = json_loadb(out.ptr, out.len, JSON_PRESERVE_ORDER, &err);
	if (!obj)
		fail_msg("not JSON (%s): %s", err.text, out.ptr);
	assert_string_equal(json_string_value(json_object_get(obj, "ts")), "2023-11-14T22:13:20.123Z");
	assert_string_equal(json_string_value(json_object_get(obj, "level")), "info");
	assert_string_equal(json_string_value(json_object_get(obj, "msg")), "reconcile \"cycle\" finished");
	assert_true(json_is_integer(json_object_get(obj, "cycle")));
	assert_int_equal(json_integer_value(json_object_get(obj, "cycle")), 12);
	assert_true(json_is_true(json_object_get(obj, "ok")));
	assert_string_equal(json_string_value(json_object_get(obj, "error")),
			    "cluster 'dc-east': cannot reach \"broker\" 1\nretry");
	assert_string_equal(json_string_value(json_object_get(obj, "missing")), "");
	/* ts, level, msg first, then the fields in the order given. */
	json_object_foreach(obj, key, value)
	{
		(void)value;
		assert_true(i < sizeof(order) / sizeof(order[0]));
		assert_string_equal(key, order[i]);
		i++;
	}
	assert_int_equal(i, sizeof(order) / sizeof(order[0]));
	json_decref(obj);
	kdr_buf_release(&out);
}

static void test_log_format_parse(void **state)
{
	(void)state;
	assert_string_equal(kdr_controller_log_format_names[KDR_CONTROLLER_LOG_TEXT], "text");
	assert_string_equal(kdr_controller_log_format_names[KDR_CONTROLLER_LOG_JSON], "json");
	assert_null(kdr_controller_log_format_names[KDR_CONTROLLER_LOG_JSON + 1]);
	assert_string_equal(kdr_controller_log_level_name(KDR_CONTROLLER_LOG_WARN), "warn");
	assert_string_equal(kdr_controller_action_result_name(KDR_CONTROLLER_ACTION_DRY_RUN), "dry-run");
	assert_string_equal(kdr_controller_action_result_name(KDR_CONTROLLER_ACTION_HELD), "held");
	assert_string_equal(kdr_controller_action_result_name(KDR_CONTROLLER_ACTION_PENDING), "pending");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_from_base_and_caps),
		cmocka_unit_test(test_jitter_stays_within_bounds_and_spreads),
		cmocka_unit_test(test_backoff_fail_sets_jittered_deadline_and_reset_clears),
		cmocka_unit_test(test_metrics_exposition_is_exact),
		cmocka_unit_test(test_metrics_before_first_cycle),
		cmocka_unit_test(test_metrics_escape_label_values),
		cmocka_unit_test(test_metrics_seconds_formatting),
		cmocka_unit_test(test_metrics_flow_lag_bounded),
		cmocka_unit_test(test_log_text_line_is_exact),
		cmocka_unit_test(test_log_text_line_reads_back),
		cmocka_unit_test(test_log_json_line_parses_with_types),
		cmocka_unit_test(test_log_format_parse),
	};

	return cmocka_run_group_tests_name("controller", tests, NULL, NULL);
}
