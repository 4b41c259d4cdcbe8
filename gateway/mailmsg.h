/*
 * mailmsg.h - the parts of a mail message rmail reads and writes: the
 * UUCP From_ lines in front of it (RFC 976 "From sender date remote from
 * sys"), its RFC 5322 header block, Received: fields (for the hop count
 * and the one rmail adds), dates in both formats, and bounce messages.
 *
 * All pure: no I/O, the clock is passed in.  Messages are hostile: every
 * scan is bounded by the length given, From_ lines are bounded in length
 * and number, and the names taken from them are validated.
 */
#ifndef BRIGADE_MAILMSG_H
#define BRIGADE_MAILMSG_H

#include <stddef.h>
#include <time.h>

#include "gateway/mailaddr.h"

#define MAILMSG_FROM_LINES_MAX 64	/* most stacked From_ lines */
#define MAILMSG_LINE_MAX 1024		/* longest From_ line */
#define MAILMSG_DATE_MAX 64

/* What the From_ lines at the top of a message say. */
struct mailmsg_from {
	char sender[MAILADDR_MAX];	/* return path: every "remote from" system in
					   the order of the lines, '!', then the sender
					   of the last line ("" when there is no From_) */
	char remote[MAILADDR_HOST_MAX];	/* the first line's "remote from" system: the
					   neighbour that sent the message, or "" */
	char date[MAILMSG_DATE_MAX];	/* the first line's date text, or "" */
	size_t nlines;			/* From_ and >From_ lines read */
	size_t skip;			/* bytes they take; the message proper follows */
};

/* mailmsg_parse_from - read the From_ lines ("From " then ">From ") at
 * the start of msg (len bytes) into out.  No From_ line is not an error
 * (nlines == 0, skip == 0).  -1 with err for a From_ line that is too
 * long, unterminated, has no sender, an unusable sender (bytes outside
 * printable ASCII) or a "remote from" system that is not a valid host
 * name, or a path that grows too long. */
int mailmsg_parse_from(const char *msg, size_t len, struct mailmsg_from *out, char *err,
    size_t errlen);

/* mailmsg_header_len - the length of the header block at the start of msg:
 * up to and including the empty line that ends it, or len when there is
 * none. */
size_t mailmsg_header_len(const char *msg, size_t len);

/* mailmsg_count_received - how many Received: fields (any case) the
 * header block of msg holds. */
size_t mailmsg_count_received(const char *msg, size_t len);

/* mailmsg_date - an RFC 5322 date-time for tm, whose offset east of UTC
 * is gmtoff seconds: "Mon, 2 Jan 2006 15:04:05 +0100".  0 or -1. */
int mailmsg_date(char *dst, size_t n, const struct tm *tm, long gmtoff);

/* mailmsg_from_date - the date of a From_ line, as ctime(3) writes it
 * without the newline: "Mon Jan  2 15:04:05 2006".  0 or -1. */
int mailmsg_from_date(char *dst, size_t n, const struct tm *tm);

/* mailmsg_from_line - "From sender date\n", or with remote non-NULL
 * "From sender date remote from remote\n" (the line rmail puts in front
 * of mail it forwards).  An empty sender is written MAILER-DAEMON.  0 or
 * -1 when dst is too small. */
int mailmsg_from_line(char *dst, size_t n, const char *sender, const char *date,
    const char *remote);

/* mailmsg_received - the Received: field rmail adds, with its newline:
 * "Received: from SYS by ME with UUCP (Brigade rmail);\n\tDATE\n", without
 * "from SYS" when from_sys is NULL or "".  0 or -1. */
int mailmsg_received(char *dst, size_t n, const char *from_sys, const char *me,
    const char *date);

/* What a bounce says. */
struct mailmsg_bounce {
	const char *me;			/* this node's name */
	const char *to;			/* the return path it goes to */
	const char *date;		/* RFC 5322 date (mailmsg_date) */
	const char *const *rcpts;	/* the recipients that failed */
	const char *const *reasons;	/* why, one per recipient */
	size_t n;
	const char *headers;		/* the original message's header block */
	size_t headers_len;
};

/* mailmsg_bounce - build a bounce (header block and body, no From_ line)
 * from MAILER-DAEMON: the reasons, then the original headers.  Returns a
 * malloc'd buffer (caller frees) with its length in *lenp, or NULL. */
char *mailmsg_bounce(const struct mailmsg_bounce *b, size_t *lenp);

#endif
