/*
 * port_priv.h - what the port types in modem/ share and nothing else sees:
 * allocation, error text, and reading and writing a descriptor with a
 * deadline.  Callers outside modem/ use port.h only.
 */
#ifndef BRIGADE_PORT_PRIV_H
#define BRIGADE_PORT_PRIV_H

#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

#include "modem/port.h"

/* port_alloc - a zeroed port with ops, descriptors and a name; NULL when
 * out of memory (err filled). */
struct port *port_alloc(const struct port_ops *ops, int rfd, int wfd, const char *name,
    char *err, size_t errlen);

/* port_err - format a reason into err (may be NULL); appends strerror of
 * the saved errno when with_errno is set; errno is preserved. */
void port_err(char *err, size_t errlen, int with_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* port_fd_read_deadline - poll fd for at most timeout_ms (-1 forever), then
 * read up to len bytes: count, 0 on timeout, -1 (EPIPE on end of file,
 * hang-up or EIO, else errno of the failure). */
ssize_t port_fd_read_deadline(int fd, void *buf, size_t len, int timeout_ms);

/* port_fd_write_all - write all len bytes to fd, made non-blocking while
 * it writes, waiting with poll; sockets are written with MSG_NOSIGNAL.
 * 0 or -1 (EPIPE when the other end is gone, ETIMEDOUT when no byte was
 * taken for the write stall time: port_set_write_stall). */
int port_fd_write_all(int fd, const void *buf, size_t len);

/* port_tty_setup - put the tty on fd into raw 8-bit mode with the settings
 * of line (NULL: raw, speed unchanged, local); 0 or -1 with err. */
int port_tty_setup(int fd, const struct port_line *line, char *err, size_t errlen);

/* port_tty_drop_dtr - drop DTR on the tty fd (speed 0, then TIOCMBIC);
 * 0 or -1. */
int port_tty_drop_dtr(int fd);

/* port_tty_speed - the termios constant for bps, or (speed_t)-1 when
 * there is none. */
speed_t port_tty_speed(long bps);

/* port_lock_open - take path's device lock while opening a port: 1 taken,
 * 0 not taken because the lock directory cannot be written (warned), -1
 * with err when another process holds the device. */
int port_lock_open(const char *path, char *err, size_t errlen);

#endif
