#include "options.h"

#include <stdarg.h>
#include <string.h>

/* The column where the options' help starts. */
#define HELP_COLUMN 26
/* The usage line wraps before this column. */
#define USAGE_WIDTH 100

static const struct kdr_cli_option help_option = {"help", KDR_CLI_ID('h'), 'h', NULL, "show this help"};

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

/* Writes `item` after a space at column *col, or on a new line indented to `indent` when it would reach USAGE_WIDTH. */
static void usage_item(FILE *out, int *col, int indent, const char *item)
{
	int len = (int)strlen(item);

	if (*col > indent && *col + 1 + len >= USAGE_WIDTH) {
		*col = fprintf(out, "\n%*s", indent, "") - 1;
	} else {
		fputc(' ', out);
		*col += 1;
	}
	*col += fprintf(out, "%s", item);
}

/* "usage: PROGRAM COMMAND ARGS [--name ARG]... --required ARG ...", each option of the table once. */
static void print_usage(const struct kdr_cli_spec *spec, FILE *out)
{
	int col = fprintf(out, "usage: %s %s", spec->program, spec->command);
	int indent = col + 1;
	char item[256];

	if (spec->args)
		usage_item(out, &col, indent, spec->args);
	for (const struct kdr_cli_option *option = spec->table; option->name; option++) {
		bool required = strstr(option->help, "(required") != NULL;

		snprintf(item, sizeof(item), "%s--%s%s%s%s%s", required ? "" : "[", option->name,
			 option->arg_name ? " " : "", option->arg_name ? option->arg_name : "", required ? "" : "]",
			 strstr(option->help, "(repeatable") ? "..." : "");
		usage_item(out, &col, indent, item);
	}
	fputc('\n', out);
}

void kdr_cli_help_print(const struct kdr_cli_spec *spec, FILE *out)
{
	print_usage(spec, out);
	fprintf(out, "\n%s\n\noptions:\n", spec->description);
	for (const struct kdr_cli_option *option = spec->table; option->name; option++)
		print_option(out, option);
	print_option(out, &help_option);
}

int kdr_cli_usage_error(const struct kdr_cli_spec *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", spec->program, spec->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(spec, stderr);
	fprintf(stderr, "run '%s %s --help' for the options\n", spec->program, spec->command);
	return KDR_CLI_USAGE;
}
