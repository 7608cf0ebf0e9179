/*
 * kdr apply's run (apply_run.c) on a snapshot file, as kdr apply --offline:
 * the consent asked once and only for a plan it may apply, a decline and a
 * plan with errors leaving the snapshot as it was, blocked items making an
 * applied run PENDING, and what it prints. Fixtures: tests/golden's
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
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/file.h"
#include "util/output.h"

/* A golden folder's desired state, and a copy of its live.json the run may rewrite. */
struct fixture {
	struct kdr_desired desired;
	char dir[40];
	char snapshot[80];
	struct kdr_buf before; /* the snapshot's text before the run */
};

static void fixture_init(struct fixture *f, const char *golden)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *path = kdr_asprintf("%s/tests/golden/%s/desired", KDR_SOURCE_DIR, golden);
	char *live = kdr_asprintf("%s/tests/golden/%s/live.json", KDR_SOURCE_DIR, golden);

	memset(f, 0, sizeof(*f));
	assert_int_equal(kdr_source_load_dir(&f->desired, &diags, path, 0), 0);
	assert_int_equal(kdr_file_read(&f->before, live), 0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/kdr-test-apply-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->snapshot, sizeof(f->snapshot), "%s/live.json", f->dir);
	assert_int_equal(kdr_file_write(f->snapshot, f->before.ptr, f->before.len), 0);
	kdr_diags_release(&diags);
	free(path);
	free(live);
}

static bool snapshot_unchanged(const struct fixture *f)
{
	struct kdr_buf now = KDR_BUF_INIT;
	bool same = kdr_file_read(&now, f->snapshot) == 0 && now.len == f->before.len &&
		    memcmp(now.ptr, f->before.ptr, now.len) == 0;

	kdr_buf_release(&now);
	return same;
}

static void fixture_release(struct fixture *f)
{
	unlink(f->snapshot);
	rmdir(f->dir);
	kdr_buf_release(&f->before);
	kdr_desired_release(&f->desired);
}

/* The consent callback: what it answers, how often it was asked and how many actions it was shown. */
struct consent {
	int answer;
	int asked;
	size_t n_actions;
	bool planned;
};

static int ask(void *ctx, const struct kdr_apply_result *so_far)
{
	struct consent *c = ctx;

	c->asked++;
	c->n_actions = so_far->reconcile.run.p.plan.n_actions;
	c->planned = so_far->planned;
	return c->answer;
}

static int run(struct kdr_apply_result *out, struct fixture *f, struct consent *c)
{
	struct kdr_pipeline_options options = { .snapshot_path = f->snapshot };

	return kdr_pipeline_apply_run(out, &f->desired, &options,
				      &(struct kdr_apply_request){ .consent = ask, .consent_ctx = c });
}

/* What the run printed, stdout and stderr apart. */
static void rendered(struct kdr_buf *out, struct kdr_buf *err, const struct kdr_apply_result *result, bool plan)
{
	struct kdr_output o = KDR_OUTPUT_INIT;

	if (plan)
		kdr_pipeline_apply_render_plan(&o, result);
	else
		kdr_pipeline_apply_render_finish(&o, result);
	for (size_t i = 0; i < o.n; i++)
		kdr_buf_put(o.parts[i].stream == KDR_STDOUT ? out : err, o.text.ptr + o.parts[i].start, o.parts[i].len);
	kdr_output_release(&o);
}

/* A declined consent: asked once with the plan, nothing applied, the snapshot as it was, FAILED. */
static void test_declined_consent_applies_nothing(void **state)
{
	struct fixture f;
	struct consent c = { .answer = 1 };
	struct kdr_apply_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	(void)state;
	fixture_init(&f, "drift");
	assert_int_equal(run(&result, &f, &c), 0);
	assert_int_equal(c.asked, 1);
	assert_true(c.planned);
	assert_int_equal(c.n_actions, 4);
	assert_true(result.declined);
	assert_false(result.applied);
	assert_false(result.blocked);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_FAILED);
	assert_true(snapshot_unchanged(&f));
	rendered(&out, &err, &result, false);
	assert_int_equal(out.len, 0);
	assert_int_equal(err.len, 0); /* the callback said why (kdr_cli_consent) */
	kdr_buf_reset(&out);
	rendered(&out, &err, &result, true);
	assert_non_null(strstr(out.ptr, "Plan: 1 to create, 3 to change, 0 to delete, 2 blocked."));
	assert_int_equal(err.len, 0);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_apply_result_release(&result);
	fixture_release(&f);
}

/* A plan with errors is refused before the question: never asked, nothing applied, FAILED, said so. */
static void test_plan_with_errors_is_not_applied(void **state)
{
	struct fixture f;
	struct consent c = { .answer = 0 };
	struct kdr_apply_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	(void)state;
	fixture_init(&f, "tiering-without-remote-storage");
	assert_int_equal(run(&result, &f, &c), 0);
	assert_int_equal(c.asked, 0);
	assert_true(result.planned);
	assert_true(result.plan_errors);
	assert_false(result.applied);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_FAILED);
	assert_true(snapshot_unchanged(&f));
	rendered(&out, &err, &result, false);
	assert_int_equal(out.len, 0);
	assert_string_equal(err.ptr, "kdr apply: the plan has errors (marked '!'); nothing was applied\n");
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_apply_result_release(&result);
	fixture_release(&f);
}

/*
 * Consented: applied to the snapshot, but the two blocked items are left for
 * a human: PENDING, said after the results. Run again, there is nothing to
 * ask about, and the blocked items still make it PENDING.
 */
static void test_blocked_items_make_an_applied_run_pending(void **state)
{
	struct fixture f;
	struct consent c = { .answer = 0 };
	struct kdr_apply_result result = { 0 }, again = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT, expected = KDR_BUF_INIT;
	static const char blocked[] =
		"kdr apply: 2 blocked item(s) need a human (marked '!' above; kdr does not make these changes)\n";

	(void)state;
	fixture_init(&f, "drift");
	assert_int_equal(run(&result, &f, &c), 0);
	assert_int_equal(c.asked, 1);
	assert_true(result.applied);
	assert_true(result.blocked);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_PENDING);
	assert_false(snapshot_unchanged(&f));
	rendered(&out, &err, &result, false);
	kdr_buf_printf(&expected, "\napplied 4 action(s) to snapshot '%s'\n", f.snapshot);
	assert_string_equal(out.ptr, expected.ptr);
	assert_string_equal(err.ptr, blocked);

	kdr_buf_reset(&out);
	kdr_buf_reset(&err);
	assert_int_equal(run(&again, &f, &c), 0);
	assert_int_equal(c.asked, 1);
	assert_int_equal(again.reconcile.run.p.plan.n_actions, 0);
	assert_false(again.applied);
	assert_true(again.blocked);
	assert_int_equal(again.reconcile.run.outcome, KDR_PIPELINE_PENDING);
	rendered(&out, &err, &again, false);
	assert_int_equal(out.len, 0);
	assert_string_equal(err.ptr, blocked);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	kdr_apply_result_release(&result);
	kdr_apply_result_release(&again);
	fixture_release(&f);
}

/* --reassignments DIR that cannot be made: FAILED before the question, its message printed with the plan. */
static void test_reassignments_that_cannot_be_written_fail_the_run(void **state)
{
	struct fixture f;
	struct consent c = { .answer = 0 };
	struct kdr_apply_result result = { 0 };
	struct kdr_pipeline_options options = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;
	char blocker[96];

	(void)state;
	fixture_init(&f, "drift");
	options.snapshot_path = f.snapshot;
	snprintf(blocker, sizeof(blocker), "%s/live.json/re", f.dir); /* under a file: cannot be created */
	assert_true(kdr_pipeline_apply_run(&result, &f.desired, &options,
					   &(struct kdr_apply_request){ .reassignments_dir = blocker, .consent = ask,
									.consent_ctx = &c }) != 0);
	assert_int_equal(c.asked, 0);
	assert_false(result.applied);
	assert_int_equal(result.reconcile.run.outcome, KDR_PIPELINE_FAILED);
	assert_true(snapshot_unchanged(&f));
	rendered(&out, &err, &result, true);
	assert_non_null(strstr(out.ptr, "Plan: 1 to create"));
	assert_int_equal(strncmp(err.ptr, "kdr: --reassignments: ", 22), 0);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	kdr_apply_result_release(&result);
	fixture_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declined_consent_applies_nothing),
		cmocka_unit_test(test_plan_with_errors_is_not_applied),
		cmocka_unit_test(test_blocked_items_make_an_applied_run_pending),
		cmocka_unit_test(test_reassignments_that_cannot_be_written_fail_the_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
