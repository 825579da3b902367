/* fuzz_ldif.c - libFuzzer target: the LDIF reader and the LDIF loader over
 * bytes held in memory. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <spn/spn.h>
#include "ldif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte the entry view points at, so that a view past its buffer
 * is caught by the sanitizer. */
static spn_status touch_entry(spn_ctx *ctx, const spn_ldif_entry *e,
			      void *userdata)
{
	unsigned int *sum = userdata;
	size_t i, j;

	(void)ctx;
	if (e->dn[e->dn_len] != '\0')
		__builtin_trap();
	for (i = 0; i < e->n_attrs; i++) {
		const spn_ldif_attr *a = &e->attrs[i];

		if (a->name_len == 0 || a->name[a->name_len] != '\0' ||
		    a->options[a->options_len] != '\0' ||
		    a->value[a->value_len] != '\0')
			__builtin_trap();
		for (j = 0; j < a->value_len; j++)
			*sum += (unsigned char)a->value[j];
	}
	return SPN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static spn_ctx *ctx;
	spn_index *index = NULL;
	unsigned int sum = 0;

	if (ctx == NULL && spn_ctx_new(&ctx) != SPN_OK)
		return 0;
	(void)spn_ldif_parse_buffer(ctx, "fuzz.ldif", (const char *)data, size,
				    NULL, touch_entry, &sum);
	if (spn_index_new(&index) != SPN_OK)
		return 0;
	(void)spn_index_load_ldif_buffer(index, ctx, "fuzz.ldif",
					 (const char *)data, size,
					 SPN_LOAD_ACCOUNTS | SPN_LOAD_DNS |
						 SPN_LOAD_MAPPINGS);
	spn_index_free(index);
	/* and with the DNS entries skipped unread, as spncheck dup does */
	if (spn_index_new(&index) != SPN_OK)
		return 0;
	(void)spn_index_load_ldif_buffer(index, ctx, "fuzz.ldif",
					 (const char *)data, size,
					 SPN_LOAD_ACCOUNTS);
	spn_index_free(index);
	return 0;
}
