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

/* repair_tests - "SY 0x<size> P<partsize>:<bitmap>": formatting, parsing
 * back, the stream's map onto the file, and hostile replies */
static void
repair_tests(void)
{
	static struct cmd_repair r, q;
	static const char *hostile[] = {
		"", "P", "P10000", "P10000:", "P10000:4", "P10000:48000000", "P10000:0000000",
		"P10000:480000", "P10000:4800001", "P20000:4800000", "P8000:4800000",
		"P010000:4800000", "p10000:4800000", "P10000:48000G0", "P10000:48000A0",
		"P10000 :4800000", "P10000: 4800000", "P10000:4800000 ", "P10000:4800000\n",
		"P-10000:4800000", "P0x10000:4800000", "P10000::4800000",
		"P1000000000000000000:4800000",
	};
	char line[CMD_REPAIR_MAX], sy[256];
	long long fsize = 3 * 512 * 1024 + 999, run = -1;	/* 25 parts */
	size_t i;

	memset(&r, 0, sizeof(r));
	r.size = CMD_PART_MIN;
	r.n = 25;
	r.bad[1] = r.bad[4] = r.bad[24] = 1;
	r.nbad = 3;
	ok(cmd_format_repair(&r, line, sizeof(line)) == 0 && strcmp(line, "P10000:4800008") == 0,
	    "parts 2, 5 and 25 of 25: \"%s\"", line);
	ok(cmd_parse_repair(line, fsize, &q) == 0 && q.n == 25 && q.nbad == 3 && q.bad[1] &&
	    q.bad[4] && q.bad[24] && !q.bad[0] && q.size == CMD_PART_MIN, "parses back");
	ok(cmd_repair_len(&q, fsize) == 2 * CMD_PART_MIN + 999,
	    "the stream: two whole parts and the short last one");
	ok(cmd_repair_map(&q, fsize, 0, &run) == CMD_PART_MIN && run == CMD_PART_MIN &&
	    cmd_repair_map(&q, fsize, CMD_PART_MIN + 5, &run) == 4 * CMD_PART_MIN + 5 &&
	    run == CMD_PART_MIN - 5 &&
	    cmd_repair_map(&q, fsize, 2 * CMD_PART_MIN + 998, &run) == fsize - 1 && run == 1,
	    "stream positions map onto the parts");
	ok(cmd_repair_map(&q, fsize, 2 * CMD_PART_MIN + 999, &run) < 0 &&
	    cmd_repair_map(&q, fsize, -1, &run) < 0, "past either end: -1");
	ok(cmd_format_repair(&r, line, 8) < 0, "a short buffer: -1");
	ok(cmd_parse_repair("P10000:4800008", 28 * CMD_PART_MIN + 1, &q) < 0 && q.nbad == 0,
	    "a size needing 29 parts (8 digits): -1");
	ok(cmd_parse_repair("P10000:4800008", 0, &q) < 0 &&
	    cmd_parse_repair("P10000:4800008", -5, &q) < 0, "no size: -1");
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		q.nbad = 99;
		ok(cmd_parse_repair(hostile[i], fsize, &q) < 0 && q.nbad == 0 && q.n == 0,
		    "\"%.*s\"%s: refused", (int)strcspn(hostile[i], "\n"), hostile[i],
		    strchr(hostile[i], '\n') ? " and a newline" : "");
	}
	memset(&r, 0, sizeof(r));
	r.size = 4 * CMD_PART_MIN;
	r.n = CMD_PARTS_MAX;
	for (i = 0; i < CMD_PARTS_MAX; i++)
		r.bad[i] = 1;
	r.nbad = CMD_PARTS_MAX;
	fsize = 256LL * 4 * CMD_PART_MIN;
	ok(cmd_format_repair(&r, line, sizeof(line)) == 0 && strlen(line) < CMD_REPAIR_MAX &&
	    cmd_parse_repair(line, fsize, &q) == 0 && q.nbad == CMD_PARTS_MAX &&
	    cmd_repair_len(&q, fsize) == fsize, "all 256 parts: %zu bytes, parses back",
	    strlen(line));
	snprintf(sy, sizeof(sy), "SY 0x%llx %s", fsize, line);
	ok(cmd_parse_sy_repair(sy, fsize, &q) == 1 && q.nbad == CMD_PARTS_MAX,
	    "in an SY: %zu bytes", strlen(sy));
	ok(cmd_parse_sy_repair(sy, fsize - 1, &q) < 0, "an SY for another size: -1");
	ok(cmd_parse_sy_repair("SY", fsize, &q) == 0 && cmd_parse_sy_repair("SY 0x10", fsize,
	    &q) == 0, "an SY without a list: 0");
	ok(cmd_parse_sy_repair("SY 0x100000 ", fsize, &q) < 0 &&
	    cmd_parse_sy_repair("SY  P40000:ff", fsize, &q) < 0 &&
	    cmd_parse_sy_repair("SYX0x100000 P40000:8", fsize, &q) != 1 &&
	    cmd_parse_sy_repair("SY 0x100000 P40000:8 P40000:8", fsize, &q) < 0 &&
	    cmd_parse_sy_repair("SY 0x1000000000000000000000000 P40000:8", fsize, &q) < 0,
	    "bad SY lines: -1");
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
	repair_tests();
	return done_testing();
}
