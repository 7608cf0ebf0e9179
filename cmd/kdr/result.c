#include "result.h"

#include <stdio.h>

const struct kdr_pipeline_options *kdr_cli_pipeline_options(struct kdr_cli_args *args)
{
	args->live.clusters = (const char *const *)args->clusters.v;
	args->live.n_clusters = args->clusters.n;
	args->live.resolver = kdr_source_resolver(&args->source);
	return &args->live;
}

void kdr_cli_print_err(struct kdr_buf *err)
{
	fwrite(err->ptr, 1, err->len, stderr);
	kdr_buf_release(err);
}

void kdr_cli_print(struct kdr_buf *out, struct kdr_buf *err)
{
	fwrite(err->ptr, 1, err->len, stderr);
	fwrite(out->ptr, 1, out->len, stdout);
	kdr_buf_release(err);
	kdr_buf_release(out);
}

int kdr_cli_exit_status(enum kdr_pipeline_outcome outcome)
{
	switch (outcome) {
	case KDR_PIPELINE_OK: return KDR_EXIT_OK;
	case KDR_PIPELINE_PENDING: return KDR_EXIT_CHANGES;
	case KDR_PIPELINE_FAILED: break;
	}
	return KDR_EXIT_ERROR;
}
