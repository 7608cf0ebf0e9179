/*
 * kdr apply PLAN.json's run up to the read (reconcile.c): the saved plan read
 * back, its failures as the commands print them, --cluster refused, the
 * clusters it fingerprinted the ones read; and --reassignments DIR's files
 * (reassignments.c). No backend: nothing here reaches a cluster.
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
#include "util/alloc.h"
#include "util/error.h"
#include "util/file.h"

/* A temporary directory per test, and a file in it. */
struct scratch {
	char dir[40];
	char path[80];
};

static void scratch_init(struct scratch *s, const char *name, const char *text)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/kdr-test-saved-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/%s", s->dir, name);
	if (text)
		assert_int_equal(kdr_file_write(s->path, text, strlen(text)), 0);
}

static void scratch_release(struct scratch *s)
{
	unlink(s->path);
	rmdir(s->dir);
}

/* The run of the saved plan at `path` over an empty desired state, and what it printed as "kdr apply". */
static int run(struct kdr_reconcile_result *out, struct kdr_buf *err, const char *path, const char *cluster)
{
	static const struct kdr_desired desired = { 0 };
	const char *clusters[1] = { cluster };
	struct kdr_pipeline_options options = { .clusters = clusters, .n_clusters = cluster ? 1 : 0 };
	int rc = kdr_pipeline_reconcile_run(out, &desired, &options, path);

	kdr_pipeline_reconcile_render(err, out, "apply");
	return rc;
}

static const char plan_json[] = "{\"kdrPlan\": 1, \"revision\": null, \"fingerprints\": {\"dc-a\": \"0123\"},\n"
				"\"actions\": [], \"blocked\": [], \"notes\": []}\n";

/* A file that cannot be read is the read stage's failure, "kdr: ..." as every file kdr cannot read. */
static void test_unreadable_plan_is_the_read_stage(void **state)
{
	struct scratch s;
	struct kdr_reconcile_result result = { 0 };
	struct kdr_buf err = KDR_BUF_INIT, expected = KDR_BUF_INIT;

	(void)state;
	scratch_init(&s, "missing.json", NULL);
	assert_int_equal(run(&result, &err, s.path, NULL), KDR_EIO);
	assert_int_equal(result.run.outcome, KDR_PIPELINE_FAILED);
	assert_true(result.run.read_failed);
	assert_false(result.misuse);
	kdr_buf_printf(&expected, "kdr: cannot read '%s': No such file or directory\n", s.path);
	assert_string_equal(err.ptr, expected.ptr);
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	kdr_reconcile_result_release(&result);
	scratch_release(&s);
}

/* Malformed JSON: the decoder's message under the command's name, even with --cluster (the file is read first). */
static void test_malformed_plan_is_the_commands_error(void **state)
{
	const char *const clusters[] = { NULL, "dc-a" };
	struct scratch s;
	struct kdr_buf err = KDR_BUF_INIT, expected = KDR_BUF_INIT;

	(void)state;
	scratch_init(&s, "bad.json", "{not json\n");
	kdr_buf_printf(&expected, "kdr apply: %s:1:4: invalid JSON: string or '}' expected near 'not'\n", s.path);
	for (size_t i = 0; i < 2; i++) {
		struct kdr_reconcile_result result = { 0 };

		kdr_buf_reset(&err);
		assert_int_equal(run(&result, &err, s.path, clusters[i]), KDR_EINVALID);
		assert_int_equal(result.run.outcome, KDR_PIPELINE_FAILED);
		assert_false(result.run.read_failed);
		assert_false(result.misuse);
		assert_string_equal(err.ptr, expected.ptr);
		kdr_reconcile_result_release(&result);
	}
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	scratch_release(&s);
}

/* --cluster cannot narrow a saved plan: refused before any read, a misuse (the CLI's usage error). */
static void test_clusters_named_are_refused(void **state)
{
	struct scratch s;
	struct kdr_reconcile_result result = { 0 };
	struct kdr_buf err = KDR_BUF_INIT;

	(void)state;
	scratch_init(&s, "plan.json", plan_json);
	assert_int_equal(run(&result, &err, s.path, "dc-a"), KDR_EINVALID);
	assert_true(result.misuse);
	assert_int_equal(result.run.outcome, KDR_PIPELINE_FAILED);
	assert_int_equal(result.run.p.read.n_clusters, 0);
	assert_string_equal(err.ptr, "kdr apply: --cluster cannot narrow a saved plan; plan again with --cluster\n");
	kdr_buf_release(&err);
	kdr_reconcile_result_release(&result);
	scratch_release(&s);
}

/* The clusters the plan fingerprinted are the selection read: here one the documents do not declare. */
static void test_fingerprinted_clusters_are_read(void **state)
{
	struct scratch s;
	struct kdr_reconcile_result result = { 0 };
	struct kdr_buf err = KDR_BUF_INIT;

	(void)state;
	scratch_init(&s, "plan.json", plan_json);
	assert_int_equal(run(&result, &err, s.path, NULL), KDR_ENOTFOUND);
	assert_false(result.misuse);
	assert_true(result.run.read_failed);
	assert_int_equal(result.saved_clusters.n, 1);
	assert_string_equal(result.saved_clusters.v[0], "dc-a");
	assert_string_equal(err.ptr, "kdr: --cluster 'dc-a': no KafkaCluster of that name is declared\n");
	kdr_buf_release(&err);
	kdr_reconcile_result_release(&result);
	scratch_release(&s);
}

/* --reassignments DIR: a file per blocked item with a reassignment, said on `err`; DIR made only when needed. */
static void test_reassignment_files(void **state)
{
	static char cluster[] = "dc-a", orders[] = "orders", users[] = "users";
	static char json[] = "{\"version\":1,\"partitions\":[]}";
	struct kdr_blocked blocked[] = {
		{ .cluster = cluster, .resource = orders, .reassignment_json = json },
		{ .cluster = cluster, .resource = users },
	};
	struct kdr_plan plan = { .blocked = blocked, .n_blocked = 2 };
	struct scratch s;
	char dir[80], blocker[96];
	struct kdr_buf err = KDR_BUF_INIT, expected = KDR_BUF_INIT, written = KDR_BUF_INIT;

	(void)state;
	scratch_init(&s, "dc-a.orders.reassignment.json", NULL);
	snprintf(dir, sizeof(dir), "%s", s.dir);
	assert_int_equal(kdr_pipeline_write_reassignments(&err, &plan, dir), 0);
	kdr_buf_printf(&expected, "kdr: wrote %s (kafka-reassign-partitions.sh --reassignment-json-file %s --execute)\n",
		       s.path, s.path);
	assert_string_equal(err.ptr, expected.ptr);
	assert_int_equal(kdr_file_read(&written, s.path), 0);
	assert_string_equal(written.ptr, json);

	/* Nothing to write: the directory is not made. */
	kdr_buf_reset(&err);
	snprintf(blocker, sizeof(blocker), "%s/not-made", s.dir);
	plan.n_blocked = 0;
	assert_int_equal(kdr_pipeline_write_reassignments(&err, &plan, blocker), 0);
	assert_int_equal(err.len, 0);
	assert_int_not_equal(access(blocker, F_OK), 0);

	/* A directory that cannot be made (under a file): said once, nothing written. */
	plan.n_blocked = 2;
	snprintf(blocker, sizeof(blocker), "%s/x", s.path);
	assert_int_equal(kdr_pipeline_write_reassignments(&err, &plan, blocker), KDR_EIO);
	kdr_buf_reset(&expected);
	kdr_buf_printf(&expected, "kdr: --reassignments: cannot create '%s': Not a directory\n", blocker);
	assert_string_equal(err.ptr, expected.ptr);
	kdr_buf_release(&err);
	kdr_buf_release(&expected);
	kdr_buf_release(&written);
	scratch_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unreadable_plan_is_the_read_stage),
		cmocka_unit_test(test_malformed_plan_is_the_commands_error),
		cmocka_unit_test(test_clusters_named_are_refused),
		cmocka_unit_test(test_fingerprinted_clusters_are_read),
		cmocka_unit_test(test_reassignment_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
