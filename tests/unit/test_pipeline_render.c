/*
 * What the commands print of the pipeline: the load (load.c), the read stage (result.c, every
 * command's), plan/apply/status's run (reconcile.c) and an apply's results
 * (apply_text.c); pure, no backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/file.h"

/* One connector update Connect acted on, one it did not report within the timeout, one held delete. */
static void render(struct kdr_buf *out, struct kdr_buf *err, const char *command)
{
	static char cluster[] = "dc-conn", done[] = "mirror-hb", slow[] = "mirror-cp", topic[] = "orders";
	static char still[] = "connector 'mirror-cp' still shows tasks.max 2 after 2000 ms";
	static char held[] = "cluster 'dc-conn': held: connector 'x' could not be deleted";
	static struct kdr_action actions[] = {
		{ .kind = KDR_ACTION_UPDATE_CONNECTOR, .cluster = cluster, .resource = done },
		{ .kind = KDR_ACTION_UPDATE_CONNECTOR, .cluster = cluster, .resource = slow },
		{ .kind = KDR_ACTION_DELETE_TOPIC, .cluster = cluster, .resource = topic },
	};
	static struct kdr_action_result results[] = {
		{ .attempted = true },
		{ .attempted = true, .unsettled = true, .message = still },
		{ .held = true, .message = held },
	};
	struct kdr_plan plan = { .actions = actions, .n_actions = 3 };
	struct kdr_apply_report report = { .results = results, .n = 3, .succeeded = 2, .held = 1, .unsettled = 1 };

	kdr_pipeline_apply_render_text(out, err, command, &plan, &report, false);
}

static void test_apply_results_and_the_pending_note(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	(void)state;
	render(&out, &err, "apply");
	assert_string_equal(out.ptr, "\n"
				     "  ok      update-connector dc-conn/mirror-hb\n"
				     "  PENDING  update-connector dc-conn/mirror-cp: connector 'mirror-cp' still shows "
				     "tasks.max 2 after 2000 ms\n"
				     "  HELD     delete-topic dc-conn/orders: cluster 'dc-conn': held: connector 'x' could "
				     "not be deleted\n"
				     "\nApplied: 2 succeeded, 0 failed, 0 skipped, 1 held, 1 not yet reported by Connect\n");
	assert_string_equal(err.ptr, "kdr apply: 1 connector change(s) not yet reported by Connect within the timeout "
				     "(marked PENDING above); nothing was undone, the next plan shows them until "
				     "Connect acts\n");
	kdr_buf_release(&out);
	kdr_buf_release(&err);
}

/* kdr restore applies through the same rendering: its note names restore, not apply. */
static void test_pending_note_names_the_command(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	(void)state;
	render(&out, &err, "restore");
	assert_non_null(err.ptr);
	assert_int_equal(strncmp(err.ptr, "kdr restore: 1 connector change(s) not yet reported", 51), 0);
	assert_null(strstr(err.ptr, "kdr apply"));
	kdr_buf_release(&out);
	kdr_buf_release(&err);
}

/*
 * The read stage's lines, one renderer for every command: each cluster the
 * read left out, then the stage's failure. An operator reads what happened
 * before the read stopped first, and the reason it stopped last, next to
 * the exit status.
 */
static void test_read_messages_then_its_failure(void **state)
{
	struct kdr_pipeline p = { 0 };
	struct kdr_buf err = KDR_BUF_INIT;

	(void)state;
	kdr_strvec_push(&p.read.messages, "cluster 'dc-a': cannot reach any broker");
	kdr_strvec_push(&p.read.messages, "cluster 'dc-b': connect: 503");
	kdr_pipeline_render_read(&err, &p, "--cluster 'nope': no KafkaCluster of that name is declared");
	assert_string_equal(err.ptr, "kdr: cluster 'dc-a': cannot reach any broker\n"
				     "kdr: cluster 'dc-b': connect: 503\n"
				     "kdr: --cluster 'nope': no KafkaCluster of that name is declared\n");
	kdr_buf_reset(&err);
	kdr_pipeline_render_read(&err, &p, NULL);
	assert_string_equal(err.ptr, "kdr: cluster 'dc-a': cannot reach any broker\n"
				     "kdr: cluster 'dc-b': connect: 503\n");
	kdr_buf_release(&err);
	kdr_strvec_release(&p.read.messages);
}

/* A run's read (lag, backup, restore, failover, failback): the error is the read's only when the read failed. */
static void test_run_read_is_the_same_rendering(void **state)
{
	static char error[] = "cannot read 'live.json'";
	struct kdr_pipeline_result result = { .error = error, .outcome = KDR_PIPELINE_FAILED };
	struct kdr_buf err = KDR_BUF_INIT;

	(void)state;
	kdr_strvec_push(&result.p.read.messages, "cluster 'dc-a': cannot reach any broker");
	result.read_failed = true;
	kdr_pipeline_result_render_read(&err, &result);
	assert_string_equal(err.ptr, "kdr: cluster 'dc-a': cannot reach any broker\n"
				     "kdr: cannot read 'live.json'\n");
	/* A later step's error is the command's own line (kdr_pipeline_result_render_error), not the read's. */
	kdr_buf_reset(&err);
	result.read_failed = false;
	kdr_pipeline_result_render_read(&err, &result);
	kdr_pipeline_result_render_error(&err, &result, "lag");
	assert_string_equal(err.ptr, "kdr: cluster 'dc-a': cannot reach any broker\n"
				     "kdr lag: cannot read 'live.json'\n");
	kdr_buf_release(&err);
	kdr_strvec_release(&result.p.read.messages);
}

/* kdr plan's, apply's and status's run: a saved plan refused names each stale cluster, else the stage's error. */
static void test_reconcile_stale_clusters_or_the_error(void **state)
{
	static char error[] = "'plan.json' is stale";
	struct kdr_reconcile_result result = { .run = { .error = error, .outcome = KDR_PIPELINE_FAILED } };
	struct kdr_buf err = KDR_BUF_INIT;

	(void)state;
	kdr_strvec_push(&result.run.p.read.messages, "cluster 'dc-c': cannot reach any broker");
	kdr_strvec_push(&result.stale, "cluster 'dc-a' has changed since 'plan.json' was made");
	kdr_strvec_push(&result.stale, "cluster 'dc-b' has changed since 'plan.json' was made");
	kdr_pipeline_reconcile_render(&err, &result, "apply");
	assert_string_equal(err.ptr, "kdr: cluster 'dc-c': cannot reach any broker\n"
				     "kdr apply: cluster 'dc-a' has changed since 'plan.json' was made\n"
				     "kdr apply: cluster 'dc-b' has changed since 'plan.json' was made\n");
	kdr_buf_reset(&err);
	kdr_strvec_release(&result.stale);
	kdr_pipeline_reconcile_render(&err, &result, "plan");
	assert_string_equal(err.ptr, "kdr: cluster 'dc-c': cannot reach any broker\n"
				     "kdr plan: 'plan.json' is stale\n");
	/* The read's own failure: "kdr: ", as every command prints it. */
	kdr_buf_reset(&err);
	result.run.read_failed = true;
	kdr_pipeline_reconcile_render(&err, &result, "plan");
	assert_string_equal(err.ptr, "kdr: cluster 'dc-c': cannot reach any broker\n"
				     "kdr: 'plan.json' is stale\n");
	kdr_buf_release(&err);
	kdr_strvec_release(&result.run.p.read.messages);
}

/* kdr apply --offline: the snapshot written back and said so; a snapshot that cannot be written is the failure. */
static void test_apply_to_a_snapshot(void **state)
{
	char dir[] = "/tmp/kdr-test-pipeline-XXXXXX";
	char path[64], missing[80];
	struct kdr_reconcile_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT, written = KDR_BUF_INIT, expected = KDR_BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/live.json", dir);
	snprintf(missing, sizeof(missing), "%s/no-such-dir/live.json", dir);
	result.run.p.options.snapshot_path = path;
	assert_int_equal(kdr_pipeline_reconcile_apply(&result), 0);
	assert_int_equal(result.run.outcome, KDR_PIPELINE_OK);
	kdr_pipeline_reconcile_render_apply(&out, &err, &result, "apply");
	assert_int_equal(err.len, 0);
	kdr_buf_printf(&expected, "\napplied 0 action(s) to snapshot '%s'\n", path);
	assert_string_equal(out.ptr, expected.ptr);
	assert_int_equal(kdr_file_read(&written, path), 0);
	kdr_buf_reset(&expected);
	kdr_live_to_json(&expected, &result.run.p.live);
	assert_string_equal(written.ptr, expected.ptr);

	kdr_buf_reset(&out);
	result.run.p.options.snapshot_path = missing;
	assert_true(kdr_pipeline_reconcile_apply(&result) < 0);
	assert_int_equal(result.run.outcome, KDR_PIPELINE_FAILED);
	kdr_pipeline_reconcile_render_apply(&out, &err, &result, "apply");
	assert_int_equal(out.len, 0);
	assert_non_null(err.ptr);
	assert_int_equal(strncmp(err.ptr, "kdr: ", 5), 0);
	assert_non_null(strstr(err.ptr, "no-such-dir"));

	unlink(path);
	rmdir(dir);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_buf_release(&written);
	kdr_buf_release(&expected);
	result.run.p.options.snapshot_path = NULL;
	kdr_reconcile_result_release(&result);
}

/* The load: every diagnostic, then a directory's counts, another source's reason, or the revision a Git source is at. */
static void test_load_diagnostics_then_the_outcome(void **state)
{
	struct kdr_load_result result = { KDR_DIAGS_INIT, NULL, NULL };
	struct kdr_source_selection dir = { .dir = "topology" }, git = { .git_url = "https://example.invalid/t.git" };
	struct kdr_desired desired = { .revision = (char *)"0123abc" };
	struct kdr_buf err = KDR_BUF_INIT, expected = KDR_BUF_INIT;
	char *line = NULL;

	(void)state;
	kdr_diags_warning(&result.diags, NULL, "spec.topics", "matches nothing");
	kdr_diags_error(&result.diags, NULL, "spec.partitions", "must be at least 1");
	result.error = kdr_strdup("1 error(s) in 'topology'");
	result.source = kdr_strdup("dir topology");
	for (size_t i = 0; i < result.diags.n; i++) {
		line = kdr_diag_format(&result.diags.v[i]);
		kdr_buf_printf(&expected, "%s\n", line);
		free(line);
	}
	kdr_pipeline_load_render(&err, &result, &dir, &desired);
	kdr_buf_puts(&expected, "kdr: 1 error(s), 1 warning(s) in 'topology'; nothing will be used from it\n");
	assert_string_equal(err.ptr, expected.ptr);

	/* Git: its one-line reason; loaded, the commit it is at (a directory says nothing more). */
	kdr_buf_reset(&err);
	kdr_diags_release(&result.diags);
	kdr_pipeline_load_render(&err, &result, &git, &desired);
	assert_string_equal(err.ptr, "kdr: 1 error(s) in 'topology'\n");
	kdr_buf_reset(&err);
	free(result.error);
	result.error = NULL;
	kdr_pipeline_load_render(&err, &result, &git, &desired);
	assert_string_equal(err.ptr, "kdr: source dir topology @ 0123abc\n");
	kdr_buf_reset(&err);
	kdr_pipeline_load_render(&err, &result, &dir, &desired);
	assert_int_equal(err.len, 0);
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	kdr_load_result_release(&result);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_results_and_the_pending_note),
		cmocka_unit_test(test_pending_note_names_the_command),
		cmocka_unit_test(test_read_messages_then_its_failure),
		cmocka_unit_test(test_run_read_is_the_same_rendering),
		cmocka_unit_test(test_reconcile_stale_clusters_or_the_error),
		cmocka_unit_test(test_apply_to_a_snapshot),
		cmocka_unit_test(test_load_diagnostics_then_the_outcome),
	};

	printf("backend: none (pure rendering)\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
