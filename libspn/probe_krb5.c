/* probe_krb5.c - the ticket request behind krbprobe, with MIT libkrb5: a TGS
 * request for one SPN from a private copy of the TGT, never stored. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <krb5.h>
#include <spn/probe.h>
#include "context_impl.h"
#include "probe_setup.h"
#include "creds.h"

struct spn_prober {
	spn_ctx *ctx;              /* for logging only */
	krb5_context kctx;
	krb5_ccache ccache;        /* MEMORY: holding only the TGT */
	krb5_principal client;
	char *client_realm;
	char *realm;               /* the service principals' realm */
	krb5_timestamp tgt_end;
	int aes_only;

	/* Set when the credentials could not be set up: every ask says so. */
	struct probe_setup_failure fail;  /* why no request can be made */
};

static const krb5_enctype aes_enctypes[] = {
	ENCTYPE_AES256_CTS_HMAC_SHA1_96,
	ENCTYPE_AES128_CTS_HMAC_SHA1_96,
	ENCTYPE_NULL,
};

/* The reason for a libkrb5 error code, as a TGS request or getting the
 * credentials returned it. */
static spn_probe_reason reason_for(krb5_error_code code)
{
	switch (code) {
	case 0:
		return SPN_REASON_OK;
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
		return SPN_REASON_SPN_UNKNOWN_TO_KDC;
	case KRB5KDC_ERR_ETYPE_NOSUPP:
		return SPN_REASON_ETYPE_UNSUPPORTED;
	case KRB5KDC_ERR_WRONG_REALM:
	case KRB5_REALM_UNKNOWN:
		return SPN_REASON_WRONG_REALM;
	case KRB5KDC_ERR_POLICY:
	case KRB5KDC_ERR_BADOPTION:
	case KRB5KDC_ERR_CLIENT_REVOKED:
	case KRB5KDC_ERR_SERVICE_REVOKED:
	case KRB5KDC_ERR_SERVICE_EXP:
	case KRB5KDC_ERR_SERVICE_NOTYET:
	case KRB5KDC_ERR_MUST_USE_USER2USER:
	case KRB5KDC_ERR_PATH_NOT_ACCEPTED:
	case KRB5KDC_ERR_SVC_UNAVAILABLE:
		return SPN_REASON_POLICY;
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_CANT_RESOLVE:
		return SPN_REASON_KDC_UNREACHABLE;
	case KRB5KRB_AP_ERR_SKEW:
	case KRB5_KDCREP_SKEW:
		return SPN_REASON_CLOCK_SKEW;
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
		return SPN_REASON_TICKET_EXPIRED;
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_BADNAME:
	case KRB5_CC_NOSUPP:
	case KRB5_CC_FORMAT:
	case KRB5_CC_END:
	case KRB5_KT_NOTFOUND:
	case KRB5KDC_ERR_TGT_REVOKED:
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case KRB5KDC_ERR_KEY_EXP:
		return SPN_REASON_NO_CREDENTIALS;
	default:
		return SPN_REASON_ERROR;
	}
}


/* Copy the client's TGT from src into a fresh MEMORY: ccache, so that
 * requests never read or grow the user's cache and always reach the KDC. */
static spn_status copy_tgt(spn_prober *p, krb5_ccache src)
{
	krb5_principal tgs = NULL;
	krb5_creds mcreds, creds;
	krb5_error_code code;
	spn_status st = SPN_OK;
	int have_creds = 0;
	const char *msg;

	memset(&mcreds, 0, sizeof(mcreds));
	memset(&creds, 0, sizeof(creds));
	code = krb5_build_principal_ext(p->kctx, &tgs,
					p->client->realm.length,
					p->client->realm.data,
					KRB5_TGS_NAME_SIZE, KRB5_TGS_NAME,
					p->client->realm.length,
					p->client->realm.data, 0);
	if (code == 0) {
		mcreds.client = p->client;
		mcreds.server = tgs;
		code = krb5_cc_retrieve_cred(p->kctx, src, 0, &mcreds, &creds);
		if (code == KRB5_CC_NOTFOUND || code == KRB5_CC_END) {
			st = probe_setup_fail(&p->fail, SPN_REASON_NO_CREDENTIALS, code,
					"the credentials cache has no TGT (krbtgt/%s) for the client: run kinit",
					p->client_realm);
			goto cleanup;
		}
		have_creds = code == 0;
	}
	if (code == 0)
		code = krb5_cc_new_unique(p->kctx, "MEMORY", NULL, &p->ccache);
	if (code == 0)
		code = krb5_cc_initialize(p->kctx, p->ccache, p->client);
	if (code == 0)
		code = krb5_cc_store_cred(p->kctx, p->ccache, &creds);
	if (code != 0) {
		msg = krb5_get_error_message(p->kctx, code);
		st = probe_setup_fail(&p->fail, reason_for(code), code,
				"cannot copy the TGT into a memory cache: %s",
				msg);
		krb5_free_error_message(p->kctx, msg);
		goto cleanup;
	}
	p->tgt_end = creds.times.endtime;
cleanup:
	if (have_creds)
		krb5_free_cred_contents(p->kctx, &creds);
	if (tgs != NULL)
		krb5_free_principal(p->kctx, tgs);
	return st;
}

/* Open the credentials (spn_creds_open) and keep a private TGT copy. */
static spn_status setup(spn_prober *p, const spn_probe_options *o)
{
	krb5_ccache src = NULL;
	krb5_error_code code;
	spn_status st;
	long kcode;
	const char *msg;

	st = spn_creds_open(p->ctx, &p->kctx, &src);
	if (st == SPN_E_NOMEM)
		return st;
	if (st != SPN_OK) {
		spn_probe_reason reason;

		/* an expired default TGT carries KRB5KRB_AP_ERR_TKT_EXPIRED */
		kcode = spn_ctx_error_krb5(p->ctx);
		if (kcode != 0)
			reason = reason_for((krb5_error_code)kcode);
		else if (st == SPN_E_CONFIG && p->ctx->keytab == NULL)
			reason = SPN_REASON_ERROR;
		else
			reason = SPN_REASON_NO_CREDENTIALS;
		/* a TGS error code from getting credentials is not about an SPN */
		if (reason == SPN_REASON_SPN_UNKNOWN_TO_KDC ||
		    reason == SPN_REASON_ETYPE_UNSUPPORTED ||
		    reason == SPN_REASON_POLICY ||
		    reason == SPN_REASON_WRONG_REALM)
			reason = SPN_REASON_NO_CREDENTIALS;
		return probe_setup_fail(&p->fail, reason, kcode, "%s",
				  spn_ctx_error(p->ctx));
	}
	code = krb5_cc_get_principal(p->kctx, src, &p->client);
	if (code != 0) {
		msg = krb5_get_error_message(p->kctx, code);
		st = probe_setup_fail(&p->fail, SPN_REASON_NO_CREDENTIALS, code,
				"cannot read the client principal: %s", msg);
		krb5_free_error_message(p->kctx, msg);
		goto cleanup;
	}
	p->client_realm = strndup(p->client->realm.data,
				  p->client->realm.length);
	if (p->realm == NULL)
		p->realm = strdup(p->client_realm != NULL ? p->client_realm :
				  "");
	if (p->client_realm == NULL || p->realm == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	if (o->aes_only) {
		code = krb5_set_default_tgs_enctypes(p->kctx, aes_enctypes);
		if (code != 0) {
			msg = krb5_get_error_message(p->kctx, code);
			st = probe_setup_fail(&p->fail, SPN_REASON_ERROR, code,
					"cannot restrict the enctypes to AES: %s",
					msg);
			krb5_free_error_message(p->kctx, msg);
			goto cleanup;
		}
	}
	st = copy_tgt(p, src);
cleanup:
	if (src != NULL)
		krb5_cc_close(p->kctx, src);
	return st;
}

SPN_EXPORT spn_status spn_prober_new(spn_ctx *ctx,
				     const spn_probe_options *options,
				     spn_prober **prober_out)
{
	spn_prober *p;
	spn_status st;

	if (ctx == NULL || options == NULL || prober_out == NULL)
		return SPN_E_USAGE;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return SPN_E_NOMEM;
	p->ctx = spn_ctx_ref(ctx);
	p->aes_only = options->aes_only;
	if (options->realm != NULL) {
		p->realm = strdup(options->realm);
		if (p->realm == NULL) {
			spn_prober_free(p);
			return SPN_E_NOMEM;
		}
	}
	st = setup(p, options);
	if (st != SPN_OK) {
		spn_prober_free(p);
		return st;
	}
	if (p->fail.failed)
		spn_log(ctx, SPN_LOG_INFO, "no ticket requests possible: %s",
			p->fail.detail);
	*prober_out = p;
	return SPN_OK;
}

SPN_EXPORT void spn_prober_free(spn_prober *p)
{
	if (p == NULL)
		return;
	if (p->kctx != NULL) {
		if (p->ccache != NULL)
			krb5_cc_destroy(p->kctx, p->ccache);
		if (p->client != NULL)
			krb5_free_principal(p->kctx, p->client);
		krb5_free_context(p->kctx);
	}
	free(p->client_realm);
	free(p->realm);
	probe_setup_clear(&p->fail);
	spn_ctx_unref(p->ctx);
	free(p);
}

/* The service principal for spn: class / host[:port] [/ service name], as
 * a Windows client names it (KRB5_NT_SRV_INST), in the prober's realm. */
static krb5_error_code spn_principal(spn_prober *p, const char *spn,
				     krb5_principal *princ_out)
{
	const char *s1 = strchr(spn, '/'), *s2;
	unsigned int rlen = (unsigned int)strlen(p->realm);
	krb5_error_code code;

	if (s1 == NULL)
		return KRB5_PARSE_MALFORMED;
	s2 = strchr(s1 + 1, '/');
	if (s2 == NULL)
		code = krb5_build_principal_ext(p->kctx, princ_out, rlen,
						p->realm,
						(unsigned int)(s1 - spn), spn,
						(unsigned int)strlen(s1 + 1),
						s1 + 1, 0);
	else
		code = krb5_build_principal_ext(p->kctx, princ_out, rlen,
						p->realm,
						(unsigned int)(s1 - spn), spn,
						(unsigned int)(s2 - s1 - 1),
						s1 + 1,
						(unsigned int)strlen(s2 + 1),
						s2 + 1, 0);
	if (code == 0)
		(*princ_out)->type = KRB5_NT_SRV_INST;
	return code;
}

static void enctype_text(krb5_enctype etype, char *buf, size_t size)
{
	if (krb5_enctype_to_name(etype, FALSE, buf, size) != 0)
		snprintf(buf, size, "enctype-%d", (int)etype);
}

/* A ticket was issued: report its enctype, kvno and session key. */
static spn_status report_ticket(spn_prober *p, const krb5_creds *out,
				spn_probe_result *r)
{
	krb5_ticket *tkt = NULL;
	krb5_error_code code;
	spn_status st;
	char etype[64], skey[64];

	enctype_text(out->keyblock.enctype, skey, sizeof(skey));
	code = krb5_decode_ticket(&out->ticket, &tkt);
	if (code != 0) {
		const char *msg = krb5_get_error_message(p->kctx, code);

		spn_probe_result_set_reason(r, SPN_REASON_ERROR);
		r->code = code;
		st = spn_probe_result_note(r,
					   "the KDC issued a ticket that cannot be decoded: %s",
					   msg);
		krb5_free_error_message(p->kctx, msg);
		return st;
	}
	enctype_text(tkt->enc_part.enctype, etype, sizeof(etype));
	r->etype = strdup(etype);
	if (r->etype == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	spn_probe_result_set_reason(r, SPN_REASON_OK);
	st = spn_probe_result_note(r,
				   "ticket issued: %s (kvno %u), session key %s%s",
				   etype, (unsigned int)tkt->enc_part.kvno, skey,
				   p->aes_only ? ", only AES offered" : "");
	if (st == SPN_OK && p->aes_only &&
	    tkt->enc_part.enctype != ENCTYPE_AES256_CTS_HMAC_SHA1_96 &&
	    tkt->enc_part.enctype != ENCTYPE_AES128_CTS_HMAC_SHA1_96)
		st = spn_probe_result_note(r,
					   "the KDC still encrypts this service's tickets with %s: it works only while the KDC issues %s tickets",
					   etype, etype);
cleanup:
	krb5_free_ticket(p->kctx, tkt);
	return st;
}

/* 1 when the client's KDC gives a cross-realm TGT for the prober's realm:
 * then a service the KDC does not know is unknown in that realm, not a
 * realm out of reach. */
static int realm_reachable(spn_prober *p)
{
	krb5_principal tgs = NULL;
	krb5_creds in, *out = NULL;
	int ok = 0;

	if (krb5_build_principal_ext(p->kctx, &tgs,
				     (unsigned int)strlen(p->client_realm),
				     p->client_realm, KRB5_TGS_NAME_SIZE,
				     KRB5_TGS_NAME,
				     (unsigned int)strlen(p->realm), p->realm,
				     0) != 0)
		return 0;
	memset(&in, 0, sizeof(in));
	in.client = p->client;
	in.server = tgs;
	if (krb5_get_credentials(p->kctx, KRB5_GC_NO_STORE, p->ccache, &in,
				 &out) == 0) {
		ok = 1;
		krb5_free_creds(p->kctx, out);
	}
	krb5_free_principal(p->kctx, tgs);
	return ok;
}

/* The KDC (or libkrb5) refused: reason, code and its own words. */
static spn_status report_error(spn_prober *p, krb5_error_code code,
			       spn_probe_result *r)
{
	spn_probe_reason reason = reason_for(code);
	const char *msg = krb5_get_error_message(p->kctx, code);
	int foreign = strcmp(p->realm, p->client_realm) != 0;
	/* protocol error codes (RFC 4120 7.5.9) came from the KDC; the rest
	 * are libkrb5's own */
	const char *who = code >= KRB5KDC_ERR_NONE &&
			  code < KRB5KDC_ERR_NONE + 128 ? "KDC" : "libkrb5";
	spn_status st;

	/* Asking for another realm's service: the client's KDC does not know
	 * a way there (no trust, or no such realm). */
	if (foreign && (code == KRB5_REALM_CANT_RESOLVE ||
			code == KRB5_KDCREP_MODIFIED ||
			(reason == SPN_REASON_SPN_UNKNOWN_TO_KDC &&
			 !realm_reachable(p))))
		reason = SPN_REASON_WRONG_REALM;
	spn_probe_result_set_reason(r, reason);
	r->code = code;
	switch (reason) {
	case SPN_REASON_ETYPE_UNSUPPORTED:
		st = spn_probe_result_note(r, "%s: %s (%s)", who, msg,
					   p->aes_only ?
					   "only AES offered: the account has no AES keys or allows no AES enctype" :
					   "the account allows no enctype this client offers");
		break;
	case SPN_REASON_WRONG_REALM:
		st = spn_probe_result_note(r,
					   "%s: %s (no path from %s to realm %s)",
					   who, msg, p->client_realm, p->realm);
		break;
	default:
		st = spn_probe_result_note(r, "%s: %s", who, msg);
		break;
	}
	krb5_free_error_message(p->kctx, msg);
	return st;
}

SPN_EXPORT spn_status spn_prober_ask(spn_prober *p, const char *spn,
				     spn_probe_result *r)
{
	krb5_principal server = NULL;
	krb5_creds in, *out = NULL;
	krb5_error_code code;
	krb5_timestamp now;
	spn_status st = SPN_OK;

	if (p == NULL || spn == NULL || r == NULL)
		return SPN_E_USAGE;
	if (p->fail.failed) {
		if (p->realm != NULL && r->realm == NULL) {
			r->realm = strdup(p->realm);
			if (r->realm == NULL)
				return SPN_E_NOMEM;
		}
		return probe_setup_report(&p->fail, r);
	}
	free(r->realm);
	r->realm = strdup(p->realm);
	if (r->realm == NULL)
		return SPN_E_NOMEM;
	if (krb5_timeofday(p->kctx, &now) == 0 &&
	    (uint32_t)p->tgt_end <= (uint32_t)now) {
		char when[64];

		spn_creds_time_text(p->tgt_end, when, sizeof(when));
		spn_probe_result_set_reason(r, SPN_REASON_TICKET_EXPIRED);
		r->code = KRB5KRB_AP_ERR_TKT_EXPIRED;
		return spn_probe_result_note(r,
					     "the TGT for realm %s expired at %s: run kinit",
					     p->client_realm, when);
	}
	code = spn_principal(p, spn, &server);
	if (code != 0) {
		st = report_error(p, code, r);
		goto cleanup;
	}
	memset(&in, 0, sizeof(in));
	in.client = p->client;
	in.server = server;
	spn_log(p->ctx, SPN_LOG_DEBUG, "TGS request for %s@%s", spn, p->realm);
	r->kdc_asked = 1;
	code = krb5_get_credentials(p->kctx, KRB5_GC_NO_STORE, p->ccache, &in,
				    &out);
	if (code != 0)
		st = report_error(p, code, r);
	else
		st = report_ticket(p, out, r);
cleanup:
	if (out != NULL)
		krb5_free_creds(p->kctx, out);
	if (server != NULL)
		krb5_free_principal(p->kctx, server);
	return st;
}
