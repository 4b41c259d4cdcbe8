/*
 * fuzz_bsmtp.c - libFuzzer target for batched SMTP: the unpacker (gzip,
 * zlib, compress(1) or plain by magic) and the batch parser with a
 * callback that checks what it is handed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/bsmtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - every message has recipients and fits its bounds */
static int
check(const struct bsmtp_msg *m, size_t index, void *arg)
{
	(void)index;
	(void)arg;
	if (m->nrcpt == 0 || m->nrcpt > BSMTP_RCPT_MAX || strlen(m->from) >= BSMTP_PATH_MAX)
		abort();
	if (m->len > 0 && m->body[m->len - 1] != '\n')
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], *text;
	size_t len;

	text = bsmtp_unpack(data, size, 1 << 20, &len, err, sizeof(err));
	if (text) {
		(void)bsmtp_parse(text, len, check, NULL, err, sizeof(err));
		free(text);
	}
	return 0;
}
