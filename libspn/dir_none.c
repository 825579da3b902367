/* dir_none.c - the directory interface in the Windows build, which has no
 * LDAP backend: opening a session fails and says why, so that krbprobe.exe
 * reports an SPN the KDC does not know as spn-unknown-to-kdc with that
 * reason instead of guessing missing or duplicate. Only the functions
 * krbprobe calls are part of this build.
 *
 * Why no wldap32 backend: it could not be run in CI. Under Wine 8, the lab's
 * only Windows, ldap_bind_s(LDAP_AUTH_NEGOTIATE) cannot use the caller's
 * Kerberos credentials: NULL credentials crash wldap32 (a NULL dereference
 * in its SASL callback), and an identity without a password makes its
 * Kerberos package refuse, so Negotiate falls to NTLM and the bind fails. */
#include <stdlib.h>

#include <spn/directory.h>
#include "context_impl.h"

struct spn_dir {
	spn_ctx *ctx;
};

SPN_EXPORT spn_status spn_dir_open(spn_ctx *ctx, spn_dir_scope scope,
				   spn_dir **dir_out)
{
	(void)scope;
	if (ctx == NULL || dir_out == NULL)
		return SPN_E_USAGE;
	return spn_error(ctx, SPN_E_CONFIG,
			 "directory lookup not available in this build (Windows: no LDAP backend); to tell a missing SPN from a duplicate, run setspn -Q SPN, or krbprobe or spncheck dup on Linux");
}

SPN_EXPORT void spn_dir_close(spn_dir *dir)
{
	free(dir);
}

/* No session exists to search: spn_dir_open never returns one here. */
SPN_EXPORT spn_status spn_dir_find_spn(spn_dir *dir, const char *spn,
				       spn_account_fn fn, void *userdata)
{
	(void)spn;
	(void)userdata;
	if (dir == NULL || fn == NULL)
		return SPN_E_USAGE;
	return spn_error(dir->ctx, SPN_E_CONFIG,
			 "directory lookup not available in this build");
}
