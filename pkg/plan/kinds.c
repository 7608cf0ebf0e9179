/*
 * The action kinds: their names, the fields each carries, what a summary
 * counts them as (create, change, delete), and the one table
 * of the order actions are planned and applied in (DESIGN.md §4). The plan sorts by rank; the
 * executor applies the runs of same-stage ranks in rank order (kdr_apply_runs)
 * and the Kafka adapter sends its kinds by rank, so no other module decides
 * an order.
 */
#include "plan/plan.h"

struct kind_row {
	const char *name;
	int rank;
	enum kdr_apply_stage stage;
	enum kdr_action_class class; /* what a plan's summary counts it as */
	unsigned fields; /* enum kdr_action_field bits */
};

#define SHAPE KDR_ACTION_FIELD_TOPIC_SHAPE
#define CONFIG KDR_ACTION_FIELD_CONFIG
#define CHANGES KDR_ACTION_FIELD_CHANGES
#define ACL KDR_ACTION_FIELD_ACL
#define TASKS KDR_ACTION_FIELD_TASKS
#define CREATE KDR_ACTION_CLASS_CREATE
#define CHANGE KDR_ACTION_CLASS_CHANGE
#define DELETE KDR_ACTION_CLASS_DELETE

/*
 * Creates before changes before deletes; connectors are deleted before ACLs
 * and topics (stop replication first: a running MM2 would re-create a
 * deleted remote topic, or fail on it). Applying follows the ranks across
 * stages, so remote topics and their placement exist before MM2 starts
 * writing, and the connector deletes reach Connect before DeleteTopics.
 */
static const struct kind_row kinds[] = {
    [KDR_ACTION_CREATE_TOPIC] = {"create-topic", 0, KDR_APPLY_KAFKA, CREATE, SHAPE | CONFIG},
    [KDR_ACTION_ADD_PARTITIONS] = {"add-partitions", 1, KDR_APPLY_KAFKA, CHANGE, SHAPE},
    [KDR_ACTION_ALTER_CONFIGS] = {"alter-configs", 2, KDR_APPLY_KAFKA, CHANGE, CONFIG | CHANGES},
    [KDR_ACTION_CREATE_ACL] = {"create-acl", 3, KDR_APPLY_KAFKA, CREATE, ACL},
    [KDR_ACTION_CREATE_CONNECTOR] = {"create-connector", 4, KDR_APPLY_CONNECT, CREATE, CONFIG},
    [KDR_ACTION_UPDATE_CONNECTOR] = {"update-connector", 4, KDR_APPLY_CONNECT, CHANGE, CONFIG | CHANGES},
    [KDR_ACTION_PAUSE_CONNECTOR] = {"pause-connector", 4, KDR_APPLY_CONNECT, CHANGE, 0},
    [KDR_ACTION_RESUME_CONNECTOR] = {"resume-connector", 4, KDR_APPLY_CONNECT, CHANGE, 0},
    [KDR_ACTION_RESTART_CONNECTOR] = {"restart-connector", 4, KDR_APPLY_CONNECT, CHANGE, TASKS},
    [KDR_ACTION_DELETE_CONNECTOR] = {"delete-connector", 5, KDR_APPLY_CONNECT, DELETE, 0},
    [KDR_ACTION_DELETE_ACL] = {"delete-acl", 6, KDR_APPLY_KAFKA, DELETE, ACL},
    [KDR_ACTION_DELETE_TOPIC] = {"delete-topic", 7, KDR_APPLY_KAFKA, DELETE, 0},
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == KDR_ACTION_KIND_COUNT, "a row per action kind");

#undef SHAPE
#undef CONFIG
#undef CHANGES
#undef ACL
#undef TASKS
#undef CREATE
#undef CHANGE
#undef DELETE

static const struct kind_row *row_of(enum kdr_action_kind kind)
{
	return (size_t)kind < KDR_ACTION_KIND_COUNT && kinds[kind].name ? &kinds[kind] : NULL;
}

const char *kdr_action_kind_name(enum kdr_action_kind kind)
{
	const struct kind_row *row = row_of(kind);

	return row ? row->name : "unknown";
}

int kdr_action_kind_rank(enum kdr_action_kind kind)
{
	const struct kind_row *row = row_of(kind);

	return row ? row->rank : KDR_ACTION_KIND_COUNT;
}

bool kdr_action_kind_has(enum kdr_action_kind kind, enum kdr_action_field field)
{
	const struct kind_row *row = row_of(kind);

	return row && (row->fields & (unsigned)field) != 0;
}

enum kdr_action_class kdr_action_kind_class(enum kdr_action_kind kind)
{
	const struct kind_row *row = row_of(kind);

	return row ? row->class : KDR_ACTION_CLASS_CHANGE;
}

enum kdr_apply_stage kdr_action_kind_stage(enum kdr_action_kind kind)
{
	const struct kind_row *row = row_of(kind);

	return row ? row->stage : KDR_APPLY_KAFKA;
}

size_t kdr_action_kinds_in_order(enum kdr_action_kind *out)
{
	/* Insertion by increasing kind keeps equal ranks in kind order, the plan's own tie-break. */
	for (size_t n = 0; n < KDR_ACTION_KIND_COUNT; n++) {
		size_t i = n;

		for (; i > 0 && kinds[out[i - 1]].rank > kinds[n].rank; i--)
			out[i] = out[i - 1];
		out[i] = (enum kdr_action_kind)n;
	}
	return KDR_ACTION_KIND_COUNT;
}

size_t kdr_apply_runs(struct kdr_apply_run *out)
{
	enum kdr_action_kind order[KDR_ACTION_KIND_COUNT];
	size_t n_kinds = kdr_action_kinds_in_order(order), n = 0;

	for (size_t k = 0; k < n_kinds; k++) {
		const struct kind_row *row = &kinds[order[k]];

		if (n > 0 && out[n - 1].stage == row->stage) {
			out[n - 1].rank_last = row->rank;
			continue;
		}
		out[n].stage = row->stage;
		out[n].rank_first = out[n].rank_last = row->rank;
		n++;
	}
	return n;
}

bool kdr_apply_run_has(const struct kdr_apply_run *run, enum kdr_action_kind kind)
{
	const struct kind_row *row = row_of(kind);

	return row && row->stage == run->stage && row->rank >= run->rank_first && row->rank <= run->rank_last;
}
