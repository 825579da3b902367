/* hostmap.c - name -> values maps for the checks (host names, addresses). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fold.h"
#include "hostmap.h"
#include "name_impl.h"

struct hm_entry {
	uint32_t key;     /* offset of the folded key in the pool */
	uint32_t key_len;
	uint32_t value;
	uint32_t next;    /* next entry with the same key, or HOSTMAP_NONE */
	uint32_t tail;    /* in a key's first entry: its last entry */
};

/* A table slot carries its key's hash, so that a probe reads the slot's
 * cache line and nothing else until the hash matches. */
struct hm_slot {
	uint32_t hash;
	uint32_t head;    /* first entry of the key, or HOSTMAP_NONE */
};

struct hostmap {
	char *pool;
	size_t pool_len, pool_cap;
	struct hm_entry *entries;
	uint32_t n_entries, cap_entries;
	struct hm_slot *table;
	uint32_t mask;
	uint32_t n_keys;
};

static struct hm_slot *table_new(size_t slots)
{
	struct hm_slot *table = malloc(slots * sizeof(*table));
	size_t i;

	if (table == NULL)
		return NULL;
	for (i = 0; i < slots; i++) {
		table[i].hash = 0;
		table[i].head = HOSTMAP_NONE;
	}
	return table;
}

hostmap *hostmap_new(void)
{
	hostmap *map = calloc(1, sizeof(*map));

	if (map == NULL)
		return NULL;
	map->mask = 255;
	map->table = table_new((size_t)map->mask + 1);
	if (map->table == NULL) {
		free(map);
		return NULL;
	}
	return map;
}

void hostmap_free(hostmap *map)
{
	if (map == NULL)
		return;
	free(map->pool);
	free(map->entries);
	free(map->table);
	free(map);
}

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
#define LOWS  UINT64_C(0x7f7f7f7f7f7f7f7f)

/* A-Z to a-z in each byte of a word of ASCII bytes. */
static inline uint64_t fold_word(uint64_t w)
{
	uint64_t low = w & LOWS;
	uint64_t upper = (low + ONES * (0x80 - 'A')) &
			 ~(low + ONES * (0x7f - 'Z')) & ~w & HIGHS;

	return w | (upper >> 2);
}

/* Fold len bytes of s into buf (room for len + 1) as spn_fold_utf8 does:
 * ASCII eight bytes at a time; the length, or -1 when s is not ASCII. */
static int fold_ascii(const char *s, size_t len, char *buf)
{
	uint64_t w, high = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		high |= w;
		w = fold_word(w);
		memcpy(buf + i, &w, 8);
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		high |= c;
		buf[i] = (char)((unsigned int)(c - 'A') < 26u ? c + 0x20 : c);
	}
	return (high & HIGHS) != 0 ? -1 : (int)len;
}

/* Fold text of len bytes into buf, which holds size bytes: the length of
 * the result, or -1 when it does not fit. */
static int fold_text(const char *text, size_t len, char *buf, size_t size)
{
	size_t n;
	int ascii;

	if (len < size) {
		ascii = fold_ascii(text, len, buf);
		if (ascii >= 0) {
			buf[len] = '\0';
			return ascii;
		}
	}
	n = spn_fold_utf8(text, len, buf, size);
	return n < size ? (int)n : -1;
}

/* Fold key into buf (HOSTMAP_KEY_MAX + 1 bytes): its length, or -1 when it
 * is too long to be a key. */
static int fold_key(const char *key, size_t len, char *buf)
{
	if (len > 1 && key[len - 1] == '.')
		len--;
	if (len > 4 * HOSTMAP_KEY_MAX)
		return -1;
	return fold_text(key, len, buf, HOSTMAP_KEY_MAX + 1);
}

/* Hash of a folded key, eight bytes at a time, finished with murmur3's
 * fmix64 so that the low bits the table uses depend on every byte. */
static uint32_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = UINT64_C(0x243f6a8885a308d3) ^ len, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 32;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, s + i, len - i);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (uint32_t)h;
}

/* The slot holding the folded key, or the empty slot where it would go. */
static uint32_t find_slot(const hostmap *map, const char *folded, size_t len,
			  uint32_t hash)
{
	uint32_t slot = hash & map->mask, head;

	while ((head = map->table[slot].head) != HOSTMAP_NONE) {
		if (map->table[slot].hash == hash) {
			const struct hm_entry *e = &map->entries[head];

			if (e->key_len == len &&
			    memcmp(map->pool + e->key, folded, len) == 0)
				break;
		}
		slot = (slot + 1) & map->mask;
	}
	return slot;
}

/* Double the table. Walking the old one in order writes the new one
 * almost in order too, and reads no entry. */
static int table_grow(hostmap *map)
{
	uint32_t new_mask = map->mask * 2 + 1, i, slot;
	struct hm_slot *table;

	if (new_mask < map->mask)
		return -1;
	table = table_new((size_t)new_mask + 1);
	if (table == NULL)
		return -1;
	for (i = 0; i <= map->mask; i++) {
		if (map->table[i].head == HOSTMAP_NONE)
			continue;
		slot = map->table[i].hash & new_mask;
		while (table[slot].head != HOSTMAP_NONE)
			slot = (slot + 1) & new_mask;
		table[slot] = map->table[i];
	}
	free(map->table);
	map->table = table;
	map->mask = new_mask;
	return 0;
}

static int add_entry(hostmap *map, uint32_t *id_out)
{
	struct hm_entry *p;
	size_t cap;

	if (map->n_entries == map->cap_entries) {
		cap = map->cap_entries ? (size_t)map->cap_entries * 2 : 64;
		if (cap >= HOSTMAP_NONE)
			return -1;
		p = realloc(map->entries, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		map->entries = p;
		map->cap_entries = (uint32_t)cap;
	}
	*id_out = map->n_entries++;
	return 0;
}

static int pool_add(hostmap *map, const char *s, size_t len, uint32_t *off_out)
{
	size_t cap;
	char *p;

	if (map->pool_len + len > UINT32_MAX)
		return -1;
	if (map->pool_len + len > map->pool_cap) {
		cap = map->pool_cap ? map->pool_cap * 2 : 4096;
		while (cap < map->pool_len + len)
			cap *= 2;
		p = realloc(map->pool, cap);
		if (p == NULL)
			return -1;
		map->pool = p;
		map->pool_cap = cap;
	}
	memcpy(map->pool + map->pool_len, s, len);
	*off_out = (uint32_t)map->pool_len;
	map->pool_len += len;
	return 0;
}

int hostmap_key_make(hostmap_key *k, const char *key, size_t len)
{
	int n = fold_key(key, len, k->text);

	if (n < 0)
		return -1;
	k->len = (uint32_t)n;
	k->hash = hash_bytes(k->text, (size_t)n);
	return 0;
}

int hostmap_key_folded(hostmap_key *k, const char *folded, size_t len)
{
	uint64_t w, high = 0;
	size_t i;

	if (len > HOSTMAP_KEY_MAX)
		return hostmap_key_make(k, folded, len);
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, folded + i, 8);
		high |= w;
	}
	for (; i < len; i++)
		high |= (unsigned char)folded[i];
	if ((high & HIGHS) != 0)
		return hostmap_key_make(k, folded, len);
	/* folding ASCII again changes nothing: only the trailing dot goes */
	if (len > 1 && folded[len - 1] == '.')
		len--;
	memcpy(k->text, folded, len);
	k->text[len] = '\0';
	k->len = (uint32_t)len;
	k->hash = hash_bytes(k->text, len);
	return 0;
}

/* Append a new key's first entry; its id, or HOSTMAP_NONE on no memory. */
static uint32_t add_key(hostmap *map, const hostmap_key *k, uint32_t slot,
			uint32_t value)
{
	uint32_t id;

	if (add_entry(map, &id) != 0)
		return HOSTMAP_NONE;
	map->entries[id].key_len = k->len;
	map->entries[id].value = value;
	map->entries[id].next = HOSTMAP_NONE;
	map->entries[id].tail = id;
	if (pool_add(map, k->text, k->len, &map->entries[id].key) != 0) {
		map->n_entries--;
		return HOSTMAP_NONE;
	}
	map->table[slot].hash = k->hash;
	map->table[slot].head = id;
	map->n_keys++;
	if ((uint64_t)map->n_keys * 10 > ((uint64_t)map->mask + 1) * 7 &&
	    table_grow(map) != 0)
		return HOSTMAP_NONE;
	return id;
}

int hostmap_add_key(hostmap *map, const hostmap_key *k, uint32_t value)
{
	uint32_t slot, head, id;

	slot = find_slot(map, k->text, k->len, k->hash);
	head = map->table[slot].head;
	if (head == HOSTMAP_NONE)
		return add_key(map, k, slot, value) != HOSTMAP_NONE ? 0 : -1;
	if (add_entry(map, &id) != 0)
		return -1;
	map->entries[id].key = map->entries[head].key;
	map->entries[id].key_len = k->len;
	map->entries[id].value = value;
	map->entries[id].next = HOSTMAP_NONE;
	map->entries[id].tail = id;
	map->entries[map->entries[head].tail].next = id;
	map->entries[head].tail = id;
	return 0;
}

int hostmap_add(hostmap *map, const char *key, size_t len, uint32_t value)
{
	hostmap_key k;

	if (hostmap_key_make(&k, key, len) != 0)
		return 0;
	return hostmap_add_key(map, &k, value);
}

uint32_t hostmap_find_key(const hostmap *map, const hostmap_key *k)
{
	return map->table[find_slot(map, k->text, k->len, k->hash)].head;
}

uint32_t hostmap_find(const hostmap *map, const char *key, size_t len)
{
	hostmap_key k;

	if (map == NULL || key == NULL || hostmap_key_make(&k, key, len) != 0)
		return HOSTMAP_NONE;
	return hostmap_find_key(map, &k);
}

uint32_t hostmap_value(const hostmap *map, uint32_t entry)
{
	return map->entries[entry].value;
}

int hostmap_spn_host(const char *spn, char *buf, size_t size,
		     spn_host_kind *kind_out)
{
	const char *hp = strchr(spn, '/');
	size_t len = 0;

	if (hp == NULL)
		return -1;
	hp++;
	/* the host part ends at the next '/' */
	while (hp[len] != '\0' && hp[len] != '/')
		len++;
	return hostmap_spn_host_part(hp, len, buf, size, kind_out);
}

int hostmap_spn_host_part(const char *hp, size_t len, char *buf, size_t size,
			  spn_host_kind *kind_out)
{
	const char *host = hp, *close, *last_colon = NULL;
	size_t host_len = len, colons = 0, i;
	spn_host_kind kind;
	int bracketed = 0, n;

	if (len > 0 && hp[0] == '[') {
		close = memchr(hp, ']', len);
		if (close == NULL || (close + 1 < hp + len && close[1] != ':'))
			return -1;
		bracketed = 1;
		host = hp + 1;
		host_len = (size_t)(close - hp) - 1;
	} else if (memchr(hp, ':', len) != NULL) {
		for (i = 0; i < len; i++)
			if (hp[i] == ':') {
				colons++;
				last_colon = hp + i;
			}
		if (colons == 1 || !spn_is_address(AF_INET6, hp, len))
			host_len = (size_t)(last_colon - hp);
		if (colons > 1 && host_len != len &&
		    !spn_is_address(AF_INET6, hp, host_len))
			return -1;
	}
	if (!bracketed && host_len > 1 && host[host_len - 1] == '.')
		host_len--;
	if (host_len == 0 || host_len > HOSTMAP_KEY_MAX)
		return -1;
	kind = spn_host_classify_len(host, host_len);
	if (kind == SPN_HOST_INVALID || (bracketed && kind != SPN_HOST_IPV6))
		return -1;
	n = fold_text(host, host_len, buf, size);
	if (n < 0)
		return -1;
	*kind_out = kind;
	return n;
}

int hostmap_addr_parse(const char *text, size_t len, unsigned char addr[16])
{
	char copy[64];

	if (len == 0 || len >= sizeof(copy))
		return -1;
	if (text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (spn_ipv4_parse(text, len, addr))
		return 4;
	memcpy(copy, text, len);
	copy[len] = '\0';
	return inet_pton(AF_INET6, copy, addr) == 1 ? 16 : -1;
}

size_t hostmap_short_name(const spn_index *index, uint32_t account,
			  const char **name_out)
{
	const idx_account *a = &index->accounts[account];
	const char *sam = idx_s(index, a->sam);
	size_t len = strlen(sam);

	if (len > 0 && sam[len - 1] == '$')
		len--;
	*name_out = sam;
	return len;
}

int hostmap_node_live(const spn_index *index, uint32_t node)
{
	const idx_dns_node *n = &index->dns_nodes[node];
	const char *zone = idx_s(index, n->zone);

	return !n->tombstoned && n->n_records > 0 &&
	       strcasecmp(zone, "rootdnsservers") != 0 &&
	       strncmp(zone, "..", 2) != 0;
}
