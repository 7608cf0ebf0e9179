/* What a command's run on the pipeline came to, and its read stage as the commands print it. */
#include "pipeline/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

int kdr_pipeline_result_fail(struct kdr_pipeline_result *out, int rc, bool read)
{
	free(out->error);
	out->error = kdr_strdup(kdr_error_message());
	out->read_failed = read;
	out->outcome = KDR_PIPELINE_FAILED;
	return rc;
}

int kdr_pipeline_result_read(struct kdr_pipeline_result *out, const struct kdr_desired *desired,
			     const struct kdr_pipeline_options *options)
{
	int rc = 0;

	kdr_pipeline_init(&out->p, desired, options);
	if ((rc = kdr_pipeline_read(&out->p)) != 0)
		return kdr_pipeline_result_fail(out, rc, true);
	return 0;
}

const struct kdr_flow *kdr_pipeline_result_flow(struct kdr_pipeline_result *out, const struct kdr_desired *desired,
						const char *name)
{
	const struct kdr_flow *flow = kdr_desired_flow(desired, name);

	if (!flow)
		kdr_pipeline_result_fail(out, kdr_error_set(KDR_ENOTFOUND,
							    "--flow '%s': no ReplicationFlow of that name is declared", name),
					 false);
	return flow;
}

int kdr_pipeline_result_read_flow(struct kdr_pipeline_result *out, struct kdr_strvec *clusters,
				  const struct kdr_desired *desired, const struct kdr_pipeline_options *options,
				  const struct kdr_flow *flow)
{
	struct kdr_pipeline_options read = *options;

	for (size_t i = 0; i < options->n_clusters; i++)
		kdr_strvec_push(clusters, options->clusters[i]);
	kdr_strvec_push(clusters, flow->source);
	kdr_strvec_push(clusters, flow->target);
	read.clusters = (const char *const *)clusters->v;
	read.n_clusters = clusters->n;
	return kdr_pipeline_result_read(out, desired, &read);
}

void kdr_pipeline_render_read(struct kdr_buf *err, const struct kdr_pipeline *p, const char *error)
{
	for (size_t i = 0; i < p->read.messages.n; i++)
		kdr_buf_printf(err, "kdr: %s\n", p->read.messages.v[i]);
	if (error)
		kdr_buf_printf(err, "kdr: %s\n", error);
}

void kdr_pipeline_result_render_read(struct kdr_buf *err, const struct kdr_pipeline_result *result)
{
	kdr_pipeline_render_read(err, &result->p, result->read_failed ? result->error : NULL);
}

void kdr_pipeline_result_render_error(struct kdr_buf *err, const struct kdr_pipeline_result *result,
				      const char *command)
{
	if (result->error && !result->read_failed)
		kdr_buf_printf(err, "kdr %s: %s\n", command, result->error);
}

void kdr_pipeline_result_release(struct kdr_pipeline_result *result)
{
	kdr_pipeline_release(&result->p);
	free(result->error);
	memset(result, 0, sizeof(*result));
}
