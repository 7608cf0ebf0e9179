#ifndef KDR_CLI_OPTIONS_H
#define KDR_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A command's options, each described once in a table: getopt_long's
 * tables, the usage line, --help and the usage errors are built from it.
 * Knows nothing of the commands themselves (their options are theirs).
 */

/* The exit status of a usage error (sysexits' EX_USAGE); 0 is success. */
#define KDR_CLI_USAGE 64

/* What kdr_cli_options_parse does with an option of a command's table. */
enum kdr_cli_set {
	KDR_CLI_CALL,	  /* the command's option function gets `id` (and the argument) */
	KDR_CLI_SET_TRUE, /* sets the bool at `offset` of the command's fields */
	KDR_CLI_SET_ARG,  /* sets the const char * at `offset` of the command's fields to the argument */
};

/*
 * One option of a command. The command sees `id` for --NAME and for -SHORT
 * alike. An option with `arg_name` takes an argument (shown after the name).
 * `help` may hold '\n': the next line is indented to the help column (26); a
 * help starting with '\n' begins on the line after the name. The usage line
 * shows each option as [--NAME ARG], without the brackets when its help
 * says "(required" ("(required)", "(required; exactly one)"), followed by
 * "..." when it says "(repeatable".
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
#define KDR_CLI_ID(id)                                                                                                 \
	{                                                                                                              \
		KDR_CLI_CALL, id, 0                                                                                    \
	}
/* An option that sets `field`, a bool (KDR_CLI_TRUE) or a const char * (KDR_CLI_ARG), of the fields, a `type`. */
#define KDR_CLI_TRUE(type, field)                                                                                      \
	{                                                                                                              \
		KDR_CLI_SET_TRUE, 0, offsetof(type, field) + 0 * sizeof(_Generic(((type *)0)->field, bool : 1))        \
	}
#define KDR_CLI_ARG(type, field)                                                                                       \
	{                                                                                                              \
		KDR_CLI_SET_ARG, 0, offsetof(type, field) + 0 * sizeof(_Generic(((type *)0)->field, const char * : 1)) \
	}

/* A command: its options (`table` ending with { 0 }; -h/--help is implied) and what --help says besides. */
struct kdr_cli_spec {
	const char *program;	 /* "kdr" */
	const char *command;	 /* "plan" */
	const char *args;	 /* the positional arguments in the usage line, "[DIR]"; NULL: none */
	const char *description; /* a paragraph */
	const struct kdr_cli_option *table;
};

/*
 * A command's own option `opt` (a KDR_CLI_ID's id) with its argument (NULL
 * for a flag): returns 0 when taken, -1 when it is not one of the command's,
 * else an exit status (the usage error printed against `spec`).
 */
typedef int (*kdr_cli_option_fn)(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *spec);

/*
 * Parses the options of argv (argv[0] the command) against spec->table:
 * -h/--help prints the help to stdout and sets *help (parsing stops); a
 * KDR_CLI_TRUE or KDR_CLI_ARG option sets its field of `fields`; a
 * KDR_CLI_ID option goes to `fn(fn_ctx, ...)`. An option that is not in the
 * table, lacks its argument, or that `fn` returns -1 for is the usage error
 * "unknown or incomplete option 'ARG'". *first_arg is the index in argv of
 * the first positional argument (getopt's order: options may follow them).
 * Returns 0 or the usage error's status (printed on stderr).
 */
int kdr_cli_options_parse(int *first_arg, bool *help, const struct kdr_cli_spec *spec, int argc, char **argv,
			  void *fields, kdr_cli_option_fn fn, void *fn_ctx);

/*
 * To `out`: the usage line, "usage: PROGRAM COMMAND ARGS [--name ARG]...",
 * every option of the table in its order, wrapped before 100 columns with
 * the continuation lines aligned after "usage: PROGRAM COMMAND "; then the
 * description, then every option and -h/--help with its help.
 */
void kdr_cli_help_print(const struct kdr_cli_spec *spec, FILE *out);

/*
 * Prints "PROGRAM COMMAND: MESSAGE", the usage line (kdr_cli_help_print's)
 * and "run 'PROGRAM COMMAND --help' for the options" to stderr; returns
 * KDR_CLI_USAGE.
 */
int kdr_cli_usage_error(const struct kdr_cli_spec *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A positive duration of at most INT32_MAX ms (24 days) for option `flag`
 * into *out and 0; else the usage error "FLAG: 'ARG' is not a positive
 * duration HINT" (printed; `hint` e.g. "(e.g. 60s, 500ms, 5m)").
 */
int kdr_cli_duration(int64_t *out, const struct kdr_cli_spec *spec, const char *flag, const char *arg,
		     const char *hint);

/* --format text|json: sets *json and returns 0; a usage error (printed) for anything else. */
int kdr_cli_format_json(bool *json, const struct kdr_cli_spec *spec, const char *arg);

#endif
