/*
 * The directory source: the revision is a content hash of the
 * documents, so an edit, an added or a removed file wakes the loop whatever
 * the mtimes say (editors, `git checkout`, ConfigMap mounts all differ there).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source/source.h"
#include "source/source_internal.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/strvec.h"

struct dir_source {
	char *dir;
	char *description;
	unsigned flags;
};

static int hash_file(uint64_t *hash, const char *path, const char *label)
{
	FILE *f = fopen(path, "rb");
	unsigned char chunk[65536];
	unsigned char size_le[8] = { 0 };
	uint64_t size = 0;
	size_t n = 0;
	struct stat st;
	int rc = 0;

	if (!f)
		return kdr_error_set(KDR_EIO, "cannot read '%s': %s", path, strerror(errno));
	memset(&st, 0, sizeof(st));
	if (fstat(fileno(f), &st) == 0)
		size = (uint64_t)st.st_size;
	/* Name and length first, so that moving bytes between files changes the hash. */
	*hash = kdr_hash64(label, strlen(label) + 1, *hash);
	for (int i = 0; i < 8; i++)
		size_le[i] = (unsigned char)(size >> (8 * i));
	*hash = kdr_hash64(size_le, sizeof(size_le), *hash);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		*hash = kdr_hash64(chunk, n, *hash);
	if (ferror(f))
		rc = kdr_error_set(KDR_EIO, "cannot read '%s': %s", path, strerror(errno));
	fclose(f);
	return rc;
}

int kdr_source_dir_revision(char **out, const char *dir)
{
	struct kdr_strvec files = KDR_STRVEC_INIT;
	struct stat st;
	uint64_t hash = KDR_HASH64_SEED;
	size_t prefix = strlen(dir);
	int rc = 0;

	memset(&st, 0, sizeof(st));
	if (stat(dir, &st) != 0)
		return kdr_error_set(KDR_EIO, "cannot open directory '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		/* A single file is a directory of one (as for kdr_spec_load_dir). */
		rc = hash_file(&hash, dir, "");
	} else {
		/* Exactly the files kdr_spec_load_dir reads, so every change that matters wakes the loop. */
		rc = kdr_spec_list_dir(&files, dir, NULL);
		for (size_t i = 0; i < files.n && rc == 0; i++) {
			/* Relative names: the same tree elsewhere (a new checkout path) is the same revision. */
			const char *label = files.v[i] + prefix;

			while (*label == '/')
				label++;
			rc = hash_file(&hash, files.v[i], label);
		}
	}
	if (rc == 0)
		*out = kdr_asprintf("%016" PRIx64, hash);
	kdr_strvec_release(&files);
	return rc;
}

static int dir_revision(char **out, void *ctx)
{
	const struct dir_source *src = ctx;

	return kdr_source_dir_revision(out, src->dir);
}

static int dir_load(struct kdr_desired *out, struct kdr_diags *diags, const char *revision, void *ctx)
{
	const struct dir_source *src = ctx;
	struct kdr_desired fresh;
	char *after = NULL;
	int rc = 0;

	memset(&fresh, 0, sizeof(fresh));
	/* Once, as it is now (a command): all or nothing, no revision. */
	if (!revision)
		return kdr_source_load_dir(out, diags, src->dir, src->flags);
	rc = kdr_source_load_dir(&fresh, diags, src->dir, src->flags);
	if (rc != 0)
		goto cleanup;
	/*
	 * The files are read twice (hash, then parse): if they changed in
	 * between, what was parsed is not `revision`; the next check sees the
	 * new one and the loop loads that instead.
	 */
	rc = kdr_source_dir_revision(&after, src->dir);
	if (rc != 0)
		goto cleanup;
	if (strcmp(after, revision) != 0) {
		rc = kdr_error_set(KDR_ECONFLICT, "'%s' changed while it was read; reading it again", src->dir);
		goto cleanup;
	}
	free(fresh.revision);
	fresh.revision = kdr_strdup(revision);
	kdr_desired_release(out);
	*out = fresh;
	memset(&fresh, 0, sizeof(fresh));
cleanup:
	free(after);
	kdr_desired_release(&fresh);
	return rc;
}

static const char *dir_describe(void *ctx)
{
	const struct dir_source *src = ctx;

	return src->description;
}

static void dir_free(void *ctx)
{
	struct dir_source *src = ctx;

	if (!src)
		return;
	free(src->dir);
	free(src->description);
	free(src);
}

static const struct kdr_source_ops dir_ops = {
	dir_revision,
	dir_load,
	dir_describe,
	dir_free,
	NULL,
	NULL,
	NULL,
	NULL,
	kdr_source__dir_record,
};

void kdr_source_dir(struct kdr_source *out, const char *dir, unsigned flags)
{
	struct dir_source *src = kdr_calloc(1, sizeof(*src));

	src->dir = kdr_strdup(dir);
	src->flags = flags;
	src->description = kdr_asprintf("dir %s", dir);
	out->ops = &dir_ops;
	out->ctx = src;
}

/* Whatever the source holds now; a source that moves while it is read is read again. */
#define MAX_LOAD_ATTEMPTS 3

int kdr_source_load_now(struct kdr_desired *out, struct kdr_diags *diags, struct kdr_source *source)
{
	int rc = KDR_ECONFLICT;

	for (int attempt = 0; attempt < MAX_LOAD_ATTEMPTS && rc == KDR_ECONFLICT; attempt++) {
		struct kdr_diags found = KDR_DIAGS_INIT;

		rc = source->ops->load(out, &found, NULL, source->ctx);
		if (rc != KDR_ECONFLICT)
			kdr_diags_move(diags, &found);
		kdr_diags_release(&found);
	}
	return rc;
}

const char *kdr_source_describe(const struct kdr_source *source)
{
	return source->ops && source->ops->describe ? source->ops->describe(source->ctx) : "";
}

const struct kdr_secret_resolver *kdr_source_resolver(const struct kdr_source *source)
{
	if (!source->ops || !source->ops->resolver)
		return NULL;
	return source->ops->resolver(source->ctx);
}

void kdr_source_release(struct kdr_source *source)
{
	if (source->ops && source->ops->free)
		source->ops->free(source->ctx);
	source->ops = NULL;
	source->ctx = NULL;
}
