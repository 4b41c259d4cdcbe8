/*
 * fuzz_smtp.c - libFuzzer target for the SMTP line engine: the bytes go
 * through the line reader in odd-sized chunks, each line through the
 * command parser and the reply parser.  Nothing may read or write out of
 * bounds; a parsed path must be printable and fit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp_lbuf lb;
	static struct smtp_cmd c;
	struct smtp_reply r;
	const char *line;
	size_t off = 0, len, step = size ? (size_t)data[0] % 97 + 1 : 1;
	int flags, rc;
	char err[256];

	smtp_lbuf_init(&lb);
	smtp_reply_init(&r);
	while (off < size) {
		off += smtp_lbuf_feed(&lb, (const char *)data + off,
		    size - off < step ? size - off : step);
		while ((rc = smtp_lbuf_next(&lb, &line, &len, &flags)) == SMTP_LB_LINE) {
			if (len >= SMTP_LINE_MAX)
				abort();
			if (smtp_cmd_parse(line, len, &c, err, sizeof(err)) == 0 &&
			    strlen(c.path) >= sizeof(c.path))
				abort();
			if (r.complete)
				smtp_reply_init(&r);
			(void)smtp_reply_line(&r, line, len);
		}
		if (rc == SMTP_LB_FATAL)
			break;
	}
	return 0;
}
