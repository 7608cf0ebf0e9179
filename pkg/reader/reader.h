#ifndef KDR_READER_READER_H
#define KDR_READER_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "kafka/kafka.h"
#include "live/live.h"
#include "model/model.h"
#include "util/strvec.h"

/*
 * Reading the live state: every (selected) declared cluster's Kafka (and
 * its Kafka Connect) through pkg/kafka and pkg/connect, side by side, into
 * a struct kdr_live. Text that came from the clusters is scrubbed of every
 * secret the documents resolve to. Nothing here writes to a cluster (that
 * is pkg/executor); nothing here decides (that is pkg/plan).
 */

enum kdr_read_groups {
	KDR_READ_GROUPS_NONE = 0,
	KDR_READ_GROUPS_LIST = 1,
	KDR_READ_GROUPS_OFFSETS = 2,
};

struct kdr_reader_options {
	int timeout_ms; /* per request; <= 0: the adapters' defaults */
	const struct kdr_secret_resolver *resolver;
	const char *const *clusters; /* restrict to these clusters (NULL or none: all declared) */
	size_t n_clusters;
	/*
	 * Also read each cluster's consumer groups (kdr_kafka_conn_read_groups):
	 * KDR_READ_GROUPS_LIST ids, states and members (two requests per broker),
	 * KDR_READ_GROUPS_OFFSETS also their committed offsets. A failure there
	 * leaves groups_read false and adds a message; the rest of the cluster's
	 * read stands.
	 */
	int read_groups;
	/*
	 * Check an empty DescribeAcls answer on every selected cluster, not only
	 * where the desired state manages ACLs (kdr backup: a refused read must
	 * not be written down as "no ACLs").
	 */
	bool verify_acls;
	/*
	 * Kafka connections kept across reads (kdr_kafka_pool_read; the loop
	 * keeps one for its life); NULL: each read opens and closes its own.
	 * Reads of consumer groups always use a connection of their own.
	 */
	struct kdr_kafka_pool *pool;
};

/* How the read of one selected cluster went. */
struct kdr_reader_cluster {
	const char *name;           /* lent from the desired state */
	int code;                   /* 0: Kafka was read (it is in the live state); else why not */
	struct kdr_strvec messages; /* scrubbed: the Kafka failure, or what of it could not be read (Connect, groups) */
};

/* Every selected cluster's outcome, in declaration order, and all their messages in that order. */
struct kdr_reader_report {
	struct kdr_reader_cluster *clusters;
	size_t n_clusters;
	struct kdr_strvec messages;
};

/*
 * Reads every (selected) declared cluster into `out` (sorted), each on its
 * own thread. A cluster that cannot be read is left out of `out` and
 * recorded with kdr_live_set_unread (the plan then reports it as an error);
 * a Connect that cannot be read leaves connect.present false with its
 * read_error. `report` (zeroed, may be NULL) gets each cluster's outcome.
 * Returns 0 when every Kafka was read, else the first failure's code (with
 * kdr_error_set).
 */
int kdr_reader_read(struct kdr_live *out, struct kdr_reader_report *report, const struct kdr_desired *desired,
		    const struct kdr_reader_options *options);

void kdr_reader_report_release(struct kdr_reader_report *report);

#endif
