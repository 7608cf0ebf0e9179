/* Recording DR steps in the desired state: the source records, the command reports. */
#include "record.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strvec.h"

void kdr_cli_utc_now(char out[21])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int kdr_cli_record(bool *changed, const struct kdr_cli_source *src, const struct kdr_desired *desired,
		   const struct kdr_source_change *change, const char *message, const char *what)
{
	struct kdr_source *source = NULL;
	struct kdr_strvec done = KDR_STRVEC_INIT;
	int rc = 0;

	*changed = false;
	if (kdr_cli_source_opened(&source, src) != 0) {
		fprintf(stderr, "%s: %s; nothing was recorded\n", what, kdr_error_message());
		return KDR_EXIT_ERROR;
	}
	rc = kdr_source_record(&done, source, desired, change, message);
	for (size_t i = 0; i < done.n; i++)
		fprintf(stderr, "%s: %s\n", what, done.v[i]);
	*changed = done.n > 0;
	kdr_strvec_release(&done);
	if (rc == 0)
		return KDR_EXIT_OK;
	fprintf(stderr, "%s: %s\n", what, kdr_error_message());
	/* A source that cannot hold a whole document (Kubernetes): the user applies it. */
	if (rc == KDR_EUNSUPPORTED && change->file_data)
		printf("%s", change->file_data);
	return KDR_EXIT_ERROR;
}
