/*
 * Topics: create the missing ones with an explicit assignment, grow
 * partitions, and refuse (as blocked items) what Kafka's admin API cannot do
 * safely: partition decreases, replication-factor changes and placement
 * repairs (those come with a reassignment JSON for kafka-reassign-partitions.sh).
 * DC-loss verdicts of stretch clusters become notes, or blocked items when a
 * policy requires surviving a DC loss.
 */
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* --- the cluster's brokers and load --- */

static struct kdr_placement_broker *broker_of(struct kdr_placement_broker *brokers, size_t n, int32_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (brokers[mid].id == id)
			return &brokers[mid];
		if (brokers[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Adds (sign 1) or removes (sign -1) the load of replica lists; unknown brokers are skipped. */
static void load_lists(struct kdr_placement_broker *brokers, size_t n, const struct kdr_replica_list *lists,
		       size_t n_lists, size_t stride, int sign)
{
	for (size_t p = 0; p < n_lists; p++) {
		const struct kdr_replica_list *list =
		    (const struct kdr_replica_list *)((const char *)lists + p * stride);

		for (size_t r = 0; r < list->n; r++) {
			struct kdr_placement_broker *broker = broker_of(brokers, n, list->ids[r]);

			if (!broker)
				continue;
			if (sign > 0) {
				broker->replicas++;
				if (r == 0)
					broker->leaders++;
			} else {
				broker->replicas -= broker->replicas ? 1 : 0;
				if (r == 0)
					broker->leaders -= broker->leaders ? 1 : 0;
			}
		}
	}
}

static void load_topic(struct kdr_placement_broker *brokers, size_t n, const struct kdr_live_topic *topic, int sign)
{
	if (topic->n_partitions)
		load_lists(brokers, n, &topic->partitions[0].replicas, topic->n_partitions,
			   sizeof(struct kdr_live_partition), sign);
}

static void load_assignment(struct kdr_placement_broker *brokers, size_t n, const struct kdr_assignment *assignment)
{
	if (assignment->n)
		load_lists(brokers, n, assignment->partitions, assignment->n, sizeof(struct kdr_replica_list), 1);
}

void kdr_plan__cluster_init(struct plan_cluster *pc, const struct kdr_cluster *spec,
			    const struct kdr_live_cluster *live)
{
	memset(pc, 0, sizeof(*pc));
	pc->name = spec->meta.name;
	pc->spec = spec;
	pc->live = live;
	pc->n_brokers = live->n_brokers;
	pc->brokers = kdr_calloc(live->n_brokers + 1, sizeof(*pc->brokers));
	for (size_t i = 0; i < live->n_brokers; i++) {
		pc->brokers[i].id = live->brokers[i].id;
		pc->brokers[i].rack = live->brokers[i].rack;
		pc->brokers[i].datacenter = kdr_cluster_datacenter_of(spec, live->brokers[i].rack);
	}
	/*
	 * Preferred leaders (first replicas), not current leaders: the plan then
	 * depends only on what the fingerprint covers, and leadership that moved
	 * for a moment does not change the placement of new topics.
	 */
	for (size_t t = 0; t < live->n_topics; t++)
		load_topic(pc->brokers, pc->n_brokers, &live->topics[t], 1);
}

void kdr_plan__cluster_release(struct plan_cluster *pc)
{
	free(pc->brokers);
	memset(pc, 0, sizeof(*pc));
}

struct kdr_placement_broker *kdr_plan__brokers_without(const struct plan_cluster *pc,
						       const struct kdr_live_topic *topic)
{
	struct kdr_placement_broker *brokers = kdr_calloc(pc->n_brokers + 1, sizeof(*brokers));

	if (pc->n_brokers)
		memcpy(brokers, pc->brokers, pc->n_brokers * sizeof(*brokers));
	if (topic)
		load_topic(brokers, pc->n_brokers, topic, -1);
	return brokers;
}

/* --- helpers shared with reassign.c --- */

void kdr_plan__live_assignment(struct kdr_assignment *out, const struct kdr_live_topic *topic)
{
	out->n = topic->n_partitions;
	out->partitions = kdr_calloc(topic->n_partitions + 1, sizeof(*out->partitions));
	for (size_t p = 0; p < topic->n_partitions; p++)
		out->partitions[p] = topic->partitions[p].replicas;
}

const struct kdr_assignment *kdr_plan__static_assignment(const struct kdr_policy *policy, const char *topic)
{
	for (size_t i = 0; i < policy->n_assignments; i++)
		if (policy->assignments[i].topic && strcmp(policy->assignments[i].topic, topic) == 0)
			return &policy->assignments[i].assignment;
	return NULL;
}

enum kdr_placement_strategy kdr_plan__topic_strategy(const struct plan_cluster *pc, const struct plan_topic *pt,
						     const struct kdr_assignment **fixed)
{
	const struct kdr_assignment *assignment = NULL;

	*fixed = NULL;
	if (pt->policy->strategy != KDR_PLACEMENT_STATIC)
		return pt->policy->strategy;
	assignment = kdr_plan__static_assignment(pt->policy, pt->name);
	if (pt->policy->has_fallback) {
		bool complete = assignment != NULL;

		for (size_t p = 0; complete && p < assignment->n; p++)
			for (size_t r = 0; complete && r < assignment->partitions[p].n; r++)
				complete = broker_of(pc->brokers, pc->n_brokers, assignment->partitions[p].ids[r]) != NULL;
		if (!complete)
			return pt->policy->fallback;
	}
	*fixed = assignment;
	return KDR_PLACEMENT_STATIC;
}

static bool parse_size(size_t *out, const char *text)
{
	char *end = NULL;
	long long v = 0;

	if (!text || !*text)
		return false;
	v = strtoll(text, &end, 10);
	while (*end == ' ')
		end++;
	if (*end || v < 1)
		return false;
	*out = (size_t)v;
	return true;
}

size_t kdr_plan__min_insync(const struct plan_topic *pt, const struct kdr_live_cluster *cl,
			    const struct kdr_live_topic *topic)
{
	size_t value = 1;

	if (parse_size(&value, kdr_strmap_get(&pt->config, "min.insync.replicas")))
		return value;
	/* What the topic will have once the plan is applied: configPrune removes an undeclared override. */
	if (parse_size(&value,
		       kdr_live_effective_config(cl, pt->config_prune ? NULL : topic, "min.insync.replicas", NULL)))
		return value;
	return 1; /* Kafka's default */
}

static bool cluster_has_datacenters(const struct plan_cluster *pc)
{
	return pc->spec->n_datacenters > 0;
}

/* --- placement summary and DC-loss verdicts --- */

/* A name and its count, for the per-rack / per-DC tallies (a handful of names per cluster). */
struct tally {
	const char *name;
	long long n;
};

static void tally_up(struct tally *tallies, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(tallies[i].name, name) == 0) {
			tallies[i].n++;
			return;
		}
	tallies[(*n)++] = (struct tally){ name, 1 };
}

static void tally_put(struct kdr_strmap *map, const struct tally *tallies, size_t n)
{
	char number[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(number, sizeof(number), "%lld", tallies[i].n);
		kdr_strmap_set(map, tallies[i].name, number);
	}
}

/*
 * Fills the per-DC / per-rack counts and (stretch clusters) the DC-loss
 * report. Counted in integers and written to the maps once per topic: a map
 * write per replica (a decimal string each) was 8% of creating 10,000
 * topics. Returns 0 or the analysis error.
 */
static int placement_summary(struct kdr_placement_summary *out, const struct plan_cluster *pc,
			     const struct kdr_assignment *assignment, size_t min_insync)
{
	bool has_dc = cluster_has_datacenters(pc);
	/* At most one name per broker, and one for brokers without a rack or DC. */
	struct tally *racks = kdr_calloc(pc->n_brokers + 1, sizeof(*racks));
	struct tally *dcs = kdr_calloc(pc->n_brokers + 1, sizeof(*dcs));
	size_t n_racks = 0, n_dcs = 0;

	for (size_t p = 0; p < assignment->n; p++) {
		for (size_t r = 0; r < assignment->partitions[p].n; r++) {
			const struct kdr_placement_broker *broker =
			    broker_of(pc->brokers, pc->n_brokers, assignment->partitions[p].ids[r]);
			const char *rack = broker && broker->rack ? broker->rack : "(no rack)";
			const char *dc = broker && broker->datacenter ? broker->datacenter : "(no datacenter)";

			tally_up(racks, &n_racks, rack);
			if (has_dc)
				tally_up(dcs, &n_dcs, dc);
		}
	}
	tally_put(&out->replicas_per_rack, racks, n_racks);
	tally_put(&out->replicas_per_dc, dcs, n_dcs);
	free(racks);
	free(dcs);
	out->has_dc_loss = has_dc;
	out->min_insync_replicas = (int64_t)min_insync;
	if (!has_dc)
		return 0;
	return kdr_placement_dc_loss(&out->dc_loss, pc->brokers, pc->n_brokers, assignment, min_insync);
}

/* "acks=all writes survive ..." / "... stop if ... is lost"; heap string. */
static char *dc_loss_verdict(const struct kdr_dc_loss_report *report, size_t min_insync)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	size_t failing = 0;

	if (report->survives_any_single_dc_loss) {
		kdr_buf_printf(&buf,
			       "dc-loss: acks=all writes survive the loss of any one datacenter "
			       "(min.insync.replicas=%zu; replicas left:",
			       min_insync);
		for (size_t i = 0; i < report->n; i++)
			kdr_buf_printf(&buf, "%s without %s %zu", i ? "," : "", report->v[i].datacenter,
				       report->v[i].min_replicas_left);
		kdr_buf_putc(&buf, ')');
		return kdr_buf_detach(&buf);
	}
	kdr_buf_puts(&buf, "dc-loss: acks=all writes stop if ");
	for (size_t i = 0; i < report->n; i++) {
		if (report->v[i].survives)
			continue;
		kdr_buf_printf(&buf, "%s'%s' is lost (%zu replica(s) left)", failing++ ? ", or if " : "",
			       report->v[i].datacenter, report->v[i].min_replicas_left);
	}
	if (!failing)
		kdr_buf_puts(&buf, "a datacenter is lost");
	kdr_buf_printf(&buf, "; min.insync.replicas=%zu", min_insync);
	return kdr_buf_detach(&buf);
}

/* --- create --- */

static void fill_request(struct kdr_placement_request *req, const struct plan_cluster *pc, const struct plan_topic *pt,
			 const struct kdr_placement_broker *brokers, size_t n_brokers, size_t rf, size_t partitions)
{
	memset(req, 0, sizeof(*req));
	req->topic = pt->name;
	req->brokers = brokers;
	req->n_brokers = n_brokers;
	req->replication_factor = rf;
	req->strategy = kdr_plan__topic_strategy(pc, pt, &req->static_assignment);
	req->preferred_leader_datacenter = pt->policy->preferred_leader_datacenter;
	req->partitions = partitions;
}

static char *error_copy(void)
{
	return kdr_strdup(kdr_error_message());
}

static void create_topic(struct plan_ctx *ctx, struct plan_cluster *pc, const struct plan_topic *pt)
{
	struct kdr_placement_request req;
	struct kdr_assignment assignment = {NULL, 0};
	struct kdr_placement_summary summary;
	struct kdr_action *action = NULL;
	size_t min_insync = kdr_plan__min_insync(pt, pc->live, NULL);
	char *why = NULL, *verdict = NULL;

	memset(&summary, 0, sizeof(summary));
	if (kdr_resolve_config_true(kdr_strmap_get(&pt->config, "remote.storage.enable")) &&
	    !pc->live->remote_storage_enabled) {
		kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name,
				      kdr_plan__policy_name(pt->policy), NULL,
				      "cluster '%s' brokers do not enable remote storage "
				      "(remote.log.storage.system.enable=false): cannot create a tiered topic",
				      pc->name);
		return;
	}
	fill_request(&req, pc, pt, pc->brokers, pc->n_brokers, (size_t)pt->replication_factor, (size_t)pt->partitions);
	if (kdr_placement_assign(&assignment, &req) != 0) {
		why = error_copy();
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name, kdr_plan__policy_name(pt->policy), NULL,
		    "cannot place %lld partition(s) with RF %lld (%s): %s", (long long)pt->partitions,
		    (long long)pt->replication_factor, kdr_placement_strategy_name(req.strategy), why);
		goto cleanup;
	}
	if (placement_summary(&summary, pc, &assignment, min_insync) != 0) {
		why = error_copy();
		kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name,
				      kdr_plan__policy_name(pt->policy), NULL, "dc-loss analysis failed: %s", why);
		goto cleanup;
	}
	if (summary.has_dc_loss) {
		verdict = dc_loss_verdict(&summary.dc_loss, min_insync);
		if (!summary.dc_loss.survives_any_single_dc_loss && pt->policy->require_dc_loss_survival) {
			kdr_plan__add_blocked(
			    ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name, kdr_plan__policy_name(pt->policy), NULL,
			    "policy requires surviving a datacenter loss, but the placement would not: %s", verdict);
			goto cleanup;
		}
		kdr_plan__add_note(ctx->plan,
				   summary.dc_loss.survives_any_single_dc_loss ? KDR_NOTE_INFO : KDR_NOTE_WARNING,
				   pc->name, pt->name, "%s", verdict);
	}
	/* Later topics of this plan see these replicas as load. */
	load_assignment(pc->brokers, pc->n_brokers, &assignment);
	action = kdr_plan__add_action(ctx->plan, KDR_ACTION_CREATE_TOPIC, pc->name, pt->name,
				      kdr_plan__policy_name(pt->policy));
	action->reason = kdr_strdup("missing");
	action->partitions = pt->partitions;
	action->replication_factor = pt->replication_factor;
	action->assignment = assignment;
	assignment.partitions = NULL;
	assignment.n = 0;
	action->placement = summary;
	memset(&summary, 0, sizeof(summary));
	kdr_strmap_copy(&action->config, &pt->config);
cleanup:
	kdr_assignment_release(&assignment);
	kdr_plan__placement_summary_release(&summary);
	free(why);
	free(verdict);
}

/* --- existing topics --- */

/* The topic's replication factor: the replica count all partitions share, or 0 when they differ. */
static size_t live_rf(const struct kdr_live_topic *topic)
{
	size_t rf = topic->n_partitions ? topic->partitions[0].replicas.n : 0;

	for (size_t p = 1; p < topic->n_partitions; p++)
		if (topic->partitions[p].replicas.n != rf)
			return 0;
	return rf;
}

static void add_partitions(struct plan_ctx *ctx, struct plan_cluster *pc, const struct plan_topic *pt,
			   const struct kdr_live_topic *topic)
{
	struct kdr_placement_request req;
	struct kdr_assignment existing = {NULL, 0}, added = {NULL, 0};
	struct kdr_placement_broker *brokers = NULL;
	struct kdr_placement_summary summary;
	struct kdr_action *action = NULL;
	size_t rf = live_rf(topic);
	size_t min_insync = 1;
	char *why = NULL, *verdict = NULL;

	memset(&summary, 0, sizeof(summary));
	/* Kafka gives new partitions the existing partitions' replica count, whatever the policy says. */
	if (!rf)
		rf = topic->n_partitions ? topic->partitions[0].replicas.n : (size_t)pt->replication_factor;
	kdr_plan__live_assignment(&existing, topic);
	/* The existing partitions are passed as `existing` (which counts as load): do not count them twice. */
	brokers = kdr_plan__brokers_without(pc, topic);
	fill_request(&req, pc, pt, brokers, pc->n_brokers, rf, (size_t)pt->partitions);
	req.existing = &existing;
	if (kdr_placement_assign(&added, &req) != 0) {
		why = error_copy();
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name, kdr_plan__policy_name(pt->policy), NULL,
		    "cannot place partitions %zu..%lld with RF %zu (%s): %s", topic->n_partitions,
		    (long long)pt->partitions - 1, rf, kdr_placement_strategy_name(req.strategy), why);
		goto cleanup;
	}
	min_insync = kdr_plan__min_insync(pt, pc->live, topic);
	if (placement_summary(&summary, pc, &added, min_insync) == 0 && summary.has_dc_loss &&
	    !summary.dc_loss.survives_any_single_dc_loss && pt->policy->require_dc_loss_survival) {
		verdict = dc_loss_verdict(&summary.dc_loss, min_insync);
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_ERROR, pc->name, pt->name, kdr_plan__policy_name(pt->policy), NULL,
		    "policy requires surviving a datacenter loss, but the new partitions would not: %s", verdict);
		goto cleanup;
	}
	load_assignment(pc->brokers, pc->n_brokers, &added);
	action = kdr_plan__add_action(ctx->plan, KDR_ACTION_ADD_PARTITIONS, pc->name, pt->name,
				      kdr_plan__policy_name(pt->policy));
	action->reason = kdr_asprintf("partitions %zu -> %lld", topic->n_partitions, (long long)pt->partitions);
	action->partitions = pt->partitions;
	action->replication_factor = (int64_t)rf;
	action->assignment = added;
	added.partitions = NULL;
	added.n = 0;
	action->placement = summary;
	memset(&summary, 0, sizeof(summary));
cleanup:
	free(existing.partitions); /* a view: the ids belong to the snapshot */
	kdr_assignment_release(&added);
	kdr_plan__placement_summary_release(&summary);
	free(brokers);
	free(why);
	free(verdict);
}

/* The distinct ids of replicas on brokers the live state does not list ("2, 5"), heap; NULL when there are none. */
static int compare_broker_ids(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static char *offline_brokers(const struct plan_cluster *pc, const struct kdr_live_topic *topic)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	int32_t *seen = NULL;
	size_t n_seen = 0;

	for (size_t p = 0; p < topic->n_partitions; p++) {
		const struct kdr_replica_list *list = &topic->partitions[p].replicas;

		for (size_t r = 0; r < list->n; r++) {
			bool listed = false;

			if (broker_of(pc->brokers, pc->n_brokers, list->ids[r]))
				continue;
			for (size_t i = 0; i < n_seen && !listed; i++)
				listed = seen[i] == list->ids[r];
			if (listed)
				continue;
			seen = kdr_realloc(seen, (n_seen + 1) * sizeof(*seen));
			seen[n_seen++] = list->ids[r];
		}
	}
	if (!n_seen)
		return NULL;
	/* Ascending, so every topic of a lost rack names its brokers the same way. */
	qsort(seen, n_seen, sizeof(*seen), compare_broker_ids);
	for (size_t i = 0; i < n_seen; i++)
		kdr_buf_printf(&buf, "%s%d", i ? ", " : "", (int)seen[i]);
	free(seen);
	return kdr_buf_detach(&buf);
}

/* Appends "; "-separated violation messages (at most 5, then a count). */
static void describe_violations(struct kdr_buf *buf, const struct kdr_placement_violations *violations)
{
	for (size_t i = 0; i < violations->n && i < 5; i++)
		kdr_buf_printf(buf, "%s%s", i ? "; " : "", violations->v[i].message);
	if (violations->n > 5)
		kdr_buf_printf(buf, "; and %zu more", violations->n - 5);
}

/*
 * RF and placement of a declared existing topic, and its DC-loss verdict. One
 * blocked item at most per topic: an RF change, else placement violations
 * (including a required DC-loss survival that fails).
 */
static void check_placement(struct plan_ctx *ctx, struct plan_cluster *pc, const struct plan_topic *pt,
			    const struct kdr_live_topic *topic)
{
	struct kdr_placement_request req;
	struct kdr_placement_violations violations = {NULL, 0, 0};
	struct kdr_assignment current = {NULL, 0};
	struct kdr_dc_loss_report report = {NULL, 0, false};
	struct kdr_buf reason = KDR_BUF_INIT;
	struct kdr_placement_broker *brokers = NULL;
	size_t rf = live_rf(topic);
	size_t min_insync = kdr_plan__min_insync(pt, pc->live, topic);
	char *json = NULL, *why = NULL, *verdict = NULL, *offline = NULL;
	bool dc_fails = false;

	if (!topic->n_partitions)
		return;
	kdr_plan__live_assignment(&current, topic);
	if (cluster_has_datacenters(pc)) {
		if (kdr_placement_dc_loss(&report, pc->brokers, pc->n_brokers, &current, min_insync) == 0) {
			verdict = dc_loss_verdict(&report, min_insync);
			dc_fails = !report.survives_any_single_dc_loss;
		}
	}
	if (rf != (size_t)pt->replication_factor) {
		json = kdr_plan__reassignment_json(&why, pc, pt, topic);
		if (rf)
			kdr_buf_printf(&reason, "replication factor %zu -> %lld", rf,
				       (long long)pt->replication_factor);
		else
			kdr_buf_printf(&reason, "partitions have different replica counts; replication factor -> %lld",
				       (long long)pt->replication_factor);
		kdr_buf_puts(&reason,
			     " needs a partition reassignment (kafka-reassign-partitions.sh; the admin API kdr "
			     "uses cannot reassign)");
		if (!json)
			kdr_buf_printf(&reason, "; no valid target assignment: %s", why);
		kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_REPLICATION_FACTOR, pc->name, pt->name,
				      kdr_plan__policy_name(pt->policy), json, "%s", reason.ptr);
		goto cleanup;
	}
	/*
	 * Metadata lists only live brokers: a replica on an unlisted one is on a
	 * broker that is down (a restart, usually) or gone. Neither is a
	 * placement the policy can judge, and a reassignment off a restarting
	 * broker would move data for nothing: say so and check again next time.
	 */
	offline = offline_brokers(pc, topic);
	if (offline) {
		kdr_plan__add_note(
		    ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name,
		    "placement not checked: broker(s) %s hold replicas but are not live (down, or removed "
		    "from the cluster)",
		    offline);
		goto cleanup;
	}
	brokers = kdr_plan__brokers_without(pc, topic);
	fill_request(&req, pc, pt, brokers, pc->n_brokers, rf, topic->n_partitions);
	if (kdr_placement_check(&violations, &req, &current) != 0) {
		why = error_copy();
		kdr_plan__add_note(ctx->plan, KDR_NOTE_WARNING, pc->name, pt->name, "placement not checked: %s", why);
		goto cleanup;
	}
	/* The verdict only once the placement it rests on was checked (never next to "not checked"). */
	if (verdict)
		kdr_plan__add_note(ctx->plan, dc_fails ? KDR_NOTE_WARNING : KDR_NOTE_INFO, pc->name, pt->name, "%s",
				   verdict);
	if (!violations.n && !(dc_fails && pt->policy->require_dc_loss_survival))
		goto cleanup;
	kdr_buf_printf(&reason, "placement violates '%s': ", kdr_placement_strategy_name(req.strategy));
	describe_violations(&reason, &violations);
	if (dc_fails && pt->policy->require_dc_loss_survival)
		kdr_buf_printf(&reason, "%spolicy requires surviving a datacenter loss: %s", violations.n ? "; " : "",
			       verdict);
	json = kdr_plan__reassignment_json(&why, pc, pt, topic);
	if (json)
		kdr_buf_puts(&reason, " (apply the reassignment with kafka-reassign-partitions.sh)");
	else
		kdr_buf_printf(&reason, "; no valid target assignment: %s", why);
	kdr_plan__add_blocked(ctx->plan, KDR_BLOCKED_PLACEMENT_VIOLATION, pc->name, pt->name,
			      kdr_plan__policy_name(pt->policy), json, "%s", reason.ptr);
cleanup:
	kdr_placement_violations_release(&violations);
	kdr_dc_loss_report_release(&report);
	free(current.partitions); /* a view */
	kdr_buf_release(&reason);
	free(brokers);
	free(why);
	free(verdict);
	free(offline);
}

void kdr_plan__topic_partitions(struct plan_ctx *ctx, struct plan_cluster *pc, const struct plan_topic *pt)
{
	const struct kdr_live_topic *topic = kdr_live_topic_find(pc->live, pt->name);

	if (!topic) {
		if (pt->declared)
			create_topic(ctx, pc, pt);
		return;
	}
	if ((size_t)pt->partitions > topic->n_partitions) {
		add_partitions(ctx, pc, pt, topic);
	} else if ((size_t)pt->partitions < topic->n_partitions && pt->declared) {
		/* Matched topics only ever grow: a policy's default partition count is no reason to refuse. */
		kdr_plan__add_blocked(
		    ctx->plan, KDR_BLOCKED_PARTITION_DECREASE, pc->name, pt->name, kdr_plan__policy_name(pt->policy),
		    NULL,
		    "partitions %zu -> %lld: Kafka cannot remove partitions (recreate the topic, or raise "
		    "partitions in the policy)",
		    topic->n_partitions, (long long)pt->partitions);
	}
	if (pt->declared)
		check_placement(ctx, pc, pt, topic);
}
