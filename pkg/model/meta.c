#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"

void kdr_meta_add_position(struct kdr_meta *meta, const char *path, unsigned line, unsigned col)
{
	struct kdr_srcpos *pos;

	meta->positions = kdr_grow(meta->positions, &meta->cap_positions, meta->n_positions + 1,
				   sizeof(*meta->positions));
	pos = &meta->positions[meta->n_positions++];
	pos->path = kdr_strdup(path);
	pos->line = line;
	pos->col = col;
}

static const struct kdr_srcpos *find_position(const struct kdr_meta *meta, const char *path, size_t len)
{
	for (size_t i = 0; i < meta->n_positions; i++) {
		const struct kdr_srcpos *pos = &meta->positions[i];

		if (strlen(pos->path) == len && strncmp(pos->path, path, len) == 0)
			return pos;
	}
	return NULL;
}

/* Length of the parent path: "a.b[2]" -> "a.b", "a.b" -> "a", "a" -> 0. */
static size_t parent_length(const char *path, size_t len)
{
	while (len > 0) {
		len--;
		if (path[len] == '.' || path[len] == '[')
			return len;
	}
	return 0;
}

void kdr_meta_locate(struct kdr_loc *out, const struct kdr_meta *meta, const char *path)
{
	size_t len = path ? strlen(path) : 0;

	if (!meta->file) {
		out->file = meta->object_ref;
		out->line = 0;
		out->col = 0;
		return;
	}
	out->file = meta->file;
	while (len > 0) {
		const struct kdr_srcpos *pos = find_position(meta, path, len);

		if (pos) {
			out->line = pos->line;
			out->col = pos->col;
			return;
		}
		len = parent_length(path, len);
	}
	out->line = meta->line;
	out->col = meta->col;
}

void kdr_meta_release(struct kdr_meta *meta)
{
	free(meta->name);
	free(meta->file);
	free(meta->object_ref);
	free(meta->revision);
	free(meta->namespace);
	for (size_t i = 0; i < meta->n_positions; i++)
		free(meta->positions[i].path);
	free(meta->positions);
	memset(meta, 0, sizeof(*meta));
}
