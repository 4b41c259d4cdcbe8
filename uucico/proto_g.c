/*
 * proto_g.c - the UUCP g protocol (and SVR4's G, which differs only in
 * sending every packet at full size), wire-compatible with Taylor UUCP.
 *
 * Start: each side announces, in INITA/INITC, the window it can receive
 * with and, in INITB, the largest packet it can receive; we send with the
 * peer's announced values and receive with ours.  The caller sends each
 * INIT and waits for the peer's; the callee waits and answers, and answers
 * repeats again, so a lost packet costs one timeout.  After start the
 * first data packet is number 1 and "last received" is 0.
 *
 * Data flow: a sliding window of up to 7 packets each way, sequence
 * numbers modulo 8.  Received in-order packets are queued (at most
 * G_QSLOTS) and acknowledged with one RR per batch read, or piggybacked on
 * our next data packet.  A bad checksum or a packet out of sequence draws
 * one RJ per gap, and counts one error; when the peer has gone back (a
 * packet nearer the gap than one already seen) and the packet we want is
 * still missing, the RJ is repeated at once.  Duplicates are acknowledged
 * again and dropped; a damaged frame followed by a good header is skipped
 * whole, and bytes between frames are skipped.  We receive in order only:
 * with 3-bit sequence numbers and a window of 7 a packet ahead cannot be
 * told from a repeat of an old one, so SRJ is never sent (one received
 * is honoured).
 *
 * Sending: unacknowledged packets are sent again, all of them, on RJ or
 * when par.timeout_s passes without progress.  Before that, a quick timer
 * (the line time of our unacknowledged bytes, as measured from the acks,
 * plus two round trips) sends the oldest one again when no ack came, or
 * repeats our RJ when the line stays silent after it; this mends a lost
 * last packet or a lost RR in a fraction of a second.  For g with a peer
 * taking more than 64 bytes, full packets are at most G_WARMSIZE for the
 * first G_WARMUP bytes; after a loss their size follows the loss rate
 * (g_full_size), which starts from the one the last call over the same
 * link left (proto_params.line_ber; the call's own estimate goes back in
 * proto_stats.line_ber for the next), and a file's last bytes go in the cheapest mix of full
 * power-of-two packets and one short packet (a 2 KB mail is not sent in
 * a 4 KB frame).  After par.retries timeouts in a row, or more than
 * par.errors_max errors (each good packet forgives one), we send CLOSE
 * and fail.  Every wait has a deadline; an incomplete frame is dropped
 * when the line falls silent in its middle; end of file on the port
 * fails at once.
 *
 * Trust: everything read from the port is hostile; frames are cut and
 * checked by the pure functions of gpkt.c, sequence numbers and acks are
 * checked against our window, and buffers are fixed in size.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "modem/port.h"
#include "uucico/gpkt.h"
#include "uucico/proto.h"

#define G_RBUF 65536		/* bytes of input buffered */
#define G_QSLOTS 8		/* received packets held for the session */
#define G_DECAY 1		/* good packets that forgive one error */
#define G_CMDMAX (1 << 20)	/* longest command we read before failing */
#define G_QUICK_MIN 200		/* ms: shortest quick-resend wait */
#define G_QUICK_DEF 2000	/* ms: the quick wait before any ack was timed */
#define G_QUICK_MAX 3		/* quick resends before the full timeout rules */
#define G_STALL_MS 500		/* ms of silence that ends an incomplete frame */
#define G_LINE_MAX_MS 600000.0	/* most line time a wait allows for our bytes */
#define G_EPRIOR 32768.0	/* error-free bytes assumed before any loss */
#define G_RATE_TIMED 8		/* acks of waiting packets before the rate is the line's */
#define G_EDECAY 524288.0	/* bytes after which the error history halves */
#define G_WARMUP 65536.0	/* bytes sent in packets of at most... */
#define G_WARMSIZE 1024		/* ...this size, until a loss shows the line */

/* Defaults for parameters left at zero (Taylor's: 7, 64, 10 s). */
#define G_DEF_WINDOW 7
#define G_DEF_PACKSIZE 64
#define G_DEF_TIMEOUT 10
#define G_DEF_RETRIES 6
#define G_DEF_ERRORS 100

/* One received packet waiting for the session. */
struct g_slot {
	size_t len, off;		/* valid bytes; bytes already taken */
	unsigned char data[GPKT_MAXDATA];
};

struct g_state {
	int big;			/* G: every packet at full size */
	int started, dead, peer_closed, closing;

	/* the INIT exchange: index 0 INITA, 1 INITB, 2 INITC */
	int got_init[3], init_val[3];
	int init_sent;			/* ours sent so far (A, B, C) */
	int init_resend;		/* ours to repeat on a timeout, or -1 */

	/* sending */
	int send_seq;			/* number of the next new packet */
	int send_ack;			/* last of ours the peer acknowledged */
	unsigned char out[8][GPKT_MAXFRAME];	/* unacknowledged frames */
	size_t outlen[8];
	unsigned outsum[8];		/* their data checksums */
	long long sent_at[8];		/* when each was last written */
	int resent[8];			/* whether it was written more than once */
	long long last_send;		/* when a data packet was last written */
	long long rtt_min;		/* least write-to-ack time seen (ms), 0 unknown */
	double mspb;			/* ms the line takes per byte of ours */
	int timed;			/* times mspb was timed from waiting packets */
	long long prog_at;		/* when an ack last moved */
	int quick;			/* quick resends since the last progress */
	double ebytes, elost;		/* bytes sent and packets lost, decaying */
	double sent_total;		/* bytes of data packets sent in all */
	unsigned char part[GPKT_MAXDATA];	/* file bytes not yet sent */
	size_t partlen;

	/* receiving */
	int recv_last;			/* last packet accepted in order */
	int recv_acked;			/* last we acknowledged */
	int force_ack;			/* acknowledge again (a duplicate came) */
	int rj_for;			/* recv_last when we sent RJ, or -1 */
	long long rj_at;		/* when that RJ was (last) sent */
	int gap_hi;			/* farthest packet seen past the gap since */
	size_t maxdata;			/* largest data field we accept */
	struct g_slot q[G_QSLOTS];
	int qhead, qcount;

	/* timers and errors */
	long long timer_at;		/* next timeout */
	long long last_rx;		/* when bytes last arrived */
	long long pend_pos, pend_since;	/* an incomplete frame: where, since when */
	int tries;			/* timeouts in a row without progress */
	int errors, good;

	unsigned char rbuf[G_RBUF];
	size_t rlen, roff;
	long long rbase;		/* stream position of rbuf[0] */
};

static const char *const g_ctl_names[8] = {
	"0", "CLOSE", "RJ", "SRJ", "RR", "INITC", "INITB", "INITA"
};

/* g_timeout_ms - the retransmission timeout */
static long long
g_timeout_ms(const struct proto *p)
{
	return (long long)p->par.timeout_s * 1000;
}

/* g_nout - how many of our packets are unacknowledged */
static int
g_nout(const struct g_state *g)
{
	return (g->send_seq - 1 - g->send_ack) & 7;
}

/* g_write - write bytes to the port; a failure kills the protocol */
static int
g_write(struct proto *p, const void *buf, size_t len)
{
	struct g_state *g = p->priv;

	if (port_write(p->port, buf, len) < 0) {
		if (!g->dead && !g->closing)
			log_warn("protocol g: write to %s", p->port->name);
		g->dead = 1;
		return -1;
	}
	return 0;
}

/* g_send_control - send one control packet */
static int
g_send_control(struct proto *p, int xxx, int yyy)
{
	unsigned char b[GPKT_HDRLEN];

	log_debug(LOG_D_PROTO, "g: sending %s %d", g_ctl_names[xxx & 7], yyy & 7);
	gpkt_control(b, xxx, yyy);
	return g_write(p, b, sizeof(b));
}

/* g_fail - give up: tell the peer with CLOSE and fail every later call */
static int
g_fail(struct proto *p, const char *why)
{
	struct g_state *g = p->priv;

	if (g->dead)
		return -1;
	log_warnx("protocol %c: %s", p->ops->name, why);
	if (!g->peer_closed)
		(void)g_send_control(p, GPKT_CTL_CLOSE, 0);
	g->dead = 1;
	return -1;
}

/* g_error - count a protocol error; fail when there are too many */
static int
g_error(struct proto *p)
{
	struct g_state *g = p->priv;

	g->good = 0;
	if (++g->errors > p->par.errors_max)
		return g_fail(p, "too many errors");
	return 0;
}

/* g_outbytes - bytes of our unacknowledged packets */
static size_t
g_outbytes(const struct g_state *g)
{
	size_t n = 0;
	int i;

	for (i = 1; i <= g_nout(g); i++)
		n += g->outlen[(g->send_ack + i) & 7];
	return n;
}

/* g_send_wait_ms - how long to wait for the next ack before the full
 * timeout: par.timeout_s, plus the time the line needs (as measured, at
 * most G_LINE_MAX_MS) to carry what is unacknowledged, in front of which
 * the next ack must wait (at 9600 bit/s a window of 7 packets of 4 KiB
 * takes 30 s, and a sender's writes return long before its bytes are on
 * the line); times copies when what is unacknowledged was just sent again
 * and may be queued behind its first copy */
static long long
g_send_wait_ms(const struct proto *p, int copies)
{
	const struct g_state *g = p->priv;
	double line = (double)g_outbytes(g) * g->mspb * copies;

	if (line > G_LINE_MAX_MS)
		line = G_LINE_MAX_MS;
	return g_timeout_ms(p) + (long long)line;
}

/* g_progress - the peer moved: restart the timer and the retry count */
static void
g_progress(struct proto *p)
{
	struct g_state *g = p->priv;

	g->tries = 0;
	g->quick = 0;
	g->timer_at = now_ms() + g_send_wait_ms(p, 1);
}

/* g_quick_ms - how long the line may stay quiet before we act: the time
 * our unacknowledged bytes take on the line (as measured) and a round
 * trip, with margins, within G_QUICK_MIN and the full timeout */
static long long
g_quick_ms(const struct proto *p)
{
	const struct g_state *g = p->priv;
	long long q;

	if (g->rtt_min == 0)
		q = G_QUICK_DEF;
	else
		q = (long long)((double)g_outbytes(g) * g->mspb * 1.5) + 2 * g->rtt_min + 150;

	if (q < G_QUICK_MIN)
		q = G_QUICK_MIN;
	return q < g_send_wait_ms(p, 1) ? q : g_send_wait_ms(p, 1);
}

/* g_note_line - keep the line estimates where the session finds them
 * when the call ends (proto_stats.line_*): lost packets per byte are
 * about 8 times the bit-error rate at these error rates; the rate as
 * timed from acks of packets that waited behind others.  A side that
 * timed too few (it only answered) keeps what the last call handed in. */
static void
g_note_line(struct proto *p)
{
	const struct g_state *g = p->priv;

	if (g->timed < G_RATE_TIMED) {	/* sent too little to tell: keep what was known */
		p->st.line_ber = p->par.line_ber;
		p->st.line_rate = p->par.line_rate;
		return;
	}
	p->st.line_ber = g->elost / (g->ebytes + G_EPRIOR) / 8.0;
	if (p->st.line_ber > 0.5)
		p->st.line_ber = 0.5;
	p->st.line_rate = 1000.0 / g->mspb;
}

/* g_lost - count one lost packet of ours for the packet size estimate */
static void
g_lost(struct proto *p)
{
	struct g_state *g = p->priv;

	g->elost += 1.0;
	g_note_line(p);
}

/* g_resend - send our unacknowledged packet seq again, with a fresh ack */
static int
g_resend(struct proto *p, int seq)
{
	struct g_state *g = p->priv;
	unsigned char *b = g->out[seq];
	unsigned check;

	b[4] = (unsigned char)((b[4] & ~7) | (g->recv_last & 7));
	check = (0xaaaau - (g->outsum[seq] ^ b[4])) & 0xffff;
	b[2] = (unsigned char)(check & 0xff);
	b[3] = (unsigned char)(check >> 8);
	b[5] = (unsigned char)(b[1] ^ b[2] ^ b[3] ^ b[4]);
	g->recv_acked = g->recv_last;
	g->force_ack = 0;
	g->resent[seq] = 1;
	g->sent_at[seq] = g->last_send = now_ms();
	p->st.packets_resent++;
	log_debug(LOG_D_PROTO, "g: resending packet %d", seq);
	return g_write(p, b, g->outlen[seq]);
}

/* g_resend_all - send every unacknowledged packet again, oldest first */
static int
g_resend_all(struct proto *p)
{
	struct g_state *g = p->priv;
	int i, n = g_nout(g);

	for (i = 1; i <= n; i++)
		if (g_resend(p, (g->send_ack + i) & 7) < 0)
			return -1;
	return 0;
}

/* g_ack - the peer has everything of ours up to n */
static void
g_ack(struct proto *p, int n)
{
	struct g_state *g = p->priv;
	int d = (n - g->send_ack) & 7;

	long long now = now_ms(), rtt;
	int first = (g->send_ack + 1) & 7, i;
	size_t bytes = 0;

	if (d == 0 || d > g_nout(g))
		return;		/* old news, or not a packet we sent */
	/* time only packets written once (an ack of a resent one is
	 * ambiguous): the least round trip, and the line's time per byte
	 * when these packets waited behind the previous ack */
	for (i = 0; i < d; i++)
		bytes += g->outlen[(first + i) & 7];
	if (!g->resent[n & 7]) {
		rtt = now - g->sent_at[n & 7];
		if (g->rtt_min == 0 || rtt < g->rtt_min)
			g->rtt_min = rtt > 0 ? rtt : 1;
		if (!g->resent[first] && g->prog_at > g->sent_at[first] && bytes > 0) {
			g->mspb = (3 * g->mspb + (double)(now - g->prog_at) / (double)bytes) / 4;
			g->timed++;
		}
		g_note_line(p);
	}
	g->prog_at = now;
	g->send_ack = n;
	g_progress(p);
}

/* g_init_index - INITA, INITB, INITC as 0, 1, 2 */
static int
g_init_index(int xxx)
{
	return GPKT_CTL_INITA - xxx;
}

/* g_send_init - send our INITA, INITB or INITC */
static int
g_send_init(struct proto *p, int idx)
{
	int yyy = idx == 1 ? gpkt_size_initb((size_t)p->par.packsize) : p->par.window;

	return g_send_control(p, GPKT_CTL_INITA - idx, yyy);
}

/* g_control - handle a control packet */
static int
g_control(struct proto *p, const struct gpkt_hdr *h)
{
	struct g_state *g = p->priv;
	int idx;

	log_debug(LOG_D_PROTO, "g: got %s %d", g_ctl_names[h->xxx], h->yyy);
	switch (h->xxx) {
	case GPKT_CTL_CLOSE:
		if (!g->peer_closed && !g->closing && !g->dead) {
			log_debug(LOG_D_PROTO, "g: the peer closed the protocol");
			(void)g_send_control(p, GPKT_CTL_CLOSE, 0);
		}
		g->peer_closed = 1;
		return 0;
	case GPKT_CTL_RJ:
		p->st.rejects_received++;
		g_ack(p, h->yyy);
		if (g_nout(g) > 0)
			g_lost(p);
		return g_resend_all(p);
	case GPKT_CTL_SRJ:
		if (((h->yyy - g->send_ack) & 7) != 0 && ((h->yyy - g->send_ack) & 7) <= g_nout(g))
			return g_resend(p, h->yyy);
		return 0;
	case GPKT_CTL_RR:
		g_ack(p, h->yyy);
		return 0;
	case GPKT_CTL_INITA:
	case GPKT_CTL_INITB:
	case GPKT_CTL_INITC:
		idx = g_init_index(h->xxx);
		if (!g->started || !g->got_init[idx]) {
			g->got_init[idx] = 1;
			g->init_val[idx] = h->yyy;
		}
		/* the callee answers a repeat: its answer was lost */
		if (!p->caller && idx < g->init_sent)
			return g_send_init(p, idx);
		return 0;
	default:
		return 0;
	}
}

/* g_reject - ask the peer to send again everything after recv_last */
static int
g_reject(struct proto *p)
{
	struct g_state *g = p->priv;

	g->rj_for = g->recv_last;
	g->rj_at = now_ms();
	g->gap_hi = 0;
	p->st.rejects_sent++;
	return g_send_control(p, GPKT_CTL_RJ, g->recv_last);
}

/* g_data - handle a data packet with a good checksum */
static int
g_data(struct proto *p, const struct gpkt_frame *f)
{
	struct g_state *g = p->priv;
	int seq = f->h.xxx, expect = (g->recv_last + 1) & 7;
	struct g_slot *s;

	g_ack(p, f->h.yyy);
	if (f->h.tt == GPKT_TT_ALT || g->qcount == G_QSLOTS)
		return 0;	/* unused channel; or no room: the peer sends again */
	if (seq != expect) {
		if (((seq - expect) & 7) < p->par.window) {
			/* ahead of what we expect: one went missing */
			int d = (seq - expect) & 7;

			log_debug(LOG_D_PROTO, "g: packet %d out of sequence (want %d)", seq, expect);
			if (g->rj_for == g->recv_last && d > g->gap_hi) {
				g->gap_hi = d;
				return 0;	/* this gap was already counted and rejected */
			}
			/* a new gap, or the peer went back (our RJ came) and
			 * the packet we want was lost again */
			if (g_reject(p) < 0)
				return -1;
			g->gap_hi = d;
			return g_error(p);
		}
		log_debug(LOG_D_PROTO, "g: duplicate packet %d", seq);
		g->force_ack = 1;
		return 0;
	}
	s = &g->q[(g->qhead + g->qcount) % G_QSLOTS];
	memcpy(s->data, f->payload, f->paylen);
	s->len = f->paylen;
	s->off = 0;
	g->qcount++;
	g->recv_last = seq;
	g->rj_for = -1;
	p->st.packets_received++;
	log_debug(LOG_D_PROTO, "g: got packet %d (%zu bytes)", seq, f->paylen);
	if (++g->good >= G_DECAY) {
		g->good = 0;
		if (g->errors > 0)
			g->errors--;
	}
	g_progress(p);
	return 0;
}

/* g_badsum - a frame with a good header and a bad checksum */
static int
g_badsum(struct proto *p, const struct gpkt_hdr *h)
{
	struct g_state *g = p->priv;

	p->st.checksum_errors++;
	log_debug(LOG_D_PROTO, "g: bad checksum (k %d, control 0x%02x)", h->k, h->control);
	if (h->tt == GPKT_TT_CONTROL)
		return g_error(p);
	if (g->rj_for == g->recv_last)
		return 0;	/* part of a gap already counted and rejected */
	if (g->qcount < G_QSLOTS && g_reject(p) < 0)
		return -1;
	return g_error(p);
}

/* g_parse - handle every complete frame in the input buffer; returns how
 * many were handled, or -1 when the protocol died */
static int
g_parse(struct proto *p)
{
	struct g_state *g = p->priv;
	struct gpkt_frame f;
	size_t used;
	int n = 0, r = 0;

	while (g->roff < g->rlen && r == 0 && !g->dead) {
		switch (gpkt_scan(g->rbuf + g->roff, g->rlen - g->roff, g->maxdata, &f, &used)) {
		case GPKT_NEED:
			g->roff += used;
			if (g->roff < g->rlen && g->pend_pos != g->rbase + (long long)g->roff) {
				g->pend_pos = g->rbase + (long long)g->roff;
				g->pend_since = now_ms();
			}
			return n;
		case GPKT_BADHDR:
			p->st.header_errors++;
			break;
		case GPKT_BADSUM:
			r = g_badsum(p, &f.h);
			break;
		case GPKT_FRAME:
			n++;
			r = f.h.k == GPKT_KCONTROL ? g_control(p, &f.h) : g_data(p, &f);
			break;
		}
		g->roff += used;
	}
	return g->dead ? -1 : n;
}

/* g_flush_ack - acknowledge what arrived since our last acknowledgement */
static int
g_flush_ack(struct proto *p)
{
	struct g_state *g = p->priv;

	if (g->dead || g->peer_closed || (g->recv_acked == g->recv_last && !g->force_ack))
		return 0;
	g->recv_acked = g->recv_last;
	g->force_ack = 0;
	return g_send_control(p, GPKT_CTL_RR, g->recv_last);
}

/* g_stale - whether the incomplete frame at the front of the buffer is
 * noise: the line went silent for G_STALL_MS in the middle of it (a real
 * frame is written whole, so its bytes keep coming), or it has been
 * waited for three timeouts (a 4 KiB frame takes 17 s at 2400 bit/s) */
static int
g_stale(struct proto *p)
{
	struct g_state *g = p->priv;
	long long now = now_ms(), t = g_timeout_ms(p);

	return g->roff < g->rlen && g->pend_pos == g->rbase + (long long)g->roff &&
	    (now - g->last_rx >= G_STALL_MS || now - g->pend_since >= 3 * t);
}

/* g_pump - read from the port until the deadline and handle what came;
 * 1 when something was read, 0 on a timeout, -1 when the protocol died */
static int
g_pump(struct proto *p, long long deadline)
{
	struct g_state *g = p->priv;
	long long wait = deadline - now_ms();
	ssize_t n;

	if (g->roff > 0) {
		memmove(g->rbuf, g->rbuf + g->roff, g->rlen - g->roff);
		g->rlen -= g->roff;
		g->rbase += (long long)g->roff;
		g->roff = 0;
	}
	if (g->pend_pos == g->rbase && g->rlen > 0 && wait > g->last_rx + G_STALL_MS - now_ms())
		wait = g->last_rx + G_STALL_MS - now_ms();	/* an incomplete frame */
	if (wait < 0)
		wait = 0;
	n = port_read(p->port, g->rbuf + g->rlen, sizeof(g->rbuf) - g->rlen,
	    wait > INT_MAX ? INT_MAX : (int)wait);
	if (n < 0) {
		if (!g->closing)
			log_warnx("protocol %c: the line to %s is gone", p->ops->name, p->port->name);
		g->dead = 1;
		return -1;
	}
	if (n > 0) {
		g->rlen += (size_t)n;
		g->last_rx = now_ms();
	}
	if (g_parse(p) < 0)
		return -1;
	if (g_stale(p)) {
		/* skip the DLE that started it and look again */
		log_debug(LOG_D_PROTO, "g: dropping an incomplete frame");
		p->st.header_errors++;
		g->roff++;
		g->pend_pos = -1;
		if (g_parse(p) < 0)
			return -1;
	}
	if (g_flush_ack(p) < 0)
		return -1;
	return n > 0;
}

/* g_timeout - the timer ran out: send again, or give up */
static int
g_timeout(struct proto *p)
{
	struct g_state *g = p->priv;

	if (g->started && g_nout(g) == 0 && g->roff < g->rlen &&
	    now_ms() - g->last_rx < G_STALL_MS) {
		/* a long frame still arriving (4 KiB take 17 s at 2400 bit/s):
		 * no reason to ask for it again yet */
		g->timer_at = now_ms() + g_timeout_ms(p);
		return 0;
	}
	p->st.timeouts++;
	if (++g->tries > p->par.retries)
		return g_fail(p, "timed out");
	g->timer_at = now_ms() + g_send_wait_ms(p, 2);	/* after the resend below */
	log_debug(LOG_D_PROTO, "g: timeout %d of %d", g->tries, p->par.retries);
	if (!g->started)
		return g->init_resend >= 0 ? g_send_init(p, g->init_resend) : 0;
	if (g_nout(g) > 0) {
		g_lost(p);
		return g_resend_all(p);
	}
	/* nothing of ours is missing: ask the peer to send again */
	p->st.rejects_sent++;
	return g_send_control(p, GPKT_CTL_RJ, g->recv_last);
}

/* g_quick_at - when the quick timer is due: our oldest packet unacked for
 * a quick wait since the last write or ack, or the packets our RJ asked
 * for not arriving while the line is silent; LLONG_MAX when neither */
static long long
g_quick_at(struct proto *p)
{
	struct g_state *g = p->priv;
	long long at = LLONG_MAX, q = g_quick_ms(p), t;

	if (!g->started || g->peer_closed)
		return at;
	if (g_nout(g) > 0 && g->quick < G_QUICK_MAX)
		at = (g->last_send > g->prog_at ? g->last_send : g->prog_at) + q;
	if (g->rj_for == g->recv_last && g->quick < G_QUICK_MAX) {
		t = (g->rj_at > g->last_rx ? g->rj_at : g->last_rx) + q;
		if (t < at)
			at = t;
	}
	return at;
}

/* g_quick - the quick timer ran out: poll with our oldest packet (its ack
 * or the peer's RJ tells where it is), or repeat our RJ; neither counts
 * as a retry, but G_QUICK_MAX of them in a row leave it to the timeout */
static int
g_quick(struct proto *p)
{
	struct g_state *g = p->priv;

	g->quick++;
	if (g_nout(g) > 0 &&
	    now_ms() >= (g->last_send > g->prog_at ? g->last_send : g->prog_at) + g_quick_ms(p)) {
		log_debug(LOG_D_PROTO, "g: no ack for %lld ms", g_quick_ms(p));
		g_lost(p);
		if (g_resend(p, (g->send_ack + 1) & 7) < 0)
			return -1;
	}
	if (g->rj_for == g->recv_last &&
	    now_ms() >= (g->rj_at > g->last_rx ? g->rj_at : g->last_rx) + g_quick_ms(p)) {
		log_debug(LOG_D_PROTO, "g: the line is silent after RJ %d", g->recv_last);
		if (g_reject(p) < 0)
			return -1;
	}
	return 0;
}

/* g_tick - run whichever timer is due; 0, or -1 on failure */
static int
g_tick(struct proto *p)
{
	struct g_state *g = p->priv;

	if (now_ms() >= g->timer_at)
		return g_timeout(p);
	if (now_ms() >= g_quick_at(p))
		return g_quick(p);
	return 0;
}

/* g_next_at - the earlier of the two timers */
static long long
g_next_at(struct proto *p)
{
	struct g_state *g = p->priv;
	long long q = g_quick_at(p);

	return q < g->timer_at ? q : g->timer_at;
}

/* What g_wait waits for. */
enum g_goal { G_WINDOW, G_QUEUE, G_DRAIN, G_INIT };

/* g_reached - whether the goal of g_wait is met */
static int
g_reached(struct proto *p, enum g_goal goal, int arg)
{
	struct g_state *g = p->priv;

	switch (goal) {
	case G_WINDOW:
		return g_nout(g) < p->st.send_window;
	case G_QUEUE:
		return g->qcount > 0;
	case G_DRAIN:
		return g_nout(g) == 0;
	case G_INIT:
		return g->got_init[arg];
	}
	return 0;
}

/* g_wait - pump the line until the goal is met; 0, or -1 on failure */
static int
g_wait(struct proto *p, enum g_goal goal, int arg)
{
	struct g_state *g = p->priv;

	for (;;) {
		if (g->dead)
			return -1;
		if (g_reached(p, goal, arg))
			return 0;
		if (g->peer_closed) {
			log_warnx("protocol %c: the peer closed the protocol", p->ops->name);
			g->dead = 1;
			return -1;
		}
		if (now_ms() >= g_next_at(p)) {
			/* what came while a write to a full line kept us
			 * (a 4 KiB packet takes 4 s at 9600 bit/s) comes first:
			 * the acks in it are not a silence to time out on */
			if (g_pump(p, now_ms()) < 0)
				return -1;
			if (now_ms() >= g_next_at(p) && g_tick(p) < 0)
				return -1;
			continue;
		}
		if (g_pump(p, g_next_at(p)) < 0)
			return -1;
	}
}

/* g_usable - fail at once when the protocol is dead or was never started */
static int
g_usable(struct proto *p)
{
	struct g_state *g = p->priv;

	if (g->dead || !g->started)
		return -1;
	if (g_nout(g) == 0 && g->qcount == 0)
		g->timer_at = now_ms() + g_timeout_ms(p);
	return 0;
}

/* g_packet_size - the data field size for n bytes: the peer's size, or for
 * g with a peer that takes more than 64, the smallest that holds them (as
 * Taylor does; SVR4's G takes only its own size) */
static size_t
g_packet_size(const struct proto *p, size_t n, int isshort)
{
	const struct g_state *g = p->priv;
	size_t full = (size_t)p->st.send_packsize, size = GPKT_MINDATA;

	if (g->big || full <= 64)
		return full;
	while (size < full && (isshort ? gpkt_short_fits(size) : size) < n)
		size *= 2;
	return size;
}

/* g_full_size - the size of full data packets now: the peer's size (at
 * most G_WARMSIZE for the first G_WARMUP bytes), or on a line that has
 * lost packets the size that carries the most, given the loss rate per
 * byte seen so far (go-back-N: each loss costs about a window of
 * packets): for g with a peer taking more than 64 */
static size_t
g_full_size(const struct proto *p)
{
	const struct g_state *g = p->priv;
	size_t full = (size_t)p->st.send_packsize, size, best = full;
	double q = g->elost / (g->ebytes + G_EPRIOR), x, y, v, bestv = -1e9;

	if (g->big || full <= 64)
		return full;
	if (g->elost <= 0)	/* a big window of big packets lost costs seconds */
		return g->sent_total < G_WARMUP && full > G_WARMSIZE ? G_WARMSIZE : full;
	for (size = 64; size <= full; size *= 2) {
		/* log of the share of data in a frame, less the log of the
		 * line time per frame delivered, 1 + window * loss chance
		 * (series and Pade approximations of the logarithms) */
		x = (double)GPKT_HDRLEN / (double)(size + GPKT_HDRLEN);
		y = (double)p->st.send_window * q * (double)(size + GPKT_HDRLEN);
		v = -x - x * x / 2 - x * x * x / 3 - y * (6 + y) / (6 + 4 * y);
		if (v > bestv) {
			bestv = v;
			best = size;
		}
	}
	return best;
}

/* g_tail_cost - the line bytes of the cheapest way to send the last n
 * bytes (0 < n < full) of a file with full packets of powers of two and
 * at most one short packet; *first, *size: the first packet's bytes and
 * data field size */
static size_t
g_tail_cost(const struct proto *p, size_t n, size_t full, size_t *first, size_t *size)
{
	size_t sz = g_packet_size(p, n, 1), pw = GPKT_MINDATA, best, c, f, z;

	*first = n;
	*size = sz;
	best = sz + GPKT_HDRLEN;
	if (((const struct g_state *)p->priv)->big || (size_t)p->st.send_packsize <= 64)
		return best;
	while (pw * 2 <= n && pw * 2 <= full)
		pw *= 2;
	if (pw > n)
		return best;
	c = pw + GPKT_HDRLEN + (pw < n ? g_tail_cost(p, n - pw, full, &f, &z) : 0);
	if (c < best) {
		best = c;
		*first = pw;
		*size = pw;
	}
	return best;
}

/* g_send_packet - send n bytes in a data field of size bytes (short when
 * n < size), waiting for room in the window first */
static int
g_send_packet(struct proto *p, const void *buf, size_t n, size_t size)
{
	struct g_state *g = p->priv;
	int seq = g->send_seq;

	if (g_wait(p, G_WINDOW, 0) < 0)
		return -1;
	g->outlen[seq] = gpkt_data(g->out[seq], sizeof(g->out[seq]), size, seq, g->recv_last, buf, n);
	if (g->outlen[seq] == 0)
		return g_fail(p, "internal error: bad packet size");
	g->outsum[seq] = gpkt_checksum(g->out[seq] + GPKT_HDRLEN, size);
	if (g_nout(g) == 0) {
		g->timer_at = now_ms() + g_timeout_ms(p) + (long long)((double)g->outlen[seq] * g->mspb);
		g->quick = 0;
	}
	g->sent_at[seq] = g->last_send = now_ms();
	g->resent[seq] = 0;
	g->ebytes += (double)g->outlen[seq];
	g->sent_total += (double)g->outlen[seq];
	if (g->ebytes > G_EDECAY) {
		g->ebytes /= 2;
		g->elost /= 2;
	}
	g->send_seq = (seq + 1) & 7;
	g->recv_acked = g->recv_last;
	g->force_ack = 0;
	p->st.packets_sent++;
	log_debug(LOG_D_PROTO, "g: sending packet %d (%zu bytes in %zu)", seq, n, size);
	return g_write(p, g->out[seq], g->outlen[seq]);
}

/* g_start - the INITA, INITB, INITC exchange */
static int
g_start(struct proto *p)
{
	struct g_state *g = p->priv;
	int idx, win;

	for (idx = 0; idx < 3; idx++) {
		g->tries = 0;
		g->timer_at = now_ms() + g_timeout_ms(p);
		if (p->caller) {
			g->init_resend = idx;
			g->init_sent = idx + 1;
			if (g_send_init(p, idx) < 0 || g_wait(p, G_INIT, idx) < 0)
				return -1;
		} else {
			g->init_resend = idx - 1;
			if (g_wait(p, G_INIT, idx) < 0)
				return -1;
			g->init_sent = idx + 1;
			if (g_send_init(p, idx) < 0)
				return -1;
		}
	}
	win = g->init_val[2] ? g->init_val[2] : g->init_val[0];
	p->st.send_window = win < 1 ? 1 : win;
	p->st.send_packsize = (int)gpkt_initb_size(g->init_val[1]);
	p->st.recv_window = p->par.window;
	p->st.recv_packsize = p->par.packsize;
	g->started = 1;
	g->tries = 0;
	log_debug(LOG_D_PROTO, "%c: started, sending %d/%d receiving %d/%d", p->ops->name,
	    p->st.send_packsize, p->st.send_window, p->st.recv_packsize, p->st.recv_window);
	if (p->par.line_rate > 0.0)
		log_info("%c: starting from the last call's line (bit-error rate %.1e, %.0f bytes/s): "
		    "full packets of %zu bytes", p->ops->name, p->par.line_ber, p->par.line_rate,
		    g_full_size(p));
	return 0;
}

/* g_sendcmd - send a command string and its NUL in NUL-padded packets */
static int
g_sendcmd(struct proto *p, const char *cmd)
{
	unsigned char buf[GPKT_MAXDATA];
	size_t len = strlen(cmd) + 1, off = 0, n, size;

	if (g_usable(p) < 0)
		return -1;
	log_debug(LOG_D_PROTO, "g: sending command \"%s\"", cmd);
	while (off < len) {
		size = g_packet_size(p, len - off, 0);
		n = len - off < size ? len - off : size;
		memcpy(buf, cmd + off, n);
		memset(buf + n, 0, size - n);
		if (g_send_packet(p, buf, size, size) < 0)
			return -1;
		off += n;
	}
	return 0;
}

/* g_pop - drop the packet at the head of the queue */
static void
g_pop(struct g_state *g)
{
	g->qhead = (g->qhead + 1) % G_QSLOTS;
	g->qcount--;
}

/* g_getcmd - gather packets until a NUL ends the command */
static int
g_getcmd(struct proto *p, char *buf, size_t len)
{
	struct g_state *g = p->priv;
	size_t o = 0, total = 0;

	if (len == 0 || g_usable(p) < 0)
		return -1;
	for (;;) {
		struct g_slot *s;
		unsigned char *nul;
		size_t n;

		if (g_wait(p, G_QUEUE, 0) < 0)
			return -1;
		s = &g->q[g->qhead];
		nul = memchr(s->data + s->off, '\0', s->len - s->off);
		n = nul != NULL ? (size_t)(nul - (s->data + s->off)) : s->len - s->off;
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(buf + o, s->data + s->off, n);
		o += n;
		total += s->len - s->off;
		g_pop(g);
		if (nul != NULL)
			break;
		if (total > G_CMDMAX)
			return g_fail(p, "command too long");
	}
	buf[o] = '\0';
	log_debug(LOG_D_PROTO, "g: got command \"%s\"", buf);
	return 0;
}

/* g_senddata - send file bytes in full packets; len 0 sends what is left
 * in a short packet, then the empty short packet that ends the file */
static int
g_senddata(struct proto *p, const void *buf, size_t len)
{
	struct g_state *g = p->priv;
	const unsigned char *b = buf;
	size_t full, n, size, off = 0;

	if (g_usable(p) < 0)
		return -1;
	if (len == 0) {
		/* the rest in the fewest line bytes, then the empty packet */
		while (off < g->partlen) {
			full = g_full_size(p);
			(void)g_tail_cost(p, g->partlen - off, full, &n, &size);
			if (g_send_packet(p, g->part + off, n, size) < 0)
				return -1;
			off += n;
		}
		g->partlen = 0;
		return g_send_packet(p, "", 0, g_packet_size(p, 0, 1));
	}
	while (len > 0) {
		full = g_full_size(p);
		if (g->partlen == 0 && len >= full) {
			if (g_send_packet(p, b, full, full) < 0)
				return -1;
			b += full;
			len -= full;
			continue;
		}
		if (g->partlen >= full) {
			/* the size shrank: send what is held in pieces of it */
			if (g_send_packet(p, g->part, full, full) < 0)
				return -1;
			memmove(g->part, g->part + full, g->partlen - full);
			g->partlen -= full;
			continue;
		}
		n = full - g->partlen < len ? full - g->partlen : len;
		memcpy(g->part + g->partlen, b, n);
		g->partlen += n;
		b += n;
		len -= n;
		if (g->partlen == full) {
			g->partlen = 0;
			if (g_send_packet(p, g->part, full, full) < 0)
				return -1;
		}
	}
	return 0;
}

/* g_getdata - file bytes from the next packets; 0 at the end of file */
static ssize_t
g_getdata(struct proto *p, void *buf, size_t len)
{
	struct g_state *g = p->priv;
	struct g_slot *s;
	size_t n;

	if (g_usable(p) < 0 || g_wait(p, G_QUEUE, 0) < 0)
		return -1;
	s = &g->q[g->qhead];
	if (s->len == 0) {
		g_pop(g);
		return 0;
	}
	n = s->len - s->off < len ? s->len - s->off : len;
	memcpy(buf, s->data + s->off, n);
	s->off += n;
	if (s->off == s->len)
		g_pop(g);
	return (ssize_t)n;
}

/* g_shutdown - let our last packets be acknowledged (within the usual
 * retries; the peer's CLOSE ends the wait), then send CLOSE twice as
 * Taylor does */
static int
g_shutdown(struct proto *p)
{
	struct g_state *g = p->priv;
	int r = 0;

	if (!g->started)
		return -1;
	if (g->dead)
		return g->peer_closed ? 0 : -1;
	g->closing = 1;
	while (g_nout(g) > 0 && !g->peer_closed && !g->dead) {
		if (now_ms() >= g_next_at(p)) {
			if (g_tick(p) < 0)
				break;
			continue;
		}
		if (g_pump(p, g_next_at(p)) < 0)
			break;
	}
	g->dead = 0;	/* the CLOSE is still worth a try */
	/* a line gone after everything was acknowledged is no failure */
	if (g_send_control(p, GPKT_CTL_CLOSE, 0) < 0 || g_send_control(p, GPKT_CTL_CLOSE, 0) < 0)
		r = g->peer_closed || g_nout(g) == 0 ? 0 : -1;
	g->dead = 1;
	log_debug(LOG_D_PROTO, "g: closed; packets sent %lu, resent %lu, received %lu",
	    p->st.packets_sent, p->st.packets_resent, p->st.packets_received);
	return r;
}

/* g_free - release the protocol */
static void
g_free(struct proto *p)
{
	if (p == NULL)
		return;
	free(p->priv);
	free(p);
}

static const struct proto_ops g_ops = {
	.name = 'g', .start = g_start, .sendcmd = g_sendcmd, .getcmd = g_getcmd,
	.senddata = g_senddata, .getdata = g_getdata, .shutdown = g_shutdown, .free = g_free,
};

static const struct proto_ops bigg_ops = {
	.name = 'G', .start = g_start, .sendcmd = g_sendcmd, .getcmd = g_getcmd,
	.senddata = g_senddata, .getdata = g_getdata, .shutdown = g_shutdown, .free = g_free,
};

/* g_clean_params - fill in defaults and bring values into range */
static void
g_clean_params(struct proto_params *par)
{
	int size = GPKT_MINDATA;

	if (par->window <= 0)
		par->window = G_DEF_WINDOW;
	if (par->window > 7)
		par->window = 7;
	if (par->packsize <= 0)
		par->packsize = G_DEF_PACKSIZE;
	while (size * 2 <= par->packsize && size < GPKT_MAXDATA)
		size *= 2;
	par->packsize = size;
	if (par->timeout_s <= 0)
		par->timeout_s = G_DEF_TIMEOUT;
	if (par->retries <= 0)
		par->retries = G_DEF_RETRIES;
	if (par->errors_max <= 0)
		par->errors_max = G_DEF_ERRORS;
}

/* g_new - a g or G protocol over port */
static struct proto *
g_new(const struct proto_ops *ops, struct port *port, const struct proto_params *par, int caller)
{
	struct proto *p = calloc(1, sizeof(*p));
	struct g_state *g = calloc(1, sizeof(*g));

	if (p == NULL || g == NULL) {
		free(p);
		free(g);
		return NULL;
	}
	p->ops = ops;
	p->port = port;
	p->caller = caller;
	p->par = *par;
	g_clean_params(&p->par);
	p->priv = g;
	g->big = ops->name == 'G';
	g->send_seq = 1;
	g->init_resend = -1;
	g->rj_for = -1;
	g->pend_pos = -1;
	g->last_rx = now_ms();
	g->mspb = 1.0;	/* 10 bits a byte at 9600 bit/s, until measured */
	/* start from what the last call over this link left: its loss rate
	 * weighs as much as the G_EPRIOR clean bytes assumed without it */
	if (par->line_ber > 0.0 && par->line_ber <= 0.5)
		g->elost = 8.0 * par->line_ber * G_EPRIOR;
	if (par->line_rate > 0.0 && par->line_rate <= 1e9)
		g->mspb = 1000.0 / par->line_rate;
	g_note_line(p);
	g->maxdata = (size_t)(p->par.packsize > 64 ? p->par.packsize : 64);
	return p;
}

/* proto_g_new - the g protocol over port */
struct proto *
proto_g_new(struct port *port, const struct proto_params *par, int caller)
{
	return g_new(&g_ops, port, par, caller);
}

/* proto_bigg_new - SVR4's G protocol over port */
struct proto *
proto_bigg_new(struct port *port, const struct proto_params *par, int caller)
{
	return g_new(&bigg_ops, port, par, caller);
}
