/* floor.c - the least work that `spncheck all --ldif` cannot avoid, timed
 * beside `spncheck dup` in the offline benchmark (bench.py).
 *
 *   floor FILE
 *
 * Reads every entry of the export on both cores with libspn's own reader
 * (the one `dup` and `all` use), and for each entry takes only what the
 * checks would have to look at: a hash of every SPN's key and of its host,
 * of every computer's dNSHostName and short name, of every DNS node's name
 * and first label, and each A record's address. Then it puts the names in
 * a hash set (on two threads, each filling the table of half of the
 * hashes) and looks every SPN host up in it, as the ghost-SPN check must. It makes no
 * findings and writes no report; it prints what it counted. The hashes are
 * libspn's SPN key hash (idx_span_key_hash64, the one `dup` uses) of each
 * value: nothing is compared as text, so the count of hosts not found is
 * an estimate of the ghost SPNs. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index_impl.h"
#include "ldif.h"
#include "ldif_load_impl.h"
#include "ldif_parser.h"

typedef struct hashes {
	uint64_t *v;
	size_t n, cap;
	int failed;            /* out of memory */
} hashes;

/* What one part of the export gave. */
typedef struct part {
	hashes keys, hosts, names, addrs;
	char *text;            /* a non-ASCII value, NUL-terminated */
	size_t text_cap;
	char fqdn[512];        /* a DNS node's name */
} part;

static void push(hashes *h, uint64_t value)
{
	if (ldif_grow_array((void **)&h->v, &h->cap, h->n + 1,
			    sizeof(*h->v)) != 0) {
		h->failed = 1;
		return;
	}
	h->v[h->n++] = value;
}

/* Push the key hash of s[0..n) to h. */
static void push_hash(part *p, hashes *h, const char *s, size_t n)
{
	uint64_t value;

	if (idx_span_key_hash64(s, n, &p->text, &p->text_cap, &value) != 0)
		h->failed = 1;
	else
		push(h, value);
}

/* A dnsNode: DC=<name>,DC=<zone>,... gives its first label and name. */
static void take_node(part *p, const struct ldif_plain_entry *e)
{
	const char *dn = e->dn, *end = dn + e->dn_len, *c1, *zone, *c2;
	const unsigned char *r;
	size_t i, label, zone_len;

	c1 = memchr(dn, ',', e->dn_len);
	if (e->dn_len > 3 && c1 != NULL && end - c1 > 4) {
		zone = c1 + 4;
		c2 = memchr(zone, ',', (size_t)(end - zone));
		label = (size_t)(c1 - dn - 3);
		zone_len = c2 != NULL ? (size_t)(c2 - zone) : 0;
		if (c2 != NULL && label + 1 + zone_len <= sizeof(p->fqdn)) {
			push_hash(p, &p->names, dn + 3, label);
			memcpy(p->fqdn, dn + 3, label);
			p->fqdn[label] = '.';
			memcpy(p->fqdn + label + 1, zone, zone_len);
			push_hash(p, &p->names, p->fqdn, label + 1 + zone_len);
		}
	}
	for (i = 0; i < e->n_records; i++) {
		r = (const unsigned char *)e->records[i].s;
		/* DNS_RPC_RECORD: type at 2 (1 is A), the address at 24 */
		if (e->records[i].len >= 28 && r[2] == 1 && r[3] == 0)
			push(&p->addrs, (uint64_t)r[24] << 24 | (uint64_t)r[25] << 16 |
					(uint64_t)r[26] << 8 | r[27]);
	}
}

static spn_status on_plain(spn_ctx *ctx, const struct ldif_plain_entry *e,
			   void *userdata)
{
	part *p = userdata;
	const char *s, *host, *end;
	size_t i;

	(void)ctx;
	if (e->classes & OC_DNS_NODE) {
		take_node(p, e);
		return SPN_OK;
	}
	if (e->dns_host.s != NULL)
		push_hash(p, &p->names, e->dns_host.s, e->dns_host.len);
	if ((e->classes & OC_COMPUTER) && e->sam.s != NULL && e->sam.len > 1)
		push_hash(p, &p->names, e->sam.s, e->sam.len - 1);
	for (i = 0; i < e->n_spns; i++) {
		s = e->spns[i].s;
		end = s + e->spns[i].len;
		push_hash(p, &p->keys, s, e->spns[i].len);
		host = memchr(s, '/', e->spns[i].len);
		if (host == NULL)
			continue;
		for (s = ++host; s < end && *s != ':' && *s != '/'; s++)
			;
		push_hash(p, &p->hosts, host, (size_t)(s - host));
	}
	return SPN_OK;
}

/* Entries the plain reader leaves to the general parser: not looked at
 * (there are none in the benchmark's exports). */
static spn_status on_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			   void *userdata)
{
	(void)ctx;
	(void)e;
	(void)userdata;
	return SPN_OK;
}

/* Two open-addressing tables, one per half of the hashes (by their top
 * bit), so that each thread fills one alone. */
typedef struct name_set {
	uint64_t *slots[2];    /* 0: empty; a hash has its low bit set */
	uint64_t mask;
	const part *parts;
	size_t n_parts;
} name_set;

typedef struct job {
	name_set *set;
	unsigned int half;     /* the top bit of the hashes it owns */
	size_t not_found;
} job;

static void *fill(void *arg)
{
	job *j = arg;
	name_set *set = j->set;
	uint64_t *slots = set->slots[j->half], h, slot;
	size_t k, i;

	for (k = 0; k < set->n_parts; k++)
		for (i = 0; i < set->parts[k].names.n; i++) {
			h = set->parts[k].names.v[i] | 1;
			if ((unsigned int)(h >> 63) != j->half)
				continue;
			slot = h & set->mask;
			while (slots[slot] != 0 && slots[slot] != h)
				slot = (slot + 1) & set->mask;
			slots[slot] = h;
		}
	return NULL;
}

static void *look_up(void *arg)
{
	job *j = arg;
	const name_set *set = j->set;
	const uint64_t *slots;
	uint64_t h, slot;
	size_t k, i;

	for (k = j->half; k < set->n_parts; k += 2)
		for (i = 0; i < set->parts[k].hosts.n; i++) {
			h = set->parts[k].hosts.v[i] | 1;
			slots = set->slots[h >> 63];
			slot = h & set->mask;
			while (slots[slot] != 0 && slots[slot] != h)
				slot = (slot + 1) & set->mask;
			j->not_found += slots[slot] == 0;
		}
	return NULL;
}

/* Run fn on two threads (one of them this one), halves 0 and 1. */
static int on_two(void *(*fn)(void *), job jobs[2])
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, fn, &jobs[1]) != 0)
		return -1;
	fn(&jobs[0]);
	pthread_join(thread, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static part parts[SPN_LDIF_MAX_PARTS];
	size_t starts[SPN_LDIF_MAX_PARTS + 1], base[SPN_LDIF_MAX_PARTS];
	void *userdata[SPN_LDIF_MAX_PARTS];
	size_t len = 0, n_parts, k, keys = 0, hosts = 0, names = 0, addrs = 0;
	size_t size = 1;
	const char *buf = MAP_FAILED;
	name_set set = { { NULL, NULL }, 0, parts, 0 };
	job jobs[2] = { { &set, 0, 0 }, { &set, 1, 0 } };
	struct stat st;
	int fd = -1, rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
		goto cleanup;
	}
	len = (size_t)st.st_size;
	if (len == 0) {
		fprintf(stderr, "floor: %s: empty file\n", argv[1]);
		goto cleanup;
	}
	buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
		goto cleanup;
	}
	n_parts = spn_ldif_split(buf, len, spn_ldif_part_count(len), starts);
	for (k = 0; k < n_parts; k++)
		userdata[k] = &parts[k];
	if (spn_ldif_parse_split(argv[1], buf, len, 1, starts, n_parts, NULL,
				 on_entry, on_plain, NULL, NULL, userdata,
				 base) != SPN_OK) {
		fprintf(stderr, "floor: %s: not an LDIF export libspn reads\n",
			argv[1]);
		goto cleanup;
	}
	for (k = 0; k < n_parts; k++) {
		if (parts[k].keys.failed || parts[k].hosts.failed ||
		    parts[k].names.failed || parts[k].addrs.failed) {
			fprintf(stderr, "floor: out of memory\n");
			goto cleanup;
		}
		keys += parts[k].keys.n;
		hosts += parts[k].hosts.n;
		names += parts[k].names.n;
		addrs += parts[k].addrs.n;
	}
	while (size < (names + names / 2) / 2)
		size *= 2;
	set.slots[0] = calloc(size, sizeof(uint64_t));
	set.slots[1] = calloc(size, sizeof(uint64_t));
	if (set.slots[0] == NULL || set.slots[1] == NULL) {
		fprintf(stderr, "floor: out of memory\n");
		goto cleanup;
	}
	set.mask = size - 1;
	set.n_parts = n_parts;
	if (on_two(fill, jobs) != 0 || on_two(look_up, jobs) != 0) {
		fprintf(stderr, "floor: cannot start a thread\n");
		goto cleanup;
	}
	printf("%zu SPN keys, %zu SPN hosts, %zu names, %zu addresses; "
	       "%zu SPN hosts not among the names\n", keys, hosts, names,
	       addrs, jobs[0].not_found + jobs[1].not_found);
	rc = 0;
cleanup:
	for (k = 0; k < SPN_LDIF_MAX_PARTS; k++) {
		free(parts[k].keys.v);
		free(parts[k].hosts.v);
		free(parts[k].names.v);
		free(parts[k].addrs.v);
		free(parts[k].text);
	}
	free(set.slots[0]);
	free(set.slots[1]);
	if (buf != MAP_FAILED)
		munmap((void *)buf, len);
	if (fd >= 0)
		close(fd);
	return rc;
}
