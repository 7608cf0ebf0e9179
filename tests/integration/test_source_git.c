/*
 * pkg/source (Git) against real repositories built with the git CLI: a work
 * tree opened in place, a CI-style clone (origin/main), a bare repository
 * cloned into the cache over file:// and over git:// from `git daemon` on
 * loopback, fetches that bring new commits, and the failures: broken
 * commits (located diagnostics, last good state kept), unknown refs and
 * paths, oversized blobs, unreachable and stalled servers (bounded).
 * Also the directory source and the desired-state diff of two commits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shell_helpers.h"

#include "diff/diff.h"
#include "source/source.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* --- fixture repositories --- */

static char root[64];		/* everything the tests create */
static char work[PATH_MAX + 8]; /* the work tree: main, tags, branches */
static char c1[41], c2[41], c3[41], c_broken[41], c_big[41], c_layout[41];

static void write_file(const char *dir, const char *rel, const char *content)
{
	char *path = kdr_asprintf("%s/%s", dir, rel);
	FILE *f = NULL;

	kdr_test_sh("mkdir -p \"$(dirname '%s')\"", path);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(path);
}

/* Commits everything in `dir` and returns the commit id into `out`. */
static void commit_all(char out[41], const char *dir, const char *message)
{
	char *id = NULL;

	kdr_test_sh("git -C '%s' add -A && git -C '%s' commit -q -m '%s'", dir, dir, message);
	id = kdr_test_sh_out("git -C '%s' rev-parse HEAD", dir);
	assert_int_equal(strlen(id), 40);
	memcpy(out, id, 41);
	free(id);
}

static const char clusters_yaml[] = "apiVersion: kdr.io/v1alpha1\n"
				    "kind: KafkaCluster\n"
				    "metadata: {name: dc-east}\n"
				    "spec:\n"
				    "  bootstrapServers: east:9092\n"
				    "---\n"
				    "apiVersion: kdr.io/v1alpha1\n"
				    "kind: KafkaCluster\n"
				    "metadata: {name: dc-west}\n"
				    "spec:\n"
				    "  bootstrapServers: west:9092\n";

static const char topics_v1[] = "apiVersion: kdr.io/v1alpha1\n"
				"kind: TopicPolicy\n"
				"metadata: {name: core}\n"
				"spec:\n"
				"  clusters: [dc-east, dc-west]\n"
				"  topics:\n"
				"    - name: orders\n"
				"      partitions: 12\n"
				"  partitions: 6\n"
				"  config: {retention.ms: \"604800000\"}\n";

static const char topics_v2[] = "apiVersion: kdr.io/v1alpha1\n"
				"kind: TopicPolicy\n"
				"metadata: {name: core}\n"
				"spec:\n"
				"  clusters: [dc-east, dc-west]\n"
				"  topics:\n"
				"    - name: orders\n"
				"      partitions: 12\n"
				"    - name: events\n"
				"  partitions: 6\n"
				"  config: {retention.ms: \"604800000\"}\n";

static const char topics_v3[] = "apiVersion: kdr.io/v1alpha1\n"
				"kind: TopicPolicy\n"
				"metadata: {name: core}\n"
				"spec:\n"
				"  clusters: [dc-east, dc-west]\n"
				"  topics:\n"
				"    - name: orders\n"
				"      partitions: 12\n"
				"    - name: events\n"
				"  partitions: 6\n"
				"  config: {retention.ms: \"86400000\"}\n";

/* v3 with a misspelt field on line 8, column 7. */
static const char topics_broken[] = "apiVersion: kdr.io/v1alpha1\n"
				    "kind: TopicPolicy\n"
				    "metadata: {name: core}\n"
				    "spec:\n"
				    "  clusters: [dc-east, dc-west]\n"
				    "  topics:\n"
				    "    - name: orders\n"
				    "      partitons: 12\n"
				    "    - name: events\n"
				    "  partitions: 6\n"
				    "  config: {retention.ms: \"86400000\"}\n";

static int setup_repos(void **state)
{
	char *big = NULL;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/kdr-test-git-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	/* Neither the user's git configuration nor libgit2's reading of it may change the outcome. */
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "kdr test", 1);
	setenv("GIT_AUTHOR_EMAIL", "kdr@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "kdr test", 1);
	setenv("GIT_COMMITTER_EMAIL", "kdr@example.com", 1);
	snprintf(work, sizeof(work), "%s/work", root);
	kdr_test_sh("git init -q -b main '%s'", work);

	/* c1: two clusters and a policy under kdr/, plus things that are not documents. */
	write_file(work, "kdr/clusters.yaml", clusters_yaml);
	write_file(work, "kdr/topics.yaml", topics_v1);
	write_file(work, "README.md", "# desired state\n");
	write_file(work, ".github/workflows/ci.yaml", "on: push\njobs: {}\n");
	commit_all(c1, work, "clusters and a policy");
	/* c2: a topic added; tagged (annotated and lightweight). */
	write_file(work, "kdr/topics.yaml", topics_v2);
	commit_all(c2, work, "add topic events");
	kdr_test_sh("git -C '%s' tag -a v1 -m 'release 1' && git -C '%s' tag light", work, work);
	/* c3: a config change; main stays here. */
	write_file(work, "kdr/topics.yaml", topics_v3);
	commit_all(c3, work, "shorter retention");

	/* c_broken on branch broken: an unknown field. */
	kdr_test_sh("git -C '%s' checkout -q -b broken", work);
	write_file(work, "kdr/topics.yaml", topics_broken);
	commit_all(c_broken, work, "typo");

	/* c_big on branch big: a document over the 4 MiB limit next to good ones. */
	kdr_test_sh("git -C '%s' checkout -q -b big main", work);
	big = kdr_malloc(((size_t)5 << 20) + 64);
	memset(big, '#', (size_t)5 << 20);
	memcpy(big + ((size_t)5 << 20), "\n", 2);
	write_file(work, "kdr/zz-big.yaml", big);
	free(big);
	commit_all(c_big, work, "too big");

	/*
	 * c_layout on branch layout: nesting, .yml, a hidden file, a symlink,
	 * a submodule, a non-YAML file and names whose byte order differs
	 * from the order they were added in.
	 */
	kdr_test_sh("git -C '%s' checkout -q -b layout main", work);
	write_file(work, "kdr/b.yml",
		   "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: b-yml}\nspec: {bootstrapServers: "
		   "b:1}\n");
	write_file(work, "kdr/a/nested.yaml",
		   "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: a-nested}\nspec: "
		   "{bootstrapServers: a:1}\n");
	write_file(work, "kdr/a.yaml",
		   "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: a-file}\nspec: "
		   "{bootstrapServers: a:2}\n");
	write_file(work, "kdr/.hidden.yaml", "not: [a kdr document\n");
	write_file(work, "kdr/notes.txt", "kind: KafkaCluster\n");
	kdr_test_sh("ln -s clusters.yaml '%s/kdr/link.yaml'", work);
	kdr_test_sh("git -C '%s' update-index --add --cacheinfo 160000,%s,kdr/vendor.yaml", work, c1);
	commit_all(c_layout, work, "layout");
	kdr_test_sh("git -C '%s' checkout -q main", work);
	return 0;
}

static void stop_daemon(pid_t pid);
/* The daemon of the running test, stopped here too when a failed assertion skipped the test's own stop. */
static pid_t running_daemon;

static int teardown_repos(void **state)
{
	(void)state;
	stop_daemon(running_daemon);
	if (root[0])
		kdr_test_sh("rm -rf '%s'", root);
	return 0;
}

/* A fresh bare copy of the work tree's refs, for tests that push to it. */
static char *make_bare(const char *name)
{
	char *bare = kdr_asprintf("%s/%s", root, name);

	kdr_test_sh("rm -rf '%s' && git clone -q --bare '%s' '%s'", bare, work, bare);
	return bare;
}

/* A new commit on top of main of `bare`, pushed to `ref` from a scratch clone; its id into `out`. */
static void push_commit_to(char out[41], const char *bare, const char *ref, const char *rel, const char *content)
{
	char *scratch = kdr_asprintf("%s/scratch", root);

	kdr_test_sh("rm -rf '%s' && git clone -q '%s' '%s'", scratch, bare, scratch);
	write_file(scratch, rel, content);
	commit_all(out, scratch, "pushed");
	kdr_test_sh("git -C '%s' push -q origin HEAD:%s", scratch, ref);
	kdr_test_sh("rm -rf '%s'", scratch);
	free(scratch);
}

static void push_commit(char out[41], const char *bare, const char *rel, const char *content)
{
	push_commit_to(out, bare, "refs/heads/main", rel, content);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void assert_resolves(struct kdr_git_repo *repo, const char *ref, const char *expected)
{
	char hex[41] = {0};
	int rc = kdr_git_resolve(hex, repo, ref);

	if (rc != 0)
		fail_msg("resolve '%s': %d %s", ref ? ref : "(null)", rc, kdr_error_message());
	assert_string_equal(hex, expected);
}

static void assert_no_diags(const struct kdr_diags *diags)
{
	if (diags->n) {
		kdr_diags_print(diags, stdout);
		fail_msg("expected no diagnostics, got %zu", diags->n);
	}
}

/* Loads a commit that must be valid. */
static void load_ok(struct kdr_desired *out, struct kdr_git_repo *repo, const char *commit, const char *path)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int rc = kdr_git_load(out, &diags, repo, commit, path, 0);

	assert_no_diags(&diags);
	if (rc != 0)
		fail_msg("load %s: %d %s", commit, rc, kdr_error_message());
	kdr_diags_release(&diags);
}

static struct kdr_git_repo *open_ok(const struct kdr_git_options *options)
{
	struct kdr_git_repo *repo = NULL;
	int rc = kdr_git_open(&repo, options);

	if (rc != 0)
		fail_msg("open '%s': %d %s", options->url, rc, kdr_error_message());
	return repo;
}

static const struct kdr_policy *policy(const struct kdr_desired *desired, const char *name)
{
	for (size_t i = 0; i < desired->n_policies; i++)
		if (strcmp(desired->policies[i].meta.name, name) == 0)
			return &desired->policies[i];
	return NULL;
}

/* Checks that `desired` is the state of c1, c2 or c3 (1, 2, 3). */
static void assert_state(const struct kdr_desired *desired, int version, const char *commit)
{
	const struct kdr_policy *core = policy(desired, "core");

	assert_int_equal(desired->n_clusters, 2);
	assert_non_null(core);
	assert_int_equal(core->n_topics, version == 1 ? 1 : 2);
	assert_string_equal(kdr_strmap_get(&core->config, "retention.ms"), version == 3 ? "86400000" : "604800000");
	assert_string_equal(desired->revision, commit);
	assert_string_equal(core->meta.file, "kdr/topics.yaml");
	assert_non_null(core->meta.revision);
	assert_memory_equal(core->meta.revision, commit, 7);
	assert_int_equal(strlen(core->meta.revision), 7);
	assert_string_equal(desired->clusters[0].meta.file, "kdr/clusters.yaml");
}

/* --- a local repository, opened in place --- */

static void test_local_reads_each_commit_by_id(void **state)
{
	struct kdr_git_options options = {work, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0};

	(void)state;
	repo = open_ok(&options);
	assert_null(kdr_git_cache_path(repo));
	assert_string_equal(kdr_git_display_url(repo), work);
	/* Any commit, in any order, without touching the others or the work tree. */
	load_ok(&desired, repo, c3, "kdr");
	assert_state(&desired, 3, c3);
	load_ok(&desired, repo, c1, "kdr");
	assert_state(&desired, 1, c1);
	load_ok(&desired, repo, c2, "kdr");
	assert_state(&desired, 2, c2);
	/* The fetch of a local repository is a no-op. */
	assert_int_equal(kdr_git_fetch(repo), 0);
	kdr_desired_release(&desired);
	kdr_git_free(repo);
}

static void test_local_refs(void **state)
{
	struct kdr_git_options options = {work, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	char abbrev[8] = {0};

	(void)state;
	repo = open_ok(&options);
	assert_resolves(repo, NULL, c3);
	assert_resolves(repo, "", c3);
	assert_resolves(repo, "HEAD", c3);
	assert_resolves(repo, "main", c3);
	assert_resolves(repo, "refs/heads/main", c3);
	assert_resolves(repo, "broken", c_broken);
	assert_resolves(repo, "v1", c2);    /* annotated: peeled to its commit */
	assert_resolves(repo, "light", c2); /* lightweight */
	assert_resolves(repo, "HEAD~2", c1);
	assert_resolves(repo, c1, c1);
	memcpy(abbrev, c1, 7);
	assert_resolves(repo, abbrev, c1);
	kdr_git_free(repo);
}

static void test_ci_clone_resolves_origin_main(void **state)
{
	char *ci = kdr_asprintf("%s/ci", root);
	struct kdr_git_options options = {ci, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired base = {0}, head = {0};
	char head_id[41] = {0}, base_id[41] = {0};

	(void)state;
	/* What a CI job has: a checkout of the PR head with origin/main fetched. */
	kdr_test_sh("rm -rf '%s' && git clone -q '%s' '%s' && git -C '%s' checkout -q --detach %s", ci, work, ci, ci,
		    c_layout);
	repo = open_ok(&options);
	assert_resolves(repo, "HEAD", c_layout);
	assert_resolves(repo, "origin/main", c3);
	assert_resolves(repo, "origin/broken", c_broken);
	assert_resolves(repo, "refs/remotes/origin/main", c3);
	assert_int_equal(kdr_git_resolve(head_id, repo, "HEAD"), 0);
	assert_int_equal(kdr_git_resolve(base_id, repo, "origin/main"), 0);
	load_ok(&head, repo, head_id, "kdr");
	load_ok(&base, repo, base_id, "kdr");
	assert_int_equal(head.n_clusters, 5);
	assert_int_equal(base.n_clusters, 2);
	kdr_desired_release(&base);
	kdr_desired_release(&head);
	kdr_git_free(repo);
	kdr_test_sh("rm -rf '%s'", ci);
	free(ci);
}

static void test_unknown_refs_are_clear_errors(void **state)
{
	struct kdr_git_options options = {work, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	char hex[41] = {0};
	char *expected = NULL;

	(void)state;
	repo = open_ok(&options);
	assert_int_equal(kdr_git_resolve(hex, repo, "no-such-branch"), KDR_ENOTFOUND);
	expected = kdr_asprintf("ref 'no-such-branch' not found in '%s'", work);
	assert_string_equal(kdr_error_message(), expected);
	assert_string_equal(hex, "");
	free(expected);
	assert_int_equal(kdr_git_resolve(hex, repo, "deadbeef"), KDR_ENOTFOUND);
	/* A tree is not a commit. */
	assert_int_equal(kdr_git_resolve(hex, repo, "HEAD^{tree}"), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "is a tree, not a commit"));
	/* Nor is a malformed expression a ref. */
	assert_true(kdr_git_resolve(hex, repo, "main@{") < 0);
	kdr_git_free(repo);
}

static void test_open_errors(void **state)
{
	char *missing = kdr_asprintf("%s/missing", root);
	char *plain = kdr_asprintf("%s/plain", root);
	char *inside = kdr_asprintf("%s/kdr", work);
	struct kdr_git_options options = {missing, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;

	(void)state;
	assert_int_equal(kdr_git_open(&repo, &options), KDR_ENOTFOUND);
	assert_null(repo);
	assert_non_null(strstr(kdr_error_message(), "no such directory"));
	kdr_test_sh("mkdir -p '%s'", plain);
	options.url = plain;
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EINVALID);
	assert_non_null(strstr(kdr_error_message(), "is not a git repository"));
	/* A subdirectory of a work tree is not its top. */
	options.url = inside;
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EINVALID);
	options.url = "";
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EINVALID);
	/* Someone else's repository is not trusted, as git does (only root can set this up). */
	if (geteuid() == 0) {
		char *foreign = kdr_asprintf("%s/foreign", root);

		kdr_test_sh("rm -rf '%s' && git init -q '%s' && chown -R nobody '%s'", foreign, foreign, foreign);
		options.url = foreign;
		assert_int_equal(kdr_git_open(&repo, &options), KDR_EINVALID);
		assert_non_null(strstr(kdr_error_message(), "is owned by another user"));
		kdr_test_sh("rm -rf '%s'", foreign);
		free(foreign);
	}
	free(missing);
	free(plain);
	free(inside);
}

/* --- paths, filters, limits --- */

static void test_paths_and_filters(void **state)
{
	struct kdr_git_options options = {work, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT;
	static const char *const order[] = {"a-file", "a-nested", "b-yml", "dc-east", "dc-west"};

	(void)state;
	repo = open_ok(&options);
	/*
	 * Sorted by full path: kdr/a.yaml, kdr/a/nested.yaml, kdr/b.yml,
	 * kdr/clusters.yaml; the hidden file, the text file, the symlink
	 * (which would duplicate dc-east) and the submodule are skipped.
	 */
	load_ok(&desired, repo, c_layout, "kdr");
	assert_int_equal(desired.n_clusters, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(desired.clusters[i].meta.name, order[i]);
	assert_string_equal(desired.clusters[1].meta.file, "kdr/a/nested.yaml");
	assert_string_equal(desired.clusters[2].meta.file, "kdr/b.yml");
	/* The whole tree: .github/ is hidden, so the same state. */
	load_ok(&desired, repo, c_layout, NULL);
	assert_int_equal(desired.n_clusters, 5);
	load_ok(&desired, repo, c_layout, ".");
	assert_int_equal(desired.n_clusters, 5);
	/* Spellings of the same directory, and a single file. */
	load_ok(&desired, repo, c_layout, "./kdr/");
	assert_int_equal(desired.n_clusters, 5);
	load_ok(&desired, repo, c_layout, "/kdr//a");
	assert_int_equal(desired.n_clusters, 1);
	assert_string_equal(desired.clusters[0].meta.name, "a-nested");
	/* (Parsed only: the policy alone names clusters defined in the other file.) */
	assert_int_equal(kdr_git_load(&desired, &diags, repo, c3, "kdr/topics.yaml", KDR_SOURCE_NO_VALIDATE), 0);
	assert_no_diags(&diags);
	assert_int_equal(desired.n_clusters, 0);
	assert_int_equal(desired.n_policies, 1);
	/* Failures leave the last good state. */
	assert_int_equal(kdr_git_load(&desired, &diags, repo, c3, "nope", 0), KDR_ENOTFOUND);
	assert_non_null(strstr(kdr_error_message(), "path 'nope' not found in commit"));
	assert_int_equal(kdr_git_load(&desired, &diags, repo, c3, "../etc", 0), KDR_EINVALID);
	assert_int_equal(kdr_git_load(&desired, &diags, repo, c3, "README.md", 0), KDR_EINVALID);
	assert_int_equal(kdr_git_load(&desired, &diags, repo, "zzzz", NULL, 0), KDR_EINVALID);
	assert_int_equal(kdr_git_load(&desired, &diags, repo, "0000000000", NULL, 0), KDR_ENOTFOUND);
	assert_int_equal(diags.n, 0);
	assert_int_equal(desired.n_policies, 1);
	assert_string_equal(desired.revision, c3);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	kdr_git_free(repo);
}

static void test_broken_commit_keeps_last_good_state(void **state)
{
	struct kdr_git_options options = {work, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0}, direct = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT, direct_diags = KDR_DIAGS_INIT;
	char *expected = NULL, *line = NULL;

	(void)state;
	repo = open_ok(&options);
	load_ok(&desired, repo, c3, "kdr");
	assert_int_equal(kdr_git_load(&desired, &diags, repo, c_broken, "kdr", 0), KDR_EINVALID);
	/* Reported where it is, in which commit... */
	assert_true(diags.errors >= 1);
	expected = kdr_asprintf("kdr/topics.yaml:8:7 @ %.7s", c_broken);
	assert_string_equal(diags.v[0].where, expected);
	assert_string_equal(diags.v[0].field, "spec.topics[0].partitons");
	line = kdr_diag_format(&diags.v[0]);
	assert_true(strncmp(line, expected, strlen(expected)) == 0);
	/* ... exactly as the parser locates it, plus the commit. */
	kdr_spec_parse_yaml(&direct, "kdr/topics.yaml", topics_broken, strlen(topics_broken), &direct_diags);
	free(expected);
	expected = kdr_asprintf("%s @ %.7s", direct_diags.v[0].where, c_broken);
	assert_string_equal(diags.v[0].where, expected);
	assert_non_null(strstr(kdr_error_message(), "nothing from it is used"));
	/* ... and nothing of it is used: the last good state is untouched. */
	assert_state(&desired, 3, c3);
	kdr_desired_release(&desired);
	/* Into an empty state it stays empty. */
	assert_int_equal(kdr_git_load(&desired, &diags, repo, c_broken, "kdr", 0), KDR_EINVALID);
	assert_int_equal(desired.n_policies + desired.n_clusters, 0);
	assert_null(desired.revision);
	free(line);
	free(expected);
	kdr_desired_release(&direct);
	kdr_diags_release(&direct_diags);
	kdr_diags_release(&diags);
	kdr_git_free(repo);
}

static void test_validation_errors_are_located_too(void **state)
{
	char *repo_dir = kdr_asprintf("%s/invalid", root);
	struct kdr_git_options options = {repo_dir, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char commit[41] = {0}, *suffix = NULL;

	(void)state;
	/* Parses, but names a cluster nobody defined. */
	kdr_test_sh("rm -rf '%s' && git init -q -b main '%s'", repo_dir, repo_dir);
	write_file(repo_dir, "p.yaml",
		   "apiVersion: kdr.io/v1alpha1\nkind: TopicPolicy\nmetadata: {name: p}\n"
		   "spec: {clusters: [nowhere]}\n");
	commit_all(commit, repo_dir, "dangling reference");
	repo = open_ok(&options);
	assert_int_equal(kdr_git_load(&desired, &diags, repo, commit, NULL, 0), KDR_EINVALID);
	assert_true(diags.errors >= 1);
	suffix = kdr_asprintf(" @ %.7s", commit);
	assert_true(strncmp(diags.v[0].where, "p.yaml:", 7) == 0);
	assert_non_null(strstr(diags.v[0].where, suffix));
	kdr_diags_release(&diags);
	/* Parse only: accepted (the base of a diff is shown, never applied). */
	assert_int_equal(kdr_git_load(&desired, &diags, repo, commit, NULL, KDR_SOURCE_NO_VALIDATE), 0);
	assert_int_equal(desired.n_policies, 1);
	kdr_desired_release(&desired);
	kdr_diags_release(&diags);
	kdr_git_free(repo);
	free(suffix);
	free(repo_dir);
}

static void test_oversized_blob_is_rejected(void **state)
{
	struct kdr_git_options options = {work, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char *expected = NULL;

	(void)state;
	repo = open_ok(&options);
	assert_int_equal(kdr_git_load(&desired, &diags, repo, c_big, "kdr", 0), KDR_EINVALID);
	assert_int_equal(diags.errors, 1);
	expected = kdr_asprintf("kdr/zz-big.yaml @ %.7s", c_big);
	assert_string_equal(diags.v[0].where, expected);
	assert_string_equal(diags.v[0].message, "file of 5242881 bytes is larger than the limit of 4 MiB");
	assert_int_equal(desired.n_clusters, 0);
	free(expected);
	kdr_diags_release(&diags);
	kdr_git_free(repo);
}

/*
 * issue 14 item 5: a damaged repository gives a cause, never "0 error(s)":
 * HEAD naming a missing object, a missing blob, a corrupt tree are each an
 * error that names the object and what is wrong (as a diagnostic, so that
 * `kdr validate/plan/run` print it), and nothing leaks (LSan in the ASan run).
 */
static void test_damaged_repository_names_the_object(void **state)
{
	char *repo_dir = kdr_asprintf("%s/damaged", root);
	struct kdr_git_options options = {repo_dir, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char commit[41] = {0}, hex[41] = {0};
	char *blob = NULL, *tree = NULL, *text = NULL;

	(void)state;
	kdr_test_sh("rm -rf '%s' && git init -q -b main '%s'", repo_dir, repo_dir);
	write_file(repo_dir, "c.yaml", "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: c}\n"
				       "spec: {bootstrapServers: \"c:9092\"}\n");
	commit_all(commit, repo_dir, "one cluster");
	blob = kdr_test_sh_out("git -C '%s' rev-parse HEAD:c.yaml", repo_dir);
	tree = kdr_test_sh_out("git -C '%s' rev-parse 'HEAD^{tree}'", repo_dir);

	/* The blob is gone. */
	kdr_test_sh("rm -f '%s/.git/objects/%.2s/%s'", repo_dir, blob, blob + 2);
	repo = open_ok(&options);
	assert_true(kdr_git_load(&desired, &diags, repo, commit, NULL, 0) < 0);
	text = diags.n ? kdr_diag_format(&diags.v[0]) : kdr_strdup("");
	printf("# missing blob: %s | %s\n", text, kdr_error_message());
	assert_int_equal(diags.errors, 1);
	assert_non_null(strstr(text, "c.yaml @ "));
	assert_non_null(strstr(text, blob));
	free(text);
	kdr_diags_release(&diags);
	kdr_git_free(repo);

	/* The tree is corrupt (not zlib data). */
	kdr_test_sh("f='%s/.git/objects/%.2s/%s'; chmod u+w \"$f\"; printf 'garbage' > \"$f\"", repo_dir, tree,
		    tree + 2);
	repo = open_ok(&options);
	assert_true(kdr_git_load(&desired, &diags, repo, commit, NULL, 0) < 0);
	text = diags.n ? kdr_diag_format(&diags.v[0]) : kdr_strdup("");
	printf("# corrupt tree: %s | %s\n", text, kdr_error_message());
	assert_int_equal(diags.errors, 1);
	assert_non_null(strstr(text, tree));
	free(text);
	kdr_diags_release(&diags);
	kdr_git_free(repo);

	/* HEAD names an object that does not exist: a clear error, every time, no leak. */
	kdr_test_sh("echo 0123456789abcdef0123456789abcdef01234567 > '%s/.git/refs/heads/main'", repo_dir);
	for (int i = 0; i < 3; i++) {
		repo = open_ok(&options);
		assert_true(kdr_git_resolve(hex, repo, NULL) < 0);
		printf("# missing HEAD object: %s\n", kdr_error_message());
		assert_non_null(strstr(kdr_error_message(), "0123456789abcdef0123456789abcdef01234567"));
		kdr_git_free(repo);
	}
	assert_int_equal(desired.n_clusters, 0);
	free(blob);
	free(tree);
	free(repo_dir);
}

/* --- remotes through the cache --- */

static void test_file_url_clone_then_fetch(void **state)
{
	char *bare = make_bare("file-remote.git");
	char *url = kdr_asprintf("file://%s", bare);
	char *cache = kdr_asprintf("%s/cache-file", root);
	struct kdr_git_options options = {url, cache, NULL, NULL, 5000};
	struct kdr_git_repo *repo = NULL, *again = NULL;
	struct kdr_desired desired = {0};
	struct stat st;
	char c5[41] = {0}, c_pr[41] = {0}, hex[41] = {0};
	char *listing = NULL;

	(void)state;
	repo = open_ok(&options);
	/* One bare repository per URL under the cache, nothing else. */
	assert_non_null(kdr_git_cache_path(repo));
	assert_true(strncmp(kdr_git_cache_path(repo), cache, strlen(cache)) == 0);
	assert_int_equal(stat(kdr_git_cache_path(repo), &st), 0);
	listing = kdr_test_sh_out("ls '%s'", cache);
	assert_non_null(strstr(listing, ".git"));
	assert_null(strstr(listing, "tmp"));
	assert_null(strchr(listing, '\n'));
	free(listing);
	listing = kdr_test_sh_out("git --git-dir='%s' rev-parse --is-bare-repository", kdr_git_cache_path(repo));
	assert_string_equal(listing, "true");
	free(listing);
	/* The remote's HEAD, branches, tags, ids. */
	assert_resolves(repo, NULL, c3);
	assert_resolves(repo, "main", c3);
	assert_resolves(repo, "origin/main", c3);
	assert_resolves(repo, "broken", c_broken);
	assert_resolves(repo, "v1", c2);
	assert_resolves(repo, c1, c1);
	load_ok(&desired, repo, c2, "kdr");
	assert_state(&desired, 2, c2);

	/* A new commit on the remote: unseen until fetched. */
	push_commit(c5, bare, "kdr/more.yaml",
		    "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: dc-north}\n"
		    "spec: {bootstrapServers: north:9092}\n");
	assert_resolves(repo, "main", c3);
	assert_int_equal(kdr_git_resolve(hex, repo, c5), KDR_ENOTFOUND);
	assert_int_equal(kdr_git_fetch(repo), 0);
	assert_resolves(repo, "main", c5);
	assert_resolves(repo, NULL, c5);
	load_ok(&desired, repo, c5, "kdr");
	assert_int_equal(desired.n_clusters, 3);
	assert_string_equal(desired.revision, c5);

	/* A ref outside branches and tags (a pull request's head) is fetched when asked for. */
	push_commit_to(c_pr, bare, "refs/pull/7/head", "kdr/pr.yaml",
		       "apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: dc-pr}\n"
		       "spec: {bootstrapServers: pr:9092}\n");
	assert_int_equal(kdr_git_fetch(repo), 0);
	assert_int_equal(kdr_git_resolve(hex, repo, c_pr), KDR_ENOTFOUND);
	assert_resolves(repo, "refs/pull/7/head", c_pr);
	assert_resolves(repo, c_pr, c_pr);
	assert_int_equal(kdr_git_resolve(hex, repo, "refs/pull/8/head"), KDR_ENOTFOUND);

	/* A branch deleted on the remote goes from the cache. */
	kdr_test_sh("git --git-dir='%s' branch -q -D broken", bare);
	assert_int_equal(kdr_git_fetch(repo), 0);
	assert_int_equal(kdr_git_resolve(hex, repo, "broken"), KDR_ENOTFOUND);

	/* A second open reuses the cache (and fetches). */
	again = open_ok(&options);
	assert_string_equal(kdr_git_cache_path(again), kdr_git_cache_path(repo));
	assert_resolves(again, "main", c5);
	kdr_git_free(again);

	kdr_desired_release(&desired);
	kdr_git_free(repo);
	kdr_test_sh("rm -rf '%s' '%s'", bare, cache);
	free(bare);
	free(url);
	free(cache);
}

/* kdr_git_commit: a recorded change on a local work tree, and pushed from a remote's cache. */
static void test_commit_records_changes(void **state)
{
	char *local = kdr_asprintf("%s/commit-local", root);
	char *bare = make_bare("commit-remote.git");
	char *url = kdr_asprintf("file://%s", bare);
	char *cache = kdr_asprintf("%s/cache-commit", root);
	struct kdr_git_options local_options = {local, NULL, NULL, NULL, 0};
	struct kdr_git_options remote_options = {url, cache, NULL, NULL, 5000};
	struct kdr_git_repo *repo = NULL;
	struct kdr_git_change changes[2] = {
	    {"kdr/topics.yaml", topics_v2, sizeof(topics_v2) - 1},
	    {"kdr/extra.yaml", "# added by kdr\n", 15},
	};
	struct kdr_buf text = KDR_BUF_INIT;
	char head[41] = {0}, made[41] = {0}, again[41] = {0}, other[41] = {0};
	char *branch = NULL, *out = NULL;

	(void)state;
	kdr_test_sh("rm -rf '%s' && git clone -q '%s' '%s'", local, work, local);
	repo = open_ok(&local_options);
	assert_int_equal(kdr_git_branch_of(&branch, repo, NULL), 0);
	assert_string_equal(branch, "refs/heads/main");
	assert_resolves(repo, "main", c3);
	memcpy(head, c3, 41);
	assert_int_equal(kdr_git_read_file(&text, repo, head, "kdr/topics.yaml"), 0);
	assert_string_equal(text.ptr, topics_v3);
	assert_int_equal(kdr_git_read_file(&text, repo, head, "kdr/nope.yaml"), KDR_ENOTFOUND);
	assert_int_equal(kdr_git_branch_of(&out, repo, "v1"), KDR_EINVALID);
	assert_null(out);

	/* A commit on main, the work tree and index brought along. */
	assert_int_equal(kdr_git_commit(made, repo, branch, head, changes, 2, "kdr test: record\n\nbody\n"), 0);
	assert_string_not_equal(made, head);
	out = kdr_test_sh_out(
	    "git -C '%s' rev-parse HEAD HEAD^ && git -C '%s' log -1 --format=%%s%%n%%an && git -C '%s' status "
	    "--porcelain && cat '%s/kdr/extra.yaml'",
	    local, local, local, local);
	{
		char *want = kdr_asprintf("%s\n%s\nkdr test: record\nkdr test\n# added by kdr", made, head);

		assert_string_equal(out, want);
		free(want);
	}
	free(out);
	/* The same again on top of the new commit: nothing to commit. */
	assert_int_equal(kdr_git_commit(again, repo, branch, made, changes, 2, "kdr test: again"), 0);
	assert_string_equal(again, made);
	/* The branch moved since `head` was read: refused, nothing written. */
	changes[1].data = "# other\n";
	changes[1].len = 8;
	assert_int_equal(kdr_git_commit(other, repo, branch, head, changes, 2, "kdr test: stale"), KDR_ECONFLICT);
	assert_non_null(strstr(kdr_error_message(), "moved since commit"));
	/* A changed file with local edits in the work tree: refused before anything is written. */
	write_file(local, "kdr/extra.yaml", "# edited by hand\n");
	assert_int_equal(kdr_git_commit(other, repo, branch, made, changes, 2, "kdr test: dirty"), KDR_ECONFLICT);
	assert_non_null(strstr(kdr_error_message(), "has uncommitted changes"));
	out = kdr_test_sh_out("git -C '%s' rev-parse HEAD", local);
	assert_string_equal(out, made);
	free(out);
	/* Removing a file. */
	kdr_test_sh("git -C '%s' checkout -q -- kdr/extra.yaml", local);
	changes[1].data = NULL;
	assert_int_equal(kdr_git_commit(other, repo, branch, made, changes + 1, 1, "kdr test: remove"), 0);
	out = kdr_test_sh_out("git -C '%s' ls-files kdr && git -C '%s' status --porcelain", local, local);
	assert_string_equal(out, "kdr/clusters.yaml\nkdr/topics.yaml");
	free(out);
	kdr_git_free(repo);
	free(branch);
	branch = NULL;

	/* From a remote's cache: the commit is pushed to the remote's branch. */
	repo = open_ok(&remote_options);
	assert_int_equal(kdr_git_branch_of(&branch, repo, "origin/main"), 0);
	assert_string_equal(branch, "refs/heads/main");
	changes[1].data = "# pushed\n";
	changes[1].len = 9;
	assert_int_equal(kdr_git_commit(made, repo, branch, c3, changes, 2, "kdr test: pushed"), 0);
	out = kdr_test_sh_out("git --git-dir='%s' rev-parse main && git --git-dir='%s' show main:kdr/extra.yaml", bare,
			      bare);
	{
		char *want = kdr_asprintf("%s\n# pushed", made);

		assert_string_equal(out, want);
		free(want);
	}
	free(out);
	kdr_git_free(repo);
	kdr_buf_release(&text);
	free(branch);
	kdr_test_sh("rm -rf '%s' '%s' '%s'", local, bare, cache);
	free(local);
	free(bare);
	free(url);
	free(cache);
}

static void test_default_cache_location(void **state)
{
	char *bare = make_bare("xdg-remote.git");
	char *url = kdr_asprintf("file://%s", bare);
	char *xdg = kdr_asprintf("%s/xdg", root);
	char *prefix = NULL;
	struct kdr_git_options options = {url, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;

	(void)state;
	setenv("XDG_CACHE_HOME", xdg, 1);
	repo = open_ok(&options);
	prefix = kdr_asprintf("%s/kdr/git/", xdg);
	assert_true(strncmp(kdr_git_cache_path(repo), prefix, strlen(prefix)) == 0);
	kdr_git_free(repo);
	free(prefix);
	/* Without XDG_CACHE_HOME: ~/.cache. */
	unsetenv("XDG_CACHE_HOME");
	repo = open_ok(&options);
	prefix = kdr_asprintf("%s/.cache/kdr/git/", root);
	assert_true(strncmp(kdr_git_cache_path(repo), prefix, strlen(prefix)) == 0);
	assert_resolves(repo, NULL, c3);
	kdr_git_free(repo);
	kdr_test_sh("rm -rf '%s' '%s' '%s/.cache'", bare, xdg, root);
	free(prefix);
	free(bare);
	free(url);
	free(xdg);
}

/* A port nobody listens on (bound, then released). */
static int free_port(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int s = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&addr, &len), 0);
	port = ntohs(addr.sin_port);
	close(s);
	return port;
}

static bool accepts(int port)
{
	struct sockaddr_in addr;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = false;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	ok = connect(s, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(s);
	return ok;
}

/*
 * `git daemon` serving `base` on loopback: git-daemon itself (not the git
 * wrapper, which would leave it behind), in its own process group, told to
 * exit with this process, its output discarded.
 */
static pid_t start_daemon(const char *base, int port)
{
	char *exec_path = kdr_test_sh_out("git --exec-path");
	char *program = kdr_asprintf("%s/git-daemon", exec_path);
	char *base_arg = kdr_asprintf("--base-path=%s", base);
	char *port_arg = kdr_asprintf("--port=%d", port);
	char *path_env = kdr_asprintf("%s:%s", exec_path, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	int64_t deadline = now_ms() + 10000;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		/* It runs itself again per connection ("git-daemon --serve"), found through PATH. */
		setenv("PATH", path_env, 1);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setpgid(0, 0);
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		execl(program, "git-daemon", "--reuseaddr", base_arg, "--export-all", "--listen=127.0.0.1", port_arg,
		      base, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	running_daemon = pid;
	free(exec_path);
	free(program);
	free(base_arg);
	free(port_arg);
	free(path_env);
	while (!accepts(port)) {
		if (now_ms() > deadline)
			fail_msg("git daemon did not listen on port %d", port);
		usleep(20000);
	}
	return pid;
}

/* Stops the daemon and the children it forked per connection. */
static void stop_daemon(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (running_daemon == pid)
		running_daemon = 0;
}

static void test_git_daemon_clone_fetch_and_outage(void **state)
{
	char *base = kdr_asprintf("%s/served", root);
	char *bare = NULL, *url = NULL;
	char *cache = kdr_asprintf("%s/cache-daemon", root);
	struct kdr_git_options options = {NULL, cache, NULL, NULL, 5000};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired desired = {0};
	char c5[41] = {0}, hex[41] = {0};
	int port = free_port();
	pid_t daemon = 0;

	(void)state;
	kdr_test_sh("mkdir -p '%s'", base);
	bare = make_bare("served/dr.git");
	url = kdr_asprintf("git://127.0.0.1:%d/dr.git", port);
	options.url = url;
	daemon = start_daemon(base, port);
	repo = open_ok(&options);
	assert_resolves(repo, NULL, c3);
	assert_resolves(repo, "v1", c2);
	load_ok(&desired, repo, c3, "kdr");
	assert_state(&desired, 3, c3);

	push_commit(c5, bare, "kdr/topics.yaml", topics_v1);
	assert_int_equal(kdr_git_fetch(repo), 0);
	assert_resolves(repo, "main", c5);
	load_ok(&desired, repo, c5, "kdr");
	assert_state(&desired, 1, c5);

	/* The server goes away: the fetch fails, the cache keeps serving what it had. */
	stop_daemon(daemon);
	daemon = 0;
	assert_int_equal(kdr_git_fetch(repo), KDR_EUNAVAILABLE);
	assert_non_null(strstr(kdr_error_message(), "cannot fetch 'git://127.0.0.1:"));
	assert_int_equal(kdr_git_resolve(hex, repo, "main"), 0);
	assert_string_equal(hex, c5);
	load_ok(&desired, repo, c3, "kdr");
	assert_state(&desired, 3, c3);

	kdr_desired_release(&desired);
	kdr_git_free(repo);
	kdr_test_sh("rm -rf '%s' '%s'", base, cache);
	free(bare);
	free(url);
	free(base);
	free(cache);
}

static void test_unreachable_and_stalled_servers_are_bounded(void **state)
{
	char *cache = kdr_asprintf("%s/cache-down", root);
	char *url = kdr_asprintf("git://127.0.0.1:%d/x.git", free_port());
	struct kdr_git_options options = {url, cache, NULL, NULL, 800};
	struct kdr_git_repo *repo = NULL;
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	int64_t start = now_ms(), elapsed = 0;
	char *listing = NULL;

	(void)state;
	/* Nobody listening: refused at once. */
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EUNAVAILABLE);
	assert_null(repo);
	assert_non_null(strstr(kdr_error_message(), "cannot fetch 'git://127.0.0.1:"));
	assert_non_null(strstr(kdr_error_message(), "cannot connect"));
	assert_true(now_ms() - start < 3000);

	/* A server that accepts and never answers: given up after the timeout. */
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(listener, 8), 0);
	assert_int_equal(getsockname(listener, (struct sockaddr *)&addr, &len), 0);
	free(url);
	url = kdr_asprintf("git://127.0.0.1:%d/x.git", ntohs(addr.sin_port));
	options.url = url;
	start = now_ms();
	assert_int_equal(kdr_git_open(&repo, &options), KDR_ETIMEOUT);
	elapsed = now_ms() - start;
	assert_non_null(strstr(kdr_error_message(), "for 800 ms"));
	assert_true(elapsed >= 700);
	assert_true(elapsed < 5000);
	/* The same over HTTP (TLS would sit on the same bounded socket). */
	free(url);
	url = kdr_asprintf("http://127.0.0.1:%d/x.git", ntohs(addr.sin_port));
	options.url = url;
	start = now_ms();
	assert_int_equal(kdr_git_open(&repo, &options), KDR_ETIMEOUT);
	assert_true(now_ms() - start < 5000);
	close(listener);

	/* A failed first clone leaves no half-made cache behind. */
	listing = kdr_test_sh_out("ls -A '%s'", cache);
	assert_string_equal(listing, "");
	free(listing);
	kdr_test_sh("rm -rf '%s'", cache);
	free(cache);
	free(url);
}

static void test_url_passwords_are_masked(void **state)
{
	char *cache = kdr_asprintf("%s/cache-masked", root);
	char *url = kdr_asprintf("http://deploy:pa55w0rd@127.0.0.1:%d/x.git", free_port());
	struct kdr_git_options options = {url, cache, NULL, NULL, 2000};
	struct kdr_git_repo *repo = NULL;

	(void)state;
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EUNAVAILABLE);
	assert_null(strstr(kdr_error_message(), "pa55w0rd"));
	assert_non_null(strstr(kdr_error_message(), "http://deploy:***@127.0.0.1:"));
	/* A token variable that was asked for must exist (never silently anonymous). */
	options.token_env = "KDR_TEST_UNSET_TOKEN";
	unsetenv("KDR_TEST_UNSET_TOKEN");
	assert_int_equal(kdr_git_open(&repo, &options), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "token variable 'KDR_TEST_UNSET_TOKEN' is not set");
	kdr_test_sh("rm -rf '%s'", cache);
	free(cache);
	free(url);
}

/* --- the directory source and the diff of two commits --- */

static void test_dir_source_is_all_or_nothing(void **state)
{
	char *good = kdr_asprintf("%s/dir-good", root), *bad = kdr_asprintf("%s/dir-bad", root);
	struct kdr_desired desired = {0};
	struct kdr_diags diags = KDR_DIAGS_INIT;

	(void)state;
	write_file(good, "clusters.yaml", clusters_yaml);
	write_file(good, "topics.yaml", topics_v3);
	write_file(bad, "clusters.yaml", clusters_yaml);
	write_file(bad, "topics.yaml", topics_broken);
	assert_int_equal(kdr_source_load_dir(&desired, &diags, good, 0), 0);
	assert_no_diags(&diags);
	assert_int_equal(desired.n_policies, 1);
	assert_null(desired.revision);
	assert_int_equal(kdr_source_load_dir(&desired, &diags, bad, 0), KDR_EINVALID);
	assert_true(diags.errors >= 1);
	assert_int_equal(desired.n_clusters, 2);
	assert_string_equal(kdr_strmap_get(&desired.policies[0].config, "retention.ms"), "86400000");
	kdr_diags_release(&diags);
	free(good);
	good = kdr_asprintf("%s/dir-missing", root);
	assert_int_equal(kdr_source_load_dir(&desired, &diags, good, 0), KDR_EIO);
	assert_int_equal(desired.n_clusters, 2);
	kdr_diags_release(&diags);
	kdr_desired_release(&desired);
	free(good);
	free(bad);
}

static void test_diff_between_commits(void **state)
{
	struct kdr_git_options options = {work, NULL, NULL, NULL, 0};
	struct kdr_git_repo *repo = NULL;
	struct kdr_desired base = {0}, head = {0};
	struct kdr_desired_diff diff = KDR_DESIRED_DIFF_INIT;
	struct kdr_buf text = KDR_BUF_INIT;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char base_id[41] = {0}, head_id[41] = {0};
	char *expected = NULL;

	(void)state;
	repo = open_ok(&options);
	assert_int_equal(kdr_git_resolve(base_id, repo, c1), 0);
	assert_int_equal(kdr_git_resolve(head_id, repo, "main"), 0);
	assert_int_equal(kdr_git_load(&base, &diags, repo, base_id, "kdr", KDR_SOURCE_NO_VALIDATE), 0);
	assert_no_diags(&diags);
	load_ok(&head, repo, head_id, "kdr");
	assert_int_equal(kdr_diff_desired(&diff, &base, &head), 0);
	kdr_diff_render_text(&text, &diff);
	expected = kdr_asprintf("~ TopicPolicy/core: spec.config.retention.ms: 604800000 -> 86400000\n"
				"~ TopicPolicy/core: spec.topics[events]: (unset) -> declared\n"
				"\n"
				"desired state %.7s -> %.7s: 0 added, 1 changed, 0 removed\n",
				c1, c3);
	assert_string_equal(text.ptr, expected);
	free(expected);
	kdr_buf_release(&text);
	kdr_desired_diff_release(&diff);
	kdr_desired_release(&base);
	kdr_desired_release(&head);
	kdr_git_free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_local_reads_each_commit_by_id),
	    cmocka_unit_test(test_local_refs),
	    cmocka_unit_test(test_ci_clone_resolves_origin_main),
	    cmocka_unit_test(test_unknown_refs_are_clear_errors),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_paths_and_filters),
	    cmocka_unit_test(test_broken_commit_keeps_last_good_state),
	    cmocka_unit_test(test_validation_errors_are_located_too),
	    cmocka_unit_test(test_oversized_blob_is_rejected),
	    cmocka_unit_test(test_damaged_repository_names_the_object),
	    cmocka_unit_test(test_file_url_clone_then_fetch),
	    cmocka_unit_test(test_default_cache_location),
	    cmocka_unit_test(test_git_daemon_clone_fetch_and_outage),
	    cmocka_unit_test(test_unreachable_and_stalled_servers_are_bounded),
	    cmocka_unit_test(test_url_passwords_are_masked),
	    cmocka_unit_test(test_dir_source_is_all_or_nothing),
	    cmocka_unit_test(test_diff_between_commits),
	    cmocka_unit_test(test_commit_records_changes),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup_repos, teardown_repos);
}
