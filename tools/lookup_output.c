/* lookup_output.c - spncheck list/query results as text or JSON. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "lookup_output.h"

void lookup_result_init(struct lookup_result *r, const char *command,
			const char *argument)
{
	memset(r, 0, sizeof(*r));
	r->command = command;
	r->argument = argument;
}

static void account_free(struct lookup_account *a)
{
	size_t i;

	free(a->dn);
	free(a->sam);
	for (i = 0; i < a->n_spns; i++)
		free(a->spns[i]);
	free(a->spns);
}

spn_status lookup_result_add(const spn_account *account, void *userdata)
{
	struct lookup_result *r = userdata;
	struct lookup_account a;
	size_t i;

	memset(&a, 0, sizeof(a));
	if (r->n_accounts == r->cap_accounts) {
		size_t cap = r->cap_accounts ? r->cap_accounts * 2 : 8;
		struct lookup_account *p = realloc(r->accounts, cap * sizeof(*p));

		if (p == NULL)
			return SPN_E_NOMEM;
		r->accounts = p;
		r->cap_accounts = cap;
	}
	a.kind = spn_account_kind_name(account->kind);
	a.dn = strdup(account->dn);
	a.sam = account->sam ? strdup(account->sam) : NULL;
	a.spns = calloc(account->n_spns ? account->n_spns : 1, sizeof(char *));
	if (a.dn == NULL || (account->sam && a.sam == NULL) || a.spns == NULL)
		goto nomem;
	for (i = 0; i < account->n_spns; i++) {
		a.spns[i] = strdup(account->spns[i]);
		if (a.spns[i] == NULL)
			goto nomem;
		a.n_spns++;
	}
	r->accounts[r->n_accounts++] = a;
	return SPN_OK;
nomem:
	account_free(&a);
	return SPN_E_NOMEM;
}

void lookup_result_free(struct lookup_result *r)
{
	size_t i;

	for (i = 0; i < r->n_accounts; i++)
		account_free(&r->accounts[i]);
	free(r->accounts);
	r->accounts = NULL;
	r->n_accounts = r->cap_accounts = 0;
}

int lookup_output_text(FILE *f, const struct lookup_result *r)
{
	size_t i, j;

	for (i = 0; i < r->n_accounts; i++) {
		const struct lookup_account *a = &r->accounts[i];

		fputs("Registered ServicePrincipalNames for ", f);
		tool_print_safe(f, a->dn);
		fprintf(f, " (%s", a->kind);
		if (a->sam != NULL) {
			fputs(" ", f);
			tool_print_safe(f, a->sam);
		}
		fprintf(f, ", %zu SPN%s):\n", a->n_spns, a->n_spns == 1 ? "" : "s");
		for (j = 0; j < a->n_spns; j++) {
			fputs("\t", f);
			tool_print_safe(f, a->spns[j]);
			fputc('\n', f);
		}
	}
	if (strcmp(r->command, "query") == 0) {
		if (r->n_accounts == 0) {
			fputs("No such SPN found: ", f);
			tool_print_safe(f, r->argument);
			fputc('\n', f);
		} else {
			fprintf(f, "%zu account%s hold%s an SPN matching ",
				r->n_accounts, r->n_accounts == 1 ? "" : "s",
				r->n_accounts == 1 ? "s" : "");
			tool_print_safe(f, r->argument);
			fputc('\n', f);
		}
	}
	return 0;
}

int lookup_output_json(FILE *f, const struct lookup_result *r)
{
	cJSON *root = cJSON_CreateObject(), *accounts, *o, *spns;
	char *text = NULL, *safe;
	size_t i, j;
	int rc = -1;

	if (root == NULL)
		goto cleanup;
	cJSON_AddNumberToObject(root, "schema_version", 1);
	cJSON_AddStringToObject(root, "tool", "spncheck");
	cJSON_AddStringToObject(root, "command", r->command);
	safe = tool_utf8_valid_dup(r->argument);
	cJSON_AddStringToObject(root, r->command[0] == 'l' ? "account" :
				"pattern", safe != NULL ? safe : "");
	free(safe);
	cJSON_AddStringToObject(root, "domain", r->domain ? r->domain : "");
	cJSON_AddStringToObject(root, "server", r->server ? r->server : "");
	accounts = cJSON_AddArrayToObject(root, "accounts");
	if (accounts == NULL)
		goto cleanup;
	for (i = 0; i < r->n_accounts; i++) {
		const struct lookup_account *a = &r->accounts[i];

		o = cJSON_CreateObject();
		if (o == NULL)
			goto cleanup;
		cJSON_AddItemToArray(accounts, o);
		safe = tool_utf8_valid_dup(a->dn);
		cJSON_AddStringToObject(o, "dn", safe ? safe : "");
		free(safe);
		if (a->sam != NULL) {
			safe = tool_utf8_valid_dup(a->sam);
			cJSON_AddStringToObject(o, "sam", safe ? safe : "");
			free(safe);
		}
		cJSON_AddStringToObject(o, "kind", a->kind);
		spns = cJSON_AddArrayToObject(o, "spns");
		for (j = 0; spns != NULL && j < a->n_spns; j++) {
			safe = tool_utf8_valid_dup(a->spns[j]);
			cJSON_AddItemToArray(spns, cJSON_CreateString(safe ? safe : ""));
			free(safe);
		}
	}
	text = cJSON_PrintUnformatted(root);
	if (text == NULL)
		goto cleanup;
	fputs(text, f);
	fputc('\n', f);
	rc = 0;
cleanup:
	free(text);
	cJSON_Delete(root);
	return rc;
}
