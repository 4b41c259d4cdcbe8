/*
 * port_tcp.c - TCP ports: connect to a neighbour with a deadline, or
 * listen and accept callers.  TCP is reliable and flow-controlled, so the
 * port says so (protocols such as t and e may then be offered).  Names
 * come from configuration; received bytes are not interpreted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"
#include "modem/port.h"
#include "modem/port_priv.h"

/* port_tcp_read - read with a deadline */
static ssize_t
port_tcp_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	return port_fd_read_deadline(p->rfd, buf, len, timeout_ms);
}

/* port_tcp_write - write all */
static int
port_tcp_write(struct port *p, const void *buf, size_t len)
{
	return port_fd_write_all(p->wfd, buf, len);
}

/* port_tcp_set_line - nothing to set on a socket */
static int
port_tcp_set_line(struct port *p, const struct port_line *line)
{
	(void)p;
	(void)line;
	return 0;
}

/* port_tcp_hangup - shut the connection down both ways */
static int
port_tcp_hangup(struct port *p)
{
	if (shutdown(p->rfd, SHUT_RDWR) < 0 && errno != ENOTCONN)
		return -1;
	return 0;
}

/* port_tcp_close - close and free */
static void
port_tcp_close(struct port *p)
{
	close(p->rfd);
	free(p);
}

static const struct port_ops port_tcp_ops = {
	.type = "tcp",
	.read = port_tcp_read,
	.write = port_tcp_write,
	.set_line = port_tcp_set_line,
	.hangup = port_tcp_hangup,
	.close = port_tcp_close,
};

/* port_tcp_wrap - a port on connected socket fd: blocking, no Nagle */
static struct port *
port_tcp_wrap(int fd, const char *name, char *err, size_t errlen)
{
	struct port *p;
	int one = 1, fl;

	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		port_err(err, errlen, 1, "%s: fcntl", name);
		close(fd);
		return NULL;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((p = port_alloc(&port_tcp_ops, fd, fd, name, err, errlen)) == NULL) {
		close(fd);
		return NULL;
	}
	p->reliable = 1;
	return p;
}

/* port_tcp_try - connect one address within the deadline; fd or -1 */
static int
port_tcp_try(const struct addrinfo *ai, long long deadline)
{
	int fd, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		long long rest = deadline < 0 ? -1 : deadline - now_ms();
		int r;

		if (deadline >= 0 && rest <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		r = poll(&pfd, 1, (int)rest);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

/* port_tcp_connect - connect to host:service within timeout_ms */
struct port *
port_tcp_connect(const char *host, const char *service, int timeout_ms, char *err,
    size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
	struct addrinfo *res = NULL, *ai;
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	char name[256];
	int fd = -1, rc;

	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		port_err(err, errlen, 0, "%s:%s: %s", host, service, gai_strerror(rc));
		return NULL;
	}
	errno = ECONNREFUSED;
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = port_tcp_try(ai, deadline);
	freeaddrinfo(res);
	if (fd < 0) {
		port_err(err, errlen, 1, "connect %s:%s", host, service);
		return NULL;
	}
	(void)str_fmt(name, sizeof(name), "%s:%s", host, service);
	return port_tcp_wrap(fd, name, err, errlen);
}

/* port_tcp_listen - a listening socket on addr:service */
int
port_tcp_listen(const char *addr, const char *service, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL, *ai;
	int fd = -1, rc, one = 1;

	if (addr != NULL && *addr == '\0')
		addr = NULL;
	rc = getaddrinfo(addr, service, &hints, &res);
	if (rc != 0) {
		port_err(err, errlen, 0, "%s:%s: %s", addr ? addr : "*", service,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0)
			break;
		rc = errno;
		close(fd);
		errno = rc;
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		port_err(err, errlen, 1, "listen %s:%s", addr ? addr : "*", service);
	return fd;
}

/* port_tcp_accept - wait for one caller on lfd and return its port */
struct port *
port_tcp_accept(int lfd, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV], name[256];
	int fd;

	do
		fd = accept(lfd, (struct sockaddr *)&ss, &sl);
	while (fd < 0 && errno == ECONNABORTED);
	if (fd < 0) {
		port_err(err, errlen, 1, "accept");
		return NULL;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		(void)snprintf(name, sizeof(name), "tcp-caller");
	else
		(void)str_fmt(name, sizeof(name), "%s:%s", host, serv);
	return port_tcp_wrap(fd, name, err, errlen);
}
