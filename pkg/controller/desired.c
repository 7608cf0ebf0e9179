/*
 * The loop's desired state: which revision the source is at (checked every
 * few seconds) and loading it, all or nothing. A revision that does not
 * parse or validate is logged with every diagnostic, counted, remembered
 * (not read again until the source moves) and never used; the last good
 * state stays in effect.
 */
#include <stdlib.h>
#include <string.h>

#include "controller/controller_internal.h"
#include "util/alloc.h"
#include "util/error.h"

/* Diagnostics of a rejected revision beyond this many are summarised in one line. */
#define MAX_LOGGED_DIAGS 100
/* A source that keeps changing while it is read is given this many tries per cycle. */
#define MAX_LOAD_ATTEMPTS 3

static void replace(char **slot, const char *value)
{
	free(*slot);
	*slot = kdr_strdup(value);
}

int kdr_controller__check_source(struct kdr_controller *ctl)
{
	struct kdr_controller_fields f = { 0 };
	char *revision = NULL;
	int rc = ctl->source.ops->revision(&revision, ctl->source.ctx);

	if (ctl->source.ops->leader) {
		int leader = ctl->source.ops->leader(ctl->source.ctx);

		pthread_mutex_lock(&ctl->lock);
		ctl->stats.leader = leader;
		pthread_mutex_unlock(&ctl->lock);
	}

	if (rc != 0) {
		const char *message = kdr_error_message();

		pthread_mutex_lock(&ctl->lock);
		ctl->stats.source_errors_total++;
		pthread_mutex_unlock(&ctl->lock);
		/* Logged when it starts or changes, not at every poll. */
		if (!ctl->check_error || strcmp(ctl->check_error, message) != 0) {
			kdr_controller__field_str(&f, "source", ctl->source.ops->describe(ctl->source.ctx));
			kdr_controller__field_str(&f, "error", message);
			kdr_controller__field_str(&f, "code", kdr_error_name(rc));
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_ERROR,
					    "cannot read the source; the last good desired state stays in effect", &f);
			replace(&ctl->check_error, message);
		}
		ctl->check_failed = true;
		ctl->check_code = rc;
		return rc;
	}
	if (ctl->check_failed) {
		kdr_controller__field_str(&f, "source", ctl->source.ops->describe(ctl->source.ctx));
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "source readable again", &f);
		f.n = 0;
	}
	ctl->check_failed = false;
	ctl->check_code = 0;
	free(ctl->check_error);
	ctl->check_error = NULL;
	if (ctl->seen_revision && strcmp(ctl->seen_revision, revision) != 0) {
		kdr_controller__field_str(&f, "source_revision", revision);
		kdr_controller__field_str(&f, "previous", ctl->seen_revision);
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "source changed", &f);
		ctl->source_changed = true;
	}
	free(ctl->seen_revision);
	ctl->seen_revision = revision;
	return 0;
}

bool kdr_controller__needs_load(const struct kdr_controller *ctl)
{
	if (!ctl->seen_revision)
		return false;
	if (ctl->rejected_revision && strcmp(ctl->rejected_revision, ctl->seen_revision) == 0)
		return false;
	return !ctl->have_desired || !ctl->desired.revision || strcmp(ctl->desired.revision, ctl->seen_revision) != 0;
}

static void log_diags(struct kdr_controller *ctl, const struct kdr_diags *diags)
{
	size_t logged = 0;

	for (size_t i = 0; i < diags->n; i++) {
		const struct kdr_diag *diag = &diags->v[i];
		struct kdr_controller_fields f = { 0 };

		if (logged == MAX_LOGGED_DIAGS) {
			kdr_controller__field_int(&f, "more", (int64_t)(diags->n - i));
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN, "more document diagnostics not logged", &f);
			return;
		}
		kdr_controller__field_str(&f, "source_revision", ctl->seen_revision);
		kdr_controller__field_str(&f, "location", diag->where);
		kdr_controller__field_str(&f, "field", diag->field);
		kdr_controller__field_str(&f, "detail", diag->message);
		kdr_controller__log(
		    ctl, diag->severity == KDR_SEV_ERROR ? KDR_CONTROLLER_LOG_ERROR : KDR_CONTROLLER_LOG_WARN,
		    diag->severity == KDR_SEV_ERROR ? "document error" : "document warning", &f);
		logged++;
	}
}

static void warn_unknown_filter(struct kdr_controller *ctl)
{
	for (size_t i = 0; i < ctl->cluster_filter.n; i++) {
		struct kdr_controller_fields f = { 0 };

		if (kdr_desired_cluster(&ctl->desired, ctl->cluster_filter.v[i]))
			continue;
		kdr_controller__field_str(&f, "cluster", ctl->cluster_filter.v[i]);
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_WARN, "--cluster names no declared KafkaCluster", &f);
	}
}

int kdr_controller__update_desired(struct kdr_controller *ctl)
{
	int rc = 0;

	for (int attempt = 0; attempt < MAX_LOAD_ATTEMPTS && kdr_controller__needs_load(ctl); attempt++) {
		struct kdr_diags diags = KDR_DIAGS_INIT;
		struct kdr_controller_fields f = { 0 };
		int64_t now = kdr_clock_mono_ms();

		rc = ctl->source.ops->load(&ctl->desired, &diags, ctl->seen_revision, ctl->source.ctx);
		if (rc == 0) {
			ctl->have_desired = true;
			/* The loaders resolve what they load; a source that did not gets it here, once per revision. */
			if (!kdr_resolved_of(&ctl->desired))
				kdr_resolve_attach(&ctl->desired);
			free(ctl->rejected_revision);
			ctl->rejected_revision = NULL;
			kdr_diags_release(&ctl->rejected_diags);
			kdr_controller__field_str(&f, "source_revision", ctl->seen_revision);
			kdr_controller__field_int(&f, "clusters", (int64_t)ctl->desired.n_clusters);
			kdr_controller__field_int(&f, "flows", (int64_t)ctl->desired.n_flows);
			kdr_controller__field_int(&f, "policies", (int64_t)ctl->desired.n_policies);
			kdr_controller__field_int(&f, "warnings", (int64_t)diags.warnings);
			kdr_controller__log(ctl, KDR_CONTROLLER_LOG_INFO, "desired state loaded", &f);
			log_diags(ctl, &diags);
			warn_unknown_filter(ctl);
			/* A new revision may fix what failed: every cluster is tried now (failure counts stay). */
			for (size_t i = 0; i < ctl->n_states; i++)
				if (kdr_controller_backoff_active(&ctl->states[i].backoff, now))
					ctl->states[i].backoff.not_before_ms = now;
			kdr_diags_release(&diags);
			return 0;
		}
		if (rc == KDR_ECONFLICT) {
			/* Changed under our feet: look again and read the new revision. */
			kdr_diags_release(&diags);
			rc = kdr_controller__check_source(ctl);
			if (rc != 0)
				return rc;
			rc = KDR_ECONFLICT;
			continue;
		}
		pthread_mutex_lock(&ctl->lock);
		ctl->stats.source_errors_total++;
		pthread_mutex_unlock(&ctl->lock);
		kdr_controller__field_str(&f, "source_revision", ctl->seen_revision);
		kdr_controller__field_int(&f, "errors", (int64_t)diags.errors);
		kdr_controller__field_int(&f, "warnings", (int64_t)diags.warnings);
		kdr_controller__field_str(&f, "error", kdr_error_message());
		kdr_controller__log(ctl, KDR_CONTROLLER_LOG_ERROR,
				    ctl->have_desired ? "desired state rejected; the last good one stays in effect"
						      : "desired state rejected; nothing to reconcile yet",
				    &f);
		log_diags(ctl, &diags);
		/* Invalid documents stay invalid: not read again until the source moves. I/O errors are retried. */
		if (rc == KDR_EINVALID) {
			replace(&ctl->rejected_revision, ctl->seen_revision);
			/* Kept for the source's report (object status names each error). */
			kdr_diags_release(&ctl->rejected_diags);
			kdr_diags_move(&ctl->rejected_diags, &diags);
		}
		kdr_diags_release(&diags);
		return rc;
	}
	/* Still conflicting after the tries, unless the source settled on the state in effect. */
	return kdr_controller__needs_load(ctl) ? rc : 0;
}
