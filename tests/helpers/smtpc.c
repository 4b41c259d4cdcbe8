/*
 * smtpc.c - a raw SMTP test client for the gateway's tests.
 *
 *   smtpc [-d MS] [-t SECS] HOST PORT < script
 *
 * Sends the script's bytes exactly as they are (CRLF, bare LF, NUL and
 * all), one byte every MS milliseconds with -d, and copies whatever the
 * server says to stdout until the server closes the connection or SECS
 * (default 20) pass.  Exit 0 when the server closed, 1 otherwise.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"

/* smtpc_connect - a TCP connection to host:port, or -1 */
static int
smtpc_connect(const char *host, const char *port)
{
	struct addrinfo hints = { 0 }, *res;
	int fd;

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
main(int argc, char **argv)
{
	long delay = 0, secs = 20;
	size_t len = 0, off = 0;
	long long end, next = 0;
	char *script, buf[8192];
	struct pollfd p;
	ssize_t n;
	int ch, fd, rc = 1;

	while ((ch = getopt(argc, argv, "d:t:")) != -1) {
		if (ch == 'd')
			delay = atol(optarg);
		else if (ch == 't')
			secs = atol(optarg);
		else
			return 2;
	}
	if (argc - optind != 2)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	script = malloc(64 << 20);
	if (!script)
		return 1;
	while ((n = read(0, script + len, (64 << 20) - len)) > 0)
		len += (size_t)n;
	fd = smtpc_connect(argv[optind], argv[optind + 1]);
	if (fd < 0) {
		perror("smtpc: connect");
		goto out;
	}
	end = now_ms() + secs * 1000;
	while (now_ms() < end) {
		p.fd = fd;
		p.events = POLLIN | (off < len && now_ms() >= next ? POLLOUT : 0);
		if (poll(&p, 1, 50) < 0 && errno != EINTR)
			break;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0) {
				rc = 0;
				goto out;
			}
			write_all(1, buf, (size_t)n);
		}
		if ((p.revents & POLLOUT) && off < len) {
			n = write(fd, script + off, delay ? 1 : len - off);
			if (n < 0)
				off = len;
			else
				off += (size_t)n;
			next = now_ms() + delay;
		}
	}
	fprintf(stderr, "smtpc: timeout\n");
out:
	if (fd >= 0)
		close(fd);
	free(script);
	return rc;
}
