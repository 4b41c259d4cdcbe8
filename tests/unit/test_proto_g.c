/*
 * test_proto_g.c - the g protocol end to end: two processes over a
 * socketpair run the INIT exchange, commands both ways and files of 0, 1,
 * 4097 and a few hundred KB of every byte value both ways, with several
 * window/packet settings (the same or different per direction), SVR4's G,
 * a relay that loses and corrupts frames, and a peer that vanishes.
 *
 * Each side checks what it receives and reports through a pipe; a side
 * that hangs is killed by alarm().  The port is a tiny descriptor port of
 * this file's own, so the test depends on nothing but the protocol.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "modem/port.h"
#include "uucico/gpkt.h"
#include "uucico/proto.h"
#include "tests/unit/tap.h"

/* fdp_read - the test port's read: poll, then read */
static ssize_t
fdp_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { p->rfd, POLLIN, 0 };
	ssize_t n;
	int r;

	while ((r = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	while ((n = read(p->rfd, buf, len)) < 0 && errno == EINTR)
		;
	if (n == 0) {
		errno = EPIPE;
		return -1;
	}
	return n;
}

/* bytes this process wrote to its port */
static unsigned long long fdp_written;

/* fdp_write - the test port's write: all of it, no SIGPIPE */
static int
fdp_write(struct port *p, const void *buf, size_t len)
{
	const char *b = buf;
	ssize_t n;

	while (len > 0) {
		n = send(p->wfd, b, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
		fdp_written += (unsigned long long)n;
	}
	return 0;
}

static const struct port_ops fdp_ops = { "pipe", fdp_read, fdp_write, NULL, NULL, NULL };

/* One side's settings. */
struct side {
	int window, packsize;
};

/* One run: both sides' settings, the protocol, the files. */
struct run {
	const char *name;
	char proto;
	struct side a, b;	/* a calls, b answers */
	const size_t *files;	/* sizes, ending with (size_t)-1 */
	int timeout_s, errors_max;
	int relay;		/* pass through a corrupting relay: per mille of
				   frames damaged (per KiB of frame when < 0) */
	int vanish;		/* b dies after the first command */
	int quick;		/* damage must be mended without a timeout */
	double maxratio;	/* line bytes per file byte each way, or 0 */
};

/* What a side reports to the test. */
struct report {
	int ok;
	char why[200];
	struct proto_stats st;
	double seconds;
	unsigned long long written;	/* bytes written to the line */
};

/* file_byte - byte j of file number i: every value, no short period */
static unsigned char
file_byte(int i, size_t j)
{
	return (unsigned char)(j * 131 + (size_t)i * 7 + (j >> 8) + (j >> 16) * 3);
}

/* command_for - the command announcing file i, longer than small packets */
static void
command_for(char *buf, size_t len, int i, size_t size)
{
	str_fmt(buf, len, "S /var/spool/brigade/payload/file-%d-%s ~/ brigade -Cd D.%04d 0644 \"\" 0x%zx",
	    i, i % 2 ? "with-a-rather-longer-name-to-span-several-small-packets-of-thirty-two-bytes"
	    : "short", i, size);
}

/* fail - note why a side failed; -1 */
static int
fail(struct report *r, const char *what)
{
	str_fmt(r->why, sizeof(r->why), "%s", what);
	return -1;
}

/* expect_cmd - receive a command and compare it */
static int
expect_cmd(struct proto *p, const char *want, struct report *r)
{
	char buf[512];

	if (p->ops->getcmd(p, buf, sizeof(buf)) < 0)
		return fail(r, "getcmd failed");
	if (strcmp(buf, want) != 0) {
		str_fmt(r->why, sizeof(r->why), "got command \"%.80s\", want \"%.80s\"", buf, want);
		return -1;
	}
	return 0;
}

/* send_file - send file i of size bytes in uneven pieces, then the end */
static int
send_file(struct proto *p, int i, size_t size, struct report *r)
{
	static unsigned char buf[9000];
	size_t off = 0, n, k;
	int piece = 0;

	while (off < size) {
		n = 1 + ((size_t)piece++ * 977 + (size_t)i * 13) % sizeof(buf);
		if (n > size - off)
			n = size - off;
		for (k = 0; k < n; k++)
			buf[k] = file_byte(i, off + k);
		if (p->ops->senddata(p, buf, n) < 0)
			return fail(r, "senddata failed");
		off += n;
	}
	if (p->ops->senddata(p, buf, 0) < 0)
		return fail(r, "senddata of the end failed");
	return 0;
}

/* get_file - receive file i in uneven reads and compare every byte */
static int
get_file(struct proto *p, int i, size_t size, struct report *r)
{
	static unsigned char buf[9000];
	size_t off = 0, k;
	ssize_t n;
	int piece = 0;

	for (;;) {
		size_t want = 1 + ((size_t)piece++ * 1531 + (size_t)i) % sizeof(buf);

		n = p->ops->getdata(p, buf, want);
		if (n < 0)
			return fail(r, "getdata failed");
		if (n == 0)
			break;
		for (k = 0; k < (size_t)n; k++)
			if (off + k >= size || buf[k] != file_byte(i, off + k)) {
				str_fmt(r->why, sizeof(r->why), "file %d: byte %zu wrong", i, off + k);
				return -1;
			}
		off += (size_t)n;
	}
	if (off != size) {
		str_fmt(r->why, sizeof(r->why), "file %d: %zu bytes, want %zu", i, off, size);
		return -1;
	}
	return 0;
}

/* transfer - one file from sender to receiver, with S/SY and CY */
static int
transfer(struct proto *p, int sending, int i, size_t size, struct report *r)
{
	char cmd[512];

	command_for(cmd, sizeof(cmd), i, size);
	if (sending) {
		if (p->ops->sendcmd(p, cmd) < 0)
			return fail(r, "sendcmd failed");
		if (expect_cmd(p, "SY", r) < 0 || send_file(p, i, size, r) < 0)
			return -1;
		return expect_cmd(p, "CY", r);
	}
	if (expect_cmd(p, cmd, r) < 0)
		return -1;
	if (p->ops->sendcmd(p, "SY") < 0)
		return fail(r, "sendcmd SY failed");
	if (get_file(p, i, size, r) < 0)
		return -1;
	return p->ops->sendcmd(p, "CY") < 0 ? fail(r, "sendcmd CY failed") : 0;
}

/* check_negotiated - we send with the peer's wishes, receive with ours */
static int
check_negotiated(const struct proto *p, const struct side *me, const struct side *peer,
    struct report *r)
{
	if (p->st.send_window == peer->window && p->st.send_packsize == peer->packsize &&
	    p->st.recv_window == me->window && p->st.recv_packsize == me->packsize)
		return 0;
	str_fmt(r->why, sizeof(r->why), "negotiated sending %d/%d receiving %d/%d",
	    p->st.send_packsize, p->st.send_window, p->st.recv_packsize, p->st.recv_window);
	return -1;
}

/* session - the whole conversation from one side */
static int
session(struct proto *p, const struct run *run, int caller, struct report *r)
{
	const struct side *me = caller ? &run->a : &run->b, *peer = caller ? &run->b : &run->a;
	int i, dir;

	if (p->ops->start(p) < 0)
		return fail(r, "start failed");
	if (check_negotiated(p, me, peer, r) < 0)
		return -1;
	if (run->vanish) {
		char buf[64];

		if (!caller)
			return 0;	/* the callee goes without a word */
		if (p->ops->getcmd(p, buf, sizeof(buf)) == 0)
			return fail(r, "getcmd from a vanished peer succeeded");
		if (p->st.timeouts != 0)
			return fail(r, "a vanished peer was noticed only by a timeout");
		return 0;
	}
	/* the caller sends first, then the callee: the same files each way */
	for (dir = 0; dir < 2; dir++)
		for (i = 0; run->files[i] != (size_t)-1; i++)
			if (transfer(p, caller == (dir == 0), i + 10 * dir, run->files[i], r) < 0)
				return -1;
	if (caller) {
		if (p->ops->sendcmd(p, "H") < 0 || expect_cmd(p, "HY", r) < 0)
			return r->why[0] ? -1 : fail(r, "H failed");
	} else {
		if (expect_cmd(p, "H", r) < 0 || p->ops->sendcmd(p, "HY") < 0)
			return r->why[0] ? -1 : fail(r, "HY failed");
	}
	if (p->ops->shutdown(p) < 0)
		return fail(r, "shutdown failed");
	return 0;
}

/* side_main - a child: run one side over fd and report through rep */
static void
side_main(const struct run *run, int fd, int caller, int rep)
{
	struct port port;
	struct proto_params par;
	struct report r;
	struct proto *p;
	long long t0 = now_ms();

	alarm(60);
	memset(&port, 0, sizeof(port));
	port.ops = &fdp_ops;
	port.rfd = port.wfd = fd;
	str_copy(port.name, caller ? "test-a" : "test-b", sizeof(port.name));
	memset(&par, 0, sizeof(par));
	par.window = caller ? run->a.window : run->b.window;
	par.packsize = caller ? run->a.packsize : run->b.packsize;
	par.timeout_s = run->timeout_s;
	par.retries = 6;
	par.errors_max = run->errors_max;
	memset(&r, 0, sizeof(r));
	p = proto_new(run->proto, &port, &par, caller);
	if (p == NULL)
		fail(&r, "proto_new failed");
	else {
		r.ok = session(p, run, caller, &r) == 0;
		r.st = p->st;
		p->ops->free(p);
	}
	r.seconds = (double)(now_ms() - t0) / 1000;
	r.written = fdp_written;
	(void)write_all(rep, &r, sizeof(r));
	_exit(0);
}

/* relay_frame - pass one frame on, perhaps lost or damaged, so that the
 * damage is always detectable: g's checksum misses most flips in the
 * first data byte (test_gpkt documents that), which is not what this
 * test is about */
static void
relay_frame(int out, unsigned char *f, size_t len, unsigned *seed, int permille)
{
	unsigned char noise[8];
	struct gpkt_frame fr;
	size_t used, pos, i;
	unsigned roll;

	*seed = *seed * 1103515245u + 12345u;
	roll = (*seed >> 8) % 1000;
	if (permille < 0)	/* damage grows with the frame, as on a line */
		permille = (int)((size_t)-permille * len / 1024 < 1000 ? (size_t)-permille * len / 1024 : 1000);
	if (roll >= (unsigned)permille) {
		(void)write_all(out, f, len);
		return;
	}
	*seed = *seed * 1103515245u + 12345u;
	switch ((*seed >> 8) % 4) {
	case 0:		/* lost */
		return;
	case 1:		/* a byte dropped */
		pos = (*seed >> 12) % len;
		(void)write_all(out, f, pos);
		(void)write_all(out, f + pos + 1, len - pos - 1);
		return;
	case 2:		/* noise with DLEs before it */
		for (i = 0; i < sizeof(noise); i++)
			noise[i] = i % 3 ? (unsigned char)(*seed >> i) : GPKT_DLE;
		(void)write_all(out, noise, sizeof(noise));
		(void)write_all(out, f, len);
		return;
	default:	/* a bit flipped, anywhere but the first data byte */
		do {
			pos = (*seed >> 12) % len;
			*seed = *seed * 1103515245u + 12345u;
		} while (pos == GPKT_HDRLEN);
		f[pos] ^= (unsigned char)(1 << ((*seed >> 9) & 7));
		if (gpkt_scan(f, len, GPKT_MAXDATA, &fr, &used) == GPKT_FRAME && used == len)
			return;	/* undetectable here: lose it instead */
		(void)write_all(out, f, len);
		return;
	}
}

/* relay_main - a child forwarding frames between fa and fb, damaging some */
static void
relay_main(int fa, int fb, int permille)
{
	static unsigned char buf[2][65536];
	size_t len[2] = { 0, 0 };
	int fds[2] = { fa, fb };
	unsigned seed = 4242;

	alarm(60);
	for (;;) {
		struct pollfd pfd[2] = { { fa, POLLIN, 0 }, { fb, POLLIN, 0 } };
		int d;

		if (poll(pfd, 2, -1) < 0)
			continue;
		for (d = 0; d < 2; d++) {
			struct gpkt_frame f;
			size_t used;
			ssize_t n;

			if (!(pfd[d].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(fds[d], buf[d] + len[d], sizeof(buf[d]) - len[d]);
			if (n <= 0)
				_exit(0);
			len[d] += (size_t)n;
			/* the senders' streams are clean: cut them into frames */
			for (;;) {
				enum gpkt_scan_result r = gpkt_scan(buf[d], len[d], GPKT_MAXDATA, &f, &used);

				if (r == GPKT_NEED && used == 0)
					break;
				if (r == GPKT_FRAME)
					relay_frame(fds[!d], buf[d] + used - GPKT_HDRLEN - f.h.datalen,
					    GPKT_HDRLEN + f.h.datalen, &seed, permille);
				memmove(buf[d], buf[d] + used, len[d] - used);
				len[d] -= used;
			}
		}
	}
}

/* run_one - fork the two sides (and a relay), collect their reports */
static void
run_one(const struct run *run, struct report rep[2])
{
	int sv[2], sv2[2], pp[2][2], i, status;
	pid_t pid[3] = { -1, -1, -1 };

	memset(rep, 0, 2 * sizeof(rep[0]));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(pp[0]) < 0 || pipe(pp[1]) < 0)
		abort();
	sv2[0] = sv2[1] = -1;
	if (run->relay && socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) < 0)
		abort();
	fflush(stdout);
	/* a talks on sv[0]; b on sv[1], or on sv2[1] behind the relay */
	if ((pid[0] = fork()) == 0) {
		close(sv[1]);
		if (sv2[0] >= 0)
			close(sv2[0]), close(sv2[1]);
		side_main(run, sv[0], 1, pp[0][1]);
	}
	if ((pid[1] = fork()) == 0) {
		close(sv[0]);
		if (sv2[0] >= 0) {
			close(sv[1]);
			close(sv2[0]);
			side_main(run, sv2[1], 0, pp[1][1]);
		}
		side_main(run, sv[1], 0, pp[1][1]);
	}
	if (run->relay && (pid[2] = fork()) == 0) {
		close(sv[0]);
		close(sv2[1]);
		relay_main(sv[1], sv2[0], run->relay);
	}
	close(sv[0]);
	close(sv[1]);
	if (sv2[0] >= 0)
		close(sv2[0]), close(sv2[1]);
	for (i = 0; i < 2; i++) {
		close(pp[i][1]);
		if (read_all(pp[i][0], &rep[i], sizeof(rep[i])) != (ssize_t)sizeof(rep[i])) {
			memset(&rep[i], 0, sizeof(rep[i]));
			str_copy(rep[i].why, "no report (killed?)", sizeof(rep[i].why));
		}
		close(pp[i][0]);
	}
	for (i = 0; i < 3; i++)
		if (pid[i] > 0)
			waitpid(pid[i], &status, 0);
}

/* check_run - run and report one configuration */
static void
check_run(const struct run *run)
{
	struct report rep[2];
	int i;

	run_one(run, rep);
	for (i = 0; i < 2; i++) {
		ok(rep[i].ok, "%s: %s side %s%s", run->name, i ? "callee" : "caller",
		    rep[i].ok ? "done" : "failed: ", rep[i].why);
		diag("%s %s: %.2f s, packets sent %lu resent %lu received %lu, "
		    "bad checksums %lu, bad headers %lu, timeouts %lu, RJ sent %lu received %lu",
		    run->name, i ? "callee" : "caller", rep[i].seconds, rep[i].st.packets_sent,
		    rep[i].st.packets_resent, rep[i].st.packets_received, rep[i].st.checksum_errors,
		    rep[i].st.header_errors, rep[i].st.timeouts, rep[i].st.rejects_sent,
		    rep[i].st.rejects_received);
	}
	if (run->quick)
		ok(rep[0].ok && rep[1].ok && rep[0].st.timeouts + rep[1].st.timeouts == 0,
		    "%s: every loss mended before the %d s timeout", run->name, run->timeout_s);
	if (run->maxratio > 0) {
		unsigned long long payload = 0;

		for (i = 0; run->files[i] != (size_t)-1; i++)
			payload += run->files[i];
		for (i = 0; i < 2; i++)
			ok(rep[i].ok && (double)rep[i].written <= run->maxratio * (double)payload,
			    "%s: %s wrote %llu bytes for %llu bytes of files (at most %.2f times)",
			    run->name, i ? "callee" : "caller", rep[i].written, payload, run->maxratio);
	}
	if (run->relay)
		ok(rep[0].st.packets_resent + rep[1].st.packets_resent > 0 &&
		    rep[0].st.checksum_errors + rep[1].st.checksum_errors > 0,
		    "%s: damage was seen and packets were sent again", run->name);
}

int
main(void)
{
	static const size_t files[] = { 0, 1, 4097, 300000, (size_t)-1 };
	static const size_t small[] = { 0, 1, 4097, 70000, (size_t)-1 };
	static const size_t noisy[] = { 1, 4097, 30000, (size_t)-1 };
	static const size_t big[] = { 4 << 20, (size_t)-1 };
	/* mail-sized files: the last bytes must not ride in a 4096-byte
	 * packet (commands, end-of-file packets and RRs make the rest) */
	static const size_t mails[] = { 2048, 2048, 3000, 2100, 4095, 6000, 2048, 2048,
		(size_t)-1 };
	static const size_t lossy[] = { 60000, 2048, 2048, 2048, 2048, 2048, 2048, 2048, 2048,
		2048, 2048, 2048, 2048, (size_t)-1 };
	const struct run runs[] = {
		{ "g 1/32", 'g', { 1, 32 }, { 1, 32 }, small, 5, 0, 0, 0, 0, 0 },
		{ "g 3/64", 'g', { 3, 64 }, { 3, 64 }, files, 5, 0, 0, 0, 0, 0 },
		{ "g 7/4096", 'g', { 7, 4096 }, { 7, 4096 }, files, 5, 0, 0, 0, 0, 0 },
		{ "g 2/128 vs 7/1024", 'g', { 2, 128 }, { 7, 1024 }, files, 5, 0, 0, 0, 0, 0 },
		{ "g 7/4096 vs 1/32", 'g', { 7, 4096 }, { 1, 32 }, small, 5, 0, 0, 0, 0, 0 },
		{ "G 7/64 vs 3/256", 'G', { 7, 64 }, { 3, 256 }, files, 5, 0, 0, 0, 0, 0 },
		{ "g 7/4096 4 MiB", 'g', { 7, 4096 }, { 7, 4096 }, big, 5, 0, 0, 0, 0, 0 },
		{ "g 7/128 damaged", 'g', { 7, 128 }, { 7, 128 }, noisy, 1, 1000, 25, 0, 0, 0 },
		{ "g 3/64 damaged", 'g', { 3, 64 }, { 3, 64 }, noisy, 1, 1000, 15, 0, 0, 0 },
		{ "g vanishing peer", 'g', { 3, 64 }, { 3, 64 }, files, 5, 0, 0, 1, 0, 0 },
		{ "g 7/4096 small files", 'g', { 7, 4096 }, { 7, 4096 }, mails, 5, 0, 0, 0, 0,
			1.15 },
		/* Taylor's default limits: 10 s timeout, 100 errors */
		{ "g 7/4096 lossy", 'g', { 7, 4096 }, { 7, 4096 }, lossy, 10, 100, -50, 0, 1, 0 },
	};
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	ok(proto_new('x', NULL, &(struct proto_params){ .window = 0 }, 1) == NULL,
	    "an unknown protocol letter gives NULL");
	ok(strchr(proto_supported(), 'g') != NULL, "g is supported");
	for (i = 0; i < UTIL_ARRAY_LEN(runs); i++)
		check_run(&runs[i]);
	return done_testing();
}
