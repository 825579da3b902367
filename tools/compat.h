/* compat.h - what the tools need from the platform that POSIX and Windows
 * (mingw-w64) spell differently: one spelling for both builds. */
#ifndef SPN_TOOLS_COMPAT_H
#define SPN_TOOLS_COMPAT_H

#include <stddef.h>
#include <stdio.h>

/* Call first thing in main: on Windows, start Winsock, put standard input
 * and output in binary mode (the same bytes as on Linux: no CRLF, no ^Z as
 * end of file) and replace argv by the command line in UTF-8 (the C
 * runtime's argv is in the ANSI code page, which cannot hold every target);
 * undone at exit. Elsewhere nothing. 0, or -1 on no memory. */
int tool_platform_init(int *argc, char ***argv);

/* fopen with a UTF-8 path (on Windows through _wfopen). */
FILE *tool_fopen(const char *path, const char *mode);

/* Read one line, newline included, into *line (grown as needed, like
 * getline): its length, which counts any NUL bytes in it; -1 at the end of
 * the file or on a read error (ferror tells), -2 on no memory. */
long tool_getline(char **line, size_t *size, FILE *f);

/* The first len bytes of s as a new string (strndup, which mingw-w64 lacks). */
char *tool_strndup(const char *s, size_t len);

/* Lines from several threads: lock f around one whole line. */
void tool_lock_file(FILE *f);
void tool_unlock_file(FILE *f);

/* The client's TryIPSPN setting. On Windows, unless given (--try-ip-spn):
 * HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters\TryIPSPN
 * (REG_DWORD), into *on_out; returns a note for the detail saying which
 * applied (static storage: call once). Elsewhere there is no such setting:
 * returns NULL and leaves *on_out alone. */
const char *tool_client_try_ip_spn(int given, int *on_out);

#endif
