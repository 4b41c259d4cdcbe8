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
 * impairment steps (uuline_impair and the uuline_noise_* functions), so
 * more of them (drops, flow control, hang-ups) can be added on their own.
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
	unsigned long long bytes_in, bytes_out, flips;
	struct uuline_noise noise;
};

static int uuline_sigpipe[2] = { -1, -1 };

/* uuline_usage - print how to call uuline */
static void
uuline_usage(FILE *f)
{
	fprintf(f,
	    "usage: uuline [-a LINK] [-b LINK] [--speed BPS] [--latency MS] [--ber RATE]\n"
	    "              [--seed N] [--stats FILE]\n"
	    "Create two PTYs and join them like a serial line.  Prints\n"
	    "\"a=SLAVE b=SLAVE\" and then \"ready\" on stdout; runs until SIGTERM or\n"
	    "SIGINT, then writes per-direction byte counts to FILE or stderr.\n"
	    "  -a, -b LINK     make LINK a symlink to side A's or B's slave\n"
	    "  --speed BPS     pace bytes at BPS bits a second, 10 bits a byte (8N1)\n"
	    "  --latency MS    delay each direction by MS milliseconds\n"
	    "  --ber RATE      flip each bit with probability RATE (0 <= RATE < 1)\n"
	    "  --seed N        seed for the bit errors (default 1)\n"
	    "  --stats FILE    write the counts to FILE on exit\n");
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

/* uuline_impair - what the line does to bytes entering it */
static void
uuline_impair(struct uuline_dir *d, unsigned char *buf, size_t n)
{
	d->flips += uuline_noise_apply(&d->noise, buf, n);
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
	uuline_impair(d, d->buf + d->len, (size_t)n);
	c = &d->chunks[(d->chead + d->ccount++) % UULINE_CHUNKS];
	c->len = (size_t)n;
	c->start_ns = now > d->line_free_ns ? now : d->line_free_ns;
	d->line_free_ns = c->start_ns + (long long)n * d->byte_ns;
	d->len += (size_t)n;
	d->bytes_in += (unsigned long long)n;
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

/* uuline_run - relay both ways until a signal; 0, or -1 on a broken PTY */
static int
uuline_run(struct uuline_dir *ab, struct uuline_dir *ba)
{
	int ma = ab->src, mb = ba->src;

	for (;;) {
		struct pollfd pfd[3];
		long long now = uuline_now_ns();
		int r;

		if (uuline_deliver(ab, now) < 0 || uuline_deliver(ba, now) < 0)
			return -1;
		pfd[0] = (struct pollfd){ .fd = uuline_sigpipe[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ma, .events = (short)(
		    (uuline_can_fill(ab) ? POLLIN : 0) | (ba->blocked ? POLLOUT : 0)) };
		pfd[2] = (struct pollfd){ .fd = mb, .events = (short)(
		    (uuline_can_fill(ba) ? POLLIN : 0) | (ab->blocked ? POLLOUT : 0)) };
		r = poll(pfd, 3, uuline_timeout(uuline_next_ns(ab), uuline_next_ns(ba), now));
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

/* uuline_stats - write the per-direction counts */
static void
uuline_stats(const struct uuline_opts *o, const struct uuline_dir *d, size_t n)
{
	FILE *f = o->stats ? fopen(o->stats, "w") : stderr;
	size_t i;

	if (f == NULL) {
		fprintf(stderr, "uuline: %s: %s\n", o->stats, strerror(errno));
		f = stderr;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%s bytes=%llu delivered=%llu flips=%llu\n", d[i].name, d[i].bytes_in,
		    d[i].bytes_out, d[i].flips);
	if (f != stderr)
		fclose(f);
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

int
main(int argc, char **argv)
{
	struct uuline_opts o = { .seed = 1 };
	struct uuline_dir dirs[2];
	struct sigaction sa;
	char path[2][256];
	int master[2], slave[2], i, rc;

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
	for (i = 0; i < 2; i++)
		if ((master[i] = uuline_pty(path[i], sizeof(path[i]), &slave[i])) < 0)
			return 1;
	for (i = 0; i < 2; i++)
		if (o.link[i] && uuline_link(o.link[i], path[i]) < 0)
			return 1;
	if (uuline_dir_init(&dirs[0], "a>b", master[0], master[1], &o, 0) < 0 ||
	    uuline_dir_init(&dirs[1], "b>a", master[1], master[0], &o, 1) < 0) {
		fprintf(stderr, "uuline: out of memory\n");
		return 1;
	}
	printf("a=%s b=%s\nready\n", path[0], path[1]);
	fflush(stdout);
	rc = uuline_run(&dirs[0], &dirs[1]);
	if (rc < 0)
		fprintf(stderr, "uuline: relay failed: %s\n", strerror(errno));
	uuline_stats(&o, dirs, 2);
	for (i = 0; i < 2; i++) {
		if (o.link[i])
			(void)unlink(o.link[i]);
		free(dirs[i].buf);
		free(dirs[i].chunks);
		close(slave[i]);
		close(master[i]);
	}
	return rc < 0 ? 1 : 0;
}
