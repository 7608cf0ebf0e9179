/* Recording DR steps in the desired state: a Git commit, a file rewritten, or a printed patch. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

void kdr_cli_utc_now(char out[21])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *kdr_cli_sibling_path(const char *file, const char *name)
{
	const char *slash = file ? strrchr(file, '/') : NULL;

	if (!slash)
		return kdr_strdup(name);
	return kdr_asprintf("%.*s/%s", (int)(slash - file), file, name);
}

/* A flow's file with the edits of the flows it holds applied. */
struct edited_file {
	const char *path;
	struct kdr_buf text;
	bool changed;
};

typedef int (*read_fn)(struct kdr_buf *out, const char *path, void *ctx);

/*
 * Applies the record's flow edits (rec->flow, then rec->flow2) to their
 * files, read once each through `read`: up to two files in `files`. False
 * with a message printed when a file cannot be read or edited.
 */
static bool edit_flows(struct edited_file files[2], size_t *n_files, const struct kdr_cli_record *rec, read_fn read,
		       void *ctx, const char *what)
{
	for (size_t k = 0; k < 2; k++) {
		const struct kdr_flow *flow = k ? rec->flow2 : rec->flow;
		const struct kdr_spec_edit *edits = k ? rec->edits2 : rec->edits;
		size_t n_edits = k ? rec->n_edits2 : rec->n_edits;
		struct edited_file *file = NULL;
		struct kdr_buf out = KDR_BUF_INIT;
		bool changed = false;

		if (!flow || !n_edits)
			continue;
		for (size_t i = 0; i < *n_files && !file; i++)
			if (strcmp(files[i].path, flow->meta.file) == 0)
				file = &files[i];
		if (!file) {
			file = &files[(*n_files)++];
			file->path = flow->meta.file;
			kdr_buf_init(&file->text);
			file->changed = false;
			if (read(&file->text, file->path, ctx) != 0)
				return false;
		}
		if (kdr_spec_edit_yaml(&out, &changed, file->text.ptr, file->text.len, "ReplicationFlow", flow->meta.name,
				       edits, n_edits) != 0) {
			fprintf(stderr, "%s: cannot edit ReplicationFlow '%s' in %s: %s; nothing was recorded\n", what,
				flow->meta.name, flow->meta.file, kdr_error_message());
			kdr_buf_release(&out);
			return false;
		}
		kdr_buf_release(&file->text);
		file->text = out;
		file->changed = file->changed || changed;
	}
	return true;
}

static void edited_files_release(struct edited_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kdr_buf_release(&files[i].text);
}

static int read_disk(struct kdr_buf *out, const char *path, void *ctx)
{
	(void)ctx;
	return kdr_cli_read_file(out, path) == KDR_EXIT_OK ? 0 : -1;
}

struct git_read {
	struct kdr_git_repo *repo;
	const char *commit;
	const char *what;
};

static int read_git(struct kdr_buf *out, const char *path, void *ctx)
{
	const struct git_read *g = ctx;

	if (kdr_git_read_file(out, g->repo, g->commit, path) == 0)
		return 0;
	fprintf(stderr, "%s: %s; nothing was recorded\n", g->what, kdr_error_message());
	return -1;
}

static void print_patch(const struct kdr_cli_record *rec, const char *what)
{
	if (rec->flow && rec->n_edits) {
		fprintf(stderr, "%s: record it in the desired state: ReplicationFlow '%s'", what, rec->flow->meta.name);
		if (rec->flow->meta.namespace)
			fprintf(stderr, " (namespace %s)", rec->flow->meta.namespace);
		fprintf(stderr, ", spec:\n");
		for (size_t i = 0; i < rec->n_edits; i++)
			if (rec->edits[i].value)
				fprintf(stderr, "    %s: %s\n", rec->edits[i].key, rec->edits[i].value);
			else
				fprintf(stderr, "    %s: (remove)\n", rec->edits[i].key);
	}
	if (rec->file_path)
		fprintf(stderr, "%s: and %s the document%s\n%s", what, rec->file_data ? "add" : "remove",
			rec->file_data ? ":" : "s of its reverse flow", rec->file_data ? rec->file_data : "");
}

static int record_k8s(bool *changed, const struct kdr_cli_record *rec, const char *what)
{
	struct kdr_buf patch = KDR_BUF_INIT;

	*changed = false;
	fprintf(stderr, "%s: a --k8s source is not written by kdr; apply this change to the custom resources:\n", what);
	if (rec->flow && rec->n_edits) {
		kdr_buf_puts(&patch, "{\"spec\":{");
		for (size_t i = 0; i < rec->n_edits; i++)
			kdr_buf_printf(&patch, "%s\"%s\":%s", i ? "," : "", rec->edits[i].key,
				       rec->edits[i].value ? rec->edits[i].value : "null");
		kdr_buf_puts(&patch, "}}");
		fprintf(stderr, "  kubectl patch replicationflows.kdr.io %s%s%s --type merge -p '%s'\n", rec->flow->meta.name,
			rec->flow->meta.namespace ? " -n " : "", rec->flow->meta.namespace ? rec->flow->meta.namespace : "",
			patch.ptr);
	}
	if (rec->flow2 && rec->n_edits2) {
		kdr_buf_reset(&patch);
		kdr_buf_puts(&patch, "{\"spec\":{");
		for (size_t i = 0; i < rec->n_edits2; i++)
			kdr_buf_printf(&patch, "%s\"%s\":%s", i ? "," : "", rec->edits2[i].key,
				       rec->edits2[i].value ? rec->edits2[i].value : "null");
		kdr_buf_puts(&patch, "}}");
		fprintf(stderr, "  kubectl patch replicationflows.kdr.io %s%s%s --type merge -p '%s'\n",
			rec->flow2->meta.name, rec->flow2->meta.namespace ? " -n " : "",
			rec->flow2->meta.namespace ? rec->flow2->meta.namespace : "", patch.ptr);
	}
	if (rec->file_path && rec->file_data)
		fprintf(stderr, "  and create (kubectl apply -f -):\n%s", rec->file_data);
	else if (rec->file_path)
		fprintf(stderr, "  and delete the reverse flow's ReplicationFlow\n");
	kdr_buf_release(&patch);
	return KDR_EXIT_OK;
}

static int record_dir(bool *changed, const struct kdr_cli_record *rec, const char *what)
{
	struct edited_file files[2];
	size_t n_files = 0;
	int exit_code = KDR_EXIT_ERROR;

	*changed = false;
	memset(files, 0, sizeof(files));
	if (!edit_flows(files, &n_files, rec, read_disk, NULL, what))
		goto cleanup;
	/*
	 * A new file before the flows' edits, a removed one after them: a record
	 * interrupted half way leaves a state the next run completes.
	 */
	if (rec->file_path && rec->file_data) {
		struct kdr_buf old = KDR_BUF_INIT;
		bool same = access(rec->file_path, F_OK) == 0 && kdr_cli_read_file(&old, rec->file_path) == KDR_EXIT_OK &&
			    old.len == strlen(rec->file_data) && memcmp(old.ptr, rec->file_data, old.len) == 0;

		kdr_buf_release(&old);
		if (!same) {
			if (kdr_cli_write_file(rec->file_path, rec->file_data, strlen(rec->file_data)) != KDR_EXIT_OK)
				goto cleanup;
			fprintf(stderr, "%s: wrote %s\n", what, rec->file_path);
			*changed = true;
		}
	}
	for (size_t i = 0; i < n_files; i++) {
		if (!files[i].changed)
			continue;
		if (kdr_cli_write_file(files[i].path, files[i].text.ptr, files[i].text.len) != KDR_EXIT_OK)
			goto cleanup;
		fprintf(stderr, "%s: recorded in %s\n", what, files[i].path);
		*changed = true;
	}
	if (rec->file_path && !rec->file_data && access(rec->file_path, F_OK) == 0) {
		if (unlink(rec->file_path) != 0) {
			fprintf(stderr, "%s: cannot remove '%s': %s\n", what, rec->file_path, strerror(errno));
			goto cleanup;
		}
		fprintf(stderr, "%s: removed %s\n", what, rec->file_path);
		*changed = true;
	}
	exit_code = KDR_EXIT_OK;
cleanup:
	edited_files_release(files, n_files);
	return exit_code;
}

static int record_git(bool *changed, const struct kdr_cli_source *src, const struct kdr_desired *desired,
		      const struct kdr_cli_record *rec, const char *message, const char *what)
{
	struct kdr_git_options options = { 0 };
	struct kdr_git_repo *repo = NULL;
	struct edited_file files[2];
	struct git_read reader = { NULL, NULL, what };
	struct kdr_git_change changes[3];
	size_t n = 0, n_files = 0;
	char *branch = NULL;
	char commit[41] = { 0 };
	int exit_code = KDR_EXIT_ERROR;

	*changed = false;
	memset(changes, 0, sizeof(changes));
	memset(files, 0, sizeof(files));
	if (!desired->revision) {
		fprintf(stderr, "%s: the commit the documents were read from is unknown; nothing was recorded\n", what);
		return KDR_EXIT_ERROR;
	}
	options.url = src->git_url;
	options.cache_dir = src->cache_dir;
	options.token_env = src->token_env;
	options.token_file = src->token_file;
	if (kdr_git_open(&repo, &options) != 0 || kdr_git_branch_of(&branch, repo, src->ref) != 0) {
		fprintf(stderr, "%s: %s; nothing was recorded\n", what, kdr_error_message());
		goto cleanup;
	}
	reader.repo = repo;
	reader.commit = desired->revision;
	if (!edit_flows(files, &n_files, rec, read_git, &reader, what))
		goto cleanup;
	for (size_t i = 0; i < n_files; i++)
		if (files[i].changed) {
			changes[n].path = files[i].path;
			changes[n].data = files[i].text.ptr;
			changes[n].len = files[i].text.len;
			n++;
		}
	if (rec->file_path) {
		changes[n].path = rec->file_path;
		changes[n].data = rec->file_data;
		changes[n].len = rec->file_data ? strlen(rec->file_data) : 0;
		n++;
	}
	if (n && kdr_git_commit(commit, repo, branch, desired->revision, changes, n, message) != 0) {
		fprintf(stderr, "%s: %s\n", what, kdr_error_message());
		goto cleanup;
	}
	*changed = n && strcmp(commit, desired->revision) != 0;
	if (*changed)
		fprintf(stderr, "%s: committed %.12s on %s of %s: %.*s\n", what, commit, branch + strlen("refs/heads/"),
			kdr_git_display_url(repo), (int)strcspn(message, "\n"), message);
	exit_code = KDR_EXIT_OK;
cleanup:
	free(branch);
	edited_files_release(files, n_files);
	kdr_git_free(repo);
	return exit_code;
}

int kdr_cli_record(bool *changed, const struct kdr_cli_source *src, const struct kdr_desired *desired,
		   const struct kdr_cli_record *rec, const char *message, const char *what)
{
	*changed = false;
	if (src->k8s)
		return record_k8s(changed, rec, what);
	if (src->git_url)
		return record_git(changed, src, desired, rec, message, what);
	if ((rec->flow && rec->n_edits && !rec->flow->meta.file) || (rec->flow2 && rec->n_edits2 && !rec->flow2->meta.file)) {
		print_patch(rec, what);
		return KDR_EXIT_ERROR;
	}
	return record_dir(changed, rec, what);
}
