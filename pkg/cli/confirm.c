/* A yes/no question on the terminal before a command acts. */
#include "cli/confirm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool confirm_va(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static bool confirm_va(const char *fmt, va_list ap)
{
	char answer[16] = { 0 };

	fputc('\n', stderr);
	vfprintf(stderr, fmt, ap);
	fputs("? only 'yes' is accepted: ", stderr);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return strcmp(answer, "yes\n") == 0 || strcmp(answer, "yes") == 0;
}

bool kdr_cli_confirm(const char *fmt, ...)
{
	va_list ap;
	bool yes = false;

	va_start(ap, fmt);
	yes = confirm_va(fmt, ap);
	va_end(ap);
	return yes;
}

bool kdr_cli_consent(const struct kdr_cli_spec *spec, bool yes, const char *verb, const char *done, const char *fmt,
		     ...)
{
	va_list ap;

	if (yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s %s: refusing to %s without --yes (stdin is not a terminal)\n", spec->program,
			spec->command, verb);
		return false;
	}
	va_start(ap, fmt);
	yes = confirm_va(fmt, ap);
	va_end(ap);
	if (!yes)
		fprintf(stderr, "%s %s: cancelled; nothing was %s\n", spec->program, spec->command, done);
	return yes;
}
