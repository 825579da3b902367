/* fuzz_baseline.c - libFuzzer target: spncheck --baseline files (the JSON of
 * an earlier report) and the reports printed from what they hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <spn/spn.h>

#include "baseline.h"
#include "check_output.h"
#include "findings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the valid UTF-8 sequence at s[0..n), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Text for a terminal: valid UTF-8, no control byte but '\n', no DEL, no
 * C1 control (U+0080..U+009F). */
static void check_terminal_safe(const char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, len;

	while (i < n) {
		len = utf8_seq(p + i, n - i);
		if (len == 0)
			abort();
		if (len == 1 && ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f))
			abort();
		if (len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			abort();
		i += len;
	}
}

/* A JSON report: one line that parses, valid UTF-8, no raw control byte
 * (cJSON writes them as \uXXXX). */
static void check_json(const char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)buf;
	cJSON *root;
	size_t i, len;

	if (n == 0 || buf[n - 1] != '\n' || memchr(buf, '\n', n) != buf + n - 1)
		abort();
	for (i = 0; i < n - 1; i += len) {
		len = utf8_seq(p + i, n - 1 - i);
		if (len == 0 || p[i] < 0x20)
			abort();
	}
	root = cJSON_ParseWithLength(buf, n);
	if (root == NULL || !cJSON_IsArray(cJSON_GetObjectItem(root, "fixed")))
		abort();
	cJSON_Delete(root);
}

/* Print a report whose findings and "fixed" list come from the baseline. */
static void check_reports(const struct baseline *b)
{
	static const char *const checks[] = { "dup" };
	spn_findings *findings = NULL;
	spn_finding_account acc = { "CN=x,DC=corp,DC=test", "x" };
	struct check_report r;
	unsigned char *is_new;
	char *buf = NULL;
	size_t i, n = 0;
	FILE *f;

	if (spn_findings_new(&findings) != SPN_OK)
		return;
	for (i = 0; i < b->n; i++) {
		spn_finding fd;

		memset(&fd, 0, sizeof(fd));
		fd.check = "dup";
		fd.severity = (spn_severity)(i % 3);
		fd.spn = b->entries[i].spn;
		fd.host = b->entries[i].host;
		fd.message = b->entries[i].message;
		fd.fix = b->entries[i].severity;
		fd.accounts = &acc;
		fd.n_accounts = 1;
		if (spn_findings_add(findings, &fd) != SPN_OK)
			goto cleanup;
	}
	is_new = calloc(b->n + 1, 1);
	if (is_new == NULL)
		goto cleanup;
	memset(&r, 0, sizeof(r));
	r.domain = b->n > 0 ? b->entries[0].host : "corp.test";
	r.server = b->n > 0 ? b->entries[0].spn : "dc1.corp.test";
	r.scope = "domain";
	r.checks = checks;
	r.n_checks = 1;
	r.findings = findings;
	r.is_new = is_new;
	r.baseline = b;
	r.baseline_path = "base.json";

	f = open_memstream(&buf, &n);
	if (f == NULL)
		goto free_new;
	if (check_output_json(f, &r) != 0) {
		fclose(f);
		goto free_new;
	}
	fclose(f);
	check_json(buf, n);
	free(buf);
	buf = NULL;

	f = open_memstream(&buf, &n);
	if (f == NULL)
		goto free_new;
	check_output_text(f, &r);
	check_output_fix_script(f, &r);
	fclose(f);
	check_terminal_safe(buf, n);
free_new:
	free(is_new);
cleanup:
	free(buf);
	spn_findings_free(findings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline b;
	char err[512];
	char *text;
	size_t i;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (baseline_parse(text, size, &b, err, sizeof(err)) != 0) {
		/* refused: one line that says why, nothing kept */
		if (err[0] == '\0' || strchr(err, '\n') != NULL ||
		    b.n != 0 || b.entries != NULL)
			abort();
		free(text);
		return 0;
	}
	for (i = 0; i < b.n; i++) {
		if (b.entries[i].id == NULL || b.entries[i].check == NULL ||
		    b.entries[i].severity == NULL || b.entries[i].message == NULL)
			abort();
		if (i > 0 && strcmp(b.entries[i - 1].id, b.entries[i].id) > 0)
			abort();
	}
	/* every entry is found again by its own identity */
	for (i = 0; i < b.n; i++)
		if (!baseline_contains(&b, b.entries[i].id) || !b.entries[i].seen)
			abort();
	for (i = 0; i < b.n; i++)
		b.entries[i].seen = 0;
	check_reports(&b);
	baseline_free(&b);
	free(text);
	return 0;
}
