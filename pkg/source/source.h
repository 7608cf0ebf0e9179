#ifndef KDR_SOURCE_SOURCE_H
#define KDR_SOURCE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/diag.h"

/*
 * Where the desired state comes from (DESIGN.md §5): a directory, or the
 * tree of a Git commit read through libgit2 (no working tree, no checkout).
 *
 * Both loaders replace a desired state only when the whole source is good:
 * they parse (and validate) into a fresh state and, on any error, leave
 * `*out` exactly as it was, so a loop keeps applying its last good state and
 * a partially valid commit is never used.
 */

/* Flags of the load functions. */
enum kdr_source_flags {
	/*
	 * Parse only: skip kdr_validate (e.g. the base side of a pull-request
	 * diff, which is shown, never applied).
	 */
	KDR_SOURCE_NO_VALIDATE = 1 << 0,
};

/*
 * Loads every *.yaml / *.yml under `dir` (recursively, sorted by path),
 * validates it unless KDR_SOURCE_NO_VALIDATE, and on success releases the
 * previous contents of `*out` (which must be initialised: zeroed or a state)
 * and moves the new state in (revision NULL). Diagnostics are appended to
 * `diags`. Returns 0, KDR_EINVALID when any error diagnostic was added, or
 * KDR_EIO when something could not be read; `*out` is untouched on failure.
 */
int kdr_source_load_dir(struct kdr_desired *out, struct kdr_diags *diags, const char *dir, unsigned flags);

/* --- one interface for every source: revision, load, and what a loop needs beside --- */

struct kdr_action;
struct kdr_action_result;
struct kdr_live;
struct kdr_plan;
struct kdr_health;
struct kdr_source_change;
struct kdr_strvec;

/*
 * What one reconcile cycle found, for a source that reports it back (the
 * k8s source writes it into each object's status). Everything is lent for
 * the call.
 */
struct kdr_source_report {
	const char *source_state;          /* "ok", "invalid" or "unavailable" */
	const struct kdr_diags *rejected;  /* the rejected revision's diagnostics when "invalid", else NULL */
	const struct kdr_desired *desired; /* the desired state in effect, or NULL */
	const struct kdr_plan *plan;       /* NULL: nothing was planned this cycle */
	const struct kdr_live *live;       /* what was read this cycle (before the apply), or NULL */
	const struct kdr_action_result *results; /* per plan action, or NULL when nothing was applied */
	const bool *held;                  /* per plan action: held back by the source's `hold` */
	const char *const *failed_clusters; /* clusters that could not be read this cycle */
	const char *const *cluster_errors;  /* parallel: why */
	size_t n_failed_clusters;
	bool dry_run;                      /* --dry-run: nothing is applied */
	int64_t now_unix_ms;
	/* The flows' health with their replication lag as measured this cycle (health/health.h), or NULL. */
	const struct kdr_health *status;
};

/*
 * Where a desired state comes from: a directory, a Git ref, the custom
 * resources of a Kubernetes API server. `revision` is cheap and may be run
 * every few seconds: it says which revision the source is at now (a new one
 * means it changed since). `load` reads one revision all-or-nothing: on
 * failure `*out` is untouched and `diags` says why. Every command loads
 * through this once (kdr_source_load_now); `kdr run` polls it.
 */
struct kdr_source_ops {
	/* The current revision (heap string in *out), or a negative code with kdr_error_set. */
	int (*revision)(char **out, void *ctx);
	/*
	 * Loads `revision` into `out` (initialised) with out->revision set to it;
	 * NULL: whatever the source holds now, read once (a directory's
	 * revision then stays NULL). KDR_EINVALID: the documents are bad
	 * (retrying the same revision will not help); KDR_ECONFLICT: the source
	 * moved while reading (ask for the revision again).
	 */
	int (*load)(struct kdr_desired *out, struct kdr_diags *diags, const char *revision, void *ctx);
	/* For logs: "dir /path" or "git URL ref R path P" (no secrets); lent. */
	const char *(*describe)(void *ctx);
	void (*free)(void *ctx);
	/*
	 * Optional (NULL: none): how the values of this source's documents that
	 * are references (secretKeyRef) are resolved; lent, valid while the
	 * source lives.
	 */
	const struct kdr_secret_resolver *(*resolver)(void *ctx);
	/*
	 * Optional: whether `action` is to be held back (planned and reported,
	 * never applied), e.g. its object is paused or in dry-run, or this
	 * replica does not hold the leader lease. Asked just before the apply.
	 */
	bool (*hold)(void *ctx, const struct kdr_action *action);
	/* Optional: the cycle's outcome, after the apply (loop thread). */
	void (*report)(void *ctx, const struct kdr_source_report *report);
	/* Optional: 0 no leader election, 1 standby, 2 leading (any thread). */
	int (*leader)(void *ctx);
	/*
	 * Optional (NULL: the source cannot record, KDR_EUNSUPPORTED): writes a
	 * DR step into the source, as kdr_source_record (source/record.h) says.
	 */
	int (*record)(struct kdr_strvec *done, const struct kdr_desired *desired, const struct kdr_source_change *change,
		      const char *message, void *ctx);
};

struct kdr_source {
	const struct kdr_source_ops *ops;
	void *ctx;
};

/*
 * A directory of *.yaml / *.yml documents (or a single file), read as
 * kdr_source_load_dir reads it (`flags` are its flags). Its revision is a
 * content hash of the documents (see kdr_source_dir_revision). `dir` is
 * copied.
 */
void kdr_source_dir(struct kdr_source *out, const char *dir, unsigned flags);

/*
 * The content hash of the documents the dir source would read under `dir`:
 * 16 hex digits (FNV-1a 64) over each file's path relative to `dir`, its
 * length and its bytes, in the sorted order kdr_spec_load_dir reads them.
 * Any change of content, a file added, removed or renamed gives a new value;
 * mtimes do not matter. Returns 0 and a heap string in *out, or KDR_EIO
 * (with kdr_error_set) when `dir` or a document cannot be read.
 */
int kdr_source_dir_revision(char **out, const char *dir);

/* --- which source: what a command line (or the loop's) names --- */

/*
 * Where the desired state comes from, as `kdr COMMAND [DIR | --git URL ... |
 * --k8s ...]` names it: a directory (`dir`; NULL with neither of the others:
 * "."), a Git repository (`git_url` and the fields after it), or the custom
 * resources of a Kubernetes API server (`k8s` and the fields after it).
 * Plain strings, lent; opening copies what the source keeps.
 */
struct kdr_source_selection {
	const char *dir;
	const char *git_url;    /* kdr_git_options.url */
	const char *ref;        /* branch, tag or commit (NULL: the remote's HEAD) */
	const char *path;       /* the repository's subdirectory holding the documents (NULL: all of it) */
	const char *cache_dir;  /* kdr_git_options' */
	const char *token_env;
	const char *token_file;
	bool k8s;
	const char *namespace;  /* NULL: all namespaces */
	const char *kubeconfig; /* NULL: $KUBECONFIG, ~/.kube/config or in-cluster (kdr_k8s_config_load) */
	const char *context;    /* NULL: the kubeconfig's current-context */
};

/*
 * Checks that `sel` names one source and only its own settings: at most one
 * of dir, git_url and k8s; the Git fields only with git_url, the Kubernetes
 * ones only with k8s. Returns 0, or KDR_EINVALID with a message naming the
 * command-line options ("--ref, --path, ... need --git").
 */
int kdr_source_selection_check(const struct kdr_source_selection *sel);

/*
 * Opens a directory or Git selection as a struct kdr_source: kdr_source_dir
 * or kdr_source_git at sel->ref (`flags`: kdr_source_load_dir's;
 * `timeout_ms` bounds Git's network, 0: its default). A Kubernetes
 * selection needs pkg/k8s, above this module: kdr_k8s_source_open opens
 * every selection. Returns 0, KDR_EUNSUPPORTED (sel->k8s) or the codes of
 * kdr_source_git; `*out` is set only on success.
 */
int kdr_source_open(struct kdr_source *out, const struct kdr_source_selection *sel, unsigned flags, int timeout_ms);

struct kdr_git_options;

/*
 * A Git repository: opened now (kdr_git_open, which clones a remote into
 * the cache). `revision` fetches (remotes only) and resolves `ref` (NULL:
 * the remote's HEAD) to its commit id; `load` reads `path` (NULL: the whole
 * tree) of that commit (kdr_git_load with `flags`; NULL revision: the
 * commit `ref` resolves to now). The options' strings are copied. Returns
 * 0, or the codes of kdr_git_open; `*out` is set only on success.
 */
int kdr_source_git(struct kdr_source *out, const struct kdr_git_options *options, const char *ref, const char *path,
		   unsigned flags);

/*
 * Loads what the source holds now, once (load with a NULL revision; again,
 * up to three times, when the source moved while it was read). Returns the
 * load's code.
 */
int kdr_source_load_now(struct kdr_desired *out, struct kdr_diags *diags, struct kdr_source *source);

/* The source's description (lent), "" for a zeroed source. */
const char *kdr_source_describe(const struct kdr_source *source);

/* The source's secret resolver, or NULL when it has none (lent). */
const struct kdr_secret_resolver *kdr_source_resolver(const struct kdr_source *source);

/* Frees the source's context; the struct is zeroed. Accepts a zeroed source. */
void kdr_source_release(struct kdr_source *source);

/* --- Git --- */

struct kdr_git_options {
	/*
	 * A local path to a repository (opened in place, no clone: `--git .`
	 * in CI), or a URL: file://, git://, http(s)://, ssh:// or scp-like
	 * user@host:path (when this libgit2 has SSH), cloned into the cache.
	 */
	const char *url;
	/* Cache root; NULL: $XDG_CACHE_HOME/kdr/git, else ~/.cache/kdr/git. */
	const char *cache_dir;
	/* HTTP(S) token: the name of an environment variable holding it, or a file (first wins). */
	const char *token_env;
	const char *token_file;
	/*
	 * Network bound in milliseconds: connecting, and each wait for data
	 * (0: 30000). Applies to git:// and http(s)://, and to connecting over
	 * ssh:// (libssh2 then waits on its own); name resolution is the
	 * system resolver's.
	 */
	int timeout_ms;
};

struct kdr_git_repo;

/*
 * Opens the repository named by options->url. A local path must be the top
 * of a repository (a work tree or a bare repository); it is used as it is,
 * refs included, and never fetched. Anything else is a remote: its bare
 * cache under <cache>/<hash of the URL>.git is created on first use (fully,
 * or not at all) and fetched (branches and tags, pruned, remote HEAD
 * recorded). On success the caller owns `*out` (kdr_git_free).
 * Returns 0, or with kdr_error_set: KDR_ENOTFOUND (no such local path),
 * KDR_EINVALID (not a repository, bad URL, authentication refused),
 * KDR_EUNAVAILABLE (network), KDR_ETIMEOUT, KDR_EIO (cache). Messages never
 * contain a token or a URL's password.
 */
int kdr_git_open(struct kdr_git_repo **out, const struct kdr_git_options *options);

/*
 * Fetches the remote into the cache (no-op for a local repository). On
 * failure the cache keeps what it had, so commits resolved before stay
 * readable. Returns 0 or the codes of kdr_git_open.
 */
int kdr_git_fetch(struct kdr_git_repo *repo);

/*
 * Resolves `ref` to a commit id (40 hex digits and a NUL into `out_hex`):
 * a branch, a tag (annotated tags are peeled), a full or abbreviated commit
 * id, or any git revision expression ("HEAD~1"). NULL or "" means the
 * remote's HEAD (HEAD for a local repository). In a cache, "origin/NAME"
 * also names branch NAME, and a ref under refs/ that was not fetched (e.g.
 * refs/pull/7/head) is fetched on demand. Returns 0, KDR_ENOTFOUND (unknown
 * ref), KDR_EINVALID (ambiguous abbreviation, not a commit) or a fetch error.
 */
int kdr_git_resolve(char out_hex[41], struct kdr_git_repo *repo, const char *ref);

/*
 * Reads the desired state of commit `commit_hex` (full or abbreviated id)
 * from its tree: every *.yaml / *.yml blob under `path` (NULL, "" or ".":
 * the whole tree; may name a single file), recursively, sorted by full path
 * in byte order; hidden entries (".github/"), symlinks and submodules are
 * skipped, blobs over 4 MiB are errors. Each object's meta.file is its path
 * in the repository and meta.revision the short commit id; the state's
 * revision is the full commit id. Every diagnostic added for it ends its
 * location with " @ <short id>" ("kdr/topics.yaml:7:5 @ abc1234").
 * Validates unless KDR_SOURCE_NO_VALIDATE. On success releases the previous
 * contents of `*out` (initialised: zeroed or a state) and moves the new
 * state in; on failure `*out` is untouched.
 * Returns 0, KDR_EINVALID (diagnostics with errors; also an unsafe path),
 * KDR_ENOTFOUND (no such commit or path) or KDR_EIO; kdr_error_message()
 * always has a one-line summary.
 */
int kdr_git_load(struct kdr_desired *out, struct kdr_diags *diags, struct kdr_git_repo *repo, const char *commit_hex,
		 const char *path, unsigned flags);

/* Appends the content of file `path` (a repository path) at commit `commit_hex` to `out`. */
int kdr_git_read_file(struct kdr_buf *out, struct kdr_git_repo *repo, const char *commit_hex, const char *path);

/*
 * The branch a recorded change is committed to: the one `ref` names
 * ("main", "refs/heads/main", in a cache also "origin/main"), or for NULL/""
 * the one HEAD points at (a cache's HEAD is the remote's). Heap string
 * "refs/heads/NAME" into `*out`. Returns 0 or KDR_EINVALID (a tag, a commit
 * id, a detached HEAD).
 */
int kdr_git_branch_of(char **out, struct kdr_git_repo *repo, const char *ref);

/* A file of a commit: its new content, or data NULL to remove it. */
struct kdr_git_change {
	const char *path; /* in the repository */
	const char *data;
	size_t len;
};

/*
 * Commits `changes` on top of commit `parent_hex` (the one the documents
 * were read from) with `message`, as $GIT_AUTHOR_NAME/EMAIL and
 * $GIT_COMMITTER_NAME/EMAIL (as git takes them), else the repository's
 * configured user, else "kdr <kdr@localhost>", and moves `branch` ("refs/heads/NAME") to it only
 * if it still points at the parent. A local work tree with that branch
 * checked out gets the changed files (and index) updated; a remote's cache
 * pushes the branch to the remote (no force). When nothing would change, no
 * commit is made and `out_hex` is the parent. `out_hex` gets the commit id.
 * Returns 0; KDR_ECONFLICT (the branch moved meanwhile, the remote refused
 * the push, or a changed file has uncommitted changes in the work tree: then
 * nothing was written); the codes of kdr_git_open for a failed push (the
 * commit then exists only in the cache, which the next fetch resets).
 */
int kdr_git_commit(char out_hex[41], struct kdr_git_repo *repo, const char *branch, const char *parent_hex,
		   const struct kdr_git_change *changes, size_t n, const char *message);

/* The URL or path the repository was opened from, with any password masked (lent). */
const char *kdr_git_display_url(const struct kdr_git_repo *repo);

/* The cache directory of a remote (lent), or NULL for a local repository. */
const char *kdr_git_cache_path(const struct kdr_git_repo *repo);

/*
 * Commits the directory `dir` (kdr backup --commit): opens the repository
 * whose work tree holds `dir` (initialising one at `dir` when there is
 * none), stages every file under `dir` (added, changed and removed; nothing
 * outside it), and commits on HEAD with `message`, signed by the
 * repository's user.name/user.email or "kdr <kdr@localhost>". The commit
 * id goes to out_hex. Returns 0, KDR_EINVALID (a bare repository, `dir`
 * outside the work tree) or KDR_EIO.
 */
int kdr_git_commit_dir(char out_hex[41], const char *dir, const char *message);

/* Closes the repository and wipes the token; accepts NULL. */
void kdr_git_free(struct kdr_git_repo *repo);

#endif
