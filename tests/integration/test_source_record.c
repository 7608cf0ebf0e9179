/*
 * pkg/source's record operation (kdr_source_record: how `kdr failover
 * --commit` and `kdr failback --commit` write a DR step back) on real
 * files and real repositories built with the git CLI: a directory edited in
 * place, a work tree committed to (index and files follow), a bare
 * repository cloned over file:// and pushed to, a remote that moved
 * (refused, nothing pushed), and a source that cannot record.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shell_helpers.h"

#include "source/record.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/file.h"
#include "util/strvec.h"

static char root[64];

static void write_text(const char *path, const char *text)
{
	assert_int_equal(kdr_file_write(path, text, strlen(text)), 0);
}

static char *read_text(const char *path)
{
	struct kdr_buf text = KDR_BUF_INIT;

	assert_int_equal(kdr_file_read(&text, path), 0);
	return kdr_buf_detach(&text);
}

static const char clusters_yaml[] = "apiVersion: kdr.io/v1alpha1\n"
				    "kind: KafkaCluster\n"
				    "metadata: {name: dc-east}\n"
				    "spec: {bootstrapServers: \"east:9092\", connect: {url: \"http://east:8083\"}}\n"
				    "---\n"
				    "apiVersion: kdr.io/v1alpha1\n"
				    "kind: KafkaCluster\n"
				    "metadata: {name: dc-west}\n"
				    "spec: {bootstrapServers: \"west:9092\", connect: {url: \"http://west:8083\"}}\n";

/* A comment and a field order that an edit must keep. */
static const char flow_yaml[] = "apiVersion: kdr.io/v1alpha1\n"
				"kind: ReplicationFlow\n"
				"metadata: {name: east-to-west}\n"
				"spec:\n"
				"  # orders only\n"
				"  source: dc-east\n"
				"  target: dc-west\n"
				"  topics: [\"orders\"]\n";

static const char flow_failed_over_yaml[] = "apiVersion: kdr.io/v1alpha1\n"
					    "kind: ReplicationFlow\n"
					    "metadata: {name: east-to-west}\n"
					    "spec:\n"
					    "  # orders only\n"
					    "  suspended: true\n"
					    "  failedOver: \"2026-12-07T01:00:00Z\"\n"
					    "  source: dc-east\n"
					    "  target: dc-west\n"
					    "  topics: [\"orders\"]\n";

static const char reverse_yaml[] = "apiVersion: kdr.io/v1alpha1\n"
				   "kind: ReplicationFlow\n"
				   "metadata: {name: east-to-west-failback}\n"
				   "spec: {source: dc-west, target: dc-east, topics: [\"orders\"]}\n";

static const struct kdr_spec_edit failover_edits[] = {
	{ "suspended", "true" },
	{ "failedOver", "\"2026-12-07T01:00:00Z\"" },
};

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/kdr-test-record-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "kdr test", 1);
	setenv("GIT_AUTHOR_EMAIL", "kdr@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "kdr test", 1);
	setenv("GIT_COMMITTER_EMAIL", "kdr@example.com", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kdr_test_sh("rm -rf '%s'", root);
	return 0;
}

/* A directory holding the two clusters and the flow (`flow` as its text). */
static char *make_dir(const char *name, const char *flow)
{
	char *dir = kdr_asprintf("%s/%s", root, name);
	char *path = NULL;

	kdr_test_sh("rm -rf '%s' && mkdir -p '%s'", dir, dir);
	path = kdr_asprintf("%s/clusters.yaml", dir);
	write_text(path, clusters_yaml);
	free(path);
	path = kdr_asprintf("%s/flows.yaml", dir);
	write_text(path, flow);
	free(path);
	return dir;
}

static void load_ok(struct kdr_desired *out, struct kdr_source *source)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_source_load_now(out, &diags, source);

	if (rc != 0) {
		kdr_diags_print(&diags, stderr);
		fail_msg("load %s: %d %s", kdr_source_describe(source), rc, kdr_error_message());
	}
	kdr_diags_release(&diags);
}

static const struct kdr_flow *flow_named(const struct kdr_desired *desired, const char *name)
{
	for (size_t i = 0; i < desired->n_flows; i++)
		if (strcmp(desired->flows[i].meta.name, name) == 0)
			return &desired->flows[i];
	fail_msg("no flow '%s'", name);
	return NULL;
}

static struct kdr_source_change failover_change(const struct kdr_desired *desired)
{
	struct kdr_source_change change;

	memset(&change, 0, sizeof(change));
	change.flow = flow_named(desired, "east-to-west");
	change.edits = failover_edits;
	change.n_edits = 2;
	return change;
}

static void assert_done(struct kdr_strvec *done, const char *want)
{
	char *got = kdr_strvec_join(done, "|");

	assert_string_equal(got, want);
	free(got);
	kdr_strvec_release(done);
}

static void test_dir_edits_in_place_then_nothing(void **state)
{
	char *dir = make_dir("dir", flow_yaml);
	char *flows = kdr_asprintf("%s/flows.yaml", dir);
	char *reverse = kdr_asprintf("%s/east-to-west-failback.yaml", dir);
	char *want = NULL, *text = NULL;
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired;
	struct kdr_source_change change;
	struct kdr_strvec done = KDR_STRVEC_INIT;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	kdr_source_dir(&source, dir, 0);
	load_ok(&desired, &source);
	change = failover_change(&desired);
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "unused by a directory"), 0);
	want = kdr_asprintf("recorded in %s", flows);
	assert_done(&done, want);
	free(want);
	/* Only the two fields added: the comment and the other lines stay. */
	text = read_text(flows);
	assert_string_equal(text, flow_failed_over_yaml);
	free(text);

	/* Read again: already recorded, nothing written. */
	load_ok(&desired, &source);
	change = failover_change(&desired);
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "again"), 0);
	assert_int_equal(done.n, 0);

	/* A whole document: written once, then already there; removed; then already gone. */
	memset(&change, 0, sizeof(change));
	change.file_path = reverse;
	change.file_data = reverse_yaml;
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "declare"), 0);
	want = kdr_asprintf("wrote %s", reverse);
	assert_done(&done, want);
	free(want);
	text = read_text(reverse);
	assert_string_equal(text, reverse_yaml);
	free(text);
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "declare again"), 0);
	assert_int_equal(done.n, 0);
	change.file_data = NULL;
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "remove"), 0);
	want = kdr_asprintf("removed %s", reverse);
	assert_done(&done, want);
	free(want);
	assert_int_not_equal(access(reverse, F_OK), 0);
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "remove again"), 0);
	assert_int_equal(done.n, 0);

	/* A flow that names no file (read from Kubernetes) cannot be written here. */
	{
		struct kdr_flow fileless = *flow_named(&desired, "east-to-west");

		fileless.meta.file = NULL;
		change = failover_change(&desired);
		change.flow = &fileless;
		assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "fileless"), KDR_EINVALID);
		assert_string_equal(kdr_error_message(),
				    "ReplicationFlow 'east-to-west' was not read from a file; nothing was recorded");
		assert_int_equal(done.n, 0);
	}
	kdr_desired_release(&desired);
	kdr_source_release(&source);
	free(flows);
	free(reverse);
	free(dir);
}

static void test_dir_edit_failure_names_the_flow(void **state)
{
	char *dir = make_dir("dir-broken", flow_yaml);
	char *flows = kdr_asprintf("%s/flows.yaml", dir);
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired;
	struct kdr_source_change change;
	struct kdr_strvec done = KDR_STRVEC_INIT;
	char *want = NULL, *text = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	kdr_source_dir(&source, dir, 0);
	load_ok(&desired, &source);
	/* The file lost the flow after it was read: refused, the file untouched. */
	write_text(flows, clusters_yaml);
	change = failover_change(&desired);
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "m"), KDR_EINVALID);
	want = kdr_asprintf("cannot edit ReplicationFlow 'east-to-west' in %s: ", flows);
	assert_memory_equal(kdr_error_message(), want, strlen(want));
	assert_non_null(strstr(kdr_error_message(), "; nothing was recorded"));
	assert_int_equal(done.n, 0);
	text = read_text(flows);
	assert_string_equal(text, clusters_yaml);
	free(text);
	free(want);
	kdr_desired_release(&desired);
	kdr_source_release(&source);
	free(flows);
	free(dir);
}

static const char message[] = "kdr failover: flow east-to-west (dc-east -> dc-west) failed over\n\nbody\n";

/* A repository (work tree) on main with the directory's documents committed; heap path. */
static char *make_repo(const char *name)
{
	char *dir = make_dir(name, flow_yaml);

	kdr_test_sh("git -C '%s' init -q -b main && git -C '%s' add -A && git -C '%s' commit -qm 'the DR topology'",
		    dir, dir, dir);
	return dir;
}

static void test_git_work_tree_one_commit(void **state)
{
	char *repo = make_repo("repo");
	char *head = kdr_test_sh_out("git -C '%s' rev-parse HEAD", repo);
	char *out = NULL, *want = NULL;
	struct kdr_git_options options = { repo, NULL, NULL, NULL, 0 };
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired;
	struct kdr_source_change change;
	struct kdr_strvec done = KDR_STRVEC_INIT;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	assert_int_equal(kdr_source_git(&source, &options, NULL, NULL, 0), 0);
	load_ok(&desired, &source);
	assert_string_equal(desired.revision, head);
	change = failover_change(&desired);
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, message), 0);
	out = kdr_test_sh_out("git -C '%s' rev-parse HEAD", repo);
	want = kdr_asprintf("committed %.12s on main of %s: kdr failover: flow east-to-west (dc-east -> dc-west) "
			    "failed over",
			    out, repo);
	assert_done(&done, want);
	free(want);
	free(out);
	/* On top of the commit read; the message whole; the work tree and index follow; only the flow's file. */
	out = kdr_test_sh_out(
	    "git -C '%s' rev-parse HEAD^ && git -C '%s' log -1 --format=%%B && git -C '%s' status --porcelain "
	    "&& git -C '%s' diff --name-only HEAD^ HEAD && git -C '%s' show HEAD:flows.yaml",
	    repo, repo, repo, repo, repo);
	want = kdr_asprintf("%s\n%s\nflows.yaml\n%.*s", head, message, (int)strlen(flow_failed_over_yaml) - 1,
			    flow_failed_over_yaml);
	assert_string_equal(out, want);
	free(want);
	free(out);

	/* Read again: recorded already, no commit. */
	load_ok(&desired, &source);
	change = failover_change(&desired);
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, message), 0);
	assert_int_equal(done.n, 0);
	out = kdr_test_sh_out("git -C '%s' rev-list --count HEAD", repo);
	assert_string_equal(out, "2");
	free(out);

	/* Without the commit it was read from, nothing is recorded. */
	free(desired.revision);
	desired.revision = NULL;
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, message), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "the commit the documents were read from is unknown; nothing was recorded");
	kdr_desired_release(&desired);
	kdr_source_release(&source);
	free(head);
	free(repo);
}

static void test_git_file_remote_pushed_and_moved_remote_refused(void **state)
{
	char *work = make_repo("upstream");
	char *bare = kdr_asprintf("%s/remote.git", root);
	char *url = kdr_asprintf("file://%s", bare);
	char *cache = kdr_asprintf("%s/cache", root);
	char *scratch = kdr_asprintf("%s/scratch", root);
	char *head = NULL, *out = NULL, *want = NULL;
	struct kdr_git_options options = { url, cache, NULL, NULL, 5000 };
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired;
	struct kdr_source_change change;
	struct kdr_strvec done = KDR_STRVEC_INIT;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	kdr_test_sh("git clone -q --bare '%s' '%s'", work, bare);
	head = kdr_test_sh_out("git --git-dir='%s' rev-parse main", bare);
	assert_int_equal(kdr_source_git(&source, &options, NULL, NULL, 0), 0);
	load_ok(&desired, &source);
	assert_string_equal(desired.revision, head);

	/* The failover and the reverse flow's document in one commit, pushed to the remote's main. */
	change = failover_change(&desired);
	change.file_path = "east-to-west-failback.yaml";
	change.file_data = reverse_yaml;
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, message), 0);
	out = kdr_test_sh_out("git --git-dir='%s' rev-parse main", bare);
	want = kdr_asprintf("committed %.12s on main of %s: kdr failover: flow east-to-west (dc-east -> dc-west) "
			    "failed over",
			    out, url);
	assert_done(&done, want);
	free(want);
	free(out);
	out = kdr_test_sh_out("git --git-dir='%s' rev-parse main^ && git --git-dir='%s' diff --name-only main^ main && "
			      "git --git-dir='%s' show main:east-to-west-failback.yaml",
			      bare, bare, bare);
	want = kdr_asprintf("%s\neast-to-west-failback.yaml\nflows.yaml\n%.*s", head, (int)strlen(reverse_yaml) - 1,
			    reverse_yaml);
	assert_string_equal(out, want);
	free(want);
	free(out);

	/* Someone else pushes meanwhile: a record on what was read is refused and the remote keeps their commit. */
	load_ok(&desired, &source);
	kdr_test_sh(
	    "rm -rf '%s' && git clone -q '%s' '%s' && echo '# theirs' >> '%s/clusters.yaml' && git -C '%s' commit -qam "
	    "theirs && git -C '%s' push -q origin main",
	    scratch, bare, scratch, scratch, scratch, scratch);
	free(head);
	head = kdr_test_sh_out("git --git-dir='%s' rev-parse main", bare);
	memset(&change, 0, sizeof(change));
	change.file_path = "east-to-west-failback.yaml";
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "kdr failback: remove"), KDR_ECONFLICT);
	assert_int_equal(done.n, 0);
	out = kdr_test_sh_out("git --git-dir='%s' rev-parse main", bare);
	assert_string_equal(out, head);
	free(out);
	kdr_desired_release(&desired);
	kdr_source_release(&source);
	free(head);
	free(scratch);
	free(cache);
	free(url);
	free(bare);
	free(work);
}

static const char *describe_test(void *ctx)
{
	(void)ctx;
	return "test";
}

static void test_a_source_without_record_refuses(void **state)
{
	static const struct kdr_source_ops no_record = { .describe = describe_test };
	struct kdr_source source = { &no_record, NULL };
	struct kdr_source_change change;
	struct kdr_desired desired;
	struct kdr_strvec done = KDR_STRVEC_INIT;

	(void)state;
	memset(&change, 0, sizeof(change));
	memset(&desired, 0, sizeof(desired));
	assert_int_equal(kdr_source_record(&done, &source, &desired, &change, "m"), KDR_EUNSUPPORTED);
	assert_string_equal(kdr_error_message(), "source test cannot record a change; nothing was recorded");
	assert_int_equal(done.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_edits_in_place_then_nothing),
		cmocka_unit_test(test_dir_edit_failure_names_the_flow),
		cmocka_unit_test(test_git_work_tree_one_commit),
		cmocka_unit_test(test_git_file_remote_pushed_and_moved_remote_refused),
		cmocka_unit_test(test_a_source_without_record_refuses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
