/* A pull request's plan: the desired-state change from --base with the live plan of its head (kdr plan --base). */
#include "render/render.h"

/* Why the head's connection settings are shown but not used. */
#define BASE_CONNECTIONS_NOTE                                                                                          \
	"this head changes the connection settings (bootstrapServers, clientConfig, connect, secret references) "      \
	"of %zu cluster(s); they are shown above and never used: the plan connects with the base's settings, "         \
	"so a pull request never chooses where kdr sends credentials"

void kdr_render_plan_with_change(struct kdr_buf *out, const struct kdr_plan *plan, const struct kdr_desired *desired,
				 const struct kdr_desired_diff *change, size_t base_connections,
				 enum kdr_render_format format)
{
	struct kdr_buf plan_text = KDR_BUF_INIT;

	if (!change) {
		kdr_render_plan(out, plan, desired, format);
		return;
	}
	switch (format) {
	case KDR_RENDER_TEXT:
		kdr_diff_render_text(out, change);
		if (base_connections) {
			kdr_buf_puts(out, "Note: ");
			kdr_buf_printf(out, BASE_CONNECTIONS_NOTE, base_connections);
			kdr_buf_puts(out, ".\n");
		}
		kdr_buf_putc(out, '\n');
		kdr_render_plan(out, plan, desired, format);
		break;
	case KDR_RENDER_MARKDOWN:
		kdr_render_plan(out, plan, desired, format);
		kdr_buf_putc(out, '\n');
		kdr_diff_render_markdown(out, change);
		if (base_connections) {
			kdr_buf_puts(out, "\n> **Note:** ");
			kdr_buf_printf(out, BASE_CONNECTIONS_NOTE, base_connections);
			kdr_buf_puts(out, ".\n");
		}
		break;
	case KDR_RENDER_JSON:
		kdr_render_plan(&plan_text, plan, desired, format);
		/* The plan object opens with "{\n": the change goes in as its first field. */
		kdr_buf_puts(out, "{\n  \"desiredChange\": ");
		kdr_diff_render_json(out, change);
		while (out->len && (out->ptr[out->len - 1] == '\n' || out->ptr[out->len - 1] == ' '))
			kdr_buf_truncate(out, out->len - 1);
		kdr_buf_printf(out, ",\n  \"connectionSettingsFromBase\": %zu,\n", base_connections);
		kdr_buf_puts(out, plan_text.ptr + 2);
		break;
	}
	kdr_buf_release(&plan_text);
}
