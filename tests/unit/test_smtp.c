/*
 * test_smtp.c - the SMTP line engine: lines split at every byte boundary,
 * over-long lines and the hard cap, bare LF/CR and NUL, commands and
 * their paths and parameters, multi-line replies and EHLO keywords,
 * base64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/smtp.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

/* one_line - feed s in chunks of step bytes; the first line's flags, or -1 */
static int
one_line(const char *s, size_t n, size_t step, char *out, size_t outlen)
{
	struct smtp_lbuf *lb = malloc(sizeof(*lb));
	const char *line;
	size_t len, off = 0, k;
	int flags, r = -1;

	smtp_lbuf_init(lb);
	while (off < n) {
		k = n - off < step ? n - off : step;
		off += smtp_lbuf_feed(lb, s + off, k);
		r = smtp_lbuf_next(lb, &line, &len, &flags);
		if (r == SMTP_LB_LINE) {
			if (len >= outlen)
				len = outlen - 1;
			memcpy(out, line, len);
			out[len] = '\0';
			r = flags;
			break;
		}
		if (r == SMTP_LB_FATAL) {
			r = -2;
			break;
		}
		r = -1;
	}
	free(lb);
	return r;
}

/* test_lines - the line reader */
static void
test_lines(void)
{
	char out[2048], *big;
	size_t step;
	int ok_all = 1;

	for (step = 1; step < 20; step++)
		if (one_line("MAIL FROM:<a@b>\r\nX", 18, step, out, sizeof(out)) != 0 ||
		    strcmp(out, "MAIL FROM:<a@b>") != 0)
			ok_all = 0;
	ok(ok_all, "a CRLF line comes out whole at any chunk size");
	ok(one_line("NOOP\n", 5, 3, out, sizeof(out)) == SMTP_L_BARELF && !strcmp(out, "NOOP"),
	    "bare LF is reported");
	ok(one_line("NO\0OP\r\n", 7, 7, out, sizeof(out)) == SMTP_L_NUL, "NUL is reported");
	ok(one_line("NO\rOP\r\n", 7, 2, out, sizeof(out)) == SMTP_L_BARECR, "bare CR is reported");
	big = malloc(70000);
	memset(big, 'x', 70000);
	memcpy(big + 998, "\r\n", 2);
	ok(one_line(big, 1000, 7, out, sizeof(out)) == 0 && strlen(out) == 998,
	    "998 bytes and CRLF: a line");
	memcpy(big + 998, "x\r\n", 3);
	ok(one_line(big, 1001, 7, out, sizeof(out)) == SMTP_L_LONG, "999 bytes: too long");
	memset(big, 'x', 70000);
	memcpy(big + 5000, "\r\n", 2);
	ok(one_line(big, 5002, 1000, out, sizeof(out)) == SMTP_L_LONG,
	    "5000 bytes: too long, the reader goes on");
	memset(big, 'x', 70000);
	ok(one_line(big, 70000, 4096, out, sizeof(out)) == -2, "70000 bytes: fatal");
	for (step = 4000; step < 4100; step++) {
		memset(big, 'x', 70000);
		memcpy(big + step, "\r\n", 2);
		if (one_line(big, step + 2, 4096, out, sizeof(out)) != SMTP_L_LONG)
			ok_all = 0;
	}
	ok(ok_all, "a CRLF split at the buffer's end is not a bare LF");
	free(big);
}

/* test_cmds - the command parser */
static void
test_cmds(void)
{
	static const struct {
		const char *line;
		int rc;
		enum smtp_verb verb;
		const char *path;
		long long size;
	} t[] = {
		{ "MAIL FROM:<a@b.c>", 0, SMTP_V_MAIL, "a@b.c", -1 },
		{ "mail from: <a@b.c> SIZE=1234 BODY=8BITMIME", 0, SMTP_V_MAIL, "a@b.c", 1234 },
		{ "MAIL FROM:<>", 0, SMTP_V_MAIL, "", -1 },
		{ "MAIL FROM:a@b.c", -1, SMTP_V_MAIL, "", -1 },
		{ "MAIL FROM:<a b@c>", -1, SMTP_V_MAIL, "", -1 },
		{ "MAIL FROM:<a@b> FOO=1", -1, SMTP_V_MAIL, "", -1 },
		{ "MAIL FROM:<a@b> SIZE=x", -1, SMTP_V_MAIL, "", -1 },
		{ "RCPT TO:<beta!user@gw>", 0, SMTP_V_RCPT, "beta!user@gw", -1 },
		{ "RCPT TO:<\"u@o.example\"@gw>", 0, SMTP_V_RCPT, "\"u@o.example\"@gw", -1 },
		{ "RCPT TO:<@gw:u@o.example>", 0, SMTP_V_RCPT, "@gw:u@o.example", -1 },
		{ "RCPT TO:<u@x> SIZE=1", -1, SMTP_V_RCPT, "", -1 },
		{ "RCPT TO:<u<@x>", -1, SMTP_V_RCPT, "", -1 },
		{ "DATA", 0, SMTP_V_DATA, "", -1 },
		{ "DATA x", -1, SMTP_V_DATA, "", -1 },
		{ "EHLO", -1, SMTP_V_EHLO, "", -1 },
		{ "ehlo client.example", 0, SMTP_V_EHLO, "", -1 },
		{ "XYZZY", 0, SMTP_V_UNKNOWN, "", -1 },
		{ "VRFY root", 0, SMTP_V_VRFY, "", -1 },
		{ "HELO a\001b", -1, SMTP_V_HELO, "", -1 },
	};
	struct smtp_cmd *c = malloc(sizeof(*c));
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++) {
		rc = smtp_cmd_parse(t[i].line, strlen(t[i].line), c, err, sizeof(err));
		ok(rc == t[i].rc && (rc < 0 || (c->verb == t[i].verb &&
		    strcmp(c->path, t[i].path) == 0 && c->size == t[i].size)),
		    "command \"%s\" (%s)", t[i].line, rc < 0 ? err : "ok");
	}
	rc = smtp_cmd_parse("MAIL FROM:<a@b> BODY=8BITMIME", 29, c, err, sizeof(err));
	ok(rc == 0 && c->body == SMTP_BODY_8BIT, "BODY=8BITMIME");
	free(c);
}

/* test_replies - the reply parser */
static void
test_replies(void)
{
	static const char *ehlo[] = { "250-gw.example hello", "250-PIPELINING",
		"250-SIZE 10240000", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250 8BITMIME" };
	struct smtp_reply r;
	size_t i;
	int bad = 0;

	smtp_reply_init(&r);
	for (i = 0; i < UTIL_ARRAY_LEN(ehlo); i++) {
		if (r.complete)
			bad = 1;
		if (smtp_reply_line(&r, ehlo[i], strlen(ehlo[i])) < 0)
			bad = 1;
	}
	ok(!bad && r.complete && r.code == 250 && r.size == 10240000 &&
	    r.ext == (SMTP_EXT_PIPELINING | SMTP_EXT_SIZE | SMTP_EXT_STARTTLS |
	    SMTP_EXT_AUTH_PLAIN | SMTP_EXT_AUTH_LOGIN | SMTP_EXT_8BITMIME) &&
	    strcmp(r.text, "gw.example hello") == 0, "EHLO reply with its keywords");
	smtp_reply_init(&r);
	ok(smtp_reply_line(&r, "250-a", 5) == 0 && smtp_reply_line(&r, "251 b", 5) < 0,
	    "codes must agree across lines");
	smtp_reply_init(&r);
	ok(smtp_reply_line(&r, "HTTP/1.1 400", 12) < 0, "not SMTP");
	smtp_reply_init(&r);
	ok(smtp_reply_line(&r, "354", 3) == 0 && r.complete && r.code == 354, "bare code");
}

/* test_b64 - base64 both ways */
static void
test_b64(void)
{
	unsigned char out[64];
	char enc[64];

	ok(smtp_b64_encode((const unsigned char *)"\0user\0pass", 10, enc, sizeof(enc)) > 0 &&
	    strcmp(enc, "AHVzZXIAcGFzcw==") == 0, "encode");
	ok(smtp_b64_decode("AHVzZXIAcGFzcw==", out, sizeof(out)) == 10 &&
	    memcmp(out, "\0user\0pass", 10) == 0, "decode");
	ok(smtp_b64_decode("AHVz*XIA", out, sizeof(out)) < 0, "bad base64");
	ok(smtp_b64_decode("AH=zZXIA", out, sizeof(out)) < 0, "padding in the middle");
	ok(smtp_b64_decode("AHVzZXIAcGFzcw==", out, 4) < 0, "too small");
}

int
main(void)
{
	test_lines();
	test_cmds();
	test_replies();
	test_b64();
	return done_testing();
}
