#ifndef KDR_SPEC_SPEC_INTERNAL_H
#define KDR_SPEC_SPEC_INTERNAL_H

/*
 * Private to pkg/spec. YAML (libyaml events) and JSON (jansson values) are
 * both turned into one small node tree with source marks, and one decoder
 * walks that tree into the model, so the two forms accept exactly the same
 * documents and report problems the same way.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/diag.h"

enum kdr_spec_node_kind {
	KDR_SPEC_NODE_SCALAR,
	KDR_SPEC_NODE_SEQ,
	KDR_SPEC_NODE_MAP,
};

/* How a scalar was written: it decides what the scalar may stand for. */
enum kdr_spec_style {
	KDR_SPEC_STYLE_PLAIN,   /* YAML plain scalar: null, boolean, integer or string */
	KDR_SPEC_STYLE_QUOTED,  /* YAML quoted/block scalar (or !!str), JSON string: always a string */
	KDR_SPEC_STYLE_NUMBER,  /* JSON number (text as jansson formats it; reals contain '.' or 'e') */
	KDR_SPEC_STYLE_BOOL,    /* JSON true/false */
	KDR_SPEC_STYLE_NULL,    /* JSON null */
	KDR_SPEC_STYLE_INVALID, /* stands for something already reported (an alias): decoders skip it */
};

struct kdr_spec_node {
	enum kdr_spec_node_kind kind;
	enum kdr_spec_style style; /* scalars only */
	unsigned line;             /* 1-based; 0 for JSON */
	unsigned col;
	char *text; /* scalars: NUL-terminated value; never NULL for a scalar */
	/* SEQ: the items; MAP: key, value, key, value ... (keys are scalars) */
	struct kdr_spec_node **items;
	size_t n;
	size_t cap;
	/* A map key that repeats an earlier key of the same map points at that key. */
	const struct kdr_spec_node *first;
};

struct kdr_spec_node *kdr_spec__node_new(enum kdr_spec_node_kind kind, unsigned line, unsigned col);
/* Appends `item` (ownership moves to `parent`). */
void kdr_spec__node_append(struct kdr_spec_node *parent, struct kdr_spec_node *item);
/* Frees a node and everything under it; NULL is fine. Not recursive on the C stack. */
void kdr_spec__node_free(struct kdr_spec_node *node);
/* Marks the keys of a map that repeat an earlier key (sets `first`). */
void kdr_spec__node_mark_duplicates(struct kdr_spec_node *map);
/* Whether the scalar means null (YAML: empty, ~, null; JSON: null). */
bool kdr_spec__node_is_null(const struct kdr_spec_node *node);
/* The value of `key` in a map, or NULL (first occurrence; no diagnostics). */
const struct kdr_spec_node *kdr_spec__map_get(const struct kdr_spec_node *map, const char *key);

/* Nesting deeper than this is rejected (nothing in the schema goes past 8). */
#define KDR_SPEC_MAX_DEPTH 64

/*
 * One document being decoded. Diagnostics name `file` and the node's
 * line:col (YAML), or `ref` ("KIND/NAME" or the caller's label) for JSON.
 */
struct kdr_spec_ctx {
	struct kdr_diags *diags;
	const char *file;      /* YAML: the file label; NULL for JSON */
	const char *ref;       /* JSON: what diagnostics name */
	struct kdr_meta *meta; /* where positions are recorded */
	struct kdr_buf path;   /* the field path of the node being decoded */
};

/* Appends ".name" (or "name" at the top) / "[i]" to the path; returns the length to restore. */
size_t kdr_spec__path_push(struct kdr_spec_ctx *ctx, const char *name);
size_t kdr_spec__path_push_index(struct kdr_spec_ctx *ctx, size_t index);
void kdr_spec__path_pop(struct kdr_spec_ctx *ctx, size_t saved);

/* An error about `node` (its line:col) and the current path. */
void kdr_spec__error(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records the current path at `node` (and the key's position for collections). */
void kdr_spec__record(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *key, const struct kdr_spec_node *value);
/*
 * Starts an entry of a map whose keys are data (config names, topics, DCs):
 * pushes the key on the path, reports an empty or duplicate key and records
 * the entry. Returns false (path restored) when the entry must be skipped;
 * otherwise the caller pops *saved when done with the entry.
 */
bool kdr_spec__map_entry_begin(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *key,
			       const struct kdr_spec_node *value, size_t *saved);
/*
 * Describes what was found, for "found X, expected Y": "'six'", "the string
 * '6'", "a list", "a map", "null", or "a value" when the current path may
 * hold a credential (never quote a secret).
 */
void kdr_spec__describe(struct kdr_spec_ctx *ctx, struct kdr_buf *out, const struct kdr_spec_node *node);
/* Appends `text` quoted for a message: control characters escaped, long text shortened. */
void kdr_spec__quote(struct kdr_buf *out, const char *text);
/* "found X, expected <expected>" at node. */
void kdr_spec__error_expected(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *expected);

/*
 * Typed reads of one node at the current path. Each reports its own error
 * and returns false when the node is not what is expected (outputs untouched).
 */
bool kdr_spec__get_string(struct kdr_spec_ctx *ctx, char **out, const struct kdr_spec_node *node);
bool kdr_spec__get_int(struct kdr_spec_ctx *ctx, int64_t *out, const struct kdr_spec_node *node, int64_t min,
		       int64_t max);
bool kdr_spec__get_bool(struct kdr_spec_ctx *ctx, bool *out, const struct kdr_spec_node *node);
bool kdr_spec__get_duration(struct kdr_spec_ctx *ctx, int64_t *out, const struct kdr_spec_node *node,
			    bool allow_infinite);
/* One of `allowed` (reports found/allowed/did-you-mean); returns the index or -1. */
long kdr_spec__get_enum(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *const *allowed,
			size_t n);
/* Replaces `*out` with a list of strings. */
bool kdr_spec__get_strings(struct kdr_spec_ctx *ctx, struct kdr_strvec *out, const struct kdr_spec_node *node);
/* A map whose scalar values are kept as strings exactly as written. */
bool kdr_spec__get_config(struct kdr_spec_ctx *ctx, struct kdr_strmap *out, const struct kdr_spec_node *node);
/* A value that may be a secret reference: scalar or {valueFrom: {env|file|secretKeyRef}}. */
bool kdr_spec__get_value(struct kdr_spec_ctx *ctx, struct kdr_value *out, const struct kdr_spec_node *node);
/* Checks that `node` is a map; reports "found X, expected <expected>" if not. */
bool kdr_spec__expect_map(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *expected);
bool kdr_spec__expect_seq(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *expected);

/* Table-driven decoding of a map into a struct. */
enum kdr_spec_type {
	KDR_SPEC_STRING,  /* char * at offset (replaced) */
	KDR_SPEC_INT,     /* int64_t at offset */
	KDR_SPEC_BOOL,    /* bool at offset */
	KDR_SPEC_STRINGS, /* struct kdr_strvec at offset (replaced) */
	KDR_SPEC_CONFIG,  /* struct kdr_strmap at offset */
	KDR_SPEC_OBJECT,  /* a map decoded with `sub` into the same object */
	KDR_SPEC_IGNORE,  /* accepted and not read */
	KDR_SPEC_CUSTOM,  /* `decode` does it */
};

struct kdr_spec_field {
	const char *name;
	enum kdr_spec_type type;
	size_t offset;
	bool required;
	/* KDR_SPEC_CUSTOM: decodes a non-null value (path already pushed, position recorded) */
	void (*decode)(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj);
	const char *expected; /* KDR_SPEC_CUSTOM: what to expect, for "found null, expected ..." */
	const struct kdr_spec_field *sub; /* KDR_SPEC_OBJECT */
	size_t n_sub;
};

/*
 * Decodes map `node` with `fields` into `obj`, in document order: unknown
 * fields (with did-you-mean), duplicate keys, wrong types and missing
 * required fields are reported; null values count as absent. Returns false
 * when `node` is not a map.
 */
bool kdr_spec__decode_fields(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node,
			     const struct kdr_spec_field *fields, size_t n, void *obj);
/* Reports a duplicate key (the path must already name it). */
void kdr_spec__error_duplicate(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *key);

/* spec of an AccessPolicy (kinds_acl.c): `obj` is the struct kdr_access_policy. */
void kdr_spec__decode_access_policy(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj);

/*
 * Decodes one document root into `into`. `file` is the YAML file label
 * (NULL for JSON); `label` names a JSON object whose metadata is unusable.
 */
void kdr_spec__decode_document(struct kdr_desired *into, const struct kdr_spec_node *root, const char *file,
			       const char *label, struct kdr_diags *diags);

/*
 * The tree of the one document of YAML stream `data` (not decoded): `*out`
 * (kdr_spec__node_free) on 0; KDR_EINVALID with the problems in `diags`
 * (syntax, aliases, nesting, no document or more than one), `*out` NULL.
 */
int kdr_spec__parse_yaml_tree(struct kdr_spec_node **out, const char *file, const char *data, size_t len,
			      struct kdr_diags *diags);

/* Whether `text` is an integer as kdr reads one (decimal, optional '-', no leading zeros, int64); `*out` its value. */
bool kdr_spec__parse_integer(int64_t *out, const char *text);

#endif
