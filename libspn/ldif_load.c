/* ldif_load.c - fill an index from an LDIF export: accounts, dnsNode objects
 * and sPNMappings, each only when asked for (the two-pass load of the
 * accounts that share an SPN: ldif_shared.c). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <spn/index.h>
#include "context_impl.h"
#include "index_impl.h"
#include "ldif.h"
#include "ldif_load_impl.h"
#include "ldif_parser.h"

/* RFC 4514 value of one RDN, unescaped; DNS names fit in far less. */
#define RDN_MAX 256

spn_status ldif_no_memory(loader *l, const spn_ldif_entry *e)
{
	return spn_error(l->ctx, SPN_E_NOMEM, "%s:%zu: out of memory", e->source,
			 e->line);
}

/* A text value the index keeps as a C string must not hold NUL bytes. */
static spn_status check_text(loader *l, const spn_ldif_entry *e,
			     const spn_ldif_attr *a)
{
	if (memchr(a->value, '\0', a->value_len) == NULL)
		return SPN_OK;
	return spn_error(l->ctx, SPN_E_INPUT,
			 "%s:%zu: a value of '%s' in '%s' contains a NUL byte",
			 e->source, a->line, a->name, e->dn);
}

/* Check a text value and append it to a growable list (*n of them). */
static spn_status add_text(loader *l, const spn_ldif_entry *e,
			   const spn_ldif_attr *a, const char ***list,
			   size_t *cap, size_t *n)
{
	spn_status st = check_text(l, e, a);

	if (st != SPN_OK)
		return st;
	if (ldif_grow_array((void **)list, cap, *n + 1, sizeof(**list)) != 0)
		return ldif_no_memory(l, e);
	(*list)[(*n)++] = a->value;
	return SPN_OK;
}

/* userAccountControl and msDS-SupportedEncryptionTypes: a 32-bit integer,
 * which AD writes signed. */
static spn_status parse_flags(loader *l, const spn_ldif_entry *e,
			      const spn_ldif_attr *a, unsigned int *out)
{
	const char *stop = a->value + a->value_len;
	char *end;
	long long v;

	if (ldif_short_flags(a->value, a->value_len, out) == 0)
		return SPN_OK;
	errno = 0;
	v = strtoll(a->value, &end, 10);
	if (a->value_len == 0 || end != stop || errno != 0 ||
	    v < -2147483648LL || v > 4294967295LL)
		return spn_error(l->ctx, SPN_E_INPUT,
				 "%s:%zu: '%s' of '%s' is '%s', not a 32-bit "
				 "number", e->source, a->line, a->name, e->dn,
				 a->value);
	*out = (unsigned int)(v & 0xffffffffLL);
	return SPN_OK;
}

/* A decimal number at s; *end_out is the first byte after it. */
static int parse_ulong(const char *s, unsigned long *value_out,
		       const char **end_out)
{
	unsigned long value;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	value = strtoul(s, &end, 10);
	if (errno != 0)
		return -1;
	*value_out = value;
	*end_out = end;
	return 0;
}

/* Find "range=LOW-HIGH" or "range=LOW-*" among the options. Returns 0
 * when there is none, 1 when found, -1 when it is malformed. */
static int range_option(const char *opts, unsigned long *low_out,
			unsigned long *high_out, int *star_out)
{
	const char *p = opts, *end;
	unsigned long low, high = 0;
	int star;

	while (*p != '\0') {
		if (strncasecmp(p, "range=", 6) == 0) {
			if (parse_ulong(p + 6, &low, &end) != 0 || *end != '-')
				return -1;
			p = end + 1;
			star = *p == '*';
			if (star)
				end = p + 1;
			else if (parse_ulong(p, &high, &end) != 0 || high < low)
				return -1;
			if (*end != '\0' && *end != ';')
				return -1;
			*low_out = low;
			*high_out = high;
			*star_out = star;
			return 1;
		}
		p = strchr(p, ';');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

static spn_status track_range(loader *l, const spn_ldif_entry *e,
			      const spn_ldif_attr *a, range_state *r)
{
	unsigned long low = 0, high = 0;
	int star = 0, found;

	if (a->options_len == 0)
		return SPN_OK;
	found = range_option(a->options, &low, &high, &star);
	if (found < 0)
		return spn_error(l->ctx, SPN_E_INPUT,
				 "%s:%zu: '%s;%s' in '%s': malformed range "
				 "option", e->source, a->line, a->name,
				 a->options, e->dn);
	if (found == 0)
		return SPN_OK;
	if (r->ranged && low == r->low && high == r->high && star == r->star)
		return SPN_OK;   /* another value of the same range */
	if ((!r->ranged && low == 0) ||
	    (r->ranged && !r->star && low == r->high + 1)) {
		r->ranged = 1;
		r->low = low;
		r->high = high;
		r->star = star;
		r->attr = a;
		return SPN_OK;
	}
	return spn_error(l->ctx, SPN_E_INPUT,
			 "%s:%zu: '%s;%s' in '%s' does not continue the "
			 "values before it: the export is incomplete",
			 e->source, a->line, a->name, a->options, e->dn);
}

static spn_status check_ranges(loader *l, const spn_ldif_entry *e,
			       const entry_facts *f)
{
	size_t i;

	for (i = 0; i < R_COUNT; i++) {
		const range_state *r = &f->ranges[i];

		if (r->ranged && !r->star)
			return spn_error(l->ctx, SPN_E_INPUT,
					 "%s:%zu: '%s;%s' in '%s' holds only "
					 "part of the values (LDAP range "
					 "retrieval was not finished): the "
					 "export is incomplete", e->source,
					 r->attr->line, r->attr->name,
					 r->attr->options, e->dn);
	}
	return SPN_OK;
}

/* One pass over the attributes: everything but the dnsRecord values. */
spn_status ldif_collect(loader *l, const spn_ldif_entry *e, entry_facts *f)
{
	spn_account *acc = &f->account;
	size_t i;
	spn_status st;

	for (i = 0; i < e->n_attrs; i++) {
		const spn_ldif_attr *a = &e->attrs[i];
		range_state *r = NULL;

		switch (ldif_attr_id(a->name, a->name_len)) {
		case A_OBJECTCLASS:
			f->classes |= ldif_class_bit(a->value, a->value_len);
			r = &f->ranges[R_OBJECTCLASS];
			break;
		case A_SPN:
			st = add_text(l, e, a, &l->spns, &l->spns_cap,
				      &acc->n_spns);
			if (st != SPN_OK)
				return st;
			r = &f->ranges[R_SPN];
			break;
		case A_SAM:
			st = check_text(l, e, a);
			if (st != SPN_OK)
				return st;
			if (acc->sam == NULL)
				acc->sam = a->value;
			break;
		case A_MAPPINGS:
			f->has_mappings = 1;
			r = &f->ranges[R_MAPPINGS];
			break;
		case A_UAC:
			if (f->uac == NULL)
				f->uac = a;
			break;
		case A_DNS_HOST:
			st = check_text(l, e, a);
			if (st != SPN_OK)
				return st;
			if (acc->dns_host_name == NULL)
				acc->dns_host_name = a->value;
			break;
		case A_DNS_RECORD:
			r = &f->ranges[R_RECORD];
			break;
		case A_TOMBSTONED:
			f->tombstoned = ldif_word_is(a->value, a->value_len,
						     "TRUE", 4);
			break;
		case A_ADDITIONAL:
			st = add_text(l, e, a, &l->extra, &l->extra_cap,
				      &acc->n_additional_dns);
			if (st != SPN_OK)
				return st;
			r = &f->ranges[R_ADDITIONAL];
			break;
		case A_ENC_TYPES:
			if (f->enc_types == NULL)
				f->enc_types = a;
			break;
		case A_OTHER:
			break;
		}
		if (r != NULL) {
			st = track_range(l, e, a, r);
			if (st != SPN_OK)
				return st;
		}
	}
	return check_ranges(l, e, f);
}

/* The kind of account the OC_* bits of its objectClass values make. */
static spn_account_kind account_kind(unsigned int classes)
{
	if (classes & OC_MSA)
		return SPN_ACCOUNT_MSA;
	if (classes & OC_COMPUTER)
		return SPN_ACCOUNT_COMPUTER;
	if (classes & OC_USER)
		return SPN_ACCOUNT_USER;
	return SPN_ACCOUNT_OTHER;
}

/* Everything about an account that can be wrong, checked and filled in
 * without adding it. */
spn_status ldif_check_account(loader *l, const spn_ldif_entry *e,
			      entry_facts *f)
{
	spn_account *acc = &f->account;
	spn_status st;

	acc->kind = account_kind(f->classes);
	if (memchr(e->dn, '\0', e->dn_len) != NULL)
		return spn_error(l->ctx, SPN_E_INPUT,
				 "%s:%zu: the dn contains a NUL byte",
				 e->source, e->line);
	acc->dn = e->dn;
	if (f->uac != NULL) {
		st = parse_flags(l, e, f->uac, &acc->uac);
		if (st != SPN_OK)
			return st;
		acc->has_uac = 1;
	}
	if (f->enc_types != NULL) {
		st = parse_flags(l, e, f->enc_types, &acc->enc_types);
		if (st != SPN_OK)
			return st;
		acc->has_enc_types = 1;
	}
	acc->spns = l->spns;
	acc->additional_dns = l->extra;
	return SPN_OK;
}

/* Keep of acc's SPNs (l->spns) only those whose key hash is in
 * l->shared: 0, or -1 when out of memory. */
static int keep_shared(loader *l, spn_account *acc)
{
	size_t i, n = 0, len;
	uint64_t hash;

	for (i = 0; i < acc->n_spns; i++) {
		len = strlen(l->spns[i]);
		if (len == 0)
			continue;   /* the index keeps no empty SPN */
		if (idx_key_hash64(l->spns[i], len, &hash) != 0)
			return -1;
		if (hash_set_has(l->shared, hash))
			l->spns[n++] = l->spns[i];
	}
	acc->n_spns = n;
	return 0;
}

static spn_status add_account(loader *l, const spn_ldif_entry *e,
			      entry_facts *f)
{
	spn_account *acc = &f->account;
	spn_status st;

	st = ldif_check_account(l, e, f);
	if (st != SPN_OK)
		return st;
	if (l->shared != NULL && keep_shared(l, acc) != 0)
		return ldif_no_memory(l, e);
	st = spn_index_add_account(l->index, acc);
	if (st != SPN_OK)
		return spn_error(l->ctx, st, "%s:%zu: cannot add '%s' to the "
				 "index (%s)", e->source, e->line, e->dn,
				 spn_status_name(st));
	l->n_accounts++;
	l->n_spns += acc->n_spns;
	return SPN_OK;
}

/* The bytes of span as a C string in buf at *used. */
static const char *put_text(char *buf, size_t *used, ldif_span span)
{
	char *s = buf + *used;

	memcpy(s, span.s, span.len);
	s[span.len] = '\0';
	*used += span.len + 1;
	return s;
}

spn_status ldif_load_plain(spn_ctx *ctx, const struct ldif_plain_entry *e,
			   void *userdata)
{
	loader *l = userdata;
	spn_account acc;
	size_t i, need = 0, used = 0;
	spn_status st;

	(void)ctx;
	l->n_entries++;
	if (e->classes & OC_DNS_NODE)
		l->n_unread++;
	if (e->has_mappings)
		l->n_unread++;
	if (e->n_spns == 0 && !(e->classes & (OC_COMPUTER | OC_MSA)))
		return SPN_OK;
	/* room for every value as a C string, and for the SPN and name
	 * lists */
	need = e->sam.len + e->dns_host.len + 2;
	for (i = 0; i < e->n_spns; i++)
		need += e->spns[i].len + 1;
	for (i = 0; i < e->n_additional; i++)
		need += e->additional[i].len + 1;
	if (ldif_grow_array((void **)&l->scratch, &l->scratch_cap, need, 1) != 0 ||
	    ldif_grow_array((void **)&l->spns, &l->spns_cap, e->n_spns + 1,
			    sizeof(*l->spns)) != 0 ||
	    ldif_grow_array((void **)&l->extra, &l->extra_cap,
			    e->n_additional + 1, sizeof(*l->extra)) != 0)
		return spn_error(l->ctx, SPN_E_NOMEM, "%s:%zu: out of memory",
				 e->source, e->line);
	memset(&acc, 0, sizeof(acc));
	acc.kind = account_kind(e->classes);
	acc.dn = e->dn;
	if (e->sam.s != NULL)
		acc.sam = put_text(l->scratch, &used, e->sam);
	if (e->dns_host.s != NULL)
		acc.dns_host_name = put_text(l->scratch, &used, e->dns_host);
	for (i = 0; i < e->n_spns; i++)
		l->spns[i] = put_text(l->scratch, &used, e->spns[i]);
	for (i = 0; i < e->n_additional; i++)
		l->extra[i] = put_text(l->scratch, &used, e->additional[i]);
	acc.spns = l->spns;
	acc.n_spns = e->n_spns;
	if (l->shared != NULL && keep_shared(l, &acc) != 0)
		return spn_error(l->ctx, SPN_E_NOMEM, "%s:%zu: out of memory",
				 e->source, e->line);
	acc.additional_dns = l->extra;
	acc.n_additional_dns = e->n_additional;
	acc.uac = e->uac;
	acc.has_uac = e->has_uac;
	acc.enc_types = e->enc_types;
	acc.has_enc_types = e->has_enc_types;
	st = spn_index_add_account(l->index, &acc);
	if (st != SPN_OK)
		return spn_error(l->ctx, st, "%s:%zu: cannot add '%s' to the "
				 "index (%s)", e->source, e->line, e->dn,
				 spn_status_name(st));
	l->n_accounts++;
	l->n_spns += acc.n_spns;
	return SPN_OK;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int hex_value(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The next RDN of a DN from *pos: its type and its value with the RFC 4514
 * escapes undone. Returns 0, or -1 when malformed or too long. */
static int next_rdn(const char *dn, size_t len, size_t *pos, char *type,
		    char *value)
{
	size_t i = *pos, t = 0, v = 0;

	while (i < len && dn[i] == ' ')
		i++;
	while (i < len && dn[i] != '=') {
		if (dn[i] == ',' || t + 1 >= RDN_MAX)
			return -1;
		type[t++] = dn[i++];
	}
	if (i >= len || t == 0)
		return -1;
	type[t] = '\0';
	i++;
	while (i < len && dn[i] != ',') {
		char c = dn[i];

		if (c == '+')
			return -1;   /* multi-valued RDN: not a DNS name */
		if (c == '\\') {
			if (i + 2 < len && is_hex(dn[i + 1]) &&
			    is_hex(dn[i + 2])) {
				c = (char)(hex_value(dn[i + 1]) * 16 +
					   hex_value(dn[i + 2]));
				i += 3;
			} else if (i + 1 < len) {
				c = dn[i + 1];
				i += 2;
			} else {
				return -1;
			}
		} else {
			i++;
		}
		if (c == '\0' || v + 1 >= RDN_MAX)
			return -1;
		value[v++] = c;
	}
	value[v] = '\0';
	if (i < len)
		i++;
	*pos = i;
	return 0;
}

/* Lower case (ASCII), and one trailing dot removed. */
static void dns_name(char *s)
{
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		s[--len] = '\0';
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* A "DC=<value>," RDN at *pos written as almost every export writes it:
 * no space, escape or '+', the value shorter than RDN_MAX. Its value goes
 * to out in lower case (ASCII) without one trailing dot, as next_rdn and
 * dns_name would leave it, and *pos moves past the ','. 0, or -1 for any
 * other RDN (next_rdn reads those). */
static int plain_dc(const char *dn, size_t len, size_t *pos, char *out)
{
	size_t i = *pos, v = 0;
	char c;

	if (len - i < 4 || (dn[i] | 0x20) != 'd' || (dn[i + 1] | 0x20) != 'c' ||
	    dn[i + 2] != '=')
		return -1;
	for (i += 3; i < len && (c = dn[i]) != ','; i++) {
		if (c == '\\' || c == '+' || c == '\0' || v + 1 >= RDN_MAX)
			return -1;
		out[v++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	if (i == len)
		return -1;
	if (v > 0 && out[v - 1] == '.')
		v--;
	out[v] = '\0';
	*pos = i + 1;
	return 0;
}

/* The node's name and zone and the "CN=MicrosoftDNS" after them, read as
 * plain_dc reads an RDN: 0, or -1 when next_rdn must read them. */
static int plain_node_rdns(const char *dn, size_t len, char *node,
			   char *zone)
{
	static const char parent[] = "CN=MicrosoftDNS";
	size_t pos = 0, n = sizeof(parent) - 1;

	if (plain_dc(dn, len, &pos, node) != 0 ||
	    plain_dc(dn, len, &pos, zone) != 0 || len - pos < n ||
	    !ldif_same_nocase(dn + pos, parent, n) ||
	    (pos + n < len && dn[pos + n] != ','))
		return -1;
	return 0;
}

/* The names of the dnsNode dn: its FQDN and zone (lower case, no trailing
 * dot). 0; -1 when dn is not "DC=<name>,DC=<zone>,CN=MicrosoftDNS,...";
 * 1 for the root hints and the internal zones (names that start with "..",
 * such as ..TrustAnchors). */
static int dns_node_names(const char *dn, size_t dn_len,
			  char fqdn[2 * RDN_MAX], char zone[RDN_MAX])
{
	char type[RDN_MAX], node[RDN_MAX], parent[RDN_MAX];
	size_t pos = 0;

	if (plain_node_rdns(dn, dn_len, node, zone) != 0) {
		if (next_rdn(dn, dn_len, &pos, type, node) != 0 ||
		    strcasecmp(type, "DC") != 0 ||
		    next_rdn(dn, dn_len, &pos, type, zone) != 0 ||
		    strcasecmp(type, "DC") != 0 ||
		    next_rdn(dn, dn_len, &pos, type, parent) != 0 ||
		    strcasecmp(type, "CN") != 0 ||
		    strcasecmp(parent, "MicrosoftDNS") != 0)
			return -1;
		dns_name(node);
		dns_name(zone);
	}
	if (strcmp(zone, "rootdnsservers") == 0 || strncmp(zone, "..", 2) == 0 ||
	    zone[0] == '\0')
		return 1;
	if (strcmp(node, "@") == 0 || node[0] == '\0')
		memcpy(fqdn, zone, strlen(zone) + 1);
	else {
		size_t nl = strlen(node), zl = strlen(zone);

		memcpy(fqdn, node, nl);
		fqdn[nl] = '.';
		memcpy(fqdn + nl + 1, zone, zl + 1);
	}
	return 0;
}

/* Add the node with the first n of l->records to the index. */
static spn_status add_node(loader *l, const char *source, size_t line,
			   const char *fqdn, const char *zone, size_t n,
			   int tombstoned)
{
	spn_dns_node dns;
	spn_status st;

	memset(&dns, 0, sizeof(dns));
	dns.fqdn = fqdn;
	dns.zone = zone;
	dns.records = l->records;
	dns.n_records = n;
	dns.tombstoned = tombstoned;
	st = spn_index_add_dns_node(l->index, &dns);
	if (st != SPN_OK)
		return spn_error(l->ctx, st, "%s:%zu: cannot add '%s' to the "
				 "index (%s)", source, line, fqdn,
				 spn_status_name(st));
	l->n_nodes++;
	l->n_records += n;
	return SPN_OK;
}

/* A dnsNode: "DC=<name>,DC=<zone>,CN=MicrosoftDNS,..." with its records.
 * As the live scan does (dir_dns.c), a node of another shape, the root
 * hints and the internal zones (names that start with "..") are skipped,
 * and so is a dnsRecord value that does not decode, each with a warning. */
static spn_status add_dns_node(loader *l, const spn_ldif_entry *e,
			       const entry_facts *f)
{
	char zone[RDN_MAX], fqdn[2 * RDN_MAX];
	size_t i, n = 0, value = 0;
	int shape = dns_node_names(e->dn, e->dn_len, fqdn, zone);

	if (shape < 0) {
		spn_log(l->ctx, SPN_LOG_WARNING,
			"%s:%zu: dnsNode %s is not DC=<name>,DC=<zone>,"
			"CN=MicrosoftDNS,...; skipped", e->source, e->line,
			e->dn);
		return SPN_OK;
	}
	if (shape > 0) {
		spn_log(l->ctx, SPN_LOG_DEBUG, "%s:%zu: dnsNode %s: internal "
			"zone; skipped", e->source, e->line, e->dn);
		return SPN_OK;
	}

	for (i = 0; i < e->n_attrs; i++) {
		const spn_ldif_attr *a = &e->attrs[i];

		if (ldif_attr_id(a->name, a->name_len) != A_DNS_RECORD)
			continue;
		value++;
		if (ldif_grow_array((void **)&l->records, &l->records_cap,
				    n + 1, sizeof(*l->records)) != 0)
			return ldif_no_memory(l, e);
		if (spn_dns_record_decode((const unsigned char *)a->value,
					  a->value_len, &l->records[n]) ==
		    SPN_OK) {
			n++;
			continue;
		}
		l->skipped_records++;
		spn_log(l->ctx, SPN_LOG_WARNING,
			"%s:%zu: dnsRecord value %zu of %s (%s, %zu bytes) does "
			"not decode (MS-DNSP DNS_RPC_RECORD); skipped",
			e->source, a->line, value, fqdn, e->dn, a->value_len);
	}
	return add_node(l, e->source, e->line, fqdn, zone, n, f->tombstoned);
}

/* A plain dnsNode entry (ldif_plain.c) when the one of add_dns_node's
 * paths that says nothing applies to it: its dn has the shape, its zone
 * is not internal, and every record decodes. Else it is left to the
 * parser (LDIF_PLAIN_LEAVE), which reads it and says why. */
static spn_status load_plain_node(loader *l, const struct ldif_plain_entry *e)
{
	char zone[RDN_MAX], fqdn[2 * RDN_MAX];
	size_t i;

	if (dns_node_names(e->dn, e->dn_len, fqdn, zone) != 0)
		return LDIF_PLAIN_LEAVE;
	if (ldif_grow_array((void **)&l->records, &l->records_cap,
			    e->n_records + 1, sizeof(*l->records)) != 0)
		return spn_error(l->ctx, SPN_E_NOMEM, "%s:%zu: out of memory",
				 e->source, e->line);
	for (i = 0; i < e->n_records; i++)
		if (spn_dns_record_decode((const unsigned char *)e->records[i].s,
					  e->records[i].len,
					  &l->records[i]) != SPN_OK)
			return LDIF_PLAIN_LEAVE;
	l->n_entries++;
	return add_node(l, e->source, e->line, fqdn, zone, e->n_records,
			e->tombstoned);
}

spn_status ldif_load_plain_all(spn_ctx *ctx, const struct ldif_plain_entry *e,
			       void *userdata)
{
	const loader *l = userdata;

	if (e->has_mappings && (l->what & SPN_LOAD_MAPPINGS))
		return LDIF_PLAIN_LEAVE;
	if ((e->classes & OC_DNS_NODE) && (l->what & SPN_LOAD_DNS)) {
		/* a node that is an account too: the parser's path */
		if (e->n_spns > 0 || (e->classes & (OC_COMPUTER | OC_MSA)))
			return LDIF_PLAIN_LEAVE;
		return load_plain_node(userdata, e);
	}
	return ldif_load_plain(ctx, e, userdata);
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* sPNMappings values: "host=alerter,http,cifs,..." -> (alias, "host"). */
static spn_status add_mappings(loader *l, const spn_ldif_entry *e)
{
	size_t i;
	spn_status st;

	for (i = 0; i < e->n_attrs; i++) {
		const spn_ldif_attr *a = &e->attrs[i];
		char *target, *alias, *eq, *next;

		if (ldif_attr_id(a->name, a->name_len) != A_MAPPINGS)
			continue;
		if (ldif_grow_array((void **)&l->scratch, &l->scratch_cap,
				    a->value_len + 1, 1) != 0)
			return ldif_no_memory(l, e);
		memcpy(l->scratch, a->value, a->value_len + 1);
		eq = strchr(l->scratch, '=');
		target = l->scratch;
		if (eq != NULL) {
			*eq = '\0';
			target = trim(target);
		}
		/* free text in the directory: like the live scan, a value
		 * that is not "class=alias,..." is reported and skipped */
		if (eq == NULL || target[0] == '\0' ||
		    memchr(a->value, '\0', a->value_len) != NULL) {
			spn_log(l->ctx, SPN_LOG_WARNING,
				"%s:%zu: sPNMappings value '%s' is not "
				"'class=alias,alias,...'; ignored", e->source,
				a->line, a->value);
			continue;
		}
		for (alias = eq + 1; alias != NULL; alias = next) {
			next = strchr(alias, ',');
			if (next != NULL)
				*next++ = '\0';
			alias = trim(alias);
			if (alias[0] == '\0')
				continue;
			st = spn_index_add_mapping(l->index, alias, target);
			if (st != SPN_OK)
				return spn_error(l->ctx, st,
						 "%s:%zu: cannot add the "
						 "sPNMapping %s=%s (%s)",
						 e->source, a->line, target,
						 alias, spn_status_name(st));
			l->n_mappings++;
		}
	}
	return SPN_OK;
}

/* Whether the RDN at *pos of dn has the type (and, when value is not
 * NULL, that value), both compared without regard to ASCII case; *pos
 * moves past the RDN and its ','. An escaped ',' (after an odd number of
 * '\\') does not end an RDN. */
static int rdn_is(const char *dn, size_t len, size_t *pos, const char *type,
		  size_t type_len, const char *value, size_t value_len)
{
	size_t i = *pos, start;

	while (i < len && dn[i] == ' ')
		i++;
	if (len - i <= type_len || !ldif_same_nocase(dn + i, type, type_len) ||
	    dn[i + type_len] != '=')
		return 0;
	i += type_len + 1;
	start = i;
	for (;;) {
		const char *comma = memchr(dn + i, ',', len - i);
		size_t bs = 0;

		if (comma == NULL) {
			i = len;
			break;
		}
		i = (size_t)(comma - dn);
		while (i - bs > start && dn[i - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;   /* not escaped */
		i++;
	}
	if (value != NULL &&
	    (i - start != value_len ||
	     (memcmp(dn + start, value, value_len) != 0 &&
	      !ldif_same_nocase(dn + start, value, value_len))))
		return 0;
	*pos = i < len ? i + 1 : i;
	return 1;
}

/* The parser asks before it reads an entry: without SPN_LOAD_DNS, the
 * objects of AD-integrated zones (DC=<name>,DC=<zone>,CN=MicrosoftDNS,...
 * and the zones themselves) are skipped unread. Their RDN is DC, which no
 * account class has, so no account is lost. */
static int skip_dn(const loader *l, const char *dn, size_t len)
{
	size_t pos = 0;

	if (l->what & SPN_LOAD_DNS)
		return 0;
	if (!rdn_is(dn, len, &pos, "DC", 2, NULL, 0))
		return 0;
	if (rdn_is(dn, len, &pos, "CN", 2, "MicrosoftDNS", 12))
		return 1;
	return rdn_is(dn, len, &pos, "DC", 2, NULL, 0) &&
	       rdn_is(dn, len, &pos, "CN", 2, "MicrosoftDNS", 12);
}

int ldif_skip_unwanted(const char *dn, size_t len, void *userdata)
{
	loader *l = userdata;

	if (!skip_dn(l, dn, len))
		return 0;
	l->n_entries++;
	l->n_unread++;
	return 1;
}

spn_status ldif_load_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			   void *userdata)
{
	loader *l = userdata;
	entry_facts f;
	spn_status st;

	(void)ctx;
	l->n_entries++;
	memset(&f, 0, sizeof(f));
	st = ldif_collect(l, e, &f);
	if (st != SPN_OK)
		return st;
	if (f.account.n_spns > 0 || (f.classes & (OC_COMPUTER | OC_MSA))) {
		if (!(l->what & SPN_LOAD_ACCOUNTS))
			l->n_unread++;
		else if ((st = add_account(l, e, &f)) != SPN_OK)
			return st;
	}
	if (f.classes & OC_DNS_NODE) {
		if (!(l->what & SPN_LOAD_DNS))
			l->n_unread++;
		else if ((st = add_dns_node(l, e, &f)) != SPN_OK)
			return st;
	}
	if (f.has_mappings) {
		if (!(l->what & SPN_LOAD_MAPPINGS))
			l->n_unread++;
		else
			return add_mappings(l, e);
	}
	return SPN_OK;
}

void ldif_free_loader(loader *l)
{
	free(l->spns);
	free(l->extra);
	free(l->records);
	free(l->scratch);
}

void ldif_log_summary(spn_ctx *ctx, const char *name, const loader *l)
{
	spn_log(ctx, SPN_LOG_INFO,
		"%s: %zu entries: %zu accounts with %zu SPNs, %zu DNS names "
		"with %zu records (%zu skipped), %zu sPNMappings aliases; %zu "
		"entries of parts not needed left unread", name, l->n_entries,
		l->n_accounts, l->n_spns, l->n_nodes, l->n_records,
		l->skipped_records, l->n_mappings, l->n_unread);
}

/* After a whole load: an error when it found nothing, else the summary. */
static spn_status load_found(spn_ctx *ctx, const char *name, const loader *l)
{
	if (l->n_accounts == 0 && l->n_nodes == 0 && l->n_mappings == 0 &&
	    l->n_unread == 0)
		return spn_error(ctx, SPN_E_INPUT,
				 "%s: %zu entries, but no account (an entry "
				 "with servicePrincipalName, or a computer), "
				 "no dnsNode and no sPNMappings: export those "
				 "attributes", name, l->n_entries);
	ldif_log_summary(ctx, name, l);
	return SPN_OK;
}

/* Run a one-pass parse into the index and check that it found something.
 * mapped: buf is a file mapping whose parsed pages may be dropped. */
static spn_status load_serial(spn_index *index, spn_ctx *ctx,
			      const char *name, const char *buf, size_t len,
			      int mapped, unsigned int what)
{
	loader l;
	spn_status st;

	memset(&l, 0, sizeof(l));
	l.ctx = ctx;
	l.index = index;
	l.what = what;
	if (mapped)
		st = spn_ldif_parse_mapped(ctx, name, buf, len,
					   ldif_skip_unwanted, ldif_load_entry,
					   &l);
	else
		st = spn_ldif_parse_buffer(ctx, name, buf, len,
					   ldif_skip_unwanted, ldif_load_entry,
					   &l);
	if (st == SPN_OK)
		st = load_found(ctx, name, &l);
	ldif_free_loader(&l);
	return st;
}

/* The one-pass load in parts on threads (ldif_parallel.c); *redo_out is
 * set when it did not run or met anything to say. */
static spn_status load_in_parts(spn_index *index, spn_ctx *ctx,
				const char *name, const char *buf, size_t len,
				int mapped, unsigned int what, size_t n_parts,
				int *redo_out)
{
	loader total;
	spn_status st;

	memset(&total, 0, sizeof(total));
	st = ldif_load_parallel(index, ctx, name, buf, len, mapped, what,
				n_parts, &total, redo_out);
	if (st == SPN_OK && !*redo_out)
		st = load_found(ctx, name, &total);
	return st;
}

#define LOAD_ALL (SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS | SPN_LOAD_MAPPINGS)
#define LOAD_BITS (LOAD_ALL | SPN_LOAD_SHARED_ONLY)

/* buf is NULL for the file name. */
/* Whether the file at name was written to in place since before was
 * taken. A file replaced by another (a new inode) is not: the mapping still
 * reads the old one. */
static int changed_in_place(const char *name, const struct stat *before)
{
	struct stat now;

	if (stat(name, &now) != 0 || now.st_dev != before->st_dev ||
	    now.st_ino != before->st_ino)
		return 0;
	return now.st_size != before->st_size ||
	       now.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != before->st_mtim.tv_nsec;
}

static spn_status load(spn_index *index, spn_ctx *ctx, const char *name,
		       const char *buf, size_t len, unsigned int what,
		       size_t n_parts)
{
	const char *map = NULL;
	size_t map_len = 0;
	struct stat before;
	int mapped = buf == NULL, redo = 1, have_before = 0;
	spn_status st = SPN_OK;

	if (mapped) {
		have_before = stat(name, &before) == 0;
		st = spn_ldif_map_file(ctx, name, &map, &map_len);
		if (st != SPN_OK)
			return st;
		buf = map;
		len = map_len;
	}
	/* Only the dup check's accounts are asked for, into an empty index
	 * (the first pass sees only this source's SPNs): two passes. */
	if (what == (SPN_LOAD_ACCOUNTS | SPN_LOAD_SHARED_ONLY) &&
	    spn_index_account_count(index) == 0) {
		st = ldif_load_shared(index, ctx, name, buf, len, mapped,
				      n_parts, &redo);
		/* the second pass read again what the first one chose */
		if (!redo && st == SPN_OK && have_before &&
		    changed_in_place(name, &before))
			st = spn_error(ctx, SPN_E_INPUT,
				       "%s: the file was written to while it "
				       "was read: read it again once the "
				       "export is complete", name);
	} else if (!(what & SPN_LOAD_SHARED_ONLY)) {
		if (n_parts == 0)
			n_parts = spn_ldif_part_count(len);
		if (n_parts > 1)
			st = load_in_parts(index, ctx, name, buf, len, mapped,
					   what & LOAD_ALL, n_parts, &redo);
	}
	if (redo)
		st = load_serial(index, ctx, name, buf, len, mapped,
				 what & LOAD_ALL);
	spn_ldif_unmap(map, map_len);
	return st;
}

spn_status spn_index_load_ldif_parts(spn_index *index, spn_ctx *ctx,
				     const char *name, const char *buf,
				     size_t len, unsigned int what,
				     size_t n_parts)
{
	if (index == NULL || name == NULL || buf == NULL ||
	    (what & LOAD_ALL) == 0 || (what & ~LOAD_BITS) != 0)
		return spn_error(ctx, SPN_E_USAGE,
				 "spn_index_load_ldif_buffer needs an index, a "
				 "name, a buffer and SPN_LOAD_* bits");
	return load(index, ctx, name, buf, len, what, n_parts);
}

spn_status spn_index_load_ldif_buffer(spn_index *index, spn_ctx *ctx,
				      const char *name, const char *buf,
				      size_t len, unsigned int what)
{
	return spn_index_load_ldif_parts(index, ctx, name, buf, len, what, 0);
}

SPN_EXPORT spn_status spn_index_load_ldif(spn_index *index, spn_ctx *ctx,
					  const char *path, unsigned int what)
{
	if (index == NULL || path == NULL || (what & LOAD_ALL) == 0 ||
	    (what & ~LOAD_BITS) != 0)
		return spn_error(ctx, SPN_E_USAGE,
				 "spn_index_load_ldif needs an index, a path "
				 "and SPN_LOAD_* bits");
	return load(index, ctx, path, NULL, 0, what, 0);
}
