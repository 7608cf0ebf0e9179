/* The load stage every command takes first, and what it prints: the diagnostics, the outcome, the revision. */
#include "pipeline/pipeline.h"

#include <stdlib.h>

#include "source/source.h"
#include "util/alloc.h"
#include "util/error.h"

int kdr_pipeline_load(struct kdr_desired *out, struct kdr_load_result *result, struct kdr_source *source)
{
	int rc = kdr_source_load_now(out, &result->diags, source);

	result->source = kdr_strdup(kdr_source_describe(source));
	if (rc != 0)
		result->error = kdr_strdup(kdr_error_message());
	return rc;
}

void kdr_pipeline_load_render(struct kdr_buf *err, const struct kdr_load_result *result,
			      const struct kdr_source_selection *sel, const struct kdr_desired *desired)
{
	bool dir = !sel->git_url && !sel->k8s;

	for (size_t i = 0; i < result->diags.n; i++) {
		char *line = kdr_diag_format(&result->diags.v[i]);

		kdr_buf_printf(err, "%s\n", line);
		free(line);
	}
	/* A directory's documents are the user's files: the diagnostics above say it all, counted. */
	if (result->error && dir)
		kdr_buf_printf(err, "kdr: %zu error(s), %zu warning(s) in '%s'; nothing will be used from it\n",
			       result->diags.errors, result->diags.warnings, sel->dir ? sel->dir : ".");
	else if (result->error)
		kdr_buf_printf(err, "kdr: %s\n", result->error);
	else if (!dir)
		kdr_buf_printf(err, "kdr: source %s @ %s\n", result->source, desired->revision ? desired->revision : "?");
}

void kdr_load_result_release(struct kdr_load_result *result)
{
	kdr_diags_release(&result->diags);
	free(result->error);
	free(result->source);
	result->error = result->source = NULL;
}
