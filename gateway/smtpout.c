/*
 * smtpout.c - one SMTP delivery attempt to the smarthost: connect, EHLO
 * (HELO when refused), STARTTLS when offered, AUTH PLAIN when configured,
 * MAIL, RCPT for each recipient, DATA.  Replies are read with the bounded
 * line reader and reply parser of smtp.h; every step has a timeout; the
 * message goes out dot-stuffed with CRLF line ends and nothing else
 * changed.  The smarthost is trusted only to answer in SMTP.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "gateway/mailaddr.h"
#include "gateway/smtp.h"
#include "gateway/smtpout.h"
#include "lib/log.h"
#include "lib/util.h"

struct smtpout_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	struct smtp_lbuf lb;
	char err[256];
};

/* smtpout_conf_load - the client's settings */
int
smtpout_conf_load(struct smtpout_conf *oc, const struct conf *c, char *err, size_t errlen)
{
	const char *v, *colon;

	memset(oc, 0, sizeof(*oc));
	v = conf_get(c, "smtp-smarthost");
	if (!v)
		v = "127.0.0.1:25";
	colon = strrchr(v, ':');
	if (!colon || (size_t)(colon - v) >= sizeof(oc->host) || str_copy(oc->port, colon + 1,
	    sizeof(oc->port)) < 0) {
		str_fmt(err, errlen, "smtp-smarthost: \"%s\" is not HOST:PORT", v);
		return -1;
	}
	memcpy(oc->host, v, (size_t)(colon - v));
	oc->host[colon - v] = '\0';
	str_copy(oc->helo, conf_get(c, "smtp-hostname") ? conf_get(c, "smtp-hostname") :
	    c->nodename, sizeof(oc->helo));
	oc->auth_user = conf_get(c, "smtp-auth-user");
	oc->auth_pass = conf_get(c, "smtp-auth-password");
	v = conf_get(c, "smtp-tls");
	oc->tls = !v || !strcmp(v, "try") ? SMTPOUT_TLS_TRY : !strcmp(v, "must") ?
	    SMTPOUT_TLS_MUST : SMTPOUT_TLS_NO;
	v = conf_get(c, "smtp-client-timeout");
	oc->timeout = v ? atoi(v) : 120;
	v = conf_get(c, "smtp-queue-lifetime");
	oc->lifetime = v ? atol(v) : 5L * 86400;
	v = conf_get(c, "smtp-retry");
	oc->retry = v ? atol(v) : 900;
	v = conf_get(c, "smtp-reverse-path");
	oc->rp_style = v ? (!strcmp(v, "gateway") ? MAILADDR_RP_GATEWAY : MAILADDR_RP_UUCP) :
	    conf_get(c, "gateway-domain") ? MAILADDR_RP_GATEWAY : MAILADDR_RP_UUCP;
	if (oc->timeout < 1 || oc->lifetime < 1 || oc->retry < 1) {
		str_fmt(err, errlen, "smtp-client-timeout, smtp-queue-lifetime, smtp-retry: "
		    "must be positive");
		return -1;
	}
	return 0;
}

/* smtpout_connect - a TCP connection with timeouts, or -1 */
static int
smtpout_connect(const struct smtpout_conf *oc, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	struct timeval tv = { oc->timeout, 0 };
	int fd = -1, e;

	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(oc->host, oc->port, &hints, &res);
	if (e != 0) {
		str_fmt(err, errlen, "%s: %s", oc->host, gai_strerror(e));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		str_fmt(err, errlen, "connect to %s:%s: %s", oc->host, oc->port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* smtpout_write - send bytes; -1 on error */
static int
smtpout_write(struct smtpout_conn *c, const char *p, size_t n)
{
	int k;

	if (!c->ssl)
		return write_all(c->fd, p, n);
	while (n > 0) {
		k = SSL_write(c->ssl, p, n > 65536 ? 65536 : (int)n);
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* smtpout_cmd - send one command line */
static int __attribute__((format(printf, 2, 3)))
smtpout_cmd(struct smtpout_conn *c, const char *fmt, ...)
{
	char line[SMTP_LINE_MAX + 8];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2)
		return -1;
	memcpy(line + n, "\r\n", 2);
	return smtpout_write(c, line, (size_t)n + 2);
}

/* smtpout_reply - read one complete reply into r; -1 on a broken line */
static int
smtpout_reply(struct smtpout_conn *c, struct smtp_reply *r)
{
	const char *line;
	size_t len, room;
	char *p;
	ssize_t n;
	int flags, rc;

	smtp_reply_init(r);
	while (!r->complete) {
		rc = smtp_lbuf_next(&c->lb, &line, &len, &flags);
		if (rc == SMTP_LB_LINE) {
			if (smtp_reply_line(r, line, len) < 0) {
				str_fmt(c->err, sizeof(c->err), "not an SMTP reply");
				return -1;
			}
			continue;
		}
		if (rc == SMTP_LB_FATAL)
			return -1;
		room = smtp_lbuf_space(&c->lb, &p);
		n = c->ssl ? SSL_read(c->ssl, p, (int)room) : read(c->fd, p, room);
		if (n <= 0) {
			str_fmt(c->err, sizeof(c->err), "connection lost or timed out");
			return -1;
		}
		smtp_lbuf_added(&c->lb, (size_t)n);
	}
	return 0;
}

/* smtpout_step - a command and its reply; the reply code or -1 */
static int
smtpout_step(struct smtpout_conn *c, struct smtp_reply *r, const char *what)
{
	if (what && smtpout_cmd(c, "%s", what) < 0) {
		str_fmt(c->err, sizeof(c->err), "write failed");
		return -1;
	}
	if (smtpout_reply(c, r) < 0)
		return -1;
	return r->code;
}

/* smtpout_starttls - switch the connection to TLS; -1 on failure */
static int
smtpout_starttls(struct smtpout_conn *c, const struct smtpout_conf *oc)
{
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx)
		return -1;
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_set_tlsext_host_name(c->ssl, oc->host) != 1 || SSL_connect(c->ssl) != 1) {
		str_fmt(c->err, sizeof(c->err), "TLS handshake failed");
		return -1;
	}
	smtp_lbuf_init(&c->lb);
	return 0;
}

/* smtpout_hello - greeting, EHLO, STARTTLS and AUTH; the EHLO reply in r.
 * 0, or the failing reply code (or -1 for a broken connection) */
static int
smtpout_hello(struct smtpout_conn *c, const struct smtpout_conf *oc, struct smtp_reply *r)
{
	char cmd[600], b64[400];
	unsigned char plain[300];
	size_t ul, pl;
	int code;

	if ((code = smtpout_step(c, r, NULL)) != 220)
		return code;
	str_fmt(cmd, sizeof(cmd), "EHLO %s", oc->helo);
	if ((code = smtpout_step(c, r, cmd)) != 250) {
		str_fmt(cmd, sizeof(cmd), "HELO %s", oc->helo);
		if (code < 0 || (code = smtpout_step(c, r, cmd)) != 250)
			return code;
	}
	if ((r->ext & SMTP_EXT_STARTTLS) && oc->tls != SMTPOUT_TLS_NO) {
		if ((code = smtpout_step(c, r, "STARTTLS")) != 220)
			return code;
		if (smtpout_starttls(c, oc) < 0)
			return -1;
		str_fmt(cmd, sizeof(cmd), "EHLO %s", oc->helo);
		if ((code = smtpout_step(c, r, cmd)) != 250)
			return code;
	} else if (oc->tls == SMTPOUT_TLS_MUST) {
		str_fmt(c->err, sizeof(c->err), "smarthost offers no STARTTLS");
		return 421;
	}
	if (!oc->auth_user)
		return 0;
	ul = strlen(oc->auth_user);
	pl = oc->auth_pass ? strlen(oc->auth_pass) : 0;
	if (ul + pl + 2 > sizeof(plain))
		return -1;
	plain[0] = '\0';
	memcpy(plain + 1, oc->auth_user, ul);
	plain[ul + 1] = '\0';
	memcpy(plain + ul + 2, oc->auth_pass ? oc->auth_pass : "", pl);
	if (smtp_b64_encode(plain, ul + pl + 2, b64, sizeof(b64)) < 0)
		return -1;
	str_fmt(cmd, sizeof(cmd), "AUTH PLAIN %s", b64);
	code = smtpout_step(c, r, cmd);
	return code == 235 ? 0 : code;
}

/* smtpout_data - the message, dot-stuffed, LF made CRLF, then "." */
static int
smtpout_data(struct smtpout_conn *c, const char *msg, size_t len)
{
	char buf[8192];
	size_t o = 0, i;
	int bol = 1;

	for (i = 0; i < len; i++) {
		if (o + 4 > sizeof(buf)) {
			if (smtpout_write(c, buf, o) < 0)
				return -1;
			o = 0;
		}
		if (bol && msg[i] == '.')
			buf[o++] = '.';
		if (msg[i] == '\n')
			buf[o++] = '\r';
		buf[o++] = msg[i];
		bol = msg[i] == '\n';
	}
	if (!bol)
		memcpy(buf + o, "\r\n", 2), o += 2;
	if (smtpout_write(c, buf, o) < 0)
		return -1;
	return smtpout_write(c, ".\r\n", 3);
}

/* smtpout_settle - every recipient no reply decided gets the session's
 * outcome; returns how many are left to retry */
static size_t
smtpout_settle(struct smtpout_rcpt *r, size_t n, int code, const char *why)
{
	size_t i, left = 0;

	for (i = 0; i < n; i++) {
		if (!r[i].reply[0]) {
			r[i].status = code >= 500 && code < 600 ? SMTPOUT_PERM : SMTPOUT_TEMP;
			str_copy(r[i].reply, why, sizeof(r[i].reply));
		}
		if (r[i].status == SMTPOUT_TEMP)
			left++;
	}
	return left;
}

/* smtpout_transaction - MAIL, RCPTs, DATA on a greeted connection; the
 * failing reply code, 0 when DATA was accepted */
static int
smtpout_transaction(struct smtpout_conn *c, struct smtp_reply *r, const char *from,
    struct smtpout_rcpt *rc, size_t n, const char *msg, size_t len, int ext)
{
	char cmd[SMTP_LINE_MAX];
	size_t i, good = 0;
	int code;

	str_fmt(cmd, sizeof(cmd), "MAIL FROM:<%s>%s", from, (ext & SMTP_EXT_8BITMIME) ?
	    " BODY=8BITMIME" : "");
	if ((code = smtpout_step(c, r, cmd)) != 250)
		return code;
	for (i = 0; i < n; i++) {
		if (rc[i].status == SMTPOUT_OK || rc[i].status == SMTPOUT_PERM)
			continue;
		if (str_fmt(cmd, sizeof(cmd), "RCPT TO:<%s>", rc[i].addr) < 0)
			code = 501;
		else if ((code = smtpout_step(c, r, cmd)) < 0)
			return -1;
		rc[i].status = code == 250 || code == 251 ? -1 : code >= 500 ? SMTPOUT_PERM :
		    SMTPOUT_TEMP;
		str_fmt(rc[i].reply, sizeof(rc[i].reply), "%d %s", code, r->text);
		good += rc[i].status == -1;
	}
	if (good == 0)
		return 0;
	if ((code = smtpout_step(c, r, "DATA")) != 354)
		goto fail;
	if (smtpout_data(c, msg, len) < 0 || (code = smtpout_step(c, r, NULL)) != 250)
		goto fail;
	for (i = 0; i < n; i++)
		if (rc[i].status == -1)
			rc[i].status = SMTPOUT_OK;
	return 0;
fail:
	for (i = 0; i < n; i++) {
		if (rc[i].status != -1)
			continue;
		rc[i].status = code >= 500 ? SMTPOUT_PERM : SMTPOUT_TEMP;
		if (code < 0)
			str_copy(rc[i].reply, c->err, sizeof(rc[i].reply));
		else
			str_fmt(rc[i].reply, sizeof(rc[i].reply), "%d %s", code, r->text);
	}
	return code < 0 ? -1 : 0;
}

/* smtpout_send - one delivery attempt */
size_t
smtpout_send(const struct smtpout_conf *oc, const char *from, struct smtpout_rcpt *r,
    size_t n, const char *msg, size_t len)
{
	struct smtpout_conn c = { .fd = -1 };
	struct smtp_reply rep;
	char why[300];
	size_t left;
	size_t i;
	int code, ext;

	for (i = 0; i < n; i++)
		if (r[i].status != SMTPOUT_OK && r[i].status != SMTPOUT_PERM) {
			r[i].status = SMTPOUT_TEMP;
			r[i].reply[0] = '\0';
		}
	smtp_lbuf_init(&c.lb);
	c.fd = smtpout_connect(oc, c.err, sizeof(c.err));
	if (c.fd < 0)
		return smtpout_settle(r, n, 421, c.err);
	code = smtpout_hello(&c, oc, &rep);
	ext = rep.ext;
	if (code == 0)
		code = smtpout_transaction(&c, &rep, from, r, n, msg, len, ext);
	if (code < 0)
		str_fmt(why, sizeof(why), "%s", c.err);
	else
		str_fmt(why, sizeof(why), "%d %s", code, rep.text);
	left = smtpout_settle(r, n, code < 0 ? 421 : code == 0 ? 421 : code, why);
	if (code >= 0)
		(void)smtpout_step(&c, &rep, "QUIT");
	if (c.ssl) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	SSL_CTX_free(c.ctx);
	close(c.fd);
	return left;
}
