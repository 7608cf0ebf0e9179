/*
 * MM2's internal records come from topics anyone with produce rights can
 * write to: every input must decode or fail cleanly, and whatever decodes
 * must encode back to the bytes it was decoded from (up to ignored trailing
 * bytes). Input: first byte = kind (checkpoint/offset-sync/heartbeat) and
 * key length, then key, then value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm2/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_prefix(const struct kdr_buf *encoded, const uint8_t *raw, size_t raw_len)
{
	if (encoded->len > raw_len || memcmp(encoded->ptr, raw, encoded->len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdr_buf key = KDR_BUF_INIT, value = KDR_BUF_INIT;
	size_t key_len = 0;
	const uint8_t *k = NULL, *v = NULL;
	size_t v_len = 0;

	if (size < 2)
		return 0;
	key_len = data[1];
	if (key_len > size - 2)
		key_len = size - 2;
	k = data + 2;
	v = k + key_len;
	v_len = size - 2 - key_len;
	switch (data[0] % 3) {
	case 0: {
		struct kdr_mm2_checkpoint cp = { 0 };

		if (kdr_mm2_checkpoint_decode(&cp, k, key_len, v, v_len) == 0) {
			if (kdr_mm2_checkpoint_encode(&key, &value, &cp) != 0)
				abort();
			check_prefix(&key, k, key_len);
			check_prefix(&value, v, v_len);
		} else if (cp.group || cp.topic || cp.metadata) {
			abort(); /* a failure leaves `out` empty */
		}
		kdr_mm2_checkpoint_release(&cp);
		break;
	}
	case 1: {
		struct kdr_mm2_offset_sync sync = { 0 };

		if (kdr_mm2_offset_sync_decode(&sync, k, key_len, v, v_len) == 0) {
			if (kdr_mm2_offset_sync_encode(&key, &value, &sync) != 0)
				abort();
			check_prefix(&key, k, key_len);
			check_prefix(&value, v, v_len);
		}
		kdr_mm2_offset_sync_release(&sync);
		break;
	}
	default: {
		struct kdr_mm2_heartbeat hb = { 0 };

		if (kdr_mm2_heartbeat_decode(&hb, k, key_len, v, v_len) == 0) {
			if (kdr_mm2_heartbeat_encode(&key, &value, &hb) != 0)
				abort();
			check_prefix(&key, k, key_len);
			check_prefix(&value, v, v_len);
		}
		kdr_mm2_heartbeat_release(&hb);
		break;
	}
	}
	kdr_buf_release(&key);
	kdr_buf_release(&value);
	return 0;
}
