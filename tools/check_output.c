/* check_output.c - spncheck's report as text or JSON. */
#include <stdint.h>
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

	while (*p != '\0') {
		nl = strchr(p, '\n');
		fputs(indent, f);
		tool_print_safe_len(f, p, nl != NULL ? (size_t)(nl - p) :
					  strlen(p));
		putc('\n', f);
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
		for (w = tool_display_width(sam); w < width + 2; w++)
			putc(' ', out);
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

/* The JSON report is written straight to the stream, byte for byte as
 * cJSON_PrintUnformatted writes the document (same key order, strings
 * escaped as cJSON escapes them, numbers printed by cJSON), without
 * building a tree of every finding first. A string that is not valid
 * UTF-8 has every invalid byte replaced with U+FFFD (cJSON writes strings
 * byte for byte; invalid UTF-8 would make invalid JSON). */

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The length of the run at p[0..len) that cJSON copies as it is: eight
 * bytes at a time while none is below 0x20, '"' or '\\'. */
static size_t json_plain_run(const unsigned char *p, size_t len)
{
	size_t run = 0;
	uint64_t w, q, b;

	for (; run + 8 <= len; run += 8) {
		memcpy(&w, p + run, 8);
		q = w ^ (ONES * '"');
		b = w ^ (ONES * '\\');
		if ((((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) |
		     ((b - ONES) & ~b)) & HIGHS)
			break;
	}
	while (run < len && p[run] > 31 && p[run] != '"' && p[run] != '\\')
		run++;
	return run;
}

/* A string as cJSON prints it: '"', '\\' and \b \f \n \r \t escaped,
 * other bytes below 0x20 as \u00xx, everything else as it is. */
static void put_escaped(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t run;
	char esc[6];

	end = p + strlen(s);
	putc('"', out);
	while (p < end) {
		run = json_plain_run(p, (size_t)(end - p));
		if (run > 0)
			fwrite(p, 1, run, out);
		p += run;
		if (p == end)
			break;
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			fwrite(esc, 1, 6, out);
			p++;
			continue;
		}
		fwrite(esc, 1, 2, out);
		p++;
	}
	putc('"', out);
}

/* A string value, made valid UTF-8 first. */
static int put_string(FILE *out, const char *s)
{
	char *fixed;

	if (tool_utf8_is_valid(s)) {
		put_escaped(out, s);
		return 0;
	}
	fixed = tool_utf8_valid_dup(s);
	if (fixed == NULL)
		return -1;
	put_escaped(out, fixed);
	free(fixed);
	return 0;
}

/* ,"name":"value" (no ',' when first), nothing when value is NULL (cJSON
 * adds no member for a NULL string). */
static int put_member(FILE *out, int first, const char *name,
		      const char *value)
{
	if (value == NULL)
		return 0;
	if (!first)
		putc(',', out);
	putc('"', out);
	fputs(name, out);
	fputs("\":", out);
	return put_string(out, value);
}

/* A number as cJSON prints it. */
static int put_number(FILE *out, double value)
{
	cJSON *n = cJSON_CreateNumber(value);
	char *text = n != NULL ? cJSON_PrintUnformatted(n) : NULL;
	int rc = text != NULL ? 0 : -1;

	if (text != NULL)
		fputs(text, out);
	free(text);
	cJSON_Delete(n);
	return rc;
}

static int put_finding(FILE *out, const spn_finding *f, int is_new)
{
	size_t i;
	int rc = 0;

	putc('{', out);
	rc |= put_member(out, 1, "check", f->check);
	rc |= put_member(out, 0, "severity", spn_severity_name(f->severity));
	rc |= put_member(out, 0, "spn", f->spn);
	rc |= put_member(out, 0, "host", f->host);
	if (f->n_accounts > 0) {
		fputs(",\"accounts\":[", out);
		for (i = 0; i < f->n_accounts; i++) {
			fputs(i > 0 ? ",{" : "{", out);
			if (f->accounts[i].dn != NULL) {
				rc |= put_member(out, 1, "dn", f->accounts[i].dn);
				rc |= put_member(out, 0, "sam",
						 f->accounts[i].sam);
			} else {
				rc |= put_member(out, 1, "sam",
						 f->accounts[i].sam);
			}
			putc('}', out);
		}
		putc(']', out);
	}
	rc |= put_member(out, 0, "message", f->message);
	rc |= put_member(out, 0, "fix", f->fix);
	if (is_new >= 0)
		fputs(is_new ? ",\"new\":true" : ",\"new\":false", out);
	putc('}', out);
	return rc;
}

/* "baseline": its path; "fixed": the baseline's findings not seen again. */
static int put_fixed(FILE *out, const struct check_report *r)
{
	const struct baseline_entry *e;
	size_t i;
	int rc = 0, first = 1;

	rc |= put_member(out, 0, "baseline", r->baseline_path);
	fputs(",\"fixed\":[", out);
	for (i = 0; i < r->baseline->n; i++) {
		e = &r->baseline->entries[i];
		if (e->seen)
			continue;
		fputs(first ? "{" : ",{", out);
		first = 0;
		rc |= put_member(out, 1, "check", e->check);
		rc |= put_member(out, e->check == NULL, "severity", e->severity);
		rc |= put_member(out, e->check == NULL && e->severity == NULL,
				 "spn", e->spn);
		rc |= put_member(out, e->check == NULL && e->severity == NULL &&
				 e->spn == NULL, "host", e->host);
		rc |= put_member(out, e->check == NULL && e->severity == NULL &&
				 e->spn == NULL && e->host == NULL, "message",
				 e->message);
		putc('}', out);
	}
	putc(']', out);
	return rc;
}

static int write_json(FILE *out, const struct check_report *r)
{
	size_t i;
	int rc = 0;

	fputs("{\"schema_version\":", out);
	rc |= put_number(out, 1);
	fputs(",\"tool\":\"spncheck\"", out);
	if (r->domain != NULL)
		rc |= put_member(out, 0, "domain", r->domain);
	else
		fputs(",\"domain\":null", out);
	rc |= put_member(out, 0, "server", r->server != NULL ? r->server : "");
	rc |= put_member(out, 0, "scope", r->scope);
	fputs(",\"stats\":{\"accounts\":", out);
	rc |= put_number(out, (double)r->accounts);
	fputs(",\"spns\":", out);
	rc |= put_number(out, (double)r->spns);
	fputs(",\"seconds\":", out);
	rc |= put_number(out, r->seconds);
	fputs("},\"findings\":[", out);
	for (i = 0; i < spn_findings_count(r->findings); i++) {
		if (i > 0)
			putc(',', out);
		rc |= put_finding(out, spn_findings_get(r->findings, i),
				  r->is_new ? r->is_new[i] != 0 : -1);
	}
	putc(']', out);
	if (r->baseline != NULL)
		rc |= put_fixed(out, r);
	fputs("}\n", out);
	return rc != 0 ? -1 : 0;
}

/* The report is written to memory first, so that running out of memory
 * part of the way leaves nothing half-written on out. -1: out of memory. */
int check_output_json(FILE *out, const struct check_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc;

	if (mem == NULL)
		return -1;
	rc = write_json(mem, r);
	if (fclose(mem) != 0)
		rc = -1;
	if (rc == 0)
		fwrite(buf, 1, len, out);   /* the caller checks ferror(out) */
	free(buf);
	return rc;
}
