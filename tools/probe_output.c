/* probe_output.c - krbprobe's results as text lines or one JSON object,
 * streamed in input order; nothing from a target or a server reaches the
 * terminal raw. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json_out.h"
#include "probe_output.h"

/* The members of a result object, in order. */
#define N_MEMBERS 7

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

/* One result object. Every string is made valid UTF-8 (invalid bytes become
 * U+FFFD) before anything is written, so that running out of memory leaves
 * no half-written object. */
static int result_json(struct probe_output *out, const char *target,
		       const spn_probe_result *r)
{
	static const char *const names[N_MEMBERS] = { "target", "spn",
		"realm", "verdict", "reason", "detail", "etype" };
	const char *values[N_MEMBERS];
	char *valid[N_MEMBERS];
	size_t i;
	int rc = 0;

	values[0] = target;
	values[1] = r->spn;
	values[2] = r->realm;
	values[3] = spn_verdict_name(r->verdict);
	values[4] = spn_probe_reason_name(r->reason);
	values[5] = r->detail != NULL ? r->detail : "";
	values[6] = r->etype;
	for (i = 0; i < N_MEMBERS; i++) {
		valid[i] = values[i] != NULL ? tool_utf8_valid_dup(values[i]) :
			   NULL;
		if (values[i] != NULL && valid[i] == NULL)
			rc = -1;
	}
	if (rc == 0) {
		if (out->count > 0)
			fputc(',', out->f);
		fputc('{', out->f);
		for (i = 0; i < N_MEMBERS; i++)
			json_out_member(out->f, i == 0, names[i], valid[i]);
		fputc('}', out->f);
	}
	for (i = 0; i < N_MEMBERS; i++)
		free(valid[i]);
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
