#include "live_source.h"
#include "args.h"
#include "result.h"
#include "source_opts.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "plan/codec_json.h"
#include "util/error.h"

int kdr_cli_live_option(struct kdr_pipeline_options *options, struct kdr_strvec *clusters,
			const struct kdr_cli_spec *spec, int opt, const char *arg)
{
	int64_t ms = 0;

	switch (opt) {
	case KDR_OPT_CLUSTER:
		kdr_strvec_push(clusters, arg);
		return KDR_EXIT_OK;
	case KDR_OPT_OFFLINE:
		options->snapshot_path = arg;
		return KDR_EXIT_OK;
	case KDR_OPT_TIMEOUT:
		if (kdr_cli_duration(&ms, spec, "--timeout", arg, "up to 24d (e.g. 30s, 500ms)") != KDR_EXIT_OK)
			return KDR_EXIT_USAGE;
		options->timeout_ms = (int)ms;
		return KDR_EXIT_OK;
	}
	return -1;
}

/* Reads the plan args->file holds (kdr plan --out); the clusters it fingerprinted become the ones to read. */
static int load_saved(struct kdr_plan *plan, struct kdr_cli_args *args)
{
	struct kdr_buf text = KDR_BUF_INIT;
	int exit_code = kdr_cli_read_file(&text, args->file);

	if (exit_code == KDR_EXIT_OK && kdr_plan_from_json(plan, text.ptr, text.len, args->file) != 0) {
		fprintf(stderr, "kdr %s: %s\n", args->spec->command, kdr_error_message());
		exit_code = KDR_EXIT_ERROR;
	}
	kdr_buf_release(&text);
	if (exit_code != KDR_EXIT_OK)
		return exit_code;
	if (args->clusters.n) {
		fprintf(stderr, "kdr %s: --cluster cannot narrow a saved plan; plan again with --cluster\n",
			args->spec->command);
		return KDR_EXIT_USAGE;
	}
	for (size_t i = 0; i < plan->fingerprints.n; i++)
		kdr_strvec_push(&args->clusters, plan->fingerprints.v[i].key);
	return KDR_EXIT_OK;
}

int kdr_cli_reconcile(struct kdr_reconcile_result *out, struct kdr_cli_args *args)
{
	struct kdr_plan saved = { 0 };
	struct kdr_buf err = KDR_BUF_INIT;
	int exit_code = args->file ? load_saved(&saved, args) : KDR_EXIT_OK;

	if (exit_code == KDR_EXIT_OK) {
		kdr_pipeline_reconcile_run(out, &args->desired, kdr_cli_pipeline_options(args),
					   args->file ? &saved : NULL, args->file);
		kdr_pipeline_reconcile_render(&err, out, args->spec->command);
		kdr_cli_print_err(&err);
		exit_code = kdr_cli_exit_status(out->run.outcome);
	}
	kdr_plan_release(&saved);
	return exit_code;
}

bool kdr_cli_confirm(const char *fmt, ...)
{
	char answer[16] = { 0 };
	va_list ap;

	fputc('\n', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("? only 'yes' is accepted: ", stderr);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return strcmp(answer, "yes\n") == 0 || strcmp(answer, "yes") == 0;
}

int kdr_cli_consent(size_t actions, bool yes, const char *command, const char *what)
{
	if (yes)
		return KDR_EXIT_OK;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "kdr %s: refusing to apply without --yes (stdin is not a terminal)\n", command);
		return KDR_EXIT_ERROR;
	}
	if (!kdr_cli_confirm("apply %zu action(s)", actions)) {
		fprintf(stderr, "kdr %s: cancelled; nothing was %s\n", command, what);
		return KDR_EXIT_ERROR;
	}
	return KDR_EXIT_OK;
}

int kdr_cli_apply(struct kdr_reconcile_result *result, const char *command)
{
	struct kdr_buf out = KDR_BUF_INIT, err = KDR_BUF_INIT;

	kdr_pipeline_reconcile_apply(result);
	kdr_pipeline_reconcile_render_apply(&out, &err, result, command);
	/* The results, then the note about them. */
	fwrite(out.ptr, 1, out.len, stdout);
	fwrite(err.ptr, 1, err.len, stderr);
	kdr_buf_release(&out);
	kdr_buf_release(&err);
	return kdr_cli_exit_status(result->run.outcome);
}
