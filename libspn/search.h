/* search.h - paged, streamed LDAP searches and range retrieval. */
#ifndef SPN_SEARCH_H
#define SPN_SEARCH_H

#include <limits.h>
#include <stddef.h>
#include <ldap.h>
#include "dir_impl.h"

/* Receives one entry of a search; the entry is freed when it returns.
 * Anything but SPN_OK stops the search and is returned by it. */
typedef spn_status (*spn_entry_fn)(spn_dir *dir, LDAPMessage *entry,
				   void *userdata);

/* Search with the paged results control (RFC 2696, ctx->page_size),
 * handing entries to fn one at a time as they arrive, passing each page's
 * cookie on until the server returns an empty one. Any failure on any page
 * is SPN_E_DIRECTORY naming `what`, the page and the server's words. When
 * missing_out is not NULL, a base that does not exist or is not held by
 * this server (noSuchObject, or a referral on the first page) is not an
 * error: *missing_out is set to 1 and nothing is searched. */
spn_status spn_search_paged(spn_dir *dir, const char *what, const char *base,
			    int scope, const char *filter, char **attrs,
			    spn_entry_fn fn, void *userdata, int *missing_out);

/* All values of one attribute, each NUL-terminated (bv_val[bv_len] == 0). */
typedef struct spn_values {
	struct berval *v;
	size_t n;
} spn_values;

void spn_values_clear(spn_values *values);

/* Every value of attr in entry (whose DN is dn). When the server sent only
 * a range ("attr;range=0-1499"), fetch the rest with base-scope searches
 * for "attr;range=N-*" until the final "range=N-*" arrives. An absent
 * attribute gives n == 0. values_out must be zeroed; it is filled only on
 * success. */
spn_status spn_search_values(spn_dir *dir, LDAPMessage *entry, const char *dn,
			     const char *attr, spn_values *values_out);

/* The high end of a final range ("range=1500-*"). */
#define SPN_RANGE_END ULONG_MAX

/* The rest of a ranged attribute whose first range, "attr;range=0-HIGH",
 * held `first` values: unless high is SPN_RANGE_END, fetch
 * "attr;range=HIGH+1-*" of dn and so on, appending copies of the values
 * (NUL-terminated) to values, until the final range arrives. On failure
 * values may hold some of them; the caller clears it. */
spn_status spn_search_range_rest(spn_dir *dir, const char *dn,
				 const char *attr, unsigned long high,
				 size_t first, spn_values *values);

/* Parse an attribute description returned by the server. Returns 1 when
 * desc is attr with a ";range=LOW-HIGH" or ";range=LOW-*" option (names
 * and the option compared case-insensitively; *high_out is SPN_RANGE_END
 * for '*'), 0 when desc is some other description (attr without a range,
 * another attribute), -1 when it is attr with a malformed range option
 * (not digits, HIGH < LOW, trailing text, numbers too large). */
int spn_range_parse(const char *desc, const char *attr,
		    unsigned long *low_out, unsigned long *high_out);

#endif
