/* fix_remove.c - the fix that removes SPNs of the index from their holders:
 * setspn -D lines, then the same as LDIF. */
#include "checks.h"
#include "fix_script.h"

static void remove_one(strbuf *b, const spn_index *index, uint32_t spn,
		       int ldif)
{
	spn_finding_account fa = idx_finding_account(index,
					index->spns[spn].account);
	const char *value = idx_s(index, index->spns[spn].text);

	if (ldif)
		fix_ldif_modify(b, fa.dn, "delete", "servicePrincipalName", value);
	else
		fix_setspn_delete(b, value, fa.sam, fa.dn);
}

void fix_remove_spns(strbuf *b, const spn_index *index, const uint32_t *spns,
		     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		remove_one(b, index, spns[i], 0);
	strbuf_puts(b, "# or with ldapmodify:\n");
	for (i = 0; i < n; i++)
		remove_one(b, index, spns[i], 1);
}

void fix_remove_chain(strbuf *b, const spn_index *index, uint32_t head)
{
	uint32_t s;

	for (s = head; s != IDX_NONE; s = index->spns[s].next_same)
		remove_one(b, index, s, 0);
	strbuf_puts(b, "# or with ldapmodify:\n");
	for (s = head; s != IDX_NONE; s = index->spns[s].next_same)
		remove_one(b, index, s, 1);
}
