/*
 * kdr restore: parses, then the one pipeline with the backup as the desired
 * state of one cluster (read -> plan -> apply) and the restore's steps
 * (pkg/pipeline/backup.h): the records (--data), the groups' offsets
 * (--offsets). Prints each step's outcome.
 */
#include <stdio.h>

#include "args.h"
#include "pipeline/backup.h"
#include "render/render.h"
#include "util/error.h"

enum {
	OPT_YES = 'y',
	OPT_HELP = 'h',
	OPT_FROM = 3100,
	OPT_DRY_RUN,
	OPT_OFFSETS,
	OPT_DATA,
	OPT_CONNECTORS,
	OPT_BROKER_CONFIGS,
	OPT_CONNECTOR_SECRETS,
};

static const struct option restore_options[] = {
	{ "from", required_argument, NULL, OPT_FROM },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "offsets", no_argument, NULL, OPT_OFFSETS },
	{ "data", no_argument, NULL, OPT_DATA },
	{ "connectors", no_argument, NULL, OPT_CONNECTORS },
	{ "broker-configs", no_argument, NULL, OPT_BROKER_CONFIGS },
	{ "connector-secrets", required_argument, NULL, OPT_CONNECTOR_SECRETS },
	KDR_CLI_CLUSTER_OPTIONS,
	KDR_CLI_SOURCE_OPTIONS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct kdr_cli_spec restore_spec = {
	.command = "restore",
	.usage = "kdr restore [DIR | --git URL [--ref R] [--path P]] --from BACKUP_DIR --cluster C [--dry-run] [--yes]\n"
		 "                   [--offsets] [--data] [--broker-configs] [--connectors [--connector-secrets FILE]]\n"
		 "                   [--timeout 30s]",
	.description =
	    "Plans and applies a backup written by 'kdr backup' onto cluster C (declared in DIR, which\n"
	    "gives its connection settings): the backup's TopicPolicy and AccessPolicy documents are\n"
	    "the desired state of C (DIR's own flows and policies are not used), so missing topics are\n"
	    "created with their exact replica assignment where those brokers exist (else placed by\n"
	    "kdr, rack-aware), partitions grown, configs and ACLs set. Nothing is deleted.\n"
	    "--data then produces the backed-up records (keys, values, headers, timestamps) into each\n"
	    "partition that is still empty (checksums verified first); --offsets commits the groups'\n"
	    "offsets, refusing a group that is active and an offset past the partition's log end.\n"
	    "--broker-configs sets the brokers' dynamic configs of brokers.json that differ (never removes\n"
	    "one; sensitive ones, which the backup has no value for, are listed as skipped).\n"
	    "--connectors adds the backup's Connect connectors to the plan (created, or their backed-up\n"
	    "keys set; kdr's own kdr.* connectors are left to the flows); a key the backup redacted takes\n"
	    "its value from --connector-secrets, else from the connector on C, else the connector is\n"
	    "refused (named with its keys) and nothing is restored.\n"
	    "Safe to run twice: the second run finds nothing to do.\n"
	    "Exit status: 0 restored or nothing to do, 1 an error or a refusal, 2 blocked items left\n"
	    "for a human, 64 usage error.",
	.options_help = "      --from DIR          the backup directory\n"
			"  -c, --cluster C         the cluster to restore into (exactly one)\n"
			"      --dry-run           print the plan (and what --data/--offsets would do), change nothing\n"
			"  -y, --yes               apply without asking\n"
			"      --data              produce the backup's records (data/) into empty partitions\n"
			"      --offsets           commit the backup's consumer group offsets (groups.json)\n"
			"      --broker-configs    set the backup's dynamic broker configs (brokers.json)\n"
			"      --connectors        create/update the backup's Connect connectors (connectors.json)\n"
			"      --connector-secrets FILE  values for the keys the backup redacted, JSON:\n"
			"                          {\"CONNECTOR\": {\"KEY\": \"VALUE\"}} (a ${file:...} reference works too)\n"
			"      --timeout DURATION  per request to the cluster (default 30s)\n" KDR_CLI_SOURCE_HELP,
	.options = restore_options,
	.short_options = "c:yh",
};

struct restore_args {
	const char *from;
	const char *connector_secrets;
	bool yes, dry_run, offsets, data, connectors, broker_configs;
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
	case OPT_CONNECTORS: a->connectors = true; return KDR_EXIT_OK;
	case OPT_BROKER_CONFIGS: a->broker_configs = true; return KDR_EXIT_OK;
	case OPT_CONNECTOR_SECRETS: a->connector_secrets = arg; return KDR_EXIT_OK;
	}
	return -1;
}

/* Prints `text` (the rendering of a step) and releases it. */
static void print_take(struct kdr_buf *text)
{
	fwrite(text->ptr, 1, text->len, stdout);
	kdr_buf_release(text);
}

/* The backup as the desired state of the restore (the source's KafkaClusters give the connections). */
static int load_desired(struct kdr_desired *desired, const struct kdr_cli_args *args, const char *from)
{
	struct kdr_diags diags = { 0 };
	int exit_code = kdr_cli_source_load(desired, &args->src);

	if (exit_code != KDR_EXIT_OK)
		return exit_code;
	if (!kdr_desired_cluster(desired, args->clusters.v[0])) {
		fprintf(stderr, "kdr restore: --cluster '%s': no KafkaCluster of that name is declared\n", args->clusters.v[0]);
		return KDR_EXIT_ERROR;
	}
	if (kdr_pipeline_restore_desired(desired, &diags, from, args->clusters.v[0]) != 0)
		exit_code = KDR_EXIT_ERROR;
	kdr_diags_print(&diags, stderr);
	if (exit_code != KDR_EXIT_OK)
		fprintf(stderr, "kdr restore: %s\n", kdr_error_message());
	kdr_diags_release(&diags);
	return exit_code;
}

/* Reads, plans and (unless --dry-run, once confirmed) applies; prints the plan and the results. */
static int plan_and_apply(struct kdr_pipeline *p, const struct kdr_desired *desired, struct kdr_cli_args *args,
			  const struct restore_args *a)
{
	struct kdr_buf text = KDR_BUF_INIT;
	int exit_code = kdr_cli_read(p, desired, &args->live, &args->clusters);

	if (exit_code != KDR_EXIT_OK || (exit_code = kdr_cli_plan(p, "restore")) != KDR_EXIT_OK)
		return exit_code;
	if (a->connectors &&
	    kdr_pipeline_restore_connectors(p, a->from, args->clusters.v[0], a->connector_secrets) != 0) {
		fprintf(stderr, "kdr restore: --connectors: %s; nothing was restored\n", kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	kdr_render_plan(&text, &p->plan, desired, KDR_RENDER_TEXT);
	print_take(&text);
	if (kdr_pipeline_plan_has_errors(p)) {
		fprintf(stderr, "kdr restore: the plan has errors (marked '!'); nothing was restored\n");
		return KDR_EXIT_ERROR;
	}
	if (a->dry_run || p->plan.n_actions == 0)
		return KDR_EXIT_OK;
	if ((exit_code = kdr_cli_consent(p->plan.n_actions, a->yes, "restore", "restored")) != KDR_EXIT_OK)
		return exit_code;
	if ((exit_code = kdr_cli_apply_live(p)) != KDR_EXIT_OK)
		fprintf(stderr, "kdr restore: the plan did not apply fully; records and offsets were not restored\n");
	return exit_code;
}

/* --broker-configs: the brokers' dynamic configs. */
static int restore_brokers(const struct kdr_pipeline *p, const struct kdr_cluster *cl, const struct restore_args *a)
{
	struct kdr_restore_brokers brokers = { 0 };
	struct kdr_buf text = KDR_BUF_INIT;
	int exit_code = KDR_EXIT_OK;

	if (kdr_pipeline_restore_brokers(&brokers, p, a->from, cl, a->dry_run) != 0) {
		fprintf(stderr, "kdr restore: --broker-configs: %s\n", kdr_error_message());
		kdr_restore_brokers_release(&brokers);
		return KDR_EXIT_ERROR;
	}
	kdr_restore_brokers_render_text(&text, &brokers, a->dry_run);
	for (size_t i = 0; i < brokers.errors.n; i++)
		fprintf(stderr, "kdr restore: --broker-configs: %s\n", brokers.errors.v[i]);
	print_take(&text);
	/* Skipped keys (sensitive, a missing broker) are reported, not failures; a refusal or a failure is. */
	if (brokers.errors.n || brokers.decided.n_refused)
		exit_code = KDR_EXIT_ERROR;
	kdr_restore_brokers_release(&brokers);
	return exit_code;
}

/* --data: the records into their empty partitions. */
static int restore_data(struct kdr_restore_data *data, const struct kdr_pipeline *p, const struct kdr_cluster *cl,
			const struct restore_args *a)
{
	struct kdr_buf text = KDR_BUF_INIT;

	if (kdr_pipeline_restore_data(data, p, a->from, cl, a->dry_run) != 0) {
		fprintf(stderr, "kdr restore: --data: %s; no record was produced\n", kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	kdr_restore_data_render_text(&text, data, a->dry_run, cl->meta.name);
	print_take(&text);
	return data->failed ? KDR_EXIT_ERROR : KDR_EXIT_OK;
}

/* --offsets: the groups' offsets, judged against the cluster as it is now. */
static int restore_offsets(struct kdr_pipeline *p, const struct kdr_cluster *cl, const struct kdr_restore_data *data,
			   const struct restore_args *a)
{
	struct kdr_restore_offsets offsets = { 0 };
	struct kdr_buf text = KDR_BUF_INIT;
	int exit_code = KDR_EXIT_OK;

	if (kdr_pipeline_restore_offsets(&offsets, p, a->from, cl, a->data ? data : NULL, a->dry_run) != 0) {
		fprintf(stderr, "kdr restore: --offsets: %s\n", kdr_error_message());
		kdr_restore_offsets_release(&offsets);
		return KDR_EXIT_ERROR;
	}
	kdr_restore_offsets_render_text(&text, &offsets, a->dry_run, cl->meta.name);
	for (size_t i = 0; i < offsets.errors.n; i++)
		fprintf(stderr, "kdr restore: --offsets: %s\n", offsets.errors.v[i]);
	print_take(&text);
	/* A dry run judges the offsets before the plan and --data are applied: a refusal is not a failure. */
	if (offsets.errors.n || (offsets.decided.n_refused && !a->dry_run))
		exit_code = KDR_EXIT_ERROR;
	kdr_restore_offsets_release(&offsets);
	return exit_code;
}

int kdr_cmd_restore(int argc, char **argv)
{
	struct restore_args a = { 0 };
	struct kdr_cli_args args;
	struct kdr_desired desired = { 0 };
	struct kdr_pipeline p = { 0 };
	struct kdr_restore_data data = { 0 };
	const struct kdr_cluster *cl = NULL;
	int exit_code = kdr_cli_parse(&args, &restore_spec, argc, argv, restore_option, &a);

	if (exit_code != KDR_EXIT_OK || args.help)
		goto cleanup;
	if (!a.from) {
		exit_code = kdr_cli_usage_error(&restore_spec, "--from: the backup directory is required");
		goto cleanup;
	}
	if (args.clusters.n != 1) {
		exit_code = kdr_cli_usage_error(&restore_spec, "--cluster: give exactly one cluster to restore into");
		goto cleanup;
	}
	if (a.connector_secrets && !a.connectors) {
		exit_code = kdr_cli_usage_error(&restore_spec, "--connector-secrets: only with --connectors");
		goto cleanup;
	}
	if (args.live.snapshot_path) {
		exit_code = kdr_cli_usage_error(&restore_spec, "--offline is not supported by restore");
		goto cleanup;
	}
	if ((exit_code = load_desired(&desired, &args, a.from)) != KDR_EXIT_OK)
		goto cleanup;
	cl = kdr_desired_cluster(&desired, args.clusters.v[0]);
	/* The one pipeline: read the cluster, plan the backup as its desired state, apply; then the restore's steps. */
	if ((exit_code = plan_and_apply(&p, &desired, &args, &a)) != KDR_EXIT_OK)
		goto cleanup;
	if (a.broker_configs)
		exit_code = restore_brokers(&p, cl, &a);
	if (a.data && exit_code == KDR_EXIT_OK)
		exit_code = restore_data(&data, &p, cl, &a);
	if (a.offsets && exit_code == KDR_EXIT_OK)
		exit_code = restore_offsets(&p, cl, &data, &a);
	if (exit_code == KDR_EXIT_OK && p.plan.n_blocked > 0) {
		fprintf(stderr, "kdr restore: %zu blocked item(s) need a human (marked '!' above)\n", p.plan.n_blocked);
		exit_code = KDR_EXIT_CHANGES;
	}
cleanup:
	kdr_restore_data_release(&data);
	kdr_pipeline_release(&p);
	kdr_desired_release(&desired);
	kdr_cli_args_release(&args);
	return exit_code;
}
