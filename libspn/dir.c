/* dir.c - open a GSSAPI-bound LDAP session to a DC or GC; the RootDSE. */
#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gssapi/gssapi_krb5.h>
#include <sasl/sasl.h>

#include "creds.h"
#include "dir_impl.h"
#include "discover.h"

#define PAGED_RESULTS_OID "1.2.840.113556.1.4.319"
#define GC_PORT 3268
#define GC_TLS_PORT 3269

/* What the SASL interaction callback needs. */
struct bind_state {
	gss_cred_id_t cred;
	int creds_set;     /* LDAP_OPT_X_SASL_GSS_CREDS was accepted */
	int creds_refused; /* ... or refused */
};

/* The RootDSE facts a session keeps. */
struct rootdse {
	char *default_nc;
	char *config_nc;
	char *root_nc;
	char *dns_host_name;
};

struct candidate {
	char *uri;
	char *host;
};

void spn_dir_ldap_words(LDAP *ld, int rc, char *buf, size_t size)
{
	char *diag = NULL;

	if (ld != NULL)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag != NULL && diag[0] != '\0')
		snprintf(buf, size, "%s: %s", ldap_err2string(rc), diag);
	else
		snprintf(buf, size, "%s", ldap_err2string(rc));
	ldap_memfree(diag);
}

void spn_sigpipe_block(spn_sigpipe *guard)
{
	sigset_t pipe_set, pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &guard->old);
	/* One can only be pending already if it was blocked before. */
	guard->was_pending = sigismember(&guard->old, SIGPIPE) &&
			     sigpending(&pending) == 0 &&
			     sigismember(&pending, SIGPIPE);
}

void spn_sigpipe_restore(spn_sigpipe *guard)
{
	sigset_t pipe_set, pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (!guard->was_pending && sigpending(&pending) == 0 &&
	    sigismember(&pending, SIGPIPE)) {
		struct timespec zero = { 0, 0 };

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &guard->old, NULL);
}

spn_status spn_dir_check_session(spn_dir *dir)
{
	if (!dir->lost)
		return SPN_OK;
	spn_error(dir->ctx, SPN_E_DIRECTORY,
		  "the connection to %s was lost earlier; open a new session",
		  dir->server);
	spn_error_set_ldap(dir->ctx, LDAP_SERVER_DOWN);
	return SPN_E_DIRECTORY;
}

void spn_dir_note_failure(spn_dir *dir, int rc)
{
	if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR ||
	    rc == LDAP_ENCODING_ERROR || rc == LDAP_DECODING_ERROR)
		dir->lost = 1;
}

char *spn_dn_to_domain(const char *dn)
{
	LDAPDN parsed = NULL;
	size_t len = 0, off = 0, i;
	char *out = NULL;

	if (dn == NULL || ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) !=
			  LDAP_SUCCESS || parsed == NULL)
		return NULL;
	for (i = 0; parsed[i] != NULL; i++) {
		LDAPAVA *ava = parsed[i][0];

		if (ava != NULL && ava->la_attr.bv_len == 2 &&
		    strncasecmp(ava->la_attr.bv_val, "DC", 2) == 0)
			len += ava->la_value.bv_len + 1;
	}
	if (len == 0)
		goto cleanup;
	out = malloc(len);
	if (out == NULL)
		goto cleanup;
	for (i = 0; parsed[i] != NULL; i++) {
		LDAPAVA *ava = parsed[i][0];
		size_t j;

		if (ava == NULL || ava->la_attr.bv_len != 2 ||
		    strncasecmp(ava->la_attr.bv_val, "DC", 2) != 0)
			continue;
		if (off > 0)
			out[off++] = '.';
		for (j = 0; j < ava->la_value.bv_len; j++)
			out[off++] = (char)tolower(
				(unsigned char)ava->la_value.bv_val[j]);
	}
	out[off] = '\0';
cleanup:
	ldap_dnfree(parsed);
	return out;
}

/* GSS-API's words for a major/minor status pair. */
static void gss_words(OM_uint32 major, OM_uint32 minor, char *buf,
		      size_t size)
{
	OM_uint32 ctx_major = 0, ctx_minor = 0, dummy;
	gss_buffer_desc text;
	size_t off = 0;

	buf[0] = '\0';
	do {
		if (GSS_ERROR(gss_display_status(&dummy, major, GSS_C_GSS_CODE,
						 GSS_C_NO_OID, &ctx_major, &text)))
			break;
		off += (size_t)snprintf(buf + off, size - off, "%s%.*s",
					off > 0 ? "; " : "", (int)text.length,
					(const char *)text.value);
		gss_release_buffer(&dummy, &text);
	} while (ctx_major != 0 && off < size);
	do {
		if (off >= size || minor == 0 ||
		    GSS_ERROR(gss_display_status(&dummy, minor, GSS_C_MECH_CODE,
						 GSS_C_NO_OID, &ctx_minor, &text)))
			break;
		off += (size_t)snprintf(buf + off, size - off, " (%.*s)",
					(int)text.length,
					(const char *)text.value);
		gss_release_buffer(&dummy, &text);
	} while (ctx_minor != 0);
}

/* Hand our credentials to the SASL GSSAPI mechanism, and answer its
 * prompts (the authorization identity) with their defaults: nothing. The
 * credentials can only be set once the SASL context exists, which is
 * when the mechanism first asks for something. */
static int interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	struct bind_state *bs = defaults;
	sasl_interact_t *prompt;

	(void)flags;
	if (!bs->creds_set) {
		if (ldap_set_option(ld, LDAP_OPT_X_SASL_GSS_CREDS,
				    (void *)bs->cred) != LDAP_OPT_SUCCESS) {
			bs->creds_refused = 1;
			return LDAP_LOCAL_ERROR;
		}
		bs->creds_set = 1;
	}
	for (prompt = in; prompt != NULL && prompt->id != SASL_CB_LIST_END;
	     prompt++) {
		prompt->result = prompt->defresult != NULL ? prompt->defresult : "";
		prompt->len = (unsigned)strlen(prompt->result);
	}
	return LDAP_SUCCESS;
}

static void rootdse_clear(struct rootdse *r)
{
	free(r->default_nc);
	free(r->config_nc);
	free(r->root_nc);
	free(r->dns_host_name);
	memset(r, 0, sizeof(*r));
}

static char *first_value(LDAP *ld, LDAPMessage *entry, const char *attr,
			 int *nomem)
{
	struct berval **vals = ldap_get_values_len(ld, entry, attr);
	char *out = NULL;

	if (vals != NULL && vals[0] != NULL) {
		out = strndup(vals[0]->bv_val, vals[0]->bv_len);
		if (out == NULL)
			*nomem = 1;
	}
	ldap_value_free_len(vals);
	return out;
}

/* Read the RootDSE; a DC that cannot page results is refused. Returns an
 * LDAP code (LDAP_SUCCESS) and fills why on failure. */
static int read_rootdse(LDAP *ld, struct rootdse *r, char *why, size_t size)
{
	char *attrs[] = { "defaultNamingContext", "configurationNamingContext",
			  "rootDomainNamingContext", "dnsHostName",
			  "supportedControl", NULL };
	struct timeval tv = { SPN_DIR_OP_TIMEOUT, 0 };
	struct berval **ctrls = NULL;
	LDAPMessage *res = NULL, *entry;
	int rc, nomem = 0, paged = 0;
	size_t i;

	rc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
			       attrs, 0, NULL, NULL, &tv, 1, &res);
	if (rc != LDAP_SUCCESS) {
		char words[400];

		spn_dir_ldap_words(ld, rc, words, sizeof(words));
		snprintf(why, size, "reading the RootDSE: %s", words);
		goto cleanup;
	}
	entry = ldap_first_entry(ld, res);
	if (entry == NULL) {
		rc = LDAP_NO_RESULTS_RETURNED;
		snprintf(why, size, "the RootDSE is empty");
		goto cleanup;
	}
	r->default_nc = first_value(ld, entry, "defaultNamingContext", &nomem);
	r->config_nc = first_value(ld, entry, "configurationNamingContext",
				   &nomem);
	r->root_nc = first_value(ld, entry, "rootDomainNamingContext", &nomem);
	r->dns_host_name = first_value(ld, entry, "dnsHostName", &nomem);
	if (nomem) {
		rc = LDAP_NO_MEMORY;
		snprintf(why, size, "out of memory reading the RootDSE");
		goto cleanup;
	}
	if (r->default_nc == NULL || r->config_nc == NULL) {
		rc = LDAP_NO_SUCH_ATTRIBUTE;
		snprintf(why, size,
			 "the RootDSE has no defaultNamingContext or configurationNamingContext: not an Active Directory DC");
		goto cleanup;
	}
	ctrls = ldap_get_values_len(ld, entry, "supportedControl");
	for (i = 0; ctrls != NULL && ctrls[i] != NULL; i++) {
		if (ctrls[i]->bv_len == strlen(PAGED_RESULTS_OID) &&
		    memcmp(ctrls[i]->bv_val, PAGED_RESULTS_OID,
			   ctrls[i]->bv_len) == 0)
			paged = 1;
	}
	if (!paged) {
		rc = LDAP_UNAVAILABLE_CRITICAL_EXTENSION;
		snprintf(why, size,
			 "the server does not support the paged results control (%s), which a complete scan needs",
			 PAGED_RESULTS_OID);
		goto cleanup;
	}
	if (r->root_nc == NULL) {
		r->root_nc = strdup(r->default_nc);
		if (r->root_nc == NULL) {
			rc = LDAP_NO_MEMORY;
			snprintf(why, size, "out of memory reading the RootDSE");
			goto cleanup;
		}
	}
cleanup:
	ldap_value_free_len(ctrls);
	ldap_msgfree(res);
	if (rc != LDAP_SUCCESS)
		rootdse_clear(r);
	return rc;
}

static int set_options(LDAP *ld, const char *uri, char *why, size_t size)
{
	struct timeval net = { SPN_DIR_CONNECT_TIMEOUT, 0 };
	struct timeval op = { SPN_DIR_OP_TIMEOUT, 0 };
	int version = LDAP_VERSION3;
	const char *secprops = strncasecmp(uri, "ldaps://", 8) == 0 ?
			       "minssf=0" : "minssf=1";

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) !=
		    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) !=
		    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) !=
		    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net) !=
		    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, secprops) !=
		    LDAP_OPT_SUCCESS) {
		snprintf(why, size, "libldap refused a connection option");
		return LDAP_LOCAL_ERROR;
	}
	return LDAP_SUCCESS;
}

/* Connect to uri and bind. Returns an LDAP code; on success *ld_out is the
 * bound session, the RootDSE is read and *ssf_out set. */
static int try_one(spn_dir *dir, const char *uri, LDAP **ld_out,
		   int *ssf_out, struct rootdse *r, char *why, size_t size)
{
	struct bind_state bs = { dir->cred, 0, 0 };
	spn_sigpipe guard;
	ber_len_t ssf = 0;
	LDAP *ld = NULL;
	int rc, tls = strncasecmp(uri, "ldaps://", 8) == 0;

	spn_sigpipe_block(&guard);
	rc = ldap_initialize(&ld, uri);
	if (rc != LDAP_SUCCESS) {
		snprintf(why, size, "%s", ldap_err2string(rc));
		goto cleanup;
	}
	rc = set_options(ld, uri, why, size);
	if (rc != LDAP_SUCCESS)
		goto cleanup;
	/* Connect first, so that a failure in the bind can be told from a
	 * server that cannot be reached. */
	rc = ldap_connect(ld);
	if (rc != LDAP_SUCCESS) {
		spn_dir_ldap_words(ld, rc, why, size);
		goto cleanup;
	}
	spn_log(dir->ctx, SPN_LOG_DEBUG, "SASL GSSAPI bind to %s", uri);
	rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL,
					  LDAP_SASL_QUIET, interact, &bs);
	if (rc != LDAP_SUCCESS && bs.creds_refused) {
		snprintf(why, size,
			 "libldap refused this context's Kerberos credentials (LDAP_OPT_X_SASL_GSS_CREDS)");
		goto cleanup;
	}
	if (rc == LDAP_SERVER_DOWN || rc == LDAP_DECODING_ERROR ||
	    rc == LDAP_PARAM_ERROR) {
		/* libldap's words for a peer that answers bytes that are not
		 * LDAP ("Can't contact LDAP server", "Bad parameter to an
		 * ldap routine") would send the admin after the network. */
		char words[256];

		spn_dir_ldap_words(ld, rc, words, sizeof(words));
		snprintf(why, size,
			 "connected, but the answer to the SASL GSSAPI bind was not LDAP or the connection was closed (%s)",
			 words);
		goto cleanup;
	}
	if (rc == LDAP_TIMEOUT) {
		snprintf(why, size,
			 "connected, but no answer to the SASL GSSAPI bind within %d seconds",
			 SPN_DIR_OP_TIMEOUT);
		goto cleanup;
	}
	if (rc != LDAP_SUCCESS) {
		spn_dir_ldap_words(ld, rc, why, size);
		goto cleanup;
	}
	if (!bs.creds_set) {
		/* The bind would have used whatever the environment points
		 * at rather than this context's credentials. */
		rc = LDAP_LOCAL_ERROR;
		snprintf(why, size,
			 "libldap bound without taking this context's Kerberos credentials (LDAP_OPT_X_SASL_GSS_CREDS)");
		goto cleanup;
	}
	if (ldap_get_option(ld, LDAP_OPT_X_SASL_SSF, &ssf) != LDAP_OPT_SUCCESS)
		ssf = 0;
	if (!tls && ssf < 1) {
		rc = LDAP_CONFIDENTIALITY_REQUIRED;
		snprintf(why, size,
			 "the session has no SASL integrity protection (SSF %lu)",
			 (unsigned long)ssf);
		goto cleanup;
	}
	rc = read_rootdse(ld, r, why, size);
	if (rc != LDAP_SUCCESS)
		goto cleanup;
	*ld_out = ld;
	*ssf_out = (int)ssf;
	ld = NULL;
cleanup:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	spn_sigpipe_restore(&guard);
	return rc;
}

static void candidates_free(struct candidate *c, size_t n)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(c[i].uri);
		free(c[i].host);
	}
	free(c);
}

/* Does the URI name a port after its host? */
static int uri_has_port(const char *uri)
{
	const char *p = strstr(uri, "://");
	const char *end;
	size_t len;

	p = p != NULL ? p + 3 : uri;
	len = strcspn(p, "/?");
	end = p + len;
	if (*p == '[') {
		const char *rb = memchr(p, ']', len);

		return rb != NULL && rb + 1 < end && rb[1] == ':';
	}
	return memchr(p, ':', len) != NULL;
}

/* The context's URI as the one candidate (GC port added in forest scope
 * when the URI names none). */
static spn_status uri_candidate(spn_dir *dir, struct candidate **c_out,
				size_t *n_out)
{
	spn_ctx *ctx = dir->ctx;
	struct candidate *c = NULL;
	LDAPURLDesc *lud = NULL;
	spn_status st = SPN_OK;
	int tls = strncasecmp(ctx->uri, "ldaps://", 8) == 0;

	if (ldap_url_parse(ctx->uri, &lud) != LDAP_URL_SUCCESS ||
	    lud->lud_host == NULL || lud->lud_host[0] == '\0') {
		st = spn_error(ctx, SPN_E_USAGE,
			       "URI '%s' is not an LDAP URI with a host name",
			       ctx->uri);
		goto cleanup;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	c->host = strdup(lud->lud_host);
	if (dir->scope == SPN_SCOPE_FOREST && !uri_has_port(ctx->uri)) {
		const char *host = lud->lud_host;
		int v6 = strchr(host, ':') != NULL;

		if (asprintf(&c->uri, "%s://%s%s%s:%d", tls ? "ldaps" : "ldap",
			     v6 ? "[" : "", host, v6 ? "]" : "",
			     tls ? GC_TLS_PORT : GC_PORT) < 0)
			c->uri = NULL;
	} else {
		c->uri = strdup(ctx->uri);
	}
	if (c->host == NULL || c->uri == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	*c_out = c;
	*n_out = 1;
	c = NULL;
cleanup:
	candidates_free(c, 1);
	if (lud != NULL)
		ldap_free_urldesc(lud);
	return st;
}

/* The DCs (or GCs) of the domain from DNS, in RFC 2782 order. */
static spn_status srv_candidates(spn_dir *dir, struct candidate **c_out,
				 size_t *n_out)
{
	spn_ctx *ctx = dir->ctx;
	struct candidate *c = NULL;
	spn_srv *srv = NULL;
	size_t n = 0, i;
	const char *domain;
	char qname[1100];
	spn_status st;

	st = spn_discover_domain(ctx, &domain);
	if (st != SPN_OK)
		goto cleanup;
	snprintf(qname, sizeof(qname),
		 dir->scope == SPN_SCOPE_FOREST ? "_gc._tcp.%s" :
		 "_ldap._tcp.dc._msdcs.%s", domain);
	st = spn_srv_discover(ctx, qname, &srv, &n);
	if (st != SPN_OK)
		goto cleanup;
	c = calloc(n, sizeof(*c));
	if (c == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		c[i].host = strdup(srv[i].target);
		if (asprintf(&c[i].uri, "ldap://%s:%u", srv[i].target,
			     srv[i].port) < 0)
			c[i].uri = NULL;
		if (c[i].host == NULL || c[i].uri == NULL) {
			st = SPN_E_NOMEM;
			goto cleanup;
		}
	}
	*c_out = c;
	*n_out = n;
	c = NULL;
cleanup:
	candidates_free(c, n);
	spn_srv_free(srv, n);
	return st;
}

/* Take the RootDSE facts into dir. */
static spn_status adopt(spn_dir *dir, struct rootdse *r)
{
	spn_ctx *ctx = dir->ctx;

	dir->base_dn = r->default_nc;
	dir->config_dn = r->config_nc;
	dir->root_dn = r->root_nc;
	dir->dns_host_name = r->dns_host_name;
	memset(r, 0, sizeof(*r));
	dir->search_base = dir->scope == SPN_SCOPE_FOREST ? "" : dir->base_dn;
	dir->domain = spn_dn_to_domain(dir->base_dn);
	if (dir->domain == NULL)
		return spn_error(ctx, SPN_E_DIRECTORY,
				 "defaultNamingContext '%s' of %s names no DNS domain",
				 dir->base_dn, dir->server);
	if (spn_ctx_get_domain(ctx) == NULL)
		return spn_ctx_store_domain(ctx, dir->domain);
	if (strcasecmp(spn_ctx_get_domain(ctx), dir->domain) != 0)
		spn_log(ctx, SPN_LOG_INFO,
			"%s serves the domain %s, not %s", dir->server,
			dir->domain, spn_ctx_get_domain(ctx));
	return SPN_OK;
}

/* Try each candidate in order until one binds. */
static spn_status bind_any(spn_dir *dir, struct candidate *c, size_t n)
{
	spn_ctx *ctx = dir->ctx;
	struct rootdse r = { NULL, NULL, NULL, NULL };
	char failures[900];
	size_t off = 0, i;
	int last_rc = LDAP_SUCCESS;

	failures[0] = '\0';
	for (i = 0; i < n; i++) {
		char why[512];
		int rc;

		why[0] = '\0';
		rc = try_one(dir, c[i].uri, &dir->ld, &dir->ssf, &r, why,
			     sizeof(why));
		if (rc == LDAP_SUCCESS) {
			dir->uri = c[i].uri;
			dir->server = c[i].host;
			c[i].uri = NULL;
			c[i].host = NULL;
			spn_log(ctx, SPN_LOG_INFO,
				"bound to %s (%s) with SASL GSSAPI, SSF %d%s",
				dir->server, dir->uri, dir->ssf,
				strncasecmp(dir->uri, "ldaps://", 8) == 0 ?
				" inside TLS" : "");
			return adopt(dir, &r);
		}
		last_rc = rc;
		spn_log(ctx, SPN_LOG_INFO, "%s (%s): %s%s", c[i].host, c[i].uri,
			why, i + 1 < n ? "; trying the next" : "");
		if (off < sizeof(failures))
			off += (size_t)snprintf(failures + off,
						sizeof(failures) - off,
						"%s%s: %s", off > 0 ? "; " : "",
						c[i].uri, why);
	}
	spn_error(ctx, SPN_E_DIRECTORY, "cannot use any %s%s%s: %s",
		  dir->scope == SPN_SCOPE_FOREST ? "global catalog" : "DC",
		  spn_ctx_get_domain(ctx) != NULL ? " of " : "",
		  spn_ctx_get_domain(ctx) != NULL ? spn_ctx_get_domain(ctx) : "",
		  failures);
	spn_error_set_ldap(ctx, last_rc);
	return SPN_E_DIRECTORY;
}

SPN_EXPORT void spn_dir_close(spn_dir *dir)
{
	OM_uint32 minor;

	if (dir == NULL)
		return;
	if (dir->ld != NULL) {
		spn_sigpipe guard;

		spn_sigpipe_block(&guard);
		ldap_unbind_ext_s(dir->ld, NULL, NULL);
		spn_sigpipe_restore(&guard);
	}
	if (dir->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &dir->cred);
	if (dir->ccache != NULL)
		krb5_cc_close(dir->kctx, dir->ccache);
	if (dir->kctx != NULL)
		krb5_free_context(dir->kctx);
	free(dir->uri);
	free(dir->server);
	free(dir->dns_host_name);
	free(dir->domain);
	free(dir->base_dn);
	free(dir->config_dn);
	free(dir->root_dn);
	spn_ctx_unref(dir->ctx);
	free(dir);
}

SPN_EXPORT spn_status spn_dir_open(spn_ctx *ctx, spn_dir_scope scope,
				   spn_dir **dir_out)
{
	spn_status st = SPN_OK;
	spn_dir *dir = NULL;
	struct candidate *c = NULL;
	size_t n = 0;
	OM_uint32 major, minor;
	char *who = NULL;

	if (ctx == NULL || dir_out == NULL)
		return SPN_E_USAGE;
	if (scope != SPN_SCOPE_DOMAIN && scope != SPN_SCOPE_FOREST)
		return spn_error(ctx, SPN_E_USAGE, "scope %d is neither domain nor forest",
				 (int)scope);
	dir = calloc(1, sizeof(*dir));
	if (dir == NULL)
		return SPN_E_NOMEM;
	dir->ctx = spn_ctx_ref(ctx);
	dir->scope = scope;
	dir->cred = GSS_C_NO_CREDENTIAL;
	st = spn_creds_open(ctx, &dir->kctx, &dir->ccache);
	if (st != SPN_OK)
		goto cleanup;
	if (spn_creds_principal(ctx, dir->kctx, dir->ccache, &who) == SPN_OK)
		spn_log(ctx, SPN_LOG_INFO, "Kerberos identity %s", who);
	major = gss_krb5_import_cred(&minor, dir->ccache, NULL, NULL,
				     &dir->cred);
	if (GSS_ERROR(major)) {
		char words[512];

		gss_words(major, minor, words, sizeof(words));
		st = spn_error(ctx, SPN_E_KERBEROS,
			       "cannot use the Kerberos credentials for LDAP: %s",
			       words);
		spn_error_set_krb5(ctx, (long)minor);
		goto cleanup;
	}
	if (ctx->uri != NULL)
		st = uri_candidate(dir, &c, &n);
	else
		st = srv_candidates(dir, &c, &n);
	if (st != SPN_OK)
		goto cleanup;
	st = bind_any(dir, c, n);
	if (st != SPN_OK)
		goto cleanup;
	spn_log(ctx, SPN_LOG_INFO,
		"%s: defaultNamingContext %s, rootDomainNamingContext %s, dnsHostName %s",
		dir->server, dir->base_dn, dir->root_dn,
		dir->dns_host_name != NULL ? dir->dns_host_name : "(none)");
	*dir_out = dir;
	dir = NULL;
cleanup:
	free(who);
	candidates_free(c, n);
	spn_dir_close(dir);
	return st;
}

SPN_EXPORT const char *spn_dir_server(const spn_dir *dir)
{
	return dir != NULL ? dir->server : NULL;
}

SPN_EXPORT const char *spn_dir_uri(const spn_dir *dir)
{
	return dir != NULL ? dir->uri : NULL;
}

SPN_EXPORT const char *spn_dir_domain(const spn_dir *dir)
{
	return dir != NULL ? dir->domain : NULL;
}

SPN_EXPORT const char *spn_dir_base_dn(const spn_dir *dir)
{
	return dir != NULL ? dir->base_dn : NULL;
}

SPN_EXPORT const char *spn_dir_config_dn(const spn_dir *dir)
{
	return dir != NULL ? dir->config_dn : NULL;
}

SPN_EXPORT const char *spn_dir_root_dn(const spn_dir *dir)
{
	return dir != NULL ? dir->root_dn : NULL;
}

SPN_EXPORT spn_dir_scope spn_dir_get_scope(const spn_dir *dir)
{
	return dir != NULL ? dir->scope : SPN_SCOPE_DOMAIN;
}

SPN_EXPORT int spn_dir_ssf(const spn_dir *dir)
{
	return dir != NULL ? dir->ssf : 0;
}
