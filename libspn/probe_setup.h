/* probe_setup.h - why a prober cannot ask for tickets at all (no
 * credentials, an expired TGT, ...): recorded once when it is made, then
 * reported for every target. Shared by the krb5 and SSPI backends. */
#ifndef SPN_PROBE_SETUP_H
#define SPN_PROBE_SETUP_H

#include <spn/probe.h>
#include "context_impl.h"

struct probe_setup_failure {
	int failed;
	spn_probe_reason reason;
	long code;
	char *detail;
};

/* Record the failure (the first one wins). SPN_E_NOMEM or SPN_OK. */
spn_status probe_setup_fail(struct probe_setup_failure *f,
			    spn_probe_reason reason, long code,
			    const char *fmt, ...) SPN_PRINTF(4, 5);
/* Give a target's result the recorded reason, code and detail. */
spn_status probe_setup_report(const struct probe_setup_failure *f,
			      spn_probe_result *r);
void probe_setup_clear(struct probe_setup_failure *f);

#endif
