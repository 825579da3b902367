/* common.c - exit codes, logging and safe printing shared by the tools. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int tool_exit_for(spn_status status)
{
	switch (status) {
	case SPN_OK:
		return EXIT_CLEAN;
	case SPN_E_USAGE:
	case SPN_E_INPUT:
		return EXIT_USAGE;
	default:
		return EXIT_FAILURE_ENV;
	}
}

void tool_fail(const char *prog, spn_ctx *ctx, spn_status status,
	       const char *what)
{
	fprintf(stderr, "%s: ", prog);
	if (what != NULL) {
		tool_print_safe(stderr, what);
		fputs(": ", stderr);
	}
	if (ctx != NULL && spn_ctx_error_status(ctx) != SPN_OK)
		tool_print_safe(stderr, spn_ctx_error(ctx));
	else
		fputs(spn_status_name(status), stderr);
	fputc('\n', stderr);
}

void tool_log(spn_log_level level, const char *message, void *userdata)
{
	const char *prog = userdata != NULL ? userdata : "spnkit";
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };

	fprintf(stderr, "%s: %s: ", prog, names[level & 3]);
	tool_print_safe(stderr, message);
	fputc('\n', stderr);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid (or a
 * C1 control, unless allow_c1). */
static size_t utf8_len(const unsigned char *s, int allow_c1)
{
	unsigned int c = s[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) can drive some terminals too. */
	if (!allow_c1 && cp >= 0x80 && cp <= 0x9f)
		return 0;
	return n;
}

/* Append the safe form of s to buf (when buf is not NULL); return length. */
static size_t safe_render(const char *s, char *buf)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t out = 0, n;
	static const char hex[] = "0123456789abcdef";

	while (*p != '\0') {
		n = utf8_len(p, 0);
		if (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\') {
			if (buf)
				buf[out] = (char)*p;
			out++;
			p++;
		} else if (n == 1 && *p == '\\') {
			if (buf)
				memcpy(buf + out, "\\\\", 2);
			out += 2;
			p++;
		} else if (n > 1) {
			if (buf)
				memcpy(buf + out, p, n);
			out += n;
			p += n;
		} else {
			/* control byte, DEL, ESC or an invalid UTF-8 byte */
			if (buf) {
				buf[out] = '\\';
				buf[out + 1] = 'x';
				buf[out + 2] = hex[*p >> 4];
				buf[out + 3] = hex[*p & 0xf];
			}
			out += 4;
			p++;
		}
	}
	return out;
}

char *tool_safe_dup(const char *s)
{
	size_t len;
	char *buf;

	if (s == NULL)
		s = "";
	len = safe_render(s, NULL);
	buf = malloc(len + 1);
	if (buf == NULL)
		return NULL;
	safe_render(s, buf);
	buf[len] = '\0';
	return buf;
}

void tool_print_safe(FILE *f, const char *s)
{
	char *safe = tool_safe_dup(s);

	if (safe == NULL) {
		fputs("(out of memory)", f);
		return;
	}
	fputs(safe, f);
	free(safe);
}

size_t tool_display_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

char *tool_utf8_valid_dup(const char *s)
{
	const unsigned char *p;
	size_t len = 0, n;
	char *out, *o;

	for (p = (const unsigned char *)s; *p != '\0'; p += n ? n : 1)
		len += (n = utf8_len(p, 1)) ? n : 3;
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	o = out;
	for (p = (const unsigned char *)s; *p != '\0'; p += n ? n : 1) {
		n = utf8_len(p, 1);
		if (n) {
			memcpy(o, p, n);
			o += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	*o = '\0';
	return out;
}
