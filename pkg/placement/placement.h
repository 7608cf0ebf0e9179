#ifndef KDR_PLACEMENT_PLACEMENT_H
#define KDR_PLACEMENT_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/*
 * Replica placement (pure: no I/O, no globals, deterministic for the same
 * input). Errors are reported with kdr_error_set and KDR_EINVALID.
 */

struct kdr_placement_broker {
	int32_t id;
	const char *rack;       /* NULL: no rack */
	const char *datacenter; /* NULL: not in any datacenter */
	size_t replicas;        /* existing replicas hosted (load) */
	size_t leaders;         /* existing partitions led */
};

struct kdr_placement_request {
	const char *topic; /* seeds the deterministic choices */
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
 * (out->n == partitions - existing->n, index 0 = first new partition). The
 * first replica of each list is the preferred leader. Guarantees (tested by
 * property tests): distinct brokers per partition; rack-aware: min(RF, racks)
 * racks per partition; cross-dc: floor/ceil(RF/DCs) per DC, racks spread
 * within a DC; leaders balanced within 1 over eligible brokers (only the
 * preferred DC's when set); replicas per broker, existing load included,
 * balanced within 1 where the existing load allows.
 * Returns KDR_EINVALID with a reason for infeasible requests (RF > brokers,
 * cross-dc without datacenters, static assignment missing a partition, ...).
 */
int kdr_placement_assign(struct kdr_assignment *out, const struct kdr_placement_request *req);

struct kdr_placement_violation {
	int32_t partition; /* -1: the topic as a whole */
	char *message;     /* "partition 3: replicas [1,2] share rack 'east-a'" */
};

struct kdr_placement_violations {
	struct kdr_placement_violation *v;
	size_t n;
	size_t cap;
};

/*
 * Lists how `current` breaks the request's strategy (racks, DC spread,
 * preferred leader DC, duplicates, unknown brokers, RF). Appends to `out`.
 * Returns 0 (even when there are violations) or KDR_EINVALID for a request
 * that cannot be checked.
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
 * for every partition). Brokers not in `brokers` count as unavailable.
 */
int kdr_placement_dc_loss(struct kdr_dc_loss_report *out, const struct kdr_placement_broker *brokers,
			  size_t n_brokers, const struct kdr_assignment *assignment, size_t min_insync_replicas);
void kdr_dc_loss_report_release(struct kdr_dc_loss_report *report);

#endif
