/*
 * Property tests of pkg/placement over random clusters (1-50 brokers, 1-6
 * racks, 1-4 datacenters, RF 1-6, 1-200 partitions), seeded so that every
 * failure names a seed that replays it alone:
 *
 *   KDR_PLACEMENT_SEED=0x1234abcd build/tests/test_placement_props
 *
 * KDR_PLACEMENT_CASES_PERCENT=10 runs a tenth of the cases (for valgrind,
 * where the full run takes about half a minute).
 *
 * The rules are restated here independently of pkg/placement (valid_list),
 * and assign, check and the error paths are held against them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"
#include "placement/placement.h"
#include "util/error.h"
#include "util/hash.h"

#define MAX_BROKERS 50
#define MAX_ID	    128
#define NO_GROUP    (-1)

/* Case counts; together well over 10,000 assignments. */
#define GENERAL_CASES 6500
#define UNIFORM_CASES 2000
#define STATIC_CASES  500
#define LIST_CASES    1500

static const char *const rack_names[] = {"r0", "r1", "r2", "r3", "r4", "r5"};
static const char *const dc_names[] = {"dc-a", "dc-b", "dc-c", "dc-d"};
static const char *const strategy_names[] = {"any", "rack-aware", "cross-dc", "static"};

/* What a test's cases covered, printed so a reader can see the run was not vacuous. */
struct tally {
	size_t placed[4]; /* per strategy */
	size_t refused;
	size_t grown;
	size_t preferred;  /* placed with a preferred leader DC */
	size_t within_one; /* placed and held to replicas within 1 */
};

struct tcase {
	uint64_t seed;
	const char *kind;
	char topic[32];
	size_t n;
	struct kdr_placement_broker brokers[MAX_BROKERS];
	int rack[MAX_BROKERS]; /* index into rack_names, NO_GROUP: no rack */
	int dc[MAX_BROKERS];   /* index into dc_names, NO_GROUP: none */
	int pos_of_id[MAX_ID]; /* broker id -> index in brokers, -1 */
	size_t rf;
	size_t partitions;
	enum kdr_placement_strategy strategy;
	const char *pref;
	bool uniform;		    /* equal racks, equal DCs: the within-1 balance applies */
	bool equal_load;	    /* every broker starts with the same load */
	bool check_determinism;	    /* every few cases: assign again, also with the brokers reversed */
	size_t groups;		    /* racks, the no-rack group included */
	size_t dcs;		    /* datacenters with brokers */
	size_t dc_groups[4];	    /* racks per datacenter */
	size_t dc_brokers[4];	    /* brokers per datacenter */
	int group[MAX_BROKERS];	    /* rack index, or 6 for the no-rack group */
	bool may_lead[MAX_BROKERS]; /* in the preferred leader DC, when there is one */
	struct kdr_assignment existing;
	struct kdr_assignment static_assignment;
	struct tally *tally;
};

/* ---------- reporting ---------- */

static void dump_assignment(const char *what, const struct kdr_assignment *a)
{
	fprintf(stderr, "  %s (%zu partitions):", what, a->n);
	for (size_t p = 0; p < a->n; p++) {
		fprintf(stderr, "%s[", p % 10 ? " " : "\n    ");
		for (size_t r = 0; r < a->partitions[p].n; r++)
			fprintf(stderr, "%s%d", r ? "," : "", (int)a->partitions[p].ids[r]);
		fprintf(stderr, "]");
	}
	fprintf(stderr, "\n");
}

static void dump_case(const struct tcase *tc, const struct kdr_assignment *out)
{
	fprintf(stderr, "\nFAILED case: KDR_PLACEMENT_SEED=0x%llx (%s)\n", (unsigned long long)tc->seed, tc->kind);
	fprintf(stderr,
		"  topic '%s' strategy %s rf %zu partitions %zu existing %zu pref %s uniform %d equal_load %d\n",
		tc->topic, strategy_names[tc->strategy], tc->rf, tc->partitions, tc->existing.n,
		tc->pref ? tc->pref : "(none)", tc->uniform, tc->equal_load);
	for (size_t i = 0; i < tc->n; i++)
		fprintf(stderr, "  broker %d rack %s dc %s replicas %zu leaders %zu\n", (int)tc->brokers[i].id,
			tc->brokers[i].rack ? tc->brokers[i].rack : "-",
			tc->brokers[i].datacenter ? tc->brokers[i].datacenter : "-", tc->brokers[i].replicas,
			tc->brokers[i].leaders);
	if (tc->existing.n)
		dump_assignment("existing", &tc->existing);
	if (out && out->n)
		dump_assignment("assigned", out);
}

#define EXPECT(tc, out, cond, ...)                                                                                     \
	do {                                                                                                           \
		if (!(cond)) {                                                                                         \
			dump_case((tc), (out));                                                                        \
			fprintf(stderr, "  property: ");                                                               \
			fprintf(stderr, __VA_ARGS__);                                                                  \
			fprintf(stderr, "\n");                                                                         \
			fail_msg("placement property violated (seed 0x%llx)", (unsigned long long)(tc)->seed);         \
		}                                                                                                      \
	} while (0)

/* ---------- generation ---------- */

static size_t below(struct kdr_rng *rng, size_t bound)
{
	return (size_t)kdr_rng_below(rng, bound);
}

static void request_of(struct kdr_placement_request *req, const struct tcase *tc)
{
	memset(req, 0, sizeof(*req));
	req->topic = tc->topic;
	req->brokers = tc->brokers;
	req->n_brokers = tc->n;
	req->replication_factor = tc->rf;
	req->strategy = tc->strategy;
	req->preferred_leader_datacenter = tc->pref;
	req->existing = tc->existing.n ? &tc->existing : NULL;
	req->partitions = tc->partitions;
	req->static_assignment = tc->strategy == KDR_PLACEMENT_STATIC ? &tc->static_assignment : NULL;
}

static int group_of(const struct tcase *tc, size_t pos)
{
	return tc->group[pos];
}

static size_t count_groups(const struct tcase *tc, int dc)
{
	bool seen[7] = {false};
	size_t n = 0;

	for (size_t i = 0; i < tc->n; i++)
		if ((dc == NO_GROUP || tc->dc[i] == dc) && !seen[group_of(tc, i)]) {
			seen[group_of(tc, i)] = true;
			n++;
		}
	return n;
}

/* Indexes the ids and counts racks and datacenters (call after any change of the brokers). */
static void index_ids(struct tcase *tc)
{
	for (size_t i = 0; i < MAX_ID; i++)
		tc->pos_of_id[i] = -1;
	for (size_t i = 0; i < tc->n; i++) {
		tc->pos_of_id[tc->brokers[i].id] = (int)i;
		tc->group[i] = tc->rack[i] == NO_GROUP ? 6 : tc->rack[i]; /* the no-rack brokers form one group */
	}
	tc->groups = count_groups(tc, NO_GROUP);
	tc->dcs = 0;
	for (int d = 0; d < 4; d++) {
		tc->dc_brokers[d] = 0;
		for (size_t i = 0; i < tc->n; i++)
			tc->dc_brokers[d] += tc->dc[i] == d;
		tc->dc_groups[d] = count_groups(tc, d);
		tc->dcs += tc->dc_brokers[d] > 0;
	}
}

/* Distinct random ids in 1..MAX_ID-1, in random order (the API must not rely on sorted input). */
static void random_ids(struct tcase *tc, struct kdr_rng *rng)
{
	bool used[MAX_ID] = {false};

	for (size_t i = 0; i < tc->n; i++) {
		int32_t id = 0;

		do {
			id = (int32_t)(1 + below(rng, MAX_ID - 1));
		} while (used[id]);
		used[id] = true;
		tc->brokers[i].id = id;
	}
}

static void set_broker(struct tcase *tc, size_t i, int rack, int dc)
{
	tc->rack[i] = rack;
	tc->dc[i] = rack == NO_GROUP ? NO_GROUP : dc;
	tc->brokers[i].rack = rack == NO_GROUP ? NULL : rack_names[rack];
	tc->brokers[i].datacenter = tc->dc[i] == NO_GROUP ? NULL : dc_names[tc->dc[i]];
}

static void random_loads(struct tcase *tc, struct kdr_rng *rng)
{
	size_t mode = below(rng, 4);
	size_t base = below(rng, 60);

	tc->equal_load = mode != 3;
	for (size_t i = 0; i < tc->n; i++) {
		if (mode == 0) {
			tc->brokers[i].replicas = 0;
			tc->brokers[i].leaders = 0;
		} else if (mode == 3) {
			tc->brokers[i].replicas = below(rng, 60);
			tc->brokers[i].leaders = below(rng, tc->brokers[i].replicas + 1);
		} else {
			tc->brokers[i].replicas = base;
			tc->brokers[i].leaders = base / 3;
		}
	}
}

static void random_policy(struct tcase *tc, struct kdr_rng *rng, bool allow_pref)
{
	size_t pref_roll = below(rng, 10);
	int dcs_present[4] = {0};
	size_t n_present = 0;

	tc->rf = 1 + below(rng, 6);
	tc->partitions = 1 + below(rng, 200);
	tc->strategy = (enum kdr_placement_strategy)below(rng, 3);
	for (size_t i = 0; i < tc->n; i++)
		if (tc->dc[i] != NO_GROUP && !dcs_present[tc->dc[i]]++)
			n_present++;
	tc->pref = NULL;
	if (allow_pref && pref_roll >= 6 && n_present) {
		size_t k = below(rng, n_present);

		for (int d = 0; d < 4; d++)
			if (dcs_present[d] && k-- == 0)
				tc->pref = dc_names[d];
	} else if (allow_pref && pref_roll == 5) {
		tc->pref = "dc-unknown";
	}
	snprintf(tc->topic, sizeof(tc->topic), "topic-%llx", (unsigned long long)kdr_rng_next(rng));
}

static void general_case(struct tcase *tc, uint64_t seed)
{
	struct kdr_rng rng;
	int rack_dc[6];
	size_t n_racks = 0, n_dcs = 0;
	bool rackless = false;

	memset(tc, 0, sizeof(*tc));
	kdr_rng_seed(&rng, seed);
	tc->seed = seed;
	tc->kind = "general";
	tc->n = 1 + below(&rng, MAX_BROKERS);
	n_racks = 1 + below(&rng, 6);
	n_dcs = 1 + below(&rng, 4);
	for (size_t r = 0; r < n_racks; r++)
		rack_dc[r] = (int)below(&rng, n_dcs);
	/* Some clusters have brokers without racks (and so without datacenters). */
	rackless = below(&rng, 8) == 0;
	random_ids(tc, &rng);
	for (size_t i = 0; i < tc->n; i++) {
		int rack = rackless && below(&rng, 3) == 0 ? NO_GROUP : (int)below(&rng, n_racks);

		set_broker(tc, i, rack, rack == NO_GROUP ? NO_GROUP : rack_dc[rack]);
	}
	/* Some clusters have no datacenters at all. */
	if (below(&rng, 10) == 0)
		for (size_t i = 0; i < tc->n; i++) {
			tc->dc[i] = NO_GROUP;
			tc->brokers[i].datacenter = NULL;
		}
	index_ids(tc);
	random_loads(tc, &rng);
	random_policy(tc, &rng, true);
}

/*
 * Uniform clusters: every datacenter has the same number of racks and every
 * rack the same number of brokers; no preferred leader DC. Here the replicas
 * must end within 1 of each other.
 */
static void uniform_case(struct tcase *tc, uint64_t seed)
{
	struct kdr_rng rng;
	size_t n_dcs = 0, racks_per_dc = 0, per_rack = 0, i = 0;
	size_t positions[MAX_BROKERS];

	memset(tc, 0, sizeof(*tc));
	kdr_rng_seed(&rng, seed);
	tc->seed = seed;
	tc->kind = "uniform";
	tc->uniform = true;
	do {
		n_dcs = 1 + below(&rng, 4);
		racks_per_dc = 1 + below(&rng, 6 / n_dcs);
		per_rack = 1 + below(&rng, 8);
	} while (n_dcs * racks_per_dc * per_rack > MAX_BROKERS);
	tc->n = n_dcs * racks_per_dc * per_rack;
	for (size_t k = 0; k < tc->n; k++)
		positions[k] = k;
	for (size_t k = tc->n; k > 1; k--) {
		size_t j = below(&rng, k), t = positions[k - 1];

		positions[k - 1] = positions[j];
		positions[j] = t;
	}
	random_ids(tc, &rng);
	for (size_t d = 0; d < n_dcs; d++)
		for (size_t r = 0; r < racks_per_dc; r++)
			for (size_t b = 0; b < per_rack; b++)
				set_broker(tc, positions[i++], (int)(d * racks_per_dc + r), (int)d);
	index_ids(tc);
	random_loads(tc, &rng);
	random_policy(tc, &rng, false);
}

/* ---------- the rules, restated ---------- */

static int broker_pos(const struct tcase *tc, int32_t id)
{
	return id > 0 && id < MAX_ID ? tc->pos_of_id[id] : -1;
}

static int pref_index(const struct tcase *tc)
{
	for (int d = 0; d < 4; d++)
		if (tc->pref && strcmp(tc->pref, dc_names[d]) == 0)
			return d;
	return NO_GROUP;
}

/* Whether `ids` (n of them) is a complete valid list for the case: RF, distinct, known, strategy, leader DC. */
static bool valid_list(const struct tcase *tc, const int32_t *ids, size_t n)
{
	bool rack_seen[7] = {false};
	size_t racks = 0;
	size_t dc_cnt[4] = {0}, dc_racks[4] = {0};
	bool dc_rack_seen[4][7] = {{false}};

	if (n != tc->rf)
		return false;
	for (size_t i = 0; i < n; i++) {
		int pos = broker_pos(tc, ids[i]);

		if (pos < 0)
			return false;
		for (size_t e = 0; e < i; e++)
			if (ids[e] == ids[i])
				return false;
		if (!rack_seen[group_of(tc, (size_t)pos)]) {
			rack_seen[group_of(tc, (size_t)pos)] = true;
			racks++;
		}
		if (tc->dc[pos] != NO_GROUP) {
			dc_cnt[tc->dc[pos]]++;
			if (!dc_rack_seen[tc->dc[pos]][group_of(tc, (size_t)pos)]) {
				dc_rack_seen[tc->dc[pos]][group_of(tc, (size_t)pos)] = true;
				dc_racks[tc->dc[pos]]++;
			}
		}
	}
	if (tc->pref && tc->dc[broker_pos(tc, ids[0])] != pref_index(tc))
		return false;
	if (tc->strategy == KDR_PLACEMENT_RACK_AWARE)
		return racks >= (n < tc->groups ? n : tc->groups);
	if (tc->strategy == KDR_PLACEMENT_CROSS_DC) {
		size_t q = n / tc->dcs, hi = q + (n % tc->dcs != 0);

		for (int d = 0; d < 4; d++) {
			size_t groups = tc->dc_groups[d];

			if (!tc->dc_brokers[d])
				continue;
			if (dc_cnt[d] < q || dc_cnt[d] > hi)
				return false;
			if (dc_racks[d] < (dc_cnt[d] < groups ? dc_cnt[d] : groups))
				return false;
		}
	}
	return true;
}

/*
 * The preference assign() adds on top of the rules (check() does not demand
 * it of existing lists): under cross-dc with a preferred leader DC and RF not
 * a multiple of the DCs, the preferred DC holds the larger share, unless it
 * cannot (too few brokers) or the other DCs could then not make up the rest.
 */
static bool preferred_share_ok(const struct tcase *tc, const int32_t *ids, size_t n)
{
	size_t q = 0, rem = 0, held = 0, others_can = 0;
	int pref = NO_GROUP;

	if (tc->strategy != KDR_PLACEMENT_CROSS_DC || !tc->pref || !tc->dcs)
		return true;
	q = n / tc->dcs;
	rem = n % tc->dcs;
	pref = pref_index(tc);
	if (rem == 0 || pref == NO_GROUP || tc->dc_brokers[pref] < q + 1)
		return true;
	for (int d = 0; d < 4; d++)
		others_can += d != pref && tc->dc_brokers[d] >= q + 1;
	if (others_can < rem - 1)
		return true;
	for (size_t i = 0; i < n; i++) {
		int pos = broker_pos(tc, ids[i]);

		held += pos >= 0 && tc->dc[pos] == pref;
	}
	return held == q + 1;
}

/* Whether the request can be met, by the rules (independent of the implementation's checks). */
static bool feasible(const struct tcase *tc)
{
	size_t dcs = tc->dcs;

	if (tc->rf < 1 || tc->rf > tc->n)
		return false;
	if (tc->pref && pref_index(tc) == NO_GROUP)
		return false;
	if (tc->pref) {
		bool any = false;

		for (size_t i = 0; i < tc->n; i++)
			any = any || tc->dc[i] == pref_index(tc);
		if (!any)
			return false;
	}
	if (tc->strategy == KDR_PLACEMENT_CROSS_DC) {
		size_t q = 0, rem = 0, roomy = 0;

		if (dcs == 0)
			return false;
		for (size_t i = 0; i < tc->n; i++)
			if (tc->dc[i] == NO_GROUP)
				return false;
		q = tc->rf / dcs;
		rem = tc->rf % dcs;
		for (int d = 0; d < 4; d++) {
			size_t in_dc = 0;

			for (size_t i = 0; i < tc->n; i++)
				in_dc += tc->dc[i] == d;
			if (!in_dc)
				continue;
			if (in_dc < q)
				return false;
			roomy += in_dc > q;
		}
		if (roomy < rem)
			return false;
	}
	return true;
}

/* ---------- properties ---------- */

struct loads {
	size_t replicas[MAX_BROKERS];
	size_t leaders[MAX_BROKERS];
};

static void initial_loads(struct loads *l, const struct tcase *tc)
{
	for (size_t i = 0; i < tc->n; i++) {
		l->replicas[i] = tc->brokers[i].replicas;
		l->leaders[i] = tc->brokers[i].leaders;
	}
	for (size_t p = 0; p < tc->existing.n; p++)
		for (size_t r = 0; r < tc->existing.partitions[p].n; r++) {
			int pos = broker_pos(tc, tc->existing.partitions[p].ids[r]);

			if (pos < 0)
				continue;
			l->replicas[pos]++;
			if (r == 0)
				l->leaders[pos]++;
		}
}

static bool leader_eligible(const struct tcase *tc, size_t pos)
{
	return tc->may_lead[pos];
}

static void no_violations(const struct tcase *tc, const struct kdr_placement_request *req,
			  const struct kdr_assignment *a, const struct kdr_assignment *out)
{
	struct kdr_placement_violations v = {NULL, 0, 0};
	int rc = kdr_placement_check(&v, req, a);

	EXPECT(tc, out, rc == 0, "check failed: %s", kdr_error_message());
	EXPECT(tc, out, v.n == 0, "check reports %zu violations, first: %s", v.n, v.n ? v.v[0].message : "");
	kdr_placement_violations_release(&v);
}

static void check_properties(struct tcase *tc, const struct kdr_assignment *out)
{
	struct kdr_placement_request req;
	struct loads l;
	size_t min_leaders = SIZE_MAX, max_leaders = 0, min_r = SIZE_MAX, max_r = 0;
	bool leaders_started_balanced = true;
	int32_t ids[8];

	request_of(&req, tc);
	initial_loads(&l, tc);
	for (size_t i = 0; i < tc->n; i++)
		tc->may_lead[i] = !tc->pref || tc->dc[i] == pref_index(tc);
	EXPECT(tc, out, out->n == tc->partitions - tc->existing.n, "%zu partitions returned", out->n);

	/* Every list valid: RF, distinct, known, strategy, preferred leader DC. */
	for (size_t p = 0; p < out->n; p++) {
		EXPECT(tc, out, valid_list(tc, out->partitions[p].ids, out->partitions[p].n),
		       "partition %zu breaks the rules", tc->existing.n + p);
		EXPECT(tc, out, preferred_share_ok(tc, out->partitions[p].ids, out->partitions[p].n),
		       "partition %zu: the preferred leader datacenter does not hold the larger share",
		       tc->existing.n + p);
	}

	/* check() agrees: nothing to report for the new partitions, nor for old + new when both came from assign. */
	no_violations(tc, &req, out, out);
	if (tc->existing.n) {
		struct kdr_assignment all = {NULL, 0};

		all.n = tc->existing.n + out->n;
		all.partitions = calloc(all.n, sizeof(*all.partitions));
		memcpy(all.partitions, tc->existing.partitions, tc->existing.n * sizeof(*all.partitions));
		memcpy(all.partitions + tc->existing.n, out->partitions, out->n * sizeof(*all.partitions));
		no_violations(tc, &req, &all, out);
		free(all.partitions);
	}

	/* Leaders: each new leader had the fewest leaders among the brokers allowed to lead. */
	for (size_t i = 0; i < tc->n; i++)
		if (leader_eligible(tc, i)) {
			min_leaders = l.leaders[i] < min_leaders ? l.leaders[i] : min_leaders;
			max_leaders = l.leaders[i] > max_leaders ? l.leaders[i] : max_leaders;
		}
	leaders_started_balanced = max_leaders <= min_leaders + 1;
	for (size_t p = 0; p < out->n; p++) {
		int leader = broker_pos(tc, out->partitions[p].ids[0]);
		size_t fewest = SIZE_MAX;

		for (size_t i = 0; i < tc->n; i++)
			if (leader_eligible(tc, i) && l.leaders[i] < fewest)
				fewest = l.leaders[i];
		EXPECT(tc, out, l.leaders[leader] == fewest,
		       "partition %zu: leader %d had %zu leaders, broker(s) allowed to lead had %zu",
		       tc->existing.n + p, (int)out->partitions[p].ids[0], l.leaders[leader], fewest);
		l.leaders[leader]++;
		for (size_t r = 0; r < out->partitions[p].n; r++)
			l.replicas[broker_pos(tc, out->partitions[p].ids[r])]++;
	}
	if (leaders_started_balanced) {
		min_leaders = SIZE_MAX;
		max_leaders = 0;
		for (size_t i = 0; i < tc->n; i++)
			if (leader_eligible(tc, i)) {
				min_leaders = l.leaders[i] < min_leaders ? l.leaders[i] : min_leaders;
				max_leaders = l.leaders[i] > max_leaders ? l.leaders[i] : max_leaders;
			}
		EXPECT(tc, out, max_leaders <= min_leaders + 1, "leaders end between %zu and %zu", min_leaders,
		       max_leaders);
	}

	/*
	 * Replicas, in general: no follower of a new partition could move to
	 * another broker, keeping the rules, and narrow the gap (final loads).
	 */
	for (size_t p = 0; p < out->n; p++) {
		const struct kdr_replica_list *list = &out->partitions[p];

		memcpy(ids, list->ids, list->n * sizeof(int32_t));
		for (size_t j = 1; j < list->n; j++) {
			size_t from = (size_t)broker_pos(tc, list->ids[j]);
			/* Whether a broker fits slot j depends only on its rack group and DC (unless listed already).
			 */
			signed char fits[7][5];

			memset(fits, -1, sizeof(fits));
			for (size_t b = 0; b < tc->n; b++) {
				signed char *memo = &fits[group_of(tc, b)][tc->dc[b] + 1];
				bool listed = false;

				if (l.replicas[from] <= l.replicas[b] + 1)
					continue;
				for (size_t r = 0; r < list->n; r++)
					listed = listed || list->ids[r] == tc->brokers[b].id;
				if (listed)
					continue;
				ids[j] = tc->brokers[b].id;
				if (*memo < 0)
					*memo = (signed char)(valid_list(tc, ids, list->n) &&
							      preferred_share_ok(tc, ids, list->n));
				EXPECT(tc, out, !*memo,
				       "partition %zu: its replica on broker %d (%zu replicas) could be on broker %d "
				       "(%zu replicas)",
				       tc->existing.n + p, (int)list->ids[j], l.replicas[from], (int)tc->brokers[b].id,
				       l.replicas[b]);
				ids[j] = list->ids[j];
			}
		}
	}

	tc->tally->placed[tc->strategy]++;
	tc->tally->grown += tc->existing.n > 0;
	tc->tally->preferred += tc->pref != NULL;

	/* Replicas, where the cluster allows it: within 1. */
	if (tc->equal_load && !tc->pref && (tc->strategy == KDR_PLACEMENT_ANY || tc->uniform)) {
		for (size_t i = 0; i < tc->n; i++) {
			min_r = l.replicas[i] < min_r ? l.replicas[i] : min_r;
			max_r = l.replicas[i] > max_r ? l.replicas[i] : max_r;
		}
		EXPECT(tc, out, max_r <= min_r + 1, "replicas end between %zu and %zu", min_r, max_r);
		tc->tally->within_one++;
	}
}

static bool same_assignment(const struct kdr_assignment *a, const struct kdr_assignment *b)
{
	if (a->n != b->n)
		return false;
	for (size_t p = 0; p < a->n; p++)
		if (a->partitions[p].n != b->partitions[p].n ||
		    memcmp(a->partitions[p].ids, b->partitions[p].ids, a->partitions[p].n * sizeof(int32_t)) != 0)
			return false;
	return true;
}

/* Same input twice, and the brokers listed in another order: the same output. */
static void check_determinism(struct tcase *tc, const struct kdr_assignment *out)
{
	struct kdr_placement_request req;
	struct kdr_assignment again = {NULL, 0};
	struct tcase *shuffled = malloc(sizeof(*shuffled));

	request_of(&req, tc);
	EXPECT(tc, out, kdr_placement_assign(&again, &req) == 0, "second run failed: %s", kdr_error_message());
	EXPECT(tc, out, same_assignment(out, &again), "second run differs");
	kdr_assignment_release(&again);

	*shuffled = *tc;
	for (size_t i = 0; i < tc->n; i++) {
		size_t j = tc->n - 1 - i;

		shuffled->brokers[j] = tc->brokers[i];
		shuffled->rack[j] = tc->rack[i];
		shuffled->dc[j] = tc->dc[i];
	}
	index_ids(shuffled);
	request_of(&req, shuffled);
	EXPECT(tc, out, kdr_placement_assign(&again, &req) == 0, "reversed brokers failed: %s", kdr_error_message());
	EXPECT(tc, out, same_assignment(out, &again), "listing the brokers in reverse changes the assignment");
	kdr_assignment_release(&again);
	free(shuffled);
}

/* Runs one case: feasibility must match the rules; on success, every property. */
static void run_case(struct tcase *tc)
{
	struct kdr_placement_request req;
	struct kdr_assignment out = {NULL, 0};
	bool can = feasible(tc);
	int rc = 0;

	request_of(&req, tc);
	kdr_error_clear();
	rc = kdr_placement_assign(&out, &req);
	EXPECT(tc, &out, (rc == 0) == can, "assign returned %d (%s) but the case is %s", rc, kdr_error_message(),
	       can ? "feasible" : "infeasible");
	if (rc != 0) {
		EXPECT(tc, &out, rc == KDR_EINVALID && kdr_error_last() == KDR_EINVALID && kdr_error_message()[0],
		       "failure without KDR_EINVALID and a message");
		EXPECT(tc, &out, out.n == 0, "failure left %zu partitions", out.n);
		tc->tally->refused++;
		return;
	}
	check_properties(tc, &out);
	if (tc->check_determinism)
		check_determinism(tc, &out);
	kdr_assignment_release(&out);
}

/*
 * Growth: about half the feasible cases first create the topic with fewer
 * partitions, then grow it with that assignment as `existing`.
 */
static void run_with_growth(struct tcase *tc, struct kdr_rng *rng)
{
	struct kdr_placement_request req;

	if (feasible(tc) && tc->partitions > 1 && below(rng, 2) == 0) {
		size_t total = tc->partitions;

		tc->partitions = 1 + below(rng, total - 1);
		request_of(&req, tc);
		EXPECT(tc, NULL, kdr_placement_assign(&tc->existing, &req) == 0, "initial create failed: %s",
		       kdr_error_message());
		tc->partitions = total;
		tc->kind = tc->uniform ? "uniform, grown" : "general, grown";
	}
	run_case(tc);
	kdr_assignment_release(&tc->existing);
}

static uint64_t case_seed(uint64_t stream, size_t i)
{
	uint64_t mix[2] = {stream, (uint64_t)i};

	return kdr_hash64(mix, sizeof(mix), KDR_HASH64_SEED);
}

static void print_tally(const char *what, const struct tally *t)
{
	print_message("%s: placed %zu any, %zu rack-aware, %zu cross-dc (%zu grown, %zu with a preferred leader DC, "
		      "%zu held to within 1); refused %zu\n",
		      what, t->placed[KDR_PLACEMENT_ANY], t->placed[KDR_PLACEMENT_RACK_AWARE],
		      t->placed[KDR_PLACEMENT_CROSS_DC], t->grown, t->preferred, t->within_one, t->refused);
}

/* How many of `n` cases to run: all, unless KDR_PLACEMENT_CASES_PERCENT says fewer. */
static size_t cases(size_t n)
{
	const char *env = getenv("KDR_PLACEMENT_CASES_PERCENT");
	unsigned long percent = env && *env ? strtoul(env, NULL, 10) : 100;

	return percent >= 100 ? n : (n * percent / 100 ? n * percent / 100 : 1);
}

/* A seed from KDR_PLACEMENT_SEED replays one case of every test instead of the full run. */
static bool replay_seed(uint64_t *out)
{
	const char *env = getenv("KDR_PLACEMENT_SEED");

	if (!env || !*env)
		return false;
	*out = strtoull(env, NULL, 0);
	return true;
}

static void test_general_clusters(void **state)
{
	struct tcase *tc = malloc(sizeof(*tc));
	uint64_t seed = 0;
	bool replay = replay_seed(&seed);
	struct tally tally;

	(void)state;
	memset(&tally, 0, sizeof(tally));
	for (size_t i = 0; i < (replay ? 1 : cases(GENERAL_CASES)); i++) {
		struct kdr_rng rng;
		uint64_t s = replay ? seed : case_seed(1, i);

		general_case(tc, s);
		tc->tally = &tally;
		tc->check_determinism = replay || i % 8 == 0;
		kdr_rng_seed(&rng, s ^ 0x9e3779b97f4a7c15u);
		run_with_growth(tc, &rng);
	}
	print_tally("general clusters", &tally);
	free(tc);
}

static void test_uniform_clusters(void **state)
{
	struct tcase *tc = malloc(sizeof(*tc));
	uint64_t seed = 0;
	bool replay = replay_seed(&seed);
	struct tally tally;

	(void)state;
	memset(&tally, 0, sizeof(tally));
	for (size_t i = 0; i < (replay ? 1 : cases(UNIFORM_CASES)); i++) {
		struct kdr_rng rng;
		uint64_t s = replay ? seed : case_seed(2, i);

		uniform_case(tc, s);
		tc->tally = &tally;
		tc->check_determinism = replay || i % 8 == 0;
		kdr_rng_seed(&rng, s ^ 0x9e3779b97f4a7c15u);
		run_with_growth(tc, &rng);
	}
	print_tally("uniform clusters", &tally);
	free(tc);
}

/* static: valid assignments are returned as given (new partitions only); broken ones are refused. */
static void test_static_assignments(void **state)
{
	struct tcase *tc = malloc(sizeof(*tc));
	uint64_t seed = 0;
	bool replay = replay_seed(&seed);

	(void)state;
	for (size_t i = 0; i < (replay ? 1 : cases(STATIC_CASES)); i++) {
		struct kdr_rng rng;
		struct kdr_placement_request req;
		struct kdr_assignment out = {NULL, 0};
		size_t flaw = 0, existing = 0;
		bool ok = true;
		uint64_t s = replay ? seed : case_seed(3, i);
		int rc = 0;

		general_case(tc, s);
		tc->kind = "static";
		kdr_rng_seed(&rng, s ^ 0x9e3779b97f4a7c15u);
		tc->strategy = KDR_PLACEMENT_STATIC;
		tc->pref = NULL;
		tc->rf = 1 + below(&rng, tc->n < 6 ? tc->n : 6);
		tc->partitions = 1 + below(&rng, 20);
		kdr_assignment_init(&tc->static_assignment, tc->partitions, tc->rf);
		for (size_t p = 0; p < tc->partitions; p++) {
			/* a random permutation prefix: distinct known brokers */
			int pick[MAX_BROKERS];

			for (size_t k = 0; k < tc->n; k++)
				pick[k] = (int)k;
			for (size_t r = 0; r < tc->rf; r++) {
				size_t j = r + below(&rng, tc->n - r);
				int t = pick[r];

				pick[r] = pick[j];
				pick[j] = t;
				tc->static_assignment.partitions[p].ids[r] = tc->brokers[pick[r]].id;
			}
		}
		flaw = below(&rng, 6);
		if (flaw == 1 && tc->rf > 1) {
			tc->static_assignment.partitions[tc->partitions - 1].ids[1] =
			    tc->static_assignment.partitions[tc->partitions - 1].ids[0];
			ok = false;
		} else if (flaw == 2) {
			tc->static_assignment.partitions[0].ids[0] = 0; /* never a broker id here */
			ok = false;
		} else if (flaw == 3) {
			tc->partitions++; /* one partition missing */
			ok = false;
		} else if (flaw == 4 && tc->rf > 1) {
			tc->static_assignment.partitions[0].n--; /* wrong RF */
			ok = false;
		}
		existing = below(&rng, tc->partitions + (ok ? 1 : 0));
		if (existing) {
			tc->existing.n = existing;
			tc->existing.partitions = tc->static_assignment.partitions; /* a view */
		}
		request_of(&req, tc);
		rc = kdr_placement_assign(&out, &req);
		EXPECT(tc, &out, (rc == 0) == ok, "static assign returned %d (%s), expected %s", rc,
		       kdr_error_message(), ok ? "success" : "failure");
		if (ok) {
			struct kdr_assignment tail = {tc->static_assignment.partitions + existing,
						      tc->partitions - existing};

			EXPECT(tc, &out, same_assignment(&out, &tail), "static assign changed the lists");
			no_violations(tc, &req, &tc->static_assignment, &out);
		}
		if (flaw == 4 && tc->rf > 1)
			tc->static_assignment.partitions[0].n++;
		tc->existing.n = 0;
		tc->existing.partitions = NULL;
		kdr_assignment_release(&out);
		kdr_assignment_release(&tc->static_assignment);
	}
	free(tc);
}

/*
 * check() against the restated rules on random lists (not just assign's
 * output): it reports something exactly when a list breaks a rule.
 */
static void test_check_matches_rules(void **state)
{
	struct tcase *tc = malloc(sizeof(*tc));
	uint64_t seed = 0;
	bool replay = replay_seed(&seed);

	(void)state;
	for (size_t i = 0; i < (replay ? 1 : cases(LIST_CASES)); i++) {
		struct kdr_rng rng;
		struct kdr_placement_request req;
		struct kdr_assignment a = {NULL, 0};
		struct kdr_placement_violations v = {NULL, 0, 0};
		uint64_t s = replay ? seed : case_seed(4, i);
		int rc = 0;

		general_case(tc, s);
		tc->kind = "check";
		kdr_rng_seed(&rng, s ^ 0x9e3779b97f4a7c15u);
		if (tc->pref && pref_index(tc) == NO_GROUP)
			tc->pref = NULL;
		if (tc->strategy == KDR_PLACEMENT_CROSS_DC && !feasible(tc)) {
			/* check() needs datacenters for cross-dc, not the capacity to place */
			bool usable = tc->dcs > 0;

			for (size_t k = 0; k < tc->n; k++)
				usable = usable && tc->dc[k] != NO_GROUP;
			if (!usable)
				tc->strategy = KDR_PLACEMENT_RACK_AWARE;
		}
		a.n = 8;
		a.partitions = calloc(a.n, sizeof(*a.partitions));
		for (size_t p = 0; p < a.n; p++) {
			size_t len = tc->rf + below(&rng, 3) - (tc->rf > 1 && below(&rng, 2) ? 1 : 0);

			len = len > 7 ? 7 : len;
			a.partitions[p].n = below(&rng, 6) ? (tc->rf < tc->n ? tc->rf : tc->n) : len;
			a.partitions[p].ids = calloc(8, sizeof(int32_t));
			for (size_t r = 0; r < a.partitions[p].n; r++)
				a.partitions[p].ids[r] = below(&rng, 30) ? tc->brokers[below(&rng, tc->n)].id
									 : (int32_t)(MAX_ID + below(&rng, 5));
		}
		request_of(&req, tc);
		rc = kdr_placement_check(&v, &req, &a);
		EXPECT(tc, &a, rc == 0, "check failed: %s", kdr_error_message());
		for (size_t p = 0; p < a.n; p++) {
			bool reported = false;

			for (size_t k = 0; k < v.n; k++)
				reported = reported || v.v[k].partition == (int32_t)p;
			EXPECT(tc, &a, reported == !valid_list(tc, a.partitions[p].ids, a.partitions[p].n),
			       "partition %zu: check %s, the rules say %s", p, reported ? "reports it" : "is silent",
			       valid_list(tc, a.partitions[p].ids, a.partitions[p].n) ? "valid" : "invalid");
		}
		kdr_placement_violations_release(&v);
		kdr_assignment_release(&a);
	}
	free(tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_general_clusters),
	    cmocka_unit_test(test_uniform_clusters),
	    cmocka_unit_test(test_static_assignments),
	    cmocka_unit_test(test_check_matches_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
