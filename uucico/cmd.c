/*
 * cmd.c - parse and format the UUCP session's command strings.  Pure
 * functions over bounded buffers: the strings come from the wire and are
 * hostile.  Callers still check every path against Permissions.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "uucico/cmd.h"

#define CMD_MAXTOK 12

/* cmd_quote - backslash-quote one field */
int
cmd_quote(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in; in++) {
		unsigned char ch = (unsigned char)*in;
		if (ch == '\\' || ch <= ' ' || ch >= 0x7f || ch == '"') {
			if (o + 5 > outlen)
				return -1;
			if (ch == '\\') {
				out[o++] = '\\';
				out[o++] = '\\';
			} else {
				snprintf(out + o, 5, "\\%03o", ch);
				o += 4;
			}
		} else {
			if (o + 2 > outlen)
				return -1;
			out[o++] = (char)ch;
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* cmd_unquote - undo backslash quoting */
int
cmd_unquote(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	while (*in) {
		unsigned char ch = (unsigned char)*in++;
		if (ch == '\\') {
			if (*in == '\\') {
				ch = '\\';
				in++;
			} else if (in[0] >= '0' && in[0] <= '3' && in[1] >= '0' && in[1] <= '7' &&
			    in[2] >= '0' && in[2] <= '7') {
				ch = (unsigned char)((in[0] - '0') * 64 + (in[1] - '0') * 8 + (in[2] - '0'));
				in += 3;
			} else {
				return -1;
			}
			if (ch == '\0')
				return -1;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	return 0;
}

/* cmd_has_option - look for an option letter */
int
cmd_has_option(const struct cmd *c, char o)
{
	return strchr(c->options, o) != NULL;
}

/* cmd_split - split s into at most max space-separated tokens; the rest
 * of the line after token max-1 is returned in *rest (for E). */
static int
cmd_split(char *s, char *tok[], int max, char **rest)
{
	int n = 0;

	*rest = NULL;
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (n == max) {
			*rest = s;
			break;
		}
		tok[n++] = s;
		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/* cmd_field - copy (and unquote) one field */
static int
cmd_field(const char *tok, int quoted, char *out, size_t outlen)
{
	if (strcmp(tok, "\"\"") == 0) {
		out[0] = '\0';
		return 0;
	}
	if (quoted)
		return cmd_unquote(tok, out, outlen);
	return str_copy(out, tok, outlen);
}

/* cmd_size - parse a size field: 0x hex, else decimal */
static int
cmd_size(const char *tok, long long *size)
{
	char *end;
	long long v;

	if (tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X'))
		v = strtoll(tok + 2, &end, 16);
	else
		v = strtoll(tok, &end, 10);
	if (end == tok || *end != '\0' || v < 0)
		return -1;
	*size = v;
	return 0;
}

/* cmd_parse - parse one master command */
int
cmd_parse(const char *s, struct cmd *c, char *err, size_t errlen)
{
	char buf[CMD_LINE_MAX];
	char *tok[CMD_MAXTOK], *rest;
	int n, quoted, max;
	char *end;

	memset(c, 0, sizeof(*c));
	c->size = -1;
	if (str_copy(buf, s, sizeof(buf)) < 0) {
		str_fmt(err, errlen, "command too long");
		return -1;
	}
	c->kind = buf[0];
	if (buf[0] == 'H' && (buf[1] == '\0' || buf[1] == ' ')) {
		return 0;
	}
	if (buf[0] == '\0' || !strchr("SRXE", buf[0]) || buf[1] != ' ') {
		str_fmt(err, errlen, "unknown command");
		return -1;
	}
	max = buf[0] == 'E' ? 8 : CMD_MAXTOK;
	n = cmd_split(buf + 2, tok, max, &rest);
	if (n < 4 || tok[3][0] != '-') {
		str_fmt(err, errlen, "too few fields");
		return -1;
	}
	if (str_copy(c->options, tok[3] + 1, sizeof(c->options)) < 0) {
		str_fmt(err, errlen, "options too long");
		return -1;
	}
	for (end = c->options; *end; end++)
		if (!isalnum((unsigned char)*end)) {
			str_fmt(err, errlen, "bad option letter");
			return -1;
		}
	quoted = cmd_has_option(c, 'q');
	if (cmd_field(tok[0], quoted, c->from, sizeof(c->from)) < 0 ||
	    cmd_field(tok[1], quoted, c->to, sizeof(c->to)) < 0 ||
	    cmd_field(tok[2], quoted, c->user, sizeof(c->user)) < 0) {
		str_fmt(err, errlen, "bad file name or user field");
		return -1;
	}
	if (c->kind == 'R') {
		if (n >= 5 && cmd_size(tok[4], &c->size) < 0) {
			str_fmt(err, errlen, "bad size");
			return -1;
		}
		return 0;
	}
	if (c->kind == 'X')
		return 0;
	/* S and E: temp mode [notify [size]] */
	if (n < 6) {
		str_fmt(err, errlen, "too few fields");
		return -1;
	}
	if (str_copy(c->temp, tok[4], sizeof(c->temp)) < 0) {
		str_fmt(err, errlen, "temporary name too long");
		return -1;
	}
	c->mode = (unsigned)strtoul(tok[5], &end, 8);
	if (end == tok[5] || *end != '\0' || c->mode > 07777) {
		str_fmt(err, errlen, "bad mode");
		return -1;
	}
	if (n >= 7 && cmd_field(tok[6], quoted, c->notify, sizeof(c->notify)) < 0) {
		str_fmt(err, errlen, "bad notify field");
		return -1;
	}
	if (n >= 8 && cmd_size(tok[7], &c->size) < 0) {
		str_fmt(err, errlen, "bad size");
		return -1;
	}
	if (c->kind == 'S' && n >= 9 && tok[8][0] == 'Z') {
		if (strlen(tok[8]) != 9 || strspn(tok[8] + 1, "0123456789abcdef") != 8) {
			str_fmt(err, errlen, "bad checksum field");
			return -1;
		}
		memcpy(c->crc, tok[8] + 1, 9);
	}
	if (c->kind == 'E') {
		if (n < 8 || !rest || !*rest) {
			str_fmt(err, errlen, "E command without a command");
			return -1;
		}
		if (str_copy(c->command, rest, sizeof(c->command)) < 0) {
			str_fmt(err, errlen, "command too long");
			return -1;
		}
	}
	return 0;
}

/* cmd_put - format one field for the wire, quoting when asked */
static int
cmd_put(char *out, size_t outlen, size_t *o, const char *field, int quote, int allow_empty)
{
	char q[PATH_MAX * 4 + 1];
	const char *f = field;
	const char *p;
	int r;

	if (field[0] == '\0') {
		if (!allow_empty)
			return -1;
		f = "\"\"";
	} else if (quote) {
		if (cmd_quote(field, q, sizeof(q)) < 0)
			return -1;
		f = q;
	} else {
		for (p = field; *p; p++)
			if ((unsigned char)*p <= ' ')
				return -1;
	}
	r = snprintf(out + *o, outlen - *o, "%s%s", *o ? " " : "", f);
	if (r < 0 || (size_t)r >= outlen - *o)
		return -1;
	*o += (size_t)r;
	return 0;
}

/* cmd_needs_quote - whether a field cannot travel unquoted */
static int
cmd_needs_quote(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '\\' || *s == '"' || (unsigned char)*s >= 0x7f)
			return 1;
	return 0;
}

/* cmd_format_any - format a master command for the wire */
static int
cmd_format_any(const struct cmd *c, int features, char *out, size_t outlen)
{
	char opts[40];
	size_t o = 0;
	int quote = 0, r;

	if (outlen < 2)
		return -1;
	if (c->kind == 'H')
		return str_copy(out, "H", outlen);
	if ((features & CMD_F_QUOTE) && (cmd_needs_quote(c->from) || cmd_needs_quote(c->to) ||
	    cmd_needs_quote(c->user) || cmd_needs_quote(c->notify)))
		quote = 1;
	if (str_fmt(opts, sizeof(opts), "-%s%s", c->options,
	    quote && !strchr(c->options, 'q') ? "q" : "") < 0 || strlen(opts) >= sizeof(c->options))
		return -1;
	out[0] = c->kind;
	out[1] = '\0';
	o = 1;
	if (cmd_put(out, outlen, &o, c->from, quote, 0) < 0 ||
	    cmd_put(out, outlen, &o, c->to, quote, 0) < 0 ||
	    cmd_put(out, outlen, &o, c->user[0] ? c->user : "uucp", quote, 0) < 0 ||
	    cmd_put(out, outlen, &o, opts, 0, 0) < 0)
		return -1;
	if (c->kind == 'X')
		return 0;
	if (c->kind == 'R') {
		if ((features & CMD_F_SIZE) && c->size >= 0) {
			r = snprintf(out + o, outlen - o,
			    (features & CMD_F_DECIMAL) ? " %lld" : " 0x%llx", c->size);
			if (r < 0 || (size_t)r >= outlen - o)
				return -1;
		}
		return 0;
	}
	r = snprintf(out + o, outlen - o, " %s 0%o", c->temp[0] ? c->temp : "D.0", c->mode & 07777);
	if (r < 0 || (size_t)r >= outlen - o)
		return -1;
	o += (size_t)r;
	if ((features & CMD_F_SIZE) || c->notify[0] || c->kind == 'E') {
		if (cmd_put(out, outlen, &o, c->notify, quote, 1) < 0)
			return -1;
	}
	if (features & CMD_F_SIZE) {
		if (features & CMD_F_DUMMY) {
			if (cmd_put(out, outlen, &o, "dummy", 0, 0) < 0)
				return -1;
		}
		r = snprintf(out + o, outlen - o,
		    (features & CMD_F_DECIMAL) ? " %lld" : " 0x%llx", c->size < 0 ? 0 : c->size);
		if (r < 0 || (size_t)r >= outlen - o)
			return -1;
		o += (size_t)r;
	} else if (c->kind == 'E') {
		return -1;	/* E needs a size field before the command */
	}
	if (c->kind == 'S' && c->crc[0] && (features & CMD_F_SIZE)) {
		r = snprintf(out + o, outlen - o, " Z%.8s", c->crc);
		if (r < 0 || (size_t)r >= outlen - o)
			return -1;
		o += (size_t)r;
	}
	if (c->kind == 'E') {
		r = snprintf(out + o, outlen - o, " %s", c->command);
		if (r < 0 || (size_t)r >= outlen - o)
			return -1;
	}
	return 0;
}

/* cmd_format - format a command no longer than a peer accepts */
int
cmd_format(const struct cmd *c, int features, char *out, size_t outlen)
{
	if (cmd_format_any(c, features, out, outlen) < 0 || strlen(out) >= CMD_LINE_MAX)
		return -1;
	return 0;
}

/* cmd_parse_sy - the start position in "SY [pos]" */
int
cmd_parse_sy(const char *reply, long long *pos)
{
	*pos = 0;
	if (reply[0] == '\0' || reply[1] == '\0' || reply[2] == '\0')
		return 0;
	while (*reply && *reply != ' ')
		reply++;
	while (*reply == ' ')
		reply++;
	if (!*reply)
		return 0;
	if (cmd_size(reply, pos) < 0)
		return -1;
	return 1;
}

/* cmd_parse_ry - "RY mode [size]" */
int
cmd_parse_ry(const char *reply, unsigned *mode, long long *size)
{
	char buf[128];
	char *tok[4], *rest, *end;
	int n;

	*mode = 0666;
	*size = -1;
	if (str_copy(buf, reply, sizeof(buf)) < 0)
		return -1;
	n = cmd_split(buf, tok, 4, &rest);
	if (n >= 2) {
		unsigned long m = strtoul(tok[1], &end, 8);
		if (end == tok[1] || (*end && *end != 'M'))
			return -1;
		*mode = (unsigned)m & 07777;
	}
	if (n >= 3 && cmd_size(tok[2], size) < 0)
		return -1;
	return n - 1;
}

/* cmd_part_size - bytes per part of a file of size bytes, or 0 */
long long
cmd_part_size(long long size)
{
	long long part = CMD_PART_MIN;

	if (size <= part)
		return 0;
	while (size / part + (size % part != 0) > CMD_PARTS_MAX && part < (1LL << 56))
		part *= 2;
	return part;
}

/* cmd_format_trailer - "ZCRC32 x", "ZPARTS size c1 ...", or both */
int
cmd_format_trailer(int with_crc, unsigned long crc, const struct cmd_parts *p, char *out,
    size_t outlen)
{
	size_t o = 0;
	unsigned i;
	int r;

	if ((!with_crc && p->n == 0) || p->n > CMD_PARTS_MAX || outlen == 0)
		return -1;
	out[0] = '\0';
	if (with_crc) {
		r = snprintf(out, outlen, "ZCRC32 %08lx", crc & 0xffffffffUL);
		if (r < 0 || (size_t)r >= outlen)
			return -1;
		o = (size_t)r;
	}
	if (p->n == 0)
		return 0;
	r = snprintf(out + o, outlen - o, "%sZPARTS %llx", o ? " " : "",
	    (unsigned long long)p->size);
	if (r < 0 || (size_t)r >= outlen - o)
		return -1;
	o += (size_t)r;
	for (i = 0; i < p->n; i++) {
		r = snprintf(out + o, outlen - o, " %08lx", p->crc[i] & 0xffffffffUL);
		if (r < 0 || (size_t)r >= outlen - o)
			return -1;
		o += (size_t)r;
	}
	return o < CMD_TRAILER_MAX ? 0 : -1;
}

/* cmd_hex - 1 to max hex digits at *sp (no sign, no 0x); moves *sp past
 * them; 0 or -1 */
static int
cmd_hex(const char **sp, int max, unsigned long long *v)
{
	const char *s = *sp;
	int n = 0;

	*v = 0;
	for (; n < max && isxdigit((unsigned char)s[n]); n++)
		*v = *v * 16 + (unsigned long long)(isdigit((unsigned char)s[n]) ? s[n] - '0' :
		    tolower((unsigned char)s[n]) - 'a' + 10);
	if (n == 0 || isxdigit((unsigned char)s[n]))
		return -1;
	*sp = s + n;
	return 0;
}

/* cmd_parse_parts - "ZPARTS size c1 ... cN" to the end of s; 0 or -1 */
static int
cmd_parse_parts(const char *s, long long size, struct cmd_parts *p)
{
	unsigned long long v, want;
	unsigned i;

	if (strncmp(s, "ZPARTS ", 7) != 0 || size <= 0)
		return -1;
	s += 7;
	if (cmd_hex(&s, 15, &v) < 0 || v < CMD_PART_MIN || v >= (unsigned long long)size)
		return -1;
	p->size = (long long)v;
	want = (unsigned long long)(size / p->size + (size % p->size != 0));
	if (want < 2 || want > CMD_PARTS_MAX)
		return -1;
	for (i = 0; i < want; i++) {
		if (*s++ != ' ' || cmd_hex(&s, 8, &v) < 0)
			return -1;
		p->crc[i] = (unsigned long)v;
	}
	if (*s != '\0')
		return -1;
	p->n = (unsigned)want;
	return 0;
}

/* cmd_parse_trailer - the line after a file's data */
int
cmd_parse_trailer(const char *line, long long size, unsigned long *crc, struct cmd_parts *p)
{
	unsigned long long v;
	int found = 0;

	p->n = 0;
	p->size = 0;
	*crc = 0;
	if (strncmp(line, "ZCRC32 ", 7) == 0) {
		line += 7;
		if (cmd_hex(&line, 8, &v) < 0 || (*line != '\0' && *line != ' '))
			return 0;
		*crc = (unsigned long)v;
		found = 1;
		if (*line == '\0')
			return found;
		line++;
	}
	if (cmd_parse_parts(line, size, p) < 0)
		p->n = 0;
	return found;
}

/* cmd_format_repair - "P<partsize>:<bitmap>" */
int
cmd_format_repair(const struct cmd_repair *r, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o;
	unsigned i;
	int len;

	if (r->n < 2 || r->n > CMD_PARTS_MAX || r->size < CMD_PART_MIN)
		return -1;
	len = snprintf(out, outlen, "P%llx:", (unsigned long long)r->size);
	if (len < 0 || (size_t)len + (r->n + 3) / 4 >= outlen)
		return -1;
	o = (size_t)len;
	for (i = 0; i < r->n; i += 4) {
		unsigned d = 0, b;
		for (b = 0; b < 4 && i + b < r->n; b++)
			if (r->bad[i + b])
				d |= 8U >> b;
		out[o++] = hex[d];
	}
	out[o] = '\0';
	return 0;
}

/* cmd_parse_repair - "P<partsize>:<bitmap>" for a file of fsize bytes */
int
cmd_parse_repair(const char *s, long long fsize, struct cmd_repair *r)
{
	unsigned long long v;
	unsigned i, digits;

	memset(r, 0, sizeof(*r));
	if (s[0] != 'P' || s[1] == '0' || fsize <= 0)
		return -1;
	s++;
	if (cmd_hex(&s, 15, &v) < 0 || *s++ != ':' || (long long)v != cmd_part_size(fsize) ||
	    v == 0)
		return -1;
	r->size = (long long)v;
	r->n = (unsigned)(fsize / r->size + (fsize % r->size != 0));
	digits = (r->n + 3) / 4;
	for (i = 0; i < digits; i++) {
		unsigned d, b;
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			goto bad;
		d = (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0' : s[i] - 'a' + 10);
		for (b = 0; b < 4; b++) {
			if (!(d & (8U >> b)))
				continue;
			if (4 * i + b >= r->n)
				goto bad;
			r->bad[4 * i + b] = 1;
			r->nbad++;
		}
	}
	if (s[digits] != '\0' || r->nbad == 0)
		goto bad;
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	return -1;
}

/* cmd_parse_sy_repair - "SY 0x<fsize> P...:..." */
int
cmd_parse_sy_repair(const char *reply, long long fsize, struct cmd_repair *r)
{
	const char *p = strchr(reply, ' ');
	long long pos;
	char num[32];
	size_t len;

	memset(r, 0, sizeof(*r));
	if (!p || !(p = strchr(p + 1, ' ')))
		return 0;
	len = (size_t)(p - reply);
	if (len < 4 || len - 3 >= sizeof(num))
		return -1;
	memcpy(num, reply + 3, len - 3);
	num[len - 3] = '\0';
	if (reply[2] != ' ' || cmd_size(num, &pos) < 0 || pos != fsize)
		return -1;
	return cmd_parse_repair(p + 1, fsize, r) < 0 ? -1 : 1;
}

/* cmd_repair_len - the bytes of the marked parts */
long long
cmd_repair_len(const struct cmd_repair *r, long long fsize)
{
	long long len = 0, end;
	unsigned i;

	for (i = 0; i < r->n && i < CMD_PARTS_MAX; i++) {
		if (!r->bad[i])
			continue;
		end = ((long long)i + 1) * r->size;
		len += (end > fsize ? fsize : end) - (long long)i * r->size;
	}
	return len;
}

/* cmd_repair_map - where byte v of the repair stream is in the file */
long long
cmd_repair_map(const struct cmd_repair *r, long long fsize, long long v, long long *run)
{
	long long start, plen;
	unsigned i;

	*run = 0;
	if (v < 0)
		return -1;
	for (i = 0; i < r->n && i < CMD_PARTS_MAX; i++) {
		if (!r->bad[i])
			continue;
		start = (long long)i * r->size;
		plen = (start + r->size > fsize ? fsize : start + r->size) - start;
		if (plen <= 0)
			return -1;
		if (v < plen) {
			*run = plen - v;
			return start + v;
		}
		v -= plen;
	}
	return -1;
}
