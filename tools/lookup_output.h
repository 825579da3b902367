/* lookup_output.h - spncheck list/query: the accounts found, as text (the
 * layout of setspn -L / -Q) or JSON. */
#ifndef SPN_TOOLS_LOOKUP_OUTPUT_H
#define SPN_TOOLS_LOOKUP_OUTPUT_H

#include <stdio.h>
#include <spn/spn.h>

struct lookup_account {
	char *dn;
	char *sam;
	const char *kind;
	char **spns;
	size_t n_spns;
};

struct lookup_result {
	const char *command;   /* "list" or "query" */
	const char *argument;
	const char *domain;
	const char *server;
	struct lookup_account *accounts;
	size_t n_accounts, cap_accounts;
};

void lookup_result_init(struct lookup_result *r, const char *command,
			const char *argument);
/* spn_account_fn: copies the account into the result (userdata). */
spn_status lookup_result_add(const spn_account *account, void *userdata);
void lookup_result_free(struct lookup_result *r);

/* Both return 0, or -1 on no memory. */
int lookup_output_text(FILE *f, const struct lookup_result *r);
int lookup_output_json(FILE *f, const struct lookup_result *r);

#endif
