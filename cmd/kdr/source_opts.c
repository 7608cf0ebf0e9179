#include "source_opts.h"
#include "result.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The source of the command's desired state: its secretKeyRef values are read while the command runs. */
static struct kdr_source loaded;

static void release_loaded(void)
{
	kdr_source_release(&loaded);
}

const struct kdr_secret_resolver *kdr_cli_source_resolver(void)
{
	return kdr_source_resolver(&loaded);
}

/* Loads once from an open source (kdr_pipeline_load), printed. */
static int load(struct kdr_desired *out, struct kdr_source *source, const struct kdr_source_selection *src)
{
	struct kdr_load_result result = { KDR_DIAGS_INIT, NULL, NULL };
	struct kdr_buf none = KDR_BUF_INIT, err = KDR_BUF_INIT;
	int rc = kdr_pipeline_load(out, &result, source);

	kdr_pipeline_load_render(&err, &result, src, out);
	kdr_cli_print(&none, &err);
	kdr_load_result_release(&result);
	return rc == 0 ? KDR_EXIT_OK : KDR_EXIT_ERROR;
}

int kdr_cli_source_opened(struct kdr_source **out, const struct kdr_source_selection *src)
{
	if (!loaded.ops) {
		int rc = kdr_k8s_source_open(&loaded, src, 0, 0, NULL);

		if (rc != 0)
			return rc;
		atexit(release_loaded);
	}
	*out = &loaded;
	return 0;
}

int kdr_cli_source_load(struct kdr_desired *out, const struct kdr_source_selection *src)
{
	struct kdr_source *source = NULL;

	if (kdr_cli_source_opened(&source, src) != 0) {
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
