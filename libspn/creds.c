/* creds.c - a context's Kerberos credentials: default or keytab ccache. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "creds.h"

/* A memory ccache's TGT that ends within this many seconds is renewed. */
#define TGT_MARGIN 60

/* Serialises creating and refreshing contexts' memory ccaches, so threads
 * that open credentials at once share one ccache and one AS exchange. */
static pthread_mutex_t memory_ccache_lock = PTHREAD_MUTEX_INITIALIZER;

static int is_hex_upper(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* libkrb5 traces a key as "<enctype>/<4 hex digits>": the start of a hash
 * of the key (MIT 1.20: "AS key obtained for encrypted timestamp:
 * aes256-cts/5D8C"). For an RC4 key, the unsalted MD4 of the password,
 * those 16 bits help test password guesses offline, so in a log that may
 * be kept or mailed the four digits become four asterisks. */
static void hide_key_hashes(char *line)
{
	char *p, *start, token[64];
	krb5_enctype etype;
	size_t tlen;

	for (p = strchr(line, '/'); p != NULL; p = strchr(p + 1, '/')) {
		if (!is_hex_upper(p[1]) || !is_hex_upper(p[2]) ||
		    !is_hex_upper(p[3]) || !is_hex_upper(p[4]) ||
		    isalnum((unsigned char)p[5]))
			continue;
		for (start = p; start > line && (isalnum((unsigned char)start[-1]) ||
						  start[-1] == '-' || start[-1] == ':');)
			start--;
		tlen = (size_t)(p - start);
		if (tlen == 0 || tlen >= sizeof(token))
			continue;
		memcpy(token, start, tlen);
		token[tlen] = '\0';
		if (strncmp(token, "DEPRECATED:", 11) == 0)
			memmove(token, token + 11, tlen - 10);
		if (krb5_string_to_enctype(token, &etype) != 0 &&
		    strspn(token, "0123456789") != strlen(token))
			continue;
		memcpy(p + 1, "****", 4);
	}
}

static void trace_to_log(krb5_context kctx, const krb5_trace_info *info,
			 void *data)
{
	char line[2048];
	size_t len;

	(void)kctx;
	if (info == NULL || info->message == NULL)
		return;
	snprintf(line, sizeof(line), "krb5: %s", info->message);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	hide_key_hashes(line);
	spn_log(data, SPN_LOG_DEBUG, "%s", line);
}

/* Record a libkrb5 failure: "<what>: <libkrb5's words>". */
static spn_status krb5_fail(spn_ctx *ctx, krb5_context kctx,
			    krb5_error_code code, spn_status status,
			    const char *fmt, ...) SPN_PRINTF(5, 6);

static spn_status krb5_fail(spn_ctx *ctx, krb5_context kctx,
			    krb5_error_code code, spn_status status,
			    const char *fmt, ...)
{
	char what[512];
	const char *msg;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	msg = krb5_get_error_message(kctx, code);
	spn_error(ctx, status, "%s: %s", what, msg);
	krb5_free_error_message(kctx, msg);
	spn_error_set_krb5(ctx, code);
	return status;
}

/* The end time of the client's TGT in ccache: 1 and *end when there is one,
 * 0 when the ccache holds no TGT for the client's realm. */
static int tgt_end(krb5_context kctx, krb5_ccache ccache,
		   krb5_principal client, krb5_timestamp *end)
{
	krb5_principal tgs = NULL;
	krb5_creds mcreds, creds;
	int found = 0;

	memset(&mcreds, 0, sizeof(mcreds));
	memset(&creds, 0, sizeof(creds));
	if (krb5_build_principal_ext(kctx, &tgs,
				     client->realm.length, client->realm.data,
				     KRB5_TGS_NAME_SIZE, KRB5_TGS_NAME,
				     client->realm.length, client->realm.data,
				     0) != 0)
		return 0;
	mcreds.client = client;
	mcreds.server = tgs;
	if (krb5_cc_retrieve_cred(kctx, ccache, 0, &mcreds, &creds) == 0) {
		*end = creds.times.endtime;
		found = 1;
		krb5_free_cred_contents(kctx, &creds);
	}
	krb5_free_principal(kctx, tgs);
	return found;
}

/* Has a ticket ending at end expired, or will it within margin seconds? */
static int expired(krb5_context kctx, krb5_timestamp end, unsigned int margin)
{
	krb5_timestamp now;

	if (krb5_timeofday(kctx, &now) != 0)
		return 0;
	return (uint32_t)end <= (uint32_t)now + margin;
}

void spn_creds_time_text(krb5_timestamp ts, char *buf, size_t size)
{
	time_t t = (time_t)(uint32_t)ts;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%lu", (unsigned long)(uint32_t)ts);
}

/* The default ccache, which must hold tickets that have not expired. */
static spn_status open_default(spn_ctx *ctx, krb5_context kctx,
			       krb5_ccache *ccache_out)
{
	spn_status st = SPN_OK;
	krb5_ccache ccache = NULL;
	krb5_principal client = NULL;
	krb5_error_code code;
	krb5_timestamp end;
	char *name = NULL;

	code = krb5_cc_default(kctx, &ccache);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "cannot open the default credentials cache (run kinit or use -k KEYTAB)");
		goto cleanup;
	}
	if (krb5_cc_get_full_name(kctx, ccache, &name) != 0)
		name = NULL;
	code = krb5_cc_get_principal(kctx, ccache, &client);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "no Kerberos credentials in %s (run kinit or use -k KEYTAB)",
			       name != NULL ? name : "the default ccache");
		goto cleanup;
	}
	if (tgt_end(kctx, ccache, client, &end) && expired(kctx, end, 0)) {
		char when[64];

		spn_creds_time_text(end, when, sizeof(when));
		st = spn_error(ctx, SPN_E_KERBEROS,
			       "the Kerberos tickets in %s expired at %s (run kinit or use -k KEYTAB)",
			       name != NULL ? name : "the default ccache", when);
		spn_error_set_krb5(ctx, KRB5KRB_AP_ERR_TKT_EXPIRED);
		goto cleanup;
	}
	spn_log(ctx, SPN_LOG_DEBUG, "using credentials cache %s",
		name != NULL ? name : "(default)");
	*ccache_out = ccache;
	ccache = NULL;
cleanup:
	if (client != NULL)
		krb5_free_principal(kctx, client);
	krb5_free_string(kctx, name);
	if (ccache != NULL)
		krb5_cc_close(kctx, ccache);
	return st;
}

/* Warn when the keytab file can be read by anyone but its owner. */
static spn_status check_keytab_file(spn_ctx *ctx, const char *keytab)
{
	const char *path = keytab;
	struct stat sb;

	if (strncmp(keytab, "FILE:", 5) == 0)
		path = keytab + 5;
	else if (strncmp(keytab, "WRFILE:", 7) == 0)
		path = keytab + 7;
	else if (keytab[0] != '/' && strchr(keytab, ':') != NULL)
		return SPN_OK;   /* not a file (MEMORY:, KEYRING:, ...) */
	if (stat(path, &sb) != 0)
		return spn_error(ctx, SPN_E_CONFIG, "cannot read keytab %s: %s",
				 path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return spn_error(ctx, SPN_E_CONFIG, "keytab %s is not a file",
				 path);
	if (sb.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH))
		spn_log(ctx, SPN_LOG_WARNING,
			"keytab %s can be read or written by group or others (mode %04o): it holds keys, chmod 600 it",
			path, (unsigned int)(sb.st_mode & 07777));
	return SPN_OK;
}

/* The principal to get tickets for: the context's, or the keytab's first. */
static spn_status keytab_principal(spn_ctx *ctx, krb5_context kctx,
				   krb5_keytab kt, krb5_principal *princ_out)
{
	spn_status st = SPN_OK;
	krb5_kt_cursor cursor;
	krb5_keytab_entry entry;
	krb5_error_code code;
	int started = 0, have_entry = 0;

	if (ctx->principal != NULL) {
		code = krb5_parse_name(kctx, ctx->principal, princ_out);
		if (code != 0)
			st = krb5_fail(ctx, kctx, code, SPN_E_USAGE,
				       "principal '%s' is not valid",
				       ctx->principal);
		return st;
	}
	code = krb5_kt_start_seq_get(kctx, kt, &cursor);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_CONFIG,
			       "cannot read keytab %s", ctx->keytab);
		goto cleanup;
	}
	started = 1;
	code = krb5_kt_next_entry(kctx, kt, &entry, &cursor);
	if (code == KRB5_KT_END) {
		st = spn_error(ctx, SPN_E_CONFIG, "keytab %s has no keys",
			       ctx->keytab);
		goto cleanup;
	}
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_CONFIG,
			       "cannot read keytab %s", ctx->keytab);
		goto cleanup;
	}
	have_entry = 1;
	code = krb5_copy_principal(kctx, entry.principal, princ_out);
	if (code != 0)
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "cannot copy the principal of keytab %s",
			       ctx->keytab);
cleanup:
	if (have_entry)
		krb5_free_keytab_entry_contents(kctx, &entry);
	if (started)
		krb5_kt_end_seq_get(kctx, kt, &cursor);
	return st;
}

/* A fresh MEMORY: ccache name private to this context. */
static spn_status new_memory_name(char **name_out)
{
	unsigned char rnd[8];
	char name[64];
	size_t i, off;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(rnd, &ts.tv_nsec, sizeof(rnd) < sizeof(ts.tv_nsec) ?
		       sizeof(rnd) : sizeof(ts.tv_nsec));
	}
	off = (size_t)snprintf(name, sizeof(name), "MEMORY:spnkit-");
	for (i = 0; i < sizeof(rnd); i++)
		off += (size_t)snprintf(name + off, sizeof(name) - off, "%02x",
					rnd[i]);
	*name_out = strdup(name);
	return *name_out != NULL ? SPN_OK : SPN_E_NOMEM;
}

/* Get a TGT from the keytab into the context's MEMORY: ccache. */
static spn_status kinit_keytab(spn_ctx *ctx, krb5_context kctx,
			       krb5_ccache ccache)
{
	spn_status st = SPN_OK;
	krb5_keytab kt = NULL;
	krb5_principal princ = NULL;
	krb5_get_init_creds_opt *opt = NULL;
	krb5_creds creds;
	krb5_error_code code;
	char *pname = NULL;
	int have_creds = 0;

	memset(&creds, 0, sizeof(creds));
	st = check_keytab_file(ctx, ctx->keytab);
	if (st != SPN_OK)
		goto cleanup;
	code = krb5_kt_resolve(kctx, ctx->keytab, &kt);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_CONFIG,
			       "cannot open keytab %s", ctx->keytab);
		goto cleanup;
	}
	st = keytab_principal(ctx, kctx, kt, &princ);
	if (st != SPN_OK)
		goto cleanup;
	code = krb5_unparse_name(kctx, princ, &pname);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "cannot show the principal of keytab %s",
			       ctx->keytab);
		goto cleanup;
	}
	code = krb5_get_init_creds_opt_alloc(kctx, &opt);
	if (code == 0)
		code = krb5_get_init_creds_opt_set_out_ccache(kctx, opt, ccache);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "cannot prepare a ticket request for %s", pname);
		goto cleanup;
	}
	spn_log(ctx, SPN_LOG_INFO, "getting a ticket for %s from keytab %s",
		pname, ctx->keytab);
	code = krb5_get_init_creds_keytab(kctx, &creds, princ, kt, 0, NULL,
					  opt);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "cannot get a ticket for %s with keytab %s",
			       pname, ctx->keytab);
		goto cleanup;
	}
	have_creds = 1;
cleanup:
	if (have_creds)
		krb5_free_cred_contents(kctx, &creds);
	if (opt != NULL)
		krb5_get_init_creds_opt_free(kctx, opt);
	krb5_free_unparsed_name(kctx, pname);
	if (princ != NULL)
		krb5_free_principal(kctx, princ);
	if (kt != NULL)
		krb5_kt_close(kctx, kt);
	return st;
}

/* The context's MEMORY: ccache, filled from the keytab when it is new,
 * empty or its TGT has (nearly) expired. */
static spn_status open_keytab(spn_ctx *ctx, krb5_context kctx,
			      krb5_ccache *ccache_out)
{
	spn_status st = SPN_OK;
	krb5_ccache ccache = NULL;
	krb5_principal client = NULL;
	krb5_error_code code;
	krb5_timestamp end;
	char *name = NULL;
	int fresh = 0;

	if (ctx->ccache_name == NULL) {
		st = new_memory_name(&name);
		if (st != SPN_OK)
			goto cleanup;
	}
	code = krb5_cc_resolve(kctx, name != NULL ? name : ctx->ccache_name,
			       &ccache);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "cannot create a memory credentials cache");
		goto cleanup;
	}
	if (name == NULL && krb5_cc_get_principal(kctx, ccache, &client) == 0 &&
	    tgt_end(kctx, ccache, client, &end) &&
	    !expired(kctx, end, TGT_MARGIN))
		fresh = 1;
	if (!fresh) {
		st = kinit_keytab(ctx, kctx, ccache);
		if (st != SPN_OK)
			goto cleanup;
	}
	if (name != NULL) {
		free(ctx->ccache_name);
		ctx->ccache_name = name;
		name = NULL;
	}
	spn_log(ctx, SPN_LOG_DEBUG, "using credentials cache %s",
		ctx->ccache_name);
	*ccache_out = ccache;
	ccache = NULL;
cleanup:
	if (client != NULL)
		krb5_free_principal(kctx, client);
	if (ccache != NULL) {
		/* A new cache we could not fill is of no use to anyone. */
		if (name != NULL)
			krb5_cc_destroy(kctx, ccache);
		else
			krb5_cc_close(kctx, ccache);
	}
	free(name);
	return st;
}

spn_status spn_creds_open(spn_ctx *ctx, krb5_context *kctx_out,
			  krb5_ccache *ccache_out)
{
	spn_status st = SPN_OK;
	krb5_context kctx = NULL;
	krb5_ccache ccache = NULL;
	krb5_error_code code;

	if (ctx == NULL || kctx_out == NULL || ccache_out == NULL)
		return SPN_E_USAGE;
	code = krb5_init_context(&kctx);
	if (code != 0) {
		st = krb5_fail(ctx, NULL, code, SPN_E_CONFIG,
			       "cannot read the Kerberos configuration");
		goto cleanup;
	}
	if (spn_log_enabled(ctx, SPN_LOG_DEBUG))
		krb5_set_trace_callback(kctx, trace_to_log, ctx);
	if (ctx->keytab != NULL) {
		pthread_mutex_lock(&memory_ccache_lock);
		st = open_keytab(ctx, kctx, &ccache);
		pthread_mutex_unlock(&memory_ccache_lock);
	} else
		st = open_default(ctx, kctx, &ccache);
	if (st != SPN_OK)
		goto cleanup;
	*kctx_out = kctx;
	*ccache_out = ccache;
	kctx = NULL;
cleanup:
	if (kctx != NULL)
		krb5_free_context(kctx);
	return st;
}

void spn_creds_destroy(spn_ctx *ctx)
{
	krb5_context kctx = NULL;
	krb5_ccache ccache = NULL;

	if (ctx == NULL)
		return;
	pthread_mutex_lock(&memory_ccache_lock);
	if (ctx->ccache_name != NULL && krb5_init_context(&kctx) == 0) {
		if (krb5_cc_resolve(kctx, ctx->ccache_name, &ccache) == 0)
			krb5_cc_destroy(kctx, ccache);
		krb5_free_context(kctx);
	}
	free(ctx->ccache_name);
	ctx->ccache_name = NULL;
	pthread_mutex_unlock(&memory_ccache_lock);
}

spn_status spn_creds_principal(spn_ctx *ctx, krb5_context kctx,
			       krb5_ccache ccache, char **principal_out)
{
	spn_status st = SPN_OK;
	krb5_principal client = NULL;
	krb5_error_code code;
	char *text = NULL, *copy;

	if (ctx == NULL || kctx == NULL || ccache == NULL ||
	    principal_out == NULL)
		return SPN_E_USAGE;
	code = krb5_cc_get_principal(kctx, ccache, &client);
	if (code == 0)
		code = krb5_unparse_name(kctx, client, &text);
	if (code != 0) {
		st = krb5_fail(ctx, kctx, code, SPN_E_KERBEROS,
			       "cannot read the client principal of the credentials cache");
		goto cleanup;
	}
	copy = strdup(text);
	if (copy == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	*principal_out = copy;
cleanup:
	krb5_free_unparsed_name(kctx, text);
	if (client != NULL)
		krb5_free_principal(kctx, client);
	return st;
}
