#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

int kdr_cli_usage_error(const struct kdr_cli_spec *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kdr %s: ", spec->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\nrun 'kdr %s --help' for the options\n", spec->usage, spec->command);
	return KDR_EXIT_USAGE;
}

void kdr_cli_print_help(const struct kdr_cli_spec *spec, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n\noptions:\n%s  -h, --help              show this help\n", spec->usage,
		spec->description, spec->options_help);
}

int kdr_cli_read_file(struct kdr_buf *out, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "kdr: cannot read '%s': %s\n", path, strerror(errno));
		return KDR_EXIT_ERROR;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kdr_buf_put(out, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "kdr: cannot read '%s': %s\n", path, strerror(errno));
		if (f != stdin)
			fclose(f);
		return KDR_EXIT_ERROR;
	}
	if (f != stdin)
		fclose(f);
	return KDR_EXIT_OK;
}

int kdr_cli_write_file(const char *path, const char *data, size_t len)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int exit_code = KDR_EXIT_ERROR;

	if (strcmp(path, "-") == 0) {
		fwrite(data, 1, len, stdout);
		return KDR_EXIT_OK;
	}
	tmp = kdr_asprintf("%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fflush(f) != 0) {
		fprintf(stderr, "kdr: cannot write '%s': %s\n", path, strerror(errno));
		goto cleanup;
	}
	if (fclose(f) != 0) {
		f = NULL;
		fprintf(stderr, "kdr: cannot write '%s': %s\n", path, strerror(errno));
		goto cleanup;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "kdr: cannot write '%s': %s\n", path, strerror(errno));
		goto cleanup;
	}
	exit_code = KDR_EXIT_OK;
cleanup:
	if (f)
		fclose(f);
	if (exit_code != KDR_EXIT_OK)
		unlink(tmp);
	free(tmp);
	return exit_code;
}

/* mkdir -p: every missing parent of `dir`, then `dir`; 0 or -1 with errno set. */
static int make_dirs(const char *dir)
{
	char *path = kdr_strdup(dir);
	int rc = 0;

	for (char *p = path + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (rc == 0 && mkdir(path, 0777) != 0 && errno != EEXIST)
		rc = -1;
	free(path);
	return rc;
}

int kdr_cli_write_reassignments(const struct kdr_plan *plan, const char *dir)
{
	int exit_code = KDR_EXIT_OK;
	bool any = false;

	for (size_t i = 0; i < plan->n_blocked; i++)
		any = any || plan->blocked[i].reassignment_json;
	/* The directory is created when there is something to write in it. */
	if (any && make_dirs(dir) != 0) {
		fprintf(stderr, "kdr: --reassignments '%s': cannot create the directory: %s\n", dir, strerror(errno));
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
