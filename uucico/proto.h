/*
 * proto.h - the transfer protocol seam.
 *
 * A protocol turns a port into a reliable channel for the session's
 * command strings and for the bytes of one file at a time.  Each protocol
 * ('g' and its relatives) is one file exposing a constructor that returns
 * a struct proto with this table of operations.  Protocol code never
 * touches files or the spool: the transfer engine (xfer.c) does.  Framing
 * and checksums live in pure functions beside it, unit-tested and fuzzed.
 *
 * The basic model is half duplex per call state, as in g: at any moment
 * either a command string or file data is expected, and the session knows
 * which.  A protocol with channels (i) also offers the channel operations
 * at the end of proto_ops, and the session then runs the channel engine
 * (duplex.c) instead: many commands and files in flight both ways.
 * Every call blocks until done, the peer gives up, or the protocol's own
 * timeouts and retry limits are exhausted (then -1).
 */
#ifndef BRIGADE_PROTO_H
#define BRIGADE_PROTO_H

#include <stddef.h>
#include <sys/types.h>

#include "modem/port.h"

/* What we ask for; the peer's INIT replies decide what is used. */
struct proto_params {
	int window;		/* g: 1..7 (what we want to receive with) */
	int packsize;		/* g: 32..4096, a power of two */
	int timeout_s;		/* seconds before a retransmission */
	int retries;		/* consecutive timeouts before giving up */
	int errors_max;		/* protocol errors before giving up */
	/* what the last call over this link learnt (0: nothing): i starts
	 * its packet size and resend timer from them */
	double line_ber;	/* bit-error rate it ended with */
	double line_rate;	/* line bytes per second it measured */
};

/* Counters for the call log and tests. */
struct proto_stats {
	unsigned long packets_sent, packets_resent, packets_received;
	unsigned long checksum_errors, header_errors, timeouts;
	unsigned long rejects_sent, rejects_received;
	/* what was negotiated, for the "Handshake successful" line */
	int send_window, send_packsize, recv_window, recv_packsize;
	/* i: its estimates of the line so far, for the next call over the
	 * same link (proto_params.line_*); line_rate 0: nothing measured */
	double line_ber, line_rate;
};

struct proto;

/* What a channel protocol hands the engine (see proto_ops.next). */
#define PROTO_KEY_OURS 7
#define PROTO_NKEYS 15
enum proto_ev_kind { PROTO_EV_CMD = 1, PROTO_EV_DATA, PROTO_EV_EOF };
struct proto_ev {
	int kind;		/* enum proto_ev_kind */
	int key;		/* 0, 1..7 the peer's channel, 8..14 ours */
	long long pos;		/* DATA: file position of data[0] */
	size_t len;		/* DATA: bytes; CMD: string length */
	const unsigned char *data;	/* DATA: the bytes; CMD: the string, NUL-ended */
};

struct proto_ops {
	char name;		/* 'g', 'G', ... */

	/* start - the protocol's own handshake (g's INITA/B/C); 0 or -1. */
	int (*start)(struct proto *p);

	/* sendcmd - send one command string (no NUL inside); 0 or -1. */
	int (*sendcmd)(struct proto *p, const char *cmd);

	/* getcmd - receive one command string into buf (NUL-terminated,
	 * truncated to len - 1); 0 or -1. */
	int (*getcmd)(struct proto *p, char *buf, size_t len);

	/* senddata - send len bytes of the current file; len 0 marks the
	 * end of the file.  0 or -1. */
	int (*senddata)(struct proto *p, const void *buf, size_t len);

	/* getdata - receive up to len bytes of the current file: returns the
	 * count, 0 at the end of the file, -1 on failure. */
	ssize_t (*getdata)(struct proto *p, void *buf, size_t len);

	/* shutdown - close the protocol politely (g's CLOSE); 0 or -1. */
	int (*shutdown)(struct proto *p);

	/* free - release p (not its port). */
	void (*free)(struct proto *p);

	/*
	 * Channel protocols (i) only, NULL for the others: several commands
	 * and files in flight in both directions at once, for the channel
	 * engine (duplex.c).  A key names what a packet belongs to: 0 the
	 * session's H, HY, HN; 1..7 a command of the peer's (its channel:
	 * the command, the data of its file, its ZCRC32, and our replies);
	 * PROTO_KEY_OURS + 1..7 a command of ours on our channel (the
	 * command, its file's data, the peer's replies and the data it
	 * sends for our R).
	 */

	/* next - the next thing that arrived, waiting up to wait_ms: 1 with
	 * ev filled (its bytes stay valid until the next call), 0 nothing
	 * yet, -1 the line failed or the peer closed the protocol. */
	int (*next)(struct proto *p, struct proto_ev *ev, int wait_ms);

	/* chan_cmd - send a command or a reply on key; 0 or -1. */
	int (*chan_cmd)(struct proto *p, int key, const char *cmd);

	/* chan_data - len bytes of the file on key, starting at file
	 * position pos; len 0 ends the file.  0 or -1. */
	int (*chan_data)(struct proto *p, int key, long long pos, const void *buf, size_t len);

	/* chan_room - bytes that can go out now without waiting for an
	 * acknowledgement (0: the window is full). */
	size_t (*chan_room)(struct proto *p);

	/* chan_count - how many channels of ours the peer allows (1..7). */
	int (*chan_count)(struct proto *p);
};

struct proto {
	const struct proto_ops *ops;
	struct port *port;	/* borrowed */
	int caller;		/* we placed the call */
	struct proto_params par;
	struct proto_stats st;
	long long send_size;	/* bytes the next file will carry, set by the
				   transfer engine before its first senddata
				   (-1 unknown; e must know it) */
	long long send_pos;	/* where in its file the next file's data
				   starts (a restart), set with send_size;
				   i tells the receiver with SPOS */
	void *priv;
};

/* proto_g_new - the g protocol over port with our wishes in par. */
struct proto *proto_g_new(struct port *port, const struct proto_params *par, int caller);

/* proto_bigg_new - SVR4's G: g that always sends full-size packets. */
struct proto *proto_bigg_new(struct port *port, const struct proto_params *par, int caller);

/* proto_t_new - the t protocol (reliable streams: TCP). */
struct proto *proto_t_new(struct port *port, const struct proto_params *par, int caller);

/* proto_e_new - the e protocol (reliable streams: TCP). */
struct proto *proto_e_new(struct port *port, const struct proto_params *par, int caller);

/* proto_i_new - Taylor's i protocol: windowed, CRC-32, channels; the
 * peer may stream a file before our SY and have several in flight. */
struct proto *proto_i_new(struct port *port, const struct proto_params *par, int caller);

/* proto_new - the protocol named c ('g', ...) or NULL when unknown. */
struct proto *proto_new(char c, struct port *port, const struct proto_params *par, int caller);

/* proto_supported - every protocol letter Brigade speaks. */
const char *proto_supported(void);

/* proto_default - the letters Brigade offers and prefers by default on a
 * port, best first: t and e only when the port is reliable. */
const char *proto_default(int reliable);

/* proto_needs_reliable - whether protocol c does no error checking of its
 * own and so may only run on a reliable port. */
int proto_needs_reliable(char c);

/* proto_integrity - what protects the data of protocol c, for the log:
 * "g-checksum", "transport" (t, e: TCP's own checks), ... */
const char *proto_integrity(char c);

#endif
