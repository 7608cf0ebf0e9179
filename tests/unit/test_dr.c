/* pkg/dr: latest checkpoints, the failover decision (with property tests), replication lag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dr/dr.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

static void flow_init(struct kdr_flow *flow)
{
	memset(flow, 0, sizeof(*flow));
	flow->meta.name = kdr_strdup("east-to-west");
	flow->source = kdr_strdup("dc-east");
	flow->target = kdr_strdup("dc-west");
	flow->keep_default_excludes = true;
	kdr_strvec_push(&flow->groups, ".*"); /* the model's default (kdr_flow_set_defaults) */
}

static void flow_release(struct kdr_flow *flow)
{
	free(flow->meta.name);
	free(flow->source);
	free(flow->target);
	kdr_strvec_release(&flow->groups);
	kdr_strvec_release(&flow->groups_exclude);
}

static void add_checkpoint(struct kdr_dr_checkpoints *set, const char *group, const char *topic, int32_t partition,
			   int64_t upstream, int64_t downstream)
{
	struct kdr_mm2_checkpoint cp = { (char *)group, (char *)topic, partition, upstream, downstream, (char *)"" };
	struct kdr_buf key = KDR_BUF_INIT, value = KDR_BUF_INIT;

	/* Through the codec, the way the records arrive from the checkpoints topic. */
	assert_int_equal(kdr_mm2_checkpoint_encode(&key, &value, &cp), 0);
	kdr_dr_checkpoints_add_record(set, (int64_t)set->records, key.ptr, key.len, value.ptr, value.len);
	kdr_buf_release(&key);
	kdr_buf_release(&value);
}

static void target_init(struct kdr_live_cluster *cl, int partitions)
{
	static const int32_t replicas[] = { 1 };
	struct kdr_live_topic *topic = NULL;

	memset(cl, 0, sizeof(*cl));
	cl->name = kdr_strdup("dc-west");
	cl->groups_read = true;
	cl->group_offsets_read = true;
	topic = kdr_live_cluster_add_topic(cl, "dc-east.orders");
	for (int p = 0; p < partitions; p++)
		kdr_live_topic_add_partition(topic, replicas, 1);
}

static void test_latest_checkpoint_wins(void **state)
{
	struct kdr_dr_checkpoints set = { 0 };
	const struct kdr_mm2_checkpoint *cp = NULL;

	(void)state;
	add_checkpoint(&set, "billing", "dc-east.orders", 0, 10, 9);
	add_checkpoint(&set, "audit", "dc-east.orders", 0, 3, 3);
	add_checkpoint(&set, "billing", "dc-east.orders", 0, 20, 18);
	add_checkpoint(&set, "billing", "dc-east.orders", 1, 7, 7);
	/* A rewind on the source is a later record: it wins too (MirrorClient's rule). */
	add_checkpoint(&set, "audit", "dc-east.orders", 0, 1, 1);
	kdr_dr_checkpoints_add_record(&set, 5, "\x00", 1, "\x00\x00", 2);
	kdr_dr_checkpoints_finish(&set);
	assert_int_equal(set.records, 6);
	assert_int_equal(set.corrupt, 1);
	assert_string_equal(set.first_error, "record at offset 5: checkpoint value: truncated at byte 2: field "
					     "'upstreamOffset' needs 8 bytes, 0 left");
	assert_int_equal(set.n, 3);
	cp = kdr_dr_checkpoints_find(&set, "billing", "dc-east.orders", 0);
	assert_non_null(cp);
	assert_int_equal(cp->downstream_offset, 18);
	cp = kdr_dr_checkpoints_find(&set, "audit", "dc-east.orders", 0);
	assert_int_equal(cp->downstream_offset, 1);
	assert_null(kdr_dr_checkpoints_find(&set, "billing", "dc-east.orders", 2));
	assert_string_equal(set.v[0].group, "audit");
	kdr_dr_checkpoints_release(&set);
}

static void test_failover_decisions(void **state)
{
	struct kdr_flow flow;
	struct kdr_dr_checkpoints set = { 0 };
	struct kdr_live_cluster target;
	struct kdr_dr_offsets ends = { 0 }, risk = { 0 };
	struct kdr_dr_failover_plan plan = { 0 };
	struct kdr_dr_failover_input in = { 0 };
	struct kdr_live_group *group = NULL;
	struct kdr_buf text = KDR_BUF_INIT;

	(void)state;
	flow_init(&flow);
	target_init(&target, 3);
	add_checkpoint(&set, "billing", "dc-east.orders", 0, 100, 98);
	add_checkpoint(&set, "billing", "dc-east.orders", 1, 50, 50);
	add_checkpoint(&set, "billing", "dc-east.orders", 2, 10, 9);
	add_checkpoint(&set, "shipping", "dc-east.orders", 0, 5, 5);
	add_checkpoint(&set, "shipping", "dc-east.gone", 0, 5, 5);
	add_checkpoint(&set, "active", "dc-east.orders", 0, 5, 5);
	add_checkpoint(&set, "console-consumer-1", "dc-east.orders", 0, 5, 5);
	kdr_dr_checkpoints_finish(&set);
	group = kdr_live_cluster_add_group(&target, "billing");
	kdr_live_group_add_offset(group, "dc-east.orders", 1, 50, NULL);
	kdr_live_group_add_offset(group, "dc-east.orders", 2, 12, NULL);
	group = kdr_live_cluster_add_group(&target, "active");
	free(group->state);
	group->state = kdr_strdup("Stable");
	group->n_members = 2;
	kdr_live_cluster_sort(&target);
	for (int p = 0; p < 3; p++)
		kdr_dr_offsets_set(&ends, "dc-east.orders", p, 200);
	kdr_dr_offsets_sort(&ends);
	kdr_dr_offsets_set(&risk, "dc-east.orders", 0, 4);
	kdr_dr_offsets_set(&risk, "dc-east.orders", 1, 0);
	kdr_dr_offsets_sort(&risk);
	in.flow = &flow;
	in.checkpoints = &set;
	in.target = &target;
	in.target_ends = &ends;
	in.at_risk = &risk;
	assert_int_equal(kdr_dr_failover_decide(&plan, &in), 0);
	/* console-consumer-* is excluded by MM2's default group filter: not selected. */
	assert_int_equal(plan.n_groups, 3);
	assert_string_equal(plan.groups[0].group, "active");
	assert_int_equal(plan.groups[0].verdict, KDR_DR_REFUSED);
	assert_string_equal(plan.groups[0].reason, "group has 2 member(s) on 'dc-west' (state Stable): stop its "
						   "consumers there first");
	assert_string_equal(plan.groups[1].group, "billing");
	assert_int_equal(plan.groups[1].verdict, KDR_DR_COMMIT);
	assert_int_equal(plan.groups[1].n_commits, 1);
	assert_string_equal(plan.groups[2].group, "shipping");
	assert_int_equal(plan.groups[2].verdict, KDR_DR_REFUSED);
	assert_string_equal(plan.groups[2].reason, "dc-east.gone partition 0: remote topic 'dc-east.gone' does not "
						   "exist on 'dc-west'");
	assert_int_equal(plan.n_refused, 2);
	assert_int_equal(plan.total_at_risk, 4);
	/* rows: active/orders0, billing/orders0..2, shipping/gone0, shipping/orders0 */
	assert_int_equal(plan.n_rows, 6);
	assert_int_equal(plan.rows[1].verdict, KDR_DR_COMMIT);
	assert_int_equal(plan.rows[1].current, -1);
	assert_int_equal(plan.rows[1].next, 98);
	assert_int_equal(plan.rows[1].at_risk, 4);
	assert_int_equal(plan.rows[2].verdict, KDR_DR_UNCHANGED);
	assert_int_equal(plan.rows[3].verdict, KDR_DR_KEPT);
	assert_int_equal(plan.rows[3].next, 12);
	assert_string_equal(plan.rows[3].reason, "current offset 12 is ahead of the checkpoint 9: not moved backwards "
						 "(--force moves it)");
	assert_int_equal(plan.rows[5].verdict, KDR_DR_REFUSED);
	assert_string_equal(plan.rows[5].reason, "group refused");
	assert_int_equal(plan.rows[5].next, -1);
	kdr_dr_failover_render_text(&text, &plan, false);
	if (getenv("KDR_TEST_PRINT")) fputs(text.ptr, stderr);
	assert_non_null(strstr(text.ptr, "billing   dc-east.orders  0          98          -        98   4        commit\n"));
	assert_non_null(strstr(text.ptr, "3 group(s): 1 committed, 0 unchanged, 2 refused; 1 partition(s) moved, 1 kept "
					 "ahead; records at risk (on 'dc-east', not on 'dc-west'): 4\n"));
	kdr_dr_failover_plan_release(&plan);

	/* --force moves billing/2 back; --group picks groups by name, an unknown one is refused. */
	{
		const char *groups[] = { "billing", "nobody", "billing" };

		in.force = true;
		in.groups = groups;
		in.n_groups = 3;
		in.at_risk = NULL;
		assert_int_equal(kdr_dr_failover_decide(&plan, &in), 0);
		assert_int_equal(plan.n_groups, 2);
		assert_string_equal(plan.groups[1].group, "nobody");
		assert_int_equal(plan.groups[1].verdict, KDR_DR_REFUSED);
		assert_int_equal(plan.rows[2].verdict, KDR_DR_COMMIT);
		assert_string_equal(plan.rows[2].reason, "moved backwards (--force)");
		assert_int_equal(plan.rows[2].next, 9);
		assert_int_equal(plan.total_at_risk, -1);
		kdr_dr_failover_plan_release(&plan);
	}
	/* A checkpoint past the log end of the remote partition refuses the group. */
	in.force = false;
	in.n_groups = 0;
	in.groups = NULL;
	ends.v[0].offset = 50;
	assert_int_equal(kdr_dr_failover_decide(&plan, &in), 0);
	assert_int_equal(plan.groups[1].verdict, KDR_DR_REFUSED);
	assert_string_equal(plan.groups[1].reason, "dc-east.orders partition 0: checkpoint offset 98 is past the log end "
						   "50 of 'dc-east.orders' on 'dc-west'");
	kdr_dr_failover_plan_release(&plan);
	kdr_buf_release(&text);
	kdr_dr_offsets_release(&ends);
	kdr_dr_offsets_release(&risk);
	kdr_dr_checkpoints_release(&set);
	kdr_live_cluster_release(&target);
	flow_release(&flow);
}

/*
 * Properties over random checkpoints and target groups: (1) no row commits
 * backwards without force; (2) nothing of a refused or active group commits;
 * (3) applying the commits to the group and deciding again gives no commit
 * (a second failover is a no-op); (4) a committed offset is the latest
 * checkpoint's downstream offset.
 */
static void test_failover_properties(void **state)
{
	struct kdr_rng rng;

	(void)state;
	kdr_rng_seed(&rng, 11);
	for (int round = 0; round < 300; round++) {
		struct kdr_flow flow;
		struct kdr_dr_checkpoints set = { 0 };
		struct kdr_live_cluster target;
		struct kdr_dr_offsets ends = { 0 };
		struct kdr_dr_failover_plan plan = { 0 }, again = { 0 };
		struct kdr_dr_failover_input in = { 0 };
		int partitions = 1 + (int)kdr_rng_below(&rng, 4);
		int n_groups = 1 + (int)kdr_rng_below(&rng, 4);

		flow_init(&flow);
		target_init(&target, partitions);
		for (int p = 0; p < partitions; p++)
			kdr_dr_offsets_set(&ends, "dc-east.orders", p, 1000);
		kdr_dr_offsets_sort(&ends);
		for (int g = 0; g < n_groups; g++) {
			char name[16];
			struct kdr_live_group *group = NULL;

			snprintf(name, sizeof(name), "g%d", g);
			for (int k = (int)kdr_rng_below(&rng, 6); k > 0; k--)
				add_checkpoint(&set, name, "dc-east.orders", (int32_t)kdr_rng_below(&rng, (uint64_t)partitions + 1),
					       0, (int64_t)kdr_rng_below(&rng, 1100));
			if (kdr_rng_below(&rng, 3) == 0)
				continue; /* no such group on the target */
			group = kdr_live_cluster_add_group(&target, name);
			if (kdr_rng_below(&rng, 5) == 0)
				group->n_members = 1;
			for (int p = 0; p < partitions; p++)
				if (kdr_rng_below(&rng, 2))
					kdr_live_group_add_offset(group, "dc-east.orders", p,
								  (int64_t)kdr_rng_below(&rng, 1000), NULL);
		}
		kdr_dr_checkpoints_finish(&set);
		kdr_live_cluster_sort(&target);
		in.flow = &flow;
		in.checkpoints = &set;
		in.target = &target;
		in.target_ends = &ends;
		in.force = kdr_rng_below(&rng, 4) == 0;
		assert_int_equal(kdr_dr_failover_decide(&plan, &in), 0);
		for (size_t i = 0; i < plan.n_rows; i++) {
			const struct kdr_dr_failover_row *row = &plan.rows[i];
			const struct kdr_live_group *tg = kdr_live_group_find(&target, row->group);
			const struct kdr_mm2_checkpoint *cp =
				kdr_dr_checkpoints_find(&set, row->group, row->topic, row->partition);

			if (row->verdict != KDR_DR_COMMIT) {
				assert_int_equal(row->next, row->current);
				continue;
			}
			assert_false(kdr_live_group_active(tg));
			assert_int_equal(row->next, cp->downstream_offset);
			assert_true(row->next <= 1000 && (size_t)row->partition < (size_t)partitions);
			if (!in.force)
				assert_true(row->next > row->current);
		}
		for (size_t i = 0; i < plan.n_groups; i++) {
			if (plan.groups[i].verdict != KDR_DR_REFUSED)
				continue;
			for (size_t k = 0; k < plan.n_rows; k++)
				if (strcmp(plan.rows[k].group, plan.groups[i].group) == 0)
					assert_int_not_equal(plan.rows[k].verdict, KDR_DR_COMMIT);
		}
		/* Commit what the plan says, then decide again: nothing to commit. */
		for (size_t i = 0; i < plan.n_rows; i++) {
			const struct kdr_dr_failover_row *row = &plan.rows[i];
			struct kdr_live_group *tg = (struct kdr_live_group *)kdr_live_group_find(&target, row->group);

			if (row->verdict != KDR_DR_COMMIT)
				continue;
			if (!tg) {
				tg = kdr_live_cluster_add_group(&target, row->group);
				kdr_live_cluster_sort(&target);
				tg = (struct kdr_live_group *)kdr_live_group_find(&target, row->group);
			}
			{
				struct kdr_live_group_offset *o = (struct kdr_live_group_offset *)
					kdr_live_group_offset_find(tg, row->topic, row->partition);

				if (o)
					o->offset = row->next;
				else
					kdr_live_group_add_offset(tg, row->topic, row->partition, row->next, NULL);
				kdr_live_cluster_sort(&target);
			}
		}
		assert_int_equal(kdr_dr_failover_decide(&again, &in), 0);
		for (size_t i = 0; i < again.n_rows; i++)
			assert_int_not_equal(again.rows[i].verdict, KDR_DR_COMMIT);
		kdr_dr_failover_plan_release(&plan);
		kdr_dr_failover_plan_release(&again);
		kdr_dr_offsets_release(&ends);
		kdr_dr_checkpoints_release(&set);
		kdr_live_cluster_release(&target);
		flow_release(&flow);
	}
}

static void test_group_filter(void **state)
{
	struct kdr_flow flow;
	struct kdr_mm2_group_filter filter;

	(void)state;
	flow_init(&flow);
	kdr_strvec_release(&flow.groups);
	kdr_strvec_push(&flow.groups, "bill.*");
	kdr_strvec_push(&flow.groups, "connect-x");
	kdr_strvec_push(&flow.groups_exclude, "billing-test");
	assert_int_equal(kdr_mm2_group_filter_init(&filter, &flow), 0);
	assert_true(kdr_mm2_group_filter_match(&filter, "billing"));
	assert_false(kdr_mm2_group_filter_match(&filter, "billing-test"));
	assert_false(kdr_mm2_group_filter_match(&filter, "xbilling"));
	assert_false(kdr_mm2_group_filter_match(&filter, "connect-x")); /* MM2's default exclude */
	kdr_mm2_group_filter_release(&filter);
	flow.keep_default_excludes = false;
	assert_int_equal(kdr_mm2_group_filter_init(&filter, &flow), 0);
	assert_true(kdr_mm2_group_filter_match(&filter, "connect-x"));
	kdr_mm2_group_filter_release(&filter);
	kdr_strvec_push(&flow.groups, "(");
	assert_int_equal(kdr_mm2_group_filter_init(&filter, &flow), KDR_EINVALID);
	flow_release(&flow);
}

/*
 * spec.groups: [] renders `groups=` and MM2's DefaultGroupFilter accepts no
 * group then (an empty pattern list compiles to none): failover selects none
 * and says so for a group asked for by name, as the ACL mirroring carries none.
 */
static void test_group_filter_empty_accepts_none(void **state)
{
	struct kdr_flow flow;
	struct kdr_mm2_group_filter filter;
	struct kdr_dr_checkpoints set = { 0 };
	struct kdr_live_cluster target;
	struct kdr_dr_offsets ends = { 0 }, risk = { 0 };
	struct kdr_dr_failover_plan plan = { 0 };
	struct kdr_dr_failover_input in = { 0 };
	char *asked[] = { (char *)"audit" };

	(void)state;
	flow_init(&flow);
	kdr_strvec_release(&flow.groups);
	assert_int_equal(kdr_mm2_group_filter_init(&filter, &flow), 0);
	assert_false(kdr_mm2_group_filter_match(&filter, "billing"));
	assert_false(kdr_mm2_group_filter_match(&filter, ""));
	kdr_mm2_group_filter_release(&filter);

	target_init(&target, 1);
	add_checkpoint(&set, "billing", "dc-east.orders", 0, 10, 10);
	kdr_dr_checkpoints_finish(&set);
	kdr_dr_offsets_set(&ends, "dc-east.orders", 0, 10);
	in.flow = &flow;
	in.checkpoints = &set;
	in.target = &target;
	in.target_ends = &ends;
	in.at_risk = &risk;
	assert_int_equal(kdr_dr_failover_decide(&plan, &in), 0);
	assert_int_equal(plan.n_groups, 0);
	kdr_dr_failover_plan_release(&plan);

	/* Asked for by name without a checkpoint: the refusal says the filter is why. */
	in.groups = (const char *const *)asked;
	in.n_groups = 1;
	assert_int_equal(kdr_dr_failover_decide(&plan, &in), 0);
	assert_int_equal(plan.n_groups, 1);
	assert_int_equal(plan.groups[0].verdict, KDR_DR_REFUSED);
	assert_string_equal(plan.groups[0].reason,
			    "no checkpoint: the group filter of flow 'east-to-west' does not accept it");
	kdr_dr_failover_plan_release(&plan);
	kdr_dr_offsets_release(&ends);
	kdr_dr_checkpoints_release(&set);
	kdr_live_cluster_release(&target);
	flow_release(&flow);
}

static void test_replicated_upstream(void **state)
{
	struct kdr_mm2_offset_sync sync = { (char *)"orders", 0, 100, 98 };

	(void)state;
	/* Target has 98..109 beyond the sync: upstream 100..111 copied, next is 112. */
	assert_int_equal(kdr_dr_replicated_upstream(&sync, 110, 500), 112);
	assert_int_equal(kdr_dr_replicated_upstream(&sync, 110, 105), 105); /* never past the source end */
	assert_int_equal(kdr_dr_replicated_upstream(&sync, 90, 500), 100);  /* target behind its sync */
	assert_int_equal(kdr_dr_replicated_upstream(&sync, -1, 500), -1);
	assert_int_equal(kdr_dr_replicated_upstream(NULL, 0, 0), 0);
	assert_int_equal(kdr_dr_replicated_upstream(NULL, 5, 10), -1);
}

static void test_lag_report(void **state)
{
	struct kdr_flow flow;
	struct kdr_live_cluster source;
	struct kdr_strvec topics = KDR_STRVEC_INIT;
	const char *remote[] = { "dc-east.orders" };
	struct kdr_dr_offsets src_ends = { 0 }, dst_ends = { 0 }, first = { 0 };
	struct kdr_dr_syncs syncs = { 0 };
	struct kdr_dr_lag_input in = { 0 };
	struct kdr_dr_lag_report report = { 0 };
	struct kdr_mm2_offset_sync sync = { (char *)"orders", 0, 100, 98 };
	struct kdr_buf k = KDR_BUF_INIT, v = KDR_BUF_INIT, out = KDR_BUF_INIT;
	static const int32_t replicas[] = { 1 };
	struct kdr_live_topic *topic = NULL;

	(void)state;
	flow_init(&flow);
	memset(&source, 0, sizeof(source));
	source.name = kdr_strdup("dc-east");
	topic = kdr_live_cluster_add_topic(&source, "orders");
	kdr_live_topic_add_partition(topic, replicas, 1);
	kdr_live_topic_add_partition(topic, replicas, 1);
	kdr_strvec_push(&topics, "orders");
	kdr_dr_offsets_set(&src_ends, "orders", 0, 120);
	kdr_dr_offsets_set(&src_ends, "orders", 1, 0);
	kdr_dr_offsets_sort(&src_ends);
	kdr_dr_offsets_set(&dst_ends, "dc-east.orders", 0, 110);
	kdr_dr_offsets_set(&dst_ends, "dc-east.orders", 1, 0);
	kdr_dr_offsets_sort(&dst_ends);
	kdr_dr_offsets_set(&first, "orders", 0, 112);
	first.v[0].timestamp_ms = 10000;
	assert_int_equal(kdr_mm2_offset_sync_encode(&k, &v, &sync), 0);
	kdr_dr_syncs_add_record(&syncs, 0, k.ptr, k.len, v.ptr, v.len);
	kdr_dr_syncs_finish(&syncs);
	in.flow = &flow;
	in.topics = &topics;
	in.remote_topics = remote;
	in.source = &source;
	in.source_ends = &src_ends;
	in.target_ends = &dst_ends;
	in.syncs = &syncs;
	in.first_unreplicated = &first;
	in.newest_heartbeat_ms = 16500;
	in.now_ms = 17000;
	in.threshold_ms = 5000;
	kdr_dr_lag_compute(&report, &in);
	assert_int_equal(report.n_rows, 2);
	assert_int_equal(report.rows[0].replicated, 112);
	assert_int_equal(report.rows[0].lag, 8);
	assert_int_equal(report.rows[0].rpo_ms, 7000);
	assert_int_equal(report.rows[1].lag, 0);
	assert_int_equal(report.rows[1].rpo_ms, 0);
	assert_int_equal(report.total_lag, 8);
	assert_int_equal(report.max_rpo_ms, 7000);
	assert_int_equal(report.heartbeat_age_ms, 500);
	assert_true(report.over);
	kdr_dr_lag_render_text(&out, &report);
	assert_non_null(strstr(out.ptr, "orders\t0\t120\t112\t110\t8\t7000ms\n"));
	assert_non_null(strstr(out.ptr, "(threshold 5000ms: OVER)\n"));
	kdr_dr_lag_report_release(&report);
	/* Caught up: under the threshold. */
	dst_ends.v[0].offset = 118;
	kdr_dr_lag_compute(&report, &in);
	assert_int_equal(report.total_lag, 0);
	assert_false(report.over);
	kdr_dr_lag_report_release(&report);
	/* No sync and records on the source: unknown, which alerts. */
	kdr_dr_syncs_release(&syncs);
	kdr_dr_lag_compute(&report, &in);
	assert_int_equal(report.rows[0].lag, -1);
	assert_true(report.over);
	kdr_buf_reset(&out);
	kdr_dr_lag_render_json(&out, &report);
	assert_non_null(strstr(out.ptr, "\"totalLag\": null"));
	kdr_dr_lag_report_release(&report);
	kdr_buf_release(&k);
	kdr_buf_release(&v);
	kdr_buf_release(&out);
	kdr_dr_offsets_release(&src_ends);
	kdr_dr_offsets_release(&dst_ends);
	kdr_dr_offsets_release(&first);
	kdr_strvec_release(&topics);
	kdr_live_cluster_release(&source);
	flow_release(&flow);
}

/* Failback's translation by hand: exact, +1, nothing before, contradicted syncs dropped. */
static void test_upstream_for_downstream(void **state)
{
	struct kdr_dr_sync_history history = { 0 };

	(void)state;
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 0), -1);
	kdr_dr_sync_history_add(&history, 100, 10);
	kdr_dr_sync_history_add(&history, 250, 60); /* a gap upstream (compaction) */
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 9), -1); /* before every sync: unknown */
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 10), 100); /* record 100 is the next one */
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 11), 101); /* record 100 was read */
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 59), 101); /* never guesses forward */
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 60), 250);
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 1000), 251);
	/* A task restart re-sends from source offset 200: the sync at 250 no longer holds. */
	kdr_dr_sync_history_add(&history, 200, 61);
	assert_int_equal((long long)history.n, 2);
	assert_int_equal((long long)history.dropped, 1);
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 60), 101);
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 61), 200);
	/* The remote topic recreated: downstream starts again, every earlier sync goes. */
	kdr_dr_sync_history_add(&history, 300, 0);
	assert_int_equal((long long)history.n, 1);
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 0), 300);
	assert_int_equal(kdr_dr_upstream_for_downstream(&history, 5), 301);
	kdr_dr_sync_history_add(&history, -1, 7); /* ignored */
	assert_int_equal((long long)history.n, 1);
	kdr_dr_sync_history_release(&history);
}

/*
 * Failback's translation against a simulated MM2: a source partition with gaps,
 * replicated by task runs that restart from their last committed source offset
 * (re-sending records), syncs at each run's first record and at random ones.
 * For every downstream position D: the translated source offset U skips no
 * source record the group has not read (each record below U has a copy below
 * D), U is the best the kept syncs prove, U never decreases with D, and U is
 * unknown only before the first kept sync.
 */
static void test_upstream_for_downstream_properties(void **state)
{
	struct kdr_rng rng;

	(void)state;
	kdr_rng_seed(&rng, 23);
	for (int round = 0; round < 400; round++) {
		int64_t source[64];
		int64_t copy_of[256]; /* downstream offset -> index into source */
		size_t n_source = 1 + (size_t)kdr_rng_below(&rng, 64), n_copies = 0;
		size_t written = 0, committed = 0;
		struct kdr_dr_sync_history history = { 0 };
		int64_t previous = -1;

		source[0] = (int64_t)kdr_rng_below(&rng, 5);
		for (size_t i = 1; i < n_source; i++)
			source[i] = source[i - 1] + 1 + (int64_t)kdr_rng_below(&rng, 3);
		while (written < n_source && n_copies < 250) {
			/* A run starts at the committed source offset and writes a few records in order. */
			size_t at = committed, count = 1 + (size_t)kdr_rng_below(&rng, 20);

			for (size_t k = 0; k < count && at < n_source && n_copies < 256; k++, at++) {
				if (k == 0 || kdr_rng_below(&rng, 5) == 0)
					kdr_dr_sync_history_add(&history, source[at], (int64_t)n_copies);
				copy_of[n_copies++] = (int64_t)at;
			}
			if (at > written)
				written = at;
			committed += (size_t)kdr_rng_below(&rng, (uint64_t)(at - committed) + 1);
		}
		for (size_t i = 1; i < history.n; i++) {
			assert_true(history.v[i].upstream > history.v[i - 1].upstream);
			assert_true(history.v[i].downstream > history.v[i - 1].downstream);
		}
		for (int64_t d = 0; d <= (int64_t)n_copies; d++) {
			int64_t u = kdr_dr_upstream_for_downstream(&history, d);
			int64_t best = -1;

			for (size_t i = 0; i < history.n; i++)
				if (history.v[i].downstream <= d) {
					int64_t proven = history.v[i].downstream == d ? history.v[i].upstream
										     : history.v[i].upstream + 1;
					if (proven > best)
						best = proven;
				}
			assert_int_equal(u, best);
			assert_true(u >= previous);
			previous = u;
			if (u < 0) {
				assert_true(history.n == 0 || history.v[0].downstream > d);
				continue;
			}
			/* No loss: every source record below u was read (some copy of it is below d). */
			for (size_t i = 0; i < n_source && source[i] < u; i++) {
				bool read = false;

				for (int64_t c = 0; c < d && !read; c++)
					read = copy_of[c] == (int64_t)i;
				assert_true(read);
			}
		}
		kdr_dr_sync_history_release(&history);
	}
}

/*
 * A position no offset-sync proves (real MM2 kept only the sync (99, 99) on
 * a partition): refused by default, at the primary's log start under
 * --untranslatable earliest, and the row says how many records may be
 * re-read; a position a sync proves is translated the same either way.
 */
static void test_failback_untranslatable(void **state)
{
	struct kdr_dr_sync_history history = { 0 };
	struct kdr_mm2_offset_sync syncs_v[] = { { (char *)"orders", 0, 99, 99 }, { (char *)"orders", 1, 40, 40 } };
	struct kdr_dr_syncs syncs = { syncs_v, 2, 2, 2, 0, NULL };
	struct kdr_live_group_offset offsets[] = { { (char *)"dc-east.orders", 0, 5, (char *)"" },
						   { (char *)"dc-east.orders", 1, 50, (char *)"" } };
	struct kdr_live_group group = { (char *)"billing", (char *)"Empty", (char *)"consumer", 0, offsets, 2 };
	struct kdr_live_cluster standby;
	struct kdr_dr_offsets starts = { 0 }, ends = { 0 };
	struct kdr_dr_checkpoints out = { 0 }, from_start = { 0 };
	struct kdr_strvec untranslated = KDR_STRVEC_INIT;
	struct kdr_dr_failback_input in = { 0 };
	struct kdr_dr_failover_row row = { 0 };
	struct kdr_dr_failover_plan plan = { 0 };
	struct kdr_flow flow;
	bool at_start = true;

	(void)state;
	flow_init(&flow);
	assert_string_equal(kdr_dr_untranslatable_names[KDR_DR_UNTRANSLATABLE_REFUSE], "refuse");
	assert_string_equal(kdr_dr_untranslatable_names[KDR_DR_UNTRANSLATABLE_EARLIEST], "earliest");
	assert_null(kdr_dr_untranslatable_names[KDR_DR_UNTRANSLATABLE_EARLIEST + 1]);

	/* The pure decision. */
	kdr_dr_sync_history_add(&history, 99, 99);
	assert_int_equal(kdr_dr_failback_position(&history, 5, KDR_DR_UNTRANSLATABLE_REFUSE, 3, &at_start), -1);
	assert_false(at_start);
	assert_int_equal(kdr_dr_failback_position(&history, 5, KDR_DR_UNTRANSLATABLE_EARLIEST, 3, &at_start), 3);
	assert_true(at_start);
	assert_int_equal(kdr_dr_failback_position(&history, 5, KDR_DR_UNTRANSLATABLE_EARLIEST, -1, &at_start), -1);
	assert_false(at_start); /* the log start unknown: still refused */
	assert_int_equal(kdr_dr_failback_position(&history, 99, KDR_DR_UNTRANSLATABLE_EARLIEST, 3, &at_start), 99);
	assert_false(at_start); /* a sync proves it: never the log start */
	assert_int_equal(kdr_dr_failback_position(&history, 120, KDR_DR_UNTRANSLATABLE_EARLIEST, 3, &at_start), 100);
	kdr_dr_sync_history_release(&history);

	/* Through the checkpoints, refused by default. */
	memset(&standby, 0, sizeof(standby));
	standby.groups = &group;
	standby.n_groups = 1;
	in.flow = &flow;
	in.standby = &standby;
	in.syncs = &syncs;
	kdr_dr_failback_checkpoints(&out, &from_start, &untranslated, &in);
	assert_int_equal((long long)out.n, 1);
	assert_int_equal(out.v[0].partition, 1);
	assert_int_equal(out.v[0].downstream_offset, 41);
	assert_int_equal((long long)from_start.n, 0);
	assert_int_equal((long long)untranslated.n, 1);
	assert_string_equal(untranslated.v[0], "group 'billing': dc-east.orders[0] at 5: no offset-sync at or before it");
	kdr_dr_checkpoints_release(&out);
	kdr_dr_checkpoints_release(&from_start);
	kdr_strvec_release(&untranslated);

	/* --untranslatable earliest: partition 0 at its log start (7), partition 1 as before. */
	kdr_dr_offsets_set(&starts, "orders", 0, 7);
	kdr_dr_offsets_set(&starts, "orders", 1, 0);
	kdr_dr_offsets_sort(&starts);
	in.untranslatable = KDR_DR_UNTRANSLATABLE_EARLIEST;
	in.starts = &starts;
	kdr_dr_failback_checkpoints(&out, &from_start, &untranslated, &in);
	assert_int_equal((long long)untranslated.n, 0);
	assert_int_equal((long long)out.n, 2);
	assert_int_equal(out.v[0].partition, 0);
	assert_int_equal(out.v[0].downstream_offset, 7);
	assert_int_equal(out.v[0].upstream_offset, 5);
	assert_int_equal(out.v[1].downstream_offset, 41);
	assert_int_equal((long long)from_start.n, 1);
	assert_int_equal(from_start.v[0].partition, 0);

	/* The row that commits the log start says so, with the records that may be re-read (end 100 - 7). */
	kdr_dr_offsets_set(&ends, "orders", 0, 100);
	kdr_dr_offsets_sort(&ends);
	row.group = (char *)"billing";
	row.topic = (char *)"orders";
	row.partition = 0;
	row.next = 7;
	row.verdict = KDR_DR_COMMIT;
	plan.rows = &row;
	plan.n_rows = 1;
	kdr_dr_failback_note_log_starts(&plan, &from_start, &ends, &flow);
	assert_non_null(row.reason);
	assert_string_equal(row.reason,
			    "no offset-sync at or before dc-east.orders[0] at 5: the log start, up to 93 records may be "
			    "re-read");
	free(row.reason);
	row.reason = NULL;
	row.verdict = KDR_DR_KEPT; /* the group further on the primary: nothing re-read, nothing said */
	kdr_dr_failback_note_log_starts(&plan, &from_start, &ends, &flow);
	assert_null(row.reason);

	kdr_dr_checkpoints_release(&out);
	kdr_dr_checkpoints_release(&from_start);
	kdr_dr_offsets_release(&starts);
	kdr_dr_offsets_release(&ends);
	flow_release(&flow);
}

/* A desired state of flows (name, source, target, failedOver or NULL), for kdr_dr_failback_step. */
static void flows_init(struct kdr_desired *desired, const char *const (*flows)[4], size_t n)
{
	memset(desired, 0, sizeof(*desired));
	for (size_t i = 0; i < n; i++) {
		struct kdr_flow *flow = kdr_desired_add_flow(desired);

		flow->meta.name = kdr_strdup(flows[i][0]);
		flow->source = kdr_strdup(flows[i][1]);
		flow->target = kdr_strdup(flows[i][2]);
		flow->failed_over = flows[i][3] ? kdr_strdup(flows[i][3]) : NULL;
	}
}

static void assert_failback_step(const char *const (*flows)[4], size_t n, enum kdr_dr_failback_step step,
				 const char *reverse, bool owned)
{
	struct kdr_desired desired;
	struct kdr_dr_failback_state state;

	flows_init(&desired, flows, n);
	assert_int_equal(kdr_dr_failback_step(&state, &desired, &desired.flows[0]), 0);
	assert_int_equal(state.step, step);
	assert_string_equal(state.reverse_name, "east-to-west-failback");
	if (reverse)
		assert_string_equal(state.reverse->meta.name, reverse);
	else
		assert_null(state.reverse);
	assert_int_equal(state.owned, owned);
	kdr_dr_failback_state_release(&state);
	kdr_desired_release(&desired);
}

static void test_failback_steps(void **state)
{
	const char *t = "2026-12-07T01:02:03Z";
	const char *const not_failed_over[][4] = { { "east-to-west", "dc-east", "dc-west", NULL } };
	const char *const declare[][4] = { { "east-to-west", "dc-east", "dc-west", t } };
	const char *const catch_up[][4] = { { "east-to-west", "dc-east", "dc-west", t },
					     { "east-to-west-failback", "dc-west", "dc-east", NULL } };
	const char *const restore[][4] = { { "east-to-west", "dc-east", "dc-west", t },
					    { "east-to-west-failback", "dc-west", "dc-east", t } };
	/* An earlier step 3 restored F and stopped before removing F-failback: step 3 again. */
	const char *const half_restored[][4] = { { "east-to-west", "dc-east", "dc-west", NULL },
						  { "east-to-west-failback", "dc-west", "dc-east", t } };
	/* Active-active: the topology's flow back (the first by name) is the reverse flow, not owned. */
	const char *const aa_catch_up[][4] = { { "east-to-west", "dc-east", "dc-west", t },
						{ "west-to-east", "dc-west", "dc-east", NULL },
						{ "west-to-east-2", "dc-west", "dc-east", t } };
	const char *const aa_restore[][4] = { { "east-to-west", "dc-east", "dc-west", NULL },
					       { "west-to-east", "dc-west", "dc-east", t } };
	const char *const aa_nothing[][4] = { { "east-to-west", "dc-east", "dc-west", NULL },
					       { "west-to-east", "dc-west", "dc-east", NULL } };
	const char *const wrong_way[][4] = { { "east-to-west", "dc-east", "dc-west", t },
					      { "east-to-west-failback", "dc-east", "dc-west", NULL } };
	const char *const long_name[][4] = { { "a-flow-name-of-fifty-five-characters-xxxxxxxxxxxxxxxxxx", "dc-east",
						"dc-west", t } };
	struct kdr_desired desired;
	struct kdr_dr_failback_state st;

	(void)state;
	assert_failback_step(not_failed_over, 1, KDR_DR_FAILBACK_NOTHING, NULL, false);
	assert_failback_step(declare, 1, KDR_DR_FAILBACK_DECLARE, NULL, false);
	assert_failback_step(catch_up, 2, KDR_DR_FAILBACK_CATCH_UP, "east-to-west-failback", true);
	assert_failback_step(restore, 2, KDR_DR_FAILBACK_RESTORE, "east-to-west-failback", true);
	assert_failback_step(half_restored, 2, KDR_DR_FAILBACK_RESTORE, "east-to-west-failback", true);
	assert_failback_step(aa_catch_up, 3, KDR_DR_FAILBACK_CATCH_UP, "west-to-east", false);
	assert_failback_step(aa_restore, 2, KDR_DR_FAILBACK_RESTORE, "west-to-east", false);
	assert_failback_step(aa_nothing, 2, KDR_DR_FAILBACK_NOTHING, "west-to-east", false);

	flows_init(&desired, wrong_way, 2);
	assert_int_equal(kdr_dr_failback_step(&st, &desired, &desired.flows[0]), KDR_EINVALID);
	assert_string_equal(kdr_error_message(),
			    "ReplicationFlow 'east-to-west-failback' exists but is not dc-west -> dc-east: rename one of them");
	kdr_dr_failback_state_release(&st);
	kdr_desired_release(&desired);

	assert_int_equal(strlen(long_name[0][0]), 55);
	flows_init(&desired, long_name, 1);
	assert_int_equal(kdr_dr_failback_step(&st, &desired, &desired.flows[0]), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "flow name 'a-flow-name-of-fifty-five-characters-xxxxxxxxxxxxxxxxxx' "
						 "is too long for its reverse flow "
						 "'a-flow-name-of-fifty-five-characters-xxxxxxxxxxxxxxxxxx-failback' (at most 63)");
	assert_null(st.reverse_name);
	kdr_dr_failback_state_release(&st);
	kdr_desired_release(&desired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latest_checkpoint_wins), cmocka_unit_test(test_failover_decisions),
		cmocka_unit_test(test_failover_properties),   cmocka_unit_test(test_group_filter),
		cmocka_unit_test(test_replicated_upstream),   cmocka_unit_test(test_lag_report),
		cmocka_unit_test(test_upstream_for_downstream), cmocka_unit_test(test_upstream_for_downstream_properties),
		cmocka_unit_test(test_failback_untranslatable), cmocka_unit_test(test_failback_steps),
		cmocka_unit_test(test_group_filter_empty_accepts_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
