/*
 * duplex.c - the channel engine: the command phase of a call over a
 * protocol with channels (i), with many commands and files in flight in
 * both directions at once.
 *
 * Each key (proto.h) is one slot.  Our commands go out on our channels
 * as soon as one is free (S, E, R, X; up to the peer's channel count),
 * whatever our role: the slave sends its work too, as Taylor UUCP does.
 * The data of our files streams right after their commands without
 * waiting for SY, the file with the fewest bytes left first (a mail does
 * not wait behind a long file; each switch costs an SPOS).  A restart
 * offset in the SY moves the stream forward, a part list in it (a
 * Brigade peer that kept a rejected copy) turns the stream into those
 * parts at positions from the file's size on, so the end mark of a file
 * with parts waits for its SY; an SN ends it with an empty data packet;
 * the CY comes later and only then is the command done.  The peer's
 * commands are answered on their channel as they arrive; their file data
 * goes to the right temporary file by key and position.  The master sends
 * H only when nothing is in flight either way and no work is left; the
 * slave answers HN while it has any, and the roles switch.
 *
 * Trust: what the peer sends goes through the same checks as in the
 * command loop (xfer.c); data on a channel with no file, or a command on a
 * busy one, is an error; the protocol bounds what it queues.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "uucico/xfer.h"

#define DX_CHUNK (64 * 1024)	/* at most one send window */
#define DX_WAIT_MS 250		/* how long to wait for input when idle */
#define DX_FINAL_MS 5000	/* for the master's last HY */
#define DX_REPLY 256

enum dx_state {
	DX_FREE,
	DX_SEND,		/* our S/E: data streams, SY then CY awaited */
	DX_FETCH,		/* our R: the RY awaited */
	DX_FETCHING,		/* our R: its data arriving */
	DX_FETCH_CRC,		/* our R: its ZCRC32 awaited */
	DX_UUCP,		/* our X: XY/XN awaited */
	DX_TAKE,		/* the peer's S/E: its data arriving */
	DX_TAKE_CRC,		/* the peer's S/E: its ZCRC32 awaited */
	DX_DROP,		/* the peer's refused S/E: data skipped to its end */
	DX_GIVE			/* the peer's R: our data, then its CY */
};

struct dx_slot {
	int state;		/* enum dx_state */
	struct spool_job *job;	/* ours: the command's job and index */
	size_t k;
	int tries;		/* end-to-end re-sends so far */
	long long from;		/* the bytes the try before had to send, or -1 */
	struct xfer_in *in;
	struct xfer_out *out;
	int started;		/* SY seen */
	int data_done;		/* our end-of-file went out */
	int refused;		/* SN seen: ends once our end-of-file is out */
	int parked;		/* all sent before the SY: the end mark waits for it */
	int result;		/* the refusal's XFER_DONE or XFER_LATER */
};

struct dx_work {
	struct spool_job *job;
	size_t k;
	int tries;
	long long from;		/* the bytes the try before had to send, or -1 */
};

struct dx_list {
	struct spool_job *jobs;
	size_t n;
};

struct dx {
	struct session *s;
	struct proto *p;
	struct dx_slot slot[PROTO_NKEYS];
	int stream[PROTO_NKEYS];	/* keys with data to send, oldest first */
	int nstream;
	struct dx_work *work;	/* our commands not started yet */
	size_t nwork, awork, wpos;
	struct dx_list *lists;	/* spool listings the work points into */
	size_t nlists;
	int may_send, master, h_sent, hy_sent, done;
	int most_ours, most_theirs, most_both;	/* in flight at once, for the log */
	unsigned char *buf;
};

/* dx_ours - whether key is one of our channels */
static int
dx_ours(int key)
{
	return key > PROTO_KEY_OURS;
}

/* dx_cmd - send a command or reply on key */
static int
dx_cmd(struct dx *d, int key, const char *cmd)
{
	log_debug(LOG_D_XFER, "sys=%s: key %d: \"%s\"", d->s->remote, key, cmd);
	if (d->p->ops->chan_cmd(d->p, key, cmd) < 0)
		return xfer_fail(d->s, "line failed sending a command");
	return 0;
}

/* dx_work_add - queue one of our commands */
static int
dx_work_add(struct dx *d, struct spool_job *job, size_t k, int tries, long long from)
{
	if (d->nwork == d->awork) {
		size_t n = d->awork ? d->awork * 2 : 64;
		struct dx_work *w = realloc(d->work, n * sizeof(*w));
		if (!w)
			return xfer_fail(d->s, "out of memory");
		d->work = w;
		d->awork = n;
	}
	d->work[d->nwork].job = job;
	d->work[d->nwork].k = k;
	d->work[d->nwork].from = from;
	d->work[d->nwork++].tries = tries;
	return 0;
}

/* dx_refill - list the spool for work not tried in this call; only while
 * none of ours is in flight, so no two copies of a job are ever live */
static int
dx_refill(struct dx *d)
{
	struct dx_list *l;
	size_t i, k, before = d->nwork;

	if (!d->may_send || d->wpos < d->nwork)
		return 0;
	l = realloc(d->lists, (d->nlists + 1) * sizeof(*l));
	if (!l)
		return xfer_fail(d->s, "out of memory");
	d->lists = l;
	l = &d->lists[d->nlists];
	if (spool_list(d->s->sp, d->s->remote, &l->jobs, &l->n) < 0)
		return xfer_fail(d->s, "cannot read the spool");
	d->nlists++;
	for (i = 0; i < l->n; i++) {
		if (!xfer_grade_ok(d->s, l->jobs[i].grade))
			continue;
		for (k = 0; k < l->jobs[i].ncmd; k++)
			if (!l->jobs[i].cmd[k].done && !xfer_was_tried(d->s, &l->jobs[i], k) &&
			    dx_work_add(d, &l->jobs[i], k, 0, -1) < 0)
				return -1;
	}
	return d->nwork > before;
}

/* dx_settle - what became of one of our commands; a re-send that had
 * fewer bytes to send than the try before (a later restart offset, fewer
 * parts asked for again) does not count (xfer.c's xfer_master_one) */
static void
dx_settle(struct dx *d, struct dx_slot *sl, int result)
{
	struct session *s = d->s;
	long long left = sl->out ? sl->out->end - sl->out->start : -1;

	if (result == XFER_RETRY) {
		s->files_resent++;
		if (sl->from >= 0 && left >= 0 && left < sl->from)
			dx_work_add(d, sl->job, sl->k, sl->tries, left);
		else if (sl->tries + 1 > XFER_CRC_RETRIES)
			log_warnx("sys=%s job=%s: still failing the end-to-end check: kept for the "
			    "next call", s->remote, sl->job->id);
		else
			dx_work_add(d, sl->job, sl->k, sl->tries + 1,
			    sl->from < 0 ? left : sl->from);
	} else if (result == XFER_DONE && spool_cmd_done(s->sp, sl->job, sl->k) < 0) {
		log_warn("sys=%s job=%s: cannot mark command done", s->remote, sl->job->id);
	}
}

/* dx_unstream - key has no more data to send */
static void
dx_unstream(struct dx *d, int key)
{
	int i;

	for (i = 0; i < d->nstream; i++)
		if (d->stream[i] == key) {
			memmove(&d->stream[i], &d->stream[i + 1],
			    (size_t)(d->nstream - i - 1) * sizeof(d->stream[0]));
			d->nstream--;
			return;
		}
}

/* dx_free - the slot's business is over */
static void
dx_free(struct dx *d, struct dx_slot *sl)
{
	dx_unstream(d, (int)(sl - d->slot));
	if (sl->out)
		xfer_out_close(sl->out);
	free(sl->in);
	free(sl->out);
	memset(sl, 0, sizeof(*sl));
}

/* dx_finish - one of our commands is over with result */
static void
dx_finish(struct dx *d, struct dx_slot *sl, int result)
{
	if (sl->job)
		dx_settle(d, sl, result);
	dx_free(d, sl);
}

/* dx_free_key - a free channel of ours, or -1 */
static int
dx_free_key(struct dx *d)
{
	int c, n = d->p->ops->chan_count(d->p);

	for (c = 1; c <= n; c++)
		if (d->slot[PROTO_KEY_OURS + c].state == DX_FREE)
			return PROTO_KEY_OURS + c;
	return -1;
}

/* dx_start_one - put one of our commands on channel key: 1 started, 0
 * settled at once (nothing to send), -1 */
static int
dx_start_one(struct dx *d, int key, struct dx_work *w)
{
	struct dx_slot *sl = &d->slot[key];
	char line[8192];
	int r;

	sl->job = w->job;
	sl->k = w->k;
	sl->tries = w->tries;
	sl->from = w->from;
	switch (w->job->cmd[w->k].kind) {
	case 'S':
	case 'E':
		if (!(sl->out = malloc(sizeof(*sl->out))))
			return xfer_fail(d->s, "out of memory");
		r = xfer_out_job(d->s, w->job, w->k, sl->out, line, sizeof(line));
		sl->state = DX_SEND;
		break;
	case 'R':
		if (!(sl->in = malloc(sizeof(*sl->in))))
			return xfer_fail(d->s, "out of memory");
		r = xfer_in_request(d->s, w->job, w->k, sl->in, line, sizeof(line));
		sl->state = DX_FETCH;
		break;
	case 'X':
		r = xfer_uucp_request(d->s, w->job, w->k, line, sizeof(line));
		sl->state = DX_UUCP;
		break;
	default:
		log_warnx("sys=%s job=%s: unknown command kind %c: dropping", d->s->remote,
		    w->job->id, w->job->cmd[w->k].kind);
		r = XFER_DONE;
		break;
	}
	if (r != XFER_GO) {
		dx_finish(d, sl, r);
		return 0;
	}
	if (dx_cmd(d, key, line) < 0)
		return -1;
	if (sl->state == DX_SEND)
		d->stream[d->nstream++] = key;
	return 1;
}

/* dx_start - our commands into free channels */
static int
dx_start(struct dx *d)
{
	int key;

	while (d->may_send && !d->h_sent && d->wpos < d->nwork && (key = dx_free_key(d)) >= 0) {
		struct dx_work w = d->work[d->wpos++];

		if (w.tries == 0)
			xfer_mark_tried(d->s, w.job, w.k);
		if (dx_start_one(d, key, &w) < 0)
			return -1;
	}
	return 0;
}

/* dx_end_data - our file on key is all out: the end mark, the checksum */
static int
dx_end_data(struct dx *d, int key, struct dx_slot *sl)
{
	char crcline[CMD_TRAILER_MAX];
	const char *cl = sl->refused ? NULL : xfer_out_crcline(sl->out, crcline, sizeof(crcline));

	if (d->p->ops->chan_data(d->p, key, sl->out->pos, NULL, 0) < 0)
		return xfer_fail(d->s, "line failed while sending a file");
	sl->data_done = 1;
	dx_unstream(d, key);
	if (cl && dx_cmd(d, key, cl) < 0)
		return -1;
	if (sl->refused)
		dx_finish(d, sl, sl->result);
	return 0;
}

/* dx_pick - the file to send data of next: a refused one first (its end
 * mark frees the channel), else the one with the fewest bytes left, so a
 * mail is not stuck behind a long file (switching costs an SPOS) */
static int
dx_pick(const struct dx *d)
{
	int i, best = d->stream[0];
	long long left, least = -1;

	for (i = 0; i < d->nstream; i++) {
		const struct dx_slot *sl = &d->slot[d->stream[i]];

		if (sl->refused)
			return d->stream[i];
		left = sl->out->end - sl->out->pos;
		if (least < 0 || left < least) {
			least = left;
			best = d->stream[i];
		}
	}
	return best;
}

/* dx_pump - send file data while the window has room */
static int
dx_pump(struct dx *d)
{
	size_t room;

	while (d->nstream > 0 && (room = d->p->ops->chan_room(d->p)) > 0) {
		int key = dx_pick(d);
		struct dx_slot *sl = &d->slot[key];
		ssize_t n = 0;

		if (!sl->refused)
			n = xfer_out_read(d->s, sl->out, d->buf, room < DX_CHUNK ? room : DX_CHUNK);
		if (n < 0)
			return -1;
		if (n == 0 && sl->state == DX_SEND && !sl->started && !sl->refused &&
		    sl->out->parts.n > 0) {
			/* the SY may yet ask for some parts again: the end
			 * mark waits for it */
			dx_unstream(d, key);
			sl->parked = 1;
			continue;
		}
		if (n == 0) {
			if (dx_end_data(d, key, sl) < 0)
				return -1;
			continue;
		}
		if (d->p->ops->chan_data(d->p, key, sl->out->pos - n, d->buf, (size_t)n) < 0)
			return xfer_fail(d->s, "line failed while sending a file");
	}
	return 0;
}

/* dx_in_done - a file on key is complete (crcline: its ZCRC32 or NULL):
 * commit or reject it and reply */
static int
dx_in_done(struct dx *d, int key, struct dx_slot *sl, const char *crcline)
{
	char reply[DX_REPLY];
	int result;

	if (xfer_in_finish(d->s, sl->in, crcline, reply, sizeof(reply)) < 0 ||
	    dx_cmd(d, key, reply) < 0)
		return -1;
	if (sl->state == DX_TAKE || sl->state == DX_TAKE_CRC) {
		dx_free(d, sl);
		return 0;
	}
	result = strcmp(reply, "CY") == 0 ? XFER_DONE : d->s->e2e ? XFER_RETRY : XFER_DONE;
	dx_finish(d, sl, result);
	return 0;
}

/* dx_peer_cmd - a new command from the peer on its channel key */
static int
dx_peer_cmd(struct dx *d, int key, const char *line)
{
	struct dx_slot *sl = &d->slot[key];
	char reply[DX_REPLY];
	struct cmd *c = malloc(sizeof(*c));
	int r = 0;

	if (!c)
		return xfer_fail(d->s, "out of memory");
	log_debug(LOG_D_XFER, "sys=%s: got command \"%.200s\"", d->s->remote, line);
	if (xfer_parse_cmd(d->s, line, c, reply, sizeof(reply)) < 0) {
		free(c);
		if (!reply[0])
			return xfer_fail(d->s, "the remote sent an unknown command");
		/* a refused S or E is still followed by its data */
		if (line[0] == 'S' || line[0] == 'E')
			sl->state = DX_DROP;
		return dx_cmd(d, key, reply);
	}
	if (c->kind == 'S' || c->kind == 'E') {
		if (!(sl->in = malloc(sizeof(*sl->in))))
			r = xfer_fail(d->s, "out of memory");
		else
			sl->state = xfer_in_offer(d->s, c, sl->in, reply, sizeof(reply)) == XFER_GO ?
			    DX_TAKE : DX_DROP;
	} else if (c->kind == 'R') {
		if (!(sl->out = malloc(sizeof(*sl->out)))) {
			r = xfer_fail(d->s, "out of memory");
		} else if (xfer_out_request(d->s, c, sl->out, reply, sizeof(reply)) == XFER_GO) {
			sl->state = DX_GIVE;
			d->stream[d->nstream++] = key;
		} else {
			dx_free(d, sl);
		}
	} else {
		xfer_uucp_run(d->s, c, reply, sizeof(reply));
	}
	free(c);
	if (r == 0 && sl->state == DX_DROP) {
		free(sl->in);
		sl->in = NULL;
	}
	return r < 0 ? -1 : dx_cmd(d, key, reply);
}

/* dx_our_reply - the peer's reply on one of our channels */
static int
dx_our_reply(struct dx *d, int key, struct dx_slot *sl, const char *line)
{
	int r;

	switch (sl->state) {
	case DX_SEND:
		if (!sl->started && !sl->refused) {
			r = xfer_out_started(d->s, sl->out, line);
			if (r < 0)
				return -1;
			if (r == XFER_GO)
				sl->started = 1;
			else
				sl->refused = 1;
			sl->result = r;
			if (sl->parked) {	/* its end mark (or the parts) can go now */
				sl->parked = 0;
				d->stream[d->nstream++] = key;
			}
			if (sl->refused && sl->data_done)
				dx_finish(d, sl, r);
			return 0;
		}
		if (!sl->data_done)
			return xfer_fail(d->s, "a copy result before the end of the file");
		dx_finish(d, sl, xfer_out_confirmed(d->s, sl->out, line));
		return 0;
	case DX_FETCH:
		r = xfer_in_answered(d->s, sl->job, sl->in, line);
		if (r < 0)
			return -1;
		if (r == XFER_GO)
			sl->state = DX_FETCHING;
		else
			dx_finish(d, sl, r);
		return 0;
	case DX_FETCH_CRC:
		return dx_in_done(d, key, sl, line);
	case DX_UUCP:
		log_info("sys=%s job=%s: uucp request %s -> %s: %s", d->s->remote, sl->job->id,
		    sl->job->cmd[sl->k].from, sl->job->cmd[sl->k].to, line);
		dx_finish(d, sl, XFER_DONE);
		return 0;
	default:
		log_warnx("sys=%s: unexpected \"%.40s\" on channel %d", d->s->remote, line,
		    key - PROTO_KEY_OURS);
		return xfer_fail(d->s, "unexpected reply from the remote");
	}
}

/* dx_busy - whether anything is in flight or still to start */
static int
dx_busy(const struct dx *d)
{
	int key;

	for (key = 1; key < PROTO_NKEYS; key++)
		if (d->slot[key].state != DX_FREE)
			return 1;
	return d->may_send && d->wpos < d->nwork;
}

/* dx_ours_idle - whether none of our commands is in flight */
static int
dx_ours_idle(const struct dx *d)
{
	int key;

	for (key = PROTO_KEY_OURS + 1; key < PROTO_NKEYS; key++)
		if (d->slot[key].state != DX_FREE)
			return 0;
	return 1;
}

/* dx_hangup_cmd - H, HY or HN on key 0 */
static int
dx_hangup_cmd(struct dx *d, const char *line)
{
	struct session *s = d->s;

	if (line[0] != 'H')
		return xfer_fail(s, "unexpected command on channel 0");
	if (line[1] == '\0') {
		if (!dx_busy(d) && dx_ours_idle(d) && dx_refill(d) < 0)
			return -1;
		if (dx_busy(d)) {
			log_debug(LOG_D_XFER, "sys=%s: we have work: HN, roles switch", s->remote);
			d->master = 1;
			return dx_cmd(d, 0, "HN");
		}
		d->hy_sent = 1;
		return dx_cmd(d, 0, "HY");
	}
	if (line[1] == 'Y') {
		if (d->h_sent && dx_cmd(d, 0, "HY") < 0)
			return -1;
		if (d->h_sent || d->hy_sent)
			d->done = 1;
		return 0;
	}
	if (line[1] == 'N' && d->h_sent) {
		log_debug(LOG_D_XFER, "sys=%s: remote has work: roles switch", s->remote);
		d->h_sent = 0;
		d->master = 0;
		return 0;
	}
	return xfer_fail(s, "unexpected hang-up reply");
}

/* dx_event - one thing that arrived */
static int
dx_event(struct dx *d, const struct proto_ev *ev)
{
	struct dx_slot *sl = &d->slot[ev->key];
	const char *line = (const char *)ev->data;

	if (ev->key < 0 || ev->key >= PROTO_NKEYS)
		return xfer_fail(d->s, "bad channel");
	if (ev->kind == PROTO_EV_CMD) {
		if (ev->key == 0)
			return dx_hangup_cmd(d, line);
		if (dx_ours(ev->key))
			return dx_our_reply(d, ev->key, sl, line);
		if (sl->state == DX_FREE && line[0] == 'Z') {
			/* the checksum line of a file we refused after its
			 * sender had sent it all */
			log_debug(LOG_D_XFER, "sys=%s: \"%.40s\" after a refused file: ignored",
			    d->s->remote, line);
			return 0;
		}
		if (sl->state == DX_FREE)
			return dx_peer_cmd(d, ev->key, line);
		if (sl->state == DX_TAKE_CRC)
			return dx_in_done(d, ev->key, sl, line);
		if (sl->state == DX_GIVE) {
			xfer_out_confirmed(d->s, sl->out, line);
			dx_free(d, sl);
			return 0;
		}
		log_warnx("sys=%s: command \"%.40s\" on the busy channel %d", d->s->remote, line,
		    ev->key);
		return xfer_fail(d->s, "a command on a busy channel");
	}
	if (sl->state == DX_DROP) {
		if (ev->kind == PROTO_EV_EOF)
			dx_free(d, sl);
		return 0;
	}
	if (sl->state != DX_TAKE && sl->state != DX_FETCHING) {
		log_warnx("sys=%s: file data on channel key %d with no file", d->s->remote, ev->key);
		return xfer_fail(d->s, "file data with no file");
	}
	if (ev->kind == PROTO_EV_DATA)
		return xfer_in_bytes(d->s, sl->in, ev->pos, ev->data, ev->len);
	if (xfer_in_wants_crc(d->s, sl->in)) {
		sl->state = sl->state == DX_TAKE ? DX_TAKE_CRC : DX_FETCH_CRC;
		return 0;
	}
	return dx_in_done(d, ev->key, sl, NULL);
}

/* dx_master_idle - the master with nothing left either way sends H */
static int
dx_master_idle(struct dx *d)
{
	int r;

	if (!d->master || d->h_sent || dx_busy(d))
		return 0;
	if ((r = dx_refill(d)) != 0)
		return r < 0 ? -1 : 0;
	d->h_sent = 1;
	return dx_cmd(d, 0, "H");
}

/* dx_cleanup - log what the call cut short and release everything */
static void
dx_cleanup(struct dx *d)
{
	size_t i;
	int key;

	for (key = 1; key < PROTO_NKEYS; key++) {
		struct dx_slot *sl = &d->slot[key];

		if (sl->in)
			xfer_in_interrupted(d->s, sl->in);
		if (sl->out && sl->state != DX_FREE)
			xfer_out_interrupted(d->s, sl->out, sl->data_done ? "unconfirmed" :
			    "interrupted");
		dx_free(d, sl);
	}
	for (i = 0; i < d->nlists; i++)
		spool_list_free(d->lists[i].jobs, d->lists[i].n);
	free(d->lists);
	free(d->work);
	free(d->buf);
}

/* dx_count - note how many commands are in flight each way */
static void
dx_count(struct dx *d)
{
	int key, ours = 0, theirs = 0;

	for (key = 1; key < PROTO_NKEYS; key++)
		if (d->slot[key].state != DX_FREE && dx_ours(key))
			ours++;
		else if (d->slot[key].state != DX_FREE)
			theirs++;
	if (ours > d->most_ours)
		d->most_ours = ours;
	if (theirs > d->most_theirs)
		d->most_theirs = theirs;
	if (ours && theirs && ours + theirs > d->most_both)
		d->most_both = ours + theirs;
}

/* dx_run - the loop: start work, send data, take what arrives */
static int
dx_run(struct dx *d)
{
	struct proto_ev ev;
	long long final_until = 0;
	int r;

	while (!d->done) {
		if (dx_start(d) < 0 || dx_pump(d) < 0 || dx_master_idle(d) < 0)
			return -1;
		dx_count(d);
		if (d->hy_sent && !final_until)
			final_until = now_ms() + DX_FINAL_MS;
		if (final_until && now_ms() > final_until) {
			log_debug(LOG_D_XFER, "sys=%s: no final HY", d->s->remote);
			return 0;
		}
		r = d->p->ops->next(d->p, &ev,
		    d->nstream > 0 && d->p->ops->chan_room(d->p) > 0 ? 0 : DX_WAIT_MS);
		while (r > 0) {
			if (dx_event(d, &ev) < 0)
				return -1;
			if (d->done)
				return 0;	/* the peer may close at once */
			r = d->p->ops->next(d->p, &ev, 0);
		}
		if (r < 0) {
			if (d->hy_sent)
				return 0;	/* the master hung up after agreeing */
			return xfer_fail(d->s, "line failed during transfers");
		}
	}
	return 0;
}

/* xfer_duplex - the channel engine for a whole call */
int
xfer_duplex(struct session *s)
{
	struct dx *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return xfer_fail(s, "out of memory");
	d->s = s;
	d->p = s->proto;
	d->master = s->caller;
	d->may_send = s->caller || perm_may_send_when_called(&s->perm);
	d->buf = malloc(DX_CHUNK);
	r = d->buf && dx_refill(d) >= 0 ? dx_run(d) : xfer_fail(s, "out of memory");
	log_info("sys=%s: channels: at most %d commands of ours and %d of the remote's in flight "
	    "at once, %d both ways", s->remote, d->most_ours, d->most_theirs, d->most_both);
	dx_cleanup(d);
	free(d);
	return r;
}
