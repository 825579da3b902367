/* fuzz_target.c - libFuzzer target: krbprobe target parsing (SPN, host,
 * host:port, UNC path, URL) and the client rules that need no DNS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spn/probe.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static spn_ctx *ctx;

static void check_target(const char *text, const char *service)
{
	spn_probe_options opts;
	spn_probe_result r;
	spn_target *t = NULL;
	spn_status st;
	int ask = -1;

	st = spn_target_parse(ctx, text, service, &t);
	if (st != SPN_OK) {
		/* refused with a message, nothing half-made */
		if (st != SPN_E_INPUT || t != NULL ||
		    spn_ctx_error_status(ctx) != SPN_E_INPUT)
			abort();
		return;
	}
	if (t == NULL || strcmp(t->text, text) != 0 ||
	    t->service_class[0] == '\0' || t->host[0] == '\0' ||
	    t->suffix == NULL || t->host_kind == SPN_HOST_INVALID)
		abort();
	/* nothing that could split or smuggle a principal or drive a
	 * terminal survives into the host */
	if (strpbrk(t->host, "\\/@[] \t\r\n\x1b\x7f") != NULL)
		abort();
	if (spn_host_classify(t->host) != t->host_kind)
		abort();
	/* DNS is needed only for short names: plan the others */
	if (t->host_kind != SPN_HOST_SHORT) {
		memset(&opts, 0, sizeof(opts));
		opts.try_ip_spn = (int)(strlen(text) & 1);
		spn_probe_result_init(&r);
		if (spn_target_plan(t, &opts, &r, &ask) != SPN_OK)
			abort();
		if (ask == 1 && (r.spn == NULL || strchr(r.spn, '/') == NULL))
			abort();
		if (ask == 0 && (r.spn != NULL ||
				 r.reason != SPN_REASON_IP_TARGET))
			abort();
		spn_probe_result_clear(&r);
	}
	spn_target_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (ctx == NULL && spn_ctx_new(&ctx) != SPN_OK)
		abort();
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_target(text, NULL);
	check_target(text, "MSSQLSvc");
	free(text);
	return 0;
}
