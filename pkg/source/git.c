/* Git repositories: opened in place or cloned into a bare cache and fetched; refs resolved. */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/source_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/scrub.h"

#define DEFAULT_TIMEOUT_MS 30000
#define MAX_TOKEN_FILE ((size_t)64 << 10)

/* What a cache holds: every branch and tag of the remote, under the same names. */
static const char *const full_refspecs[] = {
	"+refs/heads/*:refs/heads/*",
	"+refs/tags/*:refs/tags/*",
};

/* --- libgit2 setup and errors --- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_libgit2(void)
{
	/* Never shut down: libgit2's state is process-wide and other repositories may be open. */
	init_rc = git_libgit2_init();
	if (init_rc >= 0)
		init_rc = kdr_source__git_stream_register();
}

int kdr_source__git_init(void)
{
	pthread_once(&init_once, init_libgit2);
	if (init_rc < 0)
		return kdr_source__git_error(NULL, init_rc, "cannot initialise libgit2");
	return 0;
}

char *kdr_source__git_scrub(const struct kdr_git_repo *repo, const char *text)
{
	struct kdr_buf once = KDR_BUF_INIT, out = KDR_BUF_INIT;
	const char *token = repo ? repo->token : NULL;
	size_t token_len = token ? strlen(token) : 0;

	kdr_scrub_userinfo(&once, text ? text : "");
	if (!token_len)
		return kdr_buf_detach(&once);
	for (const char *p = once.ptr; *p;) {
		const char *hit = strstr(p, token);

		if (!hit) {
			kdr_buf_puts(&out, p);
			break;
		}
		kdr_buf_put(&out, p, (size_t)(hit - p));
		kdr_buf_puts(&out, "***");
		p = hit + token_len;
	}
	kdr_buf_release(&once);
	return kdr_buf_detach(&out);
}

int kdr_source__git_error(const struct kdr_git_repo *repo, int git_rc, const char *what)
{
	const git_error *err = git_error_last();
	const char *timeout = kdr_source__git_stream_timed_out();
	int klass = err ? err->klass : GIT_ERROR_NONE;
	char *message = NULL;
	int code = KDR_EIO;

	/* After a timeout, TLS reports only a generic failure of its own: say what happened. */
	if (timeout)
		message = kdr_source__git_scrub(repo, timeout);
	else
		message = kdr_source__git_scrub(repo, err && err->message ? err->message : "unknown libgit2 error");
	if (timeout)
		code = KDR_ETIMEOUT;
	else if (git_rc == GIT_ENOTFOUND)
		code = KDR_ENOTFOUND;
	else if (git_rc == GIT_EAMBIGUOUS || git_rc == GIT_EINVALIDSPEC || git_rc == GIT_EAUTH ||
		 git_rc == GIT_ECERTIFICATE || klass == GIT_ERROR_SSL)
		code = KDR_EINVALID; /* retrying will not help: the input or the credentials are wrong */
	else if (git_rc == GIT_ELOCKED)
		code = KDR_ECONFLICT; /* another process is writing the cache */
	else if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSH || klass == GIT_ERROR_HTTP)
		code = KDR_EUNAVAILABLE;
	code = kdr_error_set(code, "%s: %s", what, message);
	free(message);
	return code;
}

/* --- options --- */

/* Neither "scheme://..." nor scp-like "[user@]host:path" (a colon before any slash). */
static bool is_local_path(const char *url)
{
	const char *colon = strchr(url, ':');
	const char *slash = strchr(url, '/');

	if (strstr(url, "://"))
		return false;
	return !colon || (slash && slash < colon);
}

static int read_token(char **out, const struct kdr_git_options *options)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	FILE *f = NULL;
	char chunk[4096];
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	if (options->token_env && *options->token_env) {
		const char *value = getenv(options->token_env);

		/* A token that was asked for but is missing must not turn into an anonymous fetch. */
		if (!value || !*value)
			return kdr_error_set(KDR_EINVALID, "token variable '%s' is not set", options->token_env);
		*out = kdr_strdup(value);
		return 0;
	}
	if (!options->token_file || !*options->token_file)
		return 0;
	f = fopen(options->token_file, "rb");
	if (!f)
		return kdr_error_set(KDR_EINVALID, "token file '%s': %s", options->token_file, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf.len + n > MAX_TOKEN_FILE) {
			rc = kdr_error_set(KDR_EINVALID, "token file '%s': larger than 64 KiB", options->token_file);
			goto cleanup;
		}
		kdr_buf_put(&buf, chunk, n);
	}
	if (ferror(f)) {
		rc = kdr_error_set(KDR_EINVALID, "token file '%s': %s", options->token_file, strerror(errno));
		goto cleanup;
	}
	/* Files written by editors and secret mounts end with a newline. */
	while (buf.len && strchr(" \t\r\n", buf.ptr[buf.len - 1]))
		kdr_buf_truncate(&buf, buf.len - 1);
	if (!buf.len) {
		rc = kdr_error_set(KDR_EINVALID, "token file '%s' is empty", options->token_file);
		goto cleanup;
	}
	*out = kdr_strndup(buf.ptr, buf.len);

cleanup:
	explicit_bzero(chunk, sizeof(chunk));
	if (buf.cap)
		explicit_bzero(buf.ptr, buf.cap);
	kdr_buf_release(&buf);
	fclose(f);
	return rc;
}

static int default_cache_dir(char **out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	struct passwd *pw = NULL;

	/* The XDG base directory spec ignores relative paths. */
	if (xdg && xdg[0] == '/') {
		*out = kdr_asprintf("%s/kdr/git", xdg);
		return 0;
	}
	if (!home || !*home) {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || !*home)
		return kdr_error_set(KDR_EINVALID, "no cache directory: set XDG_CACHE_HOME or HOME, or pass one");
	*out = kdr_asprintf("%s/.cache/kdr/git", home);
	return 0;
}

/* mkdir -p, private: the cache holds whatever the repositories hold. */
static int make_dirs(const char *path)
{
	char *copy = kdr_strdup(path);
	int rc = 0;

	for (char *p = copy + 1; ; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			rc = kdr_error_set(KDR_EIO, "cannot create cache directory '%s': %s", copy, strerror(errno));
			break;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void kdr_source__git_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --- credentials and fetching --- */

int kdr_source__git_credentials(git_credential **out, const char *url, const char *username_from_url,
				unsigned int allowed, void *payload)
{
	struct kdr_git_repo *repo = payload;
	const char *user = username_from_url && *username_from_url ? username_from_url : NULL;

	(void)url;
	/*
	 * libgit2 asks again after the server refused what we gave; giving the
	 * same again would loop, so each kind is offered once per operation.
	 */
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && repo->token) {
		if (repo->auth_offered & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
			git_error_set_str(GIT_ERROR_HTTP, "the server refused the token");
			return GIT_EAUTH;
		}
		repo->auth_offered |= GIT_CREDENTIAL_USERPASS_PLAINTEXT;
		/* GitHub takes any user with a token (x-access-token for app tokens); GitLab: oauth2@ in the URL. */
		return git_credential_userpass_plaintext_new(out, user ? user : "x-access-token", repo->token);
	}
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !(repo->auth_offered & GIT_CREDENTIAL_SSH_KEY)) {
		repo->auth_offered |= GIT_CREDENTIAL_SSH_KEY;
		return git_credential_ssh_key_from_agent(out, user ? user : "git");
	}
	if ((allowed & GIT_CREDENTIAL_USERNAME) && !(repo->auth_offered & GIT_CREDENTIAL_USERNAME)) {
		repo->auth_offered |= GIT_CREDENTIAL_USERNAME;
		return git_credential_username_new(out, user ? user : "git");
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)
		git_error_set_str(GIT_ERROR_HTTP, "authentication required: no token configured");
	else
		git_error_set_str(GIT_ERROR_SSH, "authentication failed: no accepted key in ssh-agent");
	return GIT_EAUTH;
}

/* Points the cache's HEAD where the remote's points, so that an empty ref means the remote HEAD. */
static void record_remote_head(struct kdr_git_repo *repo, git_remote *remote)
{
	git_buf branch = { NULL, 0, 0 };
	const git_remote_head **heads = NULL;
	size_t n = 0;

	if (git_remote_default_branch(&branch, remote) == 0) {
		git_repository_set_head(repo->repo, branch.ptr);
		git_buf_dispose(&branch);
		return;
	}
	/* A detached remote HEAD: keep the commit if it came with the branches and tags. */
	if (git_remote_ls(&heads, &n, remote) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(heads[i]->name, "HEAD") == 0) {
			git_commit *commit = NULL;

			if (git_commit_lookup(&commit, repo->repo, &heads[i]->oid) == 0) {
				git_repository_set_head_detached(repo->repo, &heads[i]->oid);
				git_commit_free(commit);
			}
			break;
		}
	}
	git_error_clear();
}

int kdr_source__git_remote_open(git_remote **out, struct kdr_git_repo *repo)
{
	git_remote_create_options create = { 0 };

	repo->auth_offered = 0;
	git_error_clear();
	kdr_source__git_stream_set_timeout(repo->timeout_ms);
	/*
	 * Anonymous: the URL (which may hold a password) is never written into
	 * the cache's config. The URL is used as given: url.*.insteadOf rewriting
	 * from whatever gitconfig the process sees is skipped (it would also
	 * leak libgit2 1.5's PCRE2 match data per config entry on every fetch).
	 */
	git_remote_create_options_init(&create, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	create.repository = repo->repo;
	create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	return git_remote_create_with_opts(out, repo->url, &create);
}

/* Fetches `refspecs` from the remote (all branches and tags when NULL). */
static int fetch(struct kdr_git_repo *repo, const char *const *refspecs, size_t n_refspecs)
{
	git_remote *remote = NULL;
	git_fetch_options opts = { 0 }; /* set by git_fetch_options_init: its INIT macro trips -Wextra */
	git_strarray specs = { NULL, 0 };
	char *what = NULL;
	bool full = refspecs == NULL;
	int rc = 0;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	if (full) {
		refspecs = full_refspecs;
		n_refspecs = sizeof(full_refspecs) / sizeof(full_refspecs[0]);
	}
	specs.strings = (char **)refspecs;
	specs.count = n_refspecs;
	opts.callbacks.credentials = kdr_source__git_credentials;
	opts.callbacks.payload = repo;
	/* Deleted branches and tags disappear from the cache, as they did from the remote. */
	opts.prune = full ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE; /* the refspecs say which */
	opts.update_fetchhead = 0;
	opts.proxy_opts.type = GIT_PROXY_AUTO;
	rc = kdr_source__git_remote_open(&remote, repo);
	if (rc == 0)
		rc = git_remote_fetch(remote, &specs, &opts, NULL);
	if (rc < 0) {
		what = kdr_asprintf("cannot fetch '%s'", repo->display_url);
		rc = kdr_source__git_error(repo, rc, what);
		goto cleanup;
	}
	if (full)
		record_remote_head(repo, remote);

cleanup:
	kdr_source__git_stream_set_timeout(0);
	git_remote_free(remote);
	free(what);
	return rc;
}

/* A new cache: built under a temporary name and renamed, so it is never seen half fetched. */
static int create_cache(struct kdr_git_repo *repo)
{
	static unsigned counter;
	git_repository_init_options init = { 0 };
	git_repository *building = NULL;
	git_config *config = NULL;
	char *tmp = kdr_asprintf("%s.tmp-%ld-%u", repo->cache_path, (long)getpid(),
				 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	int rc = 0;

	git_repository_init_options_init(&init, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	init.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT | GIT_REPOSITORY_INIT_MKPATH;
	rc = git_repository_init_ext(&building, tmp, &init);
	if (rc == 0 && (rc = git_repository_config(&config, building)) == 0)
		rc = git_config_set_string(config, "kdr.url", repo->display_url); /* for whoever looks into the cache */
	if (rc < 0) {
		rc = kdr_source__git_error(repo, rc, "cannot create the git cache");
		goto cleanup;
	}
	repo->repo = building;
	rc = fetch(repo, NULL, 0);
	repo->repo = NULL;
	if (rc < 0)
		goto cleanup;
	git_repository_free(building);
	building = NULL;
	/* When another kdr created it meanwhile, theirs is as good as ours. */
	if (rename(tmp, repo->cache_path) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
		rc = kdr_error_set(KDR_EIO, "cannot move the git cache into '%s': %s", repo->cache_path,
				   strerror(errno));
		goto cleanup;
	}
	rc = git_repository_open_bare(&repo->repo, repo->cache_path);
	if (rc < 0)
		rc = kdr_source__git_error(repo, rc, "cannot open the git cache");

cleanup:
	git_config_free(config);
	git_repository_free(building);
	if (is_directory(tmp))
		kdr_source__git_remove_tree(tmp);
	free(tmp);
	return rc;
}

static int open_cache(struct kdr_git_repo *repo)
{
	git_config *config = NULL;
	git_config_entry *entry = NULL;
	int rc = git_repository_open_bare(&repo->repo, repo->cache_path);

	if (rc < 0) {
		char *what = kdr_asprintf("cannot open the git cache '%s' (remove it to start afresh)",
					  repo->cache_path);

		rc = kdr_source__git_error(repo, rc, what);
		free(what);
		return rc;
	}
	/* Named by a hash of the URL: make sure it is this URL's. */
	if (git_repository_config_snapshot(&config, repo->repo) == 0 &&
	    git_config_get_entry(&entry, config, "kdr.url") == 0 && strcmp(entry->value, repo->display_url) != 0)
		rc = kdr_error_set(KDR_EIO, "git cache '%s' holds '%s', not '%s'", repo->cache_path, entry->value,
				   repo->display_url);
	git_config_entry_free(entry);
	git_config_free(config);
	git_error_clear();
	if (rc < 0)
		return rc;
	return fetch(repo, NULL, 0);
}

static int open_local(struct kdr_git_repo *repo)
{
	int rc = 0;

	if (!is_directory(repo->url))
		return kdr_error_set(KDR_ENOTFOUND, "git repository '%s': no such directory", repo->display_url);
	/* No search upwards: --path is relative to the top of the repository, so the top must be named. */
	rc = git_repository_open_ext(&repo->repo, repo->url, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	/*
	 * As git itself, a repository another user owns is not trusted (CI
	 * containers often run as another user). libgit2 1.5.1 reports it as
	 * "not found" of the safe.directory setting, hence the message check.
	 */
	if (rc == GIT_EOWNER || (rc == GIT_ENOTFOUND && git_error_last() && git_error_last()->message &&
				 strstr(git_error_last()->message, "safe.directory")))
		return kdr_error_set(KDR_EINVALID,
				     "git repository '%s' is owned by another user "
				     "(run kdr as its owner, or list it in git's safe.directory)",
				     repo->display_url);
	if (rc == GIT_ENOTFOUND)
		return kdr_error_set(KDR_EINVALID,
				     "'%s' is not a git repository (name the top of a work tree or a bare repository)",
				     repo->display_url);
	if (rc < 0) {
		char *what = kdr_asprintf("cannot open git repository '%s'", repo->display_url);

		rc = kdr_source__git_error(repo, rc, what);
		free(what);
	}
	return rc;
}

int kdr_git_open(struct kdr_git_repo **out, const struct kdr_git_options *options)
{
	struct kdr_git_repo *repo = NULL;
	char *cache_dir = NULL;
	int rc = 0;

	*out = NULL;
	if (!options || !options->url || !*options->url)
		return kdr_error_set(KDR_EINVALID, "no git repository given");
	rc = kdr_source__git_init();
	if (rc < 0)
		return rc;
	/* kdr's own credential: no document may name it in {valueFrom: {env}}, whatever its prefix. */
	kdr_secret_policy_deny_env(options->token_env);
	repo = kdr_calloc(1, sizeof(*repo));
	repo->url = kdr_strdup(options->url);
	repo->display_url = kdr_source__git_scrub(NULL, options->url);
	repo->timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : DEFAULT_TIMEOUT_MS;
	if (is_local_path(options->url)) {
		repo->local = true;
		rc = open_local(repo);
		goto cleanup;
	}
	rc = read_token(&repo->token, options);
	if (rc < 0)
		goto cleanup;
	if (options->cache_dir && *options->cache_dir)
		cache_dir = kdr_strdup(options->cache_dir);
	else if ((rc = default_cache_dir(&cache_dir)) < 0)
		goto cleanup;
	rc = make_dirs(cache_dir);
	if (rc < 0)
		goto cleanup;
	repo->cache_path = kdr_asprintf("%s/%016llx.git", cache_dir,
					(unsigned long long)kdr_hash64_str(options->url));
	rc = is_directory(repo->cache_path) ? open_cache(repo) : create_cache(repo);

cleanup:
	free(cache_dir);
	if (rc < 0) {
		kdr_git_free(repo);
		return rc;
	}
	*out = repo;
	return 0;
}

int kdr_git_fetch(struct kdr_git_repo *repo)
{
	if (repo->local)
		return 0;
	return fetch(repo, NULL, 0);
}

/* --- refs --- */

/*
 * In a cache, names that are not there may still mean something: "origin/X"
 * (a habit from work trees) is branch X, and refs outside branches and tags
 * (refs/pull/7/head, refs/merge-requests/...) are fetched when asked for.
 * Returns a libgit2 code, or a kdr code with kdr_error_set when a fetch failed.
 */
static int revparse_in_cache(git_object **out, struct kdr_git_repo *repo, const char *spec, bool *kdr_failed)
{
	char *text = NULL;
	int rc = 0;

	if (strncmp(spec, "origin/", 7) == 0 && spec[7]) {
		text = kdr_asprintf("refs/heads/%s", spec + 7);
		rc = git_revparse_single(out, repo->repo, text);
	} else if (strncmp(spec, "refs/", 5) == 0 && !strpbrk(spec, "*:^~@ ")) {
		const char *refspec[1] = { NULL };

		text = kdr_asprintf("+%s:%s", spec, spec);
		refspec[0] = text;
		rc = fetch(repo, refspec, 1);
		if (rc < 0)
			*kdr_failed = true;
		else
			rc = git_revparse_single(out, repo->repo, spec);
	} else {
		rc = GIT_ENOTFOUND;
	}
	free(text);
	return rc;
}

/* Whether `spec` is a ref that resolves to an object id missing from the repository (its hex in `hex`). */
static bool missing_target(struct kdr_git_repo *repo, const char *spec, char hex[41])
{
	git_reference *ref = NULL, *resolved = NULL;
	bool missing = false;

	if (git_reference_dwim(&ref, repo->repo, spec) == 0 && git_reference_resolve(&resolved, ref) == 0 &&
	    git_reference_target(resolved)) {
		git_odb *odb = NULL;

		if (git_repository_odb(&odb, repo->repo) == 0)
			missing = !git_odb_exists(odb, git_reference_target(resolved));
		git_odb_free(odb);
		if (missing)
			git_oid_tostr(hex, 41, git_reference_target(resolved));
	}
	git_reference_free(resolved);
	git_reference_free(ref);
	git_error_clear();
	return missing;
}

int kdr_git_resolve(char out_hex[41], struct kdr_git_repo *repo, const char *ref)
{
	const char *spec = ref && *ref ? ref : "HEAD";
	git_object *object = NULL, *commit = NULL;
	char *what = NULL;
	bool kdr_failed = false;
	int rc = 0;

	out_hex[0] = '\0';
	git_error_clear();
	/* Before revparse: libgit2 1.5's revparse leaks when a ref names a missing object. */
	if (missing_target(repo, spec, out_hex)) {
		/* The ref exists, its commit does not: a damaged repository, not an unknown ref. */
		rc = kdr_error_set(KDR_EIO,
				   "ref '%s' in '%s' names commit %s, which is not in the repository (damaged: fetch "
				   "again or re-clone)",
				   spec, repo->display_url, out_hex);
		out_hex[0] = '\0';
		goto cleanup;
	}
	rc = git_revparse_single(&object, repo->repo, spec);
	if (rc == GIT_ENOTFOUND && !repo->local)
		rc = revparse_in_cache(&object, repo, spec, &kdr_failed);
	if (kdr_failed)
		goto cleanup;
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
		if (!ref || !*ref)
			rc = kdr_error_set(KDR_ENOTFOUND, "'%s' has no default branch (HEAD names no commit)",
					   repo->display_url);
		else
			rc = kdr_error_set(KDR_ENOTFOUND, "ref '%s' not found in '%s'", spec, repo->display_url);
		goto cleanup;
	}
	if (rc < 0) {
		what = kdr_asprintf("ref '%s' in '%s'", spec, repo->display_url);
		rc = kdr_source__git_error(repo, rc, what);
		goto cleanup;
	}
	if (git_object_peel(&commit, object, GIT_OBJECT_COMMIT) < 0) {
		rc = kdr_error_set(KDR_EINVALID, "ref '%s' in '%s' is a %s, not a commit", spec, repo->display_url,
				   git_object_type2string(git_object_type(object)));
		goto cleanup;
	}
	git_oid_tostr(out_hex, 41, git_object_id(commit));

cleanup:
	git_object_free(commit);
	git_object_free(object);
	free(what);
	git_error_clear();
	return rc;
}

const char *kdr_git_display_url(const struct kdr_git_repo *repo)
{
	return repo->display_url;
}

const char *kdr_git_cache_path(const struct kdr_git_repo *repo)
{
	return repo->cache_path;
}

void kdr_git_free(struct kdr_git_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->repo);
	if (repo->token) {
		explicit_bzero(repo->token, strlen(repo->token));
		free(repo->token);
	}
	if (repo->url) {
		explicit_bzero(repo->url, strlen(repo->url)); /* may hold a password */
		free(repo->url);
	}
	free(repo->display_url);
	free(repo->cache_path);
	free(repo->push_refused);
	free(repo);
}
