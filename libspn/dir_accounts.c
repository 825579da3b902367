/* dir_accounts.c - LDAP entries as spn_accounts: scan, find, query. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "search.h"

static char *account_attrs[] = {
	"distinguishedName", "sAMAccountName", "objectClass",
	"userAccountControl", "dNSHostName", "msDS-AdditionalDnsHostName",
	"servicePrincipalName", "msDS-SupportedEncryptionTypes", NULL,
};

struct account_walk {
	spn_account_fn fn;
	void *userdata;
	unsigned long found;
};

/* A value with a NUL byte cannot be a name: as a C string it would be
 * cut short and then match (or duplicate) some other name, and no Kerberos
 * client can ask for it. Say so, showing what comes before the NUL. */
static int has_nul(spn_dir *dir, const char *dn, const char *attr,
		   const struct berval *bv)
{
	const char *nul = memchr(bv->bv_val, '\0', bv->bv_len);

	if (nul == NULL)
		return 0;
	spn_log(dir->ctx, SPN_LOG_WARNING,
		"%s: a %s value has a NUL byte after '%.*s' (%zu bytes in all); left out",
		dn, attr, (int)(nul - bv->bv_val), bv->bv_val, (size_t)bv->bv_len);
	return 1;
}

/* Drop the values that has_nul() refuses. */
static void drop_nul_values(spn_dir *dir, const char *dn, const char *attr,
			    spn_values *values)
{
	size_t i, kept = 0;

	for (i = 0; i < values->n; i++) {
		if (has_nul(dir, dn, attr, &values->v[i])) {
			free(values->v[i].bv_val);
			continue;
		}
		values->v[kept++] = values->v[i];
	}
	values->n = kept;
}

/* The first value of attr as a new string (NULL when absent). */
static spn_status single(spn_dir *dir, LDAPMessage *entry, const char *dn,
			 const char *attr, char **out)
{
	struct berval **vals = ldap_get_values_len(dir->ld, entry, attr);
	spn_status st = SPN_OK;

	*out = NULL;
	if (vals != NULL && vals[0] != NULL &&
	    !has_nul(dir, dn, attr, vals[0])) {
		*out = strndup(vals[0]->bv_val, vals[0]->bv_len);
		if (*out == NULL)
			st = SPN_E_NOMEM;
	}
	ldap_value_free_len(vals);
	return st;
}

/* An INTEGER attribute (AD stores 32-bit values, possibly negative). */
static int integer(const char *text, unsigned int *out)
{
	char *end;
	long long v;

	if (text == NULL || text[0] == '\0')
		return 0;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < -2147483648LL || v > 4294967295LL)
		return 0;
	*out = (unsigned int)v;
	return 1;
}

static spn_account_kind kind_of(const spn_values *classes)
{
	int computer = 0, user = 0;
	size_t i;

	for (i = 0; i < classes->n; i++) {
		const char *c = classes->v[i].bv_val;

		if (strcasecmp(c, "msDS-GroupManagedServiceAccount") == 0 ||
		    strcasecmp(c, "msDS-ManagedServiceAccount") == 0)
			return SPN_ACCOUNT_MSA;
		if (strcasecmp(c, "computer") == 0)
			computer = 1;
		else if (strcasecmp(c, "user") == 0)
			user = 1;
	}
	if (computer)
		return SPN_ACCOUNT_COMPUTER;
	return user ? SPN_ACCOUNT_USER : SPN_ACCOUNT_OTHER;
}

/* Pointers to the values, as the spn_account view wants them. */
static spn_status string_list(const spn_values *values, const char ***out)
{
	size_t i;

	*out = NULL;
	if (values->n == 0)
		return SPN_OK;
	*out = calloc(values->n, sizeof(**out));
	if (*out == NULL)
		return SPN_E_NOMEM;
	for (i = 0; i < values->n; i++)
		(*out)[i] = values->v[i].bv_val;
	return SPN_OK;
}

/* Build the account view of one entry and hand it to the caller. */
static spn_status entry_to_account(spn_dir *dir, LDAPMessage *entry,
				   void *userdata)
{
	struct account_walk *walk = userdata;
	spn_status st = SPN_OK;
	spn_values classes = { NULL, 0 }, spns = { NULL, 0 },
		   extra = { NULL, 0 };
	const char **spn_list = NULL, **extra_list = NULL;
	char *dn = NULL, *sam = NULL, *host = NULL, *uac = NULL, *enc = NULL;
	spn_account a;

	memset(&a, 0, sizeof(a));
	dn = ldap_get_dn(dir->ld, entry);
	if (dn == NULL) {
		st = spn_error(dir->ctx, SPN_E_DIRECTORY,
			       "%s sent an entry without a DN", dir->server);
		goto cleanup;
	}
	st = single(dir, entry, dn, "sAMAccountName", &sam);
	if (st == SPN_OK)
		st = single(dir, entry, dn, "dNSHostName", &host);
	if (st == SPN_OK)
		st = single(dir, entry, dn, "userAccountControl", &uac);
	if (st == SPN_OK)
		st = single(dir, entry, dn, "msDS-SupportedEncryptionTypes", &enc);
	if (st == SPN_OK)
		st = spn_search_values(dir, entry, dn, "objectClass", &classes);
	if (st == SPN_OK)
		st = spn_search_values(dir, entry, dn, "servicePrincipalName",
				       &spns);
	if (st == SPN_OK)
		st = spn_search_values(dir, entry, dn,
				       "msDS-AdditionalDnsHostName", &extra);
	if (st != SPN_OK)
		goto cleanup;
	drop_nul_values(dir, dn, "servicePrincipalName", &spns);
	drop_nul_values(dir, dn, "msDS-AdditionalDnsHostName", &extra);
	st = string_list(&spns, &spn_list);
	if (st == SPN_OK)
		st = string_list(&extra, &extra_list);
	if (st != SPN_OK)
		goto cleanup;
	a.dn = dn;
	a.sam = sam;
	a.kind = kind_of(&classes);
	a.has_uac = integer(uac, &a.uac);
	a.dns_host_name = host;
	a.additional_dns = extra_list;
	a.n_additional_dns = extra.n;
	a.spns = spn_list;
	a.n_spns = spns.n;
	a.has_enc_types = integer(enc, &a.enc_types);
	if (uac != NULL && !a.has_uac)
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s: userAccountControl '%s' is not a number; ignored",
			dn, uac);
	if (enc != NULL && !a.has_enc_types)
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s: msDS-SupportedEncryptionTypes '%s' is not a number; ignored",
			dn, enc);
	walk->found++;
	st = walk->fn(&a, walk->userdata);
cleanup:
	free(spn_list);
	free(extra_list);
	spn_values_clear(&classes);
	spn_values_clear(&spns);
	spn_values_clear(&extra);
	free(sam);
	free(host);
	free(uac);
	free(enc);
	ldap_memfree(dn);
	return st;
}

static spn_status search_accounts(spn_dir *dir, const char *what,
				  const char *filter, spn_account_fn fn,
				  void *userdata, unsigned long *found_out)
{
	struct account_walk walk = { fn, userdata, 0 };
	spn_status st;

	st = spn_search_paged(dir, what, dir->search_base, LDAP_SCOPE_SUBTREE,
			      filter, account_attrs, entry_to_account, &walk,
			      NULL);
	if (st == SPN_OK && found_out != NULL)
		*found_out = walk.found;
	return st;
}

SPN_EXPORT spn_status spn_dir_scan_accounts(spn_dir *dir, spn_account_fn fn,
					    void *userdata)
{
	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	/* Presence and equality only: no leading-wildcard substring filter. */
	return search_accounts(dir, "account scan",
			       "(|(servicePrincipalName=*)(objectCategory=computer))",
			       fn, userdata, NULL);
}

SPN_EXPORT spn_status spn_dir_find_spn(spn_dir *dir, const char *spn,
				       spn_account_fn fn, void *userdata)
{
	spn_status st;
	char *value = NULL, *filter = NULL;

	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	if (spn == NULL || spn[0] == '\0')
		return spn_error(dir->ctx, SPN_E_INPUT, "the SPN to find is empty");
	value = spn_filter_escape(spn);
	if (value == NULL || asprintf(&filter, "(servicePrincipalName=%s)",
				      value) < 0) {
		filter = NULL;
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	st = search_accounts(dir, "SPN lookup", filter, fn, userdata, NULL);
cleanup:
	free(filter);
	free(value);
	return st;
}

SPN_EXPORT spn_status spn_dir_query(spn_dir *dir, const char *pattern,
				    spn_account_fn fn, void *userdata)
{
	spn_status st;
	char *value = NULL, *filter = NULL;

	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	if (pattern == NULL)
		return spn_error(dir->ctx, SPN_E_INPUT, "no SPN pattern given");
	st = spn_filter_pattern(dir->ctx, pattern, &value);
	if (st != SPN_OK)
		goto cleanup;
	if (asprintf(&filter, "(servicePrincipalName=%s)", value) < 0) {
		filter = NULL;
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	st = search_accounts(dir, "SPN query", filter, fn, userdata, NULL);
cleanup:
	free(filter);
	free(value);
	return st;
}

/* Does name parse as an LDAPv3 DN (so a distinguishedName filter on it is
 * well formed)? */
static int is_dn(const char *name)
{
	LDAPDN dn = NULL;
	int ok;

	if (strchr(name, '=') == NULL)
		return 0;
	ok = ldap_str2dn(name, &dn, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
	     dn != NULL;
	ldap_dnfree(dn);
	return ok;
}

SPN_EXPORT spn_status spn_dir_find_account(spn_dir *dir, const char *name,
					   spn_account_fn fn, void *userdata)
{
	spn_status st;
	char *value = NULL, *filter = NULL;
	unsigned long found = 0;
	size_t len;
	int r;

	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	if (name == NULL || name[0] == '\0')
		return spn_error(dir->ctx, SPN_E_INPUT,
				 "the account name to find is empty");
	value = spn_filter_escape(name);
	if (value == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	len = strlen(name);
	if (is_dn(name))
		/* A DN: match that (and names, for odd sAMs). */
		r = asprintf(&filter,
			     "(|(distinguishedName=%s)(sAMAccountName=%s))",
			     value, value);
	else if (name[len - 1] == '$')
		r = asprintf(&filter, "(sAMAccountName=%s)", value);
	else
		r = asprintf(&filter,
			     "(|(sAMAccountName=%s)(sAMAccountName=%s$)(dNSHostName=%s))",
			     value, value, value);
	if (r < 0) {
		filter = NULL;
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	st = search_accounts(dir, "account lookup", filter, fn, userdata,
			     &found);
	if (st == SPN_OK && found == 0)
		st = spn_error(dir->ctx, SPN_E_INPUT,
			       "no account named '%s' in %s (by sAMAccountName, DN or dNSHostName)",
			       name, dir->search_base[0] != '\0' ?
			       dir->search_base : "the forest");
cleanup:
	free(filter);
	free(value);
	return st;
}
