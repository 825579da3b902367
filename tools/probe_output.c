/* probe_output.c - krbprobe's results as text lines or one JSON object,
 * streamed in input order; nothing from a target or a server reaches the
 * terminal raw. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "probe_output.h"

void probe_output_begin(struct probe_output *out, FILE *f, int json,
			int verbose)
{
	memset(out, 0, sizeof(*out));
	out->f = f;
	out->json = json;
	out->verbose = verbose;
	if (json)
		fputs("{\"schema_version\":1,\"tool\":\"krbprobe\",\"results\":[",
		      f);
}

/* A JSON string member: valid UTF-8 (invalid bytes become U+FFFD), or null. */
static int add_string(cJSON *o, const char *name, const char *value)
{
	char *valid;
	cJSON *item;

	if (value == NULL)
		return cJSON_AddNullToObject(o, name) != NULL ? 0 : -1;
	valid = tool_utf8_valid_dup(value);
	if (valid == NULL)
		return -1;
	item = cJSON_AddStringToObject(o, name, valid);
	free(valid);
	return item != NULL ? 0 : -1;
}

/* Write printed JSON with DEL and the C1 controls (valid UTF-8 that some
 * terminals obey) as \u escapes: the same JSON value, safe to display. The
 * text is valid UTF-8, so 0xc2 always starts a two-byte character. */
static void put_json(FILE *f, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	for (; *p != '\0'; p++) {
		if (*p == 0x7f) {
			fputs("\\u007f", f);
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(f, "\\u%04x", (unsigned int)p[1]);
			p++;
		} else {
			fputc(*p, f);
		}
	}
}

static int result_json(struct probe_output *out, const char *target,
		       const spn_probe_result *r)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	int rc = -1;

	if (o == NULL)
		return -1;
	if (add_string(o, "target", target) != 0 ||
	    add_string(o, "spn", r->spn) != 0 ||
	    add_string(o, "realm", r->realm) != 0 ||
	    add_string(o, "verdict", spn_verdict_name(r->verdict)) != 0 ||
	    add_string(o, "reason", spn_probe_reason_name(r->reason)) != 0 ||
	    add_string(o, "detail", r->detail != NULL ? r->detail : "") != 0 ||
	    add_string(o, "etype", r->etype) != 0)
		goto cleanup;
	text = cJSON_PrintUnformatted(o);
	if (text == NULL)
		goto cleanup;
	if (out->count > 0)
		fputc(',', out->f);
	put_json(out->f, text);
	rc = 0;
cleanup:
	free(text);
	cJSON_Delete(o);
	return rc;
}

/* TARGET -> SPN: VERDICT (REASON[, ETYPE])[ - DETAIL] */
static void result_text(struct probe_output *out, const char *target,
			const spn_probe_result *r)
{
	FILE *f = out->f;

	tool_print_safe(f, target);
	fputs(" -> ", f);
	tool_print_safe(f, r->spn != NULL ? r->spn : "(no SPN)");
	fprintf(f, ": %s (%s", spn_verdict_name(r->verdict),
		spn_probe_reason_name(r->reason));
	if (r->etype != NULL) {
		fputs(", ", f);
		tool_print_safe(f, r->etype);
	}
	fputc(')', f);
	if (out->verbose && r->detail != NULL) {
		fputs(" - ", f);
		tool_print_safe(f, r->detail);
	}
	fputc('\n', f);
}

int probe_output_result(struct probe_output *out, const char *target,
			const spn_probe_result *r)
{
	if (out->json) {
		if (result_json(out, target, r) != 0)
			return -1;
	} else {
		result_text(out, target, r);
	}
	out->count++;
	if ((unsigned int)r->verdict < 3)
		out->by_verdict[r->verdict]++;
	if ((unsigned int)r->reason < SPN_REASON_COUNT)
		out->by_reason[r->reason]++;
	return 0;
}

/* " (2 spn-not-found, 1 duplicate-spn)" for the reasons of one verdict. */
static void reasons_of(struct probe_output *out, spn_verdict verdict)
{
	size_t i;
	int first = 1;

	for (i = 0; i < SPN_REASON_COUNT; i++) {
		if (out->by_reason[i] == 0 ||
		    spn_probe_reason_verdict((spn_probe_reason)i) != verdict)
			continue;
		fprintf(out->f, "%s%zu %s", first ? " (" : ", ",
			out->by_reason[i],
			spn_probe_reason_name((spn_probe_reason)i));
		first = 0;
	}
	if (!first)
		fputc(')', out->f);
}

void probe_output_end(struct probe_output *out)
{
	if (out->json) {
		fputs("]}\n", out->f);
		return;
	}
	fprintf(out->f, "%zu target%s: %zu kerberos, %zu ntlm", out->count,
		out->count == 1 ? "" : "s",
		out->by_verdict[SPN_VERDICT_KERBEROS],
		out->by_verdict[SPN_VERDICT_NTLM]);
	reasons_of(out, SPN_VERDICT_NTLM);
	fprintf(out->f, ", %zu error", out->by_verdict[SPN_VERDICT_ERROR]);
	reasons_of(out, SPN_VERDICT_ERROR);
	fputc('\n', out->f);
}
