/* discover.c - the domain (krb5 default realm) and its DCs by DNS SRV. */
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <krb5.h>

#include "discover.h"

#define ANSWER_MAX 65536

unsigned long spn_srv_random(unsigned long bound, void *data)
{
	static _Thread_local unsigned long fallback;
	unsigned long x, range, threshold;

	(void)data;
	if (bound == 0)
		return 0;
	range = bound + 1;   /* 0 when bound is ULONG_MAX: every x is fine */
	/* Reject the low 2^N mod range values so each result is equally likely. */
	threshold = range == 0 ? 0 : (0UL - range) % range;
	for (;;) {
		if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x)) {
			/* No entropy yet: any spread will do for load balancing. */
			fallback = fallback * 6364136223846793005UL +
				   (unsigned long)time(NULL) + 1442695040888963407UL;
			x = fallback ^ (fallback >> 29);
		}
		if (x >= threshold)
			break;
	}
	return range == 0 ? x : x % range;
}

spn_srv_random_fn spn_srv_discover_random = spn_srv_random;

/* Move srv[from] to srv[to] (to <= from), shifting the rest up by one. */
static void rotate_down(spn_srv *srv, size_t to, size_t from)
{
	spn_srv tmp = srv[from];

	memmove(&srv[to + 1], &srv[to], (from - to) * sizeof(*srv));
	srv[to] = tmp;
}

/* Order one priority group srv[0..n) by weighted random selection. */
static void order_group(spn_srv *srv, size_t n, spn_srv_random_fn rnd,
			void *data)
{
	size_t i, k, zeros = 0;

	/* Weight-0 entries first (stably), as RFC 2782 asks. */
	for (i = 0; i < n; i++) {
		if (srv[i].weight == 0)
			rotate_down(srv, zeros++, i);
	}
	for (k = 0; k + 1 < n; k++) {
		unsigned long sum = 0, running = 0, r;

		for (i = k; i < n; i++)
			sum += srv[i].weight;
		r = rnd(sum, data);
		if (r > sum)
			r = sum;
		for (i = k; i < n; i++) {
			running += srv[i].weight;
			if (running >= r)
				break;
		}
		if (i == n)
			i = n - 1;
		rotate_down(srv, k, i);
	}
}

void spn_srv_order(spn_srv *srv, size_t n, spn_srv_random_fn rnd, void *data)
{
	size_t i, j;

	if (srv == NULL || n < 2)
		return;
	/* Stable insertion sort by priority (lists are short). */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && srv[j - 1].priority > srv[i].priority; j--)
			;
		if (j < i)
			rotate_down(srv, j, i);
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && srv[j].priority == srv[i].priority; j++)
			;
		order_group(srv + i, j - i, rnd, data);
	}
}

void spn_srv_free(spn_srv *srv, size_t n)
{
	size_t i;

	if (srv == NULL)
		return;
	for (i = 0; i < n; i++)
		free(srv[i].target);
	free(srv);
}

spn_status spn_srv_parse(spn_ctx *ctx, const char *qname,
			 const unsigned char *msg, size_t len,
			 spn_srv **srv_out, size_t *n_out)
{
	spn_status st = SPN_OK;
	ns_msg handle;
	ns_rr rr;
	spn_srv *srv = NULL;
	size_t n = 0, count, i;
	int dots = 0;

	if (len > ANSWER_MAX ||
	    ns_initparse(msg, (int)len, &handle) < 0) {
		st = spn_error(ctx, SPN_E_DNS,
			       "DNS answer for %s is malformed (%zu bytes)",
			       qname, len);
		goto cleanup;
	}
	count = ns_msg_count(handle, ns_s_an);
	srv = calloc(count > 0 ? count : 1, sizeof(*srv));
	if (srv == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	for (i = 0; i < count; i++) {
		const unsigned char *rd;
		char target[NS_MAXDNAME];
		size_t tlen;
		int used;

		if (ns_parserr(&handle, ns_s_an, (int)i, &rr) < 0) {
			st = spn_error(ctx, SPN_E_DNS,
				       "DNS answer for %s: record %zu is malformed",
				       qname, i + 1);
			goto cleanup;
		}
		if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in)
			continue;
		rd = ns_rr_rdata(rr);
		if (ns_rr_rdlen(rr) < 7) {
			st = spn_error(ctx, SPN_E_DNS,
				       "DNS answer for %s: SRV record %zu is truncated",
				       qname, i + 1);
			goto cleanup;
		}
		used = dn_expand(ns_msg_base(handle), ns_msg_end(handle), rd + 6,
				 target, sizeof(target));
		if (used < 0 || used > ns_rr_rdlen(rr) - 6) {
			st = spn_error(ctx, SPN_E_DNS,
				       "DNS answer for %s: SRV record %zu has a bad target name",
				       qname, i + 1);
			goto cleanup;
		}
		tlen = strlen(target);
		if (tlen > 0 && target[tlen - 1] == '.')
			target[--tlen] = '\0';
		if (tlen == 0) {
			dots++;   /* "." : not available at this name */
			continue;
		}
		srv[n].target = strdup(target);
		if (srv[n].target == NULL) {
			st = SPN_E_NOMEM;
			goto cleanup;
		}
		srv[n].priority = ns_get16(rd);
		srv[n].weight = ns_get16(rd + 2);
		srv[n].port = ns_get16(rd + 4);
		n++;
	}
	if (dots > 0 && n == 0 && ctx != NULL)
		spn_log(ctx, SPN_LOG_INFO,
			"%s has the target \".\": the service is not offered there",
			qname);
	*srv_out = srv;
	*n_out = n;
	srv = NULL;
	n = 0;
cleanup:
	spn_srv_free(srv, n);
	return st;
}

spn_status spn_discover_domain(spn_ctx *ctx, const char **domain_out)
{
	spn_status st = SPN_OK;
	krb5_context kctx = NULL;
	krb5_error_code code;
	char *realm = NULL;

	if (spn_ctx_get_domain(ctx) != NULL) {
		*domain_out = spn_ctx_get_domain(ctx);
		return SPN_OK;
	}
	code = krb5_init_context(&kctx);
	if (code != 0) {
		st = spn_error(ctx, SPN_E_CONFIG,
			       "cannot read the Kerberos configuration (%s): no domain known (give one with -d DOMAIN)",
			       krb5_get_error_message(NULL, code));
		spn_error_set_krb5(ctx, code);
		goto cleanup;
	}
	code = krb5_get_default_realm(kctx, &realm);
	if (code != 0) {
		const char *msg = krb5_get_error_message(kctx, code);

		st = spn_error(ctx, SPN_E_CONFIG,
			       "no domain given and no default realm in the Kerberos configuration (%s); give one with -d DOMAIN",
			       msg);
		krb5_free_error_message(kctx, msg);
		spn_error_set_krb5(ctx, code);
		goto cleanup;
	}
	st = spn_ctx_store_domain(ctx, realm);
	if (st != SPN_OK)
		goto cleanup;
	spn_log(ctx, SPN_LOG_INFO,
		"domain %s (from the Kerberos default realm %s)",
		spn_ctx_get_domain(ctx), realm);
	*domain_out = spn_ctx_get_domain(ctx);
cleanup:
	if (realm != NULL)
		krb5_free_default_realm(kctx, realm);
	if (kctx != NULL)
		krb5_free_context(kctx);
	return st;
}

spn_status spn_srv_discover(spn_ctx *ctx, const char *qname,
			    spn_srv **srv_out, size_t *n_out)
{
	spn_status st = SPN_OK;
	struct __res_state rs;
	unsigned char *answer = NULL;
	spn_srv *srv = NULL;
	size_t n = 0, i;
	int len, inited = 0;

	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0) {
		st = spn_error(ctx, SPN_E_DNS,
			       "cannot look up %s: the resolver configuration could not be read",
			       qname);
		spn_error_set_resolver(ctx, rs.res_h_errno);
		goto cleanup;
	}
	inited = 1;
	answer = malloc(ANSWER_MAX);
	if (answer == NULL) {
		st = SPN_E_NOMEM;
		goto cleanup;
	}
	spn_log(ctx, SPN_LOG_DEBUG, "DNS SRV query %s", qname);
	len = res_nquery(&rs, qname, ns_c_in, ns_t_srv, answer, ANSWER_MAX);
	if (len < 0) {
		st = spn_error(ctx, SPN_E_DNS,
			       "DNS SRV lookup of %s failed: %s (resolver status %d)",
			       qname, hstrerror(rs.res_h_errno), rs.res_h_errno);
		spn_error_set_resolver(ctx, rs.res_h_errno);
		goto cleanup;
	}
	st = spn_srv_parse(ctx, qname, answer, (size_t)len, &srv, &n);
	if (st != SPN_OK)
		goto cleanup;
	if (n == 0) {
		st = spn_error(ctx, SPN_E_DNS,
			       "DNS SRV lookup of %s found no usable server",
			       qname);
		spn_error_set_resolver(ctx, NO_DATA);
		goto cleanup;
	}
	spn_srv_order(srv, n, spn_srv_discover_random, NULL);
	for (i = 0; i < n; i++)
		spn_log(ctx, SPN_LOG_INFO,
			"%s: candidate %zu: %s port %u (priority %u, weight %u)",
			qname, i + 1, srv[i].target, srv[i].port,
			srv[i].priority, srv[i].weight);
	*srv_out = srv;
	*n_out = n;
	srv = NULL;
	n = 0;
cleanup:
	spn_srv_free(srv, n);
	free(answer);
	if (inited)
		res_nclose(&rs);
	return st;
}
