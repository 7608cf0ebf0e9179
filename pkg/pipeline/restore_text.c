/* What kdr restore prints of its run and of each of its steps. */
#include "pipeline/backup.h"

#include <stdlib.h>

#include "render/render.h"

static const char *shown(const char *key, const char *value)
{
	if (kdr_config_key_is_sensitive(key))
		return KDR_REDACTED;
	return value ? value : "-";
}

void kdr_restore_brokers_render_text(struct kdr_buf *out, const struct kdr_restore_brokers *brokers, bool dry_run)
{
	static const char *const verdicts[] = { "set", "unchanged", "skipped", "refused" };
	const struct kdr_dr_restore_brokers *decided = &brokers->decided;

	kdr_buf_printf(out, "\n%-8s %-40s %-20s %-20s  %s\n", "BROKER", "CONFIG", "CURRENT", "BACKUP", "VERDICT");
	for (size_t i = 0; i < decided->n; i++) {
		const struct kdr_dr_broker_row *row = &decided->rows[i];

		kdr_buf_printf(out, "%-8s %-40s %-20s %-20s  %s%s%s\n", *row->broker ? row->broker : "default", row->key,
			       shown(row->key, row->current), row->value ? shown(row->key, row->value) : KDR_REDACTED,
			       dry_run && row->verdict == KDR_DR_BROKER_SET ? "would set" : verdicts[row->verdict],
			       row->reason ? ": " : "", row->reason ? row->reason : "");
	}
	kdr_buf_printf(out, "\n--broker-configs: %zu %s, %zu unchanged, %zu skipped, %zu refused%s\n", decided->n_set,
		       dry_run ? "to set" : "set", decided->n - decided->n_set - decided->n_skipped - decided->n_refused,
		       decided->n_skipped, decided->n_refused,
		       brokers->errors.n ? " (the brokers named above failed)" : "");
}

void kdr_restore_data_render_text(struct kdr_buf *out, const struct kdr_restore_data *data, bool dry_run,
				  const char *cluster)
{
	if (data->n == 0) {
		kdr_buf_puts(out, "\n--data: the backup holds no records\n");
		return;
	}
	kdr_buf_puts(out, "\n");
	for (size_t i = 0; i < data->n; i++) {
		const struct kdr_restore_data_row *row = &data->rows[i];
		int p = (int)row->partition;

		switch (row->verdict) {
		case KDR_RESTORE_DATA_MISSING:
			kdr_buf_printf(out, "  FAILED   data %s-%d: the partition does not exist on '%s'\n", row->topic, p,
				       cluster);
			break;
		case KDR_RESTORE_DATA_SKIPPED:
			kdr_buf_printf(out,
				       "  skipped  data %s-%d: the partition already holds records (log end %lld); not "
				       "produced again\n",
				       row->topic, p, (long long)row->end);
			break;
		case KDR_RESTORE_DATA_WOULD_PRODUCE:
			kdr_buf_printf(out, "  would produce %zu record(s) to %s-%d\n", row->records, row->topic, p);
			break;
		case KDR_RESTORE_DATA_FAILED:
			kdr_buf_printf(out, "  FAILED   data %s-%d: %zu of %zu record(s) produced: %s\n", row->topic, p,
				       row->delivered, row->records, row->message);
			break;
		case KDR_RESTORE_DATA_PRODUCED:
			kdr_buf_printf(out, "  ok       data %s-%d: %zu record(s) produced\n", row->topic, p, row->delivered);
			break;
		}
	}
	if (!dry_run)
		kdr_buf_printf(out, "\n--data: %zu record(s) produced\n", data->produced);
}

void kdr_restore_offsets_render_text(struct kdr_buf *out, const struct kdr_restore_offsets *offsets, bool dry_run,
				     const char *cluster)
{
	static const char *const verdicts[] = { "commit", "unchanged", "refused" };
	const struct kdr_dr_restore_offsets *decided = &offsets->decided;

	kdr_buf_printf(out, "\n%-24s %-24s %9s %10s %10s %10s  %s\n", "GROUP", "TOPIC", "PARTITION", "OFFSET", "CURRENT",
		       "LOG-END", "VERDICT");
	for (size_t i = 0; i < decided->n; i++) {
		const struct kdr_dr_restore_row *row = &decided->rows[i];

		kdr_buf_printf(out, "%-24s %-24s %9d %10lld %10lld %10lld  %s%s%s\n", row->group, row->topic,
			       (int)row->partition, (long long)row->offset, (long long)row->current, (long long)row->end,
			       dry_run && row->verdict == KDR_DR_RESTORE_COMMIT ? "would commit" : verdicts[row->verdict],
			       row->reason ? ": " : "", row->reason ? row->reason : "");
	}
	kdr_buf_printf(out, "\n--offsets: %zu %s, %zu unchanged, %zu refused%s\n", decided->n_commit,
		       dry_run ? "to commit" : "committed", decided->n - decided->n_commit - decided->n_refused,
		       decided->n_refused, offsets->errors.n ? " (the commits of the groups named above failed)" : "");
	/* A dry run judges the offsets against the cluster as it is, before the plan and --data. */
	if (dry_run)
		kdr_buf_printf(out, "(--dry-run: judged against '%s' as it is now, before the plan and --data are applied)\n",
			       cluster);
}

void kdr_pipeline_restore_render_plan(struct kdr_buf *out, struct kdr_buf *err,
				      const struct kdr_restore_result *result)
{
	for (size_t i = 0; i < result->diags.n; i++) {
		char *line = kdr_diag_format(&result->diags.v[i]);

		kdr_buf_printf(err, "%s\n", line);
		free(line);
	}
	kdr_pipeline_result_render_read(err, &result->run);
	if (result->planned)
		kdr_render_plan(out, &result->run.p.plan, result->run.p.desired, KDR_RENDER_TEXT);
	else
		kdr_pipeline_result_render_error(err, &result->run, "restore");
}

void kdr_pipeline_restore_render_steps(struct kdr_buf *out, struct kdr_buf *err,
				       const struct kdr_restore_result *result)
{
	const struct kdr_restore_request *req = result->req;
	const struct kdr_pipeline *p = &result->run.p;

	if (!result->planned)
		return;
	if (result->plan_errors)
		kdr_buf_puts(err, "kdr restore: the plan has errors (marked '!'); nothing was restored\n");
	if (result->applied) {
		kdr_pipeline_apply_render_text(out, err, "restore", &p->plan, &result->apply, p->options.validate_only);
		if (result->apply.failed || result->apply.unsettled)
			kdr_buf_puts(err,
				     "kdr restore: the plan did not apply fully; records and offsets were not restored\n");
	}
	if (result->brokers_done) {
		for (size_t i = 0; i < result->brokers.errors.n; i++)
			kdr_buf_printf(err, "kdr restore: --broker-configs: %s\n", result->brokers.errors.v[i]);
		kdr_restore_brokers_render_text(out, &result->brokers, req->dry_run);
	}
	if (result->data_done)
		kdr_restore_data_render_text(out, &result->data, req->dry_run, req->cluster);
	if (result->offsets_done) {
		for (size_t i = 0; i < result->offsets.errors.n; i++)
			kdr_buf_printf(err, "kdr restore: --offsets: %s\n", result->offsets.errors.v[i]);
		kdr_restore_offsets_render_text(out, &result->offsets, req->dry_run, req->cluster);
	}
	if (result->blocked)
		kdr_buf_printf(err, "kdr restore: %zu blocked item(s) need a human (marked '!' above)\n",
			       result->blocked);
	kdr_pipeline_result_render_error(err, &result->run, "restore");
}
