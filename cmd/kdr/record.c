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

/* The edited text of the flow's file (`text` its current content); false with a message printed. */
static bool edit_flow(struct kdr_buf *out, bool *changed, const struct kdr_cli_record *rec, const struct kdr_buf *text,
		      const char *what)
{
	if (kdr_spec_edit_yaml(out, changed, text->ptr, text->len, "ReplicationFlow", rec->flow->meta.name, rec->edits,
			       rec->n_edits) == 0)
		return true;
	fprintf(stderr, "%s: cannot edit ReplicationFlow '%s' in %s: %s; nothing was recorded\n", what,
		rec->flow->meta.name, rec->flow->meta.file, kdr_error_message());
	return false;
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
	if (rec->file_path && rec->file_data)
		fprintf(stderr, "  and create (kubectl apply -f -):\n%s", rec->file_data);
	else if (rec->file_path)
		fprintf(stderr, "  and delete the reverse flow's ReplicationFlow\n");
	kdr_buf_release(&patch);
	return KDR_EXIT_OK;
}

static int record_dir(bool *changed, const struct kdr_cli_record *rec, const char *what)
{
	struct kdr_buf text = KDR_BUF_INIT, edited = KDR_BUF_INIT;
	bool flow_changed = false;
	int exit_code = KDR_EXIT_ERROR;

	*changed = false;
	if (rec->flow && rec->n_edits) {
		if (kdr_cli_read_file(&text, rec->flow->meta.file) != KDR_EXIT_OK || !edit_flow(&edited, &flow_changed, rec, &text, what))
			goto cleanup;
	}
	/*
	 * A new file before the flow's edit, a removed one after it: a record
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
	if (flow_changed) {
		if (kdr_cli_write_file(rec->flow->meta.file, edited.ptr, edited.len) != KDR_EXIT_OK)
			goto cleanup;
		fprintf(stderr, "%s: recorded in %s (ReplicationFlow '%s')\n", what, rec->flow->meta.file,
			rec->flow->meta.name);
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
	kdr_buf_release(&text);
	kdr_buf_release(&edited);
	return exit_code;
}

static int record_git(bool *changed, const struct kdr_cli_source *src, const struct kdr_desired *desired,
		      const struct kdr_cli_record *rec, const char *message, const char *what)
{
	struct kdr_git_options options = { 0 };
	struct kdr_git_repo *repo = NULL;
	struct kdr_buf text = KDR_BUF_INIT, edited = KDR_BUF_INIT;
	struct kdr_git_change changes[2];
	size_t n = 0;
	char *branch = NULL;
	char commit[41] = { 0 };
	bool flow_changed = false;
	int exit_code = KDR_EXIT_ERROR;

	*changed = false;
	memset(changes, 0, sizeof(changes));
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
	if (rec->flow && rec->n_edits) {
		if (kdr_git_read_file(&text, repo, desired->revision, rec->flow->meta.file) != 0) {
			fprintf(stderr, "%s: %s; nothing was recorded\n", what, kdr_error_message());
			goto cleanup;
		}
		if (!edit_flow(&edited, &flow_changed, rec, &text, what))
			goto cleanup;
		if (flow_changed) {
			changes[n].path = rec->flow->meta.file;
			changes[n].data = edited.ptr;
			changes[n].len = edited.len;
			n++;
		}
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
	kdr_buf_release(&text);
	kdr_buf_release(&edited);
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
	if (rec->flow && rec->n_edits && !rec->flow->meta.file) {
		print_patch(rec, what);
		return KDR_EXIT_ERROR;
	}
	return record_dir(changed, rec, what);
}
