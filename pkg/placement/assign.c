#include <stdlib.h>
#include <string.h>

#include "placement/placement_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

/*
 * Placement in two passes.
 *
 * 1. Greedy, partition by partition, slot by slot. A slot may take any broker
 *    after which the partition can still be completed under the strategy
 *    (kdr_placement__replicas_can_add is exact, so the greedy never paints
 *    itself into a corner). The leader slot also needs the preferred leader
 *    datacenter, and takes the broker with the fewest leaders (then fewest
 *    replicas); a follower slot takes the broker with the fewest replicas
 *    (then the most leaders, because a broker with few leaders is about to
 *    gain a replica by leading). Remaining ties go to the first broker in a
 *    rack- and DC-interleaved order rotated by a per-topic seed plus the
 *    partition number, so equal brokers take turns and topics differ.
 *
 * 2. Rebalancing. A greedy choice can leave a broker two replicas above
 *    another when the constraints only allowed the better choice later. While
 *    some broker has >= 2 more replicas than one it can reach through a chain
 *    of follower moves (each move keeps its partition valid), apply the chain:
 *    the ends change by one, the brokers in between keep their counts, and the
 *    sum of squared loads drops, so this terminates. A last sweep of single
 *    moves makes sure that no follower could move and narrow a gap of two.
 *    Leaders never move: their choice is final in pass 1.
 */

struct kdr_placement_order_key {
	size_t rank_in_rack;
	size_t rack_rank_in_dc;
	size_t dc;
	size_t rack;
	size_t node;
};

static int compare_order_keys(const void *a, const void *b)
{
	const struct kdr_placement_order_key *x = a;
	const struct kdr_placement_order_key *y = b;

	if (x->rank_in_rack != y->rank_in_rack)
		return x->rank_in_rack < y->rank_in_rack ? -1 : 1;
	if (x->rack_rank_in_dc != y->rack_rank_in_dc)
		return x->rack_rank_in_dc < y->rack_rank_in_dc ? -1 : 1;
	if (x->dc != y->dc)
		return x->dc < y->dc ? -1 : 1;
	if (x->rack != y->rack)
		return x->rack < y->rack ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/*
 * The tie-break order: the first broker of each rack (racks alternating over
 * datacenters), then the second of each, and so on, as Kafka's rack-alternated
 * list does, so consecutive partitions start in different racks and DCs.
 */
static size_t *interleaved_order(const struct kdr_placement_topo *topo)
{
	struct kdr_placement_order_key *keys = kdr_calloc(topo->n, sizeof(*keys));
	size_t *seen_in_rack = kdr_calloc(topo->n_racks, sizeof(size_t));
	size_t *rack_rank = kdr_calloc(topo->n_racks, sizeof(size_t));
	size_t *order = kdr_calloc(topo->n, sizeof(size_t));

	for (size_t r = 0; r < topo->n_racks; r++)
		for (size_t e = 0; e < r; e++)
			rack_rank[r] += topo->rack_dc[e] == topo->rack_dc[r];
	for (size_t i = 0; i < topo->n; i++) {
		const struct kdr_placement_node *node = &topo->nodes[i];

		keys[i].rank_in_rack = seen_in_rack[node->rack_ix]++;
		keys[i].rack_rank_in_dc = rack_rank[node->rack_ix];
		keys[i].dc = topo->rack_dc[node->rack_ix];
		keys[i].rack = node->rack_ix;
		keys[i].node = i;
	}
	qsort(keys, topo->n, sizeof(*keys), compare_order_keys);
	for (size_t i = 0; i < topo->n; i++)
		order[i] = keys[i].node;
	free(keys);
	free(seen_in_rack);
	free(rack_rank);
	return order;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static int check_numbers(const struct kdr_placement_request *req)
{
	size_t n_existing = req->existing ? req->existing->n : 0;

	if (!req->topic)
		return kdr_error_set(KDR_EINVALID, "a topic name is needed: it seeds the placement");
	if (req->n_brokers == 0)
		return kdr_error_set(KDR_EINVALID, "no brokers to place replicas on");
	if (req->replication_factor < 1)
		return kdr_error_set(KDR_EINVALID, "replication factor %zu is invalid; it must be at least 1",
				     req->replication_factor);
	if (req->partitions < 1)
		return kdr_error_set(KDR_EINVALID, "partition count %zu is invalid; it must be at least 1",
				     req->partitions);
	if (n_existing > req->partitions)
		return kdr_error_set(KDR_EINVALID,
				     "the topic already has %zu partitions, more than the %zu wanted; partitions "
				     "only grow",
				     n_existing, req->partitions);
	return 0;
}

/* cross-dc: every datacenter must hold its floor, and enough of them one more. */
static int check_cross_dc_capacity(const struct kdr_placement_topo *topo, size_t rf)
{
	size_t q = rf / topo->n_dcs, rem = rf % topo->n_dcs, roomy = 0;

	for (size_t d = 0; d < topo->n_dcs; d++) {
		if (topo->dc_brokers[d] < q)
			return kdr_error_set(KDR_EINVALID,
					     "datacenter '%s' has %zu broker%s, fewer than the %zu replicas cross-dc "
					     "puts in each of %zu datacenters for replication factor %zu",
					     topo->dcs[d], topo->dc_brokers[d], plural(topo->dc_brokers[d]), q,
					     topo->n_dcs, rf);
		roomy += topo->dc_brokers[d] > q;
	}
	if (roomy < rem)
		return kdr_error_set(KDR_EINVALID,
				     "replication factor %zu over %zu datacenters needs %zu datacenters with at least "
				     "%zu brokers for cross-dc, but %zu %s",
				     rf, topo->n_dcs, rem, q + 1, roomy, roomy == 1 ? "has" : "have");
	return 0;
}

static int check_static(const struct kdr_placement_topo *topo, const struct kdr_placement_request *req)
{
	const struct kdr_assignment *sa = req->static_assignment;
	size_t rf = req->replication_factor;
	struct kdr_buf ids = KDR_BUF_INIT;
	int error = 0;

	if (!sa)
		return kdr_error_set(KDR_EINVALID, "strategy static needs an assignment of every partition, and "
						   "there is none");
	if (sa->n != req->partitions)
		return kdr_error_set(KDR_EINVALID, "the static assignment lists %zu partition%s, the topic wants %zu",
				     sa->n, plural(sa->n), req->partitions);
	for (size_t p = 0; p < sa->n && !error; p++) {
		const struct kdr_replica_list *list = &sa->partitions[p];

		kdr_buf_reset(&ids);
		kdr_placement__put_ids(&ids, list->ids, list->n);
		if (list->n != rf) {
			error = kdr_error_set(KDR_EINVALID,
					      "static assignment: partition %zu has %zu replica%s %s; the replication "
					      "factor is %zu",
					      p, list->n, plural(list->n), ids.ptr, rf);
			break;
		}
		for (size_t i = 0; i < list->n && !error; i++) {
			size_t node = kdr_placement__topo_find(topo, list->ids[i]);

			if (node == KDR_PLACEMENT_NONE)
				error = kdr_error_set(
				    KDR_EINVALID, "static assignment: partition %zu: broker %d is not a known broker",
				    p, (int)list->ids[i]);
			for (size_t e = 0; e < i && !error; e++)
				if (list->ids[e] == list->ids[i])
					error = kdr_error_set(KDR_EINVALID,
							      "static assignment: partition %zu lists broker %d twice "
							      "in %s",
							      p, (int)list->ids[i], ids.ptr);
			if (!error && i == 0 && topo->pref_dc != KDR_PLACEMENT_NONE &&
			    topo->nodes[node].dc_ix != topo->pref_dc) {
				struct kdr_buf where = KDR_BUF_INIT;

				if (topo->nodes[node].dc)
					kdr_buf_printf(&where, "datacenter '%s'", topo->nodes[node].dc);
				else
					kdr_buf_puts(&where, "no datacenter");
				error = kdr_error_set(KDR_EINVALID,
						      "static assignment: partition %zu: leader %d is in %s, not the "
						      "preferred leader datacenter '%s'",
						      p, (int)list->ids[0], where.ptr, topo->dcs[topo->pref_dc]);
				kdr_buf_release(&where);
			}
		}
	}
	kdr_buf_release(&ids);
	return error;
}

static void assign_static(struct kdr_assignment *out, const struct kdr_placement_request *req, size_t first)
{
	kdr_assignment_init(out, req->partitions - first, req->replication_factor);
	for (size_t p = first; p < req->partitions; p++)
		memcpy(out->partitions[p - first].ids, req->static_assignment->partitions[p].ids,
		       req->replication_factor * sizeof(int32_t));
}

static void add_existing_load(struct kdr_placement_topo *topo, const struct kdr_assignment *existing)
{
	for (size_t p = 0; existing && p < existing->n; p++) {
		const struct kdr_replica_list *list = &existing->partitions[p];

		/* Replicas on brokers that are gone carry no load anywhere. */
		for (size_t r = 0; r < list->n; r++) {
			size_t node = kdr_placement__topo_find(topo, list->ids[r]);

			if (node == KDR_PLACEMENT_NONE)
				continue;
			topo->nodes[node].replicas++;
			if (r == 0)
				topo->nodes[node].leaders++;
		}
	}
}

/*
 * The broker for the next slot of `reps`, or KDR_PLACEMENT_NONE: the lowest
 * (primary, secondary) key among the brokers that keep the partition
 * completable, the first in `order` from `start` on a tie. Leader slot:
 * (leaders, replicas), in the preferred leader DC if any. Follower slot:
 * (replicas, most leaders first).
 */
static size_t pick(struct kdr_placement_replicas *reps, const size_t *order, size_t start)
{
	const struct kdr_placement_node *nodes = reps->topo->nodes;
	const bool *in = reps->in;
	size_t n = reps->topo->n;
	bool leader = reps->len == 0;
	size_t pref = leader ? reps->topo->pref_dc : KDR_PLACEMENT_NONE;
	size_t best = KDR_PLACEMENT_NONE, best_primary = SIZE_MAX, best_secondary = SIZE_MAX;

	/* The hot loop of placement: cheap tests first, the rules only for a broker that would win. */
	for (size_t k = 0, at = start; k < n; k++, at = at + 1 == n ? 0 : at + 1) {
		size_t node = order[at];
		const struct kdr_placement_node *b = &nodes[node];
		size_t primary = leader ? b->leaders : b->replicas;
		size_t secondary = leader ? b->replicas : SIZE_MAX - b->leaders;

		if (in[node] || (pref != KDR_PLACEMENT_NONE && b->dc_ix != pref))
			continue;
		if (primary > best_primary || (primary == best_primary && secondary >= best_secondary))
			continue;
		if (!kdr_placement__replicas_can_add(reps, node))
			continue;
		best = node;
		best_primary = primary;
		best_secondary = secondary;
	}
	return best;
}

/* Replica lists of the new partitions as node indexes, rf per partition. */
struct kdr_placement_layout {
	struct kdr_placement_topo *topo;
	enum kdr_placement_strategy strategy;
	size_t rf;
	size_t n;      /* new partitions */
	size_t first;  /* number of the first new partition */
	size_t *lists; /* n * rf */
	size_t *order;
	size_t offset; /* the topic's rotation */
};

static size_t start_of(const struct kdr_placement_layout *pl, size_t p)
{
	return (pl->offset + pl->first + p) % pl->topo->n;
}

static int place_greedy(struct kdr_placement_layout *pl)
{
	struct kdr_placement_replicas reps;
	int error = 0;

	kdr_placement__replicas_init(&reps, pl->topo, pl->strategy, pl->rf);
	for (size_t p = 0; p < pl->n && !error; p++) {
		kdr_placement__replicas_clear(&reps);
		for (size_t slot = 0; slot < pl->rf; slot++) {
			size_t node = pick(&reps, pl->order, start_of(pl, p));

			if (node == KDR_PLACEMENT_NONE) {
				/* The request checks rule this out; kept so a gap there cannot crash. */
				error =
				    kdr_error_set(KDR_EINVALID,
						  "partition %zu: no broker can take replica %zu under %s "
						  "placement",
						  pl->first + p, slot + 1, kdr_placement_strategy_name(pl->strategy));
				break;
			}
			kdr_placement__replicas_add(&reps, node);
			pl->lists[p * pl->rf + slot] = node;
			pl->topo->nodes[node].replicas++;
			if (slot == 0)
				pl->topo->nodes[node].leaders++;
		}
	}
	kdr_placement__replicas_release(&reps);
	return error;
}

/* Loads the replicas of new partition `p`, without `skip` (KDR_PLACEMENT_NONE: none). */
static void load_partition(struct kdr_placement_replicas *reps, const struct kdr_placement_layout *pl, size_t p,
			   size_t skip)
{
	kdr_placement__replicas_clear(reps);
	for (size_t j = 0; j < pl->rf; j++)
		if (pl->lists[p * pl->rf + j] != skip)
			kdr_placement__replicas_add(reps, pl->lists[p * pl->rf + j]);
}

/* The follower slot of `node` in new partition `p`, or KDR_PLACEMENT_NONE. */
static size_t follower_slot(const struct kdr_placement_layout *pl, size_t p, size_t node)
{
	for (size_t j = 1; j < pl->rf; j++)
		if (pl->lists[p * pl->rf + j] == node)
			return j;
	return KDR_PLACEMENT_NONE;
}

struct kdr_placement_search {
	bool *explored;	   /* per node, shared by the searches of one round */
	size_t *prev_node; /* per node: where the chain came from */
	size_t *prev_part; /* per node: the partition of that move */
	size_t *queue;
	size_t *by_node_start; /* partitions where a node is a follower: by_node[start[i] .. start[i+1]) */
	size_t *by_node;
};

static void index_followers(struct kdr_placement_search *s, const struct kdr_placement_layout *pl)
{
	size_t n = pl->topo->n;

	memset(s->by_node_start, 0, (n + 1) * sizeof(size_t));
	for (size_t p = 0; p < pl->n; p++)
		for (size_t j = 1; j < pl->rf; j++)
			s->by_node_start[pl->lists[p * pl->rf + j] + 1]++;
	for (size_t i = 0; i < n; i++)
		s->by_node_start[i + 1] += s->by_node_start[i];
	for (size_t i = 0; i < n; i++)
		s->queue[i] = s->by_node_start[i]; /* fill cursors */
	for (size_t p = 0; p < pl->n; p++)
		for (size_t j = 1; j < pl->rf; j++)
			s->by_node[s->queue[pl->lists[p * pl->rf + j]]++] = p;
}

/*
 * Breadth-first over "a follower on u may move to v": the first broker found
 * with at least two replicas fewer than `source`, or KDR_PLACEMENT_NONE. A
 * broker explored by an earlier failed search of the round is skipped: the
 * sources go in decreasing load, so nothing it reaches could be a target now.
 */
static size_t search_chain(struct kdr_placement_search *s, struct kdr_placement_replicas *reps,
			   const struct kdr_placement_layout *pl, size_t source)
{
	const struct kdr_placement_topo *topo = pl->topo;
	size_t head = 0, tail = 0;

	s->explored[source] = true;
	s->queue[tail++] = source;
	while (head < tail) {
		size_t u = s->queue[head++];

		for (size_t k = s->by_node_start[u]; k < s->by_node_start[u + 1]; k++) {
			size_t p = s->by_node[k];

			load_partition(reps, pl, p, u);
			for (size_t i = 0, at = start_of(pl, p); i < topo->n;
			     i++, at = at + 1 == topo->n ? 0 : at + 1) {
				size_t v = pl->order[at];

				if (s->explored[v] || !kdr_placement__replicas_can_add(reps, v))
					continue;
				s->explored[v] = true;
				s->prev_node[v] = u;
				s->prev_part[v] = p;
				if (topo->nodes[v].replicas + 2 <= topo->nodes[source].replicas)
					return v;
				s->queue[tail++] = v;
			}
		}
	}
	return KDR_PLACEMENT_NONE;
}

/*
 * Applies the chain that ends at `target`. A chain may pass through one
 * partition twice, where the moves were only checked one at a time, so each is
 * checked again as applied and the chain is undone if one no longer fits.
 */
static bool apply_chain(struct kdr_placement_search *s, struct kdr_placement_replicas *reps,
			struct kdr_placement_layout *pl, size_t source, size_t target)
{
	size_t moves = 0;
	bool ok = true;

	for (size_t v = target; v != source; v = s->prev_node[v]) {
		size_t u = s->prev_node[v], p = s->prev_part[v];
		size_t j = follower_slot(pl, p, u);

		load_partition(reps, pl, p, u);
		if (j == KDR_PLACEMENT_NONE || !kdr_placement__replicas_can_add(reps, v)) {
			ok = false;
			break;
		}
		pl->lists[p * pl->rf + j] = v;
		moves++;
	}
	if (!ok) {
		/* Undo the first `moves` moves, walking the chain the same way. */
		size_t v = target;

		for (size_t m = 0; m < moves; m++, v = s->prev_node[v]) {
			size_t p = s->prev_part[v];

			for (size_t j = 1; j < pl->rf; j++)
				if (pl->lists[p * pl->rf + j] == v)
					pl->lists[p * pl->rf + j] = s->prev_node[v];
		}
		return false;
	}
	pl->topo->nodes[source].replicas--;
	pl->topo->nodes[target].replicas++;
	return true;
}

static int compare_by_load(const void *a, const void *b)
{
	const struct kdr_placement_node *x = *(const struct kdr_placement_node *const *)a;
	const struct kdr_placement_node *y = *(const struct kdr_placement_node *const *)b;

	if (x->replicas != y->replicas)
		return x->replicas > y->replicas ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * One round of chain search: the sources in decreasing load until one chain
 * is applied. Returns whether something moved.
 */
static bool chain_round(struct kdr_placement_search *s, struct kdr_placement_replicas *reps,
			struct kdr_placement_layout *pl, const struct kdr_placement_node **sources)
{
	struct kdr_placement_topo *topo = pl->topo;
	size_t min = SIZE_MAX;

	for (size_t i = 0; i < topo->n; i++) {
		sources[i] = &topo->nodes[i];
		if (topo->nodes[i].replicas < min)
			min = topo->nodes[i].replicas;
	}
	qsort(sources, topo->n, sizeof(*sources), compare_by_load);
	if (sources[0]->replicas < min + 2)
		return false;
	index_followers(s, pl);
	memset(s->explored, 0, topo->n * sizeof(bool));
	for (size_t i = 0; i < topo->n && sources[i]->replicas >= min + 2; i++) {
		size_t source = (size_t)(sources[i] - topo->nodes);
		size_t target = KDR_PLACEMENT_NONE;

		if (s->explored[source])
			continue;
		target = search_chain(s, reps, pl, source);
		if (target != KDR_PLACEMENT_NONE && apply_chain(s, reps, pl, source, target))
			return true;
	}
	return false;
}

/*
 * Every single follower move that narrows a gap of two or more. The chain
 * search shares its explored set between sources and can drop a chain that
 * passes a partition twice, so it may miss one of these; this sweep makes
 * "no single move helps" hold when rebalancing ends. Returns whether
 * something moved.
 */
static bool single_moves(struct kdr_placement_replicas *reps, struct kdr_placement_layout *pl)
{
	struct kdr_placement_node *nodes = pl->topo->nodes;
	size_t min = SIZE_MAX, max = 0;
	bool moved = false;

	for (size_t i = 0; i < pl->topo->n; i++) {
		min = nodes[i].replicas < min ? nodes[i].replicas : min;
		max = nodes[i].replicas > max ? nodes[i].replicas : max;
	}
	if (max < min + 2)
		return false;
	/* Moves only raise the minimum, so a stale `min` merely skips less. */
	for (size_t p = 0; p < pl->n; p++) {
		for (size_t j = 1; j < pl->rf; j++) {
			size_t u = pl->lists[p * pl->rf + j], best = KDR_PLACEMENT_NONE;

			if (nodes[u].replicas < min + 2)
				continue;
			load_partition(reps, pl, p, u);
			for (size_t i = 0, at = start_of(pl, p); i < pl->topo->n;
			     i++, at = at + 1 == pl->topo->n ? 0 : at + 1) {
				size_t v = pl->order[at];

				if (nodes[v].replicas + 2 > nodes[u].replicas ||
				    (best != KDR_PLACEMENT_NONE && nodes[v].replicas >= nodes[best].replicas))
					continue;
				if (kdr_placement__replicas_can_add(reps, v))
					best = v;
			}
			if (best == KDR_PLACEMENT_NONE)
				continue;
			pl->lists[p * pl->rf + j] = best;
			nodes[u].replicas--;
			nodes[best].replicas++;
			moved = true;
		}
	}
	return moved;
}

static void rebalance(struct kdr_placement_layout *pl)
{
	struct kdr_placement_topo *topo = pl->topo;
	struct kdr_placement_replicas reps;
	struct kdr_placement_search s;
	const struct kdr_placement_node **sources = NULL;

	if (pl->rf < 2 || pl->n == 0)
		return; /* only followers move */
	sources = kdr_calloc(topo->n, sizeof(*sources));
	kdr_placement__replicas_init(&reps, topo, pl->strategy, pl->rf);
	s.explored = kdr_calloc(topo->n, sizeof(bool));
	s.prev_node = kdr_calloc(topo->n, sizeof(size_t));
	s.prev_part = kdr_calloc(topo->n, sizeof(size_t));
	s.queue = kdr_calloc(topo->n, sizeof(size_t));
	s.by_node_start = kdr_calloc(topo->n + 1, sizeof(size_t));
	s.by_node = kdr_calloc(pl->n * (pl->rf - 1), sizeof(size_t));
	/* Each move lowers the sum of squared loads, so both loops end. */
	while (chain_round(&s, &reps, pl, sources) || single_moves(&reps, pl))
		;
	kdr_placement__replicas_release(&reps);
	free(s.explored);
	free(s.prev_node);
	free(s.prev_part);
	free(s.queue);
	free(s.by_node_start);
	free(s.by_node);
	free(sources);
}

int kdr_placement_assign(struct kdr_assignment *out, const struct kdr_placement_request *req)
{
	struct kdr_placement_topo topo;
	struct kdr_placement_layout pl;
	struct kdr_rng rng;
	size_t first = 0;
	int error = 0;

	memset(out, 0, sizeof(*out));
	memset(&topo, 0, sizeof(topo));
	memset(&pl, 0, sizeof(pl));
	if ((error = check_numbers(req)) != 0)
		goto cleanup;
	if ((error = kdr_placement__topo_build(&topo, req->brokers, req->n_brokers)) != 0)
		goto cleanup;
	if (req->replication_factor > topo.n) {
		error = kdr_error_set(KDR_EINVALID, "replication factor %zu exceeds the %zu available broker%s",
				      req->replication_factor, topo.n, plural(topo.n));
		goto cleanup;
	}
	if ((error = kdr_placement__topo_check_rules(&topo, req)) != 0)
		goto cleanup;
	first = req->existing ? req->existing->n : 0;
	if (req->strategy == KDR_PLACEMENT_STATIC) {
		if ((error = check_static(&topo, req)) == 0)
			assign_static(out, req, first);
		goto cleanup;
	}
	if (req->strategy == KDR_PLACEMENT_CROSS_DC &&
	    (error = check_cross_dc_capacity(&topo, req->replication_factor)) != 0)
		goto cleanup;

	add_existing_load(&topo, req->existing);
	kdr_rng_seed(&rng, kdr_hash64_str(req->topic));
	pl.topo = &topo;
	pl.strategy = req->strategy;
	pl.rf = req->replication_factor;
	pl.n = req->partitions - first;
	pl.first = first;
	pl.lists = kdr_calloc(pl.n * pl.rf, sizeof(size_t));
	pl.order = interleaved_order(&topo);
	pl.offset = (size_t)kdr_rng_below(&rng, topo.n);
	if ((error = place_greedy(&pl)) != 0)
		goto cleanup;
	rebalance(&pl);

	kdr_assignment_init(out, pl.n, pl.rf);
	for (size_t p = 0; p < pl.n; p++)
		for (size_t j = 0; j < pl.rf; j++)
			out->partitions[p].ids[j] = topo.nodes[pl.lists[p * pl.rf + j]].id;
cleanup:
	free(pl.lists);
	free(pl.order);
	kdr_placement__topo_release(&topo);
	return error;
}
