/* The desired state of one commit, read from its tree: no working tree, no checkout. */
#include <stdlib.h>
#include <string.h>

#include "source/source_internal.h"
#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "resolve/resolve.h"
#include "validate/validate.h"

/* A document set is small; a bigger blob is a mistake (or an attack) and is not read. */
#define MAX_BLOB_SIZE ((size_t)4 << 20)

/* A YAML blob of the tree. */
struct blob_file {
	char *path; /* in the repository */
	git_oid oid;
};

struct blob_list {
	struct blob_file *v;
	size_t n;
	size_t cap;
};

struct walk {
	struct blob_list *files;
	const char *prefix; /* the walked tree's path in the repository, "" or ending in '/' */
};

static bool has_yaml_extension(const char *name)
{
	size_t len = strlen(name);

	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) || (len > 4 && strcmp(name + len - 4, ".yml") == 0);
}

static void add_file(struct blob_list *files, char *path, const git_oid *oid)
{
	files->v = kdr_grow(files->v, &files->cap, files->n + 1, sizeof(*files->v));
	files->v[files->n].path = path;
	git_oid_cpy(&files->v[files->n].oid, oid);
	files->n++;
}

static void release_files(struct blob_list *files)
{
	for (size_t i = 0; i < files->n; i++)
		free(files->v[i].path);
	free(files->v);
	memset(files, 0, sizeof(*files));
}

static int compare_files(const void *a, const void *b)
{
	return strcmp(((const struct blob_file *)a)->path, ((const struct blob_file *)b)->path);
}

/* git_tree_walk callback (pre-order): a positive return skips a subtree. */
static int visit(const char *root, const git_tree_entry *entry, void *payload)
{
	struct walk *walk = payload;
	const char *name = git_tree_entry_name(entry);

	/* As the directory source: hidden entries (.github/, .git*, editor files) are not documents. */
	if (name[0] == '.')
		return 1;
	switch (git_tree_entry_filemode(entry)) {
	case GIT_FILEMODE_TREE:
		return 0;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		if (has_yaml_extension(name))
			add_file(walk->files, kdr_asprintf("%s%s%s", walk->prefix, root, name),
				 git_tree_entry_id(entry));
		return 0;
	default:
		/* Symlinks could point outside the tree and submodules are other repositories. */
		return 0;
	}
}

/*
 * `path` without "./", leading, doubled and trailing slashes; "" for the
 * root. NULL when it climbs out of the tree ("..").
 */
static char *normalise_path(const char *path)
{
	struct kdr_buf out = KDR_BUF_INIT;
	const char *p = path ? path : "";

	while (*p) {
		size_t len = strcspn(p, "/");

		if ((len == 1 && p[0] == '.') || len == 0) {
			/* skip "." and empty components */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			kdr_buf_release(&out);
			return NULL;
		} else {
			if (out.len)
				kdr_buf_putc(&out, '/');
			kdr_buf_put(&out, p, len);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return kdr_buf_detach(&out);
}

/* Every *.yaml / *.yml under `subdir` ("" = the root) of `root`, or `subdir` itself when it is one. */
static int collect(struct blob_list *files, struct kdr_git_repo *repo, git_tree *root, const char *subdir,
		   const char *short_id)
{
	git_tree_entry *entry = NULL;
	git_tree *tree = NULL;
	struct walk walk = { files, "" };
	char *prefix = NULL;
	int rc = 0;

	if (!*subdir) {
		rc = git_tree_walk(root, GIT_TREEWALK_PRE, visit, &walk);
		goto done;
	}
	rc = git_tree_entry_bypath(&entry, root, subdir);
	if (rc == GIT_ENOTFOUND) {
		rc = kdr_error_set(KDR_ENOTFOUND, "path '%s' not found in commit %s of '%s'", subdir, short_id,
				   repo->display_url);
		goto cleanup;
	}
	if (rc < 0)
		goto done;
	switch (git_tree_entry_filemode(entry)) {
	case GIT_FILEMODE_TREE:
		rc = git_tree_lookup(&tree, repo->repo, git_tree_entry_id(entry));
		if (rc < 0)
			goto done;
		prefix = kdr_asprintf("%s/", subdir);
		walk.prefix = prefix;
		rc = git_tree_walk(tree, GIT_TREEWALK_PRE, visit, &walk);
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		/* A single file is a directory of one, as for the directory source. */
		if (has_yaml_extension(subdir)) {
			add_file(files, kdr_strdup(subdir), git_tree_entry_id(entry));
			break;
		}
		/* fall through */
	default:
		rc = kdr_error_set(KDR_EINVALID, "path '%s' in commit %s is not a directory or a YAML file", subdir,
				   short_id);
		goto cleanup;
	}

done:
	if (rc < 0)
		rc = kdr_source__git_error(repo, rc, "cannot read the commit's tree");

cleanup:
	git_tree_free(tree);
	git_tree_entry_free(entry);
	free(prefix);
	return rc;
}

/*
 * A blob that cannot be read (missing, corrupt): the error, and a diagnostic
 * of its file naming the object, so the cause is printed ("0 error(s)" with
 * no reason was all a damaged repository gave before).
 */
static int blob_error(struct kdr_diags *diags, struct kdr_git_repo *repo, int git_rc, const struct blob_file *file)
{
	struct kdr_loc loc = { file->path, 0, 0 };
	char hex[GIT_OID_HEXSZ + 1] = { 0 };
	char *what = NULL;
	int rc = 0;

	git_oid_tostr(hex, sizeof(hex), &file->oid);
	what = kdr_asprintf("cannot read blob %s", hex);
	rc = kdr_source__git_error(repo, git_rc, what);
	kdr_diags_error(diags, &loc, NULL, "%s (the repository is damaged: fetch again or re-clone)",
			kdr_error_message());
	free(what);
	return rc;
}

/* Parses one blob into `into`; size and read problems are diagnostics of that file. */
static int parse_blob(struct kdr_desired *into, struct kdr_diags *diags, struct kdr_git_repo *repo, git_odb *odb,
		      const struct blob_file *file)
{
	struct kdr_loc loc = { file->path, 0, 0 };
	git_object_t type = GIT_OBJECT_INVALID;
	git_blob *blob = NULL;
	size_t size = 0;
	int rc = 0;

	/* The header first, so that an oversized blob is never loaded. */
	rc = git_odb_read_header(&size, &type, odb, &file->oid);
	if (rc < 0)
		return blob_error(diags, repo, rc, file);
	if (size > MAX_BLOB_SIZE) {
		kdr_diags_error(diags, &loc, NULL, "file of %zu bytes is larger than the limit of %zu MiB", size,
				MAX_BLOB_SIZE >> 20);
		return 0;
	}
	rc = git_blob_lookup(&blob, repo->repo, &file->oid);
	if (rc < 0)
		return blob_error(diags, repo, rc, file);
	kdr_spec_parse_yaml(into, file->path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), diags);
	git_blob_free(blob);
	return 0;
}

/* "file:line:col" -> "file:line:col @ abc1234", for every diagnostic of this commit. */
static void annotate(struct kdr_diags *diags, const char *subdir, const char *short_id)
{
	for (size_t i = 0; i < diags->n; i++) {
		char *where = diags->v[i].where;

		diags->v[i].where = kdr_asprintf("%s @ %s", where ? where : (*subdir ? subdir : "."), short_id);
		free(where);
	}
}

static void set_revision(struct kdr_meta *meta, const char *short_id)
{
	free(meta->revision);
	meta->revision = kdr_strdup(short_id);
}

int kdr_git_load(struct kdr_desired *out, struct kdr_diags *diags, struct kdr_git_repo *repo, const char *commit_hex,
		 const char *path, unsigned flags)
{
	struct kdr_desired fresh;
	struct kdr_diags found = KDR_DIAGS_INIT;
	struct blob_list files = { NULL, 0, 0 };
	git_commit *commit = NULL;
	git_tree *root = NULL;
	git_odb *odb = NULL;
	git_oid oid;
	char full_hex[GIT_OID_HEXSZ + 1] = { 0 }, short_id[8] = { 0 };
	char *subdir = normalise_path(path);
	size_t len = commit_hex ? strlen(commit_hex) : 0;
	int rc = 0;

	memset(&fresh, 0, sizeof(fresh));
	git_error_clear();
	if (!subdir) {
		rc = kdr_error_set(KDR_EINVALID, "path '%s' leaves the repository", path);
		goto cleanup;
	}
	if (len < GIT_OID_MINPREFIXLEN || len > GIT_OID_HEXSZ || strspn(commit_hex, "0123456789abcdefABCDEF") != len ||
	    git_oid_fromstrn(&oid, commit_hex, len) < 0) {
		rc = kdr_error_set(KDR_EINVALID, "'%s' is not a commit id", commit_hex ? commit_hex : "");
		goto cleanup;
	}
	rc = git_commit_lookup_prefix(&commit, repo->repo, &oid, len);
	if (rc == GIT_ENOTFOUND) {
		rc = kdr_error_set(KDR_ENOTFOUND, "commit '%s' not found in '%s'", commit_hex, repo->display_url);
		goto cleanup;
	}
	if (rc < 0) {
		rc = kdr_source__git_error(repo, rc, "cannot read the commit");
		goto cleanup;
	}
	git_oid_tostr(full_hex, sizeof(full_hex), git_commit_id(commit));
	memcpy(short_id, full_hex, 7);
	rc = git_commit_tree(&root, commit);
	if (rc == 0)
		rc = git_repository_odb(&odb, repo->repo);
	if (rc < 0)
		rc = kdr_source__git_error(repo, rc, "cannot read the commit's tree");
	else
		rc = collect(&files, repo, root, subdir, short_id);
	if (rc < 0 && strncmp(kdr_error_message(), "cannot read the commit's tree", 29) == 0) {
		/* A damaged tree: name it and the cause, as a diagnostic too (the CLI prints diagnostics). */
		char tree_hex[GIT_OID_HEXSZ + 1] = { 0 };
		struct kdr_loc loc = { *subdir ? subdir : ".", 0, 0 };
		char *message = kdr_strdup(kdr_error_message());

		git_oid_tostr(tree_hex, sizeof(tree_hex), git_commit_tree_id(commit));
		rc = kdr_error_set(rc, "tree %s of commit %s: %s (the repository is damaged: fetch again or re-clone)",
				   tree_hex, short_id, message);
		kdr_diags_error(&found, &loc, NULL, "%s", kdr_error_message());
		free(message);
	}
	if (rc < 0)
		goto cleanup;
	/* Byte order of full paths, as the directory source sorts, whatever git's tree order. */
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(*files.v), compare_files);
	for (size_t i = 0; i < files.n; i++) {
		rc = parse_blob(&fresh, &found, repo, odb, &files.v[i]);
		if (rc < 0)
			goto cleanup;
	}
	/* Resolved once, then every error in one run (as kdr_source_load_dir). */
	if (!(flags & KDR_SOURCE_NO_VALIDATE)) {
		kdr_resolve_attach(&fresh);
		kdr_validate_all(&fresh, &found);
	}
	if (found.errors) {
		rc = kdr_error_set(KDR_EINVALID,
				   "commit %s of '%s': %zu error(s) in its documents; nothing from it is used",
				   short_id, repo->display_url, found.errors);
		goto cleanup;
	}
	for (size_t i = 0; i < fresh.n_clusters; i++)
		set_revision(&fresh.clusters[i].meta, short_id);
	for (size_t i = 0; i < fresh.n_flows; i++)
		set_revision(&fresh.flows[i].meta, short_id);
	for (size_t i = 0; i < fresh.n_policies; i++)
		set_revision(&fresh.policies[i].meta, short_id);
	fresh.revision = kdr_strdup(full_hex);
	/* Only now, with the whole commit good, does the caller's state change. */
	kdr_desired_release(out);
	*out = fresh;
	memset(&fresh, 0, sizeof(fresh));

cleanup:
	/* Whatever was found is reported, even when reading stopped early. */
	annotate(&found, subdir, short_id);
	kdr_diags_move(diags, &found);
	kdr_desired_release(&fresh);
	release_files(&files);
	git_odb_free(odb);
	git_tree_free(root);
	git_commit_free(commit);
	free(subdir);
	git_error_clear();
	return rc;
}
