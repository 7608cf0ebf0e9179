/*
 * The plan-JSON reader (`kdr apply PLAN.json`): a saved plan is a file that
 * may come from anywhere (a CI artefact); any bytes must neither crash nor
 * leak, and a plan that loads must render again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "plan/codec_json.h"
#include "plan/plan.h"
#include "render/render.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdr_plan plan;
	struct kdr_desired desired = { 0 };
	struct kdr_buf out = KDR_BUF_INIT;

	if (kdr_plan_from_json(&plan, (const char *)data, size, "fuzz.json") == 0) {
		kdr_render_plan(&out, &plan, &desired, KDR_RENDER_TEXT);
		kdr_render_plan(&out, &plan, &desired, KDR_RENDER_JSON);
		kdr_plan_release(&plan);
	}
	kdr_buf_release(&out);
	return 0;
}
