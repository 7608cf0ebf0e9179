/* An apply's results as the commands print them (pkg/pipeline/apply_text.c); pure, no backend. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

/* One connector update Connect acted on, one it did not report within the timeout, one held delete. */
static void render(struct kdr_buf *out, struct kdr_buf *err, const char *command)
{
	static char cluster[] = "dc-conn", done[] = "mirror-hb", slow[] = "mirror-cp", topic[] = "orders";
	static char still[] = "connector 'mirror-cp' still shows tasks.max 2 after 2000 ms";
	static char held[] = "cluster 'dc-conn': held: connector 'x' could not be deleted";
	static struct kdr_action actions[] = {
		{ .kind = KDR_ACTION_UPDATE_CONNECTOR, .cluster = cluster, .resource = done },
		{ .kind = KDR_ACTION_UPDATE_CONNECTOR, .cluster = cluster, .resource = slow },
		{ .kind = KDR_ACTION_DELETE_TOPIC, .cluster = cluster, .resource = topic },
	};
	static struct kdr_action_result results[] = {
		{ .attempted = true },
		{ .attempted = true, .unsettled = true, .message = still },
		{ .held = true, .message = held },
	};
	struct kdr_plan plan = { .actions = actions, .n_actions = 3 };
	struct kdr_apply_report report = { .results = results, .n = 3, .succeeded = 2, .held = 1, .unsettled = 1 };

	kdr_pipeline_apply_render_text(out, err, command, &plan, &report, false);
}

static void test_apply_results_and_the_pending_note(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	(void)state;
	render(&out, &err, "apply");
	assert_string_equal(out.ptr, "\n"
				     "  ok      update-connector dc-conn/mirror-hb\n"
				     "  PENDING  update-connector dc-conn/mirror-cp: connector 'mirror-cp' still shows "
				     "tasks.max 2 after 2000 ms\n"
				     "  HELD     delete-topic dc-conn/orders: cluster 'dc-conn': held: connector 'x' could "
				     "not be deleted\n"
				     "\nApplied: 2 succeeded, 0 failed, 0 skipped, 1 held, 1 not yet reported by Connect\n");
	assert_string_equal(err.ptr, "kdr apply: 1 connector change(s) not yet reported by Connect within the timeout "
				     "(marked PENDING above); nothing was undone, the next plan shows them until "
				     "Connect acts\n");
	kdr_buf_release(&out);
	kdr_buf_release(&err);
}

/* kdr restore applies through the same rendering: its note names restore, not apply. */
static void test_pending_note_names_the_command(void **state)
{
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	(void)state;
	render(&out, &err, "restore");
	assert_non_null(err.ptr);
	assert_int_equal(strncmp(err.ptr, "kdr restore: 1 connector change(s) not yet reported", 51), 0);
	assert_null(strstr(err.ptr, "kdr apply"));
	kdr_buf_release(&out);
	kdr_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_results_and_the_pending_note),
		cmocka_unit_test(test_pending_note_names_the_command),
	};

	printf("backend: none (pure rendering)\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
