/* fuzz_dnsrecord.c - libFuzzer target: spn_dns_record_decode on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <spn/dns.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	spn_dns_record rec;
	size_t n;

	if (spn_dns_record_decode(data, size, &rec) != SPN_OK)
		return 0;
	/* a decoded record always holds a terminated string */
	n = strnlen(rec.data, sizeof(rec.data));
	if (n >= sizeof(rec.data))
		__builtin_trap();
	return 0;
}
