#ifndef KDR_CLI_OPTIONS_H
#define KDR_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/strvec.h"

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
	KDR_CLI_SET_LIST, /* appends (a copy of) the argument to the struct kdr_strvec at `offset` */
	KDR_CLI_SET_MS,	  /* sets the int64_t at `offset` to the argument, a duration >= 0 in ms */
	KDR_CLI_SET_SIZE, /* sets the size_t at `offset` to the argument, a size > 0 in bytes */
	KDR_CLI_SET_JSON, /* sets the bool at `offset`: the argument is json (true) or text (false) */
	KDR_CLI_SET_ENUM, /* sets the int (or enum) at `offset` to the index of the argument in `words` */
	KDR_CLI_SET_POSITIVE_MS,     /* sets the int64_t at `offset` to the argument, a duration in (0, INT32_MAX] ms */
	KDR_CLI_SET_POSITIVE_MS_INT, /* the same into an int */
};

/*
 * One option of a command. The command sees `id` for --NAME and for -SHORT
 * alike. An option with `arg_name` takes an argument (shown after the name).
 * `help` may hold '\n': the next line is indented to the help column (26); a
 * help starting with '\n' begins on the line after the name. An option whose
 * help says "(required" ("(required)", "(required; exactly one)") must be
 * given, and the usage line shows it without brackets; one whose help says
 * "(repeatable" is followed by "..." there ([--NAME ARG]...).
 */
struct kdr_cli_option {
	const char *name;
	struct kdr_cli_target {
		enum kdr_cli_set set;
		int id;			  /* KDR_CLI_CALL: unique in the command */
		size_t offset;		  /* KDR_CLI_SET_* */
		const char *const *words; /* KDR_CLI_SET_ENUM: the allowed words, NULL-terminated */
		const char *hint;	  /* KDR_CLI_SET_POSITIVE_MS*: the usage error's examples */
		bool zero_is_off;	  /* KDR_CLI_SET_POSITIVE_MS*: the argument "0" sets 0 */
	} to;				  /* KDR_CLI_ID, KDR_CLI_TRUE, KDR_CLI_ARG ... */
	char short_name;		  /* 0: none */
	const char *arg_name;
	const char *help;
};

/* clang-format off */
/* An option the command's option function takes as `opt` (its id). */
#define KDR_CLI_ID(opt) { .set = KDR_CLI_CALL, .id = (opt) }
/*
 * An option that sets `field` of the fields, a `type`: a bool (KDR_CLI_TRUE),
 * a const char * (KDR_CLI_ARG), a struct kdr_strvec the repeated option's
 * arguments are appended to (KDR_CLI_LIST; the caller releases it), an int64_t
 * of milliseconds (KDR_CLI_MS: a duration, kdr_parse_duration_ms, 0 allowed),
 * a size_t of bytes (KDR_CLI_SIZE: kdr_parse_size_bytes, more than 0), a bool
 * that --format json sets and --format text clears (KDR_CLI_JSON).
 */
#define KDR_CLI_TRUE(type, field) { .set = KDR_CLI_SET_TRUE, .offset = KDR_CLI_FIELD(type, field, bool) }
#define KDR_CLI_ARG(type, field) { .set = KDR_CLI_SET_ARG, .offset = KDR_CLI_FIELD(type, field, const char *) }
#define KDR_CLI_LIST(type, field) { .set = KDR_CLI_SET_LIST, .offset = KDR_CLI_FIELD(type, field, struct kdr_strvec) }
#define KDR_CLI_MS(type, field) { .set = KDR_CLI_SET_MS, .offset = KDR_CLI_FIELD(type, field, int64_t) }
#define KDR_CLI_SIZE(type, field) { .set = KDR_CLI_SET_SIZE, .offset = KDR_CLI_FIELD(type, field, size_t) }
#define KDR_CLI_JSON(type, field) { .set = KDR_CLI_SET_JSON, .offset = KDR_CLI_FIELD(type, field, bool) }
/*
 * An option whose argument is one of `names` (a const char *const[] ending
 * with NULL; the command's, or the enum's module's): sets `field`, an int or
 * an enum, to the word's index, so `names` can be indexed by the enum's
 * values ([KDR_X_JSON] = "json"). The usage error lists the words.
 */
#define KDR_CLI_ENUM(type, field, names) \
	{ .set = KDR_CLI_SET_ENUM, .offset = KDR_CLI_INT_FIELD(type, field), .words = (names) }
/*
 * An option whose argument is a positive duration of at most INT32_MAX ms (24
 * days; kdr_cli_duration's): sets `field`, an int64_t or an int, to it in ms.
 * `examples` ends the usage error ("(e.g. 60s, 500ms, 5m)"). _OR_0: the word
 * "0" sets 0 too, the command's "never" ("0s" is still no positive duration).
 */
#define KDR_CLI_POSITIVE_MS(type, field, examples) \
	{ .set = KDR_CLI_POSITIVE_MS_SET(type, field), .offset = offsetof(type, field), .hint = (examples) }
#define KDR_CLI_POSITIVE_MS_OR_0(type, field, examples) \
	{ .set = KDR_CLI_POSITIVE_MS_SET(type, field), .offset = offsetof(type, field), .hint = (examples), \
	  .zero_is_off = true }
/* The offset of `field` in `type`; does not compile unless the field is a `ctype`. */
#define KDR_CLI_FIELD(type, field, ctype) (offsetof(type, field) + 0 * sizeof(_Generic(((type *)0)->field, ctype: 1)))
/* The offset of `field`, an int or an enum (whose type the compiler makes an int or an unsigned int). */
#define KDR_CLI_INT_FIELD(type, field) \
	(offsetof(type, field) + 0 * sizeof(_Generic(((type *)0)->field, int: 1, unsigned int: 1)))
/* KDR_CLI_SET_POSITIVE_MS for an int64_t `field`, _INT for an int; does not compile for another type. */
#define KDR_CLI_POSITIVE_MS_SET(type, field) \
	_Generic(((type *)0)->field, int64_t: KDR_CLI_SET_POSITIVE_MS, int: KDR_CLI_SET_POSITIVE_MS_INT)
/* clang-format on */

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
 * KDR_CLI_TRUE, _ARG, _LIST, _MS, _SIZE, _JSON, _ENUM or _POSITIVE_MS option sets its field of
 * `fields`; a KDR_CLI_ID option goes to `fn(fn_ctx, ...)`. Usage errors: an
 * option that is not in the table, lacks its argument, or that `fn` returns
 * -1 for ("unknown or incomplete option 'ARG'"); a KDR_CLI_MS argument that
 * is not a duration ("--NAME: 'ARG' is not a duration (e.g. 5s)"), a
 * KDR_CLI_SIZE one not a size ("--NAME: 'ARG' is not a positive size (e.g.
 * 64MiB, 1048576)"), a KDR_CLI_JSON one neither text nor json
 * (kdr_cli_format_json's), a KDR_CLI_ENUM one not a word of its table
 * ("--NAME: unknown NOUN 'ARG' (allowed: W1, W2)", NOUN the name with
 * spaces for its '-'), a KDR_CLI_POSITIVE_MS one not a positive duration
 * (kdr_cli_duration's, "--NAME" its flag); a required option not given
 * ("--NAME ARG is required"). *first_arg is the index in argv of the first
 * positional argument (getopt's order: options may follow them).
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
