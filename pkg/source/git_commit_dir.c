/* Committing a directory to the Git repository it is in: kdr backup --commit (source.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "source/source_internal.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/error.h"

/* The path of `dir` inside the work tree `workdir` ("" for the top), or NULL when outside. */
static char *relative_to(const char *workdir, const char *dir)
{
	char real_work[PATH_MAX], real_dir[PATH_MAX];
	size_t len = 0;

	if (!realpath(workdir, real_work) || !realpath(dir, real_dir))
		return NULL;
	len = strlen(real_work);
	if (strncmp(real_dir, real_work, len) != 0 || (real_dir[len] != '/' && real_dir[len] != '\0'))
		return NULL;
	return kdr_strdup(real_dir[len] == '/' ? real_dir + len + 1 : "");
}

int kdr_git_commit_dir(char out_hex[41], const char *dir, const char *message)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_reference *head = NULL;
	git_commit *parent = NULL;
	git_oid tree_id, commit_id;
	char *prefix = NULL, *spec = NULL;
	git_strarray paths = { NULL, 0 };
	int rc = 0, error = 0;

	out_hex[0] = 0;
	if ((error = kdr_source__git_init()) != 0)
		return error;
	rc = git_repository_open_ext(&repo, dir, 0, NULL);
	if (rc == GIT_ENOTFOUND)
		rc = git_repository_init(&repo, dir, 0);
	if (rc < 0) {
		error = kdr_source__git_error(NULL, rc, "opening the repository");
		goto cleanup;
	}
	if (git_repository_is_bare(repo)) {
		error = kdr_error_set(KDR_EINVALID, "'%s' is a bare repository; give a work tree", dir);
		goto cleanup;
	}
	prefix = relative_to(git_repository_workdir(repo), dir);
	if (!prefix) {
		error = kdr_error_set(KDR_EINVALID, "'%s' is not inside the work tree of its repository", dir);
		goto cleanup;
	}
	/* Only the backup directory: added, changed and removed files. */
	spec = *prefix ? kdr_asprintf("%s/*", prefix) : kdr_strdup("*");
	paths.strings = &spec;
	paths.count = 1;
	if ((rc = git_repository_index(&index, repo)) < 0 || (rc = git_index_add_all(index, &paths, 0, NULL, NULL)) < 0 ||
	    (rc = git_index_update_all(index, &paths, NULL, NULL)) < 0 || (rc = git_index_write(index)) < 0 ||
	    (rc = git_index_write_tree(&tree_id, index)) < 0 || (rc = git_tree_lookup(&tree, repo, &tree_id)) < 0) {
		error = kdr_source__git_error(NULL, rc, "staging the backup");
		goto cleanup;
	}
	if (git_signature_default(&sig, repo) < 0 && (rc = git_signature_now(&sig, "kdr", "kdr@localhost")) < 0) {
		error = kdr_source__git_error(NULL, rc, "making the commit's signature");
		goto cleanup;
	}
	rc = git_repository_head(&head, repo);
	if (rc == 0)
		rc = git_reference_peel((git_object **)&parent, head, GIT_OBJECT_COMMIT);
	else if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND)
		rc = 0;
	if (rc < 0) {
		error = kdr_source__git_error(NULL, rc, "reading HEAD");
		goto cleanup;
	}
	rc = git_commit_create_v(&commit_id, repo, "HEAD", sig, sig, NULL, message, tree, parent ? 1 : 0, parent);
	if (rc < 0) {
		error = kdr_source__git_error(NULL, rc, "committing");
		goto cleanup;
	}
	git_oid_tostr(out_hex, 41, &commit_id);
cleanup:
	git_commit_free(parent);
	git_reference_free(head);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
	free(spec);
	free(prefix);
	return error;
}
