/*
 * gpkt.h - framing and checksums of the UUCP g protocol (and SVR4's G),
 * as pure functions: no I/O, no allocation, no global state.
 *
 * A frame is a 6-byte header, DLE k c0 c1 C x, followed for data packets
 * by 2^(k+4) bytes (k 1..8: 32..4096 bytes).  k is 9 for control packets,
 * which have no data.  c0 c1 is the checksum (low byte first); C is the
 * control byte tt xxx yyy; x is k ^ c0 ^ c1 ^ C.  A control packet's
 * checksum is 0xaaaa - C; a data packet's is 0xaaaa - (gpkt_checksum(data)
 * ^ C), all modulo 2^16.
 *
 * Everything here takes bytes from the wire and trusts none of them: every
 * length is checked against the buffer it claims to describe.
 */
#ifndef BRIGADE_GPKT_H
#define BRIGADE_GPKT_H

#include <stddef.h>

#define GPKT_DLE 0x10		/* every frame starts with ^P */
#define GPKT_HDRLEN 6		/* header bytes */
#define GPKT_MINDATA 32		/* smallest data field (k 1) */
#define GPKT_MAXDATA 4096	/* largest data field (k 8) */
#define GPKT_KCONTROL 9		/* k of a control packet */
#define GPKT_MAXFRAME (GPKT_HDRLEN + GPKT_MAXDATA)

/* The tt field of the control byte. */
enum {
	GPKT_TT_CONTROL = 0,	/* control packet; xxx is a GPKT_CTL_ */
	GPKT_TT_ALT = 1,	/* alternate channel; unused by UUCP */
	GPKT_TT_DATA = 2,	/* data packet, every data byte valid */
	GPKT_TT_SHORT = 3	/* short data packet: length prefix inside */
};

/* The xxx field of a control packet. */
enum {
	GPKT_CTL_CLOSE = 1,	/* shut down; yyy unused (0) */
	GPKT_CTL_RJ = 2,	/* reject; yyy = last good sequence number */
	GPKT_CTL_SRJ = 3,	/* selective reject of packet yyy */
	GPKT_CTL_RR = 4,	/* receive ready; yyy = last good sequence number */
	GPKT_CTL_INITC = 5,	/* third init packet; yyy = window */
	GPKT_CTL_INITB = 6,	/* second init packet; yyy = log2(size) - 5 */
	GPKT_CTL_INITA = 7	/* first init packet; yyy = window */
};

/* A decoded header. */
struct gpkt_hdr {
	int k;			/* 1..8 data, 9 control */
	unsigned check;		/* the checksum field, c0 + (c1 << 8) */
	unsigned char control;	/* the control byte */
	int tt, xxx, yyy;	/* its three fields */
	size_t datalen;		/* data field length (0 for control) */
};

/* What gpkt_scan found at the front of a buffer. */
enum gpkt_scan_result {
	GPKT_NEED = 0,		/* no complete frame yet: read more */
	GPKT_FRAME,		/* a frame with a good header and checksum */
	GPKT_BADHDR,		/* a DLE whose header is invalid */
	GPKT_BADSUM		/* a well-formed header, but a bad checksum */
};

/* One frame found by gpkt_scan; pointers point into the scanned buffer. */
struct gpkt_frame {
	struct gpkt_hdr h;
	const unsigned char *data;	/* the data field (h.datalen bytes) */
	const unsigned char *payload;	/* the valid bytes within it */
	size_t paylen;			/* how many are valid */
};

/* gpkt_checksum - the g data checksum of len bytes (len >= 1); a value
 * 0..0xffff.  Note the algorithm is weak in the first byte of its input:
 * most corruptions there leave the checksum unchanged. */
unsigned gpkt_checksum(const unsigned char *data, size_t len);

/* gpkt_size_k - the k value for a data field of size bytes (a power of
 * two 32..4096), or -1. */
int gpkt_size_k(size_t size);

/* gpkt_k_size - the data field size of k 1..8 (32..4096), or 0. */
size_t gpkt_k_size(int k);

/* gpkt_initb_size - the packet size announced by INITB's yyy (0..7). */
size_t gpkt_initb_size(int yyy);

/* gpkt_size_initb - the INITB yyy announcing size (a power of two
 * 32..4096), or -1. */
int gpkt_size_initb(size_t size);

/* gpkt_control - write the 6-byte control packet of type xxx (a
 * GPKT_CTL_) with field yyy (masked to 0..7) into out. */
void gpkt_control(unsigned char out[GPKT_HDRLEN], int xxx, int yyy);

/* gpkt_data - build a data packet with sequence number seq and ack ack
 * (both masked to 0..7) carrying the n bytes of payload in a data field of
 * size bytes (a power of two 32..4096).  n == size makes a full packet
 * (tt 2); n < size a short packet (tt 3) with the length prefix, the rest
 * padded with NULs.  out must hold GPKT_HDRLEN + size bytes.  Returns the
 * frame length, or 0 when size is invalid or n does not fit. */
size_t gpkt_data(unsigned char *out, size_t outlen, size_t size, int seq, int ack,
    const void *payload, size_t n);

/* gpkt_short_fits - the largest payload a short packet of size can carry
 * (size - 1): the smallest short length prefix takes one byte. */
size_t gpkt_short_fits(size_t size);

/* gpkt_parse_header - decode and check the 6 bytes at buf (DLE, k in
 * 1..9, the xor byte, tt 0 exactly when k is 9, a control packet's
 * checksum field); data packets larger than maxdata are refused.  0 with
 * *h filled, or -1. */
int gpkt_parse_header(const unsigned char *buf, size_t maxdata, struct gpkt_hdr *h);

/* gpkt_payload - where the valid bytes of a data field lie: for tt 2 all
 * of it; for tt 3 after the one- or two-byte length prefix.  0 with *off
 * and *n set, or -1 when the prefix is inconsistent with len. */
int gpkt_payload(const unsigned char *data, size_t len, int tt, size_t *off, size_t *n);

/* gpkt_scan - look for a frame at the front of buf[0..len).  Garbage
 * before the first DLE is skipped.  *used is set to the number of bytes
 * the caller may discard: for GPKT_FRAME, through the end of the frame;
 * for GPKT_BADHDR and GPKT_BADSUM, through the offending DLE (scan again
 * from the byte after it: it may have been noise), except that a frame
 * with a bad checksum directly followed by a valid header is skipped
 * whole (its header was real: rescanning its data for DLEs would only
 * find false frames that hold up the real ones); for GPKT_NEED, the
 * garbage before the DLE that starts the incomplete frame.  For
 * GPKT_FRAME and GPKT_BADSUM, *f describes the frame (for GPKT_BADSUM only
 * f->h is meaningful).  Data packets larger than maxdata count as bad
 * headers, so noise cannot make the caller wait for a 4 KiB frame it
 * never asked for. */
enum gpkt_scan_result gpkt_scan(const unsigned char *buf, size_t len, size_t maxdata,
    struct gpkt_frame *f, size_t *used);

#endif
