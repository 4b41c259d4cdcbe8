/*
 * uuexchange.c - a telephone exchange of emulated Hayes modems, so dialing
 * can be tested end to end on one machine.
 *
 * Each --modem NUMBER=LINK makes a pseudo-terminal, LINK a symlink to its
 * slave, with a Hayes-style modem on the master side: AT commands (Z, E,
 * V, Q, S0=n, S7=n, D/DT/DP, A, H, O, I), result codes (OK, CONNECT speed,
 * RING, NO CARRIER, ERROR, NO DIALTONE, BUSY, NO ANSWER; words or digits),
 * and the "+++" escape with one-second guard times.  A dialed number is
 * looked up among the modems (digits only: "555-1234" calls 5551234); the
 * called modem rings until its program answers (ATA) or S0 rings pass.
 * The two are then joined through a fresh uuline, so a call gets a speed,
 * latency, bit-error rate and forced hang-ups of its own.
 *
 * Lines: a program that closes its modem's device drops DTR and hangs up;
 * when a call ends, the modem whose program is still there says NO
 * CARRIER and its pseudo-terminal is replaced by a new one behind the same
 * link, which the program sees as carrier loss (EIO, end of file).
 * Everything a program writes is hostile: commands are bounded (at most
 * 80 characters), parsed strictly, and the relayed bytes are opaque.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

#define UUX_MODEMS 16
#define UUX_CMD 80		/* longest command line */
#define UUX_BUF 4096
#define UUX_GUARD_NS 1000000000LL	/* +++ guard time */
#define UUX_RING_NS 2000000000LL	/* between RINGs */
#define UUX_IDLE_CHECK_MS 100	/* a modem with no program is looked at this often */

enum uux_state { UUX_IDLE, UUX_DIALING, UUX_RINGING, UUX_ONLINE, UUX_ONLINE_CMD };

/* Result codes: numeric value and word, as in Hayes ATX4. */
enum { UUX_R_OK, UUX_R_CONNECT, UUX_R_RING, UUX_R_NO_CARRIER, UUX_R_ERROR, UUX_R_NO_DIALTONE = 6, UUX_R_BUSY,
	UUX_R_NO_ANSWER };

struct uux_call;

struct uux_modem {
	char number[32];		/* digits */
	const char *link;
	long speed;			/* line speed of calls answered here */
	double ber;
	int busy;			/* always answers BUSY */
	int master;
	char slave[256];
	int present;			/* a program has the slave open */
	long long checked_ns;		/* when presence was last looked at */
	enum uux_state state;
	int echo, verbose, quiet, s0, s7;
	char cmd[UUX_CMD + 1];
	size_t ncmd;
	struct uux_modem *peer;
	struct uux_call *call;
	int side;			/* 0 caller, 1 answerer */
	long long ring_ns, deadline_ns;
	int rings;
	long long last_rx_ns;		/* last byte from the program */
	int plus;			/* '+' of an escape seen */
};

struct uux_call {
	pid_t pid;			/* the uuline */
	int fd[2];			/* its slaves: a (caller), b (answerer) */
	struct uux_modem *m[2];
	int active;
};

struct uux_opts {
	const char *uuline;		/* program path */
	long speed;			/* default line speed */
	double ber;
	char *line_args[16];		/* more uuline options */
	int nline_args;
	unsigned long seed;
};

static struct uux_modem uux_modems[UUX_MODEMS];
static int uux_nmodems;
static struct uux_call uux_calls[UUX_MODEMS];
static struct uux_opts uux_o = { .uuline = NULL, .speed = 0, .seed = 1 };
static volatile sig_atomic_t uux_stop;

/* uux_usage - how to call uuexchange */
static void
uux_usage(FILE *f)
{
	fprintf(f,
	    "usage: uuexchange [--uuline PATH] [--speed BPS] [--ber RATE] [--seed N]\n"
	    "                  [--line-opt OPT]... --modem NUMBER=LINK[,speed=BPS][,ber=R][,busy]...\n"
	    "A telephone exchange of emulated Hayes modems.  Each --modem makes a PTY\n"
	    "whose slave LINK points to, with a modem answering to NUMBER (digits).\n"
	    "A call joins two modems through a new uuline at the called modem's speed\n"
	    "and bit-error rate (else --speed and --ber); --line-opt passes one more\n"
	    "option to that uuline (e.g. --line-opt=--hangup=20..60).  Prints \"ready\"\n"
	    "when the modems exist and one line per call event; runs until SIGTERM.\n"
	    "Modem commands: ATZ ATE0/1 ATV0/1 ATQ0/1 ATS0=n ATS7=n ATDT/ATDP/ATD number\n"
	    "ATA ATH ATO ATI, +++ with 1 s guard times; results OK CONNECT RING\n"
	    "NO CARRIER ERROR NO DIALTONE BUSY NO ANSWER.  A program closing its\n"
	    "device hangs up; the other side gets NO CARRIER and a fresh PTY.\n");
}

/* uux_now_ns - monotonic nanoseconds */
static long long
uux_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* uux_write - write all of buf to a non-blocking fd, waiting a little */
static int
uux_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	int waited = 0;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && waited++ < 50) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			(void)poll(&pfd, 1, 100);
			continue;
		}
		return -1;
	}
	return 0;
}

/* uux_result - send result code r to m's program, as it is set up to see them */
static void
uux_result(struct uux_modem *m, int r, long speed)
{
	static const char *words[] = { "OK", "CONNECT", "RING", "NO CARRIER", "ERROR", "",
		"NO DIALTONE", "BUSY", "NO ANSWER" };
	char buf[64];

	if (m->quiet || !m->present)
		return;
	if (!m->verbose)
		(void)snprintf(buf, sizeof(buf), "%d\r", r);
	else if (r == UUX_R_CONNECT && speed > 0)
		(void)snprintf(buf, sizeof(buf), "\r\nCONNECT %ld\r\n", speed);
	else
		(void)snprintf(buf, sizeof(buf), "\r\n%s\r\n", words[r]);
	(void)uux_write(m->master, buf, strlen(buf));
}

/* uux_pty - a new raw PTY for m, its link pointing at the slave; 0 or -1 */
static int
uux_pty(struct uux_modem *m)
{
	char tmp[PATH_MAX];
	const char *name;
	struct termios t;
	int fd, s;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || (name = ptsname(fd)) == NULL)
		goto fail;
	str_copy(m->slave, name, sizeof(m->slave));
	/* raw settings stay with the PTY for whoever opens it next */
	if ((s = open(m->slave, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		goto fail;
	if (tcgetattr(s, &t) == 0) {
		cfmakeraw(&t);
		t.c_cflag |= CLOCAL | CREAD;
		(void)tcsetattr(s, TCSANOW, &t);
	}
	close(s);
	if (str_fmt(tmp, sizeof(tmp), "%s.new", m->link) < 0)
		goto fail;
	(void)unlink(tmp);
	if (symlink(m->slave, tmp) < 0 || rename(tmp, m->link) < 0)
		goto fail;
	m->master = fd;
	m->present = 0;
	m->checked_ns = 0;
	return 0;
fail:
	fprintf(stderr, "uuexchange: cannot make a PTY for %s: %s\n", m->link, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* uux_reset - ATZ: the modem's settings as at power-on */
static void
uux_reset(struct uux_modem *m)
{
	m->echo = 1;
	m->verbose = 1;
	m->quiet = 0;
	m->s0 = 0;
	m->s7 = 30;
	m->ncmd = 0;
}

/* uux_find - the modem answering to number (digits of dial), or NULL */
static struct uux_modem *
uux_find(const char *dial)
{
	char digits[32];
	size_t n = 0;
	int i;

	for (; *dial && n + 1 < sizeof(digits); dial++)
		if ((*dial >= '0' && *dial <= '9') || *dial == '*' || *dial == '#')
			digits[n++] = *dial;
	digits[n] = '\0';
	for (i = 0; i < uux_nmodems; i++)
		if (n > 0 && strcmp(uux_modems[i].number, digits) == 0)
			return &uux_modems[i];
	return NULL;
}

/* uux_end_call - tear a call down; the modems that did not hang up get NO
 * CARRIER and, when their program is still there, a fresh PTY */
static void
uux_end_call(struct uux_call *c, const struct uux_modem *dropped, const char *why)
{
	int i, old[2];

	if (!c->active)
		return;
	printf("hangup %s %s (%s)\n", c->m[0]->number, c->m[1]->number, why);
	fflush(stdout);
	for (i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		(void)waitpid(c->pid, NULL, 0);
	}
	for (i = 0; i < 2; i++) {
		struct uux_modem *m = c->m[i];
		m->state = UUX_IDLE;
		m->peer = NULL;
		m->call = NULL;
		m->ncmd = 0;
		old[i] = -1;
		if (m == dropped)
			continue;
		uux_result(m, UUX_R_NO_CARRIER, 0);
		if (m->present) {
			/* the link points to the new PTY at once, so a program
			 * opening it now gets the new one */
			old[i] = m->master;
			if (uux_pty(m) < 0)
				uux_stop = 1;
		}
	}
	if (old[0] >= 0 || old[1] >= 0) {
		struct timespec ts = { 0, 200000000L };
		nanosleep(&ts, NULL);	/* let NO CARRIER be read first */
		for (i = 0; i < 2; i++)
			if (old[i] >= 0)
				close(old[i]);
	}
	c->active = 0;
}

/* uux_spawn_line - start a uuline for a call and open its two slaves */
static int
uux_spawn_line(struct uux_call *c, long speed, double ber)
{
	char sp[32], be[32], seed[32], line[600], *argv[32];
	int out[2], argc = 0, i;
	FILE *f;
	pid_t pid;

	(void)snprintf(sp, sizeof(sp), "%ld", speed);
	(void)snprintf(be, sizeof(be), "%g", ber);
	(void)snprintf(seed, sizeof(seed), "%lu", uux_o.seed++);
	argv[argc++] = (char *)uux_o.uuline;
	argv[argc++] = "--speed";
	argv[argc++] = sp;
	argv[argc++] = "--ber";
	argv[argc++] = be;
	argv[argc++] = "--seed";
	argv[argc++] = seed;
	for (i = 0; i < uux_o.nline_args; i++)
		argv[argc++] = uux_o.line_args[i];
	argv[argc] = NULL;
	if (pipe(out) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	c->pid = pid;
	c->fd[0] = c->fd[1] = -1;
	f = fdopen(out[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);	/* uuline writes more ("ready", "hangup") to a closed pipe: ignored */
	{
		char a[256], b[256];
		if (sscanf(line, "a=%255s b=%255s", a, b) != 2)
			return -1;
		c->fd[0] = open(a, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		c->fd[1] = open(b, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	}
	return c->fd[0] >= 0 && c->fd[1] >= 0 ? 0 : -1;
}

/* uux_connect - answer: join caller and answerer through a new uuline */
static void
uux_connect(struct uux_modem *caller, struct uux_modem *ans)
{
	struct uux_call *c = NULL;
	long speed = ans->speed ? ans->speed : uux_o.speed;
	double ber = ans->ber > 0 ? ans->ber : uux_o.ber;
	int i;

	for (i = 0; i < UUX_MODEMS && c == NULL; i++)
		if (!uux_calls[i].active)
			c = &uux_calls[i];
	memset(c, 0, sizeof(*c));
	c->m[0] = caller;
	c->m[1] = ans;
	c->active = 1;
	if (uux_spawn_line(c, speed, ber) < 0) {
		fprintf(stderr, "uuexchange: cannot start %s\n", uux_o.uuline);
		uux_end_call(c, NULL, "no line");
		return;
	}
	for (i = 0; i < 2; i++) {
		c->m[i]->state = UUX_ONLINE;
		c->m[i]->call = c;
		c->m[i]->side = i;
		c->m[i]->last_rx_ns = uux_now_ns();
		c->m[i]->plus = 0;
		uux_result(c->m[i], UUX_R_CONNECT, speed);
	}
	printf("connect %s %s speed=%ld ber=%g\n", caller->number, ans->number, speed, ber);
	fflush(stdout);
}

/* uux_dial - ATD: call the number in s */
static int
uux_dial(struct uux_modem *m, const char *s)
{
	struct uux_modem *t;
	long long now = uux_now_ns();

	if (*s == 'T' || *s == 'P' || *s == 't' || *s == 'p')
		s++;
	t = uux_find(s);
	printf("dial %s %s\n", m->number, s);
	fflush(stdout);
	if (t == NULL || t == m) {
		uux_result(m, UUX_R_NO_CARRIER, 0);
		return 0;
	}
	if (t->busy || t->state != UUX_IDLE) {
		uux_result(m, UUX_R_BUSY, 0);
		return 0;
	}
	m->state = UUX_DIALING;
	m->peer = t;
	m->deadline_ns = now + (long long)m->s7 * 1000000000LL;
	t->state = UUX_RINGING;
	t->peer = m;
	t->rings = 0;
	t->ring_ns = now;
	return 0;
}

/* uux_s_reg - ATSn=v */
static int
uux_s_reg(struct uux_modem *m, const char **sp)
{
	const char *s = *sp;
	long reg, val;
	char *end;

	reg = strtol(s, &end, 10);
	if (end == s || *end != '=')
		return -1;
	s = end + 1;
	val = strtol(s, &end, 10);
	if (end == s || val < 0 || val > 255)
		return -1;
	if (reg == 0)
		m->s0 = (int)val;
	else if (reg == 7)
		m->s7 = val > 0 ? (int)val : 1;
	*sp = end;
	return 0;
}

/* uux_flag - a 0/1 argument after a command letter (default 0) */
static int
uux_flag(const char **sp)
{
	if (**sp == '0' || **sp == '1')
		return *(*sp)++ - '0';
	return 0;
}

/* uux_command - run one AT command line (after "AT") */
static void
uux_command(struct uux_modem *m, const char *s)
{
	int err = 0;

	while (*s && !err) {
		char c = *s++;
		switch (c >= 'a' && c <= 'z' ? c - 32 : c) {
		case ' ':
			break;
		case 'Z':
			uux_reset(m);
			break;
		case 'E':
			m->echo = uux_flag(&s);
			break;
		case 'V':
			m->verbose = uux_flag(&s);
			break;
		case 'Q':
			m->quiet = uux_flag(&s);
			break;
		case 'S':
			err = uux_s_reg(m, &s) < 0;
			break;
		case 'L': case 'M': case 'X': case '&':
			if (c == '&' && *s)
				s++;
			while (*s >= '0' && *s <= '9')
				s++;
			break;
		case 'I':
			(void)uux_flag(&s);
			if (m->present)
				(void)uux_write(m->master, "\r\nBrigade uuexchange\r\n", 22);
			break;
		case 'D':
			if (m->state != UUX_IDLE)
				err = 1;
			else
				(void)uux_dial(m, s);
			return;	/* the result comes later */
		case 'A':
			if (m->state != UUX_RINGING)
				uux_result(m, UUX_R_NO_CARRIER, 0);
			else
				uux_connect(m->peer, m);
			return;
		case 'H':
			(void)uux_flag(&s);
			if (m->call)
				uux_end_call(m->call, m, "ATH");
			break;
		case 'O':
			if (m->state == UUX_ONLINE_CMD) {
				m->state = UUX_ONLINE;
				uux_result(m, UUX_R_CONNECT, 0);
				return;
			}
			err = 1;
			break;
		default:
			err = 1;
		}
	}
	uux_result(m, err ? UUX_R_ERROR : UUX_R_OK, 0);
}

/* uux_cmd_byte - one byte from a program in command state: a line ending
 * in CR that starts with AT is a command; anything else is ignored */
static void
uux_cmd_byte(struct uux_modem *m, unsigned char c)
{
	if (m->echo && m->present)
		(void)uux_write(m->master, &c, 1);
	if (m->state == UUX_DIALING) {	/* any key aborts dialing */
		m->peer->state = UUX_IDLE;
		m->peer->peer = NULL;
		m->state = UUX_IDLE;
		m->peer = NULL;
		uux_result(m, UUX_R_NO_CARRIER, 0);
		return;
	}
	if (c == '\r') {
		m->cmd[m->ncmd] = '\0';
		m->ncmd = 0;
		if ((m->cmd[0] == 'A' || m->cmd[0] == 'a') && (m->cmd[1] == 'T' || m->cmd[1] == 't'))
			uux_command(m, m->cmd + 2);
		return;
	}
	if ((c == '\b' || c == 0x7f) && m->ncmd > 0) {
		m->ncmd--;
		return;
	}
	if (c < 0x20 || c >= 0x7f || m->ncmd >= UUX_CMD)
		return;
	if (m->ncmd == 0 && c != 'A' && c != 'a')
		return;	/* noise before a command */
	m->cmd[m->ncmd++] = (char)c;
}

/* uux_online_bytes - bytes from a program in data mode: to the line, and
 * the +++ escape watched (the pluses go to the line too, as on a modem) */
static void
uux_online_bytes(struct uux_modem *m, const unsigned char *b, size_t n, long long now)
{
	struct uux_call *c = m->call;
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] == '+' && m->plus < 3 && (m->plus > 0 || now - m->last_rx_ns >= UUX_GUARD_NS))
			m->plus++;
		else
			m->plus = 0;
		m->last_rx_ns = now;
	}
	if (uux_write(c->fd[m->side], b, n) < 0)
		uux_end_call(c, NULL, "line write failed");
}

/* uux_from_program - what m's program wrote */
static void
uux_from_program(struct uux_modem *m, long long now)
{
	unsigned char buf[UUX_BUF];
	ssize_t n = read(m->master, buf, sizeof(buf));
	size_t i;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {	/* the program closed its device: DTR dropped */
		m->present = 0;
		m->checked_ns = now;
		if (m->call)
			uux_end_call(m->call, m, "DTR dropped");
		else if (m->state == UUX_DIALING || m->state == UUX_RINGING) {
			m->peer->state = UUX_IDLE;
			m->peer->peer = NULL;
			m->state = UUX_IDLE;
			m->peer = NULL;
		}
		return;
	}
	m->present = 1;
	if (m->state == UUX_ONLINE) {
		uux_online_bytes(m, buf, (size_t)n, now);
		return;
	}
	for (i = 0; i < (size_t)n && m->state != UUX_ONLINE; i++)
		uux_cmd_byte(m, buf[i]);
}

/* uux_from_line - bytes from a call's line to the modem's program */
static void
uux_from_line(struct uux_call *c, int side)
{
	unsigned char buf[UUX_BUF];
	ssize_t n = read(c->fd[side], buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		uux_end_call(c, NULL, "line dropped");
		return;
	}
	if (c->m[side]->state == UUX_ONLINE && uux_write(c->m[side]->master, buf, (size_t)n) < 0)
		uux_end_call(c, c->m[side], "DTR dropped");
}

/* uux_timers - rings, unanswered calls, +++ guard times, idle modems */
static void
uux_timers(long long now)
{
	int i;

	for (i = 0; i < uux_nmodems; i++) {
		struct uux_modem *m = &uux_modems[i];
		if (m->state == UUX_RINGING && now >= m->ring_ns) {
			m->rings++;
			m->ring_ns = now + UUX_RING_NS;
			uux_result(m, UUX_R_RING, 0);
			if (m->s0 > 0 && m->rings >= m->s0 && m->present)
				uux_connect(m->peer, m);
		}
		if (m->state == UUX_DIALING && now >= m->deadline_ns) {
			m->peer->state = UUX_IDLE;
			m->peer->peer = NULL;
			m->state = UUX_IDLE;
			m->peer = NULL;
			uux_result(m, UUX_R_NO_ANSWER, 0);
		}
		if (m->state == UUX_ONLINE && m->plus == 3 && now - m->last_rx_ns >= UUX_GUARD_NS) {
			m->plus = 0;
			m->state = UUX_ONLINE_CMD;
			uux_result(m, UUX_R_OK, 0);
		}
	}
}

/* uux_next_ms - poll timeout until the next timer */
static int
uux_next_ms(long long now)
{
	long long t = now + UUX_IDLE_CHECK_MS * 1000000LL;
	int i;

	for (i = 0; i < uux_nmodems; i++) {
		const struct uux_modem *m = &uux_modems[i];
		if (m->state == UUX_RINGING && m->ring_ns < t)
			t = m->ring_ns;
		if (m->state == UUX_DIALING && m->deadline_ns < t)
			t = m->deadline_ns;
		if (m->state == UUX_ONLINE && m->plus == 3 && m->last_rx_ns + UUX_GUARD_NS < t)
			t = m->last_rx_ns + UUX_GUARD_NS;
	}
	return t <= now ? 0 : (int)((t - now) / 1000000 + 1);
}

/* uux_loop - serve the modems until SIGTERM */
static void
uux_loop(void)
{
	while (!uux_stop) {
		struct pollfd pfd[UUX_MODEMS * 3];
		struct uux_modem *who[UUX_MODEMS * 3];
		int side[UUX_MODEMS * 3], n = 0, i, r;
		long long now = uux_now_ns();

		for (i = 0; i < uux_nmodems; i++) {
			struct uux_modem *m = &uux_modems[i];
			/* A master with no slave open reports POLLHUP for ever:
			 * such a modem is looked at every UUX_IDLE_CHECK_MS. */
			if (!m->present && m->state != UUX_ONLINE &&
			    now - m->checked_ns < UUX_IDLE_CHECK_MS * 1000000LL)
				continue;
			who[n] = m;
			side[n] = -1;
			pfd[n++] = (struct pollfd){ .fd = m->master, .events = POLLIN };
			if (m->call && m->side == 0) {
				int k;
				for (k = 0; k < 2; k++) {
					who[n] = m;
					side[n] = k;
					pfd[n++] = (struct pollfd){ .fd = m->call->fd[k], .events = POLLIN };
				}
			}
		}
		r = poll(pfd, (nfds_t)n, uux_next_ms(now));
		if (r < 0 && errno != EINTR)
			break;
		now = uux_now_ns();
		for (i = 0; i < n && r >= 0; i++) {
			struct uux_modem *m = who[i];
			if (side[i] >= 0) {
				if (m->call && pfd[i].revents)
					uux_from_line(m->call, side[i]);
				continue;
			}
			if (pfd[i].revents & POLLIN)
				uux_from_program(m, now);
			else if (pfd[i].revents & (POLLHUP | POLLERR)) {
				if (m->present || m->call)
					uux_from_program(m, now);	/* reads the hang-up */
				m->present = 0;
				m->checked_ns = now;
			} else if (!m->present) {
				m->present = 1;	/* opened, nothing written yet */
			}
		}
		uux_timers(now);
	}
}

/* uux_modem_arg - parse NUMBER=LINK[,speed=N][,ber=R][,busy] */
static int
uux_modem_arg(char *arg)
{
	struct uux_modem *m;
	char *eq = strchr(arg, '='), *opt, *save = NULL;
	size_t i;

	if (uux_nmodems == UUX_MODEMS || eq == NULL || eq == arg || eq - arg > 30)
		return -1;
	m = &uux_modems[uux_nmodems];
	memset(m, 0, sizeof(*m));
	for (i = 0; arg + i < eq; i++) {
		if (!((arg[i] >= '0' && arg[i] <= '9') || arg[i] == '*' || arg[i] == '#'))
			return -1;
		m->number[i] = arg[i];
	}
	opt = strtok_r(eq + 1, ",", &save);
	if (opt == NULL)
		return -1;
	m->link = opt;
	while ((opt = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(opt, "speed=", 6) == 0)
			m->speed = atol(opt + 6);
		else if (strncmp(opt, "ber=", 4) == 0)
			m->ber = atof(opt + 4);
		else if (strcmp(opt, "busy") == 0)
			m->busy = 1;
		else
			return -1;
		if (m->speed < 0 || m->ber < 0 || m->ber >= 1)
			return -1;
	}
	uux_reset(m);
	uux_nmodems++;
	return 0;
}

/* uux_on_signal - stop */
static void
uux_on_signal(int sig)
{
	(void)sig;
	uux_stop = 1;
}

/* uux_args - the command line; -1 when bad */
static int
uux_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uuline", required_argument, NULL, 'u' },
		{ "speed", required_argument, NULL, 's' },
		{ "ber", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 'S' },
		{ "line-opt", required_argument, NULL, 'o' },
		{ "modem", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			uux_o.uuline = optarg;
			break;
		case 's':
			uux_o.speed = atol(optarg);
			if (uux_o.speed < 0)
				return -1;
			break;
		case 'e':
			uux_o.ber = atof(optarg);
			if (uux_o.ber < 0 || uux_o.ber >= 1)
				return -1;
			break;
		case 'S':
			uux_o.seed = strtoul(optarg, NULL, 10);
			break;
		case 'o':
			if (uux_o.nline_args >= 16)
				return -1;
			uux_o.line_args[uux_o.nline_args++] = optarg;
			break;
		case 'm':
			if (uux_modem_arg(optarg) < 0) {
				fprintf(stderr, "uuexchange: bad --modem \"%s\"\n", optarg);
				return -1;
			}
			break;
		case 'h':
			uux_usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc && uux_nmodems > 0 ? 0 : -1;
}

/* uux_find_uuline - uuline beside this program, when not given */
static void
uux_find_uuline(const char *self, char *buf, size_t len)
{
	char *slash;

	if (uux_o.uuline)
		return;
	str_copy(buf, self, len);
	slash = strrchr(buf, '/');
	if (slash && str_copy(slash + 1, "uuline", len - (size_t)(slash + 1 - buf)) == 0 &&
	    access(buf, X_OK) == 0)
		uux_o.uuline = buf;
	else
		uux_o.uuline = "/usr/local/bin/uuline";
}

int
main(int argc, char **argv)
{
	static char uuline_path[PATH_MAX];
	struct sigaction sa;
	int i;

	if (uux_args(argc, argv) < 0) {
		uux_usage(stderr);
		return 2;
	}
	uux_find_uuline(argv[0], uuline_path, sizeof(uuline_path));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = uux_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < uux_nmodems; i++)
		if (uux_pty(&uux_modems[i]) < 0)
			return 1;
	printf("ready\n");
	fflush(stdout);
	uux_loop();
	for (i = 0; i < UUX_MODEMS; i++)
		if (uux_calls[i].active)
			uux_end_call(&uux_calls[i], NULL, "exchange stopped");
	for (i = 0; i < uux_nmodems; i++)
		(void)unlink(uux_modems[i].link);
	return 0;
}
