/* fuzz_confusable.c - libFuzzer target: SPN skeletons, lookalike kinds, escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "confusable.h"
#include "fold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = spn_utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

static int has_ascii_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

static void check_skeleton(const char *text)
{
	char small[16], *sk, *again;
	size_t need, got;

	need = spn_skeleton(text, NULL, 0);
	if (need > strlen(text))
		abort();    /* every mapping keeps or shortens */
	sk = malloc(need + 1);
	if (sk == NULL)
		return;
	got = spn_skeleton(text, sk, need + 1);
	if (got != need || strlen(sk) != need || has_ascii_upper(sk))
		abort();
	/* a short buffer gets a NUL-terminated prefix of the same skeleton */
	got = spn_skeleton(text, small, sizeof(small));
	if (got != need || strlen(small) >= sizeof(small) ||
	    strncmp(small, sk, strlen(small)) != 0)
		abort();
	if (valid_utf8(text)) {
		/* the skeleton of a skeleton is itself, and it has no
		 * lookalike character left */
		if (!valid_utf8(sk) || spn_lookalike_kinds(sk) != 0)
			abort();
		again = malloc(need + 1);
		if (again == NULL) {
			free(sk);
			return;
		}
		if (spn_skeleton(sk, again, need + 1) != need ||
		    strcmp(again, sk) != 0)
			abort();
		free(again);
	}
	/* nothing to remove or map: the skeleton is the case folding */
	if (spn_lookalike_kinds(text) == 0 && need > 0) {
		char *folded = malloc(strlen(text) + 1);

		if (folded != NULL) {
			spn_fold_utf8(text, strlen(text), folded,
				      strlen(text) + 1);
			/* the long s (U+017F) folds to s in both */
			if (strcmp(folded, sk) != 0)
				abort();
			free(folded);
		}
	}
	free(sk);
}

static void check_escape(const char *text)
{
	char small[16], *esc;
	size_t need, got, i;

	need = spn_escape_unicode(text, NULL, 0);
	esc = malloc(need + 1);
	if (esc == NULL)
		return;
	got = spn_escape_unicode(text, esc, need + 1);
	if (got != need || strlen(esc) != need)
		abort();
	/* printable ASCII only: safe in a comment line */
	for (i = 0; i < need; i++)
		if ((unsigned char)esc[i] < 0x20 || (unsigned char)esc[i] >= 0x7f)
			abort();
	got = spn_escape_unicode(text, small, sizeof(small));
	if (got != need || strncmp(small, esc, strlen(small)) != 0)
		abort();
	free(esc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_skeleton(text);
	check_escape(text);
	free(text);
	return 0;
}
