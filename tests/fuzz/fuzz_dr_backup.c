/*
 * kdr restore's readers of a backup directory: the record dumps
 * (data/<topic>/<partition>.jsonl) and groups.json. A backup is a file an
 * operator may have edited or that a disk damaged, so anything may be in
 * it. The first byte picks the reader; a decoded dump is encoded again
 * and must decode to the same bytes (the format round-trips).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dr/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdr_dr_partition_records records, again;
	struct kdr_live_cluster groups = { 0 };
	struct kdr_buf first = KDR_BUF_INIT, second = KDR_BUF_INIT;

	if (size == 0)
		return 0;
	if (data[0] == 'g') {
		if (kdr_dr_backup_groups_decode(&groups, (const char *)data + 1, size - 1, "groups.json") == 0)
			kdr_live_cluster_release(&groups);
		return 0;
	}
	if (kdr_dr_records_decode(&records, (const char *)data + 1, size - 1, "0.jsonl") != 0)
		return 0;
	kdr_dr_records_encode(&first, &records);
	if (kdr_dr_records_decode(&again, first.ptr, first.len, "again") != 0)
		abort();
	kdr_dr_records_encode(&second, &again);
	if (first.len != second.len || memcmp(first.ptr, second.ptr, first.len) != 0)
		abort();
	kdr_dr_partition_records_release(&again);
	kdr_dr_partition_records_release(&records);
	kdr_buf_release(&first);
	kdr_buf_release(&second);
	return 0;
}
