#ifndef KDR_CMD_CLI_H
#define KDR_CMD_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/model.h"
#include "plan/plan.h"
#include "util/buf.h"

/* Every exit status of the kdr binary; documented in the README. */
enum kdr_exit {
	KDR_EXIT_OK = 0,      /* success, valid, or no changes */
	KDR_EXIT_ERROR = 1,   /* invalid input, failed action, unreachable cluster */
	KDR_EXIT_CHANGES = 2, /* plan --detailed-exitcode: changes pending */
	KDR_EXIT_USAGE = 64,  /* bad command line */
};

struct kdr_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
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

/* What kdr_cli_parse does with an option of a command's table. */
enum kdr_cli_set {
	KDR_CLI_CALL,	  /* the command's option function gets `id` (and the argument) */
	KDR_CLI_SET_TRUE, /* sets the bool at `offset` of the command's context */
	KDR_CLI_SET_ARG,  /* sets the const char * at `offset` of the command's context to the argument */
};

/*
 * One option of a command, described once: kdr_cli_parse builds
 * getopt_long's entry from it and --help its line. The command sees `id`
 * for --NAME and for -SHORT alike. An option with `arg_name` takes an
 * argument (shown after the name). `help` may hold '\n': the next line is
 * indented to the help column (26); a help starting with '\n' begins on the
 * line after the name.
 */
struct kdr_cli_option {
	const char *name;
	struct kdr_cli_target {
		enum kdr_cli_set set;
		int id;	       /* KDR_CLI_CALL: unique in the command */
		size_t offset; /* KDR_CLI_SET_* */
	} to;		       /* KDR_CLI_ID, KDR_CLI_TRUE or KDR_CLI_ARG */
	char short_name;       /* 0: none */
	const char *arg_name;
	const char *help;
};

/* An option the command's option function takes as `id`. */
#define KDR_CLI_ID(id) { KDR_CLI_CALL, id, 0 }
/* An option that sets `field`, a bool (KDR_CLI_TRUE) or a const char * (KDR_CLI_ARG), of the context, a `type`. */
#define KDR_CLI_TRUE(type, field)                                                                                      \
	{ KDR_CLI_SET_TRUE, 0, offsetof(type, field) + 0 * sizeof(_Generic(((type *)0)->field, bool: 1)) }
#define KDR_CLI_ARG(type, field)                                                                                       \
	{ KDR_CLI_SET_ARG, 0, offsetof(type, field) + 0 * sizeof(_Generic(((type *)0)->field, const char *: 1)) }

/* --reassignments DIR (plan, apply): `to` its target (KDR_CLI_ARG). */
#define KDR_CLI_OPTION_REASSIGNMENTS(to)                                                                               \
	{ "reassignments", to, 0, "DIR", "write each blocked item's kafka-reassign-partitions.sh JSON into DIR" }

/*
 * A command's options, `table` ending with { 0 }; --help is implied.
 * kdr_cli_parse prints the help (stdout, exit 0) on --help, and a usage line
 * (stderr, exit 64) on unknown or malformed flags.
 */
struct kdr_cli_spec {
	const char *command;
	const char *usage;       /* "kdr plan [DIR] [options]" */
	const char *description; /* a paragraph */
	const struct kdr_cli_option *table;
	bool positional_file;      /* the argument may be a file instead of DIR (kdr_cli_parse) */
};

/* Prints the usage line and "try --help" to stderr; returns KDR_EXIT_USAGE. */
int kdr_cli_usage_error(const struct kdr_cli_spec *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kdr_cli_print_help(const struct kdr_cli_spec *spec, FILE *out);

/*
 * Writes each blocked item's reassignment as DIR/<cluster>.<topic>.reassignment.json
 * (kafka-reassign-partitions.sh format). Returns an enum kdr_exit.
 */
int kdr_cli_write_reassignments(const struct kdr_plan *plan, const char *dir);

/* Reads a whole file into `out`; returns 0 or KDR_EXIT_ERROR with a message on stderr. */
int kdr_cli_read_file(struct kdr_buf *out, const char *path);
/* Writes `data` to `path` atomically (temp file + rename); "-" is stdout. */
int kdr_cli_write_file(const char *path, const char *data, size_t len);

#endif
