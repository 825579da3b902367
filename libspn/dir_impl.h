/* dir_impl.h - what libspn's own files know about a spn_dir. */
#ifndef SPN_DIR_IMPL_H
#define SPN_DIR_IMPL_H

#include <signal.h>
#include <stddef.h>
#include <ldap.h>
#include <krb5.h>
#include <gssapi/gssapi.h>
#include <spn/directory.h>
#include "context_impl.h"

/* Seconds to wait for a TCP connection, and for any one LDAP answer. */
#define SPN_DIR_CONNECT_TIMEOUT 10
#define SPN_DIR_OP_TIMEOUT 60

struct spn_dir {
	spn_ctx *ctx;            /* a reference */
	spn_dir_scope scope;
	LDAP *ld;
	char *uri;
	char *server;            /* host name from the URI bound to */
	char *dns_host_name;     /* the RootDSE's dnsHostName, or NULL */
	char *domain;            /* from defaultNamingContext, lower case */
	char *base_dn;           /* defaultNamingContext */
	char *config_dn;         /* configurationNamingContext */
	char *root_dn;           /* rootDomainNamingContext */
	const char *search_base; /* base_dn, or "" (the forest) on a GC */
	int ssf;
	int lost;                /* the connection broke: never reuse it, as
				    libldap would reconnect without a bind */

	krb5_context kctx;
	krb5_ccache ccache;
	gss_cred_id_t cred;
};

/* "<libldap's text for rc>" followed by ": <diagnostic>" when the server
 * (or SASL) left a diagnostic message on ld. */
void spn_dir_ldap_words(LDAP *ld, int rc, char *buf, size_t size);

/* SPN_E_DIRECTORY when the session's connection was lost earlier, else
 * SPN_OK. After a lost connection libldap would silently open a new,
 * unauthenticated one for the next request. */
spn_status spn_dir_check_session(spn_dir *dir);
/* Note a failed operation: a connection-level failure marks the session
 * lost. */
void spn_dir_note_failure(spn_dir *dir, int rc);

/* libldap writes to its socket with write(2): a connection the server has
 * dropped raises SIGPIPE, which would kill the program. Around each libldap
 * call that may write, SIGPIPE is blocked for the calling thread only and a
 * SIGPIPE raised meanwhile is consumed (the call then fails with
 * LDAP_SERVER_DOWN); the process's signal dispositions are not touched. */
typedef struct spn_sigpipe {
	sigset_t old;
	int was_pending;
} spn_sigpipe;

void spn_sigpipe_block(spn_sigpipe *guard);
void spn_sigpipe_restore(spn_sigpipe *guard);

/* Stream the accounts a subtree search of the scope's base finds with
 * filter, as spn_dir_scan_accounts does, asking for attrs (NULL: the
 * attributes an account is made of). An attribute that arrives in ranges
 * ("servicePrincipalName;range=0-1499", as a Windows DC sends a large one
 * unasked) is completed with range retrieval. *found_out (may be NULL) is
 * the number of accounts handed to fn. */
spn_status spn_dir_search_accounts(spn_dir *dir, const char *what,
				   const char *filter, char **attrs,
				   spn_account_fn fn, void *userdata,
				   unsigned long *found_out);

/* The DNS domain a DN names ("DC=corp,DC=test" -> "corp.test"), or NULL
 * when it has no DC= components or on no memory. Caller frees. */
char *spn_dn_to_domain(const char *dn);

#endif
