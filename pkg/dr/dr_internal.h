#ifndef KDR_DR_DR_INTERNAL_H
#define KDR_DR_DR_INTERNAL_H

/* Shared between the files of pkg/dr only (not part of its API). */

#include <jansson.h>
#include <stddef.h>

/* One of a backup's JSON files, as its reader expects it. */
struct kdr_dr__backup_file {
	const char *name;        /* "groups.json" */
	const char *version_key; /* "kdrGroups": must be 1 */
	const char *key;         /* the member that holds the content: "groups" */
	json_type type;          /* the content's type: JSON_ARRAY, JSON_OBJECT */
	const char *shape;       /* a good file, for the message: "kdrGroups 1 with a groups list" */
};

/*
 * Parses `text` as `file`: *root gets the document (the caller's, to
 * json_decref) and *content its `key` member (borrowed from *root). Returns 0,
 * or KDR_EINVALID naming `label`: the syntax error at line:column, or that it
 * is not such a file (both NULL then).
 */
int kdr_dr__backup_file_load(json_t **root, json_t **content, const char *text, size_t len, const char *label,
			     const struct kdr_dr__backup_file *file);

#endif
