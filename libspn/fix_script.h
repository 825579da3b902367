/* fix_script.h - remediation text that an admin can review and run:
 * setspn command lines and LDIF for ldapmodify, safe for any value. */
#ifndef SPN_FIX_SCRIPT_H
#define SPN_FIX_SCRIPT_H

#include "strbuf.h"

/* Append `setspn -D "SPN" ACCOUNT` (or a comment saying why the value cannot
 * be written safely on a command line, pointing at the LDIF). */
void fix_setspn_delete(strbuf *b, const char *spn, const char *sam,
		       const char *dn);
/* Append `setspn -S "SPN" ACCOUNT` (adds after checking for duplicates). */
void fix_setspn_add(strbuf *b, const char *spn, const char *sam,
		    const char *dn);
/* Append an LDIF modify record: OP ("add" or "delete") one value of attr. */
void fix_ldif_modify(strbuf *b, const char *dn, const char *op,
		     const char *attr, const char *value);
/* Append an LDIF modify record that replaces every value of attr with
 * value. */
void fix_ldif_replace(strbuf *b, const char *dn, const char *attr,
		      const char *value);
/* Append text for a '#' comment line: every character outside printable
 * ASCII (a newline would end the comment) written <U+XXXX>. */
void fix_comment_text(strbuf *b, const char *text);
/* Append `# PowerShell: CMDLET -Identity "ACCOUNT" ARGS` for admins who use
 * the ActiveDirectory module: the account is its sAMAccountName, else its
 * DN; nothing is appended when neither can be quoted safely. args may be
 * NULL. */
void fix_powershell_comment(strbuf *b, const char *cmdlet, const char *sam,
			    const char *dn, const char *args);

#endif
