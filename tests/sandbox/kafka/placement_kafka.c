/*
 * Kafka's own replica placement, AdminUtils.assignReplicasToBrokers
 * (reference kafka-mm2-connect.md §6.2), written independently of kdr's
 * pkg/placement so that a bug there cannot hide behind the same bug here.
 *
 * Rack-unaware (no broker has a rack): brokers in id order; leader of
 * partition p is broker[(p + start) % n]; follower j is at
 * (leader + 1 + (shift + j) % (n - 1)) % n; shift grows by one after every
 * full lap of n partitions. Rack-aware (every broker has a rack): the same
 * walk over a rack-alternated list, followers skipping a broker whose rack
 * (or the broker itself) already holds a replica while another rack (broker)
 * holds none. Kafka draws `start` and `shift` at random; the sandbox draws
 * them from a generator seeded by the caller (the topic name), so a test
 * can predict them and runs are reproducible.
 */
#include "sandbox_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

static int compare_broker_id(const void *a, const void *b)
{
	const struct kdr_sandbox_placement_broker *x = a;
	const struct kdr_sandbox_placement_broker *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int compare_rack(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int32_t replica_index(int32_t first, int64_t shift, int32_t j, int32_t n)
{
	int64_t s = 1 + (shift + j) % (n - 1);

	return (int32_t)((first + s) % n);
}

/*
 * AdminUtils.getRackAlternatedBrokerList: racks sorted by name, brokers of
 * each rack in id order, then one broker from each rack in turn.
 */
static void rack_alternated(int32_t *out, const struct kdr_sandbox_placement_broker *sorted, size_t n)
{
	const char **racks = kdr_calloc(n, sizeof(*racks));
	size_t *next = kdr_calloc(n, sizeof(*next));
	size_t n_racks = 0;
	size_t filled = 0;
	size_t rack = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t r = 0; r < n_racks && !seen; r++)
			seen = strcmp(racks[r], sorted[i].rack) == 0;
		if (!seen)
			racks[n_racks++] = sorted[i].rack;
	}
	qsort(racks, n_racks, sizeof(*racks), compare_rack);
	while (filled < n) {
		/* The next broker (in id order) of this rack not taken yet, if any. */
		for (size_t i = next[rack]; i < n; i++) {
			if (strcmp(sorted[i].rack, racks[rack]) == 0) {
				out[filled++] = sorted[i].id;
				next[rack] = i + 1;
				break;
			}
			next[rack] = i + 1;
		}
		rack = (rack + 1) % n_racks;
	}
	free(racks);
	free(next);
}

static const char *rack_of(const struct kdr_sandbox_placement_broker *sorted, size_t n, int32_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (sorted[i].id == id)
			return sorted[i].rack;
	}
	return "";
}

static size_t count_racks(const struct kdr_sandbox_placement_broker *sorted, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(sorted[i].rack, sorted[j].rack) == 0;
		count += !seen;
	}
	return count;
}

static bool contains_str(const char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0)
			return true;
	}
	return false;
}

static bool contains_id(const int32_t *v, size_t n, int32_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == id)
			return true;
	}
	return false;
}

int kdr_sandbox_place_replicas(int32_t *out, const struct kdr_sandbox_placement_broker *brokers, size_t n_brokers,
			       int32_t n_partitions, int32_t rf, int32_t fixed_start, int32_t start_partition,
			       uint64_t seed, const char **why)
{
	struct kdr_sandbox_placement_broker *sorted = NULL;
	int32_t *list = NULL;
	const char **racks_used = NULL;
	struct kdr_rng rng;
	size_t with_rack = 0;
	int32_t n = (int32_t)n_brokers;
	int32_t start = 0;
	int64_t shift = 0;
	int32_t partition = start_partition > 0 ? start_partition : 0;
	size_t n_racks = 0;

	*why = NULL;
	if (n_partitions <= 0) {
		*why = "Number of partitions must be larger than 0.";
		return KDR_KAFKA_INVALID_PARTITIONS;
	}
	if (rf <= 0) {
		*why = "Replication factor must be larger than 0.";
		return KDR_KAFKA_INVALID_REPLICATION_FACTOR;
	}
	if (rf > n) {
		*why = "Replication factor larger than available brokers.";
		return KDR_KAFKA_INVALID_REPLICATION_FACTOR;
	}
	for (size_t i = 0; i < n_brokers; i++)
		with_rack += brokers[i].rack != NULL;
	if (with_rack && with_rack != n_brokers) {
		*why = "Not all brokers have rack information for replica rack aware assignment.";
		return KDR_KAFKA_UNKNOWN_SERVER_ERROR;
	}

	sorted = kdr_calloc(n_brokers, sizeof(*sorted));
	memcpy(sorted, brokers, n_brokers * sizeof(*sorted));
	qsort(sorted, n_brokers, sizeof(*sorted), compare_broker_id);
	list = kdr_calloc(n_brokers, sizeof(*list));
	if (with_rack) {
		rack_alternated(list, sorted, n_brokers);
		n_racks = count_racks(sorted, n_brokers);
	} else {
		for (size_t i = 0; i < n_brokers; i++)
			list[i] = sorted[i].id;
	}

	kdr_rng_seed(&rng, seed);
	start = fixed_start >= 0 ? fixed_start : (int32_t)kdr_rng_below(&rng, (uint64_t)n);
	shift = fixed_start >= 0 ? fixed_start : (int64_t)kdr_rng_below(&rng, (uint64_t)n);
	racks_used = kdr_calloc((size_t)rf, sizeof(*racks_used));

	for (int32_t i = 0; i < n_partitions; i++, partition++) {
		int32_t *replicas = &out[(size_t)i * (size_t)rf];
		int32_t first = 0;
		size_t n_used_racks = 0;
		int32_t k = 0;

		if (partition > 0 && partition % n == 0)
			shift++;
		first = (partition + start) % n;
		replicas[0] = list[first];
		if (!with_rack) {
			for (int32_t j = 0; j < rf - 1; j++)
				replicas[j + 1] = list[replica_index(first, shift, j, n)];
			continue;
		}
		racks_used[n_used_racks++] = rack_of(sorted, n_brokers, replicas[0]);
		for (int32_t j = 0; j < rf - 1; j++) {
			for (;;) {
				int32_t broker = list[replica_index(first, shift * (int64_t)n_racks, k, n)];
				const char *rack = rack_of(sorted, n_brokers, broker);
				bool rack_ok = !contains_str(racks_used, n_used_racks, rack) || n_used_racks == n_racks;
				bool broker_ok = !contains_id(replicas, (size_t)j + 1, broker) || j + 1 == n;

				k++;
				if (rack_ok && broker_ok) {
					replicas[j + 1] = broker;
					if (!contains_str(racks_used, n_used_racks, rack))
						racks_used[n_used_racks++] = rack;
					break;
				}
			}
		}
	}
	free(racks_used);
	free(list);
	free(sorted);
	return 0;
}
