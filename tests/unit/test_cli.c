/* pkg/cli: the option table parser, --help, usage errors, the option values and the subcommand dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/options.h"
#include "cli/program.h"
#include "util/alloc.h"

enum { OPT_NAME = 'n', OPT_LEVEL = 1000, OPT_REFUSED, OPT_DROP };

struct fields {
	bool yes, dry_run;
	const char *out;
	struct kdr_strvec groups;
	int64_t max_ms;
	size_t bytes;
	bool json;
};

static const struct kdr_cli_option options[] = {
    {"yes", KDR_CLI_TRUE(struct fields, yes), 'y', NULL, "do it"},
    {"dry-run", KDR_CLI_TRUE(struct fields, dry_run), 0, NULL, "pretend"},
    {"drop", KDR_CLI_ID(OPT_DROP), 0, NULL, "drop it"},
    {"out", KDR_CLI_ARG(struct fields, out), 'o', "FILE", "write FILE\nand say so"},
    {"name", KDR_CLI_ID(OPT_NAME), 'n', "N", "a name (repeatable)"},
    {"level", KDR_CLI_ID(OPT_LEVEL), 0, "LEVEL", "how much (default 1)"},
    {"refused", KDR_CLI_ID(OPT_REFUSED), 0, "WHY", "\nalways a usage error"},
    {"a-very-long-option-name", KDR_CLI_ID(2000), 0, "ARG", "past the column"},
    {"group", KDR_CLI_LIST(struct fields, groups), 'g', "G", "a group (repeatable)"},
    {"max", KDR_CLI_MS(struct fields, max_ms), 0, "DURATION", "at most this long"},
    {"bytes", KDR_CLI_SIZE(struct fields, bytes), 0, "SIZE", "at most this much"},
    {"format", KDR_CLI_JSON(struct fields, json), 'f', "FORMAT", "text or json"},
    {0},
};

static const struct kdr_cli_spec spec = {
    .program = "kdr",
    .command = "t",
    .args = "[DIR]",
    .description = "Tests the parser.",
    .table = options,
};

/* What the option function saw, in order: "id=ARG" or "id". */
struct seen {
	char text[256];
};

static int take(void *ctx, int opt, const char *arg, const struct kdr_cli_spec *s)
{
	struct seen *seen = ctx;
	size_t len = strlen(seen->text);

	if (opt == OPT_REFUSED)
		return kdr_cli_usage_error(s, "--refused: '%s' is refused", arg);
	if (opt == 2000)
		return -1; /* in the table, but not this function's */
	snprintf(seen->text + len, sizeof(seen->text) - len, "%s%d%s%s", len ? " " : "", opt, arg ? "=" : "",
		 arg ? arg : "");
	return 0;
}

/* Captures what a call writes to stdout and stderr (the module writes to those streams). */
struct captured {
	int saved_out, saved_err;
	FILE *out, *err;
	char out_text[4096], err_text[4096];
};

static void capture_start(struct captured *c)
{
	fflush(stdout);
	fflush(stderr);
	c->out = tmpfile();
	c->err = tmpfile();
	assert_non_null(c->out);
	assert_non_null(c->err);
	c->saved_out = dup(STDOUT_FILENO);
	c->saved_err = dup(STDERR_FILENO);
	dup2(fileno(c->out), STDOUT_FILENO);
	dup2(fileno(c->err), STDERR_FILENO);
}

static void read_all(char *text, size_t cap, FILE *f)
{
	size_t n = 0;

	rewind(f);
	n = fread(text, 1, cap - 1, f);
	text[n] = '\0';
	fclose(f);
}

static void capture_end(struct captured *c)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, STDOUT_FILENO);
	dup2(c->saved_err, STDERR_FILENO);
	close(c->saved_out);
	close(c->saved_err);
	read_all(c->out_text, sizeof(c->out_text), c->out);
	read_all(c->err_text, sizeof(c->err_text), c->err);
}

/* The table kinds that take a word or a positive duration, each field between two guards. */
enum shade { SHADE_DARK, SHADE_LIGHT, SHADE_PASTEL };

static const char *const shade_names[] = {[SHADE_DARK] = "dark", [SHADE_LIGHT] = "light", [SHADE_PASTEL] = "pastel",
					  NULL};
static const char *const level_names[] = {"low", "high", NULL};

/* Guards: a kind that wrote more than its field's size would change them. */
#define GUARD 0x5a5a5a5a

struct kinds {
	int guard0;
	enum shade shade;
	int level;
	int guard1;
	int64_t every_ms;
	int timeout_ms;
	int guard2;
	int64_t lag_ms;
	bool after;
};

/* What a parse of kinds_spec starts from: every field set, so that a field left alone shows. */
static const struct kinds kinds_start = {GUARD, SHADE_LIGHT, 1, GUARD, 7, 7, GUARD, 7, false};

static const struct kdr_cli_option kinds_options[] = {
    {"shade", KDR_CLI_ENUM(struct kinds, shade, shade_names), 's', "SHADE", "dark, light or pastel"},
    {"log-level", KDR_CLI_ENUM(struct kinds, level, level_names), 0, "L", "low or high"},
    {"every", KDR_CLI_POSITIVE_MS(struct kinds, every_ms, "(e.g. 60s)"), 0, "DURATION", "how often"},
    {"timeout", KDR_CLI_POSITIVE_MS(struct kinds, timeout_ms, "(e.g. 5s, 500ms)"), 0, "DURATION", "an int"},
    {"lag", KDR_CLI_POSITIVE_MS_OR_0(struct kinds, lag_ms, "(e.g. 1m)"), 0, "DURATION", "0: never"},
    {"after", KDR_CLI_TRUE(struct kinds, after), 'a', NULL, "after the others"},
    {0},
};

static const struct kdr_cli_spec kinds_spec = {
    .program = "kdr",
    .command = "k",
    .description = "Takes words and periods.",
    .table = kinds_options,
};

/* One parse: what it set, what the option function saw, where the arguments start, what it printed. */
struct run {
	struct fields f;
	struct kinds k;
	struct seen seen;
	int first;
	bool help;
	struct captured c;
};

/* kdr_cli_options_parse of `ap` (argv[0] `command`) against `s` into `fields`, r's other members. */
static int vparse(struct run *r, const struct kdr_cli_spec *s, void *fields, va_list ap)
{
	char *argv[16] = {(char *)s->command};
	int argc = 1, rc = 0;

	r->first = -1;
	for (const char *arg = va_arg(ap, const char *); arg; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	capture_start(&r->c);
	rc = kdr_cli_options_parse(&r->first, &r->help, s, argc, argv, fields, take, &r->seen);
	capture_end(&r->c);
	return rc;
}

/* kdr_cli_options_parse of `...` (NULL-terminated; argv[0] "t") into a fresh `r`. */
static int parse(struct run *r, ...)
{
	va_list ap;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	va_start(ap, r);
	rc = vparse(r, &spec, &r->f, ap);
	va_end(ap);
	return rc;
}

/* The same against kinds_spec (argv[0] "k"), r->k starting as kinds_start. */
static int parse_kinds(struct run *r, ...)
{
	va_list ap;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->k = kinds_start;
	va_start(ap, r);
	rc = vparse(r, &kinds_spec, &r->k, ap);
	va_end(ap);
	return rc;
}

/* The usage line of `spec`: every option, "(required" ones bare, "(repeatable" ones with "...", wrapped. */
#define USAGE                                                                                                          \
	"usage: kdr t [DIR] [--yes] [--dry-run] [--drop] [--out FILE] [--name N]... [--level LEVEL]\n"                 \
	"             [--refused WHY] [--a-very-long-option-name ARG] [--group G]... [--max DURATION]\n"               \
	"             [--bytes SIZE] [--format FORMAT]\n"

/* `err` is the usage error "kdr t: MESSAGE" with the usage line and where the help is. */
static void assert_usage_error(const char *err, const char *message)
{
	char *expected = kdr_asprintf("kdr t: %s\n" USAGE "run 'kdr t --help' for the options\n", message);

	assert_string_equal(err, expected);
	free(expected);
}

static void test_fields_ids_and_arguments(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(
	    parse(&r, "-y", "DIR", "--out", "o.json", "-n", "a", "--name=b", "--level", "3", "--drop", NULL), 0);
	assert_true(r.f.yes);
	assert_false(r.f.dry_run);
	assert_string_equal(r.f.out, "o.json");
	/* -n and --name are one option: the function sees its id for both, in order. */
	assert_string_equal(r.seen.text, "110=a 110=b 1000=3 1002");
	assert_false(r.help);
	/* getopt moved the positional argument after the options. */
	assert_int_equal(r.first, 10);
	assert_string_equal(r.c.out_text, "");
	assert_string_equal(r.c.err_text, "");
}

static void test_lists_and_durations(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(parse(&r, "-g", "a", "--group", "b", "--max", "90s", "-ga", NULL), 0);
	assert_int_equal(r.f.groups.n, 3);
	assert_string_equal(r.f.groups.v[0], "a");
	assert_string_equal(r.f.groups.v[1], "b");
	assert_string_equal(r.f.groups.v[2], "a");
	assert_int_equal(r.f.max_ms, 90000);
	kdr_strvec_release(&r.f.groups);
	assert_int_equal(parse(&r, "--max", "0", NULL), 0);
	assert_int_equal(r.f.max_ms, 0);
	static const char *const bad[] = {"soon", "-1", "5 s", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char expected[256];

		assert_int_equal(parse(&r, "--max", bad[i], "-y", NULL), KDR_CLI_USAGE);
		snprintf(expected, sizeof(expected), "--max: '%s' is not a duration (e.g. 5s)", bad[i]);
		assert_usage_error(r.c.err_text, expected);
		assert_false(r.f.yes);
	}
}

static void test_sizes_and_formats(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(parse(&r, "--bytes", "64MiB", "-f", "json", NULL), 0);
	assert_int_equal(r.f.bytes, (size_t)64 << 20);
	assert_true(r.f.json);
	assert_int_equal(parse(&r, "--format=json", "--format", "text", "--bytes", "1", NULL), 0);
	assert_false(r.f.json);
	assert_int_equal(r.f.bytes, 1);
	static const char *const bad_sizes[] = {"0", "-1", "1MB", "lots"};
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		char expected[256];

		assert_int_equal(parse(&r, "--bytes", bad_sizes[i], NULL), KDR_CLI_USAGE);
		snprintf(expected, sizeof(expected), "--bytes: '%s' is not a positive size (e.g. 64MiB, 1048576)",
			 bad_sizes[i]);
		assert_usage_error(r.c.err_text, expected);
		assert_int_equal(r.f.bytes, 0);
	}
	assert_int_equal(parse(&r, "-f", "yaml", NULL), KDR_CLI_USAGE);
	assert_usage_error(r.c.err_text, "--format: unknown format 'yaml' (allowed: text, json)");
}

/* `err` is kinds_spec's usage error "kdr k: MESSAGE". */
static void assert_kinds_usage_error(const char *err, const char *message)
{
	char *expected = kdr_asprintf("kdr k: %s\n"
				      "usage: kdr k [--shade SHADE] [--log-level L] [--every DURATION] [--timeout DURATION]\n"
				      "             [--lag DURATION] [--after]\n"
				      "run 'kdr k --help' for the options\n",
				      message);

	assert_string_equal(err, expected);
	free(expected);
}

/* The guards around the fields are as they started: no kind wrote past its field. */
static void assert_guards(const struct kinds *k)
{
	assert_int_equal(k->guard0, GUARD);
	assert_int_equal(k->guard1, GUARD);
	assert_int_equal(k->guard2, GUARD);
}

static void test_enum_words(void **state)
{
	struct run r;

	(void)state;
	/* The word's index in the table, the enum's value; an int field too; the last one given wins. */
	assert_int_equal(parse_kinds(&r, "--shade", "pastel", "--log-level", "low", NULL), 0);
	assert_int_equal(r.k.shade, SHADE_PASTEL);
	assert_int_equal(r.k.level, 0);
	assert_guards(&r.k);
	assert_int_equal(parse_kinds(&r, "-s", "pastel", "--shade=dark", "--log-level=high", NULL), 0);
	assert_int_equal(r.k.shade, SHADE_DARK);
	assert_int_equal(r.k.level, 1);
	assert_guards(&r.k);
	assert_string_equal(r.c.err_text, "");
	assert_int_equal(parse_kinds(&r, "--shade", "dark", NULL), 0);
	assert_int_equal(r.k.shade, SHADE_DARK);
	assert_int_equal(r.k.level, 1);
	/* Another case, a prefix, a longer word, nothing: usage errors listing the words; the field unchanged, the
	 * options after it not parsed. */
	static const char *const bad[] = {"Dark", "pas", "pastels", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *expected = kdr_asprintf("--shade: unknown shade '%s' (allowed: dark, light, pastel)", bad[i]);

		assert_int_equal(parse_kinds(&r, "--shade", bad[i], "-a", NULL), KDR_CLI_USAGE);
		assert_kinds_usage_error(r.c.err_text, expected);
		assert_int_equal(r.k.shade, SHADE_LIGHT);
		assert_false(r.k.after);
		free(expected);
	}
	/* The noun is the option's name, its '-' spaces. */
	assert_int_equal(parse_kinds(&r, "--log-level", "mid", NULL), KDR_CLI_USAGE);
	assert_kinds_usage_error(r.c.err_text, "--log-level: unknown log level 'mid' (allowed: low, high)");
	assert_int_equal(r.k.level, 1);
}

static void test_positive_durations(void **state)
{
	struct run r;

	(void)state;
	/* Into an int64_t and into an int, up to INT32_MAX ms (24d); the neighbours untouched. */
	assert_int_equal(parse_kinds(&r, "--every", "90s", "--timeout", "500ms", "--lag", "2m", NULL), 0);
	assert_int_equal(r.k.every_ms, 90000);
	assert_int_equal(r.k.timeout_ms, 500);
	assert_int_equal(r.k.lag_ms, 120000);
	assert_guards(&r.k);
	assert_int_equal(parse_kinds(&r, "--every", "24d", "--timeout", "24d", NULL), 0);
	assert_int_equal(r.k.every_ms, 24LL * 86400000);
	assert_int_equal(r.k.timeout_ms, 24 * 86400000);
	assert_guards(&r.k);
	/* _OR_0: the word 0 is "never". */
	assert_int_equal(parse_kinds(&r, "--lag", "0", NULL), 0);
	assert_int_equal(r.k.lag_ms, 0);
	/* Not positive, past INT32_MAX ms, not a duration: the usage error with the option's examples, the field
	 * unchanged, the options after it not parsed. */
	static const char *const bad[] = {"0", "0s", "25d", "-1", "soon", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *every = kdr_asprintf("--every: '%s' is not a positive duration (e.g. 60s)", bad[i]);
		char *timeout = kdr_asprintf("--timeout: '%s' is not a positive duration (e.g. 5s, 500ms)", bad[i]);

		assert_int_equal(parse_kinds(&r, "--every", bad[i], "-a", NULL), KDR_CLI_USAGE);
		assert_kinds_usage_error(r.c.err_text, every);
		assert_int_equal(r.k.every_ms, 7);
		assert_false(r.k.after);
		assert_int_equal(parse_kinds(&r, "--timeout", bad[i], NULL), KDR_CLI_USAGE);
		assert_kinds_usage_error(r.c.err_text, timeout);
		assert_int_equal(r.k.timeout_ms, 7);
		free(every);
		free(timeout);
	}
	/* _OR_0 takes only the word: "0s" or "00" is not a positive duration. */
	static const char *const not_zero[] = {"0s", "00", "-1", "25d"};
	for (size_t i = 0; i < sizeof(not_zero) / sizeof(not_zero[0]); i++) {
		char *expected = kdr_asprintf("--lag: '%s' is not a positive duration (e.g. 1m)", not_zero[i]);

		assert_int_equal(parse_kinds(&r, "--lag", not_zero[i], NULL), KDR_CLI_USAGE);
		assert_kinds_usage_error(r.c.err_text, expected);
		assert_int_equal(r.k.lag_ms, 7);
		free(expected);
	}
}

static const struct kdr_cli_option required_options[] = {
    {"yes", KDR_CLI_TRUE(struct fields, yes), 'y', NULL, "do it"},
    {"flow", KDR_CLI_ARG(struct fields, out), 0, "F", "the flow (required)"},
    {"cluster", KDR_CLI_LIST(struct fields, groups), 'c', "C", "the cluster (required; exactly one)"},
    {0},
};

static const struct kdr_cli_spec required_spec = {
    .program = "kdr",
    .command = "r",
    .description = "Requires.",
    .table = required_options,
};

/* kdr_cli_options_parse of required_spec, `argv` NULL-terminated from argv[1]. */
static int parse_required(struct run *r, char **argv)
{
	int argc = 0, rc = 0;

	memset(r, 0, sizeof(*r));
	while (argv[argc])
		argc++;
	capture_start(&r->c);
	rc = kdr_cli_options_parse(&r->first, &r->help, &required_spec, argc, argv, &r->f, take, &r->seen);
	capture_end(&r->c);
	kdr_strvec_release(&r->f.groups);
	return rc;
}

static void test_required(void **state)
{
	static const char usage[] = "usage: kdr r [--yes] --flow F --cluster C\nrun 'kdr r --help' for the options\n";
	struct run r;

	(void)state;
	assert_int_equal(
	    parse_required(&r, (char *[]){(char *)"r", (char *)"--flow", (char *)"f", (char *)"-cx", NULL}), 0);
	assert_string_equal(r.f.out, "f");
	/* The first one missing, in table order, by name and argument. */
	assert_int_equal(parse_required(&r, (char *[]){(char *)"r", (char *)"-y", NULL}), KDR_CLI_USAGE);
	assert_true(strncmp(r.c.err_text, "kdr r: --flow F is required\n", 28) == 0);
	assert_string_equal(r.c.err_text + 28, usage);
	assert_int_equal(parse_required(&r, (char *[]){(char *)"r", (char *)"--flow", (char *)"f", NULL}),
			 KDR_CLI_USAGE);
	assert_true(strncmp(r.c.err_text, "kdr r: --cluster C is required\n", 31) == 0);
	/* --help needs none of them. */
	assert_int_equal(parse_required(&r, (char *[]){(char *)"r", (char *)"--help", NULL}), 0);
	assert_true(r.help);
	assert_string_equal(r.c.err_text, "");
}

static void test_prefixes(void **state)
{
	struct run r;

	(void)state;
	/* A unique prefix is the option. */
	assert_int_equal(parse(&r, "--dry-", "--lev", "2", NULL), 0);
	assert_true(r.f.dry_run);
	assert_string_equal(r.seen.text, "1000=2");
	/* A prefix of two options (--dry-run, --drop) is neither, though one sets a field and one has an id. */
	assert_int_equal(parse(&r, "--dr", NULL), KDR_CLI_USAGE);
	assert_false(r.f.dry_run);
	assert_string_equal(r.seen.text, "");
	assert_usage_error(r.c.err_text, "unknown or incomplete option '--dr'");
}

static void test_usage_errors(void **state)
{
	static const char *const bad[][3] = {
	    {"--bogus", NULL, "--bogus"},	/* not in the table */
	    {"-x", NULL, "-x"},			/* no such short option */
	    {"--out", NULL, "--out"},		/* its argument missing */
	    {"--yes=1", NULL, "--yes=1"},	/* a flag given an argument */
	    {"--a-very=v", NULL, "--a-very=v"}, /* in the table, declined by the function */
	};
	char expected[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r;

		assert_int_equal(parse(&r, bad[i][0], bad[i][1], NULL), KDR_CLI_USAGE);
		snprintf(expected, sizeof(expected), "unknown or incomplete option '%s'", bad[i][2]);
		assert_usage_error(r.c.err_text, expected);
		assert_string_equal(r.c.out_text, "");
		assert_int_equal(r.first, -1);
	}
}

static void test_function_error_is_passed_on(void **state)
{
	struct run r;

	(void)state;
	/* The function's own usage error, printed once; the options after it are not parsed. */
	assert_int_equal(parse(&r, "--refused", "no", "-y", NULL), KDR_CLI_USAGE);
	assert_usage_error(r.c.err_text, "--refused: 'no' is refused");
	assert_false(r.f.yes);
}

static const char help_text[] = USAGE "\n"
				      "Tests the parser.\n"
				      "\n"
				      "options:\n"
				      "  -y, --yes               do it\n"
				      "      --dry-run           pretend\n"
				      "      --drop              drop it\n"
				      "  -o, --out FILE          write FILE\n"
				      "                          and say so\n"
				      "  -n, --name N            a name (repeatable)\n"
				      "      --level LEVEL       how much (default 1)\n"
				      "      --refused WHY\n"
				      "                          always a usage error\n"
				      "      --a-very-long-option-name ARG past the column\n"
				      "  -g, --group G           a group (repeatable)\n"
				      "      --max DURATION      at most this long\n"
				      "      --bytes SIZE        at most this much\n"
				      "  -f, --format FORMAT     text or json\n"
				      "  -h, --help              show this help\n";

static void test_help(void **state)
{
	static const char *const asked[] = {"--help", "-h", "--he"};

	(void)state;
	for (size_t i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		struct run r;

		/* Parsing stops at --help: the option after it is not taken, nor a bad one reported. */
		assert_int_equal(parse(&r, "-n", "a", asked[i], "-y", "--bogus", NULL), 0);
		assert_true(r.help);
		assert_false(r.f.yes);
		assert_string_equal(r.seen.text, "110=a");
		assert_string_equal(r.c.out_text, help_text);
		assert_string_equal(r.c.err_text, "");
	}
}

/* The usage line of a command whose options have names of `lengths` (0 ends), no positional arguments. */
static void usage_of(char *out, size_t cap, const size_t *lengths)
{
	static char names[8][128];
	struct kdr_cli_option table[8] = {{0}};
	struct kdr_cli_spec wrapped = {.program = "kdr", .command = "t", .description = "d", .table = table};
	struct captured c;

	for (size_t i = 0; lengths[i]; i++) {
		memset(names[i], 'a' + (int)i, lengths[i]);
		names[i][lengths[i]] = '\0';
		table[i] = (struct kdr_cli_option){names[i], KDR_CLI_ID(1000 + (int)i), 0, NULL, "h"};
	}
	capture_start(&c);
	kdr_cli_help_print(&wrapped, stdout);
	capture_end(&c);
	*strstr(c.out_text, "\n\nd\n") = '\0';
	assert_true(strlen(c.out_text) < cap);
	memcpy(out, c.out_text, strlen(c.out_text) + 1);
}

static void test_usage_wraps_before_100_columns(void **state)
{
	char usage[1024], expected[1024];

	(void)state;
	/* "usage: kdr t" is 12 columns: " [--" + 82 + "]" ends at 99, the next item goes on a line of its own. */
	usage_of(usage, sizeof(usage), (const size_t[]){82, 1, 76, 1, 0});
	snprintf(expected, sizeof(expected), "usage: kdr t [--%.82s]\n             [--b] [--%.76s]\n             [--d]",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	assert_string_equal(usage, expected);
	/* After "usage: kdr t [--a]" (18), " [--" + 76 + "]" ends at 99: kept; one more would reach 100: wrapped. */
	usage_of(usage, sizeof(usage), (const size_t[]){1, 76, 0});
	assert_int_equal(strlen(usage), 99);
	usage_of(usage, sizeof(usage), (const size_t[]){1, 77, 0});
	assert_int_equal(strlen(usage), 18 + 1 + 13 + 81);
	assert_non_null(strstr(usage, "usage: kdr t [--a]\n             [--bbb"));
	/* An item longer than a line is not wrapped before it is the first on it. */
	usage_of(usage, sizeof(usage), (const size_t[]){120, 0});
	assert_null(strchr(usage, '\n'));
}

static void test_duration(void **state)
{
	struct captured c;
	int64_t ms = 7;

	(void)state;
	assert_int_equal(kdr_cli_duration(&ms, &spec, "--every", "90s", "(e.g. 60s)"), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(kdr_cli_duration(&ms, &spec, "--every", "24d", "(e.g. 60s)"), 0);
	assert_int_equal(ms, 24LL * 86400000);
	/* Not positive, past INT32_MAX ms, not a duration: usage errors, *out unchanged. */
	static const char *const bad[] = {"0", "25d", "soon", "-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char expected[256];

		ms = 7;
		capture_start(&c);
		assert_int_equal(kdr_cli_duration(&ms, &spec, "--every", bad[i], "(e.g. 60s)"), KDR_CLI_USAGE);
		capture_end(&c);
		assert_int_equal(ms, 7);
		snprintf(expected, sizeof(expected), "--every: '%s' is not a positive duration (e.g. 60s)", bad[i]);
		assert_usage_error(c.err_text, expected);
	}
}

static void test_format_json(void **state)
{
	struct captured c;
	bool json = false;

	(void)state;
	assert_int_equal(kdr_cli_format_json(&json, &spec, "json"), 0);
	assert_true(json);
	assert_int_equal(kdr_cli_format_json(&json, &spec, "text"), 0);
	assert_false(json);
	json = true;
	capture_start(&c);
	assert_int_equal(kdr_cli_format_json(&json, &spec, "JSON"), KDR_CLI_USAGE);
	capture_end(&c);
	assert_true(json);
	assert_usage_error(c.err_text, "--format: unknown format 'JSON' (allowed: text, json)");
}

/* The dispatched command: records its argv. */
static char ran[128];

static int run_first(int argc, char **argv)
{
	snprintf(ran, sizeof(ran), "%d %s %s", argc, argv[0], argc > 1 ? argv[1] : "-");
	return 3;
}

static const struct kdr_cli_command commands[] = {
    {"first", "the first command", run_first},
    {"second-one", "the second", run_first},
};

static const struct kdr_cli_program program = {
    .name = "kdr",
    .description = "Runs commands.",
    .commands = commands,
    .n_commands = 2,
    .footer = "exit status: 0 or 64",
};

static const char overview[] = "usage: kdr <command> [options]\n"
			       "\n"
			       "Runs commands.\n"
			       "\n"
			       "commands:\n"
			       "  first      the first command\n"
			       "  second-one the second\n"
			       "\n"
			       "run 'kdr <command> --help' for the command's options.\n"
			       "exit status: 0 or 64\n";

/* kdr_cli_program_run of "kdr" and `...` (NULL-terminated), its output captured. */
static int run_program(struct captured *c, ...)
{
	char *argv[8] = {(char *)"kdr"};
	int argc = 1, rc = 0;
	va_list ap;

	va_start(ap, c);
	for (const char *arg = va_arg(ap, const char *); arg; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	ran[0] = '\0';
	capture_start(c);
	rc = kdr_cli_program_run(&program, argc, argv);
	capture_end(c);
	return rc;
}

static void test_program(void **state)
{
	struct captured c;

	(void)state;
	assert_int_equal(run_program(&c, "second-one", "x", NULL), 3);
	assert_string_equal(ran, "2 second-one x");
	/* A prefix is not a command. */
	assert_int_equal(run_program(&c, "sec", NULL), KDR_CLI_USAGE);
	assert_string_equal(ran, "");
	assert_string_equal(c.out_text, "");
	assert_true(strncmp(c.err_text, "kdr: unknown command 'sec'\n", 27) == 0);
	assert_string_equal(c.err_text + 27, overview);
	assert_int_equal(run_program(&c, NULL), KDR_CLI_USAGE);
	assert_string_equal(c.err_text, overview);
	assert_string_equal(c.out_text, "");
	static const char *const help[] = {"--help", "-h", "help"};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(run_program(&c, help[i], NULL), 0);
		assert_string_equal(c.out_text, overview);
		assert_string_equal(c.err_text, "");
		assert_string_equal(ran, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields_ids_and_arguments),
	    cmocka_unit_test(test_lists_and_durations),
	    cmocka_unit_test(test_sizes_and_formats),
	    cmocka_unit_test(test_enum_words),
	    cmocka_unit_test(test_positive_durations),
	    cmocka_unit_test(test_required),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_usage_errors),
	    cmocka_unit_test(test_function_error_is_passed_on),
	    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_usage_wraps_before_100_columns),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_format_json),
	    cmocka_unit_test(test_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
