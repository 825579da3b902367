/* account.c - names of account kinds. */
#include "context_impl.h"
#include <spn/account.h>

SPN_EXPORT const char *spn_account_kind_name(spn_account_kind kind)
{
	switch (kind) {
	case SPN_ACCOUNT_USER: return "user";
	case SPN_ACCOUNT_COMPUTER: return "computer";
	case SPN_ACCOUNT_MSA: return "msa";
	case SPN_ACCOUNT_OTHER: return "other";
	}
	return "unknown";
}
