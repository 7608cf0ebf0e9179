#ifndef KDR_CMD_CLI_H
#define KDR_CMD_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/options.h"
#include "model/model.h"
#include "util/buf.h"

/* Every exit status of the kdr binary; documented in the README. */
enum kdr_exit {
	KDR_EXIT_OK = 0,      /* success, valid, or no changes */
	KDR_EXIT_ERROR = 1,   /* invalid input, failed action, unreachable cluster */
	KDR_EXIT_CHANGES = 2, /* plan --detailed-exitcode: changes pending */
	KDR_EXIT_USAGE = KDR_CLI_USAGE, /* bad command line (64) */
};

/* Each takes argv with argv[0] the command name; returns an enum kdr_exit. */
int kdr_cmd_validate(int argc, char **argv);
int kdr_cmd_plan(int argc, char **argv);
int kdr_cmd_apply(int argc, char **argv);
int kdr_cmd_snapshot(int argc, char **argv);
int kdr_cmd_render(int argc, char **argv);
int kdr_cmd_run(int argc, char **argv);
int kdr_cmd_status(int argc, char **argv);
int kdr_cmd_failover(int argc, char **argv);
int kdr_cmd_failback(int argc, char **argv);
int kdr_cmd_backup(int argc, char **argv);
int kdr_cmd_restore(int argc, char **argv);
int kdr_cmd_lag(int argc, char **argv);
int kdr_cmd_version(int argc, char **argv);

/* --reassignments DIR (plan, apply): `to` its target (KDR_CLI_ARG). */
#define KDR_CLI_OPTION_REASSIGNMENTS(to)                                                                               \
	{ "reassignments", to, 0, "DIR", "write each blocked item's kafka-reassign-partitions.sh JSON into DIR" }

/* Writes `data` to `path` atomically (temp file + rename); "-" is stdout. */
int kdr_cli_write_file(const char *path, const char *data, size_t len);

#endif
