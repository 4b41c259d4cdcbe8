/*
 * smtpout.h - the gateway's SMTP client: hand one message to the
 * configured smarthost (STARTTLS when it offers it, AUTH when
 * configured), and the deferred queue that retries it until it is
 * delivered or bounced.
 *
 * The program gateway/uusmtp.c wraps this for rmail:
 *
 *   uusmtp [-I config] -f RETURN-PATH recipient... < message
 *
 * where RETURN-PATH is the bang return path rmail knows (a!b!user, or
 * user@domain, or "" for the null sender) and the message (LF line ends,
 * leading From_ lines ignored) is the RFC 5322 text.  Exit 0 means the
 * message is durable: delivered, deferred in SPOOL/.smtpq, or (on 5xx)
 * bounced to the sender as an rmail job on this node; EX_TEMPFAIL (75)
 * means nothing was kept and rmail must try again; EX_DATAERR (65) a
 * return path that cannot be turned into an SMTP reverse-path;
 * EX_USAGE/EX_CONFIG as usual.  "uusmtp -q" retries the deferred queue
 * (from cron or uusched) and bounces what outlived smtp-queue-lifetime.
 *
 * Trust: the smarthost's replies are parsed by the bounded smtp.h reader;
 * the message is sent byte for byte (dot-stuffed, LF made CRLF).
 */
#ifndef BRIGADE_SMTPOUT_H
#define BRIGADE_SMTPOUT_H

#include <stddef.h>

#include "lib/conf.h"

enum { SMTPOUT_OK = 0, SMTPOUT_TEMP = 1, SMTPOUT_PERM = 2 };

#define SMTPOUT_TLS_NO 0	/* never STARTTLS */
#define SMTPOUT_TLS_TRY 1	/* when offered (default) */
#define SMTPOUT_TLS_MUST 2	/* defer unless TLS is up */

struct smtpout_conf {
	char host[256];			/* "smtp-smarthost HOST:PORT" (127.0.0.1:25) */
	char port[16];
	char helo[256];			/* "smtp-hostname", default the node name */
	const char *auth_user;		/* "smtp-auth-user", or NULL */
	const char *auth_pass;		/* "smtp-auth-password" */
	int tls;			/* "smtp-tls no|try|must" */
	int timeout;			/* "smtp-client-timeout" seconds (120) */
	long lifetime;			/* "smtp-queue-lifetime" seconds (5 days) */
	long retry;			/* "smtp-retry" seconds (900) */
	int rp_style;			/* "smtp-reverse-path gateway|uucp":
					   MAILADDR_RP_*; default gateway when a
					   gateway-domain is set, else uucp */
};

struct smtpout_rcpt {
	const char *addr;		/* RFC 5321 forward-path, without <> */
	int status;			/* SMTPOUT_*: set TEMP for each recipient to
					   try (OK and PERM ones are skipped); the
					   outcome after smtpout_send */
	char reply[256];		/* the server's reply, for logs and bounces */
};

/* smtpout_conf_load - fill oc from the node's config.  0, or -1 with err. */
int smtpout_conf_load(struct smtpout_conf *oc, const struct conf *c, char *err, size_t errlen);

/* smtpout_send - one delivery attempt of msg (len bytes, LF line ends)
 * from reverse-path from ("" for <>) to the n recipients in r.  Sets each
 * r[i].status; a failure of the whole session (no connection, 4xx/5xx to
 * MAIL or DATA, a broken line) sets every still-undecided recipient to
 * TEMP or PERM with the reply in r[i].reply.  Blocks for at most about
 * timeout seconds per step.  Returns the number of recipients that are
 * not yet decided OK or PERM (0: nothing left to retry). */
size_t smtpout_send(const struct smtpout_conf *oc, const char *from, struct smtpout_rcpt *r,
    size_t n, const char *msg, size_t len);

#endif
