#ifndef KDR_SOURCE_SOURCE_INTERNAL_H
#define KDR_SOURCE_SOURCE_INTERNAL_H

/*
 * Shared between the files of pkg/source only. libgit2's conventions (its
 * negative codes, git_error_last) stay behind these helpers: everything
 * that leaves pkg/source is a kdr error code with kdr_error_set.
 */

#include <stdbool.h>

#include <git2.h>

#include "source/source.h"

struct kdr_git_repo {
	git_repository *repo;
	bool local;          /* opened in place: never fetched */
	char *url;           /* as given, possibly with a password: only ever handed to libgit2 */
	char *display_url;   /* password masked: for messages */
	char *cache_path;    /* NULL when local */
	char *token;         /* HTTP(S) token or NULL; wiped on free */
	int timeout_ms;
	unsigned auth_attempts; /* credential callback calls in the current operation */
	unsigned auth_offered;  /* GIT_CREDENTIAL_* kinds the callback handed out in the current operation */
	char *push_refused;     /* the last push: the ref the remote refused and why, or NULL */
};

/* libgit2's credentials callback for the repository (payload): the token, ssh-agent, a user name. */
int kdr_source__git_credentials(git_credential **out, const char *url, const char *username_from_url,
				unsigned int allowed, void *payload);

/*
 * An anonymous remote on the repository's URL for one fetch or push, with
 * the operation's credential offers and libgit2's last error reset and the
 * socket timeout set for the calling thread. Returns libgit2's code; the
 * caller frees `*out` (git_remote_free).
 */
int kdr_source__git_remote_open(git_remote **out, struct kdr_git_repo *repo);

/* Initialises libgit2 (and registers the bounded socket stream) once per process. */
int kdr_source__git_init(void);

/*
 * Reports a failed libgit2 call: kdr_error_set with "<what>: <libgit2's
 * message, token and URL passwords scrubbed>" and the kdr code for
 * `git_rc` and the error's class. `repo` may be NULL (nothing to scrub but
 * URL passwords).
 */
int kdr_source__git_error(const struct kdr_git_repo *repo, int git_rc, const char *what);

/* A copy of `text` with URL passwords and the repository's token masked (caller frees). */
char *kdr_source__git_scrub(const struct kdr_git_repo *repo, const char *text);

/*
 * The socket stream libgit2 uses for git:// and http(s):// (and to connect
 * ssh://): connect and each read/write bounded by the calling thread's
 * timeout, which fetches set around their libgit2 calls.
 */
int kdr_source__git_stream_register(void);
void kdr_source__git_stream_set_timeout(int timeout_ms);
/* Why a stream of this thread gave up waiting since the last set_timeout, or NULL. */
const char *kdr_source__git_stream_timed_out(void);

/* --- recording a DR step (record*.c) --- */

struct kdr_source_change;
struct kdr_strvec;

/*
 * Reads a file of the source (`path` as a flow's meta.file names it) into
 * `out`; a negative code with kdr_error_set on failure.
 */
typedef int (*kdr_source__read_fn)(struct kdr_buf *out, const char *path, void *ctx);

/* A flow's file with the edits of the flows it holds applied. */
struct kdr_source__edited_file {
	const char *path; /* lent from the flow's meta.file */
	struct kdr_buf text;
	bool changed;
};

/*
 * Applies the change's flow edits (change->flow, then change->flow2) to
 * their files, read once each through `read`: up to two files in `files`
 * (release with kdr_source__edited_files_release). Returns 0, the read's
 * code, or KDR_EINVALID when a document cannot be edited.
 */
int kdr_source__edit_flows(struct kdr_source__edited_file files[2], size_t *n_files,
			   const struct kdr_source_change *change, kdr_source__read_fn read, void *ctx);

void kdr_source__edited_files_release(struct kdr_source__edited_file *files, size_t n);

/* The directory source's record operation (no context needed: flows name their files). */
int kdr_source__dir_record(struct kdr_strvec *done, const struct kdr_desired *desired,
			   const struct kdr_source_change *change, const char *message, void *ctx);

/* The Git source's: a commit on the branch `ref` names (NULL: HEAD's) of `repo`, fetched first. */
int kdr_source__git_record(struct kdr_strvec *done, struct kdr_git_repo *repo, const char *ref,
			   const struct kdr_desired *desired, const struct kdr_source_change *change,
			   const char *message);

/* Recursively removes `path` (a cache directory being abandoned); best effort. */
void kdr_source__git_remove_tree(const char *path);

#endif
