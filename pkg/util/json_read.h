#ifndef KDR_UTIL_JSON_READ_H
#define KDR_UTIL_JSON_READ_H

#include <jansson.h>

/*
 * What the JSON codecs (the snapshot in pkg/live, the saved plan in
 * pkg/plan) share when they read a document (jansson values).
 */

/* "an object", "an array", "a string", "an integer", "a number", "a boolean", "null": for "expected X, found Y". */
const char *kdr_json_kind_name(json_type type);
/* The same for a value's type. */
const char *kdr_json_type_name(const json_t *value);

#endif
