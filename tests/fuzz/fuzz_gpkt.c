/*
 * fuzz_gpkt.c - libFuzzer target for the g protocol's frame parser
 * (uucico/gpkt.c): the input is a byte stream as the line might carry it.
 * Build (not part of make all):
 *   clang -g -fsanitize=fuzzer,address,undefined -I. -D_XOPEN_SOURCE=700
 *         -D_DEFAULT_SOURCE tests/fuzz/fuzz_gpkt.c uucico/gpkt.c -o fuzz_gpkt
 * Checks: scanning always moves forward and stays inside the input; every
 * frame it accepts re-encodes to a frame that scans back to the same
 * header fields and payload; a frame's payload lies inside its data field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uucico/gpkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_frame - re-encode an accepted frame and scan it back */
static void
check_frame(const struct gpkt_frame *f)
{
	static unsigned char out[GPKT_MAXFRAME];
	struct gpkt_frame g;
	size_t len, used;

	if (f->payload < f->data || f->payload + f->paylen > f->data + f->h.datalen)
		abort();
	if (f->h.k == GPKT_KCONTROL) {
		gpkt_control(out, f->h.xxx, f->h.yyy);
		len = GPKT_HDRLEN;
	} else {
		len = gpkt_data(out, sizeof(out), f->h.datalen, f->h.xxx, f->h.yyy, f->payload,
		    f->paylen);
		if (len != GPKT_HDRLEN + f->h.datalen)
			abort();
	}
	if (gpkt_scan(out, len, GPKT_MAXDATA, &g, &used) != GPKT_FRAME || used != len)
		abort();
	if (g.h.k != f->h.k || g.h.xxx != f->h.xxx || g.h.yyy != f->h.yyy ||
	    g.paylen != f->paylen || memcmp(g.payload, f->payload, f->paylen) != 0)
		abort();
	/* tt 1 frames are rebuilt as data: only the channel bit may differ */
	if (f->h.tt != GPKT_TT_ALT && g.h.tt != f->h.tt &&
	    !(f->h.tt == GPKT_TT_SHORT && f->paylen == f->h.datalen))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpkt_frame f;
	size_t off = 0, used, maxdata;

	if (size < 1)
		return 0;
	/* the first byte picks the largest packet the receiver accepts */
	maxdata = gpkt_k_size(1 + data[0] % 8);
	data++;
	size--;
	while (off < size) {
		enum gpkt_scan_result r = gpkt_scan(data + off, size - off, maxdata, &f, &used);

		if (used > size - off)
			abort();
		if (r == GPKT_FRAME) {
			if (f.h.datalen > maxdata)
				abort();
			check_frame(&f);
		}
		if (r == GPKT_NEED) {
			if (used == 0)
				break;
		} else if (used == 0) {
			abort();	/* no progress */
		}
		off += used;
	}
	return 0;
}
