/*
 * port_fd.c - ports on descriptors someone else opened: fds 0 and 1 for a
 * uucico started by a login, inetd or systemd, or any descriptor pair.
 * When the input is a terminal it is put into raw 8-bit mode and restored
 * on close.  The bytes themselves are not interpreted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "modem/port.h"
#include "modem/port_priv.h"

struct port_fd_priv {
	int own;		/* close the descriptors on close */
	int tty;		/* rfd is a terminal */
	int saved_ok;		/* saved holds the settings to restore */
	struct termios saved;
};

/* port_fd_read - read with a deadline */
static ssize_t
port_fd_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	return port_fd_read_deadline(p->rfd, buf, len, timeout_ms);
}

/* port_fd_write - write all */
static int
port_fd_write(struct port *p, const void *buf, size_t len)
{
	return port_fd_write_all(p->wfd, buf, len);
}

/* port_fd_set_line - apply line settings when the line is a terminal */
static int
port_fd_set_line(struct port *p, const struct port_line *line)
{
	struct port_fd_priv *fp = p->priv;

	if (!fp->tty)
		return 0;
	return port_tty_setup(p->rfd, line, NULL, 0);
}

/* port_fd_hangup - drop DTR on a terminal, shut a socket down */
static int
port_fd_hangup(struct port *p)
{
	struct port_fd_priv *fp = p->priv;
	struct stat st;

	if (fp->tty)
		return port_tty_drop_dtr(p->rfd);
	if (fstat(p->wfd, &st) == 0 && S_ISSOCK(st.st_mode))
		return shutdown(p->wfd, SHUT_RDWR);
	return 0;
}

/* port_fd_close - restore the terminal, close what we own, free */
static void
port_fd_close(struct port *p)
{
	struct port_fd_priv *fp = p->priv;

	if (fp->tty && fp->saved_ok)
		(void)tcsetattr(p->rfd, TCSANOW, &fp->saved);
	if (fp->own) {
		close(p->rfd);
		if (p->wfd != p->rfd)
			close(p->wfd);
	}
	free(fp);
	free(p);
}

static const struct port_ops port_fd_ops = {
	.type = "stdio",
	.read = port_fd_read,
	.write = port_fd_write,
	.set_line = port_fd_set_line,
	.hangup = port_fd_hangup,
	.close = port_fd_close,
};

/* port_fd_make - a port on rfd/wfd; raw mode when rfd is a terminal */
static struct port *
port_fd_make(int rfd, int wfd, const char *name, int own, char *err, size_t errlen)
{
	struct port_fd_priv *fp = calloc(1, sizeof(*fp));
	struct port *p;

	if (fp == NULL) {
		port_err(err, errlen, 1, "%s", name);
		return NULL;
	}
	p = port_alloc(&port_fd_ops, rfd, wfd, name, err, errlen);
	if (p == NULL) {
		free(fp);
		return NULL;
	}
	p->priv = fp;
	fp->own = own;
	fp->tty = isatty(rfd);
	if (fp->tty) {
		fp->saved_ok = tcgetattr(rfd, &fp->saved) == 0;
		if (port_tty_setup(rfd, NULL, err, errlen) < 0) {
			fp->own = 0;
			port_fd_close(p);
			return NULL;
		}
	}
	return p;
}

/* port_stdio_open - the line is fds 0 and 1 */
struct port *
port_stdio_open(char *err, size_t errlen)
{
	return port_fd_make(0, 1, "stdin", 0, err, errlen);
}

/* port_fd_open - the line is a descriptor pair the port now owns */
struct port *
port_fd_open(int rfd, int wfd, const char *name, char *err, size_t errlen)
{
	if (rfd < 0 || wfd < 0) {
		port_err(err, errlen, 0, "%s: bad descriptor", name);
		return NULL;
	}
	return port_fd_make(rfd, wfd, name, 1, err, errlen);
}
