/* spn/context.h - the library context: settings, credentials, last error. */
#ifndef SPN_CONTEXT_H
#define SPN_CONTEXT_H

#include <stdarg.h>
#include <spn/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct spn_ctx spn_ctx;

typedef enum spn_log_level {
	SPN_LOG_ERROR = 0,
	SPN_LOG_WARNING = 1,
	SPN_LOG_INFO = 2,   /* -v: discovery, bind, paging decisions */
	SPN_LOG_DEBUG = 3,  /* -vv: every request, libkrb5 trace */
} spn_log_level;

typedef void (*spn_log_fn)(spn_log_level level, const char *message,
			   void *userdata);

spn_status spn_ctx_new(spn_ctx **ctx_out);
spn_ctx *spn_ctx_ref(spn_ctx *ctx);
void spn_ctx_unref(spn_ctx *ctx);

/* Messages up to and including max_level go to fn; the library never prints. */
void spn_ctx_set_log(spn_ctx *ctx, spn_log_level max_level, spn_log_fn fn,
		     void *userdata);

/* DNS domain to work on (default: the krb5 default realm, lower case). */
spn_status spn_ctx_set_domain(spn_ctx *ctx, const char *domain);
/* Use this LDAP URI (ldap://host[:port] or ldaps://...) instead of SRV
 * discovery. */
spn_status spn_ctx_set_uri(spn_ctx *ctx, const char *uri);
/* Obtain credentials from a keytab into a private memory ccache instead of
 * using the default ccache. principal may be NULL: the keytab's first entry. */
spn_status spn_ctx_set_keytab(spn_ctx *ctx, const char *keytab,
			      const char *principal);
/* LDAP page size (default 1000). */
spn_status spn_ctx_set_page_size(spn_ctx *ctx, int page_size);

const char *spn_ctx_get_domain(const spn_ctx *ctx);  /* NULL until known */

/* The last error: one line, with the server's own words where there were any. */
const char *spn_ctx_error(const spn_ctx *ctx);
spn_status spn_ctx_error_status(const spn_ctx *ctx);
int spn_ctx_error_ldap(const spn_ctx *ctx);      /* LDAP result code or 0 */
long spn_ctx_error_krb5(const spn_ctx *ctx);     /* krb5_error_code or 0 */
int spn_ctx_error_resolver(const spn_ctx *ctx);  /* h_errno-style or 0 */
void spn_ctx_clear_error(spn_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
