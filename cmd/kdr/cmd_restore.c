/*
 * kdr restore: parses, then one run on the pipeline (kdr_pipeline_restore,
 * pkg/pipeline/backup.h: the backup as the desired state of one cluster,
 * read -> plan -> apply, then --broker-configs, --data, --offsets) and its
 * rendering; the confirmation is asked between the plan and the apply.
 */
#include "args.h"
#include "cli/confirm.h"
#include "pipeline/backup.h"
#include "result.h"

struct restore_args {
	const char *from;
	const char *connector_secrets;
	bool yes, dry_run, offsets, data, connectors, broker_configs;
};

static const struct kdr_cli_option restore_options[] = {
	{ "from", KDR_CLI_ARG(struct restore_args, from), 0, "BACKUP_DIR", "the backup directory (required)" },
	KDR_CLI_OPTION_CLUSTER("the cluster to restore into (required; exactly one)"),
	{ "dry-run", KDR_CLI_TRUE(struct restore_args, dry_run), 0, NULL,
	  "print the plan (and what --data/--offsets would do), change nothing" },
	{ "yes", KDR_CLI_TRUE(struct restore_args, yes), 'y', NULL, "apply without asking" },
	{ "data", KDR_CLI_TRUE(struct restore_args, data), 0, NULL, "produce the backup's records (data/) into empty partitions" },
	{ "offsets", KDR_CLI_TRUE(struct restore_args, offsets), 0, NULL, "commit the backup's consumer group offsets (groups.json)" },
	{ "broker-configs", KDR_CLI_TRUE(struct restore_args, broker_configs), 0, NULL,
	  "set the backup's dynamic broker configs (brokers.json)" },
	{ "connectors", KDR_CLI_TRUE(struct restore_args, connectors), 0, NULL,
	  "create/update the backup's Connect connectors (connectors.json)" },
	/* Its help has always started two spaces after FILE. */
	{ "connector-secrets", KDR_CLI_ARG(struct restore_args, connector_secrets), 0, "FILE",
	  " values for the keys the backup redacted, JSON:\n"
	  "{\"CONNECTOR\": {\"KEY\": \"VALUE\"}} (a ${file:...} reference works too)" },
	KDR_CLI_OPTION_TIMEOUT("per request to the cluster (default 30s)"),
	KDR_CLI_SOURCE_TABLE,
	{ 0 },
};

static const struct kdr_cli_spec restore_spec = {
	KDR_CLI_DIR_COMMAND("restore", restore_options),
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
};

/* The confirmation: asked once the plan is on the terminal. */
struct consent {
	bool yes, plan_shown;
};

static void show_plan(struct consent *c, const struct kdr_restore_result *result)
{
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	kdr_pipeline_restore_render_plan(&out, &err, result);
	kdr_cli_print(&out, &err);
	c->plan_shown = true;
}

static int ask(void *ctx, const struct kdr_restore_result *so_far)
{
	struct consent *c = ctx;

	show_plan(c, so_far);
	return kdr_cli_consent(&restore_spec, c->yes, "apply", "restored", "apply %zu action(s)",
			       so_far->run.p.plan.n_actions)
		       ? KDR_EXIT_OK
		       : KDR_EXIT_ERROR;
}

static int check(struct kdr_cli_args *args, void *ctx)
{
	const struct restore_args *a = ctx;
	const char *misuse = args->clusters.n != 1		 ? "--cluster: give exactly one cluster to restore into"
			     : a->connector_secrets && !a->connectors ? "--connector-secrets: only with --connectors"
			     : args->live.snapshot_path		 ? "--offline is not supported by restore"
								 : NULL;

	return misuse ? kdr_cli_usage_error(&restore_spec, "%s", misuse) : KDR_EXIT_OK;
}

static int restore(struct kdr_cli_args *args, void *ctx)
{
	const struct restore_args *a = ctx;
	struct kdr_restore_result result = { 0 };
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;
	struct consent consent = { .yes = a->yes };
	int exit_code;

	kdr_pipeline_restore(&result, &args->desired, kdr_cli_pipeline_options(args),
			     &(struct kdr_restore_request){ .from = a->from, .cluster = args->clusters.v[0],
							    .connector_secrets = a->connector_secrets,
							    .dry_run = a->dry_run, .data = a->data, .offsets = a->offsets,
							    .connectors = a->connectors,
							    .broker_configs = a->broker_configs, .consent = ask,
							    .consent_ctx = &consent });
	if (!consent.plan_shown)
		show_plan(&consent, &result);
	kdr_pipeline_restore_render_steps(&out, &err, &result);
	kdr_cli_print(&out, &err);
	exit_code = kdr_cli_exit_status(result.run.outcome);
	kdr_restore_result_release(&result);
	return exit_code;
}

int kdr_cmd_restore(int argc, char **argv)
{
	struct restore_args a = { 0 };

	return kdr_cli_command(&(struct kdr_cli_steps){ .spec = &restore_spec, .check = check, .run = restore }, argc,
			       argv, &a);
}
