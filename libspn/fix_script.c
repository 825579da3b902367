/* fix_script.c - setspn command lines and LDIF records for findings' fixes. */
#include <stdlib.h>
#include <string.h>

#include "confusable.h"
#include "fix_script.h"

/* Printable ASCII with no quote or shell/cmd metacharacter trouble. */
static int command_line_safe(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '%' || c == '`' ||
		    c == '$' || c == '\\' || c == '^' || c == '!')
			return 0;
	}
	return 1;
}

/* The account setspn names when it can: the sAMAccountName, without a
 * computer's trailing '$' (setspn finds computers by name), or NULL. */
static int sam_usable(const char *sam, size_t *len_out)
{
	char buf[256];
	size_t len;

	if (sam == NULL || sam[0] == '\0')
		return 0;
	len = strlen(sam);
	if (len > 1 && sam[len - 1] == '$')
		len--;
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, sam, len);
	buf[len] = '\0';
	if (!command_line_safe(buf))
		return 0;
	*len_out = len;
	return 1;
}

/* The account for setspn: its sAMAccountName (see above), else its DN. */
static void put_account(strbuf *b, const char *sam, const char *dn)
{
	size_t len;

	if (sam_usable(sam, &len)) {
		strbuf_add(b, sam, len);
		return;
	}
	strbuf_puts(b, "\"");
	strbuf_puts(b, dn);
	strbuf_puts(b, "\"");
}

static void setspn(strbuf *b, const char *flag, const char *spn,
		   const char *sam, const char *dn)
{
	size_t len;

	if (!command_line_safe(spn) || (!command_line_safe(dn) &&
	    !sam_usable(sam, &len))) {
		strbuf_puts(b, "# this value cannot be written safely on a "
			    "command line; use the LDIF below\n");
		return;
	}
	strbuf_puts(b, "setspn ");
	strbuf_puts(b, flag);
	strbuf_puts(b, " \"");
	strbuf_puts(b, spn);
	strbuf_puts(b, "\" ");
	put_account(b, sam, dn);
	strbuf_puts(b, "\n");
}

void fix_setspn_delete(strbuf *b, const char *spn, const char *sam,
		       const char *dn)
{
	setspn(b, "-D", spn, sam, dn);
}

void fix_setspn_add(strbuf *b, const char *spn, const char *sam,
		    const char *dn)
{
	setspn(b, "-S", spn, sam, dn);
}

/* RFC 2849 SAFE-STRING: ASCII without NUL, LF, CR, not starting with
 * space, ':' or '<', not ending with a space. */
static int ldif_safe(const char *s)
{
	size_t len = strlen(s);
	const unsigned char *p;

	if (len == 0)
		return 1;
	if (s[0] == ' ' || s[0] == ':' || s[0] == '<' || s[len - 1] == ' ')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p >= 0x80)
			return 0;
	return 1;
}

static void put_base64(strbuf *b, const unsigned char *in, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char quad[4];
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		quad[0] = tab[in[i] >> 2];
		quad[1] = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		quad[2] = tab[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		quad[3] = tab[in[i + 2] & 63];
		strbuf_add(b, quad, 4);
	}
	if (i < len) {
		quad[0] = tab[in[i] >> 2];
		if (i + 1 < len) {
			quad[1] = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			quad[2] = tab[(in[i + 1] & 15) << 2];
		} else {
			quad[1] = tab[(in[i] & 3) << 4];
			quad[2] = '=';
		}
		quad[3] = '=';
		strbuf_add(b, quad, 4);
	}
}

static void put_attr(strbuf *b, const char *attr, const char *value)
{
	strbuf_puts(b, attr);
	if (ldif_safe(value)) {
		strbuf_puts(b, ": ");
		strbuf_puts(b, value);
	} else {
		strbuf_puts(b, ":: ");
		put_base64(b, (const unsigned char *)value, strlen(value));
	}
	strbuf_puts(b, "\n");
}

void fix_ldif_modify(strbuf *b, const char *dn, const char *op,
		     const char *attr, const char *value)
{
	put_attr(b, "dn", dn);
	strbuf_puts(b, "changetype: modify\n");
	strbuf_puts(b, op);
	strbuf_puts(b, ": ");
	strbuf_puts(b, attr);
	strbuf_puts(b, "\n");
	put_attr(b, attr, value);
	strbuf_puts(b, "-\n\n");
}

void fix_ldif_replace(strbuf *b, const char *dn, const char *attr,
		      const char *value)
{
	put_attr(b, "dn", dn);
	strbuf_puts(b, "changetype: modify\nreplace: ");
	strbuf_puts(b, attr);
	strbuf_puts(b, "\n");
	put_attr(b, attr, value);
	strbuf_puts(b, "-\n\n");
}

void fix_powershell_comment(strbuf *b, const char *cmdlet, const char *sam,
			    const char *dn, const char *args)
{
	const char *identity;

	if (sam != NULL && sam[0] != '\0' && command_line_safe(sam))
		identity = sam;
	else if (dn != NULL && dn[0] != '\0' && command_line_safe(dn))
		identity = dn;
	else
		return;
	strbuf_printf(b, "# PowerShell: %s -Identity \"%s\"%s%s\n", cmdlet,
		      identity, args != NULL ? " " : "",
		      args != NULL ? args : "");
}

void fix_comment_text(strbuf *b, const char *text)
{
	char buf[512], *heap;
	size_t need;

	need = spn_escape_unicode(text, buf, sizeof(buf));
	if (need < sizeof(buf)) {
		strbuf_add(b, buf, need);
		return;
	}
	heap = malloc(need + 1);
	if (heap == NULL) {
		b->failed = 1;
		return;
	}
	spn_escape_unicode(text, heap, need + 1);
	strbuf_add(b, heap, need);
	free(heap);
}
