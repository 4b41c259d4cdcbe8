/*
 * port_tty.c - terminal ports through termios: PTYs (which libserialport
 * cannot open) and any tty device given by path.  The line is raw 8-bit:
 * no echo, no translation, no signals, so every byte value passes.  The
 * bytes read are not interpreted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "modem/port.h"
#include "modem/port_priv.h"

struct port_tty_priv {
	int saved_ok;
	struct termios saved;	/* settings at open, restored on close */
	int locked;		/* holds the device's LCK.. file */
};

static const struct {
	long bps;
	speed_t code;
} port_tty_speeds[] = {
	{ 50, B50 }, { 75, B75 }, { 110, B110 }, { 134, B134 }, { 150, B150 },
	{ 200, B200 }, { 300, B300 }, { 600, B600 }, { 1200, B1200 },
	{ 1800, B1800 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 },
#ifdef B460800
	{ 460800, B460800 },
#endif
#ifdef B921600
	{ 921600, B921600 },
#endif
};

/* port_tty_speed - map bits per second to a termios speed */
speed_t
port_tty_speed(long bps)
{
	size_t i;

	for (i = 0; i < sizeof(port_tty_speeds) / sizeof(port_tty_speeds[0]); i++)
		if (port_tty_speeds[i].bps == bps)
			return port_tty_speeds[i].code;
	return (speed_t)-1;
}

/* port_tty_framing - apply data bits, parity, stop bits and flow control */
static int
port_tty_framing(struct termios *t, const struct port_line *line, char *err, size_t errlen)
{
	static const tcflag_t sizes[] = { CS5, CS6, CS7, CS8 };

	if (line->databits != 0) {
		if (line->databits < 5 || line->databits > 8) {
			port_err(err, errlen, 0, "bad data bits %d", line->databits);
			return -1;
		}
		t->c_cflag = (t->c_cflag & ~(tcflag_t)CSIZE) | sizes[line->databits - 5];
	}
	t->c_cflag &= ~(tcflag_t)(PARENB | PARODD);
	if (line->parity == 'E' || line->parity == 'e')
		t->c_cflag |= PARENB;
	else if (line->parity == 'O' || line->parity == 'o')
		t->c_cflag |= PARENB | PARODD;
	else if (line->parity != 0 && line->parity != 'N' && line->parity != 'n') {
		port_err(err, errlen, 0, "bad parity '%c'", line->parity);
		return -1;
	}
	if (line->stopbits == 2)
		t->c_cflag |= CSTOPB;
	else
		t->c_cflag &= ~(tcflag_t)CSTOPB;
	if (line->rtscts)
		t->c_cflag |= CRTSCTS;
	else
		t->c_cflag &= ~(tcflag_t)CRTSCTS;
	if (line->xonxoff)
		t->c_iflag |= IXON | IXOFF;
	else
		t->c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	if (line->local)
		t->c_cflag |= CLOCAL;
	else
		t->c_cflag &= ~(tcflag_t)CLOCAL;
	return 0;
}

/* port_tty_setup - raw 8-bit mode with the line's settings */
int
port_tty_setup(int fd, const struct port_line *line, char *err, size_t errlen)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0) {
		port_err(err, errlen, 1, "tcgetattr");
		return -1;
	}
	cfmakeraw(&t);
	t.c_cflag |= CREAD | HUPCL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (line == NULL) {
		t.c_cflag |= CLOCAL;
	} else {
		if (port_tty_framing(&t, line, err, errlen) < 0)
			return -1;
		if (line->speed != 0) {
			speed_t sp = port_tty_speed(line->speed);
			if (sp == (speed_t)-1) {
				port_err(err, errlen, 0, "unsupported speed %ld", line->speed);
				return -1;
			}
			cfsetispeed(&t, sp);
			cfsetospeed(&t, sp);
		}
	}
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		port_err(err, errlen, 1, "tcsetattr");
		return -1;
	}
	return 0;
}

/* port_tty_drop_dtr - hang up by dropping DTR */
int
port_tty_drop_dtr(int fd)
{
	struct termios t;
	int bits = TIOCM_DTR, rc = 0;

	if (tcgetattr(fd, &t) == 0) {
		cfsetospeed(&t, B0);
		if (tcsetattr(fd, TCSANOW, &t) < 0)
			rc = -1;
	}
	/* A PTY has no modem lines: ENOTTY/EINVAL there is no failure. */
	if (ioctl(fd, TIOCMBIC, &bits) < 0 && errno != ENOTTY && errno != EINVAL)
		rc = -1;
	return rc;
}

/* port_tty_read - read with a deadline */
static ssize_t
port_tty_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	return port_fd_read_deadline(p->rfd, buf, len, timeout_ms);
}

/* port_tty_write - write all */
static int
port_tty_write(struct port *p, const void *buf, size_t len)
{
	return port_fd_write_all(p->wfd, buf, len);
}

/* port_tty_set_line - apply line settings */
static int
port_tty_set_line(struct port *p, const struct port_line *line)
{
	return port_tty_setup(p->rfd, line, NULL, 0);
}

/* port_tty_hangup - drop DTR */
static int
port_tty_hangup(struct port *p)
{
	return port_tty_drop_dtr(p->rfd);
}

/* port_tty_close - restore the settings at open, close, free */
static void
port_tty_close(struct port *p)
{
	struct port_tty_priv *tp = p->priv;

	if (tp->saved_ok)
		(void)tcsetattr(p->rfd, TCSANOW, &tp->saved);
	close(p->rfd);
	if (tp->locked)
		port_unlock(p->name);
	free(tp);
	free(p);
}

static const struct port_ops port_tty_ops = {
	.type = "tty",
	.read = port_tty_read,
	.write = port_tty_write,
	.set_line = port_tty_set_line,
	.hangup = port_tty_hangup,
	.close = port_tty_close,
};

/* port_tty_open - open a tty or PTY by path in raw mode */
struct port *
port_tty_open(const char *path, const struct port_line *line, char *err, size_t errlen)
{
	struct port_tty_priv *tp = NULL;
	struct port *p = NULL;
	int fd, fl, locked;

	if ((locked = port_lock_open(path, err, errlen)) < 0)
		return NULL;
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		port_err(err, errlen, 1, "open %s", path);
		if (locked)
			port_unlock(path);
		return NULL;
	}
	if (!isatty(fd)) {
		port_err(err, errlen, 0, "%s: not a terminal", path);
		goto fail;
	}
	if ((tp = calloc(1, sizeof(*tp))) == NULL) {
		port_err(err, errlen, 1, "%s", path);
		goto fail;
	}
	tp->locked = locked;
	tp->saved_ok = tcgetattr(fd, &tp->saved) == 0;
	if (port_tty_setup(fd, line, err, errlen) < 0)
		goto fail;
	/* CLOCAL is set (or carrier is up): blocking I/O is safe now. */
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		port_err(err, errlen, 1, "%s: fcntl", path);
		goto fail;
	}
	if ((p = port_alloc(&port_tty_ops, fd, fd, path, err, errlen)) == NULL)
		goto fail;
	p->priv = tp;
	return p;
fail:
	if (tp && tp->saved_ok)
		(void)tcsetattr(fd, TCSANOW, &tp->saved);
	free(tp);
	close(fd);
	if (locked)
		port_unlock(path);
	return NULL;
}
