#include <stdlib.h>
#include <string.h>

#include "spec/spec_internal.h"
#include "util/alloc.h"
#include "util/sort.h"

struct kdr_spec_node *kdr_spec__node_new(enum kdr_spec_node_kind kind, unsigned line, unsigned col)
{
	struct kdr_spec_node *node = kdr_calloc(1, sizeof(*node));

	node->kind = kind;
	node->style = KDR_SPEC_STYLE_PLAIN;
	node->line = line;
	node->col = col;
	return node;
}

void kdr_spec__node_append(struct kdr_spec_node *parent, struct kdr_spec_node *item)
{
	parent->items = kdr_grow(parent->items, &parent->cap, parent->n + 1, sizeof(*parent->items));
	parent->items[parent->n++] = item;
}

void kdr_spec__node_free(struct kdr_spec_node *node)
{
	/* A worklist instead of recursion: fuzzed input nests as deep as it likes. */
	struct kdr_spec_node **todo = NULL;
	size_t n = 0, cap = 0;

	if (!node)
		return;
	todo = kdr_grow(todo, &cap, 1, sizeof(*todo));
	todo[n++] = node;
	while (n > 0) {
		struct kdr_spec_node *cur = todo[--n];

		for (size_t i = 0; i < cur->n; i++) {
			if (!cur->items[i])
				continue;
			todo = kdr_grow(todo, &cap, n + 1, sizeof(*todo));
			todo[n++] = cur->items[i];
		}
		free(cur->items);
		free(cur->text);
		free(cur);
	}
	free(todo);
}

struct key_ref {
	const char *text;
	size_t index;
};

void kdr_spec__node_mark_duplicates(struct kdr_spec_node *map)
{
	/* Sorted rather than pairwise: a map of 10,000 topic assignments is plausible. */
	size_t pairs = map->n / 2;
	struct key_ref *refs = NULL;
	size_t n = 0;

	if (pairs < 2)
		return;
	refs = kdr_calloc(pairs, sizeof(*refs));
	for (size_t i = 0; i < pairs; i++) {
		const struct kdr_spec_node *key = map->items[2 * i];

		if (key->kind != KDR_SPEC_NODE_SCALAR || key->style == KDR_SPEC_STYLE_INVALID)
			continue;
		refs[n].text = key->text;
		refs[n].index = i;
		n++;
	}
	kdr_sort_by_name(refs, n, sizeof(*refs));
	/* Equal keys are adjacent, the earliest first (a stable sort): it is the one the others repeat. */
	for (size_t i = 1, group = 0; i < n; i++) {
		if (strcmp(refs[group].text, refs[i].text) == 0)
			map->items[2 * refs[i].index]->first = map->items[2 * refs[group].index];
		else
			group = i;
	}
	free(refs);
}

bool kdr_spec__node_is_null(const struct kdr_spec_node *node)
{
	if (node->kind != KDR_SPEC_NODE_SCALAR)
		return false;
	if (node->style == KDR_SPEC_STYLE_NULL)
		return true;
	if (node->style != KDR_SPEC_STYLE_PLAIN)
		return false;
	return node->text[0] == '\0' || strcmp(node->text, "~") == 0 || strcmp(node->text, "null") == 0 ||
	       strcmp(node->text, "Null") == 0 || strcmp(node->text, "NULL") == 0;
}

const struct kdr_spec_node *kdr_spec__map_get(const struct kdr_spec_node *map, const char *key)
{
	if (!map || map->kind != KDR_SPEC_NODE_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct kdr_spec_node *k = map->items[i];

		if (k->kind == KDR_SPEC_NODE_SCALAR && k->style != KDR_SPEC_STYLE_INVALID && strcmp(k->text, key) == 0)
			return map->items[i + 1];
	}
	return NULL;
}
