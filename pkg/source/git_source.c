/*
 * The Git source: the revision is the commit the ref points at.
 * A check fetches (remotes only; a failed fetch keeps the cache, so the last
 * good commit stays readable) and resolves the ref: cheap when nothing moved.
 */
#include <stdlib.h>
#include <string.h>

#include "source/source.h"
#include "source/source_internal.h"
#include "util/alloc.h"
#include "util/error.h"

struct git_source {
	struct kdr_git_repo *repo;
	char *ref;  /* NULL: the remote's HEAD */
	char *path; /* NULL: the whole tree */
	char *description;
	unsigned flags;
};

static int git_revision(char **out, void *ctx)
{
	struct git_source *src = ctx;
	char commit[41] = { 0 };
	int rc = kdr_git_fetch(src->repo);

	if (rc != 0)
		return rc;
	rc = kdr_git_resolve(commit, src->repo, src->ref);
	if (rc != 0)
		return rc;
	*out = kdr_strdup(commit);
	return 0;
}

static int git_load(struct kdr_desired *out, struct kdr_diags *diags, const char *revision, void *ctx)
{
	struct git_source *src = ctx;
	char commit[41] = { 0 };
	int rc = 0;

	/* Once, as it is now (a command): the commit the ref points at. */
	if (!revision) {
		if ((rc = kdr_git_resolve(commit, src->repo, src->ref)) != 0)
			return rc;
		revision = commit;
	}
	/* kdr_git_load is all-or-nothing and records the full commit id as the revision. */
	return kdr_git_load(out, diags, src->repo, revision, src->path, src->flags);
}

static const char *git_describe(void *ctx)
{
	const struct git_source *src = ctx;

	return src->description;
}

static void git_free(void *ctx)
{
	struct git_source *src = ctx;

	if (!src)
		return;
	kdr_git_free(src->repo);
	free(src->ref);
	free(src->path);
	free(src->description);
	free(src);
}

static int git_record(struct kdr_strvec *done, const struct kdr_desired *desired,
		      const struct kdr_source_change *change, const char *message, void *ctx)
{
	struct git_source *src = ctx;

	return kdr_source__git_record(done, src->repo, src->ref, desired, change, message);
}

static const struct kdr_source_ops git_ops = {
	git_revision,
	git_load,
	git_describe,
	git_free,
	NULL,
	NULL,
	NULL,
	NULL,
	git_record,
};

int kdr_source_git(struct kdr_source *out, const struct kdr_git_options *options, const char *ref, const char *path,
		   unsigned flags)
{
	struct kdr_git_repo *repo = NULL;
	struct git_source *src = NULL;
	int rc = kdr_git_open(&repo, options);

	if (rc != 0)
		return rc;
	src = kdr_calloc(1, sizeof(*src));
	src->repo = repo;
	src->ref = ref && *ref ? kdr_strdup(ref) : NULL;
	src->path = path && *path ? kdr_strdup(path) : NULL;
	src->flags = flags;
	/* The display URL has any password masked: descriptions go to the log. */
	src->description = kdr_asprintf("git %s ref %s path %s", kdr_git_display_url(repo),
					src->ref ? src->ref : "HEAD", src->path ? src->path : ".");
	out->ops = &git_ops;
	out->ctx = src;
	return 0;
}
