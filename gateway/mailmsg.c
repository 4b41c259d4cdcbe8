/*
 * mailmsg.c - From_ lines, header blocks, Received: fields, dates and
 * bounces (see mailmsg.h).
 *
 * Trust: the message bytes are hostile.  Every scan is bounded by the
 * length given (messages may hold NUL bytes), From_ lines are limited in
 * length and number, and names taken from them are checked before they
 * are used.  No I/O; the time is an argument.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/mailmsg.h"
#include "lib/util.h"

static const char mailmsg_days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char mailmsg_months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* mailmsg_fail - format a reason into err; returns -1 */
static int __attribute__((format(printf, 3, 4)))
mailmsg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* mailmsg_is_from - the prefix length of a From_ line at p ("From " or
 * ">From "; '>' only when gt is set), or 0 */
static size_t
mailmsg_is_from(const char *p, size_t left, int gt)
{
	if (left >= 5 && !memcmp(p, "From ", 5))
		return 5;
	if (gt && left >= 6 && !memcmp(p, ">From ", 6))
		return 6;
	return 0;
}

/* mailmsg_sender_ok - whether a From_ sender is printable, space-free ASCII */
static int
mailmsg_sender_ok(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

/* mailmsg_from_one - parse one From_ line body (after "From ") into the
 * sender and the remote system ("" when none) */
static int
mailmsg_from_one(const char *line, char *sender, char *remote, char *date, char *err,
    size_t errlen)
{
	const char *sp, *rf, *tag = " remote from ";
	size_t n;

	while (*line == ' ')
		line++;
	sp = strchr(line, ' ');
	n = sp ? (size_t)(sp - line) : strlen(line);
	if (n == 0 || n >= MAILADDR_MAX)
		return mailmsg_fail(err, errlen, "From_ line without a usable sender");
	memcpy(sender, line, n);
	sender[n] = '\0';
	if (!mailmsg_sender_ok(sender))
		return mailmsg_fail(err, errlen, "From_ line sender has bad bytes");
	remote[0] = '\0';
	date[0] = '\0';
	if (!sp)
		return 0;
	while (*sp == ' ')
		sp++;
	rf = strstr(sp, tag);
	n = rf ? (size_t)(rf - sp) : strlen(sp);
	if (n >= MAILMSG_DATE_MAX)
		n = MAILMSG_DATE_MAX - 1;
	memcpy(date, sp, n);
	date[n] = '\0';
	if (rf) {
		if (str_copy(remote, rf + strlen(tag), MAILADDR_HOST_MAX) < 0 ||
		    !mailaddr_host_is_valid(remote))
			return mailmsg_fail(err, errlen, "From_ line names a bad remote system");
	}
	return 0;
}

/* mailmsg_parse_from - read the From_ lines at the start of a message */
int
mailmsg_parse_from(const char *msg, size_t len, struct mailmsg_from *out, char *err,
    size_t errlen)
{
	char line[MAILMSG_LINE_MAX], sender[MAILADDR_MAX], remote[MAILADDR_HOST_MAX];
	char date[MAILMSG_DATE_MAX], path[MAILADDR_MAX] = "";
	size_t off = 0, pre, n, plen = 0;
	const char *nl;

	memset(out, 0, sizeof(*out));
	while ((pre = mailmsg_is_from(msg + off, len - off, out->nlines > 0))) {
		if (out->nlines >= MAILMSG_FROM_LINES_MAX)
			return mailmsg_fail(err, errlen, "too many From_ lines");
		if (!(nl = memchr(msg + off, '\n', len - off)))
			return mailmsg_fail(err, errlen, "unterminated From_ line");
		n = (size_t)(nl - msg - off);
		if (n >= sizeof(line) || memchr(msg + off, '\0', n))
			return mailmsg_fail(err, errlen, "From_ line too long or with NUL");
		memcpy(line, msg + off + pre, n - pre);
		line[n - pre] = '\0';
		if (n - pre > 0 && line[n - pre - 1] == '\r')
			line[n - pre - 1] = '\0';
		if (mailmsg_from_one(line, sender, remote, date, err, errlen) < 0)
			return -1;
		if (out->nlines == 0) {
			str_copy(out->remote, remote, sizeof(out->remote));
			str_copy(out->date, date, sizeof(out->date));
		}
		if (remote[0]) {
			if (str_fmt(path + plen, sizeof(path) - plen, "%s!", remote) < 0)
				return mailmsg_fail(err, errlen, "return path too long");
			plen += strlen(remote) + 1;
		}
		out->nlines++;
		off += n + 1;
	}
	if (out->nlines && str_fmt(out->sender, sizeof(out->sender), "%s%s", path, sender) < 0)
		return mailmsg_fail(err, errlen, "return path too long");
	out->skip = off;
	return 0;
}

/* mailmsg_header_len - the length of the header block */
size_t
mailmsg_header_len(const char *msg, size_t len)
{
	size_t off = 0;
	const char *nl;

	while (off < len) {
		if (msg[off] == '\n')
			return off + 1;
		if (msg[off] == '\r' && off + 1 < len && msg[off + 1] == '\n')
			return off + 2;
		if (!(nl = memchr(msg + off, '\n', len - off)))
			return len;
		off = (size_t)(nl - msg) + 1;
	}
	return len;
}

/* mailmsg_count_received - Received: fields in the header block */
size_t
mailmsg_count_received(const char *msg, size_t len)
{
	size_t hlen = mailmsg_header_len(msg, len), off = 0, count = 0;
	const char *nl;

	while (off < hlen) {
		if (hlen - off >= 9 && !strncasecmp(msg + off, "Received:", 9))
			count++;
		if (!(nl = memchr(msg + off, '\n', hlen - off)))
			break;
		off = (size_t)(nl - msg) + 1;
	}
	return count;
}

/* mailmsg_tm_ok - whether tm's fields index the name tables */
static int
mailmsg_tm_ok(const struct tm *tm)
{
	return tm->tm_wday >= 0 && tm->tm_wday < 7 && tm->tm_mon >= 0 && tm->tm_mon < 12;
}

/* mailmsg_date - an RFC 5322 date-time */
int
mailmsg_date(char *dst, size_t n, const struct tm *tm, long gmtoff)
{
	long off = gmtoff < 0 ? -gmtoff : gmtoff;

	if (!mailmsg_tm_ok(tm) || off >= 100 * 3600)
		return -1;
	return str_fmt(dst, n, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    mailmsg_days[tm->tm_wday], tm->tm_mday, mailmsg_months[tm->tm_mon],
	    tm->tm_year + 1900, tm->tm_hour, tm->tm_min, tm->tm_sec,
	    gmtoff < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
}

/* mailmsg_from_date - a ctime-style date for a From_ line */
int
mailmsg_from_date(char *dst, size_t n, const struct tm *tm)
{
	if (!mailmsg_tm_ok(tm))
		return -1;
	return str_fmt(dst, n, "%s %s %2d %02d:%02d:%02d %04d", mailmsg_days[tm->tm_wday],
	    mailmsg_months[tm->tm_mon], tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
	    tm->tm_year + 1900);
}

/* mailmsg_from_line - build a From_ line */
int
mailmsg_from_line(char *dst, size_t n, const char *sender, const char *date,
    const char *remote)
{
	if (!*sender)
		sender = "MAILER-DAEMON";
	if (remote)
		return str_fmt(dst, n, "From %s %s remote from %s\n", sender, date, remote);
	return str_fmt(dst, n, "From %s %s\n", sender, date);
}

/* mailmsg_received - the Received: field rmail adds */
int
mailmsg_received(char *dst, size_t n, const char *from_sys, const char *me,
    const char *date)
{
	if (from_sys && *from_sys)
		return str_fmt(dst, n, "Received: from %s by %s with UUCP (Brigade rmail);\n\t%s\n",
		    from_sys, me, date);
	return str_fmt(dst, n, "Received: by %s with UUCP (Brigade rmail);\n\t%s\n", me, date);
}

/* mailmsg_cat - append len bytes to a growing buffer; 0 or -1 */
static int
mailmsg_cat(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	char *nb;

	if (*len + n + 1 > *cap) {
		size_t nc = (*len + n + 1) * 2;

		if (!(nb = realloc(*buf, nc)))
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* mailmsg_cats - append a string */
static int
mailmsg_cats(char **buf, size_t *len, size_t *cap, const char *s)
{
	return mailmsg_cat(buf, len, cap, s, strlen(s));
}

/* mailmsg_bounce - build a bounce message */
char *
mailmsg_bounce(const struct mailmsg_bounce *b, size_t *lenp)
{
	char *buf = NULL, line[2 * MAILADDR_MAX + 256];
	size_t len = 0, cap = 0, i, hl = b->headers_len;
	int bad = 0;

	bad |= str_fmt(line, sizeof(line), "From: Mail Delivery System <MAILER-DAEMON@%s>\n"
	    "To: %s\nSubject: Returned mail: delivery failed\nDate: %s\n"
	    "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n", b->me, b->to, b->date) < 0;
	bad |= mailmsg_cats(&buf, &len, &cap, line);
	bad |= mailmsg_cats(&buf, &len, &cap, "Your message could not be delivered to "
	    "the following recipients.\n\n");
	for (i = 0; i < b->n; i++) {
		bad |= str_fmt(line, sizeof(line), "  %s\n    %s\n", b->rcpts[i], b->reasons[i]) < 0;
		bad |= mailmsg_cats(&buf, &len, &cap, line);
	}
	bad |= mailmsg_cats(&buf, &len, &cap, "\n------ The headers of your message follow "
	    "------\n\n");
	while (hl > 0 && (b->headers[hl - 1] == '\n' || b->headers[hl - 1] == '\r'))
		hl--;
	bad |= mailmsg_cat(&buf, &len, &cap, b->headers, hl);
	bad |= mailmsg_cats(&buf, &len, &cap, "\n");
	if (bad) {
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}
