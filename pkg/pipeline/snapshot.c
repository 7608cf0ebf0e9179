/* kdr snapshot's run: the live state read, groups' offsets included; a cluster left out fails it. */
#include "pipeline/pipeline.h"

int kdr_pipeline_snapshot_run(struct kdr_pipeline_result *out, const struct kdr_desired *desired,
			      const struct kdr_pipeline_options *options)
{
	struct kdr_pipeline_options read = *options;
	int rc = 0;

	read.read_groups = KDR_READ_GROUPS_OFFSETS; /* the snapshot holds the consumer groups too */
	if ((rc = kdr_pipeline_result_read(out, desired, &read)) != 0)
		return rc;
	/* A cluster that could not be read is missing from the snapshot: that is a failure. */
	if (out->p.read_ok.n < out->p.read.n_clusters)
		out->outcome = KDR_PIPELINE_FAILED;
	return 0;
}
