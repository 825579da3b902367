/* dnsrecord.c - decode one dnsRecord value (MS-DNSP 2.3.2.2 DNS_RPC_RECORD). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <spn/dns.h>
#include "context_impl.h"
#include "name_impl.h"

/* DataLength(2) Type(2) Version(1) Rank(1) Flags(2) Serial(4) TtlSeconds(4)
 * Reserved(4) TimeStamp(4), then Data. */
#define DNSREC_HEADER_LEN 24
#define DNSREC_VERSION 5

#define DNS_TYPE_NS 2u
#define DNS_TYPE_PTR 12u

static uint16_t get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint16_t get_be16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* Decode a DNS_COUNT_NAME (MS-DNSP 2.2.2.2.2) that must fill data[0..len)
 * exactly: Length(1), LabelCount(1), then Length bytes of RawName (each
 * label preceded by its length, a 0 byte after the last; pad bytes may follow
 * it inside Length). Writes the dotted name, without a trailing dot, to out.
 * Returns 0, or -1 when inconsistent. */
static int decode_count_name(const unsigned char *data, size_t len, char *out,
			     size_t out_size)
{
	size_t raw_len, label_count, pos, used = 0, i;

	if (len < 2)
		return -1;
	raw_len = data[0];
	label_count = data[1];
	if (2 + raw_len != len)
		return -1;
	out[0] = '\0';
	if (raw_len == 0)
		return label_count == 0 ? 0 : -1;
	pos = 2;
	for (i = 0; i < label_count; i++) {
		size_t label_len;

		if (pos >= len)
			return -1;
		label_len = data[pos++];
		if (label_len > len - pos)
			return -1;
		if (label_len == 0) {
			/* only the root name "." is one empty label */
			if (label_count != 1)
				return -1;
			continue;
		}
		if (memchr(data + pos, '\0', label_len) != NULL)
			return -1;
		/* the label, a '.' before it when not first, and the NUL */
		if (used + (used > 0) + label_len + 1 > out_size)
			return -1;
		if (used > 0)
			out[used++] = '.';
		memcpy(out + used, data + pos, label_len);
		used += label_len;
		out[used] = '\0';
		pos += label_len;
	}
	/* the terminating zero length, inside Length */
	if (pos >= len || data[pos] != 0)
		return -1;
	return 0;
}

SPN_EXPORT spn_status spn_dns_record_decode(const unsigned char *blob,
					    size_t len,
					    spn_dns_record *record_out)
{
	spn_dns_record rec;
	const unsigned char *data;
	size_t data_len;

	if (blob == NULL || record_out == NULL)
		return SPN_E_USAGE;
	if (len < DNSREC_HEADER_LEN)
		return SPN_E_INPUT;
	data_len = get_le16(blob);
	if (len - DNSREC_HEADER_LEN != data_len)
		return SPN_E_INPUT;
	if (blob[4] != DNSREC_VERSION)
		return SPN_E_INPUT;

	memset(&rec, 0, sizeof(rec));
	rec.type = get_le16(blob + 2);
	rec.ttl = get_be32(blob + 12);
	data = blob + DNSREC_HEADER_LEN;

	switch (rec.type) {
	case SPN_DNS_TYPE_A:
		/* inet_ntop's text, without its sprintf */
		if (data_len != 4)
			return SPN_E_INPUT;
		spn_ipv4_format(data, rec.data);
		break;
	case SPN_DNS_TYPE_AAAA:
		if (data_len != 16 ||
		    inet_ntop(AF_INET6, data, rec.data, sizeof(rec.data)) == NULL)
			return SPN_E_INPUT;
		break;
	case SPN_DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		if (decode_count_name(data, data_len, rec.data,
				      sizeof(rec.data)) != 0)
			return SPN_E_INPUT;
		break;
	case SPN_DNS_TYPE_SRV: {
		char target[256];
		int n;

		if (data_len < 6 ||
		    decode_count_name(data + 6, data_len - 6, target,
				      sizeof(target)) != 0)
			return SPN_E_INPUT;
		/* the root name "." means "no such service here" */
		n = snprintf(rec.data, sizeof(rec.data), "%u %u %u %s",
			     (unsigned int)get_be16(data),
			     (unsigned int)get_be16(data + 2),
			     (unsigned int)get_be16(data + 4),
			     target[0] != '\0' ? target : ".");
		/* "65535 65535 65535 " plus a 255-byte name does not fit */
		if (n < 0 || (size_t)n >= sizeof(rec.data))
			return SPN_E_INPUT;
		break;
	}
	default:
		/* other types (SOA, TXT, the tombstone's type 0, ...) keep
		 * their type and TTL; their data is not needed */
		break;
	}
	*record_out = rec;
	return SPN_OK;
}
