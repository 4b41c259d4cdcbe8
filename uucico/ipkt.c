/*
 * ipkt.c - encode and decode frames of the i protocol (see ipkt.h).
 *
 * Trust: the bytes come straight from the line and are hostile.  Every
 * length is checked against the buffer and a caller's maximum before any
 * byte is read; a header must pass its XOR check and name a known type,
 * and data must pass its CRC-32, before anything is believed.
 */
#include <stddef.h>
#include <string.h>
#include <zlib.h>

#include "uucico/ipkt.h"

/* ipkt_hdr_encode - six header bytes from h */
int
ipkt_hdr_encode(const struct ipkt_hdr *h, unsigned char *out)
{
	if (h->seq < 0 || h->seq > 31 || h->ack < 0 || h->ack > 31 || h->lchan < 0 ||
	    h->lchan > 7 || h->rchan < 0 || h->rchan > 7 || h->type < 0 || h->type > 7 ||
	    h->len > IPKT_MAXDATA)
		return -1;
	out[0] = IPKT_INTRO;
	out[1] = (unsigned char)((h->seq << 3) | h->lchan);
	out[2] = (unsigned char)((h->ack << 3) | h->rchan);
	out[3] = (unsigned char)((h->type << 5) | (h->caller ? 0x10 : 0) | (int)(h->len >> 8));
	out[4] = (unsigned char)(h->len & 0xff);
	out[5] = (unsigned char)(out[1] ^ out[2] ^ out[3] ^ out[4]);
	return 0;
}

/* ipkt_hdr_decode - parse and check six header bytes */
int
ipkt_hdr_decode(const unsigned char *in, struct ipkt_hdr *h)
{
	if (in[0] != IPKT_INTRO || (in[1] ^ in[2] ^ in[3] ^ in[4]) != in[5])
		return -1;
	h->seq = in[1] >> 3;
	h->lchan = in[1] & 7;
	h->ack = in[2] >> 3;
	h->rchan = in[2] & 7;
	h->type = in[3] >> 5;
	h->caller = (in[3] >> 4) & 1;
	h->len = ((size_t)(in[3] & 0x0f) << 8) | in[4];
	if (h->type > IPKT_CLOSE)
		return -1;
	return 0;
}

/* ipkt_crc - zlib's CRC-32 without its final inversion, as Taylor
 * sends it (crc32 of "\004\000\020\007" is 7a80cfb9; the wire has 857f3046) */
unsigned long
ipkt_crc(const void *data, size_t len)
{
	unsigned long c = crc32(0L, Z_NULL, 0);

	if (len > 0)
		c = crc32(c, (const Bytef *)data, (uInt)len);
	return ~c & 0xffffffffUL;
}

/* ipkt_encode - header, data and CRC into out */
size_t
ipkt_encode(const struct ipkt_hdr *h, const void *data, size_t len, unsigned char *out,
    size_t outlen)
{
	size_t total = IPKT_HDRLEN + (len ? len + IPKT_CRCLEN : 0);
	unsigned long c;

	if (h->len != len || total > outlen || ipkt_hdr_encode(h, out) < 0)
		return 0;
	if (len == 0)
		return total;
	memcpy(out + IPKT_HDRLEN, data, len);
	c = ipkt_crc(data, len);
	out[IPKT_HDRLEN + len] = (unsigned char)(c >> 24);
	out[IPKT_HDRLEN + len + 1] = (unsigned char)(c >> 16);
	out[IPKT_HDRLEN + len + 2] = (unsigned char)(c >> 8);
	out[IPKT_HDRLEN + len + 3] = (unsigned char)c;
	return total;
}

/* ipkt_scan - the first frame in buf, or why there is none */
enum ipkt_scan_result
ipkt_scan(const unsigned char *buf, size_t len, size_t maxdata, struct ipkt_frame *f,
    size_t *used)
{
	const unsigned char *p = memchr(buf, IPKT_INTRO, len);
	size_t skip, need;
	unsigned long c, want;

	memset(f, 0, sizeof(*f));
	if (p == NULL) {
		*used = len;
		return IPKT_NEED;
	}
	skip = (size_t)(p - buf);
	*used = skip;
	if (len - skip < IPKT_HDRLEN)
		return IPKT_NEED;
	if (ipkt_hdr_decode(p, &f->h) < 0 || f->h.len > maxdata) {
		*used = skip + 1;
		return IPKT_BADHDR;
	}
	if (f->h.len == 0) {
		*used = skip + IPKT_HDRLEN;
		return IPKT_FRAME;
	}
	need = IPKT_HDRLEN + f->h.len + IPKT_CRCLEN;
	if (len - skip < need)
		return IPKT_NEED;
	f->data = p + IPKT_HDRLEN;
	c = ipkt_crc(f->data, f->h.len);
	want = ((unsigned long)p[need - 4] << 24) | ((unsigned long)p[need - 3] << 16) |
	    ((unsigned long)p[need - 2] << 8) | p[need - 1];
	*used = skip + need;
	return c == want ? IPKT_FRAME : IPKT_BADCRC;
}

/* ipkt_sync_parse - packet size, window and channels from SYNC data */
int
ipkt_sync_parse(const unsigned char *data, size_t len, struct ipkt_sync *s)
{
	if (len < 3)
		return -1;
	s->packsize = (data[0] << 8) | data[1];
	s->window = data[2];
	s->channels = len >= 4 ? data[3] : 0;
	if (s->packsize < 1 || s->packsize > IPKT_MAXDATA || s->window < 1 || s->window > 31 ||
	    s->channels > IPKT_MAXCHAN)
		return -1;
	return 0;
}

/* ipkt_sync_format - SYNC data for s */
size_t
ipkt_sync_format(const struct ipkt_sync *s, unsigned char *out)
{
	out[0] = (unsigned char)((s->packsize >> 8) & 0xff);
	out[1] = (unsigned char)(s->packsize & 0xff);
	out[2] = (unsigned char)s->window;
	out[3] = (unsigned char)s->channels;
	return 4;
}

/* ipkt_seq_diff - distance from a to b modulo 32 */
int
ipkt_seq_diff(int a, int b)
{
	return ((b - a) % IPKT_SEQMOD + IPKT_SEQMOD) % IPKT_SEQMOD;
}

/* ipkt_type_name - a type's name */
const char *
ipkt_type_name(int type)
{
	static const char *const names[] = { "DATA", "SYNC", "ACK", "NAK", "SPOS", "CLOSE" };

	return type >= 0 && type <= IPKT_CLOSE ? names[type] : "?";
}
