/*
 * kdr's decoder of Kafka Connect's answers (GET / and GET
 * /connectors?expand=status&expand=info): a Connect worker is a remote
 * system, its JSON may be anything. The input is [ROOT, LIST] (or any JSON:
 * then used as LIST with no ROOT).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "connect/connect_internal.h"
#include "live/live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *input = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	json_t *root = NULL, *list = input;
	struct kdr_live_cluster cl = { 0 };

	if (!input)
		return 0;
	if (json_is_array(input) && json_array_size(input) == 2) {
		root = json_array_get(input, 0);
		list = json_array_get(input, 1);
	}
	kdr_connect__decode(&cl.connect, "http://fuzz:8083", root, list);
	kdr_live_cluster_release(&cl);
	json_decref(input);
	return 0;
}
