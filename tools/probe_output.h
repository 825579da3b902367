/* probe_output.h - krbprobe's results as they come in: one text line a
 * target and a summary, or the JSON object of DESIGN.md. */
#ifndef SPN_TOOLS_PROBE_OUTPUT_H
#define SPN_TOOLS_PROBE_OUTPUT_H

#include <stdio.h>
#include <spn/spn.h>

struct probe_output {
	FILE *f;
	int json;
	int verbose;                  /* text: add each result's detail */
	size_t count;
	size_t by_verdict[3];         /* indexed by spn_verdict */
	size_t by_reason[SPN_REASON_COUNT];
};

void probe_output_begin(struct probe_output *out, FILE *f, int json,
			int verbose);
/* One result, in input order. Returns 0, or -1 on no memory. */
int probe_output_result(struct probe_output *out, const char *target,
			const spn_probe_result *result);
/* Close the JSON object, or print the summary line. */
void probe_output_end(struct probe_output *out);

#endif
