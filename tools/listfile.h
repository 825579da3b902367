/* listfile.h - read a list file (targets, one a line) for the tools. */
#ifndef SPN_TOOLS_LISTFILE_H
#define SPN_TOOLS_LISTFILE_H

#include <stddef.h>

#define LISTFILE_MAX_LINE 65536

/* Read every line of path ("-": standard input), without its line end, so
 * that lines[i] is line i + 1. A line longer than LISTFILE_MAX_LINE or with a
 * NUL byte, or a file that cannot be read, is an error: a one-line message
 * naming the file (and the line) is printed after "PROG: " and 2 is
 * returned. 0 on success (the caller frees with listfile_free). */
int listfile_read(const char *prog, const char *path, char ***lines_out,
		  size_t *n_out);
void listfile_free(char **lines, size_t n);

#endif
