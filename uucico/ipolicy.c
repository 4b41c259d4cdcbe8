/*
 * ipolicy.c - packet size and resend timer for the i protocol's sender
 * (see ipolicy.h).
 *
 * Model: bit errors are independent, at rate p per bit, so a frame of k
 * line bytes (n data + 6 header + 4 CRC) arrives intact with probability
 * exp(-L k), L = -8 ln(1-p) the loss per byte.  A lost frame costs only
 * itself again (the i receiver NAKs that one packet), so the goodput of
 * n-byte packets is n/(n+10) exp(-L (n+10)); it is largest where
 * n (n+10) = 10 / L, which ipolicy_packsize solves for the integer n.
 * L is estimated from decayed sums of frames sent, their bytes and the
 * resends: with a fraction f of frames lost and b bytes a frame on
 * average, L = -ln(1-f) / b.  A NAK counts as one loss, a resend after
 * silence as half of one (it may be only the ack that was lost).  Each
 * frame weighs down the past by its share of 32 KB, but by at least
 * 1/64, so the estimate follows a line that changes within a few dozen
 * packets, large or small.  It starts from 16 clean 1 KB frames, so one
 * early loss does not shrink packets to nothing, and the size changes
 * only when L has moved by half since the last change.  A connection
 * over a link seen before may start instead from the error rate the last
 * one ended with (ipolicy_prime): the same 16 frames (shorter where that
 * rate loses most 1 KB frames), as many of them lost
 * as that rate loses, so a slow line with short calls (at 9600 bit/s a
 * 40 s call carries 38 KB) does not spend most of each call relearning it.
 * Until the first packets are acknowledged the size is at most 256 bytes,
 * doubling with each acknowledgement: a packet once sent can be sent
 * again only whole, and a window of 1 KB packets sent blind onto a line
 * with a bit-error rate of 1e-3 would need thousands of tries each.
 * Not modelled: bursts of errors, lost headers (found later than a bad
 * CRC), the window limiting small packets on a line with long delays.
 *
 * The resend timer: the line rate is the line bytes acknowledged (plus
 * those resent) per millisecond while packets were in flight, leaving
 * out silences that ended in a resend (they are no line time); the quiet
 * time is three times what one maximal packet and a window of acks take
 * at that rate.  Delays and stalls only make the rate look lower and the
 * quiet time longer, the safe side.
 *
 * Trust: the caller's figures come from its own bookkeeping, but sizes
 * are clamped and times may jump either way without overflow; nothing
 * here can fail.
 */
#include <stddef.h>

#include "uucico/ipkt.h"
#include "uucico/ipolicy.h"

#define IPOLICY_OVERHEAD (IPKT_HDRLEN + IPKT_CRCLEN)
#define IPOLICY_WINBYTES 32768.0	/* the estimates' memory, in line bytes ... */
#define IPOLICY_WINFRAMES 64.0		/* ... but at most this many frames */
#define IPOLICY_PRIOR 16.0		/* clean frames assumed at the start */
#define IPOLICY_PRIORLEN 1034.0		/* of this many line bytes each */
#define IPOLICY_STARTUP 5		/* acks after which IPOLICY_FIRST << acks > 4095 */
#define IPOLICY_HYST 1.5		/* change size when L moves by this factor */
#define IPOLICY_MAXLOSS 0.95		/* lost fraction believed at most */
#define IPOLICY_ACKBYTES (16 * IPKT_HDRLEN)	/* a window of ACK frames */
#define IPOLICY_SLOW_RATE 240.0		/* bytes/s assumed before any ack */
#define IPOLICY_GAP_MS 60000.0		/* longer waits between acks count as this */
#define IPOLICY_LN2 0.69314718055994530942

/* ip_wire - line bytes of a frame with len data bytes */
static double
ip_wire(size_t len)
{
	if (len > IPKT_MAXDATA)
		len = IPKT_MAXDATA;
	return len ? (double)len + IPOLICY_OVERHEAD : IPKT_HDRLEN;
}

/* ip_keep - the factor by which a frame of wire bytes weighs down the past */
static double
ip_keep(double wire)
{
	double d = wire / IPOLICY_WINBYTES;

	if (d < 1.0 / IPOLICY_WINFRAMES)
		d = 1.0 / IPOLICY_WINFRAMES;
	return 1.0 - d;
}

/* ip_neglog1m - -ln(1-f) for 0 <= f < 1, without libm */
static double
ip_neglog1m(double f)
{
	double y = 1.0 - f, acc = 0.0, z, z2, term, sum = 0.0;
	int k;

	while (y < 0.5) {
		y *= 2.0;
		acc += IPOLICY_LN2;
	}
	/* ln(y) = -2 atanh(z) with z = (1-y)/(1+y) in [0, 1/3] */
	z = (1.0 - y) / (1.0 + y);
	z2 = z * z;
	term = z;
	for (k = 1; k < 40 && term > 1e-12; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return acc + 2.0 * sum;
}

/* ip_expneg - exp(-x) for x >= 0, without libm */
static double
ip_expneg(double x)
{
	double sum = 1.0, term = 1.0;
	int k, halvings = 0;

	if (!(x > 0.0))
		return 1.0;
	if (x > 700.0)
		return 0.0;
	while (x > 0.25) {	/* exp(-x) = exp(-x/2)^2 */
		x /= 2.0;
		halvings++;
	}
	for (k = 1; k < 16; k++) {
		term *= -x / k;
		sum += term;
	}
	while (halvings-- > 0)
		sum *= sum;
	return sum;
}

/* ip_loss - the current estimate of L, the loss per line byte */
static double
ip_loss(const struct ipolicy *pol)
{
	double f;

	if (pol->frames <= 0.0 || pol->bytes <= 0.0 || pol->lost <= 0.0)
		return 0.0;
	f = pol->lost / pol->frames;
	if (f > IPOLICY_MAXLOSS)
		f = IPOLICY_MAXLOSS;
	return ip_neglog1m(f) / (pol->bytes / pol->frames);
}

/* ip_target - the best data length in lo..max at loss L per byte: the
 * largest n with n (n+10) <= 10 / L */
static int
ip_target(double loss, int max)
{
	int lo = max < IPOLICY_MINPACK ? max : IPOLICY_MINPACK, hi = max, mid;
	double k;

	if (loss <= 0.0)
		return max;
	k = IPOLICY_OVERHEAD / loss;
	if ((double)max * (max + IPOLICY_OVERHEAD) <= k)
		return max;
	if ((double)lo * (lo + IPOLICY_OVERHEAD) > k)
		return lo;
	while (lo < hi) {	/* lo fits, hi does not */
		mid = lo + (hi - lo + 1) / 2;
		if ((double)mid * (mid + IPOLICY_OVERHEAD) <= k)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* ip_frame - count one frame on the line, lost weighing how much of a
 * loss it reveals */
static void
ip_frame(struct ipolicy *pol, double wire, double lost)
{
	double keep = ip_keep(wire);

	pol->frames = pol->frames * keep + 1.0;
	pol->bytes = pol->bytes * keep + wire;
	pol->lost = pol->lost * keep + lost;
}

/* ipolicy_init - nothing known yet */
void
ipolicy_init(struct ipolicy *pol)
{
	pol->frames = IPOLICY_PRIOR;
	pol->bytes = IPOLICY_PRIOR * IPOLICY_PRIORLEN;
	pol->lost = 0.0;
	pol->used = 0.0;
	pol->rate_bytes = 0.0;
	pol->rate_ms = 0.0;
	pol->pending = 0.0;
	pol->inflight = 0;
	pol->acks = 0;
	pol->mark_ms = 0;
	pol->line_bytes = 0.0;
	pol->line_ms = 0.0;
	pol->sampled = 0.0;
}

/* ipolicy_prime - start from an earlier connection's estimates */
void
ipolicy_prime(struct ipolicy *pol, double ber, double rate)
{
	if (ber > 0.0 && ber <= 0.5) {	/* false for NaN too */
		double loss = 8.0 * ip_neglog1m(ber);	/* L = -8 ln(1-p) */
		double len = IPOLICY_PRIORLEN;

		/* frames short enough that half or more arrive, as the
		 * packets this rate calls for do: far from IPOLICY_MAXLOSS */
		if (loss * len > IPOLICY_LN2)
			len = IPOLICY_LN2 / loss;
		pol->bytes = pol->frames * len;
		pol->lost = pol->frames * (1.0 - ip_expneg(loss * len));
		pol->used = ip_loss(pol);	/* the first packets already fit */
	}
	if (rate > 0.0 && rate <= 1e9) {
		pol->rate_bytes = IPOLICY_PRIORLEN;
		pol->rate_ms = IPOLICY_PRIORLEN * 1000.0 / rate;
	}
}

/* ipolicy_sent - a new data packet went out */
void
ipolicy_sent(struct ipolicy *pol, long long now_ms, size_t bytes)
{
	if (bytes > IPKT_MAXDATA)
		bytes = IPKT_MAXDATA;
	ip_frame(pol, ip_wire(bytes), 0.0);
	if (pol->inflight == 0)
		pol->mark_ms = now_ms;	/* the line is busy from now */
	pol->inflight += bytes;
}

/* ipolicy_resent - a packet went out again */
void
ipolicy_resent(struct ipolicy *pol, long long now_ms, size_t bytes, enum ipolicy_why why)
{
	double wire = ip_wire(bytes);

	ip_frame(pol, wire, why == IPOLICY_NAK ? 1.0 : 0.5);
	pol->pending += wire;
	if (why == IPOLICY_TIMEOUT)
		pol->mark_ms = now_ms;	/* the silence was no line time */
}

/* ipolicy_acked - a packet arrived: one more sample of the line rate */
void
ipolicy_acked(struct ipolicy *pol, long long now_ms, size_t bytes)
{
	double wire = ip_wire(bytes), keep = ip_keep(wire), dt = 0.0;

	if (bytes > IPKT_MAXDATA)
		bytes = IPKT_MAXDATA;
	if (pol->acks < IPOLICY_STARTUP)
		pol->acks++;
	if (pol->inflight == 0) {	/* not ours to time: no sample */
		pol->mark_ms = now_ms;
		pol->pending = 0.0;
		return;
	}
	if (now_ms > pol->mark_ms)
		dt = (double)now_ms - (double)pol->mark_ms;
	if (dt > IPOLICY_GAP_MS)
		dt = IPOLICY_GAP_MS;
	pol->rate_bytes = pol->rate_bytes * keep + wire + pol->pending;
	pol->rate_ms = pol->rate_ms * keep + dt;
	if (pol->inflight > bytes) {	/* more queued behind it: our side busy */
		pol->line_bytes = pol->line_bytes * keep + wire + pol->pending;
		pol->line_ms = pol->line_ms * keep + dt;
		pol->sampled += wire + pol->pending;
	}
	pol->pending = 0.0;
	pol->mark_ms = now_ms;
	pol->inflight -= bytes < pol->inflight ? bytes : pol->inflight;
}

/* ipolicy_packsize - the data length for the next packet */
int
ipolicy_packsize(struct ipolicy *pol, int max)
{
	double loss = ip_loss(pol);
	int first = IPOLICY_FIRST << pol->acks;

	if (max < 1)
		max = 1;
	if (max > IPKT_MAXDATA)
		max = IPKT_MAXDATA;
	if (max > first)
		max = first;
	if (loss > pol->used * IPOLICY_HYST || loss < pol->used / IPOLICY_HYST)
		pol->used = loss;
	return ip_target(pol->used, max);
}

/* ipolicy_rate - measured line bytes per second, 0 when unknown */
double
ipolicy_rate(const struct ipolicy *pol)
{
	if (pol->rate_ms < 1.0 || pol->rate_bytes <= 0.0)
		return 0.0;
	return pol->rate_bytes * 1000.0 / pol->rate_ms;
}

/* ipolicy_line_rate - the rate to remember, from busy-line samples only */
double
ipolicy_line_rate(const struct ipolicy *pol)
{
	if (pol->sampled < IPOLICY_RATE_TRUST || pol->line_ms < 1.0)
		return 0.0;
	return pol->line_bytes * 1000.0 / pol->line_ms;
}

/* ipolicy_quiet_ms - silence allowed before the oldest packet is resent */
long long
ipolicy_quiet_ms(const struct ipolicy *pol, int max_packet)
{
	double rate = ipolicy_rate(pol), line, q;

	if (max_packet < 0)
		max_packet = 0;
	line = ip_wire((size_t)max_packet) + IPOLICY_ACKBYTES;
	if (rate <= 0.0)
		rate = IPOLICY_SLOW_RATE;
	q = 3.0 * line * 1000.0 / rate;
	if (q < IPOLICY_QUIET_MIN)
		q = IPOLICY_QUIET_MIN;
	if (q > IPOLICY_QUIET_MAX)
		q = IPOLICY_QUIET_MAX;
	return (long long)q;
}

/* ipolicy_ber - the bit-error rate the estimate amounts to */
double
ipolicy_ber(const struct ipolicy *pol)
{
	double x = ip_loss(pol) / 8.0;

	return x - x * x / 2.0 + x * x * x / 6.0;	/* 1 - exp(-x), x small */
}
