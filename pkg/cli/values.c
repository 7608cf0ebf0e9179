/* Option arguments several commands take alike: a duration, --format text|json. */
#include "options.h"

#include <string.h>

#include "util/units.h"

int kdr_cli_duration(int64_t *out, const struct kdr_cli_spec *spec, const char *flag, const char *arg, const char *hint)
{
	int64_t ms = 0;

	if (kdr_parse_duration_ms(&ms, arg, 0) != 0 || ms <= 0 || ms > INT32_MAX)
		return kdr_cli_usage_error(spec, "%s: '%s' is not a positive duration %s", flag, arg, hint);
	*out = ms;
	return 0;
}

int kdr_cli_format_json(bool *json, const struct kdr_cli_spec *spec, const char *arg)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "text") == 0)
		*json = false;
	else
		return kdr_cli_usage_error(spec, "--format: unknown format '%s' (allowed: text, json)", arg);
	return 0;
}
