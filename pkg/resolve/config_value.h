#ifndef KDR_RESOLVE_CONFIG_VALUE_H
#define KDR_RESOLVE_CONFIG_VALUE_H

/*
 * Topic config values as Kafka reads them: two spellings of one value
 * ("086400000" and "86400000", "delete,compact" and "compact, delete") are
 * the same value. What the merge of several policies' values, the plan's
 * comparison with live overrides and its cross-cluster checks compare by.
 * Pure.
 */

#include <stdbool.h>

/* Kafka's canonical form of a topic config value, for comparison (heap string; NULL for NULL). */
char *kdr_resolve_config_normalise(const char *key, const char *value);

/* Whether a and b are the same value of `key` to Kafka (both NULL: equal; one NULL: not). */
bool kdr_resolve_config_equal(const char *key, const char *a, const char *b);

/* Whether the config value is Kafka's boolean true (case-insensitive, trimmed; NULL: false). */
bool kdr_resolve_config_true(const char *value);

#endif
