/*
 * fuzz_ipkt.c - libFuzzer target for the i protocol's frame parser
 * (uucico/ipkt.c): the input is a byte stream as the line might carry it.
 * Checks: scanning always moves forward and stays inside the input; every
 * frame it accepts lies inside the input, re-encodes byte for byte, and
 * scans back to the same header; SYNC data that parses formats back to
 * values that parse the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uucico/ipkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_frame - re-encode an accepted frame found at start */
static void
check_frame(const struct ipkt_frame *f, const uint8_t *start, size_t flen)
{
	static unsigned char out[IPKT_MAXFRAME];
	struct ipkt_frame g;
	struct ipkt_sync y, z;
	unsigned char sd[4];
	size_t len, used;

	len = ipkt_encode(&f->h, f->data, f->h.len, out, sizeof(out));
	if (len != flen || memcmp(out, start, len) != 0)
		abort();
	if (ipkt_scan(out, len, IPKT_MAXDATA, &g, &used) != IPKT_FRAME || used != len)
		abort();
	if (memcmp(&g.h, &f->h, sizeof(g.h)) != 0)
		abort();
	if (f->h.type == IPKT_SYNC && ipkt_sync_parse(f->data, f->h.len, &y) == 0) {
		if (y.channels == 0)
			y.channels = 1;
		ipkt_sync_format(&y, sd);
		if (ipkt_sync_parse(sd, 4, &z) < 0 || z.packsize != y.packsize ||
		    z.window != y.window || z.channels != y.channels)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, used, maxdata = size ? data[0] * 16u + 1 : IPKT_MAXDATA;
	struct ipkt_frame f;

	if (maxdata > IPKT_MAXDATA)
		maxdata = IPKT_MAXDATA;
	while (off < size) {
		enum ipkt_scan_result r = ipkt_scan(data + off, size - off, maxdata, &f, &used);

		if (used > size - off)
			abort();
		if (r == IPKT_FRAME || r == IPKT_BADCRC) {
			size_t flen = IPKT_HDRLEN + (f.h.len ? f.h.len + IPKT_CRCLEN : 0);

			if (f.h.len > maxdata || used < flen)
				abort();
			if (f.h.len && (f.data < data + off || f.data + f.h.len > data + size))
				abort();
			if (r == IPKT_FRAME)
				check_frame(&f, data + off + used - flen, flen);
		}
		if (r == IPKT_NEED)
			break;
		if (used == 0)
			abort();
		off += used;
	}
	return 0;
}
