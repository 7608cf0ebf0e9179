/* Option arguments into the command's fields: durations, sizes, words of a table (--format text|json). */
#include "cli/cli_internal.h"

#include <string.h>

#include "util/buf.h"
#include "util/strvec.h"
#include "util/units.h"

/* The words --format text|json allows, the index the bool it sets. */
static const char *const text_or_json[] = {"text", "json", NULL};

/* `arg` as a duration in (0, INT32_MAX] ms into *ms; false when it is not one. */
static bool positive_ms(int64_t *ms, const char *arg)
{
	int64_t parsed = 0;

	if (kdr_parse_duration_ms(&parsed, arg, 0) != 0 || parsed <= 0 || parsed > INT32_MAX)
		return false;
	*ms = parsed;
	return true;
}

int kdr_cli_duration(int64_t *out, const struct kdr_cli_spec *spec, const char *flag, const char *arg, const char *hint)
{
	if (!positive_ms(out, arg))
		return kdr_cli_usage_error(spec, "%s: '%s' is not a positive duration %s", flag, arg, hint);
	return 0;
}

/*
 * The index of `arg` in `words` (NULL-terminated) into *index; else the
 * usage error "--NAME: unknown NOUN 'ARG' (allowed: W1, W2)", NOUN the
 * option's name with spaces for its '-' (--log-format: "log format").
 */
static int word_index(int *index, const struct kdr_cli_spec *spec, const char *name, const char *const *words,
		      const char *arg)
{
	struct kdr_buf noun = KDR_BUF_INIT, allowed = KDR_BUF_INIT;
	int rc = 0;

	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], arg) == 0) {
			*index = i;
			return 0;
		}
	for (const char *c = name; *c; c++)
		kdr_buf_putc(&noun, *c == '-' ? ' ' : *c);
	for (int i = 0; words[i]; i++)
		kdr_buf_printf(&allowed, "%s%s", i ? ", " : "", words[i]);
	rc = kdr_cli_usage_error(spec, "--%s: unknown %s '%s' (allowed: %s)", name, noun.ptr, arg, allowed.ptr);
	kdr_buf_release(&noun);
	kdr_buf_release(&allowed);
	return rc;
}

int kdr_cli_format_json(bool *json, const struct kdr_cli_spec *spec, const char *arg)
{
	int index = 0;
	int rc = word_index(&index, spec, "format", text_or_json, arg);

	if (rc == 0)
		*json = index == 1;
	return rc;
}

int kdr_cli__set_field(void *fields, const struct kdr_cli_option *option, const char *arg,
		       const struct kdr_cli_spec *spec)
{
	void *field = (char *)fields + option->to.offset;
	int64_t number = 0;
	int index = 0, rc = 0;

	switch (option->to.set) {
	case KDR_CLI_CALL:
		break;
	case KDR_CLI_SET_TRUE:
		*(bool *)field = true;
		break;
	case KDR_CLI_SET_ARG:
		*(const char **)field = arg;
		break;
	case KDR_CLI_SET_LIST:
		kdr_strvec_push(field, arg);
		break;
	case KDR_CLI_SET_MS:
		if (kdr_parse_duration_ms(field, arg, 0) != 0)
			return kdr_cli_usage_error(spec, "--%s: '%s' is not a duration (e.g. 5s)", option->name, arg);
		break;
	case KDR_CLI_SET_SIZE:
		if (kdr_parse_size_bytes(&number, arg) != 0 || number <= 0 || (uint64_t)number > SIZE_MAX)
			return kdr_cli_usage_error(spec, "--%s: '%s' is not a positive size (e.g. 64MiB, 1048576)",
						   option->name, arg);
		*(size_t *)field = (size_t)number;
		break;
	case KDR_CLI_SET_JSON:
		if ((rc = word_index(&index, spec, option->name, text_or_json, arg)) == 0)
			*(bool *)field = index == 1;
		return rc;
	case KDR_CLI_SET_ENUM:
		/* An enum is an int or an unsigned int (KDR_CLI_INT_FIELD): either may be written as an int. */
		if ((rc = word_index(&index, spec, option->name, option->to.words, arg)) == 0)
			*(int *)field = index;
		return rc;
	case KDR_CLI_SET_POSITIVE_MS:
	case KDR_CLI_SET_POSITIVE_MS_INT:
		/* "0" is the command's "never", a setting rather than a period: no other spelling of 0 means it. */
		if (!(option->to.zero_is_off && strcmp(arg, "0") == 0) && !positive_ms(&number, arg))
			return kdr_cli_usage_error(spec, "--%s: '%s' is not a positive duration %s", option->name, arg,
						   option->to.hint);
		if (option->to.set == KDR_CLI_SET_POSITIVE_MS)
			*(int64_t *)field = number;
		else
			*(int *)field = (int)number; /* at most INT32_MAX */
		break;
	}
	return 0;
}
