/*
 * smtp.h - the line-based engine shared by Brigade's SMTP server
 * (uusmtpd) and its SMTP client (smtpout): a bounded line reader, a
 * command parser and a reply parser.
 *
 * Everything here is pure: no I/O, no allocation, no globals.  The bytes
 * come from an SMTP peer on the open Internet and are hostile: a line is
 * held in a fixed buffer; a longer one is counted and thrown away up to a
 * hard cap, after which the reader gives up on the connection.  Bare LF,
 * bare CR and NUL bytes are reported, never silently accepted.
 */
#ifndef BRIGADE_SMTP_H
#define BRIGADE_SMTP_H

#include <stddef.h>

#define SMTP_LINE_MAX 1000		/* RFC 5321 text line, with CRLF */
#define SMTP_LINE_HARDCAP 65536		/* longest line counted before giving up */
#define SMTP_LBUF_SIZE 4096		/* bytes buffered per connection */
#define SMTP_PATH_MAX 512		/* longest path accepted, with NUL */

/* Flags of a line returned by smtp_lbuf_next. */
#define SMTP_L_LONG 0x1		/* longer than SMTP_LINE_MAX: content dropped */
#define SMTP_L_BARELF 0x2	/* ended by LF without CR before it */
#define SMTP_L_NUL 0x4		/* held a NUL byte */
#define SMTP_L_BARECR 0x8	/* held a CR not followed by LF */

/* Results of smtp_lbuf_next. */
#define SMTP_LB_LINE 1		/* a line is in *line */
#define SMTP_LB_MORE 0		/* need more bytes */
#define SMTP_LB_FATAL (-1)	/* a line passed SMTP_LINE_HARDCAP */

/* A connection's input buffer.  Bytes go in at buf + len (see
 * smtp_lbuf_space), lines come out from the front. */
struct smtp_lbuf {
	char buf[SMTP_LBUF_SIZE];
	size_t len;		/* bytes held */
	size_t off;		/* start of the unread part */
	size_t skipping;	/* > 0: bytes of an over-long line dropped so far */
	int skip_flags;		/* flags collected while dropping */
};

/* smtp_lbuf_init - empty lb. */
void smtp_lbuf_init(struct smtp_lbuf *lb);

/* smtp_lbuf_space - where the next read may put bytes (*p) and how many
 * fit; never 0 after smtp_lbuf_next returned SMTP_LB_MORE.  Call
 * smtp_lbuf_added with the number actually stored. */
size_t smtp_lbuf_space(struct smtp_lbuf *lb, char **p);
void smtp_lbuf_added(struct smtp_lbuf *lb, size_t n);

/* smtp_lbuf_feed - copy up to n bytes of data in; returns how many fit. */
size_t smtp_lbuf_feed(struct smtp_lbuf *lb, const char *data, size_t n);

/* smtp_lbuf_next - take the next line out: *line points into lb (valid
 * until the next call that changes lb), *len excludes the line end,
 * *flags gets SMTP_L_*.  A line with SMTP_L_LONG has *len 0. */
int smtp_lbuf_next(struct smtp_lbuf *lb, const char **line, size_t *len, int *flags);

/* smtp_lbuf_pending - bytes held and not yet returned as lines (a client
 * pipelining before STARTTLS leaves some: they must be dropped). */
size_t smtp_lbuf_pending(const struct smtp_lbuf *lb);

/* Commands. */
enum smtp_verb {
	SMTP_V_UNKNOWN = 0,
	SMTP_V_HELO, SMTP_V_EHLO, SMTP_V_MAIL, SMTP_V_RCPT, SMTP_V_DATA, SMTP_V_RSET,
	SMTP_V_NOOP, SMTP_V_QUIT, SMTP_V_HELP, SMTP_V_VRFY, SMTP_V_EXPN, SMTP_V_STARTTLS,
	SMTP_V_AUTH, SMTP_V_BDAT
};

/* ESMTP body types (MAIL FROM BODY=). */
#define SMTP_BODY_7BIT 0
#define SMTP_BODY_8BIT 1

struct smtp_cmd {
	enum smtp_verb verb;
	char arg[SMTP_LINE_MAX];	/* the rest of the line after the verb (HELO
					   name, AUTH mechanism and response, ...) */
	char path[SMTP_PATH_MAX];	/* MAIL/RCPT: the path without <>; "" for <> */
	long long size;			/* MAIL SIZE=, -1 when absent */
	int body;			/* MAIL BODY=, SMTP_BODY_* */
};

/* smtp_cmd_parse - parse one command line (no line end; len bytes, not
 * NUL-terminated) into c.  MAIL needs "FROM:<path>", RCPT "TO:<path>"
 * (one space after the colon is tolerated); parameters SIZE= and BODY=
 * are understood, other known ones ignored, unknown ones refused.  A path
 * must be inside <>, hold no spaces, controls or angle brackets, and fit
 * SMTP_PATH_MAX.  An unknown verb parses with SMTP_V_UNKNOWN.  0, or -1
 * with a reason in err fit for a 501 reply. */
int smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *c, char *err, size_t errlen);

/* smtp_verb_name - the verb as text ("MAIL"), "?" for unknown. */
const char *smtp_verb_name(enum smtp_verb v);

/* Replies, as the client sees them. */
#define SMTP_EXT_STARTTLS 0x1
#define SMTP_EXT_AUTH_PLAIN 0x2
#define SMTP_EXT_AUTH_LOGIN 0x4
#define SMTP_EXT_PIPELINING 0x8
#define SMTP_EXT_8BITMIME 0x10
#define SMTP_EXT_SIZE 0x20

struct smtp_reply {
	int code;		/* 200..599 once complete */
	int complete;		/* the last line ("NNN ") has been seen */
	int nlines;
	char text[512];		/* the first line's text, truncated */
	int ext;		/* SMTP_EXT_* seen in an EHLO reply */
	long long size;		/* the SIZE the server announced, 0 if none */
};

/* smtp_reply_init - prepare r for a new reply. */
void smtp_reply_init(struct smtp_reply *r);

/* smtp_reply_line - add one reply line (no line end) to r.  A line must
 * be three digits, all the same in one reply, then '-' (more follow) or
 * ' ' or nothing (the last).  0, or -1 on a malformed line (the peer is
 * not speaking SMTP). */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len);

/* smtp_b64_encode / smtp_b64_decode - base64 for AUTH; -1 when dst is too
 * small or the input is not base64.  decode NUL-terminates and returns
 * the decoded length. */
int smtp_b64_encode(const unsigned char *src, size_t n, char *dst, size_t dstlen);
int smtp_b64_decode(const char *src, unsigned char *dst, size_t dstlen);

#endif
