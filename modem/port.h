/*
 * port.h - the port seam: a line to another machine, whatever it is.
 *
 * A protocol and the session see only a struct port.  They cannot tell a
 * null-modem cable from a PTY, a TCP socket or the stdin/stdout that a
 * getty or inetd handed us.  Each port type is one file behind the same
 * small table of operations.  Ports never touch the spool.
 */
#ifndef BRIGADE_PORT_H
#define BRIGADE_PORT_H

#include <stddef.h>
#include <sys/types.h>

struct port;

/* Line settings for ports that have them (serial lines); others ignore
 * what they cannot do.  speed 0 leaves the speed alone. */
struct port_line {
	long speed;		/* bits per second */
	int databits;		/* 5..8 */
	char parity;		/* 'N', 'E', 'O' */
	int stopbits;		/* 1 or 2 */
	int rtscts;		/* hardware flow control */
	int xonxoff;		/* software flow control */
	int local;		/* ignore carrier detect */
};

struct port_ops {
	const char *type;	/* "stdio", "tty", "tcp", "serial", "pipe" */

	/* read - wait at most timeout_ms (-1 forever) for input, then read
	 * up to len bytes.  Returns the count (> 0), 0 on timeout, or -1
	 * on end of file, hang-up or error (errno set; EPIPE for EOF). */
	ssize_t (*read)(struct port *p, void *buf, size_t len, int timeout_ms);

	/* write - write all len bytes; 0 or -1 (errno set). */
	int (*write)(struct port *p, const void *buf, size_t len);

	/* set_line - apply speed, framing and flow control; 0 or -1. */
	int (*set_line)(struct port *p, const struct port_line *line);

	/* hangup - drop the line (DTR down, socket shut down); 0 or -1. */
	int (*hangup)(struct port *p);

	/* close - release everything and free p. */
	void (*close)(struct port *p);
};

struct port {
	const struct port_ops *ops;
	int rfd;		/* descriptor to poll for input */
	int wfd;		/* descriptor written to (often == rfd) */
	int reliable;		/* an error-free, flow-controlled stream (TCP) */
	char name[256];		/* for logs: device path, host:port, "stdin" */
	unsigned long long bytes_in, bytes_out;	/* counters for the call log */
	void *priv;		/* the port type's own state */
};

/* Generic entry points: they call through ops and keep the counters. */
ssize_t port_read(struct port *p, void *buf, size_t len, int timeout_ms);
int port_write(struct port *p, const void *buf, size_t len);

/* A write fails (ETIMEDOUT) when the line takes no byte for this long:
 * flow control held off for good, or a peer that stopped reading. */
#define PORT_WRITE_STALL_MS 60000

/* port_set_write_stall - set that time for every port (ms; 0 or less:
 * the default). */
void port_set_write_stall(int ms);
int port_set_line(struct port *p, const struct port_line *line);
int port_hangup(struct port *p);
void port_close(struct port *p);

/* port_read_full - read exactly len bytes within timeout_ms overall;
 * returns len, 0 on timeout (partial data is lost), -1 on EOF/error. */
ssize_t port_read_full(struct port *p, void *buf, size_t len, int timeout_ms);

/* Constructors.  Each returns NULL on failure with a reason in err. */

/* port_stdio_open - the line is fds 0 and 1 (callee after a login, or
 * inetd/systemd socket activation).  A terminal there is made raw and
 * restored by port_close, which leaves fds 0 and 1 open. */
struct port *port_stdio_open(char *err, size_t errlen);

/* port_fd_open - the line is an already-open descriptor pair; the port
 * owns them from now on and port_close closes them. */
struct port *port_fd_open(int rfd, int wfd, const char *name, char *err, size_t errlen);

/* port_tty_open - a tty or PTY device by path, raw 8-bit, via termios. */
struct port *port_tty_open(const char *path, const struct port_line *line,
    char *err, size_t errlen);

/* port_serial_open - a real serial device through libserialport (not PTYs,
 * which libserialport cannot open; use port_tty_open for those). */
struct port *port_serial_open(const char *path, const struct port_line *line,
    char *err, size_t errlen);

/* port_tcp_connect - connect to host:service within timeout_ms. */
struct port *port_tcp_connect(const char *host, const char *service, int timeout_ms,
    char *err, size_t errlen);

/* port_tcp_listen - a listening socket on addr:service; returns the fd or
 * -1.  port_tcp_accept waits for one caller and returns its port. */
int port_tcp_listen(const char *addr, const char *service, char *err, size_t errlen);
struct port *port_tcp_accept(int lfd, char *err, size_t errlen);

/* port_pipe_open - run argv (no shell) with its stdin/stdout as the line,
 * as for an ssh to the neighbour. */
struct port *port_pipe_open(char *const argv[], char *err, size_t errlen);

/* Device lock files (HDB): LCK..NAME in the lock directory, NAME being the
 * device's path under /dev (symlinks followed) with '/' as '_', holding the
 * pid as ten ASCII digits and a newline.  port_tty_open and
 * port_serial_open take the lock and port_close releases it. */
#define PORT_LOCK_DIR "/var/lock"

/* port_lock_dir - set the lock directory (NULL or "": PORT_LOCK_DIR). */
void port_lock_dir(const char *dir);

/* port_lock - lock device path: 0; 1 when the lock directory cannot be
 * written (no lock taken, reason in err); -1 when a live process holds it
 * (its pid in err) or the lock cannot be made.  A stale lock is broken. */
int port_lock(const char *path, char *err, size_t errlen);

/* port_unlock - remove path's lock file if it holds our pid. */
void port_unlock(const char *path);

/* port_lock_name - "LCK..NAME" for path; -1 when it does not fit. */
int port_lock_name(const char *path, char *out, size_t outlen);

/* port_lock_parse - the pid in a lock file's text (pure; ASCII, or a
 * 4-byte binary pid); 0 when there is none. */
long port_lock_parse(const char *text, size_t len);

#endif
