/* filter.c - RFC 4515 escaping of LDAP filter values built from user input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fold.h"

static const char hex_digits[] = "0123456789abcdef";

/* How many bytes starting at s[0] stay as they are: the length of a valid,
 * printable UTF-8 character that needs no escaping, or 0 when the byte at
 * s[0] must become \XX. */
static size_t plain_length(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n = spn_utf8_decode(s, len, &cp);

	if (n == 0)
		return 0;
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return 0;
	if (cp == '*' || cp == '(' || cp == ')' || cp == '\\')
		return 0;
	return n;
}

/* Escape len bytes of s into out (which has room for 3 * len bytes) and
 * return the number written; '*' is kept as a wildcard when wildcards is
 * set, a run of them collapsed into one. */
static size_t escape_into(const unsigned char *s, size_t len, char *out,
			  int wildcards)
{
	size_t i = 0, o = 0, n;

	while (i < len) {
		if (wildcards && s[i] == '*') {
			/* only a wildcard ever writes a bare '*' */
			if (o == 0 || out[o - 1] != '*')
				out[o++] = '*';
			i++;
			continue;
		}
		n = plain_length(s + i, len - i);
		if (n > 0) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		out[o++] = '\\';
		out[o++] = hex_digits[s[i] >> 4];
		out[o++] = hex_digits[s[i] & 0x0F];
		i++;
	}
	out[o] = '\0';
	return o;
}

static char *escape(const char *value, int wildcards)
{
	size_t len = strlen(value);
	char *out;

	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(3 * len + 1);
	if (out == NULL)
		return NULL;
	escape_into((const unsigned char *)value, len, out, wildcards);
	return out;
}

char *spn_filter_escape(const char *value)
{
	if (value == NULL)
		return NULL;
	return escape(value, 0);
}

spn_status spn_filter_pattern(spn_ctx *ctx, const char *pattern,
			      char **filter_value_out)
{
	spn_status status;
	char *value = NULL;

	if (pattern == NULL || filter_value_out == NULL) {
		status = spn_error(ctx, SPN_E_USAGE, "no SPN pattern given");
		goto cleanup;
	}
	if (pattern[0] == '\0') {
		status = spn_error(ctx, SPN_E_INPUT, "empty SPN pattern");
		goto cleanup;
	}
	if (pattern[strspn(pattern, "*")] == '\0') {
		status = spn_error(ctx, SPN_E_INPUT,
				   "SPN pattern '%s' is only wildcards: give at "
				   "least the service class, e.g. 'http/*'",
				   pattern);
		goto cleanup;
	}
	if (pattern[0] == '*') {
		status = spn_error(ctx, SPN_E_INPUT,
				   "SPN pattern '%s' starts with '*': leading "
				   "wildcards make the DC read every object; "
				   "start with the service class, e.g. 'http/*'",
				   pattern);
		goto cleanup;
	}
	value = escape(pattern, 1);
	if (value == NULL) {
		status = spn_error(ctx, SPN_E_NOMEM,
				   "no memory for the filter of SPN pattern '%s'",
				   pattern);
		goto cleanup;
	}
	*filter_value_out = value;
	value = NULL;
	status = SPN_OK;

cleanup:
	free(value);
	return status;
}
