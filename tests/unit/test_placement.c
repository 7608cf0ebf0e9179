/*
 * Exact-value tests of pkg/placement: small fixed clusters with their
 * expected assignments worked out by hand, every error message, check()
 * messages and the DC-loss analysis. The random-cluster properties are in
 * test_placement_props.c.
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

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---------- clusters ---------- */

/* Three racks of two, no datacenters. */
static const struct kdr_placement_broker three_racks[] = {
    {1, "a", NULL, 0, 0}, {2, "a", NULL, 0, 0}, {3, "b", NULL, 0, 0},
    {4, "b", NULL, 0, 0}, {5, "c", NULL, 0, 0}, {6, "c", NULL, 0, 0},
};

/* A stretch cluster: two DCs, each with a rack of two and a rack of one. */
static const struct kdr_placement_broker stretch[] = {
    {1, "east-a", "east", 0, 0}, {2, "east-a", "east", 0, 0}, {3, "east-b", "east", 0, 0},
    {4, "west-a", "west", 0, 0}, {5, "west-a", "west", 0, 0}, {6, "west-b", "west", 0, 0},
};

static struct kdr_placement_request request(const struct kdr_placement_broker *brokers, size_t n, const char *topic,
					    enum kdr_placement_strategy strategy, size_t rf, size_t partitions)
{
	struct kdr_placement_request req;

	memset(&req, 0, sizeof(req));
	req.topic = topic;
	req.brokers = brokers;
	req.n_brokers = n;
	req.strategy = strategy;
	req.replication_factor = rf;
	req.partitions = partitions;
	return req;
}

/* An assignment of `n` lists of `rf` ids from `flat` (owned: release it). */
static struct kdr_assignment lists(const int32_t *flat, size_t n, size_t rf)
{
	struct kdr_assignment a = {NULL, 0};

	kdr_assignment_init(&a, n, rf);
	for (size_t p = 0; p < n; p++)
		memcpy(a.partitions[p].ids, flat + p * rf, rf * sizeof(int32_t));
	return a;
}

static void print_assignment(const char *what, const struct kdr_assignment *a)
{
	print_message("%s:", what);
	for (size_t p = 0; p < a->n; p++) {
		print_message(" [");
		for (size_t r = 0; r < a->partitions[p].n; r++)
			print_message("%s%d", r ? "," : "", (int)a->partitions[p].ids[r]);
		print_message("]");
	}
	print_message("\n");
}

static void assert_lists(const struct kdr_assignment *got, const int32_t *flat, size_t n, size_t rf)
{
	struct kdr_assignment want = lists(flat, n, rf);
	bool same = got->n == n;

	for (size_t p = 0; same && p < n; p++)
		same = got->partitions[p].n == rf &&
		       memcmp(got->partitions[p].ids, want.partitions[p].ids, rf * sizeof(int32_t)) == 0;
	if (!same) {
		print_assignment("expected", &want);
		print_assignment("got     ", got);
	}
	kdr_assignment_release(&want);
	assert_true(same);
}

static void assign_ok(struct kdr_assignment *out, const struct kdr_placement_request *req)
{
	int rc = kdr_placement_assign(out, req);

	if (rc != 0)
		print_message("unexpected error: %s\n", kdr_error_message());
	assert_int_equal(rc, 0);
}

static void assert_assign_error(const struct kdr_placement_request *req, const char *message)
{
	struct kdr_assignment out = {NULL, 0};

	kdr_error_clear();
	assert_int_equal(kdr_placement_assign(&out, req), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), message);
	assert_int_equal(kdr_error_last(), KDR_EINVALID);
	assert_int_equal(out.n, 0);
	kdr_assignment_release(&out);
}

/* ---------- assign: fixed cases ---------- */

/*
 * Rack-aware, RF 3 over three racks of two, six partitions. The tie-break
 * order alternates racks: 1,3,5,2,4,6; "orders" seeds rotation 0, and each
 * partition starts one further. Partition 0: leader 1 (all equal), then the
 * least-loaded broker of each rack not yet used: 3, 5. Partition 1: the
 * brokers without a leader and with fewest replicas are 2,4,6 -> [2,4,6].
 * Partition 2 starts at 5: leader 5; followers (all at one replica) prefer
 * the most leaders: 2 (rack a, led p1), then rack b's 4 -> [5,2,4]; and so
 * on. Every broker ends with 3 replicas and leads once.
 */
static void test_assign_rack_aware_exact(void **state)
{
	struct kdr_placement_request req =
	    request(three_racks, N(three_racks), "orders", KDR_PLACEMENT_RACK_AWARE, 3, 6);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {1, 3, 5, 2, 4, 6, 5, 2, 4, 6, 1, 3, 4, 6, 1, 3, 5, 2};

	(void)state;
	assign_ok(&out, &req);
	assert_lists(&out, want, 6, 3);
	kdr_assignment_release(&out);
}

/* Another topic, same cluster: "payments" seeds rotation 2, so it starts at broker 5. */
static void test_assign_other_topic_other_rotation(void **state)
{
	struct kdr_placement_request req =
	    request(three_racks, N(three_racks), "payments", KDR_PLACEMENT_RACK_AWARE, 3, 6);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {5, 2, 4, 6, 1, 3, 4, 6, 1, 3, 5, 2, 1, 3, 5, 2, 4, 6};
	struct kdr_rng rng;

	(void)state;
	kdr_rng_seed(&rng, kdr_hash64_str("payments"));
	assert_int_equal(kdr_rng_below(&rng, 6), 2);
	assign_ok(&out, &req);
	assert_lists(&out, want, 6, 3);
	kdr_assignment_release(&out);
}

/* Over many topics, partition 0 is led by every broker in turn, not always the same one. */
static void test_assign_topics_spread_leadership(void **state)
{
	size_t led[7] = {0};

	(void)state;
	for (int t = 0; t < 60; t++) {
		char topic[32];
		struct kdr_placement_request req =
		    request(three_racks, N(three_racks), topic, KDR_PLACEMENT_RACK_AWARE, 3, 1);
		struct kdr_assignment out = {NULL, 0};

		snprintf(topic, sizeof(topic), "topic-%d", t);
		assign_ok(&out, &req);
		led[out.partitions[0].ids[0]]++;
		kdr_assignment_release(&out);
	}
	for (int b = 1; b <= 6; b++) {
		if (led[b] < 3)
			print_message("broker %d leads partition 0 of only %zu topics\n", b, led[b]);
		assert_true(led[b] >= 3);
	}
}

/*
 * Strategy any, three brokers without racks, RF 2. "events" rotation 0.
 * p0: [1,2]. p1 starts at 2: leader 3 (no leader, fewest replicas); follower
 * 1 or 2 (one replica each), 1 has more leaders -> [3,1]. p2: leader 2 (the
 * only one without a leader), follower 3 (fewer replicas than 1) -> [2,3].
 */
static void test_assign_any_exact(void **state)
{
	const struct kdr_placement_broker plain[] = {
	    {1, NULL, NULL, 0, 0}, {2, NULL, NULL, 0, 0}, {3, NULL, NULL, 0, 0}};
	struct kdr_placement_request req = request(plain, N(plain), "events", KDR_PLACEMENT_ANY, 2, 3);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {1, 2, 3, 1, 2, 3};

	(void)state;
	assign_ok(&out, &req);
	assert_lists(&out, want, 3, 2);
	kdr_assignment_release(&out);
}

/*
 * Cross-dc RF 3 over east/west with the leaders in east: the preferred DC
 * takes the larger share in every partition (2 east + 1 west), so losing
 * west leaves two replicas in the leaders' DC; east's two replicas are on its
 * two racks, so the lone broker of east-b (3) is in every partition; leaders
 * 1,2,3,1.
 */
static void test_assign_cross_dc_preferred_leader(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "orders", KDR_PLACEMENT_CROSS_DC, 3, 4);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {1, 4, 3, 2, 6, 3, 3, 5, 2, 1, 6, 3};

	(void)state;
	req.preferred_leader_datacenter = "east";
	assign_ok(&out, &req);
	assert_lists(&out, want, 4, 3);
	kdr_assignment_release(&out);
}

/*
 * Cross-dc RF 4: 2+2, each DC's pair on both its racks, so the lone brokers
 * of east-b (3) and west-b (6) are in every partition. Leaders go to four
 * different brokers.
 */
static void test_assign_cross_dc_even(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "orders", KDR_PLACEMENT_CROSS_DC, 4, 4);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {1, 4, 3, 6, 2, 5, 3, 6, 5, 2, 3, 6, 4, 1, 6, 3};

	(void)state;
	assign_ok(&out, &req);
	assert_lists(&out, want, 4, 4);
	kdr_assignment_release(&out);
}

/* One replica per DC when RF equals the number of DCs. */
static void test_assign_cross_dc_one_per_dc(void **state)
{
	const struct kdr_placement_broker three_dcs[] = {
	    {1, "a1", "a", 0, 0}, {2, "a2", "a", 0, 0}, {3, "b1", "b", 0, 0},
	    {4, "b1", "b", 0, 0}, {5, "c1", "c", 0, 0}, {6, "c2", "c", 0, 0},
	};
	struct kdr_placement_request req = request(three_dcs, N(three_dcs), "t", KDR_PLACEMENT_CROSS_DC, 3, 12);
	struct kdr_assignment out = {NULL, 0};

	(void)state;
	assign_ok(&out, &req);
	for (size_t p = 0; p < out.n; p++) {
		bool seen[3] = {false};

		for (size_t r = 0; r < 3; r++)
			seen[(out.partitions[p].ids[r] - 1) / 2] = true;
		assert_true(seen[0] && seen[1] && seen[2]);
	}
	kdr_assignment_release(&out);
}

/*
 * A DC with exactly its floor of brokers never takes the ceil: RF 3 over a
 * one-broker DC and a four-broker DC is always 1 + 2, never a spill below
 * the floor (see test_assign_errors for a DC below its floor).
 */
static void test_assign_cross_dc_small_dc_takes_floor(void **state)
{
	const struct kdr_placement_broker lopsided[] = {
	    {1, "e", "east", 0, 0},  {2, "w1", "west", 0, 0}, {3, "w1", "west", 0, 0},
	    {4, "w2", "west", 0, 0}, {5, "w2", "west", 0, 0},
	};
	struct kdr_placement_request req = request(lopsided, N(lopsided), "t", KDR_PLACEMENT_CROSS_DC, 3, 10);
	struct kdr_assignment out = {NULL, 0};

	(void)state;
	assign_ok(&out, &req);
	for (size_t p = 0; p < out.n; p++) {
		size_t east = 0;

		for (size_t r = 0; r < 3; r++)
			east += out.partitions[p].ids[r] == 1;
		assert_int_equal(east, 1);
	}
	kdr_assignment_release(&out);
}

/*
 * Growth: partitions 0-2 exist on brokers 1,3,5 (three replicas each, one
 * leader each). The three new ones (numbered 3-5) go to 2,4,6 first, so
 * every broker ends with three replicas and one leader.
 */
static void test_assign_growth(void **state)
{
	const int32_t old[] = {1, 3, 5, 3, 5, 1, 5, 1, 3};
	struct kdr_assignment existing = lists(old, 3, 3);
	struct kdr_placement_request req =
	    request(three_racks, N(three_racks), "orders", KDR_PLACEMENT_RACK_AWARE, 3, 6);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {2, 4, 6, 4, 2, 6, 6, 2, 4};

	(void)state;
	req.existing = &existing;
	assign_ok(&out, &req);
	assert_lists(&out, want, 3, 3);
	kdr_assignment_release(&out);

	/* Nothing to add. */
	req.partitions = 3;
	assign_ok(&out, &req);
	assert_int_equal(out.n, 0);
	kdr_assignment_release(&out);
	kdr_assignment_release(&existing);
}

/*
 * Load from other topics counts: broker 1 already holds 30 replicas, so rack
 * a's replica of every partition goes to broker 2, and the leaders to the
 * brokers with fewest leaders (2, 3, 4, then 3 with fewer replicas than 2).
 */
static void test_assign_existing_load(void **state)
{
	const struct kdr_placement_broker loaded[] = {
	    {1, "a", NULL, 30, 10}, {2, "a", NULL, 0, 0}, {3, "b", NULL, 0, 0}, {4, "b", NULL, 0, 0}};
	struct kdr_placement_request req = request(loaded, N(loaded), "orders", KDR_PLACEMENT_RACK_AWARE, 2, 4);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {2, 4, 3, 2, 4, 2, 3, 2};

	(void)state;
	assign_ok(&out, &req);
	assert_lists(&out, want, 4, 2);
	kdr_assignment_release(&out);
}

/* Brokers given in any order give the same assignment. */
static void test_assign_input_order_irrelevant(void **state)
{
	const struct kdr_placement_broker shuffled[] = {
	    {6, "c", NULL, 0, 0}, {3, "b", NULL, 0, 0}, {1, "a", NULL, 0, 0},
	    {5, "c", NULL, 0, 0}, {2, "a", NULL, 0, 0}, {4, "b", NULL, 0, 0},
	};
	struct kdr_placement_request req = request(shuffled, N(shuffled), "orders", KDR_PLACEMENT_RACK_AWARE, 3, 6);
	struct kdr_assignment out = {NULL, 0};
	const int32_t want[] = {1, 3, 5, 2, 4, 6, 5, 2, 4, 6, 1, 3, 4, 6, 1, 3, 5, 2};

	(void)state;
	assign_ok(&out, &req);
	assert_lists(&out, want, 6, 3);
	kdr_assignment_release(&out);
}

/* static: the lists as given; with existing partitions, only the new ones. */
static void test_assign_static(void **state)
{
	const int32_t given[] = {1, 2, 3, 2, 3, 4, 3, 4, 5};
	struct kdr_assignment sa = lists(given, 3, 3);
	struct kdr_assignment existing = lists(given, 1, 3);
	struct kdr_placement_request req = request(three_racks, N(three_racks), "t", KDR_PLACEMENT_STATIC, 3, 3);
	struct kdr_assignment out = {NULL, 0};

	(void)state;
	req.static_assignment = &sa;
	assign_ok(&out, &req);
	assert_lists(&out, given, 3, 3);
	kdr_assignment_release(&out);

	req.existing = &existing;
	assign_ok(&out, &req);
	assert_lists(&out, given + 3, 2, 3);
	kdr_assignment_release(&out);
	kdr_assignment_release(&existing);
	kdr_assignment_release(&sa);
}

/* ---------- assign: every error ---------- */

static void test_assign_errors(void **state)
{
	const struct kdr_placement_broker dup[] = {{1, "a", NULL, 0, 0}, {2, "a", NULL, 0, 0}, {1, "b", NULL, 0, 0}};
	const struct kdr_placement_broker no_dcs[] = {{1, "a", NULL, 0, 0}, {2, "b", NULL, 0, 0}};
	const struct kdr_placement_broker rackless[] = {{1, "e", "east", 0, 0}, {2, NULL, NULL, 0, 0}};
	const struct kdr_placement_broker unmapped[] = {{1, "e", "east", 0, 0}, {2, "x", NULL, 0, 0}};
	const struct kdr_placement_broker split_rack[] = {{1, "r", "east", 0, 0}, {2, "r", "west", 0, 0}};
	const struct kdr_placement_broker small_dc[] = {
	    {1, "e1", "east", 0, 0}, {2, "w1", "west", 0, 0}, {3, "w1", "west", 0, 0}, {4, "w2", "west", 0, 0}};
	const struct kdr_placement_broker tight[] = {
	    {1, "a", "a", 0, 0}, {2, "b", "b", 0, 0}, {3, "c", "c", 0, 0}, {4, "c", "c", 0, 0}, {5, "c", "c", 0, 0}};
	const int32_t one[] = {1, 2, 3};
	struct kdr_assignment existing = lists(one, 1, 3);
	struct kdr_placement_request req;

	(void)state;
	req = request(three_racks, N(three_racks), NULL, KDR_PLACEMENT_ANY, 3, 1);
	assert_assign_error(&req, "a topic name is needed: it seeds the placement");

	req = request(three_racks, 0, "t", KDR_PLACEMENT_ANY, 3, 1);
	assert_assign_error(&req, "no brokers to place replicas on");

	req = request(three_racks, N(three_racks), "t", KDR_PLACEMENT_ANY, 0, 1);
	assert_assign_error(&req, "replication factor 0 is invalid; it must be at least 1");

	req = request(three_racks, 3, "t", KDR_PLACEMENT_ANY, 4, 1);
	assert_assign_error(&req, "replication factor 4 exceeds the 3 available brokers");
	req = request(three_racks, 1, "t", KDR_PLACEMENT_ANY, 2, 1);
	assert_assign_error(&req, "replication factor 2 exceeds the 1 available broker");

	req = request(three_racks, N(three_racks), "t", KDR_PLACEMENT_ANY, 3, 0);
	assert_assign_error(&req, "partition count 0 is invalid; it must be at least 1");

	req = request(three_racks, N(three_racks), "t", KDR_PLACEMENT_ANY, 3, 1);
	existing.n = 1;
	req.partitions = 1;
	req.existing = &existing;
	{
		struct kdr_assignment none = {NULL, 0};

		assert_int_equal(kdr_placement_assign(&none, &req), 0);
		assert_int_equal(none.n, 0);
		kdr_assignment_release(&none);
	}
	{
		struct kdr_assignment two = lists((const int32_t[]){1, 2, 3, 4, 5, 6}, 2, 3);

		req.existing = &two;
		assert_assign_error(&req,
				    "the topic already has 2 partitions, more than the 1 wanted; partitions only grow");
		kdr_assignment_release(&two);
	}

	req = request(dup, N(dup), "t", KDR_PLACEMENT_ANY, 1, 1);
	assert_assign_error(&req, "broker 1 is listed twice");

	req = request(no_dcs, N(no_dcs), "t", KDR_PLACEMENT_CROSS_DC, 2, 1);
	assert_assign_error(&req, "cross-dc placement needs datacenters, but no broker's rack is in one");

	req = request(rackless, N(rackless), "t", KDR_PLACEMENT_CROSS_DC, 1, 1);
	assert_assign_error(&req, "broker 2 has no rack; cross-dc placement needs every broker's rack in a datacenter");

	req = request(unmapped, N(unmapped), "t", KDR_PLACEMENT_CROSS_DC, 1, 1);
	assert_assign_error(
	    &req, "broker 2 (rack 'x') is in no datacenter; cross-dc placement needs every broker's rack in a "
		  "datacenter");

	req = request(split_rack, N(split_rack), "t", KDR_PLACEMENT_CROSS_DC, 1, 1);
	assert_assign_error(&req, "rack 'r' is in two datacenters, 'east' and 'west'");

	/* RF 4 over 2 DCs puts 2 in each: east has 1 (an error, not a spill into west). */
	req = request(small_dc, N(small_dc), "t", KDR_PLACEMENT_CROSS_DC, 4, 1);
	assert_assign_error(&req, "datacenter 'east' has 1 broker, fewer than the 2 replicas cross-dc puts in each of "
				  "2 datacenters for replication factor 4");

	/* RF 5 over 3 DCs is 2+2+1: two DCs need 2 brokers, only c has them. */
	req = request(tight, N(tight), "t", KDR_PLACEMENT_CROSS_DC, 5, 1);
	assert_assign_error(&req, "replication factor 5 over 3 datacenters needs 2 datacenters with at least 2 "
				  "brokers for cross-dc, but 1 has");

	req = request(no_dcs, N(no_dcs), "t", KDR_PLACEMENT_RACK_AWARE, 1, 1);
	req.preferred_leader_datacenter = "east";
	assert_assign_error(&req, "preferred leader datacenter 'east' is unknown: no broker's rack is in a datacenter");

	req = request(stretch, N(stretch), "t", KDR_PLACEMENT_RACK_AWARE, 1, 1);
	req.preferred_leader_datacenter = "north";
	assert_assign_error(&req, "preferred leader datacenter 'north' has no brokers; brokers are in 'east', 'west'");

	kdr_assignment_release(&existing);
}

static void test_assign_static_errors(void **state)
{
	const int32_t good[] = {1, 2, 3, 2, 3, 4};
	const int32_t dup[] = {1, 2, 3, 2, 2, 4};
	const int32_t unknown[] = {1, 2, 3, 2, 9, 4};
	const int32_t west_leader[] = {1, 2, 3, 4, 1, 2};
	struct kdr_assignment sa = lists(good, 2, 3);
	struct kdr_placement_request req = request(stretch, N(stretch), "t", KDR_PLACEMENT_STATIC, 3, 2);

	(void)state;
	assert_assign_error(&req, "strategy static needs an assignment of every partition, and there is none");

	req.static_assignment = &sa;
	req.partitions = 3;
	assert_assign_error(&req, "the static assignment lists 2 partitions, the topic wants 3");
	req.partitions = 1;
	assert_assign_error(&req, "the static assignment lists 2 partitions, the topic wants 1");

	req.partitions = 2;
	sa.partitions[1].n = 2;
	assert_assign_error(&req, "static assignment: partition 1 has 2 replicas [2,3]; the replication factor is 3");
	sa.partitions[1].n = 3;
	kdr_assignment_release(&sa);

	sa = lists(dup, 2, 3);
	assert_assign_error(&req, "static assignment: partition 1 lists broker 2 twice in [2,2,4]");
	kdr_assignment_release(&sa);

	sa = lists(unknown, 2, 3);
	assert_assign_error(&req, "static assignment: partition 1: broker 9 is not a known broker");
	kdr_assignment_release(&sa);

	sa = lists(west_leader, 2, 3);
	req.preferred_leader_datacenter = "east";
	assert_assign_error(&req, "static assignment: partition 1: leader 4 is in datacenter 'west', not the "
				  "preferred leader datacenter 'east'");
	kdr_assignment_release(&sa);
}

/* ---------- check ---------- */

static void assert_violations(const struct kdr_placement_request *req, const int32_t *flat, size_t n, size_t rf,
			      const char *const *messages, const int32_t *partitions, size_t n_messages)
{
	struct kdr_assignment current = lists(flat, n, rf);
	struct kdr_placement_violations v = {NULL, 0, 0};

	bool same = false;

	assert_int_equal(kdr_placement_check(&v, req, &current), 0);
	same = v.n == n_messages;
	for (size_t i = 0; same && i < n_messages; i++)
		same = strcmp(v.v[i].message, messages[i]) == 0 && v.v[i].partition == partitions[i];
	for (size_t i = 0; !same && i < v.n; i++)
		print_message("got violation %zu: partition %d: %s\n", i, (int)v.v[i].partition, v.v[i].message);
	assert_int_equal(v.n, n_messages);
	for (size_t i = 0; i < n_messages; i++) {
		assert_string_equal(v.v[i].message, messages[i]);
		assert_int_equal(v.v[i].partition, partitions[i]);
	}
	kdr_placement_violations_release(&v);
	kdr_assignment_release(&current);
}

static void test_check_rack_aware(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "t", KDR_PLACEMENT_RACK_AWARE, 2, 4);
	const int32_t two[] = {1, 3, 4, 6, 1, 2, 6, 4};
	const char *const two_msgs[] = {
	    "partition 2: replicas [1,2] are all in rack 'east-a'; rack-aware wants 2 racks"};
	const int32_t two_parts[] = {2};
	const int32_t three[] = {1, 2, 4, 1, 3, 6};
	const char *const three_msgs[] = {"partition 0: replicas [1,2,4] span 2 racks; rack-aware wants 3 racks"};
	const int32_t three_parts[] = {0};
	const struct kdr_placement_broker mixed[] = {
	    {1, "a", NULL, 0, 0}, {7, NULL, NULL, 0, 0}, {8, NULL, NULL, 0, 0}};
	const int32_t norack[] = {7, 8, 1, 7};
	const char *const norack_msgs[] = {
	    "partition 0: replicas [7,8] are all without a rack; rack-aware wants 2 racks"};

	(void)state;
	assert_violations(&req, two, 4, 2, two_msgs, two_parts, 1);
	req.replication_factor = 3;
	assert_violations(&req, three, 2, 3, three_msgs, three_parts, 1);
	req = request(mixed, N(mixed), "t", KDR_PLACEMENT_RACK_AWARE, 2, 2);
	assert_violations(&req, norack, 2, 2, norack_msgs, three_parts, 1);
}

static void test_check_cross_dc(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "t", KDR_PLACEMENT_CROSS_DC, 3, 3);
	const int32_t current[] = {1, 4, 6, 1, 2, 3, 1, 2, 4};
	const char *const msgs[] = {
	    "partition 1: replicas [1,2,3] are 3 in 'east', 0 in 'west'; cross-dc wants 1 or 2 per datacenter",
	    "partition 2: replicas [1,2] in datacenter 'east' are all in rack 'east-a'; cross-dc wants 2 racks there",
	};
	const int32_t parts[] = {1, 2};
	const int32_t part0[] = {0};
	const int32_t even[] = {1, 3, 4, 5};
	const char *const even_msgs[] = {
	    "partition 0: replicas [4,5] in datacenter 'west' are all in rack 'west-a'; cross-dc wants 2 racks there"};

	(void)state;
	assert_violations(&req, current, 3, 3, msgs, parts, 2);
	req.replication_factor = 4;
	assert_violations(&req, even, 1, 4, even_msgs, part0, 1);
}

static void test_check_leader_rf_duplicates_unknown(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "t", KDR_PLACEMENT_ANY, 3, 4);
	const int32_t current[] = {4, 1, 3, 1, 1, 4, 1, 9, 4, 1, 4, 5};
	const char *const msgs[] = {
	    "partition 0: leader 4 is in datacenter 'west', not the preferred leader datacenter 'east'",
	    "partition 1: replicas [1,1,4] list broker 1 twice",
	    "partition 2: replica 9 is not a known broker",
	};
	const int32_t parts[] = {0, 1, 2};
	const int32_t short_list[] = {1, 4};
	const char *const short_msgs[] = {"partition 0: 2 replicas [1,4]; the replication factor is 3"};
	const struct kdr_placement_broker partly[] = {{1, "e", "east", 0, 0}, {2, NULL, NULL, 0, 0}};
	const int32_t rackless_leader[] = {2, 1};
	const char *const rackless_msgs[] = {
	    "partition 0: leader 2 is in no datacenter, not the preferred leader datacenter 'east'"};
	const int32_t triple[] = {1, 1, 1};
	const char *const triple_msgs[] = {"partition 0: replicas [1,1,1] list broker 1 3 times"};

	(void)state;
	req.preferred_leader_datacenter = "east";
	assert_violations(&req, current, 4, 3, msgs, parts, 3);
	req.preferred_leader_datacenter = NULL;
	assert_violations(&req, short_list, 1, 2, short_msgs, parts, 1);
	assert_violations(&req, triple, 1, 3, triple_msgs, parts, 1);
	req = request(partly, N(partly), "t", KDR_PLACEMENT_ANY, 2, 1);
	req.preferred_leader_datacenter = "east";
	assert_violations(&req, rackless_leader, 1, 2, rackless_msgs, parts, 1);
}

/* Several violations come in partition order, then RF, duplicates, unknown, strategy, leader. */
static void test_check_ordering(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "t", KDR_PLACEMENT_RACK_AWARE, 3, 2);
	const int32_t current[] = {4, 4, 6, 1, 1, 2, 9, 9};
	const char *const msgs[] = {
	    "partition 0: 4 replicas [4,4,6,1]; the replication factor is 3",
	    "partition 0: replicas [4,4,6,1] list broker 4 twice",
	    "partition 0: leader 4 is in datacenter 'west', not the preferred leader datacenter 'east'",
	    "partition 1: 4 replicas [1,2,9,9]; the replication factor is 3",
	    "partition 1: replicas [1,2,9,9] list broker 9 twice",
	    "partition 1: replica 9 is not a known broker",
	    "partition 1: replicas [1,2,9,9] are all in rack 'east-a'; rack-aware wants 2 racks",
	};
	const int32_t parts[] = {0, 0, 0, 1, 1, 1, 1};

	(void)state;
	req.preferred_leader_datacenter = "east";
	assert_violations(&req, current, 2, 4, msgs, parts, N(msgs));
}

static void test_check_static(void **state)
{
	const int32_t given[] = {1, 2, 3, 2, 3, 4};
	struct kdr_assignment sa = lists(given, 2, 3);
	struct kdr_placement_request req = request(stretch, N(stretch), "t", KDR_PLACEMENT_STATIC, 3, 3);
	const int32_t current[] = {1, 2, 3, 4, 3, 2, 1, 2, 3};
	const char *const msgs[] = {
	    "the topic has 3 partitions, the static assignment lists 2",
	    "partition 1: replicas [4,3,2] differ from the static assignment [2,3,4]",
	};
	const int32_t parts[] = {-1, 1};
	const char *const none[] = {NULL};

	(void)state;
	req.static_assignment = &sa;
	assert_violations(&req, current, 3, 3, msgs, parts, 2);
	/* Partitions the static assignment lists but the topic lacks are growth, not a violation. */
	assert_violations(&req, given, 1, 3, none, parts, 0);
	kdr_assignment_release(&sa);
}

static void test_check_clean_and_errors(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "orders", KDR_PLACEMENT_CROSS_DC, 3, 8);
	struct kdr_assignment out = {NULL, 0};
	struct kdr_placement_violations v = {NULL, 0, 0};
	const struct kdr_placement_broker no_dcs[] = {{1, "a", NULL, 0, 0}, {2, "b", NULL, 0, 0}};
	const struct kdr_placement_broker dup[] = {{1, "a", NULL, 0, 0}, {1, "b", NULL, 0, 0}};

	(void)state;
	req.preferred_leader_datacenter = "west";
	assign_ok(&out, &req);
	assert_int_equal(kdr_placement_check(&v, &req, &out), 0);
	assert_int_equal(v.n, 0);

	/* check() works where assign could not: a DC too small for RF 5 is still checkable. */
	req.replication_factor = 5;
	assert_int_equal(kdr_placement_check(&v, &req, &out), 0);
	assert_int_equal(v.n, 8); /* every partition has 3 replicas, not 5 */
	kdr_placement_violations_release(&v);

	req = request(no_dcs, N(no_dcs), "t", KDR_PLACEMENT_CROSS_DC, 2, 1);
	kdr_error_clear();
	assert_int_equal(kdr_placement_check(&v, &req, &out), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "cross-dc placement needs datacenters, but no broker's rack is in one");
	req = request(stretch, N(stretch), "t", KDR_PLACEMENT_ANY, 3, 1);
	req.preferred_leader_datacenter = "north";
	assert_int_equal(kdr_placement_check(&v, &req, &out), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "preferred leader datacenter 'north' has no brokers; brokers are in "
						 "'east', 'west'");
	req = request(stretch, N(stretch), "t", KDR_PLACEMENT_STATIC, 3, 1);
	assert_int_equal(kdr_placement_check(&v, &req, &out), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "strategy static needs an assignment to check against, and there is "
						 "none");
	req = request(dup, N(dup), "t", KDR_PLACEMENT_ANY, 1, 1);
	assert_int_equal(kdr_placement_check(&v, &req, &out), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "broker 1 is listed twice");
	assert_int_equal(v.n, 0);
	kdr_assignment_release(&out);
}

/* ---------- DC loss ---------- */

static void dc_loss_ok(struct kdr_dc_loss_report *out, const struct kdr_placement_broker *brokers, size_t n,
		       const int32_t *flat, size_t partitions, size_t rf, size_t min_isr)
{
	struct kdr_assignment a = lists(flat, partitions, rf);
	int rc = kdr_placement_dc_loss(out, brokers, n, &a, min_isr);

	if (rc != 0)
		print_message("unexpected error: %s\n", kdr_error_message());
	assert_int_equal(rc, 0);
	kdr_assignment_release(&a);
}

/* RF 3, min ISR 2, two DCs: losing the DC with two replicas leaves one. */
static void test_dc_loss_rf3_two_dcs(void **state)
{
	const int32_t flat[] = {1, 2, 4, 3, 5, 6};
	struct kdr_dc_loss_report report;

	(void)state;
	dc_loss_ok(&report, stretch, N(stretch), flat, 2, 3, 2);
	assert_int_equal(report.n, 2);
	assert_string_equal(report.v[0].datacenter, "east");
	assert_int_equal(report.v[0].min_replicas_left, 1); /* partition 0 keeps only 4 */
	assert_false(report.v[0].survives);
	assert_string_equal(report.v[1].datacenter, "west");
	assert_int_equal(report.v[1].min_replicas_left, 1); /* partition 1 keeps only 3 */
	assert_false(report.v[1].survives);
	assert_false(report.survives_any_single_dc_loss);
	kdr_dc_loss_report_release(&report);

	/* All partitions 2 east + 1 west: only the loss of east stops writes. */
	{
		const int32_t east_heavy[] = {1, 3, 4, 2, 3, 6};

		dc_loss_ok(&report, stretch, N(stretch), east_heavy, 2, 3, 2);
		assert_false(report.v[0].survives);
		assert_int_equal(report.v[0].min_replicas_left, 1);
		assert_true(report.v[1].survives);
		assert_int_equal(report.v[1].min_replicas_left, 2);
		assert_false(report.survives_any_single_dc_loss);
		kdr_dc_loss_report_release(&report);
	}
}

/* RF 4 as 2 + 2 with min ISR 2 survives either loss; min ISR 3 survives neither. */
static void test_dc_loss_rf4_even(void **state)
{
	const int32_t flat[] = {1, 3, 4, 6, 2, 3, 5, 6};
	struct kdr_dc_loss_report report;

	(void)state;
	dc_loss_ok(&report, stretch, N(stretch), flat, 2, 4, 2);
	assert_int_equal(report.n, 2);
	assert_true(report.v[0].survives);
	assert_true(report.v[1].survives);
	assert_int_equal(report.v[0].min_replicas_left, 2);
	assert_int_equal(report.v[1].min_replicas_left, 2);
	assert_true(report.survives_any_single_dc_loss);
	kdr_dc_loss_report_release(&report);

	dc_loss_ok(&report, stretch, N(stretch), flat, 2, 4, 3);
	assert_false(report.v[0].survives);
	assert_false(report.v[1].survives);
	assert_false(report.survives_any_single_dc_loss);
	kdr_dc_loss_report_release(&report);
}

/*
 * Three DCs listed out of order (reported sorted), a DC with no replica, a
 * broker outside any DC (survives every DC loss) and a replica on an unknown
 * broker (never available).
 */
static void test_dc_loss_details(void **state)
{
	const struct kdr_placement_broker brokers[] = {
	    {5, "z1", "zulu", 0, 0}, {1, "a1", "alpha", 0, 0}, {2, "a2", "alpha", 0, 0},
	    {3, "m1", "mike", 0, 0}, {4, NULL, NULL, 0, 0},
	};
	const int32_t flat[] = {1, 3, 4, 1, 2, 9};
	struct kdr_dc_loss_report report;

	(void)state;
	dc_loss_ok(&report, brokers, N(brokers), flat, 2, 3, 2);
	assert_int_equal(report.n, 3);
	assert_string_equal(report.v[0].datacenter, "alpha");
	assert_int_equal(report.v[0].min_replicas_left, 0); /* partition 1: 1 and 2 in alpha, 9 unknown */
	assert_false(report.v[0].survives);
	assert_string_equal(report.v[1].datacenter, "mike");
	assert_int_equal(report.v[1].min_replicas_left, 2); /* partition 1 keeps 1 and 2 */
	assert_true(report.v[1].survives);
	assert_string_equal(report.v[2].datacenter, "zulu");
	assert_int_equal(report.v[2].min_replicas_left, 2);
	assert_true(report.v[2].survives);
	assert_false(report.survives_any_single_dc_loss);
	kdr_dc_loss_report_release(&report);

	/* One replica per DC of three: any one loss leaves two. */
	{
		const int32_t spread[] = {1, 3, 5, 2, 5, 3};

		dc_loss_ok(&report, brokers, N(brokers), spread, 2, 3, 2);
		assert_true(report.survives_any_single_dc_loss);
		kdr_dc_loss_report_release(&report);
	}
}

static void test_dc_loss_no_datacenters_and_errors(void **state)
{
	const int32_t flat[] = {1, 2, 3};
	struct kdr_assignment a = lists(flat, 1, 3);
	struct kdr_assignment empty = {NULL, 0};
	struct kdr_dc_loss_report report;
	const struct kdr_placement_broker dup[] = {{1, "a", "x", 0, 0}, {1, "b", "y", 0, 0}};

	(void)state;
	/* Nothing to analyse is not a pass: a policy requiring survival must not be met vacuously. */
	assert_int_equal(kdr_placement_dc_loss(&report, three_racks, N(three_racks), &a, 2), 0);
	assert_int_equal(report.n, 0);
	assert_false(report.survives_any_single_dc_loss);
	kdr_dc_loss_report_release(&report);

	assert_int_equal(kdr_placement_dc_loss(&report, stretch, N(stretch), &a, 0), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "min.insync.replicas 0 is invalid; it must be at least 1");
	assert_int_equal(kdr_placement_dc_loss(&report, stretch, N(stretch), &empty, 2), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "the assignment has no partitions to analyse");
	assert_int_equal(kdr_placement_dc_loss(&report, dup, N(dup), &a, 2), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "broker 1 is listed twice");
	assert_int_equal(report.n, 0);
	kdr_dc_loss_report_release(&report);
	kdr_assignment_release(&a);
}

/* What assign produces for a stretch cluster is what the DC-loss analysis expects. */
static void test_dc_loss_of_assigned(void **state)
{
	struct kdr_placement_request req = request(stretch, N(stretch), "orders", KDR_PLACEMENT_CROSS_DC, 4, 12);
	struct kdr_assignment out = {NULL, 0};
	struct kdr_dc_loss_report report;

	(void)state;
	assign_ok(&out, &req);
	assert_int_equal(kdr_placement_dc_loss(&report, stretch, N(stretch), &out, 2), 0);
	assert_true(report.survives_any_single_dc_loss);
	kdr_dc_loss_report_release(&report);
	kdr_assignment_release(&out);

	req.replication_factor = 3;
	assign_ok(&out, &req);
	assert_int_equal(kdr_placement_dc_loss(&report, stretch, N(stretch), &out, 2), 0);
	assert_false(report.survives_any_single_dc_loss);
	assert_int_equal(report.v[0].min_replicas_left, 1);
	assert_int_equal(report.v[1].min_replicas_left, 1);
	kdr_dc_loss_report_release(&report);
	kdr_assignment_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_assign_rack_aware_exact),
	    cmocka_unit_test(test_assign_other_topic_other_rotation),
	    cmocka_unit_test(test_assign_topics_spread_leadership),
	    cmocka_unit_test(test_assign_any_exact),
	    cmocka_unit_test(test_assign_cross_dc_preferred_leader),
	    cmocka_unit_test(test_assign_cross_dc_even),
	    cmocka_unit_test(test_assign_cross_dc_one_per_dc),
	    cmocka_unit_test(test_assign_cross_dc_small_dc_takes_floor),
	    cmocka_unit_test(test_assign_growth),
	    cmocka_unit_test(test_assign_existing_load),
	    cmocka_unit_test(test_assign_input_order_irrelevant),
	    cmocka_unit_test(test_assign_static),
	    cmocka_unit_test(test_assign_errors),
	    cmocka_unit_test(test_assign_static_errors),
	    cmocka_unit_test(test_check_rack_aware),
	    cmocka_unit_test(test_check_cross_dc),
	    cmocka_unit_test(test_check_leader_rf_duplicates_unknown),
	    cmocka_unit_test(test_check_ordering),
	    cmocka_unit_test(test_check_static),
	    cmocka_unit_test(test_check_clean_and_errors),
	    cmocka_unit_test(test_dc_loss_rf3_two_dcs),
	    cmocka_unit_test(test_dc_loss_rf4_even),
	    cmocka_unit_test(test_dc_loss_details),
	    cmocka_unit_test(test_dc_loss_no_datacenters_and_errors),
	    cmocka_unit_test(test_dc_loss_of_assigned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
