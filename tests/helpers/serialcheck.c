/*
 * serialcheck.c - open a line through Brigade's tty or serial port and
 * report what the device now says about itself, for tests/t2400-serial.sh.
 *
 *   serialcheck tty|serial PATH SPEED PARITY DATABITS STOPBITS [WAIT_S]
 *
 * Prints "speed=N parity=X bits=N stop=N clocal=N" read back with
 * tcgetattr, then (with WAIT_S) reads the line for WAIT_S seconds and
 * prints "read N" and then "hangup" if the line dropped, "timeout" if not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "modem/port.h"

/* serialcheck_bps - bits per second of a termios speed */
static long
serialcheck_bps(speed_t s)
{
	static const struct { speed_t s; long bps; } t[] = {
		{ B1200, 1200 }, { B2400, 2400 }, { B4800, 4800 }, { B9600, 9600 },
		{ B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 }, { B115200, 115200 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].s == s)
			return t[i].bps;
	return -1;
}

int
main(int argc, char **argv)
{
	struct port_line line = { .local = 1 };
	struct termios t;
	struct port *p;
	char err[512], buf[256];
	long total = 0;
	int csize;

	if (argc < 7) {
		fprintf(stderr, "usage: serialcheck tty|serial PATH SPEED PARITY DATABITS STOPBITS [WAIT_S]\n");
		return 2;
	}
	line.speed = atol(argv[3]);
	line.parity = argv[4][0];
	line.databits = atoi(argv[5]);
	line.stopbits = atoi(argv[6]);
	p = strcmp(argv[1], "serial") == 0 ? port_serial_open(argv[2], &line, err, sizeof(err))
	    : port_tty_open(argv[2], &line, err, sizeof(err));
	if (p == NULL) {
		printf("open failed: %s\n", err);
		return 1;
	}
	if (tcgetattr(p->rfd, &t) < 0) {
		printf("tcgetattr: %s\n", strerror(errno));
		return 1;
	}
	csize = (t.c_cflag & CSIZE) == CS8 ? 8 : (t.c_cflag & CSIZE) == CS7 ? 7 :
	    (t.c_cflag & CSIZE) == CS6 ? 6 : 5;
	printf("speed=%ld parity=%c bits=%d stop=%d clocal=%d\n", serialcheck_bps(cfgetospeed(&t)),
	    !(t.c_cflag & PARENB) ? 'N' : (t.c_cflag & PARODD) ? 'O' : 'E', csize,
	    (t.c_cflag & CSTOPB) ? 2 : 1, (t.c_cflag & CLOCAL) ? 1 : 0);
	fflush(stdout);
	if (argc > 7) {
		long long waitms = atol(argv[7]) * 1000LL;
		for (;;) {
			ssize_t n = port_read(p, buf, sizeof(buf), (int)waitms);
			if (n > 0) {
				total += n;
				continue;
			}
			printf("read %ld\n%s\n", total, n == 0 ? "timeout" : "hangup");
			break;
		}
	}
	port_close(p);
	return 0;
}
