/*
 * port.c - the generic side of the port seam: the port_* entry points that
 * call through a port's operations and keep its byte counters and debug
 * log, plus the descriptor helpers the port types share.  Bytes read from a
 * port come from another machine and are never interpreted here; the debug
 * log shows them escaped and truncated.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "modem/port.h"
#include "modem/port_priv.h"

#define PORT_LOG_BYTES 64	/* bytes shown per debug line */

/* port_log_bytes - log a transfer of n bytes under LOG_D_PORT */
static void
port_log_bytes(const struct port *p, const char *what, const void *buf, size_t n)
{
	const unsigned char *s = buf;
	char text[PORT_LOG_BYTES * 4 + 8];
	size_t i, o = 0;

	if (!log_debug_on(LOG_D_PORT))
		return;
	for (i = 0; i < n && i < PORT_LOG_BYTES; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			text[o++] = (char)s[i];
		else
			o += (size_t)snprintf(text + o, sizeof(text) - o, "\\%03o", s[i]);
	}
	text[o] = '\0';
	log_debug(LOG_D_PORT, "port=%s %s %zu: \"%s\"%s", p->name, what, n, text,
	    n > PORT_LOG_BYTES ? "..." : "");
}

/* port_read - read with a deadline through the port's operations */
ssize_t
port_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	ssize_t n;

	if (len == 0)
		return 0;
	n = p->ops->read(p, buf, len, timeout_ms);
	if (n > 0) {
		p->bytes_in += (unsigned long long)n;
		port_log_bytes(p, "read", buf, (size_t)n);
	} else if (n < 0) {
		int err = errno;
		log_debug(LOG_D_PORT, "port=%s read: %s", p->name, strerror(err));
		errno = err;
	}
	return n;
}

/* port_write - write all bytes through the port's operations */
int
port_write(struct port *p, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	port_log_bytes(p, "write", buf, len);
	if (p->ops->write(p, buf, len) < 0) {
		int err = errno;
		log_debug(LOG_D_PORT, "port=%s write: %s", p->name, strerror(err));
		errno = err;
		return -1;
	}
	p->bytes_out += len;
	return 0;
}

/* port_set_line - apply line settings */
int
port_set_line(struct port *p, const struct port_line *line)
{
	return p->ops->set_line(p, line);
}

/* port_hangup - drop the line */
int
port_hangup(struct port *p)
{
	log_debug(LOG_D_PORT, "port=%s hangup", p->name);
	return p->ops->hangup(p);
}

/* port_close - release the port and free it */
void
port_close(struct port *p)
{
	if (p == NULL)
		return;
	log_debug(LOG_D_PORT, "port=%s close in=%llu out=%llu", p->name, p->bytes_in,
	    p->bytes_out);
	p->ops->close(p);
}

/* port_read_full - read exactly len bytes within one overall deadline */
ssize_t
port_read_full(struct port *p, void *buf, size_t len, int timeout_ms)
{
	unsigned char *s = buf;
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t got = 0;

	while (got < len) {
		int left = -1;
		ssize_t n;

		if (deadline >= 0) {
			long long rest = deadline - now_ms();
			if (rest < 0)
				return 0;
			left = (int)rest;
		}
		n = port_read(p, s + got, len - got, left);
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		got += (size_t)n;
	}
	return (ssize_t)len;
}

/* port_alloc - allocate and fill a port */
struct port *
port_alloc(const struct port_ops *ops, int rfd, int wfd, const char *name, char *err,
    size_t errlen)
{
	struct port *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		port_err(err, errlen, 1, "port %s", name);
		return NULL;
	}
	p->ops = ops;
	p->rfd = rfd;
	p->wfd = wfd;
	(void)str_copy(p->name, name, sizeof(p->name));
	return p;
}

/* port_err - format an error reason */
void
port_err(char *err, size_t errlen, int with_errno, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (with_errno && n < errlen)
		snprintf(err + n, errlen - n, ": %s", strerror(saved));
	errno = saved;
}

/* port_poll_until - poll fd for events until the deadline: 1 ready, 0 timeout, -1 */
static int
port_poll_until(int fd, short events, long long deadline, short *revents)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int wait = -1, r;

		if (deadline >= 0) {
			long long rest = deadline - now_ms();
			wait = rest < 0 ? 0 : (int)rest;
		}
		r = poll(&pfd, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		*revents = pfd.revents;
		return 1;
	}
}

/* port_fd_read_deadline - poll then read one descriptor */
ssize_t
port_fd_read_deadline(int fd, void *buf, size_t len, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		short rev = 0;
		ssize_t n;
		int r = port_poll_until(fd, POLLIN, deadline, &rev);

		if (r <= 0)
			return r;
		if (rev & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		n = read(fd, buf, len);
		if (n > 0)
			return n;
		if (n == 0 || errno == EIO) {
			errno = EPIPE;
			return -1;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if ((rev & (POLLHUP | POLLERR)) && !(rev & POLLIN)) {
			errno = EPIPE;
			return -1;
		}
		if (deadline >= 0 && now_ms() >= deadline)
			return 0;
	}
}

/* port_fd_is_socket - whether fd is a socket */
static int
port_fd_is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* port_fd_write_all - write everything; the descriptor is non-blocking
 * while we write (restored after), so a line that takes no byte for
 * PORT_WRITE_STALL_MS (flow control held off for good, a peer that stopped
 * reading) fails the write with ETIMEDOUT instead of blocking forever */
static int port_write_stall_ms = PORT_WRITE_STALL_MS;

/* port_set_write_stall - how long a write may wait without progress */
void
port_set_write_stall(int ms)
{
	port_write_stall_ms = ms > 0 ? ms : PORT_WRITE_STALL_MS;
}

int
port_fd_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *s = buf;
	int sock = port_fd_is_socket(fd), fl = -1, rc = 0;
	long long stall = now_ms() + port_write_stall_ms;

	if (!sock && (fl = fcntl(fd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		fl = -1;
	while (len > 0) {
		ssize_t n = sock ? send(fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT) : write(fd, s, len);
		short rev = 0;
		int r;

		if (n > 0) {
			s += n;
			len -= (size_t)n;
			stall = now_ms() + port_write_stall_ms;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			r = port_poll_until(fd, POLLOUT, stall, &rev);
			if (r < 0) {
				rc = -1;
				break;
			}
			if (r == 0) {
				log_warnx("line took no byte for %d ms: giving up the write",
				    port_write_stall_ms);
				errno = ETIMEDOUT;
				rc = -1;
				break;
			}
			if ((rev & (POLLHUP | POLLERR)) && !(rev & POLLOUT)) {
				errno = EPIPE;
				rc = -1;
				break;
			}
			continue;
		}
		if (n == 0 || errno == EIO || errno == ECONNRESET)
			errno = EPIPE;
		rc = -1;
		break;
	}
	if (fl >= 0 && !(fl & O_NONBLOCK)) {
		int err = errno;

		(void)fcntl(fd, F_SETFL, fl);
		errno = err;
	}
	return rc;
}
