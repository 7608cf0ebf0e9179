/* Files and directories of YAML documents. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/spec.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

/* Larger than any sane set of documents; a bigger file is a mistake (or an attack). */
#define MAX_FILE_SIZE ((size_t)64 << 20)

/* Reports to `diags` when given, and always as the thread's last error. */
static void io_error(struct kdr_diags *diags, const char *path, const char *what, int err)
{
	struct kdr_loc loc = { path, 0, 0 };

	if (diags)
		kdr_diags_error(diags, &loc, NULL, "%s: %s", what, strerror(err));
	kdr_error_set(KDR_EIO, "%s '%s': %s", what, path, strerror(err));
}

/* A FIFO, socket or device where a document file is expected: never opened for reading. */
static void not_regular(struct kdr_diags *diags, const char *path)
{
	struct kdr_loc loc = { path, 0, 0 };

	if (diags)
		kdr_diags_error(diags, &loc, NULL, "not a regular file or directory; refused");
	kdr_error_set(KDR_EIO, "'%s': not a regular file or directory", path);
}

int kdr_spec_load_file(struct kdr_desired *into, const char *path, struct kdr_diags *diags)
{
	struct kdr_buf data = KDR_BUF_INIT;
	struct kdr_loc loc = { path, 0, 0 };
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st = { 0 };
	FILE *f = NULL;
	char chunk[65536] = "";
	size_t n = 0;
	int err = 0, rc = 0;

	if (fd < 0) {
		io_error(diags, path, "cannot open", errno);
		return KDR_EIO;
	}
	if (fstat(fd, &st) != 0) {
		io_error(diags, path, "cannot read", errno);
		close(fd);
		return KDR_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		not_regular(diags, path);
		close(fd);
		return KDR_EIO;
	}
	/* The size first: a huge file is refused before any of it is read. */
	if ((uint64_t)st.st_size > MAX_FILE_SIZE) {
		kdr_diags_error(diags, &loc, NULL, "file larger than %zu MiB", MAX_FILE_SIZE >> 20);
		close(fd);
		return KDR_EIO;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "rb");
	if (!f) {
		io_error(diags, path, "cannot open", errno);
		close(fd);
		return KDR_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (data.len + n > MAX_FILE_SIZE) {
			kdr_diags_error(diags, &loc, NULL, "file larger than %zu MiB", MAX_FILE_SIZE >> 20);
			rc = KDR_EIO;
			goto cleanup;
		}
		kdr_buf_put(&data, chunk, n);
	}
	if (ferror(f)) {
		err = errno;
		io_error(diags, path, "cannot read", err ? err : EIO);
		rc = KDR_EIO;
		goto cleanup;
	}
	rc = kdr_spec_parse_yaml(into, path, data.ptr, data.len, diags);

cleanup:
	fclose(f);
	kdr_buf_release(&data);
	return rc;
}

static bool has_yaml_extension(const char *name)
{
	size_t len = strlen(name);

	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) || (len > 4 && strcmp(name + len - 4, ".yml") == 0);
}

/* The directories being walked, to stop at a symlink loop. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *parent;
};

/*
 * Whether `path` (a symbolic link) resolves inside `root` (a realpath). A
 * link out of the source would make kdr read, parse and quote a file the
 * source does not hold (a secret, /proc/...): refused.
 */
static bool link_inside(const char *path, const char *root, char **target)
{
	char *resolved = realpath(path, NULL);
	size_t n = strlen(root);
	bool inside = false;

	if (!resolved) {
		*target = NULL;
		return true; /* dangling: stat reports it */
	}
	inside = strncmp(resolved, root, n) == 0 && (resolved[n] == '/' || resolved[n] == '\0' ||
						     (n == 1 && root[0] == '/'));
	*target = resolved;
	return inside;
}

static void warning(struct kdr_diags *diags, const char *path, const char *message)
{
	struct kdr_loc loc = { path, 0, 0 };

	if (diags)
		kdr_diags_add(diags, KDR_SEV_WARNING, &loc, NULL, "%s", message);
}

static int collect(struct kdr_strvec *files, const char *dir, const struct ancestor *ancestors, const char *root,
		   struct kdr_diags *diags)
{
	DIR *d = opendir(dir);
	struct dirent *entry = NULL;
	struct stat st = { 0 };
	struct ancestor self = { 0, 0, ancestors };
	size_t dir_len = strlen(dir);
	int rc = 0;

	if (!d) {
		io_error(diags, dir, "cannot open directory", errno);
		return KDR_EIO;
	}
	if (fstat(dirfd(d), &st) == 0) {
		self.dev = st.st_dev;
		self.ino = st.st_ino;
	}
	for (const struct ancestor *a = ancestors; a; a = a->parent) {
		if (a->dev == self.dev && a->ino == self.ino) {
			closedir(d);
			return 0; /* a symlink back up the tree: already being read */
		}
	}
	while ((entry = readdir(d)) != NULL) {
		char *path = NULL, *target = NULL;
		struct stat lst = { 0 };

		/* Hidden entries: .git, editor files, and Kubernetes ConfigMap mounts' ..data twins. */
		if (entry->d_name[0] == '.')
			continue;
		if (dir_len > 0 && dir[dir_len - 1] == '/')
			path = kdr_asprintf("%s%s", dir, entry->d_name);
		else
			path = kdr_asprintf("%s/%s", dir, entry->d_name);
		if (stat(path, &st) != 0) {
			/* A dangling link matters only if it would have been a document. */
			if (has_yaml_extension(entry->d_name)) {
				io_error(diags, path, "cannot read", errno);
				rc = KDR_EIO;
			}
		} else if (!S_ISDIR(st.st_mode) && !has_yaml_extension(entry->d_name)) {
			/* Not a document: never looked at. */
		} else if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && !link_inside(path, root, &target)) {
			struct kdr_loc loc = { path, 0, 0 };

			if (diags)
				kdr_diags_error(diags, &loc, NULL,
						"a symbolic link to '%s', outside the source directory; refused", target);
			kdr_error_set(KDR_EIO, "'%s': a symbolic link outside the source directory", path);
			rc = KDR_EIO;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = collect(files, path, &self, root, diags);

			if (sub)
				rc = sub;
		} else if (S_ISREG(st.st_mode)) {
			kdr_strvec_push(files, path);
		} else {
			/* A FIFO would block the read, a device never ends: not documents. */
			warning(diags, path, "not a regular file; skipped");
		}
		free(target);
		target = NULL;
		free(path);
	}
	closedir(d);
	return rc;
}

int kdr_spec_list_dir(struct kdr_strvec *out, const char *dir, struct kdr_diags *diags)
{
	struct stat st = { 0 };
	char *root = NULL;
	int io = 0;

	if (stat(dir, &st) != 0) {
		io_error(diags, dir, "cannot open directory", errno);
		return KDR_EIO;
	}
	/* A single file is a directory of one (kdr_spec_load_file refuses what is not a regular file). */
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode)) {
			not_regular(diags, dir);
			return KDR_EIO;
		}
		kdr_strvec_push(out, dir);
		return 0;
	}
	root = realpath(dir, NULL);
	if (!root) {
		io_error(diags, dir, "cannot open directory", errno);
		return KDR_EIO;
	}
	io = collect(out, dir, NULL, root, diags);
	free(root);
	/* Sorted by path so that the same tree always gives the same objects in the same order. */
	kdr_strvec_sort(out);
	return io;
}

int kdr_spec_load_dir(struct kdr_desired *into, const char *dir, struct kdr_diags *diags)
{
	struct kdr_strvec files = KDR_STRVEC_INIT;
	size_t errors = diags->errors;
	int io = kdr_spec_list_dir(&files, dir, diags);

	for (size_t i = 0; i < files.n; i++)
		if (kdr_spec_load_file(into, files.v[i], diags) == KDR_EIO)
			io = KDR_EIO;
	kdr_strvec_release(&files);
	if (io)
		return KDR_EIO;
	return diags->errors > errors ? KDR_EINVALID : 0;
}
