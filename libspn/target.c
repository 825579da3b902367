/* target.c - krbprobe targets (SPN, host, host:port, UNC path, URL), the
 * Windows client rules that turn one into an SPN, and probe results. Plain C:
 * no Kerberos library, so the Windows (SSPI) build shares it. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>
#endif

#include <spn/probe.h>
#include "context_impl.h"
#include "fold.h"

/* Shown in error messages: enough of a target to recognise it. */
#define QUOTE_MAX 200

#define WEBDAV_NOTE "WebDAV path: the WebClient redirector asks for an HTTP ticket"
#define IPV6_LITERAL_SUFFIX ".ipv6-literal.net"

static char *dup_len(const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy != NULL) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

static int prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++)
		if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
			return 0;
	return 1;
}

static int suffix_ci(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && prefix_ci(s + len - n, suffix);
}

static int all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

/* A TCP port: 1..65535 in decimal, at most 5 digits. */
static int port_valid(const char *s, size_t len)
{
	unsigned long value = 0;
	size_t i;

	if (!all_digits(s, len) || len > 5)
		return 0;
	for (i = 0; i < len; i++)
		value = value * 10 + (unsigned long)(s[i] - '0');
	return value >= 1 && value <= 65535;
}

SPN_EXPORT int spn_service_class_valid(const char *service_class)
{
	const char *p;

	if (service_class == NULL || service_class[0] == '\0' ||
	    strlen(service_class) > 64)
		return 0;
	for (p = service_class; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '.')
			return 0;
	return 1;
}

SPN_EXPORT const char *spn_target_kind_name(spn_target_kind kind)
{
	switch (kind) {
	case SPN_TARGET_SPN: return "spn";
	case SPN_TARGET_HOST: return "host";
	case SPN_TARGET_HOST_PORT: return "host:port";
	case SPN_TARGET_UNC: return "unc";
	case SPN_TARGET_URL: return "url";
	}
	return "unknown";
}

SPN_EXPORT void spn_target_free(spn_target *target)
{
	if (target == NULL)
		return;
	free(target->text);
	free(target->service_class);
	free(target->host);
	free(target->suffix);
	free(target->note);
	free(target);
}

/* Why the bytes of a target cannot be one: control characters (C0, DEL,
 * C1) and invalid UTF-8 never are. NULL when they are fine. */
static const char *check_bytes(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = spn_utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return "is not valid UTF-8";
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return "contains a control character";
		i += n;
	}
	return NULL;
}

static spn_status bad_target(spn_ctx *ctx, const char *text, const char *why)
{
	return spn_error(ctx, SPN_E_INPUT, "target '%.*s%s': %s", QUOTE_MAX,
			 text, strlen(text) > QUOTE_MAX ? "..." : "", why);
}

/* The pieces a target parser found, before validation. */
struct pieces {
	spn_target_kind kind;
	const char *service_class;  /* static or from the caller */
	char *host;                 /* owned */
	char *suffix;               /* owned, may be NULL */
	char *note;                 /* owned, may be NULL */
	int ipv6_literal_net;       /* host came from *.ipv6-literal.net */
	int bracketed;              /* host was written [like this] */
};

static void pieces_free(struct pieces *p)
{
	free(p->host);
	free(p->suffix);
	free(p->note);
}

/* "2001-db8--15s4.ipv6-literal.net" names the address 2001:db8::15 (zone
 * 4, dropped): Windows' way of writing an IPv6 address in a UNC path. */
static char *ipv6_literal_net(const char *host, size_t len)
{
	size_t n = len - strlen(IPV6_LITERAL_SUFFIX), i;
	char *addr = dup_len(host, n);

	if (addr == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (addr[i] == '-') {
			addr[i] = ':';
		} else if (addr[i] == 's' || addr[i] == 'S') {
			addr[i] = '\0';
			break;
		}
	}
	return addr;
}

/* \\host\share..., //host/share, \\?\UNC\host\share, \\host@SSL@443\dir */
static spn_status parse_unc(spn_ctx *ctx, const char *text, struct pieces *p)
{
	const char *s = text + 2, *end, *at;
	size_t hlen;

	if (prefix_ci(s, "?\\UNC\\"))
		s += 6;
	else if (s[0] == '?' || s[0] == '.')
		return bad_target(ctx, text,
				  "a local device path, not a path to a server");
	end = s + strcspn(s, "\\/");
	if (end == s)
		return bad_target(ctx, text, "UNC path without a server name");
	p->kind = SPN_TARGET_UNC;
	p->service_class = "cifs";
	if (memchr(s, ':', (size_t)(end - s)) != NULL ||
	    memchr(s, '[', (size_t)(end - s)) != NULL)
		return bad_target(ctx, text,
				  "a UNC server name has no port and no brackets (an IPv6 address is written 2001-db8--1.ipv6-literal.net)");
	at = memchr(s, '@', (size_t)(end - s));
	hlen = (size_t)((at != NULL ? at : end) - s);
	if (at != NULL) {
		/* host@SSL, host@SSL@port, host@port: the WebDAV redirector */
		const char *rest = at + 1;
		size_t rlen = (size_t)(end - rest);

		if (rlen >= 3 && prefix_ci(rest, "SSL")) {
			rest += 3;
			rlen -= 3;
			if (rlen > 0 && rest[0] == '@') {
				rest++;
				rlen--;
				if (!port_valid(rest, rlen))
					return bad_target(ctx, text,
							  "WebDAV port after '@SSL@' must be 1..65535");
			} else if (rlen > 0) {
				return bad_target(ctx, text,
						  "unexpected text after '@SSL' in the server name");
			}
		} else if (!port_valid(rest, rlen)) {
			return bad_target(ctx, text,
					  "'@' in a UNC server name must introduce SSL or a port (WebDAV)");
		}
		p->service_class = "HTTP";
		p->note = strdup(WEBDAV_NOTE);
		if (p->note == NULL)
			return SPN_E_NOMEM;
	}
	if (suffix_ci(s, hlen, IPV6_LITERAL_SUFFIX)) {
		p->host = ipv6_literal_net(s, hlen);
		p->ipv6_literal_net = 1;
	} else {
		p->host = dup_len(s, hlen);
	}
	return p->host != NULL ? SPN_OK : SPN_E_NOMEM;
}

/* The service class a URL scheme implies, or NULL. */
static const char *scheme_class(const char *scheme, size_t len)
{
	static const struct {
		const char *scheme;
		const char *service_class;
	} table[] = {
		{ "http", "HTTP" }, { "https", "HTTP" },
		{ "ldap", "ldap" }, { "ldaps", "ldap" },
		{ "smb", "cifs" },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strlen(table[i].scheme) == len &&
		    prefix_ci(scheme, table[i].scheme))
			return table[i].service_class;
	return NULL;
}

/* scheme://[user@]host[:port][/path][?query][#fragment] */
static spn_status parse_url(spn_ctx *ctx, const char *text, size_t scheme_len,
			    struct pieces *p)
{
	const char *auth = text + scheme_len + 3, *end, *at, *host, *hend;
	const char *port = NULL;
	size_t port_len = 0;
	char note[160];

	p->kind = SPN_TARGET_URL;
	p->service_class = scheme_class(text, scheme_len);
	if (p->service_class == NULL)
		return bad_target(ctx, text,
				  "URL scheme is not one of http, https, ldap, ldaps, smb");
	end = auth + strcspn(auth, "/?#\\");
	/* the user name ends at the last '@' of the authority */
	host = auth;
	for (at = auth; at < end; at++)
		if (*at == '@')
			host = at + 1;
	if (host < end && host[0] == '[') {
		hend = memchr(host, ']', (size_t)(end - host));
		if (hend == NULL)
			return bad_target(ctx, text, "'[' in the URL host without ']'");
		if (hend + 1 < end && hend[1] != ':')
			return bad_target(ctx, text, "characters after ']' in the URL host");
		p->bracketed = 1;
		if (hend + 1 < end) {
			port = hend + 2;
			port_len = (size_t)(end - port);
		}
		host++;
	} else {
		hend = memchr(host, ':', (size_t)(end - host));
		if (hend == NULL) {
			hend = end;
		} else {
			port = hend + 1;
			port_len = (size_t)(end - port);
		}
	}
	if (hend == host)
		return bad_target(ctx, text, "URL without a host");
	if (memchr(host, '%', (size_t)(hend - host)) != NULL)
		return bad_target(ctx, text,
				  "percent-encoded URL hosts are not supported");
	if (port != NULL && port_len > 0 && !port_valid(port, port_len))
		return bad_target(ctx, text, "URL port must be 1..65535");
	p->host = dup_len(host, (size_t)(hend - host));
	if (p->host == NULL)
		return SPN_E_NOMEM;
	if (port != NULL && port_len > 0) {
		snprintf(note, sizeof(note),
			 "port %.*s is not part of the SPN (%s)", (int)port_len,
			 port, strcmp(p->service_class, "HTTP") == 0 ?
			 "browsers leave it out unless EnableAuthNegotiatePort is set" :
			 "this client leaves it out");
		p->note = strdup(note);
		if (p->note == NULL)
			return SPN_E_NOMEM;
	}
	return SPN_OK;
}

/* host, host:port, [v6], [v6]:port, bare v6 */
static spn_status parse_host(spn_ctx *ctx, const char *text,
			     const char *service_class, struct pieces *p)
{
	const char *colon, *port = NULL, *hend;
	size_t len = strlen(text), colons = 0, i;

	for (i = 0; i < len; i++)
		if (text[i] == ':')
			colons++;
	if (text[0] == '[') {
		hend = strchr(text, ']');
		if (hend == NULL)
			return bad_target(ctx, text, "'[' without ']'");
		if (hend[1] != '\0' && hend[1] != ':')
			return bad_target(ctx, text, "characters after ']'");
		if (hend[1] == ':')
			port = hend + 2;
		p->bracketed = 1;
		p->host = dup_len(text + 1, (size_t)(hend - text - 1));
	} else if (colons == 1) {
		colon = strchr(text, ':');
		port = colon + 1;
		p->host = dup_len(text, (size_t)(colon - text));
	} else {
		/* no ':' (a name or IPv4) or several (a bare IPv6 address) */
		p->host = dup_len(text, len);
	}
	if (p->host == NULL)
		return SPN_E_NOMEM;
	p->kind = port != NULL ? SPN_TARGET_HOST_PORT : SPN_TARGET_HOST;
	if (port != NULL) {
		if (!port_valid(port, strlen(port)))
			return bad_target(ctx, text,
					  "the part after ':' must be a port 1..65535 (use the SPN form for an instance name)");
		if (service_class == NULL)
			return bad_target(ctx, text,
					  "host:port needs the service class: --service CLASS (MSSQLSvc for SQL Server)");
		p->suffix = malloc(strlen(port) + 2);
		if (p->suffix == NULL)
			return SPN_E_NOMEM;
		p->suffix[0] = ':';
		strcpy(p->suffix + 1, port);
	}
	p->service_class = service_class != NULL ? service_class : "cifs";
	return SPN_OK;
}

/* The SPN text class/host+suffix, with the host bracketed when it is IPv6
 * and a suffix follows (so that the port stays a port). */
static char *build_spn(const char *service_class, const char *host,
		       const char *suffix, spn_host_kind kind)
{
	int bracket = kind == SPN_HOST_IPV6 && suffix != NULL &&
		      suffix[0] == ':';
	size_t len;
	char *spn;

	if (suffix == NULL)
		suffix = "";
	len = strlen(service_class) + strlen(host) + strlen(suffix) + 4;
	spn = malloc(len);
	if (spn != NULL)
		snprintf(spn, len, "%s/%s%s%s%s", service_class,
			 bracket ? "[" : "", host, bracket ? "]" : "", suffix);
	return spn;
}

/* The suffix of a parsed SPN: ":port" or ":instance", then "/name". */
static char *name_suffix(const spn_name *name)
{
	const char *ps = name->port != NULL ? name->port : name->instance;
	size_t len = (ps != NULL ? strlen(ps) + 1 : 0) +
		     (name->service_name != NULL ?
		      strlen(name->service_name) + 1 : 0);
	char *suffix = malloc(len + 1);

	if (suffix == NULL)
		return NULL;
	snprintf(suffix, len + 1, "%s%s%s%s", ps != NULL ? ":" : "",
		 ps != NULL ? ps : "", name->service_name != NULL ? "/" : "",
		 name->service_name != NULL ? name->service_name : "");
	return suffix;
}

SPN_EXPORT spn_status spn_target_parse(spn_ctx *ctx, const char *text,
				       const char *service_class,
				       spn_target **target_out)
{
	struct pieces p;
	spn_target *target = NULL;
	spn_name *name = NULL;
	spn_status st;
	const char *why, *sep;
	char *candidate = NULL;
	size_t len, scheme_len;

	memset(&p, 0, sizeof(p));
	if (text == NULL || target_out == NULL)
		return SPN_E_USAGE;
	if (service_class != NULL && !spn_service_class_valid(service_class))
		return spn_error(ctx, SPN_E_INPUT,
				 "service class '%.*s' must be 1 to 64 letters, digits, '-', '_' or '.'",
				 QUOTE_MAX, service_class);
	len = strlen(text);
	if (len == 0)
		return spn_error(ctx, SPN_E_INPUT, "empty target");
	if (len > SPN_TARGET_MAX)
		return spn_error(ctx, SPN_E_INPUT,
				 "target '%.40s...' is %zu bytes long; the limit is %d",
				 text, len, SPN_TARGET_MAX);
	why = check_bytes(text, len);
	if (why != NULL)
		return bad_target(ctx, text, why);

	scheme_len = strspn(text, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	sep = strstr(text, "://");
	if ((text[0] == '\\' && text[1] == '\\') ||
	    (text[0] == '/' && text[1] == '/'))
		st = parse_unc(ctx, text, &p);
	else if (sep != NULL && sep == text + scheme_len && scheme_len > 0 &&
		 isalpha((unsigned char)text[0]))
		st = parse_url(ctx, text, scheme_len, &p);
	else if (sep != NULL)
		st = bad_target(ctx, text, "not a URL: the scheme is malformed");
	else if (strchr(text, '/') != NULL)
		st = SPN_OK;   /* an SPN: checked below as a whole */
	else if (strchr(text, '\\') != NULL)
		st = bad_target(ctx, text,
				"contains '\\' but is not a UNC path (\\\\server\\share)");
	else
		st = parse_host(ctx, text, service_class, &p);
	if (st != SPN_OK)
		goto cleanup;

	/* Whatever the form, the result must be a well-formed SPN. */
	if (p.host == NULL) {
		p.kind = SPN_TARGET_SPN;
		candidate = strdup(text);
	} else {
		if (strcspn(p.host, " \t") != strlen(p.host)) {
			st = bad_target(ctx, text, "the host name contains a space");
			goto cleanup;
		}
		candidate = build_spn(p.service_class, p.host, p.suffix,
				      strchr(p.host, ':') != NULL ?
				      SPN_HOST_IPV6 : SPN_HOST_FQDN);
	}
	if (candidate == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	st = spn_name_parse(candidate, &name);
	if (st != SPN_OK)
		goto cleanup;
	if (name->invalid != NULL) {
		if (p.kind == SPN_TARGET_SPN)
			st = spn_error(ctx, SPN_E_INPUT,
				       "target '%.*s%s': not a valid SPN: %s",
				       QUOTE_MAX, text,
				       len > QUOTE_MAX ? "..." : "",
				       name->invalid);
		else
			st = bad_target(ctx, text, name->invalid);
		goto cleanup;
	}
	if (p.kind == SPN_TARGET_SPN &&
	    strpbrk(name->service_class, ":@\\") != NULL) {
		st = bad_target(ctx, text,
				"the service class contains ':', '@' or '\\' (a mistyped URL?)");
		goto cleanup;
	}
	if (p.ipv6_literal_net && name->host_kind != SPN_HOST_IPV6) {
		st = bad_target(ctx, text,
				"the .ipv6-literal.net name is not an IPv6 address");
		goto cleanup;
	}
	if (p.bracketed && name->host_kind != SPN_HOST_IPV6) {
		st = bad_target(ctx, text,
				"the host in [brackets] is not an IPv6 address");
		goto cleanup;
	}

	target = calloc(1, sizeof(*target));
	if (target == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	target->kind = p.kind;
	target->host_kind = name->host_kind;
	target->text = strdup(text);
	target->service_class = strdup(name->service_class);
	target->host = strdup(name->host);
	target->suffix = name_suffix(name);
	if (p.ipv6_literal_net && p.note == NULL) {
		char note[160];

		snprintf(note, sizeof(note), "%s is an IPv6 address written for UNC paths",
			 name->host);
		p.note = strdup(note);
		if (p.note == NULL) {
			st = SPN_E_NOMEM;
			goto cleanup;
		}
	}
	target->note = p.note;
	p.note = NULL;
	if (target->text == NULL || target->service_class == NULL ||
	    target->host == NULL || target->suffix == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	*target_out = target;
	target = NULL;
	st = SPN_OK;
cleanup:
	spn_target_free(target);
	spn_name_free(name);
	free(candidate);
	pieces_free(&p);
	return st;
}

/* ------------------------------------------------------------ results */

static const struct {
	const char *name;
	spn_verdict verdict;
} reasons[SPN_REASON_COUNT] = {
	[SPN_REASON_OK] = { "ok", SPN_VERDICT_KERBEROS },
	[SPN_REASON_IP_TARGET] = { "ip-target", SPN_VERDICT_NTLM },
	[SPN_REASON_SPN_NOT_FOUND] = { "spn-not-found", SPN_VERDICT_NTLM },
	[SPN_REASON_DUPLICATE_SPN] = { "duplicate-spn", SPN_VERDICT_NTLM },
	[SPN_REASON_SPN_UNKNOWN_TO_KDC] = { "spn-unknown-to-kdc",
					    SPN_VERDICT_NTLM },
	[SPN_REASON_ETYPE_UNSUPPORTED] = { "etype-unsupported",
					   SPN_VERDICT_NTLM },
	[SPN_REASON_WRONG_REALM] = { "wrong-realm", SPN_VERDICT_NTLM },
	[SPN_REASON_POLICY] = { "policy", SPN_VERDICT_NTLM },
	[SPN_REASON_KDC_UNREACHABLE] = { "kdc-unreachable", SPN_VERDICT_ERROR },
	[SPN_REASON_CLOCK_SKEW] = { "clock-skew", SPN_VERDICT_ERROR },
	[SPN_REASON_NO_CREDENTIALS] = { "no-credentials", SPN_VERDICT_ERROR },
	[SPN_REASON_TICKET_EXPIRED] = { "ticket-expired", SPN_VERDICT_ERROR },
	[SPN_REASON_ERROR] = { "error", SPN_VERDICT_ERROR },
};

SPN_EXPORT const char *spn_probe_reason_name(spn_probe_reason reason)
{
	if ((unsigned int)reason >= SPN_REASON_COUNT)
		return "error";
	return reasons[reason].name;
}

SPN_EXPORT spn_verdict spn_probe_reason_verdict(spn_probe_reason reason)
{
	if ((unsigned int)reason >= SPN_REASON_COUNT)
		return SPN_VERDICT_ERROR;
	return reasons[reason].verdict;
}

SPN_EXPORT const char *spn_verdict_name(spn_verdict verdict)
{
	switch (verdict) {
	case SPN_VERDICT_KERBEROS: return "kerberos";
	case SPN_VERDICT_NTLM: return "ntlm";
	case SPN_VERDICT_ERROR: return "error";
	}
	return "error";
}

SPN_EXPORT const char *spn_client_rule_name(spn_client_rule rule)
{
	switch (rule) {
	case SPN_RULE_AS_TYPED: return "as-typed";
	case SPN_RULE_SHORT_NAME: return "short-name";
	case SPN_RULE_CANONICALIZED: return "canonicalized";
	case SPN_RULE_IP_NTLM: return "ip-ntlm";
	case SPN_RULE_IP_SPN: return "ip-spn";
	}
	return "unknown";
}

SPN_EXPORT void spn_probe_result_init(spn_probe_result *result)
{
	if (result == NULL)
		return;
	memset(result, 0, sizeof(*result));
	result->verdict = SPN_VERDICT_ERROR;
	result->reason = SPN_REASON_ERROR;
}

SPN_EXPORT void spn_probe_result_clear(spn_probe_result *result)
{
	if (result == NULL)
		return;
	free(result->spn);
	free(result->realm);
	free(result->etype);
	free(result->detail);
	spn_probe_result_init(result);
}

SPN_EXPORT void spn_probe_result_set_reason(spn_probe_result *result,
					    spn_probe_reason reason)
{
	if (result == NULL)
		return;
	if ((unsigned int)reason >= SPN_REASON_COUNT)
		reason = SPN_REASON_ERROR;
	result->reason = reason;
	result->verdict = reasons[reason].verdict;
}

SPN_EXPORT spn_status spn_probe_result_note(spn_probe_result *result,
					    const char *fmt, ...)
{
	va_list ap;
	size_t old;
	int n;
	char *grown;

	if (result == NULL || fmt == NULL)
		return SPN_E_USAGE;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return SPN_E_USAGE;
	if (n == 0)
		return SPN_OK;
	old = result->detail != NULL ? strlen(result->detail) : 0;
	grown = realloc(result->detail, old + (old > 0 ? 2 : 0) + (size_t)n + 1);
	if (grown == NULL)
		return SPN_E_NOMEM;
	result->detail = grown;
	if (old > 0) {
		memcpy(grown + old, "; ", 2);
		old += 2;
	}
	va_start(ap, fmt);
	vsnprintf(grown + old, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return SPN_OK;
}

static int compare_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	for (; *x != '\0' && *y != '\0'; x++, y++) {
		int cx = tolower((unsigned char)*x), cy = tolower((unsigned char)*y);

		if (cx != cy)
			return cx - cy;
	}
	return (unsigned char)*x - (unsigned char)*y;
}

SPN_EXPORT spn_status spn_probe_result_owners(spn_probe_result *result,
					      const char *const *owners,
					      size_t n_owners)
{
	spn_status st;
	size_t i, len = 1;
	const char **sorted;
	char *list;

	if (result == NULL || (owners == NULL && n_owners > 0))
		return SPN_E_USAGE;
	if (n_owners == 0) {
		spn_probe_result_set_reason(result, SPN_REASON_SPN_NOT_FOUND);
		return spn_probe_result_note(result,
					     "the directory has no account with this SPN");
	}
	for (i = 0; i < n_owners; i++)
		len += strlen(owners[i]) + 2;
	list = malloc(len);
	sorted = malloc(n_owners * sizeof(*sorted));
	if (list == NULL || sorted == NULL) {
		free(list);
		free(sorted);
		return SPN_E_NOMEM;
	}
	memcpy(sorted, owners, n_owners * sizeof(*sorted));
	qsort(sorted, n_owners, sizeof(*sorted), compare_names);
	list[0] = '\0';
	for (i = 0; i < n_owners; i++) {
		if (i > 0)
			strcat(list, ", ");
		strcat(list, sorted[i]);
	}
	free(sorted);
	if (n_owners == 1) {
		spn_probe_result_set_reason(result,
					    SPN_REASON_SPN_UNKNOWN_TO_KDC);
		st = spn_probe_result_note(result,
					   "the directory shows it on %s but the KDC does not issue a ticket for it",
					   list);
	} else {
		spn_probe_result_set_reason(result, SPN_REASON_DUPLICATE_SPN);
		st = spn_probe_result_note(result,
					   "%zu accounts hold this SPN: %s",
					   n_owners, list);
	}
	free(list);
	return st;
}

/* ------------------------------------------------------------ client rules */

/* The canonical name DNS gives for host (CNAMEs followed, search domains
 * applied), lower case, no trailing dot. NULL and a reason when none;
 * *missing is then 1 when DNS answered that the name does not exist. */
static char *lookup_canonical(const char *host, char *why, size_t why_size,
			      int *missing)
{
	struct addrinfo hints, *res = NULL;
	char *canon = NULL, *p;
	size_t len;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	*missing = 0;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(why, why_size, "%s", gai_strerror(rc));
#ifdef EAI_NODATA
		*missing = rc == EAI_NONAME || rc == EAI_NODATA;
#else
		*missing = rc == EAI_NONAME;
#endif
		return NULL;
	}
	if (res == NULL || res->ai_canonname == NULL ||
	    res->ai_canonname[0] == '\0') {
		snprintf(why, why_size, "no canonical name");
		goto cleanup;
	}
	canon = strdup(res->ai_canonname);
	if (canon == NULL) {
		snprintf(why, why_size, "out of memory");
		goto cleanup;
	}
	for (p = canon; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	len = strlen(canon);
	if (len > 1 && canon[len - 1] == '.')
		canon[len - 1] = '\0';
cleanup:
	freeaddrinfo(res);
	return canon;
}

/* lookup_canonical, with Winsock started around it on Windows (getaddrinfo
 * needs it; WSAStartup counts references, so a caller's own is kept). */
static char *dns_canonical(const char *host, char *why, size_t why_size,
			   int *missing)
{
#ifdef _WIN32
	WSADATA wsa;
	int started = WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
	char *canon = lookup_canonical(host, why, why_size, missing);

	if (started)
		WSACleanup();
	return canon;
#else
	return lookup_canonical(host, why, why_size, missing);
#endif
}

static int same_name(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static spn_status plan_ip(const spn_target *t, const spn_probe_options *o,
			  spn_probe_result *r, int *ask)
{
	char *ip_spn;
	spn_status st;

	if (t->kind == SPN_TARGET_SPN)
		ip_spn = strdup(t->text);
	else
		ip_spn = build_spn(t->service_class, t->host, t->suffix,
				   t->host_kind);
	if (ip_spn == NULL)
		return SPN_E_NOMEM;
	if (o->try_ip_spn) {
		r->rule = SPN_RULE_IP_SPN;
		r->spn = ip_spn;
		*ask = 1;
		return spn_probe_result_note(r,
					     "IP address target: requested as an IP SPN, as a client with TryIPSPN does");
	}
	r->rule = SPN_RULE_IP_NTLM;
	spn_probe_result_set_reason(r, SPN_REASON_IP_TARGET);
	*ask = 0;
	st = spn_probe_result_note(r,
				   "IP address target: a Windows client asks for no ticket and uses NTLM (with TryIPSPN it would request %s)",
				   ip_spn);
	free(ip_spn);
	return st;
}

SPN_EXPORT spn_status spn_target_plan(const spn_target *t,
				      const spn_probe_options *o,
				      spn_probe_result *r, int *ask_out)
{
	spn_status st = SPN_OK;
	char why[256], *canon = NULL;
	int ask = 0, missing = 0;

	if (t == NULL || o == NULL || r == NULL || ask_out == NULL)
		return SPN_E_USAGE;
	if (t->note != NULL) {
		st = spn_probe_result_note(r, "%s", t->note);
		if (st != SPN_OK)
			goto cleanup;
	}
	if (t->host_kind == SPN_HOST_IPV4 || t->host_kind == SPN_HOST_IPV6) {
		st = plan_ip(t, o, r, &ask);
		goto done;
	}
	ask = 1;
	r->rule = t->host_kind == SPN_HOST_SHORT ? SPN_RULE_SHORT_NAME :
		  SPN_RULE_AS_TYPED;
	if (o->canonicalize || t->host_kind == SPN_HOST_SHORT) {
		canon = dns_canonical(t->host, why, sizeof(why), &missing);
		if (canon == NULL && missing)
			st = spn_probe_result_note(r,
						   "%s is not in DNS (%s): a client could not connect to it",
						   t->host, why);
		else if (canon == NULL)
			st = spn_probe_result_note(r,
						   "DNS lookup of %s failed (%s)",
						   t->host, why);
	}
	if (o->canonicalize && canon != NULL && !same_name(canon, t->host)) {
		r->rule = SPN_RULE_CANONICALIZED;
		r->spn = build_spn(t->service_class, canon, t->suffix,
				   SPN_HOST_FQDN);
		st = spn_probe_result_note(r,
					   "canonicalized: DNS names %s as %s (CNAME or search domain), as browsers do",
					   t->host, canon);
	} else if (o->canonicalize && canon != NULL) {
		st = spn_probe_result_note(r,
					   "canonicalized: %s is already the canonical name",
					   t->host);
	} else if (canon != NULL) {
		st = spn_probe_result_note(r,
					   "short name requested as typed (DNS completes it to %s)",
					   canon);
	} else if (t->host_kind == SPN_HOST_SHORT && st == SPN_OK) {
		st = spn_probe_result_note(r, "short name requested as typed");
	}
	if (st != SPN_OK)
		goto cleanup;
	if (r->spn == NULL)
		r->spn = t->kind == SPN_TARGET_SPN ? strdup(t->text) :
			 build_spn(t->service_class, t->host, t->suffix,
				   t->host_kind);
	if (r->spn == NULL)
		st = SPN_E_NOMEM;
done:
	if (st == SPN_OK)
		*ask_out = ask;
cleanup:
	free(canon);
	return st;
}

SPN_EXPORT spn_status spn_target_note_alias(const spn_target *t,
					    const spn_probe_options *o,
					    spn_probe_result *r)
{
	spn_status st = SPN_OK;
	char why[256], *canon;
	int missing;

	if (t == NULL || o == NULL || r == NULL)
		return SPN_E_USAGE;
	if (o->canonicalize || t->host_kind != SPN_HOST_FQDN)
		return SPN_OK;
	canon = dns_canonical(t->host, why, sizeof(why), &missing);
	if (canon != NULL && !same_name(canon, t->host))
		st = spn_probe_result_note(r,
					   "%s is a DNS alias of %s: a client that follows CNAMEs (--canonicalize) asks for the SPN of %s instead",
					   t->host, canon, canon);
	free(canon);
	return st;
}
