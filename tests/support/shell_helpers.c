#include "shell_helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/buf.h"

/* Long enough for a git command over a handful of temporary paths. */
#define COMMAND_MAX 8192

void kdr_test_sh(const char *fmt, ...)
{
	char command[COMMAND_MAX];
	va_list ap;
	int status = 0;

	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	status = system(command);
	if (status != 0)
		fail_msg("command failed (status %d): %s", status, command);
}

char *kdr_test_sh_out(const char *fmt, ...)
{
	char command[COMMAND_MAX], chunk[4096];
	struct kdr_buf out = KDR_BUF_INIT;
	FILE *pipe = NULL;
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	pipe = popen(command, "r");
	assert_non_null(pipe);
	while ((n = fread(chunk, 1, sizeof(chunk), pipe)) > 0)
		kdr_buf_put(&out, chunk, n);
	if (pclose(pipe) != 0)
		fail_msg("command failed: %s", command);
	while (out.len && out.ptr[out.len - 1] == '\n')
		kdr_buf_truncate(&out, out.len - 1);
	return kdr_buf_detach(&out);
}
