/*
 * A digest of the live state a plan depends on, so that `kdr apply PLAN.json`
 * can refuse a plan made against a cluster that has changed since: brokers
 * (ids and racks), whether remote storage is on, the cluster's topic
 * defaults, and per topic its partition count, replica assignment and
 * overrides; the Connect cluster's Kafka cluster id and its connectors'
 * names and configs. Deliberately left out: hosts and ports, the controller,
 * leaders and ISRs, and connector and task states, worker ids and traces:
 * they move on their own (rebalances, restarts), and the actions planned from
 * states (pause, resume, restart) are safe to run against a state that moved,
 * whereas a saved plan refused for a rebalance would be noise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/hash.h"

static void put_string(struct kdr_buf *buf, const char *s)
{
	if (s)
		kdr_buf_put_json_string(buf, s);
	else
		kdr_buf_puts(buf, "null");
}

/* " %lld" without printf: the fingerprint writes one per replica (hundreds of thousands). */
static void put_number(struct kdr_buf *buf, long long value)
{
	char digits[24];
	size_t n = 0;
	unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;

	do {
		digits[sizeof(digits) - 1 - n++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (value < 0)
		digits[sizeof(digits) - 1 - n++] = '-';
	digits[sizeof(digits) - 1 - n++] = ' ';
	kdr_buf_put(buf, digits + sizeof(digits) - n, n);
}

/* "TAG name=value SOURCE\n", without printf (one per override and default). */
static void put_config(struct kdr_buf *buf, const char *tag, const struct kdr_live_config *config)
{
	kdr_buf_puts(buf, tag);
	kdr_buf_putc(buf, ' ');
	put_string(buf, config->name);
	kdr_buf_putc(buf, '=');
	put_string(buf, config->value);
	put_number(buf, (long long)config->source);
	kdr_buf_putc(buf, '\n');
}

char *kdr_plan_fingerprint(const struct kdr_live_cluster *cl)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	uint64_t digest = KDR_HASH64_SEED;

	/* Relies on the snapshot's sort order (live.h): the same state serialises the same way. */
	kdr_buf_printf(&buf, "kdr-fingerprint 1\nremote-storage %d\n", cl->remote_storage_enabled ? 1 : 0);
	for (size_t i = 0; i < cl->n_brokers; i++) {
		kdr_buf_printf(&buf, "broker %d ", (int)cl->brokers[i].id);
		put_string(&buf, cl->brokers[i].rack);
		kdr_buf_putc(&buf, '\n');
	}
	for (size_t i = 0; i < cl->n_topic_defaults; i++)
		put_config(&buf, "default", &cl->topic_defaults[i]);
	for (size_t t = 0; t < cl->n_topics; t++) {
		const struct kdr_live_topic *topic = &cl->topics[t];

		kdr_buf_puts(&buf, "topic ");
		put_string(&buf, topic->name);
		put_number(&buf, (long long)topic->n_partitions);
		put_number(&buf, topic->internal ? 1 : 0);
		kdr_buf_putc(&buf, '\n');
		for (size_t p = 0; p < topic->n_partitions; p++) {
			kdr_buf_putc(&buf, 'p');
			put_number(&buf, (long long)p);
			for (size_t r = 0; r < topic->partitions[p].replicas.n; r++)
				put_number(&buf, topic->partitions[p].replicas.ids[r]);
			kdr_buf_putc(&buf, '\n');
		}
		for (size_t c = 0; c < topic->n_configs; c++)
			put_config(&buf, "config", &topic->configs[c]);
		/* FNV-1a chains: hashing piecewise equals hashing the whole text, without holding it. */
		digest = kdr_hash64(buf.ptr, buf.len, digest);
		kdr_buf_reset(&buf);
	}
	if (cl->connect.present) {
		kdr_buf_puts(&buf, "connect ");
		put_string(&buf, cl->connect.kafka_cluster_id);
		kdr_buf_putc(&buf, '\n');
	}
	for (size_t i = 0; i < cl->connect.n_connectors; i++) {
		const struct kdr_live_connector *conn = &cl->connect.connectors[i];

		kdr_buf_puts(&buf, "connector ");
		put_string(&buf, conn->name);
		kdr_buf_putc(&buf, '\n');
		for (size_t c = 0; c < conn->config.n; c++) {
			kdr_buf_puts(&buf, "cc ");
			put_string(&buf, conn->config.v[c].key);
			kdr_buf_putc(&buf, '=');
			put_string(&buf, conn->config.v[c].value);
			kdr_buf_putc(&buf, '\n');
		}
	}
	/* Only when read: a snapshot without ACLs keeps the digest it always had. */
	for (size_t i = 0; cl->acls_read && i < cl->acls.n; i++) {
		kdr_buf_puts(&buf, "acl ");
		kdr_acl_format(&buf, &cl->acls.v[i]);
		kdr_buf_putc(&buf, '\n');
	}
	digest = kdr_hash64(buf.ptr, buf.len, digest);
	kdr_buf_release(&buf);
	return kdr_asprintf("%016" PRIx64, digest);
}
