#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"

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
