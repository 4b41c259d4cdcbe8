/*
 * test_conf.c - the main configuration file: defaults, tables of good and
 * bad lines (errors name file:line), relative paths, extra keywords,
 * conf_load's search order, and config.example from $BRIGADE_TOP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

/* parse - defaults for /n/config, then parse text; err gets the message */
static int
parse(struct conf *c, const char *text, char *err, size_t errlen)
{
	conf_defaults(c, "/n/config");
	err[0] = '\0';
	return conf_parse(c, text, strlen(text), "cfg", err, errlen);
}

/* test_defaults - a node directory and the install default */
static void
test_defaults(void)
{
	struct conf c;

	conf_defaults(&c, "/n/config");
	ok(strcmp(c.dir, "/n") == 0 && strcmp(c.spool, "/n/spool") == 0 &&
	    strcmp(c.pubdir, "/n/pub") == 0 && strcmp(c.logfile, "/n/Log") == 0 &&
	    strcmp(c.lockdir, "/n/spool/.Lock") == 0 && strcmp(c.systems, "/n/Systems") == 0 &&
	    strcmp(c.devices, "/n/Devices") == 0 && strcmp(c.dialers, "/n/Dialers") == 0 &&
	    strcmp(c.permissions, "/n/Permissions") == 0 && strcmp(c.passwd, "/n/passwd") == 0,
	    "defaults: paths under the node directory");
	ok(c.g_window == 7 && c.g_packsize == 64 && c.g_timeout == 10 && c.g_retries == 6 &&
	    c.g_errors == 100 && c.max_received_age == 7 && c.debug == 0 && c.nextra == 0,
	    "defaults: numbers");
	ok(c.nodename[0] && !strchr(c.nodename, '.') && name_is_safe(c.nodename, 63),
	    "defaults: node name is the host name's first label (%s)", c.nodename);
	conf_defaults(&c, CONF_DEFAULT_PATH);
	ok(strcmp(c.spool, LOCALSTATEDIR "/spool/brigade") == 0 &&
	    strcmp(c.pubdir, LOCALSTATEDIR "/spool/uucppublic") == 0 &&
	    strcmp(c.logfile, LOCALSTATEDIR "/log/brigade/Log") == 0 &&
	    strcmp(c.systems, SYSCONFDIR "/brigade/Systems") == 0,
	    "defaults: the install default lives under LOCALSTATEDIR");
	conf_defaults(&c, "/n//x/../config");
	ok(strcmp(c.path, "/n/config") == 0 && strcmp(c.dir, "/n") == 0, "defaults: path canonical");
	conf_defaults(&c, "/config");
	ok(strcmp(c.dir, "/") == 0 && strcmp(c.spool, "/spool") == 0, "defaults: config at the root");
}

/* test_good - good lines and what they set */
static void
test_good(void)
{
	struct conf c;
	char err[256];
	int r;

	r = parse(&c,
	    "# comment\n"
	    "\n"
	    "nodename alpha   # trailing comment\n"
	    "spool /var/tmp//sp/\n"
	    "pubdir ../pub\n"
	    "logfile log/Log\n"
	    "systems sys/S\n"
	    "portfile D\n"
	    "dialers Dl\n"
	    "permissions P\n"
	    "passwdfile pw\n"
	    "\tprotocol-parameter g window 3\r\n"
	    "protocol-parameter g packet-size 1024\n"
	    "protocol-parameter   g   timeout 20\n"
	    "protocol-parameter g retries 9\n"
	    "protocol-parameter g errors 50\n"
	    "protocol-parameter i window 16\n"
	    "max-received-age 30\n"
	    "debug handshake,chat\n"
	    "maildir mail/box\n"
	    "smtp-listen 127.0.0.1:2525\n"
	    "maildir mail/other\n"
	    "uucp-domain uucp # comment\n"
	    "password a#b", err, sizeof(err));
	ok(r == 0, "good: a full file parses (%s)", err);
	ok(strcmp(c.nodename, "alpha") == 0, "good: nodename");
	ok(strcmp(c.spool, "/var/tmp/sp") == 0 && strcmp(c.lockdir, "/var/tmp/sp/.Lock") == 0,
	    "good: spool canonical, lockdir follows it");
	ok(strcmp(c.pubdir, "/pub") == 0 && strcmp(c.logfile, "/n/log/Log") == 0,
	    "good: relative paths against the config directory");
	ok(strcmp(c.systems, "/n/sys/S") == 0 && strcmp(c.devices, "/n/D") == 0 &&
	    strcmp(c.dialers, "/n/Dl") == 0 && strcmp(c.permissions, "/n/P") == 0 &&
	    strcmp(c.passwd, "/n/pw") == 0, "good: HDB file names and aliases");
	ok(c.g_window == 3 && c.g_packsize == 1024 && c.g_timeout == 20 && c.g_retries == 9 &&
	    c.g_errors == 50, "good: g parameters");
	ok(c.max_received_age == 30 && c.debug == (LOG_D_HANDSHAKE | LOG_D_CHAT),
	    "good: max-received-age and debug");
	ok(conf_get(&c, "maildir") && strcmp(conf_get(&c, "maildir"), "mail/other") == 0,
	    "good: extra keyword, last wins");
	ok(conf_get(&c, "uucp-domain") && strcmp(conf_get(&c, "uucp-domain"), "uucp") == 0 &&
	    conf_get(&c, "password") && strcmp(conf_get(&c, "password"), "a#b") == 0,
	    "good: comments need a blank before '#'");
	ok(conf_get(&c, "protocol-parameter") &&
	    strcmp(conf_get(&c, "protocol-parameter"), "i window 16") == 0,
	    "good: other protocols' parameters are kept as extra");
	ok(conf_get(&c, "nodename") == NULL && conf_get(&c, "nothing") == NULL,
	    "good: known keywords are not extra");
	ok(c.nextra == 6 && c.extra[0].line == 17 && c.extra[1].line == 20, "good: extras keep their lines");
	conf_free(&c);

	r = parse(&c, "spool s\nlockdir /locks\nspool t\n", err, sizeof(err));
	ok(r == 0 && strcmp(c.lockdir, "/locks") == 0 && strcmp(c.spool, "/n/t") == 0,
	    "good: an explicit lockdir stays");
	conf_free(&c);
	r = parse(&c, "debug 2\n", err, sizeof(err));
	ok(r == 0 && c.debug == 3, "good: numeric debug level");
	conf_free(&c);
	r = parse(&c, "debug all\n", err, sizeof(err));
	ok(r == 0 && c.debug == LOG_D_ALL, "good: debug all");
	conf_free(&c);
	r = parse(&c, "", err, sizeof(err));
	ok(r == 0, "good: an empty file");
	conf_free(&c);
}

static const struct {
	const char *text, *want;
} bad[] = {
	{ "protocol-parameter g window 8\n", "cfg:1: g window must be a number from 1 to 7" },
	{ "protocol-parameter g window 0\n", "cfg:1: g window" },
	{ "\nprotocol-parameter g window x\n", "cfg:2: g window" },
	{ "protocol-parameter g packet-size 16\n", "cfg:1: g packet-size must be a number" },
	{ "protocol-parameter g packet-size 8192\n", "cfg:1: g packet-size must be a number" },
	{ "protocol-parameter g packet-size 100\n", "cfg:1: g packet-size must be a power of two" },
	{ "protocol-parameter g timeout 0\n", "cfg:1: g timeout" },
	{ "protocol-parameter g retries -1\n", "cfg:1: g retries" },
	{ "protocol-parameter g errors 99999999999\n", "cfg:1: g errors" },
	{ "protocol-parameter g speed 3\n", "cfg:1: unknown g protocol parameter" },
	{ "protocol-parameter g window\n", "cfg:1: usage: protocol-parameter g" },
	{ "protocol-parameter g window 3 4\n", "cfg:1: usage: protocol-parameter g" },
	{ "protocol-parameter\n", "cfg:1: protocol-parameter needs a protocol" },
	{ "max-received-age -1\n", "cfg:1: max-received-age must be a number" },
	{ "# x\n\nnodename a/b\n", "cfg:3: bad node name" },
	{ "nodename\n", "cfg:1: bad node name" },
	{ "nodename 0123456789012345678901234567890123456789012345678901234567890123\n",
	    "cfg:1: bad node name" },
	{ "spool\n", "cfg:1: spool needs a value" },
	{ "debug bogus\n", "cfg:1: unknown debug category: bogus" },
	{ "debug\n", "cfg:1: debug needs a value" },
	{ "key=value x\n", "cfg:1: bad keyword" },
	{ "maildir a\001b\n", "cfg:1: control character" },
};

/* test_bad - every bad line gives file:line and a reason */
static void
test_bad(void)
{
	struct conf c;
	char err[256];
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(bad); i++) {
		int r = parse(&c, bad[i].text, err, sizeof(err));
		int good = r == -1 && strncmp(err, bad[i].want, strlen(bad[i].want)) == 0;
		ok(good, "bad %zu: %s", i, bad[i].want);
		if (!good)
			diag("got %d: %s", r, err);
		conf_free(&c);
	}
}

/* test_long - an overlong line and a long value do not overflow */
static void
test_long(void)
{
	struct conf c;
	char err[256];
	char *text = malloc(10000);
	int r;

	if (!text)
		return;
	memcpy(text, "spool ", 6);
	memset(text + 6, 'a', 9000);
	text[9006] = '\0';
	r = parse(&c, text, err, sizeof(err));
	ok(r == -1 && strstr(err, "cfg:1: line too long"), "long: overlong line refused");
	conf_free(&c);
	free(text);
}

/* write_file - create a file with text */
static int
write_file(const char *path, const char *text)
{
	return file_write_atomic(path, text, strlen(text), 0644);
}

/* test_load - explicit path, a directory, $BRIGADE_CONFIG, errors */
static void
test_load(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX";
	char file[PATH_MAX], other[PATH_MAX], err[512];
	struct conf c;
	int r;

	if (!mkdtemp(dir)) {
		ok(0, "load: mkdtemp");
		return;
	}
	path_join(file, sizeof(file), dir, "config");
	path_join(other, sizeof(other), dir, "other");
	write_file(file, "nodename one\n");
	write_file(other, "nodename two\nspool sp\n");

	r = conf_load(&c, file, err, sizeof(err));
	ok(r == 0 && strcmp(c.nodename, "one") == 0 && strcmp(c.dir, dir) == 0, "load: explicit file");
	conf_free(&c);
	r = conf_load(&c, dir, err, sizeof(err));
	ok(r == 0 && strcmp(c.nodename, "one") == 0, "load: a node directory means DIR/config");
	conf_free(&c);
	setenv("BRIGADE_CONFIG", other, 1);
	r = conf_load(&c, NULL, err, sizeof(err));
	ok(r == 0 && strcmp(c.nodename, "two") == 0 && strncmp(c.spool, dir, strlen(dir)) == 0,
	    "load: $BRIGADE_CONFIG when no path is given");
	conf_free(&c);
	r = conf_load(&c, file, err, sizeof(err));
	ok(r == 0 && strcmp(c.nodename, "one") == 0, "load: an explicit path beats the environment");
	conf_free(&c);
	unsetenv("BRIGADE_CONFIG");
	write_file(other, "nodename two\n\nprotocol-parameter g window 9\n");
	r = conf_load(&c, other, err, sizeof(err));
	ok(r == -1 && strncmp(err, other, strlen(other)) == 0 && strstr(err, ":3: g window"),
	    "load: errors name the file and line (%s)", err);
	conf_free(&c);
	path_join(other, sizeof(other), dir, "missing");
	r = conf_load(&c, other, err, sizeof(err));
	ok(r == -1 && strstr(err, "missing"), "load: a missing file is an error");
	conf_free(&c);
	unlink(file);
	path_join(other, sizeof(other), dir, "other");
	unlink(other);
	rmdir(dir);
}

/* test_example - config.example from the source tree parses */
static void
test_example(void)
{
	const char *top = getenv("BRIGADE_TOP");
	char path[PATH_MAX], err[512];
	struct conf c;
	int r;

	path_join(path, sizeof(path), top && *top ? top : ".", "config.example");
	r = conf_load(&c, path, err, sizeof(err));
	ok(r == 0, "example: config.example parses (%s)", r ? err : "ok");
	ok(r == 0 && strcmp(c.nodename, "alpha") == 0 && c.g_window == 7 && c.g_packsize == 64,
	    "example: its values are the defaults it documents");
	conf_free(&c);
}

int
main(void)
{
	test_defaults();
	test_good();
	test_bad();
	test_long();
	test_load();
	test_example();
	return done_testing();
}
