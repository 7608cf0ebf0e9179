/*
 * Editing a document's spec in YAML text, keeping everything else byte for
 * byte (comments, order, quoting): what `kdr failover --commit` and `kdr
 * failback` write back to a Git source. libyaml's events give the marks of
 * the keys and values; the edits are splices of the original text.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "spec/spec.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/sort.h"

/* One key of the spec mapping: where its key and value are (byte offsets). */
struct entry {
	char *key;
	size_t key_start;
	size_t value_start;
	size_t value_end;
	bool scalar;     /* the value is one scalar (not a collection, not an alias) */
	bool one_line;   /* it starts and ends on the same line */
};

struct spec_map {
	bool found;
	bool flow;          /* {a: 1, b: 2} */
	size_t map_start;   /* of the '{' (flow) */
	struct entry *v;
	size_t n;
};

struct walker {
	yaml_parser_t parser;
	const char *text;
	size_t len;
	/* Character index -> byte offset (libyaml counts characters). */
	size_t char_pos;
	size_t byte_pos;
	bool failed;
};

/* The byte offset of character index `index` (marks only move forward within one walk). */
static size_t byte_offset(struct walker *w, size_t index)
{
	if (index < w->char_pos) {
		w->char_pos = 0;
		w->byte_pos = 0;
	}
	while (w->char_pos < index && w->byte_pos < w->len) {
		w->byte_pos++;
		while (w->byte_pos < w->len && ((unsigned char)w->text[w->byte_pos] & 0xC0) == 0x80)
			w->byte_pos++;
		w->char_pos++;
	}
	return w->byte_pos;
}

static bool next_event(struct walker *w, yaml_event_t *event)
{
	if (!yaml_parser_parse(&w->parser, event)) {
		w->failed = true;
		kdr_error_set(KDR_EINVALID, "line %zu:%zu: %s", w->parser.problem_mark.line + 1,
			      w->parser.problem_mark.column + 1, w->parser.problem ? w->parser.problem : "not YAML");
		return false;
	}
	return true;
}

/* Skips the node that `first` starts; *end gets the end mark's byte offset. */
static bool skip_node(struct walker *w, yaml_event_t *first, size_t *end)
{
	int depth = 0;
	yaml_event_t event;

	if (first->type != YAML_SEQUENCE_START_EVENT && first->type != YAML_MAPPING_START_EVENT) {
		*end = byte_offset(w, first->end_mark.index);
		return true;
	}
	depth = 1;
	while (depth > 0) {
		if (!next_event(w, &event))
			return false;
		if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (depth == 0)
			*end = byte_offset(w, event.start_mark.index);
		yaml_event_delete(&event);
	}
	return true;
}

static void spec_release(struct spec_map *spec)
{
	for (size_t i = 0; i < spec->n; i++)
		free(spec->v[i].key);
	free(spec->v);
	memset(spec, 0, sizeof(*spec));
}

/* The entries of the spec mapping whose start event is `start`. */
static bool read_spec(struct walker *w, yaml_event_t *start, struct spec_map *spec)
{
	yaml_event_t key, value;

	spec_release(spec);
	spec->found = true;
	spec->flow = start->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
	spec->map_start = byte_offset(w, start->start_mark.index);
	for (;;) {
		struct entry *e = NULL;
		size_t end = 0;

		if (!next_event(w, &key))
			return false;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return true;
		}
		if (!next_event(w, &value)) {
			yaml_event_delete(&key);
			return false;
		}
		spec->v = kdr_realloc(spec->v, (spec->n + 1) * sizeof(*spec->v));
		e = &spec->v[spec->n++];
		memset(e, 0, sizeof(*e));
		e->key = kdr_strdup(key.type == YAML_SCALAR_EVENT ? (const char *)key.data.scalar.value : "");
		e->key_start = byte_offset(w, key.start_mark.index);
		e->value_start = byte_offset(w, value.start_mark.index);
		e->scalar = value.type == YAML_SCALAR_EVENT;
		e->one_line = e->scalar && value.start_mark.line == value.end_mark.line;
		if (!skip_node(w, &value, &end)) {
			yaml_event_delete(&key);
			yaml_event_delete(&value);
			return false;
		}
		e->value_end = end;
		yaml_event_delete(&key);
		yaml_event_delete(&value);
	}
}

/* A mapping's scalar value for the key just read, or skips it. */
static bool read_scalar(struct walker *w, char **out)
{
	yaml_event_t value;
	size_t end = 0;
	bool ok = true;

	if (!next_event(w, &value))
		return false;
	if (value.type == YAML_SCALAR_EVENT) {
		free(*out);
		*out = kdr_strdup((const char *)value.data.scalar.value);
	} else {
		ok = skip_node(w, &value, &end);
	}
	yaml_event_delete(&value);
	return ok;
}

/* Skips the value of the key just read. */
static bool skip_value(struct walker *w)
{
	yaml_event_t value;
	size_t end = 0;
	bool ok = false;

	if (!next_event(w, &value))
		return false;
	ok = skip_node(w, &value, &end);
	yaml_event_delete(&value);
	return ok;
}

/* Reads the value of scalar key `key` of a mapping (or skips it); false on a parse error. */
typedef bool (*read_value_fn)(struct walker *w, const char *key, void *ctx);

/*
 * Reads the next node as a mapping, `value` reading each scalar key's value
 * (the values of other keys are skipped); a node that is not a mapping is
 * skipped. False on a parse error.
 */
static bool read_mapping(struct walker *w, read_value_fn value, void *ctx)
{
	yaml_event_t event;
	size_t end = 0;
	bool ok = true;

	if (!next_event(w, &event))
		return false;
	if (event.type != YAML_MAPPING_START_EVENT) {
		ok = skip_node(w, &event, &end);
		yaml_event_delete(&event);
		return ok;
	}
	yaml_event_delete(&event);
	for (;;) {
		char *key = NULL;

		if (!next_event(w, &event))
			return false;
		if (event.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&event);
			return true;
		}
		if (event.type == YAML_SCALAR_EVENT)
			key = kdr_strdup((const char *)event.data.scalar.value);
		else
			ok = skip_node(w, &event, &end);
		yaml_event_delete(&event);
		if (ok)
			ok = key ? value(w, key, ctx) : skip_value(w);
		free(key);
		if (!ok)
			return false;
	}
}

/* metadata: {name: ...}; `ctx` is the name (char **). */
static bool read_metadata_value(struct walker *w, const char *key, void *ctx)
{
	return strcmp(key, "name") == 0 ? read_scalar(w, ctx) : skip_value(w);
}

/* What read_document reads of a document. */
struct document {
	char **kind;
	char **name;
	struct spec_map *spec;
};

/* The top-level entries: kind, metadata (its name), spec (a mapping; anything else is skipped). */
static bool read_document_value(struct walker *w, const char *key, void *ctx)
{
	struct document *doc = ctx;
	yaml_event_t value;
	size_t end = 0;
	bool ok = false;

	if (strcmp(key, "kind") == 0)
		return read_scalar(w, doc->kind);
	if (strcmp(key, "metadata") == 0)
		return read_mapping(w, read_metadata_value, doc->name);
	if (strcmp(key, "spec") != 0)
		return skip_value(w);
	if (!next_event(w, &value))
		return false;
	ok = value.type == YAML_MAPPING_START_EVENT ? read_spec(w, &value, doc->spec) : skip_node(w, &value, &end);
	yaml_event_delete(&value);
	return ok;
}

/*
 * One document's top-level mapping: its kind, metadata.name and spec. Returns
 * false on a parse error; a document that is not a mapping leaves all unset.
 */
static bool read_document(struct walker *w, char **kind, char **name, struct spec_map *spec)
{
	struct document doc = { kind, name, spec };

	return read_mapping(w, read_document_value, &doc);
}

/* Finds the spec of document (kind, name); KDR_ENOTFOUND when no document is that object. */
static int find_spec(struct spec_map *out, const char *text, size_t len, const char *kind, const char *name)
{
	struct walker w;
	yaml_event_t event;
	int rc = KDR_ENOTFOUND;

	memset(&w, 0, sizeof(w));
	w.text = text;
	w.len = len;
	if (!yaml_parser_initialize(&w.parser))
		return kdr_error_set(KDR_EINVALID, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&w.parser, (const unsigned char *)text, len);
	for (;;) {
		char *doc_kind = NULL, *doc_name = NULL;
		struct spec_map spec;

		memset(&spec, 0, sizeof(spec));
		if (!next_event(&w, &event)) {
			rc = KDR_EINVALID;
			break;
		}
		if (event.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&event);
			break;
		}
		if (event.type != YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&event);
			continue;
		}
		yaml_event_delete(&event);
		if (!read_document(&w, &doc_kind, &doc_name, &spec)) {
			free(doc_kind);
			free(doc_name);
			spec_release(&spec);
			rc = KDR_EINVALID;
			break;
		}
		if (rc == KDR_ENOTFOUND && doc_kind && doc_name && strcmp(doc_kind, kind) == 0 &&
		    strcmp(doc_name, name) == 0) {
			if (!spec.found) {
				rc = kdr_error_set(KDR_EINVALID, "%s '%s' has no spec mapping to edit", kind, name);
			} else {
				*out = spec;
				memset(&spec, 0, sizeof(spec));
				rc = 0;
			}
		}
		free(doc_kind);
		free(doc_name);
		spec_release(&spec);
		if (rc != KDR_ENOTFOUND)
			break;
	}
	yaml_parser_delete(&w.parser);
	if (rc == KDR_ENOTFOUND)
		kdr_error_set(KDR_ENOTFOUND, "no %s '%s' in the document", kind, name);
	return rc;
}

struct splice {
	size_t start;
	size_t end;
	char *text;
};

static int compare_splices(const void *pa, const void *pb)
{
	const struct splice *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

static size_t line_start(const char *text, size_t pos)
{
	while (pos > 0 && text[pos - 1] != '\n')
		pos--;
	return pos;
}

/* Only blanks between the start of its line and `pos`. */
static bool starts_line(const char *text, size_t pos)
{
	for (size_t i = line_start(text, pos); i < pos; i++)
		if (text[i] != ' ' && text[i] != '\t')
			return false;
	return true;
}

/* After `pos`: blanks, maybe a comment, then the end of the line; the offset past the '\n' (or len). */
static bool ends_line(const char *text, size_t len, size_t pos, size_t *next)
{
	while (pos < len && (text[pos] == ' ' || text[pos] == '\t'))
		pos++;
	if (pos < len && text[pos] == '#')
		while (pos < len && text[pos] != '\n')
			pos++;
	if (pos < len && text[pos] == '\r')
		pos++;
	if (pos < len && text[pos] != '\n')
		return false;
	*next = pos < len ? pos + 1 : pos;
	return true;
}

static void add_splice(struct splice **v, size_t *n, size_t start, size_t end, char *text_take)
{
	*v = kdr_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].start = start;
	(*v)[*n].end = end;
	(*v)[*n].text = text_take;
	(*n)++;
}

static const struct entry *spec_entry(const struct spec_map *spec, const char *key)
{
	for (size_t i = 0; i < spec->n; i++)
		if (strcmp(spec->v[i].key, key) == 0)
			return &spec->v[i];
	return NULL;
}

/* The splice of one edit; false with kdr_error_set when this form cannot be edited. */
static bool plan_edit(struct splice **v, size_t *n, const char *text, size_t len, const struct spec_map *spec,
		      const struct kdr_spec_edit *edit)
{
	const struct entry *e = spec_entry(spec, edit->key);
	size_t next = 0;

	if (e && !e->one_line) {
		kdr_error_set(KDR_EINVALID, "spec.%s: its value is not a one-line scalar; edit it by hand", edit->key);
		return false;
	}
	if (e && edit->value) {
		size_t old_len = e->value_end - e->value_start;

		if (old_len != strlen(edit->value) || memcmp(text + e->value_start, edit->value, old_len) != 0)
			add_splice(v, n, e->value_start, e->value_end, kdr_strdup(edit->value));
		return true;
	}
	if (e && !spec->flow) {
		if (!starts_line(text, e->key_start) || !ends_line(text, len, e->value_end, &next)) {
			kdr_error_set(KDR_EINVALID, "spec.%s shares its line with other text; edit it by hand", edit->key);
			return false;
		}
		add_splice(v, n, line_start(text, e->key_start), next, kdr_strdup(""));
		return true;
	}
	if (e) {
		/* Flow style: the entry and the comma after it (or, for the last entry, the comma before it). */
		size_t start = e->key_start, end = e->value_end;

		while (end < len && (text[end] == ' ' || text[end] == '\t'))
			end++;
		if (end < len && text[end] == ',') {
			end++;
			while (end < len && text[end] == ' ')
				end++;
		} else {
			end = e->value_end;
			while (start > spec->map_start + 1 && (text[start - 1] == ' ' || text[start - 1] == '\t'))
				start--;
			if (start > spec->map_start + 1 && text[start - 1] == ',')
				start--;
		}
		add_splice(v, n, start, end, kdr_strdup(""));
		return true;
	}
	if (!edit->value)
		return true;
	if (spec->flow) {
		add_splice(v, n, spec->map_start + 1, spec->map_start + 1,
			   kdr_asprintf("%s: %s%s", edit->key, edit->value, spec->n ? ", " : ""));
		return true;
	}
	/* Block style: a new first line of the spec, at the indentation of its first key. */
	if (!spec->n || !starts_line(text, spec->v[0].key_start)) {
		kdr_error_set(KDR_EINVALID, "spec: no key on a line of its own to insert spec.%s before; edit it by hand",
			      edit->key);
		return false;
	}
	{
		size_t ls = line_start(text, spec->v[0].key_start);

		add_splice(v, n, ls, ls,
			   kdr_asprintf("%.*s%s: %s\n", (int)(spec->v[0].key_start - ls), text + ls, edit->key,
					edit->value));
	}
	return true;
}

int kdr_spec_edit_yaml(struct kdr_buf *out, bool *changed, const char *text, size_t len, const char *kind,
		       const char *name, const struct kdr_spec_edit *edits, size_t n_edits)
{
	struct spec_map spec;
	struct splice *splices = NULL;
	struct kdr_buf result = KDR_BUF_INIT;
	size_t n_splices = 0, pos = 0;
	int rc = 0;

	memset(&spec, 0, sizeof(spec));
	*changed = false;
	if ((rc = find_spec(&spec, text, len, kind, name)) != 0)
		goto cleanup;
	/* A check that the marks are where the keys are (a BOM or an encoding libyaml counts otherwise). */
	for (size_t i = 0; i < spec.n; i++) {
		const struct entry *e = &spec.v[i];
		size_t klen = strlen(e->key);

		if (e->key_start + klen > len ||
		    (memcmp(text + e->key_start, e->key, klen) != 0 && text[e->key_start] != '"' &&
		     text[e->key_start] != '\'')) {
			rc = kdr_error_set(KDR_EINVALID, "%s '%s': cannot locate spec.%s in the text", kind, name, e->key);
			goto cleanup;
		}
	}
	for (size_t i = 0; i < n_edits; i++)
		if (!plan_edit(&splices, &n_splices, text, len, &spec, &edits[i])) {
			rc = KDR_EINVALID;
			goto cleanup;
		}
	/* Stable: splices at one position apply in the order they were planned. */
	kdr_sort_stable(splices, n_splices, sizeof(*splices), compare_splices);
	for (size_t i = 0; i < n_splices; i++) {
		if (splices[i].start < pos) {
			rc = kdr_error_set(KDR_EINVALID, "%s '%s': overlapping edits", kind, name);
			goto cleanup;
		}
		kdr_buf_put(&result, text + pos, splices[i].start - pos);
		kdr_buf_puts(&result, splices[i].text);
		pos = splices[i].end;
	}
	kdr_buf_put(&result, text + pos, len - pos);
	kdr_buf_put(out, result.ptr, result.len);
	*changed = n_splices > 0;
cleanup:
	kdr_buf_release(&result);
	for (size_t i = 0; i < n_splices; i++)
		free(splices[i].text);
	free(splices);
	spec_release(&spec);
	return rc;
}
