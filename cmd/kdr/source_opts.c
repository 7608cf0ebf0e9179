#include "source_opts.h"

#include <stdio.h>
#include <string.h>

#include "k8s/k8s.h"
#include "source/source.h"
#include "util/diag.h"
#include "util/error.h"

bool kdr_cli_source_option(struct kdr_cli_source *src, int opt, const char *arg)
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

int kdr_cli_source_check(const struct kdr_cli_spec *spec, const struct kdr_cli_source *src)
{
	if ((src->git_url != NULL) + (src->dir != NULL) + src->k8s > 1)
		return kdr_cli_usage_error(spec, "give one of DIR, --git and --k8s");
	if (!src->k8s && (src->namespace || src->kubeconfig || src->context))
		return kdr_cli_usage_error(spec, "--namespace, --kubeconfig and --context need --k8s");
	if (!src->git_url && (src->ref || src->path || src->cache_dir || src->token_env || src->token_file))
		return kdr_cli_usage_error(spec, "--ref, --path, --cache-dir, --token-env and --token-file need --git");
	return KDR_EXIT_OK;
}

/* Opens the repository, fetches, resolves `ref` and loads its documents. */
static int load_git(struct kdr_desired *out, const struct kdr_cli_source *src, const char *ref, unsigned flags)
{
	struct kdr_git_options options = { 0 };
	struct kdr_git_repo *repo = NULL;
	struct kdr_diags diags = KDR_DIAGS_INIT;
	char commit[41] = { 0 };
	int exit_code = KDR_EXIT_ERROR;

	options.url = src->git_url;
	options.cache_dir = src->cache_dir;
	options.token_env = src->token_env;
	options.token_file = src->token_file;
	if (kdr_git_open(&repo, &options) != 0 || kdr_git_resolve(commit, repo, ref) != 0) {
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
		goto cleanup;
	}
	if (kdr_git_load(out, &diags, repo, commit, src->path ? src->path : "", flags) != 0) {
		kdr_diags_print(&diags, stderr);
		fprintf(stderr, "kdr: %zu error(s) in %s @ %.12s; nothing will be used from it\n", diags.errors,
			kdr_git_display_url(repo), commit);
		goto cleanup;
	}
	kdr_diags_print(&diags, stderr);
	fprintf(stderr, "kdr: source %s @ %s (%s)\n", kdr_git_display_url(repo), commit, ref && ref[0] ? ref : "HEAD");
	exit_code = KDR_EXIT_OK;
cleanup:
	kdr_diags_release(&diags);
	kdr_git_free(repo);
	return exit_code;
}

/* The client of a --k8s load: its Secrets are read while the command runs. */
static struct kdr_k8s_client *k8s_client;
static struct kdr_secret_resolver k8s_resolver;

static void free_k8s_client(void)
{
	kdr_k8s_client_free(k8s_client);
	k8s_client = NULL;
}

const struct kdr_secret_resolver *kdr_cli_source_resolver(void)
{
	return k8s_client ? &k8s_resolver : NULL;
}

/* Lists the custom resources once, validates them and keeps the client for secretKeyRef. */
static int load_k8s(struct kdr_desired *out, const struct kdr_cli_source *src)
{
	struct kdr_k8s_config config = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	const char *where = src->namespace ? src->namespace : "all namespaces";
	int exit_code = KDR_EXIT_ERROR;

	if (kdr_k8s_config_load(&config, src->kubeconfig, src->context) != 0 ||
	    (!k8s_client && kdr_k8s_client_new(&k8s_client, &config, 0) != 0)) {
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
		goto cleanup;
	}
	atexit(free_k8s_client);
	k8s_resolver.secret_lookup = kdr_k8s_secret_lookup;
	k8s_resolver.ctx = k8s_client;
	if (kdr_k8s_load(out, &diags, k8s_client, src->namespace) != 0) {
		kdr_diags_print(&diags, stderr);
		fprintf(stderr, "kdr: %s\n", kdr_error_message());
		goto cleanup;
	}
	kdr_diags_print(&diags, stderr);
	fprintf(stderr, "kdr: source k8s %s (%s) @ resourceVersion %s\n", config.server, where,
		out->revision ? out->revision : "?");
	exit_code = KDR_EXIT_OK;
cleanup:
	kdr_diags_release(&diags);
	kdr_k8s_config_release(&config);
	return exit_code;
}

int kdr_cli_source_load(struct kdr_desired *out, const struct kdr_cli_source *src)
{
	if (src->k8s)
		return load_k8s(out, src);
	if (src->git_url)
		return load_git(out, src, src->ref, 0);
	return kdr_cli_load_desired(out, src->dir ? src->dir : ".");
}

int kdr_cli_source_load_ref(struct kdr_desired *out, const struct kdr_cli_source *src, const char *ref)
{
	return load_git(out, src, ref, KDR_SOURCE_NO_VALIDATE);
}
