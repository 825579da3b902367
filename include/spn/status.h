/* spn/status.h - result codes shared by every libspn call. */
#ifndef SPN_STATUS_H
#define SPN_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* 0 is success; every failure is a negative category. The details (the
 * server's own words and raw codes) are kept on the spn_ctx. */
typedef enum spn_status {
	SPN_OK = 0,
	SPN_E_USAGE = -1,      /* caller passed something impossible */
	SPN_E_INPUT = -2,      /* bad input data: a file, a target, an SPN */
	SPN_E_CONFIG = -3,     /* krb5 configuration, no domain, no keytab */
	SPN_E_DNS = -4,        /* resolver failure, no DC found */
	SPN_E_DIRECTORY = -5,  /* LDAP: connect, bind, search, paging */
	SPN_E_KERBEROS = -6,   /* libkrb5 / GSSAPI */
	SPN_E_NOMEM = -7,
	SPN_E_IO = -8,         /* reading or writing a local file */
} spn_status;

/* Short lower-case name of a category ("directory", "dns", ...). */
const char *spn_status_name(spn_status status);

#ifdef __cplusplus
}
#endif

#endif
