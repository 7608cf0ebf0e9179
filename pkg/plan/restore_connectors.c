/*
 * restore --connectors: the connectors of a backup (connectors.json) as
 * create/update-connector actions on the restored cluster's Connect (plan.h).
 */
#include <stdlib.h>
#include <string.h>

#include "mm2/mm2.h"
#include "plan/plan_internal.h"
#include "util/alloc.h"
#include "util/buf.h"

static const char *supplied_value(const struct kdr_plan_restore_connectors *in, const char *connector,
				  const char *key)
{
	for (size_t i = 0; i < in->n_supplied; i++)
		if (strcmp(in->supplied[i].connector, connector) == 0 && strcmp(in->supplied[i].key, key) == 0)
			return in->supplied[i].value;
	return NULL;
}

/*
 * The config to send: the live one (restore removes no key), the backup's
 * keys set over it. A redacted value is the operator's (supplied), else the
 * live connector's own (the secret it runs with), else missing.
 */
static void merge_config(struct kdr_action *action, struct kdr_strvec *missing,
			 const struct kdr_plan_restore_connectors *in, const struct kdr_live_connector *backup,
			 const struct kdr_live_connector *live)
{
	if (live)
		kdr_strmap_copy(&action->config, &live->config);
	for (size_t k = 0; k < backup->config.n; k++) {
		const struct kdr_strmap_entry *e = &backup->config.v[k];
		const char *now = live ? kdr_strmap_get(&live->config, e->key) : NULL;
		const char *value = e->value;
		bool secret = value && strcmp(value, KDR_REDACTED) == 0;

		if (secret && (value = supplied_value(in, backup->name, e->key)) == NULL)
			value = now && strcmp(now, KDR_REDACTED) != 0 ? now : NULL;
		if (!value) {
			kdr_strvec_push(missing, e->key);
			continue;
		}
		/* On a create every secret key is listed too, so that no rendering shows its value. */
		if (!live ? secret : (!now || strcmp(now, value) != 0))
			kdr_plan__add_change(action, e->key, now, value, secret || kdr_config_key_is_sensitive(e->key));
		kdr_strmap_set(&action->config, e->key, value);
	}
}

static void refuse_missing(struct kdr_plan *plan, const struct kdr_plan_restore_connectors *in, const char *name,
			   const struct kdr_strvec *missing)
{
	struct kdr_buf keys = KDR_BUF_INIT;

	for (size_t i = 0; i < missing->n; i++)
		kdr_buf_printf(&keys, "%s'%s'", i ? ", " : "", missing->v[i]);
	kdr_plan__add_blocked(
	    plan, KDR_BLOCKED_ERROR, in->cluster, name, in->policy, NULL,
	    "connector '%s': %s %s redacted in the backup and the connector does not exist on '%s' to keep "
	    "%s: supply %s with --connector-secrets FILE, or restore without --connectors",
	    name, keys.ptr, missing->n == 1 ? "key was" : "keys were", in->cluster,
	    missing->n == 1 ? "its value" : "their values", missing->n == 1 ? "it" : "them");
	kdr_buf_release(&keys);
}

static void restore_one(struct kdr_plan *plan, const struct kdr_plan_restore_connectors *in,
			const struct kdr_live_connector *backup)
{
	const struct kdr_live_connector *live = kdr_live_connector_find(&in->live->connect, backup->name);
	struct kdr_strvec missing = KDR_STRVEC_INIT;
	struct kdr_action *action =
	    kdr_plan__add_action(plan, live ? KDR_ACTION_UPDATE_CONNECTOR : KDR_ACTION_CREATE_CONNECTOR, in->cluster,
				 backup->name, in->policy);

	merge_config(action, &missing, in, backup, live);
	if (missing.n || (live && action->n_changes == 0)) {
		/* Refused, or nothing differs: take the action back out. */
		kdr_action_release(action);
		plan->n_actions--;
		if (missing.n)
			refuse_missing(plan, in, backup->name, &missing);
	} else if (live) {
		action->risk = KDR_RISK_DISRUPTIVE; /* a new config restarts the connector's tasks */
		action->reason = kdr_asprintf("backup: %zu key(s) differ", action->n_changes);
	} else {
		action->reason = kdr_strdup("missing (in the backup)");
	}
	kdr_strvec_release(&missing);
}

void kdr_plan_restore_connectors(struct kdr_plan *plan, const struct kdr_plan_restore_connectors *in)
{
	if (!in->live || !in->live->connect.present) {
		if (in->backup->n_connectors)
			kdr_plan__add_blocked(
			    plan, KDR_BLOCKED_ERROR, in->cluster, NULL, in->policy, NULL,
			    "the Connect of cluster '%s' was not read (%s): its connectors cannot be restored",
			    in->cluster,
			    in->live && in->live->connect.read_error ? in->live->connect.read_error
								     : "no Connect declared");
		return;
	}
	for (size_t i = 0; i < in->backup->n_connectors; i++) {
		const struct kdr_live_connector *backup = &in->backup->connectors[i];

		/* kdr's own connectors are rendered from the flows (kdr apply), not copied from a backup. */
		if (strncmp(backup->name, KDR_MM2_OWNED_PREFIX, strlen(KDR_MM2_OWNED_PREFIX)) == 0) {
			kdr_plan__add_note(
			    plan, KDR_NOTE_INFO, in->cluster, backup->name,
			    "connector '%s' is kdr's: kdr apply renders it from its ReplicationFlow; not restored",
			    backup->name);
			continue;
		}
		restore_one(plan, in, backup);
	}
}
