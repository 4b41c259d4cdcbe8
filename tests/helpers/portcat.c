/*
 * portcat.c - drive Brigade's ports from shell tests.
 *
 *   portcat connect HOST SERVICE      send stdin over TCP, expect it echoed
 *   portcat pipe PROGRAM [ARG...]     the same through a pipe port
 *   portcat tty PATH                  the same through a tty port
 *   portcat listen ADDR SERVICE FILE  accept one TCP caller and echo it;
 *                                     FILE gets the port number once listening
 *   portcat stdio                     echo on stdin/stdout as a stdio port
 *   portcat ttyecho PATH COUNT        echo COUNT bytes on a tty port
 *
 * A client sends its input in blocks and reads each block back before the
 * next, writing what came back to stdout.  Servers print "in=N out=N" on
 * stderr when done.  Exit status 0 on success, 1 with a reason otherwise.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"
#include "modem/port.h"

#define PORTCAT_BLOCK 4096
#define PORTCAT_WAIT_MS 20000

/* portcat_client - send stdin in blocks, read each back, copy it to stdout */
static int
portcat_client(struct port *p)
{
	char out[PORTCAT_BLOCK], back[PORTCAT_BLOCK];
	ssize_t n;

	while ((n = read(0, out, sizeof(out))) > 0) {
		if (port_write(p, out, (size_t)n) < 0) {
			fprintf(stderr, "portcat: write: %s\n", strerror(errno));
			return 1;
		}
		if (port_read_full(p, back, (size_t)n, PORTCAT_WAIT_MS) != n) {
			fprintf(stderr, "portcat: echo did not come back\n");
			return 1;
		}
		if (write_all(1, back, (size_t)n) < 0)
			return 1;
	}
	return n < 0 ? 1 : 0;
}

/* portcat_echo - echo until end of file (or count bytes when count > 0) */
static int
portcat_echo(struct port *p, unsigned long long count)
{
	char buf[PORTCAT_BLOCK];

	while (count == 0 || p->bytes_in < count) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (count > 0 && count - p->bytes_in < want)
			want = (size_t)(count - p->bytes_in);
		n = port_read(p, buf, want, PORTCAT_WAIT_MS);
		if (n == 0) {
			fprintf(stderr, "portcat: timed out\n");
			return 1;
		}
		if (n < 0)
			break;
		if (port_write(p, buf, (size_t)n) < 0)
			return 1;
	}
	fprintf(stderr, "in=%llu out=%llu\n", p->bytes_in, p->bytes_out);
	return 0;
}

/* portcat_listen - listen, publish the port number, echo one caller */
static int
portcat_listen(const char *addr, const char *service, const char *file, char *err,
    size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct port *p;
	char num[16];
	int lfd, rc, portno;

	if ((lfd = port_tcp_listen(addr, service, err, errlen)) < 0)
		return -1;
	if (getsockname(lfd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	portno = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
	    : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	snprintf(num, sizeof(num), "%d\n", portno);
	if (file_write_atomic(file, num, strlen(num), 0644) < 0)
		return -1;
	if ((p = port_tcp_accept(lfd, err, errlen)) == NULL)
		return -1;
	close(lfd);
	rc = portcat_echo(p, 0);
	port_close(p);
	return rc;
}

/* portcat_usage - how to call portcat */
static int
portcat_usage(void)
{
	fprintf(stderr, "usage: portcat connect HOST SERVICE | pipe PROGRAM [ARG...] | tty PATH\n"
	    "       portcat listen ADDR SERVICE FILE | stdio | ttyecho PATH COUNT\n");
	return 2;
}

int
main(int argc, char **argv)
{
	char err[512] = "";
	struct port *p = NULL;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return portcat_usage();
	if (strcmp(argv[1], "listen") == 0 && argc == 5) {
		if (portcat_listen(argv[2], argv[3], argv[4], err, sizeof(err)) == 0)
			return 0;
		fprintf(stderr, "portcat: %s\n", err[0] ? err : strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "connect") == 0 && argc == 4)
		p = port_tcp_connect(argv[2], argv[3], 5000, err, sizeof(err));
	else if (strcmp(argv[1], "pipe") == 0 && argc >= 3)
		p = port_pipe_open(argv + 2, err, sizeof(err));
	else if ((strcmp(argv[1], "tty") == 0 && argc == 3) ||
	    (strcmp(argv[1], "ttyecho") == 0 && argc == 4))
		p = port_tty_open(argv[2], NULL, err, sizeof(err));
	else if (strcmp(argv[1], "stdio") == 0 && argc == 2)
		p = port_stdio_open(err, sizeof(err));
	else
		return portcat_usage();
	if (p == NULL) {
		fprintf(stderr, "portcat: %s\n", err);
		return 1;
	}
	if (strcmp(argv[1], "stdio") == 0)
		rc = portcat_echo(p, 0);
	else if (strcmp(argv[1], "ttyecho") == 0)
		rc = portcat_echo(p, strtoull(argv[3], NULL, 10));
	else
		rc = portcat_client(p);
	port_close(p);
	return rc;
}
