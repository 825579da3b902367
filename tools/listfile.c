/* listfile.c - read a list file (targets, one a line) for the tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "compat.h"
#include "listfile.h"

static void complain(const char *prog, const char *path, size_t lineno,
		     const char *what)
{
	fprintf(stderr, "%s: ", prog);
	tool_print_safe(stderr, path);
	if (lineno > 0)
		fprintf(stderr, ": line %zu", lineno);
	fprintf(stderr, ": %s\n", what);
}

void listfile_free(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int listfile_read(const char *prog, const char *path, char ***lines_out,
		  size_t *n_out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : tool_fopen(path, "r");
	char **lines = NULL, **grown, *line = NULL;
	size_t n = 0, cap = 0, size = 0, end;
	long len;
	int rc = EXIT_USAGE;

	if (f == NULL) {
		complain(prog, path, 0, strerror(errno));
		return EXIT_USAGE;
	}
	while ((len = tool_getline(&line, &size, f)) >= 0) {
		if ((size_t)len > LISTFILE_MAX_LINE) {
			complain(prog, path, n + 1, "line too long");
			goto cleanup;
		}
		if (memchr(line, '\0', (size_t)len) != NULL) {
			complain(prog, path, n + 1, "contains a NUL byte");
			goto cleanup;
		}
		end = (size_t)len;
		while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r'))
			end--;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(lines, cap * sizeof(*lines));
			if (grown == NULL)
				goto nomem;
			lines = grown;
		}
		lines[n] = tool_strndup(line, end);
		if (lines[n] == NULL)
			goto nomem;
		n++;
	}
	if (len == -2)
		goto nomem;
	if (ferror(f)) {
		complain(prog, path, 0, strerror(errno));
		goto cleanup;
	}
	*lines_out = lines;
	*n_out = n;
	lines = NULL;
	n = 0;
	rc = 0;
	goto cleanup;
nomem:
	complain(prog, path, 0, "out of memory");
	rc = EXIT_FAILURE_ENV;
cleanup:
	listfile_free(lines, n);
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}
