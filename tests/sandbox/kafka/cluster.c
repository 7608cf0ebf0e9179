/*
 * A sandbox cluster's state: brokers, topics and partitions (with leaders,
 * ISR and leader epochs), injected faults. Leadership follows Kafka's rules
 * when a broker goes down or comes back: the leader moves to the next live
 * ISR member in replica order; the ISR never shrinks to empty (the last
 * member stays, leaderless, until it returns); a returning broker rejoins the
 * ISR of partitions that still have a leader.
 */
#include "sandbox_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

int64_t kdr_sandbox_now_ms(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kdr_sandbox_wall_ms(void)
{
	struct timespec ts = {0, 0};

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kdr_sandbox_cluster_wait(struct kdr_sandbox_cluster *cl, int64_t deadline_ms)
{
	struct timespec ts = {deadline_ms / 1000, (long)(deadline_ms % 1000) * 1000000};

	pthread_cond_timedwait(&cl->cond, &cl->lock, &ts);
}

void kdr_sandbox_cluster_wake(struct kdr_sandbox_cluster *cl)
{
	pthread_cond_broadcast(&cl->cond);
}

/* Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
static char *derive_cluster_id(const char *name)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t raw[18] = {0};
	uint64_t a = kdr_hash64_str(name);
	uint64_t b = kdr_hash64(name, strlen(name), a ^ UINT64_C(0x6b64722d73616e64));
	char *id = kdr_malloc(23);

	for (int i = 0; i < 8; i++) {
		raw[i] = (uint8_t)(a >> (8 * i));
		raw[8 + i] = (uint8_t)(b >> (8 * i));
	}
	for (int i = 0; i < 22; i++) {
		int bit = i * 6;
		int byte = bit / 8;
		int shift = bit % 8;
		unsigned v = ((unsigned)raw[byte] << 8 | raw[byte + 1]) >> (10 - shift);

		id[i] = alphabet[v & 63];
	}
	id[22] = '\0';
	return id;
}

int kdr_sandbox_cluster_create(struct kdr_sandbox_cluster **out, struct kdr_sandbox *sandbox,
			       const struct kdr_sandbox_cluster_spec *spec)
{
	struct kdr_sandbox_cluster *cl = NULL;
	pthread_condattr_t attr;
	int n = spec->brokers;

	*out = NULL;
	if (!spec->name || !*spec->name)
		return kdr_error_set(KDR_EINVALID, "sandbox: a cluster needs a name");
	if (n < 1 || n > 64)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': brokers must be 1..64, not %d", spec->name, n);
	if (spec->port < 0 || spec->port + n - 1 > 65535)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': port %d out of range", spec->name, spec->port);
	if ((spec->sasl_username == NULL) != (spec->sasl_password == NULL))
		return kdr_error_set(KDR_EINVALID, "cluster '%s': SASL needs both a username and a password",
				     spec->name);
	if (spec->no_authorizer && spec->authorizer)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': authorizer and noAuthorizer contradict", spec->name);
	if (spec->n_users && !spec->sasl_username)
		return kdr_error_set(KDR_EINVALID, "cluster '%s': users need sasl (the listeners' SASL/PLAIN)",
				     spec->name);
	for (size_t i = 0; i < spec->n_users; i++)
		if (!spec->users || !spec->users[2 * i] || !*spec->users[2 * i] || !spec->users[2 * i + 1])
			return kdr_error_set(KDR_EINVALID, "cluster '%s': user %zu needs a name and a password",
					     spec->name, i);
	for (size_t i = 0; i < spec->n_racks; i++) {
		if (!spec->racks || !spec->racks[i] || !*spec->racks[i])
			return kdr_error_set(KDR_EINVALID, "cluster '%s': rack %zu is empty", spec->name, i);
	}

	cl = kdr_calloc(1, sizeof(*cl));
	cl->sandbox = sandbox;
	cl->name = kdr_strdup(spec->name);
	cl->cluster_id = spec->cluster_id ? kdr_strdup(spec->cluster_id) : derive_cluster_id(spec->name);
	pthread_mutex_init(&cl->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cl->cond, &attr);
	pthread_condattr_destroy(&attr);
	cl->config_epoch = 1;
	cl->remote_storage = spec->remote_storage;
	cl->auto_create_topics = spec->auto_create_topics;
	cl->sasl_username = kdr_strdup(spec->sasl_username);
	cl->sasl_password = kdr_strdup(spec->sasl_password);
	for (size_t i = 0; i < 2 * spec->n_users; i++)
		kdr_strvec_push(&cl->users, spec->users[i]);
	cl->authorizer = spec->authorizer;
	cl->no_authorizer = spec->no_authorizer;
	cl->n_brokers = (size_t)n;
	cl->brokers = kdr_calloc((size_t)n, sizeof(*cl->brokers));
	for (int i = 0; i < n; i++) {
		struct kdr_sandbox_broker *broker = &cl->brokers[i];
		char num[16];

		broker->cluster = cl;
		broker->id = i + 1;
		broker->rack = spec->n_racks ? kdr_strdup(spec->racks[(size_t)i % spec->n_racks]) : NULL;
		broker->port = spec->port ? spec->port + i : 0;
		broker->listen_fd = -1;
		broker->wake[0] = broker->wake[1] = -1;
		snprintf(num, sizeof(num), "%d", broker->id);
		/* What our brokers' server.properties would set (STATIC_BROKER_CONFIG). */
		kdr_strmap_set(&broker->static_configs, "node.id", num);
		kdr_strmap_set(&broker->static_configs, "broker.id", num);
		if (broker->rack)
			kdr_strmap_set(&broker->static_configs, "broker.rack", broker->rack);
		if (spec->remote_storage)
			kdr_strmap_set(&broker->static_configs, "remote.log.storage.system.enable", "true");
		/* The sandbox always serves the ACL APIs, as a cluster with an authorizer does (it enforces none). */
		if (!spec->no_authorizer)
			kdr_strmap_set(&broker->static_configs, "authorizer.class.name",
				       "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
		if (!spec->auto_create_topics)
			kdr_strmap_set(&broker->static_configs, "auto.create.topics.enable", "false");
		/* As Kafka's quickstart does for small clusters, so groups work with fewer than 3 brokers. */
		if (n < 3) {
			snprintf(num, sizeof(num), "%d", n);
			kdr_strmap_set(&broker->static_configs, "offsets.topic.replication.factor", num);
			kdr_strmap_set(&broker->static_configs, "transaction.state.log.replication.factor", num);
		}
		if (n < 2)
			kdr_strmap_set(&broker->static_configs, "transaction.state.log.min.isr", "1");
		kdr_strmap_set(&broker->static_configs, "group.initial.rebalance.delay.ms", "0");
	}
	*out = cl;
	return 0;
}

void kdr_sandbox_topic_free(struct kdr_sandbox_topic *topic)
{
	if (!topic)
		return;
	for (size_t i = 0; i < topic->n_partitions; i++) {
		struct kdr_sandbox_partition *part = &topic->partitions[i];

		for (size_t b = 0; b < part->n_batches; b++)
			free(part->batches[b].data);
		free(part->batches);
		free(part->replicas);
		free(part->isr);
	}
	free(topic->partitions);
	kdr_strmap_release(&topic->configs);
	free(topic->name);
	free(topic);
}

void kdr_sandbox_cluster_free(struct kdr_sandbox_cluster *cl)
{
	if (!cl)
		return;
	for (size_t i = 0; i < cl->n_topics; i++)
		kdr_sandbox_topic_free(cl->topics[i]);
	free(cl->topics);
	kdr_strmap_release(&cl->collisions);
	for (size_t i = 0; i < cl->n_acls; i++) {
		free(cl->acls[i].resource_name);
		free(cl->acls[i].principal);
		free(cl->acls[i].host);
	}
	free(cl->acls);
	for (size_t i = 0; i < cl->n_groups; i++)
		kdr_sandbox_group_free(cl->groups[i]);
	free(cl->groups);
	for (size_t i = 0; i < cl->n_faults; i++)
		free(cl->faults[i].topic);
	free(cl->faults);
	for (size_t i = 0; i < cl->n_brokers; i++) {
		struct kdr_sandbox_broker *broker = &cl->brokers[i];

		free(broker->rack);
		free(broker->address);
		kdr_strmap_release(&broker->static_configs);
		kdr_strmap_release(&broker->dynamic_configs);
		kdr_sandbox_defaults_cache_release(&broker->defaults);
	}
	kdr_sandbox_defaults_cache_release(&cl->defaults);
	free(cl->brokers);
	kdr_strmap_release(&cl->default_dynamic_configs);
	free(cl->bootstrap);
	kdr_strvec_release(&cl->retired);
	free(cl->sasl_username);
	free(cl->sasl_password);
	kdr_strvec_release(&cl->users);
	free(cl->cluster_id);
	free(cl->name);
	pthread_cond_destroy(&cl->cond);
	pthread_mutex_destroy(&cl->lock);
	free(cl);
}

struct kdr_sandbox_broker *kdr_sandbox_cluster_broker(struct kdr_sandbox_cluster *cl, int32_t id)
{
	if (id < 1 || (size_t)id > cl->n_brokers)
		return NULL;
	return &cl->brokers[id - 1];
}

bool kdr_sandbox_broker_is_live(struct kdr_sandbox_cluster *cl, int32_t id)
{
	struct kdr_sandbox_broker *broker = kdr_sandbox_cluster_broker(cl, id);

	return broker && broker->up;
}

struct kdr_sandbox_broker *kdr_sandbox_cluster_controller(struct kdr_sandbox_cluster *cl)
{
	for (size_t i = 0; i < cl->n_brokers; i++) {
		if (cl->brokers[i].up)
			return &cl->brokers[i];
	}
	return NULL;
}

size_t kdr_sandbox_cluster_live_brokers(struct kdr_sandbox_cluster *cl)
{
	size_t n = 0;

	for (size_t i = 0; i < cl->n_brokers; i++)
		n += cl->brokers[i].up;
	return n;
}

void kdr_sandbox_cluster_update_bootstrap(struct kdr_sandbox_cluster *cl)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < cl->n_brokers; i++) {
		if (!cl->brokers[i].up)
			continue;
		kdr_buf_printf(&buf, "%s127.0.0.1:%d", buf.len ? "," : "", cl->brokers[i].port);
	}
	if (cl->bootstrap)
		kdr_strvec_push_take(&cl->retired, cl->bootstrap);
	cl->bootstrap = kdr_buf_detach(&buf);
}

/* Kafka's collision key: '.' and '_' are the same in metric names. Names are at most 249 chars. */
static void collision_key(char *key, size_t size, const char *name)
{
	size_t i = 0;

	for (; name[i] && i + 1 < size; i++)
		key[i] = name[i] == '.' ? '_' : name[i];
	key[i] = '\0';
}

static int compare_topic_key(const void *key, const void *elem)
{
	return strcmp(key, (*(struct kdr_sandbox_topic *const *)elem)->name);
}

/* Index of `name` or of where it would go. */
static size_t topic_slot(struct kdr_sandbox_cluster *cl, const char *name, bool *found)
{
	size_t lo = 0;
	size_t hi = cl->n_topics;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare_topic_key(name, &cl->topics[mid]);

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

struct kdr_sandbox_topic *kdr_sandbox_topic_find(struct kdr_sandbox_cluster *cl, const char *name)
{
	bool found = false;
	size_t i = topic_slot(cl, name, &found);

	return found ? cl->topics[i] : NULL;
}

void kdr_sandbox_topic_insert(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_topic *topic)
{
	char key[256];
	bool found = false;
	size_t i = topic_slot(cl, topic->name, &found);

	if (found) {
		/* Callers check existence first; keep the old one rather than corrupt the order. */
		kdr_sandbox_topic_free(topic);
		return;
	}
	cl->topics = kdr_grow(cl->topics, &cl->cap_topics, cl->n_topics + 1, sizeof(*cl->topics));
	memmove(&cl->topics[i + 1], &cl->topics[i], (cl->n_topics - i) * sizeof(*cl->topics));
	cl->topics[i] = topic;
	cl->n_topics++;
	collision_key(key, sizeof(key), topic->name);
	kdr_strmap_set(&cl->collisions, key, topic->name);
}

void kdr_sandbox_topic_remove(struct kdr_sandbox_cluster *cl, const char *name)
{
	char key[256];
	bool found = false;
	size_t i = topic_slot(cl, name, &found);

	if (!found)
		return;
	collision_key(key, sizeof(key), name);
	kdr_strmap_remove(&cl->collisions, key);
	kdr_sandbox_topic_free(cl->topics[i]);
	memmove(&cl->topics[i], &cl->topics[i + 1], (cl->n_topics - i - 1) * sizeof(*cl->topics));
	cl->n_topics--;
}

static void partition_init(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_partition *part, int32_t index,
			   const int32_t *replicas, size_t rf)
{
	part->index = index;
	part->replicas = kdr_calloc(rf, sizeof(int32_t));
	part->isr = kdr_calloc(rf, sizeof(int32_t));
	part->n_replicas = rf;
	part->leader = -1;
	for (size_t r = 0; r < rf; r++) {
		part->replicas[r] = replicas[r];
		if (kdr_sandbox_broker_is_live(cl, replicas[r])) {
			part->isr[part->n_isr++] = replicas[r];
			if (part->leader < 0)
				part->leader = replicas[r];
		}
	}
}

struct kdr_sandbox_topic *kdr_sandbox_topic_new(struct kdr_sandbox_cluster *cl, const char *name,
						const int32_t *assignment, size_t n_partitions, size_t rf)
{
	struct kdr_sandbox_topic *topic = kdr_calloc(1, sizeof(*topic));

	topic->name = kdr_strdup(name);
	kdr_sandbox_topic_add_partitions(cl, topic, assignment, n_partitions, rf);
	return topic;
}

void kdr_sandbox_topic_add_partitions(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_topic *topic,
				      const int32_t *assignment, size_t n, size_t rf)
{
	size_t old = topic->n_partitions;

	topic->partitions = kdr_realloc(topic->partitions, (old + n) * sizeof(*topic->partitions));
	memset(&topic->partitions[old], 0, n * sizeof(*topic->partitions));
	for (size_t p = 0; p < n; p++)
		partition_init(cl, &topic->partitions[old + p], (int32_t)(old + p), &assignment[p * rf], rf);
	topic->n_partitions = old + n;
}

static bool isr_contains(const struct kdr_sandbox_partition *part, int32_t id)
{
	for (size_t i = 0; i < part->n_isr; i++) {
		if (part->isr[i] == id)
			return true;
	}
	return false;
}

static bool replicas_contain(const struct kdr_sandbox_partition *part, int32_t id)
{
	for (size_t i = 0; i < part->n_replicas; i++) {
		if (part->replicas[i] == id)
			return true;
	}
	return false;
}

static void isr_remove(struct kdr_sandbox_partition *part, int32_t id)
{
	for (size_t i = 0; i < part->n_isr; i++) {
		if (part->isr[i] == id) {
			memmove(&part->isr[i], &part->isr[i + 1], (part->n_isr - i - 1) * sizeof(int32_t));
			part->n_isr--;
			return;
		}
	}
}

/* Adds `id` to the ISR keeping replica order, so listings stay readable. */
static void isr_add(struct kdr_sandbox_partition *part, int32_t id)
{
	int32_t *ordered = NULL;
	size_t n = 0;

	if (isr_contains(part, id))
		return;
	part->isr[part->n_isr++] = id;
	/* Sorted into a copy: isr_contains must read the whole old list while the new one is written. */
	ordered = kdr_calloc(part->n_replicas + 1, sizeof(*ordered));
	for (size_t r = 0; r < part->n_replicas; r++) {
		if (isr_contains(part, part->replicas[r]))
			ordered[n++] = part->replicas[r];
	}
	memcpy(part->isr, ordered, n * sizeof(*ordered));
	part->n_isr = n;
	free(ordered);
}

static void partition_broker_down(struct kdr_sandbox_cluster *cl, struct kdr_sandbox_partition *part, int32_t id)
{
	if (!isr_contains(part, id)) {
		if (part->leader == id) {
			part->leader = -1;
			part->leader_epoch++;
		}
		return;
	}
	/* Kafka never empties the ISR: the last member stays, without leadership. */
	if (part->n_isr > 1)
		isr_remove(part, id);
	if (part->leader != id)
		return;
	part->leader = -1;
	for (size_t r = 0; r < part->n_replicas; r++) {
		int32_t candidate = part->replicas[r];

		if (candidate != id && isr_contains(part, candidate) && kdr_sandbox_broker_is_live(cl, candidate)) {
			part->leader = candidate;
			break;
		}
	}
	part->leader_epoch++;
}

static void partition_broker_up(struct kdr_sandbox_cluster *cl, const struct kdr_sandbox_topic *topic,
				struct kdr_sandbox_partition *part, int32_t id)
{
	if (part->leader >= 0) {
		/* The sandbox replicates instantly, so a returning follower is caught up. */
		isr_add(part, id);
		return;
	}
	if (isr_contains(part, id)) {
		part->leader = id;
		part->leader_epoch++;
		return;
	}
	if (kdr_sandbox_topic_config_long(cl, topic, "unclean.leader.election.enable") > 0) {
		/* Unclean election: the out-of-sync replica takes over and the ISR restarts with it. */
		part->n_isr = 0;
		part->isr[part->n_isr++] = id;
		part->leader = id;
		part->leader_epoch++;
	}
}

void kdr_sandbox_cluster_broker_changed(struct kdr_sandbox_cluster *cl, int32_t id, bool up)
{
	for (size_t t = 0; t < cl->n_topics; t++) {
		struct kdr_sandbox_topic *topic = cl->topics[t];

		for (size_t p = 0; p < topic->n_partitions; p++) {
			struct kdr_sandbox_partition *part = &topic->partitions[p];

			if (!replicas_contain(part, id))
				continue;
			if (up)
				partition_broker_up(cl, topic, part, id);
			else
				partition_broker_down(cl, part, id);
		}
	}
	kdr_sandbox_cluster_wake(cl);
}

bool kdr_sandbox_topic_name_valid(const char *name, const char **why)
{
	size_t len = strlen(name);

	if (len == 0) {
		*why = "Topic name is illegal, it can't be empty";
		return false;
	}
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		*why = "Topic name cannot be \".\" or \"..\"";
		return false;
	}
	if (len > 249) {
		*why = "Topic name is illegal, it can't be longer than 249 characters";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-')) {
			*why = "Topic name is illegal, it contains a character other than ASCII alphanumerics, '.', "
			       "'_' and '-'";
			return false;
		}
	}
	*why = NULL;
	return true;
}

/* Kafka refuses names that differ from an existing one only by '.' versus '_' (metric names collide). */
struct kdr_sandbox_topic *kdr_sandbox_topic_collision(struct kdr_sandbox_cluster *cl, const char *name)
{
	char key[256];
	const char *other = NULL;

	collision_key(key, sizeof(key), name);
	other = kdr_strmap_get(&cl->collisions, key);
	return other && strcmp(other, name) != 0 ? kdr_sandbox_topic_find(cl, other) : NULL;
}

static bool fault_matches(const struct kdr_sandbox_fault *fault, int api_key, const char *topic)
{
	if ((fault->topic == NULL) != (topic == NULL))
		return false;
	if (topic && strcmp(fault->topic, topic) != 0)
		return false;
	if (fault->api_key == api_key)
		return true;
	/* "Any API" leaves the connection handshake alone, or no client could get as far as the failing call. */
	return fault->api_key == -1 && api_key != KDR_SANDBOX_API_API_VERSIONS &&
	       api_key != KDR_SANDBOX_API_SASL_HANDSHAKE && api_key != KDR_SANDBOX_API_SASL_AUTHENTICATE;
}

int16_t kdr_sandbox_fault_take(struct kdr_sandbox_cluster *cl, int api_key, const char *topic)
{
	for (size_t i = 0; i < cl->n_faults; i++) {
		struct kdr_sandbox_fault *fault = &cl->faults[i];
		int16_t code = fault->error_code;

		if (!fault_matches(fault, api_key, topic))
			continue;
		if (--fault->remaining <= 0) {
			free(fault->topic);
			memmove(fault, fault + 1, (cl->n_faults - i - 1) * sizeof(*fault));
			cl->n_faults--;
		}
		return code;
	}
	return 0;
}
