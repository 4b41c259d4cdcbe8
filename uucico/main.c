/*
 * main.c - uucico, the UUCP transfer daemon: call a neighbour (-S, -s,
 * -r1), or answer a call on stdin/stdout (after a login, from inetd or a
 * systemd socket), optionally prompting for the login itself (-l), or
 * listen for TCP calls (-L).  The configuration is trusted; the line is
 * not.
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

#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/log.h"
#include "lib/timewin.h"
#include "lib/util.h"
#include "modem/chat.h"
#include "modem/port.h"
#include "spool/spool.h"
#include "uucico/session.h"

struct uucico_opts {
	const char *config;
	const char *call;		/* -S or -s system */
	int force;			/* -S: ignore time window and retry wait */
	int all;			/* -r1 */
	const char *login;		/* -u */
	int prompt;			/* -l */
	const char *listen;		/* -L [addr:]port */
	int no_uuxqt;			/* -q */
	int verbose;			/* -v */
};

struct uucico_ctx {
	struct uucico_opts o;
	struct conf conf;
	struct hdb hdb;
	struct spool *sp;
	char self[PATH_MAX];		/* our binary, to find uuxqt beside it */
};

/* usage - print usage and exit */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: uucico [-I config] [-x debug] [-v] -S system | -s system | -r1\n"
	    "       uucico [-I config] [-x debug] [-u login] [-l]      (answer on stdin/stdout)\n"
	    "       uucico [-I config] [-x debug] -L [address:]port    (answer TCP calls)\n"
	    "  -S sys   call sys now, ignoring its time window and retry wait\n"
	    "  -s sys   call sys if its time window and retry wait allow\n"
	    "  -r1      call every system that has work queued and may be called now\n"
	    "  -u login the login name the caller used (answering)\n"
	    "  -l       prompt for login: and Password: first, like a getty\n"
	    "  -L addr  listen for TCP calls, each answered after a login prompt\n"
	    "  -q       do not start uuxqt after a call that brought executions\n"
	    "  -x cats  debug categories: handshake,proto,port,config,spool,chat,xfer,all\n"
	    "  -I file  the node's configuration (default $BRIGADE_CONFIG or "
	    CONF_DEFAULT_PATH ")\n");
	exit(2);
}

/* run_uuxqt - start uuxqt in the background after a call that brought
 * executions, when it is installed beside us */
static void
run_uuxqt(struct uucico_ctx *c)
{
	char path[PATH_MAX], *slash;
	pid_t pid;

	if (c->o.no_uuxqt)
		return;
	str_copy(path, c->self, sizeof(path));
	slash = strrchr(path, '/');
	if (!slash || str_copy(slash + 1, "uuxqt", sizeof(path) - (size_t)(slash + 1 - path)) < 0)
		return;
	if (access(path, X_OK) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { path, "-I", c->conf.path, NULL };
		setsid();
		execv(path, argv);
		_exit(127);
	}
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

/* answer - answer one call on port p */
static int
answer(struct uucico_ctx *c, struct port *p, int prompt)
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
		run_uuxqt(c);
	session_free(&s);
	return r;
}

/* device_path - the device file of a Devices line field */
static void
device_path(const char *line, char *out, size_t outlen)
{
	if (line[0] == '/')
		str_copy(out, line, outlen);
	else
		str_fmt(out, outlen, "/dev/%s", line);
}

/* open_device - open a tty-like device: PTYs and other ttys through
 * termios, real serial ports through libserialport */
static struct port *
open_device(const char *path, long speed, char *err, size_t errlen)
{
	struct port_line line;
	char real[PATH_MAX];

	memset(&line, 0, sizeof(line));
	line.speed = speed;
	line.databits = 8;
	line.parity = 'N';
	line.stopbits = 1;
	line.local = 1;
	if (realpath(path, real) && (strncmp(real, "/dev/ttyS", 9) == 0 ||
	    strncmp(real, "/dev/ttyUSB", 11) == 0 || strncmp(real, "/dev/ttyACM", 11) == 0)) {
		struct port *p = port_serial_open(real, &line, err, errlen);
		if (p)
			return p;
	}
	return port_tty_open(path, &line, err, errlen);
}

/* pipe_argv - split a Pipe device's command, substituting \S */
static int
pipe_argv(const struct hdb_device *d, const char *sys, char *argv[], size_t max, char store[][256])
{
	size_t i, n = 0;

	for (i = 0; i < d->ndialer && n + 1 < max; i++, n++) {
		const char *t = d->dialer[i];
		if (strcmp(t, "\\S") == 0)
			t = sys;
		str_copy(store[n], t, 256);
		argv[n] = store[n];
	}
	argv[n] = NULL;
	return n ? 0 : -1;
}

/* connect_entry - open the line for one Systems entry; NULL with why */
static struct port *
connect_entry(struct uucico_ctx *c, const struct hdb_system *e, char *protos, size_t plen,
    char *why, size_t whylen)
{
	struct port *p = NULL;
	char err[256] = "", path[PATH_MAX];
	int di;
	long speed = atol(e->class);

	str_copy(protos, e->protocols, plen);
	if (strcasecmp(e->type, "TCP") == 0) {
		const char *service = (strcmp(e->class, "-") == 0 || strcasecmp(e->class, "Any") == 0)
		    ? "540" : e->class;
		p = port_tcp_connect(e->phone, service, 30000, err, sizeof(err));
		if (!p)
			str_fmt(why, whylen, "cannot connect to %s:%s: %s", e->phone, service, err);
		return p;
	}
	for (di = hdb_find_device(&c->hdb, e->type, 0); di >= 0;
	    di = hdb_find_device(&c->hdb, e->type, (size_t)di + 1)) {
		const struct hdb_device *d = &c->hdb.dev[di];
		if (d->protocols[0] && !protos[0])
			str_copy(protos, d->protocols, plen);
		if (strcasecmp(d->type, "Pipe") == 0) {
			char *argv[32], store[32][256];
			if (pipe_argv(d, e->name, argv, 32, store) < 0) {
				str_fmt(why, whylen, "Devices line %d: Pipe without a command", d->line_no);
				continue;
			}
			p = port_pipe_open(argv, err, sizeof(err));
		} else {
			long sp = speed > 0 ? speed : atol(d->class);
			device_path(d->line, path, sizeof(path));
			p = open_device(path, sp, err, sizeof(err));
			if (p && d->ndialer > 0 && strcasecmp(d->dialer[0], "direct") != 0) {
				const struct hdb_dialer *dl = hdb_find_dialer(&c->hdb, d->dialer[0]);
				struct chat_subst sub = { e->phone, NULL, NULL, e->name };
				if (!dl) {
					str_fmt(why, whylen, "dialer %s is not in Dialers", d->dialer[0]);
					port_close(p);
					p = NULL;
					continue;
				}
				if (chat_run(p, dl->chat, dl->nchat, &sub, 60, err, sizeof(err)) < 0) {
					str_fmt(why, whylen, "dialing %s failed: %s", e->phone, err);
					port_close(p);
					p = NULL;
					continue;
				}
			}
		}
		if (p)
			return p;
		str_fmt(why, whylen, "cannot open %s: %s", d->line, err);
	}
	if (!why[0])
		str_fmt(why, whylen, "no Devices entry of type %s", e->type);
	return NULL;
}

/* call_allowed - whether -s/-r1 may call sys now */
static int
call_allowed(struct uucico_ctx *c, const struct hdb_system *e, int log_why)
{
	struct spool_status st;
	struct tm tm;
	time_t now = time(NULL);
	int r;

	localtime_r(&now, &tm);
	r = timewin_allows(e->time, &tm, 0);
	if (r < 0) {
		log_warnx("sys=%s: Systems line %d: bad time field \"%s\"", e->name, e->line, e->time);
		return 0;
	}
	if (r == 0) {
		if (log_why)
			log_info("sys=%s: not calling: outside its time window (%s)", e->name, e->time);
		return 0;
	}
	if (spool_status_get(c->sp, e->name, &st) == 0 && st.result == SPOOL_ST_FAILED &&
	    st.next_retry > now) {
		if (log_why)
			log_info("sys=%s: not calling: retry wait until %ld", e->name,
			    (long)st.next_retry);
		return 0;
	}
	return 1;
}

/* record_failure - a call that failed before the handshake */
static void
record_failure(struct uucico_ctx *c, const char *sys, const char *why)
{
	struct spool_status st;
	int wait;

	if (spool_status_get(c->sp, sys, &st) < 0)
		memset(&st, 0, sizeof(st));
	st.last_call = time(NULL);
	st.result = SPOOL_ST_FAILED;
	st.retries++;
	wait = 300 << (st.retries > 8 ? 8 : st.retries - 1);
	if (wait > 23 * 3600)
		wait = 23 * 3600;
	st.next_retry = st.last_call + wait;
	str_copy(st.reason, why, sizeof(st.reason));
	spool_status_put(c->sp, sys, &st);
}

/* call_system - place one call to sys, trying its Systems alternatives */
static int
call_system(struct uucico_ctx *c, const char *sys)
{
	char why[512] = "", protos[16];
	int idx, result = -1, connected = 0;

	idx = hdb_find_system(&c->hdb, sys, 0);
	if (idx < 0) {
		log_warnx("sys=%s: not in Systems", sys);
		return -1;
	}
	if (!c->o.force && !call_allowed(c, &c->hdb.sys[idx], 1))
		return 0;
	if (spool_lock(c->sp, sys) < 0) {
		log_warnx("sys=%s: not calling: a call with it is already in progress", sys);
		return -1;
	}
	for (; idx >= 0 && !connected; idx = hdb_find_system(&c->hdb, sys, (size_t)idx + 1)) {
		const struct hdb_system *e = &c->hdb.sys[idx];
		struct port *p;
		struct session s;
		char err[256];

		why[0] = '\0';
		log_info("sys=%s: calling (Systems line %d, %s)", sys, e->line, e->type);
		p = connect_entry(c, e, protos, sizeof(protos), why, sizeof(why));
		if (!p) {
			log_warnx("sys=%s: %s", sys, why);
			continue;
		}
		if (e->nchat > 0) {
			struct chat_subst sub = { e->phone, NULL, NULL, e->name };
			if (chat_run(p, e->chat, e->nchat, &sub, 30, err, sizeof(err)) < 0) {
				str_fmt(why, sizeof(why), "login chat failed: %s", err);
				log_warnx("sys=%s: %s", sys, why);
				port_hangup(p);
				port_close(p);
				continue;
			}
		}
		connected = 1;
		memset(&s, 0, sizeof(s));
		s.conf = &c->conf;
		s.hdb = &c->hdb;
		s.sp = c->sp;
		s.port = p;
		s.locked = 0;
		str_copy(s.remote, sys, sizeof(s.remote));
		str_copy(s.protocols, protos, sizeof(s.protocols));
		result = session_call(&s);
		if (s.brought_exec)
			run_uuxqt(c);
		session_free(&s);
		port_hangup(p);
		port_close(p);
	}
	if (!connected)
		record_failure(c, sys, why);
	spool_unlock(c->sp, sys);
	return result;
}

/* call_all - -r1: every system with work that may be called now */
static int
call_all(struct uucico_ctx *c)
{
	char **names;
	size_t n, i;
	int rc = 0;

	if (spool_systems(c->sp, &names, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct spool_job *jobs;
		size_t nj = 0;
		int idx = hdb_find_system(&c->hdb, names[i], 0);
		if (idx >= 0 && spool_list(c->sp, names[i], &jobs, &nj) == 0) {
			spool_list_free(jobs, nj);
			if (nj > 0 && (c->o.force || call_allowed(c, &c->hdb.sys[idx], 1)) &&
			    call_system(c, names[i]) < 0)
				rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* listen_tcp - -L: answer TCP calls, one child per call */
static int
listen_tcp(struct uucico_ctx *c)
{
	char addr[256], err[256];
	const char *service;
	char *colon;
	int lfd;

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
			_exit(answer(c, p, 1) == 0 ? 0 : 1);
		}
		port_close(p);
	}
}

/* parse_args - the command line */
static void
parse_args(struct uucico_opts *o, int argc, char **argv)
{
	int ch;

	while ((ch = getopt(argc, argv, "I:x:S:s:r:u:lL:qDfcvp:")) != -1) {
		switch (ch) {
		case 'I': o->config = optarg; break;
		case 'x':
			if (log_set_debug(optarg) < 0) {
				fprintf(stderr, "uucico: unknown debug category in \"%s\"\n", optarg);
				exit(2);
			}
			break;
		case 'S': o->call = optarg; o->force = 1; break;
		case 's': o->call = optarg; break;
		case 'r':
			if (strcmp(optarg, "1") != 0)
				usage();
			o->all = 1;
			break;
		case 'u': o->login = optarg; break;
		case 'l': o->prompt = 1; break;
		case 'L': o->listen = optarg; break;
		case 'q': o->no_uuxqt = 1; break;
		case 'f': o->force = 1; break;
		case 'v': o->verbose = 1; break;
		case 'D': case 'c': case 'p': break;	/* Taylor compatibility: no meaning here */
		default: usage();
		}
	}
	if (optind != argc)
		usage();
}

int
main(int argc, char **argv)
{
	struct uucico_ctx c;
	struct hdb_errors errs;
	char err[512];
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&errs, 0, sizeof(errs));
	parse_args(&c.o, argc, argv);
	if (!realpath("/proc/self/exe", c.self))
		str_copy(c.self, argv[0], sizeof(c.self));
	signal(SIGPIPE, SIG_IGN);
	if (conf_load(&c.conf, c.o.config, err, sizeof(err)) < 0) {
		fprintf(stderr, "uucico: %s\n", err);
		return 1;
	}
	log_init("uucico", c.conf.logfile);
	if (c.o.verbose || ((c.o.call || c.o.all) && isatty(2)))
		log_also_stderr(1);
	if (c.conf.debug && !log_debug_on(LOG_D_ALL))
		log_set_debug("all");
	if (hdb_load(&c.hdb, c.conf.systems, c.conf.devices, c.conf.dialers, c.conf.permissions,
	    &errs) > 0)
		for (i = 0; i < errs.n; i++)
			log_warnx("config: %s", errs.msg[i]);
	hdb_errors_free(&errs);
	c.sp = spool_open(c.conf.spool, c.conf.nodename, c.conf.lockdir[0] ? c.conf.lockdir : NULL,
	    err, sizeof(err));
	if (!c.sp) {
		log_warnx("cannot open spool %s: %s", c.conf.spool, err);
		fprintf(stderr, "uucico: cannot open spool %s: %s\n", c.conf.spool, err);
		return 1;
	}
	spool_set_recv_max_age(c.sp, (time_t)c.conf.max_received_age * 86400);
	if (c.o.call)
		rc = call_system(&c, c.o.call);
	else if (c.o.all)
		rc = call_all(&c);
	else if (c.o.listen)
		rc = listen_tcp(&c);
	else {
		struct port *p = port_stdio_open(err, sizeof(err));
		if (!p) {
			log_warnx("cannot use stdin/stdout as the line: %s", err);
			rc = -1;
		} else {
			rc = answer(&c, p, c.o.prompt);
			port_close(p);
		}
	}
	spool_close(c.sp);
	hdb_free(&c.hdb);
	conf_free(&c.conf);
	return rc == 0 ? 0 : 1;
}
