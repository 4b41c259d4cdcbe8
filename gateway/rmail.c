/*
 * rmail.c - receive one mail message from UUCP (or from a local MTA) and
 * deliver it to each recipient: into a local mailbox, or onwards to the
 * next hop as an rmail execution queued with uuxq_queue.
 *
 *   rmail [-I config] recipient...
 *
 * The message comes on stdin, starting with its RFC 976 From_ line(s)
 * ("From sender date remote from sys"), which give the return path.
 * rmail adds a Received: field, then routes every recipient with the
 * address module (gateway/mailaddr.h, '!' before '@' as RFC 976 asks):
 * a local user gets the message in MAILDIR/user (gateway/mbox.h);
 * a!rest goes to neighbour a as "rmail rest"; anything else is routed by
 * the "route-index" file (uuroute -o) when configured (the next hop gets
 * the whole route, or with "route-hop-by-hop yes" the address as it came,
 * to route by its own index); on a gateway node (one with an
 * "smtp-smarthost" line) an Internet address (user@domain, no UUCP hops
 * left) is handed to uusmtp, all such recipients in one run; else it goes
 * to the "smarthost" neighbour, or is bounced "no route".  Recipients for
 * the same neighbour share one job.  The forwarded copy starts with
 * "From RETURN-PATH date remote from ME".
 *
 * Permanent failures are bounced along the return path (never for a
 * null sender: then the message goes to MAILDIR/.dead.letter) and give
 * the exit status their sysexits code; temporary ones give EX_TEMPFAIL
 * (or, when other recipients were already delivered, are queued again
 * for a later rmail on this node, so nobody gets the message twice).
 * docs/mail.md has the rules and the codes.
 *
 * Trust: stdin and the recipients are hostile (they come from a remote
 * system): the message is bounded by max-message-size, From_ lines and
 * addresses are parsed by the bounded pure parsers, local user names are
 * validated before they name a file, and nothing is ever run through a
 * shell: forwarding only writes spool files, and uusmtp is started with
 * execve and the addresses as separate arguments after "--".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "gateway/mailaddr.h"
#include "gateway/mailmsg.h"
#include "gateway/mbox.h"
#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/log.h"
#include "lib/util.h"
#include "route/rindex.h"
#include "spool/spool.h"
#include "uux/uuxq.h"

#define RMAIL_RCPT_MAX 1000
#define RMAIL_DEFAULT_MAX_SIZE (10L * 1024 * 1024)
#define RMAIL_DEFAULT_MAX_HOPS 30
#define RMAIL_DEAD_LETTER ".dead.letter"

enum { RMAIL_OK, RMAIL_TEMP, RMAIL_PERM };

struct rmail_rcpt {
	const char *arg;		/* as given */
	char next[MAILADDR_HOST_MAX];	/* next hop, "" for a local user */
	char rest[MAILADDR_MAX];	/* what the next hop gets, or the local user */
	int status;			/* RMAIL_* */
	int ex;				/* sysexits code for a permanent failure */
	char reason[256];
	char how[96];			/* for the log: "mailbox", "relay=beta job=..." */
	int smtp;			/* an Internet address for uusmtp (rest) */
};

struct rmail {
	struct conf conf;
	struct hdb hdb;
	struct mailaddr_ctx ctx;
	struct spool *sp;
	char maildir[PATH_MAX];
	const char *smarthost;
	int gateway;			/* "smtp-smarthost" set: Internet by uusmtp */
	size_t max_size;
	long max_hops;
	char *in;			/* stdin as read */
	size_t inlen;
	int oversize;
	struct mailmsg_from from;
	char rp[MAILADDR_MAX];		/* return path */
	char remote[MAILADDR_HOST_MAX];	/* the sending system, or "" */
	char date[MAILMSG_DATE_MAX];	/* RFC 5322, now */
	char fdate[MAILMSG_DATE_MAX];	/* From_ line date, now */
	char *body;			/* Received: + message without From_ */
	size_t bodylen;
	struct rmail_rcpt *rc;
	size_t nrc;
};

/* rmail_usage - print usage and exit EX_USAGE */
static void __attribute__((noreturn))
rmail_usage(void)
{
	fprintf(stderr, "usage: rmail [-I config] recipient...\n");
	exit(EX_USAGE);
}

/* rmail_perm - mark a recipient failed for good */
static void
rmail_perm(struct rmail_rcpt *r, int ex, const char *reason)
{
	r->status = RMAIL_PERM;
	r->ex = ex;
	str_copy(r->reason, reason, sizeof(r->reason));
}

/* rmail_temp - mark a recipient failed for now */
static void
rmail_temp(struct rmail_rcpt *r, const char *reason)
{
	r->status = RMAIL_TEMP;
	str_copy(r->reason, reason, sizeof(r->reason));
}

/* rmail_size - parse a size with an optional k/M/G suffix; -1 if bad */
static long
rmail_size(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v <= 0 || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v = v > LONG_MAX / 1024 ? -1 : v * 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v = v > LONG_MAX / (1024 * 1024) ? -1 : v * 1024 * 1024, end++;
	return *end ? -1 : v;
}

/* rmail_config - load the config, Systems and the mail keywords */
static int
rmail_config(struct rmail *m, const char *path)
{
	struct hdb_errors errs = { 0 };
	char err[512];
	const char *v;
	long n;

	if (conf_load(&m->conf, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "rmail: %s\n", err);
		return -1;
	}
	log_init("rmail", m->conf.logfile);
	(void)hdb_load(&m->hdb, m->conf.systems, NULL, NULL, NULL, &errs);
	hdb_errors_free(&errs);
	mailaddr_ctx_from_conf(&m->ctx, &m->conf);
	v = conf_get(&m->conf, "maildir");
	if (!v)
		v = "mail";
	if ((v[0] == '/' ? str_copy(m->maildir, v, sizeof(m->maildir)) :
	    path_join(m->maildir, sizeof(m->maildir), m->conf.dir, v)) < 0) {
		log_warnx("maildir too long");
		return -1;
	}
	m->smarthost = conf_get(&m->conf, "smarthost");
	if (m->smarthost && !mailaddr_host_is_valid(m->smarthost)) {
		log_warnx("smarthost %s is not a valid system name: ignored", m->smarthost);
		m->smarthost = NULL;
	}
	m->gateway = conf_get(&m->conf, "smtp-smarthost") != NULL;
	m->max_size = RMAIL_DEFAULT_MAX_SIZE;
	if ((v = conf_get(&m->conf, "max-message-size")) && (n = rmail_size(v)) > 0)
		m->max_size = (size_t)n;
	m->max_hops = RMAIL_DEFAULT_MAX_HOPS;
	if ((v = conf_get(&m->conf, "max-hops")) && (n = rmail_size(v)) > 0)
		m->max_hops = n;
	return 0;
}

/* rmail_read - read stdin, at most max_size bytes (oversize is noted) */
static int
rmail_read(struct rmail *m)
{
	size_t cap = 65536, keep = m->max_size + 1;
	ssize_t r;
	char *nb, sink[65536];

	if (!(m->in = malloc(cap)))
		return -1;
	for (;;) {
		if (m->inlen == cap && cap < keep) {
			cap = cap * 2 > keep ? keep : cap * 2;
			if (!(nb = realloc(m->in, cap)))
				return -1;
			m->in = nb;
		}
		if (m->inlen < cap)
			r = read(0, m->in + m->inlen, cap - m->inlen);
		else
			r = read(0, sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (m->inlen < cap)
			m->inlen += (size_t)r;
	}
	if (m->inlen > m->max_size) {
		m->oversize = 1;
		m->inlen = m->max_size;
	}
	return 0;
}

/* rmail_sender_default - the sender when there is no From_ line: the
 * requesting system and user that uuxqt names, else the invoking user */
static void
rmail_sender_default(struct rmail *m)
{
	const char *sys = getenv("UU_MACHINE"), *user = getenv("UU_USER");
	struct passwd *pw;

	if (sys && user && mailaddr_host_is_valid(sys) && mailaddr_user_is_valid(user)) {
		(void)str_fmt(m->rp, sizeof(m->rp), "%s!%s", sys, user);
		str_copy(m->remote, sys, sizeof(m->remote));
	} else if ((pw = getpwuid(getuid())) && mailaddr_user_is_valid(pw->pw_name)) {
		str_copy(m->rp, pw->pw_name, sizeof(m->rp));
	}
}

/* rmail_prepare - parse the From_ lines, build the Received: field and
 * the body every copy carries */
static int
rmail_prepare(struct rmail *m)
{
	char err[256], recv[512];
	time_t now = time(NULL);
	struct tm tm;
	size_t rl;

	if (mailmsg_parse_from(m->in, m->inlen, &m->from, err, sizeof(err)) < 0) {
		log_warnx("bad From_ line: %s", err);
		return -1;
	}
	if (m->from.nlines) {
		str_copy(m->rp, m->from.sender, sizeof(m->rp));
		str_copy(m->remote, m->from.remote, sizeof(m->remote));
	} else {
		rmail_sender_default(m);
	}
	localtime_r(&now, &tm);
	if (mailmsg_date(m->date, sizeof(m->date), &tm, tm.tm_gmtoff) < 0 ||
	    mailmsg_from_date(m->fdate, sizeof(m->fdate), &tm) < 0 ||
	    mailmsg_received(recv, sizeof(recv), m->remote, m->conf.nodename, m->date) < 0)
		return -1;
	rl = strlen(recv);
	m->bodylen = rl + m->inlen - m->from.skip;
	if (!(m->body = malloc(m->bodylen + 1)))
		return -1;
	memcpy(m->body, recv, rl);
	memcpy(m->body + rl, m->in + m->from.skip, m->inlen - m->from.skip);
	m->body[m->bodylen] = '\0';
	return 0;
}

/* rmail_is_neighbour - whether name is a system in Systems */
static int
rmail_is_neighbour(const struct rmail *m, const char *name)
{
	return hdb_find_system(&m->hdb, name, 0) >= 0;
}

/* rmail_user_exists - whether user may receive mail here: a "mail-user"
 * line names it, its mailbox exists, or it is a login of this machine */
static int
rmail_user_exists(const struct rmail *m, const char *user)
{
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < m->conf.nextra; i++)
		if (!strcmp(m->conf.extra[i].key, "mail-user") &&
		    !strcmp(m->conf.extra[i].value, user))
			return 1;
	if (mbox_path(path, sizeof(path), m->maildir, user) == 0 && lstat(path, &st) == 0)
		return 1;
	return getpwnam(user) != NULL;
}

/* rmail_route_addr - next hop and rest for a parsed address; 0, or 1 for
 * an Internet address a gateway sends by SMTP (rest is the address, next
 * ""), or -1 no route.  A first hop that is not a neighbour (or a domain)
 * is looked up in the "route-index" file (uuroute -o) when one is
 * configured. */
static int
rmail_route_addr(const struct rmail *m, const struct mailaddr *a, char *next, char *rest)
{
	static struct rindex ri;
	static int ri_state;	/* 0 not tried, 1 open, -1 none */
	const char *file = conf_get(&m->conf, "route-index");
	char addr[MAILADDR_MAX], path[MAILADDR_MAX], fpath[PATH_MAX], *bang;

	if (a->nhops > 0 && rmail_is_neighbour(m, a->hops[0])) {
		str_copy(next, a->hops[0], MAILADDR_HOST_MAX);
		return mailaddr_format(a, 1, rest, MAILADDR_MAX);
	}
	if (file && ri_state == 0) {
		/* a relative name is in the node's directory, like maildir */
		ri_state = (file[0] == '/' ? str_copy(fpath, file, sizeof(fpath)) :
		    path_join(fpath, sizeof(fpath), m->conf.dir, file)) == 0 &&
		    rindex_open(&ri, fpath) == 0 ? 1 : -1;
		if (ri_state < 0)
			log_warnx("route-index %s: unreadable or damaged: not used", file);
	}
	if (ri_state > 0 && mailaddr_format(a, 0, addr, sizeof(addr)) == 0 &&
	    rindex_route(&ri, addr, path, sizeof(path)) == 0 &&
	    (bang = strchr(path, '!')) != NULL) {
		*bang = '\0';
		/* "route-hop-by-hop yes": the next hop gets the address as it
		 * came and chooses the rest of the way by its own index */
		if (mailaddr_host_is_valid(path) && rmail_is_neighbour(m, path) &&
		    str_copy(next, path, MAILADDR_HOST_MAX) == 0)
			return str_copy(rest, conf_get(&m->conf, "route-hop-by-hop") &&
			    !strcmp(conf_get(&m->conf, "route-hop-by-hop"), "yes") ?
			    addr : bang + 1, MAILADDR_MAX) == 0 ? 0 : -1;
	}
	if (m->gateway && a->nhops == 0 && strchr(a->user, '@')) {
		next[0] = '\0';
		return str_copy(rest, a->user, MAILADDR_MAX) == 0 ? 1 : -1;
	}
	if (!m->smarthost)
		return -1;
	str_copy(next, m->smarthost, MAILADDR_HOST_MAX);
	return mailaddr_format(a, 0, rest, MAILADDR_MAX);
}

/* rmail_route - decide where one recipient goes (or why it cannot) */
static void
rmail_route(struct rmail *m, struct rmail_rcpt *r)
{
	struct mailaddr a;
	char err[256];

	if (mailaddr_parse(&m->ctx, r->arg, MAILADDR_BANG_FIRST, &a, err, sizeof(err)) < 0) {
		rmail_perm(r, EX_DATAERR, err);
		return;
	}
	if (mailaddr_is_local(&a)) {
		if (!mailaddr_user_is_valid(a.user))
			rmail_perm(r, EX_NOUSER, "not a valid local user name");
		else if (!rmail_user_exists(m, a.user))
			rmail_perm(r, EX_NOUSER, "no such user");
		else
			str_copy(r->rest, a.user, sizeof(r->rest));
		return;
	}
	switch (rmail_route_addr(m, &a, r->next, r->rest)) {
	case 1:
		r->smtp = 1;
		break;
	case -1:
		rmail_perm(r, EX_NOHOST, "no route to host");
		break;
	}
}

/* rmail_spool - open the spool on first use */
static struct spool *
rmail_spool(struct rmail *m)
{
	char err[256];

	if (!m->sp && !(m->sp = spool_open(m->conf.spool, m->conf.nodename, m->conf.lockdir,
	    err, sizeof(err))))
		log_warnx("cannot open spool: %s", err);
	return m->sp;
}

/* rmail_queue - queue "rmail args..." on sys with data as stdin; 0 or -1 */
static int
rmail_queue(struct rmail *m, const char *sys, char *const *args, size_t nargs,
    const char *data, size_t len, char *jobid, char *err, size_t errlen)
{
	struct uuxq_req req;

	if (!rmail_spool(m))
		return str_copy(err, "cannot open the spool", errlen), -1;
	memset(&req, 0, sizeof(req));
	req.sys = sys;
	req.command = "rmail";
	req.args = args;
	req.nargs = nargs;
	req.user = "uucp";
	req.notify = UUXQ_NOTIFY_NEVER;
	req.stdin_fd = -1;
	req.stdin_data = data;
	req.stdin_len = len;
	return uuxq_queue(m->sp, &m->conf, &req, jobid, err, errlen);
}

/* rmail_forward_msg - "From RP date remote from ME" + body (malloc'd) */
static char *
rmail_forward_msg(const struct rmail *m, const char *sender, const char *body, size_t blen,
    size_t *lenp)
{
	char line[MAILADDR_MAX + 256], *out;
	size_t ll;

	if (mailmsg_from_line(line, sizeof(line), sender, m->fdate, m->conf.nodename) < 0)
		return NULL;
	ll = strlen(line);
	if (!(out = malloc(ll + blen + 1)))
		return NULL;
	memcpy(out, line, ll);
	memcpy(out + ll, body, blen);
	out[ll + blen] = '\0';
	*lenp = ll + blen;
	return out;
}

/* rmail_forward_group - queue every routed recipient for hop as one job */
static void
rmail_forward_group(struct rmail *m, const char *hop, const char *fwd, size_t flen)
{
	char **args, err[256], job[SPOOL_ID_MAX] = "";
	size_t i, n = 0;
	int r;

	if (!(args = calloc(m->nrc, sizeof(*args))))
		return;
	for (i = 0; i < m->nrc; i++)
		if (m->rc[i].status == RMAIL_OK && !m->rc[i].how[0] && !strcmp(m->rc[i].next, hop))
			args[n++] = m->rc[i].rest;
	r = rmail_queue(m, hop, args, n, fwd, flen, job, err, sizeof(err));
	for (i = 0; i < m->nrc; i++) {
		struct rmail_rcpt *rc = &m->rc[i];

		if (rc->status != RMAIL_OK || rc->how[0] || strcmp(rc->next, hop))
			continue;
		if (r < 0)
			rmail_temp(rc, err);
		else
			(void)str_fmt(rc->how, sizeof(rc->how), "relay=%s job=%s", hop, job);
	}
	free(args);
}

/* rmail_deliver_local - append the body to user's mailbox */
static int
rmail_deliver_local(struct rmail *m, const char *user, const char *sender, const char *body,
    size_t blen, char *err, size_t errlen)
{
	char path[PATH_MAX], line[MAILADDR_MAX + 128];

	if (mkdir_p(m->maildir, 0755) < 0) {
		(void)str_fmt(err, errlen, "cannot create %s: %s", m->maildir, strerror(errno));
		return MBOX_TEMP;
	}
	if ((user ? mbox_path(path, sizeof(path), m->maildir, user) :
	    path_join(path, sizeof(path), m->maildir, RMAIL_DEAD_LETTER)) < 0) {
		str_copy(err, "bad mailbox name", errlen);
		return MBOX_PERM;
	}
	if (mailmsg_from_line(line, sizeof(line), sender, m->fdate, NULL) < 0) {
		str_copy(err, "sender too long", errlen);
		return MBOX_PERM;
	}
	return mbox_append(path, line, body, blen, err, errlen);
}

/* rmail_smtp_find - the uusmtp program: "smtp-client" in the config
 * (an absolute path), else the one installed beside rmail; 0 or -1 */
static int
rmail_smtp_find(const struct rmail *m, char *out, size_t outlen)
{
	const char *v = conf_get(&m->conf, "smtp-client");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (v)
		return v[0] == '/' ? str_copy(out, v, outlen) : -1;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self) - 1)
		return -1;
	self[n] = '\0';
	if (!(slash = strrchr(self, '/')))
		return -1;
	*slash = '\0';
	return path_join(out, outlen, self[0] ? self : "/", "uusmtp");
}

/* rmail_smtp_run - run "uusmtp -I config -f from -- rcpt..." with data on
 * its stdin; its exit status, or EX_TEMPFAIL when it could not be started
 * or did not exit by itself */
static int
rmail_smtp_run(const struct rmail *m, char **rcpts, size_t n, const char *from,
    const char *data, size_t len)
{
	extern char **environ;
	char prog[PATH_MAX], **argv;
	int fds[2] = { -1, -1 }, st, ex = EX_TEMPFAIL;
	pid_t pid;
	size_t i;

	if (rmail_smtp_find(m, prog, sizeof(prog)) < 0) {
		log_warnx("uusmtp not found: set smtp-client to its absolute path");
		return EX_TEMPFAIL;
	}
	if (!(argv = calloc(n + 8, sizeof(*argv))))
		return EX_TEMPFAIL;
	argv[0] = "uusmtp";
	argv[1] = "-I";
	argv[2] = (char *)m->conf.path;
	argv[3] = "-f";
	argv[4] = (char *)from;
	argv[5] = "--";
	for (i = 0; i < n; i++)
		argv[6 + i] = rcpts[i];
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		log_warn("cannot start %s", prog);
		goto out;
	}
	if (pid == 0) {
		if (dup2(fds[0], 0) < 0)
			_exit(EX_OSERR);
		close(fds[0]);
		close(fds[1]);
		execve(prog, argv, environ);
		_exit(EX_TEMPFAIL);
	}
	close(fds[0]);
	fds[0] = -1;
	if (write_all(fds[1], data, len) < 0)
		log_warn("writing the message to %s", prog);	/* its status tells */
	close(fds[1]);
	fds[1] = -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			goto out;
	if (WIFEXITED(st))
		ex = WEXITSTATUS(st);
	else
		log_warnx("%s killed by signal %d", prog, WTERMSIG(st));
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(argv);
	return ex;
}

/* rmail_deliver_smtp - hand every Internet recipient to one uusmtp run:
 * 0 sent or queued there, 65 refused for good, anything else try again */
static void
rmail_deliver_smtp(struct rmail *m)
{
	char **rcpts, why[64];
	size_t i, n = 0;
	int ex = EX_TEMPFAIL;

	if (!(rcpts = calloc(m->nrc, sizeof(*rcpts))))
		goto mark;
	for (i = 0; i < m->nrc; i++)
		if (m->rc[i].status == RMAIL_OK && m->rc[i].smtp)
			rcpts[n++] = m->rc[i].rest;
	if (n == 0)
		goto done;
	ex = rmail_smtp_run(m, rcpts, n, m->rp, m->body, m->bodylen);
mark:
	(void)str_fmt(why, sizeof(why), "uusmtp exit %d", ex);
	for (i = 0; i < m->nrc; i++) {
		struct rmail_rcpt *rc = &m->rc[i];

		if (rc->status != RMAIL_OK || !rc->smtp)
			continue;
		if (ex == EX_OK)
			str_copy(rc->how, "smtp=uusmtp", sizeof(rc->how));
		else if (ex == EX_DATAERR)
			rmail_perm(rc, EX_DATAERR, "return path or address refused by uusmtp");
		else
			rmail_temp(rc, why);
	}
done:
	free(rcpts);
}

/* rmail_deliver - deliver every recipient that has a route */
static void
rmail_deliver(struct rmail *m)
{
	char err[256], *fwd = NULL;
	size_t i, flen = 0;
	int r;

	for (i = 0; i < m->nrc; i++) {
		struct rmail_rcpt *rc = &m->rc[i];

		if (rc->status != RMAIL_OK || rc->next[0] || rc->smtp)
			continue;
		r = rmail_deliver_local(m, rc->rest, m->rp, m->body, m->bodylen, err, sizeof(err));
		if (r == MBOX_OK)
			str_copy(rc->how, "mailbox", sizeof(rc->how));
		else if (r == MBOX_TEMP)
			rmail_temp(rc, err);
		else
			rmail_perm(rc, EX_CANTCREAT, err);
	}
	rmail_deliver_smtp(m);
	for (i = 0; i < m->nrc; i++) {
		if (m->rc[i].status != RMAIL_OK || m->rc[i].how[0] || m->rc[i].smtp)
			continue;
		if (!fwd && !(fwd = rmail_forward_msg(m, m->rp, m->body, m->bodylen, &flen))) {
			rmail_temp(&m->rc[i], "out of memory");
			continue;
		}
		rmail_forward_group(m, m->rc[i].next, fwd, flen);
	}
	free(fwd);
}

/* rmail_bounce_send - send a built bounce along the return path, or to the
 * dead-letter file when there is no way back; RMAIL_OK or RMAIL_TEMP */
static int
rmail_bounce_send(struct rmail *m, const char *msg, size_t len)
{
	struct mailaddr a;
	char err[256], next[MAILADDR_HOST_MAX], rest[MAILADDR_MAX], job[SPOOL_ID_MAX], *fwd;
	char *args[1] = { rest };
	size_t flen;
	int r, how = -1;

	if (mailaddr_parse(&m->ctx, m->rp, MAILADDR_BANG_FIRST, &a, err, sizeof(err)) == 0) {
		if (mailaddr_is_local(&a) && rmail_user_exists(m, a.user)) {
			r = rmail_deliver_local(m, a.user, "MAILER-DAEMON", msg, len, err, sizeof(err));
			if (r == MBOX_OK)
				return log_info("bounce to=%s status=sent mailbox", m->rp), RMAIL_OK;
		} else if (!mailaddr_is_local(&a) &&
		    (how = rmail_route_addr(m, &a, next, rest)) == 1) {
			/* an Internet sender of a gateway: by SMTP, from <> */
			if (rmail_smtp_run(m, args, 1, "", msg, len) == EX_OK)
				return log_info("bounce to=%s status=sent smtp=uusmtp", m->rp),
				    RMAIL_OK;
			log_warnx("bounce to=%s status=deferred: uusmtp failed", m->rp);
			return RMAIL_TEMP;
		} else if (how == 0) {
			if (!(fwd = rmail_forward_msg(m, "MAILER-DAEMON", msg, len, &flen)))
				return RMAIL_TEMP;
			r = rmail_queue(m, next, args, 1, fwd, flen, job, err, sizeof(err));
			free(fwd);
			if (r == 0)
				return log_info("bounce to=%s status=sent relay=%s job=%s", m->rp, next,
				    job), RMAIL_OK;
			log_warnx("bounce to=%s status=deferred: %s", m->rp, err);
			return RMAIL_TEMP;
		}
	}
	log_warnx("bounce to=%s: no way back, kept in %s", m->rp, RMAIL_DEAD_LETTER);
	r = rmail_deliver_local(m, NULL, "MAILER-DAEMON", msg, len, err, sizeof(err));
	return r == MBOX_OK ? RMAIL_OK : RMAIL_TEMP;
}

/* rmail_bounce - tell the sender about permanent failures, or keep the
 * message as a dead letter for a null sender; RMAIL_OK or RMAIL_TEMP */
static int
rmail_bounce(struct rmail *m)
{
	const char **rcpts, **reasons;
	struct mailmsg_bounce b;
	char *msg, err[256];
	size_t i, n = 0, len;
	int r;

	for (i = 0; i < m->nrc; i++)
		n += m->rc[i].status == RMAIL_PERM;
	if (n == 0)
		return RMAIL_OK;
	if (mailaddr_is_null_sender(m->rp)) {
		log_warnx("from=%s: null sender, message kept in %s", m->rp[0] ? m->rp : "<>",
		    RMAIL_DEAD_LETTER);
		r = rmail_deliver_local(m, NULL, m->rp, m->body, m->bodylen, err, sizeof(err));
		return r == MBOX_OK ? RMAIL_OK : RMAIL_TEMP;
	}
	rcpts = calloc(n, sizeof(*rcpts));
	reasons = calloc(n, sizeof(*reasons));
	if (!rcpts || !reasons) {
		free(rcpts);
		free(reasons);
		return RMAIL_TEMP;
	}
	for (i = 0, n = 0; i < m->nrc; i++)
		if (m->rc[i].status == RMAIL_PERM) {
			rcpts[n] = m->rc[i].arg;
			reasons[n++] = m->rc[i].reason;
		}
	memset(&b, 0, sizeof(b));
	b.me = m->conf.nodename;
	b.to = m->rp;
	b.date = m->date;
	b.rcpts = rcpts;
	b.reasons = reasons;
	b.n = n;
	b.headers = m->body;
	b.headers_len = mailmsg_header_len(m->body, m->bodylen);
	msg = mailmsg_bounce(&b, &len);
	r = msg ? rmail_bounce_send(m, msg, len) : RMAIL_TEMP;
	free(msg);
	free(rcpts);
	free(reasons);
	return r;
}

/* rmail_requeue - after a partial delivery, queue the recipients that
 * failed for now as a new rmail on this node; 0 or -1 */
static int
rmail_requeue(struct rmail *m)
{
	char **args, err[256], job[SPOOL_ID_MAX];
	size_t i, n = 0;
	int r;

	if (!(args = calloc(m->nrc, sizeof(*args))))
		return -1;
	for (i = 0; i < m->nrc; i++)
		if (m->rc[i].status == RMAIL_TEMP)
			args[n++] = (char *)m->rc[i].arg;
	r = rmail_queue(m, m->conf.nodename, args, n, m->in, m->inlen, job, err, sizeof(err));
	free(args);
	if (r < 0) {
		log_warnx("cannot queue the deferred recipients again: %s", err);
		return -1;
	}
	for (i = 0; i < m->nrc; i++)
		if (m->rc[i].status == RMAIL_TEMP)
			(void)str_fmt(m->rc[i].how, sizeof(m->rc[i].how), "requeued job=%s", job);
	return 0;
}

/* rmail_log - one line per recipient with its outcome */
static void
rmail_log(const struct rmail *m)
{
	const char *rp = m->rp[0] ? m->rp : "<>";
	size_t i;

	for (i = 0; i < m->nrc; i++) {
		const struct rmail_rcpt *rc = &m->rc[i];

		if (rc->status == RMAIL_OK)
			log_info("from=%s to=%s status=sent %s", rp, rc->arg, rc->how);
		else if (rc->status == RMAIL_TEMP)
			log_warnx("from=%s to=%s status=deferred %s: %s", rp, rc->arg, rc->how,
			    rc->reason);
		else
			log_warnx("from=%s to=%s status=bounced ex=%d: %s", rp, rc->arg, rc->ex,
			    rc->reason);
	}
}

/* rmail_exit_code - the exit status: EX_TEMPFAIL when anything is still
 * to be done by a retry, else the first permanent failure's code, else 0 */
static int
rmail_exit_code(struct rmail *m, int bounce)
{
	size_t i, ok = 0, temp = 0;
	int ex = EX_OK;

	for (i = 0; i < m->nrc; i++) {
		ok += m->rc[i].status == RMAIL_OK;
		temp += m->rc[i].status == RMAIL_TEMP;
		if (m->rc[i].status == RMAIL_PERM && ex == EX_OK)
			ex = m->rc[i].ex;
	}
	if (temp && ok + (ex != EX_OK) > 0 && bounce == RMAIL_OK && rmail_requeue(m) == 0)
		temp = 0;
	if (temp || bounce != RMAIL_OK)
		return EX_TEMPFAIL;
	return ex;
}

/* rmail_check_all - message-wide checks: size and hop count */
static void
rmail_check_all(struct rmail *m)
{
	char why[128];
	size_t i, hops;
	int ex = 0;

	if (m->oversize) {
		(void)str_fmt(why, sizeof(why), "message larger than %zu bytes", m->max_size);
		ex = EX_DATAERR;
	} else if ((hops = mailmsg_count_received(m->body, m->bodylen)) > (size_t)m->max_hops + 1) {
		(void)str_fmt(why, sizeof(why), "too many hops (%zu Received: fields, limit %ld)",
		    hops - 1, m->max_hops);
		ex = EX_UNAVAILABLE;
	}
	for (i = 0; ex && i < m->nrc; i++)
		rmail_perm(&m->rc[i], ex, why);
}

/* rmail_free - release what main built */
static void
rmail_free(struct rmail *m)
{
	if (m->sp)
		spool_close(m->sp);
	free(m->in);
	free(m->body);
	free(m->rc);
	hdb_free(&m->hdb);
	conf_free(&m->conf);
}

int
main(int argc, char **argv)
{
	struct rmail m;
	const char *config = NULL;
	size_t i;
	int c, ex = EX_TEMPFAIL;

	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	memset(&m, 0, sizeof(m));
	while ((c = getopt(argc, argv, "I:")) != -1) {
		if (c == 'I')
			config = optarg;
		else
			rmail_usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > RMAIL_RCPT_MAX)
		rmail_usage();
	if (rmail_config(&m, config) < 0 || !(m.rc = calloc((size_t)argc, sizeof(*m.rc))))
		goto out;
	m.nrc = (size_t)argc;
	for (i = 0; i < m.nrc; i++)
		m.rc[i].arg = argv[i];
	if (rmail_read(&m) < 0) {
		log_warn("cannot read the message");
		goto out;
	}
	if (rmail_prepare(&m) < 0) {
		for (i = 0; i < m.nrc; i++)
			log_warnx("from=? to=%s status=refused: bad From_ line", m.rc[i].arg);
		ex = EX_DATAERR;
		goto out;
	}
	rmail_check_all(&m);
	for (i = 0; i < m.nrc; i++)
		if (m.rc[i].status == RMAIL_OK)
			rmail_route(&m, &m.rc[i]);
	rmail_deliver(&m);
	ex = rmail_exit_code(&m, rmail_bounce(&m));
	rmail_log(&m);
out:
	rmail_free(&m);
	return ex;
}
