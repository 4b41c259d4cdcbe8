/*
 * main.c - uucico, the UUCP transfer daemon: call a neighbour (-S, -s,
 * -r1), or answer a call on stdin/stdout (after a login, from inetd or a
 * systemd socket), optionally prompting for the login itself (-l), or
 * listen for calls on TCP or a tty line (-L), or run as the daemon that does all of it on
 * schedule (--daemon, daemon.c).  The configuration is trusted; the line is
 * not.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/log.h"
#include "lib/timewin.h"
#include "lib/util.h"
#include "modem/chat.h"
#include "modem/port.h"
#include "spool/spool.h"
#include "uucico/daemon.h"
#include "uucico/session.h"

#include "uucico/uucico.h"

/* usage - print usage and exit */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: uucico [-I config] [-x debug] [-v] -S system | -s system | -r1\n"
	    "       uucico [-I config] [-x debug] [-u login] [-l]      (answer on stdin/stdout)\n"
	    "       uucico [-I config] [-x debug] -L [address:]port|/dev/tty (answer calls)\n"
	    "       uucico [-I config] [-x debug] --daemon   (or -d: the transfer daemon)\n"
	    "  -S sys   call sys now, ignoring its time window and retry wait\n"
	    "  -s sys   call sys if its time window and retry wait allow\n"
	    "  -r1      call every system that has work queued and may be called now\n"
	    "  -u login the login name the caller used (answering)\n"
	    "  -l       prompt for login: and Password: first, like a getty\n"
	    "  -L addr  answer calls on a TCP [address:]port or a tty device, each after\n"
	    "           a login prompt\n"
	    "  -d, --daemon  call neighbours on schedule, answer on the config's listen lines\n"
	    "  -q       do not start uuxqt after a call that brought executions\n"
	    "  -x cats  debug categories: handshake,proto,port,config,spool,chat,xfer,all\n"
	    "  -I file  the node's configuration (default $BRIGADE_CONFIG or "
	    CONF_DEFAULT_PATH ")\n");
	exit(2);
}

/* parse_args - the command line */
static void
parse_args(struct uucico_opts *o, int *as_daemon, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "I:x:S:s:r:u:lL:qDfcvp:d", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': *as_daemon = 1; break;
		case 'I': o->config = optarg; break;
		case 'x':
			if (log_set_debug(optarg) < 0) {
				fprintf(stderr, "uucico: unknown debug category in \"%s\"\n", optarg);
				exit(2);
			}
			break;
		case 'S': o->call = optarg; o->force = 1; break;
		case 's': o->call = optarg; break;
		case 'r':
			if (strcmp(optarg, "1") != 0)
				usage();
			o->all = 1;
			break;
		case 'u': o->login = optarg; break;
		case 'l': o->prompt = 1; break;
		case 'L': o->listen = optarg; break;
		case 'q': o->no_uuxqt = 1; break;
		case 'f': o->force = 1; break;
		case 'v': o->verbose = 1; break;
		case 'D': case 'c': case 'p': break;	/* Taylor compatibility: no meaning here */
		default: usage();
		}
	}
	if (optind != argc)
		usage();
}

int
main(int argc, char **argv)
{
	struct uucico_ctx c;
	struct hdb_errors errs;
	char err[512];
	size_t i;
	int rc, as_daemon = 0;

	memset(&c, 0, sizeof(c));
	memset(&errs, 0, sizeof(errs));
	parse_args(&c.o, &as_daemon, argc, argv);
	if (!realpath("/proc/self/exe", c.self))
		str_copy(c.self, argv[0], sizeof(c.self));
	signal(SIGPIPE, SIG_IGN);
	if (conf_load(&c.conf, c.o.config, err, sizeof(err)) < 0) {
		fprintf(stderr, "uucico: %s\n", err);
		return 1;
	}
	log_init("uucico", c.conf.logfile);
	if (c.o.verbose || ((c.o.call || c.o.all) && isatty(2)))
		log_also_stderr(1);
	if (c.conf.debug && !log_debug_on(LOG_D_ALL))
		log_set_debug("all");
	if (hdb_load(&c.hdb, c.conf.systems, c.conf.devices, c.conf.dialers, c.conf.permissions,
	    &errs) > 0)
		for (i = 0; i < errs.n; i++)
			log_warnx("config: %s", errs.msg[i]);
	hdb_errors_free(&errs);
	c.sp = spool_open(c.conf.spool, c.conf.nodename, c.conf.lockdir[0] ? c.conf.lockdir : NULL,
	    err, sizeof(err));
	if (!c.sp) {
		log_warnx("cannot open spool %s: %s", c.conf.spool, err);
		fprintf(stderr, "uucico: cannot open spool %s: %s\n", c.conf.spool, err);
		return 1;
	}
	spool_set_recv_max_age(c.sp, (time_t)c.conf.max_received_age * 86400);
	if (as_daemon)
		rc = uucico_daemon(&c);
	else if (c.o.call)
		rc = uucico_call_system(&c, c.o.call);
	else if (c.o.all)
		rc = uucico_call_all(&c);
	else if (c.o.listen)
		rc = uucico_listen_tcp(&c);
	else {
		struct port *p = port_stdio_open(err, sizeof(err));
		if (!p) {
			log_warnx("cannot use stdin/stdout as the line: %s", err);
			rc = -1;
		} else {
			rc = uucico_answer(&c, p, c.o.prompt);
			port_close(p);
		}
	}
	spool_close(c.sp);
	hdb_free(&c.hdb);
	conf_free(&c.conf);
	return rc == 0 ? 0 : 1;
}
