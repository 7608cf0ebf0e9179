/*
 * The helpers of the pkg/validate unit tests (test_validate*.c), in the kdrtest_validate library:
 * see validate_helpers.h.
 */
#include "validate_helpers.h"

char *format_diags(const struct kdr_diags *diags)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	for (size_t i = 0; i < diags->n; i++) {
		char *line = kdr_diag_format(&diags->v[i]);

		kdr_buf_printf(&buf, "%s%s", i ? "\n" : "", line);
		free(line);
	}
	return kdr_buf_detach(&buf);
}

void check_desired(const struct kdr_desired *desired, int rc, const char *expected)
{
	struct kdr_diags diags = KDR_DIAGS_INIT;
	int got = kdr_validate(desired, &diags);
	char *text = format_diags(&diags);

	if (strcmp(text, expected) != 0)
		printf("--- got:\n%s\n--- expected:\n%s\n", text, expected);
	assert_string_equal(text, expected);
	assert_int_equal(got, rc);
	/* Warnings never fail validation; errors always do. */
	assert_int_equal(got == 0, diags.errors == 0);
	free(text);
	kdr_diags_release(&diags);
}

void check_yaml(const char *yaml, int rc, const char *expected)
{
	struct kdr_desired desired;

	memset(&desired, 0, sizeof(desired));
	parse_or_fail(&desired, "t.yaml", yaml);
	check_desired(&desired, rc, expected);
	kdr_desired_release(&desired);
}
