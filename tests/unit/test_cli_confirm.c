/*
 * The question before a command acts (pkg/cli/confirm.c): what counts as a
 * yes, and the refusal without a terminal. The answer comes from a file on
 * stdin; what is asked and said is read back from stderr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "cli/confirm.h"

static const struct kdr_cli_spec spec = { .program = "kdr", .command = "restore" };

/* stdin holding `answer` (no terminal), stderr captured, for one call. */
struct session {
	int saved_in, saved_err;
	FILE *in, *err;
	char said[512];
};

static void session_start(struct session *s, const char *answer)
{
	fflush(stderr);
	s->in = tmpfile();
	s->err = tmpfile();
	assert_non_null(s->in);
	assert_non_null(s->err);
	fputs(answer, s->in);
	fflush(s->in);
	rewind(s->in);
	s->saved_in = dup(STDIN_FILENO);
	s->saved_err = dup(STDERR_FILENO);
	dup2(fileno(s->in), STDIN_FILENO);
	dup2(fileno(s->err), STDERR_FILENO);
	clearerr(stdin);
}

static void session_end(struct session *s)
{
	size_t n = 0;

	fflush(stderr);
	dup2(s->saved_in, STDIN_FILENO);
	dup2(s->saved_err, STDERR_FILENO);
	close(s->saved_in);
	close(s->saved_err);
	clearerr(stdin);
	rewind(s->err);
	n = fread(s->said, 1, sizeof(s->said) - 1, s->err);
	s->said[n] = '\0';
	fclose(s->in);
	fclose(s->err);
}

/* Only the line 'yes' is a yes; the question is asked on stderr after a blank line. */
static void test_confirm_takes_only_yes(void **state)
{
	static const struct {
		const char *answer;
		bool yes;
	} cases[] = { { "yes\n", true }, { "yes", true }, { "no\n", false }, { "yess\n", false },
		      { "Yes\n", false }, { "y\n", false }, { "", false } };
	struct session s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool yes = false;

		session_start(&s, cases[i].answer);
		yes = kdr_cli_confirm("apply %d action(s)", 3);
		session_end(&s);
		assert_int_equal(yes, cases[i].yes);
		assert_string_equal(s.said, "\napply 3 action(s)? only 'yes' is accepted: ");
	}
}

/* --yes consents without a question; without it and without a terminal, the command's refusal. */
static void test_consent_without_a_terminal(void **state)
{
	struct session s;
	bool yes = false;

	(void)state;
	session_start(&s, "yes\n");
	yes = kdr_cli_consent(&spec, true, "apply", "restored", "apply %d action(s)", 2);
	session_end(&s);
	assert_true(yes);
	assert_string_equal(s.said, "");

	/* A file on stdin is not a terminal: even its 'yes' is not asked for. */
	session_start(&s, "yes\n");
	yes = kdr_cli_consent(&spec, false, "apply", "restored", "apply %d action(s)", 2);
	session_end(&s);
	assert_false(yes);
	assert_string_equal(s.said, "kdr restore: refusing to apply without --yes (stdin is not a terminal)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirm_takes_only_yes),
		cmocka_unit_test(test_consent_without_a_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
