/*
 * test_port.c - the port layer: a tty port on a PTY pair passes all 256
 * byte values both ways, times out with 0 and reports end of file as -1;
 * fd, pipe and TCP ports do the same on their descriptors; a serial
 * device (when one can be opened) takes its line settings.
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <termios.h>
#include <unistd.h>

#include "lib/util.h"
#include "modem/port.h"
#include "tests/unit/tap.h"

/* read_exact - read len bytes from a plain fd within 5 s */
static int
read_exact(int fd, unsigned char *buf, size_t len)
{
	long long deadline = now_ms() + 5000;
	size_t got = 0;

	while (got < len && now_ms() < deadline) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return -1;
	}
	return got == len ? 0 : -1;
}

/* test_tty - a tty port on the slave of a PTY pair */
static void
test_tty(void)
{
	unsigned char all[256], back[256];
	struct port_line line = { .speed = 38400, .databits = 8, .parity = 'N',
	    .stopbits = 1, .local = 1 };
	char path[64], err[256];
	struct port *p;
	int m, s, i, round;
	ssize_t n;

	if (openpty(&m, &s, path, NULL, NULL) < 0) {
		ok(0, "openpty: %s", strerror(errno));
		return;
	}
	p = port_tty_open(path, &line, err, sizeof(err));
	if (!ok(p != NULL, "tty port opens %s (%s)", path, p ? "" : err))
		return;
	ok(strcmp(p->ops->type, "tty") == 0, "its type is tty");
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (round = 0; round < 4; round++) {
		memset(back, 0, sizeof(back));
		if (write_all(m, all, sizeof(all)) < 0)
			break;
		n = port_read_full(p, back, sizeof(back), 5000);
		if (n != 256 || memcmp(all, back, 256) != 0)
			break;
		memset(back, 0, sizeof(back));
		if (port_write(p, all, sizeof(all)) < 0 || read_exact(m, back, 256) < 0 ||
		    memcmp(all, back, 256) != 0)
			break;
	}
	ok(round == 4, "all 256 byte values pass both ways, raw (%d rounds)", round);
	ok(p->bytes_in == 1024 && p->bytes_out == 1024, "counters: in=%llu out=%llu",
	    p->bytes_in, p->bytes_out);
	ok(port_read(p, back, sizeof(back), 100) == 0, "read with nothing to read times out: 0");
	if (write_all(m, "abc", 3) == 0)
		ok(port_read_full(p, back, 5, 200) == 0, "read_full of 5 with 3 sent times out: 0");
	line.speed = 9600;
	line.xonxoff = 1;
	ok(port_set_line(p, &line) == 0, "set_line 9600 with xon/xoff");
	line.speed = 12345;
	ok(port_set_line(p, &line) == -1, "set_line refuses an unknown speed");
	ok(port_hangup(p) == 0, "hangup on a PTY succeeds");
	close(m);
	close(s);
	errno = 0;
	n = port_read(p, back, sizeof(back), 1000);
	ok(n == -1 && errno == EPIPE, "master closed: read returns -1 with EPIPE");
	port_close(p);
	p = port_tty_open("/dev/null", NULL, err, sizeof(err));
	ok(p == NULL && strstr(err, "not a terminal"), "a non-tty is refused (%s)", err);
	port_close(p);
}

/* test_fd - an fd-pair port on a socketpair */
static void
test_fd(void)
{
	char err[256], buf[16];
	struct port *p;
	int sv[2];
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	p = port_fd_open(sv[0], sv[0], "sock", err, sizeof(err));
	if (!ok(p != NULL, "fd port opens"))
		return;
	ok(port_read(p, buf, sizeof(buf), 50) == 0, "fd port: timeout returns 0");
	ok(port_write(p, "ping", 4) == 0 && read_exact(sv[1], (unsigned char *)buf, 4) == 0 &&
	    memcmp(buf, "ping", 4) == 0, "fd port: write arrives");
	close(sv[1]);
	errno = 0;
	n = port_read(p, buf, sizeof(buf), 1000);
	ok(n == -1 && errno == EPIPE, "fd port: end of file is -1 with EPIPE");
	errno = 0;
	ok(port_write(p, "x", 1) == -1 && errno == EPIPE, "fd port: writing to a closed peer is EPIPE");
	port_close(p);
}

/* test_pipe - a pipe port running cat, and one running nothing */
static void
test_pipe(void)
{
	char *cat[] = { "cat", NULL };
	char *none[] = { "/nonexistent/brigade-program", NULL };
	char err[256], buf[64];
	struct port *p;

	p = port_pipe_open(cat, err, sizeof(err));
	if (ok(p != NULL, "pipe port runs cat (%s)", p ? "" : err)) {
		ok(port_write(p, "hello\0world", 11) == 0 &&
		    port_read_full(p, buf, 11, 5000) == 11 && memcmp(buf, "hello\0world", 11) == 0,
		    "bytes come back through cat");
		ok(port_hangup(p) == 0 && port_read(p, buf, sizeof(buf), 2000) == -1,
		    "after hangup the line reads end of file");
		port_close(p);
	}
	p = port_pipe_open(none, err, sizeof(err));
	ok(p == NULL && strstr(err, "cannot run"), "a missing program fails at open (%s)", err);
}

/* test_tcp - connect, accept, both ways, refused connections */
static void
test_tcp(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char err[256] = "", svc[16], buf[8];
	struct port *c, *a;
	int lfd;

	lfd = port_tcp_listen("127.0.0.1", "0", err, sizeof(err));
	if (!ok(lfd >= 0, "listen on 127.0.0.1 (%s)", lfd >= 0 ? "" : err))
		return;
	getsockname(lfd, (struct sockaddr *)&sin, &sl);
	snprintf(svc, sizeof(svc), "%u", ntohs(sin.sin_port));
	c = port_tcp_connect("127.0.0.1", svc, 5000, err, sizeof(err));
	a = c ? port_tcp_accept(lfd, err, sizeof(err)) : NULL;
	if (ok(c && a, "connect and accept (%s)", err)) {
		ok(c->reliable && a->reliable, "TCP ports are reliable");
		ok(port_write(c, "abc", 3) == 0 && port_read_full(a, buf, 3, 5000) == 3 &&
		    memcmp(buf, "abc", 3) == 0, "caller to callee");
		ok(port_write(a, "xyz", 3) == 0 && port_read_full(c, buf, 3, 5000) == 3 &&
		    memcmp(buf, "xyz", 3) == 0, "callee to caller");
		port_hangup(a);
		ok(port_read(c, buf, sizeof(buf), 2000) == -1 && errno == EPIPE,
		    "the callee hanging up is end of file for the caller");
	}
	port_close(c);
	port_close(a);
	close(lfd);
	c = port_tcp_connect("127.0.0.1", svc, 2000, err, sizeof(err));
	ok(c == NULL && strstr(err, "refused"), "a closed port is refused (%s)", err);
	port_close(c);
}

/* test_serial - line settings on a real serial device, when there is one */
static void
test_serial(void)
{
	struct port_line line = { .speed = 9600, .databits = 7, .parity = 'E', .stopbits = 1,
	    .local = 1 };
	const char *dev = getenv("BRIGADE_SERIAL") ? getenv("BRIGADE_SERIAL") : "/dev/ttyS0";
	char err[256];
	struct termios t;
	struct port *p;

	p = port_serial_open("/dev/pts/0-brigade-none", &line, err, sizeof(err));
	ok(p == NULL, "a device libserialport does not know is refused (%s)", err);
	if (access(dev, R_OK | W_OK) != 0 || (p = port_serial_open(dev, &line, err,
	    sizeof(err))) == NULL) {
		ok(1, "# skip no serial device to open (%s)", dev);
		return;
	}
	ok(tcgetattr(p->rfd, &t) == 0 && cfgetospeed(&t) == B9600 &&
	    (t.c_cflag & CSIZE) == CS7 && (t.c_cflag & PARENB) && !(t.c_cflag & PARODD),
	    "%s is set to 9600 7E1", dev);
	line.speed = 19200;
	line.databits = 8;
	line.parity = 'N';
	line.rtscts = 1;
	ok(port_set_line(p, &line) == 0 && tcgetattr(p->rfd, &t) == 0 &&
	    cfgetospeed(&t) == B19200 && (t.c_cflag & CSIZE) == CS8 && !(t.c_cflag & PARENB) &&
	    (t.c_cflag & CRTSCTS), "set_line changes it to 19200 8N1 with RTS/CTS");
	line.rtscts = 0;
	line.xonxoff = 1;
	ok(port_set_line(p, &line) == 0 && tcgetattr(p->rfd, &t) == 0 &&
	    !(t.c_cflag & CRTSCTS) && (t.c_iflag & IXON) && (t.c_iflag & IXOFF),
	    "and to XON/XOFF");
	ok(port_hangup(p) == 0, "DTR drops");
	port_close(p);
}

/* test_write_stall - a line that takes no more bytes (its far end never
 * reads, as with flow control held off for good) fails the write with
 * ETIMEDOUT after the stall time instead of blocking forever, and the
 * descriptor is blocking again afterwards */
static void
test_write_stall(void)
{
	static unsigned char big[256 * 1024];
	char path[64], err[256];
	struct port *p;
	long long t0, took;
	int m, s, r, fl;

	if (openpty(&m, &s, path, NULL, NULL) < 0) {
		ok(0, "openpty: %s", strerror(errno));
		return;
	}
	p = port_tty_open(path, NULL, err, sizeof(err));
	if (!ok(p != NULL, "tty port opens %s (%s)", path, p ? "" : err))
		return;
	port_set_write_stall(300);
	t0 = now_ms();
	errno = 0;
	r = port_write(p, big, sizeof(big));
	took = now_ms() - t0;
	ok(r == -1 && errno == ETIMEDOUT, "256 KiB to a PTY nobody reads: -1 ETIMEDOUT (%s)",
	    strerror(errno));
	ok(took >= 300 && took < 5000, "after the stall time (%lld ms for 300)", took);
	fl = fcntl(p->wfd, F_GETFL);
	ok(fl >= 0 && !(fl & O_NONBLOCK), "the descriptor is blocking again");
	port_set_write_stall(0);
	port_close(p);
	close(m);
	close(s);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	diag("ports: tty over a PTY pair, fd, pipe, TCP, serial");
	test_tty();
	test_fd();
	test_pipe();
	test_tcp();
	test_serial();
	test_write_stall();
	return done_testing();
}
