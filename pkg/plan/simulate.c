/*
 * What applying a plan does to a snapshot, as Kafka (and Connect) would do it:
 * topics created with their assignment (leader = first replica, ISR = all
 * replicas) and configs as DYNAMIC_TOPIC_CONFIG overrides; partitions
 * appended; a topic's whole override set replaced by an alter-configs
 * action's `config` (AlterConfigs semantics); topics deleted; connector
 * configs and states set. Used to check that a plan converges: planning the
 * simulated result must give an empty plan.
 */
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/alloc.h"

static struct kdr_live_cluster *cluster_of(struct kdr_live *live, const char *name)
{
	return (struct kdr_live_cluster *)kdr_live_cluster_find(live, name);
}

static struct kdr_live_topic *topic_of(struct kdr_live_cluster *cl, const char *name)
{
	return (struct kdr_live_topic *)kdr_live_topic_find(cl, name);
}

static void add_partitions(struct kdr_live_topic *topic, const struct kdr_assignment *assignment)
{
	for (size_t p = 0; p < assignment->n; p++)
		kdr_live_topic_add_partition(topic, assignment->partitions[p].ids, assignment->partitions[p].n);
}

static void replace_configs(struct kdr_live_topic *topic, const struct kdr_strmap *config)
{
	/* Backwards, so removals do not skip entries. Non-override entries are not part of the dynamic set. */
	for (size_t i = topic->n_configs; i-- > 0;)
		if (kdr_plan__config_is_override(&topic->configs[i]))
			kdr_live_topic_remove_config(topic, topic->configs[i].name);
	for (size_t i = 0; i < config->n; i++)
		if (config->v[i].value)
			kdr_live_topic_set_config(topic, config->v[i].key, config->v[i].value,
						  KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
}

static struct kdr_live_connector *connector_of(struct kdr_live_cluster *cl, const char *name, bool create)
{
	struct kdr_live_connect *connect = &cl->connect;
	struct kdr_live_connector *conn = (struct kdr_live_connector *)kdr_live_connector_find(connect, name);

	if (conn || !create)
		return conn;
	connect->present = true;
	connect->connectors =
	    kdr_realloc(connect->connectors, (connect->n_connectors + 1) * sizeof(*connect->connectors));
	conn = &connect->connectors[connect->n_connectors++];
	memset(conn, 0, sizeof(*conn));
	conn->name = kdr_strdup(name);
	conn->type = kdr_strdup("source");
	conn->state = KDR_CONNECTOR_RUNNING;
	kdr_live_cluster_sort(cl); /* keeps the connector lookups valid */
	return (struct kdr_live_connector *)kdr_live_connector_find(connect, name);
}

static void remove_connector(struct kdr_live_cluster *cl, const char *name)
{
	struct kdr_live_connect *connect = &cl->connect;

	for (size_t i = 0; i < connect->n_connectors; i++) {
		if (strcmp(connect->connectors[i].name, name) != 0)
			continue;
		kdr_live_connector_release(&connect->connectors[i]);
		memmove(&connect->connectors[i], &connect->connectors[i + 1],
			(connect->n_connectors - i - 1) * sizeof(*connect->connectors));
		connect->n_connectors--;
		return;
	}
}

static void set_state(struct kdr_live_connector *conn, enum kdr_connector_state state)
{
	if (!conn)
		return;
	conn->state = state;
	free(conn->trace);
	conn->trace = NULL;
	for (size_t t = 0; t < conn->n_tasks; t++) {
		conn->tasks[t].state = state;
		free(conn->tasks[t].trace);
		conn->tasks[t].trace = NULL;
	}
}

static void restart_instance(enum kdr_connector_state *state, char **trace)
{
	*state = KDR_CONNECTOR_RUNNING;
	free(*trace);
	*trace = NULL;
}

/*
 * What Connect restarts: tasks/N/restart the listed tasks only (a FAILED
 * connector stays FAILED); restart?includeTasks=true&onlyFailed=true (no
 * tasks listed) the connector if it FAILED and every FAILED task.
 */
static void restart(struct kdr_live_connector *conn, const struct kdr_action *action)
{
	if (!conn)
		return;
	if (action->n_task_ids == 0 && conn->state == KDR_CONNECTOR_FAILED)
		restart_instance(&conn->state, &conn->trace);
	for (size_t t = 0; t < conn->n_tasks; t++) {
		bool listed = action->n_task_ids == 0 && conn->tasks[t].state == KDR_CONNECTOR_FAILED;

		for (size_t i = 0; i < action->n_task_ids; i++)
			listed = listed || action->task_ids[i] == conn->tasks[t].id;
		if (listed)
			restart_instance(&conn->tasks[t].state, &conn->tasks[t].trace);
	}
}

/* Everything but topic creation: lookups stay valid because nothing is appended. */
static void apply_in_place(struct kdr_live_cluster *cl, const struct kdr_action *action)
{
	struct kdr_live_topic *topic = NULL;
	struct kdr_live_connector *conn = NULL;

	switch (action->kind) {
	case KDR_ACTION_CREATE_TOPIC:
		break;
	case KDR_ACTION_ADD_PARTITIONS:
		if ((topic = topic_of(cl, action->resource)) != NULL)
			add_partitions(topic, &action->assignment);
		break;
	case KDR_ACTION_ALTER_CONFIGS:
		if ((topic = topic_of(cl, action->resource)) != NULL)
			replace_configs(topic, &action->config);
		break;
	case KDR_ACTION_DELETE_TOPIC:
		kdr_live_cluster_remove_topic(cl, action->resource);
		break;
	case KDR_ACTION_CREATE_CONNECTOR:
	case KDR_ACTION_UPDATE_CONNECTOR:
		conn = connector_of(cl, action->resource, true);
		kdr_strmap_release(&conn->config);
		kdr_strmap_copy(&conn->config, &action->config);
		break;
	case KDR_ACTION_PAUSE_CONNECTOR:
		set_state(connector_of(cl, action->resource, false), KDR_CONNECTOR_PAUSED);
		break;
	case KDR_ACTION_RESUME_CONNECTOR:
		set_state(connector_of(cl, action->resource, false), KDR_CONNECTOR_RUNNING);
		break;
	case KDR_ACTION_RESTART_CONNECTOR:
		restart(connector_of(cl, action->resource, false), action);
		break;
	case KDR_ACTION_DELETE_CONNECTOR:
		remove_connector(cl, action->resource);
		break;
	case KDR_ACTION_CREATE_ACL:
	case KDR_ACTION_DELETE_ACL:
		break; /* simulate_acl */
	}
}

/* CreateAcls adds a binding (one that exists is a no-op), DeleteAcls with an exact filter removes it. */
static void simulate_acl(struct kdr_live_cluster *cl, const struct kdr_action *action)
{
	long at = 0;

	if (!cl || (action->kind != KDR_ACTION_CREATE_ACL && action->kind != KDR_ACTION_DELETE_ACL))
		return;
	at = kdr_acl_list_find(&cl->acls, &action->acl);
	if (action->kind == KDR_ACTION_CREATE_ACL && at < 0) {
		cl->acls_read = true;
		kdr_acl_list_push(&cl->acls, &action->acl);
		kdr_acl_list_sort(&cl->acls);
	} else if (action->kind == KDR_ACTION_DELETE_ACL && at >= 0) {
		kdr_acl_release(&cl->acls.v[at]);
		memmove(&cl->acls.v[at], &cl->acls.v[at + 1], (cl->acls.n - (size_t)at - 1) * sizeof(*cl->acls.v));
		cl->acls.n--;
	}
}

void kdr_plan_simulate(struct kdr_live *live, const struct kdr_plan *plan)
{
	/*
	 * A plan never touches a topic it creates in the same run, so applying
	 * everything else first and then the creations (appended, sorted once at
	 * the end) gives the same result as the plan's order, without re-sorting
	 * after every creation.
	 */
	for (size_t i = 0; i < plan->n_actions; i++) {
		struct kdr_live_cluster *cl = cluster_of(live, plan->actions[i].cluster);

		if (cl)
			apply_in_place(cl, &plan->actions[i]);
	}
	for (size_t i = 0; i < plan->n_actions; i++)
		simulate_acl(cluster_of(live, plan->actions[i].cluster), &plan->actions[i]);
	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];
		struct kdr_live_cluster *cl = NULL;
		struct kdr_live_topic *topic = NULL;

		if (action->kind != KDR_ACTION_CREATE_TOPIC || !(cl = cluster_of(live, action->cluster)))
			continue;
		/* Kafka answers TOPIC_ALREADY_EXISTS; the existing topic stays as it is. */
		for (size_t t = 0; t < cl->n_topics; t++)
			if (strcmp(cl->topics[t].name, action->resource) == 0)
				topic = &cl->topics[t];
		if (topic)
			continue;
		topic = kdr_live_cluster_add_topic(cl, action->resource);
		add_partitions(topic, &action->assignment);
		for (size_t c = 0; c < action->config.n; c++)
			if (action->config.v[c].value)
				kdr_live_topic_set_config(topic, action->config.v[c].key, action->config.v[c].value,
							  KDR_CONFIG_SOURCE_DYNAMIC_TOPIC);
	}
	kdr_live_sort(live);
}
