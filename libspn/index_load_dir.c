/* index_load_dir.c - fill an index from a live directory. */
#include <spn/directory.h>
#include "context_impl.h"
#include "index_impl.h"

static spn_status add_account(const spn_account *account, void *userdata)
{
	return spn_index_add_account(userdata, account);
}

static spn_status add_dns_node(const spn_dns_node *node, void *userdata)
{
	return spn_index_add_dns_node(userdata, node);
}

static spn_status add_mapping(const char *alias, const char *target,
			      void *userdata)
{
	return spn_index_add_mapping(userdata, alias, target);
}

SPN_EXPORT spn_status spn_index_load_dir(spn_index *index, spn_dir *dir,
					 unsigned int what)
{
	spn_status st = SPN_OK;

	if (index == NULL || dir == NULL)
		return SPN_E_USAGE;
	if (what & SPN_LOAD_MAPPINGS) {
		st = spn_dir_spn_mappings(dir, add_mapping, index);
		if (st != SPN_OK)
			return st;
	}
	if (what & SPN_LOAD_ACCOUNTS) {
		st = spn_dir_scan_accounts(dir, add_account, index);
		if (st != SPN_OK)
			return st;
	}
	if (what & SPN_LOAD_DNS)
		st = spn_dir_scan_dns(dir, add_dns_node, index);
	return st;
}
