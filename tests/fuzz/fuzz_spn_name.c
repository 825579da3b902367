/* fuzz_spn_name.c - libFuzzer target: SPN parsing, keys, host display, filter escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spn/name.h>
#include "filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_ascii_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

static void check_name(const char *text)
{
	spn_name *name = NULL;
	char *display;

	if (spn_name_parse(text, &name) != SPN_OK)
		abort();
	/* the parts are always there, the reason says what is wrong */
	if (name->service_class == NULL || name->host == NULL)
		abort();
	if (name->port != NULL && name->instance != NULL)
		abort();
	if (name->invalid == NULL) {
		if (name->service_class[0] == '\0' || name->host[0] == '\0')
			abort();
		if (name->host_kind == SPN_HOST_INVALID)
			abort();
		if (spn_host_classify(name->host) != name->host_kind)
			abort();
		if (strlen(name->host) > 255 && name->host_kind != SPN_HOST_IPV6)
			abort();
		if (strchr(name->host, ' ') != NULL)
			abort();
	}
	if (strlen(spn_host_kind_name(name->host_kind)) == 0)
		abort();

	display = spn_host_display(name->host);
	if (display == NULL || is_ascii_upper(display))
		abort();
	free(display);
	spn_name_free(name);
}

static void check_key(const char *text)
{
	char small[16];
	size_t need, got;
	char *key;

	need = spn_key(text, NULL, 0);
	key = malloc(need + 1);
	if (key == NULL)
		return;
	got = spn_key(text, key, need + 1);
	if (got != need || strlen(key) != need || is_ascii_upper(key))
		abort();
	/* a short buffer gets a NUL-terminated prefix of the same key */
	got = spn_key(text, small, sizeof(small));
	if (got != need || strlen(small) >= sizeof(small) ||
	    strncmp(small, key, strlen(small)) != 0)
		abort();
	/* folding the key again changes nothing but another trailing dot */
	got = spn_key(key, NULL, 0);
	if (got != need && got + 1 != need)
		abort();
	free(key);
}

static void check_filter(const char *text)
{
	char *escaped, *value = NULL;
	const char *p;

	escaped = spn_filter_escape(text);
	if (escaped == NULL)
		abort();
	for (p = escaped; *p != '\0'; p++)
		if (*p == '*' || *p == '(' || *p == ')' ||
		    (unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	free(escaped);

	if (spn_filter_pattern(NULL, text, &value) == SPN_OK) {
		if (value == NULL || value[0] == '*' || strstr(value, "**") != NULL)
			abort();
		free(value);
	} else if (value != NULL) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_name(text);
	check_key(text);
	check_filter(text);
	free(text);
	return 0;
}
