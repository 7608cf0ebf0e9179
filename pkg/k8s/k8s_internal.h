#ifndef KDR_K8S_K8S_INTERNAL_H
#define KDR_K8S_K8S_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

#include "k8s/k8s.h"

/* Helpers shared by pkg/k8s's files (kdr_k8s__ prefix: not part of the module's surface). */

/* Reads a file of at most 16 MiB into a NUL-terminated heap string; `len` may be NULL. */
int kdr_k8s__read_file(char **out, size_t *len, const char *path);

/* Parses one YAML document whose root is a map into jansson (every scalar a string). */
int kdr_k8s__parse_yaml(json_t **out, const char *label, const char *data, size_t len);

/*
 * Standard base64 (with or without padding, whitespace ignored) -> heap
 * bytes with a NUL after them, `*len` their count; NULL when malformed.
 */
unsigned char *kdr_k8s__base64_decode(const char *text, size_t *len);

/* The kdr code for an API answer with `http_status` and Status `reason` (may be NULL). */
int kdr_k8s__status_code(long http_status, const char *reason);

/*
 * GETs every page of collection `path` (limit 500, continue tokens) into a
 * new JSON array `*items` (each item given the list's apiVersion and its
 * kind), `*rv` the list's resourceVersion (heap). `stop` (may be NULL) cuts
 * it short between pages. Returns 0 or the request's code.
 */
int kdr_k8s__list(json_t **items, char **rv, struct kdr_k8s_client *client, const char *path, atomic_int *stop);

/* `text` percent-encoded for a query value (heap). */
char *kdr_k8s__query_escape(const char *text);

/* "ns/name" of an object's metadata (heap), "name" when it has no namespace. */
char *kdr_k8s__object_key(const json_t *object);

#endif
