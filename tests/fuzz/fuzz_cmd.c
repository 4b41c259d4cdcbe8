/*
 * fuzz_cmd.c - libFuzzer target for the session command parser.
 * Build: clang -g -fsanitize=fuzzer,address,undefined -I. -D_XOPEN_SOURCE=700
 *        -D_DEFAULT_SOURCE tests/fuzz/fuzz_cmd.c uucico/cmd.c lib/util.c -o fuzz_cmd
 * (make fuzz does this).  Whatever parses must format and parse back;
 * so must a file's trailer line ("ZCRC32", "ZPARTS"), for a size taken
 * from the input's length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uucico/cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_trailer - a trailer line that parses must be bounded, format and
 * parse back the same */
static void
fuzz_trailer(const char *s, size_t size)
{
	static struct cmd_parts p, q;
	static char out[CMD_TRAILER_MAX];
	long long fsize = (long long)size * 4099;
	unsigned long crc, crc2;
	int found = cmd_parse_trailer(s, fsize, &crc, &p);

	if (p.n > CMD_PARTS_MAX || (p.n && (p.n < 2 || p.size < CMD_PART_MIN)))
		abort();
	if (!found && p.n == 0)
		return;
	if (cmd_format_trailer(found, crc, &p, out, sizeof(out)) != 0 ||
	    cmd_parse_trailer(out, fsize, &crc2, &q) != found || q.n != p.n ||
	    (found && crc2 != crc) || memcmp(p.crc, q.crc, p.n * sizeof(p.crc[0])) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmd c, d;
	static char out[16384];
	char *s, err[128];

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_trailer(s, size);
	if (cmd_parse(s, &c, err, sizeof(err)) == 0 && c.kind != 'H' &&
	    cmd_format(&c, CMD_F_SIZE | CMD_F_QUOTE | CMD_F_EXEC, out, sizeof(out)) == 0) {
		if (cmd_parse(out, &d, err, sizeof(err)) != 0 || strcmp(c.from, d.from) != 0 ||
		    strcmp(c.to, d.to) != 0)
			abort();
	}
	free(s);
	return 0;
}
