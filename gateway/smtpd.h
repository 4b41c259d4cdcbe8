/*
 * smtpd.h - one SMTP server session of the gateway (uusmtpd), without
 * the I/O: the program feeds it the bytes a client sent and sends back
 * what it left in the output buffer.  The session decides relaying (only
 * into the UUCP world unless the client is trusted or authenticated),
 * enforces every limit, and turns accepted mail into rmail jobs with
 * uuxq_queue, saying 250 only once they are durable.
 *
 * Trust: everything from the client is hostile.  Lines are bounded by
 * the smtp.h reader, the message is spooled to an unlinked temporary file
 * (never held in memory), addresses go through the bounded mailaddr
 * parser, and no shell is ever involved.
 */
#ifndef BRIGADE_SMTPD_H
#define BRIGADE_SMTPD_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "gateway/mailaddr.h"
#include "gateway/smtp.h"
#include "lib/conf.h"
#include "lib/hdb.h"
#include "spool/spool.h"

#define SMTPD_TRUST_MAX 16
#define SMTPD_OUT_SIZE 16384

/* A trusted network: family AF_INET or AF_INET6, address bytes, prefix. */
struct smtpd_net {
	int family;
	unsigned char addr[16];
	int prefix;
};

/* The server's settings, read once from the node's config. */
struct smtpd_conf {
	const struct conf *conf;
	const struct hdb *hdb;		/* Systems: the known neighbours */
	struct spool *sp;
	struct mailaddr_ctx actx;
	const char *hostname;		/* "smtp-hostname", default the node name */
	long long max_size;		/* "smtp-max-size" bytes (10 MiB) */
	size_t max_rcpts;		/* "smtp-max-rcpts" (100) */
	int max_errors;			/* "smtp-max-errors" (10) */
	int max_noprogress;		/* "smtp-max-noprogress" (20) */
	int timeout;			/* "smtp-timeout": seconds per line (300) */
	int session_timeout;		/* "smtp-session-timeout" seconds (1800) */
	const char *passwd;		/* "smtp-passwd": user:password lines, or NULL */
	char passwd_path[PATH_MAX];	/* the same, relative paths made absolute */
	int tls;			/* a certificate is loaded: STARTTLS offered */
	struct smtpd_net trust[SMTPD_TRUST_MAX]; /* "smtp-trust" lines */
	size_t ntrust;
};

/* smtpd_conf_load - fill sc from c (and h, sp, which stay owned by the
 * caller).  0, or -1 with err for a bad value. */
int smtpd_conf_load(struct smtpd_conf *sc, const struct conf *c, const struct hdb *h,
    struct spool *sp, char *err, size_t errlen);

/* smtpd_net_parse - "ADDR/PREFIX" (or a bare address) into n; 0 or -1. */
int smtpd_net_parse(const char *s, struct smtpd_net *n);

/* smtpd_net_match - whether the address sa lies in n. */
int smtpd_net_match(const struct smtpd_net *n, const struct sockaddr *sa);

enum smtpd_state {
	SMTPD_S_GREET, SMTPD_S_READY, SMTPD_S_MAIL, SMTPD_S_RCPT, SMTPD_S_DATA,
	SMTPD_S_AUTH_PLAIN, SMTPD_S_AUTH_USER, SMTPD_S_AUTH_PASS
};

struct smtpd_rcpt {
	char sys[MAILADDR_HOST_MAX];	/* the executing system of its job */
	char *arg;			/* rmail's argument there (malloc'd) */
};

struct smtpd_sess {
	const struct smtpd_conf *sc;
	char peer[64];			/* the client's address as text */
	int loopback, trusted, authed, tls;
	enum smtpd_state state;
	char helo[128];
	int esmtp;
	char from[MAILADDR_MAX];	/* bang return path */
	int body8;
	struct smtpd_rcpt *rcpt;	/* max_rcpts slots */
	size_t nrcpt;
	char auth_user[64];
	FILE *data;			/* the message being received */
	long long data_bytes;
	int data_bad;			/* SMTP_L_* seen in the message */
	int data_err;			/* errno of a failed write, 0 */
	int errors, noprogress;
	long long start_ms, last_ms;	/* session start, last complete line */
	unsigned long msgs;		/* messages accepted */
	struct smtp_lbuf lb;
	char out[SMTPD_OUT_SIZE];
	size_t outlen;
	int closing;			/* close once out is sent */
	int starttls;			/* start TLS once out is sent */
};

/* smtpd_sess_new - a session for a client at sa (NULL: unknown, as for
 * stdin that is not a socket); the greeting is already in out.  NULL on
 * no memory. */
struct smtpd_sess *smtpd_sess_new(const struct smtpd_conf *sc, const struct sockaddr *sa);
void smtpd_sess_free(struct smtpd_sess *s);

/* smtpd_sess_run - handle the complete lines in s->lb.  Stops early when
 * the output buffer is half full (call again once it drained), when the
 * session is closing, or when STARTTLS was accepted (the caller then
 * drops what is left in lb, runs the TLS handshake and calls
 * smtpd_sess_tls_started).  Returns 0, or -1 when the connection must be
 * closed at once (after sending out). */
int smtpd_sess_run(struct smtpd_sess *s);

/* smtpd_sess_tls_started - the handshake succeeded: reset to the state
 * after the greeting, as RFC 3207 asks. */
void smtpd_sess_tls_started(struct smtpd_sess *s);

/* smtpd_sess_tick - check the time limits at now (now_ms()); when one is
 * passed a 421 goes to out and closing is set.  Returns the milliseconds
 * until the next limit. */
long long smtpd_sess_tick(struct smtpd_sess *s, long long now);

/* smtpd_sess_eof - the client went away; abandon any message. */
void smtpd_sess_eof(struct smtpd_sess *s);

#endif
