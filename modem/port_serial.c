/*
 * port_serial.c - real serial devices through libserialport: speed,
 * framing, flow control and DTR.  libserialport finds ports in sysfs and
 * cannot open PTYs; those go through port_tty.c.  The descriptor under
 * the port is polled and read directly; the bytes are not interpreted.
 */
#include <errno.h>
#include <libserialport.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "modem/port.h"
#include "modem/port_priv.h"

struct port_serial_priv {
	struct sp_port *sp;
	int locked;		/* holds the device's LCK.. file */
};

/* port_serial_fail - put libserialport's last error into err */
static void
port_serial_fail(char *err, size_t errlen, const char *path, const char *what)
{
	char *msg = sp_last_error_message();

	port_err(err, errlen, 0, "%s: %s: %s", path, what, msg ? msg : "failed");
	if (msg)
		sp_free_error_message(msg);
}

/* port_serial_apply - apply a port_line through libserialport */
static int
port_serial_apply(struct sp_port *sp, int fd, const struct port_line *line, const char *path,
    char *err, size_t errlen)
{
	enum sp_parity par = SP_PARITY_NONE;
	enum sp_flowcontrol flow = SP_FLOWCONTROL_NONE;
	struct termios t;

	if (line->parity == 'E' || line->parity == 'e')
		par = SP_PARITY_EVEN;
	else if (line->parity == 'O' || line->parity == 'o')
		par = SP_PARITY_ODD;
	if (line->rtscts)
		flow = SP_FLOWCONTROL_RTSCTS;
	else if (line->xonxoff)
		flow = SP_FLOWCONTROL_XONXOFF;
	if (line->speed > 0 && line->speed <= 0x7fffffff &&
	    sp_set_baudrate(sp, (int)line->speed) != SP_OK)
		goto fail;
	if (line->databits != 0 && sp_set_bits(sp, line->databits) != SP_OK)
		goto fail;
	if (sp_set_parity(sp, par) != SP_OK)
		goto fail;
	if (sp_set_stopbits(sp, line->stopbits == 2 ? 2 : 1) != SP_OK)
		goto fail;
	if (sp_set_flowcontrol(sp, flow) != SP_OK)
		goto fail;
	/* libserialport 0.1.1 always sets CLOCAL and, asked for RTS/CTS, does
	 * not set CRTSCTS: put both right through termios. */
	if (tcgetattr(fd, &t) < 0) {
		port_err(err, errlen, 1, "%s: tcgetattr", path);
		return -1;
	}
	t.c_cflag &= ~(tcflag_t)(CLOCAL | CRTSCTS);
	t.c_cflag |= (line->local ? CLOCAL : 0) | (line->rtscts ? CRTSCTS : 0);
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		port_err(err, errlen, 1, "%s: tcsetattr", path);
		return -1;
	}
	return 0;
fail:
	port_serial_fail(err, errlen, path, "line settings");
	return -1;
}

/* port_serial_read - read with a deadline from the device descriptor */
static ssize_t
port_serial_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	return port_fd_read_deadline(p->rfd, buf, len, timeout_ms);
}

/* port_serial_write - write all */
static int
port_serial_write(struct port *p, const void *buf, size_t len)
{
	return port_fd_write_all(p->wfd, buf, len);
}

/* port_serial_set_line - apply line settings */
static int
port_serial_set_line(struct port *p, const struct port_line *line)
{
	struct port_serial_priv *sp = p->priv;

	return port_serial_apply(sp->sp, p->rfd, line, p->name, NULL, 0);
}

/* port_serial_hangup - drop DTR */
static int
port_serial_hangup(struct port *p)
{
	struct port_serial_priv *sp = p->priv;

	return sp_set_dtr(sp->sp, SP_DTR_OFF) == SP_OK ? 0 : -1;
}

/* port_serial_close - close the device, release its lock, free */
static void
port_serial_close(struct port *p)
{
	struct port_serial_priv *sp = p->priv;

	sp_close(sp->sp);
	sp_free_port(sp->sp);
	if (sp->locked)
		port_unlock(p->name);
	free(sp);
	free(p);
}

static const struct port_ops port_serial_ops = {
	.type = "serial",
	.read = port_serial_read,
	.write = port_serial_write,
	.set_line = port_serial_set_line,
	.hangup = port_serial_hangup,
	.close = port_serial_close,
};

/* port_serial_open - open a serial device through libserialport */
struct port *
port_serial_open(const char *path, const struct port_line *line, char *err, size_t errlen)
{
	struct port_serial_priv *sp = calloc(1, sizeof(*sp));
	struct port_line def = { .local = 1 };
	struct port *p = NULL;
	int fd = -1, opened = 0;

	if (sp == NULL) {
		port_err(err, errlen, 1, "%s", path);
		return NULL;
	}
	if ((sp->locked = port_lock_open(path, err, errlen)) < 0) {
		free(sp);
		return NULL;
	}
	if (sp_get_port_by_name(path, &sp->sp) != SP_OK) {
		port_serial_fail(err, errlen, path, "no such serial port");
		goto fail;
	}
	if (sp_open(sp->sp, SP_MODE_READ_WRITE) != SP_OK) {
		port_serial_fail(err, errlen, path, "open");
		goto fail;
	}
	opened = 1;
	if (sp_get_port_handle(sp->sp, &fd) != SP_OK || fd < 0) {
		port_serial_fail(err, errlen, path, "handle");
		goto fail;
	}
	if (port_serial_apply(sp->sp, fd, line ? line : &def, path, err, errlen) < 0)
		goto fail;
	if (sp_set_dtr(sp->sp, SP_DTR_ON) != SP_OK) {
		port_serial_fail(err, errlen, path, "DTR");
		goto fail;
	}
	if ((p = port_alloc(&port_serial_ops, fd, fd, path, err, errlen)) == NULL)
		goto fail;
	p->priv = sp;
	return p;
fail:
	if (opened)
		sp_close(sp->sp);
	if (sp->sp)
		sp_free_port(sp->sp);
	if (sp->locked)
		port_unlock(path);
	free(sp);
	return NULL;
}
