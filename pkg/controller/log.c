/* Structured log lines: `ts level msg key=value ...` or one JSON object per line. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "controller/controller.h"
#include "controller/controller_internal.h"
#include "util/clock.h"
#include "util/error.h"

const char *const kdr_controller_log_format_names[] = {
	[KDR_CONTROLLER_LOG_TEXT] = "text",
	[KDR_CONTROLLER_LOG_JSON] = "json",
	NULL,
};

const char *kdr_controller_log_level_name(enum kdr_controller_log_level level)
{
	switch (level) {
	case KDR_CONTROLLER_LOG_DEBUG: return "debug";
	case KDR_CONTROLLER_LOG_INFO: return "info";
	case KDR_CONTROLLER_LOG_WARN: return "warn";
	case KDR_CONTROLLER_LOG_ERROR: return "error";
	}
	return "info";
}

static void put_time(struct kdr_buf *out, int64_t ts_unix_ms)
{
	char text[KDR_CLOCK_UTC_SIZE];

	kdr_clock_utc(text, ts_unix_ms * 1000000, 3);
	kdr_buf_puts(out, text);
}

/* Whether a text-format token must be quoted to be read back unambiguously. */
static bool needs_quotes(const char *s, bool is_msg)
{
	if (!*s)
		return true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '=' || *p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7f)
			return true;
		if (*p == ' ' && !is_msg)
			return true;
	}
	return false;
}

static void put_text_token(struct kdr_buf *out, const char *s, bool is_msg)
{
	if (needs_quotes(s, is_msg))
		kdr_buf_put_json_string(out, s);
	else
		kdr_buf_puts(out, s);
}

void kdr_controller_log_format_line(struct kdr_buf *out, enum kdr_controller_log_format format, int64_t ts_unix_ms,
				    enum kdr_controller_log_level level, const char *msg,
				    const struct kdr_controller_log_field *fields, size_t n_fields)
{
	if (format == KDR_CONTROLLER_LOG_JSON) {
		kdr_buf_puts(out, "{\"ts\":\"");
		put_time(out, ts_unix_ms);
		kdr_buf_printf(out, "\",\"level\":\"%s\",\"msg\":", kdr_controller_log_level_name(level));
		kdr_buf_put_json_string(out, msg ? msg : "");
		for (size_t i = 0; i < n_fields; i++) {
			const char *value = fields[i].value ? fields[i].value : "";

			kdr_buf_putc(out, ',');
			kdr_buf_put_json_string(out, fields[i].key);
			kdr_buf_putc(out, ':');
			/* An empty raw value would be invalid JSON: it is a string then. */
			if (fields[i].raw && *value)
				kdr_buf_puts(out, value);
			else
				kdr_buf_put_json_string(out, value);
		}
		kdr_buf_puts(out, "}\n");
		return;
	}
	put_time(out, ts_unix_ms);
	kdr_buf_printf(out, " %s ", kdr_controller_log_level_name(level));
	put_text_token(out, msg ? msg : "", true);
	for (size_t i = 0; i < n_fields; i++) {
		kdr_buf_printf(out, " %s=", fields[i].key);
		put_text_token(out, fields[i].value ? fields[i].value : "", false);
	}
	kdr_buf_putc(out, '\n');
}

/* --- the loop's own lines (internal, controller_internal.h) --- */

void kdr_controller__field_str(struct kdr_controller_fields *f, const char *key, const char *value)
{
	if (f->n == KDR_CONTROLLER_MAX_FIELDS || !value)
		return;
	f->v[f->n].key = key;
	f->v[f->n].value = value;
	f->v[f->n].raw = false;
	f->n++;
}

void kdr_controller__field_int(struct kdr_controller_fields *f, const char *key, int64_t value)
{
	if (f->n == KDR_CONTROLLER_MAX_FIELDS)
		return;
	snprintf(f->numbers[f->n], sizeof(f->numbers[f->n]), "%" PRId64, value);
	f->v[f->n].key = key;
	f->v[f->n].value = f->numbers[f->n];
	f->v[f->n].raw = true;
	f->n++;
}

void kdr_controller__field_bool(struct kdr_controller_fields *f, const char *key, bool value)
{
	if (f->n == KDR_CONTROLLER_MAX_FIELDS)
		return;
	f->v[f->n].key = key;
	f->v[f->n].value = value ? "true" : "false";
	f->v[f->n].raw = true;
	f->n++;
}

void kdr_controller__log(struct kdr_controller *ctl, enum kdr_controller_log_level level, const char *msg,
			 const struct kdr_controller_fields *f)
{
	struct kdr_controller_fields all;
	size_t n = f ? f->n : 0;

	memset(&all, 0, sizeof(all));
	if (ctl->in_cycle) {
		kdr_controller__field_int(&all, "cycle", (int64_t)ctl->cycle);
		kdr_controller__field_str(&all, "revision",
					  ctl->have_desired && ctl->desired.revision ? ctl->desired.revision : "");
	}
	for (size_t i = 0; i < n && all.n < KDR_CONTROLLER_MAX_FIELDS; i++)
		all.v[all.n++] = f->v[i];
	kdr_buf_reset(&ctl->line);
	kdr_controller_log_format_line(&ctl->line, ctl->options.log_format, kdr_clock_wall_ms(), level, msg,
				       all.v, all.n);
	fwrite(ctl->line.ptr, 1, ctl->line.len, ctl->log);
	fflush(ctl->log);
}
