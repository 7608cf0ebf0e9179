/*
 * A YAML document as the JSON text of the same object, for a source that
 * stores objects rather than files (Kubernetes: kdr failback's reverse flow
 * created as a custom resource). Scalars are typed the way the decoder
 * reads them, so the object means what the document means to kdr.
 */
#include <inttypes.h>
#include <string.h>

#include "spec/spec.h"
#include "spec/spec_internal.h"
#include "util/error.h"

/* A plain scalar: null, true/false, a decimal integer (kdr's rules), else a string. */
static void put_scalar(struct kdr_buf *out, const struct kdr_spec_node *node)
{
	int64_t value = 0;

	if (kdr_spec__node_is_null(node))
		kdr_buf_puts(out, "null");
	else if (node->style == KDR_SPEC_STYLE_PLAIN && (strcmp(node->text, "true") == 0 || strcmp(node->text, "false") == 0))
		kdr_buf_puts(out, node->text);
	else if (node->style == KDR_SPEC_STYLE_PLAIN && kdr_spec__parse_integer(&value, node->text))
		kdr_buf_printf(out, "%" PRId64, value);
	else
		kdr_buf_put_json_string(out, node->text);
}

/* Appends `node` as JSON; returns 0 or KDR_EINVALID (message set) on a repeated key. */
static int put_node(struct kdr_buf *out, const struct kdr_spec_node *node, const char *label)
{
	int rc = 0;

	switch (node->kind) {
	case KDR_SPEC_NODE_SCALAR:
		put_scalar(out, node);
		return 0;
	case KDR_SPEC_NODE_SEQ:
		kdr_buf_putc(out, '[');
		for (size_t i = 0; i < node->n && rc == 0; i++) {
			if (i)
				kdr_buf_putc(out, ',');
			rc = put_node(out, node->items[i], label);
		}
		kdr_buf_putc(out, ']');
		return rc;
	case KDR_SPEC_NODE_MAP:
		kdr_buf_putc(out, '{');
		for (size_t i = 0; i + 1 < node->n && rc == 0; i += 2) {
			const struct kdr_spec_node *key = node->items[i];

			if (key->first)
				return kdr_error_set(KDR_EINVALID, "%s:%u:%u: the key '%s' repeats an earlier one", label,
						     key->line, key->col, key->text);
			if (i)
				kdr_buf_putc(out, ',');
			kdr_buf_put_json_string(out, key->text);
			kdr_buf_putc(out, ':');
			rc = put_node(out, node->items[i + 1], label);
		}
		kdr_buf_putc(out, '}');
		return rc;
	}
	return 0;
}

int kdr_spec_yaml_to_json(struct kdr_buf *out, const char *label, const char *data, size_t len)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct kdr_spec_node *root = NULL;
	struct kdr_buf json = KDR_BUF_INIT;
	int rc = kdr_spec__parse_yaml_tree(&root, label, data, len, &diags);

	if (rc != 0) {
		rc = kdr_error_set(KDR_EINVALID, "%s: %s", diags.v[0].where, diags.v[0].message);
	} else if (root->kind != KDR_SPEC_NODE_MAP) {
		rc = kdr_error_set(KDR_EINVALID, "%s:%u:%u: found a %s, expected a map", label, root->line, root->col,
				   root->kind == KDR_SPEC_NODE_SEQ ? "list" : "scalar");
	} else if ((rc = put_node(&json, root, label)) == 0) {
		kdr_buf_put(out, json.ptr, json.len);
	}
	kdr_buf_release(&json);
	kdr_spec__node_free(root);
	kdr_diags_release(&diags);
	return rc;
}
