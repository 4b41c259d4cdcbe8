/*
 * uuline.c - a serial line between two PTYs, for tests and benchmarks.
 *
 * uuline creates two pseudo-terminals, A and B, prints their slave paths
 * and relays bytes between the two masters, optionally like a real line:
 * paced at a bit rate (10 bits a byte, 8N1), delayed by a latency, and
 * with bits flipped at a given error rate by a seeded generator so a bad
 * line can be replayed exactly.  It keeps each slave open itself, so a
 * program may close its side and reopen it (as uucico does) without the
 * master seeing a hang-up.  The relayed bytes are opaque: never parsed,
 * only copied through bounded buffers.  Command-line values are checked.
 *
 * The relay loop (uuline_run, uuline_deliver, uuline_fill) only moves
 * bytes and keeps time; what happens to bytes on the line is done by the
 * impairment steps (uuline_impair: bit flips, byte drops, XON/XOFF eaten
 * as a line with software flow control would).  A forced hang-up closes
 * both PTYs, so whatever has a slave open sees the line drop, and makes a
 * fresh pair behind the same -a/-b links; its timer starts with the first
 * byte after each new pair, so every call gets its N..M seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

#define UULINE_BUF (1 << 20)		/* bytes queued per direction at most */
#define UULINE_CHUNKS 8192		/* reads queued per direction at most */
#define UULINE_READ 65536		/* one read at most */
#define UULINE_TXBUF_NS 50000000LL	/* a paced line buffers 50 ms of sending */

struct uuline_opts {
	const char *link[2];		/* symlinks to the slaves, or NULL */
	long speed;			/* bits per second, 0: unlimited */
	long latency_ms;		/* one-way delay */
	double ber;			/* bit error rate */
	unsigned long long seed;
	const char *stats;		/* file for the counts, NULL: stderr */
	double drop;			/* byte drop rate */
	int eat_xonxoff;		/* remove XON and XOFF bytes */
	double hangup_min, hangup_max;	/* seconds of traffic before a hang-up, 0: none */
	long max_hangups;		/* stop hanging up after this many, 0: no limit */
};

/* Bit errors: each bit flips with probability ber, from a seeded stream. */
struct uuline_noise {
	uint64_t state;			/* splitmix64 */
	uint32_t threshold;		/* ber * 2^32 */
	int on;
};

/* One read from the source, waiting on the line. */
struct uuline_chunk {
	size_t len;
	long long start_ns;		/* when its first byte went onto the line */
};

/* One direction of the line: from src's master to dst's master. */
struct uuline_dir {
	const char *name;		/* "a>b" */
	int src, dst;
	unsigned char *buf;		/* queued bytes are buf[off..len) */
	size_t off, len, limit;		/* limit: queued bytes allowed */
	struct uuline_chunk *chunks;	/* ring of queued reads */
	size_t chead, ccount, csent;	/* csent: bytes of the head chunk sent */
	long long line_free_ns;		/* when the line is idle again */
	long long byte_ns, latency_ns;
	int blocked;			/* dst full: wait for POLLOUT */
	unsigned long long bytes_in, bytes_out, flips, drops, eaten;
	long long first_ns, last_ns;	/* first byte in, last byte out (0: none) */
	struct uuline_noise noise;
	struct uuline_noise dropper;	/* byte drops, a stream of their own */
	int eat_xonxoff;
};

/* The whole line's counts, kept across hang-ups. */
struct uuline_totals {
	unsigned long long bytes_in, bytes_out, flips, drops, eaten;
	double active;			/* seconds the line was in use */
};

static int uuline_sigpipe[2] = { -1, -1 };

/* uuline_usage - print how to call uuline */
static void
uuline_usage(FILE *f)
{
	fprintf(f,
	    "usage: uuline [-a LINK] [-b LINK] [--speed BPS] [--latency MS] [--ber RATE]\n"
	    "              [--seed N] [--stats FILE] [--drop RATE] [--eat-xonxoff]\n"
	    "              [--hangup SECS[..MAX]] [--max-hangups N]\n"
	    "Create two PTYs and join them like a serial line.  Prints\n"
	    "\"a=SLAVE b=SLAVE\" and then \"ready\" on stdout; runs until SIGTERM or\n"
	    "SIGINT, then writes per-direction byte counts to FILE or stderr.\n"
	    "  -a, -b LINK     make LINK a symlink to side A's or B's slave\n"
	    "  --speed BPS     pace bytes at BPS bits a second, 10 bits a byte (8N1)\n"
	    "  --latency MS    delay each direction by MS milliseconds\n"
	    "  --ber RATE      flip each bit with probability RATE (0 <= RATE < 1)\n"
	    "  --seed N        seed for the bit errors (default 1)\n"
	    "  --stats FILE    write the counts to FILE on exit (and after each hang-up)\n"
	    "  --drop RATE     lose each byte with probability RATE\n"
	    "  --eat-xonxoff   remove XON (021) and XOFF (023) bytes, as a line with\n"
	    "                  software flow control does\n"
	    "  --hangup SECS[..MAX]  hang up SECS (or a random SECS..MAX) seconds after\n"
	    "                  the first byte on each fresh pair: both PTYs close, new\n"
	    "                  ones appear behind the same links, \"hangup N\" is printed\n"
	    "  --max-hangups N hang up at most N times\n"
	    "Counts: per direction bytes entering, delivered, bits flipped, bytes\n"
	    "dropped, flow-control bytes eaten; then active=SECONDS from the first\n"
	    "byte sent to the last delivered (summed over hang-ups), and hang-ups.\n");
}

/* uuline_now_ns - a monotonic clock in nanoseconds */
static long long
uuline_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* uuline_noise_next - the next 64 random bits (splitmix64) */
static uint64_t
uuline_noise_next(struct uuline_noise *nz)
{
	uint64_t z = (nz->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uuline_noise_init - seed a direction's noise; which tells A>B from B>A */
static void
uuline_noise_init(struct uuline_noise *nz, double ber, unsigned long long seed, int which)
{
	nz->state = seed * 2 + (unsigned)which;
	(void)uuline_noise_next(nz);
	nz->on = ber > 0;
	nz->threshold = ber >= 1 ? UINT32_MAX : (uint32_t)(ber * 4294967296.0);
	if (nz->on && nz->threshold == 0)
		nz->threshold = 1;
}

/* uuline_noise_apply - flip bits of buf[0..n) in stream order; returns flips */
static unsigned long
uuline_noise_apply(struct uuline_noise *nz, unsigned char *buf, size_t n)
{
	unsigned long flips = 0;
	size_t i;
	int bit;

	if (!nz->on)
		return 0;
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit += 2) {
			uint64_t r = uuline_noise_next(nz);
			if ((uint32_t)r < nz->threshold) {
				buf[i] ^= (unsigned char)(1u << bit);
				flips++;
			}
			if ((uint32_t)(r >> 32) < nz->threshold) {
				buf[i] ^= (unsigned char)(1u << (bit + 1));
				flips++;
			}
		}
	}
	return flips;
}

/* uuline_drop_apply - remove eaten and dropped bytes from buf[0..n); the new length */
static size_t
uuline_drop_apply(struct uuline_dir *d, unsigned char *buf, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (d->eat_xonxoff && (buf[i] == 021 || buf[i] == 023)) {
			d->eaten++;
			continue;
		}
		if (d->dropper.on && (uint32_t)uuline_noise_next(&d->dropper) < d->dropper.threshold) {
			d->drops++;
			continue;
		}
		buf[o++] = buf[i];
	}
	return o;
}

/* uuline_impair - what the line does to bytes entering it; their new count.
 * Flow-control bytes are eaten as the sender wrote them, before noise. */
static size_t
uuline_impair(struct uuline_dir *d, unsigned char *buf, size_t n)
{
	n = uuline_drop_apply(d, buf, n);
	d->flips += uuline_noise_apply(&d->noise, buf, n);
	return n;
}

/* uuline_dir_init - set up one direction */
static int
uuline_dir_init(struct uuline_dir *d, const char *name, int src, int dst,
    const struct uuline_opts *o, int which)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->src = src;
	d->dst = dst;
	d->buf = malloc(UULINE_BUF);
	d->chunks = calloc(UULINE_CHUNKS, sizeof(*d->chunks));
	if (d->buf == NULL || d->chunks == NULL)
		return -1;
	d->byte_ns = o->speed > 0 ? 10 * 1000000000LL / o->speed : 0;
	d->latency_ns = o->latency_ms * 1000000LL;
	d->limit = UULINE_BUF;
	if (o->speed > 0) {
		/* A paced line holds only what it sends in latency + 50 ms,
		 * so the writer is held back at the line's rate. */
		long long hold = (d->latency_ns + UULINE_TXBUF_NS) / d->byte_ns + 64;
		if (hold < UULINE_BUF)
			d->limit = (size_t)hold;
	}
	uuline_noise_init(&d->noise, o->ber, o->seed, which);
	uuline_noise_init(&d->dropper, o->drop, o->seed ^ 0x5bd1e995ULL, which);
	d->eat_xonxoff = o->eat_xonxoff;
	return 0;
}

/* uuline_can_fill - whether d has room for another read */
static int
uuline_can_fill(const struct uuline_dir *d)
{
	return d->len - d->off < d->limit && d->ccount < UULINE_CHUNKS;
}

/* uuline_fill - read what src offers into the queue; -1 on a dead master */
static int
uuline_fill(struct uuline_dir *d, long long now)
{
	size_t queued = d->len - d->off, room;
	struct uuline_chunk *c;
	ssize_t n;

	if (d->off > 0 && d->len + UULINE_READ > UULINE_BUF) {
		memmove(d->buf, d->buf + d->off, queued);
		d->off = 0;
		d->len = queued;
	}
	room = d->limit > queued ? d->limit - queued : 0;
	if (room > UULINE_BUF - d->len)
		room = UULINE_BUF - d->len;
	if (room > UULINE_READ)
		room = UULINE_READ;
	if (room == 0 || d->ccount == UULINE_CHUNKS)
		return 0;
	n = read(d->src, d->buf + d->len, room);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	if (d->first_ns == 0)
		d->first_ns = now;
	d->bytes_in += (unsigned long long)n;
	n = (ssize_t)uuline_impair(d, d->buf + d->len, (size_t)n);
	if (n == 0)
		return 0;
	c = &d->chunks[(d->chead + d->ccount++) % UULINE_CHUNKS];
	c->len = (size_t)n;
	c->start_ns = now > d->line_free_ns ? now : d->line_free_ns;
	d->line_free_ns = c->start_ns + (long long)n * d->byte_ns;
	d->len += (size_t)n;
	return 0;
}

/* uuline_due - bytes of the head chunk that have arrived by now, unsent */
static size_t
uuline_due(const struct uuline_dir *d, long long now)
{
	const struct uuline_chunk *c = &d->chunks[d->chead];
	long long t = now - d->latency_ns - c->start_ns;
	size_t arrived;

	if (t < 0)
		return 0;
	if (d->byte_ns == 0)
		arrived = c->len;
	else
		arrived = t / d->byte_ns >= (long long)c->len ? c->len : (size_t)(t / d->byte_ns);
	return arrived - d->csent;
}

/* uuline_deliver - write every byte that is due to dst; -1 on a dead master */
static int
uuline_deliver(struct uuline_dir *d, long long now)
{
	d->blocked = 0;
	while (d->ccount > 0) {
		size_t k = uuline_due(d, now);
		ssize_t n;

		if (k == 0)
			return 0;
		n = write(d->dst, d->buf + d->off, k);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			d->blocked = 1;
			return 0;
		}
		if (n <= 0)
			return -1;
		d->off += (size_t)n;
		d->last_ns = now;
		d->csent += (size_t)n;
		d->bytes_out += (unsigned long long)n;
		if (d->csent == d->chunks[d->chead].len) {
			d->chead = (d->chead + 1) % UULINE_CHUNKS;
			d->ccount--;
			d->csent = 0;
		}
	}
	d->off = d->len = 0;
	return 0;
}

/* uuline_next_ns - when the next byte of d falls due (-1: nothing to wait for) */
static long long
uuline_next_ns(const struct uuline_dir *d)
{
	const struct uuline_chunk *c = &d->chunks[d->chead];

	if (d->ccount == 0 || d->blocked)
		return -1;
	return c->start_ns + (long long)(d->csent + 1) * d->byte_ns + d->latency_ns;
}

/* uuline_timeout - the poll timeout in ms until the earlier of two times */
static int
uuline_timeout(long long a, long long b, long long now)
{
	long long t = a < 0 ? b : (b < 0 || a < b ? a : b);

	if (t < 0)
		return -1;
	if (t <= now)
		return 0;
	return (int)((t - now + 999999) / 1000000);
}

/* uuline_on_signal - note a request to stop */
static void
uuline_on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(uuline_sigpipe[1], &c, 1) < 0) {
		/* already pending */
	}
	errno = saved;
}

/* uuline_run - relay both ways until a signal (0), a hang-up falls due (1:
 * hangup_ns after the first byte; 0 for none), or a PTY breaks (-1) */
static int
uuline_run(struct uuline_dir *ab, struct uuline_dir *ba, long long hangup_ns)
{
	int ma = ab->src, mb = ba->src;
	long long hangup_at = -1;

	for (;;) {
		struct pollfd pfd[3];
		long long now = uuline_now_ns();
		int r, tmo;

		if (hangup_at < 0 && hangup_ns > 0 && ab->bytes_in + ba->bytes_in > 0)
			hangup_at = now + hangup_ns;
		if (hangup_at >= 0 && now >= hangup_at)
			return 1;

		if (uuline_deliver(ab, now) < 0 || uuline_deliver(ba, now) < 0)
			return -1;
		pfd[0] = (struct pollfd){ .fd = uuline_sigpipe[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ma, .events = (short)(
		    (uuline_can_fill(ab) ? POLLIN : 0) | (ba->blocked ? POLLOUT : 0)) };
		pfd[2] = (struct pollfd){ .fd = mb, .events = (short)(
		    (uuline_can_fill(ba) ? POLLIN : 0) | (ab->blocked ? POLLOUT : 0)) };
		tmo = uuline_timeout(uuline_next_ns(ab), uuline_next_ns(ba), now);
		if (hangup_at >= 0) {
			int h = uuline_timeout(hangup_at, -1, now);
			if (tmo < 0 || h < tmo)
				tmo = h;
		}
		r = poll(pfd, 3, tmo);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (pfd[0].revents)
			return 0;
		if ((pfd[1].revents | pfd[2].revents) & (POLLHUP | POLLERR | POLLNVAL))
			return -1;
		now = uuline_now_ns();
		if ((pfd[1].revents & POLLIN) && uuline_fill(ab, now) < 0)
			return -1;
		if ((pfd[2].revents & POLLIN) && uuline_fill(ba, now) < 0)
			return -1;
	}
}

/* uuline_pty - create one PTY: raw, its slave held open; master fd or -1 */
static int
uuline_pty(char *path, size_t pathlen, int *slave)
{
	struct termios t;
	const char *name;
	int m, fl;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || (name = ptsname(m)) == NULL)
		goto fail;
	if (str_copy(path, name, pathlen) < 0)
		goto fail;
	*slave = open(path, O_RDWR | O_NOCTTY);
	if (*slave < 0 || tcgetattr(*slave, &t) < 0)
		goto fail;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(*slave, TCSANOW, &t) < 0)
		goto fail;
	if ((fl = fcntl(m, F_GETFL)) < 0 || fcntl(m, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	(void)fcntl(m, F_SETFD, FD_CLOEXEC);
	(void)fcntl(*slave, F_SETFD, FD_CLOEXEC);
	return m;
fail:
	fprintf(stderr, "uuline: cannot create a PTY: %s\n", strerror(errno));
	return -1;
}

/* uuline_link - make link a symlink to path, replacing an old symlink */
static int
uuline_link(const char *link, const char *path)
{
	struct stat st;

	if (lstat(link, &st) == 0) {
		if (!S_ISLNK(st.st_mode)) {
			fprintf(stderr, "uuline: %s exists and is not a symlink\n", link);
			return -1;
		}
		(void)unlink(link);
	}
	if (symlink(path, link) < 0) {
		fprintf(stderr, "uuline: symlink %s: %s\n", link, strerror(errno));
		return -1;
	}
	return 0;
}

/* uuline_stats - write the per-direction counts and the hang-ups */
static void
uuline_stats(const struct uuline_opts *o, const struct uuline_totals *t, long hangups)
{
	static const char *names[2] = { "a>b", "b>a" };
	FILE *f = o->stats ? fopen(o->stats, "w") : stderr;
	size_t i;

	if (f == NULL) {
		fprintf(stderr, "uuline: %s: %s\n", o->stats, strerror(errno));
		f = stderr;
	}
	for (i = 0; i < 2; i++)
		fprintf(f, "%s bytes=%llu delivered=%llu flips=%llu drops=%llu eaten=%llu\n",
		    names[i], t[i].bytes_in, t[i].bytes_out, t[i].flips, t[i].drops, t[i].eaten);
	fprintf(f, "active=%.3f\n", t[0].active);
	fprintf(f, "hangups=%ld\n", hangups);
	if (f != stderr)
		fclose(f);
}

/* uuline_active - seconds from the first byte entering the pair to the
 * last one delivered, either way; 0 when nothing passed */
static double
uuline_active(const struct uuline_dir *d)
{
	long long first = 0, last = 0;
	int i;

	for (i = 0; i < 2; i++) {
		if (d[i].first_ns && (first == 0 || d[i].first_ns < first))
			first = d[i].first_ns;
		if (d[i].last_ns > last)
			last = d[i].last_ns;
	}
	return first && last > first ? (double)(last - first) / 1e9 : 0;
}

/* uuline_add - add a direction's counts to its totals */
static void
uuline_add(struct uuline_totals *t, const struct uuline_dir *d)
{
	t->bytes_in += d->bytes_in;
	t->bytes_out += d->bytes_out;
	t->flips += d->flips;
	t->drops += d->drops;
	t->eaten += d->eaten;
}

/* uuline_number - parse a non-negative number option; -1 when bad */
static int
uuline_number(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= 0) || v > max)
		return -1;
	*out = v;
	return 0;
}

/* uuline_range - parse "N" or "N..M" seconds (0 < N <= M); -1 when bad */
static int
uuline_range(const char *s, double *lo, double *hi)
{
	char buf[64], *dots;

	if (str_copy(buf, s, sizeof(buf)) < 0)
		return -1;
	dots = strstr(buf, "..");
	if (dots)
		*dots = '\0';
	if (uuline_number(buf, 86400, lo) < 0 || *lo <= 0)
		return -1;
	*hi = *lo;
	if (dots && (uuline_number(dots + 2, 86400, hi) < 0 || *hi < *lo))
		return -1;
	return 0;
}

/* uuline_args - parse the command line into o; -1 on a bad one */
static int
uuline_args(int argc, char **argv, struct uuline_opts *o)
{
	static const struct option longopts[] = {
		{ "speed", required_argument, NULL, 's' },
		{ "latency", required_argument, NULL, 'l' },
		{ "ber", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 'S' },
		{ "stats", required_argument, NULL, 'o' },
		{ "drop", required_argument, NULL, 'd' },
		{ "eat-xonxoff", no_argument, NULL, 'x' },
		{ "hangup", required_argument, NULL, 'H' },
		{ "max-hangups", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "a:b:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'b':
			o->link[c - 'a'] = optarg;
			break;
		case 's':
			if (uuline_number(optarg, 1e9, &v) < 0)
				goto bad;
			o->speed = (long)v;
			break;
		case 'l':
			if (uuline_number(optarg, 3600000, &v) < 0)
				goto bad;
			o->latency_ms = (long)v;
			break;
		case 'e':
			if (uuline_number(optarg, 0.999999, &o->ber) < 0)
				goto bad;
			break;
		case 'S':
			if (uuline_number(optarg, 1.8e19, &v) < 0)
				goto bad;
			o->seed = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			o->stats = optarg;
			break;
		case 'd':
			if (uuline_number(optarg, 0.999999, &o->drop) < 0)
				goto bad;
			break;
		case 'x':
			o->eat_xonxoff = 1;
			break;
		case 'H':
			if (uuline_range(optarg, &o->hangup_min, &o->hangup_max) < 0)
				goto bad;
			break;
		case 'M':
			if (uuline_number(optarg, 1e9, &v) < 0)
				goto bad;
			o->max_hangups = (long)v;
			break;
		case 'h':
			uuline_usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	return 0;
bad:
	fprintf(stderr, "uuline: bad value \"%s\"\n", optarg);
	return -1;
}

/* uuline_open_pair - two fresh PTYs behind the links; 0 or -1 */
static int
uuline_open_pair(const struct uuline_opts *o, int master[2], int slave[2], char path[2][256])
{
	int i;

	for (i = 0; i < 2; i++)
		if ((master[i] = uuline_pty(path[i], sizeof(path[i]), &slave[i])) < 0)
			return -1;
	for (i = 0; i < 2; i++)
		if (o->link[i] && uuline_link(o->link[i], path[i]) < 0)
			return -1;
	return 0;
}

/* uuline_hangup_ns - how long the next pair lives after its first byte */
static long long
uuline_hangup_ns(const struct uuline_opts *o, struct uuline_noise *rng)
{
	double span = o->hangup_max - o->hangup_min;
	double u = (double)(uuline_noise_next(rng) >> 11) / 9007199254740992.0;

	if (o->hangup_min <= 0)
		return 0;
	return (long long)((o->hangup_min + span * u) * 1e9);
}

int
main(int argc, char **argv)
{
	struct uuline_opts o = { .seed = 1 };
	struct uuline_dir dirs[2];
	struct uuline_totals tot[2];
	struct uuline_noise rng;
	struct sigaction sa;
	char path[2][256];
	int master[2], slave[2], i, rc;
	long hangups = 0;

	if (uuline_args(argc, argv, &o) < 0) {
		uuline_usage(stderr);
		return 2;
	}
	if (pipe(uuline_sigpipe) < 0)
		return 1;
	(void)fcntl(uuline_sigpipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = uuline_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(tot, 0, sizeof(tot));
	uuline_noise_init(&rng, 0, o.seed ^ 0x68616e67ULL, 2);
	memset(dirs, 0, sizeof(dirs));
	if (uuline_open_pair(&o, master, slave, path) < 0)
		return 1;
	printf("a=%s b=%s\nready\n", path[0], path[1]);
	fflush(stdout);
	for (;;) {
		long long hns = o.max_hangups > 0 && hangups >= o.max_hangups ? 0
		    : uuline_hangup_ns(&o, &rng);
		if (uuline_dir_init(&dirs[0], "a>b", master[0], master[1], &o, 0) < 0 ||
		    uuline_dir_init(&dirs[1], "b>a", master[1], master[0], &o, 1) < 0) {
			fprintf(stderr, "uuline: out of memory\n");
			return 1;
		}
		/* each pair gets its own noise, reproducible from the seed */
		dirs[0].noise.state += (unsigned long long)hangups * 0x9e3779b97f4a7c15ULL;
		dirs[1].noise.state += (unsigned long long)hangups * 0x9e3779b97f4a7c15ULL;
		rc = uuline_run(&dirs[0], &dirs[1], hns);
		tot[0].active += uuline_active(dirs);
		for (i = 0; i < 2; i++) {
			uuline_add(&tot[i], &dirs[i]);
			free(dirs[i].buf);
			free(dirs[i].chunks);
			close(slave[i]);
			close(master[i]);
		}
		if (rc != 1)
			break;
		hangups++;
		if (uuline_open_pair(&o, master, slave, path) < 0)
			return 1;
		printf("hangup %ld a=%s b=%s\n", hangups, path[0], path[1]);
		fflush(stdout);
		if (o.stats)
			uuline_stats(&o, tot, hangups);
	}
	if (rc < 0)
		fprintf(stderr, "uuline: relay failed: %s\n", strerror(errno));
	uuline_stats(&o, tot, hangups);
	for (i = 0; i < 2; i++)
		if (o.link[i])
			(void)unlink(o.link[i]);
	return rc < 0 ? 1 : 0;
}
