#include <stdlib.h>
#include <string.h>

#include "placement/placement_internal.h"
#include "util/alloc.h"

void kdr_placement__replicas_init(struct kdr_placement_replicas *out, const struct kdr_placement_topo *topo,
				  enum kdr_placement_strategy strategy, size_t rf)
{
	memset(out, 0, sizeof(*out));
	out->topo = topo;
	out->strategy = strategy;
	out->rf = rf;
	out->ix = kdr_calloc(rf, sizeof(size_t));
	out->in = kdr_calloc(topo->n, sizeof(bool));
	out->rack_cnt = kdr_calloc(topo->n_racks, sizeof(size_t));
	out->dc_cnt = kdr_calloc(topo->n_dcs, sizeof(size_t));
	out->dc_racks_used = kdr_calloc(topo->n_dcs, sizeof(size_t));
	out->n_memo = 2 * (topo->n_dcs + 1);
	out->memo = kdr_malloc(out->n_memo);
	out->memo_stale = true;
	out->ceil_dc = KDR_PLACEMENT_NONE;
	if (strategy == KDR_PLACEMENT_CROSS_DC && topo->pref_dc != KDR_PLACEMENT_NONE && topo->n_dcs > 0 &&
	    rf % topo->n_dcs != 0) {
		size_t q = rf / topo->n_dcs, others_can_ceil = 0;

		for (size_t d = 0; d < topo->n_dcs; d++)
			if (d != topo->pref_dc && q + 1 <= topo->dc_brokers[d])
				others_can_ceil++;
		/* Only a preference: never where it would make a feasible request infeasible. */
		if (q + 1 <= topo->dc_brokers[topo->pref_dc] && others_can_ceil >= rf % topo->n_dcs - 1)
			out->ceil_dc = topo->pref_dc;
	}
}

void kdr_placement__replicas_release(struct kdr_placement_replicas *reps)
{
	free(reps->ix);
	free(reps->in);
	free(reps->rack_cnt);
	free(reps->dc_cnt);
	free(reps->dc_racks_used);
	free(reps->memo);
	memset(reps, 0, sizeof(*reps));
}

void kdr_placement__replicas_clear(struct kdr_placement_replicas *reps)
{
	/* Only the members' racks and DCs have counts to reset. */
	for (size_t k = 0; k < reps->len; k++) {
		const struct kdr_placement_node *b = &reps->topo->nodes[reps->ix[k]];

		reps->in[reps->ix[k]] = false;
		reps->rack_cnt[b->rack_ix] = 0;
		if (b->dc_ix != KDR_PLACEMENT_NONE) {
			reps->dc_cnt[b->dc_ix] = 0;
			reps->dc_racks_used[b->dc_ix] = 0;
		}
	}
	reps->len = 0;
	reps->racks_used = 0;
	reps->memo_stale = true;
}

void kdr_placement__replicas_add(struct kdr_placement_replicas *reps, size_t node)
{
	const struct kdr_placement_node *b = &reps->topo->nodes[node];

	reps->memo_stale = true;
	reps->ix[reps->len++] = node;
	reps->in[node] = true;
	if (reps->rack_cnt[b->rack_ix]++ == 0) {
		reps->racks_used++;
		if (b->dc_ix != KDR_PLACEMENT_NONE)
			reps->dc_racks_used[b->dc_ix]++;
	}
	if (b->dc_ix != KDR_PLACEMENT_NONE)
		reps->dc_cnt[b->dc_ix]++;
}

/* Keeps the slot order of the others, so a leader stays first. */
void kdr_placement__replicas_remove(struct kdr_placement_replicas *reps, size_t node)
{
	const struct kdr_placement_node *b = &reps->topo->nodes[node];
	size_t k = 0;

	while (k < reps->len && reps->ix[k] != node)
		k++;
	if (k == reps->len)
		return;
	reps->memo_stale = true;
	memmove(&reps->ix[k], &reps->ix[k + 1], (reps->len - k - 1) * sizeof(size_t));
	reps->len--;
	reps->in[node] = false;
	if (--reps->rack_cnt[b->rack_ix] == 0) {
		reps->racks_used--;
		if (b->dc_ix != KDR_PLACEMENT_NONE)
			reps->dc_racks_used[b->dc_ix]--;
	}
	if (b->dc_ix != KDR_PLACEMENT_NONE)
		reps->dc_cnt[b->dc_ix]--;
}

/*
 * Whether datacenter `d` can end with `f` replicas when it has `c` now over
 * `u` racks: enough brokers, and enough slots left to reach min(f, racks)
 * racks (each unused rack still has a free broker, so slots are all it takes).
 */
static bool dc_fits(const struct kdr_placement_topo *topo, size_t d, size_t f, size_t c, size_t u)
{
	size_t want = f < topo->dc_racks[d] ? f : topo->dc_racks[d];

	return f >= c && f <= topo->dc_brokers[d] && want <= u + (f - c);
}

static bool cross_dc_completable(const struct kdr_placement_replicas *reps, size_t node)
{
	const struct kdr_placement_topo *topo = reps->topo;
	const struct kdr_placement_node *b = &topo->nodes[node];
	size_t q = reps->rf / topo->n_dcs, rem = reps->rf % topo->n_dcs;
	size_t must_ceil = 0, can_ceil = 0;

	for (size_t d = 0; d < topo->n_dcs; d++) {
		size_t c = reps->dc_cnt[d] + (d == b->dc_ix);
		size_t u = reps->dc_racks_used[d] + (d == b->dc_ix && reps->rack_cnt[b->rack_ix] == 0);
		bool floor_ok = d != reps->ceil_dc && dc_fits(topo, d, q, c, u);
		bool ceil_ok = dc_fits(topo, d, q + 1, c, u);

		if (!floor_ok && !ceil_ok)
			return false;
		must_ceil += !floor_ok;
		can_ceil += ceil_ok;
	}
	/* Exactly `rem` datacenters take the ceil, which makes the total rf. */
	return must_ceil <= rem && rem <= can_ceil;
}

static bool completable(const struct kdr_placement_replicas *reps, size_t node)
{
	const struct kdr_placement_topo *topo = reps->topo;
	size_t len = reps->len + 1;

	switch (reps->strategy) {
	case KDR_PLACEMENT_RACK_AWARE: {
		size_t used = reps->racks_used + (reps->rack_cnt[topo->nodes[node].rack_ix] == 0);
		size_t want = reps->rf < topo->n_racks ? reps->rf : topo->n_racks;

		/* Every rack not used yet has a free broker, so the slots left are all it takes. */
		return want <= used + (reps->rf - len);
	}
	case KDR_PLACEMENT_CROSS_DC:
		return cross_dc_completable(reps, node);
	case KDR_PLACEMENT_ANY:
	case KDR_PLACEMENT_STATIC:
		break;
	}
	return true;
}

bool kdr_placement__replicas_can_add(struct kdr_placement_replicas *reps, size_t node)
{
	const struct kdr_placement_node *b = &reps->topo->nodes[node];
	size_t key = 0;

	if (reps->in[node] || reps->len + 1 > reps->rf)
		return false;
	if (reps->memo_stale) {
		memset(reps->memo, -1, reps->n_memo);
		reps->memo_stale = false;
	}
	key = 2 * (b->dc_ix == KDR_PLACEMENT_NONE ? reps->topo->n_dcs : b->dc_ix) + (reps->rack_cnt[b->rack_ix] == 0);
	if (reps->memo[key] < 0)
		reps->memo[key] = (signed char)completable(reps, node);
	return reps->memo[key] != 0;
}
