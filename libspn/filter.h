/* filter.h - LDAP filter values built from user input (RFC 4515), private. */
#ifndef SPN_FILTER_H
#define SPN_FILTER_H

#include "context_impl.h"

/* Escape a value for an LDAP filter assertion: '*', '(', ')', '\', control
 * characters (C0, DEL, C1) and bytes that are not valid UTF-8 become \XX
 * (lower-case hex); valid UTF-8 text is kept as it is. Returns a malloc'd
 * string, or NULL when value is NULL or memory ran out. */
char *spn_filter_escape(const char *value);

/* Turn a setspn -Q style SPN pattern ("http/web*", "MSSQLSvc/sql1*:1433")
 * into a filter value for (servicePrincipalName=VALUE): every character is
 * escaped except the '*' wildcards, and runs of '*' become one. A pattern
 * that is empty, starts with '*' or is only wildcards is refused with
 * SPN_E_INPUT and a one-line error naming it (leading-wildcard filters make
 * the DC scan every object: DESIGN.md). *filter_value_out is malloc'd. */
spn_status spn_filter_pattern(spn_ctx *ctx, const char *pattern,
			      char **filter_value_out);

#endif
