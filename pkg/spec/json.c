/*
 * Kubernetes objects (JSON) -> node trees. jansson's conventions (reference
 * counts, unordered iteration) stay here: keys are visited in sorted order so
 * diagnostics come out the same every time.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "spec/spec_internal.h"
#include "util/alloc.h"
#include "util/error.h"

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The shortest text that reads back as the same double, always with a '.' or an exponent. */
static char *format_real(double value)
{
	char text[64] = "";

	for (int precision = 1; precision <= 17; precision++) {
		snprintf(text, sizeof(text), "%.*g", precision, value);
		if (strtod(text, NULL) == value)
			break;
	}
	/* 2.0 stays a real: an integer field must not accept it as 2. */
	if (!strpbrk(text, ".eEn"))
		return kdr_asprintf("%s.0", text);
	return kdr_strdup(text);
}

static struct kdr_spec_node *scalar(enum kdr_spec_style style, char *text)
{
	struct kdr_spec_node *node = kdr_spec__node_new(KDR_SPEC_NODE_SCALAR, 0, 0);

	node->style = style;
	node->text = text;
	return node;
}

/* Converts `value`; *too_deep is set when nesting passes the limit (the subtree is dropped). */
static struct kdr_spec_node *convert(const json_t *value, unsigned depth, bool *too_deep)
{
	struct kdr_spec_node *node = NULL;

	switch (json_typeof(value)) {
	case JSON_STRING:
		return scalar(KDR_SPEC_STYLE_QUOTED, kdr_strndup(json_string_value(value), json_string_length(value)));
	case JSON_INTEGER:
		return scalar(KDR_SPEC_STYLE_NUMBER, kdr_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(value)));
	case JSON_REAL:
		return scalar(KDR_SPEC_STYLE_NUMBER, format_real(json_real_value(value)));
	case JSON_TRUE:
		return scalar(KDR_SPEC_STYLE_BOOL, kdr_strdup("true"));
	case JSON_FALSE:
		return scalar(KDR_SPEC_STYLE_BOOL, kdr_strdup("false"));
	case JSON_NULL:
		return scalar(KDR_SPEC_STYLE_NULL, kdr_strdup("null"));
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	}
	if (depth >= KDR_SPEC_MAX_DEPTH) {
		*too_deep = true;
		return scalar(KDR_SPEC_STYLE_INVALID, kdr_strdup(""));
	}
	if (json_is_array(value)) {
		node = kdr_spec__node_new(KDR_SPEC_NODE_SEQ, 0, 0);
		for (size_t i = 0; i < json_array_size(value); i++)
			kdr_spec__node_append(node, convert(json_array_get(value, i), depth + 1, too_deep));
		return node;
	}
	node = kdr_spec__node_new(KDR_SPEC_NODE_MAP, 0, 0);
	{
		size_t n = json_object_size(value), i = 0;
		const char **keys = kdr_calloc(n ? n : 1, sizeof(*keys));
		const char *key = NULL;
		json_t *member = NULL;

		json_object_foreach((json_t *)value, key, member)
			keys[i++] = key;
		qsort(keys, i, sizeof(*keys), compare_strings);
		for (size_t k = 0; k < i; k++) {
			kdr_spec__node_append(node, scalar(KDR_SPEC_STYLE_QUOTED, kdr_strdup(keys[k])));
			kdr_spec__node_append(node, convert(json_object_get(value, keys[k]), depth + 1, too_deep));
		}
		free(keys);
	}
	return node;
}

int kdr_spec_parse_json(struct kdr_desired *into, const char *label, const char *json, size_t len,
			struct kdr_diags *diags)
{
	size_t errors = diags->errors;
	struct kdr_loc loc = { label ? label : "(json)", 0, 0 };
	struct kdr_spec_node *root = NULL;
	json_error_t error = { 0 };
	json_t *value = NULL;
	bool too_deep = false;

	value = json_loadb(json ? json : "", json ? len : 0, JSON_REJECT_DUPLICATES, &error);
	if (!value) {
		/* jansson quotes the text "near" the error, which may be part of a secret: cut it. */
		char *near = strstr(error.text, " near '");

		if (near)
			*near = '\0';
		kdr_diags_error(diags, &loc, NULL, "invalid JSON: %s (line %d, column %d)", error.text, error.line,
				error.column);
		return KDR_EINVALID;
	}
	root = convert(value, 0, &too_deep);
	json_decref(value);
	if (too_deep)
		kdr_diags_error(diags, &loc, NULL, "found nesting deeper than %d levels", KDR_SPEC_MAX_DEPTH);
	else
		kdr_spec__decode_document(into, root, NULL, loc.file, diags);
	kdr_spec__node_free(root);
	return diags->errors > errors ? KDR_EINVALID : 0;
}
