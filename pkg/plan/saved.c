/* A saved plan: what it may not hold (redacted values), and when it may still be applied. */
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strvec.h"

bool kdr_plan_config_is_redacted(const struct kdr_action *action, const char *key)
{
	if (kdr_config_key_is_sensitive(key))
		return true;
	/* The planner knows more than the key name (e.g. a value that came from a secret reference). */
	for (size_t i = 0; i < action->n_changes; i++)
		if (action->changes[i].sensitive && action->changes[i].key && strcmp(action->changes[i].key, key) == 0)
			return true;
	return false;
}

bool kdr_plan_action_has_redacted(const struct kdr_action *action)
{
	for (size_t i = 0; i < action->config.n; i++) {
		const struct kdr_strmap_entry *entry = &action->config.v[i];

		if (entry->value && strcmp(entry->value, KDR_REDACTED) == 0 &&
		    kdr_plan_config_is_redacted(action, entry->key))
			return true;
	}
	return false;
}

bool kdr_plan_saved_is_fresh(struct kdr_strvec *problems, const struct kdr_plan *plan, const struct kdr_live *live,
			     const char *label)
{
	bool fresh = true;

	for (size_t i = 0; i < plan->fingerprints.n; i++) {
		const char *name = plan->fingerprints.v[i].key;
		const struct kdr_live_cluster *cl = kdr_live_cluster_find(live, name);
		char *now = cl ? kdr_plan_fingerprint(cl) : NULL;

		if (!now || strcmp(now, plan->fingerprints.v[i].value) != 0) {
			kdr_strvec_push_take(problems,
					     kdr_asprintf("cluster '%s' %s since '%s' was made; nothing was applied "
							  "(run 'kdr plan' again)",
							  name, cl ? "has changed" : "could not be read", label));
			fresh = false;
		}
		free(now);
	}
	return fresh;
}

int kdr_plan_restore_secrets(struct kdr_plan *plan, const struct kdr_desired *desired,
			     const struct kdr_mm2_secrets *secrets, const char *label)
{
	struct kdr_mm2_connectors connectors = { 0 };
	int rc = 0;

	for (size_t i = 0; i < plan->n_actions && rc == 0; i++) {
		struct kdr_action *action = &plan->actions[i];
		const struct kdr_mm2_connector *fresh = NULL;

		if (!kdr_plan_action_has_redacted(action))
			continue;
		if (connectors.n == 0 && (rc = kdr_mm2_render_all(&connectors, desired, secrets)) != 0) {
			char *why = kdr_strdup(kdr_error_message());

			rc = kdr_error_set(rc, "resolving the secrets of '%s': %s", label, why);
			free(why);
			break;
		}
		for (size_t c = 0; c < connectors.n && !fresh; c++)
			if (strcmp(connectors.v[c].name, action->resource) == 0 &&
			    strcmp(connectors.v[c].cluster, action->cluster) == 0)
				fresh = &connectors.v[c];
		if (!fresh) {
			rc = kdr_error_set(KDR_EINVALID,
					   "'%s': connector '%s' holds secrets and no flow in the documents renders it "
					   "any more; nothing was applied",
					   label, action->resource);
			break;
		}
		kdr_strmap_release(&action->config);
		kdr_strmap_copy(&action->config, &fresh->config);
	}
	kdr_mm2_connectors_release(&connectors);
	return rc;
}
