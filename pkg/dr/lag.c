/* Replication lag and the RPO estimate per mirrored partition (dr.h). Pure. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dr/dr.h"
#include "util/alloc.h"
#include "util/json_write.h"

static int64_t sum_or_unknown(int64_t acc, int64_t v)
{
	return acc < 0 || v < 0 ? -1 : acc + v;
}

static int64_t max_or_unknown(int64_t acc, int64_t v)
{
	return acc < 0 || v < 0 ? -1 : (v > acc ? v : acc);
}

static void compute_row(struct kdr_dr_lag_row *row, const struct kdr_dr_lag_input *in)
{
	const struct kdr_dr_offset *src = kdr_dr_offsets_find(in->source_ends, row->topic, row->partition);
	const struct kdr_dr_offset *dst = kdr_dr_offsets_find(in->target_ends, row->remote_topic, row->partition);
	const struct kdr_dr_offset *first = kdr_dr_offsets_find(in->first_unreplicated, row->topic, row->partition);

	row->source_end = src ? src->offset : -1;
	row->target_end = dst ? dst->offset : -1;
	row->replicated = kdr_dr_replicated_upstream(kdr_dr_syncs_find(in->syncs, row->topic, row->partition),
						     row->target_end, row->source_end);
	row->lag = row->source_end >= 0 && row->replicated >= 0 ? row->source_end - row->replicated : -1;
	if (row->lag < -1)
		row->lag = 0;
	if (row->lag == 0) {
		row->rpo_ms = 0;
	} else if (row->lag > 0 && first && first->offset == row->replicated && first->timestamp_ms >= 0) {
		row->rpo_ms = in->now_ms > first->timestamp_ms ? in->now_ms - first->timestamp_ms : 0;
	} else {
		row->rpo_ms = -1;
	}
}

void kdr_dr_lag_compute(struct kdr_dr_lag_report *out, const struct kdr_dr_lag_input *in)
{
	memset(out, 0, sizeof(*out));
	out->flow = kdr_strdup(in->flow->meta.name);
	out->threshold_ms = in->threshold_ms;
	out->heartbeat_age_ms = in->newest_heartbeat_ms >= 0
					? (in->now_ms > in->newest_heartbeat_ms ? in->now_ms - in->newest_heartbeat_ms : 0)
					: -1;
	out->topics = kdr_calloc(in->topics->n ? in->topics->n : 1, sizeof(*out->topics));
	for (size_t t = 0; t < in->topics->n; t++) {
		const struct kdr_live_topic *topic = kdr_live_topic_find(in->source, in->topics->v[t]);
		struct kdr_dr_lag_topic *sum = &out->topics[out->n_topics++];

		sum->topic = kdr_strdup(in->topics->v[t]);
		for (size_t p = 0; topic && p < topic->n_partitions; p++) {
			struct kdr_dr_lag_row *row = NULL;

			out->rows = kdr_realloc(out->rows, (out->n_rows + 1) * sizeof(*out->rows));
			row = &out->rows[out->n_rows++];
			memset(row, 0, sizeof(*row));
			row->topic = kdr_strdup(in->topics->v[t]);
			row->remote_topic = kdr_strdup(in->remote_topics[t]);
			row->partition = (int32_t)p;
			compute_row(row, in);
			sum->lag = sum_or_unknown(sum->lag, row->lag);
			sum->rpo_ms = max_or_unknown(sum->rpo_ms, row->rpo_ms);
		}
		out->total_lag = sum_or_unknown(out->total_lag, sum->lag);
		out->max_rpo_ms = max_or_unknown(out->max_rpo_ms, sum->rpo_ms);
	}
	/* An RPO that cannot be estimated while records are behind is an alert too: unknown is not zero. */
	out->over = out->max_rpo_ms < 0 ? out->total_lag != 0 : out->max_rpo_ms > in->threshold_ms;
	if (out->max_rpo_ms < 0 && out->total_lag < 0)
		out->over = true;
}

/* `before`, then v and its unit, or "unknown" for a negative v. */
static void put_num(struct kdr_buf *out, const char *before, int64_t v, const char *unit)
{
	if (v < 0)
		kdr_buf_printf(out, "%sunknown", before);
	else
		kdr_buf_printf(out, "%s%" PRId64 "%s", before, v, unit);
}

void kdr_dr_lag_render_text(struct kdr_buf *out, const struct kdr_dr_lag_report *report)
{
	kdr_buf_printf(out, "lag of flow '%s'\n", report->flow);
	kdr_buf_puts(out, "TOPIC\tPARTITION\tSOURCE-END\tREPLICATED\tTARGET-END\tLAG\tRPO\n");
	for (size_t i = 0; i < report->n_rows; i++) {
		const struct kdr_dr_lag_row *r = &report->rows[i];

		kdr_buf_printf(out, "%s\t%d", r->topic, (int)r->partition);
		put_num(out, "\t", r->source_end, "");
		put_num(out, "\t", r->replicated, "");
		put_num(out, "\t", r->target_end, "");
		put_num(out, "\t", r->lag, "");
		put_num(out, "\t", r->rpo_ms, "ms");
		kdr_buf_putc(out, '\n');
	}
	for (size_t i = 0; i < report->n_topics; i++) {
		kdr_buf_printf(out, "topic %s:", report->topics[i].topic);
		put_num(out, " lag ", report->topics[i].lag, " record(s)");
		put_num(out, ", rpo ", report->topics[i].rpo_ms, "ms");
		kdr_buf_putc(out, '\n');
	}
	put_num(out, "heartbeat age ", report->heartbeat_age_ms, "ms");
	put_num(out, "; total lag ", report->total_lag, " record(s)");
	put_num(out, "; max rpo ", report->max_rpo_ms, "ms");
	kdr_buf_printf(out, " (threshold %" PRId64 "ms: %s)\n", report->threshold_ms, report->over ? "OVER" : "ok");
}

/* A figure, null when unknown (negative). */
static void json_known(struct kdr_json_w *w, const char *key, int64_t v)
{
	if (v < 0)
		kdr_json_w_null(w, key);
	else
		kdr_json_w_int(w, key, (long long)v);
}

void kdr_dr_lag_render_json(struct kdr_buf *out, const struct kdr_dr_lag_report *report)
{
	struct kdr_json_w w;

	kdr_json_w_init(&w, out);
	kdr_json_w_open(&w, NULL, '{', false);
	kdr_json_w_string(&w, "flow", report->flow);
	json_known(&w, "heartbeatAgeMs", report->heartbeat_age_ms);
	json_known(&w, "maxRpoMs", report->max_rpo_ms);
	kdr_json_w_bool(&w, "over", report->over);
	kdr_json_w_open(&w, "partitions", '[', false);
	for (size_t i = 0; i < report->n_rows; i++) {
		const struct kdr_dr_lag_row *r = &report->rows[i];

		kdr_json_w_open(&w, NULL, '{', true);
		json_known(&w, "lag", r->lag);
		kdr_json_w_int(&w, "partition", (long long)r->partition);
		kdr_json_w_string(&w, "remoteTopic", r->remote_topic);
		json_known(&w, "replicated", r->replicated);
		json_known(&w, "rpoMs", r->rpo_ms);
		json_known(&w, "sourceEnd", r->source_end);
		json_known(&w, "targetEnd", r->target_end);
		kdr_json_w_string(&w, "topic", r->topic);
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	kdr_json_w_int(&w, "thresholdMs", (long long)report->threshold_ms);
	kdr_json_w_open(&w, "topics", '[', false);
	for (size_t i = 0; i < report->n_topics; i++) {
		kdr_json_w_open(&w, NULL, '{', true);
		json_known(&w, "lag", report->topics[i].lag);
		json_known(&w, "rpoMs", report->topics[i].rpo_ms);
		kdr_json_w_string(&w, "topic", report->topics[i].topic);
		kdr_json_w_close(&w, '}');
	}
	kdr_json_w_close(&w, ']');
	json_known(&w, "totalLag", report->total_lag);
	kdr_json_w_close(&w, '}');
	kdr_json_w_release(&w);
	kdr_buf_putc(out, '\n');
}

void kdr_dr_lag_report_release(struct kdr_dr_lag_report *report)
{
	for (size_t i = 0; i < report->n_rows; i++) {
		free(report->rows[i].topic);
		free(report->rows[i].remote_topic);
	}
	free(report->rows);
	for (size_t i = 0; i < report->n_topics; i++)
		free(report->topics[i].topic);
	free(report->topics);
	free(report->flow);
	memset(report, 0, sizeof(*report));
}
