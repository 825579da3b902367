/* common.h - what spncheck and krbprobe share: exit codes, logging, safe
 * printing of strings that came from a server or a file. */
#ifndef SPN_TOOLS_COMMON_H
#define SPN_TOOLS_COMMON_H

#include <stdio.h>
#include <spn/spn.h>

/* Exit status contract (DESIGN.md). */
enum {
	EXIT_CLEAN = 0,     /* nothing found / every target uses Kerberos */
	EXIT_FINDINGS = 1,  /* findings / some target falls back to NTLM */
	EXIT_USAGE = 2,     /* usage or bad input */
	EXIT_FAILURE_ENV = 3, /* directory, DNS or Kerberos failure */
};

/* The exit code for a failed library call. */
int tool_exit_for(spn_status status);

/* Print "PROG: <what>: <ctx error>" on stderr, one line, made safe. */
void tool_fail(const char *prog, spn_ctx *ctx, spn_status status,
	       const char *what);

/* Log callback for spn_ctx_set_log that writes "PROG: message" lines on
 * stderr (userdata is the program name). */
void tool_log(spn_log_level level, const char *message, void *userdata);

/* Write s to f with control characters, DEL, ESC sequences and invalid UTF-8
 * shown as \xNN, so nothing from the directory can drive the terminal. */
void tool_print_safe(FILE *f, const char *s);
/* Same for the len bytes at s (fewer when a NUL comes first); a character
 * that len cuts is shown as \xNN bytes. */
void tool_print_safe_len(FILE *f, const char *s, size_t len);
/* Same, into a malloc'd string (NULL on no memory). */
char *tool_safe_dup(const char *s);

/* Whether s is valid UTF-8 (tool_utf8_valid_dup would change nothing). */
int tool_utf8_is_valid(const char *s);
/* A copy with every invalid UTF-8 byte replaced by U+FFFD (for JSON). */
char *tool_utf8_valid_dup(const char *s);

/* Display width of a (safe) UTF-8 string, counting code points. */
size_t tool_display_width(const char *s);

#endif
