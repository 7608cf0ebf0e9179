#ifndef KDR_CMD_SOURCE_OPTS_H
#define KDR_CMD_SOURCE_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "cli.h"
#include "model/model.h"
#include "source/source.h"

enum {
	KDR_OPT_GIT = 2000,
	KDR_OPT_REF,
	KDR_OPT_PATH,
	KDR_OPT_CACHE_DIR,
	KDR_OPT_TOKEN_ENV,
	KDR_OPT_TOKEN_FILE,
	KDR_OPT_K8S,
	KDR_OPT_NAMESPACE,
	KDR_OPT_KUBECONFIG,
	KDR_OPT_CONTEXT,
};

/* The source options' entries in a command's table (struct kdr_cli_option): the last ones. */
#define KDR_CLI_SOURCE_TABLE                                                                                           \
	{ "git", KDR_CLI_ID(KDR_OPT_GIT), 0, "URL",                                                                    \
	  "read the documents from a Git repository instead of DIR: a local\n"                                         \
	  "repository (opened in place) or file://, git://, https://, ssh:// (cloned\n"                                \
	  "into the cache, fetched on every run)" },                                                                   \
	{ "ref", KDR_CLI_ID(KDR_OPT_REF), 0, "REF", "branch, tag or commit (default: the remote HEAD)" },              \
	{ "path", KDR_CLI_ID(KDR_OPT_PATH), 0, "P", "subdirectory of the repository holding the documents" },          \
	{ "cache-dir", KDR_CLI_ID(KDR_OPT_CACHE_DIR), 0, "D",                                                          \
	  "where clones are kept (default $XDG_CACHE_HOME/kdr/git)" },                                                 \
	{ "token-env", KDR_CLI_ID(KDR_OPT_TOKEN_ENV), 0, "VAR",                                                        \
	  "https token from an environment variable (never printed)" },                                                \
	{ "token-file", KDR_CLI_ID(KDR_OPT_TOKEN_FILE), 0, "F", "https token from a file" },                           \
	{ "k8s", KDR_CLI_ID(KDR_OPT_K8S), 0, NULL,                                                                     \
	  "read the KafkaCluster, ReplicationFlow and TopicPolicy custom resources\n"                                  \
	  "of a Kubernetes API server (in-cluster config, or a kubeconfig)" },                                         \
	{ "namespace", KDR_CLI_ID(KDR_OPT_NAMESPACE), 0, "NS",                                                         \
	  "with --k8s: only this namespace (default: all namespaces)" },                                               \
	{ "kubeconfig", KDR_CLI_ID(KDR_OPT_KUBECONFIG), 0, "F",                                                        \
	  "with --k8s: this kubeconfig (default $KUBECONFIG, ~/.kube/config)" },                                       \
	{ "context", KDR_CLI_ID(KDR_OPT_CONTEXT), 0, "C",                                                              \
	  "with --k8s: this kubeconfig context (default: current-context)" }

/* Maps one of the source options onto `src` (the positional DIR is args.c's); false when `opt` is not one. */
bool kdr_cli_source_option(struct kdr_source_selection *src, int opt, const char *arg);

/*
 * Checks the combination once all options are parsed
 * (kdr_source_selection_check); returns KDR_EXIT_OK or the usage error.
 */
int kdr_cli_source_check(const struct kdr_cli_spec *spec, const struct kdr_source_selection *src);

/*
 * Reads and validates the desired state (from DIR, Git at --ref or
 * Kubernetes) into an empty `out`, all or nothing, printing every
 * diagnostic to stderr; from Git or Kubernetes the revision is recorded in
 * out->revision and announced on stderr. `source` is opened first
 * (kdr_k8s_source_open) unless it is: the caller's until it releases it
 * (its secretKeyRef values are read while the command runs; a DR step
 * records there). Returns an enum kdr_exit.
 */
int kdr_cli_source_load(struct kdr_desired *out, struct kdr_source *source, const struct kdr_source_selection *src);

/* Reads the documents at another ref of the same repository, unvalidated (the base of a PR). */
int kdr_cli_source_load_ref(struct kdr_desired *out, const struct kdr_source_selection *src, const char *ref);

#endif
