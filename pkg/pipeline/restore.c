/*
 * kdr restore's steps on the one pipeline (backup.h): the backup as the
 * desired state, then the records (--data) and the groups' offsets
 * (--offsets) once the plan was applied.
 */
#include "pipeline/backup.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "executor/backup_io.h"
#include "executor/dr_io.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/file.h"
#include "resolve/resolve.h"
#include "validate/validate.h"

static int read_backup_file(struct kdr_buf *out, const char *from, const char *name)
{
	char *path = kdr_asprintf("%s/%s", from, name);
	int rc = kdr_file_read(out, path);

	free(path);
	return rc;
}

/* Moves the backup's policies into `desired`, for `cluster` only. */
static void take_policies(struct kdr_desired *desired, struct kdr_desired *backup, const char *cluster)
{
	for (size_t i = 0; i < backup->n_policies; i++) {
		struct kdr_policy *policy = kdr_desired_add_policy(desired);

		kdr_policy_release(policy);
		*policy = backup->policies[i];
		memset(&backup->policies[i], 0, sizeof(backup->policies[i]));
		kdr_strvec_release(&policy->clusters);
		kdr_strvec_push(&policy->clusters, cluster);
	}
	for (size_t i = 0; i < backup->n_access_policies; i++) {
		struct kdr_access_policy *policy = kdr_desired_add_access_policy(desired);

		kdr_access_policy_release(policy);
		*policy = backup->access_policies[i];
		memset(&backup->access_policies[i], 0, sizeof(backup->access_policies[i]));
		kdr_strvec_release(&policy->clusters);
		policy->all_clusters = false;
		kdr_strvec_push(&policy->clusters, cluster);
	}
}

int kdr_pipeline_restore_desired(struct kdr_desired *desired, struct kdr_diags *diags, const char *from,
				 const char *cluster)
{
	struct kdr_desired backup = { 0 };
	int rc = kdr_source_load_dir(&backup, diags, from, KDR_SOURCE_NO_VALIDATE);

	if (rc != 0) {
		rc = kdr_error_set(rc, "'%s': %s", from, kdr_error_message());
		goto cleanup;
	}
	if (backup.n_clusters || backup.n_flows)
		kdr_diags_warning(diags, NULL, NULL, "'%s': its KafkaCluster and ReplicationFlow documents are not used",
				  from);
	/* What was resolved from the loaded flows and policies no longer holds: resolved again below. */
	kdr_desired_drop_resolved(desired);
	for (size_t i = 0; i < desired->n_flows; i++)
		kdr_flow_release(&desired->flows[i]);
	desired->n_flows = 0;
	for (size_t i = 0; i < desired->n_policies; i++)
		kdr_policy_release(&desired->policies[i]);
	desired->n_policies = 0;
	for (size_t i = 0; i < desired->n_access_policies; i++)
		kdr_access_policy_release(&desired->access_policies[i]);
	desired->n_access_policies = 0;
	take_policies(desired, &backup, cluster);
	kdr_resolve_attach(desired);
	kdr_validate(desired, diags);
	if (diags->errors)
		rc = kdr_error_set(KDR_EINVALID,
				   "the backup's documents are not valid for cluster '%s'; nothing was restored", cluster);
cleanup:
	kdr_desired_release(&backup);
	return rc;
}

/*
 * Log-end offsets, retried while the answer is retriable: right after a
 * topic is created its leaders may not be known everywhere yet
 * (NOT_LEADER_OR_FOLLOWER on real Kafka). Bounded by the timeout.
 */
static int end_offsets(struct kdr_dr_offsets *out, const struct kdr_cluster *cl, const struct kdr_dr_offsets *want,
		       const struct kdr_executor_options *exec)
{
	int waited_ms = 0;
	int rc = 0;

	for (;;) {
		rc = kdr_executor_end_offsets(out, cl, want, exec);
		if (rc == 0 || !kdr_error_retriable(rc) || waited_ms >= exec->timeout_ms)
			return rc;
		kdr_dr_offsets_release(out);
		usleep(500 * 1000);
		waited_ms += 500;
	}
}

/* The backup's data files (manifest.json "files" under data/, *.jsonl). */
static int data_files(struct kdr_strvec *out, const char *from)
{
	struct kdr_buf text = KDR_BUF_INIT;
	json_error_t jerr;
	json_t *root = NULL, *files = NULL, *file = NULL;
	size_t i = 0;
	int rc = read_backup_file(&text, from, "manifest.json");

	if (rc != 0)
		return rc;
	root = json_loadb(text.ptr, text.len, 0, &jerr);
	files = json_object_get(root, "files");
	if (!root || json_integer_value(json_object_get(root, "kdrBackup")) != 1 || !json_is_array(files))
		rc = kdr_error_set(KDR_EINVALID, "%s/manifest.json: not a kdr backup manifest (kdrBackup 1 with files)",
				   from);
	json_array_foreach(files, i, file) {
		const char *path = json_string_value(file);
		size_t len = path ? strlen(path) : 0;

		if (path && strncmp(path, "data/", 5) == 0 && len > 6 && strcmp(path + len - 6, ".jsonl") == 0 &&
		    !strstr(path, ".."))
			kdr_strvec_push(out, path);
	}
	json_decref(root);
	kdr_buf_release(&text);
	return rc;
}

/* Reads, checks and decodes every data file into out->sets. */
static int read_sets(struct kdr_restore_data *out, const char *from, struct kdr_dr_offsets *want)
{
	struct kdr_strvec paths = KDR_STRVEC_INIT;
	struct kdr_buf sums = KDR_BUF_INIT;
	int rc = data_files(&paths, from);

	if (rc == 0 && paths.n)
		rc = read_backup_file(&sums, from, "data/SHA256SUMS");
	if (rc == 0)
		out->sets = kdr_calloc(paths.n + 1, sizeof(*out->sets));
	for (size_t i = 0; rc == 0 && i < paths.n; i++) {
		struct kdr_buf text = KDR_BUF_INIT;
		char *label = kdr_asprintf("%s/%s", from, paths.v[i]);

		rc = read_backup_file(&text, from, paths.v[i]);
		if (rc == 0)
			rc = kdr_dr_sha256_check(sums.ptr, paths.v[i], text.ptr, text.len);
		if (rc == 0)
			rc = kdr_dr_records_decode(&out->sets[out->n], text.ptr, text.len, label);
		if (rc == 0) {
			kdr_dr_offsets_set(want, out->sets[out->n].topic, out->sets[out->n].partition, 0);
			out->n++;
		}
		kdr_buf_release(&text);
		free(label);
	}
	kdr_buf_release(&sums);
	kdr_strvec_release(&paths);
	return rc;
}

static void restore_set(struct kdr_restore_data_row *row, const struct kdr_dr_partition_records *set,
			const struct kdr_dr_offset *end, const struct kdr_cluster *cl,
			const struct kdr_executor_options *exec, bool dry_run)
{
	row->topic = set->topic;
	row->partition = set->partition;
	row->records = set->n;
	row->end = end ? end->offset : -1;
	if (!end && !dry_run)
		row->verdict = KDR_RESTORE_DATA_MISSING;
	else if (end && end->offset > 0)
		row->verdict = KDR_RESTORE_DATA_SKIPPED;
	else if (dry_run)
		row->verdict = KDR_RESTORE_DATA_WOULD_PRODUCE;
	else if (kdr_executor_produce_records(&row->delivered, cl, set, exec) != 0) {
		row->verdict = KDR_RESTORE_DATA_FAILED;
		row->message = kdr_strdup(kdr_error_message());
	} else {
		row->verdict = KDR_RESTORE_DATA_PRODUCED;
	}
}

int kdr_pipeline_restore_data(struct kdr_restore_data *out, const struct kdr_pipeline *p, const char *from,
			      const struct kdr_cluster *cl, bool dry_run)
{
	const struct kdr_executor_options options = { .timeout_ms = p->options.timeout_ms,
						      .resolver = p->options.resolver };
	const struct kdr_executor_options *exec = &options;
	struct kdr_dr_offsets want = { 0 }, ends = { 0 };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = read_sets(out, from, &want)) != 0)
		goto cleanup;
	kdr_dr_offsets_sort(&want);
	if (out->n && (rc = end_offsets(&ends, cl, &want, exec)) != 0)
		goto cleanup;
	out->rows = kdr_calloc(out->n + 1, sizeof(*out->rows));
	for (size_t i = 0; i < out->n; i++) {
		struct kdr_restore_data_row *row = &out->rows[i];

		restore_set(row, &out->sets[i], kdr_dr_offsets_find(&ends, out->sets[i].topic, out->sets[i].partition),
			    cl, exec, dry_run);
		out->produced += row->delivered;
		out->failed += row->verdict == KDR_RESTORE_DATA_MISSING || row->verdict == KDR_RESTORE_DATA_FAILED;
	}
cleanup:
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&ends);
	return rc;
}

void kdr_restore_data_release(struct kdr_restore_data *data)
{
	for (size_t i = 0; i < data->n; i++) {
		kdr_dr_partition_records_release(&data->sets[i]);
		if (data->rows)
			free(data->rows[i].message);
	}
	free(data->sets);
	free(data->rows);
	memset(data, 0, sizeof(*data));
}

/* The groups of `cl` as they are now (after the plan and --data), read as everything else is. */
static int read_groups_now(struct kdr_pipeline *now, const struct kdr_pipeline *p, const struct kdr_cluster *cl,
			   const struct kdr_live_cluster **live)
{
	struct kdr_pipeline_options options = p->options;
	const char *clusters[1] = { cl->meta.name };
	int rc = 0;

	options.read_groups = KDR_READ_GROUPS_OFFSETS;
	options.clusters = clusters;
	options.n_clusters = 1;
	options.resolved = p->resolved;
	kdr_pipeline_init(now, p->desired, &options);
	if ((rc = kdr_pipeline_read(now)) != 0)
		return rc;
	now->options.clusters = NULL; /* `clusters` is this function's */
	now->options.n_clusters = 0;
	*live = kdr_live_cluster_find(&now->live, cl->meta.name);
	if (!*live || !(*live)->groups_read || !(*live)->group_offsets_read)
		return kdr_error_set(KDR_EUNAVAILABLE,
				     "the consumer groups of '%s' could not be read; nothing was committed", cl->meta.name);
	return 0;
}

/*
 * The partitions whose records are the backup's, numbered from 0: produced
 * now (or, dry, to be), or produced by an earlier restore (the log end is
 * the number of backed-up records). A partition that held records of its
 * own (the original cluster) keeps the backup's offsets as they are.
 */
static void translate(struct kdr_live_cluster *backup, const struct kdr_restore_data *data)
{
	struct kdr_dr_partition_records *restored = kdr_calloc(data->n + 1, sizeof(*restored));
	size_t n = 0;

	for (size_t i = 0; i < data->n; i++) {
		const struct kdr_restore_data_row *row = &data->rows[i];

		if (row->verdict == KDR_RESTORE_DATA_PRODUCED || row->verdict == KDR_RESTORE_DATA_WOULD_PRODUCE ||
		    (row->verdict == KDR_RESTORE_DATA_SKIPPED && row->end == (int64_t)row->records))
			restored[n++] = data->sets[i]; /* shallow: lent for the call */
	}
	kdr_dr_restore_offsets_translate(backup, restored, n);
	free(restored);
}

int kdr_pipeline_restore_offsets(struct kdr_restore_offsets *out, struct kdr_pipeline *p, const char *from,
				 const struct kdr_cluster *cl, const struct kdr_restore_data *data, bool dry_run)
{
	struct kdr_executor_options exec = { 0 };
	struct kdr_buf text = KDR_BUF_INIT;
	struct kdr_live_cluster backup = { 0 };
	struct kdr_pipeline now = { 0 };
	struct kdr_dr_offsets want = { 0 }, ends = { 0 };
	const struct kdr_live_cluster *live = NULL;
	char *label = kdr_asprintf("%s/groups.json", from);
	int rc = read_backup_file(&text, from, "groups.json");

	memset(out, 0, sizeof(*out));
	if (rc != 0 || (rc = kdr_dr_backup_groups_decode(&backup, text.ptr, text.len, label)) != 0)
		goto cleanup;
	if (data)
		translate(&backup, data);
	if ((rc = read_groups_now(&now, p, cl, &live)) != 0)
		goto cleanup;
	for (size_t g = 0; g < backup.n_groups; g++)
		for (size_t o = 0; o < backup.groups[g].n_offsets; o++)
			kdr_dr_offsets_set(&want, backup.groups[g].offsets[o].topic, backup.groups[g].offsets[o].partition, 0);
	kdr_dr_offsets_sort(&want);
	exec.timeout_ms = p->options.timeout_ms;
	exec.resolver = p->options.resolver;
	if (want.n && (rc = end_offsets(&ends, cl, &want, &exec)) != 0)
		goto cleanup;
	kdr_dr_restore_offsets_decide(&out->decided, &backup, live, &ends);
	if (!dry_run)
		kdr_executor_commit_restore(&out->errors, &out->decided, cl, &exec);
cleanup:
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&ends);
	kdr_pipeline_release(&now);
	kdr_live_cluster_release(&backup);
	kdr_buf_release(&text);
	free(label);
	return rc;
}

void kdr_restore_offsets_release(struct kdr_restore_offsets *offsets)
{
	kdr_dr_restore_offsets_release(&offsets->decided);
	kdr_strvec_release(&offsets->errors);
	memset(offsets, 0, sizeof(*offsets));
}

/*
 * The --connector-secrets file: {"<connector>": {"<key>": "<value>"}}, into
 * `out` (pointing into *root, which the caller decrefs).
 */
static int read_secrets(struct kdr_plan_secret_value **out, size_t *n, json_t **root, const char *path)
{
	struct kdr_buf text = KDR_BUF_INIT;
	json_error_t jerr;
	json_t *keys = NULL, *value = NULL;
	const char *connector = NULL, *key = NULL;
	size_t cap = 0;
	int rc = kdr_file_read(&text, path);

	/* jansson's text may quote the document, i.e. a secret: only where. */
	if (rc == 0 && !(*root = json_loadb(text.ptr, text.len, 0, &jerr)))
		rc = kdr_error_set(KDR_EINVALID, "%s:%d:%d: not valid JSON", path, jerr.line, jerr.column);
	if (rc == 0 && !json_is_object(*root))
		rc = kdr_error_set(KDR_EINVALID, "%s: not an object of connectors (\"<connector>\": {\"<key>\": \"<value>\"})",
				   path);
	json_object_foreach(rc == 0 ? *root : NULL, connector, keys) {
		if (!json_is_object(keys)) {
			rc = kdr_error_set(KDR_EINVALID, "%s: connector '%s': not an object of keys", path, connector);
			break;
		}
		json_object_foreach(keys, key, value) {
			if (!json_is_string(value)) {
				/* The value is never quoted back: it may be the secret. */
				rc = kdr_error_set(KDR_EINVALID, "%s: connector '%s': key '%s': not a string", path, connector,
						   key);
				break;
			}
			*out = kdr_grow(*out, &cap, *n + 1, sizeof(**out));
			(*out)[(*n)++] = (struct kdr_plan_secret_value){ connector, key, json_string_value(value) };
		}
		if (rc != 0)
			break;
	}
	kdr_buf_release(&text);
	return rc;
}

int kdr_pipeline_restore_connectors(struct kdr_pipeline *p, const char *from, const char *cluster,
				    const char *secrets_path)
{
	struct kdr_plan_restore_connectors in = { 0 };
	struct kdr_live_connect backup = { 0 };
	struct kdr_plan_secret_value *supplied = NULL;
	struct kdr_buf text = KDR_BUF_INIT;
	json_t *secrets = NULL;
	char *label = kdr_asprintf("%s/connectors.json", from);
	char *policy = kdr_dr_backup_policy_name(cluster);
	int rc = read_backup_file(&text, from, "connectors.json");

	if (rc == 0)
		rc = kdr_dr_backup_connectors_decode(&backup, text.ptr, text.len, label);
	if (rc == 0 && secrets_path)
		rc = read_secrets(&supplied, &in.n_supplied, &secrets, secrets_path);
	if (rc == 0) {
		in.cluster = cluster;
		in.policy = policy;
		in.backup = &backup;
		in.live = kdr_live_cluster_find(&p->live, cluster);
		in.supplied = supplied;
		kdr_plan_restore_connectors(&p->plan, &in);
	}
	for (size_t i = 0; i < backup.n_connectors; i++)
		kdr_live_connector_release(&backup.connectors[i]);
	free(backup.connectors);
	free(supplied);
	json_decref(secrets);
	kdr_buf_release(&text);
	free(label);
	free(policy);
	return rc;
}

int kdr_pipeline_restore_brokers(struct kdr_restore_brokers *out, const struct kdr_pipeline *p, const char *from,
				 const struct kdr_cluster *cl, bool dry_run)
{
	struct kdr_executor_options exec = { .timeout_ms = p->options.timeout_ms, .resolver = p->options.resolver };
	const struct kdr_live_cluster *live = kdr_live_cluster_find(&p->live, cl->meta.name);
	struct kdr_live_cluster backup = { 0 };
	struct kdr_buf text = KDR_BUF_INIT;
	char *label = kdr_asprintf("%s/brokers.json", from);
	int rc = read_backup_file(&text, from, "brokers.json");

	memset(out, 0, sizeof(*out));
	if (rc == 0 && !live)
		rc = kdr_error_set(KDR_EUNAVAILABLE, "cluster '%s' was not read; no broker config was set", cl->meta.name);
	if (rc == 0)
		rc = kdr_dr_backup_brokers_decode(&backup, text.ptr, text.len, label);
	if (rc == 0) {
		kdr_dr_restore_brokers_decide(&out->decided, &backup, live);
		if (!dry_run)
			kdr_executor_alter_broker_configs(&out->errors, &out->decided, cl, &exec);
	}
	kdr_live_cluster_release(&backup);
	kdr_buf_release(&text);
	free(label);
	return rc;
}

void kdr_restore_brokers_release(struct kdr_restore_brokers *brokers)
{
	kdr_dr_restore_brokers_release(&brokers->decided);
	kdr_strvec_release(&brokers->errors);
	memset(brokers, 0, sizeof(*brokers));
}

/* Records the failing stage's message, with `what` (a step's option) before it and `then` after it. */
static int fail_in(struct kdr_restore_result *out, int rc, const char *what, const char *then)
{
	free(out->run.error);
	out->run.error = kdr_asprintf("%s%s%s", what, kdr_error_message(), then);
	out->run.outcome = KDR_PIPELINE_FAILED;
	return rc;
}

/* Ends the run without a stage error: a refusal, a failed action or step (FAILED), what is left (PENDING). */
static int end_run(struct kdr_restore_result *out, enum kdr_pipeline_outcome outcome)
{
	out->run.outcome = outcome;
	return 0;
}

/* Reads, plans (with --connectors) and, unless dry_run, once req->consent agrees, applies. */
static int plan_and_apply(struct kdr_restore_result *out, const struct kdr_desired *desired,
			  const struct kdr_pipeline_options *options, const struct kdr_restore_request *req)
{
	struct kdr_pipeline *p = &out->run.p;
	struct kdr_pipeline_options read = *options;
	int rc = 0;

	read.clusters = &req->cluster;
	read.n_clusters = 1;
	if ((rc = kdr_pipeline_result_read(&out->run, desired, &read)) != 0)
		return rc;
	if ((rc = kdr_pipeline_plan(p)) != 0)
		return kdr_pipeline_result_fail(&out->run, rc, false);
	if (req->connectors &&
	    (rc = kdr_pipeline_restore_connectors(p, req->from, req->cluster, req->connector_secrets)) != 0)
		return fail_in(out, rc, "--connectors: ", "; nothing was restored");
	out->planned = true;
	if ((out->plan_errors = kdr_pipeline_plan_has_errors(p)))
		return end_run(out, KDR_PIPELINE_FAILED);
	if (req->dry_run || p->plan.n_actions == 0)
		return 0;
	if (req->consent && req->consent(req->consent_ctx, out) != 0)
		return end_run(out, KDR_PIPELINE_FAILED);
	kdr_pipeline_apply(&out->apply, p, NULL, NULL);
	out->applied = true;
	/* Records and offsets only onto a cluster the plan fully applied to. */
	if (out->apply.failed || out->apply.unsettled)
		return end_run(out, out->apply.failed ? KDR_PIPELINE_FAILED : KDR_PIPELINE_PENDING);
	return 0;
}

/* --broker-configs, --data, --offsets in this order, each once the ones before succeeded. */
static int restore_steps(struct kdr_restore_result *out, const struct kdr_cluster *cl,
			 const struct kdr_restore_request *req)
{
	struct kdr_pipeline *p = &out->run.p;
	int rc = 0;

	if (req->broker_configs) {
		if ((rc = kdr_pipeline_restore_brokers(&out->brokers, p, req->from, cl, req->dry_run)) != 0)
			return fail_in(out, rc, "--broker-configs: ", "");
		out->brokers_done = true;
		/* Skipped keys (sensitive, a missing broker) are reported, not failures; a refusal or a failure is. */
		if (out->brokers.errors.n || out->brokers.decided.n_refused)
			return end_run(out, KDR_PIPELINE_FAILED);
	}
	if (req->data) {
		if ((rc = kdr_pipeline_restore_data(&out->data, p, req->from, cl, req->dry_run)) != 0)
			return fail_in(out, rc, "--data: ", "; no record was produced");
		out->data_done = true;
		if (out->data.failed)
			return end_run(out, KDR_PIPELINE_FAILED);
	}
	if (req->offsets) {
		rc = kdr_pipeline_restore_offsets(&out->offsets, p, req->from, cl, req->data ? &out->data : NULL,
						  req->dry_run);
		if (rc != 0)
			return fail_in(out, rc, "--offsets: ", "");
		out->offsets_done = true;
		/* A dry run judges the offsets before the plan and --data are applied: a refusal is not a failure. */
		if (out->offsets.errors.n || (out->offsets.decided.n_refused && !req->dry_run))
			return end_run(out, KDR_PIPELINE_FAILED);
	}
	if ((out->blocked = p->plan.n_blocked) > 0)
		return end_run(out, KDR_PIPELINE_PENDING);
	return 0;
}

int kdr_pipeline_restore(struct kdr_restore_result *out, struct kdr_desired *desired,
			 const struct kdr_pipeline_options *options, const struct kdr_restore_request *req)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->req = req;
	if (!kdr_desired_cluster(desired, req->cluster)) {
		rc = kdr_error_set(KDR_ENOTFOUND, "--cluster '%s': no KafkaCluster of that name is declared",
				   req->cluster);
		return kdr_pipeline_result_fail(&out->run, rc, false);
	}
	if ((rc = kdr_pipeline_restore_desired(desired, &out->diags, req->from, req->cluster)) != 0)
		return kdr_pipeline_result_fail(&out->run, rc, false);
	if ((rc = plan_and_apply(out, desired, options, req)) != 0 || out->run.outcome != KDR_PIPELINE_OK)
		return rc;
	return restore_steps(out, kdr_desired_cluster(desired, req->cluster), req);
}

void kdr_restore_result_release(struct kdr_restore_result *result)
{
	kdr_restore_offsets_release(&result->offsets);
	kdr_restore_data_release(&result->data);
	kdr_restore_brokers_release(&result->brokers);
	kdr_apply_report_release(&result->apply);
	kdr_diags_release(&result->diags);
	kdr_pipeline_result_release(&result->run);
	memset(result, 0, sizeof(*result));
}
