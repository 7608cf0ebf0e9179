#include "source_opts.h"
#include "result.h"

#include <stdio.h>
#include <string.h>

#include "k8s/k8s.h"
#include "source/source.h"
#include "util/diag.h"
#include "util/error.h"

bool kdr_cli_source_option(struct kdr_source_selection *src, int opt, const char *arg)
{
	switch (opt) {
	case KDR_OPT_GIT: src->git_url = arg; return true;
	case KDR_OPT_REF: src->ref = arg; return true;
	case KDR_OPT_PATH: src->path = arg; return true;
	case KDR_OPT_CACHE_DIR: src->cache_dir = arg; return true;
	case KDR_OPT_TOKEN_ENV: src->token_env = arg; return true;
	case KDR_OPT_TOKEN_FILE: src->token_file = arg; return true;
	case KDR_OPT_K8S: src->k8s = true; return true;
	case KDR_OPT_NAMESPACE: src->namespace = arg; return true;
	case KDR_OPT_KUBECONFIG: src->kubeconfig = arg; return true;
	case KDR_OPT_CONTEXT: src->context = arg; return true;
	}
	return false;
}

int kdr_cli_source_check(const struct kdr_cli_spec *spec, const struct kdr_source_selection *src)
{
	if (kdr_source_selection_check(src) != 0)
		return kdr_cli_usage_error(spec, "%s", kdr_error_message());
	return KDR_EXIT_OK;
}

/* Loads once from an open source (kdr_pipeline_load), printed. */
static int load(struct kdr_desired *out, struct kdr_source *source, const struct kdr_source_selection *src)
{
	struct kdr_load_result result = { KDR_DIAGS_INIT, NULL, NULL };
	struct kdr_buf err = KDR_BUF_INIT;
	int rc = kdr_pipeline_load(out, &result, source);

	kdr_pipeline_load_render(&err, &result, src, out);
	kdr_cli_print_err(&err);
	kdr_load_result_release(&result);
	return rc == 0 ? KDR_EXIT_OK : KDR_EXIT_ERROR;
}

int kdr_cli_source_load(struct kdr_desired *out, struct kdr_source *source, const struct kdr_source_selection *src)
{
	if (!source->ops && kdr_k8s_source_open(source, src, 0, 0, NULL) != 0) {
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	return load(out, source, src);
}

int kdr_cli_source_load_ref(struct kdr_desired *out, const struct kdr_source_selection *src, const char *ref)
{
	struct kdr_source_selection at = *src;
	struct kdr_source base = { NULL, NULL };
	int exit_code = KDR_EXIT_ERROR;

	at.ref = ref;
	if (kdr_k8s_source_open(&base, &at, KDR_SOURCE_NO_VALIDATE, 0, NULL) != 0)
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
	else
		exit_code = load(out, &base, src);
	kdr_source_release(&base);
	return exit_code;
}
