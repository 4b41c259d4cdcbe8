/*
 * test_uux.c - tables for uux's argument forms (uuxargs), the X. file
 * parser (xfile) and uuxqt's decisions (uuxperm).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hdb.h"
#include "lib/util.h"
#include "tests/unit/tap.h"
#include "uux/uuxargs.h"
#include "uux/uuxperm.h"
#include "uux/uuxq.h"
#include "uux/xfile.h"

/* test_args - the command lines MTAs and users give */
static void
test_args(void)
{
	static const struct {
		const char *argv[8];
		int ok;
		const char *sys, *cmd, *args;	/* args joined with '|' */
		int in, r;
		char grade;
		const char *req;
	} t[] = {
		{ { "uux", "-r", "-n", "-z", "-asender@x", "-", "beta!rmail", "(a!user)" }, 1,
		  "beta", "rmail", "a!user", 1, 1, 0, "sender@x" },
		{ { "uux", "-", "-r", "-ag@h", "-gC", "beta!rmail", "(u@v)" }, 1,
		  "beta", "rmail", "u@v", 1, 1, 'C', "g@h" },
		{ { "uux", "-p", "-g", "A", "beta!rmail a b" }, 1, "beta", "rmail", "a|b", 1, 0, 'A', NULL },
		{ { "uux", "beta!rmail (x y) (a;b|c&d$(e))" }, 1, "beta", "rmail", "x y|a;b|c&d$(e)",
		  0, 0, 0, NULL },
		{ { "uux", "rmail", "user" }, 1, "alpha", "rmail", "user", 0, 0, 0, NULL },
		{ { "uux", "beta!cat", "beta!/etc/motd" }, 1, "beta", "cat", "/etc/motd", 0, 0, 0, NULL },
		{ { "uux", "beta!cat", "!/tmp/file" }, 1, "beta", "cat", "file", 0, 0, 0, NULL },
		{ { "uux", "beta!cat", "gamma!/x" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
		{ { "uux", "beta!rmail", "(unbalanced" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
		{ { "uux", "beta!rmail", ">out" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
		{ { "uux", "-q", "beta!rmail" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
		{ { "uux", "-g", "CC", "beta!rmail" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
		{ { "uux", "-r" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
		{ { "uux", "beta!/bin/sh" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
		{ { "uux", "../x!rmail" }, 0, NULL, NULL, NULL, 0, 0, 0, NULL },
	};
	size_t i, k;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++) {
		struct uuxargs a;
		char err[256] = "", joined[512] = "";
		int argc = 0, r;
		while (argc < 8 && t[i].argv[argc])
			argc++;
		r = uuxargs_parse(argc, (char *const *)t[i].argv, "alpha", &a, err, sizeof(err));
		if (!t[i].ok) {
			ok(r < 0 && err[0], "refused: %s ... (%s)", t[i].argv[argc - 1], err);
			uuxargs_free(&a);
			continue;
		}
		for (k = 0; k < a.nargs; k++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
			    k ? "|" : "", a.args[k]);
		ok(r == 0 && strcmp(a.sys, t[i].sys) == 0 && strcmp(a.command, t[i].cmd) == 0 &&
		    strcmp(joined, t[i].args) == 0 && a.read_stdin == t[i].in &&
		    a.no_uucico == t[i].r && a.grade == t[i].grade &&
		    ((!a.requestor && !t[i].req) || (a.requestor && t[i].req &&
		    strcmp(a.requestor, t[i].req) == 0)),
		    "case %zu: %s!%s [%s] (%s)", i, a.sys, a.command, joined, err);
		uuxargs_free(&a);
	}
}

/* test_perm - uuxqt's verdicts */
static void
test_perm(void)
{
	static const struct { const char *text; const char *commands; int want; } t[] = {
		{ "U a alpha\nF D.x\nI D.x\nC rmail u\n", NULL, UUXPERM_RUN },
		{ "U a alpha\nC sh -c x\n", NULL, UUXPERM_REFUSE },
		{ "U a alpha\nC cat\n", "rmail:rnews", UUXPERM_REFUSE },
		{ "U a alpha\nC rnews\n", "rmail:rnews", UUXPERM_RUN },
		{ "U a alpha\nC /usr/bin/rmail\n", NULL, UUXPERM_REFUSE },
		{ "U a alpha\nC anything\n", "ALL", UUXPERM_RUN },
		{ "U a alpha\nF /etc/passwd\nC rmail\n", NULL, UUXPERM_CORRUPT },
		{ "U a alpha\nI ../x/D.y\nC rmail\n", NULL, UUXPERM_CORRUPT },
		{ "U a alpha\nF D.x ../evil\nC rmail\n", NULL, UUXPERM_CORRUPT },
		{ "U a alpha\nF C.x\nC rmail\n", NULL, UUXPERM_CORRUPT },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++) {
		struct hdb_perm pe;
		char *cmds[4], buf[64], why[256] = "", err[128];
		struct perm_view v = { NULL, "/pub" };
		struct xfile x;
		size_t n = 0;
		char *p, *save = NULL;

		memset(&pe, 0, sizeof(pe));
		if (t[i].commands) {
			str_copy(buf, t[i].commands, sizeof(buf));
			for (p = strtok_r(buf, ":", &save); p && n < 4; p = strtok_r(NULL, ":", &save))
				cmds[n++] = p;
			pe.commands = cmds;
			pe.ncommands = n;
			v.entry = &pe;
		}
		if (xfile_parse(t[i].text, strlen(t[i].text), &x, err, sizeof(err)) < 0) {
			ok(0, "perm case %zu parses (%s)", i, err);
			continue;
		}
		ok(uuxperm_check(&x, &v, why, sizeof(why)) == t[i].want, "perm case %zu: %s",
		    i, why);
	}
}

/* test_xfile - parse and format round trips, and refusals */
static void
test_xfile(void)
{
	static const char *bad[] = {
		"U a b\n", "C rmail\n", "U a b\nC x\nC y\n", "U a b\nQ\nC x\\9\n",
		"U a b\nQ\nC x\\000\n", "U a b\nI D.a\nI D.b\nC x\n", "U a b c\nC x\n",
	};
	static char *args[] = { "rmail", "a b", "c\\d", "e\tf", "x;y" };
	struct xfile x, y;
	char err[128], *text;
	size_t i, len;

	for (i = 0; i < UTIL_ARRAY_LEN(bad); i++)
		ok(xfile_parse(bad[i], strlen(bad[i]), &x, err, sizeof(err)) < 0,
		    "refused X. file %zu (%s)", i, err);
	ok(xfile_parse("U a b\0\nC x\n", 11, &x, err, sizeof(err)) < 0, "NUL refused");
	memset(&x, 0, sizeof(x));
	str_copy(x.user, "ian", sizeof(x.user));
	str_copy(x.sys, "alpha", sizeof(x.sys));
	str_copy(x.input, "D.alphaN0001", sizeof(x.input));
	x.notify = XFILE_NOTIFY_NEVER | XFILE_NOTIFY_OK;
	xfile_set_args(&x, args, UTIL_ARRAY_LEN(args));
	text = xfile_format(&x, &len);
	ok(text && strncmp(text, "Q\n", 2) == 0, "Q first when needed");
	ok(text && strstr(text, "C rmail a\\040b c\\\\d e\\011f x;y\n") != NULL,
	    "C line quoted");
	ok(text && xfile_parse(text, len, &y, err, sizeof(err)) == 0 && y.argc == x.argc &&
	    strcmp(y.argv[1], "a b") == 0 && strcmp(y.argv[2], "c\\d") == 0 &&
	    strcmp(y.argv[3], "e\tf") == 0 && y.notify == x.notify, "round trip");
	free(text);
	ok(xfile_parse("U a b\nC rmail c\\d\n", 18, &y, err, sizeof(err)) == 0 &&
	    strcmp(y.argv[1], "c\\d") == 0, "no Q: backslash is a byte");
	ok(xfile_parse("Crmail\nU a b\n# c\nC rmail u\nZ\n", 28, &y, err, sizeof(err)) == 0 &&
	    y.argc == 2, "unknown lines ignored (%s)", err);
}

int
main(void)
{
	test_args();
	test_xfile();
	test_perm();
	return done_testing();
}
