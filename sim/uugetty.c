/*
 * uugetty.c - answer calls on a modem and hand each one to a program, as
 * getty does for a login: reset the modem, wait for RING, answer (ATA),
 * wait for CONNECT, then run the command (usually `uucico -l`, which asks
 * login: and Password: itself) with the line as its stdin and stdout.
 * When the command ends the line is closed, which drops DTR and hangs the
 * modem up, and uugetty waits for the next call.  It works with any
 * Hayes-style modem on a tty, emulated (uuexchange) or real.
 *
 * What the modem sends is only matched by the chat code against the
 * expected words; nothing received is interpreted otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "modem/chat.h"
#include "modem/port.h"

#define UUGETTY_WAIT_S 86400	/* waiting for a RING */
#define UUGETTY_CHAT_S 30	/* the modem's answers */

struct uugetty_opts {
	const char *line;
	char **argv;		/* the command */
	int once;		/* one call, then exit with its status */
	const char *init;	/* extra initialisation command */
};

static volatile sig_atomic_t uugetty_stop;

/* uugetty_usage - how to call uugetty */
static void
uugetty_usage(FILE *f)
{
	fprintf(f,
	    "usage: uugetty [--once] [--init AT-COMMAND] LINE COMMAND [ARG...]\n"
	    "Answer calls on the Hayes modem at LINE (a tty) and run COMMAND for each\n"
	    "with the line as stdin and stdout, e.g. uugetty /dev/ttyS1 uucico -l.\n"
	    "Resets the modem (ATZ, then ATE0 and the --init command), waits for RING,\n"
	    "answers with ATA, waits for CONNECT, runs COMMAND, and closes the line\n"
	    "(hanging up) when it ends.  --once: exit after one call with COMMAND's\n"
	    "exit status.  Runs until SIGTERM.\n");
}

/* uugetty_open - open the line raw; the port or NULL */
static struct port *
uugetty_open(const char *line)
{
	struct termios t;
	char err[256];
	int fd = open(line, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cflag |= CLOCAL | CREAD;
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		(void)tcsetattr(fd, TCSANOW, &t);
	}
	return port_fd_open(fd, fd, line, err, sizeof(err));
}

/* uugetty_answer - reset, wait for a call and answer it; 0 connected, -1 not */
static int
uugetty_answer(struct port *p, const struct uugetty_opts *o)
{
	char *reset[] = { "", "ATZ", "OK", "ATE0", "OK" };
	char *init[] = { "", (char *)o->init, "OK" };
	char *ring[] = { "RING" };
	char *ans[] = { "", "ATA", "CONNECT" };
	char why[512];

	if (chat_run(p, reset, 5, NULL, UUGETTY_CHAT_S, why, sizeof(why)) < 0 ||
	    (o->init && chat_run(p, init, 3, NULL, UUGETTY_CHAT_S, why, sizeof(why)) < 0)) {
		log_warnx("%s: modem reset failed: %s", o->line, why);
		return -1;
	}
	log_info("%s: waiting for a call", o->line);
	if (chat_run(p, ring, 1, NULL, UUGETTY_WAIT_S, why, sizeof(why)) < 0)
		return -1;
	if (chat_run(p, ans, 3, NULL, UUGETTY_CHAT_S, why, sizeof(why)) < 0) {
		log_warnx("%s: answering failed: %s", o->line, why);
		return -1;
	}
	{	/* the rest of the CONNECT line (the speed) */
		char c;
		while (port_read(p, &c, 1, 2000) == 1 && c != '\n')
			;
	}
	log_info("%s: connected", o->line);
	return 0;
}

/* uugetty_run - run the command on the line; its exit status or -1 */
static int
uugetty_run(struct port *p, const struct uugetty_opts *o)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (dup2(p->rfd, 0) < 0 || dup2(p->rfd, 1) < 0)
			_exit(127);
		setsid();
		execvp(o->argv[0], o->argv);
		fprintf(stderr, "uugetty: %s: %s\n", o->argv[0], strerror(errno));
		_exit(127);
	}
	port_close(p);	/* only the command holds the line now */
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	log_info("%s: %s ended (status %d)", o->line, o->argv[0],
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* uugetty_sleep - sleep ms */
static void
uugetty_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* uugetty_on_signal - stop after this call */
static void
uugetty_on_signal(int sig)
{
	(void)sig;
	uugetty_stop = 1;
}

/* uugetty_args - parse the command line; -1 when bad */
static int
uugetty_args(int argc, char **argv, struct uugetty_opts *o)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "init", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case '1':
			o->once = 1;
			break;
		case 'i':
			if (strlen(optarg) > 60 || strncasecmp(optarg, "AT", 2) != 0)
				return -1;
			o->init = optarg;
			break;
		case 'h':
			uugetty_usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (argc - optind < 2)
		return -1;
	o->line = argv[optind];
	o->argv = argv + optind + 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct uugetty_opts o;
	struct sigaction sa;
	int rc = 1;

	memset(&o, 0, sizeof(o));
	if (uugetty_args(argc, argv, &o) < 0) {
		uugetty_usage(stderr);
		return 2;
	}
	log_init("uugetty", NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = uugetty_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!uugetty_stop) {
		struct port *p = uugetty_open(o.line);
		if (p == NULL) {
			uugetty_sleep(500);	/* not there yet, or being replaced */
			continue;
		}
		if (uugetty_answer(p, &o) < 0) {
			port_close(p);
			uugetty_sleep(500);
			continue;
		}
		rc = uugetty_run(p, &o);
		if (o.once)
			return rc < 0 ? 1 : rc;
		uugetty_sleep(500);	/* the modem sees DTR down */
	}
	return 0;
}
