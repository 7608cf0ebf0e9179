/* --reassignments DIR: the blocked items' kafka-reassign-partitions.sh files, for the human who makes the change. */
#include "pipeline/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/file.h"

int kdr_pipeline_write_reassignments(struct kdr_buf *err, const struct kdr_plan *plan, const char *dir)
{
	int rc = 0, first = 0;
	bool any = false;

	for (size_t i = 0; i < plan->n_blocked; i++)
		any = any || plan->blocked[i].reassignment_json;
	/* The directory is created when there is something to write in it. */
	if (any && (rc = kdr_file_make_dirs(dir)) != 0) {
		kdr_buf_printf(err, "kdr: --reassignments: %s\n", kdr_error_message());
		return rc;
	}
	for (size_t i = 0; i < plan->n_blocked; i++) {
		const struct kdr_blocked *blocked = &plan->blocked[i];
		char *path = NULL;

		if (!blocked->reassignment_json)
			continue;
		path = kdr_asprintf("%s/%s.%s.reassignment.json", dir, blocked->cluster, blocked->resource);
		if ((rc = kdr_file_write(path, blocked->reassignment_json, strlen(blocked->reassignment_json))) != 0) {
			kdr_buf_printf(err, "kdr: %s\n", kdr_error_message()); /* as every file kdr cannot write */
			first = first ? first : rc;
		} else {
			kdr_buf_printf(err,
				       "kdr: wrote %s (kafka-reassign-partitions.sh --reassignment-json-file %s --execute)\n",
				       path, path);
		}
		free(path);
	}
	return first;
}
