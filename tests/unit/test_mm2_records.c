/*
 * pkg/mm2 record codecs: Checkpoint, OffsetSync, Heartbeat byte for byte as
 * MM2 writes them. The vectors are derived by hand from the Struct schemas in
 * Kafka's connect/mirror-client Checkpoint.java / Heartbeat.java and
 * connect/mirror OffsetSync.java (KEY_SCHEMA, HEADER_SCHEMA, VALUE_SCHEMA_V0;
 * Type.STRING = INT16 length + UTF-8, INT32/INT64 big-endian).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm2/records.h"
#include "util/error.h"

/* group "g1", topic "A.orders", partition 3, upstream 100, downstream 98, metadata "" */
static const unsigned char cp_key[] = { 0x00, 0x02, 'g', '1', 0x00, 0x08, 'A', '.', 'o', 'r', 'd', 'e', 'r', 's',
					0x00, 0x00, 0x00, 0x03 };
static const unsigned char cp_value[] = { 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0x62, 0x00, 0x00 };

static void test_checkpoint_bytes(void **state)
{
	struct kdr_mm2_checkpoint cp = { (char *)"g1", (char *)"A.orders", 3, 100, 98, (char *)"" };
	struct kdr_buf key = KDR_BUF_INIT, value = KDR_BUF_INIT;

	(void)state;
	assert_int_equal(kdr_mm2_checkpoint_encode(&key, &value, &cp), 0);
	assert_int_equal(key.len, sizeof(cp_key));
	assert_memory_equal(key.ptr, cp_key, sizeof(cp_key));
	assert_int_equal(value.len, sizeof(cp_value));
	assert_memory_equal(value.ptr, cp_value, sizeof(cp_value));
	kdr_buf_release(&key);
	kdr_buf_release(&value);
}

static void test_checkpoint_decode(void **state)
{
	struct kdr_mm2_checkpoint cp = { 0 };
	/* metadata "m", offsets with every byte used and a negative one (as INT64 allows) */
	static const unsigned char value[] = { 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
					       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 'm' };

	(void)state;
	assert_int_equal(kdr_mm2_checkpoint_decode(&cp, cp_key, sizeof(cp_key), cp_value, sizeof(cp_value)), 0);
	assert_string_equal(cp.group, "g1");
	assert_string_equal(cp.topic, "A.orders");
	assert_int_equal(cp.partition, 3);
	assert_int_equal(cp.upstream_offset, 100);
	assert_int_equal(cp.downstream_offset, 98);
	assert_string_equal(cp.metadata, "");
	kdr_mm2_checkpoint_release(&cp);
	assert_int_equal(kdr_mm2_checkpoint_decode(&cp, cp_key, sizeof(cp_key), value, sizeof(value)), 0);
	assert_true(cp.upstream_offset == 0x0102030405060708LL);
	assert_true(cp.downstream_offset == -1);
	assert_string_equal(cp.metadata, "m");
	kdr_mm2_checkpoint_release(&cp);
}

static void test_checkpoint_errors(void **state)
{
	struct kdr_mm2_checkpoint cp = { 0 };
	unsigned char bad[sizeof(cp_value)];

	(void)state;
	/* Truncated value: the metadata length is missing. */
	assert_int_equal(kdr_mm2_checkpoint_decode(&cp, cp_key, sizeof(cp_key), cp_value, 18), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "checkpoint value: truncated at byte 18: field 'metadata' needs 2 "
						 "bytes, 0 left");
	assert_null(cp.group);
	/* Truncated key. */
	assert_int_equal(kdr_mm2_checkpoint_decode(&cp, cp_key, 10, cp_value, sizeof(cp_value)), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "checkpoint key: truncated at byte 6: field 'topic' needs 8 bytes, "
						 "4 left");
	/* A null key (a tombstone or a foreign record). */
	assert_int_equal(kdr_mm2_checkpoint_decode(&cp, NULL, 0, cp_value, sizeof(cp_value)), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "checkpoint key: missing (null), expected field 'group'");
	/* Version 1 is not defined. */
	memcpy(bad, cp_value, sizeof(bad));
	bad[1] = 1;
	assert_int_equal(kdr_mm2_checkpoint_decode(&cp, cp_key, sizeof(cp_key), bad, sizeof(bad)), KDR_EUNSUPPORTED);
	assert_string_equal(kdr_error_message(), "checkpoint value: version 1 is not supported (only 0 is defined)");
	/* A negative string length. */
	memcpy(bad, cp_value, sizeof(bad));
	bad[18] = 0xff;
	bad[19] = 0xfe;
	assert_int_equal(kdr_mm2_checkpoint_decode(&cp, cp_key, sizeof(cp_key), bad, sizeof(bad)), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "checkpoint value: field 'metadata' at byte 18: string length -2 is "
						 "negative");
	assert_null(cp.metadata);
	/* Trailing bytes are ignored, as Java's Struct reader ignores them. */
	{
		unsigned char longer[sizeof(cp_value) + 3];

		memcpy(longer, cp_value, sizeof(cp_value));
		memset(longer + sizeof(cp_value), 0xab, 3);
		assert_int_equal(kdr_mm2_checkpoint_decode(&cp, cp_key, sizeof(cp_key), longer, sizeof(longer)), 0);
		kdr_mm2_checkpoint_release(&cp);
	}
}

static void test_offset_sync_bytes(void **state)
{
	static const unsigned char key[] = { 0x00, 0x06, 'o', 'r', 'd', 'e', 'r', 's', 0x00, 0x00, 0x00, 0x03 };
	static const unsigned char value[] = { 0, 0, 0, 0, 0, 0, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0x62 };
	struct kdr_mm2_offset_sync sync = { (char *)"orders", 3, 100, 98 }, back = { 0 };
	struct kdr_buf k = KDR_BUF_INIT, v = KDR_BUF_INIT;

	(void)state;
	assert_int_equal(kdr_mm2_offset_sync_encode(&k, &v, &sync), 0);
	assert_int_equal(k.len, sizeof(key));
	assert_memory_equal(k.ptr, key, sizeof(key));
	assert_int_equal(v.len, sizeof(value));
	assert_memory_equal(v.ptr, value, sizeof(value));
	assert_int_equal(kdr_mm2_offset_sync_decode(&back, key, sizeof(key), value, sizeof(value)), 0);
	assert_string_equal(back.topic, "orders");
	assert_int_equal(back.partition, 3);
	assert_int_equal(back.upstream_offset, 100);
	assert_int_equal(back.downstream_offset, 98);
	kdr_mm2_offset_sync_release(&back);
	assert_int_equal(kdr_mm2_offset_sync_decode(&back, key, sizeof(key), value, 15), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "offset-sync value: truncated at byte 8: field 'offset' needs 8 "
						 "bytes, 7 left");
	kdr_buf_release(&k);
	kdr_buf_release(&v);
}

static void test_heartbeat_bytes(void **state)
{
	static const unsigned char key[] = { 0x00, 0x01, 'A', 0x00, 0x01, 'B' };
	/* 1700000000000 ms = 0x18BCFE56800 */
	static const unsigned char value[] = { 0x00, 0x00, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00 };
	struct kdr_mm2_heartbeat hb = { (char *)"A", (char *)"B", 1700000000000LL }, back = { 0 };
	struct kdr_buf k = KDR_BUF_INIT, v = KDR_BUF_INIT;

	(void)state;
	assert_int_equal(kdr_mm2_heartbeat_encode(&k, &v, &hb), 0);
	assert_memory_equal(k.ptr, key, sizeof(key));
	assert_int_equal(v.len, sizeof(value));
	assert_memory_equal(v.ptr, value, sizeof(value));
	assert_int_equal(kdr_mm2_heartbeat_decode(&back, key, sizeof(key), value, sizeof(value)), 0);
	assert_string_equal(back.source_alias, "A");
	assert_string_equal(back.target_alias, "B");
	assert_true(back.timestamp_ms == 1700000000000LL);
	kdr_mm2_heartbeat_release(&back);
	kdr_buf_release(&k);
	kdr_buf_release(&v);
}

static void test_encode_limits(void **state)
{
	char *big = malloc(KDR_MM2_STRING_MAX + 2);
	struct kdr_mm2_checkpoint cp = { (char *)"g", big, 0, 0, 0, (char *)"" };
	struct kdr_buf k = KDR_BUF_INIT, v = KDR_BUF_INIT;

	(void)state;
	memset(big, 'x', KDR_MM2_STRING_MAX + 1);
	big[KDR_MM2_STRING_MAX + 1] = '\0';
	assert_int_equal(kdr_mm2_checkpoint_encode(&k, &v, &cp), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "checkpoint: field 'topic' is 32768 bytes long (at most 32767)");
	assert_int_equal(k.len, 0);
	big[KDR_MM2_STRING_MAX] = '\0';
	assert_int_equal(kdr_mm2_checkpoint_encode(&k, &v, &cp), 0);
	assert_int_equal(k.len, 2 + 1 + 2 + KDR_MM2_STRING_MAX + 4);
	cp.metadata = NULL;
	kdr_buf_reset(&k);
	kdr_buf_reset(&v);
	assert_int_equal(kdr_mm2_checkpoint_encode(&k, &v, &cp), KDR_EINVALID);
	assert_string_equal(kdr_error_message(), "checkpoint: field 'metadata' is null (MM2 cannot write a null string)");
	free(big);
	kdr_buf_release(&k);
	kdr_buf_release(&v);
}

/* Random records round-trip, and every truncation of a valid record fails cleanly. */
static void test_round_trip_property(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int round = 0; round < 500; round++) {
		char group[40], topic[40], meta[40];
		struct kdr_mm2_checkpoint cp = { group, topic, 0, 0, 0, meta }, back = { 0 };
		struct kdr_buf k = KDR_BUF_INIT, v = KDR_BUF_INIT;
		size_t lens[3];

		for (int i = 0; i < 3; i++) {
			char *s = i == 0 ? group : i == 1 ? topic : meta;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			lens[i] = x % 39;
			for (size_t j = 0; j < lens[i]; j++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				s[j] = (char)(1 + x % 255);
			}
			s[lens[i]] = '\0';
		}
		cp.partition = (int32_t)(x >> 3);
		cp.upstream_offset = (int64_t)(x * 31);
		cp.downstream_offset = (int64_t)(x ^ 0x5555);
		assert_int_equal(kdr_mm2_checkpoint_encode(&k, &v, &cp), 0);
		assert_int_equal(k.len, 2 + lens[0] + 2 + lens[1] + 4);
		assert_int_equal(v.len, 2 + 8 + 8 + 2 + lens[2]);
		assert_int_equal(kdr_mm2_checkpoint_decode(&back, k.ptr, k.len, v.ptr, v.len), 0);
		assert_string_equal(back.group, group);
		assert_string_equal(back.topic, topic);
		assert_string_equal(back.metadata, meta);
		assert_int_equal(back.partition, cp.partition);
		assert_true(back.upstream_offset == cp.upstream_offset);
		assert_true(back.downstream_offset == cp.downstream_offset);
		kdr_mm2_checkpoint_release(&back);
		for (size_t cut = 0; cut < k.len; cut++)
			assert_int_equal(kdr_mm2_checkpoint_decode(&back, k.ptr, cut, v.ptr, v.len), KDR_EINVALID);
		for (size_t cut = 0; cut < v.len; cut++)
			assert_int_equal(kdr_mm2_checkpoint_decode(&back, k.ptr, k.len, v.ptr, cut), KDR_EINVALID);
		kdr_buf_release(&k);
		kdr_buf_release(&v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_bytes),   cmocka_unit_test(test_checkpoint_decode),
		cmocka_unit_test(test_checkpoint_errors),  cmocka_unit_test(test_offset_sync_bytes),
		cmocka_unit_test(test_heartbeat_bytes),    cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_round_trip_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
