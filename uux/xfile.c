/*
 * xfile.c - parse and format UUCP execution (X.) files.  Pure functions:
 * no I/O.  The text parsed is hostile (it arrives from a neighbour): every
 * field is bounded, NUL bytes and bad quoting are refused, and the parser
 * never decides whether a name is acceptable, only whether it is well
 * formed.  See xfile.h for the format.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uux/xfile.h"

#define XFILE_TOKENS_MAX (XFILE_ARGS_MAX + 1)

/* xfile_errf - write "line N: why" into err */
static int
xfile_errf(char *err, size_t errlen, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && errlen)
		snprintf(err, errlen, "line %d: %s", line, msg);
	return -1;
}

/* xfile_octal - whether c is an octal digit */
static int
xfile_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* xfile_unquote - copy token s (n bytes) into out (outlen), undoing
 * backslash quoting when quoted; the length written, or -1 */
static long
xfile_unquote(const char *s, size_t n, char *out, size_t outlen, int quoted)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (quoted && c == '\\') {
			if (i + 1 < n && s[i + 1] == '\\') {
				i++;
			} else if (i + 3 < n && xfile_octal(s[i + 1]) && xfile_octal(s[i + 2]) &&
			    xfile_octal(s[i + 3])) {
				unsigned v = (unsigned)(s[i + 1] - '0') * 64 +
				    (unsigned)(s[i + 2] - '0') * 8 + (unsigned)(s[i + 3] - '0');
				if (v == 0 || v > 0377)
					return -1;
				c = (unsigned char)v;
				i += 3;
			} else {
				return -1;
			}
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

/* xfile_split - split line (n bytes) at blanks into at most max tokens;
 * the count, or -1 when there are more */
static int
xfile_split(const char *line, size_t n, const char **tok, size_t *tlen, int max)
{
	size_t i = 0, start;
	int k = 0;

	for (;;) {
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= n)
			return k;
		if (k == max)
			return -1;
		start = i;
		while (i < n && line[i] != ' ' && line[i] != '\t')
			i++;
		tok[k] = line + start;
		tlen[k] = i - start;
		k++;
	}
}

/* xfile_field - unquote token t into a fixed field; 0 or -1 */
static int
xfile_field(const struct xfile *x, const char *t, size_t n, char *out, size_t outlen)
{
	return xfile_unquote(t, n, out, outlen, x->quoted) < 0 ? -1 : 0;
}

/* xfile_parse_c - the C line's tokens into argv */
static int
xfile_parse_c(struct xfile *x, const char **tok, const size_t *tlen, int k, char *err,
    size_t errlen, int ln)
{
	size_t used = 0;
	long r;
	int i;

	if (x->argc > 0)
		return xfile_errf(err, errlen, ln, "second C line");
	if (k < 1)
		return xfile_errf(err, errlen, ln, "empty command");
	if (k > XFILE_ARGS_MAX)
		return xfile_errf(err, errlen, ln, "too many arguments");
	for (i = 0; i < k; i++) {
		r = xfile_unquote(tok[i], tlen[i], x->buf + used, sizeof(x->buf) - used, x->quoted);
		if (r < 0)
			return xfile_errf(err, errlen, ln, "argument %d: bad quoting or too long", i);
		x->argv[i] = x->buf + used;
		used += (size_t)r + 1;
	}
	x->argc = (size_t)k;
	x->argv[k] = NULL;
	return 0;
}

/* xfile_parse_line - one line (without its newline) into x */
static int
xfile_parse_line(struct xfile *x, const char *line, size_t n, int ln, char *err,
    size_t errlen)
{
	const char *tok[XFILE_TOKENS_MAX];
	size_t tlen[XFILE_TOKENS_MAX];
	int k;

	if (n == 0 || line[0] == '#')
		return 0;
	if (n > 1 && line[1] != ' ' && line[1] != '\t')
		return 0;	/* not a command we know: ignored */
	k = xfile_split(line + 1, n - 1, tok, tlen, XFILE_TOKENS_MAX);
	if (k < 0)
		return xfile_errf(err, errlen, ln, "too many fields");
	switch (line[0]) {
	case 'C':
		return xfile_parse_c(x, tok, tlen, k, err, errlen, ln);
	case 'U':
		if (x->user[0])
			return xfile_errf(err, errlen, ln, "second U line");
		if (k < 1 || k > 2 || xfile_field(x, tok[0], tlen[0], x->user, sizeof(x->user)) < 0 ||
		    (k == 2 && xfile_field(x, tok[1], tlen[1], x->sys, sizeof(x->sys)) < 0))
			return xfile_errf(err, errlen, ln, "bad U line");
		return 0;
	case 'I':
		if (x->input[0])
			return xfile_errf(err, errlen, ln, "second I line");
		if (k != 1 || xfile_field(x, tok[0], tlen[0], x->input, sizeof(x->input)) < 0)
			return xfile_errf(err, errlen, ln, "bad I line");
		return 0;
	case 'O':
		if (x->output[0])
			return xfile_errf(err, errlen, ln, "second O line");
		if (k < 1 || k > 2 || xfile_field(x, tok[0], tlen[0], x->output,
		    sizeof(x->output)) < 0 || (k == 2 && xfile_field(x, tok[1], tlen[1],
		    x->output_sys, sizeof(x->output_sys)) < 0))
			return xfile_errf(err, errlen, ln, "bad O line");
		return 0;
	case 'F':
		if (x->nfiles == XFILE_FILES_MAX)
			return xfile_errf(err, errlen, ln, "too many F lines");
		if (k < 1 || k > 2 || xfile_field(x, tok[0], tlen[0], x->files[x->nfiles].name,
		    sizeof(x->files[0].name)) < 0 || (k == 2 && xfile_field(x, tok[1], tlen[1],
		    x->files[x->nfiles].use, sizeof(x->files[0].use)) < 0))
			return xfile_errf(err, errlen, ln, "bad F line");
		x->nfiles++;
		return 0;
	case 'R':
		if (x->requestor[0])
			return xfile_errf(err, errlen, ln, "second R line");
		if (k != 1 || xfile_field(x, tok[0], tlen[0], x->requestor,
		    sizeof(x->requestor)) < 0)
			return xfile_errf(err, errlen, ln, "bad R line");
		return 0;
	case 'N': x->notify |= XFILE_NOTIFY_NEVER; return 0;
	case 'Z': x->notify |= XFILE_NOTIFY_FAIL; return 0;
	case 'n': x->notify |= XFILE_NOTIFY_OK; return 0;
	case 'e': x->shell = 1; return 0;
	default: return 0;	/* Q (seen already), E, B, M and unknown lines */
	}
}

/* xfile_parse - parse an X. file */
int
xfile_parse(const char *text, size_t len, struct xfile *x, char *err, size_t errlen)
{
	size_t pos = 0, n;
	const char *nl;
	int ln = 0;

	memset(x, 0, sizeof(*x));
	if (len > XFILE_TEXT_MAX)
		return xfile_errf(err, errlen, 0, "file too long");
	if (memchr(text, '\0', len))
		return xfile_errf(err, errlen, 0, "NUL byte in file");
	/* Q applies to every line, also those before it */
	for (pos = 0; pos < len; pos = nl ? (size_t)(nl - text) + 1 : len) {
		nl = memchr(text + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - text) - pos : len - pos;
		if (n >= 1 && text[pos] == 'Q' && (n == 1 || text[pos + 1] == ' ' ||
		    text[pos + 1] == '\t' || text[pos + 1] == '\r'))
			x->quoted = 1;
	}
	for (pos = 0; pos < len; pos = nl ? (size_t)(nl - text) + 1 : len) {
		nl = memchr(text + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - text) - pos : len - pos;
		ln++;
		if (n > 0 && text[pos + n - 1] == '\r')
			n--;
		if (xfile_parse_line(x, text + pos, n, ln, err, errlen) < 0)
			return -1;
	}
	if (x->argc == 0)
		return xfile_errf(err, errlen, ln, "no C line");
	if (!x->user[0])
		return xfile_errf(err, errlen, ln, "no U line");
	return 0;
}

/* xfile_byte_needs_quote - whether byte c cannot stand unquoted */
static int
xfile_byte_needs_quote(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

/* xfile_arg_needs_quote - whether s cannot stand on a C line as it is */
int
xfile_arg_needs_quote(const char *s)
{
	if (!*s)
		return 1;
	for (; *s; s++)
		if (xfile_byte_needs_quote((unsigned char)*s))
			return 1;
	return 0;
}

/* xfile_put - append string s to out at *o, quoting it when q */
static void
xfile_put(char *out, size_t *o, const char *s, int q)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (q && c == '\\') {
			out[(*o)++] = '\\';
			out[(*o)++] = '\\';
		} else if (q && xfile_byte_needs_quote(c)) {
			*o += (size_t)sprintf(out + *o, "\\%03o", c);
		} else {
			out[(*o)++] = (char)c;
		}
	}
}

/* xfile_line - append "K s1 s2\n" (s2 may be NULL or "") */
static void
xfile_line(char *out, size_t *o, char k, const char *s1, const char *s2, int q)
{
	out[(*o)++] = k;
	if (s1 && *s1) {
		out[(*o)++] = ' ';
		xfile_put(out, o, s1, q);
	}
	if (s2 && *s2) {
		out[(*o)++] = ' ';
		xfile_put(out, o, s2, q);
	}
	out[(*o)++] = '\n';
}

/* xfile_format_ok - whether every field of x can be written; sets *q
 * when a Q line is needed */
static int
xfile_format_ok(const struct xfile *x, int *q)
{
	size_t i;

	*q = 0;
	if (x->argc == 0 || x->argc > XFILE_ARGS_MAX || !x->user[0])
		return 0;
	for (i = 0; i < x->argc; i++) {
		if (!x->argv[i] || !x->argv[i][0])
			return 0;
		if (xfile_arg_needs_quote(x->argv[i]))
			*q = 1;
	}
	if (xfile_arg_needs_quote(x->user) || (x->sys[0] && xfile_arg_needs_quote(x->sys)) ||
	    (x->input[0] && xfile_arg_needs_quote(x->input)))
		return 0;
	for (i = 0; i < x->nfiles; i++)
		if (xfile_arg_needs_quote(x->files[i].name) ||
		    (x->files[i].use[0] && xfile_arg_needs_quote(x->files[i].use)))
			return 0;
	if (x->requestor[0] && xfile_arg_needs_quote(x->requestor))
		*q = 1;
	if (x->output[0] && xfile_arg_needs_quote(x->output))
		*q = 1;
	return 1;
}

/* xfile_format - the text of an X. file */
char *
xfile_format(const struct xfile *x, size_t *lenp)
{
	size_t cap = 4 * sizeof(*x) + 64, o = 0, i;
	char *out;
	int q;

	if (!xfile_format_ok(x, &q) || x->nfiles > XFILE_FILES_MAX) {
		errno = EINVAL;
		return NULL;
	}
	out = malloc(cap);
	if (!out)
		return NULL;
	if (q)
		xfile_line(out, &o, 'Q', NULL, NULL, 0);
	xfile_line(out, &o, 'U', x->user, x->sys, q);
	for (i = 0; i < x->nfiles; i++)
		xfile_line(out, &o, 'F', x->files[i].name, x->files[i].use, q);
	if (x->input[0])
		xfile_line(out, &o, 'I', x->input, NULL, q);
	if (x->output[0])
		xfile_line(out, &o, 'O', x->output, x->output_sys, q);
	if (x->requestor[0])
		xfile_line(out, &o, 'R', x->requestor, NULL, q);
	if (x->notify & XFILE_NOTIFY_NEVER)
		xfile_line(out, &o, 'N', NULL, NULL, 0);
	if (x->notify & XFILE_NOTIFY_FAIL)
		xfile_line(out, &o, 'Z', NULL, NULL, 0);
	if (x->notify & XFILE_NOTIFY_OK)
		xfile_line(out, &o, 'n', NULL, NULL, 0);
	out[o++] = 'C';
	for (i = 0; i < x->argc; i++) {
		out[o++] = ' ';
		xfile_put(out, &o, x->argv[i], q);
	}
	out[o++] = '\n';
	out[o] = '\0';
	if (o > XFILE_TEXT_MAX) {
		free(out);
		errno = EINVAL;
		return NULL;
	}
	if (lenp)
		*lenp = o;
	return out;
}

/* xfile_set_args - fill the command and arguments */
int
xfile_set_args(struct xfile *x, char *const *argv, size_t argc)
{
	size_t i, used = 0, n;

	if (argc == 0 || argc > XFILE_ARGS_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (n == 0 || used + n + 1 > sizeof(x->buf)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(x->buf + used, argv[i], n + 1);
		x->argv[i] = x->buf + used;
		used += n + 1;
	}
	x->argv[argc] = NULL;
	x->argc = argc;
	return 0;
}

/* xfile_copy - copy an xfile, fixing the argv pointers into buf */
void
xfile_copy(struct xfile *dst, const struct xfile *src)
{
	size_t i;

	memcpy(dst, src, sizeof(*dst));
	for (i = 0; i < src->argc; i++)
		dst->argv[i] = dst->buf + (src->argv[i] - src->buf);
	dst->argv[src->argc] = NULL;
}
