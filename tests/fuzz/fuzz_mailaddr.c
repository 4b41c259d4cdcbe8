/*
 * fuzz_mailaddr.c - libFuzzer target for the mail parsers: the address
 * module (both precedences, the gateway helpers) and, on the same bytes
 * as a message, From_ line parsing, header scanning and mbox escaping.
 * A route parsed the UUCP way (bang first) must format and parse back to
 * itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/mailaddr.h"
#include "gateway/mailmsg.h"
#include "gateway/mbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mailaddr_ctx fuzz_ctx = {
	.nodename = "beta",
	.uucp_domains = { "uucp" },
	.nuucp_domains = 1,
	.local_domains = { "beta.example.org" },
	.nlocal_domains = 1,
	.gateway_domain = "gw.example.org",
};

/* fuzz_neighbour - a fixed set of neighbours */
static int
fuzz_neighbour(const char *hop, void *arg)
{
	(void)arg;
	return !strcmp(hop, "alpha") || !strcmp(hop, "gamma");
}

/* fuzz_address - the address functions on one NUL-terminated string */
static void
fuzz_address(const char *s, int flags)
{
	struct mailaddr a, b;
	char out[MAILADDR_MAX], back[MAILADDR_MAX], err[128];

	if (mailaddr_parse(&fuzz_ctx, s, flags, &a, err, sizeof(err)) == 0) {
		if (flags == MAILADDR_BANG_FIRST && mailaddr_format(&a, 0, out, sizeof(out)) == 0) {
			if (mailaddr_parse(&fuzz_ctx, out, MAILADDR_BANG_FIRST, &b, err, sizeof(err)) < 0 ||
			    mailaddr_format(&b, 0, back, sizeof(back)) < 0 || strcmp(out, back)) {
				fprintf(stderr, "route changed: '%s' -> '%s'\n", out, back);
				abort();
			}
		}
	}
	(void)mailaddr_in_uucp(&fuzz_ctx, s, fuzz_neighbour, NULL, NULL);
	(void)mailaddr_rp_to_smtp(&fuzz_ctx, s, flags ? MAILADDR_RP_UUCP : MAILADDR_RP_GATEWAY,
	    out, sizeof(out), err, sizeof(err));
	(void)mailaddr_rp_from_smtp(&fuzz_ctx, s, out, sizeof(out), err, sizeof(err));
	(void)mailaddr_is_null_sender(s);
}

/* LLVMFuzzerTestOneInput - one address (bounded copy) and one message */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[MAILADDR_MAX + 8], err[128], *esc;
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1, elen;
	struct mailmsg_from f;

	memcpy(s, data, n);
	s[n] = '\0';
	fuzz_address(s, MAILADDR_BANG_FIRST);
	fuzz_address(s, MAILADDR_AT_FIRST);
	(void)mailmsg_parse_from((const char *)data, size, &f, err, sizeof(err));
	(void)mailmsg_count_received((const char *)data, size);
	if ((esc = mbox_escape((const char *)data, size, &elen)))
		free(esc);
	return 0;
}
