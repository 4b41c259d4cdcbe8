/*
 * test_ipkt.c - unit tests of the i protocol's frames (uucico/ipkt.c):
 * vectors captured from Taylor UUCP 1.07, every frame of the recorded i
 * session (headers as the decoded transcript lists them, every CRC, our
 * encoder reproducing each frame byte for byte), SYNC data, bad headers,
 * bad CRCs and resynchronisation.
 *
 * The traces are found in $BRIGADE_SHARED/traces or
 * $BRIGADE_TOP/../shared/traces; without them the embedded vectors below
 * (copied from those traces) still run.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "uucico/ipkt.h"
#include "tests/unit/tap.h"

struct vector {
	const char *name;
	size_t len;
	const char *bytes;
	int type, seq, ack, lch, rch, caller;
};

/* Frames from i-wire.txt. */
static const struct vector vectors[] = {
	{ "A>B SYNC 1024/16/7", 14, "\x07\x00\x00\x30\x04\x34\x04\x00\x10\x07\x85\x7f\x30\x46",
	    IPKT_SYNC, 0, 0, 0, 0, 1 },
	{ "B>A SYNC 1024/16/7", 14, "\x07\x00\x00\x20\x04\x24\x04\x00\x10\x07\x85\x7f\x30\x46",
	    IPKT_SYNC, 0, 0, 0, 0, 0 },
	{ "B>A DATA SY", 13, "\x07\x08\x09\x00\x03\x02SY\x00\x05\x3d\x50\x19",
	    IPKT_DATA, 1, 1, 0, 1, 0 },
	{ "A>B SPOS 0", 14, "\x07\x10\x00\x90\x04\x84\x00\x00\x00\x00\xde\xbb\x20\xe3",
	    IPKT_SPOS, 2, 0, 0, 0, 1 },
	{ "A>B DATA end of file", 6, "\x07\x31\x00\x10\x00\x21", IPKT_DATA, 6, 0, 1, 0, 1 },
	{ "A>B DATA H", 12, "\x07\x38\x10\x10\x02\x3a" "H\x00\x86\x86\x28\x0d",
	    IPKT_DATA, 7, 2, 0, 0, 1 },
	{ "B>A CLOSE", 6, "\x07\x28\x38\xa0\x00\xb0", IPKT_CLOSE, 5, 7, 0, 0, 0 },
};

/* test_vectors - parse, check and re-encode each captured frame */
static void
test_vectors(void)
{
	unsigned char out[IPKT_MAXFRAME];
	struct ipkt_frame f;
	size_t i, used, n;

	for (i = 0; i < UTIL_ARRAY_LEN(vectors); i++) {
		const struct vector *v = &vectors[i];
		enum ipkt_scan_result r = ipkt_scan((const unsigned char *)v->bytes, v->len,
		    IPKT_MAXDATA, &f, &used);

		ok(r == IPKT_FRAME && used == v->len, "%s: a valid frame of %zu bytes", v->name,
		    v->len);
		ok(f.h.type == v->type && f.h.seq == v->seq && f.h.ack == v->ack &&
		    f.h.lchan == v->lch && f.h.rchan == v->rch && f.h.caller == v->caller,
		    "%s: header fields", v->name);
		n = ipkt_encode(&f.h, f.data, f.h.len, out, sizeof(out));
		ok(n == v->len && memcmp(out, v->bytes, n) == 0, "%s: re-encoded byte for byte",
		    v->name);
	}
}

/* test_sync - SYNC data both ways, and values refused */
static void
test_sync(void)
{
	static const unsigned char d[] = { 0x04, 0x00, 0x10, 0x07 };
	struct ipkt_sync s, t = { 4095, 31, 7 };
	unsigned char out[4];

	ok(ipkt_sync_parse(d, 4, &s) == 0 && s.packsize == 1024 && s.window == 16 &&
	    s.channels == 7, "SYNC 1024/16/7 parsed");
	ok(ipkt_sync_parse(d, 3, &s) == 0 && s.channels == 0, "three-byte SYNC: no channels");
	ok(ipkt_sync_parse(d, 2, &s) < 0, "two-byte SYNC refused");
	ok(ipkt_sync_format(&t, out) == 4 && ipkt_sync_parse(out, 4, &s) == 0 &&
	    s.packsize == 4095 && s.window == 31 && s.channels == 7, "SYNC round trip");
	out[2] = 0;
	ok(ipkt_sync_parse(out, 4, &s) < 0, "window 0 refused");
	out[2] = 4;
	out[3] = 8;
	ok(ipkt_sync_parse(out, 4, &s) < 0, "8 channels refused");
	out[0] = out[1] = 0;
	out[3] = 1;
	ok(ipkt_sync_parse(out, 4, &s) < 0, "packet size 0 refused");
}

/* test_bad - every single-bit flip of a frame is caught; resync works */
static void
test_bad(void)
{
	const struct vector *v = &vectors[2];
	unsigned char b[64];
	struct ipkt_frame f;
	size_t used, bit, caught = 0, total = 0, off;
	enum ipkt_scan_result r;

	for (bit = 8; bit < v->len * 8; bit++) {
		memcpy(b, v->bytes, v->len);
		b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		r = ipkt_scan(b, v->len, IPKT_MAXDATA, &f, &used);
		total++;
		caught += r != IPKT_FRAME;
	}
	ok(caught == total, "every one-bit flip after the ^G is caught (%zu of %zu)", caught,
	    total);
	/* garbage, a false ^G, then two frames */
	memcpy(b, "xy\x07zz", 5);
	memcpy(b + 5, vectors[4].bytes, 6);
	memcpy(b + 11, vectors[6].bytes, 6);
	off = 0;
	r = ipkt_scan(b, 17, IPKT_MAXDATA, &f, &used);
	ok(r == IPKT_BADHDR && used == 3, "a false ^G is a bad header, skipped by one");
	off += used;
	r = ipkt_scan(b + off, 17 - off, IPKT_MAXDATA, &f, &used);
	ok(r == IPKT_FRAME && f.h.seq == 6 && off + used == 11, "resynchronised on the next frame");
	off += used;
	r = ipkt_scan(b + off, 17 - off, IPKT_MAXDATA, &f, &used);
	ok(r == IPKT_FRAME && f.h.type == IPKT_CLOSE, "and the one after it");
	r = ipkt_scan((const unsigned char *)vectors[2].bytes, 10, IPKT_MAXDATA, &f, &used);
	ok(r == IPKT_NEED && used == 0, "a partial frame needs more");
	r = ipkt_scan((const unsigned char *)vectors[0].bytes, 14, 3, &f, &used);
	ok(r == IPKT_BADHDR, "a frame longer than the maximum is refused");
	ok(ipkt_seq_diff(30, 1) == 3 && ipkt_seq_diff(5, 5) == 0 && ipkt_seq_diff(6, 5) == 31,
	    "sequence distances modulo 32");
	{
		struct ipkt_hdr h = { 32, 0, 0, 0, 0, 0, 0 };
		unsigned char hb[6];

		ok(ipkt_hdr_encode(&h, hb) < 0, "sequence 32 cannot be encoded");
	}
}

struct stream {
	unsigned char *b;
	size_t len, cap;
};

/* stream_add - append a byte */
static void
stream_add(struct stream *s, unsigned char c)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->b = realloc(s->b, s->cap);
		if (s->b == NULL)
			abort();
	}
	s->b[s->len++] = c;
}

/* hexval - one hex digit's value or -1 */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* read_wire - reassemble both directions of a *-wire.txt file */
static int
read_wire(const char *path, struct stream *ab, struct stream *ba)
{
	char line[512], dir[8];
	struct stream *cur = NULL;
	double t;
	size_t pos, n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, " %lf %7s %zu", &t, dir, &n) == 3 && strchr(line, '>') != NULL) {
			cur = strcmp(dir, "A>B") == 0 ? ab : strcmp(dir, "B>A") == 0 ? ba : NULL;
			continue;
		}
		if (cur == NULL || strncmp(line, "    ", 4) != 0 || !isxdigit((unsigned char)line[4]))
			continue;
		for (pos = 10; hexval(line[pos]) >= 0 && hexval(line[pos + 1]) >= 0; pos += 3) {
			stream_add(cur, (unsigned char)(hexval(line[pos]) * 16 + hexval(line[pos + 1])));
			if (line[pos + 2] != ' ')
				break;
		}
	}
	fclose(fp);
	return 0;
}

/* One i frame as the decoded transcript lists it. */
struct dframe {
	int type, seq, ack, lch, rch, caller;
	size_t len;
};

/* read_decoded - the i frames of one direction */
static int
read_decoded(const char *path, const char *want, struct dframe *d, int max)
{
	static const char *const names[] = { "DATA", "SYNC", "ACK", "NAK", "SPOS", "CLOSE" };
	char line[512], dir[8], kind[8];
	double t;
	int n = 0, off, i;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL && n < max) {
		if (sscanf(line, " %lf %7s i %7s %n", &t, dir, kind, &off) != 3 ||
		    strcmp(dir, want) != 0)
			continue;
		memset(&d[n], 0, sizeof(d[n]));
		d[n].type = -1;
		for (i = 0; i < 6; i++)
			if (strcmp(kind, names[i]) == 0)
				d[n].type = i;
		if (sscanf(line + off, "seq=%d ack=%d lch=%d rch=%d caller=%d len=%zu", &d[n].seq,
		    &d[n].ack, &d[n].lch, &d[n].rch, &d[n].caller, &d[n].len) != 6)
			continue;
		n++;
	}
	fclose(fp);
	return n;
}

/* check_direction - cut one direction into frames; compare each with the
 * transcript and with our encoder; gather the file's bytes */
static void
check_direction(const char *dir, struct stream *s, const char *decoded)
{
	static struct dframe d[1024];
	unsigned char out[IPKT_MAXFRAME];
	struct ipkt_frame f;
	size_t off = 0, used, flen, filebytes = 0;
	int nd, nf = 0, bad = 0, mismatch = 0, rebuilt = 0, eof = 0;

	nd = read_decoded(decoded, dir, d, (int)UTIL_ARRAY_LEN(d));
	while (off < s->len) {
		enum ipkt_scan_result r = ipkt_scan(s->b + off, s->len - off, IPKT_MAXDATA, &f, &used);

		if (r == IPKT_NEED)
			break;
		off += used;
		if (r == IPKT_BADCRC)
			bad++;
		if (r != IPKT_FRAME)
			continue;
		if (nf >= nd || f.h.type != d[nf].type || f.h.seq != d[nf].seq ||
		    f.h.ack != d[nf].ack || f.h.lchan != d[nf].lch || f.h.rchan != d[nf].rch ||
		    f.h.caller != d[nf].caller || f.h.len != d[nf].len)
			mismatch++;
		nf++;
		flen = IPKT_HDRLEN + (f.h.len ? f.h.len + IPKT_CRCLEN : 0);
		if (ipkt_encode(&f.h, f.data, f.h.len, out, sizeof(out)) == flen &&
		    memcmp(out, s->b + off - flen, flen) == 0)
			rebuilt++;
		else
			diag("%s frame %d differs", dir, nf);
		if (f.h.type == IPKT_DATA && f.h.lchan == 1 && !eof) {
			if (f.h.len == 0)
				eof = 1;
			else if (f.h.len < 3 || memcmp(f.data, "S ", 2) != 0)
				filebytes += f.h.len;
		}
	}
	ok(nf > 5 && nf == nd && mismatch == 0,
	    "i %s: %d frames, as the transcript decodes them (%d listed, %d differ)", dir, nf,
	    nd, mismatch);
	ok(bad == 0, "i %s: every CRC is right (%d bad)", dir, bad);
	ok(rebuilt == nf, "i %s: our encoder reproduces %d of %d frames byte for byte", dir,
	    rebuilt, nf);
	if (strcmp(dir, "A>B") == 0)
		ok(filebytes == 3000 && eof, "i A>B: the file's packets on channel 1 carry its "
		    "3000 bytes (%zu)", filebytes);
}

/* test_traces - every frame of the recorded Taylor session */
static void
test_traces(void)
{
	char dir[4096], wire[4200], decoded[4200];
	struct stream ab = { NULL, 0, 0 }, ba = { NULL, 0, 0 };
	const char *env;

	if ((env = getenv("BRIGADE_SHARED")) != NULL && *env != '\0')
		str_fmt(dir, sizeof(dir), "%s/traces", env);
	else if ((env = getenv("BRIGADE_TOP")) != NULL && *env != '\0')
		str_fmt(dir, sizeof(dir), "%s/../shared/traces", env);
	else
		str_fmt(dir, sizeof(dir), "../shared/traces");
	str_fmt(wire, sizeof(wire), "%s/i-wire.txt", dir);
	str_fmt(decoded, sizeof(decoded), "%s/i-decoded.txt", dir);
	if (read_wire(wire, &ab, &ba) < 0) {
		diag("no trace %s: only the embedded vectors were checked", wire);
		return;
	}
	check_direction("A>B", &ab, decoded);
	check_direction("B>A", &ba, decoded);
	free(ab.b);
	free(ba.b);
}

int
main(void)
{
	test_vectors();
	test_sync();
	test_bad();
	test_traces();
	return done_testing();
}
