/* check_output.c - spncheck's report as text or JSON. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check_output.h"
#include "common.h"

static size_t count_check(const struct check_report *r, const char *check,
			  size_t by_sev[3])
{
	size_t i, n = 0;
	const spn_finding *f;

	for (i = 0; i < spn_findings_count(r->findings); i++) {
		f = spn_findings_get(r->findings, i);
		if (check != NULL && strcmp(f->check, check) != 0)
			continue;
		n++;
		if (by_sev != NULL)
			by_sev[f->severity]++;
	}
	return n;
}

/* Print text indented by `indent` spaces on every line. */
static void print_indented(FILE *f, const char *text, const char *indent)
{
	const char *p = text, *nl;
	char *line;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		line = nl ? strndup(p, (size_t)(nl - p)) : strdup(p);
		fputs(indent, f);
		tool_print_safe(f, line != NULL ? line : "(out of memory)");
		fputc('\n', f);
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void print_finding(FILE *out, const spn_finding *f, int is_new)
{
	size_t i, w, width = 0;

	fprintf(out, "%-7s %s", spn_severity_name(f->severity),
		is_new ? "NEW " : "");
	tool_print_safe(out, f->spn != NULL ? f->spn : f->host != NULL ? f->host : "");
	fputc('\n', out);
	print_indented(out, f->message, "        ");
	for (i = 0; i < f->n_accounts; i++) {
		w = tool_display_width(f->accounts[i].sam ? f->accounts[i].sam : "-");
		if (w > width)
			width = w;
	}
	for (i = 0; i < f->n_accounts; i++) {
		const char *sam = f->accounts[i].sam ? f->accounts[i].sam : "-";

		fputs("        ", out);
		tool_print_safe(out, sam);
		fprintf(out, "%*s  ", (int)(width - tool_display_width(sam)), "");
		tool_print_safe(out, f->accounts[i].dn);
		fputc('\n', out);
	}
}

static size_t count_new(const struct check_report *r)
{
	size_t i, n = 0;

	for (i = 0; r->is_new != NULL && i < spn_findings_count(r->findings); i++)
		n += r->is_new[i] != 0;
	return n;
}

static void print_fixed(FILE *out, const struct check_report *r)
{
	const struct baseline_entry *e;
	size_t i, n = 0;

	for (i = 0; i < r->baseline->n; i++)
		n += !r->baseline->entries[i].seen;
	if (n == 0)
		return;
	fprintf(out, "== fixed since the baseline: %zu ==\n", n);
	for (i = 0; i < r->baseline->n; i++) {
		e = &r->baseline->entries[i];
		if (e->seen)
			continue;
		/* the baseline is a file: its strings are as untrusted as
		 * the directory's */
		fputs("fixed   ", out);
		tool_print_safe(out, e->check);
		fputc(' ', out);
		tool_print_safe(out, e->spn ? e->spn : e->host ? e->host : "");
		fputc('\n', out);
		print_indented(out, e->message, "        ");
	}
	fputc('\n', out);
}

void check_output_text(FILE *out, const struct check_report *r)
{
	size_t c, i, n, total[3] = { 0, 0, 0 };
	const spn_finding *f;

	for (c = 0; c < r->n_checks; c++) {
		n = count_check(r, r->checks[c], NULL);
		if (n == 0)
			continue;
		fprintf(out, "== %s: %zu finding%s ==\n", r->checks[c], n,
			n == 1 ? "" : "s");
		for (i = 0; i < spn_findings_count(r->findings); i++) {
			f = spn_findings_get(r->findings, i);
			if (strcmp(f->check, r->checks[c]) == 0)
				print_finding(out, f, r->is_new && r->is_new[i]);
		}
		fputc('\n', out);
	}
	if (r->baseline != NULL)
		print_fixed(out, r);
	n = count_check(r, NULL, total);
	if (n == 0)
		fprintf(out, "no findings");
	else
		fprintf(out, "%zu finding%s (%zu error%s, %zu warning%s, %zu info)",
			n, n == 1 ? "" : "s", total[SPN_SEVERITY_ERROR],
			total[SPN_SEVERITY_ERROR] == 1 ? "" : "s",
			total[SPN_SEVERITY_WARNING],
			total[SPN_SEVERITY_WARNING] == 1 ? "" : "s",
			total[SPN_SEVERITY_INFO]);
	fprintf(out, " from %s over %zu SPNs on %zu accounts; ",
		r->n_checks == 1 ? r->checks[0] : "all checks", r->spns,
		r->accounts);
	if (r->domain != NULL) {
		tool_print_safe(out, r->domain);
		fputs(" ", out);
	}
	fprintf(out, "%s ", strcmp(r->scope, "ldif") == 0 ? "from" : "via");
	tool_print_safe(out, r->server != NULL ? r->server : "?");
	fprintf(out, ", %.2f s", r->seconds);
	if (r->baseline != NULL)
		fprintf(out, "; %zu new since the baseline", count_new(r));
	fputc('\n', out);
}

void check_output_fix_script(FILE *out, const struct check_report *r)
{
	const spn_finding *f;
	size_t i, n = 0;

	fputs("# spnkit remediation script: REVIEW every change before running "
	      "it.\n# Each block fixes one finding; the setspn commands and the "
	      "LDIF\n# (ldapmodify -Y GSSAPI -f FILE) are two ways to make the "
	      "same change.\n", out);
	fputs("# Source: ", out);
	tool_print_safe(out, r->domain != NULL ? r->domain : "");
	fputs(" ", out);
	tool_print_safe(out, r->server != NULL ? r->server : "");
	fputs("\n\n", out);
	for (i = 0; i < spn_findings_count(r->findings); i++) {
		f = spn_findings_get(r->findings, i);
		if (f->fix == NULL)
			continue;
		n++;
		fprintf(out, "# [%s %s] ", f->check, spn_severity_name(f->severity));
		tool_print_safe(out, f->spn ? f->spn : f->host ? f->host : "");
		fputc('\n', out);
		print_indented(out, f->fix, "");
		fputc('\n', out);
	}
	fprintf(out, "# %zu finding%s with a fix\n", n, n == 1 ? "" : "s");
}

static cJSON *finding_json(const spn_finding *f, int is_new)
{
	cJSON *o = cJSON_CreateObject(), *accounts, *a;
	size_t i;

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "check", f->check);
	cJSON_AddStringToObject(o, "severity", spn_severity_name(f->severity));
	if (f->spn != NULL)
		cJSON_AddStringToObject(o, "spn", f->spn);
	if (f->host != NULL)
		cJSON_AddStringToObject(o, "host", f->host);
	if (f->n_accounts > 0) {
		accounts = cJSON_AddArrayToObject(o, "accounts");
		for (i = 0; accounts != NULL && i < f->n_accounts; i++) {
			a = cJSON_CreateObject();
			if (a == NULL)
				break;
			cJSON_AddStringToObject(a, "dn", f->accounts[i].dn);
			if (f->accounts[i].sam != NULL)
				cJSON_AddStringToObject(a, "sam", f->accounts[i].sam);
			cJSON_AddItemToArray(accounts, a);
		}
	}
	cJSON_AddStringToObject(o, "message", f->message);
	if (f->fix != NULL)
		cJSON_AddStringToObject(o, "fix", f->fix);
	if (is_new >= 0)
		cJSON_AddBoolToObject(o, "new", is_new);
	return o;
}

/* cJSON writes strings byte for byte; invalid UTF-8 from the directory would
 * make invalid JSON, so every string is made valid first. */
static void make_strings_valid(cJSON *item);

/* "fixed": the baseline's findings not seen again; "baseline": its path. */
static int add_fixed(cJSON *root, const struct check_report *r)
{
	const struct baseline_entry *e;
	cJSON *fixed, *o;
	size_t i;

	cJSON_AddStringToObject(root, "baseline", r->baseline_path);
	fixed = cJSON_AddArrayToObject(root, "fixed");
	if (fixed == NULL)
		return -1;
	for (i = 0; i < r->baseline->n; i++) {
		e = &r->baseline->entries[i];
		if (e->seen)
			continue;
		o = cJSON_CreateObject();
		if (o == NULL)
			return -1;
		cJSON_AddItemToArray(fixed, o);
		cJSON_AddStringToObject(o, "check", e->check);
		cJSON_AddStringToObject(o, "severity", e->severity);
		if (e->spn != NULL)
			cJSON_AddStringToObject(o, "spn", e->spn);
		if (e->host != NULL)
			cJSON_AddStringToObject(o, "host", e->host);
		cJSON_AddStringToObject(o, "message", e->message);
	}
	return 0;
}

int check_output_json(FILE *out, const struct check_report *r)
{
	cJSON *root = cJSON_CreateObject(), *stats, *findings, *item;
	char *text = NULL;
	size_t i;
	int rc = -1;

	if (root == NULL)
		goto cleanup;
	cJSON_AddNumberToObject(root, "schema_version", 1);
	cJSON_AddStringToObject(root, "tool", "spncheck");
	if (r->domain != NULL)
		cJSON_AddStringToObject(root, "domain", r->domain);
	else
		cJSON_AddNullToObject(root, "domain");
	cJSON_AddStringToObject(root, "server", r->server != NULL ? r->server : "");
	cJSON_AddStringToObject(root, "scope", r->scope);
	stats = cJSON_AddObjectToObject(root, "stats");
	if (stats == NULL)
		goto cleanup;
	cJSON_AddNumberToObject(stats, "accounts", (double)r->accounts);
	cJSON_AddNumberToObject(stats, "spns", (double)r->spns);
	cJSON_AddNumberToObject(stats, "seconds", r->seconds);
	findings = cJSON_AddArrayToObject(root, "findings");
	if (findings == NULL)
		goto cleanup;
	for (i = 0; i < spn_findings_count(r->findings); i++) {
		item = finding_json(spn_findings_get(r->findings, i),
				    r->is_new ? r->is_new[i] != 0 : -1);
		if (item == NULL)
			goto cleanup;
		cJSON_AddItemToArray(findings, item);
	}
	if (r->baseline != NULL && add_fixed(root, r) != 0)
		goto cleanup;
	make_strings_valid(root);
	text = cJSON_PrintUnformatted(root);
	if (text == NULL)
		goto cleanup;
	fputs(text, out);
	fputc('\n', out);
	rc = 0;
cleanup:
	free(text);
	cJSON_Delete(root);
	return rc;
}

/* Replace every invalid UTF-8 byte with U+FFFD. */
static void make_strings_valid(cJSON *item)
{
	for (; item != NULL; item = item->next) {
		if (cJSON_IsString(item) && item->valuestring != NULL) {
			char *fixed = tool_utf8_valid_dup(item->valuestring);

			if (fixed != NULL) {
				free(item->valuestring);
				item->valuestring = fixed;
			}
		}
		if (item->child != NULL)
			make_strings_valid(item->child);
	}
}
