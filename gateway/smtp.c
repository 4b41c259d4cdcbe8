/*
 * smtp.c - the SMTP line engine: bounded line reader, command parser,
 * reply parser and base64 for AUTH.  Pure functions over bytes from an
 * untrusted peer: every copy is bounded, every byte is checked, a line
 * that will not end is dropped and finally refused.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/smtp.h"
#include "lib/util.h"

/* smtp_lbuf_init - empty lb */
void
smtp_lbuf_init(struct smtp_lbuf *lb)
{
	lb->len = 0;
	lb->off = 0;
	lb->skipping = 0;
	lb->skip_flags = 0;
}

/* smtp_lbuf_space - room for the next read */
size_t
smtp_lbuf_space(struct smtp_lbuf *lb, char **p)
{
	*p = lb->buf + lb->len;
	return sizeof(lb->buf) - lb->len;
}

/* smtp_lbuf_added - account for n bytes stored at the space pointer */
void
smtp_lbuf_added(struct smtp_lbuf *lb, size_t n)
{
	lb->len += n;
}

/* smtp_lbuf_feed - copy bytes in */
size_t
smtp_lbuf_feed(struct smtp_lbuf *lb, const char *data, size_t n)
{
	char *p;
	size_t room = smtp_lbuf_space(lb, &p);

	if (n > room)
		n = room;
	memcpy(p, data, n);
	smtp_lbuf_added(lb, n);
	return n;
}

/* smtp_lbuf_pending - bytes not yet returned */
size_t
smtp_lbuf_pending(const struct smtp_lbuf *lb)
{
	return lb->len - lb->off + lb->skipping;
}

/* smtp_line_flags - NUL and bare CR inside s[0..n) */
static int
smtp_line_flags(const char *s, size_t n)
{
	int f = 0;
	size_t i;

	if (memchr(s, '\0', n))
		f |= SMTP_L_NUL;
	for (i = 0; i < n; i++)
		if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
			f |= SMTP_L_BARECR;
	return f;
}

/* smtp_lbuf_drop - the buffer is full without a line end: count it away,
 * keeping a final CR that may pair with the next LF */
static int
smtp_lbuf_drop(struct smtp_lbuf *lb)
{
	size_t keep = lb->buf[lb->len - 1] == '\r' ? 1 : 0;
	size_t n = lb->len - keep;

	lb->skip_flags |= smtp_line_flags(lb->buf, n);
	lb->skipping += n;
	memmove(lb->buf, lb->buf + n, keep);
	lb->len = keep;
	lb->off = 0;
	return lb->skipping > SMTP_LINE_HARDCAP ? SMTP_LB_FATAL : SMTP_LB_MORE;
}

/* smtp_lbuf_next - the next complete line */
int
smtp_lbuf_next(struct smtp_lbuf *lb, const char **line, size_t *len, int *flags)
{
	char *s = lb->buf + lb->off, *nl;
	size_t avail = lb->len - lb->off, raw, total;

	nl = memchr(s, '\n', avail);
	if (!nl) {
		if (lb->off > 0) {
			memmove(lb->buf, s, avail);
			lb->len = avail;
			lb->off = 0;
			return SMTP_LB_MORE;
		}
		if (lb->len < sizeof(lb->buf))
			return SMTP_LB_MORE;
		return smtp_lbuf_drop(lb);
	}
	raw = (size_t)(nl - s);
	lb->off += raw + 1;
	*line = s;
	*flags = 0;
	if (raw > 0 && s[raw - 1] == '\r')
		*len = raw - 1;
	else {
		*len = raw;
		*flags |= SMTP_L_BARELF;
	}
	*flags |= smtp_line_flags(s, *len);
	total = lb->skipping + *len;
	if (lb->skipping > 0) {
		*flags |= lb->skip_flags;
		lb->skipping = 0;
		lb->skip_flags = 0;
	}
	if (total > SMTP_LINE_HARDCAP)
		return SMTP_LB_FATAL;
	if (total + 2 > SMTP_LINE_MAX) {
		*flags |= SMTP_L_LONG;
		*len = 0;
	}
	return SMTP_LB_LINE;
}

static const struct {
	const char *name;
	enum smtp_verb verb;
} smtp_verbs[] = {
	{ "HELO", SMTP_V_HELO }, { "EHLO", SMTP_V_EHLO }, { "MAIL", SMTP_V_MAIL },
	{ "RCPT", SMTP_V_RCPT }, { "DATA", SMTP_V_DATA }, { "RSET", SMTP_V_RSET },
	{ "NOOP", SMTP_V_NOOP }, { "QUIT", SMTP_V_QUIT }, { "HELP", SMTP_V_HELP },
	{ "VRFY", SMTP_V_VRFY }, { "EXPN", SMTP_V_EXPN }, { "STARTTLS", SMTP_V_STARTTLS },
	{ "AUTH", SMTP_V_AUTH }, { "BDAT", SMTP_V_BDAT },
};

/* smtp_verb_name - the verb as text */
const char *
smtp_verb_name(enum smtp_verb v)
{
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(smtp_verbs); i++)
		if (smtp_verbs[i].verb == v)
			return smtp_verbs[i].name;
	return "?";
}

/* smtp_path_char_ok - a byte allowed inside <path> */
static int
smtp_path_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '<' && c != '>';
}

/* smtp_parse_path - "<path>" at *sp into dst; *sp moves past '>' */
static int
smtp_parse_path(const char **sp, char *dst, size_t n)
{
	const char *s = *sp, *e;
	size_t len;

	if (*s != '<')
		return -1;
	s++;
	for (e = s; *e && *e != '>'; e++)
		if (!smtp_path_char_ok((unsigned char)*e))
			return -1;
	if (*e != '>')
		return -1;
	len = (size_t)(e - s);
	if (len >= n)
		return -1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	*sp = e + 1;
	return 0;
}

/* smtp_parse_size - SIZE=value */
static int
smtp_parse_size(const char *v, size_t vlen, long long *out)
{
	long long x = 0;
	size_t i;

	if (vlen == 0 || vlen > 18)
		return -1;
	for (i = 0; i < vlen; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return 0;
}

/* smtp_parse_param - one ESMTP parameter of MAIL (is_mail) or RCPT */
static int
smtp_parse_param(const char *p, size_t plen, int is_mail, struct smtp_cmd *c, char *err,
    size_t errlen)
{
	const char *eq = memchr(p, '=', plen);
	size_t klen = eq ? (size_t)(eq - p) : plen;
	const char *v = eq ? eq + 1 : "";
	size_t vlen = eq ? plen - klen - 1 : 0;

	if (is_mail && klen == 4 && strncasecmp(p, "SIZE", 4) == 0) {
		if (smtp_parse_size(v, vlen, &c->size) < 0)
			goto bad;
		return 0;
	}
	if (is_mail && klen == 4 && strncasecmp(p, "BODY", 4) == 0) {
		if (vlen == 4 && strncasecmp(v, "7BIT", 4) == 0)
			c->body = SMTP_BODY_7BIT;
		else if (vlen == 8 && strncasecmp(v, "8BITMIME", 8) == 0)
			c->body = SMTP_BODY_8BIT;
		else
			goto bad;
		return 0;
	}
	if (is_mail && klen == 4 && strncasecmp(p, "AUTH", 4) == 0 && vlen > 0)
		return 0;
	str_fmt(err, errlen, "555 5.5.4 Unsupported parameter");
	return -1;
bad:
	str_fmt(err, errlen, "501 5.5.4 Bad parameter value");
	return -1;
}

/* smtp_parse_mailrcpt - "FROM:<path> params" or "TO:<path> params" */
static int
smtp_parse_mailrcpt(const char *a, struct smtp_cmd *c, char *err, size_t errlen)
{
	int is_mail = c->verb == SMTP_V_MAIL;
	const char *kw = is_mail ? "FROM:" : "TO:";
	size_t kwlen = strlen(kw), plen;
	const char *p;

	if (strncasecmp(a, kw, kwlen) != 0)
		goto syntax;
	a += kwlen;
	if (*a == ' ')
		a++;
	if (smtp_parse_path(&a, c->path, sizeof(c->path)) < 0)
		goto syntax;
	while (*a) {
		if (*a != ' ')
			goto syntax;
		while (*a == ' ')
			a++;
		if (!*a)
			break;
		p = a;
		while (*a && *a != ' ')
			a++;
		plen = (size_t)(a - p);
		if (smtp_parse_param(p, plen, is_mail, c, err, errlen) < 0)
			return -1;
	}
	return 0;
syntax:
	str_fmt(err, errlen, "501 5.5.4 Syntax: %s", is_mail ? "MAIL FROM:<address>" :
	    "RCPT TO:<address>");
	return -1;
}

/* smtp_cmd_check_arg - verbs that take no argument, or need one */
static int
smtp_cmd_check_arg(struct smtp_cmd *c, char *err, size_t errlen)
{
	switch (c->verb) {
	case SMTP_V_DATA:
	case SMTP_V_QUIT:
	case SMTP_V_STARTTLS:
	case SMTP_V_RSET:
		if (c->arg[0]) {
			str_fmt(err, errlen, "501 5.5.4 Syntax: %s takes no argument",
			    smtp_verb_name(c->verb));
			return -1;
		}
		return 0;
	case SMTP_V_HELO:
	case SMTP_V_EHLO:
	case SMTP_V_AUTH:
		if (!c->arg[0]) {
			str_fmt(err, errlen, "501 5.5.4 Syntax: %s needs an argument",
			    smtp_verb_name(c->verb));
			return -1;
		}
		return 0;
	case SMTP_V_MAIL:
	case SMTP_V_RCPT:
		return smtp_parse_mailrcpt(c->arg, c, err, errlen);
	default:
		return 0;
	}
}

/* smtp_cmd_parse - parse one command line */
int
smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *c, char *err, size_t errlen)
{
	size_t vlen, i;

	memset(c, 0, sizeof(*c));
	c->size = -1;
	if (len >= sizeof(c->arg) || memchr(line, '\0', len)) {
		str_fmt(err, errlen, "500 5.5.2 Syntax error");
		return -1;
	}
	for (vlen = 0; vlen < len && line[vlen] != ' '; vlen++)
		;
	for (i = 0; i < UTIL_ARRAY_LEN(smtp_verbs); i++)
		if (strlen(smtp_verbs[i].name) == vlen &&
		    strncasecmp(line, smtp_verbs[i].name, vlen) == 0)
			c->verb = smtp_verbs[i].verb;
	while (vlen < len && line[vlen] == ' ')
		vlen++;
	memcpy(c->arg, line + vlen, len - vlen);
	c->arg[len - vlen] = '\0';
	for (i = strlen(c->arg); i > 0 && (c->arg[i - 1] == ' ' || c->arg[i - 1] == '\t'); i--)
		c->arg[i - 1] = '\0';
	for (i = 0; c->arg[i]; i++)
		if ((unsigned char)c->arg[i] < 0x20 && c->arg[i] != '\t') {
			str_fmt(err, errlen, "501 5.5.2 Control characters not allowed");
			return -1;
		}
	if (c->verb == SMTP_V_UNKNOWN)
		return 0;
	return smtp_cmd_check_arg(c, err, errlen);
}

/* smtp_reply_init - prepare r */
void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
}

/* smtp_reply_ext - note an EHLO keyword line */
static void
smtp_reply_ext(struct smtp_reply *r, const char *t, size_t n)
{
	char kw[64];
	size_t i;

	if (n >= sizeof(kw))
		n = sizeof(kw) - 1;
	for (i = 0; i < n; i++)
		kw[i] = (char)toupper((unsigned char)t[i]);
	kw[n] = '\0';
	if (strcmp(kw, "STARTTLS") == 0)
		r->ext |= SMTP_EXT_STARTTLS;
	else if (strcmp(kw, "PIPELINING") == 0)
		r->ext |= SMTP_EXT_PIPELINING;
	else if (strcmp(kw, "8BITMIME") == 0)
		r->ext |= SMTP_EXT_8BITMIME;
	else if (strncmp(kw, "SIZE", 4) == 0 && (kw[4] == ' ' || kw[4] == '\0')) {
		r->ext |= SMTP_EXT_SIZE;
		if (kw[4] == ' ')
			r->size = atoll(kw + 5);
	} else if (strncmp(kw, "AUTH", 4) == 0 && (kw[4] == ' ' || kw[4] == '=')) {
		if (strstr(kw + 4, " PLAIN") || strstr(kw + 4, "=PLAIN"))
			r->ext |= SMTP_EXT_AUTH_PLAIN;
		if (strstr(kw + 4, " LOGIN") || strstr(kw + 4, "=LOGIN"))
			r->ext |= SMTP_EXT_AUTH_LOGIN;
	}
}

/* smtp_reply_line - add one reply line */
int
smtp_reply_line(struct smtp_reply *r, const char *line, size_t len)
{
	int code, i;
	size_t tl;

	if (r->complete || len < 3)
		return -1;
	for (i = 0; i < 3; i++)
		if (!isdigit((unsigned char)line[i]))
			return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (code < 200 || code > 599 || (r->nlines > 0 && code != r->code))
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	r->code = code;
	tl = len > 4 ? len - 4 : 0;
	if (r->nlines == 0) {
		if (tl >= sizeof(r->text))
			tl = sizeof(r->text) - 1;
		memcpy(r->text, line + 4, tl);
		r->text[tl] = '\0';
	} else
		smtp_reply_ext(r, line + 4, tl);
	r->nlines++;
	if (len == 3 || line[3] == ' ')
		r->complete = 1;
	return 0;
}

static const char smtp_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* smtp_b64_encode - base64 of src */
int
smtp_b64_encode(const unsigned char *src, size_t n, char *dst, size_t dstlen)
{
	size_t i, o = 0;
	unsigned long v;

	if ((n + 2) / 3 * 4 + 1 > dstlen)
		return -1;
	for (i = 0; i < n; i += 3) {
		v = (unsigned long)src[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)src[i + 1] << 8;
		if (i + 2 < n)
			v |= src[i + 2];
		dst[o++] = smtp_b64[(v >> 18) & 63];
		dst[o++] = smtp_b64[(v >> 12) & 63];
		dst[o++] = i + 1 < n ? smtp_b64[(v >> 6) & 63] : '=';
		dst[o++] = i + 2 < n ? smtp_b64[v & 63] : '=';
	}
	dst[o] = '\0';
	return (int)o;
}

/* smtp_b64_decode - decode base64 text */
int
smtp_b64_decode(const char *src, unsigned char *dst, size_t dstlen)
{
	size_t o = 0, n = strlen(src), i, pad = 0;
	unsigned long v = 0;
	const char *p;
	int k;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (src[i] == '=') {
			if (i < n - 2)
				return -1;
			pad++;
			k = 0;
		} else {
			if (pad || !(p = strchr(smtp_b64, src[i])) || src[i] == '\0')
				return -1;
			k = (int)(p - smtp_b64);
		}
		v = (v << 6) | (unsigned long)k;
		if (i % 4 == 3) {
			if (o + 3 - pad >= dstlen)
				return -1;
			dst[o++] = (unsigned char)(v >> 16);
			if (pad < 2)
				dst[o++] = (unsigned char)(v >> 8);
			if (pad < 1)
				dst[o++] = (unsigned char)v;
			v = 0;
		}
	}
	dst[o] = '\0';
	return (int)o;
}
