/*
 * The operator's allow list of what a document may read from kdr's side:
 * {valueFrom: {env: NAME}}, {valueFrom: {file: PATH}} and spec.connect.caFile.
 * A document is untrusted input; without this list it could name any
 * variable (AWS_SECRET_ACCESS_KEY) or file (/etc/shadow, a service-account
 * token) and have kdr send it to a cluster or Connect URL of its choosing.
 *
 *   KDR_SECRET_ENV_PREFIXES  comma-separated name prefixes (default "KDR_"; "*" = any)
 *   KDR_SECRET_DIRS          colon-separated absolute directories (default "/etc/kdr")
 *
 * Read from kdr's environment once, on first use.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

#define DEFAULT_ENV_PREFIXES "KDR_"
#define DEFAULT_DIRS "/etc/kdr"

/* Public CA bundles: a caFile may also name one of these (they hold nothing secret). */
static const char *const ca_dirs[] = { "/etc/ssl/certs", "/etc/pki", "/usr/share/ca-certificates",
				       "/usr/local/share/ca-certificates" };

static pthread_mutex_t policy_lock = PTHREAD_MUTEX_INITIALIZER;
static bool loaded;
static struct kdr_strvec env_prefixes = KDR_STRVEC_INIT;
static struct kdr_strvec dirs = KDR_STRVEC_INIT;
static struct kdr_strvec denied_env = KDR_STRVEC_INIT;

static void split_into(struct kdr_strvec *out, const char *text, char sep, bool strip_slash)
{
	const char *p = text;

	while (*p) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len > 0 && (p[0] == ' ' || p[0] == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		/* "/etc/kdr/" and "/etc/kdr" are one directory; "/" stays "/". */
		while (strip_slash && len > 1 && p[len - 1] == '/')
			len--;
		if (len > 0)
			kdr_strvec_push_take(out, kdr_strndup(p, len));
		if (!end)
			break;
		p = end + 1;
	}
}

/* Caller holds policy_lock. */
static void load_locked(void)
{
	const char *prefixes = getenv("KDR_SECRET_ENV_PREFIXES");
	const char *dir_list = getenv("KDR_SECRET_DIRS");

	if (loaded)
		return;
	split_into(&env_prefixes, prefixes ? prefixes : DEFAULT_ENV_PREFIXES, ',', false);
	split_into(&dirs, dir_list ? dir_list : DEFAULT_DIRS, ':', true);
	loaded = true;
}

void kdr_secret_policy_reload(void)
{
	pthread_mutex_lock(&policy_lock);
	kdr_strvec_release(&env_prefixes);
	kdr_strvec_release(&dirs);
	kdr_strvec_release(&denied_env);
	loaded = false;
	load_locked();
	pthread_mutex_unlock(&policy_lock);
}

void kdr_secret_policy_deny_env(const char *name)
{
	if (!name || !*name)
		return;
	pthread_mutex_lock(&policy_lock);
	load_locked();
	if (!kdr_strvec_contains(&denied_env, name))
		kdr_strvec_push(&denied_env, name);
	pthread_mutex_unlock(&policy_lock);
}

char *kdr_secret_env_refusal(const char *name)
{
	char *why = NULL;
	bool ok = false;

	pthread_mutex_lock(&policy_lock);
	load_locked();
	if (kdr_strvec_contains(&denied_env, name)) {
		why = kdr_asprintf("environment variable '%s' holds one of kdr's own credentials (--token-env); a "
				   "document may not read it",
				   name);
		goto done;
	}
	for (size_t i = 0; i < env_prefixes.n && !ok; i++)
		ok = strcmp(env_prefixes.v[i], "*") == 0 ||
		     strncmp(name, env_prefixes.v[i], strlen(env_prefixes.v[i])) == 0;
	if (!ok) {
		char *list = kdr_strvec_join(&env_prefixes, "', '");

		why = env_prefixes.n
			  ? kdr_asprintf("environment variable '%s' is not one a document may read: its name must "
					 "start with '%s' (the operator's KDR_SECRET_ENV_PREFIXES)",
					 name, list)
			  : kdr_asprintf("environment variable '%s': no document may read kdr's environment "
					 "(KDR_SECRET_ENV_PREFIXES is empty)",
					 name);
		free(list);
	}
done:
	pthread_mutex_unlock(&policy_lock);
	return why;
}

/* Whether `path` is `dir` or below it ("/etc/kdr" holds "/etc/kdr/x", not "/etc/kdrx"). */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

/* NULL when `path` is absolute with no empty, "." or ".." component, else what is wrong. */
static const char *not_plain(const char *path)
{
	if (path[0] != '/')
		return "not an absolute path";
	for (const char *p = path; *p; p++) {
		if (*p != '/')
			continue;
		if (p[1] == '/')
			return "an empty path component ('//')";
		if (p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return "a '.' component";
		if (p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
			return "a '..' component";
	}
	return NULL;
}

static bool allowed_dir(const char *path, bool ca)
{
	for (size_t i = 0; i < dirs.n; i++)
		if (under(path, dirs.v[i]))
			return true;
	for (size_t i = 0; ca && i < sizeof(ca_dirs) / sizeof(ca_dirs[0]); i++)
		if (under(path, ca_dirs[i]))
			return true;
	return false;
}

static char *refusal(const char *path, bool ca)
{
	const char *problem = not_plain(path);
	char *list = NULL, *why = NULL;

	pthread_mutex_lock(&policy_lock);
	load_locked();
	if (problem) {
		why = kdr_asprintf("file '%s': %s; give an absolute path below %s", path, problem,
				   dirs.n ? "one of the operator's KDR_SECRET_DIRS" : "a CA directory");
	} else if (!allowed_dir(path, ca)) {
		list = dirs.n ? kdr_strvec_join(&dirs, "', '") : NULL;
		why = kdr_asprintf("file '%s' is not one a document may read: it must be below %s%s%s%s (the "
				   "operator's KDR_SECRET_DIRS)",
				   path, list ? "'" : "", list ? list : "no directory", list ? "'" : "",
				   ca ? " or a system CA directory such as '/etc/ssl/certs'" : "");
	}
	pthread_mutex_unlock(&policy_lock);
	free(list);
	return why;
}

char *kdr_secret_path_refusal(const char *path)
{
	return refusal(path, false);
}

char *kdr_secret_ca_path_refusal(const char *path)
{
	return refusal(path, true);
}

/*
 * The lexical check, then the same for the path with every symbolic link
 * resolved (a link in an allowed directory may point anywhere), against the
 * resolved directories.
 */
static int check_real(const char *path, bool ca)
{
	char *why = refusal(path, ca);
	char *real = NULL;
	bool ok = false;

	if (why) {
		kdr_error_set(KDR_EINVALID, "%s", why);
		free(why);
		return KDR_EINVALID;
	}
	real = realpath(path, NULL);
	if (!real)
		return kdr_error_set(KDR_ENOTFOUND, "file '%s': %s", path, strerror(errno));
	pthread_mutex_lock(&policy_lock);
	for (size_t i = 0; i < dirs.n + (ca ? sizeof(ca_dirs) / sizeof(ca_dirs[0]) : 0) && !ok; i++) {
		const char *dir = i < dirs.n ? dirs.v[i] : ca_dirs[i - dirs.n];
		char *real_dir = realpath(dir, NULL);

		ok = real_dir && under(real, real_dir);
		free(real_dir);
	}
	pthread_mutex_unlock(&policy_lock);
	if (!ok) {
		kdr_error_set(KDR_EINVALID,
			      "file '%s' resolves to '%s', outside the directories a document may read "
			      "(KDR_SECRET_DIRS); refused",
			      path, real);
		free(real);
		return KDR_EINVALID;
	}
	free(real);
	return 0;
}

int kdr_secret_path_check(const char *path)
{
	return check_real(path, false);
}

int kdr_secret_ca_path_check(const char *path)
{
	return check_real(path, true);
}
