/* dir_dns.c - dnsNode objects of the AD-integrated DNS zones, decoded. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "search.h"

struct dns_walk {
	spn_dns_node_fn fn;
	void *userdata;
	unsigned long nodes;
	unsigned long skipped_records;
};

/* Lower-cased copy of a DN value without a trailing dot. */
static char *dns_name(const struct berval *bv)
{
	size_t len = bv->bv_len, i;
	char *out;

	if (len > 0 && bv->bv_val[len - 1] == '.')
		len--;
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)bv->bv_val[i]);
	out[len] = '\0';
	return out;
}

static int rdn_is(LDAPRDN rdn, const char *type, const char *value)
{
	LDAPAVA *ava = rdn != NULL ? rdn[0] : NULL;

	return ava != NULL && ava->la_attr.bv_len == strlen(type) &&
	       strncasecmp(ava->la_attr.bv_val, type, ava->la_attr.bv_len) == 0 &&
	       (value == NULL || (ava->la_value.bv_len == strlen(value) &&
				  strncasecmp(ava->la_value.bv_val, value,
					      ava->la_value.bv_len) == 0));
}

/* From "DC=<node>,DC=<zone>,CN=MicrosoftDNS,...": the zone and the FQDN.
 * Returns 0 and leaves both NULL for nodes that are not names in a zone
 * (the root hints, the internal zones whose names start with "..", an
 * unexpected shape). */
static spn_status node_names(spn_dir *dir, const char *dn, char **zone_out,
			     char **fqdn_out)
{
	spn_status st = SPN_OK;
	LDAPDN parsed = NULL;
	char *node = NULL, *zone = NULL, *fqdn = NULL;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    parsed == NULL || parsed[0] == NULL || parsed[1] == NULL ||
	    parsed[2] == NULL || !rdn_is(parsed[0], "DC", NULL) ||
	    !rdn_is(parsed[1], "DC", NULL) ||
	    !rdn_is(parsed[2], "CN", "MicrosoftDNS")) {
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"dnsNode %s is not DC=<name>,DC=<zone>,CN=MicrosoftDNS,...; skipped",
			dn);
		goto cleanup;
	}
	node = dns_name(&parsed[0][0]->la_value);
	zone = dns_name(&parsed[1][0]->la_value);
	if (node == NULL || zone == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	if (strcmp(zone, "rootdnsservers") == 0 || strncmp(zone, "..", 2) == 0) {
		spn_log(dir->ctx, SPN_LOG_DEBUG, "dnsNode %s: internal zone; skipped",
			dn);
		goto cleanup;
	}
	if (strcmp(node, "@") == 0 || node[0] == '\0')
		fqdn = strdup(zone);
	else if (asprintf(&fqdn, "%s.%s", node, zone) < 0)
		fqdn = NULL;
	if (fqdn == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	*zone_out = zone;
	*fqdn_out = fqdn;
	zone = NULL;
cleanup:
	free(node);
	free(zone);
	ldap_dnfree(parsed);
	return st;
}

static spn_status dns_entry(spn_dir *dir, LDAPMessage *entry, void *userdata)
{
	struct dns_walk *walk = userdata;
	spn_status st = SPN_OK;
	spn_values blobs = { NULL, 0 };
	spn_dns_record *records = NULL;
	spn_dns_node node;
	struct berval **tomb = NULL;
	char *dn, *zone = NULL, *fqdn = NULL;
	size_t i, n = 0;

	dn = ldap_get_dn(dir->ld, entry);
	if (dn == NULL)
		return spn_error(dir->ctx, SPN_E_DIRECTORY,
				 "%s sent an entry without a DN", dir->server);
	st = node_names(dir, dn, &zone, &fqdn);
	if (st != SPN_OK || fqdn == NULL)
		goto cleanup;
	st = spn_search_values(dir, entry, dn, "dnsRecord", &blobs);
	if (st != SPN_OK)
		goto cleanup;
	records = calloc(blobs.n > 0 ? blobs.n : 1, sizeof(*records));
	if (records == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	for (i = 0; i < blobs.n; i++) {
		if (spn_dns_record_decode((const unsigned char *)blobs.v[i].bv_val,
					  blobs.v[i].bv_len, &records[n]) ==
		    SPN_OK) {
			n++;
			continue;
		}
		walk->skipped_records++;
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"dnsRecord value %zu of %s (%s, %lu bytes) does not decode; skipped",
			i + 1, fqdn, dn, (unsigned long)blobs.v[i].bv_len);
	}
	memset(&node, 0, sizeof(node));
	node.fqdn = fqdn;
	node.zone = zone;
	node.records = records;
	node.n_records = n;
	tomb = ldap_get_values_len(dir->ld, entry, "dNSTombstoned");
	node.tombstoned = tomb != NULL && tomb[0] != NULL &&
			  tomb[0]->bv_len == 4 &&
			  strncasecmp(tomb[0]->bv_val, "TRUE", 4) == 0;
	walk->nodes++;
	st = walk->fn(&node, walk->userdata);
cleanup:
	ldap_value_free_len(tomb);
	free(records);
	spn_values_clear(&blobs);
	free(zone);
	free(fqdn);
	ldap_memfree(dn);
	return st;
}

SPN_EXPORT spn_status spn_dir_scan_dns(spn_dir *dir, spn_dns_node_fn fn,
				       void *userdata)
{
	struct dns_walk walk = { fn, userdata, 0, 0 };
	char *attrs[] = { "dnsRecord", "dNSTombstoned", NULL };
	char *bases[3] = { NULL, NULL, NULL };
	spn_status st = SPN_OK;
	int i, present = 0;

	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	if (asprintf(&bases[0], "CN=MicrosoftDNS,DC=DomainDnsZones,%s",
		     dir->base_dn) < 0)
		bases[0] = NULL;
	if (asprintf(&bases[1], "CN=MicrosoftDNS,DC=ForestDnsZones,%s",
		     dir->root_dn) < 0)
		bases[1] = NULL;
	if (asprintf(&bases[2], "CN=MicrosoftDNS,CN=System,%s",
		     dir->base_dn) < 0)
		bases[2] = NULL;
	if (bases[0] == NULL || bases[1] == NULL || bases[2] == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	for (i = 0; i < 3; i++) {
		int missing = 0;

		st = spn_search_paged(dir, "DNS scan", bases[i],
				      LDAP_SCOPE_SUBTREE, "(objectClass=dnsNode)",
				      attrs, dns_entry, &walk, &missing);
		if (st != SPN_OK)
			goto cleanup;
		if (!missing)
			present++;
	}
	if (present == 0)
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s holds none of the AD-integrated DNS containers%s",
			dir->server, dir->scope == SPN_SCOPE_FOREST ?
			" (a global catalog need not hold the DNS partitions)" :
			"");
	spn_log(dir->ctx, SPN_LOG_INFO,
		"DNS scan: %lu names from %d containers, %lu records skipped",
		walk.nodes, present, walk.skipped_records);
cleanup:
	for (i = 0; i < 3; i++)
		free(bases[i]);
	return st;
}
