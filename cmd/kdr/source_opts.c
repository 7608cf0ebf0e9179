#include "source_opts.h"

#include <stdio.h>
#include <string.h>

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
	}
	return false;
}

int kdr_cli_source_check(const struct kdr_cli_spec *spec, const struct kdr_cli_source *src)
{
	if (src->git_url && src->dir)
		return kdr_cli_usage_error(spec, "give either DIR or --git, not both");
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

int kdr_cli_source_load(struct kdr_desired *out, const struct kdr_cli_source *src)
{
	if (src->git_url)
		return load_git(out, src, src->ref, 0);
	return kdr_cli_load_desired(out, src->dir ? src->dir : ".");
}

int kdr_cli_source_load_ref(struct kdr_desired *out, const struct kdr_cli_source *src, const char *ref)
{
	return load_git(out, src, ref, KDR_SOURCE_NO_VALIDATE);
}
