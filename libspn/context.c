/* context.c - the library context: settings, logging, the last error. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"
#ifndef _WIN32
#include "creds.h"   /* the Windows build has no libkrb5 and no ccache */
#endif

#define DEFAULT_PAGE_SIZE 1000

SPN_EXPORT spn_status spn_ctx_new(spn_ctx **ctx_out)
{
	spn_ctx *ctx;

	if (ctx_out == NULL)
		return SPN_E_USAGE;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return SPN_E_NOMEM;
	ctx->refs = 1;
	ctx->log_level = SPN_LOG_ERROR;
	ctx->page_size = DEFAULT_PAGE_SIZE;
	*ctx_out = ctx;
	return SPN_OK;
}

SPN_EXPORT spn_ctx *spn_ctx_ref(spn_ctx *ctx)
{
	if (ctx != NULL)
		ctx->refs++;
	return ctx;
}

SPN_EXPORT void spn_ctx_unref(spn_ctx *ctx)
{
	if (ctx == NULL || --ctx->refs > 0)
		return;
#ifndef _WIN32
	spn_creds_destroy(ctx);   /* the private memory ccache, if any */
#endif
	free(ctx->domain);
	free(ctx->uri);
	free(ctx->keytab);
	free(ctx->principal);
	free(ctx->ccache_name);
	free(ctx);
}

SPN_EXPORT void spn_ctx_set_log(spn_ctx *ctx, spn_log_level max_level,
				spn_log_fn fn, void *userdata)
{
	if (ctx == NULL)
		return;
	ctx->log_level = max_level;
	ctx->log_fn = fn;
	ctx->log_userdata = userdata;
}

static spn_status replace_string(char **slot, const char *value)
{
	char *copy = NULL;

	if (value != NULL) {
		copy = strdup(value);
		if (copy == NULL)
			return SPN_E_NOMEM;
	}
	free(*slot);
	*slot = copy;
	return SPN_OK;
}

spn_status spn_ctx_store_domain(spn_ctx *ctx, const char *domain)
{
	spn_status st;
	char *p;
	size_t len;

	st = replace_string(&ctx->domain, domain);
	if (st != SPN_OK || ctx->domain == NULL)
		return st;
	for (p = ctx->domain; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	len = strlen(ctx->domain);
	if (len > 0 && ctx->domain[len - 1] == '.')
		ctx->domain[len - 1] = '\0';
	return SPN_OK;
}

SPN_EXPORT spn_status spn_ctx_set_domain(spn_ctx *ctx, const char *domain)
{
	if (ctx == NULL)
		return SPN_E_USAGE;
	if (domain != NULL && (domain[0] == '\0' || strchr(domain, '/') != NULL))
		return spn_error(ctx, SPN_E_USAGE, "domain '%s' is not a DNS name",
				 domain);
	return spn_ctx_store_domain(ctx, domain);
}

SPN_EXPORT spn_status spn_ctx_set_uri(spn_ctx *ctx, const char *uri)
{
	if (ctx == NULL)
		return SPN_E_USAGE;
	if (uri != NULL && strncmp(uri, "ldap://", 7) != 0 &&
	    strncmp(uri, "ldaps://", 8) != 0)
		return spn_error(ctx, SPN_E_USAGE,
				 "URI '%s' must start with ldap:// or ldaps://",
				 uri);
	return replace_string(&ctx->uri, uri);
}

SPN_EXPORT spn_status spn_ctx_set_keytab(spn_ctx *ctx, const char *keytab,
					 const char *principal)
{
	spn_status st;

	if (ctx == NULL)
		return SPN_E_USAGE;
	st = replace_string(&ctx->keytab, keytab);
	if (st != SPN_OK)
		return st;
	return replace_string(&ctx->principal, principal);
}

SPN_EXPORT spn_status spn_ctx_set_page_size(spn_ctx *ctx, int page_size)
{
	if (ctx == NULL)
		return SPN_E_USAGE;
	if (page_size < 1 || page_size > 100000)
		return spn_error(ctx, SPN_E_USAGE,
				 "page size %d is outside 1..100000", page_size);
	ctx->page_size = page_size;
	return SPN_OK;
}

SPN_EXPORT const char *spn_ctx_get_domain(const spn_ctx *ctx)
{
	return ctx != NULL ? ctx->domain : NULL;
}

int spn_log_enabled(const spn_ctx *ctx, spn_log_level level)
{
	return ctx != NULL && ctx->log_fn != NULL && level <= ctx->log_level;
}

void spn_log(spn_ctx *ctx, spn_log_level level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (!spn_log_enabled(ctx, level))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->log_fn(level, buf, ctx->log_userdata);
}

spn_status spn_error(spn_ctx *ctx, spn_status status, const char *fmt, ...)
{
	va_list ap;

	if (ctx == NULL)
		return status;
	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	ctx->error_status = status;
	ctx->error_ldap = 0;
	ctx->error_krb5 = 0;
	ctx->error_resolver = 0;
	spn_log(ctx, SPN_LOG_DEBUG, "error (%s): %s", spn_status_name(status),
		ctx->error);
	return status;
}

void spn_error_set_ldap(spn_ctx *ctx, int code)
{
	if (ctx != NULL)
		ctx->error_ldap = code;
}

void spn_error_set_krb5(spn_ctx *ctx, long code)
{
	if (ctx != NULL)
		ctx->error_krb5 = code;
}

void spn_error_set_resolver(spn_ctx *ctx, int code)
{
	if (ctx != NULL)
		ctx->error_resolver = code;
}

SPN_EXPORT const char *spn_ctx_error(const spn_ctx *ctx)
{
	if (ctx == NULL || ctx->error_status == SPN_OK)
		return "no error";
	return ctx->error;
}

SPN_EXPORT spn_status spn_ctx_error_status(const spn_ctx *ctx)
{
	return ctx != NULL ? ctx->error_status : SPN_E_USAGE;
}

SPN_EXPORT int spn_ctx_error_ldap(const spn_ctx *ctx)
{
	return ctx != NULL ? ctx->error_ldap : 0;
}

SPN_EXPORT long spn_ctx_error_krb5(const spn_ctx *ctx)
{
	return ctx != NULL ? ctx->error_krb5 : 0;
}

SPN_EXPORT int spn_ctx_error_resolver(const spn_ctx *ctx)
{
	return ctx != NULL ? ctx->error_resolver : 0;
}

SPN_EXPORT void spn_ctx_clear_error(spn_ctx *ctx)
{
	if (ctx == NULL)
		return;
	ctx->error[0] = '\0';
	ctx->error_status = SPN_OK;
	ctx->error_ldap = 0;
	ctx->error_krb5 = 0;
	ctx->error_resolver = 0;
}
