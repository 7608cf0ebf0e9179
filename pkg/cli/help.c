#include "options.h"

#include <stdarg.h>

/* The column where the options' help starts. */
#define HELP_COLUMN 26

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

void kdr_cli_help_print(const struct kdr_cli_spec *spec, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n\noptions:\n", spec->usage, spec->description);
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
	fprintf(stderr, "\nusage: %s\nrun '%s %s --help' for the options\n", spec->usage, spec->program, spec->command);
	return KDR_CLI_USAGE;
}
