/*
 * bsmtp.c - batched SMTP: a streaming writer (gzip through zlib), a pure
 * parser that checks a whole batch before anything is delivered, and
 * the unpacker for gzip, zlib, compress(1) and plain batches.  Batches
 * come from other systems and are hostile: every size is bounded, a
 * stream that stops early is refused, paths are checked byte by byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/bsmtp.h"
#include "lib/util.h"

/* bsmtp_emit - feed bytes through the compressor (or straight) to fd */
static int
bsmtp_emit(struct bsmtp_writer *w, const void *p, size_t n, int flush)
{
	size_t have;
	int rc;

	if (w->failed)
		return -1;
	w->bytes += (long long)n;
	if (!w->gzip)
		goto plain;
	w->z.next_in = (unsigned char *)(uintptr_t)p;
	w->z.avail_in = (uInt)n;
	do {
		w->z.next_out = w->out;
		w->z.avail_out = sizeof(w->out);
		rc = deflate(&w->z, flush);
		if (rc == Z_STREAM_ERROR)
			goto fail;
		have = sizeof(w->out) - w->z.avail_out;
		if (have && write_all(w->fd, w->out, have) < 0)
			goto fail;
	} while (w->z.avail_out == 0 || w->z.avail_in > 0);
	return 0;
plain:
	if (n && write_all(w->fd, p, n) < 0)
		goto fail;
	return 0;
fail:
	w->failed = errno ? errno : EIO;
	return -1;
}

/* bsmtp_line - one line "a b\n" */
static int
bsmtp_line(struct bsmtp_writer *w, const char *a, const char *b, const char *c)
{
	char line[BSMTP_PATH_MAX + 64];

	if (str_fmt(line, sizeof(line), "%s%s%s\n", a, b, c) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return bsmtp_emit(w, line, strlen(line), Z_NO_FLUSH);
}

/* bsmtp_path_ok - a path fit for a batch line */
static int
bsmtp_path_ok(const char *s)
{
	if (strlen(s) >= BSMTP_PATH_MAX)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == '<' || *s == '>')
			return 0;
	return 1;
}

/* bsmtp_writer_open - start a batch */
int
bsmtp_writer_open(struct bsmtp_writer *w, int fd, int gzip, const char *helo)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->gzip = gzip;
	if (gzip && deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	return bsmtp_line(w, "HELO ", helo, "");
}

/* bsmtp_writer_add - one message */
int
bsmtp_writer_add(struct bsmtp_writer *w, const char *from, const char *const *rcpts,
    size_t nrcpt, const char *msg, size_t len)
{
	size_t i, start;

	if (nrcpt == 0 || nrcpt > BSMTP_RCPT_MAX || (from[0] && !bsmtp_path_ok(from))) {
		errno = EINVAL;
		return -1;
	}
	if (bsmtp_line(w, "MAIL FROM:<", from, ">") < 0)
		return -1;
	for (i = 0; i < nrcpt; i++)
		if (!bsmtp_path_ok(rcpts[i]) || bsmtp_line(w, "RCPT TO:<", rcpts[i], ">") < 0) {
			errno = errno ? errno : EINVAL;
			return -1;
		}
	if (bsmtp_line(w, "DATA", "", "") < 0)
		return -1;
	for (start = 0; start < len; start = i) {
		for (i = start; i < len && msg[i] != '\n'; i++)
			;
		if (msg[start] == '.' && bsmtp_emit(w, ".", 1, Z_NO_FLUSH) < 0)
			return -1;
		if (bsmtp_emit(w, msg + start, i - start, Z_NO_FLUSH) < 0 ||
		    bsmtp_emit(w, "\n", 1, Z_NO_FLUSH) < 0)
			return -1;
		if (i < len)
			i++;
	}
	if (bsmtp_line(w, ".", "", "") < 0)
		return -1;
	w->nmsgs++;
	return 0;
}

/* bsmtp_writer_close - QUIT and the end of the stream */
int
bsmtp_writer_close(struct bsmtp_writer *w)
{
	int rc = bsmtp_line(w, "QUIT", "", "");

	if (rc == 0)
		rc = bsmtp_emit(w, "", 0, w->gzip ? Z_FINISH : Z_NO_FLUSH);
	if (w->gzip)
		deflateEnd(&w->z);
	return rc;
}

/* bsmtp_take_path - "PREFIX<path>" exactly, path into dst */
static int
bsmtp_take_path(const char *line, size_t len, const char *prefix, char *dst)
{
	size_t pl = strlen(prefix), n;

	if (len < pl + 2 || strncasecmp(line, prefix, pl) != 0 || line[pl] != '<' ||
	    line[len - 1] != '>')
		return -1;
	n = len - pl - 2;
	if (n >= BSMTP_PATH_MAX)
		return -1;
	memcpy(dst, line + pl + 1, n);
	dst[n] = '\0';
	return n == 0 || bsmtp_path_ok(dst) ? 0 : -1;
}

/* bsmtp_is - line is exactly word (case-insensitive) */
static int
bsmtp_is(const char *line, size_t len, const char *word)
{
	return len == strlen(word) && strncasecmp(line, word, len) == 0;
}

enum { BSMTP_P_HELO, BSMTP_P_MAIL, BSMTP_P_RCPT, BSMTP_P_DATA, BSMTP_P_DONE };

/* bsmtp_walk - one pass over the batch; deliver is 0 for the check pass */
static long
bsmtp_walk(const char *text, size_t len, int (*fn)(const struct bsmtp_msg *, size_t, void *),
    void *arg, struct bsmtp_msg *m, char *err, size_t errlen)
{
	size_t off = 0, ll, lineno = 0, bodycap = 0;
	int st = BSMTP_P_HELO;
	long count = 0;
	const char *line, *nl;

	while (off < len && st != BSMTP_P_DONE) {
		line = text + off;
		nl = memchr(line, '\n', len - off);
		if (!nl)
			break;
		ll = (size_t)(nl - line);
		off += ll + 1;
		lineno++;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		switch (st) {
		case BSMTP_P_HELO:
			if (ll < 5 || strncasecmp(line, "HELO ", 5) != 0)
				goto bad;
			st = BSMTP_P_MAIL;
			break;
		case BSMTP_P_MAIL:
			if (bsmtp_is(line, ll, "QUIT")) {
				st = BSMTP_P_DONE;
				break;
			}
			if (bsmtp_take_path(line, ll, "MAIL FROM:", m->from) < 0)
				goto bad;
			m->nrcpt = 0;
			st = BSMTP_P_RCPT;
			break;
		case BSMTP_P_RCPT:
			if (bsmtp_is(line, ll, "DATA") && m->nrcpt > 0) {
				st = BSMTP_P_DATA;
				m->len = 0;
				break;
			}
			if (m->nrcpt == BSMTP_RCPT_MAX ||
			    bsmtp_take_path(line, ll, "RCPT TO:", m->rcpt[m->nrcpt]) < 0 ||
			    !m->rcpt[m->nrcpt][0])
				goto bad;
			m->nrcpt++;
			break;
		case BSMTP_P_DATA:
			if (ll == 1 && line[0] == '.') {
				if (fn && fn(m, (size_t)count, arg) < 0) {
					str_fmt(err, errlen, "message %ld: delivery failed", count);
					return -1;
				}
				count++;
				st = BSMTP_P_MAIL;
				break;
			}
			if (line[0] == '.') {
				line++;
				ll--;
			}
			if (fn) {
				if (m->len + ll + 1 > bodycap) {
					char *nb;

					bodycap = (m->len + ll + 1) * 2;
					nb = realloc(m->body, bodycap);
					if (!nb) {
						str_fmt(err, errlen, "out of memory");
						return -1;
					}
					m->body = nb;
				}
				memcpy(m->body + m->len, line, ll);
				m->body[m->len + ll] = '\n';
			}
			m->len += ll + 1;
			break;
		}
	}
	if (st != BSMTP_P_DONE) {
		str_fmt(err, errlen, "batch cut off after line %zu (no QUIT)", lineno);
		return -1;
	}
	return count;
bad:
	str_fmt(err, errlen, "line %zu: unexpected command", lineno);
	return -1;
}

/* bsmtp_parse - check a whole batch, then walk it with fn */
long
bsmtp_parse(const char *text, size_t len,
    int (*fn)(const struct bsmtp_msg *m, size_t index, void *arg), void *arg, char *err,
    size_t errlen)
{
	struct bsmtp_msg *m = calloc(1, sizeof(*m));
	long n;

	if (!m) {
		str_fmt(err, errlen, "out of memory");
		return -1;
	}
	n = bsmtp_walk(text, len, NULL, NULL, m, err, errlen);
	if (n >= 0 && fn)
		n = bsmtp_walk(text, len, fn, arg, m, err, errlen);
	free(m->body);
	free(m);
	return n;
}

/* bsmtp_inflate - gzip or zlib data, all of it, nothing after */
static char *
bsmtp_inflate(const unsigned char *in, size_t inlen, size_t max, size_t *outlen, char *err,
    size_t errlen)
{
	z_stream z = { 0 };
	size_t cap = inlen * 4 + 4096;
	char *out = NULL, *nb;
	int rc = Z_OK;

	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return NULL;
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	while (rc != Z_STREAM_END) {
		if (!out || z.avail_out == 0) {
			if (out && cap >= max) {
				str_fmt(err, errlen, "batch larger than %zu bytes", max);
				goto fail;
			}
			cap = out ? cap * 2 : cap;
			if (cap > max)
				cap = max;
			if (!(nb = realloc(out, cap)))
				goto fail;
			z.next_out = (unsigned char *)nb + (out ? z.total_out : 0);
			out = nb;
			z.avail_out = (uInt)(cap - z.total_out);
		}
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			str_fmt(err, errlen, "compressed batch cut off after %zu bytes", inlen);
			goto fail;
		}
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			str_fmt(err, errlen, "compressed batch damaged: %s", z.msg ? z.msg : "?");
			goto fail;
		}
	}
	if (z.avail_in != 0) {
		str_fmt(err, errlen, "bytes after the end of the compressed batch");
		goto fail;
	}
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
fail:
	inflateEnd(&z);
	free(out);
	return NULL;
}

/* bsmtp_lzw - compress(1) .Z data */
static char *
bsmtp_lzw(const unsigned char *in, size_t inlen, size_t max, size_t *outlen, char *err,
    size_t errlen)
{
	unsigned short *prefix = malloc(65536 * sizeof(*prefix));
	unsigned char *suffix = malloc(65536), *stack = malloc(65536);
	unsigned maxbits, nbits = 9, free_ent, code, oldcode = 0, incode, finchar = 0;
	unsigned long long bitpos, groupbits, groupstart;
	size_t cap = inlen * 3 + 4096, o = 0, sp;
	char *out = malloc(cap), *nb;
	int block, first = 1;

	if (!prefix || !suffix || !stack || !out || inlen < 3)
		goto fail;
	maxbits = in[2] & 0x1f;
	block = (in[2] & 0x80) != 0;
	if (maxbits < 9 || maxbits > 16)
		goto fail;
	free_ent = block ? 257 : 256;
	bitpos = 24;
	groupstart = 24;
	for (code = 0; code < 256; code++)
		suffix[code] = (unsigned char)code;
	for (;;) {
		groupbits = (unsigned long long)nbits * 8;
		if (bitpos + nbits > (unsigned long long)inlen * 8)
			break;
		code = 0;
		for (sp = 0; sp < nbits; sp++)
			code |= (unsigned)((in[(bitpos + sp) / 8] >> ((bitpos + sp) % 8)) & 1) << sp;
		bitpos += nbits;
		if (first) {
			if (code > 255)
				goto fail;
			oldcode = finchar = code;
			out[o++] = (char)code;
			first = 0;
			continue;
		}
		if (code == 256 && block) {
			free_ent = 256;
			/* skip to the end of the current group of codes */
			bitpos = groupstart + ((bitpos - groupstart + groupbits - 1) / groupbits) *
			    groupbits;
			nbits = 9;
			groupstart = bitpos;
			first = 1;
			continue;
		}
		incode = code;
		sp = 0;
		if (code > free_ent)
			goto fail;
		if (code == free_ent) {
			stack[sp++] = (unsigned char)finchar;
			code = oldcode;
		}
		while (code >= 256) {
			if (sp >= 65535)
				goto fail;
			stack[sp++] = suffix[code];
			code = prefix[code];
		}
		finchar = suffix[code];
		stack[sp++] = (unsigned char)finchar;
		if (o + sp > max)
			goto fail;
		while (o + sp > cap) {
			if (!(nb = realloc(out, cap * 2)))
				goto fail;
			out = nb;
			cap *= 2;
		}
		while (sp > 0)
			out[o++] = (char)stack[--sp];
		if (free_ent < (1u << maxbits)) {
			prefix[free_ent] = (unsigned short)oldcode;
			suffix[free_ent] = (unsigned char)finchar;
			free_ent++;
		}
		oldcode = incode;
		if (free_ent >= (1u << nbits) && nbits < maxbits) {
			bitpos = groupstart + ((bitpos - groupstart + groupbits - 1) / groupbits) *
			    groupbits;
			nbits++;
			groupstart = bitpos;
		}
	}
	free(prefix);
	free(suffix);
	free(stack);
	*outlen = o;
	return out;
fail:
	str_fmt(err, errlen, "compress(1) batch damaged or too large");
	free(prefix);
	free(suffix);
	free(stack);
	free(out);
	return NULL;
}

/* bsmtp_unpack - the batch as plain text */
char *
bsmtp_unpack(const unsigned char *in, size_t inlen, size_t max, size_t *outlen, char *err,
    size_t errlen)
{
	char *out;

	if (inlen >= 2 && in[0] == 0x1f && in[1] == 0x8b)
		return bsmtp_inflate(in, inlen, max, outlen, err, errlen);
	if (inlen >= 2 && in[0] == 0x78 && ((in[0] << 8) | in[1]) % 31 == 0)
		return bsmtp_inflate(in, inlen, max, outlen, err, errlen);
	if (inlen >= 3 && in[0] == 0x1f && in[1] == 0x9d)
		return bsmtp_lzw(in, inlen, max, outlen, err, errlen);
	if (inlen > max) {
		str_fmt(err, errlen, "batch larger than %zu bytes", max);
		return NULL;
	}
	out = malloc(inlen + 1);
	if (!out) {
		str_fmt(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(out, in, inlen);
	*outlen = inlen;
	return out;
}
