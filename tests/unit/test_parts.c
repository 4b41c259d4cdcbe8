/* test_parts.c - the line that follows a file's data between Brigade
 * peers ("ZCRC32", "ZPARTS"): the part size rule, formatting and parsing
 * back, and hostile lines that must give "no parts known", never more. */
#include <stdio.h>
#include <string.h>

#include "tests/unit/tap.h"
#include "uucico/cmd.h"

/* parts_fill - n parts of size bytes with made-up CRCs */
static void
parts_fill(struct cmd_parts *p, long long size, unsigned n)
{
	unsigned i;

	p->size = size;
	p->n = n;
	for (i = 0; i < n; i++)
		p->crc[i] = (0x9e3779b9UL * (i + 1)) & 0xffffffffUL;
}

/* parts_same - whether two part lists agree */
static int
parts_same(const struct cmd_parts *a, const struct cmd_parts *b)
{
	return a->n == b->n && a->size == b->size &&
	    memcmp(a->crc, b->crc, a->n * sizeof(a->crc[0])) == 0;
}

int
main(void)
{
	static struct cmd_parts p, q;
	static char line[CMD_TRAILER_MAX + 64], big[3 * CMD_TRAILER_MAX];
	unsigned long crc;
	long long size;
	size_t i;
	static const char *hostile[] = {
		"ZPARTS", "ZPARTS ", "ZPARTS 10000", "ZPARTS 10000 1",
		"ZPARTS 10000 1 2 3", "ZPARTS 10000 1  2", "ZPARTS 10000 1 2 ",
		"ZPARTS 10000 1 123456789", "ZPARTS 10000 1 -2", "ZPARTS 10000 1 0x2",
		"ZPARTS 0x10000 1 2", "ZPARTS -10000 1 2", "ZPARTS 8000 1 2 3 4 5",
		"ZPARTS 20000 1", "ZPARTS 1000000000000000000 1 2", "ZPARTS 10000 1 g",
		"ZPARTS  10000 1 2", "zparts 10000 1 2", "ZPARTS 10000 1 2\\n", "ZPARTS 10000 +1 2",
	};

	ok(cmd_part_size(0) == 0 && cmd_part_size(CMD_PART_MIN) == 0,
	    "a file of one part or less has no part list");
	ok(cmd_part_size(CMD_PART_MIN + 1) == CMD_PART_MIN, "a byte more: two parts of 64 KiB");
	ok(cmd_part_size(2 * 1024 * 1024) == CMD_PART_MIN, "2 MiB: 32 parts of 64 KiB");
	ok(cmd_part_size(16LL * 1024 * 1024) == CMD_PART_MIN, "16 MiB: 256 parts of 64 KiB");
	ok(cmd_part_size(16LL * 1024 * 1024 + 1) == 2 * CMD_PART_MIN, "a byte more: 128 KiB parts");
	for (size = CMD_PART_MIN + 1; size < (1LL << 50); size = size * 3 + 7) {
		long long ps = cmd_part_size(size), n = size / ps + (size % ps != 0);
		if (n < 2 || n > CMD_PARTS_MAX || (ps > CMD_PART_MIN && n <= CMD_PARTS_MAX / 2))
			break;
	}
	ok(size >= (1LL << 50), "every size up to 1 PiB: 2 to 256 parts, the smallest size "
	    "that fits");

	/* round trips */
	parts_fill(&p, CMD_PART_MIN, 32);
	ok(cmd_format_trailer(0, 0, &p, line, sizeof(line)) == 0 &&
	    strncmp(line, "ZPARTS 10000 ", 13) == 0, "S: ZPARTS alone (%.30s...)", line);
	ok(cmd_parse_trailer(line, 2 * 1024 * 1024, &crc, &q) == 0 && parts_same(&p, &q),
	    "parses back: no whole CRC, the same 32 parts");
	ok(cmd_parse_trailer(line, 2 * 1024 * 1024 + 1, &crc, &q) == 0 && q.n == 0,
	    "a size needing 33 parts: no parts known");
	ok(cmd_parse_trailer(line, 31 * CMD_PART_MIN, &crc, &q) == 0 && q.n == 0,
	    "a size needing 31 parts: no parts known");
	ok(cmd_format_trailer(1, 0xdeadbeefUL, &p, line, sizeof(line)) == 0 &&
	    strncmp(line, "ZCRC32 deadbeef ZPARTS 10000 ", 29) == 0, "E: ZCRC32 then ZPARTS");
	ok(cmd_parse_trailer(line, 32 * CMD_PART_MIN, &crc, &q) == 1 && crc == 0xdeadbeefUL &&
	    parts_same(&p, &q), "parses back: both");
	memset(&q, 0, sizeof(q));
	q.n = 0;
	ok(cmd_format_trailer(1, 0x1234UL, &q, line, sizeof(line)) == 0 &&
	    strcmp(line, "ZCRC32 00001234") == 0, "a small E or R: ZCRC32 alone, as before");
	ok(cmd_parse_trailer(line, 100, &crc, &q) == 1 && crc == 0x1234 && q.n == 0,
	    "parses back");
	ok(cmd_format_trailer(0, 0, &q, line, sizeof(line)) < 0, "nothing to say: -1");
	parts_fill(&p, 4 * CMD_PART_MIN, CMD_PARTS_MAX);
	ok(cmd_format_trailer(1, 1, &p, line, sizeof(line)) == 0 && strlen(line) < CMD_TRAILER_MAX,
	    "256 parts and the CRC: %zu bytes, under %d", strlen(line), CMD_TRAILER_MAX);
	ok(cmd_parse_trailer(line, 256LL * 4 * CMD_PART_MIN, &crc, &q) == 1 && parts_same(&p, &q),
	    "parses back");
	ok(cmd_format_trailer(1, 1, &p, line, 100) < 0, "a short buffer: -1");
	p.n = CMD_PARTS_MAX + 1;
	ok(cmd_format_trailer(1, 1, &p, line, sizeof(line)) < 0, "257 parts: -1");

	/* hostile lines */
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		q.n = 99;
		ok(cmd_parse_trailer(hostile[i], 2 * CMD_PART_MIN, &crc, &q) == 0 && q.n == 0,
		    "\"%s\": no parts known", hostile[i]);
	}
	ok(cmd_parse_trailer("ZPARTS 10000 1 2\n", 2 * CMD_PART_MIN, &crc, &q) == 0 && q.n == 0,
	    "a newline after the list: no parts known");
	ok(cmd_parse_trailer("ZPARTS 10000 1 2", 2 * CMD_PART_MIN, &crc, &q) == 0 && q.n == 2 &&
	    q.crc[0] == 1 && q.crc[1] == 2, "the smallest good list");
	ok(cmd_parse_trailer("ZPARTS 10000 1 2", -1, &crc, &q) == 0 && q.n == 0 &&
	    cmd_parse_trailer("ZPARTS 10000 1 2", 0, &crc, &q) == 0 && q.n == 0,
	    "no size known: no parts known");
	ok(cmd_parse_trailer("ZCRC32 ", 10, &crc, &q) == 0 &&
	    cmd_parse_trailer("ZCRC32 123456789", 10, &crc, &q) == 0 &&
	    cmd_parse_trailer("ZCRC32 12x", 10, &crc, &q) == 0 &&
	    cmd_parse_trailer("ZCRC32 -1", 10, &crc, &q) == 0 &&
	    cmd_parse_trailer("ZCRC32  1", 10, &crc, &q) == 0 &&
	    cmd_parse_trailer("ZCRC3 1", 10, &crc, &q) == 0 &&
	    cmd_parse_trailer("", 10, &crc, &q) == 0, "bad ZCRC32 lines: no CRC");
	ok(cmd_parse_trailer("ZCRC32 ABCDEF01", 10, &crc, &q) == 1 && crc == 0xabcdef01UL,
	    "upper-case hex is read");
	ok(cmd_parse_trailer("ZCRC32 1 garbage", 2 * CMD_PART_MIN, &crc, &q) == 1 && crc == 1 &&
	    q.n == 0, "a CRC with a bad part list: the CRC, no parts");
	/* a list far longer than any allowed, and one that claims a huge
	 * size: bounded */
	strcpy(big, "ZPARTS 10000");
	for (i = 0; strlen(big) + 10 < sizeof(big); i++)
		strcat(big, " 1");
	ok(cmd_parse_trailer(big, 1LL << 40, &crc, &q) == 0 && q.n == 0,
	    "%zu entries for a size needing millions: no parts known", i);
	ok(cmd_parse_trailer(big, (long long)(i) * CMD_PART_MIN, &crc, &q) == 0 && q.n == 0,
	    "%zu entries that match the size but exceed %d: no parts known", i, CMD_PARTS_MAX);
	return done_testing();
}
