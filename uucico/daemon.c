/*
 * daemon.c - uucico --daemon: look at the spool every queue-check
 * seconds, ask sched.c whether each neighbour is due, and place each due
 * call in a child of its own (uucico_call_system, so all of a neighbour's
 * queued work goes in one call); answer TCP calls through one listener
 * child per "listen" line (uucico_listen_tcp); end overlong calls; reload
 * the configuration on SIGHUP; on SIGTERM pass SIGTERM to every child and
 * exit when they have gone (the spool is consistent at any instant, so a
 * call ended by a signal loses nothing).
 *
 * Trust: the configuration, Systems and Poll files are the operator's
 * (checked, not trusted to be well formed); the spool's contents are read
 * only through the spool library.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/timewin.h"
#include "lib/util.h"
#include "spool/spool_ops.h"
#include "uucico/daemon.h"
#include "uucico/sched.h"

#define DAEMON_CALLS_MAX 64		/* calls tracked at once */
#define DAEMON_LISTEN_MAX 8		/* listen lines */
#define DAEMON_KILL_GRACE 10		/* seconds between SIGTERM and SIGKILL */
#define DAEMON_BUSY_HOLD 5		/* seconds to leave a locked system alone */
#define DAEMON_EXIT_BUSY 3		/* a call child's status: system locked */

struct daemon_call {
	char sys[SPOOL_SYS_MAX];
	pid_t pid;
	time_t started;
	time_t term_sent;		/* when SIGTERM was sent (0: not yet) */
};

struct daemon_hold {
	char sys[SPOOL_SYS_MAX];
	time_t until;
};

struct daemon {
	struct uucico_ctx *c;
	struct sched_poll poll[SCHED_POLL_MAX];
	size_t npoll;
	struct daemon_call call[DAEMON_CALLS_MAX];
	size_t ncall;
	struct daemon_hold hold[DAEMON_CALLS_MAX];
	size_t nhold;
	char listen[DAEMON_LISTEN_MAX][256];
	pid_t listener[DAEMON_LISTEN_MAX];
	size_t nlisten;
	long max_call_time;
	size_t max_calls;
	long check_ms;
	long retry_base;
};

/* Set by the signal handlers, read by the loop. */
static volatile sig_atomic_t daemon_got_hup, daemon_got_term;

/* daemon_on_signal - note a signal for the main loop */
static void
daemon_on_signal(int sig)
{
	if (sig == SIGHUP)
		daemon_got_hup = 1;
	else if (sig == SIGTERM || sig == SIGINT)
		daemon_got_term = 1;
}

/* daemon_num - a numeric config keyword within [lo, hi], else def */
static double
daemon_num(const struct conf *conf, const char *key, double def, double lo, double hi)
{
	const char *v = conf_get(conf, key);
	char *end;
	double d;

	if (!v)
		return def;
	d = strtod(v, &end);
	if (end == v || *end || d < lo || d > hi) {
		log_warnx("config: %s %s: not a number from %g to %g; using %g", key, v, lo, hi,
		    def);
		return def;
	}
	return d;
}

/* daemon_read_poll - load the Poll file (missing: no polls) */
static void
daemon_read_poll(struct daemon *d)
{
	const char *name = conf_get(&d->c->conf, "pollfile");
	char path[PATH_MAX], err[256], *text;
	size_t len;
	int n;

	d->npoll = 0;
	if (name && name[0] == '/')
		str_copy(path, name, sizeof(path));
	else if (path_join(path, sizeof(path), d->c->conf.dir, name ? name : "Poll") < 0)
		return;
	text = file_read(path, 1 << 20, &len);
	if (!text) {
		if (errno != ENOENT)
			log_warn("cannot read Poll file %s", path);
		return;
	}
	n = sched_poll_parse(text, len, d->poll, SCHED_POLL_MAX, err, sizeof(err));
	if (err[0])
		log_warnx("%s: %s", path, err);
	d->npoll = n > 0 ? (size_t)n : 0;
	free(text);
}

/* daemon_settings - read the daemon's keywords from the configuration */
static void
daemon_settings(struct daemon *d)
{
	const struct conf *conf = &d->c->conf;
	size_t i;

	d->max_call_time = (long)daemon_num(conf, "max-call-time", 3600, 1, 7 * 86400);
	d->max_calls = (size_t)daemon_num(conf, "max-calls", 8, 1, DAEMON_CALLS_MAX);
	d->check_ms = (long)(daemon_num(conf, "queue-check", 10, 0.05, 3600) * 1000);
	d->retry_base = (long)daemon_num(conf, "retry-time", SCHED_BACKOFF_BASE, 1,
	    SCHED_BACKOFF_CAP);
	d->nlisten = 0;
	for (i = 0; i < conf->nextra; i++) {
		if (strcmp(conf->extra[i].key, "listen") != 0)
			continue;
		if (d->nlisten == DAEMON_LISTEN_MAX) {
			log_warnx("config line %d: more than %d listen lines", conf->extra[i].line,
			    DAEMON_LISTEN_MAX);
			break;
		}
		str_copy(d->listen[d->nlisten], conf->extra[i].value, sizeof(d->listen[0]));
		d->listener[d->nlisten++] = 0;
	}
	daemon_read_poll(d);
}

/* daemon_child_signals - a child starts with default signal handling */
static void
daemon_child_signals(const sigset_t *orig)
{
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, orig, NULL);
}

/* daemon_start_listener - fork the listener for listen line i */
static void
daemon_start_listener(struct daemon *d, size_t i, const sigset_t *orig)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_warn("cannot fork a listener for %s", d->listen[i]);
		return;
	}
	if (pid == 0) {
		daemon_child_signals(orig);
		d->c->o.listen = d->listen[i];
		uucico_listen_tcp(d->c);
		_exit(1);
	}
	d->listener[i] = pid;
}

/* daemon_stop_listeners - end the listeners and wait for them */
static void
daemon_stop_listeners(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->nlisten; i++)
		if (d->listener[i] > 0) {
			kill(d->listener[i], SIGTERM);
			waitpid(d->listener[i], NULL, 0);
			d->listener[i] = 0;
		}
}

/* daemon_busy - whether a call with sys is running or held off */
static int
daemon_busy(struct daemon *d, const char *sys, time_t now)
{
	size_t i;

	for (i = 0; i < d->ncall; i++)
		if (strcmp(d->call[i].sys, sys) == 0)
			return 1;
	for (i = 0; i < d->nhold; i++)
		if (strcmp(d->hold[i].sys, sys) == 0 && d->hold[i].until > now)
			return 1;
	return 0;
}

/* daemon_hold_sys - leave sys alone for a while (someone holds its lock) */
static void
daemon_hold_sys(struct daemon *d, const char *sys, time_t until)
{
	size_t i;

	for (i = 0; i < d->nhold; i++)
		if (strcmp(d->hold[i].sys, sys) == 0 || d->hold[i].until <= until - 86400)
			break;
	if (i == d->nhold) {
		if (d->nhold == DAEMON_CALLS_MAX)
			i = 0;
		else
			d->nhold++;
	}
	str_copy(d->hold[i].sys, sys, sizeof(d->hold[i].sys));
	d->hold[i].until = until;
}

/* daemon_call_child - the body of a call's child process */
static void __attribute__((noreturn))
daemon_call_child(struct daemon *d, const char *sys, const sigset_t *orig)
{
	int rc;

	daemon_child_signals(orig);
	if (spool_lock(d->c->sp, sys) < 0)
		_exit(DAEMON_EXIT_BUSY);
	spool_unlock(d->c->sp, sys);
	d->c->o.force = 1;	/* the daemon has decided */
	rc = uucico_call_system(d->c, sys);
	_exit(rc == 0 ? 0 : 1);
}

/* daemon_start_call - fork a call to sys */
static void
daemon_start_call(struct daemon *d, const char *sys, int decision_poll, const sigset_t *orig)
{
	struct daemon_call *k;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		log_warn("sys=%s: cannot fork a call", sys);
		return;
	}
	if (pid == 0)
		daemon_call_child(d, sys, orig);
	k = &d->call[d->ncall++];
	str_copy(k->sys, sys, sizeof(k->sys));
	k->pid = pid;
	k->started = time(NULL);
	k->term_sent = 0;
	log_info("daemon sys=%s: call started pid=%ld reason=%s", sys, (long)pid,
	    decision_poll ? "poll" : "work");
}

/* daemon_retry_base - the first back-off for sys: Systems ";N" or config */
static long
daemon_retry_base(struct daemon *d, const char *sys)
{
	int idx = hdb_find_system(&d->c->hdb, sys, 0);
	int m = idx >= 0 ? timewin_retry(d->c->hdb.sys[idx].time) : -1;

	return m > 0 ? (long)m * 60 : d->retry_base;
}

/* daemon_call_ended - record a finished call's outcome and back-off */
static void
daemon_call_ended(struct daemon *d, struct daemon_call *k, int wstatus)
{
	struct spool_status st;
	int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	char next[32] = "-";

	if (code == DAEMON_EXIT_BUSY) {
		log_info("daemon sys=%s: a call with it is in progress elsewhere; waiting", k->sys);
		daemon_hold_sys(d, k->sys, time(NULL) + DAEMON_BUSY_HOLD);
		return;
	}
	if (spool_status_get(d->c->sp, k->sys, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (code != 0 && (st.result != SPOOL_ST_FAILED || st.last_call < k->started)) {
		/* ended by a signal before it could record why */
		st.result = SPOOL_ST_FAILED;
		st.retries++;
		st.last_call = time(NULL);
		str_fmt(st.reason, sizeof(st.reason), "%s", k->term_sent ?
		    "call exceeded max-call-time" : "call ended by a signal");
	}
	if (st.result == SPOOL_ST_FAILED && code != 0) {
		struct tm tm;
		time_t t;
		st.next_retry = st.last_call + sched_backoff(st.retries,
		    daemon_retry_base(d, k->sys));
		spool_status_put(d->c->sp, k->sys, &st);
		t = st.next_retry;
		if (localtime_r(&t, &tm))
			strftime(next, sizeof(next), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	log_info("daemon sys=%s: call ended pid=%ld result=%s retries=%d next=%s%s%s%s",
	    k->sys, (long)k->pid, code == 0 ? "ok" : "failed", code == 0 ? 0 : st.retries,
	    next, code == 0 ? "" : " reason=\"", code == 0 ? "" : st.reason,
	    code == 0 ? "" : "\"");
}

/* daemon_reap - collect ended children */
static void
daemon_reap(struct daemon *d, const sigset_t *orig)
{
	pid_t pid;
	int wst;
	size_t i;

	while ((pid = waitpid(-1, &wst, WNOHANG)) > 0) {
		for (i = 0; i < d->ncall; i++)
			if (d->call[i].pid == pid) {
				daemon_call_ended(d, &d->call[i], wst);
				d->call[i] = d->call[--d->ncall];
				break;
			}
		for (i = 0; i < d->nlisten; i++)
			if (d->listener[i] == pid) {
				log_warnx("daemon: listener on %s ended; starting it again",
				    d->listen[i]);
				d->listener[i] = 0;
				sleep(1);
				if (!daemon_got_term)
					daemon_start_listener(d, i, orig);
			}
	}
}

/* daemon_limit_calls - end calls that ran past max-call-time */
static void
daemon_limit_calls(struct daemon *d, time_t now)
{
	size_t i;

	for (i = 0; i < d->ncall; i++) {
		struct daemon_call *k = &d->call[i];
		if (!k->term_sent && now - k->started > d->max_call_time) {
			log_warnx("daemon sys=%s: call pid=%ld ran past max-call-time %lds; ending it",
			    k->sys, (long)k->pid, d->max_call_time);
			kill(k->pid, SIGTERM);
			k->term_sent = now;
		} else if (k->term_sent && now - k->term_sent > DAEMON_KILL_GRACE) {
			kill(k->pid, SIGKILL);
		}
	}
}

/* daemon_best_grade - the most urgent grade queued for sys, or 0 */
static char
daemon_best_grade(struct daemon *d, const char *sys)
{
	struct spool_job *jobs;
	size_t n, i;
	char best = 0;

	if (spool_list(d->c->sp, sys, &jobs, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!best || timewin_grade_better(jobs[i].grade, best))
			best = jobs[i].grade;
	spool_list_free(jobs, n);
	return best;
}

/* daemon_consider - decide about one system, and call it when due */
static void
daemon_consider(struct daemon *d, const char *sys, time_t now, const sigset_t *orig)
{
	struct sched_input in;
	struct spool_status st;
	int idx = hdb_find_system(&d->c->hdb, sys, 0);
	int dec;

	if (idx < 0 || d->ncall >= d->max_calls)
		return;
	memset(&in, 0, sizeof(in));
	in.timefield = d->c->hdb.sys[idx].time;
	in.best_grade = daemon_best_grade(d, sys);
	in.poll_wanted = spool_poll_pending(d->c->sp, sys) == 1;
	in.busy = daemon_busy(d, sys, now);
	if (spool_status_get(d->c->sp, sys, &st) == 0) {
		in.failed = st.result == SPOOL_ST_FAILED;
		in.next_retry = st.next_retry;
	}
	dec = sched_decide(&in, now);
	if (dec == SCHED_CALL)
		daemon_start_call(d, sys, in.poll_wanted && !in.best_grade, orig);
	else if (dec == SCHED_BAD_FIELD)
		log_debug(LOG_D_CONFIG, "sys=%s: bad time field \"%s\"", sys, in.timefield);
}

/* daemon_schedule - one pass over every system with work or a poll */
static void
daemon_schedule(struct daemon *d, const sigset_t *orig)
{
	time_t now = time(NULL);
	char **names = NULL, **polls = NULL;
	size_t n = 0, np = 0, i, j;

	for (i = 0; i < d->npoll; i++) {
		struct spool_status st;
		if (hdb_find_system(&d->c->hdb, d->poll[i].sys, 0) < 0 ||
		    spool_status_get(d->c->sp, d->poll[i].sys, &st) < 0)
			continue;
		if (sched_poll_due(d->poll[i].hours, st.last_call, now) &&
		    spool_poll_pending(d->c->sp, d->poll[i].sys) == 0) {
			log_info("daemon sys=%s: poll due (Poll file line %d)", d->poll[i].sys,
			    d->poll[i].line);
			spool_poll_request(d->c->sp, d->poll[i].sys);
		}
	}
	if (spool_systems(d->c->sp, &names, &n) < 0)
		n = 0;
	if (spool_poll_systems(d->c->sp, &polls, &np) < 0)
		np = 0;
	for (i = 0; i < n; i++)
		daemon_consider(d, names[i], now, orig);
	for (i = 0; i < np; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(names[j], polls[i]) == 0)
				break;
		if (j == n)
			daemon_consider(d, polls[i], now, orig);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	for (i = 0; i < np; i++)
		free(polls[i]);
	free(names);
	free(polls);
}

/* daemon_reload - SIGHUP: read the configuration and HDB files again */
static void
daemon_reload(struct daemon *d, const sigset_t *orig)
{
	struct conf conf;
	struct hdb hdb;
	struct hdb_errors errs;
	char err[512];
	size_t i;

	memset(&hdb, 0, sizeof(hdb));
	memset(&errs, 0, sizeof(errs));
	if (conf_load(&conf, d->c->conf.path, err, sizeof(err)) < 0) {
		log_warnx("daemon: reload: %s; keeping the old configuration", err);
		return;
	}
	if (hdb_load(&hdb, conf.systems, conf.devices, conf.dialers, conf.permissions, &errs) > 0)
		for (i = 0; i < errs.n; i++)
			log_warnx("config: %s", errs.msg[i]);
	hdb_errors_free(&errs);
	daemon_stop_listeners(d);
	conf_free(&d->c->conf);
	hdb_free(&d->c->hdb);
	d->c->conf = conf;
	d->c->hdb = hdb;
	if (!conf_get(&conf, "syslog"))
		log_init("uucico", conf.logfile);
	daemon_settings(d);
	for (i = 0; i < d->nlisten; i++)
		daemon_start_listener(d, i, orig);
	log_info("daemon: configuration reloaded: %zu systems, %zu polls, %zu listeners",
	    d->c->hdb.nsys, d->npoll, d->nlisten);
}

/* daemon_running - calls and listeners still alive */
static size_t
daemon_running(const struct daemon *d)
{
	size_t i, n = d->ncall;

	for (i = 0; i < d->nlisten; i++)
		if (d->listener[i] > 0)
			n++;
	return n;
}

/* daemon_shutdown - SIGTERM: end every child, wait for them */
static void
daemon_shutdown(struct daemon *d)
{
	time_t t0 = time(NULL);
	size_t i;
	pid_t pid;
	int wst, killed = 0;

	log_info("daemon: ending %zu calls and %zu listeners", d->ncall, d->nlisten);
	signal(SIGTERM, SIG_IGN);
	/* answering children of the listeners are in our process group */
	kill(0, SIGTERM);
	while (daemon_running(d) > 0) {
		pid = waitpid(-1, &wst, WNOHANG);
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid == 0) {
			if (!killed && time(NULL) - t0 > DAEMON_KILL_GRACE) {
				for (i = 0; i < d->ncall; i++)
					kill(d->call[i].pid, SIGKILL);
				for (i = 0; i < d->nlisten; i++)
					if (d->listener[i] > 0)
						kill(d->listener[i], SIGKILL);
				killed = 1;
			}
			usleep(50000);
			continue;
		}
		for (i = 0; i < d->nlisten; i++)
			if (d->listener[i] == pid)
				d->listener[i] = 0;
		for (i = 0; i < d->ncall; i++)
			if (d->call[i].pid == pid) {
				daemon_call_ended(d, &d->call[i], wst);
				d->call[i] = d->call[--d->ncall];
				break;
			}
	}
	log_info("daemon: stopped");
}

/* daemon_syslog_child - copy log lines from fd to syslog until EOF */
static void __attribute__((noreturn))
daemon_syslog_child(int fd)
{
	char buf[4096];
	size_t have = 0;
	ssize_t r;

	openlog("uucico", LOG_PID, LOG_UUCP);
	while ((r = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *nl, *line = buf;
		have += (size_t)r;
		buf[have] = '\0';
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			syslog(strstr(line, ": warn") ? LOG_WARNING : LOG_INFO, "%s", line);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;	/* an overlong line: drop it */
	}
	_exit(0);
}

/* daemon_use_syslog - "syslog yes": log lines go through a pipe to a
 * child that hands them to syslog(3) */
static void
daemon_use_syslog(void)
{
	char path[64];
	int fds[2];
	pid_t pid;

	if (pipe(fds) < 0) {
		log_warn("daemon: cannot log to syslog");
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		setpgid(0, 0);	/* outlives a SIGTERM to our group */
		daemon_syslog_child(fds[0]);
	}
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		return;
	}
	str_fmt(path, sizeof(path), "/proc/self/fd/%d", fds[1]);
	log_init("uucico", path);
	close(fds[1]);
}

/* uucico_daemon - the main loop */
int
uucico_daemon(struct uucico_ctx *c)
{
	struct daemon *d = calloc(1, sizeof(*d));
	const char *sl = conf_get(&c->conf, "syslog");
	struct sigaction sa;
	sigset_t block, orig;
	size_t i;

	if (!d)
		return -1;
	d->c = c;
	setpgid(0, 0);
	if (sl && strcmp(sl, "yes") == 0)
		daemon_use_syslog();
	daemon_settings(d);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = daemon_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	for (i = 0; i < d->nlisten; i++)
		daemon_start_listener(d, i, &orig);
	log_info("daemon: started: %zu systems, %zu polls, %zu listeners, queue-check %ldms",
	    c->hdb.nsys, d->npoll, d->nlisten, d->check_ms);
	printf("daemon ready pid=%ld\n", (long)getpid());
	fflush(stdout);
	while (!daemon_got_term) {
		struct timespec ts = { d->check_ms / 1000, (d->check_ms % 1000) * 1000000L };
		daemon_reap(d, &orig);
		if (daemon_got_hup) {
			daemon_got_hup = 0;
			daemon_reload(d, &orig);
		}
		daemon_limit_calls(d, time(NULL));
		daemon_schedule(d, &orig);
		if (!daemon_got_term && !daemon_got_hup)
			pselect(0, NULL, NULL, NULL, &ts, &orig);
	}
	daemon_shutdown(d);
	free(d);
	return 0;
}
