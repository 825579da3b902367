/* spn/index.h - what the checks read: accounts, SPNs by normalised key,
 * DNS names, sPNMappings. Filled by a source; compact and append-only. */
#ifndef SPN_INDEX_H
#define SPN_INDEX_H

#include <stddef.h>
#include <spn/status.h>
#include <spn/context.h>
#include <spn/account.h>
#include <spn/dns.h>
#include <spn/directory.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct spn_index spn_index;

spn_status spn_index_new(spn_index **index_out);
void spn_index_free(spn_index *index);

/* Copy what the checks need from one account. */
spn_status spn_index_add_account(spn_index *index, const spn_account *account);
/* Copy one DNS name with its records. */
spn_status spn_index_add_dns_node(spn_index *index, const spn_dns_node *node);
/* One sPNMappings pair: alias service class ("cifs") -> "host". */
spn_status spn_index_add_mapping(spn_index *index, const char *alias,
				 const char *target);

/* The accounts and SPNs the source read: those kept in the index and
 * those SPN_LOAD_SHARED_ONLY passed over (checked and counted, not kept). */
size_t spn_index_account_count(const spn_index *index);
size_t spn_index_spn_count(const spn_index *index);
size_t spn_index_dns_node_count(const spn_index *index);

/* What spn_index_load_dir and spn_index_load_ldif read. */
#define SPN_LOAD_ACCOUNTS 0x1u
#define SPN_LOAD_DNS 0x2u
#define SPN_LOAD_MAPPINGS 0x4u
/* With SPN_LOAD_ACCOUNTS, keep only the SPN values whose key (spn_key:
 * AD's case-insensitive comparison) another SPN value in the source also
 * has, and the accounts that hold them, each with just those values: all
 * the dup check reads. The other accounts and values are still read,
 * checked and counted, but not kept. spn_index_load_ldif honours it
 * when accounts are the only part asked for and the index is still empty
 * (otherwise it keeps every account); spn_index_load_dir keeps every
 * account (a live scan streams each entry once). */
#define SPN_LOAD_SHARED_ONLY 0x8u

/* Fill the index from a live directory (one streamed scan per part). */
spn_status spn_index_load_dir(spn_index *index, spn_dir *dir,
			      unsigned int what);

/* Fill the index from an LDIF export (ldapsearch or ldifde output): the
 * parts in what (SPN_LOAD_* bits) of what the file holds: accounts,
 * dnsNode objects, the sPNMappings object. Without SPN_LOAD_DNS the
 * entries of AD-integrated zones are skipped unread. */
spn_status spn_index_load_ldif(spn_index *index, spn_ctx *ctx,
			       const char *path, unsigned int what);

#ifdef __cplusplus
}
#endif

#endif
