/* creds.h - which Kerberos credentials a context uses. */
#ifndef SPN_CREDS_H
#define SPN_CREDS_H

#include <krb5.h>
#include "context_impl.h"

/* Open a krb5 context for this spn_ctx (libkrb5 trace fed to the log at
 * SPN_LOG_DEBUG) and the ccache to use: the default ccache, or, when the
 * context has a keytab, a private MEMORY: ccache obtained from the keytab on
 * first use and shared by every krb5 context opened later (one per thread is
 * fine). Both outputs belong to the caller (krb5_cc_close, krb5_free_context).
 * Fails with SPN_E_KERBEROS and the library's own words, e.g. no ccache. */
spn_status spn_creds_open(spn_ctx *ctx, krb5_context *kctx_out,
			  krb5_ccache *ccache_out);

/* Destroy the context's private MEMORY: ccache, if it has one, and forget
 * its name (MIT krb5 keeps a memory ccache until it is destroyed, so a
 * context that is freed without this leaves its tickets in the process).
 * For spn_ctx_unref and spn_ctx_set_keytab. */
void spn_creds_destroy(spn_ctx *ctx);

/* The client principal of that ccache, as text (caller frees with free). */
spn_status spn_creds_principal(spn_ctx *ctx, krb5_context kctx,
			       krb5_ccache ccache, char **principal_out);

/* A ticket time as "YYYY-MM-DD HH:MM:SS UTC" in buf (the raw number when it
 * cannot be formatted). */
void spn_creds_time_text(krb5_timestamp ts, char *buf, size_t size);

#endif
