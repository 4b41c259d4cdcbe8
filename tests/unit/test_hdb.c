/*
 * test_hdb.c - the HDB parsers (Systems, Devices, Dialers, Permissions):
 * tables of good and bad lines, the errors' file:line, and the *.example
 * files of the source tree ($BRIGADE_TOP), which must parse cleanly and
 * agree with each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hdb.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

typedef int (*parse_fn)(struct hdb *, const char *, size_t, const char *, struct hdb_errors *);

struct bad_case {
	parse_fn parse;
	const char *text;
	const char *want;	/* expected "file:line: ..." prefix and words */
};

/* parse_text - run one parser on a string */
static int
parse_text(parse_fn fn, struct hdb *h, struct hdb_errors *e, const char *text)
{
	return fn(h, text, strlen(text), "F", e);
}

/* test_systems - fields, continuation, quoting, alternatives */
static void
test_systems(void)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	const char *text =
	    "# comment\n"
	    "\n"
	    "beta Any TCP,g 5400 beta.example.net \"\"\n"
	    "gamma Wk0800-1700,Sa;5 Direct 115200 - \"\" \\r\\c ogin:-\\r-ogin: \\\n"
	    "   Ualpha \"ssword: \" \"pass word\"\r\n"
	    "gamma Any/C ACU 9600 0123=456 \"\"\n"
	    "omega Never\n";
	int n = parse_text(hdb_parse_systems, &h, &e, text);

	ok(n == 0 && e.n == 0, "systems: clean text gives no errors (%d)", n);
	ok(h.nsys == 4, "systems: four entries (%zu)", h.nsys);
	if (h.nsys != 4)
		goto out;
	ok(strcmp(h.sys[0].name, "beta") == 0 && strcmp(h.sys[0].type, "TCP") == 0 &&
	    strcmp(h.sys[0].protocols, "g") == 0 && strcmp(h.sys[0].class, "5400") == 0 &&
	    strcmp(h.sys[0].phone, "beta.example.net") == 0, "systems: TCP fields");
	ok(h.sys[0].nchat == 1 && h.sys[0].chat[0][0] == '\0', "systems: \"\" is one empty chat string");
	ok(h.sys[0].line == 3 && h.sys[1].line == 4 && h.sys[2].line == 6,
	    "systems: line numbers count comments, blanks and continuations");
	ok(h.sys[1].nchat == 6 && strcmp(h.sys[1].chat[1], "\\r\\c") == 0 &&
	    strcmp(h.sys[1].chat[2], "ogin:-\\r-ogin:") == 0 &&
	    strcmp(h.sys[1].chat[3], "Ualpha") == 0 && strcmp(h.sys[1].chat[4], "ssword: ") == 0 &&
	    strcmp(h.sys[1].chat[5], "pass word") == 0,
	    "systems: continuation joined, escapes kept, quotes keep blanks");
	ok(strcmp(h.sys[1].time, "Wk0800-1700,Sa;5") == 0, "systems: time field kept");
	ok(strcmp(h.sys[3].type, "-") == 0 && h.sys[3].nchat == 0, "systems: \"name Never\" alone");
	ok(hdb_find_system(&h, "gamma", 0) == 1 && hdb_find_system(&h, "gamma", 2) == 2 &&
	    hdb_find_system(&h, "gamma", 3) == -1 && hdb_find_system(&h, "nobody", 0) == -1,
	    "systems: alternatives found in order");
out:
	hdb_free(&h);
	hdb_errors_free(&e);
}

/* test_devices - ACU, Direct with a path, TCP and Pipe */
static void
test_devices(void)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	const char *text =
	    "ACU ttyS0 - 57600 hayes\n"
	    "pty0,gi /dev/pts/3 - Any direct\n"
	    "TCP - - Any TCP\n"
	    "TCP,e - - 5400\n"
	    "Pipe - - Any /usr/bin/ssh -x -o BatchMode=yes \\S uucico -l\n"
	    "Direct cua/b - 9600 direct\n";
	int n = parse_text(hdb_parse_devices, &h, &e, text);

	ok(n == 0 && h.ndev == 6, "devices: six clean entries (%d errors)", n);
	if (h.ndev != 6)
		goto out;
	ok(strcmp(h.dev[0].line, "ttyS0") == 0 && h.dev[0].ndialer == 1 &&
	    strcmp(h.dev[0].dialer[0], "hayes") == 0, "devices: ACU with dialer");
	ok(strcmp(h.dev[1].type, "pty0") == 0 && strcmp(h.dev[1].protocols, "gi") == 0 &&
	    strcmp(h.dev[1].line, "/dev/pts/3") == 0, "devices: absolute line");
	ok(h.dev[3].ndialer == 0 && strcmp(h.dev[3].class, "5400") == 0, "devices: TCP without dialer");
	ok(h.dev[4].ndialer == 7 && strcmp(h.dev[4].dialer[0], "/usr/bin/ssh") == 0 &&
	    strcmp(h.dev[4].dialer[4], "\\S") == 0 && strcmp(h.dev[4].dialer[6], "-l") == 0,
	    "devices: Pipe command kept as words");
	ok(h.dev[4].line_no == 5, "devices: line number");
	ok(hdb_find_device(&h, "TCP", 0) == 2 && hdb_find_device(&h, "TCP", 3) == 3 &&
	    hdb_find_device(&h, "X", 0) == -1, "devices: find by type");
out:
	hdb_free(&h);
	hdb_errors_free(&e);
}

/* test_dialers - substitution pairs and chat */
static void
test_dialers(void)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	const char *text = "hayes =,-, \"\" \\dATZ\\r\\c OK\\r \\EATDT\\T\\r\\c CONNECT\n"
	    "plain \"\"\n";
	const struct hdb_dialer *d;
	int n = parse_text(hdb_parse_dialers, &h, &e, text);

	ok(n == 0 && h.ndial == 2, "dialers: two clean entries");
	d = hdb_find_dialer(&h, "hayes");
	ok(d && strcmp(d->subst, "=,-,") == 0 && d->nchat == 5 &&
	    strcmp(d->chat[3], "\\EATDT\\T\\r\\c") == 0, "dialers: fields");
	d = hdb_find_dialer(&h, "plain");
	ok(d && d->subst[0] == '\0' && d->nchat == 0, "dialers: empty substitutions");
	ok(hdb_find_dialer(&h, "none") == NULL, "dialers: unknown name");
	hdb_free(&h);
	hdb_errors_free(&e);
}

/* test_permissions_parse - options, lists, continuation */
static void
test_permissions_parse(void)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	const char *text =
	    "LOGNAME=Ubeta VALIDATE=beta SENDFILES=yes REQUEST=yes \\\n"
	    "\n"
	    "# a comment inside the entry\n"
	    "\tREAD=/srv/pub/:/tmp NOREAD=/srv/pub/private CALLBACK=no\n"
	    "MACHINE=beta:gamma LOGNAME=Ugamma COMMANDS=rmail:/usr/bin/rnews MYNAME=alias \\\n"
	    "  PUBDIR=/srv/pub WRITE=/srv/in NOWRITE=/srv/in/x\n"
	    "MACHINE=OTHER COMMANDS=ALL\n";
	int n = parse_text(hdb_parse_permissions, &h, &e, text);
	const struct hdb_perm *p;

	ok(n == 0 && h.nperm == 3, "permissions: three clean entries (%d)", n);
	if (h.nperm != 3) {
		size_t i;
		for (i = 0; i < e.n; i++)
			diag("%s", e.msg[i]);
		goto out;
	}
	p = &h.perm[0];
	ok(p->nlogname == 1 && p->nvalidate == 1 && p->sendfiles == 1 && p->request == 1 &&
	    p->nread == 2 && strcmp(p->read[0], "/srv/pub") == 0 && p->nnoread == 1 &&
	    p->callback == 0 && p->line == 1, "permissions: continued entry over a blank line");
	p = &h.perm[1];
	ok(p->nmachine == 2 && p->nlogname == 1 && p->ncommands == 2 &&
	    strcmp(p->commands[1], "/usr/bin/rnews") == 0 && strcmp(p->myname, "alias") == 0 &&
	    strcmp(p->pubdir, "/srv/pub") == 0 && p->line == 5, "permissions: combined entry");
	ok(h.perm[2].nmachine == 1 && strcmp(h.perm[2].machine[0], "OTHER") == 0,
	    "permissions: MACHINE=OTHER");
out:
	hdb_free(&h);
	hdb_errors_free(&e);
}

static const struct bad_case bad_cases[] = {
	{ hdb_parse_systems, "ok Any TCP 540 h \"\"\nbeta Any TCP\n", "F:2: need at least" },
	{ hdb_parse_systems, "beta Sometimes TCP 540 h\n", "F:1: bad time field" },
	{ hdb_parse_systems, "beta Wk2500-0100 TCP 540 h\n", "F:1: bad time field" },
	{ hdb_parse_systems, "beta Any; TCP 540 h\n", "F:1: bad time field" },
	{ hdb_parse_systems, "../x Any TCP 540 h\n", "F:1: bad system name" },
	{ hdb_parse_systems, "beta Any TCP 99999 h\n", "F:1: bad class" },
	{ hdb_parse_systems, "beta Any TCP 540 -\n", "F:1: TCP needs a host" },
	{ hdb_parse_systems, "beta Any TCP,g1 540 h\n", "F:1: bad protocol list" },
	{ hdb_parse_systems, "beta Any ,g 540 h\n", "F:1: bad type field" },
	{ hdb_parse_systems, "\n\nbeta Any TCP 540 h \"oops\n", "F:3: unterminated quoted" },
	{ hdb_parse_systems, "beta Any TCP 540 h a\001b\n", "F:1: control character" },
	{ hdb_parse_systems, "a \\\nb \\\nc\n", "F:1: need at least" },
	{ hdb_parse_devices, "ACU ttyS0 - 9600\n", "F:1: ACU needs a dialer" },
	{ hdb_parse_devices, "Pipe - - Any ssh x\n", "F:1: Pipe needs a command" },
	{ hdb_parse_devices, "Pipe - - Any\n", "F:1: Pipe needs a command" },
	{ hdb_parse_devices, "Direct ../etc/passwd - 9600 direct\n", "F:1: bad device line" },
	{ hdb_parse_devices, "Direct /dev/../etc - 9600 direct\n", "F:1: bad device line" },
	{ hdb_parse_devices, "Direct ttyS0 -\n", "F:1: need at least" },
	{ hdb_parse_devices, "TCP - - 0\n", "F:1: bad TCP port" },
	{ hdb_parse_devices, "Direct ttyS0 - 9,600 direct\n", "F:1: bad class" },
	{ hdb_parse_dialers, "hayes\n", "F:1: need a dialer name" },
	{ hdb_parse_dialers, "hayes =,- \"\"\n", "F:1: substitutions must come in pairs" },
	{ hdb_parse_dialers, "a/b \"\"\n", "F:1: bad dialer name" },
	{ hdb_parse_permissions, "LOGNAME=a FOO=b\n", "F:1: unknown option FOO" },
	{ hdb_parse_permissions, "LOGNAME=a\nMACHINE=b Request=yes\n", "F:2: unknown option Request" },
	{ hdb_parse_permissions, "READ=/tmp\n", "F:1: entry has neither" },
	{ hdb_parse_permissions, "LOGNAME=a REQUEST=maybe\n", "F:1: REQUEST must be yes or no" },
	{ hdb_parse_permissions, "LOGNAME=a SENDFILES=no\n", "F:1: SENDFILES must be yes or call" },
	{ hdb_parse_permissions, "LOGNAME=a READ=tmp\n", "F:1: bad READ item" },
	{ hdb_parse_permissions, "LOGNAME=a WRITE=/tmp/../etc\n", "F:1: bad WRITE item" },
	{ hdb_parse_permissions, "LOGNAME=a NOREAD=/a::/b\n", "F:1: bad NOREAD list" },
	{ hdb_parse_permissions, "LOGNAME=a READ=/a READ=/b\n", "F:1: READ given twice" },
	{ hdb_parse_permissions, "LOGNAME=a MYNAME=x/y\n", "F:1: bad MYNAME" },
	{ hdb_parse_permissions, "LOGNAME=a PUBDIR=pub\n", "F:1: bad PUBDIR" },
	{ hdb_parse_permissions, "LOGNAME=a COMMANDS=../rmail\n", "F:1: bad COMMANDS item" },
	{ hdb_parse_permissions, "LOGNAME=a REQUEST\n", "F:1: expected OPTION=value" },
	{ hdb_parse_permissions, "LOGNAME=a:b\n# x\nLOGNAME=c:a\n", "F:3: a is already named" },
	{ hdb_parse_permissions, "MACHINE=OTHER\nMACHINE=OTHER\n", "F:2: OTHER is already named" },
};

/* test_bad_lines - every bad line gives one error naming file:line, and
 * good lines around it still parse */
static void
test_bad_lines(void)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(bad_cases); i++) {
		struct hdb h = { 0 };
		struct hdb_errors e = { 0 };
		int n = parse_text(bad_cases[i].parse, &h, &e, bad_cases[i].text);
		int good = n == 1 && e.n == 1 &&
		    strncmp(e.msg[0], bad_cases[i].want, strlen(bad_cases[i].want)) == 0;

		ok(good, "bad line %zu: %s", i, bad_cases[i].want);
		if (!good && e.n > 0)
			diag("got %d: %s", n, e.msg[0]);
		hdb_free(&h);
		hdb_errors_free(&e);
	}
}

/* test_recovery - parsing goes on after a bad line */
static void
test_recovery(void)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	int n = parse_text(hdb_parse_systems, &h, &e,
	    "a Any TCP 540 h\nbad\nb Any TCP 540 h\nc Bogus\nd Any TCP 540 h");

	ok(n == 2 && e.n == 2 && h.nsys == 3 && strcmp(h.sys[2].name, "d") == 0,
	    "systems: two bad lines skipped, three entries kept (last without newline)");
	ok(e.n == 2 && strncmp(e.msg[0], "F:2:", 4) == 0 && strncmp(e.msg[1], "F:4:", 4) == 0,
	    "systems: errors name lines 2 and 4");
	hdb_free(&h);
	hdb_errors_free(&e);
}

/* test_long_line - an overlong line is one error, not a crash */
static void
test_long_line(void)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	size_t len = 20000;
	char *text = malloc(len + 64);
	int n;

	if (!text)
		return;
	memset(text, 'x', len);
	memcpy(text + len, "\nb Any TCP 540 h\n", 18);
	n = parse_text(hdb_parse_systems, &h, &e, text);
	ok(n == 1 && h.nsys == 1 && e.n == 1 && strstr(e.msg[0], "F:1: line too long"),
	    "systems: overlong line reported");
	free(text);
	hdb_free(&h);
	hdb_errors_free(&e);
}

/* test_decisions - READ/NOREAD, COMMANDS, VALIDATE, defaults */
static void
test_decisions(void)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	struct perm_view v;
	static const struct {
		const char *login, *path;
		int read, write;
	} paths[] = {
		{ "Ubeta", "/srv/pub/file", 1, 0 },
		{ "Ubeta", "/srv/pub", 1, 0 },
		{ "Ubeta", "/srv/pub/private/x", 0, 0 },
		{ "Ubeta", "/srv/pub/private/open/x", 1, 0 },
		{ "Ubeta", "/srv/pubx", 0, 0 },
		{ "Ubeta", "/srv/pub/../../etc/passwd", 0, 0 },
		{ "Ubeta", "srv/pub/file", 0, 0 },
		{ "Ubeta", "/srv/in/f", 0, 1 },
		{ "Ubeta", "/srv/in/x/f", 0, 0 },
		{ "Uroot", "/", 1, 0 },
		{ "Uroot", "/etc/shadow", 0, 0 },
		{ "Uroot", "/etc/shadowy", 1, 0 },
		{ "Uroot", "/var/x", 1, 1 },
		{ "Unone", "/var/spool/uucppublic/f", 1, 1 },
		{ "Unone", "/var/spool/uucppublicx", 0, 0 },
		{ "Unone", "/tmp/f", 0, 0 },
		{ "Upub", "/home/pub/f", 1, 1 },
		{ "Upub", "/var/spool/uucppublic/f", 0, 0 },
	};
	static const struct {
		const char *machine, *cmd;
		int ok;
	} cmds[] = {
		{ "beta", "rmail", 1 }, { "beta", "rnews", 1 }, { "beta", "/usr/bin/rnews", 1 },
		{ "beta", "/tmp/rnews", 0 }, { "beta", "sh", 0 }, { "beta", "", 0 },
		{ "gamma", "anything", 1 }, { "delta", "rmail", 1 }, { "delta", "rnews", 0 },
	};
	size_t i;
	int n;

	n = parse_text(hdb_parse_permissions, &h, &e,
	    "LOGNAME=Ubeta VALIDATE=beta:zeta READ=/srv/pub:/srv/pub/private/open \\\n"
	    "  NOREAD=/srv/pub/private WRITE=/srv/in NOWRITE=/srv/in/x SENDFILES=yes\n"
	    "LOGNAME=Uroot READ=/ NOREAD=/etc/shadow WRITE=/var\n"
	    "LOGNAME=Upub PUBDIR=/home/pub REQUEST=yes\n"
	    "LOGNAME=Uzeta2 VALIDATE=zeta\n"
	    "MACHINE=beta COMMANDS=rmail:/usr/bin/rnews\n"
	    "MACHINE=gamma COMMANDS=ALL\n");
	ok(n == 0, "decisions: Permissions parse");
	for (i = 0; i < UTIL_ARRAY_LEN(paths); i++) {
		v = perm_for_login(&h, paths[i].login, "/var/spool/uucppublic");
		ok(perm_may_read(&v, paths[i].path) == paths[i].read &&
		    perm_may_write(&v, paths[i].path) == paths[i].write,
		    "decisions: %s %s read %d write %d", paths[i].login, paths[i].path,
		    paths[i].read, paths[i].write);
	}
	for (i = 0; i < UTIL_ARRAY_LEN(cmds); i++) {
		v = perm_for_machine(&h, cmds[i].machine, "/pub");
		ok(perm_command_ok(&v, cmds[i].cmd) == cmds[i].ok, "decisions: %s may run \"%s\": %d",
		    cmds[i].machine, cmds[i].cmd, cmds[i].ok);
	}
	v = perm_for_login(&h, "Ubeta", "/p");
	ok(perm_may_send_when_called(&v) == 1 && perm_may_request(&v) == 0,
	    "decisions: SENDFILES=yes, REQUEST default no");
	v = perm_for_login(&h, "Unone", "/p");
	ok(v.entry == NULL && perm_may_send_when_called(&v) == 0 && perm_may_request(&v) == 0 &&
	    strcmp(v.pubdir, "/p") == 0, "decisions: unknown login gets the defaults");
	v = perm_for_login(&h, "Upub", "/p");
	ok(perm_may_request(&v) == 1 && strcmp(v.pubdir, "/home/pub") == 0,
	    "decisions: PUBDIR= replaces the public directory");
	ok(perm_login_may_be(&h, "beta", "Ubeta") && !perm_login_may_be(&h, "beta", "Uroot"),
	    "decisions: VALIDATE binds beta to Ubeta");
	ok(perm_login_may_be(&h, "zeta", "Ubeta") && perm_login_may_be(&h, "zeta", "Uzeta2") &&
	    !perm_login_may_be(&h, "zeta", "Upub"), "decisions: a machine in two VALIDATE lists");
	ok(perm_login_may_be(&h, "omega", "Uroot"), "decisions: a machine in no VALIDATE list");
	hdb_free(&h);
	hdb_errors_free(&e);

	n = parse_text(hdb_parse_permissions, &h, &e,
	    "MACHINE=beta REQUEST=yes\nMACHINE=OTHER COMMANDS=rmail:rnews\n");
	v = perm_for_machine(&h, "beta", "/p");
	ok(n == 0 && perm_may_request(&v) && !perm_command_ok(&v, "rnews") &&
	    perm_command_ok(&v, "rmail"), "decisions: named machine, default COMMANDS");
	v = perm_for_machine(&h, "other", "/p");
	ok(!perm_may_request(&v) && perm_command_ok(&v, "rnews"), "decisions: MACHINE=OTHER");
	hdb_free(&h);
	hdb_errors_free(&e);
}

/* example_path - $BRIGADE_TOP/name (or ./name) */
static void
example_path(char *dst, size_t n, const char *name)
{
	const char *top = getenv("BRIGADE_TOP");

	path_join(dst, n, top && *top ? top : ".", name);
}

/* test_examples - the *.example files parse cleanly and agree */
static void
test_examples(void)
{
	char sys[PATH_MAX], dev[PATH_MAX], dial[PATH_MAX], perm[PATH_MAX];
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	size_t i, k;
	int n, missing = 0;

	example_path(sys, sizeof(sys), "Systems.example");
	example_path(dev, sizeof(dev), "Devices.example");
	example_path(dial, sizeof(dial), "Dialers.example");
	example_path(perm, sizeof(perm), "Permissions.example");
	n = hdb_load(&h, sys, dev, dial, perm, &e);
	ok(n == 0, "examples: the four example files parse with no errors");
	for (i = 0; i < e.n; i++)
		diag("%s", e.msg[i]);
	ok(h.nsys >= 5 && h.ndev >= 5 && h.ndial >= 1 && h.nperm >= 3,
	    "examples: entries in every file (%zu %zu %zu %zu)", h.nsys, h.ndev, h.ndial, h.nperm);
	for (i = 0; i < h.nsys; i++) {
		if (strcmp(h.sys[i].type, "-") == 0)
			continue;
		if (hdb_find_device(&h, h.sys[i].type, 0) < 0) {
			diag("Systems %s: no device of type %s", h.sys[i].name, h.sys[i].type);
			missing++;
		}
	}
	for (i = 0; i < h.ndev; i++) {
		const struct hdb_device *d = &h.dev[i];
		if (strcmp(d->type, "Pipe") == 0)
			continue;
		for (k = 0; k < d->ndialer; k += 2) {
			if (strcmp(d->dialer[k], "direct") == 0 || strcmp(d->dialer[k], "TCP") == 0)
				continue;
			if (!hdb_find_dialer(&h, d->dialer[k])) {
				diag("Devices line %d: no dialer %s", d->line_no, d->dialer[k]);
				missing++;
			}
		}
	}
	ok(missing == 0, "examples: every Systems type has a device, every dialer an entry");
	for (i = 0; i < h.nsys; i++) {
		struct perm_view v = perm_for_machine(&h, h.sys[i].name, "/pub");
		if (!perm_command_ok(&v, "rmail"))
			missing++;
	}
	ok(missing == 0, "examples: every system may send mail");
	hdb_free(&h);
	hdb_errors_free(&e);
}

int
main(void)
{
	test_systems();
	test_devices();
	test_dialers();
	test_permissions_parse();
	test_bad_lines();
	test_recovery();
	test_long_line();
	test_decisions();
	test_examples();
	return done_testing();
}
