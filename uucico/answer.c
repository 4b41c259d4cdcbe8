/*
 * answer.c - answering calls: on stdin/stdout after a login, with our own
 * getty-like login prompt (-l), or from a TCP listener (-L).  The caller
 * is a stranger until the password file and the handshake say otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/timewin.h"
#include "lib/util.h"
#include "modem/chat.h"
#include "modem/port.h"
#include "uucico/session.h"
#include "uucico/uucico.h"

/* uucico_run_uuxqt - start uuxqt in the background after a call that brought
 * executions, when it is installed beside us */
void
uucico_run_uuxqt(struct uucico_ctx *c)
{
	char path[PATH_MAX];
	char *argv[] = { path, "-I", c->conf.path, NULL };

	if (c->o.no_uuxqt)
		return;
	if (util_find_program("uuxqt", path, sizeof(path)) < 0) {
		log_warnx("executions arrived but Brigade's uuxqt was not found");
		return;
	}
	if (util_spawn_detached(argv) < 0)
		log_warn("cannot start %s", path);
}

/* read_line - read one line from the port for the login prompt */
static int
read_line(struct port *p, char *buf, size_t len, int timeout_s)
{
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	size_t n = 0;
	char ch;

	for (;;) {
		long long left = deadline - now_ms();
		ssize_t r;
		if (left <= 0)
			return -1;
		r = port_read(p, &ch, 1, (int)left);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (ch == '\r' || ch == '\n') {
			buf[n] = '\0';
			return 0;
		}
		if (n + 1 < len && (unsigned char)ch >= ' ')
			buf[n++] = ch;
	}
}

/* password_ok - check login and password against the passwd file
 * ("login password" lines); compares in constant time per entry */
static int
password_ok(const struct conf *conf, const char *login, const char *password)
{
	char *text = file_read(conf->passwd, 1 << 20, NULL), *line, *save = NULL;
	int ok = 0;

	if (!text) {
		log_warn("cannot read password file %s", conf->passwd);
		return 0;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strpbrk(line, " \t"), *pw;
		size_t i, lp, lg;
		unsigned diff = 0;
		if (line[0] == '#' || !sp)
			continue;
		*sp = '\0';
		pw = sp + 1;
		while (*pw == ' ' || *pw == '\t')
			pw++;
		pw[strcspn(pw, " \t\r")] = '\0';
		if (strcmp(line, login) != 0)
			continue;
		lp = strlen(pw);
		lg = strlen(password);
		diff = (unsigned)(lp ^ lg);
		for (i = 0; i < lp && i < lg; i++)
			diff |= (unsigned char)(pw[i] ^ password[i]);
		ok = diff == 0;
		break;
	}
	free(text);
	return ok;
}

/* do_login - the getty-like prompt; fills login on success */
static int
do_login(struct uucico_ctx *c, struct port *p, char *login, size_t len)
{
	char name[64], pw[128];
	static const char incorrect[] = "\r\nLogin incorrect\r\n";

	int tries;

	/* Like a getty, prompt again on an empty line (a caller's chat
	 * script sends a bare return to wake the line up). */
	name[0] = '\0';
	for (tries = 0; name[0] == '\0'; tries++) {
		if (tries == 10 || port_write(p, "\r\nlogin: ", 9) < 0 ||
		    read_line(p, name, sizeof(name), 60) < 0) {
			log_warnx("login: no login name received");
			return -1;
		}
	}
	do {
		if (port_write(p, "Password: ", 10) < 0 || read_line(p, pw, sizeof(pw), 60) < 0) {
			log_warnx("login: no password received for %s", name);
			return -1;
		}
	} while (pw[0] == '\0' && ++tries < 10);
	if (!name_is_safe(name, 63) || !password_ok(&c->conf, name, pw)) {
		log_warnx("login: wrong login or password for \"%s\"", name);
		port_write(p, incorrect, sizeof(incorrect) - 1);
		sleep(1);
		return -1;
	}
	str_copy(login, name, len);
	log_info("login: %s logged in on %s", name, p->name);
	return 0;
}

/* uucico_answer - answer one call on port p */
int
uucico_answer(struct uucico_ctx *c, struct port *p, int prompt)
{
	struct session s;
	int r;

	memset(&s, 0, sizeof(s));
	s.conf = &c->conf;
	s.hdb = &c->hdb;
	s.sp = c->sp;
	s.port = p;
	if (prompt) {
		if (do_login(c, p, s.login, sizeof(s.login)) < 0)
			return -1;
	} else if (c->o.login) {
		str_copy(s.login, c->o.login, sizeof(s.login));
	} else {
		struct passwd *pw = getpwuid(getuid());
		str_copy(s.login, pw ? pw->pw_name : "uucp", sizeof(s.login));
	}
	log_info("incoming call: login=%s port=%s", s.login, p->name);
	r = session_answer(&s);
	if (s.brought_exec)
		uucico_run_uuxqt(c);
	session_free(&s);
	return r;
}

/* listen_drain - discard what the line still holds from a call that just
 * ended (the caller's final OOOOOO, a late packet) until it has been quiet
 * for half a second, so the next login prompt reads only a new caller */
static void
listen_drain(struct port *p)
{
	char junk[512];
	long long deadline = now_ms() + 5000;

	while (now_ms() < deadline && port_read(p, junk, sizeof(junk), 500) > 0)
		;
}

/* listen_line - answer calls on a tty or serial line, one after another,
 * each after a login prompt: the line is opened (and its device lock
 * taken) afresh for every call, and dropped when the call ends */
static int __attribute__((noreturn))
listen_line(struct uucico_ctx *c)
{
	struct port_line line;
	char err[256];

	memset(&line, 0, sizeof(line));
	line.databits = 8;
	line.parity = 'N';
	line.stopbits = 1;
	line.local = 1;
	log_info("answering calls on %s", c->o.listen);
	printf("listening %s\n", c->o.listen);
	fflush(stdout);
	for (;;) {
		struct port *p = port_tty_open(c->o.listen, &line, err, sizeof(err));
		if (!p) {
			log_warnx("cannot open %s to answer calls: %s", c->o.listen, err);
			sleep(5);
			continue;
		}
		listen_drain(p);
		uucico_answer(c, p, 1);
		port_hangup(p);
		port_close(p);
	}
}

/* uucico_listen_tcp - a tty device path is answered by listen_line; else -L: answer TCP calls, one child per call */
int
uucico_listen_tcp(struct uucico_ctx *c)
{
	char addr[256], err[256];
	const char *service;
	char *colon;
	int lfd;

	if (c->o.listen[0] == '/')
		return listen_line(c);
	str_copy(addr, c->o.listen, sizeof(addr));
	colon = strrchr(addr, ':');
	if (colon) {
		*colon = '\0';
		service = colon + 1;
	} else {
		service = addr;
	}
	lfd = port_tcp_listen(colon ? addr : "127.0.0.1", service, err, sizeof(err));
	if (lfd < 0) {
		log_warnx("cannot listen on %s: %s", c->o.listen, err);
		return -1;
	}
	signal(SIGCHLD, SIG_DFL);
	log_info("listening for calls on %s", c->o.listen);
	printf("listening %s\n", c->o.listen);
	fflush(stdout);
	for (;;) {
		struct port *p = port_tcp_accept(lfd, err, sizeof(err));
		pid_t pid;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!p) {
			log_warnx("accept: %s", err);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			close(lfd);
			_exit(uucico_answer(c, p, 1) == 0 ? 0 : 1);
		}
		port_close(p);
	}
}
