/*
 * uusmtp.c - mail from the UUCP world out to the Internet: rmail on the
 * gateway node hands a message here, and it goes by SMTP to the
 * configured smarthost.
 *
 *   uusmtp [-I config] [-Q] -f RETURN-PATH recipient... < message
 *   uusmtp [-I config] -q
 *
 * The first form puts the message into the deferred queue SPOOL/.smtpq
 * (ID.msg, then ID.env as the commit point, both written atomically) and,
 * unless -Q, tries it at once; exit 0 means it is durable (see
 * gateway/smtpout.h for the codes).  The second retries every entry whose
 * retry time (the mtime of ID.env) has come, and bounces what is older
 * than smtp-queue-lifetime.  A recipient refused with 5xx is bounced at
 * once: the bounce becomes an rmail job on this node addressed to the
 * bang return path, so it travels back through the UUCP world like any
 * other mail; a null sender is never bounced to.
 *
 * Trust: the return path, the recipients and the message come from a
 * remote system through rmail and are hostile: bounded, checked with the
 * address module, never passed to a shell.  Queue files are our own; a
 * damaged one is moved aside into SPOOL/.smtpq/.corrupt, never deleted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "gateway/mailaddr.h"
#include "gateway/smtpout.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "uux/uuxq.h"

#define UUSMTP_MSG_MAX (64L << 20)
#define UUSMTP_RCPT_MAX 1000

struct uusmtp {
	struct conf conf;
	struct smtpout_conf oc;
	struct mailaddr_ctx ctx;
	struct spool *sp;
	char qdir[PATH_MAX];
};

/* An entry of the deferred queue, as ID.env holds it. */
struct uusmtp_entry {
	char id[64];
	char from[MAILADDR_MAX];	/* SMTP reverse-path */
	char bang[MAILADDR_MAX];	/* the bang return path, for bounces */
	long long created;
	struct smtpout_rcpt rcpt[UUSMTP_RCPT_MAX];
	char *addr[UUSMTP_RCPT_MAX];
	size_t n;
};

/* uusmtp_usage - how to call */
static void __attribute__((noreturn))
uusmtp_usage(void)
{
	fprintf(stderr, "usage: uusmtp [-I config] [-Q] -f return-path recipient... < message\n"
	    "       uusmtp [-I config] -q\n");
	exit(EX_USAGE);
}

/* uusmtp_addr_ok - a forward-path we are willing to send: printable, no
 * spaces or angle brackets, one '@' with something on both sides */
static int
uusmtp_addr_ok(const char *a)
{
	const char *at = strrchr(a, '@'), *p;

	if (!at || at == a || !at[1] || strlen(a) >= MAILADDR_MAX)
		return 0;
	for (p = a; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '<' || *p == '>')
			return 0;
	return 1;
}

/* uusmtp_path - ID.ext in the queue */
static int
uusmtp_path(const struct uusmtp *u, const char *id, const char *ext, char *dst, size_t n)
{
	return str_fmt(dst, n, "%s/%s.%s", u->qdir, id, ext);
}

/* uusmtp_env_write - write e's envelope (the commit point) with its retry time */
static int
uusmtp_env_write(const struct uusmtp *u, const struct uusmtp_entry *e, time_t retry_at)
{
	char path[PATH_MAX], *text;
	size_t i, cap = 4096 + e->n * (MAILADDR_MAX + 8), o;
	struct timeval tv[2] = { { retry_at, 0 }, { retry_at, 0 } };
	int rc = -1;

	text = malloc(cap);
	if (!text || uusmtp_path(u, e->id, "env", path, sizeof(path)) < 0)
		goto out;
	o = (size_t)snprintf(text, cap, "from %s\nbang %s\ncreated %lld\n", e->from, e->bang,
	    e->created);
	for (i = 0; i < e->n; i++)
		if (e->rcpt[i].status == SMTPOUT_TEMP)
			o += (size_t)snprintf(text + o, cap - o, "rcpt %s\n", e->rcpt[i].addr);
	if (file_write_atomic(path, text, o, 0600) < 0 || utimes(path, tv) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	return rc;
}

/* uusmtp_env_parse - read an envelope's text into e (pure) */
static int
uusmtp_env_parse(char *text, struct uusmtp_entry *e)
{
	char *line, *save = NULL;

	e->n = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "from ", 5) || !strcmp(line, "from"))
			str_copy(e->from, line[4] ? line + 5 : "", sizeof(e->from));
		else if (!strncmp(line, "bang ", 5) || !strcmp(line, "bang"))
			str_copy(e->bang, line[4] ? line + 5 : "", sizeof(e->bang));
		else if (!strncmp(line, "created ", 8))
			e->created = atoll(line + 8);
		else if (!strncmp(line, "rcpt ", 5) && e->n < UUSMTP_RCPT_MAX &&
		    uusmtp_addr_ok(line + 5)) {
			e->addr[e->n] = line + 5;
			e->rcpt[e->n].addr = line + 5;
			e->rcpt[e->n].status = SMTPOUT_TEMP;
			e->n++;
		} else
			return -1;
	}
	return e->n > 0 && e->created > 0 ? 0 : -1;
}

/* uusmtp_bounce - tell the sender about the recipients that failed for
 * good, as an rmail job on this node; 0 also when there is nobody to tell */
static int
uusmtp_bounce(struct uusmtp *u, const struct uusmtp_entry *e, const char *msg, size_t len,
    int status)
{
	char *text, date[64], fdate[64], err[256], *args[1];
	struct uuxq_req req = { 0 };
	size_t cap = len + 4096 + e->n * 600, o, i;
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	if (mailaddr_is_null_sender(e->bang) || !e->bang[0]) {
		log_warnx("smtp-out id=%s: undeliverable mail from the null sender: dropped", e->id);
		return 0;
	}
	if (!(text = malloc(cap)))
		return -1;
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	strftime(fdate, sizeof(fdate), "%a %b %e %H:%M:%S %Y", &tm);
	o = (size_t)snprintf(text, cap, "From MAILER-DAEMON %s\nFrom: Mail Delivery System "
	    "<MAILER-DAEMON@%s>\nTo: %s\nSubject: Undelivered Mail Returned to Sender\n"
	    "Date: %s\nAuto-Submitted: auto-replied\n\nThe mail gateway %s could not deliver "
	    "your message to these recipients:\n\n", fdate, u->oc.helo, e->from[0] ? e->from :
	    e->bang, date, u->oc.helo);
	for (i = 0; i < e->n; i++)
		if (e->rcpt[i].status == status)
			o += (size_t)snprintf(text + o, cap - o, "<%s>: %s\n", e->rcpt[i].addr,
			    e->rcpt[i].reply);
	o += (size_t)snprintf(text + o, cap - o, "\n--- The original message ---\n\n");
	memcpy(text + o, msg, len);
	args[0] = (char *)e->bang;
	req.sys = u->conf.nodename;
	req.command = "rmail";
	req.args = args;
	req.nargs = 1;
	req.user = "uucp";
	req.notify = UUXQ_NOTIFY_NEVER;
	req.stdin_fd = -1;
	req.stdin_data = text;
	req.stdin_len = o + len;
	rc = uuxq_queue(u->sp, &u->conf, &req, NULL, err, sizeof(err));
	if (rc < 0)
		log_warnx("smtp-out id=%s: cannot queue the bounce: %s", e->id, err);
	else
		log_info("smtp-out id=%s: bounced to %s", e->id, e->bang);
	free(text);
	return rc;
}

/* uusmtp_quarantine - move a damaged entry aside */
static void
uusmtp_quarantine(struct uusmtp *u, const char *id)
{
	char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	static const char *ext[] = { "env", "msg" };
	size_t i;

	if (path_join(dir, sizeof(dir), u->qdir, ".corrupt") < 0 || mkdir_p(dir, 0700) < 0)
		return;
	for (i = 0; i < 2; i++)
		if (uusmtp_path(u, id, ext[i], from, sizeof(from)) == 0 &&
		    str_fmt(to, sizeof(to), "%s/%s.%s", dir, id, ext[i]) == 0)
			rename(from, to);
	log_warnx("smtp-out id=%s: damaged queue entry moved to .corrupt", id);
}

/* uusmtp_log_results - one line per recipient decided in this attempt */
static void
uusmtp_log_results(const struct uusmtp *u, const struct uusmtp_entry *e)
{
	static const char *what[] = { "sent", "deferred", "bounced" };
	size_t i;

	for (i = 0; i < e->n; i++)
		log_info("smtp-out id=%s to=<%s> relay=%s:%s status=%s reply=%s", e->id,
		    e->rcpt[i].addr, u->oc.host, u->oc.port, what[e->rcpt[i].status],
		    e->rcpt[i].reply);
}

/* uusmtp_finish - after an attempt: bounce, keep or remove the entry */
static int
uusmtp_finish(struct uusmtp *u, struct uusmtp_entry *e, const char *msg, size_t len,
    size_t left, int expired)
{
	char envp[PATH_MAX], msgp[PATH_MAX];
	size_t i;

	if (expired && left > 0) {
		for (i = 0; i < e->n; i++)
			if (e->rcpt[i].status == SMTPOUT_TEMP) {
				e->rcpt[i].status = SMTPOUT_PERM;
				str_fmt(e->rcpt[i].reply, sizeof(e->rcpt[i].reply),
				    "queue lifetime expired; last: %.200s", e->rcpt[i].reply);
			}
		left = 0;
	}
	uusmtp_log_results(u, e);
	for (i = 0; i < e->n; i++)
		if (e->rcpt[i].status == SMTPOUT_PERM)
			break;
	if (i < e->n && uusmtp_bounce(u, e, msg, len, SMTPOUT_PERM) < 0)
		return -1;	/* keep it all; the next run tries again */
	if (left > 0)
		return uusmtp_env_write(u, e, time(NULL) + u->oc.retry);
	if (uusmtp_path(u, e->id, "env", envp, sizeof(envp)) < 0 ||
	    uusmtp_path(u, e->id, "msg", msgp, sizeof(msgp)) < 0)
		return -1;
	unlink(envp);
	unlink(msgp);
	return 0;
}

/* uusmtp_try - one attempt at queue entry id (skipped when locked) */
static int
uusmtp_try(struct uusmtp *u, const char *id)
{
	struct uusmtp_entry *e = calloc(1, sizeof(*e));
	char envp[PATH_MAX], msgp[PATH_MAX], *env = NULL, *msg = NULL;
	size_t envlen, msglen, left;
	int fd = -1, rc = -1, expired;

	if (!e || str_copy(e->id, id, sizeof(e->id)) < 0 ||
	    uusmtp_path(u, id, "env", envp, sizeof(envp)) < 0 ||
	    uusmtp_path(u, id, "msg", msgp, sizeof(msgp)) < 0)
		goto out;
	fd = open(envp, O_RDONLY);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		goto out;
	env = file_read(envp, 1 << 20, &envlen);
	msg = file_read(msgp, (size_t)UUSMTP_MSG_MAX, &msglen);
	if (!env || !msg || uusmtp_env_parse(env, e) < 0) {
		if (env || msg)
			uusmtp_quarantine(u, id);
		goto out;
	}
	expired = (long long)time(NULL) - e->created > u->oc.lifetime;
	left = smtpout_send(&u->oc, e->from, e->rcpt, e->n, msg, msglen);
	rc = uusmtp_finish(u, e, msg, msglen, left, expired);
out:
	if (fd >= 0)
		close(fd);
	free(env);
	free(msg);
	free(e);
	return rc;
}

/* uusmtp_run_queue - try every entry that is due */
static int
uusmtp_run_queue(struct uusmtp *u)
{
	DIR *d = opendir(u->qdir);
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX], id[64];
	size_t l;
	time_t now = time(NULL);

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		l = strlen(de->d_name);
		if (l < 5 || l - 4 >= sizeof(id) || strcmp(de->d_name + l - 4, ".env") != 0 ||
		    de->d_name[0] == '.')
			continue;
		memcpy(id, de->d_name, l - 4);
		id[l - 4] = '\0';
		if (path_join(path, sizeof(path), u->qdir, de->d_name) < 0 ||
		    stat(path, &st) < 0 || st.st_mtime > now)
			continue;
		(void)uusmtp_try(u, id);
	}
	closedir(d);
	return 0;
}

/* uusmtp_read_msg - stdin without its leading From_ lines, with our
 * Received: field in front; malloc'd */
static char *
uusmtp_read_msg(struct uusmtp *u, const char *id, size_t *lenp)
{
	size_t cap = 1 << 16, len, skip = 0, o;
	char *buf = malloc(cap), *nb, *nl, date[64];
	time_t t = time(NULL);
	struct tm tm;
	ssize_t n;

	if (!buf)
		return NULL;
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	o = (size_t)snprintf(buf, cap, "Received: by %s (Brigade uusmtp) id %s;\n\t%s\n",
	    u->oc.helo, id, date);
	len = o;
	for (;;) {
		if (len == cap) {
			if (cap >= (size_t)UUSMTP_MSG_MAX || !(nb = realloc(buf, cap * 2)))
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(0, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	while (o + skip + 5 <= len && (!strncmp(buf + o + skip, "From ", 5) ||
	    !strncmp(buf + o + skip, ">From ", 6)) &&
	    (nl = memchr(buf + o + skip, '\n', len - o - skip)))
		skip = (size_t)(nl + 1 - (buf + o));
	memmove(buf + o, buf + o + skip, len - o - skip);
	*lenp = len - skip;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* uusmtp_submit - queue a new message, then try it unless queue_only */
static int
uusmtp_submit(struct uusmtp *u, const char *rp, char **rcpts, int n, int queue_only)
{
	struct uusmtp_entry *e = calloc(1, sizeof(*e));
	char msgp[PATH_MAX], err[256], *msg = NULL;
	static unsigned seq;
	size_t len;
	int i, ex = EX_TEMPFAIL;

	if (!e)
		return EX_TEMPFAIL;
	str_fmt(e->id, sizeof(e->id), "%lld-%ld-%u", (long long)time(NULL), (long)getpid(), seq++);
	e->created = (long long)time(NULL);
	str_copy(e->bang, rp, sizeof(e->bang));
	if (mailaddr_rp_to_smtp(&u->ctx, rp, u->oc.rp_style, e->from, sizeof(e->from), err,
	    sizeof(err)) < 0) {
		log_warnx("smtp-out: return path \"%s\": %s", rp, err);
		ex = EX_DATAERR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!uusmtp_addr_ok(rcpts[i]) || e->n >= UUSMTP_RCPT_MAX) {
			log_warnx("smtp-out: bad recipient \"%s\"", rcpts[i]);
			ex = EX_DATAERR;
			goto out;
		}
		e->rcpt[e->n].addr = rcpts[i];
		e->rcpt[e->n++].status = SMTPOUT_TEMP;
	}
	if (mkdir_p(u->qdir, 0700) < 0 || !(msg = uusmtp_read_msg(u, e->id, &len)) ||
	    uusmtp_path(u, e->id, "msg", msgp, sizeof(msgp)) < 0 ||
	    file_write_atomic(msgp, msg, len, 0600) < 0)
		goto out;
	if (uusmtp_env_write(u, e, time(NULL)) < 0) {
		unlink(msgp);
		goto out;
	}
	log_info("smtp-out id=%s from=<%s> nrcpt=%zu: queued", e->id, e->from, e->n);
	ex = 0;
	if (!queue_only)
		(void)uusmtp_try(u, e->id);
out:
	free(msg);
	free(e);
	return ex;
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *rp = NULL;
	struct uusmtp u;
	char err[512];
	int ch, runq = 0, queue_only = 0, ex;

	while ((ch = getopt(argc, argv, "I:f:qQ")) != -1) {
		switch (ch) {
		case 'I':
			config = optarg;
			break;
		case 'f':
			rp = optarg;
			break;
		case 'q':
			runq = 1;
			break;
		case 'Q':
			queue_only = 1;
			break;
		default:
			uusmtp_usage();
		}
	}
	if (runq ? (rp || optind != argc) : (!rp || optind == argc))
		uusmtp_usage();
	log_init("uusmtp", NULL);
	if (conf_load(&u.conf, config, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return EX_CONFIG;
	}
	log_init("uusmtp", u.conf.logfile);
	if (smtpout_conf_load(&u.oc, &u.conf, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return EX_CONFIG;
	}
	mailaddr_ctx_from_conf(&u.ctx, &u.conf);
	u.sp = spool_open(u.conf.spool, u.conf.nodename, u.conf.lockdir, err, sizeof(err));
	if (!u.sp || path_join(u.qdir, sizeof(u.qdir), u.conf.spool, ".smtpq") < 0) {
		log_warnx("%s", err);
		return EX_TEMPFAIL;
	}
	signal(SIGPIPE, SIG_IGN);
	ex = runq ? (uusmtp_run_queue(&u) < 0 ? EX_TEMPFAIL : 0) :
	    uusmtp_submit(&u, rp, argv + optind, argc - optind, queue_only);
	spool_close(u.sp);
	conf_free(&u.conf);
	return ex;
}
