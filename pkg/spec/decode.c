/*
 * The generic decoder: typed reads of tree nodes with the field path, what
 * was found and what is allowed in every diagnostic.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_internal.h"
#include "util/alloc.h"
#include "util/units.h"

/* Longest excerpt of a found value quoted in a message. */
#define QUOTE_MAX 64
/* Most fields a table may have (did-you-mean candidates live on the stack). */
#define MAX_FIELDS 32

size_t kdr_spec__path_push(struct kdr_spec_ctx *ctx, const char *name)
{
	size_t saved = ctx->path.len;

	if (ctx->path.len)
		kdr_buf_putc(&ctx->path, '.');
	kdr_buf_puts(&ctx->path, name);
	return saved;
}

size_t kdr_spec__path_push_index(struct kdr_spec_ctx *ctx, size_t index)
{
	size_t saved = ctx->path.len;

	kdr_buf_printf(&ctx->path, "[%zu]", index);
	return saved;
}

void kdr_spec__path_pop(struct kdr_spec_ctx *ctx, size_t saved)
{
	kdr_buf_truncate(&ctx->path, saved);
}

void kdr_spec__error(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *fmt, ...)
{
	struct kdr_buf msg = KDR_BUF_INIT;
	struct kdr_loc loc = { NULL, 0, 0 };
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (ctx->file) {
		loc.file = ctx->file;
		loc.line = node ? node->line : 0;
		loc.col = node ? node->col : 0;
	} else {
		loc.file = ctx->ref;
	}
	kdr_diags_error(ctx->diags, &loc, ctx->path.len ? ctx->path.ptr : NULL, "%s", msg.ptr);
	kdr_buf_release(&msg);
}

void kdr_spec__record(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *key, const struct kdr_spec_node *value)
{
	/*
	 * A scalar is located at its value (that is what a rule about it points
	 * at); a block map or list at its key, the line that names it.
	 */
	const struct kdr_spec_node *at = (!key || value->kind == KDR_SPEC_NODE_SCALAR) ? value : key;

	if (ctx->meta)
		kdr_meta_add_position(ctx->meta, ctx->path.ptr, at->line, at->col);
}

void kdr_spec__quote(struct kdr_buf *out, const char *text)
{
	size_t i = 0;

	kdr_buf_putc(out, '\'');
	for (; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];

		/* Cut at a character boundary, never inside a UTF-8 sequence. */
		if (i >= QUOTE_MAX && (c & 0xC0) != 0x80)
			break;
		if (c == '\n')
			kdr_buf_puts(out, "\\n");
		else if (c == '\t')
			kdr_buf_puts(out, "\\t");
		else if (c == '\r')
			kdr_buf_puts(out, "\\r");
		else if (c < 0x20 || c == 0x7f)
			kdr_buf_printf(out, "\\x%02x", c);
		else
			kdr_buf_putc(out, (char)c);
	}
	if (text[i])
		kdr_buf_puts(out, "...");
	kdr_buf_putc(out, '\'');
}

/* Whether the value at the current path may be a credential that must not be quoted. */
static bool path_is_sensitive(const struct kdr_spec_ctx *ctx)
{
	const char *path = ctx->path.ptr;

	/* Whole subtrees that hold credentials, and any field whose name says it is one. */
	return strncmp(path, "spec.clientConfig", 17) == 0 || strncmp(path, "spec.connectorConfig", 20) == 0 ||
	       strncmp(path, "spec.connect.auth", 17) == 0 || kdr_config_key_is_sensitive(path);
}

void kdr_spec__describe(struct kdr_spec_ctx *ctx, struct kdr_buf *out, const struct kdr_spec_node *node)
{
	if (node->kind == KDR_SPEC_NODE_SEQ) {
		kdr_buf_puts(out, "a list");
	} else if (node->kind == KDR_SPEC_NODE_MAP) {
		kdr_buf_puts(out, "a map");
	} else if (kdr_spec__node_is_null(node)) {
		kdr_buf_puts(out, node->text[0] || node->style == KDR_SPEC_STYLE_NULL ? "null" : "an empty value");
	} else if (path_is_sensitive(ctx)) {
		kdr_buf_puts(out, "a value");
	} else {
		if (node->style == KDR_SPEC_STYLE_QUOTED)
			kdr_buf_puts(out, "the string ");
		kdr_spec__quote(out, node->text);
	}
}

void kdr_spec__error_expected(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *expected)
{
	struct kdr_buf found = KDR_BUF_INIT;

	kdr_spec__describe(ctx, &found, node);
	kdr_spec__error(ctx, node, "found %s, expected %s", found.ptr, expected);
	kdr_buf_release(&found);
}

void kdr_spec__error_duplicate(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *key)
{
	if (ctx->file)
		kdr_spec__error(ctx, key, "duplicate key (first at line %u, column %u)", key->first->line,
				key->first->col);
	else
		kdr_spec__error(ctx, key, "duplicate key");
}

static bool is_scalar_value(const struct kdr_spec_node *node)
{
	return node->kind == KDR_SPEC_NODE_SCALAR && node->style != KDR_SPEC_STYLE_INVALID &&
	       !kdr_spec__node_is_null(node);
}

/* Whether `node` is of `kind`; if not, reports `expected` (an invalid scalar has been reported already). */
static bool expect_kind(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, enum kdr_spec_node_kind kind,
			const char *expected)
{
	if (node->kind == kind)
		return true;
	if (node->style != KDR_SPEC_STYLE_INVALID || node->kind != KDR_SPEC_NODE_SCALAR)
		kdr_spec__error_expected(ctx, node, expected);
	return false;
}

bool kdr_spec__expect_map(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *expected)
{
	return expect_kind(ctx, node, KDR_SPEC_NODE_MAP, expected);
}

bool kdr_spec__expect_seq(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *expected)
{
	return expect_kind(ctx, node, KDR_SPEC_NODE_SEQ, expected);
}

bool kdr_spec__get_string(struct kdr_spec_ctx *ctx, char **out, const struct kdr_spec_node *node)
{
	if (node->kind == KDR_SPEC_NODE_SCALAR && node->style == KDR_SPEC_STYLE_INVALID)
		return false;
	if (!is_scalar_value(node)) {
		kdr_spec__error_expected(ctx, node, "a string");
		return false;
	}
	*out = kdr_strdup(node->text);
	return true;
}

enum int_result {
	INT_OK,
	INT_SYNTAX,
	INT_LEADING_ZERO,
	INT_RANGE,
};

/* An optionally negative decimal integer: no '+', no leading zeros, no YAML 1.1 octal/hex/underscores. */
static enum int_result parse_int(int64_t *out, const char *text)
{
	const char *p = text;
	bool negative = false;
	uint64_t magnitude = 0;
	uint64_t limit = (uint64_t)INT64_MAX;

	if (*p == '-') {
		negative = true;
		limit = (uint64_t)INT64_MAX + 1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return INT_SYNTAX;
	if (p[strspn(p, "0123456789")] != '\0')
		return INT_SYNTAX;
	if (p[0] == '0' && p[1] != '\0')
		return INT_LEADING_ZERO;
	for (; *p; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (magnitude > (limit - digit) / 10)
			return INT_RANGE;
		magnitude = magnitude * 10 + digit;
	}
	if (negative)
		*out = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
	else
		*out = (int64_t)magnitude;
	return INT_OK;
}

bool kdr_spec__parse_integer(int64_t *out, const char *text)
{
	return parse_int(out, text) == INT_OK;
}

bool kdr_spec__get_int(struct kdr_spec_ctx *ctx, int64_t *out, const struct kdr_spec_node *node, int64_t min,
		       int64_t max)
{
	struct kdr_buf expected = KDR_BUF_INIT;
	int64_t value = 0;
	enum int_result result = INT_SYNTAX;
	bool ok = false;

	if (node->kind == KDR_SPEC_NODE_SCALAR && node->style == KDR_SPEC_STYLE_INVALID)
		return false;
	/* A quoted "6" is a string, as Kubernetes sees it too: integers are written bare. */
	if (is_scalar_value(node) && (node->style == KDR_SPEC_STYLE_PLAIN || node->style == KDR_SPEC_STYLE_NUMBER))
		result = parse_int(&value, node->text);
	if (result == INT_OK && (value < min || value > max))
		result = INT_RANGE;
	switch (result) {
	case INT_OK:
		*out = value;
		ok = true;
		break;
	case INT_SYNTAX:
		kdr_spec__error_expected(ctx, node, "an integer");
		break;
	case INT_LEADING_ZERO:
		kdr_spec__error_expected(ctx, node, "an integer without leading zeros");
		break;
	case INT_RANGE:
		kdr_buf_printf(&expected, "an integer from %" PRId64 " to %" PRId64, min, max);
		kdr_spec__error_expected(ctx, node, expected.ptr);
		break;
	}
	kdr_buf_release(&expected);
	return ok;
}

bool kdr_spec__get_bool(struct kdr_spec_ctx *ctx, bool *out, const struct kdr_spec_node *node)
{
	if (node->kind == KDR_SPEC_NODE_SCALAR && node->style == KDR_SPEC_STYLE_INVALID)
		return false;
	/* Only true/false: YAML 1.1's yes/no/on/off are exactly the surprises kdr avoids. */
	if (node->kind == KDR_SPEC_NODE_SCALAR &&
	    (node->style == KDR_SPEC_STYLE_PLAIN || node->style == KDR_SPEC_STYLE_BOOL)) {
		if (strcmp(node->text, "true") == 0) {
			*out = true;
			return true;
		}
		if (strcmp(node->text, "false") == 0) {
			*out = false;
			return true;
		}
	}
	kdr_spec__error_expected(ctx, node, "true or false");
	return false;
}

/* Whether text has the shape of a duration (so a failure to parse it means out of range). */
static bool looks_like_duration(const char *text)
{
	static const char *const units[] = { "", "ms", "s", "m", "h", "d" };
	size_t digits = strspn(text, "0123456789");

	if (!digits)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(text + digits, units[i]) == 0)
			return true;
	return false;
}

bool kdr_spec__get_duration(struct kdr_spec_ctx *ctx, int64_t *out, const struct kdr_spec_node *node,
			    bool allow_infinite)
{
	int64_t value = 0;

	if (node->kind == KDR_SPEC_NODE_SCALAR && node->style == KDR_SPEC_STYLE_INVALID)
		return false;
	if (is_scalar_value(node) && node->style != KDR_SPEC_STYLE_BOOL &&
	    kdr_parse_duration_ms(&value, node->text, allow_infinite) == 0) {
		*out = value;
		return true;
	}
	if (is_scalar_value(node) && looks_like_duration(node->text))
		kdr_spec__error_expected(ctx, node, "a duration of at most 9223372036854775807 ms");
	else if (allow_infinite)
		kdr_spec__error_expected(ctx, node,
					 "a duration: digits with a unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), "
					 "plain digits for milliseconds, or -1 for infinite");
	else
		kdr_spec__error_expected(ctx, node,
					 "a duration: digits with a unit ms, s, m, h or d (e.g. 500ms, 30s, 12h, 7d), "
					 "or plain digits for milliseconds");
	return false;
}

/* "a, b, c" */
static void put_list(struct kdr_buf *out, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			kdr_buf_puts(out, ", ");
		kdr_buf_puts(out, names[i]);
	}
}

long kdr_spec__get_enum(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node, const char *const *allowed,
			size_t n)
{
	struct kdr_buf msg = KDR_BUF_INIT;
	const char *guess = NULL;

	if (node->kind == KDR_SPEC_NODE_SCALAR && node->style == KDR_SPEC_STYLE_INVALID)
		return -1;
	if (is_scalar_value(node)) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(node->text, allowed[i]) == 0)
				return (long)i;
		guess = kdr_did_you_mean(node->text, allowed, n);
	}
	kdr_buf_puts(&msg, "found ");
	kdr_spec__describe(ctx, &msg, node);
	kdr_buf_puts(&msg, ", allowed: ");
	put_list(&msg, allowed, n);
	if (guess)
		kdr_buf_printf(&msg, " (did you mean '%s'?)", guess);
	kdr_spec__error(ctx, node, "%s", msg.ptr);
	kdr_buf_release(&msg);
	return -1;
}

bool kdr_spec__get_strings(struct kdr_spec_ctx *ctx, struct kdr_strvec *out, const struct kdr_spec_node *node)
{
	bool ok = true;

	if (!kdr_spec__expect_seq(ctx, node, "a list of strings"))
		return false;
	kdr_strvec_release(out);
	for (size_t i = 0; i < node->n; i++) {
		size_t saved = kdr_spec__path_push_index(ctx, i);
		char *s = NULL;

		kdr_spec__record(ctx, NULL, node->items[i]);
		if (kdr_spec__get_string(ctx, &s, node->items[i]))
			kdr_strvec_push_take(out, s);
		else
			ok = false;
		kdr_spec__path_pop(ctx, saved);
	}
	return ok;
}

bool kdr_spec__map_entry_begin(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *key,
				const struct kdr_spec_node *value, size_t *saved)
{
	if (key->kind != KDR_SPEC_NODE_SCALAR || key->style == KDR_SPEC_STYLE_INVALID)
		return false; /* reported when the tree was built */
	if (key->text[0] == '\0') {
		kdr_spec__error(ctx, key, "found an empty key");
		return false;
	}
	*saved = kdr_spec__path_push(ctx, key->text);
	if (key->first) {
		kdr_spec__error_duplicate(ctx, key);
		kdr_spec__path_pop(ctx, *saved);
		return false;
	}
	kdr_spec__record(ctx, key, value);
	return true;
}

bool kdr_spec__get_config(struct kdr_spec_ctx *ctx, struct kdr_strmap *out, const struct kdr_spec_node *node)
{
	bool ok = true;

	if (!kdr_spec__expect_map(ctx, node, "a map of strings"))
		return false;
	for (size_t i = 0; i + 1 < node->n; i += 2) {
		const struct kdr_spec_node *key = node->items[i], *value = node->items[i + 1];
		size_t saved = 0;

		if (!kdr_spec__map_entry_begin(ctx, key, value, &saved)) {
			ok = false;
			continue;
		}
		/* Kafka configs are strings on the wire: `2` and "2" both mean "2". */
		if (is_scalar_value(value)) {
			kdr_strmap_set(out, key->text, value->text);
		} else {
			if (value->style != KDR_SPEC_STYLE_INVALID || value->kind != KDR_SPEC_NODE_SCALAR)
				kdr_spec__error_expected(ctx, value, "a string, number or boolean");
			ok = false;
		}
		kdr_spec__path_pop(ctx, saved);
	}
	return ok;
}

/* {valueFrom: {env: NAME} | {file: PATH} | {secretKeyRef: {name, key}}} while it is decoded. */
struct value_from {
	char *env;
	char *file;
	bool has_secret;
	char *secret_name;
	char *secret_key;
	const struct kdr_spec_node *node;
};

static void decode_secret_key_ref(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj);
static void decode_value_from(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj);

static const struct kdr_spec_field secret_key_ref_fields[] = {
	{ "name", KDR_SPEC_STRING, offsetof(struct value_from, secret_name), true, NULL, NULL, NULL, 0 },
	{ "key", KDR_SPEC_STRING, offsetof(struct value_from, secret_key), true, NULL, NULL, NULL, 0 },
};

static const struct kdr_spec_field value_from_fields[] = {
	{ "env", KDR_SPEC_STRING, offsetof(struct value_from, env), false, NULL, NULL, NULL, 0 },
	{ "file", KDR_SPEC_STRING, offsetof(struct value_from, file), false, NULL, NULL, NULL, 0 },
	{ "secretKeyRef", KDR_SPEC_CUSTOM, 0, false, decode_secret_key_ref, "a map {name, key}", NULL, 0 },
};

static const struct kdr_spec_field value_fields[] = {
	{ "valueFrom", KDR_SPEC_CUSTOM, 0, true, decode_value_from, "a map {env | file | secretKeyRef}", NULL, 0 },
};

static void decode_secret_key_ref(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct value_from *from = obj;

	from->has_secret = true;
	kdr_spec__decode_fields(ctx, value, secret_key_ref_fields,
				sizeof(secret_key_ref_fields) / sizeof(secret_key_ref_fields[0]), from);
}

static void decode_value_from(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *value, void *obj)
{
	struct value_from *from = obj;

	from->node = value;
	kdr_spec__decode_fields(ctx, value, value_from_fields, sizeof(value_from_fields) / sizeof(value_from_fields[0]),
				from);
}

bool kdr_spec__get_value(struct kdr_spec_ctx *ctx, struct kdr_value *out, const struct kdr_spec_node *node)
{
	struct value_from from = { NULL, NULL, false, NULL, NULL, NULL };
	size_t errors = ctx->diags->errors;
	size_t given = 0;
	bool ok = false;

	if (node->kind == KDR_SPEC_NODE_SCALAR && node->style == KDR_SPEC_STYLE_INVALID)
		return false;
	if (is_scalar_value(node)) {
		kdr_value_release(out);
		out->kind = KDR_VALUE_LITERAL;
		out->literal = kdr_strdup(node->text);
		return true;
	}
	if (node->kind != KDR_SPEC_NODE_MAP) {
		kdr_spec__error_expected(ctx, node, "a string or {valueFrom: {env | file | secretKeyRef}}");
		return false;
	}
	kdr_spec__decode_fields(ctx, node, value_fields, sizeof(value_fields) / sizeof(value_fields[0]), &from);
	given = (from.env != NULL) + (from.file != NULL) + from.has_secret;
	if (from.node && given == 0 && ctx->diags->errors == errors) {
		size_t saved = kdr_spec__path_push(ctx, "valueFrom");

		kdr_spec__error(ctx, from.node, "expected one of env, file, secretKeyRef");
		kdr_spec__path_pop(ctx, saved);
	} else if (given > 1) {
		size_t saved = kdr_spec__path_push(ctx, "valueFrom");

		kdr_spec__error(ctx, from.node, "only one of env, file, secretKeyRef may be given");
		kdr_spec__path_pop(ctx, saved);
	}
	if (ctx->diags->errors == errors && given == 1) {
		kdr_value_release(out);
		if (from.env) {
			out->kind = KDR_VALUE_ENV;
			out->ref = from.env;
			from.env = NULL;
		} else if (from.file) {
			out->kind = KDR_VALUE_FILE;
			out->ref = from.file;
			from.file = NULL;
		} else {
			out->kind = KDR_VALUE_SECRET_KEY_REF;
			out->ref = from.secret_name;
			out->key = from.secret_key;
			from.secret_name = NULL;
			from.secret_key = NULL;
		}
		ok = true;
	}
	free(from.env);
	free(from.file);
	free(from.secret_name);
	free(from.secret_key);
	return ok;
}

static const char *expected_of(const struct kdr_spec_field *field)
{
	switch (field->type) {
	case KDR_SPEC_STRING:
		return "a string";
	case KDR_SPEC_INT:
		return "an integer";
	case KDR_SPEC_BOOL:
		return "true or false";
	case KDR_SPEC_STRINGS:
		return "a list of strings";
	case KDR_SPEC_CONFIG:
		return "a map of strings";
	case KDR_SPEC_OBJECT:
	case KDR_SPEC_IGNORE:
		return "a map";
	case KDR_SPEC_CUSTOM:
		break;
	}
	return field->expected ? field->expected : "a value";
}

static void decode_field(struct kdr_spec_ctx *ctx, const struct kdr_spec_field *field,
			 const struct kdr_spec_node *value, void *obj)
{
	/* obj is NULL for a kind kdr does not know: only its custom and ignored fields are visited. */
	char *at = obj ? (char *)obj + field->offset : NULL;
	char *s = NULL;
	int64_t i = 0;
	bool b = false;

	switch (field->type) {
	case KDR_SPEC_STRING:
		if (kdr_spec__get_string(ctx, &s, value)) {
			free(*(char **)(void *)at);
			*(char **)(void *)at = s;
		}
		break;
	case KDR_SPEC_INT:
		if (kdr_spec__get_int(ctx, &i, value, INT64_MIN, INT64_MAX))
			*(int64_t *)(void *)at = i;
		break;
	case KDR_SPEC_BOOL:
		if (kdr_spec__get_bool(ctx, &b, value))
			*(bool *)(void *)at = b;
		break;
	case KDR_SPEC_STRINGS:
		kdr_spec__get_strings(ctx, (struct kdr_strvec *)(void *)at, value);
		break;
	case KDR_SPEC_CONFIG:
		kdr_spec__get_config(ctx, (struct kdr_strmap *)(void *)at, value);
		break;
	case KDR_SPEC_OBJECT:
		kdr_spec__decode_fields(ctx, value, field->sub, field->n_sub, obj);
		break;
	case KDR_SPEC_IGNORE:
		break;
	case KDR_SPEC_CUSTOM:
		field->decode(ctx, value, obj);
		break;
	}
}

static void report_unknown(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *key,
			   const struct kdr_spec_field *fields, size_t n)
{
	const char *names[MAX_FIELDS];
	size_t n_names = 0;
	const char *guess = NULL;
	struct kdr_buf msg = KDR_BUF_INIT;

	/* Ignored fields (Kubernetes bookkeeping) are accepted but not advertised. */
	for (size_t i = 0; i < n && n_names < MAX_FIELDS; i++)
		if (fields[i].type != KDR_SPEC_IGNORE)
			names[n_names++] = fields[i].name;
	guess = kdr_did_you_mean(key->text, names, n_names);
	if (guess) {
		kdr_spec__error(ctx, key, "unknown field (did you mean '%s'?)", guess);
	} else {
		put_list(&msg, names, n_names);
		kdr_spec__error(ctx, key, "unknown field, allowed: %s", msg.ptr);
	}
	kdr_buf_release(&msg);
}

bool kdr_spec__decode_fields(struct kdr_spec_ctx *ctx, const struct kdr_spec_node *node,
			     const struct kdr_spec_field *fields, size_t n, void *obj)
{
	bool seen[MAX_FIELDS] = { false };

	if (n > MAX_FIELDS)
		abort(); /* a table bug, not input */
	if (node->kind != KDR_SPEC_NODE_MAP) {
		struct kdr_buf expected = KDR_BUF_INIT;

		kdr_buf_puts(&expected, "a map {");
		for (size_t f = 0, shown = 0; f < n; f++)
			if (fields[f].type != KDR_SPEC_IGNORE)
				kdr_buf_printf(&expected, "%s%s", shown++ ? ", " : "", fields[f].name);
		kdr_buf_putc(&expected, '}');
		kdr_spec__expect_map(ctx, node, expected.ptr);
		kdr_buf_release(&expected);
		return false;
	}
	for (size_t i = 0; i + 1 < node->n; i += 2) {
		const struct kdr_spec_node *key = node->items[i], *value = node->items[i + 1];
		const struct kdr_spec_field *field = NULL;
		size_t saved = 0;

		if (key->kind != KDR_SPEC_NODE_SCALAR || key->style == KDR_SPEC_STYLE_INVALID)
			continue; /* reported when the tree was built */
		for (size_t f = 0; f < n && !field; f++)
			if (strcmp(fields[f].name, key->text) == 0)
				field = &fields[f];
		saved = kdr_spec__path_push(ctx, key->text);
		if (key->first) {
			kdr_spec__error_duplicate(ctx, key);
		} else if (!field) {
			report_unknown(ctx, key, fields, n);
		} else {
			bool is_alias = value->kind == KDR_SPEC_NODE_SCALAR && value->style == KDR_SPEC_STYLE_INVALID;

			seen[field - fields] = true;
			kdr_spec__record(ctx, key, value);
			/* Null is "not given" (Kubernetes prunes it), which a required field must be. */
			if (!is_alias && kdr_spec__node_is_null(value) && field->required)
				kdr_spec__error_expected(ctx, value, expected_of(field));
			else if (!is_alias && !kdr_spec__node_is_null(value))
				decode_field(ctx, field, value, obj);
		}
		kdr_spec__path_pop(ctx, saved);
	}
	for (size_t f = 0; f < n; f++) {
		size_t saved = 0;

		if (!fields[f].required || seen[f])
			continue;
		saved = kdr_spec__path_push(ctx, fields[f].name);
		kdr_spec__error(ctx, node, "required field is missing");
		kdr_spec__path_pop(ctx, saved);
	}
	return true;
}
