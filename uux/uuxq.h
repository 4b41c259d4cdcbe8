/*
 * uuxq.h - queue a remote execution: the library behind uux, used as well
 * by rmail (to forward mail to the next hop) and by the SMTP gateway.
 *
 * A request becomes, atomically and in this order: a data file holding
 * standard input (when there is one), a data file holding the execution
 * (X.) file, and one job for the executing system with the commands that
 * send them ("S D.x D.x" then "S D.y X.y").  Only when uuxq_queue returns
 * 0 is the request durable: callers that must not lose it (an SMTP server
 * about to say 250, rmail about to exit 0) rely on that.  When sys is the
 * local node, the X. file is committed straight into our own execution
 * queue for uuxqt instead.
 */
#ifndef BRIGADE_UUXQ_H
#define BRIGADE_UUXQ_H

#include <stddef.h>

#include "lib/conf.h"
#include "spool/spool.h"

/* Notification flags, as in the X. file's N, Z and n lines. */
#define UUXQ_NOTIFY_NEVER 0x1	/* -n: no notice even on failure ("N") */
#define UUXQ_NOTIFY_FAIL 0x2	/* -z / default: notice on failure ("Z") */
#define UUXQ_NOTIFY_OK 0x4	/* notice on success ("n") */

struct uuxq_req {
	const char *sys;		/* executing system: a neighbour or our node */
	const char *command;		/* program name, e.g. "rmail" */
	char *const *args;		/* its arguments, exactly as the remote's argv
					   should receive them (no shell involved) */
	size_t nargs;
	const char *user;		/* requesting user (U line) */
	const char *requestor;		/* address for notices (R line), or NULL */
	char grade;			/* job grade ('A'...), 0 for the default 'N' */
	int notify;			/* UUXQ_NOTIFY_* */
	int stdin_fd;			/* read to EOF into the data file, or -1 */
	const char *stdin_data;		/* or a buffer (when stdin_fd < 0); with
					   neither, the command gets no input */
	size_t stdin_len;
	const char *const *files;	/* local files sent along (uux's "!path"
					   arguments), each as a data file with an
					   "F D.x name" line; NULL when none */
	const char *const *file_names;	/* the name each gets in the remote's
					   execution directory */
	size_t nfiles;
};

/* uuxq_queue - queue req; fills jobid (may be NULL).  0, or -1 with a
 * reason in err; errno ENOSPC (or EDQUOT/EFBIG) means try later.  A
 * failure leaves nothing queued. */
int uuxq_queue(struct spool *sp, const struct conf *conf, const struct uuxq_req *req,
    char jobid[SPOOL_ID_MAX], char *err, size_t errlen);

#endif
