/* status.c - names of the result categories. */
#include "context_impl.h"

SPN_EXPORT const char *spn_status_name(spn_status status)
{
	switch (status) {
	case SPN_OK: return "ok";
	case SPN_E_USAGE: return "usage";
	case SPN_E_INPUT: return "input";
	case SPN_E_CONFIG: return "config";
	case SPN_E_DNS: return "dns";
	case SPN_E_DIRECTORY: return "directory";
	case SPN_E_KERBEROS: return "kerberos";
	case SPN_E_NOMEM: return "nomem";
	case SPN_E_IO: return "io";
	}
	return "unknown";
}
