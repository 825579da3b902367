/* spn/account.h - one directory account as a source (LDAP or LDIF) saw it. */
#ifndef SPN_ACCOUNT_H
#define SPN_ACCOUNT_H

#include <stddef.h>
#include <spn/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum spn_account_kind {
	SPN_ACCOUNT_USER = 0,
	SPN_ACCOUNT_COMPUTER,   /* objectClass computer (not an MSA) */
	SPN_ACCOUNT_MSA,        /* msDS-GroupManagedServiceAccount or
				   msDS-ManagedServiceAccount */
	SPN_ACCOUNT_OTHER,
} spn_account_kind;

/* userAccountControl bits the checks read. */
#define SPN_UAC_ACCOUNTDISABLE 0x0002u
#define SPN_UAC_WORKSTATION_TRUST 0x1000u
#define SPN_UAC_SERVER_TRUST 0x2000u
#define SPN_UAC_USE_DES_KEY_ONLY 0x200000u

/* msDS-SupportedEncryptionTypes bits. */
#define SPN_ETYPE_DES_CBC_CRC 0x01u
#define SPN_ETYPE_DES_CBC_MD5 0x02u
#define SPN_ETYPE_RC4_HMAC 0x04u
#define SPN_ETYPE_AES128 0x08u
#define SPN_ETYPE_AES256 0x10u

/* A view, valid only for the duration of the callback that receives it.
 * Strings are UTF-8 as the directory stored them (not validated). */
typedef struct spn_account {
	const char *dn;
	const char *sam;               /* sAMAccountName, or NULL */
	spn_account_kind kind;
	unsigned int uac;              /* userAccountControl */
	int has_uac;
	const char *dns_host_name;     /* dNSHostName, or NULL */
	const char *const *additional_dns; /* msDS-AdditionalDnsHostName */
	size_t n_additional_dns;
	const char *const *spns;       /* servicePrincipalName, every value */
	size_t n_spns;
	unsigned int enc_types;        /* msDS-SupportedEncryptionTypes */
	int has_enc_types;
} spn_account;

/* Receives one account. Return SPN_OK to go on; anything else stops the
 * scan and is returned by it. */
typedef spn_status (*spn_account_fn)(const spn_account *account,
				     void *userdata);

const char *spn_account_kind_name(spn_account_kind kind);

#ifdef __cplusplus
}
#endif

#endif
