#ifndef KDR_UTIL_FILE_H
#define KDR_UTIL_FILE_H

#include <stddef.h>

#include "util/buf.h"

/* Local files: whole reads, atomic writes, mkdir -p. Errors through kdr_error_set (KDR_EIO). */

/* Appends the whole file `path` ("-": stdin) to `out`. Returns 0 or KDR_EIO ("cannot read 'P': why"). */
int kdr_file_read(struct kdr_buf *out, const char *path);

/*
 * Writes `data` to `path` atomically (a temporary file in the same
 * directory, then rename). Returns 0 or KDR_EIO ("cannot write 'P': why").
 */
int kdr_file_write(const char *path, const char *data, size_t len);

/* mkdir -p `dir` (0755). Returns 0 or KDR_EIO ("cannot create 'D': why"). */
int kdr_file_make_dirs(const char *dir);

#endif
