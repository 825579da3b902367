/* context_impl.h - what libspn's own files know about a spn_ctx. */
#ifndef SPN_CONTEXT_IMPL_H
#define SPN_CONTEXT_IMPL_H

#include <spn/context.h>

#ifdef _WIN32
/* Windows: a static library linked into krbprobe.exe (nothing to export);
 * printf is mingw-w64's C99 one (_GNU_SOURCE), so formats are gnu_printf. */
#define SPN_EXPORT
#define SPN_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#else
#define SPN_EXPORT __attribute__((visibility("default")))
#define SPN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#endif

struct spn_ctx {
	int refs;
	spn_log_level log_level;
	spn_log_fn log_fn;
	void *log_userdata;

	char *domain;
	char *uri;
	char *keytab;
	char *principal;
	int page_size;

	char *ccache_name;     /* private MEMORY: ccache once obtained */

	char error[1024];
	spn_status error_status;
	int error_ldap;
	long error_krb5;
	int error_resolver;
};

/* Send one message to the log callback when level is enabled. */
void spn_log(spn_ctx *ctx, spn_log_level level, const char *fmt, ...)
	SPN_PRINTF(3, 4);
int spn_log_enabled(const spn_ctx *ctx, spn_log_level level);

/* Record the last error (clearing the raw codes) and return status, so
 * that callers can write `return spn_error(ctx, SPN_E_INPUT, "...")`. */
spn_status spn_error(spn_ctx *ctx, spn_status status, const char *fmt, ...)
	SPN_PRINTF(3, 4);
/* Attach raw codes to the error just recorded. */
void spn_error_set_ldap(spn_ctx *ctx, int code);
void spn_error_set_krb5(spn_ctx *ctx, long code);
void spn_error_set_resolver(spn_ctx *ctx, int code);

/* Replace the domain once discovered (lower-cased copy). */
spn_status spn_ctx_store_domain(spn_ctx *ctx, const char *domain);

#endif
