/*
 * ipkt.h - framing of Taylor UUCP's i protocol, as pure functions.
 *
 * A frame is a 6-byte header (^G, seq<<3|local channel, ack<<3|remote
 * channel, type<<5|caller<<4|len>>8, len&0xff, the XOR of bytes 1..4),
 * then, when len > 0, len data bytes and their CRC-32 (zlib's crc32,
 * complemented: see ipkt_crc), most significant byte first.  Sequence numbers have 5 bits, channels 3.
 * Nothing here keeps state or does I/O; proto_i.c does.
 */
#ifndef BRIGADE_IPKT_H
#define BRIGADE_IPKT_H

#include <stddef.h>

#define IPKT_INTRO 0x07		/* ^G starts every frame */
#define IPKT_HDRLEN 6
#define IPKT_CRCLEN 4
#define IPKT_MAXDATA 4095	/* twelve bits of length */
#define IPKT_MAXFRAME (IPKT_HDRLEN + IPKT_MAXDATA + IPKT_CRCLEN)
#define IPKT_SEQMOD 32
#define IPKT_MAXCHAN 7

enum ipkt_type {
	IPKT_DATA = 0,
	IPKT_SYNC = 1,
	IPKT_ACK = 2,
	IPKT_NAK = 3,
	IPKT_SPOS = 4,
	IPKT_CLOSE = 5
};

/* One header, decoded. */
struct ipkt_hdr {
	int seq;		/* 0..31: DATA/SPOS/CLOSE number, NAK's wanted one */
	int lchan;		/* 0..7: the sender's channel */
	int ack;		/* 0..31: last packet the sender received */
	int rchan;		/* 0..7: the receiver's channel */
	int type;		/* enum ipkt_type (0..7 on the wire) */
	int caller;		/* 1 when sent by the calling side */
	size_t len;		/* 0..4095 data bytes */
};

/* A frame found by ipkt_scan: header and a pointer into the scanned buffer. */
struct ipkt_frame {
	struct ipkt_hdr h;
	const unsigned char *data;	/* h.len bytes (NULL when 0) */
};

/* What SYNC data says: what the peer wants us to send with. */
struct ipkt_sync {
	int packsize;		/* largest data length the sender may use */
	int window;		/* packets in flight before an ack */
	int channels;		/* 1..7; 0 when the SYNC had no fourth byte */
};

enum ipkt_scan_result {
	IPKT_NEED,		/* more bytes needed (used = bytes skipped so far) */
	IPKT_FRAME,		/* a whole, valid frame (used = its length + skipped) */
	IPKT_BADHDR,		/* a ^G not starting a valid header: skip used bytes */
	IPKT_BADCRC		/* header valid, data CRC wrong: frame has the header */
};

/* ipkt_hdr_encode - write the 6 header bytes of h into out; 0, or -1 when a
 * field is out of range. */
int ipkt_hdr_encode(const struct ipkt_hdr *h, unsigned char *out);

/* ipkt_hdr_decode - parse 6 bytes: 0, or -1 when the intro byte or the
 * check byte is wrong or the type is not one of the six. */
int ipkt_hdr_decode(const unsigned char *in, struct ipkt_hdr *h);

/* ipkt_crc - the CRC-32 of len bytes as the i protocol sends it: zlib's
 * crc32, complemented (Taylor leaves out the final inversion). */
unsigned long ipkt_crc(const void *data, size_t len);

/* ipkt_encode - a whole frame (header, data, CRC) into out, which holds
 * outlen bytes; returns its length, or 0 when it does not fit or h is bad.
 * h->len must equal len. */
size_t ipkt_encode(const struct ipkt_hdr *h, const void *data, size_t len, unsigned char *out,
    size_t outlen);

/* ipkt_scan - look for the first frame in buf[0..len): skips bytes before a
 * ^G; frames longer than maxdata count as bad headers.  *used tells how
 * many bytes the caller may drop.  Pure: f->data points into buf. */
enum ipkt_scan_result ipkt_scan(const unsigned char *buf, size_t len, size_t maxdata,
    struct ipkt_frame *f, size_t *used);

/* ipkt_sync_parse - SYNC data (at least 3 bytes): 0, or -1 when short or
 * the values are unusable (packet size 0 or > 4095, window 0 or > 31,
 * channels > 7). */
int ipkt_sync_parse(const unsigned char *data, size_t len, struct ipkt_sync *s);

/* ipkt_sync_format - the 4 SYNC data bytes for s into out; returns 4. */
size_t ipkt_sync_format(const struct ipkt_sync *s, unsigned char *out);

/* ipkt_seq_diff - how far b is after a, modulo 32 (0..31). */
int ipkt_seq_diff(int a, int b);

/* ipkt_type_name - "DATA", "SYNC", ... for logs. */
const char *ipkt_type_name(int type);

#endif
