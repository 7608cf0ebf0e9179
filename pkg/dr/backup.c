/*
 * kdr backup: a live cluster -> the files of a backup directory (backup.h,
 * docs/backup-format.md). Deterministic: every list is written in a sorted
 * order and nothing depends on the time except manifest.json's createdAt.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dr/backup.h"
#include "dr/dr_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

#define DNS_LABEL_MAX 63

void kdr_dr_files_add_take(struct kdr_dr_files *files, const char *path, struct kdr_buf *data)
{
	struct kdr_dr_file *file = NULL;

	files->v = kdr_grow(files->v, &files->cap, files->n + 1, sizeof(*files->v));
	file = &files->v[files->n++];
	file->path = kdr_strdup(path);
	file->data = *data;
	kdr_buf_init(data);
}

const struct kdr_dr_file *kdr_dr_files_find(const struct kdr_dr_files *files, const char *path)
{
	for (size_t i = 0; i < files->n; i++)
		if (strcmp(files->v[i].path, path) == 0)
			return &files->v[i];
	return NULL;
}

void kdr_dr_files_release(struct kdr_dr_files *files)
{
	for (size_t i = 0; i < files->n; i++) {
		free(files->v[i].path);
		kdr_buf_release(&files->v[i].data);
	}
	free(files->v);
	memset(files, 0, sizeof(*files));
}

/* --- names --- */

/* A DNS-1123 label made of `text` (lowercased, other characters as '-'), at most `max` long. */
static void put_label(struct kdr_buf *buf, const char *text, size_t max)
{
	size_t start = buf->len;

	for (const char *p = text; *p && buf->len - start < max; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (buf->len == 0 || buf->ptr[buf->len - 1] == '-'))
			continue;
		kdr_buf_putc(buf, c);
	}
	while (buf->len > 0 && buf->ptr[buf->len - 1] == '-')
		kdr_buf_truncate(buf, buf->len - 1);
}

char *kdr_dr_backup_policy_name(const char *cluster)
{
	struct kdr_buf buf = KDR_BUF_INIT;

	kdr_buf_puts(&buf, "backup-");
	put_label(&buf, cluster, DNS_LABEL_MAX - buf.len);
	return kdr_buf_detach(&buf);
}

/*
 * "backup-<cluster>-<principal>": a label; when the principal does not
 * survive the mapping unchanged or the name is taken, a hash of the
 * principal makes it unique.
 */
static char *access_policy_name(const char *cluster, const char *principal, const struct kdr_strvec *taken)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	char *base = kdr_dr_backup_policy_name(cluster);

	kdr_buf_puts(&buf, base);
	kdr_buf_putc(&buf, '-');
	put_label(&buf, principal, DNS_LABEL_MAX - 9 - buf.len);
	if (kdr_strvec_contains(taken, buf.ptr) || buf.len > DNS_LABEL_MAX - 9) {
		kdr_buf_truncate(&buf, buf.len > DNS_LABEL_MAX - 9 ? DNS_LABEL_MAX - 9 : buf.len);
		while (buf.len > 0 && buf.ptr[buf.len - 1] == '-')
			kdr_buf_truncate(&buf, buf.len - 1);
		kdr_buf_printf(&buf, "-%08x", (unsigned)(kdr_hash64_str(principal) & 0xffffffffu));
	}
	free(base);
	return kdr_buf_detach(&buf);
}

/* --- YAML: every scalar that is not a number or a keyword is a double-quoted (JSON) string --- */

static void put_str(struct kdr_buf *buf, const char *s)
{
	kdr_buf_put_json_string(buf, s ? s : "");
}

static bool internal_topic(const struct kdr_live_topic *topic)
{
	return topic->internal || strncmp(topic->name, "__", 2) == 0;
}

static size_t topic_rf(const struct kdr_live_topic *topic)
{
	return topic->n_partitions ? topic->partitions[0].replicas.n : 0;
}

struct counts {
	size_t topics, partitions, topic_configs;
	size_t bindings, access_policies;
	size_t groups, group_offsets;
	size_t broker_configs;
	size_t connectors;
	size_t data_files, records;
	json_t *skipped; /* array of strings */
};

static void skip(struct counts *counts, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void skip(struct counts *counts, const char *fmt, ...)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	kdr_buf_vprintf(&buf, fmt, ap);
	va_end(ap);
	json_array_append_new(counts->skipped, json_string(buf.ptr));
	kdr_buf_release(&buf);
}

static void put_header(struct kdr_buf *buf, const struct kdr_dr_backup_info *info, const char *what)
{
	kdr_buf_printf(buf, "# Written by 'kdr backup' (kdr %s): %s of cluster ", info->kdr_version, what);
	put_str(buf, info->cluster);
	kdr_buf_puts(buf, ".\n# kdr can apply these documents as they are ('kdr restore', or 'kdr plan' to adopt).\n");
}

static void render_topics(struct kdr_buf *buf, const struct kdr_live_cluster *cl,
			  const struct kdr_dr_backup_info *info, struct counts *counts)
{
	char *name = kdr_dr_backup_policy_name(info->cluster);
	bool any = false;

	put_header(buf, info, "the topics");
	for (size_t t = 0; t < cl->n_topics && !any; t++)
		any = !internal_topic(&cl->topics[t]) && cl->topics[t].n_partitions > 0;
	if (!any) {
		kdr_buf_puts(buf, "# (no topics)\n");
		free(name);
		return;
	}
	kdr_buf_printf(buf, "apiVersion: %s\nkind: TopicPolicy\nmetadata:\n  name: %s\nspec:\n  clusters: [", KDR_API_VERSION,
		       name);
	put_str(buf, info->cluster);
	kdr_buf_puts(buf, "]\n  topics:\n");
	for (size_t t = 0; t < cl->n_topics; t++) {
		const struct kdr_live_topic *topic = &cl->topics[t];

		if (internal_topic(topic) || topic->n_partitions == 0)
			continue;
		counts->topics++;
		counts->partitions += topic->n_partitions;
		kdr_buf_puts(buf, "    - name: ");
		put_str(buf, topic->name);
		kdr_buf_printf(buf, "\n      partitions: %zu\n      replicationFactor: %zu\n", topic->n_partitions,
			       topic_rf(topic));
		for (size_t p = 1; p < topic->n_partitions; p++)
			if (topic->partitions[p].replicas.n != topic_rf(topic)) {
				skip(counts, "topic '%s': partitions have different replica counts; restore checks them "
					     "against partition 0's (%zu)",
				     topic->name, topic_rf(topic));
				break;
			}
		bool configs = false;

		for (size_t c = 0; c < topic->n_configs; c++) {
			const struct kdr_live_config *config = &topic->configs[c];

			if (config->source != KDR_CONFIG_SOURCE_DYNAMIC_TOPIC)
				continue;
			if (!config->value || config->sensitive) {
				skip(counts, "topic '%s': config '%s' is sensitive; its value is not written", topic->name,
				     config->name);
				continue;
			}
			if (!configs)
				kdr_buf_puts(buf, "      config:\n");
			configs = true;
			counts->topic_configs++;
			kdr_buf_puts(buf, "        ");
			put_str(buf, config->name);
			kdr_buf_puts(buf, ": ");
			put_str(buf, config->value);
			kdr_buf_putc(buf, '\n');
		}
	}
	/* Exactly where the replicas are; on other brokers kdr places them (fallback). */
	kdr_buf_puts(buf, "  placement:\n    strategy: static\n    fallback: rack-aware\n    assignments:\n");
	for (size_t t = 0; t < cl->n_topics; t++) {
		const struct kdr_live_topic *topic = &cl->topics[t];

		if (internal_topic(topic) || topic->n_partitions == 0)
			continue;
		kdr_buf_puts(buf, "      ");
		put_str(buf, topic->name);
		kdr_buf_puts(buf, ": [");
		for (size_t p = 0; p < topic->n_partitions; p++) {
			const struct kdr_replica_list *replicas = &topic->partitions[p].replicas;

			kdr_buf_puts(buf, p ? ", [" : "[");
			for (size_t r = 0; r < replicas->n; r++)
				kdr_buf_printf(buf, "%s%d", r ? ", " : "", (int)replicas->ids[r]);
			kdr_buf_putc(buf, ']');
		}
		kdr_buf_puts(buf, "]\n");
	}
	free(name);
}

/* --- ACLs --- */

/*
 * What an AccessPolicy can declare and kdr can apply: not delegation-token
 * and user resources nor the token operations, and not transactional-id
 * bindings (librdkafka 2.0.2 cannot create them; validation refuses them).
 */
static bool declarable(const struct kdr_acl *acl)
{
	return acl->resource_type < KDR_ACL_N_DECLARABLE_TYPES && acl->resource_type != KDR_ACL_TRANSACTIONAL_ID &&
	       acl->operation < KDR_ACL_OP_CREATE_TOKENS;
}

/* Grant order: principal, resource (type, name, pattern), permission, host, then operation. */
static int compare_grant_order(const void *pa, const void *pb)
{
	const struct kdr_acl *a = *(const struct kdr_acl *const *)pa, *b = *(const struct kdr_acl *const *)pb;
	int c = strcmp(a->principal, b->principal);

	if (c == 0)
		c = (int)a->resource_type - (int)b->resource_type;
	if (c == 0)
		c = strcmp(a->resource_name, b->resource_name);
	if (c == 0)
		c = (int)a->pattern - (int)b->pattern;
	if (c == 0)
		c = (int)a->permission - (int)b->permission;
	if (c == 0)
		c = strcmp(a->host, b->host);
	if (c == 0)
		c = (int)a->operation - (int)b->operation;
	return c;
}

static bool same_grant(const struct kdr_acl *a, const struct kdr_acl *b)
{
	return strcmp(a->principal, b->principal) == 0 && a->resource_type == b->resource_type &&
	       strcmp(a->resource_name, b->resource_name) == 0 && a->pattern == b->pattern &&
	       a->permission == b->permission && strcmp(a->host, b->host) == 0;
}

static void put_grant(struct kdr_buf *buf, const struct kdr_acl *const *acls, size_t n)
{
	const struct kdr_acl *first = acls[0];

	kdr_buf_puts(buf, "    - principal: ");
	put_str(buf, first->principal);
	kdr_buf_printf(buf, "\n      resource: {type: %s", kdr_acl_resource_type_name(first->resource_type));
	if (first->resource_type != KDR_ACL_CLUSTER || strcmp(first->resource_name, KDR_ACL_CLUSTER_NAME) != 0) {
		kdr_buf_puts(buf, ", name: ");
		put_str(buf, first->resource_name);
	}
	kdr_buf_puts(buf, "}\n");
	if (first->pattern != KDR_ACL_LITERAL)
		kdr_buf_printf(buf, "      pattern: %s\n", kdr_acl_pattern_name(first->pattern));
	kdr_buf_puts(buf, "      operations: [");
	for (size_t i = 0; i < n; i++)
		kdr_buf_printf(buf, "%s%s", i ? ", " : "", kdr_acl_operation_name(acls[i]->operation));
	kdr_buf_puts(buf, "]\n");
	if (first->permission != KDR_ACL_ALLOW)
		kdr_buf_printf(buf, "      permission: %s\n", kdr_acl_permission_name(first->permission));
	if (strcmp(first->host, KDR_ACL_WILDCARD) != 0) {
		kdr_buf_puts(buf, "      host: ");
		put_str(buf, first->host);
		kdr_buf_putc(buf, '\n');
	}
}

static void render_acls(struct kdr_buf *buf, const struct kdr_live_cluster *cl, const struct kdr_dr_backup_info *info,
			struct counts *counts)
{
	const struct kdr_acl **order = kdr_calloc(cl->acls.n + 1, sizeof(*order));
	struct kdr_strvec names = KDR_STRVEC_INIT;
	size_t n = 0;

	put_header(buf, info, "the ACLs (one AccessPolicy per principal; it owns every binding of its principal)");
	if (cl->acls_no_authorizer)
		kdr_buf_puts(buf, "# (the cluster has no authorizer: it has no ACLs)\n");
	else if (!cl->acls_read)
		kdr_buf_puts(buf, "# (the ACLs were not read)\n");
	for (size_t i = 0; cl->acls_read && i < cl->acls.n; i++) {
		const struct kdr_acl *acl = &cl->acls.v[i];

		if (declarable(acl)) {
			order[n++] = acl;
			continue;
		}
		char *text = kdr_acl_to_string(acl);

		skip(counts, "ACL '%s': an AccessPolicy cannot declare %s bindings", text,
		     acl->resource_type >= KDR_ACL_N_DECLARABLE_TYPES || acl->resource_type == KDR_ACL_TRANSACTIONAL_ID
			 ? kdr_acl_resource_type_name(acl->resource_type)
			 : kdr_acl_operation_name(acl->operation));
		free(text);
	}
	qsort(order, n, sizeof(*order), compare_grant_order);
	for (size_t i = 0; i < n;) {
		size_t end = i;
		char *name = NULL;

		while (end < n && strcmp(order[end]->principal, order[i]->principal) == 0)
			end++;
		name = access_policy_name(info->cluster, order[i]->principal, &names);
		kdr_strvec_push(&names, name);
		counts->access_policies++;
		kdr_buf_printf(buf, "---\napiVersion: %s\nkind: AccessPolicy\nmetadata:\n  name: %s\nspec:\n  clusters: [",
			       KDR_API_VERSION, name);
		put_str(buf, info->cluster);
		kdr_buf_puts(buf, "]\n  grants:\n");
		for (size_t g = i; g < end;) {
			size_t g_end = g;

			while (g_end < end && same_grant(order[g_end], order[g]))
				g_end++;
			put_grant(buf, &order[g], g_end - g);
			counts->bindings += g_end - g;
			g = g_end;
		}
		free(name);
		i = end;
	}
	kdr_strvec_release(&names);
	free(order);
}

/* --- JSON files --- */

static void dump_json(struct kdr_buf *buf, json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);

	kdr_buf_puts(buf, text);
	kdr_buf_putc(buf, '\n');
	free(text);
	json_decref(root);
}

/* A JSON file of the backup starts with its format tag (version 1) and the cluster it is of. */
static json_t *file_root(const char *format, const struct kdr_dr_backup_info *info)
{
	json_t *root = json_object();

	json_object_set_new(root, format, json_integer(1));
	json_object_set_new(root, "cluster", json_string(info->cluster));
	return root;
}

/* The configs of one source of a broker, as an object; a sensitive value (NULL) is written redacted. */
static json_t *broker_configs(const struct kdr_strmap *configs, struct counts *counts)
{
	json_t *into = json_object();

	for (size_t i = 0; i < configs->n; i++) {
		const struct kdr_strmap_entry *e = &configs->v[i];

		json_object_set_new(into, e->key, json_string(e->value ? e->value : KDR_REDACTED));
		counts->broker_configs++;
	}
	return into;
}

static void render_groups(struct kdr_buf *buf, const struct kdr_live_cluster *cl,
			  const struct kdr_dr_backup_info *info, struct counts *counts)
{
	json_t *root = file_root("kdrGroups", info), *groups = json_array();

	json_object_set_new(root, "offsetsRead", json_boolean(cl->groups_read && cl->group_offsets_read));
	for (size_t g = 0; g < cl->n_groups; g++) {
		const struct kdr_live_group *group = &cl->groups[g];
		json_t *entry = NULL, *offsets = NULL;

		if (group->n_offsets == 0) {
			skip(counts, "group '%s': no committed offsets", group->id);
			continue;
		}
		entry = json_object();
		offsets = json_array();
		for (size_t o = 0; o < group->n_offsets; o++) {
			const struct kdr_live_group_offset *off = &group->offsets[o];

			json_array_append_new(offsets, json_pack("{s:s, s:i, s:I, s:s}", "topic", off->topic, "partition",
								 (int)off->partition, "offset", (json_int_t)off->offset,
								 "metadata", off->metadata ? off->metadata : ""));
			counts->group_offsets++;
		}
		json_object_set_new(entry, "id", json_string(group->id));
		json_object_set_new(entry, "offsets", offsets);
		json_array_append_new(groups, entry);
		counts->groups++;
	}
	json_object_set_new(root, "groups", groups);
	dump_json(buf, root);
}

static void render_brokers(struct kdr_buf *buf, const struct kdr_live_cluster *cl,
			   const struct kdr_dr_backup_info *info, struct counts *counts)
{
	json_t *root = file_root("kdrBrokerConfigs", info), *brokers = json_object();

	for (size_t b = 0; b < cl->n_brokers; b++) {
		const struct kdr_live_broker *broker = &cl->brokers[b];
		json_t *entry = json_object();
		char id[16];

		json_object_set_new(entry, "dynamic", broker_configs(&broker->dynamic_configs, counts));
		json_object_set_new(entry, "clusterDefault", broker_configs(&broker->default_configs, counts));
		json_object_set_new(entry, "rack", broker->rack ? json_string(broker->rack) : json_null());
		snprintf(id, sizeof(id), "%d", (int)broker->id);
		json_object_set_new(brokers, id, entry);
	}
	json_object_set_new(root, "brokers", brokers);
	dump_json(buf, root);
}

static void render_connectors(struct kdr_buf *buf, const struct kdr_live_cluster *cl,
			      const struct kdr_dr_backup_info *info, struct counts *counts)
{
	json_t *root = file_root("kdrConnectors", info), *connectors = json_array();

	json_object_set_new(root, "connectRead", json_boolean(cl->connect.present));
	for (size_t i = 0; i < cl->connect.n_connectors; i++) {
		const struct kdr_live_connector *conn = &cl->connect.connectors[i];
		json_t *entry = json_object(), *config = json_object();

		for (size_t k = 0; k < conn->config.n; k++) {
			const struct kdr_strmap_entry *e = &conn->config.v[k];
			/*
			 * Secrets never reach a backup: credential keys whatever their value, and any
			 * value that spells a password out (a JAAS line under a key of its own).
			 */
			bool secret = kdr_config_key_is_sensitive(e->key) || (e->value && strcasestr(e->value, "password"));

			json_object_set_new(config, e->key, json_string(secret || !e->value ? KDR_REDACTED : e->value));
		}
		json_object_set_new(entry, "name", json_string(conn->name));
		json_object_set_new(entry, "type", conn->type ? json_string(conn->type) : json_null());
		json_object_set_new(entry, "config", config);
		json_array_append_new(connectors, entry);
		counts->connectors++;
	}
	json_object_set_new(root, "connectors", connectors);
	dump_json(buf, root);
}

static void render_manifest(struct kdr_buf *buf, const struct kdr_live_cluster *cl,
			    const struct kdr_dr_backup_info *info, struct counts *counts, const struct kdr_dr_files *files)
{
	json_t *root = file_root("kdrBackup", info), *c = json_object(), *list = json_array();

	json_object_set_new(root, "clusterId", cl->cluster_id ? json_string(cl->cluster_id) : json_null());
	json_object_set_new(root, "kdrVersion", json_string(info->kdr_version));
	json_object_set_new(root, "createdAt", json_string(info->created_at ? info->created_at : ""));
	json_object_set_new(root, "data", info->data_regex ? json_string(info->data_regex) : json_null());
	json_object_set_new(c, "topics", json_integer((json_int_t)counts->topics));
	json_object_set_new(c, "partitions", json_integer((json_int_t)counts->partitions));
	json_object_set_new(c, "topicConfigs", json_integer((json_int_t)counts->topic_configs));
	json_object_set_new(c, "aclBindings", json_integer((json_int_t)counts->bindings));
	json_object_set_new(c, "accessPolicies", json_integer((json_int_t)counts->access_policies));
	json_object_set_new(c, "groups", json_integer((json_int_t)counts->groups));
	json_object_set_new(c, "groupOffsets", json_integer((json_int_t)counts->group_offsets));
	json_object_set_new(c, "brokers", json_integer((json_int_t)cl->n_brokers));
	json_object_set_new(c, "brokerConfigs", json_integer((json_int_t)counts->broker_configs));
	json_object_set_new(c, "connectors", json_integer((json_int_t)counts->connectors));
	json_object_set_new(c, "dataFiles", json_integer((json_int_t)counts->data_files));
	json_object_set_new(c, "records", json_integer((json_int_t)counts->records));
	json_object_set_new(root, "counts", c);
	json_object_set_new(root, "aclsRead", json_boolean(cl->acls_read));
	if (cl->acls_no_authorizer)
		json_object_set_new(root, "aclsNoAuthorizer", json_true());
	if (!cl->acls_read && cl->acls_error)
		json_object_set_new(root, "aclsError", json_string(cl->acls_error));
	struct kdr_strvec paths = KDR_STRVEC_INIT;

	for (size_t i = 0; i < files->n; i++)
		kdr_strvec_push(&paths, files->v[i].path);
	kdr_strvec_push(&paths, "manifest.json");
	kdr_strvec_sort(&paths);
	for (size_t i = 0; i < paths.n; i++)
		json_array_append_new(list, json_string(paths.v[i]));
	kdr_strvec_release(&paths);
	json_object_set_new(root, "files", list);
	json_object_set_new(root, "skipped", json_incref(counts->skipped));
	dump_json(buf, root);
}

static int compare_files(const void *pa, const void *pb)
{
	const struct kdr_dr_file *a = pa, *b = pb;

	return strcmp(a->path, b->path);
}

void kdr_dr_backup_render(struct kdr_dr_files *out, const struct kdr_live_cluster *cl,
			  const struct kdr_dr_backup_info *info, const struct kdr_dr_partition_records *data,
			  size_t n_data)
{
	struct counts counts = { 0 };
	struct kdr_buf buf = KDR_BUF_INIT, sums = KDR_BUF_INIT;

	memset(out, 0, sizeof(*out));
	counts.skipped = json_array();
	render_topics(&buf, cl, info, &counts);
	kdr_dr_files_add_take(out, "topics.yaml", &buf);
	render_acls(&buf, cl, info, &counts);
	kdr_dr_files_add_take(out, "acls.yaml", &buf);
	render_groups(&buf, cl, info, &counts);
	kdr_dr_files_add_take(out, "groups.json", &buf);
	render_brokers(&buf, cl, info, &counts);
	kdr_dr_files_add_take(out, "brokers.json", &buf);
	render_connectors(&buf, cl, info, &counts);
	kdr_dr_files_add_take(out, "connectors.json", &buf);
	for (size_t i = 0; i < n_data; i++) {
		char *path = kdr_dr_records_path(data[i].topic, data[i].partition);
		char hex[65];

		kdr_dr_records_encode(&buf, &data[i]);
		kdr_dr_sha256_hex(hex, buf.ptr, buf.len);
		kdr_buf_printf(&sums, "%s  %s\n", hex, path + strlen("data/"));
		kdr_dr_files_add_take(out, path, &buf);
		counts.data_files++;
		counts.records += data[i].n;
		free(path);
	}
	if (n_data)
		kdr_dr_files_add_take(out, "data/SHA256SUMS", &sums);
	render_manifest(&buf, cl, info, &counts, out);
	kdr_dr_files_add_take(out, "manifest.json", &buf);
	qsort(out->v, out->n, sizeof(*out->v), compare_files);
	json_decref(counts.skipped);
	kdr_buf_release(&sums);
}

/* --- a backup's files back --- */

int kdr_dr__backup_file_load(json_t **root, json_t **content, const char *text, size_t len, const char *label,
			     const struct kdr_dr__backup_file *file)
{
	json_error_t jerr;

	*content = NULL;
	*root = json_loadb(text, len, 0, &jerr);
	if (!*root)
		return kdr_error_set(KDR_EINVALID, "%s:%d:%d: %s", label, jerr.line, jerr.column, jerr.text);
	*content = json_object_get(*root, file->key);
	if (json_integer_value(json_object_get(*root, file->version_key)) != 1 || !*content ||
	    json_typeof(*content) != file->type) {
		json_decref(*root);
		*root = NULL;
		*content = NULL;
		return kdr_error_set(KDR_EINVALID, "%s: not a kdr backup's %s (%s)", label, file->name, file->shape);
	}
	return 0;
}

static const struct kdr_dr__backup_file groups_file = { "groups.json", "kdrGroups", "groups", JSON_ARRAY,
							 "kdrGroups 1 with a groups list" };

int kdr_dr_backup_groups_decode(struct kdr_live_cluster *out, const char *text, size_t len, const char *label)
{
	json_t *root = NULL, *groups = NULL, *group = NULL;
	size_t g = 0;
	int error = kdr_dr__backup_file_load(&root, &groups, text, len, label, &groups_file);

	if (error)
		return error;
	json_array_foreach(groups, g, group) {
		const char *id = json_string_value(json_object_get(group, "id"));
		json_t *offsets = json_object_get(group, "offsets"), *off = NULL;
		struct kdr_live_group *lg = NULL;
		size_t o = 0;

		if (!id || !json_is_array(offsets)) {
			error = kdr_error_set(KDR_EINVALID, "%s: groups[%zu]: needs an id and an offsets list", label, g);
			goto cleanup;
		}
		lg = kdr_live_cluster_add_group(out, id);
		json_array_foreach(offsets, o, off) {
			const char *topic = json_string_value(json_object_get(off, "topic"));
			json_t *partition = json_object_get(off, "partition"), *offset = json_object_get(off, "offset");

			if (!topic || !json_is_integer(partition) || !json_is_integer(offset) ||
			    json_integer_value(partition) < 0 || json_integer_value(partition) > INT32_MAX ||
			    json_integer_value(offset) < 0) {
				error = kdr_error_set(KDR_EINVALID,
						      "%s: group '%s': offsets[%zu]: needs a topic, a partition >= 0 and "
						      "an offset >= 0",
						      label, id, o);
				goto cleanup;
			}
			kdr_live_group_add_offset(lg, topic, (int32_t)json_integer_value(partition),
						  (int64_t)json_integer_value(offset),
						  json_string_value(json_object_get(off, "metadata")));
		}
	}
	out->groups_read = out->group_offsets_read = true;
	kdr_live_cluster_sort(out);
cleanup:
	if (error)
		kdr_live_cluster_groups_release(out);
	json_decref(root);
	return error;
}

/* --- restore --offsets --- */

static void add_row(struct kdr_dr_restore_offsets *out, size_t *cap, const char *group,
		    const struct kdr_live_group_offset *off, int64_t current, int64_t end)
{
	struct kdr_dr_restore_row *row = NULL;

	out->rows = kdr_grow(out->rows, cap, out->n + 1, sizeof(*out->rows));
	row = &out->rows[out->n++];
	memset(row, 0, sizeof(*row));
	row->group = kdr_strdup(group);
	row->topic = kdr_strdup(off->topic);
	row->partition = off->partition;
	row->offset = off->offset;
	row->current = current;
	row->end = end;
	row->metadata = kdr_strdup(off->metadata ? off->metadata : "");
}

static void refuse(struct kdr_dr_restore_row *row, char *reason)
{
	row->verdict = KDR_DR_RESTORE_REFUSED;
	row->reason = reason;
}

void kdr_dr_restore_offsets_decide(struct kdr_dr_restore_offsets *out, const struct kdr_live_cluster *backup,
				   const struct kdr_live_cluster *live, const struct kdr_dr_offsets *ends)
{
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	for (size_t g = 0; g < backup->n_groups; g++) {
		const struct kdr_live_group *group = &backup->groups[g];
		const struct kdr_live_group *now = kdr_live_group_find(live, group->id);
		bool active = kdr_live_group_active(now);

		for (size_t o = 0; o < group->n_offsets; o++) {
			const struct kdr_live_group_offset *off = &group->offsets[o];
			const struct kdr_live_group_offset *have =
			    now ? kdr_live_group_offset_find(now, off->topic, off->partition) : NULL;
			const struct kdr_dr_offset *end = kdr_dr_offsets_find(ends, off->topic, off->partition);
			struct kdr_dr_restore_row *row = NULL;

			add_row(out, &cap, group->id, off, have ? have->offset : -1, end ? end->offset : -1);
			row = &out->rows[out->n - 1];
			if (active)
				refuse(row, kdr_asprintf("the group is active on '%s' (%d member(s), state %s); stop its "
							 "consumers first",
							 live->name, (int)now->n_members, now->state ? now->state : "?"));
			else if (!end)
				refuse(row, kdr_asprintf("partition %s-%d does not exist on '%s'", off->topic,
							 (int)off->partition, live->name));
			else if (off->offset > end->offset)
				refuse(row, kdr_asprintf("offset %lld is past the log end %lld of %s-%d (restore the "
							 "records with --data first)",
							 (long long)off->offset, (long long)end->offset, off->topic,
							 (int)off->partition));
			else if (have && have->offset == off->offset)
				row->verdict = KDR_DR_RESTORE_UNCHANGED;
			else
				row->verdict = KDR_DR_RESTORE_COMMIT;
			if (row->verdict == KDR_DR_RESTORE_COMMIT)
				out->n_commit++;
			else if (row->verdict == KDR_DR_RESTORE_REFUSED)
				out->n_refused++;
		}
	}
}

void kdr_dr_restore_offsets_release(struct kdr_dr_restore_offsets *offsets)
{
	for (size_t i = 0; i < offsets->n; i++) {
		free(offsets->rows[i].group);
		free(offsets->rows[i].topic);
		free(offsets->rows[i].metadata);
		free(offsets->rows[i].reason);
	}
	free(offsets->rows);
	memset(offsets, 0, sizeof(*offsets));
}
