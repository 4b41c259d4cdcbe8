/*
 * gpkt.c - g protocol frames: header and checksum computation, building
 * control and data packets, and finding frames in a stream of bytes.
 *
 * Pure functions.  Input is hostile: every field is validated and every
 * length is checked against the buffer before it is used.
 */
#include <string.h>

#include "uucico/gpkt.h"

/* gpkt_checksum - the g data checksum (Chesson's, as the manual gives it) */
unsigned
gpkt_checksum(const unsigned char *data, size_t len)
{
	unsigned sum = 0xffff, acc = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned byte = data[i];

		/* rotate sum left by one within 16 bits */
		sum = ((sum << 1) | (sum >> 15)) & 0xffff;
		sum = (sum + byte) & 0xffff;
		/* position counted from the end: len, len - 1, ..., 1 */
		acc = (acc + (sum ^ (unsigned)((len - i) & 0xffff))) & 0xffff;
		/* a zero byte, or a carry out of the addition, folds acc in */
		if (byte == 0 || sum < byte)
			sum ^= acc;
	}
	return sum & 0xffff;
}

/* gpkt_size_k - k for a data field size */
int
gpkt_size_k(size_t size)
{
	int k;

	for (k = 1; k <= 8; k++)
		if (gpkt_k_size(k) == size)
			return k;
	return -1;
}

/* gpkt_k_size - data field size for k */
size_t
gpkt_k_size(int k)
{
	if (k < 1 || k > 8)
		return 0;
	return (size_t)1 << (k + 4);
}

/* gpkt_initb_size - packet size that INITB's yyy announces */
size_t
gpkt_initb_size(int yyy)
{
	return (size_t)1 << ((yyy & 7) + 5);
}

/* gpkt_size_initb - INITB yyy for a packet size */
int
gpkt_size_initb(size_t size)
{
	int k = gpkt_size_k(size);

	return k < 0 ? -1 : k - 1;
}

/* gpkt_header - fill in the six header bytes */
static void
gpkt_header(unsigned char *out, int k, unsigned check, unsigned char control)
{
	out[0] = GPKT_DLE;
	out[1] = (unsigned char)k;
	out[2] = (unsigned char)(check & 0xff);
	out[3] = (unsigned char)((check >> 8) & 0xff);
	out[4] = control;
	out[5] = (unsigned char)(out[1] ^ out[2] ^ out[3] ^ out[4]);
}

/* gpkt_control - build a control packet */
void
gpkt_control(unsigned char out[GPKT_HDRLEN], int xxx, int yyy)
{
	unsigned char c = (unsigned char)(((xxx & 7) << 3) | (yyy & 7));

	gpkt_header(out, GPKT_KCONTROL, (0xaaaau - c) & 0xffff, c);
}

/* gpkt_short_fits - largest payload of a short packet of size */
size_t
gpkt_short_fits(size_t size)
{
	return size ? size - 1 : 0;
}

/* gpkt_data - build a full or short data packet */
size_t
gpkt_data(unsigned char *out, size_t outlen, size_t size, int seq, int ack,
    const void *payload, size_t n)
{
	int k = gpkt_size_k(size);
	unsigned char *d = out + GPKT_HDRLEN;
	unsigned char c;
	size_t slack, off;

	if (k < 0 || n > size || outlen < GPKT_HDRLEN + size)
		return 0;
	slack = size - n;
	if (slack == 0) {
		c = (unsigned char)((GPKT_TT_DATA << 6) | ((seq & 7) << 3) | (ack & 7));
		off = 0;
	} else {
		c = (unsigned char)((GPKT_TT_SHORT << 6) | ((seq & 7) << 3) | (ack & 7));
		if (slack < 128) {
			d[0] = (unsigned char)slack;
			off = 1;
		} else {
			d[0] = (unsigned char)(0x80 | (slack & 0x7f));
			d[1] = (unsigned char)(slack >> 7);
			off = 2;
		}
	}
	if (n > 0)
		memmove(d + off, payload, n);
	memset(d + off + n, 0, size - off - n);
	gpkt_header(out, k, (0xaaaau - (gpkt_checksum(d, size) ^ c)) & 0xffff, c);
	return GPKT_HDRLEN + size;
}

/* gpkt_parse_header - decode and validate a header */
int
gpkt_parse_header(const unsigned char *buf, size_t maxdata, struct gpkt_hdr *h)
{
	if (buf[0] != GPKT_DLE || buf[1] < 1 || buf[1] > GPKT_KCONTROL)
		return -1;
	if ((buf[1] ^ buf[2] ^ buf[3] ^ buf[4]) != buf[5])
		return -1;
	h->k = buf[1];
	h->check = buf[2] | ((unsigned)buf[3] << 8);
	h->control = buf[4];
	h->tt = buf[4] >> 6;
	h->xxx = (buf[4] >> 3) & 7;
	h->yyy = buf[4] & 7;
	if (h->k == GPKT_KCONTROL) {
		h->datalen = 0;
		if (h->tt != GPKT_TT_CONTROL)
			return -1;
		if (h->check != ((0xaaaau - h->control) & 0xffff))
			return -1;
		return 0;
	}
	h->datalen = gpkt_k_size(h->k);
	if (h->tt == GPKT_TT_CONTROL || h->datalen > maxdata)
		return -1;
	return 0;
}

/* gpkt_payload - locate the valid bytes of a data field */
int
gpkt_payload(const unsigned char *data, size_t len, int tt, size_t *off, size_t *n)
{
	size_t slack;

	if (tt != GPKT_TT_SHORT) {
		*off = 0;
		*n = len;
		return 0;
	}
	if (len < 1)
		return -1;
	if (data[0] < 0x80) {
		slack = data[0];
		*off = 1;
	} else {
		if (len < 2)
			return -1;
		slack = (size_t)(data[0] & 0x7f) + ((size_t)data[1] << 7);
		*off = 2;
	}
	/* the valid bytes must lie after the prefix, inside the field */
	if (slack > len || len - slack > len - *off)
		return -1;
	*n = len - slack;
	return 0;
}

/* gpkt_after_bad - how far to skip past the DLE at p (avail bytes) that
 * starts a frame with a bad checksum: the whole frame when a valid header
 * follows it at once (the frame was real, only its data was hit), else
 * just the DLE (the header may have been noise inside other data) */
static size_t
gpkt_after_bad(const unsigned char *p, size_t avail, size_t maxdata, size_t datalen)
{
	struct gpkt_hdr next;
	size_t end = GPKT_HDRLEN + datalen;

	if (avail - end >= GPKT_HDRLEN && p[end] == GPKT_DLE &&
	    gpkt_parse_header(p + end, maxdata, &next) == 0)
		return end;
	return 1;
}

/* gpkt_scan - find and check the frame at the front of buf */
enum gpkt_scan_result
gpkt_scan(const unsigned char *buf, size_t len, size_t maxdata,
    struct gpkt_frame *f, size_t *used)
{
	const unsigned char *p = memchr(buf, GPKT_DLE, len);
	size_t skip, off, n;
	unsigned want;

	if (p == NULL) {
		*used = len;
		return GPKT_NEED;
	}
	skip = (size_t)(p - buf);
	*used = skip;
	if (len - skip < GPKT_HDRLEN)
		return GPKT_NEED;
	if (gpkt_parse_header(p, maxdata, &f->h) < 0) {
		*used = skip + 1;
		return GPKT_BADHDR;
	}
	if (len - skip - GPKT_HDRLEN < f->h.datalen)
		return GPKT_NEED;
	f->data = p + GPKT_HDRLEN;
	f->payload = f->data;
	f->paylen = 0;
	if (f->h.k != GPKT_KCONTROL) {
		want = (0xaaaau - (gpkt_checksum(f->data, f->h.datalen) ^ f->h.control)) & 0xffff;
		if (want != f->h.check ||
		    gpkt_payload(f->data, f->h.datalen, f->h.tt, &off, &n) < 0) {
			*used = gpkt_after_bad(p, len - skip, maxdata, f->h.datalen) + skip;
			return GPKT_BADSUM;
		}
		f->payload = f->data + off;
		f->paylen = n;
	}
	*used = skip + GPKT_HDRLEN + f->h.datalen;
	return GPKT_FRAME;
}
