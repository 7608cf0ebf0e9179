/*
 * kdr restore: plan/apply with a backup directory as the desired state of
 * one cluster (the pipeline's read -> plan -> apply, with the backup's
 * TopicPolicy and AccessPolicy documents in place of the source's), then
 * optionally the records (--data) and the groups' offsets (--offsets).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "dr/backup.h"
#include "executor/backup_io.h"
#include "executor/dr_io.h"
#include "render/render.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/error.h"
#include "validate/validate.h"

enum {
	OPT_YES = 'y',
	OPT_HELP = 'h',
	OPT_FROM = 3100,
	OPT_DRY_RUN,
	OPT_OFFSETS,
	OPT_DATA,
};

static const struct option restore_options[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "offsets", no_argument, NULL, OPT_OFFSETS },
	{ "data", no_argument, NULL, OPT_DATA },
	KDR_CLI_CLUSTER_OPTIONS,
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec restore_spec = {
	.command = "restore",
	.usage = "kdr restore [DIR | --git URL [--ref R] [--path P]] --from BACKUP_DIR --cluster C [--dry-run] [--yes]\n"
		 "                   [--offsets] [--data] [--timeout 30s]",
	.description =
	    "Plans and applies a backup written by 'kdr backup' onto cluster C (declared in DIR, which\n"
	    "gives its connection settings): the backup's TopicPolicy and AccessPolicy documents are\n"
	    "the desired state of C (DIR's own flows and policies are not used), so missing topics are\n"
	    "created with their exact replica assignment where those brokers exist (else placed by\n"
	    "kdr, rack-aware), partitions grown, configs and ACLs set. Nothing is deleted.\n"
	    "--data then produces the backed-up records (keys, values, headers, timestamps) into each\n"
	    "partition that is still empty (checksums verified first); --offsets commits the groups'\n"
	    "offsets, refusing a group that is active and an offset past the partition's log end.\n"
	    "Safe to run twice: the second run finds nothing to do.\n"
	    "Exit status: 0 restored or nothing to do, 1 an error or a refusal, 2 blocked items left\n"
	    "for a human, 64 usage error.",
	.options_help = "      --from DIR          the backup directory\n"
			"  -c, --cluster C         the cluster to restore into (exactly one)\n"
			"      --dry-run           print the plan (and what --data/--offsets would do), change nothing\n"
			"  -y, --yes               apply without asking\n"
			"      --data              produce the backup's records (data/) into empty partitions\n"
			"      --offsets           commit the backup's consumer group offsets (groups.json)\n"
			"      --timeout DURATION  per request to the cluster (default 30s)\n" KDR_CLI_SOURCE_HELP,
	.options = restore_options,
	.short_options = "c:yh",
};

/* Reads BACKUP/name into `out`; KDR_EXIT_ERROR with a message when it cannot. */
static int read_backup_file(struct kdr_buf *out, const char *from, const char *name)
{
	char *path = kdr_asprintf("%s/%s", from, name);
	int exit_code = kdr_cli_read_file(out, path);

	free(path);
	return exit_code;
}

/*
 * The desired state of the restore: the source's KafkaClusters, and the
 * backup's TopicPolicy and AccessPolicy documents moved in with their
 * clusters set to `cluster`. Validated as a whole.
 */
static int restore_desired(struct kdr_desired *desired, const char *from, const char *cluster)
{
	struct kdr_desired backup = { 0 };
	struct kdr_diags diags = { 0 };
	int exit_code = KDR_EXIT_OK;

	if (kdr_source_load_dir(&backup, &diags, from, KDR_SOURCE_NO_VALIDATE) != 0) {
		kdr_diags_print(&diags, stderr);
		fprintf(stderr, "kdr restore: '%s': %s\n", from, kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (backup.n_clusters || backup.n_flows)
		fprintf(stderr, "kdr restore: '%s': its KafkaCluster and ReplicationFlow documents are not used\n", from);
	for (size_t i = 0; i < desired->n_flows; i++)
		kdr_flow_release(&desired->flows[i]);
	desired->n_flows = 0;
	for (size_t i = 0; i < desired->n_policies; i++)
		kdr_policy_release(&desired->policies[i]);
	desired->n_policies = 0;
	for (size_t i = 0; i < desired->n_access_policies; i++)
		kdr_access_policy_release(&desired->access_policies[i]);
	desired->n_access_policies = 0;
	for (size_t i = 0; i < backup.n_policies; i++) {
		struct kdr_policy *policy = kdr_desired_add_policy(desired);

		kdr_policy_release(policy);
		*policy = backup.policies[i];
		memset(&backup.policies[i], 0, sizeof(backup.policies[i]));
		kdr_strvec_release(&policy->clusters);
		kdr_strvec_push(&policy->clusters, cluster);
	}
	for (size_t i = 0; i < backup.n_access_policies; i++) {
		struct kdr_access_policy *policy = kdr_desired_add_access_policy(desired);

		kdr_access_policy_release(policy);
		*policy = backup.access_policies[i];
		memset(&backup.access_policies[i], 0, sizeof(backup.access_policies[i]));
		kdr_strvec_release(&policy->clusters);
		policy->all_clusters = false;
		kdr_strvec_push(&policy->clusters, cluster);
	}
	kdr_validate(desired, &diags);
	kdr_diags_print(&diags, stderr);
	if (diags.errors) {
		fprintf(stderr, "kdr restore: the backup's documents are not valid for cluster '%s'; nothing was "
				"restored\n",
			cluster);
		exit_code = KDR_EXIT_ERROR;
	}
cleanup:
	kdr_diags_release(&diags);
	kdr_desired_release(&backup);
	return exit_code;
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
	int exit_code = read_backup_file(&text, from, "manifest.json");

	if (exit_code != KDR_EXIT_OK)
		return exit_code;
	root = json_loadb(text.ptr, text.len, 0, &jerr);
	files = json_object_get(root, "files");
	if (!root || json_integer_value(json_object_get(root, "kdrBackup")) != 1 || !json_is_array(files)) {
		fprintf(stderr, "kdr restore: %s/manifest.json: not a kdr backup manifest (kdrBackup 1 with files)\n",
			from);
		exit_code = KDR_EXIT_ERROR;
	}
	json_array_foreach(files, i, file) {
		const char *path = json_string_value(file);
		size_t len = path ? strlen(path) : 0;

		if (path && strncmp(path, "data/", 5) == 0 && len > 6 && strcmp(path + len - 6, ".jsonl") == 0 &&
		    !strstr(path, ".."))
			kdr_strvec_push(out, path);
	}
	json_decref(root);
	kdr_buf_release(&text);
	return exit_code;
}

static int restore_data(const char *from, const struct kdr_cluster *cl, const struct kdr_executor_options *exec,
			bool dry_run)
{
	struct kdr_strvec paths = KDR_STRVEC_INIT;
	struct kdr_buf sums = KDR_BUF_INIT;
	struct kdr_dr_partition_records *sets = NULL;
	struct kdr_dr_offsets want = { 0 }, ends = { 0 };
	size_t n = 0, produced = 0;
	int exit_code = data_files(&paths, from);

	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (paths.n == 0) {
		printf("\n--data: the backup holds no records\n");
		goto cleanup;
	}
	if ((exit_code = read_backup_file(&sums, from, "data/SHA256SUMS")) != KDR_EXIT_OK)
		goto cleanup;
	sets = kdr_calloc(paths.n, sizeof(*sets));
	for (size_t i = 0; i < paths.n && exit_code == KDR_EXIT_OK; i++) {
		struct kdr_buf text = KDR_BUF_INIT;
		char *label = kdr_asprintf("%s/%s", from, paths.v[i]);

		exit_code = read_backup_file(&text, from, paths.v[i]);
		if (exit_code == KDR_EXIT_OK && (kdr_dr_sha256_check(sums.ptr, paths.v[i], text.ptr, text.len) != 0 ||
						 kdr_dr_records_decode(&sets[n], text.ptr, text.len, label) != 0)) {
			fprintf(stderr, "kdr restore: --data: %s; no record was produced\n", kdr_error_message());
			exit_code = KDR_EXIT_ERROR;
		} else if (exit_code == KDR_EXIT_OK) {
			kdr_dr_offsets_set(&want, sets[n].topic, sets[n].partition, 0);
			n++;
		}
		kdr_buf_release(&text);
		free(label);
	}
	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	kdr_dr_offsets_sort(&want);
	if (end_offsets(&ends, cl, &want, exec) != 0) {
		fprintf(stderr, "kdr restore: --data: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		const struct kdr_dr_offset *end = kdr_dr_offsets_find(&ends, sets[i].topic, sets[i].partition);
		size_t delivered = 0;

		if (!end && !dry_run) {
			printf("  FAILED   data %s-%d: the partition does not exist on '%s'\n", sets[i].topic,
			       (int)sets[i].partition, cl->meta.name);
			exit_code = KDR_EXIT_ERROR;
		} else if (end && end->offset > 0) {
			printf("  skipped  data %s-%d: the partition already holds records (log end %lld); not produced "
			       "again\n",
			       sets[i].topic, (int)sets[i].partition, (long long)end->offset);
		} else if (dry_run) {
			printf("  would produce %zu record(s) to %s-%d\n", sets[i].n, sets[i].topic, (int)sets[i].partition);
		} else if (kdr_executor_produce_records(&delivered, cl, &sets[i], exec) != 0) {
			printf("  FAILED   data %s-%d: %zu of %zu record(s) produced: %s\n", sets[i].topic,
			       (int)sets[i].partition, delivered, sets[i].n, kdr_error_message());
			exit_code = KDR_EXIT_ERROR;
		} else {
			printf("  ok       data %s-%d: %zu record(s) produced\n", sets[i].topic, (int)sets[i].partition,
			       delivered);
			produced += delivered;
		}
	}
	if (!dry_run)
		printf("\n--data: %zu record(s) produced\n", produced);
cleanup:
	for (size_t i = 0; i < n; i++)
		kdr_dr_partition_records_release(&sets[i]);
	free(sets);
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&ends);
	kdr_buf_release(&sums);
	kdr_strvec_release(&paths);
	return exit_code;
}

static int restore_offsets(const char *from, const struct kdr_desired *desired, const struct kdr_cluster *cl,
			   struct kdr_pipeline_options *source, const struct kdr_strvec *clusters,
			   const struct kdr_executor_options *exec, bool dry_run)
{
	struct kdr_buf text = KDR_BUF_INIT;
	struct kdr_live_cluster backup = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_dr_offsets want = { 0 }, ends = { 0 };
	struct kdr_dr_restore_offsets decided = { 0 };
	struct kdr_strvec errors = KDR_STRVEC_INIT;
	const struct kdr_live_cluster *live = NULL;
	char *label = kdr_asprintf("%s/groups.json", from);
	int exit_code = read_backup_file(&text, from, "groups.json");

	if (exit_code != KDR_EXIT_OK)
		goto cleanup;
	if (kdr_dr_backup_groups_decode(&backup, text.ptr, text.len, label) != 0) {
		fprintf(stderr, "kdr restore: --offsets: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	/* The groups as they are now (after --data), read the same way as everything else. */
	source->read_groups = KDR_READ_GROUPS_OFFSETS;
	if ((exit_code = kdr_cli_read(&p, desired, source, clusters)) != KDR_EXIT_OK)
		goto cleanup;
	live = kdr_live_cluster_find(&p.live, cl->meta.name);
	if (!live || !live->groups_read || !live->group_offsets_read) {
		fprintf(stderr, "kdr restore: --offsets: the consumer groups of '%s' could not be read; nothing was "
				"committed\n",
			cl->meta.name);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	for (size_t g = 0; g < backup.n_groups; g++)
		for (size_t o = 0; o < backup.groups[g].n_offsets; o++)
			kdr_dr_offsets_set(&want, backup.groups[g].offsets[o].topic, backup.groups[g].offsets[o].partition, 0);
	kdr_dr_offsets_sort(&want);
	if (want.n && end_offsets(&ends, cl, &want, exec) != 0) {
		fprintf(stderr, "kdr restore: --offsets: %s\n", kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	kdr_dr_restore_offsets_decide(&decided, &backup, live, &ends);
	printf("\n%-24s %-24s %9s %10s %10s %10s  %s\n", "GROUP", "TOPIC", "PARTITION", "OFFSET", "CURRENT", "LOG-END",
	       "VERDICT");
	for (size_t i = 0; i < decided.n; i++) {
		const struct kdr_dr_restore_row *row = &decided.rows[i];
		static const char *const verdicts[] = { "commit", "unchanged", "refused" };

		printf("%-24s %-24s %9d %10lld %10lld %10lld  %s%s%s\n", row->group, row->topic, (int)row->partition,
		       (long long)row->offset, (long long)row->current, (long long)row->end,
		       dry_run && row->verdict == KDR_DR_RESTORE_COMMIT ? "would commit" : verdicts[row->verdict],
		       row->reason ? ": " : "", row->reason ? row->reason : "");
	}
	if (!dry_run && kdr_executor_commit_restore(&errors, &decided, cl, exec) != 0) {
		for (size_t i = 0; i < errors.n; i++)
			fprintf(stderr, "kdr restore: --offsets: %s\n", errors.v[i]);
		exit_code = KDR_EXIT_ERROR;
	}
	printf("\n--offsets: %zu %s, %zu unchanged, %zu refused%s\n", decided.n_commit,
	       dry_run ? "to commit" : "committed", decided.n - decided.n_commit - decided.n_refused, decided.n_refused,
	       errors.n ? " (the commits of the groups named above failed)" : "");
	/* A dry run judges the offsets against the cluster as it is, before the plan and --data: not a failure. */
	if (decided.n_refused && !dry_run)
		exit_code = KDR_EXIT_ERROR;
	if (dry_run)
		printf("(--dry-run: judged against '%s' as it is now, before the plan and --data are applied)\n",
		       cl->meta.name);
cleanup:
	kdr_dr_restore_offsets_release(&decided);
	kdr_dr_offsets_release(&want);
	kdr_dr_offsets_release(&ends);
	kdr_strvec_release(&errors);
	kdr_pipeline_release(&p);
	kdr_live_cluster_release(&backup);
	kdr_buf_release(&text);
	free(label);
	return exit_code;
}

struct restore_args {
	const char *from;
	bool yes, dry_run, offsets, data;
};

static int restore_option(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *spec)
{
	struct restore_args *a = ctx;

	(void)spec;
	switch (opt) {
	case OPT_FROM: a->from = arg; return KDR_EXIT_OK;
	case OPT_DRY_RUN: a->dry_run = true; return KDR_EXIT_OK;
	case OPT_YES: a->yes = true; return KDR_EXIT_OK;
	case OPT_OFFSETS: a->offsets = true; return KDR_EXIT_OK;
	case OPT_DATA: a->data = true; return KDR_EXIT_OK;
	}
	return -1;
}

int kdr_cmd_restore(int argc, char **argv)
{
	struct restore_args a = { 0 };
	struct kdr_cli_args args;
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_executor_options exec = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;
	const struct kdr_cluster *cl = NULL;
	const char *from = NULL;
	bool yes = false, dry_run = false, offsets = false, data = false;
	int exit_code = KDR_EXIT_OK, step = KDR_EXIT_OK;

	exit_code = kdr_cli_parse(&args, &restore_spec, argc, argv, restore_option, &a);
	if (exit_code != KDR_EXIT_OK || args.help)
		goto cleanup;
	from = a.from;
	yes = a.yes;
	dry_run = a.dry_run;
	offsets = a.offsets;
	data = a.data;
	if (!from) {
		exit_code = kdr_cli_usage_error(&restore_spec, "--from: the backup directory is required");
		goto cleanup;
	}
	if (args.clusters.n != 1) {
		exit_code = kdr_cli_usage_error(&restore_spec, "--cluster: give exactly one cluster to restore into");
		goto cleanup;
	}
	if (args.live.snapshot_path) {
		exit_code = kdr_cli_usage_error(&restore_spec, "--offline is not supported by restore");
		goto cleanup;
	}
	if ((exit_code = kdr_cli_source_load(&desired, &args.src)) != KDR_EXIT_OK)
		goto cleanup;
	cl = kdr_desired_cluster(&desired, args.clusters.v[0]);
	if (!cl) {
		fprintf(stderr, "kdr restore: --cluster '%s': no KafkaCluster of that name is declared\n", args.clusters.v[0]);
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if ((exit_code = restore_desired(&desired, from, args.clusters.v[0])) != KDR_EXIT_OK)
		goto cleanup;
	cl = kdr_desired_cluster(&desired, args.clusters.v[0]);
	exec.timeout_ms = args.live.timeout_ms;
	exec.resolver = kdr_cli_source_resolver();

	/* The one pipeline: read the cluster, plan the backup as its desired state, apply. */
	if ((exit_code = kdr_cli_read(&p, &desired, &args.live, &args.clusters)) != KDR_EXIT_OK)
		goto cleanup;
	if ((exit_code = kdr_cli_plan(&p, "restore")) != KDR_EXIT_OK)
		goto cleanup;
	kdr_render_plan(&out, &p.plan, &desired, KDR_RENDER_TEXT);
	fwrite(out.ptr, 1, out.len, stdout);
	if (kdr_pipeline_plan_has_errors(&p)) {
		fprintf(stderr, "kdr restore: the plan has errors (marked '!'); nothing was restored\n");
		exit_code = KDR_EXIT_ERROR;
		goto cleanup;
	}
	if (!dry_run && p.plan.n_actions > 0) {
		if (!yes && !isatty(STDIN_FILENO)) {
			fprintf(stderr, "kdr restore: refusing to apply without --yes (stdin is not a terminal)\n");
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		if (!yes && !kdr_cli_confirm(p.plan.n_actions)) {
			fprintf(stderr, "kdr restore: cancelled; nothing was restored\n");
			exit_code = KDR_EXIT_ERROR;
			goto cleanup;
		}
		if ((exit_code = kdr_cli_apply_live(&p)) != KDR_EXIT_OK) {
			fprintf(stderr, "kdr restore: the plan did not apply fully; records and offsets were not "
					"restored\n");
			goto cleanup;
		}
	}
	if (data)
		step = restore_data(from, cl, &exec, dry_run);
	if (step != KDR_EXIT_OK)
		exit_code = step;
	if (offsets && exit_code == KDR_EXIT_OK)
		exit_code = restore_offsets(from, &desired, cl, &args.live, &args.clusters, &exec, dry_run);
	if (exit_code == KDR_EXIT_OK && p.plan.n_blocked > 0) {
		fprintf(stderr, "kdr restore: %zu blocked item(s) need a human (marked '!' above)\n", p.plan.n_blocked);
		exit_code = KDR_EXIT_CHANGES;
	}
cleanup:
	kdr_buf_release(&out);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_cli_args_release(&args);
	return exit_code;
}
