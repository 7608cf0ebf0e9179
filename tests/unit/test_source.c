/*
 * pkg/source sources: the directory's content hash (what wakes the loop),
 * the all-or-nothing loads of the dir source and of the Git adapter (a
 * repository built with the git CLI; skipped when git is not installed),
 * and a command line's selection of a source: its checks and its opening.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shell_helpers.h"

#include "resolve/resolve.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

static const char cluster_doc[] = "apiVersion: kdr.io/v1alpha1\n"
				  "kind: KafkaCluster\n"
				  "metadata: {name: dc-a}\n"
				  "spec:\n"
				  "  bootstrapServers: 127.0.0.1:9092\n";
static const char policy_doc[] = "apiVersion: kdr.io/v1alpha1\n"
				 "kind: TopicPolicy\n"
				 "metadata: {name: core}\n"
				 "spec:\n"
				 "  clusters: [dc-a]\n"
				 "  topics: [orders]\n";
static const char broken_doc[] = "apiVersion: kdr.io/v1alpha1\n"
				 "kind: TopicPolicy\n"
				 "metadata: {name: broken}\n"
				 "spec:\n"
				 "  clusters: [dc-a]\n"
				 "  partitions: many\n";

static void write_file(const char *dir, const char *name, const char *content)
{
	char *path = kdr_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	assert_int_equal(fclose(f), 0);
	free(path);
}

static char *make_dir(void)
{
	char tmpl[] = "/tmp/kdr-ctl-src-XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return kdr_strdup(dir);
}

static void remove_dir(char *dir)
{
	kdr_test_sh("rm -rf '%s'", dir);
	free(dir);
}

static char *revision_of(const char *dir)
{
	char *rev = NULL;

	assert_int_equal(kdr_source_dir_revision(&rev, dir), 0);
	assert_non_null(rev);
	return rev;
}

static void test_dir_revision_is_a_stable_content_hash(void **state)
{
	char *dir = make_dir();
	char *a = NULL, *b = NULL;

	(void)state;
	write_file(dir, "cluster.yaml", cluster_doc);
	write_file(dir, "policy.yml", policy_doc);
	a = revision_of(dir);
	b = revision_of(dir);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_equal(a, b);
	free(b);
	/* An mtime change alone is no change. */
	kdr_test_sh("touch -d '2001-01-01' '%s/cluster.yaml'", dir);
	b = revision_of(dir);
	assert_string_equal(a, b);
	free(b);
	/* Files the loader ignores do not count: other extensions, hidden entries. */
	write_file(dir, "README.md", "notes");
	write_file(dir, ".draft.yaml", broken_doc);
	kdr_test_sh("mkdir -p '%s/.git' && echo x > '%s/.git/x.yaml'", dir, dir);
	b = revision_of(dir);
	assert_string_equal(a, b);
	free(b);
	free(a);
	remove_dir(dir);
}

static void test_dir_revision_changes_with_documents(void **state)
{
	char *dir = make_dir();
	char *base = NULL, *rev = NULL;

	(void)state;
	write_file(dir, "cluster.yaml", cluster_doc);
	base = revision_of(dir);

	/* Edited content. */
	write_file(dir, "cluster.yaml", policy_doc);
	rev = revision_of(dir);
	assert_string_not_equal(base, rev);
	free(rev);
	/* Reverting the content reverts the revision: it is content-addressed. */
	write_file(dir, "cluster.yaml", cluster_doc);
	rev = revision_of(dir);
	assert_string_equal(base, rev);
	free(rev);
	/* A document added in a subdirectory. */
	kdr_test_sh("mkdir -p '%s/sub'", dir);
	write_file(dir, "sub/policy.yaml", policy_doc);
	rev = revision_of(dir);
	assert_string_not_equal(base, rev);
	free(rev);
	/* Removed again. */
	kdr_test_sh("rm '%s/sub/policy.yaml'", dir);
	rev = revision_of(dir);
	assert_string_equal(base, rev);
	free(rev);
	/* Renamed: same bytes, another name. */
	kdr_test_sh("mv '%s/cluster.yaml' '%s/clusters.yaml'", dir, dir);
	rev = revision_of(dir);
	assert_string_not_equal(base, rev);
	free(rev);
	free(base);
	remove_dir(dir);
}

static void test_dir_revision_separates_files(void **state)
{
	char *one = make_dir(), *two = make_dir();
	char *a = NULL, *b = NULL;

	(void)state;
	/* The same concatenated bytes split differently between two files. */
	write_file(one, "a.yaml", "# ab\n");
	write_file(one, "b.yaml", "");
	write_file(two, "a.yaml", "# a");
	write_file(two, "b.yaml", "b\n");
	a = revision_of(one);
	b = revision_of(two);
	assert_string_not_equal(a, b);
	free(b);
	/* The same tree at another path is the same revision. */
	write_file(two, "a.yaml", "# ab\n");
	write_file(two, "b.yaml", "");
	b = revision_of(two);
	assert_string_equal(a, b);
	free(a);
	free(b);
	remove_dir(one);
	remove_dir(two);
}

static void test_dir_revision_errors(void **state)
{
	char *dir = make_dir();
	char *rev = NULL;
	char *file = NULL;

	(void)state;
	assert_int_equal(kdr_source_dir_revision(&rev, "/nonexistent/kdr"), KDR_EIO);
	assert_null(rev);
	assert_non_null(strstr(kdr_error_message(), "cannot open directory '/nonexistent/kdr'"));
	/* A single file is a directory of one. */
	write_file(dir, "only.yaml", cluster_doc);
	file = kdr_asprintf("%s/only.yaml", dir);
	rev = revision_of(file);
	free(rev);
	/* A document that cannot be read is an error, not a silent skip. */
	kdr_test_sh("ln -s '%s/missing.yaml' '%s/dangling.yaml'", dir, dir);
	assert_int_equal(kdr_source_dir_revision(&rev, dir), KDR_EIO);
	assert_non_null(strstr(kdr_error_message(), "dangling.yaml"));
	free(file);
	remove_dir(dir);
}

static void test_dir_source_loads_all_or_nothing(void **state)
{
	struct kdr_source source = { NULL, NULL };
	struct kdr_desired desired;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *dir = make_dir();
	char *rev = NULL, *rev2 = NULL;
	const struct kdr_resolved *resolved = NULL;

	(void)state;
	memset(&desired, 0, sizeof(desired));
	write_file(dir, "cluster.yaml", cluster_doc);
	write_file(dir, "policy.yaml", policy_doc);
	kdr_source_dir(&source, dir, 0);
	assert_non_null(strstr(source.ops->describe(source.ctx), dir));
	assert_int_equal(source.ops->revision(&rev, source.ctx), 0);
	assert_int_equal(source.ops->load(&desired, &diags, rev, source.ctx), 0);
	assert_int_equal(desired.n_clusters, 1);
	assert_int_equal(desired.n_policies, 1);
	assert_string_equal(desired.revision, rev);
	/* Loaded means resolved too: the regexes compiled once, for validation and the plan. */
	resolved = kdr_resolved_of(&desired);
	assert_non_null(resolved);
	assert_int_equal(resolved->filters.n_policies, 1);

	/* A broken revision: rejected, the good state (and what was resolved from it) untouched. */
	write_file(dir, "broken.yaml", broken_doc);
	assert_int_equal(source.ops->revision(&rev2, source.ctx), 0);
	assert_string_not_equal(rev, rev2);
	assert_int_equal(source.ops->load(&desired, &diags, rev2, source.ctx), KDR_EINVALID);
	assert_true(diags.errors > 0);
	assert_int_equal(desired.n_policies, 1);
	assert_string_equal(desired.revision, rev);
	assert_ptr_equal(kdr_resolved_of(&desired), resolved);
	kdr_diags_release(&diags);

	/* Parse only (the base of a pull request): neither validated nor resolved. */
	{
		struct kdr_desired base;

		memset(&base, 0, sizeof(base));
		kdr_test_sh("rm '%s/broken.yaml'", dir);
		assert_int_equal(kdr_source_load_dir(&base, &diags, dir, KDR_SOURCE_NO_VALIDATE), 0);
		assert_int_equal(base.n_policies, 1);
		assert_null(kdr_resolved_of(&base));
		kdr_desired_release(&base);
		write_file(dir, "broken.yaml", broken_doc);
	}

	/* Changed between the check and the load: a conflict, nothing used. */
	kdr_test_sh("rm '%s/broken.yaml'", dir);
	write_file(dir, "more.yaml", "# a comment only\n");
	assert_int_equal(source.ops->load(&desired, &diags, rev, source.ctx), KDR_ECONFLICT);
	assert_string_equal(desired.revision, rev);
	kdr_diags_release(&diags);

	free(rev);
	free(rev2);
	kdr_desired_release(&desired);
	kdr_source_release(&source);
	assert_null(source.ops);
	kdr_source_release(&source); /* a released source is fine to release again */
	remove_dir(dir);
}

static bool have_git(void)
{
	return system("git --version >/dev/null 2>&1") == 0;
}

static char *git_head(const char *repo)
{
	char command[1024];
	char line[64] = { 0 };
	FILE *pipe = NULL;

	snprintf(command, sizeof(command), "git -C '%s' rev-parse main", repo);
	pipe = popen(command, "r");
	assert_non_null(pipe);
	assert_non_null(fgets(line, sizeof(line), pipe));
	assert_int_equal(pclose(pipe), 0);
	line[strcspn(line, "\n")] = '\0';
	return kdr_strdup(line);
}

static void commit_all(const char *repo, const char *message)
{
	kdr_test_sh("cd '%s' && git add -A && git -c user.name=kdr -c user.email=kdr@example.invalid commit -q -m '%s'",
		    repo, message);
}

static void test_git_source_follows_the_ref(void **state)
{
	struct kdr_source source = { NULL, NULL };
	struct kdr_git_options options;
	struct kdr_desired desired;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *repo = NULL;
	char *head = NULL, *rev = NULL;

	(void)state;
	if (!have_git())
		skip();
	memset(&options, 0, sizeof(options));
	memset(&desired, 0, sizeof(desired));
	repo = make_dir();
	kdr_test_sh("git init -q -b main '%s' && mkdir -p '%s/kdr'", repo, repo);
	write_file(repo, "kdr/cluster.yaml", cluster_doc);
	write_file(repo, "other.yaml", broken_doc); /* outside --path: never read */
	commit_all(repo, "first");

	options.url = repo;
	assert_int_equal(kdr_source_git(&source, &options, "main", "kdr", 0), 0);
	assert_non_null(strstr(source.ops->describe(source.ctx), "ref main path kdr"));
	assert_int_equal(source.ops->revision(&rev, source.ctx), 0);
	head = git_head(repo);
	assert_string_equal(rev, head);
	assert_int_equal(source.ops->load(&desired, &diags, rev, source.ctx), 0);
	assert_int_equal(desired.n_clusters, 1);
	assert_string_equal(desired.revision, head);
	free(rev);
	free(head);

	/* A new commit moves the revision; a broken one is rejected and the good state stays. */
	write_file(repo, "kdr/policy.yaml", broken_doc);
	commit_all(repo, "broken");
	assert_int_equal(source.ops->revision(&rev, source.ctx), 0);
	head = git_head(repo);
	assert_string_equal(rev, head);
	assert_int_equal(source.ops->load(&desired, &diags, rev, source.ctx), KDR_EINVALID);
	assert_true(diags.errors > 0);
	assert_string_not_equal(desired.revision, head);
	assert_int_equal(desired.n_policies, 0);
	kdr_diags_release(&diags);
	free(rev);
	free(head);

	write_file(repo, "kdr/policy.yaml", policy_doc);
	commit_all(repo, "fixed");
	assert_int_equal(source.ops->revision(&rev, source.ctx), 0);
	assert_int_equal(source.ops->load(&desired, &diags, rev, source.ctx), 0);
	assert_int_equal(desired.n_policies, 1);
	assert_string_equal(desired.revision, rev);
	assert_non_null(kdr_resolved_of(&desired));
	assert_int_equal(kdr_resolved_of(&desired)->filters.n_policies, 1);
	free(rev);
	rev = NULL;
	kdr_source_release(&source);

	/* An unknown ref is an error of the check, not a crash of the loop. */
	assert_int_equal(kdr_source_git(&source, &options, "no-such-branch", NULL, 0), 0);
	assert_int_equal(source.ops->revision(&rev, source.ctx), KDR_ENOTFOUND);
	assert_null(rev);
	kdr_source_release(&source);

	/* A repository that does not exist fails at open. */
	options.url = "/nonexistent/kdr-repo";
	assert_true(kdr_source_git(&source, &options, NULL, NULL, 0) < 0);
	assert_null(source.ops);

	kdr_desired_release(&desired);
	remove_dir(repo);
}

/* The combinations a command line may name, and the message of each it may not (exact: the CLI prints it). */
static void test_selection_check(void **state)
{
	static const struct {
		struct kdr_source_selection sel;
		const char *message; /* NULL: valid */
	} cases[] = {
		{ { 0 }, NULL },
		{ { .dir = "d" }, NULL },
		{ { .git_url = "u", .ref = "r", .path = "p", .cache_dir = "c", .token_env = "E", .token_file = "f" }, NULL },
		{ { .k8s = true, .namespace = "n", .kubeconfig = "k", .context = "c" }, NULL },
		{ { .dir = "d", .git_url = "u" }, "give one of DIR, --git and --k8s" },
		{ { .git_url = "u", .k8s = true }, "give one of DIR, --git and --k8s" },
		{ { .dir = "d", .k8s = true }, "give one of DIR, --git and --k8s" },
		{ { .namespace = "n" }, "--namespace, --kubeconfig and --context need --k8s" },
		{ { .git_url = "u", .context = "c" }, "--namespace, --kubeconfig and --context need --k8s" },
		{ { .ref = "r" }, "--ref, --path, --cache-dir, --token-env and --token-file need --git" },
		{ { .k8s = true, .token_file = "f" }, "--ref, --path, --cache-dir, --token-env and --token-file need --git" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = kdr_source_selection_check(&cases[i].sel);

		if (!cases[i].message) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, KDR_EINVALID);
		assert_string_equal(kdr_error_message(), cases[i].message);
	}
}

/* A selection opens as the source it names: a directory (default '.'), Git at its ref; Kubernetes is pkg/k8s's. */
static void test_selection_opens_its_source(void **state)
{
	struct kdr_source source = { NULL, NULL };
	struct kdr_source_selection sel = { 0 };
	char *repo = NULL;

	(void)state;
	assert_int_equal(kdr_source_open(&source, &sel, 0, 0), 0);
	assert_string_equal(kdr_source_describe(&source), "dir .");
	kdr_source_release(&source);
	sel.dir = "/some/dir";
	assert_int_equal(kdr_source_open(&source, &sel, 0, 0), 0);
	assert_string_equal(kdr_source_describe(&source), "dir /some/dir");
	kdr_source_release(&source);

	sel = (struct kdr_source_selection){ .k8s = true };
	assert_int_equal(kdr_source_open(&source, &sel, 0, 0), KDR_EUNSUPPORTED);
	assert_null(source.ops);

	if (!have_git())
		skip();
	repo = make_dir();
	kdr_test_sh("git init -q -b main '%s' && mkdir -p '%s/kdr'", repo, repo);
	write_file(repo, "kdr/cluster.yaml", cluster_doc);
	commit_all(repo, "first");
	sel = (struct kdr_source_selection){ .git_url = repo, .ref = "main", .path = "kdr" };
	assert_int_equal(kdr_source_open(&source, &sel, 0, 0), 0);
	assert_non_null(strstr(kdr_source_describe(&source), "ref main path kdr"));
	kdr_source_release(&source);
	sel.git_url = "/nonexistent/kdr-repo";
	assert_true(kdr_source_open(&source, &sel, 0, 0) < 0);
	assert_null(source.ops);
	remove_dir(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_revision_is_a_stable_content_hash),
		cmocka_unit_test(test_dir_revision_changes_with_documents),
		cmocka_unit_test(test_dir_revision_separates_files),
		cmocka_unit_test(test_dir_revision_errors),
		cmocka_unit_test(test_dir_source_loads_all_or_nothing),
		cmocka_unit_test(test_git_source_follows_the_ref),
		cmocka_unit_test(test_selection_check),
		cmocka_unit_test(test_selection_opens_its_source),
	};

	return cmocka_run_group_tests_name("controller sources", tests, NULL, NULL);
}
