/* test_cmd.c - the session's command strings: parsing what Taylor UUCP
 * sends, formatting for peers with different features, and quoting. */
#include <string.h>

#include "tests/unit/tap.h"
#include "uucico/cmd.h"

int
main(void)
{
	struct cmd c, d;
	char err[128], out[8192];
	long long pos;
	unsigned mode;
	long long size;
	static const char *bad[] = {
		"", "S", "S a", "S a b c", "S a b c d e", "S a b c -C D.0 09x", "Q a b c -",
		"S a b c -C D.0 0644 \"\" 0xZZ", "S a\\9 b c -q D.0 0644",
		"E a b c -C D.0 0644 \"\" 0x10", "R a b c -d notanumber",
	};
	size_t i;

	/* Taylor UUCP 1.07's S command, byte for byte from a real session */
	ok(cmd_parse("S /srv/uucp/payload/synth-3000 ~/ root -Cd D.0001 0644 \"\" 0xbb8", &c, err,
	    sizeof(err)) == 0, "Taylor's S command parses");
	ok(c.kind == 'S' && strcmp(c.from, "/srv/uucp/payload/synth-3000") == 0 &&
	    strcmp(c.to, "~/") == 0 && strcmp(c.user, "root") == 0 &&
	    strcmp(c.options, "Cd") == 0 && strcmp(c.temp, "D.0001") == 0 && c.mode == 0644 &&
	    c.notify[0] == '\0' && c.size == 3000, "its fields are right");
	ok(cmd_format(&c, CMD_F_SIZE | CMD_F_RESTART | CMD_F_EXEC | CMD_F_QUOTE, out,
	    sizeof(out)) == 0 && strcmp(out,
	    "S /srv/uucp/payload/synth-3000 ~/ root -Cd D.0001 0644 \"\" 0xbb8") == 0,
	    "formatting it again gives the same bytes: %s", out);
	ok(cmd_format(&c, 0, out, sizeof(out)) == 0 &&
	    strcmp(out, "S /srv/uucp/payload/synth-3000 ~/ root -Cd D.0001 0644") == 0,
	    "a peer without size negotiation gets no size: %s", out);
	ok(cmd_format(&c, CMD_F_DEFAULT, out, sizeof(out)) == 0 &&
	    strcmp(out, "S /srv/uucp/payload/synth-3000 ~/ root -Cd D.0001 0644 \"\" 3000") == 0,
	    "a peer asking for decimal sizes gets them: %s", out);

	/* quoting of awkward names, for peers with the q option */
	memset(&d, 0, sizeof(d));
	d.kind = 'S';
	strcpy(d.from, "/tmp/a file\\with\nodd");
	strcpy(d.to, "~/dest dir/");
	strcpy(d.user, "ian");
	strcpy(d.options, "C");
	strcpy(d.temp, "D.alphaN0001");
	d.mode = 0600;
	d.size = 17;
	ok(cmd_format(&d, 0, out, sizeof(out)) < 0, "a space cannot go to a peer without quoting");
	ok(cmd_format(&d, CMD_F_SIZE | CMD_F_QUOTE, out, sizeof(out)) == 0, "it can with: %s", out);
	ok(cmd_parse(out, &c, err, sizeof(err)) == 0 && strcmp(c.from, d.from) == 0 &&
	    strcmp(c.to, d.to) == 0 && c.size == 17, "and parses back to the same names");

	/* the whole file's CRC-32 as a last S field, between Brigade peers */
	ok(cmd_parse("S /f ~/f ian -C D.a1 0644 \"\" 0x10 Z0a1b2c3d", &c, err, sizeof(err)) == 0 &&
	    strcmp(c.crc, "0a1b2c3d") == 0 && c.size == 16, "S with a CRC-32 field");
	ok(cmd_format(&c, CMD_F_SIZE | CMD_F_QUOTE, out, sizeof(out)) == 0 &&
	    strcmp(out, "S /f ~/f ian -C D.a1 0644 \"\" 0x10 Z0a1b2c3d") == 0,
	    "and formats back the same: %s", out);
	ok(cmd_parse("S /f ~/f ian -C D.a1 0644 \"\" 0x10", &c, err, sizeof(err)) == 0 &&
	    c.crc[0] == '\0', "no CRC-32 field from a peer without one");
	ok(cmd_parse("S /f ~/f ian -C D.a1 0644 \"\" 0x10 Zxyz", &c, err, sizeof(err)) < 0,
	    "a malformed CRC-32 field is refused");

	/* R, X, E, H */
	ok(cmd_parse("R ~/file /tmp/x ian -d 0x100000", &c, err, sizeof(err)) == 0 && c.kind == 'R' &&
	    c.size == 0x100000, "R with a size");
	ok(cmd_parse("R ~/file /tmp/x ian -d", &c, err, sizeof(err)) == 0 && c.size == -1,
	    "R without a size");
	ok(cmd_parse("X ~/f* beta!~/in/ ian -", &c, err, sizeof(err)) == 0 && c.kind == 'X' &&
	    strcmp(c.to, "beta!~/in/") == 0, "X");
	ok(cmd_parse("E D.alphaN0001 D.alphaN0001 ian -CN D.alphaN0001 0644 \"\" 0x20 rmail bob (a b)",
	    &c, err, sizeof(err)) == 0 && c.kind == 'E' &&
	    strcmp(c.command, "rmail bob (a b)") == 0 && c.size == 32, "E keeps the command line");
	ok(cmd_parse("H", &c, err, sizeof(err)) == 0 && c.kind == 'H', "H");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(cmd_parse(bad[i], &c, err, sizeof(err)) < 0, "rejected: \"%s\" (%s)", bad[i], err);

	/* replies */
	ok(cmd_parse_sy("SY", &pos) == 0 && pos == 0, "SY without a position");
	ok(cmd_parse_sy("SY 0x1000", &pos) == 1 && pos == 4096, "SY with a restart position");
	ok(cmd_parse_ry("RY 0644", &mode, &size) == 1 && mode == 0644 && size == -1, "RY mode");
	ok(cmd_parse_ry("RY 0755 0x10", &mode, &size) == 2 && mode == 0755 && size == 16,
	    "RY mode and size");
	ok(cmd_parse_ry("RY 0666M", &mode, &size) == 1 && mode == 0666, "BSD's RY with M");
	return done_testing();
}
