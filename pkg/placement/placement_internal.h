#ifndef KDR_PLACEMENT_PLACEMENT_INTERNAL_H
#define KDR_PLACEMENT_PLACEMENT_INTERNAL_H

/*
 * Shared by the files of pkg/placement only; not part of the module's API.
 *
 * topology.c  the brokers indexed by id, rack and datacenter, and the request
 *             checks that assign and check share
 * replicas.c  the replicas of one partition with the counts the strategy rules
 *             need, and the exact "can this list still be completed" test
 * assign.c    greedy placement and the rebalancing pass
 * check.c     violations of an existing assignment
 * dc_loss.c   what survives the loss of each datacenter
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "placement/placement.h"
#include "util/buf.h"

#define KDR_PLACEMENT_NONE SIZE_MAX

struct kdr_placement_node {
	int32_t id;
	const char *rack; /* NULL: no rack */
	const char *dc;	  /* NULL: in no datacenter */
	size_t rack_ix;	  /* index into topo->racks; brokers without a rack share one group */
	size_t dc_ix;	  /* index into topo->dcs, or KDR_PLACEMENT_NONE */
	size_t replicas;  /* load: the request's, plus existing partitions, plus what assign placed */
	size_t leaders;
};

/* The brokers of a request, sorted by id, with their racks and datacenters numbered. */
struct kdr_placement_topo {
	struct kdr_placement_node *nodes; /* sorted by id */
	size_t n;
	const char **racks; /* sorted by name; the no-rack group (NULL) first when present */
	size_t n_racks;
	size_t *rack_brokers; /* brokers per rack */
	size_t *rack_dc;      /* datacenter of a rack (first broker's), or KDR_PLACEMENT_NONE */
	const char **dcs;     /* datacenters named by the brokers, sorted by name */
	size_t n_dcs;
	size_t *dc_brokers; /* brokers per datacenter */
	size_t *dc_racks;   /* distinct racks per datacenter */
	size_t pref_dc;	    /* the preferred leader datacenter, or KDR_PLACEMENT_NONE */
};

/*
 * Indexes `brokers` into `out` (which the caller releases, also on failure).
 * Fails with KDR_EINVALID for a duplicate broker id. Strings are lent from
 * `brokers`; loads start at the brokers' own.
 */
int kdr_placement__topo_build(struct kdr_placement_topo *out, const struct kdr_placement_broker *brokers,
			      size_t n_brokers);
void kdr_placement__topo_release(struct kdr_placement_topo *topo);

/* The node index of broker `id`, or KDR_PLACEMENT_NONE. */
size_t kdr_placement__topo_find(const struct kdr_placement_topo *topo, int32_t id);

/*
 * The checks a request must pass before its strategy means anything: the
 * preferred leader datacenter exists and has brokers (sets topo->pref_dc);
 * for cross-dc, every broker has a rack that is in exactly one datacenter.
 * Returns 0 or KDR_EINVALID with the reason.
 */
int kdr_placement__topo_check_rules(struct kdr_placement_topo *topo, const struct kdr_placement_request *req);

/* Appends "[1,2,3]". */
void kdr_placement__put_ids(struct kdr_buf *buf, const int32_t *ids, size_t n);

/*
 * The replicas of one partition (node indexes, in slot order) with the
 * per-rack and per-datacenter counts that the strategy's rules need.
 */
struct kdr_placement_replicas {
	const struct kdr_placement_topo *topo;
	enum kdr_placement_strategy strategy;
	size_t rf;
	size_t *ix;
	size_t len;
	bool *in;	       /* per node */
	size_t *rack_cnt;      /* per rack */
	size_t racks_used;     /* racks with rack_cnt > 0 */
	size_t *dc_cnt;	       /* per datacenter */
	size_t *dc_racks_used; /* per datacenter: its racks with rack_cnt > 0 */
	/*
	 * can_add answers for the current contents, by what decides them apart
	 * from membership: a candidate's datacenter and whether its rack is new
	 * (-1: not computed). Greedy and rebalancing ask for every broker.
	 */
	signed char *memo;
	size_t n_memo;
	bool memo_stale; /* contents changed since the memo was filled */
	/*
	 * cross-dc with a preferred leader datacenter and RF not a multiple of
	 * the DCs: the preferred DC takes one of the larger shares whenever that
	 * keeps the request feasible (KDR_PLACEMENT_NONE otherwise), so that
	 * losing another DC leaves the leaders' DC its larger share.
	 */
	size_t ceil_dc;
};

void kdr_placement__replicas_init(struct kdr_placement_replicas *out, const struct kdr_placement_topo *topo,
				  enum kdr_placement_strategy strategy, size_t rf);
void kdr_placement__replicas_release(struct kdr_placement_replicas *reps);
void kdr_placement__replicas_clear(struct kdr_placement_replicas *reps);
void kdr_placement__replicas_add(struct kdr_placement_replicas *reps, size_t node);
void kdr_placement__replicas_remove(struct kdr_placement_replicas *reps, size_t node);

/*
 * Whether adding `node` keeps the partition completable: some choice of the
 * remaining rf - len - 1 replicas makes the whole list meet the strategy
 * (distinct brokers; rack-aware: min(rf, racks) racks; cross-dc: floor or
 * ceil of rf/datacenters per datacenter and min(share, racks there) racks in
 * each). With len == rf - 1 this is exactly "the full list is valid". Assumes
 * the request passed kdr_placement__topo_check_rules. Not const: it memoises.
 */
bool kdr_placement__replicas_can_add(struct kdr_placement_replicas *reps, size_t node);

#endif
