/*
 * kdr plan's and kdr status's runs (plan_run.c, reconcile.c) on a snapshot
 * file, as kdr plan --offline and kdr status --offline: what a plan says of
 * the outcome (errors FAILED; changes PENDING only when asked, as
 * --detailed-exitcode), --out's JSON (a file, or printed after the plan),
 * an --out that cannot be written stopping the run before --reassignments,
 * and status's outcome following the flows' health. Fixtures: tests/golden's
 * desired/live.json pairs. No backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <stdlib.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/file.h"
#include "util/output.h"

/* A golden folder's desired state, and a copy of its live.json in a directory of its own. */
struct fixture {
	struct kdr_desired desired;
	char dir[40];
	char snapshot[80];
	char saved[80]; /* where --out writes, in dir */
};

static void fixture_init(struct fixture *f, const char *golden)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct kdr_buf live_text = KDR_BUF_INIT;
	char *path = kdr_asprintf("%s/tests/golden/%s/desired", KDR_SOURCE_DIR, golden);
	char *live = kdr_asprintf("%s/tests/golden/%s/live.json", KDR_SOURCE_DIR, golden);

	memset(f, 0, sizeof(*f));
	assert_int_equal(kdr_source_load_dir(&f->desired, &diags, path, 0), 0);
	assert_int_equal(kdr_file_read(&live_text, live), 0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/kdr-test-plan-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->snapshot, sizeof(f->snapshot), "%s/live.json", f->dir);
	snprintf(f->saved, sizeof(f->saved), "%s/plan.json", f->dir);
	assert_int_equal(kdr_file_write(f->snapshot, live_text.ptr, live_text.len), 0);
	kdr_buf_release(&live_text);
	kdr_diags_release(&diags);
	free(path);
	free(live);
}

static void fixture_release(struct fixture *f)
{
	unlink(f->snapshot);
	unlink(f->saved);
	rmdir(f->dir);
	kdr_desired_release(&f->desired);
}

/* A directory the run wrote files into, removed with them. */
static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			char *file = kdr_asprintf("%s/%s", path, e->d_name);

			assert_int_equal(unlink(file), 0);
			free(file);
		}
	closedir(d);
	assert_int_equal(rmdir(path), 0);
}

static int plan_run(struct kdr_plan_result *out, struct fixture *f, const struct kdr_plan_request *req)
{
	struct kdr_pipeline_options options = { .snapshot_path = f->snapshot };

	return kdr_pipeline_plan_run(out, &f->desired, &options, req);
}

/* What the run printed, stdout and stderr apart. */
static void rendered(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_plan_result *result,
		     const struct kdr_plan_request *req)
{
	struct kdr_output o = KDR_OUTPUT_INIT;

	kdr_pipeline_plan_render(&o, result, req);
	for (size_t i = 0; i < o.n; i++)
		kdr_buf_put(o.parts[i].stream == KDR_STDOUT ? out : err, o.text.ptr + o.parts[i].start, o.parts[i].len);
	kdr_output_release(&o);
}

/* The golden plan.txt of `golden`, as kdr plan prints it. */
static void golden_text(struct kdr_buf *out, const char *golden, const char *file)
{
	char *path = kdr_asprintf("%s/tests/golden/%s/%s", KDR_SOURCE_DIR, golden, file);

	assert_int_equal(kdr_file_read(out, path), 0);
	free(path);
}

/* A plan with changes (and blocked items): OK, PENDING only when changes are asked to be pending. */
static void test_changes_are_pending_only_when_asked(void **state)
{
	struct fixture f;
	struct kdr_plan_result plain = { 0 }, detailed = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT, expected = KDR_BUF_INIT;
	struct kdr_plan_request req = { .format = KDR_RENDER_TEXT };

	(void)state;
	fixture_init(&f, "drift");
	assert_int_equal(plan_run(&plain, &f, &req), 0);
	assert_true(plain.planned);
	assert_false(plain.plan_errors);
	assert_int_equal(plain.reconcile.run.outcome, KDR_PIPELINE_OK);
	rendered(&out, &err, &plain, &req);
	golden_text(&expected, "drift", "plan.txt");
	assert_string_equal(out.ptr, expected.ptr);
	assert_int_equal(err.len, 0);

	req.changes_pending = true;
	assert_int_equal(plan_run(&detailed, &f, &req), 0);
	assert_int_equal(detailed.reconcile.run.outcome, KDR_PIPELINE_PENDING);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	kdr_plan_result_release(&plain);
	kdr_plan_result_release(&detailed);
	fixture_release(&f);
}

/* A plan with errors is FAILED, even when changes would be pending; --out still saves it, as kdr plan did. */
static void test_plan_with_errors_fails_the_run(void **state)
{
	struct fixture f;
	struct kdr_plan_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT, expected = KDR_BUF_INIT;
	struct kdr_plan_request req = { .format = KDR_RENDER_MARKDOWN, .changes_pending = true };

	(void)state;
	fixture_init(&f, "tiering-without-remote-storage");
	req.save_path = f.saved;
	assert_int_equal(plan_run(&result, &f, &req), 0);
	assert_true(result.planned);
	assert_true(result.plan_errors);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_FAILED);
	assert_int_equal(access(f.saved, F_OK), 0);
	rendered(&out, &err, &result, &req);
	golden_text(&expected, "tiering-without-remote-storage", "plan.md");
	assert_string_equal(out.ptr, expected.ptr);
	assert_int_equal(err.len, 0); /* the plan's '!' lines say why */
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	kdr_plan_result_release(&result);
	fixture_release(&f);
}

/* --out -: the plan, then its JSON, both on stdout; --out FILE: the same JSON in the file, nothing more printed. */
static void test_out_saves_the_plan_json(void **state)
{
	struct fixture f;
	struct kdr_plan_result to_stdout = { 0 }, to_file = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT, expected = KDR_BUF_INIT, file = KDR_BUF_INIT;
	struct kdr_plan_request req = { .format = KDR_RENDER_TEXT, .save_path = "-" };

	(void)state;
	fixture_init(&f, "drift");
	assert_int_equal(plan_run(&to_stdout, &f, &req), 0);
	assert_int_equal(to_stdout.reconcile.run.outcome, KDR_PIPELINE_OK);
	rendered(&out, &err, &to_stdout, &req);
	golden_text(&expected, "drift", "plan.txt");
	golden_text(&expected, "drift", "plan.json");
	assert_string_equal(out.ptr, expected.ptr);
	assert_int_equal(err.len, 0);

	req.save_path = f.saved;
	assert_int_equal(plan_run(&to_file, &f, &req), 0);
	assert_int_equal(kdr_file_read(&file, f.saved), 0);
	assert_string_equal(file.ptr, to_stdout.saved.ptr);
	assert_int_equal(to_file.saved.len, 0);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	kdr_buf_release(&file);
	kdr_plan_result_release(&to_stdout);
	kdr_plan_result_release(&to_file);
	fixture_release(&f);
}

/* An --out that cannot be written: FAILED, "kdr: ERROR" after the plan, and no --reassignments written. */
static void test_out_that_cannot_be_written_fails_before_reassignments(void **state)
{
	struct fixture f;
	struct kdr_plan_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;
	char blocked_out[96], reassignments[96];
	struct kdr_plan_request req = { .format = KDR_RENDER_TEXT, .changes_pending = true };
	struct stat st;

	(void)state;
	fixture_init(&f, "drift");
	snprintf(blocked_out, sizeof(blocked_out), "%s/live.json/plan.json", f.dir); /* under a file */
	snprintf(reassignments, sizeof(reassignments), "%s/re", f.dir);
	req.save_path = blocked_out;
	req.reassignments_dir = reassignments;
	assert_true(plan_run(&result, &f, &req) != 0);
	assert_true(result.planned);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_FAILED);
	assert_true(stat(reassignments, &st) != 0);
	rendered(&out, &err, &result, &req);
	assert_non_null(strstr(out.ptr, "Plan: 1 to create, 3 to change, 0 to delete, 2 blocked."));
	assert_int_equal(strncmp(err.ptr, "kdr: ", 5), 0);
	assert_non_null(strstr(err.ptr, blocked_out));
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_plan_result_release(&result);
	fixture_release(&f);
}

/* --reassignments: each blocked item's file, said after the plan; the run's outcome as without. */
static void test_reassignments_are_written_after_the_plan(void **state)
{
	struct fixture f;
	struct kdr_plan_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;
	char reassignments[96];
	struct kdr_plan_request req = { .format = KDR_RENDER_TEXT };

	(void)state;
	fixture_init(&f, "drift");
	snprintf(reassignments, sizeof(reassignments), "%s/re", f.dir);
	req.reassignments_dir = reassignments;
	assert_int_equal(plan_run(&result, &f, &req), 0);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_OK);
	rendered(&out, &err, &result, &req);
	assert_non_null(strstr(err.ptr, "kdr: wrote "));
	assert_non_null(strstr(err.ptr, reassignments));
	assert_string_equal(err.ptr, result.said.ptr);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_plan_result_release(&result);
	remove_dir(reassignments);
	fixture_release(&f);
}

/* kdr status's run over `golden`'s snapshot: reported, its outcome and the summary line it printed. */
static void status_of(const char *golden, enum kdr_pipeline_outcome outcome, const char *summary)
{
	struct fixture f;
	struct kdr_status_result result = { 0 };
	struct kdr_pipeline_options options = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	fixture_init(&f, golden);
	options.snapshot_path = f.snapshot;
	assert_int_equal(kdr_pipeline_status_run(&result, &f.desired, &options), 0);
	assert_true(result.reported);
	assert_int_equal(result.reconcile.run.outcome, outcome);
	kdr_pipeline_status_render(&out, &err, &result, false);
	assert_non_null(strstr(out.ptr, summary));
	assert_int_equal(err.len, 0);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_status_result_release(&result);
	fixture_release(&f);
}

/* kdr status: a FAILED health fails the run (exit status 1), any other is OK. */
static void test_status_outcome_follows_the_health(void **state)
{
	(void)state;
	status_of("drift", KDR_PIPELINE_OK, "Status: ok - 0 flow(s)");
	status_of("examples-empty", KDR_PIPELINE_FAILED, "Status: FAILED - 2 flow(s): 0 healthy, 0 with warnings, 2 failed");
}

/* kdr status over a snapshot that cannot be read: the read's failure, printed; no health reported. */
static void test_status_of_an_unreadable_snapshot_fails(void **state)
{
	struct fixture f;
	struct kdr_status_result result = { 0 };
	struct kdr_pipeline_options options = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	(void)state;
	fixture_init(&f, "drift");
	options.snapshot_path = f.saved; /* not there */
	assert_true(kdr_pipeline_status_run(&result, &f.desired, &options) != 0);
	assert_false(result.reported);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_FAILED);
	kdr_pipeline_status_render(&out, &err, &result, true);
	assert_int_equal(out.len, 0);
	assert_int_equal(strncmp(err.ptr, "kdr: ", 5), 0);
	assert_non_null(strstr(err.ptr, f.saved));
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_status_result_release(&result);
	fixture_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes_are_pending_only_when_asked),
		cmocka_unit_test(test_plan_with_errors_fails_the_run),
		cmocka_unit_test(test_out_saves_the_plan_json),
		cmocka_unit_test(test_out_that_cannot_be_written_fails_before_reassignments),
		cmocka_unit_test(test_reassignments_are_written_after_the_plan),
		cmocka_unit_test(test_status_outcome_follows_the_health),
		cmocka_unit_test(test_status_of_an_unreadable_snapshot_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
