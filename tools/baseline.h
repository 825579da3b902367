/* baseline.h - compare a report with a previous one (spncheck --json output)
 * so a nightly job sees what is new and what was fixed. */
#ifndef SPN_TOOLS_BASELINE_H
#define SPN_TOOLS_BASELINE_H

#include <stddef.h>
#include <spn/spn.h>

struct baseline_entry {
	char *id;         /* identity of a finding: check, spn, host, accounts */
	char *check;
	char *severity;
	char *spn;        /* or NULL */
	char *host;       /* or NULL */
	char *message;
	int seen;         /* found again in the current report */
};

struct baseline {
	struct baseline_entry *entries;
	size_t n;
};

/* Read a previous spncheck --json report. On a bad file, writes a one-line
 * reason naming the file into err and returns -1. */
int baseline_load(const char *path, struct baseline *b, char *err,
		  size_t err_size);
/* The same for a report already in memory: text holds len bytes (a NUL
 * among them is refused); err as above, without the file's name. */
int baseline_parse(const char *text, size_t len, struct baseline *b,
		   char *err, size_t err_size);
void baseline_free(struct baseline *b);

/* The identity of a finding (malloc'd, NULL on no memory). */
char *baseline_finding_id(const spn_finding *f);
/* Whether a finding with this id was in the baseline; marks it seen. */
int baseline_contains(struct baseline *b, const char *id);

#endif
