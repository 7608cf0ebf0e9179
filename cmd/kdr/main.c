#include <string.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "cli.h"
#include "cli/program.h"

static const struct kdr_cli_command commands[] = {
	{ "validate", "check documents offline (exit 0 valid, 1 invalid)", kdr_cmd_validate },
	{ "plan", "show what would change on the clusters", kdr_cmd_plan },
	{ "apply", "make the clusters match the desired state", kdr_cmd_apply },
	{ "snapshot", "print the live state of the clusters as JSON", kdr_cmd_snapshot },
	{ "render", "print the MirrorMaker 2 connector configs of the flows", kdr_cmd_render },
	{ "run", "reconcile continuously (a loop driven by the source)", kdr_cmd_run },
	{ "status", "report the health of the replication flows (exit 1 when one failed)", kdr_cmd_status },
	{ "lag", "replication lag and RPO of a flow (exit 1 over --max-rpo)", kdr_cmd_lag },
	{ "failover", "move a flow's consumer groups to its target with MM2's translated offsets", kdr_cmd_failover },
	{ "failback", "the next step back after a failover: reverse flow, groups back, flow restored", kdr_cmd_failback },
	{ "backup", "write a cluster's topics, ACLs, group offsets and configs (and records) to a directory", kdr_cmd_backup },
	{ "restore", "plan/apply a backup directory onto a cluster (and its offsets, records)", kdr_cmd_restore },
	{ "version", "print the version", kdr_cmd_version },
};

static const struct kdr_cli_program kdr = {
	.name = "kdr",
	.description = "kdr reconciles Kafka disaster-recovery topology (clusters, MirrorMaker 2 flows,\n"
		       "topic policies) from YAML to live Kafka and Kafka Connect clusters.",
	.commands = commands,
	.n_commands = sizeof(commands) / sizeof(commands[0]),
	.footer = "exit status: 0 success / no changes, 1 error, 2 changes pending (plan --detailed-exitcode), "
		  "64 usage error",
};

int main(int argc, char **argv)
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
	/*
	 * No fastbins. A live read frees hundreds of thousands of small objects
	 * (librdkafka's parsed answers, ~65 per topic) between larger requests,
	 * and glibc consolidates every fastbin chunk on each such request
	 * (malloc_consolidate: 8% of a 100,000-topic plan's CPU, more per topic
	 * the bigger the heap). Without them the same plan took 7.1 to 8.1 s of
	 * CPU instead of 9.1 to 10.2 s, at the same peak RSS.
	 */
	mallopt(M_MXFAST, 0);
#endif
	if (argc >= 2 && strcmp(argv[1], "--version") == 0)
		return kdr_cmd_version(argc - 1, argv + 1);
	return kdr_cli_program_run(&kdr, argc, argv);
}
