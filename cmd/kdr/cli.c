#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/file.h"

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

/* The column where the options' help starts. */
#define HELP_COLUMN 26

static const struct kdr_cli_option help_option = { "help", KDR_CLI_ID('h'), 'h', NULL, "show this help" };

/* "  -c, --cluster C         help", the help's further lines indented to HELP_COLUMN. */
static void print_option(FILE *out, const struct kdr_cli_option *option)
{
	int n = option->short_name ? fprintf(out, "  -%c, --%s", option->short_name, option->name)
				   : fprintf(out, "      --%s", option->name);

	if (option->arg_name)
		n += fprintf(out, " %s", option->arg_name);
	if (option->help[0] != '\n')
		fprintf(out, "%*s", n < HELP_COLUMN - 1 ? HELP_COLUMN - n : 1, "");
	for (const char *c = option->help; *c; c++) {
		fputc(*c, out);
		if (*c == '\n')
			fprintf(out, "%*s", HELP_COLUMN, "");
	}
	fputc('\n', out);
}

void kdr_cli_print_help(const struct kdr_cli_spec *spec, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n\noptions:\n", spec->usage, spec->description);
	for (const struct kdr_cli_option *option = spec->table; option->name; option++)
		print_option(out, option);
	print_option(out, &help_option);
}

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
