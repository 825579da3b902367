/* search.c - paged, streamed LDAP searches (RFC 2696) and range retrieval. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "search.h"

/* Parse digits at *p into *out; 0 when there are none or they overflow. */
static int parse_number(const char **p, unsigned long *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (v > (SPN_RANGE_END - 1 - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 1;
}

int spn_range_parse(const char *desc, const char *attr,
		    unsigned long *low_out, unsigned long *high_out)
{
	size_t alen;
	const char *p;

	if (desc == NULL || attr == NULL)
		return 0;
	alen = strlen(attr);
	if (strncasecmp(desc, attr, alen) != 0 || desc[alen] != ';')
		return 0;
	for (p = desc + alen; *p == ';'; ) {
		unsigned long low, high;

		p++;
		if (strncasecmp(p, "range=", 6) != 0) {
			p += strcspn(p, ";");
			continue;
		}
		p += 6;
		if (!parse_number(&p, &low) || *p++ != '-')
			return -1;
		if (*p == '*') {
			high = SPN_RANGE_END;
			p++;
		} else if (!parse_number(&p, &high) || high < low) {
			return -1;
		}
		if (*p != '\0' && *p != ';')
			return -1;
		*low_out = low;
		*high_out = high;
		return 1;
	}
	return 0;
}

void spn_values_clear(spn_values *values)
{
	size_t i;

	if (values == NULL)
		return;
	for (i = 0; i < values->n; i++)
		free(values->v[i].bv_val);
	free(values->v);
	values->v = NULL;
	values->n = 0;
}

/* Append copies of the values of desc in entry. */
static spn_status append_values(spn_dir *dir, LDAPMessage *entry,
				const char *desc, spn_values *values)
{
	struct berval **vals;
	struct berval *grown;
	size_t n, i;

	vals = ldap_get_values_len(dir->ld, entry, desc);
	if (vals == NULL)
		return SPN_OK;
	n = (size_t)ldap_count_values_len(vals);
	grown = realloc(values->v, (values->n + n + 1) * sizeof(*grown));
	if (grown == NULL) {
		ldap_value_free_len(vals);
		return SPN_E_NOMEM;
	}
	values->v = grown;
	for (i = 0; i < n; i++) {
		struct berval *bv = &values->v[values->n];

		bv->bv_val = malloc(vals[i]->bv_len + 1);
		if (bv->bv_val == NULL) {
			ldap_value_free_len(vals);
			return SPN_E_NOMEM;
		}
		memcpy(bv->bv_val, vals[i]->bv_val, vals[i]->bv_len);
		bv->bv_val[vals[i]->bv_len] = '\0';
		bv->bv_len = vals[i]->bv_len;
		values->n++;
	}
	ldap_value_free_len(vals);
	return SPN_OK;
}

/* Find how entry carries attr: plain (1, *desc_out = the name as sent),
 * ranged (2, with low/high), absent (0), or a malformed range (-1). */
static int find_attr(spn_dir *dir, LDAPMessage *entry, const char *attr,
		     char **desc_out, unsigned long *low, unsigned long *high)
{
	BerElement *ber = NULL;
	char *a;
	int found = 0;

	for (a = ldap_first_attribute(dir->ld, entry, &ber); a != NULL;
	     a = ldap_next_attribute(dir->ld, entry, ber)) {
		if (strcasecmp(a, attr) == 0) {
			found = 1;
		} else {
			found = spn_range_parse(a, attr, low, high);
			if (found == 1)
				found = 2;
		}
		if (found != 0) {
			*desc_out = a;
			break;
		}
		ldap_memfree(a);
	}
	if (ber != NULL)
		ber_free(ber, 0);
	return found;
}

/* Fetch attr;range=<next>-* of dn with a base-scope search. */
static spn_status fetch_range(spn_dir *dir, const char *dn, const char *attr,
			      unsigned long next, LDAPMessage **res_out)
{
	char desc[256];
	char *attrs[2];
	struct timeval tv = { SPN_DIR_OP_TIMEOUT, 0 };
	LDAPMessage *res = NULL;
	spn_sigpipe guard;
	spn_status st;
	int rc;

	st = spn_dir_check_session(dir);
	if (st != SPN_OK)
		return st;

	snprintf(desc, sizeof(desc), "%s;range=%lu-*", attr, next);
	attrs[0] = desc;
	attrs[1] = NULL;
	spn_log(dir->ctx, SPN_LOG_DEBUG, "range retrieval: %s of %s", desc, dn);
	spn_sigpipe_block(&guard);
	rc = ldap_search_ext_s(dir->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
			       attrs, 0, NULL, NULL, &tv, LDAP_NO_LIMIT, &res);
	spn_sigpipe_restore(&guard);
	if (rc != LDAP_SUCCESS) {
		char words[512];

		spn_dir_note_failure(dir, rc);
		spn_dir_ldap_words(dir->ld, rc, words, sizeof(words));
		ldap_msgfree(res);
		spn_error(dir->ctx, SPN_E_DIRECTORY,
			  "range retrieval of %s on %s from %s failed: %s",
			  desc, dn, dir->server, words);
		spn_error_set_ldap(dir->ctx, rc);
		return SPN_E_DIRECTORY;
	}
	*res_out = res;
	return SPN_OK;
}

spn_status spn_search_range_rest(spn_dir *dir, const char *dn,
				 const char *attr, unsigned long high,
				 size_t first, spn_values *values)
{
	spn_status st = SPN_OK;
	LDAPMessage *res = NULL;
	char *desc = NULL;
	unsigned long low = 0, next;
	size_t had = values->n;
	unsigned int rounds = 0;
	int how;

	while (high != SPN_RANGE_END) {
		LDAPMessage *e;

		next = high + 1;
		rounds++;
		ldap_memfree(desc);
		desc = NULL;
		ldap_msgfree(res);
		res = NULL;
		st = fetch_range(dir, dn, attr, next, &res);
		if (st != SPN_OK)
			goto cleanup;
		e = ldap_first_entry(dir->ld, res);
		how = e != NULL ? find_attr(dir, e, attr, &desc, &low, &high) : 0;
		if (how != 2 || low != next) {
			st = spn_error(dir->ctx, SPN_E_DIRECTORY,
				       "range retrieval of %s on %s from %s: asked for values from %lu on and got %s (did the entry change during the scan?)",
				       attr, dn, dir->server, next,
				       desc != NULL ? desc : "nothing");
			goto cleanup;
		}
		st = append_values(dir, e, desc, values);
		if (st != SPN_OK)
			goto cleanup;
	}
	if (rounds > 0)
		spn_log(dir->ctx, SPN_LOG_INFO,
			"range retrieval: %zu values of %s on %s in %u extra requests",
			first + (values->n - had), attr, dn, rounds);
cleanup:
	ldap_memfree(desc);
	ldap_msgfree(res);
	return st;
}

spn_status spn_search_values(spn_dir *dir, LDAPMessage *entry, const char *dn,
			     const char *attr, spn_values *values_out)
{
	spn_status st = SPN_OK;
	spn_values values = { NULL, 0 };
	char *desc = NULL;
	unsigned long low = 0, high = 0;
	int how;

	how = find_attr(dir, entry, attr, &desc, &low, &high);
	if (how < 0 || (how == 2 && low != 0)) {
		st = spn_error(dir->ctx, SPN_E_DIRECTORY,
			       "%s sent the attribute %s for %s: not a range this client can follow",
			       dir->server, desc, dn);
		goto cleanup;
	}
	if (how == 0)
		goto done;
	st = append_values(dir, entry, desc, &values);
	if (st == SPN_OK && how == 2)
		st = spn_search_range_rest(dir, dn, attr, high, values.n,
					   &values);
	if (st != SPN_OK)
		goto cleanup;
done:
	*values_out = values;
	values.v = NULL;
	values.n = 0;
cleanup:
	ldap_memfree(desc);
	spn_values_clear(&values);
	return st;
}

/* Record a failed page: the server's words, the LDAP code, which page. */
static spn_status page_error(spn_dir *dir, const char *what, int page, int rc,
			     const char *words)
{
	spn_dir_note_failure(dir, rc);
	spn_error(dir->ctx, SPN_E_DIRECTORY,
		  "%s on %s failed on page %d: %s (the scan is incomplete)",
		  what, dir->server, page, words);
	spn_error_set_ldap(dir->ctx, rc);
	return SPN_E_DIRECTORY;
}

static void abandon(spn_dir *dir, int msgid)
{
	spn_sigpipe guard;

	spn_sigpipe_block(&guard);
	ldap_abandon_ext(dir->ld, msgid, NULL, NULL);
	spn_sigpipe_restore(&guard);
}

/* Read the answers to one page request; on success *result_out is the
 * final SearchResultDone message. */
static spn_status read_page(spn_dir *dir, const char *what, int page,
			    int msgid, spn_entry_fn fn, void *userdata,
			    unsigned long *entries, LDAPMessage **result_out)
{
	spn_status st = SPN_OK;
	LDAPMessage *msg = NULL;
	char words[512];

	for (;;) {
		struct timeval tv = { SPN_DIR_OP_TIMEOUT, 0 };
		int rc, err = LDAP_OTHER;

		rc = ldap_result(dir->ld, msgid, LDAP_MSG_ONE, &tv, &msg);
		if (rc == 0) {
			abandon(dir, msgid);
			snprintf(words, sizeof(words),
				 "no answer within %d seconds",
				 SPN_DIR_OP_TIMEOUT);
			return page_error(dir, what, page, LDAP_TIMEOUT, words);
		}
		if (rc < 0) {
			dir->lost = 1;
			ldap_get_option(dir->ld, LDAP_OPT_RESULT_CODE, &err);
			spn_dir_ldap_words(dir->ld, err, words, sizeof(words));
			return page_error(dir, what, page, err, words);
		}
		if (rc == LDAP_RES_SEARCH_RESULT)
			break;
		if (rc == LDAP_RES_SEARCH_ENTRY) {
			(*entries)++;
			st = fn(dir, msg, userdata);
			if (st != SPN_OK) {
				abandon(dir, msgid);
				goto cleanup;
			}
		} else if (rc == LDAP_RES_SEARCH_REFERENCE) {
			spn_log(dir->ctx, SPN_LOG_DEBUG,
				"%s: ignoring a referral on page %d (referrals are off)",
				what, page);
		}
		ldap_msgfree(msg);
		msg = NULL;
	}
	*result_out = msg;
	msg = NULL;
cleanup:
	ldap_msgfree(msg);
	return st;
}

spn_status spn_search_paged(spn_dir *dir, const char *what, const char *base,
			    int scope, const char *filter, char **attrs,
			    spn_entry_fn fn, void *userdata, int *missing_out)
{
	spn_status st = SPN_OK;
	struct berval cookie = { 0, NULL };
	LDAPControl *page_ctrl = NULL, **res_ctrls = NULL;
	LDAPMessage *result = NULL;
	unsigned long entries = 0;
	char words[512];
	int page = 0;

	st = spn_dir_check_session(dir);
	if (st != SPN_OK)
		return st;
	spn_log(dir->ctx, SPN_LOG_INFO,
		"%s: server %s, base \"%s\", filter %s, page size %d",
		what, dir->server, base, filter, dir->ctx->page_size);
	do {
		LDAPControl *server_ctrls[2] = { NULL, NULL }, *resp;
		spn_sigpipe guard;
		char *errmsg = NULL;
		ber_int_t estimate = 0;
		int rc, err = LDAP_SUCCESS, msgid = -1;

		page++;
		rc = ldap_create_page_control(dir->ld, dir->ctx->page_size,
					      cookie.bv_val != NULL ? &cookie : NULL,
					      1, &page_ctrl);
		if (rc != LDAP_SUCCESS) {
			st = page_error(dir, what, page, rc, ldap_err2string(rc));
			goto cleanup;
		}
		server_ctrls[0] = page_ctrl;
		spn_sigpipe_block(&guard);
		rc = ldap_search_ext(dir->ld, base, scope, filter, attrs, 0,
				     server_ctrls, NULL, NULL, LDAP_NO_LIMIT,
				     &msgid);
		spn_sigpipe_restore(&guard);
		ldap_control_free(page_ctrl);
		page_ctrl = NULL;
		if (rc != LDAP_SUCCESS) {
			spn_dir_ldap_words(dir->ld, rc, words, sizeof(words));
			st = page_error(dir, what, page, rc, words);
			goto cleanup;
		}
		st = read_page(dir, what, page, msgid, fn, userdata, &entries,
			       &result);
		if (st != SPN_OK)
			goto cleanup;
		rc = ldap_parse_result(dir->ld, result, &err, NULL, &errmsg,
				       NULL, &res_ctrls, 1);
		result = NULL;
		if (rc != LDAP_SUCCESS) {
			ldap_memfree(errmsg);
			st = page_error(dir, what, page, rc, ldap_err2string(rc));
			goto cleanup;
		}
		if (err != LDAP_SUCCESS) {
			/* noSuchObject, or a referral to the DCs that hold a
			 * partition this server does not (a GC and the DNS
			 * application partitions). */
			int missing = (err == LDAP_NO_SUCH_OBJECT ||
				       err == LDAP_REFERRAL) && page == 1 &&
				      missing_out != NULL;

			snprintf(words, sizeof(words), "%s%s%s",
				 ldap_err2string(err),
				 errmsg != NULL && *errmsg ? ": " : "",
				 errmsg != NULL ? errmsg : "");
			ldap_memfree(errmsg);
			if (missing) {
				spn_log(dir->ctx, SPN_LOG_INFO,
					"%s: %s has no \"%s\" (%s)", what,
					dir->server, base, words);
				*missing_out = 1;
				goto cleanup;
			}
			st = page_error(dir, what, page, err, words);
			goto cleanup;
		}
		ldap_memfree(errmsg);
		resp = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, res_ctrls,
					 NULL);
		if (resp == NULL) {
			st = page_error(dir, what, page, LDAP_PROTOCOL_ERROR,
					"the answer carries no paged results control");
			goto cleanup;
		}
		ber_memfree(cookie.bv_val);
		cookie.bv_val = NULL;
		cookie.bv_len = 0;
		rc = ldap_parse_pageresponse_control(dir->ld, resp, &estimate,
						     &cookie);
		if (rc != LDAP_SUCCESS) {
			st = page_error(dir, what, page, rc,
					"the paged results control in the answer is malformed");
			goto cleanup;
		}
		ldap_controls_free(res_ctrls);
		res_ctrls = NULL;
		spn_log(dir->ctx, SPN_LOG_DEBUG, "%s: page %d done, %lu entries so far",
			what, page, entries);
	} while (cookie.bv_val != NULL && cookie.bv_len > 0);
	spn_log(dir->ctx, SPN_LOG_INFO, "%s: %lu entries in %d page%s from %s",
		what, entries, page, page == 1 ? "" : "s", dir->server);
	if (missing_out != NULL)
		*missing_out = 0;
cleanup:
	ldap_msgfree(result);
	ldap_controls_free(res_ctrls);
	ldap_control_free(page_ctrl);
	ber_memfree(cookie.bv_val);
	return st;
}
