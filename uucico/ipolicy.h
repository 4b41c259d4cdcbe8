/*
 * ipolicy.h - how the i protocol's sender sizes its packets and when it
 * resends after silence, as pure functions of what it has seen.
 *
 * The sender keeps one struct ipolicy per connection and reports each
 * data packet it sends (ipolicy_sent), sends again (ipolicy_resent) and
 * sees acknowledged (ipolicy_acked), passing the time: nothing here reads
 * a clock, allocates or does I/O, and every call costs a few dozen
 * floating-point operations.  From those reports ipolicy_packsize picks
 * the data length of the next packet (shorter on a noisy line, since the
 * i receiver takes any length up to its maximum) and ipolicy_quiet_ms how
 * long the line may stay silent before the oldest unacknowledged packet
 * is sent again.  The model is described at the top of ipolicy.c.
 */
#ifndef BRIGADE_IPOLICY_H
#define BRIGADE_IPOLICY_H

#include <stddef.h>

#define IPOLICY_MINPACK 64	/* never shrink below this (unless max is smaller) */
#define IPOLICY_FIRST 256	/* packets before the first ack are at most this */
#define IPOLICY_QUIET_MIN 1000	/* quiet_ms is at least this */
#define IPOLICY_QUIET_MAX 30000	/* and at most this */

/* Why a packet was sent again. */
enum ipolicy_why {
	IPOLICY_NAK,		/* the peer asked for it (a NAK): it was lost */
	IPOLICY_TIMEOUT		/* the line was quiet: lost, or only its ack was */
};

/* What the sender has learnt about the line.  Set up with ipolicy_init;
 * the fields are the policy's own (read them only for logs). */
struct ipolicy {
	double frames;		/* decayed count of data frames sent, resends included */
	double bytes;		/* decayed line bytes of those frames */
	double lost;		/* decayed count of them found lost */
	double used;		/* loss per line byte that the packet size follows */
	double rate_bytes;	/* decayed line bytes acknowledged (and resent) ... */
	double rate_ms;		/* ... over this decayed busy time */
	double pending;		/* line bytes resent since the last acknowledgement */
	unsigned long long inflight;	/* data bytes sent and not yet acknowledged */
	int acks;		/* packets acknowledged, up to 5 */
	long long mark_ms;	/* when the busy time not yet counted began */
	double line_bytes;	/* decayed line bytes acknowledged while more ... */
	double line_ms;		/* ... were queued behind them, over this time */
	double sampled;		/* line bytes timed so (not decayed) */
};

/* ipolicy_init - a policy for a new connection: nothing known, the line
 * taken as clean (packets at the peer's maximum) and slow (quiet_ms long). */
void ipolicy_init(struct ipolicy *pol);

/* ipolicy_prime - start from what an earlier connection over the same
 * link learnt: its bit-error rate (ipolicy_ber then; 0 for a clean line)
 * and its line rate in bytes per second (ipolicy_line_rate then; 0 when not
 * known).  Call right after ipolicy_init; values outside 0..0.5 and
 * 0..1e9, or not numbers, are ignored.  The error rate weighs as much as
 * the clean start it replaces (IPOLICY_PRIOR frames), the rate as one
 * maximal frame, so a line that has changed since is followed within a
 * few dozen packets, as one that changes during a call is. */
void ipolicy_prime(struct ipolicy *pol, double ber, double rate);

/* ipolicy_sent - a data packet of bytes data bytes (0..4095; more counts
 * as 4095) went out for the first time at now_ms. */
void ipolicy_sent(struct ipolicy *pol, long long now_ms, size_t bytes);

/* ipolicy_resent - a packet of bytes data bytes went out again at now_ms,
 * because of a NAK or of a quiet line (why).  Call it for every resend;
 * a resend is itself a frame on the line and is counted as one. */
void ipolicy_resent(struct ipolicy *pol, long long now_ms, size_t bytes, enum ipolicy_why why);

/* ipolicy_acked - one packet of bytes data bytes was acknowledged at now_ms
 * (call once for each packet an ACK, or the ack field of any frame,
 * covers; several calls with the same now_ms are fine).  Acknowledging
 * more than was reported sent is harmless. */
void ipolicy_acked(struct ipolicy *pol, long long now_ms, size_t bytes);

/* ipolicy_packsize - the data length to use for the next new packet, at
 * most max (the peer's SYNC packet size; values outside 1..4095 are
 * clamped into it) and at least IPOLICY_MINPACK when max allows.  Until
 * packets are acknowledged it is at most IPOLICY_FIRST, doubling with
 * each of the first acknowledgements (a packet once sent can only be sent
 * again whole, so a first window of large packets on a very bad line
 * might never get through).  It changes only when the estimated error
 * rate has moved by a clear factor, so sizes do not flap; pol is updated
 * to remember the choice. */
int ipolicy_packsize(struct ipolicy *pol, int max);

/* ipolicy_quiet_ms - how long (ms, IPOLICY_QUIET_MIN..IPOLICY_QUIET_MAX)
 * the line may be silent, with packets unacknowledged, before the oldest
 * is sent again: about three times what a packet of max_packet data bytes
 * and a window of acks take at the line rate measured from acknowledged
 * bytes; before any measurement a 2400 bit/s line is assumed.
 * max_packet should be the largest packet that may be in flight. */
long long ipolicy_quiet_ms(const struct ipolicy *pol, int max_packet);

/* ipolicy_ber - the bit-error rate the current estimate amounts to (for
 * logs and tests); 0 on a line without losses. */
double ipolicy_ber(const struct ipolicy *pol);

/* ipolicy_rate - the measured line rate in bytes per second, or 0 before
 * any packet was acknowledged. */
double ipolicy_rate(const struct ipolicy *pol);

/* ipolicy_line_rate - the line rate in bytes per second to remember for
 * the next connection, or 0 when this one cannot tell: timed only from
 * acknowledgements that came while more of our data was in flight (our
 * direction of the line busy), and only once IPOLICY_RATE_TRUST line
 * bytes were timed so.  A side that only answers sends one short command
 * at a time, each acknowledged behind the other side's queue of data:
 * ipolicy_rate then makes a safe resend timer, but is not the line. */
#define IPOLICY_RATE_TRUST 8192.0
double ipolicy_line_rate(const struct ipolicy *pol);

#endif
