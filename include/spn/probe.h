/* spn/probe.h - krbprobe's model: a target as a person typed it, the rules a
 * Windows client applies to turn it into an SPN, and what the KDC answered.
 *
 * Three layers, so that a Windows build can replace only the last one:
 *  - targets and client rules (spn_target_*): plain C, no Kerberos library;
 *  - results (spn_probe_result_*): verdicts, reasons, details;
 *  - the ticket request (spn_prober_*): one implementation per platform
 *    (libkrb5 here; SSPI on Windows), same functions, same result. */
#ifndef SPN_PROBE_H
#define SPN_PROBE_H

#include <stddef.h>
#include <spn/status.h>
#include <spn/context.h>
#include <spn/name.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__MINGW32__)
/* mingw-w64 with C99 printf (__USE_MINGW_ANSI_STDIO, as the library is built) */
#define SPN_PROBE_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__) || defined(__clang__)
#define SPN_PROBE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SPN_PROBE_PRINTF(a, b)
#endif

/* Longest target text accepted, in bytes. */
#define SPN_TARGET_MAX 1024

typedef enum spn_target_kind {
	SPN_TARGET_SPN = 0,    /* cifs/fs1.corp.example, MSSQLSvc/sql1:1433 */
	SPN_TARGET_HOST,       /* fs1, fs1.corp.example, 192.0.2.5, 2001:db8::5 */
	SPN_TARGET_HOST_PORT,  /* sql1:1433, [2001:db8::5]:1433 (--service) */
	SPN_TARGET_UNC,        /* \\fs1\share, //fs1/share, \\?\UNC\fs1\share */
	SPN_TARGET_URL,        /* https://portal/, ldap://dc1/ */
} spn_target_kind;

/* One target, parsed. The SPN a client requests before any rule is applied
 * is service_class "/" host suffix. */
typedef struct spn_target {
	spn_target_kind kind;
	char *text;           /* as given */
	char *service_class;  /* "cifs", "HTTP", "MSSQLSvc", ... */
	char *host;           /* as typed: no brackets, no trailing dot */
	char *suffix;         /* what follows the host in the SPN (":1433",
				 ":SQLPROD/x"), "" when nothing */
	spn_host_kind host_kind;
	char *note;           /* what parsing dropped or translated (a URL
				 port, a WebDAV UNC), or NULL */
} spn_target;

/* Parse one target. service_class applies to host and host:port targets
 * (NULL: "cifs" for a host, an error for host:port); a UNC path means cifs
 * (HTTP for a WebDAV path such as \\host@SSL\dir), a URL means its scheme's
 * class (http, https: HTTP; ldap, ldaps: ldap; smb: cifs). Bad input is
 * SPN_E_INPUT with a one-line error on ctx naming the target. */
spn_status spn_target_parse(spn_ctx *ctx, const char *text,
			    const char *service_class,
			    spn_target **target_out);
void spn_target_free(spn_target *target);
const char *spn_target_kind_name(spn_target_kind kind);

/* A service class as --service takes it: letters, digits, '-', '_', '.'. */
int spn_service_class_valid(const char *service_class);

/* What the probe is asked to do. */
typedef struct spn_probe_options {
	const char *realm;    /* service principals' realm; NULL: the client
				 principal's realm */
	int try_ip_spn;       /* request IP SPNs (TryIPSPN) */
	int canonicalize;     /* follow CNAMEs before building the SPN */
	int aes_only;         /* offer only AES enctypes in TGS requests */
} spn_probe_options;

typedef enum spn_verdict {
	SPN_VERDICT_KERBEROS = 0,  /* a client gets a ticket */
	SPN_VERDICT_NTLM,          /* a client falls back to NTLM */
	SPN_VERDICT_ERROR,         /* the probe itself could not be made */
} spn_verdict;

typedef enum spn_probe_reason {
	SPN_REASON_OK = 0,              /* ticket issued */
	SPN_REASON_IP_TARGET,           /* IP address, no TryIPSPN: no request */
	SPN_REASON_SPN_NOT_FOUND,       /* KDC: unknown; directory: no holder */
	SPN_REASON_DUPLICATE_SPN,       /* KDC: unknown; directory: 2+ holders */
	SPN_REASON_SPN_UNKNOWN_TO_KDC,  /* KDC: unknown; directory not asked,
					   unreachable, or shows one holder */
	SPN_REASON_ETYPE_UNSUPPORTED,   /* KDC_ERR_ETYPE_NOSUPP */
	SPN_REASON_WRONG_REALM,         /* no path to the service's realm */
	SPN_REASON_POLICY,              /* KDC refused by policy */
	SPN_REASON_KDC_UNREACHABLE,     /* no KDC answered */
	SPN_REASON_CLOCK_SKEW,          /* KRB_AP_ERR_SKEW */
	SPN_REASON_NO_CREDENTIALS,      /* no ccache, no TGT, keytab unusable */
	SPN_REASON_TICKET_EXPIRED,      /* the TGT has expired */
	SPN_REASON_ERROR,               /* anything else */
} spn_probe_reason;

#define SPN_REASON_COUNT (SPN_REASON_ERROR + 1)

/* Which client rule decided the SPN (or that none is requested). */
typedef enum spn_client_rule {
	SPN_RULE_AS_TYPED = 0,   /* FQDN or SPN requested as typed */
	SPN_RULE_SHORT_NAME,     /* short name requested as typed */
	SPN_RULE_CANONICALIZED,  /* CNAME followed (--canonicalize) */
	SPN_RULE_IP_NTLM,        /* IP address: NTLM, no ticket requested */
	SPN_RULE_IP_SPN,         /* IP address requested as an SPN (TryIPSPN) */
} spn_client_rule;

typedef struct spn_probe_result {
	spn_verdict verdict;
	spn_probe_reason reason;
	spn_client_rule rule;
	char *spn;      /* the SPN requested; NULL when none was */
	char *realm;    /* the service principal's realm; NULL when unknown */
	char *etype;    /* the service ticket's enctype; NULL without one */
	char *detail;   /* notes and the server's own words, "; " between */
	long code;      /* the backend's raw error code (krb5_error_code), 0 */
	int kdc_asked;  /* a request reached the backend */
} spn_probe_result;

/* A zeroed result (verdict error, reason error until set). */
void spn_probe_result_init(spn_probe_result *result);
/* Free the strings and zero the result again. */
void spn_probe_result_clear(spn_probe_result *result);
/* Set the reason and the verdict that follows from it. */
void spn_probe_result_set_reason(spn_probe_result *result,
				 spn_probe_reason reason);
/* Append one note to the detail ("; " between notes). */
spn_status spn_probe_result_note(spn_probe_result *result, const char *fmt,
				 ...) SPN_PROBE_PRINTF(2, 3);
/* After SPN_REASON_SPN_UNKNOWN_TO_KDC: the accounts the directory says hold
 * the SPN (sAMAccountName or DN). None: spn-not-found; two or more:
 * duplicate-spn, naming them; one: stays spn-unknown-to-kdc, naming it. */
spn_status spn_probe_result_owners(spn_probe_result *result,
				   const char *const *owners, size_t n_owners);

const char *spn_verdict_name(spn_verdict verdict);
const char *spn_probe_reason_name(spn_probe_reason reason);
spn_verdict spn_probe_reason_verdict(spn_probe_reason reason);
const char *spn_client_rule_name(spn_client_rule rule);

/* The client rules: set result->rule and result->spn and note what the rule
 * did. *ask_out is 1 when the SPN is to be requested from the KDC, 0 when
 * the rules already decided (an IP target: verdict ntlm, ip-target). Looks
 * names up in DNS (getaddrinfo) for a short name (to note its FQDN) and
 * with options->canonicalize. Safe to call from several threads. */
spn_status spn_target_plan(const spn_target *target,
			   const spn_probe_options *options,
			   spn_probe_result *result, int *ask_out);

/* After the KDC did not know result->spn: when the target's host is an
 * FQDN that DNS names differently (a CNAME), note the canonical name, which
 * a client that follows CNAMEs (--canonicalize, browsers) would request
 * instead. Does nothing for other targets or with options->canonicalize. */
spn_status spn_target_note_alias(const spn_target *target,
				 const spn_probe_options *options,
				 spn_probe_result *result);

/* The ticket request. One prober per thread; a prober is not thread-safe.
 * spn_prober_new reads ctx (credentials: the default ccache or the
 * context's keytab) and must not run concurrently with other uses of ctx;
 * spn_prober_ask does not touch ctx except to log. */
typedef struct spn_prober spn_prober;

/* A prober whose credentials could not be set up is still returned: each
 * ask then reports why (no-credentials, ticket-expired, ...). Fails only on
 * bad arguments or no memory. */
spn_status spn_prober_new(spn_ctx *ctx, const spn_probe_options *options,
			  spn_prober **prober_out);
void spn_prober_free(spn_prober *prober);
/* Request a service ticket for spn without storing it anywhere and fill
 * result: realm, reason and verdict, etype, code, and the server's own words
 * in detail. A KDC refusal is a result, not a failure: this returns an error
 * only for bad arguments or no memory. */
spn_status spn_prober_ask(spn_prober *prober, const char *spn,
			  spn_probe_result *result);

#ifdef __cplusplus
}
#endif

#endif
