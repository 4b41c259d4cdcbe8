/*
 * uux.c - queue a command for execution on another system (or ours).
 *
 *   uux [-] [-p] [-r] [-n] [-z] [-a addr] [-g grade] [-j] [-I config]
 *       'sys!command args...'
 *
 * The forms MTAs use work as they expect:
 *   uux -r -n -z -a$sender - $nexthop!rmail ($recipient)
 *   uux - -r -a$g -gC $h!rmail ($u)
 * See uuxargs.h for the argument forms, uuxq.h for what is queued.
 * Without -r, Brigade's uucico is started to call the system (for a
 * local command, Brigade's uuxqt): the one beside this program, else the
 * installed one in SBINDIR; never another UUCP's found in PATH.
 *
 * Exit status per sysexits.h: 0 queued, 64 usage, 75 try later (no room),
 * 78 configuration, 73 cannot queue.
 *
 * Trust: the arguments come from a local user or an MTA; uuxargs checks
 * them, uuxq_queue checks them again, nothing is given to a shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "uux/uuxargs.h"
#include "uux/uuxq.h"

#define UUX_EX_USAGE 64
#define UUX_EX_NOHOST 68
#define UUX_EX_CANTCREAT 73
#define UUX_EX_TEMPFAIL 75
#define UUX_EX_CONFIG 78

/* uux_usage - print usage and exit */
static void
uux_usage(void)
{
	fprintf(stderr, "usage: uux [-] [-p] [-r] [-n] [-z] [-a addr] [-g grade] [-j] "
	    "[-I config] 'sys!command args...'\n");
	exit(UUX_EX_USAGE);
}

/* uux_user - the requesting user's name */
static int
uux_user(char *out, size_t outlen)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : getenv("LOGNAME");

	if (!name || !name_is_safe(name, outlen - 1))
		return -1;
	return str_copy(out, name, outlen);
}

/* uux_start - start Brigade's uucico (or, for a local request, uuxqt) in
 * the background */
static void
uux_start(const char *config, const char *sys, int local)
{
	char prog[PATH_MAX];
	char *ucargs[] = { prog, "-I", (char *)config, "-s", (char *)sys, NULL };
	char *uqargs[] = { prog, "-I", (char *)config, NULL };

	if (util_find_program(local ? "uuxqt" : "uucico", prog, sizeof(prog)) < 0) {
		fprintf(stderr, "uux: queued, but Brigade's %s was not found\n",
		    local ? "uuxqt" : "uucico");
		return;
	}
	util_spawn_detached(local ? uqargs : ucargs);
}

/* uux_known_system - whether sys has an entry in the Systems file, so that
 * work for an unknown system is refused now (exit 68) rather than queued
 * for a call that can never happen */
static int
uux_known_system(const struct conf *conf, const char *sys)
{
	struct hdb h;
	struct hdb_errors e;
	int known;

	memset(&h, 0, sizeof(h));
	memset(&e, 0, sizeof(e));
	hdb_load(&h, conf->systems, NULL, NULL, NULL, &e);
	known = hdb_find_system(&h, sys, 0) >= 0;
	hdb_free(&h);
	hdb_errors_free(&e);
	return known;
}

int
main(int argc, char **argv)
{
	struct uuxargs a;
	struct uuxq_req req;
	struct spool *sp;
	struct conf conf;
	char err[512], user[64], id[SPOOL_ID_MAX];
	int local;

	if (uuxargs_options(argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "uux: %s\n", err);
		uux_usage();
	}
	if (conf_load(&conf, a.config, err, sizeof(err)) < 0) {
		fprintf(stderr, "uux: %s\n", err);
		return UUX_EX_CONFIG;
	}
	log_init("uux", conf.logfile);
	if (a.debug)
		log_set_debug(a.debug);
	if (uuxargs_parse(argc, argv, conf.nodename, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "uux: %s\n", err);
		uuxargs_free(&a);
		uux_usage();
	}
	if (uux_user(user, sizeof(user)) < 0) {
		fprintf(stderr, "uux: cannot tell who you are\n");
		return UUX_EX_USAGE;
	}
	if (strcmp(a.sys, conf.nodename) != 0 && !uux_known_system(&conf, a.sys)) {
		fprintf(stderr, "uux: %s: system not found in %s\n", a.sys, conf.systems);
		log_warnx("sys=%s user=%s: refused: system not in Systems", a.sys, user);
		uuxargs_free(&a);
		return UUX_EX_NOHOST;
	}
	sp = spool_open(conf.spool, conf.nodename, conf.lockdir, err, sizeof(err));
	if (!sp) {
		fprintf(stderr, "uux: %s\n", err);
		return UUX_EX_CONFIG;
	}
	memset(&req, 0, sizeof(req));
	req.sys = a.sys;
	req.command = a.command;
	req.args = a.args;
	req.nargs = a.nargs;
	req.user = user;
	req.requestor = a.requestor;
	req.grade = a.grade;
	req.notify = a.notify;
	req.stdin_fd = a.read_stdin ? 0 : -1;
	req.files = (const char *const *)a.files;
	req.file_names = (const char *const *)a.file_names;
	req.nfiles = a.nfiles;
	if (uuxq_queue(sp, &conf, &req, id, err, sizeof(err)) < 0) {
		int e = errno;
		fprintf(stderr, "uux: %s!%s: %s\n", a.sys, a.command, err);
		log_warnx("sys=%s user=%s: cannot queue %s: %s", a.sys, user, a.command, err);
		uuxargs_free(&a);
		spool_close(sp);
		conf_free(&conf);
		return e == ENOSPC || e == EDQUOT || e == EFBIG ? UUX_EX_TEMPFAIL :
		    UUX_EX_CANTCREAT;
	}
	log_info("sys=%s job=%s user=%s: queued %s with %zu argument%s", a.sys, id, user,
	    a.command, a.nargs, a.nargs == 1 ? "" : "s");
	if (a.print_id)
		printf("%s\n", id);
	fflush(stdout);
	local = strcmp(a.sys, conf.nodename) == 0;
	if (!a.no_uucico)
		uux_start(conf.path, a.sys, local);
	uuxargs_free(&a);
	spool_close(sp);
	conf_free(&conf);
	return 0;
}
