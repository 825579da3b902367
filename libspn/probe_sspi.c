/* probe_sspi.c - the ticket request behind krbprobe on Windows: SSPI's
 * Kerberos package starts a security context to the SPN (so Windows, or
 * under Wine the machine's libkrb5, gets the service ticket), and Negotiate
 * is asked the same to say which package a client would end up with. */
#define SECURITY_WIN32
#include <windows.h>
#include <ntsecapi.h>
#include <security.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <spn/probe.h>
#include "context_impl.h"
#include "probe_setup.h"

/* What a client asks for when it connects to a service. */
#define ISC_FLAGS (ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONNECTION)

struct spn_prober {
	spn_ctx *ctx;              /* for logging only */
	char *realm;               /* --realm: asked as SPN@REALM, or NULL */
	char *client_realm;        /* the realm of the TGT in the ticket cache */
	ULONGLONG tgt_end;         /* its end (FILETIME units), 0: unknown */
	int wine;                  /* running under Wine */
	CredHandle kerberos;
	CredHandle negotiate;
	int have_negotiate;
	SECURITY_STATUS negotiate_status;  /* why not, without it */
	unsigned char *token;      /* our own output buffer: Wine has no
				      ISC_REQ_ALLOCATE_MEMORY */
	unsigned long token_size;

	/* Set when the credentials could not be set up: every ask says so. */
	struct probe_setup_failure fail;  /* why no request can be made */
};

/* The SSPI codes a ticket request can end with, and what they mean for the
 * client (the same reasons as the libkrb5 backend's table). */
static const struct sspi_code {
	SECURITY_STATUS code;
	const char *name;
	spn_probe_reason reason;
} sspi_codes[] = {
	{ SEC_E_TARGET_UNKNOWN, "SEC_E_TARGET_UNKNOWN",
	  SPN_REASON_SPN_UNKNOWN_TO_KDC },
	{ SEC_E_WRONG_PRINCIPAL, "SEC_E_WRONG_PRINCIPAL",
	  SPN_REASON_SPN_UNKNOWN_TO_KDC },
	{ SEC_E_KDC_UNKNOWN_ETYPE, "SEC_E_KDC_UNKNOWN_ETYPE",
	  SPN_REASON_ETYPE_UNSUPPORTED },
	{ SEC_E_ALGORITHM_MISMATCH, "SEC_E_ALGORITHM_MISMATCH",
	  SPN_REASON_ETYPE_UNSUPPORTED },
	{ SEC_E_STRONG_CRYPTO_NOT_SUPPORTED, "SEC_E_STRONG_CRYPTO_NOT_SUPPORTED",
	  SPN_REASON_ETYPE_UNSUPPORTED },
	{ SEC_E_KDC_UNABLE_TO_REFER, "SEC_E_KDC_UNABLE_TO_REFER",
	  SPN_REASON_WRONG_REALM },
	{ SEC_E_MAX_REFERRALS_EXCEEDED, "SEC_E_MAX_REFERRALS_EXCEEDED",
	  SPN_REASON_WRONG_REALM },
	{ SEC_E_CROSSREALM_DELEGATION_FAILURE,
	  "SEC_E_CROSSREALM_DELEGATION_FAILURE", SPN_REASON_WRONG_REALM },
	{ SEC_E_KDC_INVALID_REQUEST, "SEC_E_KDC_INVALID_REQUEST",
	  SPN_REASON_POLICY },
	{ SEC_E_NO_TGT_REPLY, "SEC_E_NO_TGT_REPLY", SPN_REASON_POLICY },
	{ SEC_E_DELEGATION_POLICY, "SEC_E_DELEGATION_POLICY",
	  SPN_REASON_POLICY },
	{ SEC_E_POLICY_NLTM_ONLY, "SEC_E_POLICY_NLTM_ONLY", SPN_REASON_POLICY },
	{ SEC_E_NO_AUTHENTICATING_AUTHORITY,
	  "SEC_E_NO_AUTHENTICATING_AUTHORITY", SPN_REASON_KDC_UNREACHABLE },
	{ SEC_E_TIME_SKEW, "SEC_E_TIME_SKEW", SPN_REASON_CLOCK_SKEW },
	{ SEC_E_CONTEXT_EXPIRED, "SEC_E_CONTEXT_EXPIRED",
	  SPN_REASON_TICKET_EXPIRED },
	{ SEC_E_NO_CREDENTIALS, "SEC_E_NO_CREDENTIALS",
	  SPN_REASON_NO_CREDENTIALS },
	{ SEC_E_UNKNOWN_CREDENTIALS, "SEC_E_UNKNOWN_CREDENTIALS",
	  SPN_REASON_NO_CREDENTIALS },
	{ SEC_E_LOGON_DENIED, "SEC_E_LOGON_DENIED", SPN_REASON_NO_CREDENTIALS },
	{ SEC_E_NO_PA_DATA, "SEC_E_NO_PA_DATA", SPN_REASON_NO_CREDENTIALS },
	{ SEC_E_UNSUPPORTED_PREAUTH, "SEC_E_UNSUPPORTED_PREAUTH",
	  SPN_REASON_NO_CREDENTIALS },
	{ SEC_E_SMARTCARD_LOGON_REQUIRED, "SEC_E_SMARTCARD_LOGON_REQUIRED",
	  SPN_REASON_NO_CREDENTIALS },
	{ SEC_E_INTERNAL_ERROR, "SEC_E_INTERNAL_ERROR", SPN_REASON_ERROR },
	{ SEC_E_SECPKG_NOT_FOUND, "SEC_E_SECPKG_NOT_FOUND", SPN_REASON_ERROR },
	{ SEC_E_UNSUPPORTED_FUNCTION, "SEC_E_UNSUPPORTED_FUNCTION",
	  SPN_REASON_ERROR },
	{ SEC_E_INVALID_HANDLE, "SEC_E_INVALID_HANDLE", SPN_REASON_ERROR },
	{ SEC_E_INVALID_TOKEN, "SEC_E_INVALID_TOKEN", SPN_REASON_ERROR },
	{ SEC_E_BUFFER_TOO_SMALL, "SEC_E_BUFFER_TOO_SMALL", SPN_REASON_ERROR },
	{ SEC_E_INSUFFICIENT_MEMORY, "SEC_E_INSUFFICIENT_MEMORY",
	  SPN_REASON_ERROR },
};

static const struct sspi_code *code_of(SECURITY_STATUS code)
{
	size_t i;

	for (i = 0; i < sizeof(sspi_codes) / sizeof(sspi_codes[0]); i++)
		if (sspi_codes[i].code == code)
			return &sspi_codes[i];
	return NULL;
}

/* A request that SSPI took: a token to send to the service. */
static int started(SECURITY_STATUS status)
{
	return status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED ||
	       status == SEC_I_COMPLETE_NEEDED ||
	       status == SEC_I_COMPLETE_AND_CONTINUE;
}

/* "Windows' words for code (NAME, 0x8009....)": the words when the system
 * has a text for the code (Wine has none), the name when it is known. */
static void describe(SECURITY_STATUS code, char *buf, size_t size)
{
	const struct sspi_code *c = code_of(code);
	wchar_t w[512];
	char words[1024];
	DWORD n;

	words[0] = '\0';
	n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
			   FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)code, 0,
			   w, sizeof(w) / sizeof(w[0]), NULL);
	while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' ||
			 w[n - 1] == L' ' || w[n - 1] == L'.'))
		n--;
	if (n > 0) {
		w[n] = L'\0';
		if (WideCharToMultiByte(CP_UTF8, 0, w, -1, words,
					(int)sizeof(words), NULL, NULL) <= 0)
			words[0] = '\0';
	}
	if (words[0] != '\0')
		snprintf(buf, size, "%s (%s%s0x%08lx)", words,
			 c != NULL ? c->name : "", c != NULL ? ", " : "",
			 (unsigned long)code);
	else
		snprintf(buf, size, "%s%s0x%08lx%s", c != NULL ? c->name : "",
			 c != NULL ? " (" : "", (unsigned long)code,
			 c != NULL ? ")" : "");
}

/* UTF-8 to a new UTF-16 string, NULL when invalid or on no memory. */
static wchar_t *wide(const char *s)
{
	int len = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1,
				      NULL, 0);
	wchar_t *w;

	if (len <= 0)
		return NULL;
	w = malloc((size_t)len * sizeof(*w));
	if (w != NULL)
		MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w,
				    len);
	return w;
}

/* len UTF-16 units to a new UTF-8 string, NULL on no memory. */
static char *narrow(const wchar_t *w, int len)
{
	int n = len > 0 ? WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0,
					       NULL, NULL) : 0;
	char *s = malloc((size_t)n + 1);

	if (s == NULL)
		return NULL;
	if (n > 0)
		WideCharToMultiByte(CP_UTF8, 0, w, len, s, n, NULL, NULL);
	s[n] = '\0';
	return s;
}

static int under_wine(void)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");

	return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

static ULONGLONG now_filetime(void)
{
	FILETIME ft;
	ULARGE_INTEGER t;

	GetSystemTimeAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	return t.QuadPart;
}

static void time_text(ULONGLONG when, char *buf, size_t size)
{
	ULARGE_INTEGER t;
	FILETIME ft;
	SYSTEMTIME st;

	t.QuadPart = when;
	ft.dwLowDateTime = t.LowPart;
	ft.dwHighDateTime = t.HighPart;
	if (FileTimeToSystemTime(&ft, &st))
		snprintf(buf, size, "%04u-%02u-%02u %02u:%02u:%02u UTC",
			 st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute,
			 st.wSecond);
	else
		snprintf(buf, size, "(time %llu)", (unsigned long long)when);
}

/* ------------------------------------------------------------ the token */

/* One DER element's contents. */
struct der {
	const unsigned char *p;
	size_t len;
};

/* Take the element at the start of *in when its tag is tag: its contents
 * in *out, *in moved past it. 0, or -1 when absent or malformed. */
static int der_take(struct der *in, unsigned char tag, struct der *out)
{
	size_t n, len = 0, hdr, i;

	if (in->len < 2 || in->p[0] != tag)
		return -1;
	if (in->p[1] < 0x80) {
		len = in->p[1];
		hdr = 2;
	} else {
		n = in->p[1] & 0x7f;
		if (n == 0 || n > 4 || in->len < 2 + n)
			return -1;
		for (i = 0; i < n; i++)
			len = (len << 8) | in->p[2 + i];
		hdr = 2 + n;
	}
	if (len > in->len - hdr)
		return -1;
	out->p = in->p + hdr;
	out->len = len;
	in->p += hdr + len;
	in->len -= hdr + len;
	return 0;
}

/* [tag] INTEGER, as Kerberos uses them (Int32, UInt32). */
static int der_int(struct der *in, unsigned char tag, long long *out)
{
	struct der field, num;
	uint64_t v;
	size_t i;

	if (der_take(in, tag, &field) != 0 || der_take(&field, 0x02, &num) != 0 ||
	    num.len == 0 || num.len > 5)
		return -1;
	v = (num.p[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < num.len; i++)
		v = (v << 8) | num.p[i];
	*out = (long long)v;
	return 0;
}

/* What the Kerberos package's first token (RFC 4121: a GSS-API framed
 * AP-REQ) says in the clear: the ticket's realm, enctype and key version,
 * and the authenticator's enctype, which is the session key's. */
struct ticket_facts {
	long long etype;
	long long kvno;            /* -1: not in the ticket */
	long long session_etype;   /* 0: not found */
	char realm[256];
};

static int read_token(const unsigned char *tok, size_t len,
		      struct ticket_facts *f)
{
	struct der in = { tok, len }, gss, oid, ap, seq, field, ticket, tseq,
		   realm, enc, auth;

	memset(f, 0, sizeof(*f));
	f->kvno = -1;
	if (der_take(&in, 0x60, &gss) != 0 || der_take(&gss, 0x06, &oid) != 0 ||
	    gss.len < 2 || gss.p[0] != 0x01 || gss.p[1] != 0x00)
		return -1;   /* not a Kerberos AP-REQ token */
	gss.p += 2;
	gss.len -= 2;
	/* AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1],
	 * ap-options [2], ticket [3], authenticator [4] } */
	if (der_take(&gss, 0x6e, &ap) != 0 || der_take(&ap, 0x30, &seq) != 0 ||
	    der_take(&seq, 0xa0, &field) != 0 ||
	    der_take(&seq, 0xa1, &field) != 0 ||
	    der_take(&seq, 0xa2, &field) != 0 ||
	    der_take(&seq, 0xa3, &field) != 0 ||
	    der_take(&field, 0x61, &ticket) != 0 ||
	    der_take(&ticket, 0x30, &tseq) != 0)
		return -1;
	/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1],
	 * sname [2], enc-part [3] EncryptedData } */
	if (der_take(&tseq, 0xa0, &field) != 0 ||
	    der_take(&tseq, 0xa1, &field) != 0 ||
	    der_take(&field, 0x1b, &realm) != 0 ||
	    realm.len >= sizeof(f->realm) ||
	    memchr(realm.p, '\0', realm.len) != NULL ||
	    der_take(&tseq, 0xa2, &field) != 0 ||
	    der_take(&tseq, 0xa3, &field) != 0 ||
	    der_take(&field, 0x30, &enc) != 0 ||
	    der_int(&enc, 0xa0, &f->etype) != 0)
		return -1;
	memcpy(f->realm, realm.p, realm.len);
	if (enc.len > 0 && enc.p[0] == 0xa1 && der_int(&enc, 0xa1, &f->kvno) != 0)
		return -1;
	if (der_take(&seq, 0xa4, &field) == 0 &&
	    der_take(&field, 0x30, &auth) == 0 &&
	    der_int(&auth, 0xa0, &f->session_etype) != 0)
		f->session_etype = 0;
	return 0;
}

/* The enctype's name as libkrb5 prints it (krb5_enctype_to_name), so that
 * both builds report the same names. */
static void enctype_text(long long etype, char *buf, size_t size)
{
	static const struct {
		int etype;
		const char *name;
	} names[] = {
		{ 1, "des-cbc-crc" }, { 2, "des-cbc-md4" }, { 3, "des-cbc-md5" },
		{ 16, "des3-cbc-sha1" }, { 17, "aes128-cts-hmac-sha1-96" },
		{ 18, "aes256-cts-hmac-sha1-96" },
		{ 19, "aes128-cts-hmac-sha256-128" },
		{ 20, "aes256-cts-hmac-sha384-192" }, { 23, "arcfour-hmac" },
		{ 24, "arcfour-hmac-exp" }, { 25, "camellia128-cts-cmac" },
		{ 26, "camellia256-cts-cmac" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].etype == etype) {
			snprintf(buf, size, "%s", names[i].name);
			return;
		}
	snprintf(buf, size, "enctype-%lld", etype);
}

/* ------------------------------------------------------------ setup */


/* The client's realm and its TGT's end, from the logon session's Kerberos
 * ticket cache (under Wine: the ccache). Best effort: on Windows the cache
 * may hold no TGT yet, which the LSA gets when it is needed. */
static spn_status read_ticket_cache(spn_prober *p)
{
	KERB_QUERY_TKT_CACHE_REQUEST req;
	KERB_QUERY_TKT_CACHE_RESPONSE *resp = NULL;
	LSA_STRING name;
	HANDLE lsa = NULL;
	ULONG package = 0, size = 0, i;
	NTSTATUS st, sub = 0;
	spn_status rc = SPN_OK;

	name.Buffer = (PCHAR)MICROSOFT_KERBEROS_NAME_A;
	name.Length = (USHORT)strlen(MICROSOFT_KERBEROS_NAME_A);
	name.MaximumLength = name.Length + 1;
	st = LsaConnectUntrusted(&lsa);
	if (st != 0) {
		spn_log(p->ctx, SPN_LOG_DEBUG,
			"LsaConnectUntrusted: NTSTATUS 0x%08lx; the ticket cache is not read",
			(unsigned long)st);
		return SPN_OK;
	}
	memset(&req, 0, sizeof(req));
	req.MessageType = KerbQueryTicketCacheMessage;
	st = LsaLookupAuthenticationPackage(lsa, &name, &package);
	if (st == 0)
		st = LsaCallAuthenticationPackage(lsa, package, &req,
						  sizeof(req), (PVOID *)&resp,
						  &size, &sub);
	if (st != 0 || sub != 0 || resp == NULL) {
		spn_log(p->ctx, SPN_LOG_DEBUG,
			"the Kerberos ticket cache cannot be read: NTSTATUS 0x%08lx/0x%08lx",
			(unsigned long)st, (unsigned long)sub);
		goto cleanup;
	}
	for (i = 0; i < resp->CountOfTickets; i++) {
		const KERB_TICKET_CACHE_INFO *t = &resp->Tickets[i];
		char *server = narrow(t->ServerName.Buffer,
				      t->ServerName.Length / 2);
		char *realm = narrow(t->RealmName.Buffer,
				     t->RealmName.Length / 2);
		int tgt = server != NULL && realm != NULL &&
			  strncmp(server, "krbtgt/", 7) == 0 &&
			  _stricmp(server + 7, realm) == 0;

		free(server);
		if (server == NULL || realm == NULL) {
			free(realm);
			rc = SPN_E_NOMEM;
			goto cleanup;
		}
		if (!tgt) {
			free(realm);
			continue;
		}
		p->client_realm = realm;
		p->tgt_end = (ULONGLONG)t->EndTime.QuadPart;
		break;
	}
	if (p->client_realm != NULL) {
		char when[64];

		time_text(p->tgt_end, when, sizeof(when));
		spn_log(p->ctx, SPN_LOG_DEBUG,
			"ticket cache: a TGT for realm %s until %s",
			p->client_realm, when);
	} else {
		spn_log(p->ctx, SPN_LOG_DEBUG, "ticket cache: no TGT in it");
	}
cleanup:
	if (resp != NULL)
		LsaFreeReturnBuffer(resp);
	LsaDeregisterLogonProcess(lsa);
	return rc;
}

/* The logged-on user's credentials for the Kerberos and Negotiate
 * packages, an output buffer as large as their largest token, and what the
 * ticket cache says. */
static spn_status setup(spn_prober *p)
{
	SecPkgInfoW *info = NULL;
	SECURITY_STATUS status;
	TimeStamp expiry;
	char why[1200];

	status = QuerySecurityPackageInfoW((SEC_WCHAR *)L"Kerberos", &info);
	if (status != SEC_E_OK) {
		describe(status, why, sizeof(why));
		return probe_setup_fail(&p->fail, SPN_REASON_ERROR, (long)status,
				  "SSPI has no Kerberos package: %s", why);
	}
	p->token_size = info->cbMaxToken;
	FreeContextBuffer(info);
	if (QuerySecurityPackageInfoW((SEC_WCHAR *)L"Negotiate", &info) ==
	    SEC_E_OK) {
		if (info->cbMaxToken > p->token_size)
			p->token_size = info->cbMaxToken;
		FreeContextBuffer(info);
	}
	p->token = malloc(p->token_size);
	if (p->token == NULL)
		return SPN_E_NOMEM;

	status = AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)L"Kerberos",
					   SECPKG_CRED_OUTBOUND, NULL, NULL,
					   NULL, NULL, &p->kerberos, &expiry);
	if (status != SEC_E_OK) {
		const struct sspi_code *c = code_of(status);

		SecInvalidateHandle(&p->kerberos);
		describe(status, why, sizeof(why));
		return probe_setup_fail(&p->fail, c != NULL ? c->reason : SPN_REASON_ERROR,
				  (long)status,
				  "SSPI: no Kerberos credentials for the logged-on user: %s%s",
				  why, p->wine ?
				  " (under Wine: no usable ccache, see KRB5CCNAME)" :
				  "");
	}
	status = AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)L"Negotiate",
					   SECPKG_CRED_OUTBOUND, NULL, NULL,
					   NULL, NULL, &p->negotiate, &expiry);
	p->have_negotiate = status == SEC_E_OK;
	p->negotiate_status = status;
	return read_ticket_cache(p);
}

SPN_EXPORT spn_status spn_prober_new(spn_ctx *ctx,
				     const spn_probe_options *options,
				     spn_prober **prober_out)
{
	spn_prober *p;
	spn_status st;

	if (ctx == NULL || options == NULL || prober_out == NULL)
		return SPN_E_USAGE;
	if (ctx->keytab != NULL)
		return spn_error(ctx, SPN_E_INPUT,
				 "a keytab (%s) cannot be used in the Windows build: SSPI asks for tickets with the logged-on user's credentials",
				 ctx->keytab);
	if (options->aes_only)
		return spn_error(ctx, SPN_E_INPUT,
				 "offering only AES cannot be asked of SSPI: the Windows build offers the enctypes the machine's Kerberos policy allows (Network security: Configure encryption types allowed for Kerberos)");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return SPN_E_NOMEM;
	SecInvalidateHandle(&p->kerberos);
	SecInvalidateHandle(&p->negotiate);
	p->ctx = spn_ctx_ref(ctx);
	p->wine = under_wine();
	if (options->realm != NULL) {
		p->realm = strdup(options->realm);
		if (p->realm == NULL) {
			spn_prober_free(p);
			return SPN_E_NOMEM;
		}
	}
	st = setup(p);
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
	if (SecIsValidHandle(&p->kerberos))
		FreeCredentialsHandle(&p->kerberos);
	if (p->have_negotiate)
		FreeCredentialsHandle(&p->negotiate);
	free(p->token);
	free(p->realm);
	free(p->client_realm);
	probe_setup_clear(&p->fail);
	spn_ctx_unref(p->ctx);
	free(p);
}

/* ------------------------------------------------------------ asking */

/* Start a context with cred for target into p->token: the status, and
 * *ctx_out (to delete) when SSPI took the request. */
static SECURITY_STATUS start_context(spn_prober *p, CredHandle *cred,
				     wchar_t *target, CtxtHandle *ctx_out,
				     unsigned long *token_len)
{
	SecBuffer out = { p->token_size, SECBUFFER_TOKEN, p->token };
	SecBufferDesc desc = { SECBUFFER_VERSION, 1, &out };
	ULONG attrs = 0;
	TimeStamp expiry;
	SECURITY_STATUS status;

	status = InitializeSecurityContextW(cred, NULL, target, ISC_FLAGS, 0,
					    SECURITY_NATIVE_DREP, NULL, 0,
					    ctx_out, &desc, &attrs, &expiry);
	*token_len = started(status) ? out.cbBuffer : 0;
	return status;
}

/* A ticket was issued: report what its token shows. */
static spn_status report_ticket(spn_prober *p, unsigned long token_len,
				spn_probe_result *r)
{
	struct ticket_facts f;
	char etype[64], skey[64], kvno[32];

	spn_probe_result_set_reason(r, SPN_REASON_OK);
	if (read_token(p->token, token_len, &f) != 0) {
		r->etype = strdup("unknown");
		if (r->etype == NULL)
			return SPN_E_NOMEM;
		return spn_probe_result_note(r,
					     "ticket issued; its enctype is unknown: the token SSPI returned is not a Kerberos AP-REQ");
	}
	enctype_text(f.etype, etype, sizeof(etype));
	r->etype = strdup(etype);
	if (r->etype == NULL)
		return SPN_E_NOMEM;
	if (f.realm[0] != '\0') {
		free(r->realm);
		r->realm = strdup(f.realm);
		if (r->realm == NULL)
			return SPN_E_NOMEM;
	}
	if (f.session_etype != 0)
		enctype_text(f.session_etype, skey, sizeof(skey));
	else
		snprintf(skey, sizeof(skey), "unknown");
	if (f.kvno >= 0)
		snprintf(kvno, sizeof(kvno), " (kvno %lld)", f.kvno);
	else
		kvno[0] = '\0';
	return spn_probe_result_note(r, "ticket issued: %s%s, session key %s",
				     etype, kvno, skey);
}

/* The Kerberos package refused: reason, code and SSPI's words. */
static spn_status report_error(spn_prober *p, SECURITY_STATUS status,
			       spn_probe_result *r)
{
	const struct sspi_code *c = code_of(status);
	spn_probe_reason reason = c != NULL ? c->reason : SPN_REASON_ERROR;
	char why[1200], when[64];
	spn_status st;

	describe(status, why, sizeof(why));
	/* a failure that does not say why, with an expired TGT in the cache:
	 * the LSA (or libkrb5 under Wine) could not renew it */
	if (reason == SPN_REASON_ERROR && p->tgt_end != 0 &&
	    p->tgt_end <= now_filetime())
		reason = SPN_REASON_TICKET_EXPIRED;
	spn_probe_result_set_reason(r, reason);
	r->code = (long)status;
	st = spn_probe_result_note(r, "SSPI Kerberos: %s", why);
	if (st == SPN_OK && reason == SPN_REASON_TICKET_EXPIRED &&
	    p->tgt_end != 0) {
		time_text(p->tgt_end, when, sizeof(when));
		st = spn_probe_result_note(r,
					   "the TGT for realm %s in the ticket cache expired at %s",
					   p->client_realm, when);
	}
	if (st == SPN_OK && p->wine && status == SEC_E_INTERNAL_ERROR &&
	    reason == SPN_REASON_ERROR)
		st = spn_probe_result_note(r,
					   "under Wine this code stands for any failed ticket request (an unknown or duplicate SPN, no common enctype, an unreachable KDC, clock skew, another realm): Wine does not pass on the KDC's error; Windows names it");
	return st;
}

/* Ask Negotiate too, and note the package it picks. */
static spn_status ask_negotiate(spn_prober *p, wchar_t *target,
				spn_probe_result *r)
{
	SecPkgContext_NegotiationInfoW info;
	CtxtHandle ctx;
	SECURITY_STATUS status;
	unsigned long len;
	char why[1200], *package;
	spn_status st;

	if (!p->have_negotiate) {
		describe(p->negotiate_status, why, sizeof(why));
		return spn_probe_result_note(r,
					     "Negotiate not asked: no credentials for it (%s)",
					     why);
	}
	status = start_context(p, &p->negotiate, target, &ctx, &len);
	if (!started(status)) {
		describe(status, why, sizeof(why));
		return spn_probe_result_note(r, "Negotiate fails too: %s%s", why,
					     p->wine && status == SEC_E_NO_CREDENTIALS ?
					     " (under Wine NTLM has no credentials to fall back to; Windows would use NTLM)" :
					     "");
	}
	memset(&info, 0, sizeof(info));
	status = QueryContextAttributesW(&ctx, SECPKG_ATTR_NEGOTIATION_INFO,
					 &info);
	if (status == SEC_E_OK && info.PackageInfo != NULL) {
		package = narrow(info.PackageInfo->Name,
				 (int)wcslen(info.PackageInfo->Name));
		FreeContextBuffer(info.PackageInfo);
		st = package != NULL ?
		     spn_probe_result_note(r, "Negotiate picks %s", package) :
		     SPN_E_NOMEM;
		free(package);
	} else {
		describe(status, why, sizeof(why));
		st = spn_probe_result_note(r,
					   "Negotiate starts a context but does not say with which package (%s)",
					   why);
	}
	DeleteSecurityContext(&ctx);
	return st;
}

SPN_EXPORT spn_status spn_prober_ask(spn_prober *p, const char *spn,
				     spn_probe_result *r)
{
	const char *realm;
	wchar_t *target = NULL;
	char *name = NULL;
	CtxtHandle ctx;
	SECURITY_STATUS status;
	unsigned long len;
	size_t n;
	spn_status st;

	if (p == NULL || spn == NULL || r == NULL)
		return SPN_E_USAGE;
	realm = p->realm != NULL ? p->realm : p->client_realm;
	if (realm != NULL && r->realm == NULL) {
		r->realm = strdup(realm);
		if (r->realm == NULL)
			return SPN_E_NOMEM;
	}
	if (p->fail.failed)
		return probe_setup_report(&p->fail, r);
	/* SPN@REALM asks for the service in that realm (--realm) */
	n = strlen(spn) + (p->realm != NULL ? strlen(p->realm) + 1 : 0) + 1;
	name = malloc(n);
	if (name == NULL)
		return SPN_E_NOMEM;
	snprintf(name, n, "%s%s%s", spn, p->realm != NULL ? "@" : "",
		 p->realm != NULL ? p->realm : "");
	target = wide(name);
	if (target == NULL) {
		spn_probe_result_set_reason(r, SPN_REASON_ERROR);
		st = spn_probe_result_note(r,
					   "the SPN is not valid UTF-8 or memory ran out");
		goto cleanup;
	}
	spn_log(p->ctx, SPN_LOG_DEBUG,
		"InitializeSecurityContext(Kerberos) for %s", name);
	r->kdc_asked = 1;
	status = start_context(p, &p->kerberos, target, &ctx, &len);
	spn_log(p->ctx, SPN_LOG_DEBUG, "InitializeSecurityContext: 0x%08lx",
		(unsigned long)status);
	if (started(status)) {
		st = report_ticket(p, len, r);
		DeleteSecurityContext(&ctx);
	} else {
		st = report_error(p, status, r);
	}
	if (st == SPN_OK)
		st = ask_negotiate(p, target, r);
cleanup:
	free(target);
	free(name);
	return st;
}
