/* dir_accounts.c - LDAP entries as spn_accounts: scan, find, query. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "search.h"

/* No distinguishedName: the entry's own DN is the same string, and every
 * byte asked for is decrypted and parsed once more per account. */
static char *account_attrs[] = {
	"sAMAccountName", "objectClass", "userAccountControl", "dNSHostName",
	"msDS-AdditionalDnsHostName", "servicePrincipalName",
	"msDS-SupportedEncryptionTypes", NULL,
};

/* The attributes an account is made of. The multi-valued ones come first:
 * only they may arrive in ranges ("servicePrincipalName;range=0-1499"). */
enum {
	ATTR_CLASS, ATTR_SPN, ATTR_EXTRA, N_MULTI,
	ATTR_SAM = N_MULTI, ATTR_HOST, ATTR_UAC, ATTR_ENC, N_ATTRS
};

static const struct {
	const char *name;
	size_t len;
} attr_names[N_ATTRS] = {
	[ATTR_CLASS] = { "objectClass", 11 },
	[ATTR_SPN] = { "servicePrincipalName", 20 },
	[ATTR_EXTRA] = { "msDS-AdditionalDnsHostName", 26 },
	[ATTR_SAM] = { "sAMAccountName", 14 },
	[ATTR_HOST] = { "dNSHostName", 11 },
	[ATTR_UAC] = { "userAccountControl", 18 },
	[ATTR_ENC] = { "msDS-SupportedEncryptionTypes", 29 },
};

/* A growable list of C strings, kept for the whole scan. */
struct name_list {
	const char **v;
	size_t n, cap;
};

/* One scan's state. The buffers are reused from entry to entry, so an
 * entry costs no allocation of its own but libldap's. */
struct account_walk {
	spn_account_fn fn;
	void *userdata;
	unsigned long found;
	BerElement *attr_ber;       /* reads one attribute of an entry */
	struct name_list spns, extra;
};

/* What one entry holds. Values point into the entry's message, each
 * NUL-terminated in place by liblber (ber_get_stringbv without
 * LBER_BV_NOTERM writes the NUL over the first byte of the next element,
 * whose tag it has already read; libldap gives each message a spare byte
 * at its end for the last one). */
struct entry_attrs {
	const char *dn;
	unsigned int seen;                 /* bit per ATTR_ */
	struct berval single[N_ATTRS];     /* first value of the single-valued */
	unsigned long high[N_MULTI];       /* end of the range sent, or
					      SPN_RANGE_END */
	size_t first[N_MULTI];             /* values in the entry itself */
	int computer, user, msa;           /* objectClass values seen */
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

/* Are the n bytes at s the name (ASCII, any case)? Exact bytes first:
 * the server nearly always spells a name as the schema does. */
static int same_name(const char *s, size_t n, const char *name, size_t len)
{
	return n == len && (memcmp(s, name, len) == 0 ||
			    strncasecmp(s, name, len) == 0);
}

/* Which ATTR_ the attribute name (without options) is, or -1: the
 * spelling of the schema first, then any case. */
static int attr_of(const char *name, size_t len)
{
	int i;

	for (i = 0; i < N_ATTRS; i++)
		if (len == attr_names[i].len &&
		    memcmp(name, attr_names[i].name, len) == 0)
			return i;
	for (i = 0; i < N_ATTRS; i++)
		if (len == attr_names[i].len &&
		    strncasecmp(name, attr_names[i].name, len) == 0)
			return i;
	return -1;
}

/* Note one objectClass value. */
static void note_class(struct entry_attrs *at, const struct berval *bv)
{
	const char *s = bv->bv_val;
	size_t n = bv->bv_len;

	if (same_name(s, n, "computer", 8))
		at->computer = 1;
	else if (same_name(s, n, "user", 4))
		at->user = 1;
	else if (same_name(s, n, "msDS-GroupManagedServiceAccount", 31) ||
		 same_name(s, n, "msDS-ManagedServiceAccount", 26))
		at->msa = 1;
}

static spn_account_kind kind_of(const struct entry_attrs *at)
{
	if (at->msa)
		return SPN_ACCOUNT_MSA;
	if (at->computer)
		return SPN_ACCOUNT_COMPUTER;
	return at->user ? SPN_ACCOUNT_USER : SPN_ACCOUNT_OTHER;
}

static spn_status list_add(struct name_list *list, const char *s)
{
	if (list->n == list->cap) {
		size_t cap = list->cap != 0 ? 2 * list->cap : 64;
		const char **grown = realloc(list->v, cap * sizeof(*grown));

		if (grown == NULL)
			return SPN_E_NOMEM;
		list->v = grown;
		list->cap = cap;
	}
	list->v[list->n++] = s;
	return SPN_OK;
}

/* Keep one value of attribute `which` (NUL-terminated): an SPN or an
 * additional DNS name goes on its list unless it has a NUL byte. */
static spn_status keep_value(spn_dir *dir, struct account_walk *walk,
			     struct entry_attrs *at, int which,
			     const struct berval *bv)
{
	switch (which) {
	case ATTR_CLASS:
		note_class(at, bv);
		return SPN_OK;
	case ATTR_SPN:
	case ATTR_EXTRA:
		if (has_nul(dir, at->dn, attr_names[which].name, bv))
			return SPN_OK;
		return list_add(which == ATTR_SPN ? &walk->spns : &walk->extra,
				bv->bv_val);
	default:
		return SPN_OK;
	}
}

static spn_status undecodable(spn_dir *dir, const char *dn)
{
	return spn_error(dir->ctx, SPN_E_DIRECTORY,
			 "%s sent an entry that cannot be decoded (%s)",
			 dir->server, dn);
}

/* Read one attribute (the contents of its PartialAttribute SEQUENCE:
 * the description, then the SET of values). Attributes the account does
 * not use, options other than a range, and any repeat of an attribute
 * already read are skipped, as ldap_get_values_len would. */
static spn_status read_attribute(spn_dir *dir, struct account_walk *walk,
				 struct entry_attrs *at, struct berval *attr)
{
	BerElement *ber = walk->attr_ber;
	struct berval desc, value;
	const char *semi;
	ber_len_t set_len, left = 1;
	unsigned long low = 0, high = SPN_RANGE_END;
	size_t n = 0;
	int which;
	spn_status st;

	ber_init2(ber, attr, 0);
	if (ber_get_stringbv(ber, &desc, 0) == LBER_DEFAULT)
		return undecodable(dir, at->dn);
	semi = memchr(desc.bv_val, ';', desc.bv_len);
	which = attr_of(desc.bv_val, semi != NULL ?
			(size_t)(semi - desc.bv_val) : desc.bv_len);
	if (which < 0 || (at->seen & (1u << which)) != 0)
		return SPN_OK;
	if (semi != NULL) {
		/* spn_range_parse reads a C string: one with a NUL inside is
		 * no description this client asked for. */
		int r = which < N_MULTI &&
			strlen(desc.bv_val) == desc.bv_len ?
			spn_range_parse(desc.bv_val, attr_names[which].name,
					&low, &high) : 0;

		if (r == 0)
			return SPN_OK;
		if (r < 0 || low != 0)
			return spn_error(dir->ctx, SPN_E_DIRECTORY,
					 "%s sent the attribute %s for %s: not a range this client can follow",
					 dir->server, desc.bv_val, at->dn);
	}
	at->seen |= 1u << which;
	if (ber_skip_tag(ber, &set_len) == LBER_DEFAULT ||
	    ber_set_option(ber, LBER_OPT_REMAINING_BYTES, &set_len) !=
	    LBER_OPT_SUCCESS)
		return undecodable(dir, at->dn);
	while (ber_get_stringbv(ber, &value, 0) != LBER_DEFAULT) {
		if (which >= N_MULTI) {
			if (n == 0)
				at->single[which] = value;
		} else {
			st = keep_value(dir, walk, at, which, &value);
			if (st != SPN_OK)
				return st;
		}
		n++;
	}
	if (ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &left) !=
	    LBER_OPT_SUCCESS || left != 0)
		return undecodable(dir, at->dn);
	if (which < N_MULTI) {
		at->high[which] = high;
		at->first[which] = n;
	}
	return SPN_OK;
}

/* Every attribute of the entry, in one pass. */
static spn_status read_attributes(spn_dir *dir, struct account_walk *walk,
				  struct entry_attrs *at, BerElement *ber)
{
	struct berval attr;
	ber_len_t left = 1;
	spn_status st;

	while (ber_skip_element(ber, &attr) != LBER_DEFAULT) {
		st = read_attribute(dir, walk, at, &attr);
		if (st != SPN_OK)
			return st;
	}
	if (ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &left) !=
	    LBER_OPT_SUCCESS || left != 0)
		return undecodable(dir, at->dn);
	return SPN_OK;
}

/* Fetch what the server left out of the ranged attributes. The values
 * fetched are copies in more[], which the caller clears. */
static spn_status follow_ranges(spn_dir *dir, struct account_walk *walk,
				struct entry_attrs *at, spn_values *more)
{
	spn_status st;
	size_t i;
	int which;

	for (which = 0; which < N_MULTI; which++) {
		if ((at->seen & (1u << which)) == 0 ||
		    at->high[which] == SPN_RANGE_END)
			continue;
		st = spn_search_range_rest(dir, at->dn, attr_names[which].name,
					   at->high[which], at->first[which],
					   &more[which]);
		for (i = 0; st == SPN_OK && i < more[which].n; i++)
			st = keep_value(dir, walk, at, which,
					&more[which].v[i]);
		if (st != SPN_OK)
			return st;
	}
	return SPN_OK;
}

/* A single-valued attribute as a C string: NULL when absent or when its
 * value has a NUL byte. */
static const char *single(spn_dir *dir, struct entry_attrs *at, int which)
{
	const struct berval *bv = &at->single[which];

	if (bv->bv_val == NULL ||
	    has_nul(dir, at->dn, attr_names[which].name, bv))
		return NULL;
	return bv->bv_val;
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

/* Build the account view of one entry and hand it to the caller. */
static spn_status entry_to_account(spn_dir *dir, LDAPMessage *entry,
				   void *userdata)
{
	struct account_walk *walk = userdata;
	struct entry_attrs at;
	spn_values more[N_MULTI];
	BerElement *ber = NULL;
	struct berval dn = { 0, NULL };
	const char *uac, *enc;
	spn_status st;
	spn_account a;
	int i;

	memset(&at, 0, sizeof(at));
	memset(more, 0, sizeof(more));
	memset(&a, 0, sizeof(a));
	walk->spns.n = 0;
	walk->extra.n = 0;
	if (ldap_get_dn_ber(dir->ld, entry, &ber, &dn) != LDAP_SUCCESS ||
	    dn.bv_val == NULL) {
		st = spn_error(dir->ctx, SPN_E_DIRECTORY,
			       "%s sent an entry without a DN", dir->server);
		goto cleanup;
	}
	at.dn = dn.bv_val;
	st = read_attributes(dir, walk, &at, ber);
	if (st == SPN_OK)
		st = follow_ranges(dir, walk, &at, more);
	if (st != SPN_OK)
		goto cleanup;
	a.dn = at.dn;
	a.sam = single(dir, &at, ATTR_SAM);
	a.dns_host_name = single(dir, &at, ATTR_HOST);
	uac = single(dir, &at, ATTR_UAC);
	enc = single(dir, &at, ATTR_ENC);
	a.kind = kind_of(&at);
	a.has_uac = integer(uac, &a.uac);
	a.has_enc_types = integer(enc, &a.enc_types);
	if (walk->extra.n > 0) {
		a.additional_dns = walk->extra.v;
		a.n_additional_dns = walk->extra.n;
	}
	if (walk->spns.n > 0) {
		a.spns = walk->spns.v;
		a.n_spns = walk->spns.n;
	}
	if (uac != NULL && !a.has_uac)
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s: userAccountControl '%s' is not a number; ignored",
			a.dn, uac);
	if (enc != NULL && !a.has_enc_types)
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s: msDS-SupportedEncryptionTypes '%s' is not a number; ignored",
			a.dn, enc);
	walk->found++;
	st = walk->fn(&a, walk->userdata);
cleanup:
	for (i = 0; i < N_MULTI; i++)
		if (more[i].v != NULL)
			spn_values_clear(&more[i]);
	if (ber != NULL)
		ber_free(ber, 0);
	return st;
}

spn_status spn_dir_search_accounts(spn_dir *dir, const char *what,
				   const char *filter, char **attrs,
				   spn_account_fn fn, void *userdata,
				   unsigned long *found_out)
{
	struct account_walk walk;
	spn_status st;

	memset(&walk, 0, sizeof(walk));
	walk.fn = fn;
	walk.userdata = userdata;
	walk.attr_ber = ber_alloc_t(0);
	if (walk.attr_ber == NULL)
		return SPN_E_NOMEM;
	st = spn_search_paged(dir, what, dir->search_base, LDAP_SCOPE_SUBTREE,
			      filter, attrs != NULL ? attrs : account_attrs,
			      entry_to_account, &walk, NULL);
	if (st == SPN_OK && found_out != NULL)
		*found_out = walk.found;
	ber_free(walk.attr_ber, 0);
	free(walk.spns.v);
	free(walk.extra.v);
	return st;
}

SPN_EXPORT spn_status spn_dir_scan_accounts(spn_dir *dir, spn_account_fn fn,
					    void *userdata)
{
	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	/* Presence and equality only: no leading-wildcard substring filter. */
	return spn_dir_search_accounts(dir, "account scan",
				       "(|(servicePrincipalName=*)(objectCategory=computer))",
				       NULL, fn, userdata, NULL);
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
	st = spn_dir_search_accounts(dir, "SPN lookup", filter, NULL, fn,
				     userdata, NULL);
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
	st = spn_dir_search_accounts(dir, "SPN query", filter, NULL, fn,
				     userdata, NULL);
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
	st = spn_dir_search_accounts(dir, "account lookup", filter, NULL, fn,
				     userdata, &found);
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
