#include "args.h"

#include <string.h>
#include <sys/stat.h>

/* The command's own option function and context, then the options every command shares. */
struct chain {
	kdr_cli_option_fn own;
	void *ctx;
	struct kdr_cli_args *args;
};

static int chained_option(void *chain_ctx, int opt, const char *arg, const struct kdr_cli_spec *spec)
{
	struct chain *chain = chain_ctx;
	int rc = chain->own ? chain->own(chain->ctx, opt, arg, spec) : -1;

	if (rc < 0)
		rc = kdr_cli_live_option(&chain->args->live, &chain->args->clusters, spec, opt, arg);
	if (rc < 0 && kdr_cli_source_option(&chain->args->src, opt, arg))
		rc = KDR_EXIT_OK;
	return rc;
}

static int parse(struct kdr_cli_args *out, const struct kdr_cli_spec *spec, bool plan_file, int argc, char **argv,
		 kdr_cli_option_fn own, void *ctx)
{
	struct chain chain = { own, ctx, out };
	int first = 0, rc = 0;
	struct stat st;

	memset(out, 0, sizeof(*out));
	out->spec = spec;
	out->out = (struct kdr_buf)KDR_BUF_INIT;
	out->live.timeout_ms = 30000;
	rc = kdr_cli_options_parse(&first, &out->help, spec, argc, argv, ctx, chained_option, &chain);
	if (rc != 0 || out->help)
		return rc;
	if (argc - first > 1)
		return kdr_cli_usage_error(spec, "expected at most one directory, got %d arguments", argc - first);
	/* A file is a saved plan (kdr apply PLAN.json); a directory holds documents. */
	if (first < argc && plan_file && stat(argv[first], &st) == 0 && S_ISREG(st.st_mode))
		out->file = argv[first];
	else if (first < argc)
		out->src.dir = argv[first];
	return kdr_cli_source_check(spec, &out->src);
}

int kdr_cli_parse(struct kdr_cli_args *out, const struct kdr_cli_spec *spec, int argc, char **argv,
		  kdr_cli_option_fn own, void *ctx)
{
	return parse(out, spec, false, argc, argv, own, ctx);
}

void kdr_cli_args_release(struct kdr_cli_args *args)
{
	kdr_desired_release(&args->desired);
	kdr_buf_release(&args->out);
	kdr_strvec_release(&args->clusters);
	kdr_source_release(&args->source);
}

int kdr_cli_load(struct kdr_cli_args *args)
{
	return kdr_cli_source_load(&args->desired, &args->source, &args->src);
}

int kdr_cli_command(const struct kdr_cli_steps *steps, int argc, char **argv, void *ctx)
{
	struct kdr_cli_args args;
	int exit_code = parse(&args, steps->spec, steps->plan_file, argc, argv, steps->option, ctx);

	if (exit_code == KDR_EXIT_OK && !args.help && (!steps->check || (exit_code = steps->check(&args, ctx)) == KDR_EXIT_OK) &&
	    (exit_code = kdr_cli_load(&args)) == KDR_EXIT_OK)
		exit_code = steps->run(&args, ctx);
	kdr_cli_args_release(&args);
	return exit_code;
}
