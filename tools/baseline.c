/* baseline.c - read a previous report and match findings against it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "baseline.h"

#define MAX_BASELINE_SIZE (512L * 1024 * 1024)

static char *read_file(const char *path, size_t *len_out, char *err,
		       size_t err_size)
{
	FILE *f = NULL;
	char *buf = NULL;
	struct stat st;
	size_t n;

	f = fopen(path, "rb");
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		snprintf(err, err_size, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_BASELINE_SIZE) {
		snprintf(err, err_size, "not a regular file under 512 MiB");
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, err_size, "out of memory");
		goto fail;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size || ferror(f)) {
		snprintf(err, err_size, "read error");
		goto fail;
	}
	buf[n] = '\0';
	*len_out = n;
	fclose(f);
	return buf;
fail:
	free(buf);
	if (f != NULL)
		fclose(f);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* check \x1f lower(spn) \x1f host \x1f sorted account DNs, \x1e-separated */
static char *make_id(const char *check, const char *spn, const char *host,
		     const char **dns, size_t n)
{
	size_t len, i;
	char *id, *p;

	qsort(dns, n, sizeof(*dns), cmp_str);
	len = strlen(check) + (spn ? strlen(spn) : 0) +
	      (host ? strlen(host) : 0) + 4;
	for (i = 0; i < n; i++)
		len += strlen(dns[i]) + 1;
	id = malloc(len);
	if (id == NULL)
		return NULL;
	p = id;
	p += sprintf(p, "%s\x1f%s\x1f%s\x1f", check, spn ? spn : "",
		     host ? host : "");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\x1e", dns[i]);
	*p = '\0';
	for (p = id; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return id;
}

char *baseline_finding_id(const spn_finding *f)
{
	const char **dns;
	char *id;
	size_t i;

	dns = calloc(f->n_accounts + 1, sizeof(*dns));
	if (dns == NULL)
		return NULL;
	for (i = 0; i < f->n_accounts; i++)
		dns[i] = f->accounts[i].dn;
	id = make_id(f->check, f->spn, f->host, dns, f->n_accounts);
	free(dns);
	return id;
}

static const char *opt_string(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int add_entry(struct baseline *b, const cJSON *item, size_t index,
		     char *err, size_t err_size)
{
	const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(item, "accounts");
	const char *check = opt_string(item, "check");
	struct baseline_entry *e = &b->entries[b->n];
	const char **dns = NULL;
	size_t n = 0, i = 0;
	const cJSON *a;

	if (check == NULL || opt_string(item, "severity") == NULL) {
		snprintf(err, err_size, "finding %zu has no check or severity",
			 index);
		return -1;
	}
	if (accounts != NULL && !cJSON_IsArray(accounts)) {
		snprintf(err, err_size, "finding %zu: accounts is not an array",
			 index);
		return -1;
	}
	n = (size_t)cJSON_GetArraySize(accounts);
	dns = calloc(n + 1, sizeof(*dns));
	if (dns == NULL)
		goto nomem;
	cJSON_ArrayForEach(a, accounts) {
		const char *dn = opt_string(a, "dn");

		if (dn == NULL) {
			snprintf(err, err_size, "finding %zu: an account has no dn",
				 index);
			free(dns);
			return -1;
		}
		dns[i++] = dn;
	}
	memset(e, 0, sizeof(*e));
	e->id = make_id(check, opt_string(item, "spn"), opt_string(item, "host"),
			dns, i);
	e->check = strdup(check);
	e->severity = strdup(opt_string(item, "severity"));
	e->spn = dup_or_null(opt_string(item, "spn"));
	e->host = dup_or_null(opt_string(item, "host"));
	e->message = strdup(opt_string(item, "message") ?
			    opt_string(item, "message") : "");
	free(dns);
	b->n++;
	if (e->id == NULL || e->check == NULL || e->severity == NULL ||
	    e->message == NULL)
		goto nomem;
	return 0;
nomem:
	snprintf(err, err_size, "out of memory");
	return -1;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct baseline_entry *)a)->id,
		      ((const struct baseline_entry *)b)->id);
}

int baseline_load(const char *path, struct baseline *b, char *err,
		  size_t err_size)
{
	char *text;
	size_t len = 0;
	int rc;

	memset(b, 0, sizeof(*b));
	text = read_file(path, &len, err, err_size);
	if (text == NULL)
		return -1;
	rc = baseline_parse(text, len, b, err, err_size);
	free(text);
	return rc;
}

int baseline_parse(const char *text, size_t len, struct baseline *b,
		   char *err, size_t err_size)
{
	cJSON *root = NULL;
	const cJSON *findings, *tool, *item;
	size_t i = 0;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, err_size, "contains a NUL byte");
		return -1;
	}
	root = cJSON_ParseWithLength(text, len);
	if (root == NULL) {
		snprintf(err, err_size, "not valid JSON (near byte %ld)",
			 (long)(cJSON_GetErrorPtr() - text));
		goto cleanup;
	}
	tool = cJSON_GetObjectItemCaseSensitive(root, "tool");
	findings = cJSON_GetObjectItemCaseSensitive(root, "findings");
	if (!cJSON_IsString(tool) || strcmp(tool->valuestring, "spncheck") != 0 ||
	    !cJSON_IsArray(findings)) {
		snprintf(err, err_size, "not a spncheck --json report");
		goto cleanup;
	}
	b->entries = calloc((size_t)cJSON_GetArraySize(findings) + 1,
			    sizeof(*b->entries));
	if (b->entries == NULL) {
		snprintf(err, err_size, "out of memory");
		goto cleanup;
	}
	cJSON_ArrayForEach(item, findings) {
		if (add_entry(b, item, i++, err, err_size) != 0)
			goto cleanup;
	}
	qsort(b->entries, b->n, sizeof(*b->entries), cmp_entry);
	rc = 0;
cleanup:
	if (rc != 0)
		baseline_free(b);
	cJSON_Delete(root);
	return rc;
}

void baseline_free(struct baseline *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->entries[i].id);
		free(b->entries[i].check);
		free(b->entries[i].severity);
		free(b->entries[i].spn);
		free(b->entries[i].host);
		free(b->entries[i].message);
	}
	free(b->entries);
	b->entries = NULL;
	b->n = 0;
}

int baseline_contains(struct baseline *b, const char *id)
{
	size_t lo = 0, hi = b->n, mid, i;
	int c;

	/* entries are sorted by id: find one, then its equal neighbours */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(b->entries[mid].id, id);
		if (c == 0) {
			for (i = mid; i > 0 && strcmp(b->entries[i - 1].id, id) == 0;)
				i--;
			for (; i < b->n && strcmp(b->entries[i].id, id) == 0; i++)
				b->entries[i].seen = 1;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
