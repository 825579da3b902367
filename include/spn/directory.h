/* spn/directory.h - a GSSAPI-bound LDAP session to a DC or a GC. */
#ifndef SPN_DIRECTORY_H
#define SPN_DIRECTORY_H

#include <spn/status.h>
#include <spn/context.h>
#include <spn/account.h>
#include <spn/dns.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct spn_dir spn_dir;

typedef enum spn_dir_scope {
	SPN_SCOPE_DOMAIN = 0,  /* a DC of the context's domain, port 389 */
	SPN_SCOPE_FOREST,      /* a global catalog of the forest, port 3268 */
} spn_dir_scope;

/* Find a DC (or GC) by DNS SRV in RFC 2782 order, trying the next on
 * failure, unless the context has a URI; bind with SASL GSSAPI (NOCANON,
 * referrals off, SSF >= 1 on ldap://); read the RootDSE. */
spn_status spn_dir_open(spn_ctx *ctx, spn_dir_scope scope, spn_dir **dir_out);
void spn_dir_close(spn_dir *dir);

const char *spn_dir_server(const spn_dir *dir);  /* host name bound to */
const char *spn_dir_uri(const spn_dir *dir);
const char *spn_dir_domain(const spn_dir *dir);  /* DNS domain, lower case */
const char *spn_dir_base_dn(const spn_dir *dir); /* defaultNamingContext */
const char *spn_dir_config_dn(const spn_dir *dir);
const char *spn_dir_root_dn(const spn_dir *dir); /* rootDomainNamingContext */
spn_dir_scope spn_dir_get_scope(const spn_dir *dir);
int spn_dir_ssf(const spn_dir *dir);

/* Stream every account that holds an SPN or is a computer, page by page
 * (memory does not grow with the result). In forest scope the search covers
 * every domain the GC holds. A scan that does not finish returns an error:
 * the callback may already have seen some accounts. */
spn_status spn_dir_scan_accounts(spn_dir *dir, spn_account_fn fn,
				 void *userdata);

/* Accounts holding this exact SPN (case-insensitive as AD compares). */
spn_status spn_dir_find_spn(spn_dir *dir, const char *spn, spn_account_fn fn,
			    void *userdata);

/* Accounts with an SPN matching a setspn -Q style pattern: '*' wildcards are
 * allowed after a non-empty literal prefix (no leading wildcard). */
spn_status spn_dir_query(spn_dir *dir, const char *pattern, spn_account_fn fn,
			 void *userdata);

/* One account named by sAMAccountName (with or without the trailing '$' of
 * a computer), by DN, or by dNSHostName. No match is SPN_E_INPUT. */
spn_status spn_dir_find_account(spn_dir *dir, const char *name,
				spn_account_fn fn, void *userdata);

/* sPNMappings from CN=Directory Service,CN=Windows NT,CN=Services,<config>:
 * each value "host=alerter,http,cifs,...". fn gets (alias, service class). */
typedef spn_status (*spn_mapping_fn)(const char *alias, const char *target,
				     void *userdata);
spn_status spn_dir_spn_mappings(spn_dir *dir, spn_mapping_fn fn,
				void *userdata);

/* Every dnsNode in DomainDnsZones, ForestDnsZones and the legacy
 * CN=MicrosoftDNS,CN=System container, decoded. */
spn_status spn_dir_scan_dns(spn_dir *dir, spn_dns_node_fn fn, void *userdata);

#ifdef __cplusplus
}
#endif

#endif
