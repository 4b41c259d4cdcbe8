/*
 * proto_i.c - Taylor UUCP's i protocol: a sliding window of up to 16
 * packets with CRC-32, selective NAK, SPOS, CLOSE, and channels.
 *
 * The session above is half duplex (proto.h): one command or one file at
 * a time.  The peer need not be: a Taylor sender streams a file right
 * after its S command, before our SY, and may have several files in
 * flight on separate channels.  So every packet that arrives is acked and
 * sorted at once into a queue of items (commands, file data, ends of
 * file), each tagged with its channel; getcmd takes the oldest command,
 * getdata the data of the file whose command getcmd returned last, and
 * the data of a file that was refused (SN) is dropped.  The queue is
 * bounded (I_QUEUE_MAX): past it the call fails rather than eat memory.
 *
 * Channels: a command of ours goes out on a fresh local channel (1..7,
 * as many as the peer allows); a reply goes on the channel of the command
 * it answers.  Incoming channel keys: 0 (H, HY), 1..7 the peer's local
 * channel, 8..14 one of ours (7 + its number).
 *
 * Trust: the line is hostile.  Frames are parsed by ipkt.c; commands are
 * bounded by I_CMDMAX, the queue by I_QUEUE_MAX, file positions are
 * checked, and every wait has a deadline and a retry limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "modem/port.h"
#include "uucico/ipkt.h"
#include "uucico/ipolicy.h"
#include "uucico/proto.h"

#define I_PACKSIZE 1024		/* what we ask the peer to send */
#define I_WINDOW 16
#define I_CHANNELS 7
#define I_CMDMAX 8192
#define I_QUEUE_MAX (16L * 1024 * 1024)
#define I_RBUF (2 * IPKT_MAXFRAME + 1024)
#define I_ACK_DELAY_MS 50	/* idle this long with unacked input: ACK */
#define I_NAK_GRACE_MS 200	/* margin for a packet sent again to arrive */
#define I_NKEYS 15
#define I_QUICK_MS 1000		/* line silent this long: resend, re-NAK */

enum i_item_kind { I_IT_CMD, I_IT_DATA, I_IT_EOF };
enum i_rstate { I_R_NONE, I_R_READING, I_R_REJECTED };

struct i_item {
	struct i_item *next;
	int key, kind;
	long long pos;		/* file position of data[0] */
	size_t len, off;
	unsigned char data[];
};

struct i_key {
	int infile;		/* incoming packets are file data until len 0 */
	int rstate;		/* enum i_rstate: what the reader does with it */
	int have_pos;
	long long next_pos;	/* position getdata expects next */
	unsigned char *cmd;	/* a command being gathered */
	size_t cmdlen;
};

struct i_sent {
	unsigned char *data;
	size_t len;
	int type, lch, rch, used;
	long long sent_ms;	/* when it was first written */
	long long nak_lat;	/* ms from then to its first NAK (0: none yet) */
	long long again_due;	/* sent again: by then that copy has arrived */
};

struct i_state {
	int started, closed;
	int peer_started;	/* the peer sent more than SYNC: it has ours */
	/* sending */
	int send_seq, send_acked, send_window, send_packsize, send_chans;
	int next_chan, cur_lch, cur_rch, need_spos, resends_in_row;
	long long send_gpos;	/* the receiver's file position after what we sent */
	int last_data_key;	/* key of the file data we sent last (-1 none) */
	int last_new_lch;	/* channel of our last command */
	char last_new_kind;	/* its letter */
	long long last_progress;
	struct i_sent sent[IPKT_SEQMOD];
	struct ipolicy pol;	/* packet size and quiet time from the line seen */
	/* receiving */
	int recv_last, recv_acked;
	struct i_sent ooo[IPKT_SEQMOD];
	long long nak_ms[IPKT_SEQMOD];	/* when we last asked for each */
	long long last_quick;
	long long recv_pos, last_input;
	int last_cmd_key, rd_key, errors;
	int want_key;		/* the reply we wait for comes on this key (-1 any) */
	int soft_key;		/* prefer a command on this key (-1 none) */
	struct i_key keys[I_NKEYS];
	struct i_item *qhead, *qtail;
	struct i_item *held;	/* handed out by i_next until its next call */
	long qbytes;
	size_t rlen;
	unsigned char rbuf[I_RBUF];
	unsigned char frame[IPKT_MAXFRAME];
};

/* i_timeout_ms - the retransmission timeout */
static long long
i_timeout_ms(const struct proto *p)
{
	return (long long)(p->par.timeout_s > 0 ? p->par.timeout_s : 10) * 1000;
}

/* i_retries - consecutive timeouts allowed */
static int
i_retries(const struct proto *p)
{
	return p->par.retries > 0 ? p->par.retries : 6;
}

/* i_outstanding - our packets not yet acknowledged */
static int
i_outstanding(const struct i_state *s)
{
	return ipkt_seq_diff(s->send_acked, (s->send_seq + IPKT_SEQMOD - 1) % IPKT_SEQMOD);
}

/* i_write - encode and send one frame carrying our latest ack */
static int
i_write(struct proto *p, int type, int seq, int lch, int rch, const void *data, size_t len)
{
	struct i_state *s = p->priv;
	struct ipkt_hdr h = { seq, lch, s->recv_last, rch, type, p->caller ? 1 : 0, len };
	size_t n = ipkt_encode(&h, data, len, s->frame, sizeof(s->frame));

	if (n == 0)
		return -1;
	log_debug(LOG_D_PROTO, "i: send %s seq=%d ack=%d lch=%d rch=%d len=%zu",
	    ipkt_type_name(type), seq, s->recv_last, lch, rch, len);
	s->recv_acked = s->recv_last;
	p->st.packets_sent++;
	return port_write(p->port, s->frame, n);
}

static long long i_drain_ms(const struct i_state *s);

/* i_note_line - keep the line estimates where the session finds them
 * when the call ends, however it ends */
static void
i_note_line(struct proto *p)
{
	struct i_state *s = p->priv;

	/* a side that sent little keeps what the link was known as */
	p->st.line_rate = ipolicy_line_rate(&s->pol);
	if (p->st.line_rate > 0.0) {
		p->st.line_ber = ipolicy_ber(&s->pol);
	} else {
		p->st.line_ber = p->par.line_ber;
		p->st.line_rate = p->par.line_rate;
	}
}

/* i_resend - send our packet seq again (why: a NAK, or a quiet line) */
static int
i_resend(struct proto *p, int seq, enum ipolicy_why why)
{
	struct i_state *s = p->priv;
	struct i_sent *k = &s->sent[seq];

	if (!k->used)
		return 0;
	if (k->type == IPKT_DATA) {
		ipolicy_resent(&s->pol, now_ms(), k->len, why);
		i_note_line(p);
	}
	p->st.packets_resent++;
	p->st.packets_sent--;
	if (i_write(p, k->type, seq, k->lch, k->rch, k->data, k->len) < 0)
		return -1;
	/* the copy queues behind what is unacknowledged, as the first one
	 * did behind what was before it: until the shorter of the two has
	 * passed, a NAK for it asks for what is already coming (on a slow
	 * line the peer repeats its NAK every second meanwhile) */
	{
		long long wait = i_drain_ms(s);

		if (k->nak_lat > 0 && k->nak_lat < wait)
			wait = k->nak_lat;
		/* a copy that arrives before the peer's next NAK (a fast
		 * line): a NAK after it means that copy was lost too */
		k->again_due = k->nak_lat > 0 && wait >= I_QUICK_MS ?
		    now_ms() + wait + I_NAK_GRACE_MS : 0;
	}
	return 0;
}

/* i_ack_in - the peer has everything through ack */
static void
i_ack_in(struct proto *p, int ack)
{
	struct i_state *s = p->priv;
	int d = ipkt_seq_diff(s->send_acked, ack);

	if (d == 0 || d > i_outstanding(s))
		return;
	while (s->send_acked != ack) {
		s->send_acked = (s->send_acked + 1) % IPKT_SEQMOD;
		if (s->sent[s->send_acked].type == IPKT_DATA)
			ipolicy_acked(&s->pol, now_ms(), s->sent[s->send_acked].len);
		free(s->sent[s->send_acked].data);
		memset(&s->sent[s->send_acked], 0, sizeof(s->sent[0]));
	}
	i_note_line(p);
	s->last_progress = now_ms();
	s->resends_in_row = 0;
}

/* i_enqueue - append an item for the reader; -1 past the memory bound */
static int
i_enqueue(struct proto *p, int key, int kind, long long pos, const void *data, size_t len)
{
	struct i_state *s = p->priv;
	struct i_item *it;

	if (s->qbytes + (long)len > I_QUEUE_MAX) {
		log_warnx("i: more than %ld bytes received ahead of the reader", I_QUEUE_MAX);
		return -1;
	}
	it = calloc(1, sizeof(*it) + len + 1);
	if (!it)
		return -1;
	it->key = key;
	it->kind = kind;
	it->pos = pos;
	it->len = len;
	if (len)
		memcpy(it->data, data, len);
	if (s->qtail)
		s->qtail->next = it;
	else
		s->qhead = it;
	s->qtail = it;
	s->qbytes += (long)len;
	return 0;
}

/* i_unlink - remove item it (with predecessor prev) from the queue */
static void
i_unlink(struct i_state *s, struct i_item *prev, struct i_item *it)
{
	if (prev)
		prev->next = it->next;
	else
		s->qhead = it->next;
	if (s->qtail == it)
		s->qtail = prev;
	s->qbytes -= (long)it->len;
	free(it);
}

/* i_starts_file - whether command cmd arriving on key opens a file */
static int
i_starts_file(int key, const char *cmd)
{
	if (key >= 1 && key <= 7)
		return cmd[0] == 'S' || cmd[0] == 'E';
	if (key >= 8)
		return cmd[0] == 'R' && cmd[1] == 'Y';
	return 0;
}

/* i_command_bytes - gather command bytes on key; a NUL completes one */
static int
i_command_bytes(struct proto *p, int key, const unsigned char *d, size_t len)
{
	struct i_state *s = p->priv;
	struct i_key *k = &s->keys[key];
	const unsigned char *nul = memchr(d, '\0', len);
	size_t n = nul ? (size_t)(nul - d) : len;
	unsigned char *grown;

	if (k->cmdlen + n > I_CMDMAX) {
		log_warnx("i: command longer than %d bytes", I_CMDMAX);
		return -1;
	}
	grown = realloc(k->cmd, k->cmdlen + n + 1);
	if (!grown)
		return -1;
	k->cmd = grown;
	memcpy(k->cmd + k->cmdlen, d, n);
	k->cmdlen += n;
	k->cmd[k->cmdlen] = '\0';
	if (!nul)
		return 0;
	log_debug(LOG_D_PROTO, "i: got command \"%s\" on channel key %d", (char *)k->cmd, key);
	if (i_starts_file(key, (char *)k->cmd)) {
		k->infile = 1;
		k->have_pos = 0;
	}
	if (i_enqueue(p, key, I_IT_CMD, 0, k->cmd, k->cmdlen) < 0)
		return -1;
	k->cmdlen = 0;
	return 0;
}

/* i_data_in - one DATA packet in sequence */
static int
i_data_in(struct proto *p, const struct ipkt_frame *f)
{
	struct i_state *s = p->priv;
	int key = f->h.lchan ? f->h.lchan : f->h.rchan ? 7 + f->h.rchan : 0;
	struct i_key *k = &s->keys[key];
	long long pos = s->recv_pos;

	s->recv_pos += (long long)f->h.len;
	if (!k->infile)
		return f->h.len ? i_command_bytes(p, key, f->data, f->h.len) : 0;
	if (f->h.len == 0)
		k->infile = 0;
	if (k->rstate == I_R_REJECTED) {
		if (f->h.len == 0)
			k->rstate = I_R_NONE;
		return 0;
	}
	return i_enqueue(p, key, f->h.len ? I_IT_DATA : I_IT_EOF, pos, f->data, f->h.len);
}

/* i_deliver - act on one packet received in sequence */
static int
i_deliver(struct proto *p, const struct ipkt_frame *f)
{
	struct i_state *s = p->priv;
	const unsigned char *d = f->data;

	switch (f->h.type) {
	case IPKT_SPOS:
		if (f->h.len < 4)
			return -1;
		s->recv_pos = ((long long)d[0] << 24) | ((long long)d[1] << 16) |
		    ((long long)d[2] << 8) | d[3];
		log_debug(LOG_D_PROTO, "i: got SPOS %lld", s->recv_pos);
		return 0;
	case IPKT_CLOSE:
		log_debug(LOG_D_PROTO, "i: got CLOSE");
		s->closed = 1;
		return 0;
	default:
		return i_data_in(p, f);
	}
}

/* i_keep - copy of a frame's contents (for resending or reordering) */
static int
i_keep(struct i_sent *k, int type, int lch, int rch, const void *data, size_t len)
{
	free(k->data);
	memset(k, 0, sizeof(*k));
	if (len) {
		k->data = malloc(len);
		if (!k->data)
			return -1;
		memcpy(k->data, data, len);
	}
	k->len = len;
	k->type = type;
	k->lch = lch;
	k->rch = rch;
	k->used = 1;
	return 0;
}

/* i_nak - ask for packet seq again (at most once a second) */
static int
i_nak(struct proto *p, int seq)
{
	struct i_state *s = p->priv;
	long long now = now_ms();

	if (s->nak_ms[seq] && now - s->nak_ms[seq] < I_QUICK_MS)
		return 0;
	s->nak_ms[seq] = now;
	p->st.rejects_sent++;
	return i_write(p, IPKT_NAK, seq, 0, 0, NULL, 0);
}

/* i_sequenced - a DATA, SPOS or CLOSE packet: in order, early or old */
static int
i_sequenced(struct proto *p, const struct ipkt_frame *f)
{
	struct i_state *s = p->priv;
	int d = ipkt_seq_diff(s->recv_last, f->h.seq), q;

	if (d == 0 || d > I_WINDOW)
		return i_write(p, IPKT_ACK, 0, 0, 0, NULL, 0);	/* a duplicate */
	if (d > 1) {
		for (q = (s->recv_last + 1) % IPKT_SEQMOD; q != f->h.seq; q = (q + 1) % IPKT_SEQMOD)
			if (!s->ooo[q].used && i_nak(p, q) < 0)
				return -1;
		return i_keep(&s->ooo[f->h.seq], f->h.type, f->h.lchan, f->h.rchan, f->data,
		    f->h.len);
	}
	if (i_deliver(p, f) < 0)
		return -1;
	s->errors = 0;
	s->recv_last = f->h.seq;
	s->nak_ms[f->h.seq] = 0;
	for (q = (s->recv_last + 1) % IPKT_SEQMOD; s->ooo[q].used; q = (q + 1) % IPKT_SEQMOD) {
		struct ipkt_frame g;
		struct i_sent *k = &s->ooo[q];
		int r;

		memset(&g, 0, sizeof(g));
		g.h.seq = q;
		g.h.type = k->type;
		g.h.lchan = k->lch;
		g.h.rchan = k->rch;
		g.h.len = k->len;
		g.data = k->data;
		r = i_deliver(p, &g);
		free(k->data);
		memset(k, 0, sizeof(*k));
		if (r < 0)
			return -1;
		s->recv_last = q;
		s->nak_ms[q] = 0;
	}
	if (ipkt_seq_diff(s->recv_acked, s->recv_last) >= I_WINDOW / 2)
		return i_write(p, IPKT_ACK, 0, 0, 0, NULL, 0);
	return 0;
}

/* i_sync_send - our SYNC: what the peer may send us */
static int
i_sync_send(struct proto *p)
{
	struct ipkt_sync y = { I_PACKSIZE, I_WINDOW, I_CHANNELS };
	unsigned char d[4];

	ipkt_sync_format(&y, d);
	log_debug(LOG_D_PROTO, "i: sending SYNC packsize %d window %d channels %d", y.packsize,
	    y.window, y.channels);
	return i_write(p, IPKT_SYNC, 0, 0, 0, d, sizeof(d));
}

/* i_sync_in - the peer's SYNC: what we may send with.  One arriving after
 * we started, before the peer sent anything else, says it never got ours
 * (a bit error): send ours again, or it waits for it until it gives up. */
static int
i_sync_in(struct proto *p, const struct ipkt_frame *f)
{
	struct i_state *s = p->priv;
	struct ipkt_sync y;

	if (s->started && !s->peer_started) {
		log_debug(LOG_D_PROTO, "i: the peer sends SYNC again: ours was lost");
		return i_sync_send(p);
	}
	if (s->started || ipkt_sync_parse(f->data, f->h.len, &y) < 0)
		return 0;
	s->send_packsize = y.packsize;
	s->send_window = y.window > I_WINDOW ? I_WINDOW : y.window;
	s->send_chans = y.channels ? y.channels : 1;
	s->started = 1;
	log_debug(LOG_D_PROTO, "i: got SYNC packsize %d window %d channels %d", y.packsize,
	    y.window, y.channels);
	return 0;
}

/* i_frame - one valid frame from the line */
static int
i_frame(struct proto *p, const struct ipkt_frame *f)
{
	struct i_state *s = p->priv;

	if (f->h.caller == (p->caller ? 1 : 0))
		return 0;	/* our own packet echoed */
	p->st.packets_received++;
	log_debug(LOG_D_PROTO, "i: got %s seq=%d ack=%d lch=%d rch=%d len=%zu",
	    ipkt_type_name(f->h.type), f->h.seq, f->h.ack, f->h.lchan, f->h.rchan, f->h.len);
	if (f->h.type == IPKT_SYNC) {
		return i_sync_in(p, f);
	}
	if (!s->started)
		return 0;
	s->peer_started = 1;
	i_ack_in(p, f->h.ack);
	switch (f->h.type) {
	case IPKT_ACK:
		return 0;
	case IPKT_NAK: {
		struct i_sent *k = &s->sent[f->h.seq];

		p->st.rejects_received++;
		if (ipkt_seq_diff(s->send_acked, f->h.seq) < 1 ||
		    ipkt_seq_diff(s->send_acked, f->h.seq) > i_outstanding(s))
			return 0;
		if (k->nak_lat == 0 && k->sent_ms > 0)
			k->nak_lat = now_ms() - k->sent_ms + 1;
		if (k->again_due && now_ms() < k->again_due) {
			log_debug(LOG_D_PROTO, "i: NAK %d: the copy sent again is still on the line",
			    f->h.seq);
			return 0;
		}
		return i_resend(p, f->h.seq, IPOLICY_NAK);
	}
	default:
		return i_sequenced(p, f);
	}
}

/* i_bad - a frame with a good header and bad data: ask for it again */
static int
i_bad(struct proto *p, const struct ipkt_frame *f)
{
	struct i_state *s = p->priv;
	int d = ipkt_seq_diff(s->recv_last, f->h.seq);

	p->st.checksum_errors++;
	if (!s->started || f->h.caller == (p->caller ? 1 : 0))
		return 0;
	if (f->h.type != IPKT_DATA && f->h.type != IPKT_SPOS && f->h.type != IPKT_CLOSE)
		return 0;
	if (d >= 1 && d <= I_WINDOW && !s->ooo[f->h.seq].used) {
		s->nak_ms[f->h.seq] = 0;
		return i_nak(p, f->h.seq);
	}
	return 0;
}

/* i_process - every frame now in the read buffer */
static int
i_process(struct proto *p)
{
	struct i_state *s = p->priv;
	struct ipkt_frame f;
	size_t used;
	int r = 0;

	while (s->rlen > 0 && r == 0) {
		enum ipkt_scan_result k = ipkt_scan(s->rbuf, s->rlen, IPKT_MAXDATA, &f, &used);

		if (k == IPKT_FRAME)
			r = i_frame(p, &f);
		else if (k == IPKT_BADCRC)
			r = i_bad(p, &f);
		else if (k == IPKT_BADHDR)
			p->st.header_errors++;
		if (k == IPKT_BADCRC || k == IPKT_BADHDR)
			s->errors++;
		if (s->errors > (p->par.errors_max > 0 ? p->par.errors_max : 100)) {
			log_warnx("i: %d errors on the line without a good packet", s->errors);
			r = -1;
		}
		memmove(s->rbuf, s->rbuf + used, s->rlen - used);
		s->rlen -= used;
		if (k == IPKT_NEED)
			break;
	}
	return r;
}

/* i_gap - whether packets after a missing one are waiting */
static int
i_gap(const struct i_state *s)
{
	int i;

	for (i = 0; i < IPKT_SEQMOD; i++)
		if (s->ooo[i].used)
			return 1;
	return 0;
}

/* i_drain_ms - how long the line needs to carry what we sent and is not
 * acknowledged, at the measured rate (0 while unknown): the peer acks at
 * half a window, so on a slow line a full window takes seconds to answer */
static long long
i_drain_ms(const struct i_state *s)
{
	double rate = ipolicy_rate(&s->pol), bytes = 0;
	int q;

	if (rate <= 0)
		return 0;
	for (q = (s->send_acked + 1) % IPKT_SEQMOD; q != s->send_seq; q = (q + 1) % IPKT_SEQMOD)
		bytes += (double)s->sent[q].len + IPKT_HDRLEN + IPKT_CRCLEN;
	return (long long)(bytes * 1000.0 / rate);
}

/* i_idle - the line was quiet for a while: ACK what we hold, ask again
 * for a missing packet, resend our oldest unacked one (quickly when the
 * line has been silent, counted as a timeout after the full timeout) */
static int
i_idle(struct proto *p, long long now)
{
	struct i_state *s = p->priv;
	long long drain = i_drain_ms(s), to = i_timeout_ms(p) + drain;
	long long quiet = ipolicy_quiet_ms(&s->pol, s->send_packsize) + drain;

	if (s->recv_last != s->recv_acked && now - s->last_input >= I_ACK_DELAY_MS &&
	    i_write(p, IPKT_ACK, 0, 0, 0, NULL, 0) < 0)
		return -1;
	if (i_gap(s) && now - s->last_input >= I_QUICK_MS / 2 &&
	    i_nak(p, (s->recv_last + 1) % IPKT_SEQMOD) < 0)
		return -1;
	if (i_outstanding(s) == 0)
		return 0;
	if (now >= s->last_progress + to) {
		p->st.timeouts++;
		if (++s->resends_in_row > i_retries(p)) {
			log_warnx("i: no acknowledgement after %d tries", i_retries(p));
			return -1;
		}
		s->last_progress = now;
		return i_resend(p, (s->send_acked + 1) % IPKT_SEQMOD, IPOLICY_TIMEOUT);
	}
	if (now - s->last_input >= quiet - drain && now - s->last_progress >= quiet &&
	    now - s->last_quick >= quiet) {
		s->last_quick = now;
		return i_resend(p, (s->send_acked + 1) % IPKT_SEQMOD, IPOLICY_TIMEOUT);
	}
	return 0;
}

/* i_step_max - wait a little (at most max_ms) for input and handle it,
 * keeping the timers (i_idle) and the limit on silence; 0 or -1 */
static int
i_step_max(struct proto *p, long long max_ms)
{
	struct i_state *s = p->priv;
	long long now = now_ms(), to = i_timeout_ms(p) + i_drain_ms(s);
	long long wait = s->recv_last != s->recv_acked ? I_ACK_DELAY_MS :
	    i_gap(s) ? I_QUICK_MS / 2 : I_QUICK_MS;
	ssize_t n;

	if (i_outstanding(s) > 0 && s->last_progress + to - now < wait)
		wait = s->last_progress + to - now;
	if (wait > max_ms)
		wait = max_ms;
	if (wait < 0)
		wait = 0;
	n = port_read(p->port, s->rbuf + s->rlen, sizeof(s->rbuf) - s->rlen, (int)wait);
	if (n < 0) {
		log_warnx("i: line closed");
		return -1;
	}
	now = now_ms();
	if (n > 0) {
		s->rlen += (size_t)n;
		s->last_input = now;
		return i_process(p);
	}
	if (i_idle(p, now) < 0)
		return -1;
	if (i_outstanding(s) == 0 && now - s->last_input > to * i_retries(p) && now - s->last_input > 120000) {
		p->st.timeouts++;
		log_warnx("i: the peer has been silent too long");
		return -1;
	}
	return 0;
}

/* i_step - i_step_max with the protocol's own waits */
static int
i_step(struct proto *p)
{
	return i_step_max(p, I_QUICK_MS);
}

/* i_send_seq - send one sequenced packet once the window allows */
static int
i_send_seq(struct proto *p, int type, int lch, int rch, const void *data, size_t len)
{
	struct i_state *s = p->priv;
	int seq;

	while (i_outstanding(s) >= s->send_window) {
		if (s->closed) {
			log_warnx("i: the peer closed the protocol");
			return -1;
		}
		if (i_step(p) < 0)
			return -1;
	}
	seq = s->send_seq;
	if (i_keep(&s->sent[seq], type, lch, rch, data, len) < 0)
		return -1;
	s->sent[seq].sent_ms = now_ms();
	if (type == IPKT_DATA) {
		s->send_gpos += (long long)len;	/* commands move it too */
		ipolicy_sent(&s->pol, now_ms(), len);
	}
	if (i_outstanding(s) == 0)
		s->last_progress = now_ms();
	s->send_seq = (s->send_seq + 1) % IPKT_SEQMOD;
	return i_write(p, type, seq, lch, rch, data, len);
}

/* i_send_split - len bytes as DATA packets of the size we send with */
static int
i_send_split(struct proto *p, int lch, int rch, const void *buf, size_t len)
{
	struct i_state *s = p->priv;
	const unsigned char *b = buf;
	size_t o, n;

	for (o = 0; o < len; o += n) {
		size_t size = (size_t)ipolicy_packsize(&s->pol, s->send_packsize);

		n = len - o < size ? len - o : size;
		if (i_send_seq(p, IPKT_DATA, lch, rch, b + o, n) < 0)
			return -1;
	}
	return 0;
}

/* i_start - exchange SYNC packets */
static int
i_start(struct proto *p)
{
	struct i_state *s = p->priv;
	int tries = 0;
	long long sent;

	for (;;) {
		if (i_sync_send(p) < 0)
			return -1;
		sent = now_ms();
		while (!s->started && now_ms() - sent < i_timeout_ms(p))
			if (i_step(p) < 0)
				return -1;
		if (s->started)
			break;
		p->st.timeouts++;
		if (++tries > i_retries(p)) {
			log_warnx("i: no SYNC from the peer");
			return -1;
		}
	}
	p->st.send_packsize = s->send_packsize;
	p->st.send_window = s->send_window;
	p->st.recv_packsize = I_PACKSIZE;
	p->st.recv_window = I_WINDOW;
	if (p->par.line_rate > 0.0)
		log_info("i: starting from the last call's line (bit-error rate %.1e, %.0f bytes/s): "
		    "data packets of %d bytes", p->par.line_ber, p->par.line_rate,
		    ipolicy_packsize(&s->pol, s->send_packsize));
	return 0;
}

/* i_is_reply - whether cmd answers a command of the peer's */
static int
i_is_reply(const char *cmd)
{
	return cmd[0] && strchr("SRXECH", cmd[0]) && (cmd[1] == 'Y' || cmd[1] == 'N');
}

/* i_expect_from - our SY names where the file is to start (a restart's
 * offset, else 0): data the sender streamed from elsewhere before it saw
 * the SY is skipped, a gap is an error */
static void
i_expect_from(struct i_key *k, const char *rest)
{
	char *end;
	long long off = strtoll(rest, &end, 0);

	k->next_pos = off > 0 ? off : 0;
	k->have_pos = 1;
}

/* i_sendcmd - a command, NUL-terminated, on the right channel */
static int
i_sendcmd(struct proto *p, const char *cmd)
{
	struct i_state *s = p->priv;
	size_t len = strlen(cmd) + 1;
	int lch = 0, rch = 0, key = s->last_cmd_key;

	s->want_key = -1;
	if (strncmp(cmd, "ZCRC32 ", 7) == 0) {
		lch = s->cur_lch;
		rch = s->cur_rch;
		s->want_key = lch ? 7 + lch : rch;
	} else if (i_is_reply(cmd)) {
		if (cmd[0] != 'H' && key >= 1 && key <= 7)
			rch = key;
		else if (cmd[0] != 'H' && key >= 8)
			lch = key - 7;
		if ((cmd[0] == 'S' || cmd[0] == 'E') && cmd[1] == 'Y' && rch)
			i_expect_from(&s->keys[rch], cmd + 2);
		if (cmd[0] == 'R' && cmd[1] == 'Y') {
			s->cur_lch = lch;
			s->cur_rch = rch;
			s->need_spos = 1;
		}
	} else if (cmd[0] == 'H') {
		s->want_key = 0;
	} else {
		lch = s->next_chan;
		s->next_chan = s->next_chan % s->send_chans + 1;
		s->last_new_lch = lch;
		s->last_new_kind = cmd[0];
		s->want_key = 7 + lch;
		if (cmd[0] == 'S' || cmd[0] == 'E') {
			s->cur_lch = lch;
			s->cur_rch = 0;
			s->need_spos = 1;
		}
	}
	log_debug(LOG_D_PROTO, "i: sending command \"%s\" (lch=%d rch=%d)", cmd, lch, rch);
	return i_send_split(p, lch, rch, cmd, len);
}

/* i_drop_rejected - a file whose command was taken but not read: the
 * session refused it; forget what came of it and what will come */
static void
i_drop_rejected(struct i_state *s)
{
	struct i_item *it, *prev = NULL, *next;
	int key;

	for (key = 1; key < I_NKEYS; key++) {
		if (s->keys[key].rstate != I_R_READING)
			continue;
		for (prev = NULL, it = s->qhead; it; it = next) {
			next = it->next;
			if (it->key == key && it->kind != I_IT_CMD)
				i_unlink(s, prev, it);
			else
				prev = it;
		}
		s->keys[key].rstate = s->keys[key].infile ? I_R_REJECTED : I_R_NONE;
		log_debug(LOG_D_PROTO, "i: dropping the refused file on channel key %d", key);
	}
}

/* i_find_cmd - the oldest command on key (any key when -1), and the
 * item before it in *prev */
static struct i_item *
i_find_cmd(struct i_state *s, int key, struct i_item **prev)
{
	struct i_item *it;

	*prev = NULL;
	if (key < -1)
		return NULL;
	for (it = s->qhead; it; it = it->next) {
		if (it->kind == I_IT_CMD && (key < 0 || it->key == key))
			return it;
		*prev = it;
	}
	return NULL;
}

/* i_getcmd - the next command: the reply we wait for (on the channel of
 * what we sent last), else the oldest from any channel */
static int
i_getcmd(struct proto *p, char *buf, size_t len)
{
	struct i_state *s = p->priv;
	struct i_item *it, *prev;

	if (len == 0)
		return -1;
	i_drop_rejected(s);
	for (;;) {
		it = i_find_cmd(s, s->want_key >= 0 ? s->want_key : s->soft_key, &prev);
		if (!it && s->want_key < 0)
			it = i_find_cmd(s, -1, &prev);
		if (it)
			break;
		if (s->closed) {
			log_warnx("i: the peer closed the protocol");
			return -1;
		}
		if (i_step(p) < 0)
			return -1;
	}
	str_copy(buf, (const char *)it->data, len);
	s->last_cmd_key = it->key;
	s->want_key = s->soft_key = -1;
	if (i_starts_file(it->key, buf)) {
		s->rd_key = it->key;
		s->keys[it->key].rstate = I_R_READING;
	}
	i_unlink(s, prev, it);
	/* A refused send: end our channel as the protocol wants. */
	if (s->last_cmd_key == 7 + s->last_new_lch && s->last_new_kind != 0 &&
	    strchr("SE", s->last_new_kind) && buf[0] == s->last_new_kind && buf[1] == 'N') {
		if (i_send_seq(p, IPKT_DATA, s->last_new_lch, 0, NULL, 0) < 0)
			return -1;
	}
	return 0;
}

/* i_take - bytes from the data item it for the reader of key k */
static ssize_t
i_take(struct i_state *s, struct i_key *k, struct i_item *prev, struct i_item *it, void *buf,
    size_t len)
{
	long long pos = it->pos + (long long)it->off;
	size_t n;

	if (!k->have_pos) {
		k->next_pos = pos;
		k->have_pos = 1;
	}
	if (pos > k->next_pos) {
		log_warnx("i: file data at %lld, expected %lld", pos, k->next_pos);
		return -1;
	}
	if (pos < k->next_pos) {	/* data we already have */
		size_t skip = (size_t)(k->next_pos - pos);
		it->off = skip > it->len - it->off ? it->len : it->off + skip;
	}
	n = it->len - it->off;
	if (n > len)
		n = len;
	memcpy(buf, it->data + it->off, n);
	it->off += n;
	k->next_pos += (long long)n;
	if (it->off >= it->len)
		i_unlink(s, prev, it);
	return (ssize_t)n;
}

/* i_getdata - the next bytes of the file being received */
static ssize_t
i_getdata(struct proto *p, void *buf, size_t len)
{
	struct i_state *s = p->priv;
	struct i_key *k;
	struct i_item *it, *prev;

	if (s->rd_key <= 0 || s->keys[s->rd_key].rstate != I_R_READING)
		return -1;
	k = &s->keys[s->rd_key];
	for (;;) {
		for (prev = NULL, it = s->qhead; it && (it->key != s->rd_key || it->kind == I_IT_CMD);
		    it = it->next)
			prev = it;
		if (it && it->kind == I_IT_EOF) {
			i_unlink(s, prev, it);
			k->rstate = I_R_NONE;
			s->soft_key = s->rd_key;	/* a Brigade sender's ZCRC32 */
			return 0;
		}
		if (it) {
			ssize_t n = i_take(s, k, prev, it, buf, len);

			if (n != 0)
				return n;
			continue;
		}
		if (s->closed) {
			log_warnx("i: the peer closed the protocol in mid-file");
			return -1;
		}
		if (i_step(p) < 0)
			return -1;
	}
}

/* i_spos - tell the receiver where the next data belongs */
static int
i_spos(struct proto *p, long long pos)
{
	struct i_state *s = p->priv;
	unsigned char d[4] = { (unsigned char)(pos >> 24), (unsigned char)(pos >> 16),
		(unsigned char)(pos >> 8), (unsigned char)pos };

	if (i_send_seq(p, IPKT_SPOS, 0, 0, d, sizeof(d)) < 0)
		return -1;
	s->send_gpos = pos;
	return 0;
}

/* i_senddata - file data in packets of the peer's size; len 0 ends it */
static int
i_senddata(struct proto *p, const void *buf, size_t len)
{
	struct i_state *s = p->priv;

	if (s->need_spos) {
		s->need_spos = 0;
		if (i_spos(p, p->send_pos > 0 ? p->send_pos : 0) < 0)
			return -1;
	}
	if (len == 0) {
		s->want_key = s->cur_lch ? 7 + s->cur_lch : s->cur_rch;
		return i_send_seq(p, IPKT_DATA, s->cur_lch, s->cur_rch, NULL, 0);
	}
	return i_send_split(p, s->cur_lch, s->cur_rch, buf, len);
}

/* i_shutdown - send CLOSE; the session's own H/HY has already agreed */
static int
i_shutdown(struct proto *p)
{
	struct i_state *s = p->priv;
	int seq = s->send_seq;

	if (!s->started)
		return 0;
	s->send_seq = (s->send_seq + 1) % IPKT_SEQMOD;
	log_debug(LOG_D_PROTO, "i: packets sent=%lu resent=%lu received=%lu", p->st.packets_sent,
	    p->st.packets_resent, p->st.packets_received);
	log_info("i: data packets of %d bytes at the end (the peer allows %d; estimated bit-error "
	    "rate %.1e, line %.0f bytes/s)", ipolicy_packsize(&s->pol, s->send_packsize),
	    s->send_packsize, ipolicy_ber(&s->pol), ipolicy_rate(&s->pol));
	return i_write(p, IPKT_CLOSE, seq, 0, 0, NULL, 0) < 0 ? -1 : 0;
}

/* i_free - release the state */
static void
i_free(struct proto *p)
{
	struct i_state *s;
	struct i_item *it, *next;
	int i;

	if (!p)
		return;
	s = p->priv;
	if (s) {
		for (it = s->qhead; it; it = next) {
			next = it->next;
			free(it);
		}
		free(s->held);
		for (i = 0; i < IPKT_SEQMOD; i++) {
			free(s->sent[i].data);
			free(s->ooo[i].data);
		}
		for (i = 0; i < I_NKEYS; i++)
			free(s->keys[i].cmd);
		free(s);
	}
	free(p);
}

/* i_key_chans - the local and remote channel numbers of a key */
static void
i_key_chans(int key, int *lch, int *rch)
{
	*lch = key > PROTO_KEY_OURS ? key - PROTO_KEY_OURS : 0;
	*rch = key >= 1 && key <= PROTO_KEY_OURS ? key : 0;
}

/* i_next - hand the engine the oldest item that arrived (channel engine) */
static int
i_next(struct proto *p, struct proto_ev *ev, int wait_ms)
{
	struct i_state *s = p->priv;
	long long until = now_ms() + (wait_ms > 0 ? wait_ms : 0);
	struct i_item *it;
	int polled = 0, acked = s->send_acked;

	free(s->held);
	s->held = NULL;
	for (;;) {
		it = s->qhead;
		if (it) {
			s->qhead = it->next;
			if (s->qtail == it)
				s->qtail = NULL;
			s->qbytes -= (long)it->len;
			s->held = it;
			ev->kind = it->kind == I_IT_CMD ? PROTO_EV_CMD :
			    it->kind == I_IT_DATA ? PROTO_EV_DATA : PROTO_EV_EOF;
			ev->key = it->key;
			ev->pos = it->pos;
			ev->len = it->len;
			ev->data = it->data;
			return 1;
		}
		if (s->closed) {
			log_warnx("i: the peer closed the protocol");
			return -1;
		}
		/* back to the engine when the time is up or the window opened */
		if (polled && (now_ms() >= until || s->send_acked != acked))
			return 0;
		polled = 1;
		acked = s->send_acked;
		if (i_step_max(p, until - now_ms()) < 0)
			return -1;
	}
}

/* i_chan_cmd - a command or reply on key, NUL-terminated (channel engine) */
static int
i_chan_cmd(struct proto *p, int key, const char *cmd)
{
	size_t len = strlen(cmd) + 1;
	int lch, rch;

	i_key_chans(key, &lch, &rch);
	log_debug(LOG_D_PROTO, "i: sending command \"%s\" (lch=%d rch=%d)", cmd, lch, rch);
	return i_send_split(p, lch, rch, cmd, len);
}

/* i_chan_data - file data at pos on key; an SPOS first whenever the
 * receiver's position would be wrong (another file or a command came
 * between) or a new file starts (channel engine) */
static int
i_chan_data(struct proto *p, int key, long long pos, const void *buf, size_t len)
{
	struct i_state *s = p->priv;
	int lch, rch;

	i_key_chans(key, &lch, &rch);
	if (len == 0) {
		s->last_data_key = -1;
		return i_send_seq(p, IPKT_DATA, lch, rch, NULL, 0);
	}
	if ((s->last_data_key != key || s->send_gpos != pos) && i_spos(p, pos) < 0)
		return -1;
	s->last_data_key = key;
	return i_send_split(p, lch, rch, buf, len);
}

/* i_chan_room - bytes the window lets out now (channel engine) */
static size_t
i_chan_room(struct proto *p)
{
	struct i_state *s = p->priv;
	int free_slots = s->send_window - i_outstanding(s);

	return free_slots > 0 ?
	    (size_t)free_slots * (size_t)ipolicy_packsize(&s->pol, s->send_packsize) : 0;
}

/* i_chan_count - channels of ours the peer allows */
static int
i_chan_count(struct proto *p)
{
	struct i_state *s = p->priv;

	return s->send_chans < 1 ? 1 : s->send_chans > I_CHANNELS ? I_CHANNELS : s->send_chans;
}

static const struct proto_ops i_ops = {
	.name = 'i', .start = i_start, .sendcmd = i_sendcmd, .getcmd = i_getcmd,
	.senddata = i_senddata, .getdata = i_getdata, .shutdown = i_shutdown, .free = i_free,
	.next = i_next, .chan_cmd = i_chan_cmd, .chan_data = i_chan_data,
	.chan_room = i_chan_room, .chan_count = i_chan_count,
};

/* proto_i_new - the i protocol over port */
struct proto *
proto_i_new(struct port *port, const struct proto_params *par, int caller)
{
	struct proto *p = calloc(1, sizeof(*p));
	struct i_state *s = calloc(1, sizeof(*s));

	if (!p || !s) {
		free(p);
		free(s);
		return NULL;
	}
	p->ops = &i_ops;
	p->port = port;
	p->caller = caller;
	p->par = *par;
	p->send_size = -1;
	p->priv = s;
	s->send_seq = 1;
	s->send_window = 1;
	s->send_packsize = 64;
	s->send_chans = 1;
	s->next_chan = 1;
	s->last_data_key = -1;
	ipolicy_init(&s->pol);
	ipolicy_prime(&s->pol, par->line_ber, par->line_rate);
	i_note_line(p);
	s->want_key = s->soft_key = -2;
	s->last_input = now_ms();
	s->last_progress = now_ms();
	(void)errno;
	return p;
}
