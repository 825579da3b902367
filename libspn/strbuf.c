/* strbuf.c - a growable string for building messages and fix scripts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static int reserve(strbuf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->failed)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 128;
	while (cap < b->len + extra + 1)
		cap *= 2;
	p = realloc(b->s, cap);
	if (p == NULL) {
		b->failed = 1;
		return -1;
	}
	b->s = p;
	b->cap = cap;
	return 0;
}

void strbuf_add(strbuf *b, const char *s, size_t len)
{
	if (reserve(b, len) != 0)
		return;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void strbuf_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *strbuf_take(strbuf *b)
{
	char *s = NULL;

	if (!b->failed) {
		s = b->s != NULL ? b->s : strdup("");
		b->s = NULL;
	}
	strbuf_free(b);
	return s;
}

void strbuf_free(strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
