#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/file.h"

int kdr_cli_read_file(struct kdr_buf *out, const char *path)
{
	if (kdr_file_read(out, path) != 0) {
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	return KDR_EXIT_OK;
}

int kdr_cli_write_file(const char *path, const char *data, size_t len)
{
	if (strcmp(path, "-") == 0) {
		fwrite(data, 1, len, stdout);
		return KDR_EXIT_OK;
	}
	if (kdr_file_write(path, data, len) != 0) {
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	return KDR_EXIT_OK;
}

int kdr_cli_write_reassignments(const struct kdr_plan *plan, const char *dir)
{
	int exit_code = KDR_EXIT_OK;
	bool any = false;

	for (size_t i = 0; i < plan->n_blocked; i++)
		any = any || plan->blocked[i].reassignment_json;
	/* The directory is created when there is something to write in it. */
	if (any && kdr_file_make_dirs(dir) != 0) {
		fprintf(stderr, "kdr: --reassignments: %s\n", kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	for (size_t i = 0; i < plan->n_blocked; i++) {
		const struct kdr_blocked *blocked = &plan->blocked[i];
		char *path = NULL;

		if (!blocked->reassignment_json)
			continue;
		path = kdr_asprintf("%s/%s.%s.reassignment.json", dir, blocked->cluster, blocked->resource);
		if (kdr_cli_write_file(path, blocked->reassignment_json, strlen(blocked->reassignment_json)) != 0)
			exit_code = KDR_EXIT_ERROR;
		else
			fprintf(stderr, "kdr: wrote %s (kafka-reassign-partitions.sh --reassignment-json-file %s --execute)\n",
				path, path);
		free(path);
	}
	return exit_code;
}
