/* test_dir.c - libspn's directory access against the lab's Samba AD DC.
 *
 * SRV discovery past a dead DC, the sealed GSSAPI bind, paging, range
 * retrieval, SPN and account lookups, sPNMappings, the DNS zones, the
 * global catalog and keytab credentials. Run inside the lab by
 * `lab.sh run` (Administrator ticket in KRB5CCNAME); prints TAP. */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spn/spn.h>
#include "creds.h"
#include "dir_impl.h"
#include "discover.h"
#include "search.h"

#define MAX_SEEN 256

static int n_tests, n_failed;

static void ok(int cond, const char *fmt, ...) SPN_PRINTF(2, 3);

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (!cond)
		n_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- the log, kept for assertions and shown as TAP comments ---- */

static char logbuf[1 << 20];
static size_t loglen;

static void capture(spn_log_level level, const char *message, void *userdata)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	int n;

	(void)userdata;
	printf("# [%s] %s\n", names[level], message);
	n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "[%s] %s\n",
		     names[level], message);
	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen)
		loglen += (size_t)n;
}

static void log_reset(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

static int log_has(const char *text)
{
	return strstr(logbuf, text) != NULL;
}

static int log_count(const char *text)
{
	const char *p = logbuf;
	int n = 0;

	while ((p = strstr(p, text)) != NULL) {
		n++;
		p += strlen(text);
	}
	return n;
}

/* ---- what the callbacks saw ---- */

struct seen_account {
	char sam[64];
	char host[128];
	spn_account_kind kind;
	size_t n_spns;
	size_t distinct_spns;
	int bulk_names;       /* every SPN is http/bulkNNNN.corp.test */
	unsigned int enc;
	int has_enc;
};

struct seen {
	struct seen_account a[MAX_SEEN];
	size_t n;
	size_t total;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static spn_status collect(const spn_account *account, void *userdata)
{
	struct seen *seen = userdata;
	struct seen_account *s;
	const char **sorted;
	size_t i;

	seen->total++;
	if (seen->n >= MAX_SEEN)
		return SPN_OK;
	s = &seen->a[seen->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->sam, sizeof(s->sam), "%s",
		 account->sam != NULL ? account->sam : "");
	snprintf(s->host, sizeof(s->host), "%s",
		 account->dns_host_name != NULL ? account->dns_host_name : "");
	s->kind = account->kind;
	s->n_spns = account->n_spns;
	s->enc = account->enc_types;
	s->has_enc = account->has_enc_types;
	s->bulk_names = account->n_spns > 0;
	sorted = calloc(account->n_spns + 1, sizeof(*sorted));
	if (sorted == NULL)
		return SPN_E_NOMEM;
	for (i = 0; i < account->n_spns; i++) {
		sorted[i] = account->spns[i];
		if (strncmp(sorted[i], "http/bulk", 9) != 0 ||
		    strcmp(sorted[i] + strlen(sorted[i]) - 10, ".corp.test") != 0)
			s->bulk_names = 0;
	}
	qsort(sorted, account->n_spns, sizeof(*sorted), cmp_str);
	for (i = 0; i < account->n_spns; i++)
		if (i == 0 || strcmp(sorted[i], sorted[i - 1]) != 0)
			s->distinct_spns++;
	free(sorted);
	return SPN_OK;
}

static const struct seen_account *find_sam(const struct seen *seen,
					   const char *sam)
{
	size_t i;

	for (i = 0; i < seen->n; i++)
		if (strcasecmp(seen->a[i].sam, sam) == 0)
			return &seen->a[i];
	return NULL;
}

static int sams_are(const struct seen *seen, const char *const *want,
		    size_t n)
{
	size_t i;

	if (seen->total != n)
		return 0;
	for (i = 0; i < n; i++)
		if (find_sam(seen, want[i]) == NULL)
			return 0;
	return 1;
}

struct seen_mappings {
	int cifs_host;
	int http_host;
	unsigned long pairs;
};

static spn_status collect_mapping(const char *alias, const char *target,
				  void *userdata)
{
	struct seen_mappings *m = userdata;

	m->pairs++;
	if (strcmp(alias, "cifs") == 0 && strcmp(target, "host") == 0)
		m->cifs_host = 1;
	if (strcmp(alias, "http") == 0 && strcmp(target, "host") == 0)
		m->http_host = 1;
	return SPN_OK;
}

struct seen_dns {
	unsigned long nodes;
	int files_cname_fs1;
	int dc1_a_loopback;
	int files_tombstoned;
	char files_zone[64];
};

static spn_status collect_dns(const spn_dns_node *node, void *userdata)
{
	struct seen_dns *d = userdata;
	size_t i;

	d->nodes++;
	for (i = 0; i < node->n_records; i++) {
		const spn_dns_record *r = &node->records[i];

		if (strcmp(node->fqdn, "files.corp.test") == 0 &&
		    r->type == SPN_DNS_TYPE_CNAME &&
		    strcmp(r->data, "fs1.corp.test") == 0) {
			d->files_cname_fs1 = 1;
			d->files_tombstoned = node->tombstoned;
			snprintf(d->files_zone, sizeof(d->files_zone), "%s",
				 node->zone);
		}
		if (strcmp(node->fqdn, "dc1.corp.test") == 0 &&
		    r->type == SPN_DNS_TYPE_A && strcmp(r->data, "127.0.0.1") == 0)
			d->dc1_a_loopback = 1;
	}
	return SPN_OK;
}

static unsigned long first_always(unsigned long bound, void *data)
{
	(void)bound;
	(void)data;
	return 0;
}

/* ---- the parts ---- */

static void test_open_domain(spn_dir *dir)
{
	ok(strcmp(spn_dir_server(dir), "dc1.corp.test") == 0,
	   "bound to dc1.corp.test (got %s)", spn_dir_server(dir));
	ok(log_has("candidate 1: dc0.corp.test port 389") &&
	   log_has("dc0.corp.test (ldap://dc0.corp.test:389): ") &&
	   log_has("trying the next"),
	   "the dead dc0.corp.test SRV target was tried first and skipped (%s)",
	   log_has("candidate 2: dc0.corp.test") ? "tried second" :
	   log_has("candidate 1: dc0.corp.test") ? "dc0 listed first" :
	   "dc0 has no SRV record in the lab's DNS now");
	ok(strcmp(spn_dir_uri(dir), "ldap://dc1.corp.test:389") == 0,
	   "URI from the SRV record (got %s)", spn_dir_uri(dir));
	ok(spn_dir_ssf(dir) >= 1, "SASL security layer on ldap:// (SSF %d)",
	   spn_dir_ssf(dir));
	ok(spn_dir_get_scope(dir) == SPN_SCOPE_DOMAIN, "domain scope");
	ok(strcmp(spn_dir_domain(dir), "corp.test") == 0,
	   "domain corp.test (got %s)", spn_dir_domain(dir));
	ok(strcmp(spn_dir_base_dn(dir), "DC=corp,DC=test") == 0,
	   "defaultNamingContext (got %s)", spn_dir_base_dn(dir));
	ok(strcmp(spn_dir_config_dn(dir), "CN=Configuration,DC=corp,DC=test") == 0,
	   "configurationNamingContext (got %s)", spn_dir_config_dn(dir));
	ok(strcmp(spn_dir_root_dn(dir), "DC=corp,DC=test") == 0,
	   "rootDomainNamingContext (got %s)", spn_dir_root_dn(dir));
}

static void test_bulk(spn_ctx *ctx, spn_dir *dir)
{
	struct seen seen = { .n = 0 };
	const struct seen_account *a;
	spn_status st;

	st = spn_dir_find_account(dir, "svc_bulk", collect, &seen);
	a = find_sam(&seen, "svc_bulk");
	ok(st == SPN_OK && seen.total == 1 && a != NULL,
	   "find_account svc_bulk: one account (%s)", spn_ctx_error(ctx));
	ok(a != NULL && a->n_spns == 1600 && a->distinct_spns == 1600 &&
	   a->bulk_names,
	   "svc_bulk comes back with all 1600 distinct http/bulk*.corp.test SPNs (got %zu, %zu distinct)",
	   a != NULL ? a->n_spns : 0, a != NULL ? a->distinct_spns : 0);
	ok(a != NULL && a->kind == SPN_ACCOUNT_USER, "svc_bulk is a user");
	ok(!log_has("range retrieval: "),
	   "Samba sent the 1600 values without range retrieval");
}

/* Range retrieval against the real server: ask for the first 500 values
 * only, as an AD DC with MaxValRange would send them, and let
 * spn_search_values fetch the rest. */
static void test_range(spn_ctx *ctx, spn_dir *dir)
{
	char *attrs[] = { "servicePrincipalName;range=0-499", NULL };
	spn_values values = { NULL, 0 };
	LDAPMessage *res = NULL, *entry;
	char *dn = NULL;
	int rc;

	rc = ldap_search_ext_s(dir->ld, spn_dir_base_dn(dir), LDAP_SCOPE_SUBTREE,
			       "(sAMAccountName=svc_bulk)", attrs, 0, NULL, NULL,
			       NULL, 0, &res);
	entry = rc == LDAP_SUCCESS ? ldap_first_entry(dir->ld, res) : NULL;
	if (entry != NULL)
		dn = ldap_get_dn(dir->ld, entry);
	ok(dn != NULL, "ranged search for svc_bulk (%s)", ldap_err2string(rc));
	if (dn != NULL) {
		spn_status st = spn_search_values(dir, entry, dn,
						  "servicePrincipalName",
						  &values);

		ok(st == SPN_OK && values.n == 1600,
		   "range retrieval from range=0-499 gathers all 1600 values (got %zu: %s)",
		   values.n, spn_ctx_error(ctx));
		ok(log_has("range retrieval: 1600 values of servicePrincipalName"),
		   "range retrieval logged");
	}
	spn_values_clear(&values);
	ldap_memfree(dn);
	ldap_msgfree(res);
}

/* The account reader on ranged attributes, as a Windows DC sends a large
 * attribute unasked (Samba sends ranges only when asked): the values the
 * entry left out are fetched, objectClass included, and a range that does
 * not start at 0 is refused. */
static void test_range_accounts(spn_ctx *ctx, spn_dir *dir)
{
	char *bulk_attrs[] = { "sAMAccountName", "objectClass;range=0-1",
			       "servicePrincipalName;range=0-499", NULL };
	char *fs1_attrs[] = { "sAMAccountName", "dNSHostName",
			      "objectClass;range=0-3", NULL };
	char *late_attrs[] = { "sAMAccountName",
			       "servicePrincipalName;range=5-9", NULL };
	struct seen seen = { .n = 0 };
	const struct seen_account *a;
	unsigned long found = 0;
	spn_status st;

	log_reset();
	st = spn_dir_search_accounts(dir, "ranged account lookup",
				     "(sAMAccountName=svc_bulk)", bulk_attrs,
				     collect, &seen, &found);
	a = find_sam(&seen, "svc_bulk");
	ok(st == SPN_OK && found == 1 && a != NULL,
	   "ranged attributes: svc_bulk found once (%s)", spn_ctx_error(ctx));
	ok(a != NULL && a->n_spns == 1600 && a->distinct_spns == 1600 &&
	   a->bulk_names,
	   "servicePrincipalName;range=0-499 completed to all 1600 SPNs (got %zu, %zu distinct)",
	   a != NULL ? a->n_spns : 0, a != NULL ? a->distinct_spns : 0);
	ok(a != NULL && a->kind == SPN_ACCOUNT_USER,
	   "objectClass;range=0-1 completed: 'user' comes after the first range");
	ok(log_has("range retrieval: 1600 values of servicePrincipalName") &&
	   log_has("range retrieval: 4 values of objectClass"),
	   "both range retrievals logged");

	memset(&seen, 0, sizeof(seen));
	st = spn_dir_search_accounts(dir, "ranged account lookup",
				     "(sAMAccountName=FS1$)", fs1_attrs,
				     collect, &seen, NULL);
	a = find_sam(&seen, "FS1$");
	ok(st == SPN_OK && a != NULL && a->kind == SPN_ACCOUNT_COMPUTER &&
	   strcmp(a->host, "fs1.corp.test") == 0,
	   "objectClass;range=0-3: FS1$ is still a computer, dNSHostName %s (%s)",
	   a != NULL ? a->host : "-", spn_ctx_error(ctx));

	memset(&seen, 0, sizeof(seen));
	st = spn_dir_search_accounts(dir, "ranged account lookup",
				     "(sAMAccountName=svc_bulk)", late_attrs,
				     collect, &seen, NULL);
	ok(st == SPN_E_DIRECTORY && seen.total == 0 &&
	   strstr(spn_ctx_error(ctx), "servicePrincipalName;range=5-9") != NULL &&
	   strstr(spn_ctx_error(ctx), "not a range this client can follow") != NULL,
	   "a first range that does not start at 0 is refused (%s)",
	   spn_ctx_error(ctx));
}

static void test_find_spn(spn_ctx *ctx, spn_dir *dir)
{
	const char *sql[] = { "svc_sqla", "svc_sqlb", "svc_sqlc" };
	const char *app[] = { "svc_app1", "svc_app2" };
	struct seen seen = { .n = 0 };
	spn_status st;

	st = spn_dir_find_spn(dir, "MSSQLSvc/sqlclu.corp.test:1433", collect,
			      &seen);
	ok(st == SPN_OK && sams_are(&seen, sql, 3),
	   "MSSQLSvc/sqlclu.corp.test:1433 has exactly svc_sqla, svc_sqlb, svc_sqlc (got %zu: %s)",
	   seen.total, spn_ctx_error(ctx));
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_spn(dir, "HTTP/APP.CORP.TEST", collect, &seen);
	ok(st == SPN_OK && sams_are(&seen, app, 2),
	   "HTTP/APP.CORP.TEST finds svc_app1 and svc_app2 (case-insensitive; got %zu)",
	   seen.total);
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_spn(dir, "http/nosuch.corp.test", collect, &seen);
	ok(st == SPN_OK && seen.total == 0, "an SPN nobody holds: no accounts");
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_spn(dir, "*", collect, &seen);
	ok(st == SPN_OK && seen.total == 0,
	   "find_spn '*' is an equality match, not a wildcard (got %zu)",
	   seen.total);
}

static void test_query(spn_ctx *ctx, spn_dir *dir)
{
	struct seen seen = { .n = 0 };
	spn_status st;

	st = spn_dir_query(dir, "http/bulk00*", collect, &seen);
	ok(st == SPN_OK && seen.total == 1 && find_sam(&seen, "svc_bulk"),
	   "query http/bulk00* returns svc_bulk (got %zu: %s)", seen.total,
	   spn_ctx_error(ctx));
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_query(dir, "*bulk*", collect, &seen);
	ok(st == SPN_E_INPUT && seen.total == 0 &&
	   strstr(spn_ctx_error(ctx), "*bulk*") != NULL,
	   "a leading '*' pattern is refused, naming it (%s)",
	   spn_ctx_error(ctx));
}

static void test_find_account(spn_ctx *ctx, spn_dir *dir)
{
	struct seen seen = { .n = 0 };
	const struct seen_account *a;
	spn_status st;

	st = spn_dir_find_account(dir, "*)(sAMAccountName=*", collect, &seen);
	ok(st == SPN_E_INPUT && seen.total == 0,
	   "find_account '*)(sAMAccountName=*' finds nothing (status %s, %zu accounts: %s)",
	   spn_status_name(st), seen.total, spn_ctx_error(ctx));
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_account(dir, "*", collect, &seen);
	ok(st == SPN_E_INPUT && seen.total == 0,
	   "find_account '*' finds nothing (got %zu)", seen.total);
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_account(dir, "nosuch_account", collect, &seen);
	ok(st == SPN_E_INPUT &&
	   strstr(spn_ctx_error(ctx), "nosuch_account") != NULL,
	   "an unknown name is SPN_E_INPUT naming it (%s)", spn_ctx_error(ctx));
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_account(dir, "WS01", collect, &seen);
	a = find_sam(&seen, "WS01$");
	ok(st == SPN_OK && seen.total == 1 && a != NULL &&
	   a->kind == SPN_ACCOUNT_COMPUTER,
	   "WS01 finds the computer WS01$ (got %zu)", seen.total);
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_account(dir, "ws01.corp.test", collect, &seen);
	ok(st == SPN_OK && seen.total == 1 && find_sam(&seen, "WS01$"),
	   "ws01.corp.test finds WS01$ by dNSHostName (got %zu)", seen.total);
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_account(dir,
				  "CN=svc_app2,OU=Service Accounts,DC=corp,DC=test",
				  collect, &seen);
	ok(st == SPN_OK && seen.total == 1 && find_sam(&seen, "svc_app2"),
	   "find_account by DN (got %zu: %s)", seen.total, spn_ctx_error(ctx));
}

static size_t test_scan(spn_ctx *ctx, spn_dir *dir)
{
	struct seen seen = { .n = 0 };
	const struct seen_account *bulk, *rc4, *aes, *ws01;
	spn_status st;
	size_t total;
	unsigned long pages;
	char expect[128];

	log_reset();
	st = spn_dir_scan_accounts(dir, collect, &seen);
	total = seen.total;
	bulk = find_sam(&seen, "svc_bulk");
	rc4 = find_sam(&seen, "svc_rc4");
	aes = find_sam(&seen, "svc_aes");
	ws01 = find_sam(&seen, "WS01$");
	ok(st == SPN_OK && total > 30 && total < MAX_SEEN,
	   "scan_accounts (%zu accounts: %s)", total, spn_ctx_error(ctx));
	ok(bulk != NULL && bulk->n_spns == 1600, "scan: svc_bulk with 1600 SPNs");
	ok(rc4 != NULL && rc4->has_enc && rc4->enc == 4,
	   "scan: svc_rc4 msDS-SupportedEncryptionTypes 4");
	ok(aes != NULL && aes->has_enc && aes->enc == 24,
	   "scan: svc_aes msDS-SupportedEncryptionTypes 24");
	ok(ws01 != NULL && ws01->kind == SPN_ACCOUNT_COMPUTER &&
	   strcasecmp(ws01->host, "ws01.corp.test") == 0,
	   "scan: WS01$ is a computer with dNSHostName ws01.corp.test");
	snprintf(expect, sizeof(expect), "account scan: %zu entries in 1 page",
		 total);
	ok(log_has(expect), "one page at page size 1000");

	/* The same scan seven entries at a time. */
	memset(&seen, 0, sizeof(seen));
	log_reset();
	spn_ctx_set_page_size(ctx, 7);
	st = spn_dir_scan_accounts(dir, collect, &seen);
	spn_ctx_set_page_size(ctx, 1000);
	snprintf(expect, sizeof(expect), "account scan: %zu entries in ", total);
	pages = log_has(expect) ? strtoul(strstr(logbuf, expect) + strlen(expect),
					  NULL, 10) : 0;
	ok(st == SPN_OK && seen.total == total && pages >= (total + 6) / 7 &&
	   pages <= (total + 6) / 7 + 1,
	   "page size 7: the same %zu accounts over %lu pages", total, pages);
	bulk = find_sam(&seen, "svc_bulk");
	ok(bulk != NULL && bulk->n_spns == 1600, "page size 7: svc_bulk intact");
	return total;
}

static void test_mappings(spn_ctx *ctx, spn_dir *dir)
{
	struct seen_mappings m = { 0, 0, 0 };
	spn_status st;

	st = spn_dir_spn_mappings(dir, collect_mapping, &m);
	ok(st == SPN_OK && m.cifs_host && m.http_host && m.pairs > 30,
	   "sPNMappings include cifs->host and http->host (%lu pairs: %s)",
	   m.pairs, spn_ctx_error(ctx));
}

static void test_dns(spn_ctx *ctx, spn_dir *dir)
{
	struct seen_dns d;
	spn_status st;

	memset(&d, 0, sizeof(d));
	st = spn_dir_scan_dns(dir, collect_dns, &d);
	ok(st == SPN_OK && d.nodes > 10, "scan_dns (%lu names: %s)", d.nodes,
	   spn_ctx_error(ctx));
	ok(d.files_cname_fs1 && !d.files_tombstoned &&
	   strcmp(d.files_zone, "corp.test") == 0,
	   "files.corp.test is a live CNAME to fs1.corp.test in zone corp.test");
	ok(d.dc1_a_loopback, "dc1.corp.test has A 127.0.0.1");
}

/* The connection dies in the middle of a paged scan (as when the DC goes
 * away): the scan is an error naming the page, never a short success, and
 * the session is not silently reopened without a bind. */
struct cut {
	struct seen seen;
	spn_dir *dir;
	size_t at;
};

static spn_status cut_connection(const spn_account *account, void *userdata)
{
	struct cut *c = userdata;
	ber_socket_t fd = -1;

	collect(account, &c->seen);
	if (c->seen.total == c->at &&
	    ldap_get_option(c->dir->ld, LDAP_OPT_DESC, &fd) == LDAP_OPT_SUCCESS &&
	    fd >= 0)
		shutdown(fd, SHUT_RDWR);
	return SPN_OK;
}

static void test_connection_lost(spn_ctx *ctx, spn_dir *dir, size_t total)
{
	struct cut c;
	struct seen seen = { .n = 0 };
	spn_status st;

	memset(&c, 0, sizeof(c));
	c.dir = dir;
	c.at = 10;
	spn_ctx_set_page_size(ctx, 7);
	st = spn_dir_scan_accounts(dir, cut_connection, &c);
	spn_ctx_set_page_size(ctx, 1000);
	ok(st == SPN_E_DIRECTORY && c.seen.total < total &&
	   strstr(spn_ctx_error(ctx), "failed on page ") != NULL &&
	   strstr(spn_ctx_error(ctx), "Can't contact LDAP server") != NULL &&
	   spn_ctx_error_ldap(ctx) == LDAP_SERVER_DOWN,
	   "connection lost mid-scan: SPN_E_DIRECTORY with the page, after %zu of %zu accounts (%s)",
	   c.seen.total, total, spn_ctx_error(ctx));
	st = spn_dir_find_spn(dir, "MSSQLSvc/sqlclu.corp.test:1433", collect,
			      &seen);
	ok(st == SPN_E_DIRECTORY && seen.total == 0 &&
	   strstr(spn_ctx_error(ctx), "was lost") != NULL,
	   "the lost session is not reused (%s)", spn_ctx_error(ctx));
}

static void test_forest(spn_ctx *ctx, size_t domain_total)
{
	struct seen seen = { .n = 0 };
	const char *sql[] = { "svc_sqla", "svc_sqlb", "svc_sqlc" };
	spn_dir *gc = NULL;
	spn_status st;

	st = spn_dir_open(ctx, SPN_SCOPE_FOREST, &gc);
	ok(st == SPN_OK, "forest scope: bind to a global catalog (%s)",
	   spn_ctx_error(ctx));
	if (st != SPN_OK)
		return;
	ok(strcmp(spn_dir_uri(gc), "ldap://dc1.corp.test:3268") == 0 &&
	   spn_dir_get_scope(gc) == SPN_SCOPE_FOREST,
	   "the GC is on port 3268 (%s)", spn_dir_uri(gc));
	ok(spn_dir_ssf(gc) >= 1, "GC session sealed (SSF %d)", spn_dir_ssf(gc));
	st = spn_dir_scan_accounts(gc, collect, &seen);
	ok(st == SPN_OK && seen.total == domain_total,
	   "GC scan with base \"\" sees the forest's %zu accounts (got %zu: %s)",
	   domain_total, seen.total, spn_ctx_error(ctx));
	memset(&seen, 0, sizeof(seen));
	st = spn_dir_find_spn(gc, "MSSQLSvc/sqlclu.corp.test:1433", collect,
			      &seen);
	ok(st == SPN_OK && sams_are(&seen, sql, 3), "GC find_spn sqlclu: 3");
	spn_dir_close(gc);
}

static void test_uri(void)
{
	spn_ctx *ctx = NULL;
	spn_dir *dir = NULL;
	spn_status st;

	spn_ctx_new(&ctx);
	spn_ctx_set_log(ctx, SPN_LOG_INFO, capture, NULL);
	spn_ctx_set_uri(ctx, "ldap://dc1.corp.test");
	st = spn_dir_open(ctx, SPN_SCOPE_FOREST, &dir);
	ok(st == SPN_OK && strcmp(spn_dir_uri(dir), "ldap://dc1.corp.test:3268") == 0,
	   "-H ldap://dc1.corp.test in forest scope uses port 3268 (%s)",
	   st == SPN_OK ? spn_dir_uri(dir) : spn_ctx_error(ctx));
	ok(st == SPN_OK && strcmp(spn_ctx_get_domain(ctx), "corp.test") == 0,
	   "the domain comes from the RootDSE when only a URI was given");
	spn_dir_close(dir);
	dir = NULL;
	spn_ctx_set_uri(ctx, NULL);
	spn_ctx_set_domain(ctx, "nosuch.test");
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(st == SPN_E_DNS && dir == NULL &&
	   strstr(spn_ctx_error(ctx), "_ldap._tcp.dc._msdcs.nosuch.test") != NULL &&
	   spn_ctx_error_resolver(ctx) == HOST_NOT_FOUND,
	   "a domain without DCs: SPN_E_DNS naming the SRV name, resolver status %d (%s)",
	   spn_ctx_error_resolver(ctx), spn_ctx_error(ctx));
	spn_ctx_set_domain(ctx, NULL);
	/* By address: the KDC has no ldap/127.0.0.1, SASL says so. */
	spn_ctx_set_uri(ctx, "ldap://127.0.0.1");
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(st == SPN_E_DIRECTORY && dir == NULL &&
	   strstr(spn_ctx_error(ctx), "127.0.0.1: Local error: SASL(-1)") != NULL &&
	   strstr(spn_ctx_error(ctx), "Server not found in Kerberos database") != NULL,
	   "a failed bind carries SASL's and the KDC's words (%s)",
	   spn_ctx_error(ctx));
	spn_ctx_set_uri(ctx, "ldap://dc0.corp.test");
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(st == SPN_E_DIRECTORY && dir == NULL &&
	   strstr(spn_ctx_error(ctx), "cannot use any DC: ldap://dc0.corp.test: Can't contact LDAP server") != NULL &&
	   spn_ctx_error_ldap(ctx) == LDAP_SERVER_DOWN,
	   "a dead DC: SPN_E_DIRECTORY naming it with libldap's words (%s)",
	   spn_ctx_error(ctx));
	spn_ctx_unref(ctx);
}

/* Is the session bound as sam? The RootDSE's tokenGroups lists the SIDs
 * of the bound identity, its own SID included. */
static int bound_as(spn_dir *dir, const char *sam)
{
	char *sid_attrs[] = { "objectSid", NULL };
	char *tg_attrs[] = { "tokenGroups", NULL };
	char filter[128];
	LDAPMessage *res = NULL, *tg = NULL, *e;
	struct berval **sid = NULL, **groups = NULL;
	int found = 0;
	size_t i;

	snprintf(filter, sizeof(filter), "(sAMAccountName=%s)", sam);
	if (ldap_search_ext_s(dir->ld, spn_dir_base_dn(dir), LDAP_SCOPE_SUBTREE,
			      filter, sid_attrs, 0, NULL, NULL, NULL, 0,
			      &res) != LDAP_SUCCESS ||
	    ldap_search_ext_s(dir->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
			      tg_attrs, 0, NULL, NULL, NULL, 0,
			      &tg) != LDAP_SUCCESS)
		goto cleanup;
	e = ldap_first_entry(dir->ld, res);
	sid = e != NULL ? ldap_get_values_len(dir->ld, e, "objectSid") : NULL;
	e = ldap_first_entry(dir->ld, tg);
	groups = e != NULL ? ldap_get_values_len(dir->ld, e, "tokenGroups") : NULL;
	for (i = 0; sid != NULL && sid[0] != NULL && groups != NULL &&
		    groups[i] != NULL; i++)
		if (groups[i]->bv_len == sid[0]->bv_len &&
		    memcmp(groups[i]->bv_val, sid[0]->bv_val, sid[0]->bv_len) == 0)
			found = 1;
cleanup:
	ldap_value_free_len(sid);
	ldap_value_free_len(groups);
	ldap_msgfree(res);
	ldap_msgfree(tg);
	return found;
}

/* The context's MEMORY: ccache holds a TGT before spn_creds_destroy and is
 * gone (no principal) after it. */
static int memory_ccache_destroyed(spn_ctx *ctx)
{
	krb5_context kctx = NULL;
	krb5_ccache cc = NULL;
	krb5_principal p = NULL;
	char *name = ctx->ccache_name != NULL ? strdup(ctx->ccache_name) : NULL;
	int before = 0, after = 1;

	if (name == NULL || krb5_init_context(&kctx) != 0) {
		free(name);
		return 0;
	}
	if (krb5_cc_resolve(kctx, name, &cc) == 0) {
		before = krb5_cc_get_principal(kctx, cc, &p) == 0;
		krb5_free_principal(kctx, p);
		p = NULL;
		krb5_cc_close(kctx, cc);
	}
	spn_creds_destroy(ctx);
	if (krb5_cc_resolve(kctx, name, &cc) == 0) {
		after = krb5_cc_get_principal(kctx, cc, &p) == 0;
		krb5_free_principal(kctx, p);
		krb5_cc_destroy(kctx, cc);   /* the empty one resolving made */
	}
	krb5_free_context(kctx);
	free(name);
	return before && !after && ctx->ccache_name == NULL;
}

/* A keytab's tickets go into a private memory ccache: the bind uses them
 * whatever KRB5CCNAME says (Administrator's tickets, or nothing). */
static void test_keytab(void)
{
	const char *lab = getenv("SPNKIT_LAB_DIR");
	char dirname[] = "/tmp/spnkit-test-dir-XXXXXX", keytab[128], cmd[512];
	char ccache[160];
	char *old = getenv("KRB5CCNAME") != NULL ? strdup(getenv("KRB5CCNAME")) : NULL;
	spn_ctx *ctx = NULL;
	spn_dir *dir = NULL;
	spn_status st;
	int rc;

	if (lab == NULL || old == NULL || mkdtemp(dirname) == NULL) {
		ok(0, "keytab: lab.sh run sets SPNKIT_LAB_DIR and KRB5CCNAME");
		free(old);
		return;
	}
	snprintf(keytab, sizeof(keytab), "%s/svc_web.keytab", dirname);
	snprintf(cmd, sizeof(cmd),
		 "samba-tool domain exportkeytab '%s' --principal=svc_web@CORP.TEST -s '%s/etc/smb.conf' >/dev/null",
		 keytab, lab);
	rc = system(cmd);
	ok(rc == 0, "samba-tool exported a keytab for svc_web");
	chmod(keytab, 0644);

	/* KRB5CCNAME holds Administrator's tickets: the keytab still wins. */
	spn_ctx_new(&ctx);
	spn_ctx_set_log(ctx, SPN_LOG_INFO, capture, NULL);
	spn_ctx_set_keytab(ctx, keytab, NULL);
	log_reset();
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(st == SPN_OK, "bind with a keytab (%s)", spn_ctx_error(ctx));
	ok(st == SPN_OK && bound_as(dir, "svc_web") &&
	   !bound_as(dir, "Administrator"),
	   "the DC sees svc_web from the keytab, not Administrator from KRB5CCNAME");
	ok(log_has("can be read or written by group or others (mode 0644)"),
	   "a keytab readable by others is warned about");
	ok(strcmp(getenv("KRB5CCNAME"), old) == 0,
	   "the environment is left alone");
	spn_dir_close(dir);
	dir = NULL;

	/* KRB5CCNAME points nowhere: a second session of the same context
	 * reuses the memory ccache (no second AS request). */
	setenv("KRB5CCNAME", "FILE:/nonexistent/spnkit/ccache", 1);
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(st == SPN_OK && bound_as(dir, "svc_web") &&
	   log_count("getting a ticket for svc_web@CORP.TEST") == 1,
	   "a second session reuses the context's memory ccache (%s)",
	   spn_ctx_error(ctx));
	spn_dir_close(dir);
	dir = NULL;
	ok(memory_ccache_destroyed(ctx),
	   "spn_creds_destroy removes the context's memory ccache");
	spn_ctx_unref(ctx);

	/* A new context, KRB5CCNAME pointing nowhere, keytab mode 0600. */
	chmod(keytab, 0600);
	spn_ctx_new(&ctx);
	spn_ctx_set_log(ctx, SPN_LOG_DEBUG, capture, NULL);
	spn_ctx_set_keytab(ctx, keytab, "svc_web@CORP.TEST");
	log_reset();
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(st == SPN_OK && bound_as(dir, "svc_web") &&
	   !log_has("group or others"),
	   "keytab bind with no ccache anywhere, no warning at mode 0600 (%s)",
	   spn_ctx_error(ctx));
	ok(log_has("[debug] krb5: ") && log_has("AS-REQ"),
	   "libkrb5's trace reaches the log at SPN_LOG_DEBUG");
	spn_dir_close(dir);
	dir = NULL;
	spn_creds_destroy(ctx);
	spn_ctx_unref(ctx);

	/* Without a keytab the default ccache is used: here there is none. */
	spn_ctx_new(&ctx);
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(st == SPN_E_KERBEROS && dir == NULL &&
	   strstr(spn_ctx_error(ctx), "FILE:/nonexistent/spnkit/ccache") != NULL &&
	   strstr(spn_ctx_error(ctx), "kinit") != NULL &&
	   spn_ctx_error_krb5(ctx) != 0,
	   "no ccache: SPN_E_KERBEROS saying to run kinit (%s)",
	   spn_ctx_error(ctx));
	spn_ctx_unref(ctx);

	/* A ccache whose TGT has expired (a 2-second ticket, 3 seconds ago). */
	snprintf(ccache, sizeof(ccache), "FILE:%s/short.ccache", dirname);
	snprintf(cmd, sizeof(cmd),
		 "kinit -l 2s -k -t '%s' -c '%s' svc_web@CORP.TEST && sleep 3",
		 keytab, ccache);
	rc = system(cmd);
	setenv("KRB5CCNAME", ccache, 1);
	spn_ctx_new(&ctx);
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	ok(rc == 0 && st == SPN_E_KERBEROS && dir == NULL &&
	   strstr(spn_ctx_error(ctx), "expired at") != NULL &&
	   strstr(spn_ctx_error(ctx), "kinit") != NULL &&
	   spn_ctx_error_krb5(ctx) == KRB5KRB_AP_ERR_TKT_EXPIRED,
	   "an expired TGT: SPN_E_KERBEROS saying when (%s)", spn_ctx_error(ctx));
	spn_ctx_unref(ctx);

	setenv("KRB5CCNAME", old, 1);
	free(old);
	unlink(ccache + 5);
	unlink(keytab);
	rmdir(dirname);
}

int main(void)
{
	spn_ctx *ctx = NULL;
	spn_dir *dir = NULL;
	spn_status st;
	size_t total = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (spn_ctx_new(&ctx) != SPN_OK)
		return 1;
	spn_ctx_set_log(ctx, SPN_LOG_INFO, capture, NULL);
	/* Equal-priority SRV targets in their listed order: the dead dc0
	 * (weight 0) comes first, so the failover is exercised every run. */
	spn_srv_discover_random = first_always;
	st = spn_dir_open(ctx, SPN_SCOPE_DOMAIN, &dir);
	spn_srv_discover_random = spn_srv_random;
	ok(st == SPN_OK, "domain scope: SRV discovery and SASL GSSAPI bind (%s)",
	   spn_ctx_error(ctx));
	if (st != SPN_OK) {
		printf("Bail out! no directory session\n");
		spn_ctx_unref(ctx);
		return 1;
	}
	test_open_domain(dir);
	log_reset();
	test_bulk(ctx, dir);
	test_range(ctx, dir);
	test_range_accounts(ctx, dir);
	test_find_spn(ctx, dir);
	test_query(ctx, dir);
	test_find_account(ctx, dir);
	total = test_scan(ctx, dir);
	test_mappings(ctx, dir);
	test_dns(ctx, dir);
	test_connection_lost(ctx, dir, total);
	spn_dir_close(dir);
	test_forest(ctx, total);
	spn_ctx_unref(ctx);
	test_uri();
	test_keytab();
	printf("1..%d\n", n_tests);
	return n_failed == 0 ? 0 : 1;
}
