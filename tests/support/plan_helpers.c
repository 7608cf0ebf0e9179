/*
 * The helpers of the pkg/plan unit tests (test_plan*.c), in the kdrtest_plan library:
 * see plan_helpers.h.
 */
#include "plan_helpers.h"

const char *plan_test_context;

void desired_from_yaml(struct kdr_desired *desired, const char *yaml)
{
	parse_or_fail(desired, "test.yaml", yaml);
}

struct kdr_live_cluster *live_cluster(struct kdr_live *live, const char *name, size_t n_brokers,
				      const char *const *racks)
{
	struct kdr_live_cluster *cl = kdr_live_add_cluster(live, name);

	cl->cluster_id = strdup(name);
	cl->controller_id = 1;
	for (size_t i = 0; i < n_brokers; i++)
		kdr_live_cluster_add_broker(cl, (int32_t)(i + 1), "127.0.0.1", (int32_t)(9092 + i),
					    racks ? racks[i] : NULL);
	kdr_live_cluster_set_topic_default(cl, "min.insync.replicas", "1", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "retention.ms", "604800000", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "cleanup.policy", "delete", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_cluster_set_topic_default(cl, "remote.storage.enable", "false", KDR_CONFIG_SOURCE_DEFAULT);
	kdr_live_sort(live);
	return (struct kdr_live_cluster *)kdr_live_cluster_find(live, name);
}

struct kdr_live_cluster *live_get(struct kdr_live *live, const char *name)
{
	return (struct kdr_live_cluster *)kdr_live_cluster_find(live, name);
}

struct kdr_live_topic *live_topic(struct kdr_live_cluster *cl, const char *name, const char *assignment)
{
	struct kdr_live_topic *topic = kdr_live_cluster_add_topic(cl, name);
	const char *p = assignment;

	while (p && *p) {
		int32_t ids[64];
		size_t n = 0;

		while (*p && *p != ';') {
			char *end = NULL;

			ids[n++] = (int32_t)strtol(p, &end, 10);
			p = end;
			if (*p == ',')
				p++;
		}
		kdr_live_topic_add_partition(topic, ids, n);
		if (*p == ';')
			p++;
	}
	kdr_live_cluster_sort(cl);
	return (struct kdr_live_topic *)kdr_live_topic_find(cl, name);
}

void live_override(struct kdr_live_cluster *cl, const char *topic, const char *key, const char *value)
{
	struct kdr_live_topic *t = (struct kdr_live_topic *)kdr_live_topic_find(cl, topic);

	assert_non_null(t);
	kdr_live_topic_set_config(t, key, value, KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
}

int plan_ok(struct kdr_plan *plan, const struct kdr_desired *desired, const struct kdr_live *live,
	    const struct kdr_plan_options *options)
{
	int rc = kdr_plan_compute(plan, desired, live, options);

	if (rc != 0)
		fail_msg("kdr_plan_compute: %d %s", rc, kdr_error_message());
	return rc;
}

const struct kdr_action *find_action(const struct kdr_plan *plan, enum kdr_action_kind kind, const char *cluster,
				     const char *resource)
{
	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *a = &plan->actions[i];

		if (a->kind == kind && strcmp(a->cluster, cluster) == 0 &&
		    (!resource || (a->resource && strcmp(a->resource, resource) == 0)))
			return a;
	}
	return NULL;
}

const struct kdr_blocked *find_blocked(const struct kdr_plan *plan, enum kdr_blocked_kind kind, const char *cluster,
				       const char *resource)
{
	for (size_t i = 0; i < plan->n_blocked; i++) {
		const struct kdr_blocked *b = &plan->blocked[i];

		if (b->kind == kind && strcmp(b->cluster, cluster) == 0 &&
		    ((!resource && !b->resource) || (resource && b->resource && strcmp(b->resource, resource) == 0)))
			return b;
	}
	return NULL;
}

const struct kdr_note *find_note(const struct kdr_plan *plan, const char *cluster, const char *resource,
				 const char *needle)
{
	for (size_t i = 0; i < plan->n_notes; i++) {
		const struct kdr_note *n = &plan->notes[i];

		if (cluster && (!n->cluster || strcmp(n->cluster, cluster) != 0))
			continue;
		if (resource && (!n->resource || strcmp(n->resource, resource) != 0))
			continue;
		if (strstr(n->message, needle))
			return n;
	}
	return NULL;
}

const struct kdr_config_change *find_change(const struct kdr_action *action, const char *key)
{
	for (size_t i = 0; i < action->n_changes; i++)
		if (strcmp(action->changes[i].key, key) == 0)
			return &action->changes[i];
	return NULL;
}

static void dump_opt(struct kdr_buf *out, const char *s)
{
	kdr_buf_puts(out, s ? s : "(null)");
}

static void dump_assignment(struct kdr_buf *out, const struct kdr_assignment *a)
{
	for (size_t p = 0; p < a->n; p++) {
		kdr_buf_puts(out, p ? ";" : " assignment=");
		for (size_t r = 0; r < a->partitions[p].n; r++)
			kdr_buf_printf(out, "%s%d", r ? "," : "", (int)a->partitions[p].ids[r]);
	}
}

static void dump_map(struct kdr_buf *out, const char *label, const struct kdr_strmap *map)
{
	for (size_t i = 0; i < map->n; i++) {
		kdr_buf_printf(out, " %s[%s]=", label, map->v[i].key);
		dump_opt(out, map->v[i].value);
	}
}

char *plan_dump(const struct kdr_plan *plan)
{
	struct kdr_buf out = KDR_BUF_INIT;

	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *a = &plan->actions[i];

		kdr_buf_printf(&out, "action %s %s %s/%s policy=%s reason=", kdr_action_kind_name(a->kind),
			       kdr_risk_name(a->risk), a->cluster, a->resource, a->policy ? a->policy : "(null)");
		dump_opt(&out, a->reason);
		kdr_buf_printf(&out, " partitions=%lld rf=%lld", (long long)a->partitions,
			       (long long)a->replication_factor);
		dump_assignment(&out, &a->assignment);
		dump_map(&out, "dc", &a->placement.replicas_per_dc);
		dump_map(&out, "rack", &a->placement.replicas_per_rack);
		kdr_buf_printf(&out, " has_dc_loss=%d min_isr=%lld", a->placement.has_dc_loss,
			       (long long)a->placement.min_insync_replicas);
		for (size_t d = 0; d < a->placement.dc_loss.n; d++)
			kdr_buf_printf(&out, " loss[%s]=%zu/%d", a->placement.dc_loss.v[d].datacenter,
				       a->placement.dc_loss.v[d].min_replicas_left, a->placement.dc_loss.v[d].survives);
		dump_map(&out, "config", &a->config);
		for (size_t c = 0; c < a->n_changes; c++) {
			kdr_buf_printf(&out, " change[%s]=", a->changes[c].key);
			dump_opt(&out, a->changes[c].old_value);
			kdr_buf_puts(&out, "->");
			dump_opt(&out, a->changes[c].new_value);
			kdr_buf_printf(&out, "/%d", a->changes[c].sensitive);
		}
		for (size_t t = 0; t < a->n_task_ids; t++)
			kdr_buf_printf(&out, " task=%d", (int)a->task_ids[t]);
		kdr_buf_putc(&out, '\n');
	}
	for (size_t i = 0; i < plan->n_blocked; i++) {
		const struct kdr_blocked *b = &plan->blocked[i];

		kdr_buf_printf(&out, "blocked %s %s/", kdr_blocked_kind_name(b->kind), b->cluster);
		dump_opt(&out, b->resource);
		kdr_buf_printf(&out, " policy=%s reason=%s json=", b->policy ? b->policy : "(null)", b->reason);
		dump_opt(&out, b->reassignment_json);
		kdr_buf_putc(&out, '\n');
	}
	for (size_t i = 0; i < plan->n_notes; i++) {
		const struct kdr_note *n = &plan->notes[i];

		kdr_buf_printf(&out, "note %d ", (int)n->kind);
		dump_opt(&out, n->cluster);
		kdr_buf_putc(&out, '/');
		dump_opt(&out, n->resource);
		kdr_buf_printf(&out, " %s\n", n->message);
	}
	for (size_t i = 0; i < plan->fingerprints.n; i++)
		kdr_buf_printf(&out, "fingerprint %s=%s\n", plan->fingerprints.v[i].key, plan->fingerprints.v[i].value);
	kdr_buf_printf(&out, "revision %s\n", plan->revision ? plan->revision : "(null)");
	return kdr_buf_detach(&out);
}

void assert_plan_empty(const struct kdr_plan *plan)
{
	if (!kdr_plan_is_empty(plan)) {
		char *dump = plan_dump(plan);

		printf("%s", dump);
		fail_msg("plan not empty");
		free(dump);
	}
}

static bool same_blocked(const struct kdr_plan *a, const struct kdr_plan *b)
{
	if (a->n_blocked != b->n_blocked)
		return false;
	for (size_t i = 0; i < a->n_blocked; i++) {
		const struct kdr_blocked *x = &a->blocked[i], *y = &b->blocked[i];

		if (x->kind != y->kind || strcmp(x->cluster ? x->cluster : "", y->cluster ? y->cluster : "") != 0 ||
		    strcmp(x->resource ? x->resource : "", y->resource ? y->resource : "") != 0)
			return false;
	}
	return true;
}

void assert_converges(const struct kdr_desired *desired, const struct kdr_live *live,
		      const struct kdr_plan_options *options)
{
	struct kdr_plan first, second;
	struct kdr_live after;

	plan_ok(&first, desired, live, options);
	kdr_live_copy(&after, live);
	kdr_plan_simulate(&after, &first);
	plan_ok(&second, desired, &after, options);
	if (second.n_actions) {
		char *a = plan_dump(&first), *b = plan_dump(&second);

		/* printf: cmocka truncates long failure messages. */
		printf("%s\n--- first:\n%s--- second:\n%s", plan_test_context ? plan_test_context : "", a, b);
		fail_msg("second plan has actions");
		free(a);
		free(b);
	}
	/* What was blocked stays blocked (simulate fixes nothing a plan refuses), nothing new appears. */
	if (!same_blocked(&first, &second)) {
		char *a = plan_dump(&first), *b = plan_dump(&second);

		printf("%s\n--- first:\n%s--- second:\n%s", plan_test_context ? plan_test_context : "", a, b);
		fail_msg("blocked items differ");
	}
	kdr_plan_release(&first);
	kdr_plan_release(&second);
	kdr_live_release(&after);
}

size_t plan_case_tests(struct CMUnitTest *tests, const void *cases, size_t n_cases, size_t case_size,
		       CMUnitTestFunction run)
{
	for (size_t i = 0; i < n_cases; i++) {
		const char *const *name = (const void *)((const char *)cases + i * case_size);

		tests[i] = (struct CMUnitTest){ .name = *name, .test_func = run, .initial_state = (void *)name };
	}
	return n_cases;
}
