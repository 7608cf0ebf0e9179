/*
 * kdr-sandbox: runs fake Kafka clusters (and their Connect workers) on
 * loopback for the demo and end-to-end tests.
 *
 *   kdr-sandbox --config sandbox.yaml [--ready-file ready.json] [--emit-clusters clusters.yaml]
 *
 * sandbox.yaml:
 *
 *   clusters:
 *     - name: dc-east                  # required, unique
 *       brokers: 3                     # node ids 1..N (default 1)
 *       racks: [east-a, east-b, east-c] # broker i gets racks[(i-1) % len]; omitted: no rack
 *       port: 19092                    # first broker's port, the next ones follow; 0 or omitted: ephemeral
 *       connect: true                  # or {port: 18083}; omitted or false: no Connect
 *       remoteStorage: true            # brokers report remote.log.storage.system.enable=true (default false)
 *       autoCreateTopics: true         # auto.create.topics.enable (default true, as Kafka)
 *       # extra keys of the sandbox:
 *       clusterId: MkU3OEVBNTcwNTJENDM2Qk   # default: derived from the name, stable across runs
 *       sasl: {username: admin, password: secret}   # listeners require SASL/PLAIN
 *       users: {billing: b1ll1ng}      # more SASL/PLAIN users (needs sasl)
 *       authorizer: true               # real backend: ACLs enforced (no ACL: refused); sandbox: recorded only
 *       noAuthorizer: true             # no authorizer at all: ACL requests answer SECURITY_DISABLED
 *       createTopicPolicy:             # a create.topic.policy: violations get POLICY_VIOLATION
 *         minReplicationFactor: 2
 *         maxPartitions: 100
 *
 * Once every listener is up it writes the ready file atomically (temporary
 * file + rename):
 *   {"clusters": {"<name>": {"bootstrap": "127.0.0.1:P1,...",
 *                            "connect": "http://127.0.0.1:P" | null, "clusterId": "..."}},
 *    "control": "127.0.0.1:P"}
 * (the control channel: "broker-down CLUSTER ID", "broker-up CLUSTER ID",
 * "all-up", "ping", a line each, answered "ok" or "error WHY") and prints one
 * line per cluster on stdout:
 *   <name> bootstrap=127.0.0.1:P1,... connect=http://127.0.0.1:P|- clusterId=...
 * It serves until SIGTERM or SIGINT, then stops everything and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "sandbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

/* Exit codes (documented in tests/sandbox/README.md). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILURE_RUNTIME = 1, /* could not start (port taken ...) or write the ready file */
	EXIT_USAGE = 2,		  /* bad command line */
	EXIT_CONFIG = 64,	  /* bad configuration file (EX_USAGE) */
};

#define MAX_CLUSTERS 16
#define MAX_RACKS    64
#define MAX_USERS    16

struct config {
	struct kdr_sandbox_cluster_spec specs[MAX_CLUSTERS];
	const char *racks[MAX_CLUSTERS][MAX_RACKS];
	const char *users[MAX_CLUSTERS][2 * MAX_USERS];
	size_t n;
	yaml_document_t doc;
	bool loaded;
};

static const char *config_path;

static int config_error(const yaml_node_t *node, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int config_error(const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;

	if (node)
		fprintf(stderr, "%s:%zu:%zu: ", config_path, node->start_mark.line + 1, node->start_mark.column + 1);
	else
		fprintf(stderr, "%s: ", config_path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static const char *scalar(const yaml_node_t *node)
{
	return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

static int get_string(const yaml_node_t *node, const char *key, const char **out)
{
	*out = scalar(node);
	if (!*out || !**out)
		return config_error(node, "'%s' must be a non-empty string", key);
	return 0;
}

static int get_int(const yaml_node_t *node, const char *key, int min, int max, int *out)
{
	const char *s = scalar(node);
	char *end = NULL;
	long v = 0;

	if (!s)
		return config_error(node, "'%s' must be an integer", key);
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return config_error(node, "'%s' must be an integer in %d..%d, not '%s'", key, min, max, s);
	*out = (int)v;
	return 0;
}

static int get_bool(const yaml_node_t *node, const char *key, bool *out)
{
	const char *s = scalar(node);

	if (s && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0)) {
		*out = true;
		return 0;
	}
	if (s && (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0)) {
		*out = false;
		return 0;
	}
	return config_error(node, "'%s' must be true or false", key);
}

static int parse_connect(struct config *cfg, const yaml_node_t *node, struct kdr_sandbox_cluster_spec *spec)
{
	if (node->type == YAML_SCALAR_NODE)
		return get_bool(node, "connect", &spec->connect);
	if (node->type != YAML_MAPPING_NODE)
		return config_error(node, "'connect' must be true, false or {port: N}");
	spec->connect = true;
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(&cfg->doc, pair->key);
		yaml_node_t *value = yaml_document_get_node(&cfg->doc, pair->value);
		const char *name = scalar(key);

		if (name && strcmp(name, "port") == 0) {
			if (get_int(value, "connect.port", 0, 65535, &spec->connect_port) != 0)
				return -1;
		} else {
			return config_error(key, "unknown key '%s' in connect (expected: port)", name ? name : "?");
		}
	}
	return 0;
}

static int parse_pair_map(struct config *cfg, const yaml_node_t *node, const char *what, const char **names,
			  size_t n_names, const yaml_node_t **values)
{
	if (node->type != YAML_MAPPING_NODE)
		return config_error(node, "'%s' must be a mapping", what);
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(&cfg->doc, pair->key);
		const char *name = scalar(key);
		size_t i = 0;

		for (i = 0; i < n_names; i++) {
			if (name && strcmp(name, names[i]) == 0)
				break;
		}
		if (i == n_names)
			return config_error(key, "unknown key '%s' in %s", name ? name : "?", what);
		values[i] = yaml_document_get_node(&cfg->doc, pair->value);
	}
	return 0;
}

static int parse_cluster(struct config *cfg, const yaml_node_t *node, size_t index)
{
	struct kdr_sandbox_cluster_spec *spec = &cfg->specs[index];

	if (node->type != YAML_MAPPING_NODE)
		return config_error(node, "each cluster must be a mapping");
	spec->brokers = 1;
	spec->auto_create_topics = true;
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(&cfg->doc, pair->key);
		yaml_node_t *value = yaml_document_get_node(&cfg->doc, pair->value);
		const char *name = scalar(key);
		int rc = 0;

		if (!name)
			return config_error(key, "cluster keys must be strings");
		if (strcmp(name, "name") == 0) {
			rc = get_string(value, "name", &spec->name);
		} else if (strcmp(name, "brokers") == 0) {
			rc = get_int(value, "brokers", 1, 64, &spec->brokers);
		} else if (strcmp(name, "racks") == 0) {
			if (value->type != YAML_SEQUENCE_NODE)
				return config_error(value, "'racks' must be a list of rack names");
			for (yaml_node_item_t *item = value->data.sequence.items.start;
			     item < value->data.sequence.items.top; item++) {
				yaml_node_t *rack = yaml_document_get_node(&cfg->doc, *item);

				if (spec->n_racks == MAX_RACKS)
					return config_error(rack, "at most %d racks", MAX_RACKS);
				if (get_string(rack, "racks[]", &cfg->racks[index][spec->n_racks]) != 0)
					return -1;
				spec->n_racks++;
			}
			spec->racks = spec->n_racks ? cfg->racks[index] : NULL;
		} else if (strcmp(name, "port") == 0) {
			rc = get_int(value, "port", 0, 65535, &spec->port);
		} else if (strcmp(name, "connect") == 0) {
			rc = parse_connect(cfg, value, spec);
		} else if (strcmp(name, "remoteStorage") == 0) {
			rc = get_bool(value, "remoteStorage", &spec->remote_storage);
		} else if (strcmp(name, "autoCreateTopics") == 0) {
			rc = get_bool(value, "autoCreateTopics", &spec->auto_create_topics);
		} else if (strcmp(name, "clusterId") == 0) {
			rc = get_string(value, "clusterId", &spec->cluster_id);
		} else if (strcmp(name, "sasl") == 0) {
			const char *names[] = {"username", "password"};
			const yaml_node_t *values[2] = {NULL, NULL};

			if (parse_pair_map(cfg, value, "sasl", names, 2, values) != 0)
				return -1;
			if (!values[0] || !values[1])
				return config_error(value, "'sasl' needs both username and password");
			if (get_string(values[0], "sasl.username", &spec->sasl_username) != 0 ||
			    get_string(values[1], "sasl.password", &spec->sasl_password) != 0)
				return -1;
		} else if (strcmp(name, "users") == 0) {
			if (value->type != YAML_MAPPING_NODE)
				return config_error(value, "'users' must be a mapping of user name -> password");
			for (yaml_node_pair_t *user = value->data.mapping.pairs.start;
			     user < value->data.mapping.pairs.top; user++) {
				yaml_node_t *user_key = yaml_document_get_node(&cfg->doc, user->key);
				yaml_node_t *user_value = yaml_document_get_node(&cfg->doc, user->value);

				if (spec->n_users == MAX_USERS)
					return config_error(user_key, "at most %d users", MAX_USERS);
				if (get_string(user_key, "users (name)", &cfg->users[index][2 * spec->n_users]) != 0 ||
				    get_string(user_value, "users (password)", &cfg->users[index][2 * spec->n_users + 1]) !=
					0)
					return -1;
				spec->n_users++;
			}
			spec->users = cfg->users[index];
		} else if (strcmp(name, "authorizer") == 0) {
			rc = get_bool(value, "authorizer", &spec->authorizer);
		} else if (strcmp(name, "noAuthorizer") == 0) {
			rc = get_bool(value, "noAuthorizer", &spec->no_authorizer);
		} else if (strcmp(name, "brokerProcesses") == 0) {
			/* hack/kafka-real only (one JVM per broker, for broker-kill); the sandbox's brokers
			 * are in-process either way, so here it is checked and has no effect. */
			bool broker_processes = false;

			rc = get_bool(value, "brokerProcesses", &broker_processes);
		} else if (strcmp(name, "createTopicPolicy") == 0) {
			const char *names[] = {"minReplicationFactor", "maxPartitions"};
			const yaml_node_t *values[2] = {NULL, NULL};

			if (parse_pair_map(cfg, value, "createTopicPolicy", names, 2, values) != 0)
				return -1;
			if (values[0] && get_int(values[0], "minReplicationFactor", 1, 32767,
						 &spec->policy_min_replication_factor) != 0)
				return -1;
			if (values[1] &&
			    get_int(values[1], "maxPartitions", 1, 1000000, &spec->policy_max_partitions) != 0)
				return -1;
		} else {
			return config_error(key,
					    "unknown cluster key '%s' (expected: name, brokers, racks, port, connect, "
					    "remoteStorage, autoCreateTopics, clusterId, sasl, users, authorizer, "
					    "noAuthorizer, createTopicPolicy, brokerProcesses)",
					    name);
		}
		if (rc != 0)
			return -1;
	}
	if (!spec->name)
		return config_error(node, "a cluster needs a 'name'");
	if (spec->port && spec->port + spec->brokers - 1 > 65535)
		return config_error(node, "cluster '%s': ports %d..%d run past 65535", spec->name, spec->port,
				    spec->port + spec->brokers - 1);
	for (size_t i = 0; i < index; i++) {
		if (strcmp(cfg->specs[i].name, spec->name) == 0)
			return config_error(node, "cluster '%s' is declared twice", spec->name);
	}
	return 0;
}

static int load_config(struct config *cfg, const char *path)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_node_t *root = NULL;
	yaml_node_t *clusters = NULL;
	int rc = -1;

	config_path = path;
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &cfg->doc)) {
		fprintf(stderr, "%s:%zu:%zu: %s\n", path, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			parser.problem ? parser.problem : "invalid YAML");
		goto cleanup;
	}
	cfg->loaded = true;
	root = yaml_document_get_root_node(&cfg->doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		config_error(root, "the file must be a mapping with a 'clusters' list");
		goto cleanup;
	}
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(&cfg->doc, pair->key);
		const char *name = scalar(key);

		if (name && strcmp(name, "clusters") == 0) {
			clusters = yaml_document_get_node(&cfg->doc, pair->value);
		} else {
			config_error(key, "unknown key '%s' (expected: clusters)", name ? name : "?");
			goto cleanup;
		}
	}
	if (!clusters || clusters->type != YAML_SEQUENCE_NODE ||
	    clusters->data.sequence.items.start == clusters->data.sequence.items.top) {
		config_error(clusters ? clusters : root, "'clusters' must be a non-empty list");
		goto cleanup;
	}
	for (yaml_node_item_t *item = clusters->data.sequence.items.start; item < clusters->data.sequence.items.top;
	     item++) {
		if (cfg->n == MAX_CLUSTERS) {
			config_error(clusters, "at most %d clusters", MAX_CLUSTERS);
			goto cleanup;
		}
		if (parse_cluster(cfg, yaml_document_get_node(&cfg->doc, *item), cfg->n) != 0)
			goto cleanup;
		cfg->n++;
	}
	rc = 0;
cleanup:
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

static int write_atomically(const char *path, const struct kdr_buf *text);

/* The environment variable an emitted KafkaCluster reads its SASL password from. */
static char *password_env(const char *name)
{
	char *env = kdr_asprintf("KDR_SANDBOX_PASSWORD_%s", name);

	for (char *p = env; *p; p++)
		*p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : (*p == '-' || *p == '.') ? '_' : *p;
	return env;
}

/*
 * --emit-clusters FILE: one KafkaCluster document per cluster started, with
 * its addresses (and SASL settings, the password by env), so that no address
 * is copied by hand; written atomically once every listener is up.
 */
static int write_clusters_file(struct kdr_sandbox *sandbox, const struct config *cfg, const char *path)
{
	struct kdr_buf yaml = KDR_BUF_INIT;
	int rc = 0;

	kdr_buf_puts(&yaml, "# Written by kdr-sandbox --emit-clusters: the clusters it started (addresses change on "
			    "every run).\n");
	for (size_t i = 0; i < cfg->n; i++) {
		const struct kdr_sandbox_cluster_spec *spec = &cfg->specs[i];
		const char *connect = kdr_sandbox_connect_url(sandbox, spec->name);

		kdr_buf_printf(&yaml,
			       "---\napiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: %s}\nspec:\n"
			       "  bootstrapServers: \"%s\"\n",
			       spec->name, kdr_sandbox_bootstrap(sandbox, spec->name));
		if (spec->sasl_username) {
			char *env = password_env(spec->name);

			kdr_buf_printf(&yaml,
				       "  clientConfig:\n    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: PLAIN\n"
				       "    sasl.username: \"%s\"\n    sasl.password: {valueFrom: {env: %s}}\n",
				       spec->sasl_username, env);
			fprintf(stderr, "kdr-sandbox: %s: export %s=... (the sasl password of its config)\n", path, env);
			free(env);
		}
		if (connect)
			kdr_buf_printf(&yaml, "  connect: {url: \"%s\"}\n", connect);
	}
	rc = write_atomically(path, &yaml);
	kdr_buf_release(&yaml);
	return rc;
}

/*
 * The control channel (tests/sandbox/README.md, as hack/kafka-real's): a
 * loopback TCP port, one command a line, one answer line ("ok" or "error
 * WHY"), one connection at a time. broker-down / broker-up CLUSTER ID close
 * and reopen a broker's listener (kdr_sandbox_broker_down/up), all-up brings
 * back every broker taken down (and clears the latencies set here), latency
 * CLUSTER API_KEY MS delays the answers to one API (kdr_sandbox_set_latency;
 * 0 removes it), connect-delay CLUSTER MS makes the cluster's Connect worker
 * apply pause/resume/stop and config updates MS after answering
 * (kdr_sandbox_connect_set_state_delay; all-up puts back the delay the
 * workers started with), connect-fail-task-again CLUSTER CONNECTOR TASK
 * AFTER_MS TRACE makes a task FAILED now and again AFTER_MS after each
 * restart (kdr_sandbox_connect_fail_task_again; TRACE is the rest of the
 * line), connect-fail-connector CLUSTER CONNECTOR TRACE makes a connector
 * FAILED (kdr_sandbox_connect_fail_connector), ping answers ok; a Connect worker cannot be killed
 * here (its state is in memory).
 */
struct control {
	struct kdr_sandbox *sandbox;
	int fd; /* the listening socket */
	int port;
	pthread_t thread;
	bool running;
	struct {
		char *cluster;
		int32_t id;
	} down[64];
	size_t n_down;
	struct {
		char *cluster;
		int api_key;
	} slow[64]; /* latencies set here, cleared by all-up */
	size_t n_slow;
	char *lagging[64]; /* clusters given a Connect state delay here, back to the start delay by all-up */
	size_t n_lagging;
};

static void control_answer(struct control *ctl, char *line, char *answer, size_t size)
{
	char *save = NULL;
	char *verb = strtok_r(line, " \t\r", &save);
	char *cluster = verb ? strtok_r(NULL, " \t\r", &save) : NULL;
	char *id_text = cluster ? strtok_r(NULL, " \t\r", &save) : NULL;
	char *end = NULL;
	long id = id_text ? strtol(id_text, &end, 10) : 0;

	if (verb && strcmp(verb, "ping") == 0 && !cluster) {
		snprintf(answer, size, "ok");
	} else if (verb && strcmp(verb, "all-up") == 0 && !cluster) {
		snprintf(answer, size, "ok");
		while (ctl->n_down > 0) {
			size_t last = --ctl->n_down;

			if (kdr_sandbox_broker_up(ctl->sandbox, ctl->down[last].cluster, ctl->down[last].id) != 0)
				snprintf(answer, size, "error %s", kdr_error_message());
			free(ctl->down[last].cluster);
		}
		while (ctl->n_slow > 0) {
			size_t last = --ctl->n_slow;

			kdr_sandbox_set_latency(ctl->sandbox, ctl->slow[last].cluster, ctl->slow[last].api_key, 0);
			free(ctl->slow[last].cluster);
		}
		while (ctl->n_lagging > 0) {
			size_t last = --ctl->n_lagging;

			kdr_sandbox_connect_set_state_delay(ctl->sandbox, ctl->lagging[last],
							    kdr_sandbox_connect_start_state_delay(ctl->sandbox));
			free(ctl->lagging[last]);
		}
	} else if (verb && strcmp(verb, "connect-delay") == 0 && id_text) {
		/* id_text is the delay here: connect-delay CLUSTER MS. */
		if (!end || *end || id < 0 || id > 600000 || strtok_r(NULL, " \t\r", &save)) {
			snprintf(answer, size, "error usage: connect-delay CLUSTER MS (0 to 600000)");
		} else if (kdr_sandbox_connect_set_state_delay(ctl->sandbox, cluster, (int)id) != 0) {
			snprintf(answer, size, "error %s", kdr_error_message());
		} else {
			snprintf(answer, size, "ok");
			if (id != kdr_sandbox_connect_start_state_delay(ctl->sandbox) &&
			    ctl->n_lagging < sizeof(ctl->lagging) / sizeof(ctl->lagging[0]))
				ctl->lagging[ctl->n_lagging++] = kdr_strdup(cluster);
		}
	} else if (verb && strcmp(verb, "latency") == 0 && id_text && end && !*end && id >= -1 && id < 32768) {
		char *ms_text = strtok_r(NULL, " \t\r", &save);
		char *ms_end = NULL;
		long ms = ms_text ? strtol(ms_text, &ms_end, 10) : -1;

		if (!ms_text || !ms_end || *ms_end || ms < 0 || ms > 600000 || strtok_r(NULL, " \t\r", &save)) {
			snprintf(answer, size, "error usage: latency CLUSTER API_KEY MS (0 to 600000)");
		} else if (kdr_sandbox_set_latency(ctl->sandbox, cluster, (int)id, (int)ms) != 0) {
			snprintf(answer, size, "error %s", kdr_error_message());
		} else {
			snprintf(answer, size, "ok");
			if (ms > 0 && ctl->n_slow < sizeof(ctl->slow) / sizeof(ctl->slow[0])) {
				ctl->slow[ctl->n_slow].cluster = kdr_strdup(cluster);
				ctl->slow[ctl->n_slow++].api_key = (int)id;
			}
		}
	} else if (verb && (strcmp(verb, "broker-down") == 0 || strcmp(verb, "broker-up") == 0) && id_text &&
		   end && !*end && id > 0 && id < 65536) {
		bool down = strcmp(verb, "broker-down") == 0;
		int rc = down ? kdr_sandbox_broker_down(ctl->sandbox, cluster, (int32_t)id)
			      : kdr_sandbox_broker_up(ctl->sandbox, cluster, (int32_t)id);

		if (rc != 0) {
			snprintf(answer, size, "error %s", kdr_error_message());
		} else {
			snprintf(answer, size, "ok");
			for (size_t i = 0; !down && i < ctl->n_down; i++)
				if (strcmp(ctl->down[i].cluster, cluster) == 0 && ctl->down[i].id == (int32_t)id) {
					free(ctl->down[i].cluster);
					ctl->down[i] = ctl->down[--ctl->n_down];
					break;
				}
			if (down && ctl->n_down < sizeof(ctl->down) / sizeof(ctl->down[0])) {
				ctl->down[ctl->n_down].cluster = kdr_strdup(cluster);
				ctl->down[ctl->n_down++].id = (int32_t)id;
			}
		}
	} else if (verb && strcmp(verb, "connect-fail-task-again") == 0 && id_text) {
		/* connect-fail-task-again CLUSTER CONNECTOR TASK AFTER_MS TRACE: id_text is the connector. */
		char *task_text = strtok_r(NULL, " \t\r", &save);
		char *after_text = task_text ? strtok_r(NULL, " \t\r", &save) : NULL;
		char *task_end = NULL, *after_end = NULL;
		long task = task_text ? strtol(task_text, &task_end, 10) : -1;
		long after = after_text ? strtol(after_text, &after_end, 10) : -1;
		const char *trace = save ? save + strspn(save, " \t") : NULL;

		if (!task_end || *task_end || task < 0 || task > 65535 || !after_end || *after_end || after < 0 ||
		    after > 600000 || !trace || !*trace)
			snprintf(answer, size, "error usage: connect-fail-task-again CLUSTER CONNECTOR TASK AFTER_MS TRACE");
		else if (kdr_sandbox_connect_fail_task_again(ctl->sandbox, cluster, id_text, (int)task, trace, (int)after) != 0)
			snprintf(answer, size, "error %s", kdr_error_message());
		else
			snprintf(answer, size, "ok");
	} else if (verb && strcmp(verb, "connect-fail-connector") == 0 && id_text) {
		/* connect-fail-connector CLUSTER CONNECTOR TRACE: id_text is the connector. */
		const char *trace = save ? save + strspn(save, " \t") : NULL;

		if (!trace || !*trace)
			snprintf(answer, size, "error usage: connect-fail-connector CLUSTER CONNECTOR TRACE");
		else if (kdr_sandbox_connect_fail_connector(ctl->sandbox, cluster, id_text, trace) != 0)
			snprintf(answer, size, "error %s", kdr_error_message());
		else
			snprintf(answer, size, "ok");
	} else if (verb && (strcmp(verb, "connect-down") == 0 || strcmp(verb, "connect-up") == 0)) {
		snprintf(answer, size, "error kdr-sandbox cannot kill its Connect worker (its state is in memory)");
	} else {
		snprintf(answer, size, "error unknown command (broker-down|broker-up CLUSTER ID, latency CLUSTER API_KEY MS, connect-delay CLUSTER MS, connect-fail-task-again CLUSTER CONNECTOR TASK AFTER_MS TRACE, connect-fail-connector CLUSTER CONNECTOR TRACE, all-up, ping)");
	}
}

static void *control_serve(void *arg)
{
	struct control *ctl = arg;

	for (;;) {
		int conn = accept(ctl->fd, NULL, NULL);
		char buf[1024];
		size_t got = 0;

		if (conn < 0) {
			if (errno == EINTR)
				continue;
			return NULL; /* the socket was shut down: stopping */
		}
		for (;;) {
			ssize_t n = recv(conn, buf + got, sizeof(buf) - 1 - got, 0);
			char *nl = NULL;

			if (n <= 0)
				break;
			got += (size_t)n;
			buf[got] = '\0';
			while ((nl = memchr(buf, '\n', got)) != NULL) {
				char answer[600] = "";
				size_t used = (size_t)(nl - buf) + 1;

				*nl = '\0';
				control_answer(ctl, buf, answer, sizeof(answer) - 1);
				fprintf(stderr, "kdr-sandbox: control: -> %s\n", answer);
				strcat(answer, "\n");
				send(conn, answer, strlen(answer), MSG_NOSIGNAL);
				memmove(buf, buf + used, got - used);
				got -= used;
			}
			if (got == sizeof(buf) - 1)
				break; /* a line too long: drop the connection */
		}
		close(conn);
	}
}

static int control_start(struct control *ctl, struct kdr_sandbox *sandbox)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	memset(ctl, 0, sizeof(*ctl));
	ctl->sandbox = sandbox;
	ctl->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ctl->fd < 0 || bind(ctl->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(ctl->fd, 4) != 0 ||
	    getsockname(ctl->fd, (struct sockaddr *)&addr, &len) != 0) {
		fprintf(stderr, "kdr-sandbox: control channel: %s\n", strerror(errno));
		if (ctl->fd >= 0)
			close(ctl->fd);
		ctl->fd = -1;
		return -1;
	}
	ctl->port = ntohs(addr.sin_port);
	if (pthread_create(&ctl->thread, NULL, control_serve, ctl) != 0) {
		close(ctl->fd);
		ctl->fd = -1;
		return -1;
	}
	ctl->running = true;
	return 0;
}

static void control_stop(struct control *ctl)
{
	if (!ctl->running)
		return;
	shutdown(ctl->fd, SHUT_RDWR);
	pthread_join(ctl->thread, NULL);
	close(ctl->fd);
	for (size_t i = 0; i < ctl->n_down; i++)
		free(ctl->down[i].cluster);
	for (size_t i = 0; i < ctl->n_slow; i++)
		free(ctl->slow[i].cluster);
	for (size_t i = 0; i < ctl->n_lagging; i++)
		free(ctl->lagging[i]);
	ctl->running = false;
}

static int write_ready_file(struct kdr_sandbox *sandbox, const struct config *cfg, const char *path, int control_port)
{
	struct kdr_buf json = KDR_BUF_INIT;
	int rc = 0;

	kdr_buf_puts(&json, "{\"clusters\": {");
	for (size_t i = 0; i < cfg->n; i++) {
		const char *name = cfg->specs[i].name;
		const char *connect = kdr_sandbox_connect_url(sandbox, name);

		kdr_buf_puts(&json, i ? ", " : "");
		kdr_buf_put_json_string(&json, name);
		kdr_buf_puts(&json, ": {\"bootstrap\": ");
		kdr_buf_put_json_string(&json, kdr_sandbox_bootstrap(sandbox, name));
		kdr_buf_puts(&json, ", \"connect\": ");
		if (connect)
			kdr_buf_put_json_string(&json, connect);
		else
			kdr_buf_puts(&json, "null");
		kdr_buf_puts(&json, ", \"clusterId\": ");
		kdr_buf_put_json_string(&json, kdr_sandbox_cluster_id(sandbox, name));
		kdr_buf_puts(&json, "}");
	}
	kdr_buf_printf(&json, "}, \"control\": \"127.0.0.1:%d\"}\n", control_port);
	rc = write_atomically(path, &json);
	kdr_buf_release(&json);
	return rc;
}

/* Temporary file + rename: a reader sees the whole file or none. */
static int write_atomically(const char *path, const struct kdr_buf *text)
{
	char *tmp = kdr_asprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = NULL;
	int rc = -1;

	f = fopen(tmp, "wb");
	if (!f || fwrite(text->ptr, 1, text->len, f) != text->len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fprintf(stderr, "kdr-sandbox: cannot write %s: %s\n", tmp, strerror(errno));
		goto cleanup;
	}
	if (fclose(f) != 0) {
		f = NULL;
		fprintf(stderr, "kdr-sandbox: cannot write %s: %s\n", tmp, strerror(errno));
		goto cleanup;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "kdr-sandbox: cannot rename %s to %s: %s\n", tmp, path, strerror(errno));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (f)
		fclose(f);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: kdr-sandbox --config FILE [--ready-file FILE] [--emit-clusters FILE]\n"
		     "Runs fake Kafka clusters (and Connect workers) on 127.0.0.1 until SIGTERM/SIGINT.\n"
		     "--emit-clusters FILE writes a KafkaCluster document per cluster (kdr's desired-state\n"
		     "format) with the addresses it started, before the ready file.\n"
		     "See tests/sandbox/README.md for the configuration format.\n");
}

int main(int argc, char **argv)
{
	struct config *cfg = kdr_calloc(1, sizeof(*cfg));
	struct kdr_sandbox *sandbox = NULL;
	const char *config_file = NULL;
	const char *ready_file = NULL;
	const char *clusters_file = NULL;
	sigset_t signals;
	struct control control;
	int sig = 0;
	int code = EXIT_OK;

	memset(&control, 0, sizeof(control));

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			goto cleanup;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_file = argv[++i];
		} else if (strcmp(argv[i], "--ready-file") == 0 && i + 1 < argc) {
			ready_file = argv[++i];
		} else if (strcmp(argv[i], "--emit-clusters") == 0 && i + 1 < argc) {
			clusters_file = argv[++i];
		} else {
			fprintf(stderr, "kdr-sandbox: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			code = EXIT_USAGE;
			goto cleanup;
		}
	}
	if (!config_file) {
		usage(stderr);
		code = EXIT_USAGE;
		goto cleanup;
	}
	if (load_config(cfg, config_file) != 0) {
		code = EXIT_CONFIG;
		goto cleanup;
	}

	/* Block the stop signals before any thread exists, so that only sigwait below sees them. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (kdr_sandbox_start(&sandbox, cfg->specs, cfg->n) != 0) {
		fprintf(stderr, "kdr-sandbox: %s\n", kdr_error_message());
		code = kdr_error_last() == KDR_EINVALID ? EXIT_CONFIG : EXIT_FAILURE_RUNTIME;
		goto cleanup;
	}
	if (clusters_file && write_clusters_file(sandbox, cfg, clusters_file) != 0) {
		code = EXIT_FAILURE_RUNTIME;
		goto cleanup;
	}
	if (control_start(&control, sandbox) != 0) {
		code = EXIT_FAILURE_RUNTIME;
		goto cleanup;
	}
	if (ready_file && write_ready_file(sandbox, cfg, ready_file, control.port) != 0) {
		code = EXIT_FAILURE_RUNTIME;
		goto cleanup;
	}
	if (kdr_sandbox_connect_start_state_delay(sandbox) > 0)
		fprintf(stderr,
			"kdr-sandbox: Connect workers apply pause/resume/stop and config updates %d ms after answering "
			"(KDR_SANDBOX_CONNECT_DELAY_MS)\n",
			kdr_sandbox_connect_start_state_delay(sandbox));
	for (size_t i = 0; i < cfg->n; i++) {
		const char *name = cfg->specs[i].name;
		const char *connect = kdr_sandbox_connect_url(sandbox, name);

		printf("%s bootstrap=%s connect=%s clusterId=%s\n", name, kdr_sandbox_bootstrap(sandbox, name),
		       connect ? connect : "-", kdr_sandbox_cluster_id(sandbox, name));
	}
	fflush(stdout);
	while (sigwait(&signals, &sig) != 0) {
	}
cleanup:
	control_stop(&control);
	kdr_sandbox_stop(sandbox);
	if (cfg->loaded)
		yaml_document_delete(&cfg->doc);
	free(cfg);
	return code;
}
