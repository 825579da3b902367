/* dir_mappings.c - sPNMappings: which service classes HOST/ stands in for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

struct mapping_walk {
	spn_mapping_fn fn;
	void *userdata;
	unsigned long values;
	unsigned long pairs;
};

/* Copy [start, start+len) without surrounding spaces; NULL on no memory. */
static char *trimmed(const char *start, size_t len)
{
	while (len > 0 && (*start == ' ' || *start == '\t')) {
		start++;
		len--;
	}
	while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
		len--;
	return strndup(start, len);
}

/* One value "host=alerter,http,cifs": fn(alias, target) for each alias. */
static spn_status one_value(spn_dir *dir, const char *dn, const char *value,
			    struct mapping_walk *walk)
{
	spn_status st = SPN_OK;
	const char *eq = strchr(value, '='), *p;
	char *target = NULL, *alias = NULL;

	if (eq == NULL) {
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s: sPNMappings value '%s' has no '='; ignored", dn,
			value);
		return SPN_OK;
	}
	target = trimmed(value, (size_t)(eq - value));
	if (target == NULL)
		return SPN_E_NOMEM;
	if (target[0] == '\0') {
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s: sPNMappings value '%s' names no service class before '='; ignored",
			dn, value);
		goto cleanup;
	}
	for (p = eq + 1; ; ) {
		size_t len = strcspn(p, ",");

		alias = trimmed(p, len);
		if (alias == NULL) {
			st = SPN_E_NOMEM;
			goto cleanup;
		}
		if (alias[0] != '\0') {
			walk->pairs++;
			st = walk->fn(alias, target, walk->userdata);
			if (st != SPN_OK)
				goto cleanup;
		}
		free(alias);
		alias = NULL;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
cleanup:
	free(alias);
	free(target);
	return st;
}

static spn_status mapping_entry(spn_dir *dir, LDAPMessage *entry,
				void *userdata)
{
	struct mapping_walk *walk = userdata;
	spn_values values = { NULL, 0 };
	spn_status st;
	char *dn;
	size_t i;

	dn = ldap_get_dn(dir->ld, entry);
	if (dn == NULL)
		return spn_error(dir->ctx, SPN_E_DIRECTORY,
				 "%s sent an entry without a DN", dir->server);
	st = spn_search_values(dir, entry, dn, "sPNMappings", &values);
	for (i = 0; st == SPN_OK && i < values.n; i++) {
		walk->values++;
		st = one_value(dir, dn, values.v[i].bv_val, walk);
	}
	spn_values_clear(&values);
	ldap_memfree(dn);
	return st;
}

SPN_EXPORT spn_status spn_dir_spn_mappings(spn_dir *dir, spn_mapping_fn fn,
					   void *userdata)
{
	struct mapping_walk walk = { fn, userdata, 0, 0 };
	char *attrs[] = { "sPNMappings", NULL };
	char *base = NULL;
	spn_status st;

	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	if (asprintf(&base,
		     "CN=Directory Service,CN=Windows NT,CN=Services,%s",
		     dir->config_dn) < 0)
		return SPN_E_NOMEM;
	st = spn_search_paged(dir, "sPNMappings", base, LDAP_SCOPE_BASE,
			      "(objectClass=*)", attrs, mapping_entry, &walk,
			      NULL);
	if (st == SPN_OK && walk.values == 0)
		spn_log(dir->ctx, SPN_LOG_WARNING,
			"%s has no sPNMappings: HOST/ stands in for no other service class",
			base);
	if (st == SPN_OK)
		spn_log(dir->ctx, SPN_LOG_INFO,
			"sPNMappings: %lu service classes map to another in %lu values",
			walk.pairs, walk.values);
	free(base);
	return st;
}
