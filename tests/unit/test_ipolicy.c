/*
 * test_ipolicy.c - unit tests of the i sender's policy (uucico/ipolicy.c):
 * a simulated i sender and receiver over a simulated full-duplex 8N1 line
 * with independent bit errors (a seeded PRNG, so every run is the same),
 * at 9600 and 115200 bit/s and bit-error rates 0, 1e-5, 1e-4 and 1e-3;
 * then edge cases, table-driven.
 *
 * The simulated receiver behaves like Brigade's: an intact packet is
 * acked (the ack field of every frame is cumulative), a packet with a bad
 * CRC is NAKed at once, a packet after a gap gets the missing ones NAKed
 * (once a second each, and again after half a second of silence), a
 * frame with a bad header vanishes.  The sender
 * keeps a window of 16, sends NAKed packets first and resends its oldest
 * unacked packet after ipolicy_quiet_ms of silence, as proto_i.c does
 * after I_QUICK_MS.
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "uucico/ipkt.h"
#include "uucico/ipolicy.h"
#include "tests/unit/tap.h"

#define SIM_WINDOW 16
#define SIM_MAXPKT 1024
#define SIM_LATENCY_US 2000	/* each way */
#define SIM_MAXSEQ 400000
#define SIM_QLEN 64

/* A frame on its way along one direction of the line. */
struct sim_frame {
	long long at;		/* arrival, microseconds */
	int seq, type, ack, intact, hdr_ok;
};

/* One direction of the line: a FIFO of frames. */
struct sim_dir {
	struct sim_frame q[SIM_QLEN];
	int head, n;
	long long free_at;	/* when the line can take the next frame */
};

enum { SIM_DATA, SIM_ACK, SIM_NAK };

struct sim {
	unsigned long long rng;
	double ber;
	double *surv;		/* surv[k]: k bytes arrive intact */
	int bps, fixed;		/* fixed: packet size, 0 = the policy */
	long long quiet_fixed;	/* ms, 0 = the policy */
	long long now;		/* microseconds */
	struct ipolicy pol;
	struct sim_dir fwd, rev;
	int *size;		/* data length of each sequence number */
	int base, next;		/* oldest unacked, next new */
	int expect;		/* receiver: next in-order packet */
	unsigned char *held;	/* receiver: out-of-order packets kept */
	unsigned char *fate;	/* 1 once a copy of the packet went out intact */
	int nheld;		/* receiver: how many are held */
	long long rx_input;	/* receiver: when a frame last arrived */
	long long *nak_at;	/* receiver: when each was NAKed */
	int rq[SIM_QLEN], rwhy[SIM_QLEN], rhead, rn;	/* resends waiting */
	long long last_input, last_progress, last_quick;
	long long remaining;	/* data bytes still to send */
	long long delivered;	/* data bytes delivered in order */
	long frames, naks, timeouts, spurious;
};

/* sim_rand - a uniform double in [0,1) (xorshift64*) */
static double
sim_rand(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* sim_set_ber - the bit-error rate from now on */
static void
sim_set_ber(struct sim *s, double ber)
{
	double q8 = 1.0;
	int i;

	for (i = 0; i < 8; i++)
		q8 *= 1.0 - ber;
	s->ber = ber;
	s->surv[0] = 1.0;
	for (i = 1; i <= IPKT_MAXFRAME; i++)
		s->surv[i] = s->surv[i - 1] * q8;
}

/* sim_new - a simulated line and the two ends */
static struct sim *
sim_new(unsigned long long seed, int bps, int fixed, long long quiet_fixed)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->surv = calloc(IPKT_MAXFRAME + 1, sizeof(double));
	s->size = calloc(SIM_MAXSEQ, sizeof(int));
	s->held = calloc(SIM_MAXSEQ, 1);
	s->nak_at = calloc(SIM_MAXSEQ, sizeof(long long));
	s->fate = calloc(SIM_MAXSEQ, 1);
	if (s->surv == NULL || s->size == NULL || s->held == NULL || s->nak_at == NULL ||
	    s->fate == NULL) {
		free(s->fate);
		free(s->surv);
		free(s->size);
		free(s->held);
		free(s->nak_at);
		free(s);
		return NULL;
	}
	s->rng = seed * 2 + 1;
	s->bps = bps;
	s->fixed = fixed;
	s->quiet_fixed = quiet_fixed;
	ipolicy_init(&s->pol);
	sim_set_ber(s, 0.0);
	return s;
}

/* sim_free - drop a simulation */
static void
sim_free(struct sim *s)
{
	free(s->surv);
	free(s->size);
	free(s->held);
	free(s->nak_at);
	free(s->fate);
	free(s);
}

/* sim_put - a frame of len line bytes onto direction d, now or when free */
static void
sim_put(struct sim *s, struct sim_dir *d, int len, struct sim_frame f)
{
	long long start = d->free_at > s->now ? d->free_at : s->now;
	int body = len > IPKT_HDRLEN ? len - IPKT_HDRLEN : 0;

	d->free_at = start + (long long)len * 10 * 1000000 / s->bps;
	f.at = d->free_at + SIM_LATENCY_US;
	f.hdr_ok = sim_rand(s) < s->surv[IPKT_HDRLEN];
	f.intact = f.hdr_ok && sim_rand(s) < s->surv[body];
	if (d == &s->fwd && f.intact)
		s->fate[f.seq] = 1;
	if (d->n == SIM_QLEN)
		return;		/* cannot happen with a window of 16 */
	d->q[(d->head + d->n++) % SIM_QLEN] = f;
}

/* sim_reply - the receiver sends an ACK or a NAK (both carry the ack) */
static void
sim_reply(struct sim *s, int type, int seq)
{
	struct sim_frame f = { 0, seq, type, s->expect - 1, 0, 0 };

	sim_put(s, &s->rev, IPKT_HDRLEN, f);
}

/* sim_nak - the receiver asks again for seq, at most once a second */
static void
sim_nak(struct sim *s, int seq, int force)
{
	if (!force && s->nak_at[seq] && s->now - s->nak_at[seq] < 1000000)
		return;
	s->nak_at[seq] = s->now;
	sim_reply(s, SIM_NAK, seq);
}

/* sim_receive - a data frame reaches the receiver */
static void
sim_receive(struct sim *s, const struct sim_frame *f)
{
	int q;

	s->rx_input = s->now;
	if (!f->hdr_ok)
		return;
	if (!f->intact) {
		if (f->seq >= s->expect && f->seq < s->expect + SIM_WINDOW && !s->held[f->seq])
			sim_nak(s, f->seq, 1);
		return;
	}
	if (f->seq == s->expect) {
		s->delivered += s->size[s->expect++];
		while (s->held[s->expect]) {
			s->held[s->expect] = 0;
			s->nheld--;
			s->delivered += s->size[s->expect++];
		}
		sim_reply(s, SIM_ACK, 0);
	} else if (f->seq > s->expect) {
		s->nheld += !s->held[f->seq];
		s->held[f->seq] = 1;
		for (q = s->expect; q < f->seq; q++)
			if (!s->held[q])
				sim_nak(s, q, 0);
	} else {
		sim_reply(s, SIM_ACK, 0);
	}
}

/* sim_queue_resend - the sender will send seq again */
static void
sim_queue_resend(struct sim *s, int seq, int why)
{
	int i;

	for (i = 0; i < s->rn; i++)
		if (s->rq[(s->rhead + i) % SIM_QLEN] == seq)
			return;
	if (s->rn == SIM_QLEN)
		return;
	s->rq[(s->rhead + s->rn) % SIM_QLEN] = seq;
	s->rwhy[(s->rhead + s->rn++) % SIM_QLEN] = why;
}

/* sim_reply_in - an ACK or NAK reaches the sender */
static void
sim_reply_in(struct sim *s, const struct sim_frame *f)
{
	s->last_input = s->now;
	if (!f->intact)
		return;
	while (s->base <= f->ack && s->base < s->next) {
		ipolicy_acked(&s->pol, s->now / 1000, (size_t)s->size[s->base]);
		s->base++;
		s->last_progress = s->now;
	}
	if (f->type == SIM_NAK && f->seq >= s->base && f->seq < s->next)
		sim_queue_resend(s, f->seq, IPOLICY_NAK);
}

/* sim_quiet_us - the silence the sender allows */
static long long
sim_quiet_us(const struct sim *s)
{
	if (s->quiet_fixed)
		return s->quiet_fixed * 1000;
	return ipolicy_quiet_ms(&s->pol, SIM_MAXPKT) * 1000;
}

/* sim_quiet_at - when the quiet timer fires (0: not armed) */
static long long
sim_quiet_at(const struct sim *s)
{
	long long t = s->last_input;

	if (s->base == s->next)
		return 0;
	if (s->last_progress > t)
		t = s->last_progress;
	if (s->last_quick > t)
		t = s->last_quick;
	return t + sim_quiet_us(s);
}

/* sim_gap_at - when the receiver, holding packets after a missing one,
 * asks again for it: half a second of silence, once a second at most
 * (0: nothing missing) */
static long long
sim_gap_at(const struct sim *s)
{
	long long t = s->rx_input + 500000;

	if (s->nheld == 0)
		return 0;
	if (s->nak_at[s->expect] && s->nak_at[s->expect] + 1000000 > t)
		t = s->nak_at[s->expect] + 1000000;
	return t;
}

/* sim_send - the sender puts its next frame on the line */
static void
sim_send(struct sim *s)
{
	struct sim_frame f = { 0, 0, SIM_DATA, 0, 0, 0 };
	int seq, why, n;

	if (s->rn > 0) {
		seq = s->rq[s->rhead];
		why = s->rwhy[s->rhead];
		s->rhead = (s->rhead + 1) % SIM_QLEN;
		s->rn--;
		if (seq < s->base)
			return;
		if (why == IPOLICY_TIMEOUT && s->fate[seq])
			s->spurious++;
		if (why == IPOLICY_NAK)
			s->naks++;
		ipolicy_resent(&s->pol, s->now / 1000, (size_t)s->size[seq], why);
	} else {
		n = s->fixed ? s->fixed : ipolicy_packsize(&s->pol, SIM_MAXPKT);
		if (n > s->remaining)
			n = (int)s->remaining;
		seq = s->next++;
		s->size[seq] = n;
		s->remaining -= n;
		ipolicy_sent(&s->pol, s->now / 1000, (size_t)n);
	}
	f.seq = seq;
	s->frames++;
	sim_put(s, &s->fwd, s->size[seq] + IPKT_HDRLEN + IPKT_CRCLEN, f);
}

/* sim_can_send - whether the sender has a frame to send */
static int
sim_can_send(const struct sim *s)
{
	return s->rn > 0 || (s->remaining > 0 && s->next - s->base < SIM_WINDOW &&
	    s->next < SIM_MAXSEQ - 1);
}

/* sim_run - send bytes of data at bit-error rate ber until all is acked,
 * or max_frames frames went out; 0, or -1 when it did not finish */
static int
sim_run(struct sim *s, double ber, long long bytes, long max_frames)
{
	long long t, q;
	long limit = s->frames + max_frames;

	sim_set_ber(s, ber);
	s->remaining = bytes;
	while (s->remaining > 0 || s->base < s->next) {
		if (s->frames >= limit)
			return -1;
		t = -1;
		if (sim_can_send(s))
			t = s->fwd.free_at > s->now ? s->fwd.free_at : s->now;
		if (s->fwd.n && (t < 0 || s->fwd.q[s->fwd.head].at < t))
			t = s->fwd.q[s->fwd.head].at;
		if (s->rev.n && (t < 0 || s->rev.q[s->rev.head].at < t))
			t = s->rev.q[s->rev.head].at;
		q = sim_quiet_at(s);
		if (q && (t < 0 || q < t))
			t = q;
		q = sim_gap_at(s);
		if (q && (t < 0 || q < t))
			t = q;
		if (t < 0)
			return -1;
		if (t > s->now)
			s->now = t;
		if (s->fwd.n && s->fwd.q[s->fwd.head].at <= s->now) {
			struct sim_frame f = s->fwd.q[s->fwd.head];

			s->fwd.head = (s->fwd.head + 1) % SIM_QLEN;
			s->fwd.n--;
			sim_receive(s, &f);
		} else if (s->rev.n && s->rev.q[s->rev.head].at <= s->now) {
			struct sim_frame f = s->rev.q[s->rev.head];

			s->rev.head = (s->rev.head + 1) % SIM_QLEN;
			s->rev.n--;
			sim_reply_in(s, &f);
		} else if ((q = sim_quiet_at(s)) && q <= s->now) {
			s->last_quick = s->now;
			s->timeouts++;
			sim_queue_resend(s, s->base, IPOLICY_TIMEOUT);
		} else if ((q = sim_gap_at(s)) && q <= s->now) {
			sim_nak(s, s->expect, 0);
		} else if (sim_can_send(s) && s->fwd.free_at <= s->now) {
			sim_send(s);
		}
	}
	return 0;
}

/* goodput - n/(n+10) * P(n+10 bytes intact) at bit-error rate ber */
static double
goodput(double ber, int n)
{
	double q8 = 1.0, p = 1.0;
	int i;

	for (i = 0; i < 8; i++)
		q8 *= 1.0 - ber;
	for (i = 0; i < n + IPKT_HDRLEN + IPKT_CRCLEN; i++)
		p *= q8;
	return (double)n / (n + IPKT_HDRLEN + IPKT_CRCLEN) * p;
}

/* optimum - the packet size up to max with the best goodput */
static int
optimum(double ber, int max)
{
	int n, best = 1;

	for (n = 1; n <= max; n++)
		if (goodput(ber, n) > goodput(ber, best))
			best = n;
	return best;
}

/* struct stats - sizes of new packets from seq a to b */
struct stats {
	double mean;
	int min, max, changes, count;
};

/* sizes - statistics of the sizes chosen for packets a..b-1 (full ones) */
static struct stats
sizes(const struct sim *s, int a, int b)
{
	struct stats st = { 0, 1 << 30, 0, 0, 0 };
	double sum = 0;
	int i, prev = 0;

	for (i = a; i < b; i++) {
		int n = s->size[i];

		if (i == b - 1 && b == s->next)
			continue;	/* the tail of the data may be short */
		sum += n;
		st.count++;
		if (n < st.min)
			st.min = n;
		if (n > st.max)
			st.max = n;
		if (prev && n != prev)
			st.changes++;
		prev = n;
	}
	st.mean = st.count ? sum / st.count : 0;
	return st;
}

/* line_rate - data bytes per second a perfect 8N1 line carries */
static double
line_rate(int bps)
{
	return bps / 10.0;
}

/* test_rates - the policy against fixed 1 KB packets at each rate and speed */
static void
test_rates(void)
{
	static const double bers[] = { 0, 1e-5, 1e-4, 1e-3 };
	static const int speeds[] = { 9600, 115200 };
	size_t i, j;

	for (j = 0; j < sizeof(speeds) / sizeof(speeds[0]); j++) {
		for (i = 0; i < sizeof(bers) / sizeof(bers[0]); i++) {
			int bps = speeds[j], opt = optimum(bers[i], SIM_MAXPKT);
			int best = opt < IPOLICY_MINPACK ? IPOLICY_MINPACK : opt;
			struct sim *s = sim_new(42 + i + 10 * j, bps, 0, 0);
			struct sim *f = sim_new(42 + i + 10 * j, bps, SIM_MAXPKT, 0);
			struct stats st;
			double gp, gf, ts, tf;
			int rs, rf;

			if (s == NULL || f == NULL)
				abort();
			rs = sim_run(s, bers[i], 2L * 1024 * 1024, 2000000);
			rf = sim_run(f, bers[i], bers[i] >= 1e-3 ? 64L * 1024 : 2L * 1024 * 1024,
			    200000);
			ts = s->now / 1e6;
			tf = f->now / 1e6;
			gp = s->delivered / ts / line_rate(bps);
			gf = f->delivered / tf / line_rate(bps);
			st = sizes(s, s->next / 2, s->next);
			diag("%6d bit/s ber %.0e: size mean %.0f (%d..%d, %d changes in %d), "
			    "optimum %d; ber est %.2e; efficiency policy %.3f (model %.3f), "
			    "fixed 1024 %.3f (model %.3f%s); resends %ld+%ld timeouts (%ld needless), "
			    "quiet %lld ms, rate %.0f B/s",
			    bps, bers[i], st.mean, st.min, st.max, st.changes, st.count, opt,
			    ipolicy_ber(&s->pol), gp, goodput(bers[i], best), gf,
			    goodput(bers[i], SIM_MAXPKT), rf ? ", gave up" : "", s->naks, s->timeouts, s->spurious,
			    ipolicy_quiet_ms(&s->pol, SIM_MAXPKT), ipolicy_rate(&s->pol));
			ok(rs == 0, "%d bit/s ber %g: the policy's sender delivers 2 MB", bps,
			    bers[i]);
			if (bers[i] == 0) {
				ok(st.min == SIM_MAXPKT && s->frames == s->next, "%d bit/s clean: "
				    "every packet at %d, none resent", bps, SIM_MAXPKT);
				ok(s->spurious == 0 && f->spurious == 0,
				    "%d bit/s clean: no needless resend after silence", bps);
			}
			if (bers[i] == 1e-4) {
				ok(st.mean <= 2.0 * best && st.mean >= best / 2.0,
				    "%d bit/s ber 1e-4: size %.0f within a factor 2 of %d", bps,
				    st.mean, best);
				ok(gp > 1.5 * gf, "%d bit/s ber 1e-4: goodput %.3f beats fixed 1024's "
				    "%.3f by %.2fx", bps, gp, gf, gp / gf);
				ok(st.changes * 20 < st.count, "%d bit/s ber 1e-4: %d size changes "
				    "in %d packets", bps, st.changes, st.count);
			}
			if (bers[i] == 1e-5 || bers[i] == 1e-3)
				ok(gp >= 0.95 * gf && st.mean <= 2.0 * best && st.mean >= best / 2.0,
				    "%d bit/s ber %g: size %.0f near %d, goodput %.3f no worse "
				    "than fixed's %.3f", bps, bers[i], st.mean, best, gp, gf);
			sim_free(s);
			sim_free(f);
		}
	}
}

/* first_at_most - the first packet from a whose size is at most n, or -1 */
static int
first_at_most(const struct sim *s, int a, int n)
{
	int i;

	for (i = a; i < s->next; i++)
		if (s->size[i] <= n)
			return i;
	return -1;
}

/* test_follow - shrink when errors start, grow back when they stop */
static void
test_follow(void)
{
	static const int speeds[] = { 9600, 115200 };
	int opt = optimum(1e-4, SIM_MAXPKT);
	size_t j;

	for (j = 0; j < sizeof(speeds) / sizeof(speeds[0]); j++) {
		struct sim *s = sim_new(7 + j, speeds[j], 0, 0);
		int start, at, i, back = -1;

		if (s == NULL)
			abort();
		sim_run(s, 0, 256L * 1024, 1000000);
		start = s->next;
		sim_run(s, 1e-4, 1024L * 1024, 1000000);
		at = first_at_most(s, start, 2 * opt);
		diag("%d bit/s: clean to 1e-4, size down to %d (2x optimum) after %d packets",
		    speeds[j], 2 * opt, at - start);
		ok(at >= 0 && at - start <= 48, "%d bit/s: shrinks within a few dozen packets",
		    speeds[j]);
		start = s->next;
		sim_run(s, 0, 2048L * 1024, 1000000);
		for (i = start; i < s->next; i++)
			if (s->size[i] == SIM_MAXPKT) {
				back = i;
				break;
			}
		for (i = back; back >= 0 && i < s->next - 1; i++)
			if (s->size[i] != SIM_MAXPKT)
				back = -2;
		diag("%d bit/s: 1e-4 to clean, back at %d after %d packets", speeds[j],
		    SIM_MAXPKT, back - start);
		ok(back >= 0 && back - start <= 1000,
		    "%d bit/s: grows back to %d and stays there", speeds[j], SIM_MAXPKT);
		sim_free(s);
	}
}

/* test_quiet - the resend timer against the line's speed */
static void
test_quiet(void)
{
	struct sim *s = sim_new(3, 9600, 0, 0), *old = sim_new(3, 9600, 0, 1000);
	struct ipolicy fresh;
	long long q, pkt_ms = (SIM_MAXPKT + 10) * 10 * 1000 / 9600;

	if (s == NULL || old == NULL)
		abort();
	ipolicy_init(&fresh);
	sim_run(s, 0, 512L * 1024, 100000);
	sim_run(old, 0, 512L * 1024, 100000);
	q = ipolicy_quiet_ms(&s->pol, SIM_MAXPKT);
	diag("9600 bit/s: quiet %lld ms, one 1034-byte packet %lld ms, measured %.0f B/s; "
	    "before any ack %lld ms; with a fixed 1000 ms: %ld needless resends in %d packets, "
	    "efficiency %.3f against %.3f",
	    q, pkt_ms, ipolicy_rate(&s->pol), ipolicy_quiet_ms(&fresh, SIM_MAXPKT),
	    old->spurious, old->next, old->delivered / (old->now / 1e6) / 960.0,
	    s->delivered / (s->now / 1e6) / 960.0);
	ok(q >= 2 * pkt_ms, "9600 bit/s: quiet %lld ms is over twice a packet's %lld ms", q,
	    pkt_ms);
	ok(s->spurious == 0 && s->timeouts == 0, "9600 bit/s: no resend after silence");
	ok(old->spurious > 0, "a fixed 1000 ms resends needlessly at 9600 (%ld times)",
	    old->spurious);
	ok(ipolicy_quiet_ms(&fresh, SIM_MAXPKT) >= q, "before any ack: at least as long");
	sim_free(s);
	sim_free(old);
}

/* A packet size asked for, and what a fresh policy, one after a few
 * clean acks and a noisy one give. */
struct size_case {
	int max, fresh, clean, noisy_lo, noisy_hi;
};

/* test_edges - sizes at the limits, no data, counters and clocks wrapping */
static void
test_edges(void)
{
	static const struct size_case cases[] = {
		{ -5, 1, 1, 1, 1 }, { 0, 1, 1, 1, 1 }, { 1, 1, 1, 1, 1 },
		{ 10, 10, 10, 10, 10 }, { 63, 63, 63, 63, 63 }, { 64, 64, 64, 64, 64 },
		{ 65, 65, 65, 64, 65 }, { 256, 256, 256, 64, 200 }, { 1024, 256, 1024, 64, 200 },
		{ 4095, 256, 4095, 64, 200 }, { 100000, 256, 4095, 64, 200 },
	};
	static const struct { int max; long long lo, hi; } quiet[] = {
		{ -1, 1000, 30000 }, { 0, 1000, 30000 }, { 1024, 14000, 14200 },
		{ 4095, 30000, 30000 }, { 1 << 30, 30000, 30000 },
	};
	struct ipolicy pol, noisy;
	size_t i;
	long k;
	long long t;
	int n;

	ipolicy_init(&noisy);
	for (k = 0; k < 2000; k++) {
		ipolicy_sent(&noisy, k, 200);
		if (k % 4 == 0)
			ipolicy_resent(&noisy, k, 200, IPOLICY_NAK);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct size_case *c = &cases[i];
		int f, a, z;

		ipolicy_init(&pol);
		f = ipolicy_packsize(&pol, c->max);
		for (k = 0; k < 5; k++) {
			ipolicy_sent(&pol, 10 * k, 100);
			ipolicy_acked(&pol, 10 * k + 5, 100);
		}
		a = ipolicy_packsize(&pol, c->max);
		z = ipolicy_packsize(&noisy, c->max);
		ok(f == c->fresh && a == c->clean && z >= c->noisy_lo && z <= c->noisy_hi,
		    "max %d: fresh %d (want %d), after 5 acks %d (want %d), noisy %d (want %d..%d)",
		    c->max, f, c->fresh, a, c->clean, z, c->noisy_lo, c->noisy_hi);
	}
	ipolicy_init(&pol);
	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		t = ipolicy_quiet_ms(&pol, quiet[i].max);
		ok(t >= quiet[i].lo && t <= quiet[i].hi, "no data yet, quiet for max %d: %lld ms",
		    quiet[i].max, t);
	}
	ok(ipolicy_ber(&pol) == 0 && ipolicy_rate(&pol) == 0, "no data yet: no estimates");

	/* acked before anything was sent, or more than was sent */
	ipolicy_init(&pol);
	ipolicy_acked(&pol, 5, 1024);
	ipolicy_sent(&pol, 10, 100);
	ipolicy_acked(&pol, 20, 5000);
	ipolicy_acked(&pol, 30, 100);
	ok(pol.inflight == 0 && ipolicy_rate(&pol) > 0 && ipolicy_quiet_ms(&pol, 1024) == 1000,
	    "acks of more than was sent: nothing owed, rate %.0f B/s", ipolicy_rate(&pol));

	/* the clock going back, jumping across the whole range */
	ipolicy_init(&pol);
	ipolicy_sent(&pol, 1000000, 1024);
	ipolicy_acked(&pol, 10, 1024);
	ipolicy_sent(&pol, -9223372036854775807LL - 1, 1024);
	ipolicy_acked(&pol, 9223372036854775807LL, 1024);
	t = ipolicy_quiet_ms(&pol, 1024);
	ok(t >= 1000 && t <= 30000, "clock jumping back and across its range: quiet %lld ms", t);

	/* sizes past the 12 bits of length, and a very long run */
	ipolicy_init(&pol);
	ipolicy_sent(&pol, 0, (size_t)-1);
	ipolicy_resent(&pol, 0, (size_t)-1, IPOLICY_TIMEOUT);
	ipolicy_acked(&pol, 1, (size_t)-1);
	ok(pol.inflight == 0 && pol.bytes < 1e6, "oversized packets count as 4095 bytes");
	for (k = 0; k < (1L << 21); k++) {
		ipolicy_sent(&pol, k, 1024);
		if (k % 3 == 0)
			ipolicy_resent(&pol, k, 1024, IPOLICY_NAK);
		ipolicy_acked(&pol, k + 1, 1024);
	}
	n = ipolicy_packsize(&pol, 1024);
	ok(pol.frames < 200 && pol.bytes < 300000 && n >= 64 && n < 1024 &&
	    ipolicy_ber(&pol) > 1e-5 && ipolicy_ber(&pol) < 1e-3,
	    "2M packets, a third resent: sums bounded (%.1f frames), size %d, ber %.2e",
	    pol.frames, n, ipolicy_ber(&pol));
	for (k = 0; k < 100000; k++)
		ipolicy_resent(&pol, k, 1024, IPOLICY_NAK);
	n = ipolicy_packsize(&pol, 1024);
	ok(n == IPOLICY_MINPACK, "every frame lost: the floor, %d", n);
}

/* test_prime_receiver - a side that only answers: its few command packets
 * are each acknowledged behind the other side's data, which makes a safe
 * timer but is no line rate to remember */
static void
test_prime_receiver(void)
{
	struct ipolicy pol;
	long long t = 0;
	int i;

	ipolicy_init(&pol);
	ipolicy_prime(&pol, 1e-5, 960.0);
	for (i = 0; i < 20; i++) {	/* "SY", "CY": acked 17 s later each */
		ipolicy_sent(&pol, t, 12);
		t += 17000;
		ipolicy_acked(&pol, t, 12);
		t += 3000;
	}
	ok(ipolicy_rate(&pol) < 100.0 && ipolicy_line_rate(&pol) == 0.0,
	    "20 command packets acked 17 s late: timer rate %.0f B/s, no line rate",
	    ipolicy_rate(&pol));
	for (i = 0; i < 4; i++)		/* then a file: 1 KB packets at 960 B/s */
		ipolicy_sent(&pol, t, 1024);
	for (i = 0; i < 16; i++) {
		t += 1077;
		ipolicy_acked(&pol, t, 1024);
		ipolicy_sent(&pol, t, 1024);
	}
	ok(ipolicy_line_rate(&pol) > 940.0 && ipolicy_line_rate(&pol) < 1010.0,
	    "16 KB of its own data streamed later: line rate %.0f B/s (timer rate %.0f)",
	    ipolicy_line_rate(&pol), ipolicy_rate(&pol));
}

/* test_prime - a call that starts from the last call's estimates: a
 * 40-second call's worth at 9600 bit/s and BER 1e-4 gets more through
 * than one that relearns the line, the memory reads back as it was
 * stored, and a line that has since become clean is followed */
static void
test_prime(void)
{
	static const double bers[] = { 1e-5, 1e-4, 1e-3 };
	long long call = 38L * 1024;	/* 40 s at 9600 bit/s */
	int opt = optimum(1e-4, SIM_MAXPKT), back = -1, i;
	struct sim *cold = sim_new(11, 9600, 0, 0), *warm = sim_new(11, 9600, 0, 0);
	struct sim *clean = sim_new(12, 9600, 0, 0);
	struct ipolicy pol, fresh;
	double ec, ew;
	size_t j;

	if (cold == NULL || warm == NULL || clean == NULL)
		abort();
	for (j = 0; j < sizeof(bers) / sizeof(bers[0]); j++) {
		ipolicy_init(&pol);
		ipolicy_prime(&pol, bers[j], 960.0);
		ok(ipolicy_ber(&pol) > bers[j] / 1.2 && ipolicy_ber(&pol) < bers[j] * 1.2 &&
		    ipolicy_rate(&pol) > 959.0 && ipolicy_rate(&pol) < 961.0,
		    "primed with ber %g, 960 B/s: reads back %.3g, %.0f B/s", bers[j],
		    ipolicy_ber(&pol), ipolicy_rate(&pol));
	}
	ipolicy_init(&pol);
	ipolicy_prime(&pol, 1e-4, 960.0);
	i = ipolicy_packsize(&pol, SIM_MAXPKT);
	ok(i >= opt / 2 && i <= 2 * opt, "primed with 1e-4: the first packets are %d bytes "
	    "(optimum %d)", i, opt);
	ipolicy_init(&fresh);
	ok(ipolicy_quiet_ms(&pol, SIM_MAXPKT) < ipolicy_quiet_ms(&fresh, SIM_MAXPKT),
	    "primed with 960 B/s: quiet %lld ms before any ack, unprimed %lld",
	    ipolicy_quiet_ms(&pol, SIM_MAXPKT), ipolicy_quiet_ms(&fresh, SIM_MAXPKT));
	ipolicy_init(&pol);
	ipolicy_prime(&pol, NAN, -1.0);
	ipolicy_prime(&pol, 0.9, 1e12);
	ok(ipolicy_ber(&pol) == 0 && ipolicy_rate(&pol) == 0 &&
	    ipolicy_packsize(&pol, SIM_MAXPKT) == IPOLICY_FIRST,
	    "NaN, negative and out-of-range memories are ignored");

	ipolicy_prime(&warm->pol, 1e-4, 960.0);
	sim_run(cold, 1e-4, call, 100000);
	sim_run(warm, 1e-4, call, 100000);
	ec = cold->delivered / (cold->now / 1e6) / 960.0;
	ew = warm->delivered / (warm->now / 1e6) / 960.0;
	diag("9600 bit/s ber 1e-4, %lld bytes: relearning %.3f in %.1f s (%ld NAKs, %ld "
	    "timeouts), primed %.3f in %.1f s (%ld NAKs, %ld timeouts); model best %.3f",
	    call, ec, cold->now / 1e6, cold->naks, cold->timeouts, ew, warm->now / 1e6,
	    warm->naks, warm->timeouts, goodput(1e-4, opt));
	ok(ew > ec * 1.1, "a short call at 1e-4: primed %.3f beats relearning %.3f", ew, ec);

	ipolicy_prime(&clean->pol, 1e-4, 960.0);
	sim_run(clean, 0, 512L * 1024, 100000);
	for (i = 0; i < clean->next; i++)
		if (clean->size[i] == SIM_MAXPKT) {
			back = i;
			break;
		}
	diag("primed with 1e-4 on a clean line: packets of %d bytes after %d packets",
	    SIM_MAXPKT, back);
	ok(back >= 0 && back <= 1000, "primed with 1e-4 on a clean line: back at %d bytes",
	    SIM_MAXPKT);
	ok(ipolicy_line_rate(&warm->pol) > 900.0 && ipolicy_line_rate(&warm->pol) < 1100.0,
	    "a call that sent %lld bytes at 9600 bit/s: line rate %.0f B/s", call,
	    ipolicy_line_rate(&warm->pol));
	sim_free(cold);
	sim_free(warm);
	sim_free(clean);
	test_prime_receiver();
}

int
main(void)
{
	test_edges();
	test_quiet();
	test_follow();
	test_rates();
	test_prime();
	return done_testing();
}
