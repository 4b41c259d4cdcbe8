/*
 * uusmtpd.c - the SMTP gateway's server: mail from the Internet into the
 * UUCP world.
 *
 *   uusmtpd [-I config] [-x debug]        listen on every "smtp-listen
 *                                         ADDRESS:PORT" (127.0.0.1:2525)
 *   uusmtpd [-I config] -i                one connection on stdin/stdout
 *
 * One process serves every client from a poll loop: no thread or process
 * per client, a fixed amount of memory per session (gateway/smtpd.h),
 * at most "smtp-max-clients" (64) at once.  STARTTLS uses OpenSSL with
 * "smtp-tls-cert" and "smtp-tls-key".  No reverse DNS lookup is ever
 * made, so nothing blocks on a resolver.
 *
 * Trust: clients are hostile; the session code bounds and checks all of
 * their input.  The config file is trusted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "gateway/smtpd.h"
#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"

#define USMTPD_LISTEN_MAX 8

struct usmtpd_conn {
	int rfd, wfd;
	SSL *ssl;
	int handshake;			/* TLS handshake in progress */
	int eof;
	size_t outoff;			/* bytes of s->out already sent */
	struct smtpd_sess *s;
};

static volatile sig_atomic_t usmtpd_stop;

/* usmtpd_on_signal - ask the loop to end */
static void
usmtpd_on_signal(int sig)
{
	(void)sig;
	usmtpd_stop = 1;
}

/* usmtpd_usage - how to call */
static void
usmtpd_usage(void)
{
	fprintf(stderr, "usage: uusmtpd [-I config] [-x debug] [-i]\n");
	exit(64);
}

/* usmtpd_tls_ctx - the server's TLS context, or NULL when not configured */
static SSL_CTX *
usmtpd_tls_ctx(const struct conf *c)
{
	const char *cert = conf_get(c, "smtp-tls-cert");
	const char *key = conf_get(c, "smtp-tls-key");
	char cp[PATH_MAX], kp[PATH_MAX];
	SSL_CTX *ctx;

	if (!cert)
		return NULL;
	if (!key)
		key = cert;
	if ((cert[0] == '/' ? str_copy(cp, cert, sizeof(cp)) : path_join(cp, sizeof(cp), c->dir,
	    cert)) < 0 || (key[0] == '/' ? str_copy(kp, key, sizeof(kp)) : path_join(kp,
	    sizeof(kp), c->dir, key)) < 0)
		fatalx("smtp-tls-cert: path too long");
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		fatalx("cannot create a TLS context");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, cp) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, kp, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		fatalx("cannot load TLS certificate %s and key %s", cp, kp);
	return ctx;
}

/* usmtpd_listen_one - bind and listen on "ADDRESS:PORT" */
static int
usmtpd_listen_one(const char *spec)
{
	char host[128], *colon, shown[160];
	struct addrinfo hints = { 0 }, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1;
	char port[16];

	if (str_copy(host, spec, sizeof(host)) < 0 || !(colon = strrchr(host, ':')))
		fatalx("smtp-listen: \"%s\" is not ADDRESS:PORT", spec);
	*colon = '\0';
	str_copy(port, colon + 1, sizeof(port));
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		fatalx("smtp-listen: bad address \"%s\"", spec);
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || getsockname(fd, (void *)&ss, &sl) < 0)
		fatal("smtp-listen %s", spec);
	freeaddrinfo(res);
	str_fmt(shown, sizeof(shown), "%s:%d", host[0] ? host : "*", ss.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port));
	log_info("listening on %s", shown);
	printf("listening on %s\n", shown);
	fflush(stdout);
	return fd;
}

/* usmtpd_conn_new - a session on rfd/wfd for the peer at sa */
static struct usmtpd_conn *
usmtpd_conn_new(const struct smtpd_conf *sc, int rfd, int wfd, const struct sockaddr *sa)
{
	struct usmtpd_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rfd = rfd;
	c->wfd = wfd;
	c->s = smtpd_sess_new(sc, sa);
	if (!c->s) {
		free(c);
		return NULL;
	}
	return c;
}

/* usmtpd_conn_free - close and free a connection */
static void
usmtpd_conn_free(struct usmtpd_conn *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	smtpd_sess_eof(c->s);
	smtpd_sess_free(c->s);
	close(c->rfd);
	if (c->wfd != c->rfd)
		close(c->wfd);
	free(c);
}

/* usmtpd_read - read into the session's line buffer; -1 on EOF/error */
static int
usmtpd_read(struct usmtpd_conn *c)
{
	char *p;
	size_t room = smtp_lbuf_space(&c->s->lb, &p);
	ssize_t n;

	if (room == 0)
		return 0;
	if (c->ssl) {
		n = SSL_read(c->ssl, p, (int)room);
		if (n <= 0) {
			int e = SSL_get_error(c->ssl, (int)n);

			return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
		}
	} else {
		n = read(c->rfd, p, room);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0)
			return -1;
	}
	smtp_lbuf_added(&c->s->lb, (size_t)n);
	return 0;
}

/* usmtpd_write - send what is pending in out; -1 on error */
static int
usmtpd_write(struct usmtpd_conn *c)
{
	struct smtpd_sess *s = c->s;
	ssize_t n;

	while (c->outoff < s->outlen) {
		if (c->ssl) {
			n = SSL_write(c->ssl, s->out + c->outoff, (int)(s->outlen - c->outoff));
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, (int)n);

				return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
			}
		} else {
			n = write(c->wfd, s->out + c->outoff, s->outlen - c->outoff);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n < 0)
				return -1;
		}
		c->outoff += (size_t)n;
	}
	s->outlen = c->outoff = 0;
	return 0;
}

/* usmtpd_tls_step - start or continue the TLS handshake; -1 on failure */
static int
usmtpd_tls_step(struct usmtpd_conn *c, SSL_CTX *ctx)
{
	int rc, e;

	if (!c->ssl) {
		c->ssl = SSL_new(ctx);
		if (!c->ssl || SSL_set_rfd(c->ssl, c->rfd) != 1 || SSL_set_wfd(c->ssl, c->wfd) != 1)
			return -1;
		c->handshake = 1;
	}
	rc = SSL_accept(c->ssl);
	if (rc == 1) {
		c->handshake = 0;
		smtpd_sess_tls_started(c->s);
		log_info("smtp from=%s: TLS started (%s)", c->s->peer, SSL_get_version(c->ssl));
		return 0;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	log_warnx("smtp from=%s: TLS handshake failed", c->s->peer);
	return -1;
}

/* usmtpd_conn_step - after poll: move bytes and run the session; -1 when
 * the connection is finished */
static int
usmtpd_conn_step(struct usmtpd_conn *c, short revents, SSL_CTX *ctx)
{
	struct smtpd_sess *s = c->s;
	int produced;

	if (c->handshake)
		return usmtpd_tls_step(c, ctx);
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && !s->closing && usmtpd_read(c) < 0)
		c->eof = 1;
	if (c->ssl && SSL_pending(c->ssl) > 0 && !c->eof)
		(void)usmtpd_read(c);
	if (smtpd_sess_run(s) < 0)
		s->closing = 1;
	produced = s->outlen > 0;
	if (usmtpd_write(c) < 0)
		return -1;
	if (s->outlen > 0)
		return 0;
	if (s->closing)
		return -1;
	if (s->starttls) {
		/* RFC 3207: what the client sent after STARTTLS is not trusted */
		smtp_lbuf_init(&s->lb);
		return usmtpd_tls_step(c, ctx);
	}
	return c->eof && !produced ? -1 : 0;
}

/* usmtpd_events - what to poll for */
static short
usmtpd_events(const struct usmtpd_conn *c)
{
	char *p;

	if (c->handshake)
		return POLLIN | POLLOUT;
	if (c->s->outlen > c->outoff)
		return POLLOUT;
	return smtp_lbuf_space(&c->s->lb, &p) > 0 ? POLLIN : 0;
}

/* usmtpd_accept - take a new client from a listening socket */
static void
usmtpd_accept(int lfd, const struct smtpd_conf *sc, struct usmtpd_conn **conns, size_t max)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	size_t i;
	int fd;

	fd = accept(lfd, (void *)&ss, &sl);
	if (fd < 0)
		return;
	for (i = 0; i < max && conns[i]; i++)
		;
	if (i == max || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		static const char busy[] = "421 4.3.2 Too many connections, try later\r\n";

		(void)!write(fd, busy, sizeof(busy) - 1);
		close(fd);
		log_warnx("smtp: too many clients, one turned away");
		return;
	}
	conns[i] = usmtpd_conn_new(sc, fd, fd, (struct sockaddr *)&ss);
	if (!conns[i])
		close(fd);
}

/* usmtpd_loop - serve the listening sockets (or just conns) until told to stop */
static void
usmtpd_loop(const struct smtpd_conf *sc, SSL_CTX *ctx, int *lfds, size_t nl,
    struct usmtpd_conn **conns, size_t max)
{
	struct pollfd *pfd = calloc(nl + max, sizeof(*pfd));
	size_t i, n, live;
	long long wait, w;

	if (!pfd)
		fatal("calloc");
	while (!usmtpd_stop) {
		n = 0;
		wait = 60000;
		for (i = 0; i < nl; i++)
			pfd[n++] = (struct pollfd){ .fd = lfds[i], .events = POLLIN };
		for (i = 0, live = 0; i < max; i++) {
			pfd[nl + i] = (struct pollfd){ .fd = -1 };
			if (!conns[i])
				continue;
			live++;
			w = smtpd_sess_tick(conns[i]->s, now_ms());
			if (w < wait)
				wait = w;
			pfd[nl + i].fd = conns[i]->s->outlen > 0 || conns[i]->s->closing ?
			    conns[i]->wfd : conns[i]->rfd;
			pfd[nl + i].events = usmtpd_events(conns[i]);
		}
		if (nl == 0 && live == 0)
			break;
		if (poll(pfd, nl + max, (int)(wait < 1 ? 1 : wait)) < 0 && errno != EINTR)
			fatal("poll");
		for (i = 0; i < nl; i++)
			if (pfd[i].revents & POLLIN)
				usmtpd_accept(lfds[i], sc, conns, max);
		for (i = 0; i < max; i++) {
			if (!conns[i])
				continue;
			if (usmtpd_conn_step(conns[i], pfd[nl + i].revents, ctx) < 0) {
				usmtpd_conn_free(conns[i]);
				conns[i] = NULL;
			}
		}
	}
	free(pfd);
}

/* usmtpd_serve - standalone: listen on every smtp-listen address */
static void
usmtpd_serve(const struct smtpd_conf *sc, SSL_CTX *ctx)
{
	const struct conf *c = sc->conf;
	int lfds[USMTPD_LISTEN_MAX];
	struct usmtpd_conn **conns;
	long long max = 64;
	size_t nl = 0, i;
	char err[256];
	const char *v;

	for (i = 0; i < c->nextra; i++)
		if (strcmp(c->extra[i].key, "smtp-listen") == 0 && nl < USMTPD_LISTEN_MAX)
			lfds[nl++] = usmtpd_listen_one(c->extra[i].value);
	if (nl == 0)
		lfds[nl++] = usmtpd_listen_one("127.0.0.1:2525");
	v = conf_get(c, "smtp-max-clients");
	if (v && ((max = atoll(v)) < 1 || max > 10000)) {
		str_fmt(err, sizeof(err), "smtp-max-clients: bad value \"%s\"", v);
		fatalx("%s", err);
	}
	conns = calloc((size_t)max, sizeof(*conns));
	if (!conns)
		fatal("calloc");
	usmtpd_loop(sc, ctx, lfds, nl, conns, (size_t)max);
	for (i = 0; i < (size_t)max; i++)
		if (conns[i])
			usmtpd_conn_free(conns[i]);
	free(conns);
	log_info("stopped");
}

/* usmtpd_inetd - serve the connection on stdin/stdout */
static void
usmtpd_inetd(const struct smtpd_conf *sc, SSL_CTX *ctx)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct usmtpd_conn *conns[1];
	int have = getpeername(0, (void *)&ss, &sl) == 0;

	conns[0] = usmtpd_conn_new(sc, 0, 1, have ? (struct sockaddr *)&ss : NULL);
	if (!conns[0])
		fatal("no memory");
	usmtpd_loop(sc, ctx, NULL, 0, conns, 1);
	if (conns[0])
		usmtpd_conn_free(conns[0]);
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	struct smtpd_conf sc;
	struct hdb hdb = { 0 };
	struct hdb_errors errs = { 0 };
	struct conf conf;
	struct spool *sp;
	SSL_CTX *ctx;
	char err[512];
	int ch, inetd = 0;

	while ((ch = getopt(argc, argv, "I:ix:")) != -1) {
		switch (ch) {
		case 'I':
			config = optarg;
			break;
		case 'i':
			inetd = 1;
			break;
		case 'x':
			if (log_set_debug(optarg) < 0)
				usmtpd_usage();
			break;
		default:
			usmtpd_usage();
		}
	}
	if (optind != argc)
		usmtpd_usage();
	log_init("uusmtpd", NULL);
	if (conf_load(&conf, config, err, sizeof(err)) < 0)
		fatalx("%s", err);
	log_init("uusmtpd", conf.logfile);
	hdb_load(&hdb, conf.systems, NULL, NULL, NULL, &errs);
	hdb_errors_free(&errs);
	sp = spool_open(conf.spool, conf.nodename, conf.lockdir, err, sizeof(err));
	if (!sp)
		fatalx("%s", err);
	if (smtpd_conf_load(&sc, &conf, &hdb, sp, err, sizeof(err)) < 0)
		fatalx("%s", err);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGTERM, usmtpd_on_signal);
	signal(SIGINT, usmtpd_on_signal);
	ctx = usmtpd_tls_ctx(&conf);
	sc.tls = ctx != NULL;
	if (inetd)
		usmtpd_inetd(&sc, ctx);
	else
		usmtpd_serve(&sc, ctx);
	SSL_CTX_free(ctx);
	spool_close(sp);
	hdb_free(&hdb);
	conf_free(&conf);
	return 0;
}
