/*
 * smtpd.c - the SMTP server session of the gateway: verbs, relay
 * control, limits and the hand-over of accepted mail to the UUCP queue.
 * Each verb is a check (which replies with the error) and a proceed
 * step.  Input is hostile (see smtpd.h); the message goes to an unlinked
 * temporary file in the spool, and 250 follows only a successful
 * uuxq_queue of every job (a failure removes the jobs already queued for
 * that message, so the client's retry duplicates nothing).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "gateway/smtpd.h"
#include "lib/log.h"
#include "lib/util.h"
#include "uux/uuxq.h"

/* smtpd_reply - append a reply line to out (dropped if out is full) */
static void __attribute__((format(printf, 2, 3)))
smtpd_reply(struct smtpd_sess *s, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(s->out) - s->outlen;
	int n;

	if (room < 3)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->out + s->outlen, room - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room - 2)
		n = (int)(room - 3);
	s->outlen += (size_t)n;
	s->out[s->outlen++] = '\r';
	s->out[s->outlen++] = '\n';
}

/* smtpd_conf_int - an integer keyword with a default and bounds */
static int
smtpd_conf_int(const struct conf *c, const char *key, long long def, long long min,
    long long max, long long *out, char *err, size_t errlen)
{
	const char *v = conf_get(c, key);
	char *end;

	*out = def;
	if (!v)
		return 0;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno || *end || end == v || *out < min || *out > max) {
		str_fmt(err, errlen, "%s: bad value \"%s\"", key, v);
		return -1;
	}
	return 0;
}

/* smtpd_net_parse - a network in CIDR notation */
int
smtpd_net_parse(const char *s, struct smtpd_net *n)
{
	char buf[64], *slash, *end;
	long p;

	if (str_copy(buf, s, sizeof(buf)) < 0)
		return -1;
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		n->prefix = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		n->prefix = 128;
	} else
		return -1;
	if (slash) {
		p = strtol(slash, &end, 10);
		if (*end || end == slash || p < 0 || p > n->prefix)
			return -1;
		n->prefix = (int)p;
	}
	return 0;
}

/* smtpd_net_match - whether sa lies in n */
int
smtpd_net_match(const struct smtpd_net *n, const struct sockaddr *sa)
{
	const unsigned char *a;
	int bits = n->prefix, i;

	if (!sa || sa->sa_family != n->family)
		return 0;
	if (n->family == AF_INET)
		a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else
		a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != n->addr[i])
			return 0;
	return bits == 0 || ((a[i] ^ n->addr[i]) & (0xff << (8 - bits)) & 0xff) == 0;
}

/* smtpd_conf_load - the server's settings */
int
smtpd_conf_load(struct smtpd_conf *sc, const struct conf *c, const struct hdb *h,
    struct spool *sp, char *err, size_t errlen)
{
	long long v;
	size_t i;

	memset(sc, 0, sizeof(*sc));
	sc->conf = c;
	sc->hdb = h;
	sc->sp = sp;
	mailaddr_ctx_from_conf(&sc->actx, c);
	sc->hostname = conf_get(c, "smtp-hostname");
	if (!sc->hostname)
		sc->hostname = c->nodename;
	sc->passwd = conf_get(c, "smtp-passwd");
	if (sc->passwd) {
		if ((sc->passwd[0] == '/' ? str_copy(sc->passwd_path, sc->passwd,
		    sizeof(sc->passwd_path)) : path_join(sc->passwd_path, sizeof(sc->passwd_path),
		    c->dir, sc->passwd)) < 0) {
			str_fmt(err, errlen, "smtp-passwd: path too long");
			return -1;
		}
		sc->passwd = sc->passwd_path;
	}
	if (smtpd_conf_int(c, "smtp-max-size", 10LL << 20, 1024, 1LL << 40, &sc->max_size, err,
	    errlen) < 0)
		return -1;
	if (smtpd_conf_int(c, "smtp-max-rcpts", 100, 1, 10000, &v, err, errlen) < 0)
		return -1;
	sc->max_rcpts = (size_t)v;
	if (smtpd_conf_int(c, "smtp-max-errors", 10, 1, 1000, &v, err, errlen) < 0)
		return -1;
	sc->max_errors = (int)v;
	if (smtpd_conf_int(c, "smtp-max-noprogress", 20, 1, 1000, &v, err, errlen) < 0)
		return -1;
	sc->max_noprogress = (int)v;
	if (smtpd_conf_int(c, "smtp-timeout", 300, 1, 86400, &v, err, errlen) < 0)
		return -1;
	sc->timeout = (int)v;
	if (smtpd_conf_int(c, "smtp-session-timeout", 1800, 1, 86400, &v, err, errlen) < 0)
		return -1;
	sc->session_timeout = (int)v;
	for (i = 0; i < c->nextra; i++) {
		if (strcmp(c->extra[i].key, "smtp-trust") != 0)
			continue;
		if (sc->ntrust == SMTPD_TRUST_MAX ||
		    smtpd_net_parse(c->extra[i].value, &sc->trust[sc->ntrust]) < 0) {
			str_fmt(err, errlen, "%s:%d: smtp-trust: bad or too many networks",
			    c->path, c->extra[i].line);
			return -1;
		}
		sc->ntrust++;
	}
	return 0;
}

/* smtpd_sess_new - a new session with its greeting */
struct smtpd_sess *
smtpd_sess_new(const struct smtpd_conf *sc, const struct sockaddr *sa)
{
	static const struct smtpd_net lo4 = { AF_INET, { 127 }, 8 };
	static const struct smtpd_net lo6 = { AF_INET6, { [15] = 1 }, 128 };
	struct smtpd_sess *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	s->rcpt = calloc(sc->max_rcpts, sizeof(*s->rcpt));
	if (!s->rcpt) {
		free(s);
		return NULL;
	}
	s->sc = sc;
	smtp_lbuf_init(&s->lb);
	str_copy(s->peer, "unknown", sizeof(s->peer));
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    s->peer, sizeof(s->peer));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    s->peer, sizeof(s->peer));
	s->loopback = smtpd_net_match(&lo4, sa) || smtpd_net_match(&lo6, sa);
	for (i = 0; i < sc->ntrust; i++)
		if (smtpd_net_match(&sc->trust[i], sa))
			s->trusted = 1;
	s->start_ms = s->last_ms = now_ms();
	smtpd_reply(s, "220 %s ESMTP Brigade uusmtpd", sc->hostname);
	log_info("smtp connect from=%s%s", s->peer, s->trusted ? " trusted" : "");
	return s;
}

/* smtpd_txn_reset - forget the transaction in progress */
static void
smtpd_txn_reset(struct smtpd_sess *s)
{
	size_t i;

	for (i = 0; i < s->nrcpt; i++)
		free(s->rcpt[i].arg);
	s->nrcpt = 0;
	s->from[0] = '\0';
	s->body8 = 0;
	if (s->data)
		fclose(s->data);
	s->data = NULL;
	s->data_bytes = 0;
	s->data_bad = 0;
	s->data_err = 0;
	if (s->state != SMTPD_S_GREET)
		s->state = SMTPD_S_READY;
}

/* smtpd_sess_free - end a session */
void
smtpd_sess_free(struct smtpd_sess *s)
{
	if (!s)
		return;
	smtpd_txn_reset(s);
	free(s->rcpt);
	free(s);
}

/* smtpd_sess_eof - the client left */
void
smtpd_sess_eof(struct smtpd_sess *s)
{
	if (s->state == SMTPD_S_DATA)
		log_warnx("smtp from=%s: connection lost during DATA, nothing queued", s->peer);
	smtpd_txn_reset(s);
}

/* smtpd_error - count a client error; too many closes the session */
static void
smtpd_error(struct smtpd_sess *s)
{
	if (++s->errors >= s->sc->max_errors) {
		smtpd_reply(s, "421 4.7.0 %s Too many errors, closing", s->sc->hostname);
		s->closing = 1;
	}
}

/* smtpd_noprogress - count a command that moves no mail */
static void
smtpd_noprogress(struct smtpd_sess *s)
{
	if (++s->noprogress > s->sc->max_noprogress) {
		smtpd_reply(s, "421 4.7.0 %s Too many commands without mail, closing",
		    s->sc->hostname);
		s->closing = 1;
	}
}

/* smtpd_auth_offered - whether AUTH may be used now */
static int
smtpd_auth_offered(const struct smtpd_sess *s)
{
	return s->sc->passwd && (s->tls || s->loopback) && !s->authed;
}

/* smtpd_do_helo - HELO and EHLO */
static void
smtpd_do_helo(struct smtpd_sess *s, const struct smtp_cmd *c)
{
	size_t i;

	for (i = 0; c->arg[i] && i + 1 < sizeof(s->helo); i++)
		s->helo[i] = strchr("()[];\\\"", c->arg[i]) || c->arg[i] == ' ' ? '_' : c->arg[i];
	s->helo[i] = '\0';
	smtpd_txn_reset(s);
	s->state = SMTPD_S_READY;
	s->esmtp = c->verb == SMTP_V_EHLO;
	if (!s->esmtp) {
		smtpd_reply(s, "250 %s", s->sc->hostname);
		return;
	}
	smtpd_reply(s, "250-%s hello %s [%s]", s->sc->hostname, s->helo, s->peer);
	smtpd_reply(s, "250-PIPELINING");
	smtpd_reply(s, "250-SIZE %lld", s->sc->max_size);
	smtpd_reply(s, "250-8BITMIME");
	if (s->sc->tls && !s->tls)
		smtpd_reply(s, "250-STARTTLS");
	if (smtpd_auth_offered(s))
		smtpd_reply(s, "250-AUTH PLAIN LOGIN");
	smtpd_reply(s, "250 ENHANCEDSTATUSCODES");
}

/* smtpd_do_mail - MAIL FROM */
static void
smtpd_do_mail(struct smtpd_sess *s, const struct smtp_cmd *c)
{
	char err[256];

	if (s->state == SMTPD_S_GREET) {
		smtpd_reply(s, "503 5.5.1 Say HELO or EHLO first");
		return smtpd_error(s);
	}
	if (s->state != SMTPD_S_READY) {
		smtpd_reply(s, "503 5.5.1 Nested MAIL command");
		return smtpd_error(s);
	}
	if (c->size > s->sc->max_size) {
		smtpd_reply(s, "552 5.3.4 Message size exceeds fixed limit");
		return smtpd_error(s);
	}
	if (c->path[0] == '\0')
		s->from[0] = '\0';
	else if (mailaddr_rp_from_smtp(&s->sc->actx, c->path, s->from, sizeof(s->from), err,
	    sizeof(err)) < 0) {
		smtpd_reply(s, "553 5.1.7 Bad sender address syntax");
		return smtpd_error(s);
	}
	s->body8 = c->body == SMTP_BODY_8BIT;
	s->state = SMTPD_S_MAIL;
	s->noprogress = 0;
	smtpd_reply(s, "250 2.1.0 Ok");
}

/* smtpd_neighbour - the Systems name of hop, compared without case, or NULL */
static const char *
smtpd_neighbour(const struct hdb *h, const char *hop)
{
	size_t i;

	for (i = 0; h && i < h->nsys; i++)
		if (strcasecmp(h->sys[i].name, hop) == 0)
			return h->sys[i].name;
	return NULL;
}

/* smtpd_is_neighbour - a known neighbour in Systems */
static int
smtpd_is_neighbour(const char *hop, void *arg)
{
	return smtpd_neighbour(arg, hop) != NULL;
}

/* smtpd_route - where a recipient goes: its job's system and argument;
 * 1 accepted, 0 relay denied */
static int
smtpd_route(struct smtpd_sess *s, const char *path, struct mailaddr *a)
{
	const char *at = strrchr(path, '@');

	const char *name;

	if (mailaddr_in_uucp(&s->sc->actx, path, smtpd_is_neighbour, (void *)s->sc->hdb, a)) {
		if (a->nhops > 0 && (name = smtpd_neighbour(s->sc->hdb, a->hops[0])))
			str_copy(a->hops[0], name, sizeof(a->hops[0]));
		return 1;
	}
	if (!s->trusted && !s->authed)
		return 0;
	if (mailaddr_parse(&s->sc->actx, path, MAILADDR_AT_FIRST, a, NULL, 0) < 0)
		return 0;
	/* Internet mail from a trusted client: never through %/! tricks */
	if (strchr(a->user, '@') && at &&
	    (memchr(path, '%', (size_t)(at - path)) || memchr(path, '!', (size_t)(at - path))))
		return 0;
	return 1;
}

/* smtpd_do_rcpt - RCPT TO */
static void
smtpd_do_rcpt(struct smtpd_sess *s, const struct smtp_cmd *c)
{
	struct smtpd_rcpt *r;
	struct mailaddr *a;
	char arg[MAILADDR_MAX];

	if (s->state != SMTPD_S_MAIL && s->state != SMTPD_S_RCPT) {
		smtpd_reply(s, "503 5.5.1 Need MAIL before RCPT");
		return smtpd_error(s);
	}
	if (s->nrcpt >= s->sc->max_rcpts) {
		/* not an error: the client sends DATA, then the rest later */
		smtpd_reply(s, "452 4.5.3 Too many recipients");
		return;
	}
	if (c->path[0] == '\0') {
		smtpd_reply(s, "501 5.1.3 Bad recipient address syntax");
		return smtpd_error(s);
	}
	a = malloc(sizeof(*a));
	if (!a) {
		smtpd_reply(s, "452 4.3.0 Out of memory");
		return;
	}
	if (!smtpd_route(s, c->path, a)) {
		log_info("smtp from=%s rcpt=<%s>: relay denied", s->peer, c->path);
		smtpd_reply(s, "550 5.7.1 <%s>: Relay access denied", c->path);
		free(a);
		return smtpd_error(s);
	}
	r = &s->rcpt[s->nrcpt];
	if (mailaddr_format(a, a->nhops ? 1 : 0, arg, sizeof(arg)) < 0 ||
	    !(r->arg = strdup(arg))) {
		smtpd_reply(s, "550 5.1.3 <%s>: Address too long", c->path);
		free(a);
		return smtpd_error(s);
	}
	str_copy(r->sys, a->nhops ? a->hops[0] : s->sc->conf->nodename, sizeof(r->sys));
	free(a);
	s->nrcpt++;
	s->state = SMTPD_S_RCPT;
	s->noprogress = 0;
	smtpd_reply(s, "250 2.1.5 Ok");
}

/* smtpd_data_open - the temporary file for a message, with its From_
 * line and our Received: field */
static int
smtpd_data_open(struct smtpd_sess *s, char *id, size_t idlen)
{
	char dir[PATH_MAX], path[PATH_MAX], date[64];
	time_t t = time(NULL);
	struct tm tm;
	int fd;

	str_fmt(id, idlen, "%lld%05ld%lu", (long long)t, (long)getpid() % 100000, s->msgs);
	if (path_join(dir, sizeof(dir), spool_dir(s->sc->sp), ".smtpd") < 0 ||
	    mkdir_p(dir, 0700) < 0 || path_join(path, sizeof(path), dir, "msg.XXXXXX") < 0)
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	s->data = fdopen(fd, "w+");
	if (!s->data) {
		close(fd);
		return -1;
	}
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	fprintf(s->data, "From %s %s\n", s->from[0] ? s->from : "MAILER-DAEMON", date);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	fprintf(s->data, "Received: from %s ([%s])\n\tby %s (Brigade uusmtpd) with %s%s%s id %s",
	    s->helo, s->peer, s->sc->hostname, s->esmtp ? "ESMTP" : "SMTP",
	    s->tls ? "S" : "", s->authed ? "A" : "", id);
	fprintf(s->data, ";\n\t%s\n", date);
	return 0;
}

/* smtpd_do_data - DATA */
static void
smtpd_do_data(struct smtpd_sess *s)
{
	char id[64];

	if (s->state != SMTPD_S_RCPT) {
		if (s->state == SMTPD_S_MAIL)
			smtpd_reply(s, "554 5.5.1 No valid recipients");
		else
			smtpd_reply(s, "503 5.5.1 Need RCPT before DATA");
		return smtpd_error(s);
	}
	if (smtpd_data_open(s, id, sizeof(id)) < 0) {
		log_warn("smtp from=%s: cannot open a temporary file", s->peer);
		smtpd_reply(s, "451 4.3.0 Local error, try again later");
		smtpd_txn_reset(s);
		return;
	}
	s->state = SMTPD_S_DATA;
	smtpd_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

/* smtpd_queue_one - one rmail job for the recipients that go to sys */
static int
smtpd_queue_one(struct smtpd_sess *s, const char *sys, char jobid[SPOOL_ID_MAX], char *err,
    size_t errlen)
{
	struct uuxq_req req = { 0 };
	char **args = calloc(s->nrcpt, sizeof(*args));
	size_t i, n = 0;
	int rc;

	if (!args)
		return -1;
	for (i = 0; i < s->nrcpt; i++)
		if (strcmp(s->rcpt[i].sys, sys) == 0)
			args[n++] = s->rcpt[i].arg;
	req.sys = sys;
	req.command = "rmail";
	req.args = args;
	req.nargs = n;
	req.user = "uucp";
	req.notify = UUXQ_NOTIFY_NEVER;
	req.stdin_fd = fileno(s->data);
	rc = lseek(req.stdin_fd, 0, SEEK_SET) == 0 ? uuxq_queue(s->sc->sp, s->sc->conf, &req,
	    jobid, err, errlen) : -1;
	free(args);
	return rc;
}

/* smtpd_queue - every job of the message, all or none */
static int
smtpd_queue(struct smtpd_sess *s, char *err, size_t errlen)
{
	char (*ids)[SPOOL_ID_MAX] = calloc(s->nrcpt, SPOOL_ID_MAX);
	size_t i, j, njobs = 0;
	int rc = -1, saved;

	if (!ids)
		return -1;
	for (i = 0; i < s->nrcpt; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(s->rcpt[j].sys, s->rcpt[i].sys) == 0)
				break;
		if (j < i)
			continue;
		if (smtpd_queue_one(s, s->rcpt[i].sys, ids[njobs], err, errlen) < 0)
			goto out;
		log_info("smtp from=%s sys=%s job=%s: queued rmail", s->peer, s->rcpt[i].sys,
		    ids[njobs]);
		njobs++;
	}
	rc = 0;
out:
	saved = errno;
	if (rc < 0)
		for (i = 0; i < njobs; i++)
			spool_job_kill(s->sc->sp, ids[i], NULL);
	free(ids);
	errno = saved;
	return rc;
}

/* smtpd_data_end - the final dot: check the message and queue it */
static void
smtpd_data_end(struct smtpd_sess *s)
{
	char err[256];

	if (fflush(s->data) != 0 && !s->data_err)
		s->data_err = errno;
	if (s->data_bytes > s->sc->max_size)
		smtpd_reply(s, "552 5.3.4 Message size exceeds fixed limit");
	else if (s->data_bad & SMTP_L_LONG)
		smtpd_reply(s, "500 5.5.2 Message has a line longer than 1000 bytes");
	else if (s->data_bad & SMTP_L_NUL)
		smtpd_reply(s, "554 5.6.0 Message holds a NUL byte");
	else if (s->data_bad & SMTP_L_BARECR)
		smtpd_reply(s, "554 5.6.0 Message holds a bare CR");
	else if (s->data_err)
		smtpd_reply(s, "452 4.3.1 Insufficient system storage");
	else if (smtpd_queue(s, err, sizeof(err)) < 0) {
		log_warnx("smtp from=%s: not queued: %s", s->peer, err);
		if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)
			smtpd_reply(s, "452 4.3.1 Insufficient system storage");
		else
			smtpd_reply(s, "451 4.3.0 Local error in processing");
	} else {
		s->msgs++;
		smtpd_reply(s, "250 2.0.0 Ok: queued");
	}
	s->state = SMTPD_S_READY;
	smtpd_txn_reset(s);
}

/* smtpd_data_line - one line of the message */
static void
smtpd_data_line(struct smtpd_sess *s, const char *line, size_t len, int flags)
{
	if (flags & SMTP_L_BARELF) {
		smtpd_reply(s, "521 5.5.2 %s Bare <LF> received, closing", s->sc->hostname);
		log_warnx("smtp from=%s: bare LF in DATA, nothing queued", s->peer);
		smtpd_txn_reset(s);
		s->closing = 1;
		return;
	}
	if (len == 1 && line[0] == '.' && !(flags & SMTP_L_LONG))
		return smtpd_data_end(s);
	s->data_bad |= flags;
	if (len > 0 && line[0] == '.') {
		line++;
		len--;
	}
	s->data_bytes += (long long)len + 2;
	if (s->data_bytes > s->sc->max_size || s->data_err || s->data_bad)
		return;
	if (fwrite(line, 1, len, s->data) != len || putc('\n', s->data) == EOF)
		s->data_err = errno ? errno : EIO;
}

/* smtpd_auth_check - user and password against the password file */
static int
smtpd_auth_check(struct smtpd_sess *s, const char *user, const char *pass)
{
	char *text, *line, *save = NULL, *colon;
	size_t len, a, b, i;
	int found = 0;
	unsigned char diff;

	text = file_read(s->sc->passwd, 1 << 20, &len);
	if (!text) {
		log_warn("smtp: cannot read %s", s->sc->passwd);
		return 0;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		if (line[0] == '#' || !colon)
			continue;
		*colon = '\0';
		if (strcmp(line, user) != 0)
			continue;
		a = strlen(colon + 1);
		b = strlen(pass);
		diff = a != b;
		for (i = 0; i < a && i < b; i++)
			diff |= (unsigned char)(colon[1 + i] ^ pass[i]);
		found = diff == 0;
		break;
	}
	free(text);
	return found;
}

/* smtpd_auth_done - the outcome of an AUTH exchange */
static void
smtpd_auth_done(struct smtpd_sess *s, const char *user, const char *pass)
{
	s->state = SMTPD_S_READY;
	if (user[0] && smtpd_auth_check(s, user, pass)) {
		s->authed = 1;
		str_copy(s->auth_user, user, sizeof(s->auth_user));
		log_info("smtp from=%s user=%s: authenticated", s->peer, s->auth_user);
		smtpd_reply(s, "235 2.7.0 Authentication successful");
		return;
	}
	log_info("smtp from=%s: authentication failed", s->peer);
	smtpd_reply(s, "535 5.7.8 Authentication credentials invalid");
	smtpd_error(s);
}

/* smtpd_auth_plain - an AUTH PLAIN response: authzid NUL user NUL pass */
static void
smtpd_auth_plain(struct smtpd_sess *s, const char *b64)
{
	unsigned char buf[512];
	const char *user, *pass;
	int n;

	n = smtp_b64_decode(b64, buf, sizeof(buf));
	if (n < 0 || !(user = memchr(buf, '\0', (size_t)n)) ||
	    !(pass = memchr(user + 1, '\0', (size_t)n - (size_t)(user + 1 - (char *)buf)))) {
		s->state = SMTPD_S_READY;
		smtpd_reply(s, "501 5.5.2 Cannot decode response");
		return smtpd_error(s);
	}
	smtpd_auth_done(s, user + 1, pass + 1);
}

/* smtpd_do_auth - AUTH PLAIN / AUTH LOGIN */
static void
smtpd_do_auth(struct smtpd_sess *s, const struct smtp_cmd *c)
{
	const char *init = strchr(c->arg, ' ');

	if (!smtpd_auth_offered(s) || s->state != SMTPD_S_READY) {
		smtpd_reply(s, "503 5.5.1 AUTH not available now");
		return smtpd_error(s);
	}
	if (init)
		init++;
	if (strncasecmp(c->arg, "PLAIN", 5) == 0 && (c->arg[5] == ' ' || !c->arg[5])) {
		if (init)
			return smtpd_auth_plain(s, init);
		s->state = SMTPD_S_AUTH_PLAIN;
		smtpd_reply(s, "334 ");
	} else if (strcasecmp(c->arg, "LOGIN") == 0) {
		s->state = SMTPD_S_AUTH_USER;
		smtpd_reply(s, "334 VXNlcm5hbWU6");
	} else {
		smtpd_reply(s, "504 5.5.4 Unrecognized authentication type");
		smtpd_error(s);
	}
}

/* smtpd_auth_line - a line inside an AUTH exchange */
static void
smtpd_auth_line(struct smtpd_sess *s, const char *line, size_t len)
{
	char text[512];
	unsigned char buf[256];

	if (len >= sizeof(text) || (len == 1 && line[0] == '*')) {
		s->state = SMTPD_S_READY;
		smtpd_reply(s, "501 5.7.0 Authentication aborted");
		return smtpd_error(s);
	}
	memcpy(text, line, len);
	text[len] = '\0';
	if (s->state == SMTPD_S_AUTH_PLAIN)
		return smtpd_auth_plain(s, text);
	if (smtp_b64_decode(text, buf, sizeof(buf)) < 0 || memchr(buf, '\0', strlen((char *)buf))) {
		s->state = SMTPD_S_READY;
		smtpd_reply(s, "501 5.5.2 Cannot decode response");
		return smtpd_error(s);
	}
	if (s->state == SMTPD_S_AUTH_USER) {
		str_copy(s->auth_user, (char *)buf, sizeof(s->auth_user));
		s->state = SMTPD_S_AUTH_PASS;
		smtpd_reply(s, "334 UGFzc3dvcmQ6");
		return;
	}
	smtpd_auth_done(s, s->auth_user, (char *)buf);
	if (!s->authed)
		s->auth_user[0] = '\0';
}

/* smtpd_do_starttls - STARTTLS */
static void
smtpd_do_starttls(struct smtpd_sess *s)
{
	if (!s->sc->tls || s->tls) {
		smtpd_reply(s, "503 5.5.1 TLS not available");
		return smtpd_error(s);
	}
	smtpd_reply(s, "220 2.0.0 Ready to start TLS");
	s->starttls = 1;
}

/* smtpd_command - one command line */
static void
smtpd_command(struct smtpd_sess *s, const char *line, size_t len, int flags)
{
	struct smtp_cmd *c;
	char err[256];

	if (flags & SMTP_L_LONG) {
		smtpd_reply(s, "500 5.5.2 Line too long");
		return smtpd_error(s);
	}
	if (flags & (SMTP_L_NUL | SMTP_L_BARECR)) {
		smtpd_reply(s, "500 5.5.2 Syntax error: control characters in command");
		return smtpd_error(s);
	}
	c = malloc(sizeof(*c));
	if (!c) {
		smtpd_reply(s, "421 4.3.0 Out of memory");
		s->closing = 1;
		return;
	}
	if (smtp_cmd_parse(line, len, c, err, sizeof(err)) < 0) {
		smtpd_reply(s, "%s", err);
		smtpd_error(s);
		goto out;
	}
	switch (c->verb) {
	case SMTP_V_HELO:
	case SMTP_V_EHLO:
		smtpd_do_helo(s, c);
		break;
	case SMTP_V_MAIL:
		smtpd_do_mail(s, c);
		break;
	case SMTP_V_RCPT:
		smtpd_do_rcpt(s, c);
		break;
	case SMTP_V_DATA:
		smtpd_do_data(s);
		break;
	case SMTP_V_RSET:
		smtpd_txn_reset(s);
		smtpd_reply(s, "250 2.0.0 Ok");
		smtpd_noprogress(s);
		break;
	case SMTP_V_NOOP:
		smtpd_reply(s, "250 2.0.0 Ok");
		smtpd_noprogress(s);
		break;
	case SMTP_V_QUIT:
		smtpd_reply(s, "221 2.0.0 %s closing connection", s->sc->hostname);
		s->closing = 1;
		break;
	case SMTP_V_HELP:
		smtpd_reply(s, "214 2.0.0 See RFC 5321");
		smtpd_noprogress(s);
		break;
	case SMTP_V_VRFY:
		smtpd_reply(s, "252 2.5.2 Cannot VRFY user, but will accept message");
		smtpd_noprogress(s);
		break;
	case SMTP_V_STARTTLS:
		smtpd_do_starttls(s);
		break;
	case SMTP_V_AUTH:
		smtpd_do_auth(s, c);
		break;
	case SMTP_V_EXPN:
	case SMTP_V_BDAT:
		smtpd_reply(s, "502 5.5.1 Command not implemented");
		smtpd_error(s);
		break;
	default:
		smtpd_reply(s, "500 5.5.2 Command unrecognized");
		smtpd_error(s);
		break;
	}
out:
	free(c);
}

/* smtpd_sess_run - handle the complete lines held in lb */
int
smtpd_sess_run(struct smtpd_sess *s)
{
	const char *line;
	size_t len;
	int flags, rc;

	while (!s->closing && !s->starttls && s->outlen < sizeof(s->out) / 2) {
		rc = smtp_lbuf_next(&s->lb, &line, &len, &flags);
		if (rc == SMTP_LB_MORE)
			return 0;
		if (rc == SMTP_LB_FATAL) {
			log_warnx("smtp from=%s: line over %d bytes, closing", s->peer,
			    SMTP_LINE_HARDCAP);
			smtpd_reply(s, "500 5.5.2 Line too long, closing");
			smtpd_txn_reset(s);
			s->closing = 1;
			return -1;
		}
		s->last_ms = now_ms();
		if (s->state == SMTPD_S_DATA)
			smtpd_data_line(s, line, len, flags);
		else if (s->state >= SMTPD_S_AUTH_PLAIN)
			smtpd_auth_line(s, line, len);
		else
			smtpd_command(s, line, len, flags & ~SMTP_L_BARELF);
	}
	return 0;
}

/* smtpd_sess_tls_started - back to the state after the greeting */
void
smtpd_sess_tls_started(struct smtpd_sess *s)
{
	smtpd_txn_reset(s);
	smtp_lbuf_init(&s->lb);
	s->state = SMTPD_S_GREET;
	s->helo[0] = '\0';
	s->tls = 1;
	s->starttls = 0;
}

/* smtpd_sess_tick - the time limits */
long long
smtpd_sess_tick(struct smtpd_sess *s, long long now)
{
	long long a = s->last_ms + s->sc->timeout * 1000LL - now;
	long long b = s->start_ms + s->sc->session_timeout * 1000LL - now;

	if (s->closing)
		return 1000;
	if (a <= 0 || b <= 0) {
		if (s->state == SMTPD_S_DATA)
			log_warnx("smtp from=%s: timeout during DATA, nothing queued", s->peer);
		smtpd_reply(s, "421 4.4.2 %s Timeout, closing connection", s->sc->hostname);
		smtpd_txn_reset(s);
		s->closing = 1;
		return 1000;
	}
	return a < b ? a : b;
}
