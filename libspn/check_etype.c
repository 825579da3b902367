/* check_etype.c - accounts holding SPNs that cannot get AES service tickets.
 *
 * The KDC encrypts a service ticket with a key of the account that holds
 * the SPN, in a type its msDS-SupportedEncryptionTypes allows. Without the
 * AES bits (RC4 only, DES only), or with userAccountControl
 * USE_DES_KEY_ONLY, no ticket can be had wherever RC4 (or DES) is disabled,
 * and the client falls back to NTLM. Microsoft's hardening for
 * CVE-2026-20833 (KB5073381) makes domain controllers, from the April 2026
 * updates on, issue AES-SHA1 tickets only for accounts without an explicit
 * configuration (unless DefaultDomainSupportedEncTypes is set), keeping RC4
 * only where an account asks for it. One finding per account, naming its
 * SPNs; info when the attribute is not set. krbtgt is left out: its SPN
 * (kadmin/changepw) is the KDC's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spn/name.h>
#include "checks.h"
#include "fix_script.h"

#define MAX_LISTED 3  /* SPNs named in the message */
#define ETYPE_BITS (SPN_ETYPE_DES_CBC_CRC | SPN_ETYPE_DES_CBC_MD5 | \
		    SPN_ETYPE_RC4_HMAC | SPN_ETYPE_AES128 | SPN_ETYPE_AES256)
#define AES_BITS (SPN_ETYPE_AES128 | SPN_ETYPE_AES256)

enum problem {
	P_NONE,
	P_DES_FLAG,   /* userAccountControl USE_DES_KEY_ONLY */
	P_RC4_ONLY,   /* RC4 without AES (DES bits may be there too) */
	P_DES_ONLY,   /* DES bits only */
	P_UNSET,      /* attribute absent or naming no encryption type */
};

static int is_krbtgt(const char *sam)
{
	return strcasecmp(sam, "krbtgt") == 0 ||
	       strncasecmp(sam, "krbtgt_", 7) == 0;
}

static enum problem classify(const idx_account *a)
{
	if (a->has_uac && (a->uac & SPN_UAC_USE_DES_KEY_ONLY))
		return P_DES_FLAG;
	if (!a->has_enc_types || (a->enc_types & ETYPE_BITS) == 0)
		return P_UNSET;
	if (a->enc_types & AES_BITS)
		return P_NONE;
	if (a->enc_types & SPN_ETYPE_RC4_HMAC)
		return P_RC4_ONLY;
	return P_DES_ONLY;
}

/* "(http/a, http/b, http/c and 4 more)" */
static void list_spns(strbuf *b, const spn_index *index, const idx_account *a)
{
	uint32_t i;

	strbuf_puts(b, a->n_spns == 1 ? "its SPN " : "its SPNs ");
	for (i = 0; i < a->n_spns && i < MAX_LISTED; i++) {
		if (i > 0)
			strbuf_puts(b, ", ");
		strbuf_puts(b, idx_s(index, index->spns[a->first_spn + i].text));
	}
	if (a->n_spns > MAX_LISTED)
		strbuf_printf(b, " and %u more", a->n_spns - MAX_LISTED);
}

static void message(strbuf *m, const spn_index *index, const idx_account *a,
		    const char *label, enum problem p)
{
	switch (p) {
	case P_DES_FLAG:
		strbuf_printf(m, "%s has 'Use only Kerberos DES encryption "
			      "types' set (userAccountControl 0x200000), which "
			      "limits tickets for ", label);
		list_spns(m, index, a);
		strbuf_puts(m, " to DES: DES is disabled by default since "
			    "Windows 7 and Windows Server 2008 R2, so the KDC "
			    "refuses them (KDC_ERR_ETYPE_NOSUPP) and clients "
			    "fall back to NTLM.");
		if (a->has_enc_types && !(a->enc_types & AES_BITS))
			strbuf_printf(m, " Its msDS-SupportedEncryptionTypes "
				      "(0x%x) has no AES bit either.",
				      a->enc_types);
		break;
	case P_RC4_ONLY:
		strbuf_printf(m, "%s allows only RC4%s (msDS-SupportedEncryptionTypes "
			      "0x%x, no AES bit): tickets for ", label,
			      (a->enc_types & 3u) ? " and DES" : "",
			      a->enc_types);
		list_spns(m, index, a);
		strbuf_puts(m, " can only be RC4, so clients or services with "
			    "RC4 disabled get KDC_ERR_ETYPE_NOSUPP and fall back "
			    "to NTLM. Domain controllers with the 2026 RC4 "
			    "hardening (KB5073381, CVE-2026-20833) keep RC4 only "
			    "for accounts that ask for it explicitly like this, "
			    "and RC4 tickets are open to offline password "
			    "cracking.");
		break;
	case P_DES_ONLY:
		strbuf_printf(m, "%s allows only DES (msDS-SupportedEncryptionTypes "
			      "0x%x): DES is disabled by default since Windows 7 "
			      "and Windows Server 2008 R2, so the KDC refuses "
			      "tickets for ", label, a->enc_types);
		list_spns(m, index, a);
		strbuf_puts(m, " (KDC_ERR_ETYPE_NOSUPP) and clients fall back "
			    "to NTLM.");
		break;
	case P_UNSET:
		if (a->has_enc_types)
			strbuf_printf(m, "%s has msDS-SupportedEncryptionTypes "
				      "0x%x, naming no encryption type", label,
				      a->enc_types);
		else
			strbuf_printf(m, "%s has no "
				      "msDS-SupportedEncryptionTypes", label);
		strbuf_puts(m, ": the KDC uses the domain default for ");
		list_spns(m, index, a);
		strbuf_puts(m, ", which on domain controllers with the April "
			    "2026 Windows updates (KB5073381) and no "
			    "DefaultDomainSupportedEncTypes value means AES "
			    "only, so its tickets need the account to have AES "
			    "keys (a password set after the domain supported "
			    "AES).");
		if (a->kind == SPN_ACCOUNT_COMPUTER)
			strbuf_puts(m, " Windows sets the attribute on its own "
				    "computer account: this is likely a "
				    "non-Windows host or a stale account.");
		break;
	case P_NONE:
		break;
	}
}

static void fix(strbuf *f, const spn_finding_account *fa,
		const idx_account *a, enum problem p)
{
	char uac[16];

	if (p == P_UNSET)
		strbuf_puts(f, "# Review: make AES explicit once the account "
			    "has AES keys (AES128 + AES256 = 24):\n");
	else
		strbuf_puts(f, "# Allow AES128 + AES256 (24) for the account "
			    "(check first that every client and the service "
			    "itself support AES):\n");
	fix_ldif_replace(f, fa->dn, "msDS-SupportedEncryptionTypes", "24");
	if (p == P_DES_FLAG) {
		strbuf_puts(f, "# and clear USE_DES_KEY_ONLY (0x200000) in "
			    "userAccountControl as read:\n");
		snprintf(uac, sizeof(uac), "%u",
			 a->uac & ~(unsigned int)SPN_UAC_USE_DES_KEY_ONLY);
		fix_ldif_replace(f, fa->dn, "userAccountControl", uac);
		fix_powershell_comment(f, "Set-ADAccountControl", fa->sam,
				       fa->dn, "-UseDESKeyOnly $false");
	}
	fix_powershell_comment(f, "Set-ADAccount", fa->sam, fa->dn,
			       "-KerberosEncryptionType AES128,AES256");
	strbuf_puts(f, "# Then reset the account's password once (and update "
		    "it where the service keeps it): AES keys are made from "
		    "the password, and a password last set before the domain "
		    "supported AES left the account without AES keys.\n");
}

static spn_status report(spn_ctx *ctx, const spn_index *index,
			 uint32_t account, enum problem p,
			 spn_findings *findings)
{
	const idx_account *a = &index->accounts[account];
	const char *spn = idx_s(index, index->spns[a->first_spn].text);
	spn_finding_account fa = idx_finding_account(index, account);
	strbuf msg = STRBUF_INIT, fx = STRBUF_INIT;
	char *host = NULL, *message_text = NULL, *fix_text = NULL;
	spn_status st = SPN_E_NOMEM;
	spn_finding f;
	int fixes = spn_findings_fixes(findings);

	if (spn_findings_spn_host(spn, &host) != 0)
		goto cleanup;
	message(&msg, index, a, finding_account_label(&fa), p);
	if (fixes)
		fix(&fx, &fa, a, p);
	message_text = strbuf_take(&msg);
	fix_text = fixes ? strbuf_take(&fx) : NULL;
	if (message_text == NULL || (fixes && fix_text == NULL))
		goto cleanup;
	memset(&f, 0, sizeof(f));
	f.check = "etype";
	f.severity = p == P_UNSET ? SPN_SEVERITY_INFO : SPN_SEVERITY_ERROR;
	f.spn = spn;
	f.host = host;
	f.accounts = &fa;
	f.n_accounts = 1;
	f.message = message_text;
	f.fix = fix_text;
	st = spn_findings_add(findings, &f);
cleanup:
	if (st == SPN_E_NOMEM)
		spn_error(ctx, st, "out of memory reporting the encryption "
			  "types of %s", fa.dn);
	strbuf_free(&msg);
	strbuf_free(&fx);
	free(message_text);
	free(fix_text);
	free(host);
	return st;
}

spn_status spn_check_etype(spn_ctx *ctx, const spn_index *index,
			   spn_findings *findings)
{
	spn_status st;
	enum problem p;
	uint32_t i;

	for (i = 0; i < index->n_accounts; i++) {
		const idx_account *a = &index->accounts[i];

		if (a->n_spns == 0 || is_krbtgt(idx_s(index, a->sam)))
			continue;
		p = classify(a);
		if (p == P_NONE)
			continue;
		st = report(ctx, index, i, p, findings);
		if (st != SPN_OK)
			return st;
	}
	return SPN_OK;
}
