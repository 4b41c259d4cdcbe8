/*
 * test_mailmsg.c - table tests for From_ line parsing (return paths from
 * stacked "remote from" lines), header blocks, Received: counting, dates,
 * the lines rmail writes, bounces and mbox escaping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/mailmsg.h"
#include "gateway/mbox.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static const struct {
	const char *msg;
	const char *sender;	/* NULL: refused */
	const char *remote;
	size_t nlines;
} froms[] = {
	{ "Subject: x\n\nbody\n", "", "", 0 },
	{ "From mark Mon Jan  2 15:04:05 2006\nSubject: x\n", "mark", "", 1 },
	{ "From mark Mon Jan  2 15:04:05 2006 remote from alpha\n\n", "alpha!mark", "alpha", 1 },
	{ "From a!mark Mon Jan  2 15:04:05 2006 remote from beta\n\n", "beta!a!mark", "beta", 1 },
	{ "From mark Mon Jan  2 15:04:05 2006 remote from beta\n"
	  ">From mark Mon Jan  2 15:00:00 2006 remote from alpha\n\n", "beta!alpha!mark", "beta", 2 },
	{ "From mark Mon Jan  2 15:04:05 2006 remote from beta\r\n\r\n", "beta!mark", "beta", 1 },
	{ "From mark\n\n", "mark", "", 1 },
	{ ">From mark date\n\n", "", "", 0 },
	{ "From  mark  Mon Jan  2 15:04:05 2006 remote from gamma\nX: y\n", "gamma!mark", "gamma", 1 },
	{ "From \n\n", NULL, NULL, 0 },
	{ "From mark Mon Jan  2 2006 remote from a/b\n\n", NULL, NULL, 0 },
	{ "From mark Mon Jan  2 2006 remote from ../x\n\n", NULL, NULL, 0 },
	{ "From ma\x01rk Mon\n\n", NULL, NULL, 0 },
	{ "From mark Mon Jan  2 15:04:05 2006", NULL, NULL, 0 },
};

/* test_from - From_ lines give the return path and the sending system */
static void
test_from(void)
{
	struct mailmsg_from f;
	char err[128];
	size_t i;
	int r;

	for (i = 0; i < UTIL_ARRAY_LEN(froms); i++) {
		r = mailmsg_parse_from(froms[i].msg, strlen(froms[i].msg), &f, err, sizeof(err));
		if (!froms[i].sender) {
			ok(r < 0, "From_ case %zu refused (%s)", i, r < 0 ? err : "accepted");
			continue;
		}
		ok(r == 0 && !strcmp(f.sender, froms[i].sender) && !strcmp(f.remote, froms[i].remote) &&
		    f.nlines == froms[i].nlines, "From_ case %zu: sender '%s' remote '%s' (got '%s' '%s')",
		    i, froms[i].sender, froms[i].remote, f.sender, f.remote);
	}
	r = mailmsg_parse_from(froms[4].msg, strlen(froms[4].msg), &f, err, sizeof(err));
	ok(r == 0 && f.skip == strlen(froms[4].msg) - 1 && !strcmp(f.date, "Mon Jan  2 15:04:05 2006"),
	    "skip covers both lines, date of the first");
}

/* test_from_limits - too many stacked lines, an over-long line */
static void
test_from_limits(void)
{
	struct mailmsg_from f;
	char *buf, err[128];
	size_t i, n = 0, cap = 70 * 64;

	buf = malloc(cap);
	for (i = 0; i < MAILMSG_FROM_LINES_MAX + 1; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%sFrom u d remote from h%zu\n",
		    i ? ">" : "", i);
	ok(mailmsg_parse_from(buf, n, &f, err, sizeof(err)) < 0, "65 From_ lines refused: %s", err);
	memset(buf, 'x', cap);
	memcpy(buf, "From ", 5);
	buf[2000] = '\n';
	ok(mailmsg_parse_from(buf, 2001, &f, err, sizeof(err)) < 0, "a 2000-byte From_ line refused");
	free(buf);
}

/* test_headers - header block length and Received: counting */
static void
test_headers(void)
{
	const char *m1 = "Received: a\nreceived: b\n\tcont Received: no\nSubject: x\n\n"
	    "Received: in body\n";
	const char *m2 = "Received: a\r\nX: y\r\n\r\nbody\r\n";
	const char *m3 = "Subject: no body\n";

	ok(mailmsg_header_len(m1, strlen(m1)) == strlen(m1) - strlen("Received: in body\n"),
	    "header block ends at the empty line");
	ok(mailmsg_count_received(m1, strlen(m1)) == 2, "two Received: in the header, none in the body");
	ok(mailmsg_header_len(m2, strlen(m2)) == strlen(m2) - 6, "CRLF header block");
	ok(mailmsg_header_len(m3, strlen(m3)) == strlen(m3), "headers without body");
	ok(mailmsg_count_received("", 0) == 0, "empty message");
}

/* test_lines - dates, From_ lines, Received: */
static void
test_lines(void)
{
	struct tm tm = { .tm_year = 106, .tm_mon = 0, .tm_mday = 2, .tm_hour = 15, .tm_min = 4,
		.tm_sec = 5, .tm_wday = 1 };
	char d[64], l[256];

	ok(mailmsg_date(d, sizeof(d), &tm, 3600) == 0 && !strcmp(d, "Mon, 2 Jan 2006 15:04:05 +0100"),
	    "RFC 5322 date: %s", d);
	ok(mailmsg_date(d, sizeof(d), &tm, -(5 * 3600 + 1800)) == 0 &&
	    !strcmp(d, "Mon, 2 Jan 2006 15:04:05 -0530"), "negative offset: %s", d);
	ok(mailmsg_from_date(d, sizeof(d), &tm) == 0 && !strcmp(d, "Mon Jan  2 15:04:05 2006"),
	    "From_ date: %s", d);
	tm.tm_mon = 12;
	ok(mailmsg_date(d, sizeof(d), &tm, 0) < 0, "bad month refused");
	ok(mailmsg_from_line(l, sizeof(l), "a!mark", "DATE", "beta") == 0 &&
	    !strcmp(l, "From a!mark DATE remote from beta\n"), "forwarding From_ line");
	ok(mailmsg_from_line(l, sizeof(l), "", "DATE", NULL) == 0 &&
	    !strcmp(l, "From MAILER-DAEMON DATE\n"), "null sender in a From_ line");
	ok(mailmsg_received(l, sizeof(l), "alpha", "beta", "DATE") == 0 &&
	    !strcmp(l, "Received: from alpha by beta with UUCP (Brigade rmail);\n\tDATE\n"),
	    "Received: with from");
	ok(mailmsg_received(l, sizeof(l), "", "beta", "DATE") == 0 &&
	    !strcmp(l, "Received: by beta with UUCP (Brigade rmail);\n\tDATE\n"), "Received: without");
	ok(mailmsg_received(l, 20, "alpha", "beta", "DATE") < 0, "too small a buffer refused");
}

/* test_bounce - a bounce names each failure and carries the headers */
static void
test_bounce(void)
{
	const char *rc[] = { "nobody", "x!y" }, *why[] = { "no such user", "no route to host" };
	const char *hdr = "Subject: hi\nMessage-ID: <1@a>\n\n";
	struct mailmsg_bounce b = { "beta", "alpha!mark", "DATE", rc, why, 2, hdr, strlen(hdr) };
	size_t len;
	char *m = mailmsg_bounce(&b, &len);

	ok(m && len == strlen(m), "bounce built");
	ok(m && strstr(m, "To: alpha!mark\n") && strstr(m, "MAILER-DAEMON@beta") &&
	    strstr(m, "Auto-Submitted: auto-replied\n"), "bounce headers");
	ok(m && strstr(m, "  nobody\n    no such user\n") && strstr(m, "  x!y\n    no route to host\n"),
	    "each recipient with its reason");
	ok(m && strstr(m, "Subject: hi\nMessage-ID: <1@a>\n") && m[len - 1] == '\n' &&
	    strstr(m, "\n\n") < strstr(m, "Subject: hi"), "original headers in the body");
	free(m);
}

/* test_escape - mboxrd escaping and the blank line after a message */
static void
test_escape(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "a\n", "a\n\n" },
		{ "a", "a\n\n" },
		{ "", "\n\n" },
		{ "S: x\n\nFrom here\n", "S: x\n\n>From here\n\n" },
		{ ">From x\n>>From y\nFrom\nFromage\n From z\n",
		  ">>From x\n>>>From y\nFrom\nFromage\n From z\n\n" },
		{ "x\nFrom ", "x\n>From \n\n" },
	};
	size_t i, n;
	char *o;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++) {
		o = mbox_escape(t[i].in, strlen(t[i].in), &n);
		ok(o && n == strlen(t[i].out) && !memcmp(o, t[i].out, n), "escape case %zu", i);
		free(o);
	}
}

int
main(void)
{
	test_from();
	test_from_limits();
	test_headers();
	test_lines();
	test_bounce();
	test_escape();
	return done_testing();
}
