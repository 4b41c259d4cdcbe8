/*
 * port_pipe.c - a port that is a program's stdin and stdout, such as an
 * ssh to the neighbour.  The program runs from an argv without a shell,
 * on one end of a socketpair; closing the port reaps it.  What the program
 * writes is not interpreted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "modem/port.h"
#include "modem/port_priv.h"

#define PORT_PIPE_REAP_MS 2000	/* wait this long before SIGTERM on close */

struct port_pipe_priv {
	pid_t pid;
};

/* port_pipe_read - read with a deadline */
static ssize_t
port_pipe_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	return port_fd_read_deadline(p->rfd, buf, len, timeout_ms);
}

/* port_pipe_write - write all */
static int
port_pipe_write(struct port *p, const void *buf, size_t len)
{
	return port_fd_write_all(p->wfd, buf, len);
}

/* port_pipe_set_line - nothing to set */
static int
port_pipe_set_line(struct port *p, const struct port_line *line)
{
	(void)p;
	(void)line;
	return 0;
}

/* port_pipe_hangup - shut the socket down: the program sees end of file */
static int
port_pipe_hangup(struct port *p)
{
	if (shutdown(p->rfd, SHUT_RDWR) < 0 && errno != ENOTCONN)
		return -1;
	return 0;
}

/* port_pipe_reap - wait for the child, then terminate it if it lingers */
static void
port_pipe_reap(pid_t pid)
{
	long long deadline = now_ms() + PORT_PIPE_REAP_MS;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int st;

	while (now_ms() < deadline) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return;
		nanosleep(&ts, NULL);
	}
	(void)kill(pid, SIGTERM);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* port_pipe_close - close our end and reap the program */
static void
port_pipe_close(struct port *p)
{
	struct port_pipe_priv *pp = p->priv;

	close(p->rfd);
	port_pipe_reap(pp->pid);
	free(pp);
	free(p);
}

static const struct port_ops port_pipe_ops = {
	.type = "pipe",
	.read = port_pipe_read,
	.write = port_pipe_write,
	.set_line = port_pipe_set_line,
	.hangup = port_pipe_hangup,
	.close = port_pipe_close,
};

/* port_pipe_child - in the child: the line on 0 and 1, then exec */
static void __attribute__((noreturn))
port_pipe_child(int line, int report, char *const argv[])
{
	int e;

	if (dup2(line, 0) < 0 || dup2(line, 1) < 0)
		goto fail;
	if (line > 1)
		close(line);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(report, &e, sizeof(e)) < 0) {
		/* the parent will see a plain end of file */
	}
	_exit(127);
}

/* port_pipe_open - run argv with its stdin/stdout as the line */
struct port *
port_pipe_open(char *const argv[], char *err, size_t errlen)
{
	struct port_pipe_priv *pp = NULL;
	struct port *p;
	int sv[2] = { -1, -1 }, rep[2] = { -1, -1 }, e = 0, st;
	char name[256];
	pid_t pid;
	ssize_t n;

	if (argv == NULL || argv[0] == NULL) {
		port_err(err, errlen, 0, "pipe: no program");
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe(rep) < 0 || fcntl(rep[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(rep[1], F_SETFD, FD_CLOEXEC) < 0 || (pp = calloc(1, sizeof(*pp))) == NULL) {
		port_err(err, errlen, 1, "pipe %s", argv[0]);
		goto fail;
	}
	if ((pid = fork()) < 0) {
		port_err(err, errlen, 1, "fork %s", argv[0]);
		goto fail;
	}
	if (pid == 0)
		port_pipe_child(sv[1], rep[1], argv);
	close(sv[1]);
	close(rep[1]);
	sv[1] = rep[1] = -1;
	while ((n = read(rep[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(rep[0]);
	rep[0] = -1;
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		errno = e;
		port_err(err, errlen, 1, "cannot run %s", argv[0]);
		goto fail;
	}
	(void)snprintf(name, sizeof(name), "pipe:%s", argv[0]);
	if ((p = port_alloc(&port_pipe_ops, sv[0], sv[0], name, err, errlen)) == NULL) {
		close(sv[0]);
		port_pipe_reap(pid);
		free(pp);
		return NULL;
	}
	pp->pid = pid;
	p->priv = pp;
	return p;
fail:
	free(pp);
	for (e = 0; e < 2; e++) {
		if (sv[e] >= 0)
			close(sv[e]);
		if (rep[e] >= 0)
			close(rep[e]);
	}
	return NULL;
}
