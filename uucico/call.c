/*
 * call.c - placing calls: pick the Systems entry, open the line its
 * Devices entry names (tty, serial port, TCP, a pipe command), dial, run
 * the login chat, then hand the port to the session.  Failures before the
 * handshake are recorded in the system's status with the reason.
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
#include "spool/spool_ops.h"
#include "uucico/sched.h"
#include "uucico/session.h"
#include "uucico/uucico.h"

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

/* device_lock_dir - where device locks go: the configured lockdir (shared
 * with cu and Taylor UUCP when they use the same one), but /var/lock, where
 * other programs look, while lockdir is left at its SPOOL/.Lock default */
static void
device_lock_dir(struct uucico_ctx *c)
{
	char def[PATH_MAX];

	if (path_join(def, sizeof(def), c->conf.spool, ".Lock") == 0 &&
	    strcmp(def, c->conf.lockdir) == 0)
		port_lock_dir(NULL);
	else
		port_lock_dir(c->conf.lockdir);
}

/* dial_device - run the Dialers chat of Devices entry d to call e's phone
 * number: \T through the dialer's substitution pairs, \D as written, and
 * a Hayes failure result (BUSY, NO CARRIER, ...) ends it at once; 0 or -1
 * with a reason that names the number, the device and what went wrong */
static int
dial_device(struct uucico_ctx *c, const struct hdb_device *d, const struct hdb_system *e,
    struct port *p, char *why, size_t whylen)
{
	const struct hdb_dialer *dl = hdb_find_dialer(&c->hdb, d->dialer[0]);
	struct chat_subst sub = { e->phone, NULL, NULL, e->name, NULL, chat_modem_failures };
	char err[384];

	if (!dl) {
		str_fmt(why, whylen, "dialer %s is not in Dialers", d->dialer[0]);
		return -1;
	}
	if (strcmp(dl->subst, "\"\"") != 0)
		sub.dialcodes = dl->subst;
	log_info("sys=%s: dialing %s on %s (%s)", e->name, e->phone, d->line, dl->name);
	if (chat_run(p, dl->chat, dl->nchat, &sub, 60, err, sizeof(err)) < 0) {
		str_fmt(why, whylen, "dialing %s on %s failed: %s", e->phone, d->line, err);
		return -1;
	}
	return 0;
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
			device_lock_dir(c);
			p = open_device(path, sp, err, sizeof(err));
			if (p && d->ndialer > 0 && strcasecmp(d->dialer[0], "direct") != 0) {
				if (dial_device(c, d, e, p, why, whylen) < 0) {
					port_hangup(p);
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
	int idx, minutes;

	if (spool_status_get(c->sp, sys, &st) < 0)
		memset(&st, 0, sizeof(st));
	st.last_call = time(NULL);
	st.result = SPOOL_ST_FAILED;
	st.retries++;
	/* doubling waits from the Systems ";N" minutes (or 5), capped at
	 * 23 hours as in HDB */
	idx = hdb_find_system(&c->hdb, sys, 0);
	minutes = idx >= 0 ? timewin_retry(c->hdb.sys[idx].time) : -1;
	st.next_retry = st.last_call + sched_backoff(st.retries, minutes > 0 ? minutes * 60L : 0);
	str_copy(st.reason, why, sizeof(st.reason));
	spool_status_put(c->sp, sys, &st);
}

/* uucico_call_system - place one call to sys, trying its Systems alternatives */
int
uucico_call_system(struct uucico_ctx *c, const char *sys)
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
			struct chat_subst sub = { e->phone, NULL, NULL, e->name, NULL, NULL };
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
		s.progress = c->o.verbose;
		str_copy(s.remote, sys, sizeof(s.remote));
		str_copy(s.protocols, protos, sizeof(s.protocols));
		result = session_call(&s);
		if (s.brought_exec)
			uucico_run_uuxqt(c);
		session_free(&s);
		port_hangup(p);
		port_close(p);
	}
	if (!connected)
		record_failure(c, sys, why);
	else if (result == 0)
		spool_poll_clear(c->sp, sys);	/* a poll asked for is done */
	spool_unlock(c->sp, sys);
	return result;
}

/* call_add_polls - append the systems with a poll marker to names */
static void
call_add_polls(struct uucico_ctx *c, char ***names, size_t *n)
{
	char **polls, **nn;
	size_t np, i, j;

	if (spool_poll_systems(c->sp, &polls, &np) < 0)
		return;
	for (i = 0; i < np; i++) {
		for (j = 0; j < *n; j++)
			if (strcmp((*names)[j], polls[i]) == 0)
				break;
		if (j == *n && (nn = realloc(*names, (*n + 1) * sizeof(*nn))) != NULL) {
			*names = nn;
			nn[(*n)++] = polls[i];
		} else {
			free(polls[i]);
		}
	}
	free(polls);
}

/* uucico_call_all - -r1: every system with work or a poll request that
 * may be called now */
int
uucico_call_all(struct uucico_ctx *c)
{
	char **names;
	size_t n, i;
	int rc = 0;

	if (spool_systems(c->sp, &names, &n) < 0)
		return -1;
	call_add_polls(c, &names, &n);
	for (i = 0; i < n; i++) {
		struct spool_job *jobs;
		size_t nj = 0;
		int idx = hdb_find_system(&c->hdb, names[i], 0);
		if (idx >= 0 && spool_list(c->sp, names[i], &jobs, &nj) == 0) {
			spool_list_free(jobs, nj);
			if ((nj > 0 || spool_poll_pending(c->sp, names[i]) == 1) &&
			    (c->o.force || call_allowed(c, &c->hdb.sys[idx], 1)) &&
			    uucico_call_system(c, names[i]) < 0)
				rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}
