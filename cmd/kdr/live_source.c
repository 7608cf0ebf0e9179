#include "live_source.h"
#include "args.h"

#include <stdio.h>

int kdr_cli_live_option(struct kdr_pipeline_options *options, struct kdr_strvec *clusters,
			const struct kdr_cli_spec *spec, int opt, const char *arg)
{
	int64_t ms = 0;

	switch (opt) {
	case KDR_OPT_CLUSTER:
		kdr_strvec_push(clusters, arg);
		return KDR_EXIT_OK;
	case KDR_OPT_OFFLINE:
		options->snapshot_path = arg;
		return KDR_EXIT_OK;
	case KDR_OPT_TIMEOUT:
		if (kdr_cli_duration(&ms, spec, "--timeout", arg, "up to 24d (e.g. 30s, 500ms)") != KDR_EXIT_OK)
			return KDR_EXIT_USAGE;
		options->timeout_ms = (int)ms;
		return KDR_EXIT_OK;
	}
	return -1;
}
