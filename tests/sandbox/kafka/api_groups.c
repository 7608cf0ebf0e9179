/*
 * The classic group coordinator: FindCoordinator v0-2, JoinGroup v0-5,
 * SyncGroup v0-3, Heartbeat v0-3, LeaveGroup v0-3, ListGroups v0-2,
 * DescribeGroups v0-4 and DeleteGroups v0-1, after Kafka's
 * GroupCoordinator/ClassicGroup (the offsets are api_offsets.c's):
 *
 * - A group's coordinator is the leader of partition
 *   abs(javaHash(groupId)) % 50 of __consumer_offsets, which the first
 *   FindCoordinator creates (COORDINATOR_NOT_AVAILABLE while fewer brokers
 *   are live than offsets.topic.replication.factor). Any other broker
 *   answers NOT_COORDINATOR, so a coordinator moves with that leadership.
 * - States Empty, PreparingRebalance, CompletingRebalance, Stable (Dead for
 *   unknown groups). A JoinGroup (v4+: after MEMBER_ID_REQUIRED, KIP-394)
 *   starts a rebalance; it completes when every member has rejoined or the
 *   rebalance timeout passes (members that did not rejoin are dropped),
 *   bumping the generation and answering every parked JoinGroup (the
 *   leader's with the members' metadata). The leader's SyncGroup hands out
 *   the assignments and makes the group Stable; heartbeats during a
 *   rebalance get REBALANCE_IN_PROGRESS; members silent for their session
 *   timeout are removed. group.initial.rebalance.delay.ms is 0 (as Kafka's
 *   quickstart config sets it).
 */
#include "sandbox_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

#define OFFSETS_TOPIC		  "__consumer_offsets"
#define OFFSETS_PARTITIONS	  50
#define MIN_SESSION_TIMEOUT_MS	  6000
#define MAX_SESSION_TIMEOUT_MS	  1800000
#define MAX_PENDING_MEMBERS	  1024

static const char *const state_names[] = {"Empty", "PreparingRebalance", "CompletingRebalance", "Stable"};

/* Java's String.hashCode over the UTF-16 code units of a UTF-8 string. */
static int32_t java_string_hash(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t h = 0;

	while (*p) {
		uint32_t cp = *p++;
		int extra = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;

		if (extra)
			cp &= 0x3fu >> extra;
		for (int i = 0; i < extra && (*p & 0xc0) == 0x80; i++)
			cp = cp << 6 | (*p++ & 0x3f);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			h = 31 * h + (0xd800 + (cp >> 10));
			h = 31 * h + (0xdc00 + (cp & 0x3ff));
		} else {
			h = 31 * h + cp;
		}
	}
	return (int32_t)h;
}

static int32_t offsets_partition(const char *group_id)
{
	int32_t h = java_string_hash(group_id);

	/* Kafka's Utils.abs maps Integer.MIN_VALUE to 0. */
	return (h == INT32_MIN ? 0 : (h < 0 ? -h : h)) % OFFSETS_PARTITIONS;
}

/* The live coordinator of `group_id`, or -1. */
static int32_t coordinator_of(struct kdr_sandbox_cluster *cl, const char *group_id)
{
	struct kdr_sandbox_topic *topic = kdr_sandbox_topic_find(cl, OFFSETS_TOPIC);
	int32_t p = offsets_partition(group_id);

	if (!topic || (size_t)p >= topic->n_partitions)
		return -1;
	return kdr_sandbox_broker_is_live(cl, topic->partitions[p].leader) ? topic->partitions[p].leader : -1;
}

int16_t kdr_sandbox_coordinator_check(struct kdr_sandbox_request *req, const char *group_id)
{
	if (req->injected)
		return req->injected;
	if (coordinator_of(req->cluster, group_id) != req->broker->id)
		return KDR_KAFKA_NOT_COORDINATOR;
	return KDR_KAFKA_NONE;
}

/* --- groups and members --- */

static void member_free(struct kdr_sandbox_member *member)
{
	if (!member)
		return;
	for (size_t i = 0; i < member->n_protocols; i++) {
		free(member->protocols[i].name);
		free(member->protocols[i].metadata);
	}
	free(member->protocols);
	free(member->assignment);
	free(member->member_id);
	free(member->instance_id);
	free(member->client_id);
	free(member->client_host);
	kdr_buf_release(&member->join_response);
	free(member);
}

void kdr_sandbox_group_free(struct kdr_sandbox_group *group)
{
	if (!group)
		return;
	for (size_t i = 0; i < group->n_members; i++)
		member_free(group->members[i]);
	free(group->members);
	for (size_t i = 0; i < group->n_offsets; i++) {
		free(group->offsets[i].topic);
		free(group->offsets[i].metadata);
	}
	free(group->offsets);
	kdr_strvec_release(&group->pending);
	free(group->group_id);
	free(group->protocol_type);
	free(group->protocol_name);
	free(group->leader_id);
	free(group);
}

static size_t group_slot(struct kdr_sandbox_cluster *cl, const char *id, bool *found)
{
	size_t lo = 0;
	size_t hi = cl->n_groups;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, cl->groups[mid]->group_id);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct kdr_sandbox_group *kdr_sandbox_group_find(struct kdr_sandbox_cluster *cl, const char *id)
{
	bool found = false;
	size_t i = group_slot(cl, id, &found);

	return found ? cl->groups[i] : NULL;
}

struct kdr_sandbox_group *kdr_sandbox_group_create(struct kdr_sandbox_cluster *cl, const char *id)
{
	bool found = false;
	size_t i = group_slot(cl, id, &found);
	struct kdr_sandbox_group *group = NULL;

	if (found)
		return cl->groups[i];
	group = kdr_calloc(1, sizeof(*group));
	group->group_id = kdr_strdup(id);
	group->state = KDR_SANDBOX_GROUP_EMPTY;
	cl->groups = kdr_grow(cl->groups, &cl->cap_groups, cl->n_groups + 1, sizeof(*cl->groups));
	memmove(&cl->groups[i + 1], &cl->groups[i], (cl->n_groups - i) * sizeof(*cl->groups));
	cl->groups[i] = group;
	cl->n_groups++;
	return group;
}

static void group_delete(struct kdr_sandbox_cluster *cl, const char *id)
{
	bool found = false;
	size_t i = group_slot(cl, id, &found);

	if (!found)
		return;
	kdr_sandbox_group_free(cl->groups[i]);
	memmove(&cl->groups[i], &cl->groups[i + 1], (cl->n_groups - i - 1) * sizeof(*cl->groups));
	cl->n_groups--;
}

struct kdr_sandbox_member *kdr_sandbox_member_find(struct kdr_sandbox_group *group, const char *member_id)
{
	for (size_t i = 0; group && member_id && i < group->n_members; i++) {
		if (strcmp(group->members[i]->member_id, member_id) == 0)
			return group->members[i];
	}
	return NULL;
}

static void member_remove(struct kdr_sandbox_group *group, struct kdr_sandbox_member *member)
{
	for (size_t i = 0; i < group->n_members; i++) {
		if (group->members[i] != member)
			continue;
		memmove(&group->members[i], &group->members[i + 1],
			(group->n_members - i - 1) * sizeof(*group->members));
		group->n_members--;
		if (group->leader_id && strcmp(group->leader_id, member->member_id) == 0) {
			free(group->leader_id);
			group->leader_id = NULL;
		}
		member_free(member);
		return;
	}
}

const struct kdr_sandbox_protocol *kdr_sandbox_member_protocol(const struct kdr_sandbox_member *member, const char *name)
{
	for (size_t i = 0; name && i < member->n_protocols; i++) {
		if (strcmp(member->protocols[i].name, name) == 0)
			return &member->protocols[i];
	}
	return NULL;
}

static bool all_support(const struct kdr_sandbox_group *group, const char *name)
{
	for (size_t i = 0; i < group->n_members; i++) {
		if (!kdr_sandbox_member_protocol(group->members[i], name))
			return false;
	}
	return true;
}

/* ClassicGroup.selectProtocol: each member votes for its first protocol all support; the most votes win. */
static char *select_protocol(const struct kdr_sandbox_group *group)
{
	const char *best = NULL;
	size_t best_votes = 0;

	for (size_t c = 0; c < group->n_members; c++) {
		const char *candidate = NULL;
		size_t votes = 0;

		for (size_t p = 0; p < group->members[c]->n_protocols && !candidate; p++) {
			if (all_support(group, group->members[c]->protocols[p].name))
				candidate = group->members[c]->protocols[p].name;
		}
		if (!candidate)
			continue;
		for (size_t m = 0; m < group->n_members; m++) {
			const char *vote = NULL;

			for (size_t p = 0; p < group->members[m]->n_protocols && !vote; p++) {
				if (all_support(group, group->members[m]->protocols[p].name))
					vote = group->members[m]->protocols[p].name;
			}
			votes += vote && strcmp(vote, candidate) == 0;
		}
		if (votes > best_votes) {
			best = candidate;
			best_votes = votes;
		}
	}
	return kdr_strdup(best);
}

static int64_t max_rebalance_timeout(const struct kdr_sandbox_group *group)
{
	int64_t max = 0;

	for (size_t i = 0; i < group->n_members; i++) {
		if (group->members[i]->rebalance_timeout_ms > max)
			max = group->members[i]->rebalance_timeout_ms;
	}
	return max;
}

static void prepare_rebalance(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_group *group)
{
	if (group->state == KDR_SANDBOX_GROUP_PREPARING)
		return;
	group->state = KDR_SANDBOX_GROUP_PREPARING;
	group->rebalance_deadline_ms = kdr_sandbox_now_ms() + max_rebalance_timeout(group);
	kdr_sandbox_cluster_wake(cl); /* parked SyncGroups learn that a new rebalance started */
}

static void put_join_response(struct kdr_buf *out, int16_t version, int16_t error, int32_t generation,
			      const char *protocol, const char *leader, const char *member_id,
			      const struct kdr_sandbox_group *group, bool with_members)
{
	if (version >= 2)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i16(out, error);
	kdr_sandbox_put_i32(out, generation);
	kdr_sandbox_put_string(out, protocol ? protocol : "");
	kdr_sandbox_put_string(out, leader ? leader : "");
	kdr_sandbox_put_string(out, member_id ? member_id : "");
	if (!with_members) {
		kdr_sandbox_put_i32(out, 0);
		return;
	}
	kdr_sandbox_put_i32(out, (int32_t)group->n_members);
	for (size_t i = 0; i < group->n_members; i++) {
		const struct kdr_sandbox_member *m = group->members[i];
		const struct kdr_sandbox_protocol *p = kdr_sandbox_member_protocol(m, protocol);

		kdr_sandbox_put_string(out, m->member_id);
		if (version >= 5)
			kdr_sandbox_put_string(out, m->instance_id);
		kdr_sandbox_put_bytes(out, p ? p->metadata : (const uint8_t *)"", p ? (int32_t)p->len : 0);
	}
}

/* Completes a rebalance: drops members that did not rejoin, bumps the generation, answers the parked joins. */
static void complete_rebalance(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_group *group)
{
	for (size_t i = group->n_members; i-- > 0;) {
		if (!group->members[i]->joined)
			member_remove(group, group->members[i]);
	}
	group->generation++;
	free(group->protocol_name);
	group->protocol_name = NULL;
	if (group->n_members == 0) {
		group->state = KDR_SANDBOX_GROUP_EMPTY;
		free(group->leader_id);
		group->leader_id = NULL;
		kdr_sandbox_cluster_wake(cl);
		return;
	}
	group->protocol_name = select_protocol(group);
	if (!group->leader_id)
		group->leader_id = kdr_strdup(group->members[0]->member_id);
	group->state = KDR_SANDBOX_GROUP_COMPLETING;
	for (size_t i = 0; i < group->n_members; i++) {
		struct kdr_sandbox_member *m = group->members[i];

		kdr_buf_reset(&m->join_response);
		put_join_response(&m->join_response, m->join_version, KDR_KAFKA_NONE, group->generation,
				  group->protocol_name, group->leader_id, m->member_id, group,
				  strcmp(m->member_id, group->leader_id) == 0);
		m->join_ready = true;
		m->joined = false;
		m->last_seen_ms = kdr_sandbox_now_ms();
	}
	kdr_sandbox_cluster_wake(cl);
}

/* Session expiry and rebalance completion, run whenever a request touches the group. */
void kdr_sandbox_group_tick(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_group *group)
{
	int64_t now = kdr_sandbox_now_ms();
	bool removed = false;

	for (size_t i = group->n_members; i-- > 0;) {
		struct kdr_sandbox_member *m = group->members[i];

		if (m->waiting == 0 && !m->joined && now - m->last_seen_ms > m->session_timeout_ms) {
			member_remove(group, m);
			removed = true;
		}
	}
	if (removed && (group->state == KDR_SANDBOX_GROUP_STABLE || group->state == KDR_SANDBOX_GROUP_COMPLETING))
		prepare_rebalance(cl, group);
	if (group->state == KDR_SANDBOX_GROUP_PREPARING) {
		bool all_joined = true;

		for (size_t i = 0; i < group->n_members && all_joined; i++)
			all_joined = group->members[i]->joined;
		if (all_joined || now >= group->rebalance_deadline_ms)
			complete_rebalance(cl, group);
	}
}

/* Re-finds a group and member after a wait (either may have gone meanwhile). */
static struct kdr_sandbox_member *refind(struct kdr_sandbox_cluster *cl, const char *group_id, const char *member_id,
					 struct kdr_sandbox_group **group)
{
	*group = kdr_sandbox_group_find(cl, group_id);
	return kdr_sandbox_member_find(*group, member_id);
}

static void wait_until(struct kdr_sandbox_cluster *cl, int64_t deadline)
{
	/* Bounded so that expiry and deadlines are re-checked even when nothing wakes us. */
	int64_t cap = kdr_sandbox_now_ms() + 200;

	kdr_sandbox_cluster_wait(cl, deadline < cap ? deadline : cap);
}

/* --- FindCoordinator --- */

static int16_t ensure_offsets_topic(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_broker *broker)
{
	char *rf_value = NULL;
	int32_t rf = 0;
	int16_t error = 0;

	if (kdr_sandbox_topic_find(cl, OFFSETS_TOPIC))
		return KDR_KAFKA_NONE;
	rf_value = kdr_sandbox_broker_config_value(cl, broker, "offsets.topic.replication.factor");
	rf = rf_value ? (int32_t)strtol(rf_value, NULL, 10) : 3;
	free(rf_value);
	if ((size_t)rf > kdr_sandbox_cluster_live_brokers(cl))
		return KDR_KAFKA_COORDINATOR_NOT_AVAILABLE;
	error = kdr_sandbox_create_placed_topic(cl, OFFSETS_TOPIC, OFFSETS_PARTITIONS, rf, true);
	if (error == KDR_KAFKA_NONE) {
		struct kdr_sandbox_topic *topic = kdr_sandbox_topic_find(cl, OFFSETS_TOPIC);

		kdr_strmap_set(&topic->configs, "cleanup.policy", "compact");
		kdr_strmap_set(&topic->configs, "compression.type", "producer");
		kdr_strmap_set(&topic->configs, "segment.bytes", "104857600");
	}
	return error == KDR_KAFKA_NONE ? KDR_KAFKA_NONE : KDR_KAFKA_COORDINATOR_NOT_AVAILABLE;
}

int kdr_sandbox_handle_find_coordinator(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	const char *key = kdr_sandbox_read_string(r, &req->arena, false);
	int8_t key_type = req->version >= 1 ? kdr_sandbox_read_i8(r) : 0;
	struct kdr_sandbox_broker *coordinator = NULL;
	int16_t error = req->injected;
	const char *message = NULL;

	if (r->bad)
		return -1;
	if (!error && key_type == 1) {
		error = KDR_KAFKA_COORDINATOR_NOT_AVAILABLE;
		message = "The sandbox has no transaction coordinator.";
	} else if (!error && key_type != 0) {
		error = KDR_KAFKA_INVALID_REQUEST;
		message = "Unknown coordinator key type.";
	}
	if (!error)
		error = ensure_offsets_topic(cl, req->broker);
	if (!error) {
		int32_t id = coordinator_of(cl, key);

		coordinator = id >= 0 ? kdr_sandbox_cluster_broker(cl, id) : NULL;
		if (!coordinator)
			error = KDR_KAFKA_COORDINATOR_NOT_AVAILABLE;
	}
	if (req->version >= 1)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i16(out, error);
	if (req->version >= 1)
		kdr_sandbox_put_string(out, error ? (message ? message : "The coordinator is not available.") : NULL);
	kdr_sandbox_put_i32(out, coordinator ? coordinator->id : -1);
	kdr_sandbox_put_string(out, coordinator ? "127.0.0.1" : "");
	kdr_sandbox_put_i32(out, coordinator ? coordinator->port : -1);
	return 0;
}

/* --- JoinGroup --- */

static bool same_protocols(const struct kdr_sandbox_member *m, const struct kdr_sandbox_protocol *protocols, size_t n)
{
	if (m->n_protocols != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(m->protocols[i].name, protocols[i].name) != 0 || m->protocols[i].len != protocols[i].len ||
		    memcmp(m->protocols[i].metadata, protocols[i].metadata, protocols[i].len) != 0)
			return false;
	}
	return true;
}

static void set_protocols(struct kdr_sandbox_member *m, const struct kdr_sandbox_protocol *protocols, size_t n)
{
	for (size_t i = 0; i < m->n_protocols; i++) {
		free(m->protocols[i].name);
		free(m->protocols[i].metadata);
	}
	free(m->protocols);
	m->protocols = kdr_calloc(n ? n : 1, sizeof(*m->protocols));
	for (size_t i = 0; i < n; i++) {
		m->protocols[i].name = kdr_strdup(protocols[i].name);
		m->protocols[i].metadata = kdr_malloc(protocols[i].len ? protocols[i].len : 1);
		memcpy(m->protocols[i].metadata, protocols[i].metadata, protocols[i].len);
		m->protocols[i].len = protocols[i].len;
	}
	m->n_protocols = n;
}

static char *new_member_id(struct kdr_sandbox_cluster *cl, const char *client_id)
{
	uint64_t seq = (uint64_t)++cl->member_seq;
	uint64_t a = kdr_hash64(&seq, sizeof(seq), kdr_hash64_str(cl->cluster_id));
	uint64_t b = kdr_hash64(&a, sizeof(a), (uint64_t)kdr_sandbox_wall_ms());

	/* Kafka's form: the client id, a dash, a random UUID. */
	return kdr_asprintf("%s-%08x-%04x-4%03x-%04x-%012llx", client_id ? client_id : "", (unsigned)(a >> 32),
			    (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
			    (unsigned)(0x8000 | ((b >> 48) & 0x3fff)), (unsigned long long)(b & 0xffffffffffffULL));
}

static bool pending_take(struct kdr_sandbox_group *group, const char *member_id)
{
	long i = kdr_strvec_find(&group->pending, member_id);

	if (i < 0)
		return false;
	free(group->pending.v[i]);
	memmove(&group->pending.v[i], &group->pending.v[i + 1], (group->pending.n - (size_t)i - 1) * sizeof(char *));
	group->pending.n--;
	return true;
}

int kdr_sandbox_handle_join_group(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	struct kdr_sandbox_group *group = NULL;
	struct kdr_sandbox_member *member = NULL;
	struct kdr_sandbox_protocol *protocols = NULL;
	const char *group_id = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t session_timeout = kdr_sandbox_read_i32(r);
	int32_t rebalance_timeout = req->version >= 1 ? kdr_sandbox_read_i32(r) : session_timeout;
	const char *member_id = kdr_sandbox_read_string(r, &req->arena, false);
	const char *instance_id = req->version >= 5 ? kdr_sandbox_read_string(r, &req->arena, true) : NULL;
	const char *protocol_type = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t n = kdr_sandbox_read_array_len(r, false, 6);
	int16_t error = 0;
	bool is_new = false;
	bool changed = false;

	if (n > 0)
		protocols = kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*protocols));
	for (int32_t i = 0; i < n && !r->bad; i++) {
		int32_t len = 0;
		const uint8_t *metadata = NULL;

		protocols[i].name = (char *)kdr_sandbox_read_string(r, &req->arena, false);
		metadata = kdr_sandbox_read_bytes(r, &len);
		protocols[i].metadata = (uint8_t *)(metadata ? metadata : (const uint8_t *)"");
		protocols[i].len = len > 0 ? (size_t)len : 0;
	}
	if (r->bad)
		return -1;

	if (!*group_id)
		error = KDR_KAFKA_INVALID_GROUP_ID;
	if (!error)
		error = kdr_sandbox_coordinator_check(req, group_id);
	if (!error && (session_timeout < MIN_SESSION_TIMEOUT_MS || session_timeout > MAX_SESSION_TIMEOUT_MS))
		error = KDR_KAFKA_INVALID_SESSION_TIMEOUT;
	if (!error && (!*protocol_type || n <= 0))
		error = KDR_KAFKA_INCONSISTENT_GROUP_PROTOCOL;
	if (!error) {
		group = kdr_sandbox_group_find(cl, group_id);
		if (!group && *member_id)
			error = KDR_KAFKA_UNKNOWN_MEMBER_ID;
		else if (!group)
			group = kdr_sandbox_group_create(cl, group_id);
	}
	if (!error) {
		kdr_sandbox_group_tick(cl, group);
		if (group->n_members && group->protocol_type && strcmp(group->protocol_type, protocol_type) != 0)
			error = KDR_KAFKA_INCONSISTENT_GROUP_PROTOCOL;
		if (!error && group->n_members) {
			bool common = false;

			for (int32_t p = 0; p < n && !common; p++)
				common = all_support(group, protocols[p].name);
			if (!common)
				error = KDR_KAFKA_INCONSISTENT_GROUP_PROTOCOL;
		}
	}
	if (!error && !*member_id) {
		char *id = new_member_id(cl, req->client_id);

		if (req->version >= 4 && !instance_id) {
			/* KIP-394: hand out an id and make the client come back with it. */
			if (group->pending.n >= MAX_PENDING_MEMBERS)
				kdr_strvec_release(&group->pending);
			kdr_strvec_push(&group->pending, id);
			put_join_response(out, req->version, KDR_KAFKA_MEMBER_ID_REQUIRED, -1, NULL, NULL, id, group,
					  false);
			free(id);
			return 0;
		}
		member = kdr_calloc(1, sizeof(*member));
		member->member_id = id;
		is_new = true;
	} else if (!error) {
		member = kdr_sandbox_member_find(group, member_id);
		if (!member && pending_take(group, member_id)) {
			member = kdr_calloc(1, sizeof(*member));
			member->member_id = kdr_strdup(member_id);
			is_new = true;
		} else if (!member) {
			error = KDR_KAFKA_UNKNOWN_MEMBER_ID;
		}
	}
	if (error) {
		put_join_response(out, req->version, error, -1, NULL, NULL, member_id, NULL, false);
		return 0;
	}

	if (is_new) {
		member->client_id = kdr_strdup(req->client_id ? req->client_id : "");
		member->client_host = kdr_asprintf("/%s", req->client_host);
		member->assigned_generation = -1;
		group->members = kdr_realloc(group->members, (group->n_members + 1) * sizeof(*group->members));
		group->members[group->n_members++] = member;
	}
	changed = !is_new && !same_protocols(member, protocols, (size_t)n);
	free(member->instance_id);
	member->instance_id = kdr_strdup(instance_id);
	member->session_timeout_ms = session_timeout;
	member->rebalance_timeout_ms = rebalance_timeout;
	member->join_version = req->version;
	member->last_seen_ms = kdr_sandbox_now_ms();
	set_protocols(member, protocols, (size_t)n);
	if (!group->protocol_type || group->n_members == 1) {
		free(group->protocol_type);
		group->protocol_type = kdr_strdup(protocol_type);
	}

	if ((group->state == KDR_SANDBOX_GROUP_STABLE || group->state == KDR_SANDBOX_GROUP_COMPLETING) && !is_new &&
	    !changed && strcmp(member->member_id, group->leader_id ? group->leader_id : "") != 0) {
		/* A follower rejoining unchanged gets the current generation back without a rebalance. */
		put_join_response(out, req->version, KDR_KAFKA_NONE, group->generation, group->protocol_name,
				  group->leader_id, member->member_id, group, false);
		return 0;
	}
	prepare_rebalance(cl, group);
	member->joined = true;
	member->join_ready = false;
	kdr_sandbox_group_tick(cl, group);

	{
		/* Park until the rebalance completes; the group and member may change under us meanwhile. */
		char *id = kdr_strdup(member->member_id);
		char *gid = kdr_strdup(group_id);
		bool answered = false;

		member->waiting++;
		for (;;) {
			member = refind(cl, gid, id, &group);
			if (!member || member->join_ready || kdr_sandbox_conn_closing(req->conn))
				break;
			wait_until(cl, group->rebalance_deadline_ms);
			member = refind(cl, gid, id, &group);
			if (member)
				kdr_sandbox_group_tick(cl, group);
		}
		if (member) {
			member->waiting--;
			if (member->join_ready) {
				kdr_buf_put(out, member->join_response.ptr, member->join_response.len);
				member->join_ready = false;
				answered = true;
			}
		} else {
			put_join_response(out, req->version, KDR_KAFKA_UNKNOWN_MEMBER_ID, -1, NULL, NULL, id, NULL,
					  false);
			answered = true;
		}
		free(gid);
		free(id);
		/* Only a closed connection leaves a join unanswered; nobody is left to answer. */
		return answered ? 0 : -1;
	}
}

/* --- SyncGroup --- */

static void put_sync_response(struct kdr_buf *out, int16_t version, int16_t error, const uint8_t *assignment,
			      size_t len)
{
	if (version >= 1)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i16(out, error);
	kdr_sandbox_put_bytes(out, assignment ? assignment : (const uint8_t *)"", (int32_t)(assignment ? len : 0));
}

/* The common checks of SyncGroup, Heartbeat and commits by members: 0 or an error code. */
static int16_t member_check(struct kdr_sandbox_request *req, const char *group_id, const char *member_id,
			    int32_t generation, struct kdr_sandbox_group **group, struct kdr_sandbox_member **member)
{
	int16_t error = kdr_sandbox_coordinator_check(req, group_id);

	*group = NULL;
	*member = NULL;
	if (error)
		return error;
	*group = kdr_sandbox_group_find(req->cluster, group_id);
	if (!*group)
		return KDR_KAFKA_UNKNOWN_MEMBER_ID;
	kdr_sandbox_group_tick(req->cluster, *group);
	*member = kdr_sandbox_member_find(*group, member_id);
	if (!*member)
		return KDR_KAFKA_UNKNOWN_MEMBER_ID;
	if (generation != (*group)->generation)
		return KDR_KAFKA_ILLEGAL_GENERATION;
	(*member)->last_seen_ms = kdr_sandbox_now_ms();
	return KDR_KAFKA_NONE;
}

int kdr_sandbox_handle_sync_group(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	struct kdr_sandbox_group *group = NULL;
	struct kdr_sandbox_member *member = NULL;
	const char *group_id = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t generation = kdr_sandbox_read_i32(r);
	const char *member_id = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t n = 0;
	const char **ids = NULL;
	const uint8_t **data = NULL;
	int32_t *lens = NULL;
	int16_t error = 0;

	if (req->version >= 3)
		(void)kdr_sandbox_read_string(r, &req->arena, true);
	n = kdr_sandbox_read_array_len(r, false, 6);
	if (n > 0) {
		ids = kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*ids));
		data = kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*data));
		lens = kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*lens));
	}
	for (int32_t i = 0; i < n && !r->bad; i++) {
		ids[i] = kdr_sandbox_read_string(r, &req->arena, false);
		data[i] = kdr_sandbox_read_bytes(r, &lens[i]);
	}
	if (r->bad)
		return -1;

	error = member_check(req, group_id, member_id, generation, &group, &member);
	if (!error && group->state == KDR_SANDBOX_GROUP_PREPARING)
		error = KDR_KAFKA_REBALANCE_IN_PROGRESS;
	if (!error && group->state == KDR_SANDBOX_GROUP_EMPTY)
		error = KDR_KAFKA_UNKNOWN_MEMBER_ID;
	if (error) {
		put_sync_response(out, req->version, error, NULL, 0);
		return 0;
	}
	if (group->state == KDR_SANDBOX_GROUP_COMPLETING && group->leader_id &&
	    strcmp(group->leader_id, member_id) == 0) {
		for (size_t m = 0; m < group->n_members; m++) {
			struct kdr_sandbox_member *target = group->members[m];

			free(target->assignment);
			target->assignment = NULL;
			target->assignment_len = 0;
			for (int32_t i = 0; i < n; i++) {
				if (strcmp(ids[i], target->member_id) == 0 && data[i] && lens[i] > 0) {
					target->assignment = kdr_malloc((size_t)lens[i]);
					memcpy(target->assignment, data[i], (size_t)lens[i]);
					target->assignment_len = (size_t)lens[i];
				}
			}
			target->assigned_generation = group->generation;
		}
		group->state = KDR_SANDBOX_GROUP_STABLE;
		kdr_sandbox_cluster_wake(cl);
	}
	{
		/* Followers wait for the leader's assignment (or for the rebalance to restart). */
		char *id = kdr_strdup(member_id);
		char *gid = kdr_strdup(group_id);

		member->waiting++;
		for (;;) {
			member = refind(cl, gid, id, &group);
			if (!member || member->assigned_generation == generation || group->generation != generation ||
			    group->state != KDR_SANDBOX_GROUP_COMPLETING || kdr_sandbox_conn_closing(req->conn))
				break;
			wait_until(cl, INT64_MAX);
			member = refind(cl, gid, id, &group);
			if (member)
				kdr_sandbox_group_tick(cl, group);
		}
		if (member)
			member->waiting--;
		free(id);
		free(gid);
	}
	if (!member)
		put_sync_response(out, req->version, KDR_KAFKA_UNKNOWN_MEMBER_ID, NULL, 0);
	else if (member->assigned_generation == generation)
		put_sync_response(out, req->version, KDR_KAFKA_NONE, member->assignment, member->assignment_len);
	else if (kdr_sandbox_conn_closing(req->conn))
		return -1;
	else
		put_sync_response(out, req->version, KDR_KAFKA_REBALANCE_IN_PROGRESS, NULL, 0);
	return 0;
}

/* --- Heartbeat, LeaveGroup --- */

int kdr_sandbox_handle_heartbeat(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_reader *r = &req->r;
	struct kdr_sandbox_group *group = NULL;
	struct kdr_sandbox_member *member = NULL;
	const char *group_id = kdr_sandbox_read_string(r, &req->arena, false);
	int32_t generation = kdr_sandbox_read_i32(r);
	const char *member_id = kdr_sandbox_read_string(r, &req->arena, false);
	int16_t error = 0;

	if (req->version >= 3)
		(void)kdr_sandbox_read_string(r, &req->arena, true);
	if (r->bad)
		return -1;
	error = member_check(req, group_id, member_id, generation, &group, &member);
	if (!error && group->state == KDR_SANDBOX_GROUP_EMPTY)
		error = KDR_KAFKA_UNKNOWN_MEMBER_ID;
	if (!error && group->state == KDR_SANDBOX_GROUP_PREPARING)
		error = KDR_KAFKA_REBALANCE_IN_PROGRESS;
	if (req->version >= 1)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i16(out, error);
	return 0;
}

/* Removes a member and rebalances the rest; returns an error code for it. */
static int16_t leave(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_group *group, const char *member_id)
{
	struct kdr_sandbox_member *member = kdr_sandbox_member_find(group, member_id);

	if (!member)
		return KDR_KAFKA_UNKNOWN_MEMBER_ID;
	member_remove(group, member);
	if (group->state != KDR_SANDBOX_GROUP_EMPTY)
		prepare_rebalance(cl, group);
	kdr_sandbox_group_tick(cl, group);
	return KDR_KAFKA_NONE;
}

int kdr_sandbox_handle_leave_group(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	const char *group_id = kdr_sandbox_read_string(r, &req->arena, false);
	struct kdr_sandbox_group *group = NULL;
	int16_t error = 0;

	if (req->version < 3) {
		const char *member_id = kdr_sandbox_read_string(r, &req->arena, false);

		if (r->bad)
			return -1;
		error = kdr_sandbox_coordinator_check(req, group_id);
		if (!error)
			group = kdr_sandbox_group_find(cl, group_id);
		if (!error && !group)
			error = KDR_KAFKA_UNKNOWN_MEMBER_ID;
		if (!error)
			error = leave(cl, group, member_id);
		if (req->version >= 1)
			kdr_sandbox_put_i32(out, 0);
		kdr_sandbox_put_i16(out, error);
		return 0;
	}
	{
		int32_t n = kdr_sandbox_read_array_len(r, false, 4);
		const char **ids = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*ids)) : NULL;
		const char **instances = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*ids)) : NULL;

		for (int32_t i = 0; i < n && !r->bad; i++) {
			ids[i] = kdr_sandbox_read_string(r, &req->arena, false);
			instances[i] = kdr_sandbox_read_string(r, &req->arena, true);
		}
		if (r->bad)
			return -1;
		error = kdr_sandbox_coordinator_check(req, group_id);
		if (!error && !(group = kdr_sandbox_group_find(cl, group_id)))
			error = KDR_KAFKA_UNKNOWN_MEMBER_ID;
		kdr_sandbox_put_i32(out, 0);
		kdr_sandbox_put_i16(out, error);
		kdr_sandbox_put_i32(out, error ? 0 : n);
		for (int32_t i = 0; !error && i < n; i++) {
			kdr_sandbox_put_string(out, ids[i]);
			kdr_sandbox_put_string(out, instances[i]);
			kdr_sandbox_put_i16(out, leave(cl, group, ids[i]));
		}
	}
	return 0;
}

/* --- ListGroups, DescribeGroups, DeleteGroups --- */

int kdr_sandbox_handle_list_groups(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	size_t count_pos = 0;
	int32_t count = 0;

	if (req->version >= 1)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i16(out, req->injected);
	count_pos = out->len;
	kdr_sandbox_put_i32(out, 0);
	for (size_t i = 0; !req->injected && i < cl->n_groups; i++) {
		struct kdr_sandbox_group *group = cl->groups[i];

		/* Each broker lists the groups it coordinates; clients ask every broker. */
		if (coordinator_of(cl, group->group_id) != req->broker->id)
			continue;
		kdr_sandbox_group_tick(cl, group);
		kdr_sandbox_put_string(out, group->group_id);
		kdr_sandbox_put_string(out, group->protocol_type ? group->protocol_type : "");
		count++;
	}
	kdr_sandbox_patch_i32(out, count_pos, count);
	return 0;
}

int kdr_sandbox_handle_describe_groups(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 2);
	const char **ids = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*ids)) : NULL;

	for (int32_t i = 0; i < n; i++)
		ids[i] = kdr_sandbox_read_string(r, &req->arena, false);
	if (req->version >= 3)
		(void)kdr_sandbox_read_bool(r);
	if (r->bad)
		return -1;
	if (req->version >= 1)
		kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		int16_t error = kdr_sandbox_coordinator_check(req, ids[i]);
		struct kdr_sandbox_group *group = error ? NULL : kdr_sandbox_group_find(cl, ids[i]);
		bool stable = false;

		if (group)
			kdr_sandbox_group_tick(cl, group);
		stable = group && group->state == KDR_SANDBOX_GROUP_STABLE;
		kdr_sandbox_put_i16(out, error);
		kdr_sandbox_put_string(out, ids[i]);
		kdr_sandbox_put_string(out, error ? "" : group ? state_names[group->state] : "Dead");
		kdr_sandbox_put_string(out, group && group->protocol_type ? group->protocol_type : "");
		kdr_sandbox_put_string(out, stable && group->protocol_name ? group->protocol_name : "");
		kdr_sandbox_put_i32(out, group ? (int32_t)group->n_members : 0);
		for (size_t m = 0; group && m < group->n_members; m++) {
			const struct kdr_sandbox_member *member = group->members[m];
			const struct kdr_sandbox_protocol *p =
			    stable ? kdr_sandbox_member_protocol(member, group->protocol_name) : NULL;

			kdr_sandbox_put_string(out, member->member_id);
			if (req->version >= 4)
				kdr_sandbox_put_string(out, member->instance_id);
			kdr_sandbox_put_string(out, member->client_id);
			kdr_sandbox_put_string(out, member->client_host);
			kdr_sandbox_put_bytes(out, p ? p->metadata : (const uint8_t *)"", p ? (int32_t)p->len : 0);
			kdr_sandbox_put_bytes(out,
					      stable && member->assignment ? member->assignment : (const uint8_t *)"",
					      stable && member->assignment ? (int32_t)member->assignment_len : 0);
		}
		if (req->version >= 3)
			kdr_sandbox_put_i32(out, INT32_MIN);
	}
	return 0;
}

int kdr_sandbox_handle_delete_groups(struct kdr_sandbox_request *req, struct kdr_buf *out)
{
	struct kdr_sandbox_cluster *cl = req->cluster;
	struct kdr_sandbox_reader *r = &req->r;
	int32_t n = kdr_sandbox_read_array_len(r, false, 2);
	const char **ids = n > 0 ? kdr_sandbox_arena_alloc(&req->arena, (size_t)n * sizeof(*ids)) : NULL;

	for (int32_t i = 0; i < n; i++)
		ids[i] = kdr_sandbox_read_string(r, &req->arena, false);
	if (r->bad)
		return -1;
	kdr_sandbox_put_i32(out, 0);
	kdr_sandbox_put_i32(out, n);
	for (int32_t i = 0; i < n; i++) {
		int16_t error = kdr_sandbox_coordinator_check(req, ids[i]);
		struct kdr_sandbox_group *group = error ? NULL : kdr_sandbox_group_find(cl, ids[i]);

		if (group)
			kdr_sandbox_group_tick(cl, group);
		if (!error && !group)
			error = KDR_KAFKA_GROUP_ID_NOT_FOUND;
		else if (!error && group->state != KDR_SANDBOX_GROUP_EMPTY)
			error = KDR_KAFKA_NON_EMPTY_GROUP;
		else if (!error)
			group_delete(cl, ids[i]);
		kdr_sandbox_put_string(out, ids[i]);
		kdr_sandbox_put_i16(out, error);
	}
	return 0;
}
