#ifndef KDR_PLACEMENT_PLACEMENT_H
#define KDR_PLACEMENT_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/*
 * Replica placement (pure: no I/O, no globals, deterministic for the same
 * input). Errors are reported with kdr_error_set and KDR_EINVALID.
 *
 * Racks and datacenters are those the brokers name. Brokers without a rack
 * form one group of their own for rack-aware spreading (as KRaft's placer
 * does); cross-dc refuses them.
 */

struct kdr_placement_broker {
	int32_t id;
	const char *rack;       /* NULL: no rack */
	const char *datacenter; /* NULL: not in any datacenter */
	/*
	 * Load from everything except this request's `existing` partitions
	 * (those are counted from the request): replicas hosted and partitions
	 * led (preferred leaders, i.e. first replicas).
	 */
	size_t replicas;
	size_t leaders;
};

struct kdr_placement_request {
	const char *topic; /* seeds the deterministic choices (required) */
	const struct kdr_placement_broker *brokers;
	size_t n_brokers;
	size_t replication_factor;
	enum kdr_placement_strategy strategy;
	const char *preferred_leader_datacenter; /* NULL: none */
	/*
	 * Partitions already present (growth): their assignment counts as load and
	 * the new partitions are numbered after them. NULL or n == 0: new topic.
	 */
	const struct kdr_assignment *existing;
	size_t partitions; /* the total wanted, existing ones included */
	/* strategy static: the complete assignment (all partitions). */
	const struct kdr_assignment *static_assignment;
};

/*
 * Computes replicas for partitions existing->n .. partitions-1 into `out`
 * (out->n == partitions - existing->n, index 0 = first new partition; 0 when
 * nothing is to be added). The caller owns `out` (kdr_assignment_release);
 * it is left empty on failure. The first replica of each list is the
 * preferred leader. Brokers may be given in any order.
 *
 * Guarantees (tests/unit/test_placement_props.c checks each over random
 * clusters):
 * - RF distinct known brokers per partition; kdr_placement_check reports
 *   nothing for the result.
 * - rack-aware: each partition spans min(RF, racks) racks.
 * - cross-dc: each datacenter holds floor(RF/DCs) or ceil(RF/DCs) replicas of
 *   each partition, and a DC's share spans min(share, its racks) racks. A DC
 *   with fewer brokers than the floor, or too few DCs able to take the ceil,
 *   is an error, never a spill into other DCs.
 * - the leader is in the preferred leader DC when one is set, and every new
 *   leader goes to a broker with the fewest leaders among those allowed to
 *   lead; so leaders starting within 1 end within 1.
 * - replicas: no follower of a new partition could move to another broker,
 *   keeping the rules, where it would narrow a gap of 2 or more. With equal
 *   starting load and no preferred leader DC this gives every broker within 1
 *   of each other under `any`, and under rack-aware / cross-dc when every rack
 *   has the same number of brokers (and every DC the same number of racks).
 *   Where racks or DCs differ in size, the rules may force a wider spread.
 * - the same request gives the same result; ties are broken by a rotation
 *   seeded from the topic name, so topics start on different brokers.
 * - static: the listed replicas of the new partitions, unchanged.
 *
 * Returns KDR_EINVALID with a reason for infeasible requests: no brokers, a
 * duplicate broker id, RF < 1 or > brokers, partitions < 1 or fewer than
 * exist, cross-dc without datacenters, a broker without rack or DC or a rack
 * in two DCs under cross-dc, a DC too small for its share, a preferred leader
 * DC unknown or without brokers, and for static: no assignment, a partition
 * missing or extra, a list of the wrong length, a duplicate or unknown broker,
 * a leader outside the preferred leader DC.
 */
int kdr_placement_assign(struct kdr_assignment *out, const struct kdr_placement_request *req);

struct kdr_placement_violation {
	int32_t partition; /* -1: the topic as a whole */
	char *message;     /* "partition 3: replicas [1,2] are all in rack 'east-a'; ..." */
};

struct kdr_placement_violations {
	struct kdr_placement_violation *v;
	size_t n;
	size_t cap;
};

/*
 * Lists how `current` breaks the request's strategy (racks, DC spread,
 * preferred leader DC, duplicates, unknown brokers, RF, and for static any
 * difference from the static lists). Appends to `out` (zero-initialised or
 * holding earlier results; the caller releases it), in partition order and
 * within a partition: RF, duplicates, unknown brokers, strategy, leader.
 * Messages read "partition 3: replicas [1,2] are all in rack 'east-a';
 * rack-aware wants 2 racks". The strategy's rules apply to the distinct known
 * replicas as listed (two replicas are held to two racks whatever the RF; a
 * wrong length is its own violation). Only the request's brokers, strategy,
 * RF, preferred leader DC and static assignment are used: capacity (RF >
 * brokers, a DC too small) does not stop a check. A static assignment longer
 * than `current` is growth to come, not a violation.
 * Returns 0 (even when there are violations) or KDR_EINVALID for a request
 * that cannot be checked: duplicate broker ids, cross-dc where some broker is
 * in no datacenter (or none is), a rack in two DCs under cross-dc, a
 * preferred leader DC unknown or without brokers, static without assignment.
 */
int kdr_placement_check(struct kdr_placement_violations *out, const struct kdr_placement_request *req,
			const struct kdr_assignment *current);
void kdr_placement_violations_release(struct kdr_placement_violations *violations);

/* DC-loss analysis of one topic: per datacenter, what is left if it is lost. */
struct kdr_dc_loss {
	char *datacenter;
	size_t min_replicas_left; /* over all partitions */
	bool survives;            /* min_replicas_left >= min_insync_replicas */
};

struct kdr_dc_loss_report {
	struct kdr_dc_loss *v; /* one per datacenter, sorted by name */
	size_t n;
	bool survives_any_single_dc_loss;
};

/*
 * For each datacenter named by the brokers, whether acks=all writes keep
 * working if it is lost (replicas in the surviving DCs >= min_insync_replicas
 * for every partition). Brokers not in `brokers` count as unavailable;
 * brokers in no datacenter survive every DC loss; a replica listed twice is
 * one copy. With no datacenters, out->n == 0 and survives_any_single_dc_loss
 * is false (nothing was shown to survive). The caller releases `out`
 * (kdr_dc_loss_report_release); it is left empty on failure. Returns 0, or
 * KDR_EINVALID for min_insync_replicas < 1, an assignment without
 * partitions, or a duplicate broker id.
 */
int kdr_placement_dc_loss(struct kdr_dc_loss_report *out, const struct kdr_placement_broker *brokers,
			  size_t n_brokers, const struct kdr_assignment *assignment, size_t min_insync_replicas);
void kdr_dc_loss_report_release(struct kdr_dc_loss_report *report);

#endif
