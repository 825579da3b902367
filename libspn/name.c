/* name.c - the SPN model: parse, classify and normalise service principal names. */
#ifdef _WIN32
#include <ws2tcpip.h>   /* inet_pton */
#else
#include <arpa/inet.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spn/name.h>
#include "context_impl.h"
#include "fold.h"
#include "name_impl.h"

/* Grammar (MS-ADTS SPN format and 5.1.1.4, DsCrackSpn):
 *
 *   serviceclass "/" host [":" port | ":" instance] ["/" servicename]
 *
 * - The service class ends at the first '/'. It may contain inner spaces
 *   (Hyper-V registers "Microsoft Virtual Console Service/HOST"), but not
 *   leading or trailing ones, control characters or invalid UTF-8.
 * - The host part ends at the next '/'; everything after that '/' is the
 *   service name, which may itself contain '/' and inner spaces because it
 *   can be a distinguished name.
 * - A bracketed host ([2001:db8::15]:443) must be an IPv6 address; ':' after
 *   the ']' introduces the port or instance.
 * - An unbracketed host part with exactly one ':' is host:port-or-instance.
 * - With more than one ':' it is an IPv6 literal written bare, as Windows
 *   registers TryIPSPN names (http/2001:db8::15). When the whole part parses
 *   as an IPv6 address it is all host: "http/2001:db8::15:8080" is the
 *   address 2001:db8::15:8080, not port 8080, because the two cannot be told
 *   apart and Windows itself brackets an IPv6 host that carries a port.
 *   Otherwise, when the text before the last ':' is an IPv6 address, the
 *   rest is the port or instance (http/2001:db8::15:SQLPROD); anything else
 *   is invalid.
 * - A suffix of digits only is a port and must be 1..65535; any other suffix
 *   is an instance name (MSSQLSvc/sql1.corp.test:SQLPROD).
 *
 * A malformed SPN still yields an spn_name: service_class and host are then
 * never NULL (possibly empty), and invalid says what is wrong. */

#define HOST_MAX 255
#define LABEL_MAX 63

/* What is wrong with the characters of one part. */
enum text_problem {
	TEXT_OK = 0,
	TEXT_SPACE,        /* a space inside */
	TEXT_EDGE_SPACE,   /* a space at the start or the end */
	TEXT_CONTROL,      /* C0 or C1 control character, DEL */
	TEXT_UTF8,         /* not valid UTF-8 */
};

static enum text_problem check_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;
	int space = 0, edge = 0;

	while (i < len) {
		uint32_t cp;

		if (s[i] < 0x80) {   /* ASCII: its own code point */
			cp = s[i];
			n = 1;
		} else {
			n = spn_utf8_decode(s + i, len - i, &cp);
			if (n == 0)
				return TEXT_UTF8;
		}
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			return TEXT_CONTROL;
		if (cp == ' ' || cp == 0xA0) {  /* space, no-break space */
			space = 1;
			if (i == 0 || i + n == len)
				edge = 1;
		}
		i += n;
	}
	if (edge)
		return TEXT_EDGE_SPACE;
	return space ? TEXT_SPACE : TEXT_OK;
}

int spn_ipv4_parse(const char *text, size_t len, unsigned char addr[4])
{
	unsigned char tmp[4];
	unsigned int value;
	size_t i = 0, part;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || text[i] != '.')
				return 0;
			i++;
		}
		if (i >= len || text[i] < '0' || text[i] > '9')
			return 0;
		/* no leading zero: "0" is the only part that starts with it */
		if (text[i] == '0' && i + 1 < len && text[i + 1] >= '0' &&
		    text[i + 1] <= '9')
			return 0;
		value = 0;
		while (i < len && text[i] >= '0' && text[i] <= '9') {
			value = value * 10 + (unsigned int)(text[i++] - '0');
			if (value > 255)
				return 0;
		}
		tmp[part] = (unsigned char)value;
	}
	if (i != len)
		return 0;
	memcpy(addr, tmp, 4);
	return 1;
}

int spn_ipv4_format(const unsigned char addr[4], char *buf)
{
	int n = 0, i;

	for (i = 0; i < 4; i++) {
		unsigned int b = addr[i];

		if (i > 0)
			buf[n++] = '.';
		if (b >= 100)
			buf[n++] = (char)('0' + b / 100);
		if (b >= 10)
			buf[n++] = (char)('0' + b / 10 % 10);
		buf[n++] = (char)('0' + b % 10);
	}
	buf[n] = '\0';
	return n;
}

int spn_is_address(int family, const char *text, size_t len)
{
	char buf[64];
	unsigned char addr[16];

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return inet_pton(family, buf, addr) == 1;
}

static int digits_dots(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((text[i] < '0' || text[i] > '9') && text[i] != '.')
			return 0;
	return 1;
}

/* Character classes of the fast path of check_host. */
enum {
	CH_SPECIAL = 1,  /* not printable ASCII, a space, or one of :@\\[]/ */
	CH_DOT = 2,
	CH_DIGIT = 4,
	CH_OTHER = 8,    /* any other character of a host name */
};

#define S CH_SPECIAL
#define D CH_DOT
#define N CH_DIGIT
#define O CH_OTHER
/* The class of every byte: the special ones are 0x00-0x20, DEL, 0x80-0xff
 * and :@\\[]/. */
static const unsigned char char_classes[256] = {
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, O, O, O, O, O, O, O, O, O, O, O, O, O, D, S,
	N, N, N, N, N, N, N, N, N, N, S, O, O, O, O, O,
	S, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, S, S, S, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S
};
#undef S
#undef D
#undef N
#undef O

/* check_host of a plain name: at most HOST_MAX bytes of printable ASCII
 * without a space or any of :@\\[]/, not digits and dots only (so no
 * address, and nothing check_text objects to). 1 when host is one, and
 * then *reason_out and *kind_out are check_host's answer; 0 when it is
 * not (check_host's full path decides). */
static int check_plain(const char *host, size_t len, const char **reason_out,
		       spn_host_kind *kind_out)
{
	const char *reason = NULL;
	unsigned int cls, seen = 0;
	size_t i, label = 0;

	if (len > HOST_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		cls = char_classes[(unsigned char)host[i]];
		seen |= cls;
		if (cls == CH_DOT) {
			if (label == 0 && reason == NULL)
				reason = "host has an empty label (leading "
					 "dot or '..')";
			label = 0;
		} else if (++label > LABEL_MAX && reason == NULL) {
			reason = "host has a label longer than 63 characters";
		}
	}
	if (seen & CH_SPECIAL)
		return 0;
	if ((seen & CH_OTHER) == 0 && (seen & CH_DIGIT))
		return 0;   /* digits and dots: maybe an IPv4 address */
	if (reason == NULL && label == 0)
		reason = "host has an empty label (leading dot or '..')";
	*reason_out = reason;
	*kind_out = reason != NULL ? SPN_HOST_INVALID :
		    (seen & CH_DOT) ? SPN_HOST_FQDN : SPN_HOST_SHORT;
	return 1;
}

/* Characters that cannot appear in a host name and are worth naming. */
static const char *host_char_reason(char c)
{
	switch (c) {
	case '@': return "host contains '@' (a realm or a user name?)";
	case '\\': return "host contains '\\'";
	case ':': return "host contains ':' but is not an IPv6 address";
	case '[': return "host contains '['";
	case ']': return "host contains ']'";
	case '/': return "host contains '/'";
	default: return NULL;
	}
}

/* The characters of a host that is not a plain name: why they are wrong,
 * or NULL, and then its kind when it is an IPv4 or IPv6 address. */
static const char *check_text_address(const char *host, size_t len,
				      spn_host_kind *kind_out)
{
	unsigned char addr[4];

	switch (check_text(host, len)) {
	case TEXT_OK: break;
	case TEXT_SPACE:
	case TEXT_EDGE_SPACE: return "host contains a space";
	case TEXT_CONTROL: return "host contains a control character";
	case TEXT_UTF8: return "host is not valid UTF-8";
	}
	/* inet_pton takes only digits and dots for IPv4, and IPv6 text has a
	 * ':': anything else skips the parse. */
	if (digits_dots(host, len) && spn_ipv4_parse(host, len, addr))
		*kind_out = SPN_HOST_IPV4;
	else if (memchr(host, ':', len) != NULL &&
		 spn_is_address(AF_INET6, host, len))
		*kind_out = SPN_HOST_IPV6;
	return NULL;
}

/* Check a host (brackets and trailing dot already removed): NULL and its
 * kind when it is usable, else why not. */
static const char *check_host(const char *host, size_t len,
			      spn_host_kind *kind_out)
{
	size_t i, label = 0;
	int digits_and_dots = 1, has_dot = 0;
	const char *reason;

	*kind_out = SPN_HOST_INVALID;
	if (len == 0)
		return "empty host";
	if (check_plain(host, len, &reason, kind_out))
		return reason;
	reason = check_text_address(host, len, kind_out);
	if (reason != NULL || *kind_out != SPN_HOST_INVALID)
		return reason;
	if (len > HOST_MAX)
		return "host name longer than 255 characters";
	for (i = 0; i < len; i++) {
		char c = host[i];

		reason = host_char_reason(c);
		if (reason != NULL)
			return reason;
		if (c == '.') {
			if (label == 0)
				return "host has an empty label (leading dot or '..')";
			has_dot = 1;
			label = 0;
			continue;
		}
		if (++label > LABEL_MAX)
			return "host has a label longer than 63 characters";
		if (c < '0' || c > '9')
			digits_and_dots = 0;
	}
	if (label == 0)
		return "host has an empty label (leading dot or '..')";
	if (has_dot && digits_and_dots)
		return "host looks like an IPv4 address but is not a valid one";
	*kind_out = has_dot ? SPN_HOST_FQDN : SPN_HOST_SHORT;
	return NULL;
}

static const char *check_service_class(const char *text, size_t len)
{
	if (len == 0)
		return "empty service class";
	switch (check_text(text, len)) {
	case TEXT_OK:
	case TEXT_SPACE: return NULL;
	case TEXT_EDGE_SPACE: return "service class starts or ends with a space";
	case TEXT_CONTROL: return "service class contains a control character";
	case TEXT_UTF8: return "service class is not valid UTF-8";
	}
	return NULL;
}

static const char *check_service_name(const char *text, size_t len)
{
	if (len == 0)
		return "empty service name after the second '/'";
	switch (check_text(text, len)) {
	case TEXT_OK:
	case TEXT_SPACE: return NULL;
	case TEXT_EDGE_SPACE: return "service name starts or ends with a space";
	case TEXT_CONTROL: return "service name contains a control character";
	case TEXT_UTF8: return "service name is not valid UTF-8";
	}
	return NULL;
}

static int all_digits(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			return 0;
	return len > 0;
}

static int port_in_range(const char *text, size_t len)
{
	unsigned long value = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		value = value * 10 + (unsigned long)(text[i] - '0');
		if (value > 65535)
			return 0;
	}
	return value >= 1;
}

static const char *check_instance(const char *text, size_t len)
{
	switch (check_text(text, len)) {
	case TEXT_OK: return NULL;
	case TEXT_SPACE:
	case TEXT_EDGE_SPACE: return "instance name contains a space";
	case TEXT_CONTROL: return "instance name contains a control character";
	case TEXT_UTF8: return "instance name is not valid UTF-8";
	}
	return NULL;
}

static char *copy_part(const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy != NULL) {
		memcpy(copy, text, len);
		copy[len] = '\0';
	}
	return copy;
}

/* Keep the first reason found: the earliest part decides. */
static void note(spn_name *name, const char *reason)
{
	if (name->invalid == NULL && reason != NULL)
		name->invalid = reason;
}

/* Split the host part [hp, hp + len) into host and suffix. Sets the host
 * bounds, the suffix (NULL when there is no ':') and whether the host was
 * bracketed; returns a reason when the split itself is malformed. */
static const char *split_host(const char *hp, size_t len,
			      const char **host, size_t *host_len,
			      const char **suffix, size_t *suffix_len,
			      int *bracketed)
{
	const char *close, *colon, *last_colon = NULL;
	size_t colons = 0, i;

	*host = hp;
	*host_len = len;
	*suffix = NULL;
	*suffix_len = 0;
	*bracketed = 0;

	if (len > 0 && hp[0] == '[') {
		close = memchr(hp, ']', len);
		if (close == NULL)
			return "'[' in host without a closing ']'";
		*bracketed = 1;
		*host = hp + 1;
		*host_len = (size_t)(close - hp) - 1;
		if (close + 1 == hp + len)
			return NULL;
		if (close[1] != ':')
			return "characters after ']' in host";
		*suffix = close + 2;
		*suffix_len = len - (size_t)(close - hp) - 2;
		return NULL;
	}

	for (i = 0; i < len; i++) {
		if (hp[i] == ':') {
			colons++;
			last_colon = hp + i;
		}
	}
	if (colons == 0)
		return NULL;
	if (colons == 1) {
		colon = last_colon;
	} else {
		if (spn_is_address(AF_INET6, hp, len))
			return NULL;
		if (!spn_is_address(AF_INET6, hp, (size_t)(last_colon - hp)))
			return "host has several ':' but is not an IPv6 address";
		colon = last_colon;
	}
	*host_len = (size_t)(colon - hp);
	*suffix = colon + 1;
	*suffix_len = len - *host_len - 1;
	return NULL;
}

SPN_EXPORT spn_status spn_name_parse(const char *text, spn_name **name_out)
{
	spn_name *name = NULL;
	spn_status status = SPN_E_NOMEM;
	const char *slash, *hp, *hp_end, *host, *suffix, *reason;
	size_t len, host_len, suffix_len;
	int bracketed;

	if (text == NULL || name_out == NULL)
		return SPN_E_USAGE;

	name = calloc(1, sizeof(*name));
	if (name == NULL)
		goto cleanup;
	name->host_kind = SPN_HOST_INVALID;
	len = strlen(text);

	slash = strchr(text, '/');
	if (slash == NULL) {
		name->service_class = copy_part(text, len);
		name->host = copy_part("", 0);
		if (name->service_class == NULL || name->host == NULL)
			goto cleanup;
		note(name, len == 0 ? "empty SPN" :
			   "no '/' between service class and host");
		goto done;
	}

	name->service_class = copy_part(text, (size_t)(slash - text));
	if (name->service_class == NULL)
		goto cleanup;
	note(name, check_service_class(text, (size_t)(slash - text)));

	hp = slash + 1;
	hp_end = strchr(hp, '/');
	if (hp_end != NULL) {
		name->service_name = copy_part(hp_end + 1, strlen(hp_end + 1));
		if (name->service_name == NULL)
			goto cleanup;
	} else {
		hp_end = text + len;
	}

	reason = split_host(hp, (size_t)(hp_end - hp), &host, &host_len,
			    &suffix, &suffix_len, &bracketed);
	if (!bracketed && host_len > 1 && host[host_len - 1] == '.')
		host_len--;
	name->host = copy_part(host, host_len);
	if (name->host == NULL)
		goto cleanup;

	if (reason == NULL && host_len == 1 && host[0] == '.')
		reason = "empty host";
	if (reason == NULL) {
		reason = check_host(host, host_len, &name->host_kind);
		if (reason == NULL && bracketed &&
		    name->host_kind != SPN_HOST_IPV6) {
			name->host_kind = SPN_HOST_INVALID;
			reason = "bracketed host is not an IPv6 address";
		}
	}
	note(name, reason);

	if (suffix != NULL) {
		if (all_digits(suffix, suffix_len)) {
			name->port = copy_part(suffix, suffix_len);
			if (name->port == NULL)
				goto cleanup;
			if (!port_in_range(suffix, suffix_len))
				note(name, "port is outside 1..65535");
		} else {
			name->instance = copy_part(suffix, suffix_len);
			if (name->instance == NULL)
				goto cleanup;
			if (suffix_len == 0)
				note(name, "empty port or instance name after ':'");
			else
				note(name, check_instance(suffix, suffix_len));
		}
	}

	if (name->service_name != NULL)
		note(name, check_service_name(name->service_name,
					      strlen(name->service_name)));

done:
	*name_out = name;
	name = NULL;
	status = SPN_OK;

cleanup:
	spn_name_free(name);
	return status;
}

SPN_EXPORT void spn_name_free(spn_name *name)
{
	if (name == NULL)
		return;
	free(name->service_class);
	free(name->host);
	free(name->port);
	free(name->instance);
	free(name->service_name);
	free(name);
}

spn_host_kind spn_host_classify_len(const char *host, size_t len)
{
	spn_host_kind kind;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
		return spn_is_address(AF_INET6, host + 1, len - 2) ?
			       SPN_HOST_IPV6 : SPN_HOST_INVALID;
	if (len > 1 && host[len - 1] == '.')
		len--;
	if (check_host(host, len, &kind) != NULL)
		return SPN_HOST_INVALID;
	return kind;
}

SPN_EXPORT spn_host_kind spn_host_classify(const char *host)
{
	if (host == NULL)
		return SPN_HOST_INVALID;
	return spn_host_classify_len(host, strlen(host));
}

SPN_EXPORT const char *spn_host_kind_name(spn_host_kind kind)
{
	switch (kind) {
	case SPN_HOST_FQDN: return "fqdn";
	case SPN_HOST_SHORT: return "short";
	case SPN_HOST_IPV4: return "ipv4";
	case SPN_HOST_IPV6: return "ipv6";
	case SPN_HOST_INVALID: return "invalid";
	}
	return "unknown";
}

SPN_EXPORT size_t spn_key(const char *spn, char *out, size_t out_size)
{
	if (out == NULL)
		out_size = 0;
	if (spn == NULL) {
		if (out_size > 0)
			out[0] = '\0';
		return 0;
	}
	/* AD compares SPNs case-insensitively and otherwise as written: a
	 * trailing dot makes a different SPN to its uniqueness check and to
	 * the KDC, so it stays in the key. */
	return spn_fold_utf8(spn, strlen(spn), out, out_size);
}

SPN_EXPORT char *spn_host_display(const char *host)
{
	size_t len, need;
	char *display;

	if (host == NULL)
		return NULL;
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len > 1 && host[len - 1] == '.')
		len--;
	need = spn_fold_utf8(host, len, NULL, 0);
	display = malloc(need + 1);
	if (display == NULL)
		return NULL;
	spn_fold_utf8(host, len, display, need + 1);
	return display;
}
