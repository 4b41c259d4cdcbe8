/*
 * test_chat.c - chat scripts: the escape expansion table, and whole
 * scripts run against a scripted peer on the other end of a socketpair
 * (sub-expects, substitutions, timeouts and their reasons, end of file).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "modem/chat.h"
#include "modem/port.h"
#include "tests/unit/tap.h"

struct expand_case {
	const char *in;
	const char *out;
	int len;		/* -1: expansion must fail */
	int nocr;
};

static const struct chat_subst subst = {
	.phone = "555-1234", .login = "uualpha", .password = "s3cret", .system = "beta",
};

static const struct expand_case expand_cases[] = {
	{ "hello", "hello", 5, 0 },
	{ "hi\\c", "hi", 2, 1 },
	{ "a\\cb", "ab", 2, 0 },
	{ "a\\sb\\tc", "a b\tc", 5, 0 },
	{ "\\r\\n\\b", "\r\n\b", 3, 0 },
	{ "\\N", "\0", 1, 0 },
	{ "\\101\\0102", "A\b2", 3, 0 },
	{ "\\0", "\0", 1, 0 },
	{ "\\x41g", "Ag", 2, 0 },
	{ "\\\\", "\\", 1, 0 },
	{ "\\q", "q", 1, 0 },
	{ "a\\", "a\\", 2, 0 },
	{ "EOT", "\004", 1, 1 },
	{ "BREAK", "\xff" "K", 2, 1 },
	{ "\\K", "\xff" "K", 2, 0 },
	{ "\\d\\pX", "\xff" "d\xff" "pX", 5, 0 },
	{ "\\Eab\\e", "\xff" "Eab\xff" "e", 6, 0 },
	{ "\\377", "\xff\xff", 2, 0 },
	{ "\"\"", "", 0, 1 },
	{ "", "", 0, 1 },
	{ "ATDT\\T\\c", "ATDT555-1234", 12, 1 },
	{ "\\D", "555-1234", 8, 0 },
	{ "\\L", "uualpha", 7, 0 },
	{ "\\P\\c", "s3cret", 6, 1 },
	{ "\\S", "beta", 4, 0 },
	{ "\\M\\mok", "ok", 2, 0 },
	{ "0123456789abcdef0123456789abcdef", NULL, -1, 0 },	/* longer than out */
};

/* test_expand - run the expansion table */
static void
test_expand(void)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(expand_cases); i++) {
		const struct expand_case *c = &expand_cases[i];
		char out[24];
		int nocr = -1, n = chat_expand(c->in, &subst, out, sizeof(out), &nocr);

		if (c->len < 0) {
			ok(n == -1, "expand \"%s\" fails", c->in);
			continue;
		}
		ok(n == c->len && memcmp(out, c->out, (size_t)n) == 0 && nocr == c->nocr,
		    "expand \"%s\" (got %d, nocr %d)", c->in, n, nocr);
	}
	{
		char out[8];
		int nocr;
		ok(chat_expand("\\P", NULL, out, sizeof(out), &nocr) == -1,
		    "\\P with no substitutions fails");
	}
}

/* A scripted peer: write text, wait until text is read, sleep, or close. */
enum { PEER_WRITE, PEER_READ, PEER_SLEEP, PEER_CLOSE, PEER_END };
struct peer_step {
	int op;
	const char *text;
	size_t len;		/* for PEER_WRITE with embedded bytes; 0: strlen */
};

/* peer_read_until - read from fd until text appears (5 s at most) */
static int
peer_read_until(int fd, const char *text)
{
	char got[1024];
	size_t n = 0;
	long long deadline = now_ms() + 5000;

	while (n < sizeof(got) - 1 && now_ms() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		ssize_t r = recv(fd, got + n, 1, MSG_DONTWAIT);
		if (r == 1) {
			got[++n] = '\0';
			if (strstr(got, text))
				return 0;
			continue;
		}
		if (r == 0)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* peer_run - in a child: play the steps on fd; exit 0 when all went as planned */
static void __attribute__((noreturn))
peer_run(int fd, const struct peer_step *s)
{
	for (; s->op != PEER_END; s++) {
		struct timespec ts = { 0, 300 * 1000 * 1000 };
		switch (s->op) {
		case PEER_WRITE:
			if (write_all(fd, s->text, s->len ? s->len : strlen(s->text)) < 0)
				_exit(2);
			break;
		case PEER_READ:
			if (peer_read_until(fd, s->text) < 0)
				_exit(3);
			break;
		case PEER_SLEEP:
			nanosleep(&ts, NULL);
			break;
		case PEER_CLOSE:
			close(fd);
			_exit(0);
		}
	}
	/* Linger so the chat side sees no end of file before it is done. */
	peer_read_until(fd, "never sent");
	_exit(0);
}

/* chat_against - run script against the peer; rc of chat_run, peer status in *pst */
static int
chat_against(const struct peer_step *steps, char *const script[], size_t n, int timeout_s,
    char *why, size_t whylen, int *pst, char *after, size_t afterlen)
{
	char err[256];
	struct port *p;
	pid_t pid;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -2;
	if ((pid = fork()) == 0) {
		close(sv[0]);
		peer_run(sv[1], steps);
	}
	close(sv[1]);
	p = port_fd_open(sv[0], sv[0], "peer", err, sizeof(err));
	if (p == NULL)
		return -2;
	rc = chat_run(p, script, n, &subst, timeout_s, why, whylen);
	if (after) {
		ssize_t r = port_read(p, after, afterlen - 1, 2000);
		after[r > 0 ? r : 0] = '\0';
	}
	port_close(p);	/* the lingering peer sees end of file and exits */
	waitpid(pid, pst, 0);
	return rc;
}

/* test_login - a plain login chat with \L and \P; later bytes are left */
static void
test_login(void)
{
	static const struct peer_step steps[] = {
		{ PEER_WRITE, "\r\nwelcome\r\nlogin: ", 0 },
		{ PEER_READ, "uualpha\r", 0 },
		{ PEER_WRITE, "Password:Shere=beta", 0 },
		{ PEER_READ, "s3cret\r", 0 },
		{ PEER_END, NULL, 0 },
	};
	char *script[] = { "ogin:", "\\L", "word:", "\\P" };
	char why[256] = "", after[64];
	int st = -1, rc;

	rc = chat_against(steps, script, 4, 5, why, sizeof(why), &st, after, sizeof(after));
	ok(rc == 0, "login chat succeeds (%s)", why);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "peer received login and password");
	ok(strcmp(after, "Shere=beta") == 0, "bytes after the match stay on the port (\"%s\")",
	    after);
}

/* test_subexpect - the sub-send is sent only when the first expect times out */
static void
test_subexpect(void)
{
	static const struct peer_step steps[] = {
		{ PEER_READ, "\r", 0 },
		{ PEER_WRITE, "log\xe9n:", 0 },	/* parity bit set on 'i' */
		{ PEER_READ, "go\r", 0 },
		{ PEER_END, NULL, 0 },
	};
	char *script[] = { "ogin:--ogin:", "go" };
	char why[256] = "";
	int st = -1, rc;

	rc = chat_against(steps, script, 2, 1, why, sizeof(why), &st, NULL, 0);
	ok(rc == 0 && why[0] == '\0', "sub-expect: carriage return sent, then ogin: seen (%s)",
	    why);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "peer saw the carriage return and \"go\"");
}

/* test_timeout - the reason names the awaited string and the last bytes */
static void
test_timeout(void)
{
	static const struct peer_step steps[] = {
		{ PEER_WRITE, "garbage\r\nHello\x01", 0 },
		{ PEER_END, NULL, 0 },
	};
	char *script[] = { "ogin:-BREAK-ogin:", "x" };
	char why[256] = "";
	int st = -1, rc;

	rc = chat_against(steps, script, 2, 1, why, sizeof(why), &st, NULL, 0);
	ok(rc == -1, "chat with no login prompt fails");
	ok(strstr(why, "timed out waiting for \"ogin:\"") != NULL, "reason names ogin: (%s)", why);
	ok(strstr(why, "garbage\\r\\nHello\\001") != NULL, "reason shows the last bytes, escaped");
}

/* test_wait_override - \W sets one expect's timeout */
static void
test_wait_override(void)
{
	static const struct peer_step steps[] = { { PEER_END, NULL, 0 } };
	char *script[] = { "\"\"", "hello", "OK\\W1", "" };
	char why[256] = "";
	long long t0 = now_ms();
	int st = -1, rc;

	rc = chat_against(steps, script, 4, 60, why, sizeof(why), &st, NULL, 0);
	ok(rc == -1 && strstr(why, "\"OK\"") && now_ms() - t0 < 30000,
	    "\\W1 overrides a 60 s timeout (%s)", why);
}

/* test_eof - the other end closing ends the chat with a reason */
static void
test_eof(void)
{
	static const struct peer_step steps[] = {
		{ PEER_WRITE, "NO CARRIER\r\n", 0 },
		{ PEER_CLOSE, NULL, 0 },
	};
	char *script[] = { "CONNECT", "" };
	char why[256] = "";
	int st = -1, rc;

	rc = chat_against(steps, script, 2, 5, why, sizeof(why), &st, NULL, 0);
	ok(rc == -1 && strstr(why, "line closed waiting for \"CONNECT\"") &&
	    strstr(why, "NO CARRIER"), "end of file fails the chat (%s)", why);
}

/* test_echo - \E waits for each byte to come back */
static void
test_echo(void)
{
	static const struct peer_step steps[] = {
		{ PEER_READ, "A", 0 }, { PEER_WRITE, "A", 0 },
		{ PEER_READ, "T", 0 }, { PEER_WRITE, "T", 0 },
		{ PEER_READ, "\r", 0 }, { PEER_WRITE, "\r\nOK\r\n", 0 },
		{ PEER_END, NULL, 0 },
	};
	static const struct peer_step mute[] = { { PEER_END, NULL, 0 } };
	char *script[] = { "", "\\EAT", "OK" };
	char why[256] = "";
	int st = -1, rc;

	rc = chat_against(steps, script, 3, 5, why, sizeof(why), &st, NULL, 0);
	ok(rc == 0, "echo-checked send succeeds when echoed (%s)", why);
	rc = chat_against(mute, script, 3, 1, why, sizeof(why), &st, NULL, 0);
	ok(rc == -1 && strstr(why, "\\101"), "no echo fails the chat (%s)", why);
}

/* test_dialcodes - \T goes through the Dialers substitution pairs, \D does not */
static void
test_dialcodes(void)
{
	static const struct {
		const char *phone, *codes, *send, *out;
	} cases[] = {
		{ "0123-4567", "=,-,", "\\T", "0123,4567" },
		{ "9=555-1234", "=,-,", "ATDT\\T", "ATDT9,555,1234" },
		{ "9=555-1234", "=,-,", "\\D", "9=555-1234" },
		{ "555-1234", "-W", "\\T\\c", "555W1234" },
		{ "555-1234", NULL, "\\T", "555-1234" },
		{ "555-1234", "", "\\T", "555-1234" },
		{ "*70,5", "=,-,*X", "\\T", "X70,5" },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		struct chat_subst sub = { .phone = cases[i].phone, .dialcodes = cases[i].codes };
		char out[64];
		int nocr, n = chat_expand(cases[i].send, &sub, out, sizeof(out) - 1, &nocr);
		ok(n >= 0 && (size_t)n == strlen(cases[i].out) && memcmp(out, cases[i].out,
		    (size_t)n) == 0, "%s with %s and codes \"%s\" is %s", cases[i].send,
		    cases[i].phone, cases[i].codes ? cases[i].codes : "(none)", cases[i].out);
	}
}

/* test_lockfile - HDB lock names, pid parsing, taking, refusing, breaking */
static void
test_lockfile(void)
{
	char dir[] = "/tmp/test_chat_lockXXXXXX", name[256], path[512], err[512], text[32];
	long other;
	pid_t child;
	int fd, st;

	ok(port_lock_name("/dev/ttyS0", name, sizeof(name)) == 0 &&
	    strcmp(name, "LCK..ttyS0") == 0, "lock name of /dev/ttyS0 is %s", name);
	ok(port_lock_parse("      1234\n", 11) == 1234, "ten-digit ASCII pid");
	ok(port_lock_parse("\n", 1) == 0, "no pid");
	ok(port_lock_parse("99999999999\n", 12) == 0, "an absurd pid is none");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	port_lock_dir(dir);
	ok(port_lock("/dev/ttyS0", err, sizeof(err)) == 0, "lock ttyS0 (%s)", err);
	(void)str_fmt(path, sizeof(path), "%s/LCK..ttyS0", dir);
	fd = open(path, O_RDONLY);
	memset(text, 0, sizeof(text));
	ok(fd >= 0 && read(fd, text, sizeof(text)) == 11 && port_lock_parse(text, 11) == getpid() &&
	    text[10] == '\n' && text[0] == ' ', "lock file holds our pid as 10 digits: \"%.10s\"",
	    text);
	if (fd >= 0)
		close(fd);
	child = fork();
	if (child == 0)
		_exit(port_lock("/dev/ttyS0", err, sizeof(err)) == -1 && strstr(err, "locked by pid")
		    ? 0 : 1);
	ok(child > 0 && waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "another process is refused while we hold it");
	port_unlock("/dev/ttyS0");
	ok(access(path, F_OK) < 0, "unlock removes the lock file");
	/* a stale lock: a pid that has exited */
	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, &st, 0);
	other = (long)child;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	(void)str_fmt(text, sizeof(text), "%10ld\n", other);
	ok(fd >= 0 && write(fd, text, 11) == 11, "stale lock of pid %ld written", other);
	if (fd >= 0)
		close(fd);
	ok(port_lock("/dev/ttyS0", err, sizeof(err)) == 0, "a stale lock is broken (%s)", err);
	port_unlock("/dev/ttyS0");
	ok(rmdir(dir) == 0, "nothing left in the lock directory");
	port_lock_dir(NULL);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	diag("chat escapes, then scripts against a peer on a socketpair");
	test_expand();
	test_login();
	test_subexpect();
	test_timeout();
	test_wait_override();
	test_eof();
	test_echo();
	test_dialcodes();
	test_lockfile();
	return done_testing();
}
