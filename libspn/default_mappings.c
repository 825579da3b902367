/* default_mappings.c - the sPNMappings of a fresh forest, for an index that
 * has none (an LDIF export without CN=Directory Service). */
#include "checks.h"

/* "host=alerter,appmgmt,...": what Samba provisions and Windows shows in
 * CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration. */
const char *const spn_default_host_aliases[] = {
	"alerter", "appmgmt", "cisvc", "clipsrv", "browser", "dhcp",
	"dnscache", "replicator", "eventlog", "eventsystem", "policyagent",
	"oakley", "dmserver", "dns", "mcsvc", "fax", "msiserver", "ias",
	"messenger", "netlogon", "netman", "netdde", "netddedsm", "nmagent",
	"plugplay", "protectedstorage", "rasman", "rpclocator", "rpc", "rpcss",
	"remoteaccess", "rsvp", "samss", "scardsvr", "scesrv", "seclogon",
	"scm", "dcom", "cifs", "spooler", "snmp", "schedule", "tapisrv",
	"trksvr", "trkwks", "ups", "time", "wins", "www", "http", "w3svc",
	"iisadmin", "msdtc",
};

const size_t spn_n_default_host_aliases =
	sizeof(spn_default_host_aliases) / sizeof(spn_default_host_aliases[0]);
