/* common.c - exit codes, logging and safe printing shared by the tools. */
#include <stdint.h>
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
	case SPN_E_IO:      /* a file named on the command line cannot be read */
		return EXIT_USAGE;
	default:
		return EXIT_FAILURE_ENV;
	}
}

void tool_fail(const char *prog, spn_ctx *ctx, spn_status status,
	       const char *what)
{
	const char *message = ctx != NULL &&
			      spn_ctx_error_status(ctx) != SPN_OK ?
			      spn_ctx_error(ctx) : NULL;

	fprintf(stderr, "%s: ", prog);
	/* no "FILE: FILE:12: ..." when the message names what already */
	if (what != NULL && message != NULL &&
	    strncmp(message, what, strlen(what)) == 0 &&
	    message[strlen(what)] == ':')
		what = NULL;
	if (what != NULL) {
		tool_print_safe(stderr, what);
		fputs(": ", stderr);
	}
	if (message != NULL)
		tool_print_safe(stderr, message);
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

/* Whether byte c stands for itself in the safe form: printable ASCII
 * other than the backslash. */
static inline int plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
#define LOWS  UINT64_C(0x7f7f7f7f7f7f7f7f)

/* The length of the run of plain bytes that starts s[0..len): eight
 * bytes at a time while no byte in them is below 0x20, at or above 0x7f,
 * or a backslash. */
static size_t plain_run(const unsigned char *s, size_t len)
{
	size_t run = 0;
	uint64_t w, x;

	for (; run + 8 <= len; run += 8) {
		memcpy(&w, s + run, 8);
		x = w ^ (ONES * '\\');
		if ((((w - ONES * 0x20) & ~w) |
		     (((w & LOWS) + ONES) | w) |
		     ((x - ONES) & ~x)) & HIGHS)
			break;
	}
	while (run < len && plain_byte(s[run]))
		run++;
	return run;
}

/* The safe form of s[0..len) (len stops early at a NUL) as a run of bytes
 * that stand for themselves followed by one escape or UTF-8 character:
 * returns the run's length, and sets *esc (escape text, 0-4 bytes) and
 * *used (the bytes of s the escape covers). */
static size_t safe_step(const unsigned char *s, size_t len, char esc[4],
			size_t *esc_len, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	size_t run, n;

	run = plain_run(s, len);
	*esc_len = 0;
	*used = 0;
	if (run == len || s[run] == '\0')
		return run;
	n = utf8_len(s + run, 0);
	if (n > 1 && n <= len - run) {
		/* valid UTF-8 (not a C1 control): part of the run */
		*used = n;
		return run;
	}
	*used = 1;
	if (s[run] == '\\') {
		esc[0] = '\\';
		esc[1] = '\\';
		*esc_len = 2;
	} else {
		/* control byte, DEL, ESC or an invalid UTF-8 byte */
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[s[run] >> 4];
		esc[3] = hex[s[run] & 0xf];
		*esc_len = 4;
	}
	return run;
}

/* Write the safe form of s[0..len) (or up to its NUL) to f, or, when f is
 * NULL, to buf (when not NULL); returns its length. */
static size_t safe_render(FILE *f, const char *text, size_t len, char *buf)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t out = 0, run, esc_len, used;
	char esc[4];

	len = strnlen(text, len);   /* the runs read whole words up to len */
	while (len > 0 && *s != '\0') {
		run = safe_step(s, len, esc, &esc_len, &used);
		if (esc_len == 0)
			run += used;   /* a UTF-8 character goes as it is */
		if (f != NULL) {
			if (run > 0)
				fwrite(s, 1, run, f);
			if (esc_len > 0)
				fwrite(esc, 1, esc_len, f);
		} else if (buf != NULL) {
			memcpy(buf + out, s, run);
			memcpy(buf + out + run, esc, esc_len);
		}
		out += run + esc_len;
		if (esc_len > 0)
			run += used;
		if (run == 0)
			break;     /* the NUL */
		s += run;
		len -= run;
	}
	return out;
}

char *tool_safe_dup(const char *s)
{
	size_t len;
	char *buf;

	if (s == NULL)
		s = "";
	len = safe_render(NULL, s, SIZE_MAX, NULL);
	buf = malloc(len + 1);
	if (buf == NULL)
		return NULL;
	safe_render(NULL, s, SIZE_MAX, buf);
	buf[len] = '\0';
	return buf;
}

void tool_print_safe(FILE *f, const char *s)
{
	safe_render(f, s != NULL ? s : "", SIZE_MAX, NULL);
}

void tool_print_safe_len(FILE *f, const char *s, size_t len)
{
	safe_render(f, s, len, NULL);
}

size_t tool_display_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

int tool_utf8_is_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	uint64_t w;
	size_t n;

	while (p < end) {
		/* ASCII eight bytes at a time */
		if (end - p >= 8) {
			memcpy(&w, p, 8);
			if ((w & HIGHS) == 0) {
				p += 8;
				continue;
			}
		}
		if (*p < 0x80) {
			p++;
			continue;
		}
		n = utf8_len(p, 1);
		if (n == 0)
			return 0;
		p += n;
	}
	return 1;
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
