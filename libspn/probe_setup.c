/* probe_setup.c - a prober's setup failure, reported for every target. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_setup.h"

spn_status probe_setup_fail(struct probe_setup_failure *f,
			    spn_probe_reason reason, long code,
			    const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (f->failed)
		return SPN_OK;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f->detail = strdup(buf);
	if (f->detail == NULL)
		return SPN_E_NOMEM;
	f->failed = 1;
	f->reason = reason;
	f->code = code;
	return SPN_OK;
}

spn_status probe_setup_report(const struct probe_setup_failure *f,
			      spn_probe_result *r)
{
	spn_probe_result_set_reason(r, f->reason);
	r->code = f->code;
	return spn_probe_result_note(r, "%s", f->detail);
}

void probe_setup_clear(struct probe_setup_failure *f)
{
	free(f->detail);
	memset(f, 0, sizeof(*f));
}
