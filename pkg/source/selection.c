/* Which source a command line names (struct kdr_source_selection): its checks, and opening a directory or Git. */
#include "source/source.h"

#include "util/error.h"

int kdr_source_selection_check(const struct kdr_source_selection *sel)
{
	if ((sel->git_url != NULL) + (sel->dir != NULL) + sel->k8s > 1)
		return kdr_error_set(KDR_EINVALID, "give one of DIR, --git and --k8s");
	if (!sel->k8s && (sel->namespace || sel->kubeconfig || sel->context))
		return kdr_error_set(KDR_EINVALID, "--namespace, --kubeconfig and --context need --k8s");
	if (!sel->git_url && (sel->ref || sel->path || sel->cache_dir || sel->token_env || sel->token_file))
		return kdr_error_set(KDR_EINVALID,
				     "--ref, --path, --cache-dir, --token-env and --token-file need --git");
	return 0;
}

int kdr_source_open(struct kdr_source *out, const struct kdr_source_selection *sel, unsigned flags, int timeout_ms)
{
	struct kdr_git_options git = { 0 };

	if (sel->k8s)
		return kdr_error_set(KDR_EUNSUPPORTED, "a Kubernetes source is opened by kdr_k8s_source_open");
	if (!sel->git_url) {
		kdr_source_dir(out, sel->dir ? sel->dir : ".", flags);
		return 0;
	}
	git.url = sel->git_url;
	git.cache_dir = sel->cache_dir;
	git.token_env = sel->token_env;
	git.token_file = sel->token_file;
	git.timeout_ms = timeout_ms;
	return kdr_source_git(out, &git, sel->ref, sel->path, flags);
}
