/*
 * fuzz_cmd.c - libFuzzer target for the session command parser.
 * Build: clang -g -fsanitize=fuzzer,address,undefined -I. -D_XOPEN_SOURCE=700
 *        -D_DEFAULT_SOURCE tests/fuzz/fuzz_cmd.c uucico/cmd.c lib/util.c -o fuzz_cmd
 * (make fuzz does this).  Whatever parses must format and parse back;
 * so must a file's trailer line ("ZCRC32", "ZPARTS") and a repair list
 * ("SY 0x<size> P<partsize>:<bitmap>"), for a size taken from the
 * input's length, and a repair list must map only into the file.
 */
#include <stdint.h>
#include <stdio.h>
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

/* fuzz_repair - an SY with a part list that parses must be bounded, map
 * into the file, format and parse back the same */
static void
fuzz_repair(const char *s, size_t size)
{
	static struct cmd_repair r, q;
	char out[CMD_REPAIR_MAX], sy[CMD_REPAIR_MAX + 40];
	long long fsize = (long long)size * 4099 + 1, len, run, off;
	const char *p;
	unsigned i, bad = 0;

	if (s[0] == 'S' && s[1] == 'Y' && s[2] == ' ') {
		p = strchr(s + 3, ' ');
		/* the size the SY names, when it is a number: its own check */
		if (p && s[3] == '0' && s[4] == 'x')
			fsize = strtoll(s + 5, NULL, 16);
		if (fsize <= 0 || fsize > (1LL << 50))
			return;
		if (cmd_parse_sy_repair(s, fsize, &r) != 1)
			return;
	} else if (cmd_parse_repair(s, fsize, &r) < 0) {
		if (r.nbad != 0 || r.n != 0)
			abort();
		return;
	}
	for (i = 0; i < CMD_PARTS_MAX; i++)
		bad += r.bad[i] != 0;
	if (r.n < 2 || r.n > CMD_PARTS_MAX || r.nbad == 0 || r.nbad != bad ||
	    r.size != cmd_part_size(fsize))
		abort();
	len = cmd_repair_len(&r, fsize);
	if (len <= 0 || len > fsize)
		abort();
	off = cmd_repair_map(&r, fsize, 0, &run);
	if (off < 0 || run <= 0 || off + run > fsize)
		abort();
	off = cmd_repair_map(&r, fsize, len - 1, &run);
	if (off < 0 || run != 1 || off >= fsize || cmd_repair_map(&r, fsize, len, &run) >= 0)
		abort();
	if (cmd_format_repair(&r, out, sizeof(out)) != 0 || cmd_parse_repair(out, fsize, &q) != 0 ||
	    q.nbad != r.nbad || memcmp(q.bad, r.bad, sizeof(r.bad)) != 0)
		abort();
	snprintf(sy, sizeof(sy), "SY 0x%llx %s", fsize, out);
	if (cmd_parse_sy_repair(sy, fsize, &q) != 1 || memcmp(q.bad, r.bad, sizeof(r.bad)) != 0)
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
	fuzz_repair(s, size);
	if (cmd_parse(s, &c, err, sizeof(err)) == 0 && c.kind != 'H' &&
	    cmd_format(&c, CMD_F_SIZE | CMD_F_QUOTE | CMD_F_EXEC, out, sizeof(out)) == 0) {
		if (cmd_parse(out, &d, err, sizeof(err)) != 0 || strcmp(c.from, d.from) != 0 ||
		    strcmp(c.to, d.to) != 0)
			abort();
	}
	free(s);
	return 0;
}
