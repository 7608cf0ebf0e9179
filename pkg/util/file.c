/* Local files (file.h). */
#include "util/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"

int kdr_file_read(struct kdr_buf *out, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n = 0;
	int rc = 0;

	if (!f)
		return kdr_error_set(KDR_EIO, "cannot read '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kdr_buf_put(out, chunk, n);
	if (ferror(f))
		rc = kdr_error_set(KDR_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	return rc;
}

int kdr_file_write(const char *path, const char *data, size_t len)
{
	char *tmp = kdr_asprintf("%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "wb");
	int rc = 0;

	if (!f || fwrite(data, 1, len, f) != len || fflush(f) != 0)
		rc = kdr_error_set(KDR_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (f && fclose(f) != 0 && rc == 0)
		rc = kdr_error_set(KDR_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = kdr_error_set(KDR_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int kdr_file_make_dirs(const char *dir)
{
	char *path = kdr_strdup(dir);
	int rc = 0;

	for (char *p = path + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (rc == 0 && mkdir(path, 0755) != 0 && errno != EEXIST)
		rc = -1;
	if (rc != 0)
		rc = kdr_error_set(KDR_EIO, "cannot create '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}
