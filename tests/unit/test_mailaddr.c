/*
 * test_mailaddr.c - table tests for the RFC 976 address module: routes
 * from bang paths, domains, %-hacks and mixtures; refusals; the gateway
 * helpers (inside the UUCP world, reverse-path conversions).
 */
#include <string.h>

#include <stdio.h>

#include "gateway/mailaddr.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

/* The node "beta", neighbours alpha and gamma, gateway gw.example.org. */
static struct mailaddr_ctx ctx = {
	.nodename = "beta",
	.uucp_domains = { "uucp", "bang.example" },
	.nuucp_domains = 2,
	.local_domains = { "beta.example.org" },
	.nlocal_domains = 1,
	.gateway_domain = "gw.example.org",
};

/* Addresses and the route each gives ("ERR" for a refusal). */
static const struct {
	const char *in;
	int flags;
	const char *route;	/* mailaddr_format from 0 */
	size_t nhops;
} cases[] = {
	{ "user", MAILADDR_BANG_FIRST, "user", 0 },
	{ "<user>", MAILADDR_BANG_FIRST, "user", 0 },
	{ "a!b!user", MAILADDR_BANG_FIRST, "a!b!user", 2 },
	{ "beta!a!user", MAILADDR_BANG_FIRST, "a!user", 1 },
	{ "a!beta!user", MAILADDR_BANG_FIRST, "a!beta!user", 2 },
	{ "user@gamma.uucp", MAILADDR_BANG_FIRST, "gamma!user", 1 },
	{ "user@GAMMA.UUCP", MAILADDR_BANG_FIRST, "GAMMA!user", 1 },
	{ "user@gamma.bang.example", MAILADDR_BANG_FIRST, "gamma!user", 1 },
	{ "user@gamma", MAILADDR_BANG_FIRST, "gamma!user", 1 },
	{ "user@beta.uucp", MAILADDR_BANG_FIRST, "user", 0 },
	{ "user@beta", MAILADDR_BANG_FIRST, "user", 0 },
	{ "user@beta.example.org", MAILADDR_BANG_FIRST, "user", 0 },
	{ "user@gw.example.org", MAILADDR_BANG_FIRST, "user", 0 },
	{ "user@Example.ORG", MAILADDR_BANG_FIRST, "user@example.org", 0 },
	{ "a!user@example.org", MAILADDR_BANG_FIRST, "a!user@example.org", 1 },
	{ "a!user@gamma.uucp", MAILADDR_BANG_FIRST, "a!gamma!user", 2 },
	{ "a!user@example.org", MAILADDR_AT_FIRST, "a!user@example.org", 0 },
	{ "a!user@beta.uucp", MAILADDR_AT_FIRST, "a!user", 1 },
	{ "a!b!user@gw.example.org", MAILADDR_AT_FIRST, "a!b!user", 2 },
	{ "user%gamma@beta.uucp", MAILADDR_BANG_FIRST, "gamma!user", 1 },
	{ "user%example.org@beta", MAILADDR_BANG_FIRST, "user@example.org", 0 },
	{ "user%gamma", MAILADDR_BANG_FIRST, "gamma!user", 1 },
	{ "user%a%b@beta", MAILADDR_BANG_FIRST, "b!a!user", 2 },
	{ "user%gamma@alpha.uucp", MAILADDR_BANG_FIRST, "alpha!gamma!user", 2 },
	{ "example.com!user", MAILADDR_BANG_FIRST, "example.com!user", 1 },
	{ "", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "<>", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "a!!user", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "!user", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "a!", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "user@", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "@beta", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "@gw:user@example.org", MAILADDR_AT_FIRST, "ERR", 0 },
	{ "\"user@example.org\"@beta", MAILADDR_AT_FIRST, "ERR", 0 },
	{ "user@[127.0.0.1]", MAILADDR_AT_FIRST, "ERR", 0 },
	{ "user@example.org.", MAILADDR_AT_FIRST, "ERR", 0 },
	{ "user@a..b", MAILADDR_AT_FIRST, "ERR", 0 },
	{ "a@b@c", MAILADDR_AT_FIRST, "ERR", 0 },
	{ "u@h!x", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "user name", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "a!user\x7f", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "a;rm!user", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "-x!user", MAILADDR_BANG_FIRST, "ERR", 0 },
	{ "user@-x.uucp", MAILADDR_BANG_FIRST, "ERR", 0 },
};

/* test_parse_table - every case gives its route or its refusal */
static void
test_parse_table(void)
{
	struct mailaddr a;
	char out[MAILADDR_MAX], err[128];
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		int r = mailaddr_parse(&ctx, cases[i].in, cases[i].flags, &a, err, sizeof(err));

		if (!strcmp(cases[i].route, "ERR")) {
			ok(r < 0, "refused: '%s' (%s)", cases[i].in, r < 0 ? err : "accepted");
			continue;
		}
		if (r < 0) {
			ok(0, "'%s': %s", cases[i].in, err);
			continue;
		}
		mailaddr_format(&a, 0, out, sizeof(out));
		ok(!strcmp(out, cases[i].route) && a.nhops == cases[i].nhops,
		    "'%s' %s -> %s (%zu hops; got %s, %zu)", cases[i].in,
		    cases[i].flags ? "at-first" : "bang-first", cases[i].route, cases[i].nhops, out,
		    a.nhops);
	}
}

/* test_limits - long addresses and many hops are refused, not truncated */
static void
test_limits(void)
{
	char big[2 * MAILADDR_MAX], err[128];
	struct mailaddr a;
	size_t i, n = 0;

	for (i = 0; i < MAILADDR_HOPS_MAX + 1; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "h%zu!", i);
	snprintf(big + n, sizeof(big) - n, "user");
	ok(mailaddr_parse(&ctx, big, 0, &a, err, sizeof(err)) < 0, "33 hops refused: %s", err);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(mailaddr_parse(&ctx, big, 0, &a, err, sizeof(err)) < 0, "1023-byte address refused");
	memset(big, 'h', 64);
	strcpy(big + 64, "!user");
	ok(mailaddr_parse(&ctx, big, 0, &a, err, sizeof(err)) < 0, "64-byte host name refused");
	ok(mailaddr_parse(&ctx, "a!b!user", 0, &a, NULL, 0) == 0 &&
	    mailaddr_format(&a, 1, big, sizeof(big)) == 0 && !strcmp(big, "b!user"),
	    "format from hop 1 gives what the next hop gets");
	ok(mailaddr_format(&a, 2, big, sizeof(big)) == 0 && !strcmp(big, "user"), "from 2: user");
	ok(mailaddr_format(&a, 3, big, sizeof(big)) < 0, "from past the end refused");
	ok(mailaddr_format(&a, 0, big, 5) < 0, "too small a buffer refused");
}

/* test_names - user and host name checks, null senders */
static void
test_names(void)
{
	ok(mailaddr_user_is_valid("alice") && mailaddr_user_is_valid("a.b-c_d+e"), "good users");
	ok(!mailaddr_user_is_valid("..") && !mailaddr_user_is_valid("../etc") &&
	    !mailaddr_user_is_valid("a/b") && !mailaddr_user_is_valid("") &&
	    !mailaddr_user_is_valid(".x") && !mailaddr_user_is_valid("-x") &&
	    !mailaddr_user_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "bad users");
	ok(mailaddr_host_is_valid("gamma") && mailaddr_host_is_valid("ex.com") &&
	    !mailaddr_host_is_valid("a..b") && !mailaddr_host_is_valid("a/b") &&
	    !mailaddr_host_is_valid("a."), "host names");
	ok(mailaddr_is_null_sender("") && mailaddr_is_null_sender("<>") &&
	    mailaddr_is_null_sender("MAILER-DAEMON") && mailaddr_is_null_sender("a!b!mailer-daemon") &&
	    mailaddr_is_null_sender("<MAILER-DAEMON@x.org>") &&
	    !mailaddr_is_null_sender("a!user") && !mailaddr_is_null_sender("MAILER-DAEMONS"),
	    "null senders");
}

/* test_neighbour - alpha and gamma are neighbours */
static int
test_neighbour(const char *hop, void *arg)
{
	(void)arg;
	return !strcmp(hop, "alpha") || !strcmp(hop, "gamma");
}

/* test_in_uucp - the gateway's relay decision */
static void
test_in_uucp(void)
{
	static const struct {
		const char *in;
		int inside;
	} t[] = {
		{ "user@gamma.uucp", 1 }, { "alice@beta.uucp", 1 }, { "alice@gw.example.org", 1 },
		{ "gamma!user@gw.example.org", 1 }, { "alpha!far!user@beta.uucp", 1 },
		{ "user@far.uucp", 0 }, { "user@other.example", 0 },
		{ "\"user@other.example\"@gw.example.org", 0 },
		{ "user%other.example@gw.example.org", 0 },
		{ "other.example!user@gw.example.org", 0 },
		{ "@gw.example.org:user@other.example", 0 }, { "user@[192.0.2.1]", 0 },
		{ "user@gw.example.org.", 0 }, { "USER@OTHER.EXAMPLE", 0 },
		{ "gamma!user@other.example", 0 }, { "gamma!user%other.example@beta", 0 },
		{ "../etc@beta.uucp", 0 },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++)
		ok(mailaddr_in_uucp(&ctx, t[i].in, test_neighbour, NULL, NULL) == t[i].inside,
		    "%s is %s the UUCP world", t[i].in, t[i].inside ? "inside" : "outside");
}

/* test_reverse_path - bang return paths to RFC 5321 and back */
static void
test_reverse_path(void)
{
	char out[MAILADDR_MAX], err[128];
	struct mailaddr_ctx nogw = ctx;

	ok(mailaddr_rp_to_smtp(&ctx, "a!b!user", MAILADDR_RP_GATEWAY, out, sizeof(out), err,
	    sizeof(err)) == 0 && !strcmp(out, "a!b!user@gw.example.org"), "gateway style: %s", out);
	ok(mailaddr_rp_to_smtp(&ctx, "a!b!user", MAILADDR_RP_UUCP, out, sizeof(out), err,
	    sizeof(err)) == 0 && !strcmp(out, "user@b.uucp"), "uucp style: %s", out);
	ok(mailaddr_rp_to_smtp(&ctx, "alice", MAILADDR_RP_UUCP, out, sizeof(out), err,
	    sizeof(err)) == 0 && !strcmp(out, "alice@beta.uucp"), "local user: %s", out);
	ok(mailaddr_rp_to_smtp(&ctx, "a!ex.com!user", MAILADDR_RP_UUCP, out, sizeof(out), err,
	    sizeof(err)) == 0 && !strcmp(out, "user@ex.com"), "dotted last hop: %s", out);
	ok(mailaddr_rp_to_smtp(&ctx, "gw!user@example.org", MAILADDR_RP_GATEWAY, out,
	    sizeof(out), err, sizeof(err)) == 0 && !strcmp(out, "user@example.org"),
	    "Internet sender stays: %s", out);
	ok(mailaddr_rp_to_smtp(&ctx, "a!MAILER-DAEMON", MAILADDR_RP_GATEWAY, out, sizeof(out),
	    err, sizeof(err)) == 0 && !out[0], "null sender gives <>");
	nogw.gateway_domain = NULL;
	ok(mailaddr_rp_to_smtp(&nogw, "a!user", MAILADDR_RP_GATEWAY, out, sizeof(out), err,
	    sizeof(err)) < 0, "gateway style needs gateway-domain: %s", err);
	ok(mailaddr_rp_from_smtp(&ctx, "<a!b!user@gw.example.org>", out, sizeof(out), err,
	    sizeof(err)) == 0 && !strcmp(out, "a!b!user"), "back from gateway style: %s", out);
	ok(mailaddr_rp_from_smtp(&ctx, "user@b.uucp", out, sizeof(out), err, sizeof(err)) == 0 &&
	    !strcmp(out, "b!user"), "back from uucp style: %s", out);
	ok(mailaddr_rp_from_smtp(&ctx, "User@Example.org", out, sizeof(out), err,
	    sizeof(err)) == 0 && !strcmp(out, "User@example.org"), "Internet address: %s", out);
	ok(mailaddr_rp_from_smtp(&ctx, "<>", out, sizeof(out), err, sizeof(err)) == 0 && !out[0],
	    "<> stays null");
	ok(mailaddr_rp_from_smtp(&ctx, "<@a:u@b>", out, sizeof(out), err, sizeof(err)) < 0,
	    "source route refused");
}

int
main(void)
{
	test_parse_table();
	test_limits();
	test_names();
	test_in_uucp();
	test_reverse_path();
	return done_testing();
}
