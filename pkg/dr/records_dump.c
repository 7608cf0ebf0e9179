/*
 * The record-dump format of kdr backup --data (backup.h,
 * docs/backup-format.md): JSON lines, bytes as standard base64, and the
 * SHA-256 sums that guard them (OpenSSL's libcrypto).
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "dr/backup.h"
#include "util/alloc.h"
#include "util/error.h"

static void bytes_copy(struct kdr_dr_bytes *out, const struct kdr_dr_bytes *src)
{
	out->null = src->null || !src->ptr;
	out->len = out->null ? 0 : src->len;
	out->ptr = NULL;
	if (!out->null) {
		out->ptr = kdr_malloc(out->len + 1);
		if (out->len)
			memcpy(out->ptr, src->ptr, out->len);
		out->ptr[out->len] = 0;
	}
}

void kdr_dr_partition_records_init(struct kdr_dr_partition_records *out, const char *topic, int32_t partition)
{
	memset(out, 0, sizeof(*out));
	out->topic = kdr_strdup(topic);
	out->partition = partition;
}

void kdr_dr_partition_records_add(struct kdr_dr_partition_records *records, const struct kdr_dr_record *record)
{
	struct kdr_dr_record *copy = NULL;

	records->v = kdr_grow(records->v, &records->cap, records->n + 1, sizeof(*records->v));
	copy = &records->v[records->n++];
	memset(copy, 0, sizeof(*copy));
	copy->offset = record->offset;
	copy->timestamp_ms = record->timestamp_ms;
	bytes_copy(&copy->key, &record->key);
	bytes_copy(&copy->value, &record->value);
	records->bytes += copy->key.len + copy->value.len;
	if (record->n_headers) {
		copy->headers = kdr_calloc(record->n_headers, sizeof(*copy->headers));
		copy->n_headers = record->n_headers;
	}
	for (size_t h = 0; h < record->n_headers; h++) {
		copy->headers[h].key = kdr_strdup(record->headers[h].key ? record->headers[h].key : "");
		bytes_copy(&copy->headers[h].value, &record->headers[h].value);
		records->bytes += strlen(copy->headers[h].key) + copy->headers[h].value.len;
	}
}

static void record_release(struct kdr_dr_record *record)
{
	free(record->key.ptr);
	free(record->value.ptr);
	for (size_t h = 0; h < record->n_headers; h++) {
		free(record->headers[h].key);
		free(record->headers[h].value.ptr);
	}
	free(record->headers);
	memset(record, 0, sizeof(*record));
}

void kdr_dr_partition_records_release(struct kdr_dr_partition_records *records)
{
	for (size_t i = 0; i < records->n; i++)
		record_release(&records->v[i]);
	free(records->v);
	free(records->topic);
	memset(records, 0, sizeof(*records));
}

char *kdr_dr_records_path(const char *topic, int32_t partition)
{
	return kdr_asprintf("data/%s/%d.jsonl", topic, (int)partition);
}

/* --- base64 (standard alphabet, padded) --- */

static json_t *base64_json(const struct kdr_dr_bytes *bytes)
{
	char *text = NULL;
	json_t *out = NULL;

	if (bytes->null)
		return json_null();
	text = kdr_malloc(4 * ((bytes->len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)text, bytes->ptr, (int)bytes->len);
	out = json_string(text);
	free(text);
	return out;
}

/* Decodes standard padded base64; false when malformed. */
static bool base64_decode(struct kdr_dr_bytes *out, const char *text)
{
	size_t len = strlen(text), pad = 0;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
			  c == '/' || (c == '=' && i >= len - 2);

		if (!ok || (pad && c != '='))
			return false;
		if (c == '=')
			pad++;
	}
	out->ptr = kdr_malloc(len / 4 * 3 + 1);
	n = len ? EVP_DecodeBlock(out->ptr, (const unsigned char *)text, (int)len) : 0;
	if (n < 0 || (size_t)n < pad) {
		free(out->ptr);
		out->ptr = NULL;
		return false;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	out->len = (size_t)n - pad;
	out->ptr[out->len] = 0;
	return true;
}

/* --- encode / decode --- */

static void put_line(struct kdr_buf *out, json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;

	kdr_buf_puts(out, text ? text : "{}");
	kdr_buf_putc(out, '\n');
	free(text);
	json_decref(obj);
}

/* Length of the valid UTF-8 sequence at `p` (1..4), or 0. */
static size_t utf8_sequence(const unsigned char *p)
{
	size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (n == 2 && p[0] < 0xc2)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A header key as a JSON string: Kafka's header keys are Strings (UTF-8);
 * bytes that are not UTF-8 become U+FFFD, as a Java consumer reads them.
 */
static json_t *header_key_json(const char *key)
{
	struct kdr_buf buf = KDR_BUF_INIT;
	json_t *out = json_string(key);

	if (out)
		return out;
	for (const unsigned char *p = (const unsigned char *)key; *p;) {
		size_t n = utf8_sequence(p);

		if (n == 0) {
			kdr_buf_puts(&buf, "\xef\xbf\xbd");
			p++;
			continue;
		}
		kdr_buf_put(&buf, p, n);
		p += n;
	}
	out = json_string(buf.ptr);
	kdr_buf_release(&buf);
	return out ? out : json_string("");
}

void kdr_dr_records_encode(struct kdr_buf *out, const struct kdr_dr_partition_records *records)
{
	put_line(out, json_pack("{s:i, s:s, s:i}", "kdrRecords", 1, "topic", records->topic, "partition",
				(int)records->partition));
	for (size_t i = 0; i < records->n; i++) {
		const struct kdr_dr_record *record = &records->v[i];
		json_t *obj = json_object(), *headers = json_array();

		for (size_t h = 0; h < record->n_headers; h++)
			json_array_append_new(headers, json_pack("[o, o]", header_key_json(record->headers[h].key),
								 base64_json(&record->headers[h].value)));
		json_object_set_new(obj, "offset", json_integer((json_int_t)record->offset));
		json_object_set_new(obj, "timestamp", json_integer((json_int_t)record->timestamp_ms));
		json_object_set_new(obj, "key", base64_json(&record->key));
		json_object_set_new(obj, "value", base64_json(&record->value));
		json_object_set_new(obj, "headers", headers);
		put_line(out, obj);
	}
}

static bool bytes_field(struct kdr_dr_bytes *out, json_t *value)
{
	memset(out, 0, sizeof(*out));
	if (json_is_null(value)) {
		out->null = true;
		return true;
	}
	return json_is_string(value) && base64_decode(out, json_string_value(value));
}

static int decode_record(struct kdr_dr_record *out, json_t *obj, const char *label, size_t line)
{
	json_t *offset = json_object_get(obj, "offset"), *timestamp = json_object_get(obj, "timestamp");
	json_t *headers = json_object_get(obj, "headers"), *header = NULL;
	size_t h = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj) || !json_is_integer(offset) || json_integer_value(offset) < 0)
		return kdr_error_set(KDR_EINVALID, "%s:%zu: offset: expected an integer >= 0", label, line);
	if (!json_is_integer(timestamp))
		return kdr_error_set(KDR_EINVALID, "%s:%zu: timestamp: expected an integer (-1: none)", label, line);
	out->offset = (int64_t)json_integer_value(offset);
	out->timestamp_ms = (int64_t)json_integer_value(timestamp);
	if (!bytes_field(&out->key, json_object_get(obj, "key")))
		return kdr_error_set(KDR_EINVALID, "%s:%zu: key: expected base64 or null", label, line);
	if (!bytes_field(&out->value, json_object_get(obj, "value")))
		return kdr_error_set(KDR_EINVALID, "%s:%zu: value: expected base64 or null", label, line);
	if (headers && !json_is_array(headers))
		return kdr_error_set(KDR_EINVALID, "%s:%zu: headers: expected a list of [key, base64|null]", label,
				     line);
	if (json_array_size(headers))
		out->headers = kdr_calloc(json_array_size(headers), sizeof(*out->headers));
	json_array_foreach(headers, h, header) {
		struct kdr_dr_header *dh = &out->headers[out->n_headers];

		if (!json_is_array(header) || json_array_size(header) != 2 ||
		    !json_is_string(json_array_get(header, 0)) || !bytes_field(&dh->value, json_array_get(header, 1)))
			return kdr_error_set(KDR_EINVALID, "%s:%zu: headers[%zu]: expected [key, base64|null]", label,
					     line, h);
		dh->key = kdr_strdup(json_string_value(json_array_get(header, 0)));
		out->n_headers++;
	}
	return 0;
}

int kdr_dr_records_decode(struct kdr_dr_partition_records *out, const char *text, size_t len, const char *label)
{
	size_t line = 0, at = 0;
	int error = 0;

	size_t seen = 0; /* non-empty lines */

	memset(out, 0, sizeof(*out));
	while (at < len && !error) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		json_error_t jerr;
		json_t *obj = NULL;

		line++;
		if (end == at) {
			at = end + 1;
			continue;
		}
		obj = json_loadb(text + at, end - at, 0, &jerr);
		at = end + 1;
		if (!obj) {
			error = kdr_error_set(KDR_EINVALID, "%s:%zu:%d: %s", label, line, jerr.column, jerr.text);
			break;
		}
		if (++seen == 1) {
			json_t *partition = json_object_get(obj, "partition");
			const char *topic = json_string_value(json_object_get(obj, "topic"));

			if (json_integer_value(json_object_get(obj, "kdrRecords")) != 1 || !topic ||
			    !json_is_integer(partition) || json_integer_value(partition) < 0 ||
			    json_integer_value(partition) > INT32_MAX)
				error = kdr_error_set(KDR_EINVALID,
						      "%s:%zu: expected the header {\"kdrRecords\":1,\"partition\":P,"
						      "\"topic\":\"T\"}",
						      label, line);
			else
				kdr_dr_partition_records_init(out, topic, (int32_t)json_integer_value(partition));
		} else {
			struct kdr_dr_record record;

			error = decode_record(&record, obj, label, line);
			if (!error)
				kdr_dr_partition_records_add(out, &record);
			record_release(&record);
		}
		json_decref(obj);
	}
	if (!error && seen == 0)
		error = kdr_error_set(KDR_EINVALID, "%s: empty; expected the header line", label);
	if (error)
		kdr_dr_partition_records_release(out);
	return error;
}

/* --- SHA-256 --- */

void kdr_dr_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32 && i < md_len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = 0;
}

int kdr_dr_sha256_check(const char *sums, const char *path, const void *data, size_t len)
{
	const char *name = strncmp(path, "data/", 5) == 0 ? path + 5 : path;
	size_t name_len = strlen(name);
	char hex[65];

	kdr_dr_sha256_hex(hex, data, len);
	for (const char *line = sums; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t line_len = nl ? (size_t)(nl - line) : strlen(line);

		/* "<64 hex>  <name>" */
		if (line_len == 66 + name_len && memcmp(line + 66, name, name_len) == 0) {
			if (memcmp(line, hex, 64) != 0)
				return kdr_error_set(KDR_EINVALID,
						     "%s: SHA-256 %s differs from the %.64s of SHA256SUMS (the file "
						     "was changed or damaged)",
						     path, hex, line);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return kdr_error_set(KDR_ENOTFOUND, "%s: not listed in data/SHA256SUMS", path);
}
