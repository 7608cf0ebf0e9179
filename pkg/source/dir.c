/* The directory source: kdr_spec_load_dir with the all-or-nothing contract of the Git source. */
#include <string.h>

#include "source/source.h"
#include "spec/spec.h"
#include "util/error.h"
#include "resolve/resolve.h"
#include "validate/validate.h"

int kdr_source_load_dir(struct kdr_desired *out, struct kdr_diags *diags, const char *dir, unsigned flags)
{
	struct kdr_desired fresh;
	struct kdr_diags found = KDR_DIAGS_INIT;
	int rc = 0;

	memset(&fresh, 0, sizeof(fresh));
	rc = kdr_spec_load_dir(&fresh, dir, &found);
	/*
	 * Resolved once (the regexes compiled), then every error in one run: the
	 * rules over every document that decoded (kdr_validate_all). The resolved
	 * state goes out with the desired state, for the plan and status.
	 */
	if (!(flags & KDR_SOURCE_NO_VALIDATE)) {
		kdr_resolve_attach(&fresh);
		kdr_validate_all(&fresh, &found);
	}
	if (rc == KDR_EIO)
		rc = kdr_error_set(KDR_EIO, "'%s' could not be read; nothing from it is used", dir);
	else if (found.errors)
		rc = kdr_error_set(KDR_EINVALID, "'%s': %zu error(s) in its documents; nothing from it is used", dir,
				   found.errors);
	else
		rc = 0;
	kdr_diags_move(diags, &found);
	if (rc == 0) {
		kdr_desired_release(out);
		*out = fresh;
		memset(&fresh, 0, sizeof(fresh));
	}
	kdr_desired_release(&fresh);
	return rc;
}
