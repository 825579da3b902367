/* strbuf.h - a growable string for building messages and fix scripts. */
#ifndef SPN_STRBUF_H
#define SPN_STRBUF_H

#include <stddef.h>
#include "context_impl.h"

typedef struct strbuf {
	char *s;       /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
	int failed;    /* an allocation failed; the content is incomplete */
} strbuf;

#define STRBUF_INIT { NULL, 0, 0, 0 }

void strbuf_add(strbuf *b, const char *s, size_t len);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_printf(strbuf *b, const char *fmt, ...) SPN_PRINTF(2, 3);
/* Hand the string over (NULL when an allocation failed); b is reset. */
char *strbuf_take(strbuf *b);
void strbuf_free(strbuf *b);

#endif
