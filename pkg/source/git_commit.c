/*
 * Writing to a Git source: a commit of a few files on top of the commit the
 * desired state was read from, the branch moved only if nobody moved it
 * meanwhile, the work tree of a local repository brought along, and the
 * branch pushed when the repository is a remote's cache. What `kdr failover
 * --commit` and `kdr failback --commit` record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/source_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

int kdr_git_read_file(struct kdr_buf *out, struct kdr_git_repo *repo, const char *commit_hex, const char *path)
{
	git_object *object = NULL;
	git_blob *blob = NULL;
	char *spec = kdr_asprintf("%s:%s", commit_hex, path);
	int rc = 0;

	git_error_clear();
	rc = git_revparse_single(&object, repo->repo, spec);
	if (rc == GIT_ENOTFOUND) {
		rc = kdr_error_set(KDR_ENOTFOUND, "'%s' is not in commit %.12s of '%s'", path, commit_hex,
				   repo->display_url);
		goto cleanup;
	}
	if (rc < 0) {
		rc = kdr_source__git_error(repo, rc, path);
		goto cleanup;
	}
	if (git_object_peel((git_object **)&blob, object, GIT_OBJECT_BLOB) < 0) {
		rc = kdr_error_set(KDR_EINVALID, "'%s' in commit %.12s is not a file", path, commit_hex);
		goto cleanup;
	}
	kdr_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
cleanup:
	git_blob_free(blob);
	git_object_free(object);
	free(spec);
	git_error_clear();
	return rc;
}

int kdr_git_branch_of(char **out, struct kdr_git_repo *repo, const char *ref)
{
	git_reference *reference = NULL, *resolved = NULL;
	char *name = NULL;
	int rc = 0;

	*out = NULL;
	git_error_clear();
	if (!ref || !*ref) {
		rc = git_reference_lookup(&reference, repo->repo, "HEAD");
		if (rc == 0 && git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC) {
			*out = kdr_strdup(git_reference_symbolic_target(reference));
			goto cleanup;
		}
		rc = kdr_error_set(KDR_EINVALID, "HEAD of '%s' is detached: name the branch to commit to with --ref",
				   repo->display_url);
		goto cleanup;
	}
	name = strncmp(ref, "refs/heads/", 11) == 0 ? kdr_strdup(ref)
		: strncmp(ref, "origin/", 7) == 0 && !repo->local ? kdr_asprintf("refs/heads/%s", ref + 7)
								   : kdr_asprintf("refs/heads/%s", ref);
	if (git_reference_lookup(&resolved, repo->repo, name) != 0) {
		rc = kdr_error_set(KDR_EINVALID,
				   "--ref '%s' is not a branch of '%s': a recorded change is committed to a branch", ref,
				   repo->display_url);
		goto cleanup;
	}
	*out = name;
	name = NULL;
cleanup:
	git_reference_free(reference);
	git_reference_free(resolved);
	free(name);
	git_error_clear();
	return rc;
}

/* Whether `branch` is the checked-out branch of a work tree. */
static bool checked_out(struct kdr_git_repo *repo, const char *branch)
{
	git_reference *head = NULL;
	bool yes = false;

	if (!repo->local || git_repository_is_bare(repo->repo))
		return false;
	if (git_reference_lookup(&head, repo->repo, "HEAD") == 0 && git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
		yes = strcmp(git_reference_symbolic_target(head), branch) == 0;
	git_reference_free(head);
	git_error_clear();
	return yes;
}

/* Refuses when a file to be written has changes of its own in the work tree or the index. */
static int check_clean(struct kdr_git_repo *repo, const struct kdr_git_change *changes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int flags = 0;
		int rc = git_status_file(&flags, repo->repo, changes[i].path);

		if (rc == GIT_ENOTFOUND || (rc == 0 && flags == GIT_STATUS_CURRENT))
			continue;
		if (rc == 0 && (flags & GIT_STATUS_IGNORED))
			continue;
		git_error_clear();
		return kdr_error_set(KDR_ECONFLICT,
				     "'%s' has uncommitted changes in the work tree of '%s': commit or stash them first",
				     changes[i].path, repo->display_url);
	}
	return 0;
}

/* push_update_reference: a ref the remote refused (payload: the repository, as for credentials). */
static int push_status(const char *refname, const char *status, void *payload)
{
	struct kdr_git_repo *repo = payload;

	if (status && !repo->push_refused)
		repo->push_refused = kdr_asprintf("%s: %s", refname, status);
	return 0;
}

static int push(struct kdr_git_repo *repo, const char *branch)
{
	git_remote *remote = NULL;
	git_push_options opts = { 0 };
	char *refspec = kdr_asprintf("%s:%s", branch, branch);
	char *what = NULL;
	git_strarray specs = { &refspec, 1 };
	int rc = 0;

	git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	opts.callbacks.credentials = kdr_source__git_credentials;
	opts.callbacks.push_update_reference = push_status;
	opts.callbacks.payload = repo;
	opts.proxy_opts.type = GIT_PROXY_AUTO;
	rc = kdr_source__git_remote_open(&remote, repo);
	free(repo->push_refused);
	repo->push_refused = NULL;
	if (rc == 0)
		rc = git_remote_push(remote, &specs, &opts);
	if (rc < 0) {
		what = kdr_asprintf("cannot push %s to '%s'", branch, repo->display_url);
		rc = kdr_source__git_error(repo, rc, what);
		goto cleanup;
	}
	if (repo->push_refused) {
		/* Not a fast-forward (someone pushed meanwhile), or a protected branch: the next fetch resets the cache. */
		rc = kdr_error_set(KDR_ECONFLICT, "'%s' refused the push of %s; nothing was recorded there",
				   repo->display_url, repo->push_refused);
		goto cleanup;
	}
cleanup:
	kdr_source__git_stream_set_timeout(0);
	git_remote_free(remote);
	free(refspec);
	free(what);
	return rc;
}

/* Who commits: $GIT_<who>_NAME/EMAIL as git takes them, else user.name/email of the repository's config, else kdr. */
static int signature(git_signature **out, git_repository *repo, const char *who)
{
	char name_var[32], email_var[32];
	const char *name = NULL, *email = NULL;

	snprintf(name_var, sizeof(name_var), "GIT_%s_NAME", who);
	snprintf(email_var, sizeof(email_var), "GIT_%s_EMAIL", who);
	name = getenv(name_var);
	email = getenv(email_var);
	if (name && *name && email && *email)
		return git_signature_now(out, name, email);
	if (git_signature_default(out, repo) == 0)
		return 0;
	git_error_clear();
	return git_signature_now(out, "kdr", "kdr@localhost");
}

int kdr_git_commit(char out_hex[41], struct kdr_git_repo *repo, const char *branch, const char *parent_hex,
		   const struct kdr_git_change *changes, size_t n, const char *message)
{
	git_oid parent_id, tree_id, commit_id;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_tree_update *updates = kdr_calloc(n + 1, sizeof(*updates));
	git_signature *author = NULL, *committer = NULL;
	git_reference *moved = NULL;
	bool worktree = checked_out(repo, branch);
	int rc = 0;

	out_hex[0] = '\0';
	git_error_clear();
	if (git_oid_fromstr(&parent_id, parent_hex) < 0 || git_commit_lookup(&parent, repo->repo, &parent_id) < 0 ||
	    git_commit_tree(&base, parent) < 0) {
		rc = kdr_source__git_error(repo, GIT_ENOTFOUND, "the commit the documents were read from");
		goto cleanup;
	}
	if (worktree && (rc = check_clean(repo, changes, n)) != 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		git_tree_entry *entry = NULL;

		updates[i].path = changes[i].path;
		if (!changes[i].data) {
			if (git_tree_entry_bypath(&entry, base, changes[i].path) != 0) {
				/* Already absent: nothing to remove. */
				git_error_clear();
				updates[i].action = GIT_TREE_UPDATE_UPSERT;
				updates[i].path = NULL;
				continue;
			}
			git_tree_entry_free(entry);
			updates[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		updates[i].action = GIT_TREE_UPDATE_UPSERT;
		updates[i].filemode = GIT_FILEMODE_BLOB;
		if (git_tree_entry_bypath(&entry, base, changes[i].path) == 0) {
			if (git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE)
				updates[i].filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
			git_tree_entry_free(entry);
		}
		git_error_clear();
		if ((rc = git_blob_create_from_buffer(&updates[i].id, repo->repo, changes[i].data, changes[i].len)) < 0) {
			rc = kdr_source__git_error(repo, rc, changes[i].path);
			goto cleanup;
		}
	}
	/* Skipped removals (path NULL) are taken out. */
	{
		size_t kept = 0;

		for (size_t i = 0; i < n; i++)
			if (updates[i].path)
				updates[kept++] = updates[i];
		if ((rc = git_tree_create_updated(&tree_id, repo->repo, base, kept, updates)) < 0) {
			rc = kdr_source__git_error(repo, rc, "cannot build the new tree");
			goto cleanup;
		}
	}
	if (git_oid_equal(&tree_id, git_tree_id(base))) {
		/* Nothing differs: no commit (a second run records nothing). */
		git_oid_tostr(out_hex, 41, &parent_id);
		goto cleanup;
	}
	if ((rc = git_tree_lookup(&tree, repo->repo, &tree_id)) < 0 ||
	    (rc = signature(&author, repo->repo, "AUTHOR")) < 0 || (rc = signature(&committer, repo->repo, "COMMITTER")) < 0) {
		rc = kdr_source__git_error(repo, rc, "cannot prepare the commit");
		goto cleanup;
	}
	git_error_clear();
	if ((rc = git_commit_create(&commit_id, repo->repo, NULL, author, committer, NULL, message, tree, 1,
				    (const git_commit **)&parent)) < 0) {
		rc = kdr_source__git_error(repo, rc, "cannot create the commit");
		goto cleanup;
	}
	/* Only if the branch is still where the documents were read: a concurrent commit is not overwritten. */
	rc = git_reference_create_matching(&moved, repo->repo, branch, &commit_id, 1, &parent_id, message);
	if (rc == GIT_EMODIFIED || rc == GIT_ENOTFOUND) {
		rc = kdr_error_set(KDR_ECONFLICT,
				   "%s of '%s' moved since commit %.12s was read: nothing was committed; run again",
				   branch, repo->display_url, parent_hex);
		goto cleanup;
	}
	if (rc < 0) {
		rc = kdr_source__git_error(repo, rc, "cannot move the branch");
		goto cleanup;
	}
	git_oid_tostr(out_hex, 41, &commit_id);
	if (worktree) {
		git_checkout_options checkout = { 0 };
		char **paths = kdr_calloc(n + 1, sizeof(*paths));

		git_checkout_options_init(&checkout, GIT_CHECKOUT_OPTIONS_VERSION);
		checkout.checkout_strategy = GIT_CHECKOUT_SAFE;
		checkout.baseline = base;
		for (size_t i = 0; i < n; i++)
			paths[i] = (char *)changes[i].path;
		checkout.paths.strings = paths;
		checkout.paths.count = n;
		rc = git_checkout_tree(repo->repo, (const git_object *)tree, &checkout);
		free(paths);
		if (rc < 0) {
			rc = kdr_source__git_error(repo, rc, "committed, but the work tree was not updated");
			goto cleanup;
		}
	}
	if (!repo->local && (rc = push(repo, branch)) != 0)
		goto cleanup;
cleanup:
	git_reference_free(moved);
	git_signature_free(author);
	git_signature_free(committer);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	free(updates);
	git_error_clear();
	return rc;
}
