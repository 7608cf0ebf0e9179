/*
 * YAML streams -> node trees (libyaml events), one document at a time, each
 * decoded as soon as it ends. libyaml's conventions (1 on success, 0-based
 * marks, parser state to tear down) stay in this file.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "spec/spec.h"
#include "spec/spec_internal.h"
#include "util/alloc.h"
#include "util/error.h"

struct builder {
	struct kdr_desired *into;
	const char *file;
	unsigned line_base; /* lines before the segment being parsed */
	struct kdr_diags *diags;
	struct kdr_spec_node *root;
	struct kdr_spec_node **stack; /* open collections, root first */
	size_t depth;
	size_t cap;
	size_t skip;        /* > 0: inside a subtree nested too deep, counted but not built */
	bool deep_reported; /* the nesting error is reported once per document */
	bool abandon;	    /* stop parsing this segment: the rest of the document is not read */
	unsigned abandon_line; /* 0-based line (in the segment) where the document was abandoned */
	/* Set: the one document's tree is kept here (kdr_spec__parse_yaml_tree) instead of decoded. */
	struct kdr_spec_node **keep;
};

static void tree_error(struct builder *b, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void tree_error(struct builder *b, unsigned line, unsigned col, const char *fmt, ...)
{
	struct kdr_buf msg = KDR_BUF_INIT;
	struct kdr_loc loc = { b->file, line, col };
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	kdr_diags_error(b->diags, &loc, NULL, "%s", msg.ptr);
	kdr_buf_release(&msg);
}

static unsigned mark_line(const struct builder *b, const yaml_mark_t *mark)
{
	return b->line_base + (unsigned)mark->line + 1;
}

static unsigned mark_col(const yaml_mark_t *mark)
{
	return (unsigned)mark->column + 1;
}

/* Anchors and tags: reported; returns whether a scalar is forced to be a string (!!str). */
static bool check_properties(struct builder *b, const yaml_event_t *event, const yaml_char_t *anchor,
			     const yaml_char_t *tag, bool scalar)
{
	unsigned line = mark_line(b, &event->start_mark), col = mark_col(&event->start_mark);
	struct kdr_buf quoted = KDR_BUF_INIT;

	if (anchor) {
		kdr_spec__quote(&quoted, (const char *)anchor);
		tree_error(b, line, col, "found the anchor %s: anchors and aliases are not supported, "
			   "kdr documents must be explicit", quoted.ptr);
		kdr_buf_release(&quoted);
	}
	if (!tag)
		return false;
	if (scalar && strcmp((const char *)tag, YAML_STR_TAG) == 0)
		return true;
	/* As it was written: !!int, not tag:yaml.org,2002:int. */
	if (strncmp((const char *)tag, "tag:yaml.org,2002:", 18) == 0) {
		char *shorthand = kdr_asprintf("!!%s", (const char *)tag + 18);

		kdr_spec__quote(&quoted, shorthand);
		free(shorthand);
	} else {
		kdr_spec__quote(&quoted, (const char *)tag);
	}
	tree_error(b, line, col, "found the tag %s: YAML tags are not supported (except !!str), write the value plainly",
		   quoted.ptr);
	kdr_buf_release(&quoted);
	return false;
}

static void attach(struct builder *b, struct kdr_spec_node *node)
{
	struct kdr_spec_node *parent = NULL;

	if (b->depth == 0) {
		if (b->root)
			kdr_spec__node_free(b->root); /* cannot happen: one root per document */
		b->root = node;
		return;
	}
	parent = b->stack[b->depth - 1];
	if (parent->kind == KDR_SPEC_NODE_MAP && parent->n % 2 == 0 && node->kind != KDR_SPEC_NODE_SCALAR)
		tree_error(b, node->line, node->col, "found a %s as a map key, expected a string",
			   node->kind == KDR_SPEC_NODE_MAP ? "map" : "list");
	kdr_spec__node_append(parent, node);
}

static void on_scalar(struct builder *b, const yaml_event_t *event)
{
	struct kdr_spec_node *node = NULL;
	bool as_string = false;

	if (b->skip)
		return;
	as_string = check_properties(b, event, event->data.scalar.anchor, event->data.scalar.tag, true);
	node = kdr_spec__node_new(KDR_SPEC_NODE_SCALAR, mark_line(b, &event->start_mark), mark_col(&event->start_mark));
	node->text = kdr_strndup((const char *)event->data.scalar.value, event->data.scalar.length);
	if (as_string || event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		node->style = KDR_SPEC_STYLE_QUOTED;
	if (memchr(event->data.scalar.value, '\0', event->data.scalar.length)) {
		tree_error(b, node->line, node->col, "found a NUL character in a string");
		node->style = KDR_SPEC_STYLE_INVALID;
	}
	attach(b, node);
}

static void on_alias(struct builder *b, const yaml_event_t *event)
{
	struct kdr_spec_node *node = NULL;
	struct kdr_buf quoted = KDR_BUF_INIT;

	if (b->skip)
		return;
	node = kdr_spec__node_new(KDR_SPEC_NODE_SCALAR, mark_line(b, &event->start_mark), mark_col(&event->start_mark));
	node->text = kdr_strdup("");
	node->style = KDR_SPEC_STYLE_INVALID;
	kdr_spec__quote(&quoted, (const char *)event->data.alias.anchor);
	tree_error(b, node->line, node->col, "found the alias %s: anchors and aliases are not supported, "
		   "kdr documents must be explicit", quoted.ptr);
	kdr_buf_release(&quoted);
	attach(b, node);
}

static void on_collection_start(struct builder *b, const yaml_event_t *event, enum kdr_spec_node_kind kind)
{
	struct kdr_spec_node *node = NULL;
	const yaml_char_t *anchor = kind == KDR_SPEC_NODE_MAP ? event->data.mapping_start.anchor
							       : event->data.sequence_start.anchor;
	const yaml_char_t *tag = kind == KDR_SPEC_NODE_MAP ? event->data.mapping_start.tag
							    : event->data.sequence_start.tag;

	if (b->skip || b->depth >= KDR_SPEC_MAX_DEPTH) {
		if (!b->deep_reported)
			tree_error(b, mark_line(b, &event->start_mark), mark_col(&event->start_mark),
				   "found nesting deeper than %d levels", KDR_SPEC_MAX_DEPTH);
		b->deep_reported = true;
		/*
		 * Stop here, as at a syntax error: libyaml's scan of a deep flow
		 * collection is quadratic in its depth (200,000 '[' took over a
		 * minute), and nothing more of this document will be used.
		 */
		b->abandon = true;
		b->abandon_line = (unsigned)event->start_mark.line;
		return;
	}
	check_properties(b, event, anchor, tag, false);
	node = kdr_spec__node_new(kind, mark_line(b, &event->start_mark), mark_col(&event->start_mark));
	attach(b, node);
	b->stack = kdr_grow(b->stack, &b->cap, b->depth + 1, sizeof(*b->stack));
	b->stack[b->depth++] = node;
}

static void on_collection_end(struct builder *b)
{
	struct kdr_spec_node *node = NULL;

	if (b->skip) {
		b->skip--;
		return;
	}
	if (!b->depth)
		return;
	node = b->stack[--b->depth];
	if (node->kind == KDR_SPEC_NODE_MAP)
		kdr_spec__node_mark_duplicates(node);
}

static void reset_document(struct builder *b)
{
	kdr_spec__node_free(b->root);
	b->root = NULL;
	b->depth = 0;
	b->skip = 0;
	b->deep_reported = false;
}

static void on_document_end(struct builder *b)
{
	/* An empty document (`---` alone, or only comments) is skipped, as kubectl does. */
	if (b->root && !b->deep_reported && !kdr_spec__node_is_null(b->root)) {
		if (!b->keep)
			kdr_spec__decode_document(b->into, b->root, b->file, NULL, b->diags);
		else if (*b->keep)
			tree_error(b, b->root->line, b->root->col, "found a second document, expected one");
		else {
			*b->keep = b->root;
			b->root = NULL;
		}
	}
	reset_document(b);
}

/* Length of the line break at `pos` as libyaml counts them (\r\n, \r, \n, NEL, LS, PS), or 0. */
static size_t break_length(const char *data, size_t len, size_t pos)
{
	const unsigned char *p = (const unsigned char *)data + pos;
	size_t left = len - pos;

	if (left >= 2 && p[0] == '\r' && p[1] == '\n')
		return 2;
	if (p[0] == '\r' || p[0] == '\n')
		return 1;
	if (left >= 2 && p[0] == 0xC2 && p[1] == 0x85)
		return 2;
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
		return 3;
	return 0;
}

/* Offset just past the line break that ends the line containing `pos` (len when none). */
static size_t next_line(const char *data, size_t len, size_t pos)
{
	while (pos < len) {
		size_t n = break_length(data, len, pos);

		if (n)
			return pos + n;
		pos++;
	}
	return len;
}

/* Line (0-based) and column (1-based, in bytes) of byte `offset`. */
static void locate_offset(const char *data, size_t len, size_t offset, unsigned *line, unsigned *col)
{
	size_t start = 0;

	*line = 0;
	for (;;) {
		size_t next = next_line(data, len, start);

		if (next > offset || next >= len)
			break;
		start = next;
		(*line)++;
	}
	*col = (unsigned)(offset - start) + 1;
}

static bool is_document_marker(const char *data, size_t len, size_t pos)
{
	if (len - pos < 3 || memcmp(data + pos, "---", 3) != 0)
		return false;
	return len - pos == 3 || data[pos + 3] == ' ' || data[pos + 3] == '\t' || break_length(data, len, pos + 3);
}

/*
 * After a syntax error at line `line` (0-based, in this segment), the next
 * `---` at or after it where parsing can start again: the documents after a
 * broken one still get checked. Returns false when there is none.
 */
static bool find_resume(const char *data, size_t len, unsigned line, size_t *offset, unsigned *resume_line)
{
	size_t pos = 0;
	unsigned at = 0;

	/* At least one line on, so that every retry makes progress. */
	if (line < 1)
		line = 1;
	while (pos < len) {
		if (at >= line && is_document_marker(data, len, pos)) {
			*offset = pos;
			*resume_line = at;
			return true;
		}
		pos = next_line(data, len, pos);
		at++;
	}
	return false;
}

static void report_parser_error(struct builder *b, const yaml_parser_t *parser, const char *data, size_t len,
				unsigned *error_line)
{
	unsigned line = 0, col = 0;

	if (parser->error == YAML_MEMORY_ERROR)
		abort(); /* the project's policy on out-of-memory */
	if (parser->error == YAML_READER_ERROR) {
		locate_offset(data, len, parser->problem_offset < len ? parser->problem_offset : len, &line, &col);
		*error_line = line;
		if (parser->problem_value != -1)
			tree_error(b, b->line_base + line + 1, col, "invalid YAML: %s (byte 0x%02x)",
				   parser->problem ? parser->problem : "unreadable input",
				   (unsigned)parser->problem_value & 0xffu);
		else
			tree_error(b, b->line_base + line + 1, col, "invalid YAML: %s",
				   parser->problem ? parser->problem : "unreadable input");
		return;
	}
	*error_line = (unsigned)parser->problem_mark.line;
	if (parser->context)
		tree_error(b, mark_line(b, &parser->problem_mark), mark_col(&parser->problem_mark),
			   "invalid YAML: %s (%s at line %u, column %u)",
			   parser->problem ? parser->problem : "syntax error", parser->context,
			   mark_line(b, &parser->context_mark), mark_col(&parser->context_mark));
	else
		tree_error(b, mark_line(b, &parser->problem_mark), mark_col(&parser->problem_mark), "invalid YAML: %s",
			   parser->problem ? parser->problem : "syntax error");
}

/*
 * Parses one segment of the stream. Returns true with *resume set (relative
 * to `data`) when a syntax error left more documents to try.
 */
static bool parse_segment(struct builder *b, const char *data, size_t len, size_t *resume, unsigned *resume_line)
{
	yaml_parser_t parser = { 0 };
	yaml_event_t event = { 0 };
	bool done = false, again = false;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			unsigned error_line = 0;

			report_parser_error(b, &parser, data, len, &error_line);
			again = find_resume(data, len, error_line, resume, resume_line);
			break;
		}
		switch (event.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			reset_document(b);
			break;
		case YAML_DOCUMENT_END_EVENT:
			on_document_end(b);
			break;
		case YAML_SCALAR_EVENT:
			on_scalar(b, &event);
			break;
		case YAML_ALIAS_EVENT:
			on_alias(b, &event);
			break;
		case YAML_SEQUENCE_START_EVENT:
			on_collection_start(b, &event, KDR_SPEC_NODE_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			on_collection_start(b, &event, KDR_SPEC_NODE_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_collection_end(b);
			break;
		case YAML_STREAM_START_EVENT:
		case YAML_NO_EVENT:
			break;
		}
		yaml_event_delete(&event);
		if (b->abandon) {
			b->abandon = false;
			again = find_resume(data, len, b->abandon_line, resume, resume_line);
			break;
		}
	}
	/* A document cut short by a syntax error is not decoded: its tree is incomplete. */
	reset_document(b);
	yaml_parser_delete(&parser);
	return again;
}

/* Parses the stream: each document decoded into `into`, or with `keep` the one document's tree kept. */
static int parse_stream(struct kdr_desired *into, struct kdr_spec_node **keep, const char *file, const char *data,
			size_t len, struct kdr_diags *diags)
{
	struct builder b = { 0 };
	size_t errors = diags->errors;
	size_t offset = 0;

	if (!data)
		data = "";
	b.into = into;
	b.keep = keep;
	b.file = file ? file : "<input>";
	b.diags = diags;
	for (;;) {
		size_t resume = 0;
		unsigned resume_line = 0;

		if (!parse_segment(&b, data + offset, len - offset, &resume, &resume_line))
			break;
		offset += resume;
		b.line_base += resume_line;
	}
	free(b.stack);
	return diags->errors > errors ? KDR_EINVALID : 0;
}

int kdr_spec_parse_yaml(struct kdr_desired *into, const char *file, const char *data, size_t len,
			struct kdr_diags *diags)
{
	return parse_stream(into, NULL, file, data, len, diags);
}

int kdr_spec__parse_yaml_tree(struct kdr_spec_node **out, const char *file, const char *data, size_t len,
			      struct kdr_diags *diags)
{
	struct kdr_spec_node *root = NULL;
	int rc = parse_stream(NULL, &root, file, data, len, diags);

	if (rc == 0 && !root) {
		struct kdr_loc loc = { file ? file : "<input>", 0, 0 };

		kdr_diags_error(diags, &loc, NULL, "found no document, expected one");
		rc = KDR_EINVALID;
	}
	if (rc != 0) {
		kdr_spec__node_free(root);
		root = NULL;
	}
	*out = root;
	return rc;
}
