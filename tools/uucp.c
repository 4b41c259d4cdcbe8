/*
 * uucp.c - queue file copies to or from another system.
 *
 *   uucp [-I config] [-r] [-C|-c] [-d|-f] [-m] [-n user] [-g grade] [-j]
 *        source... sys!dest        send local files (S commands)
 *   uucp [options] sys!source... localdest
 *                                  fetch remote files (R commands)
 *
 * -C (the default) copies each source into the spool at once; -c sends it
 * from its own path at call time.  "sys!~/path" is left as it is, for the
 * remote to resolve in its public directory.  Without -r, uucico is
 * started in the background to call sys (looked for beside this program,
 * else in PATH).  -j prints the job id.
 *
 * Trust: arguments come from a local user; system names must pass
 * name_is_safe, remote paths must be absolute or start with '~' and hold
 * no control bytes, local paths are made absolute and canonical.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"

struct uucp_opts {
	const char *config;
	int no_start;		/* -r */
	int copy;		/* -C (1) or -c (0) */
	int mkdirs;		/* -d (1) or -f (0) */
	int mail;		/* -m */
	const char *notify;	/* -n user */
	char grade;		/* -g */
	int print_id;		/* -j */
};

/* uucp_usage - print usage and exit */
static void __attribute__((noreturn))
uucp_usage(void)
{
	fprintf(stderr, "usage: uucp [-I config] [-r] [-C|-c] [-d|-f] [-m] [-n user] "
	    "[-g grade] [-j] source... sys!dest\n"
	    "       uucp [options] sys!source... localdest\n");
	exit(64);
}

/* uucp_die - print an error and exit 1 */
static void __attribute__((noreturn, format(printf, 1, 2)))
uucp_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "uucp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* uucp_split - split "sys!path" into sys and path; 0 when arg is local,
 * 1 remote (dies on a bad name) */
static int
uucp_split(const char *arg, char *sys, size_t syslen, const char **path)
{
	const char *bang = strchr(arg, '!');
	size_t n;

	if (!bang || bang == arg) {
		*path = bang ? bang + 1 : arg;
		return 0;
	}
	n = (size_t)(bang - arg);
	if (n >= syslen)
		uucp_die("%s: system name too long", arg);
	memcpy(sys, arg, n);
	sys[n] = '\0';
	if (!name_is_safe(sys, syslen - 1) || sys[0] == '.')
		uucp_die("%s: bad system name \"%s\"", arg, sys);
	*path = bang + 1;
	if (strchr(*path, '!'))
		uucp_die("%s: forwarding through several systems is not supported", arg);
	return 1;
}

/* uucp_remote_ok - check a remote path */
static void
uucp_remote_ok(const char *sys, const char *path)
{
	const unsigned char *p;

	if (path[0] != '/' && path[0] != '~')
		uucp_die("%s!%s: remote path must be absolute or start with ~", sys, path);
	if (strlen(path) >= PATH_MAX - NAME_MAX - 2)
		uucp_die("%s!%s: path too long", sys, path);
	for (p = (const unsigned char *)path; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			uucp_die("%s!...: control character in remote path", sys);
}

/* uucp_local_abs - make a local path absolute and canonical */
static void
uucp_local_abs(const char *path, char *out, size_t outlen)
{
	char cwd[PATH_MAX], tmp[PATH_MAX];

	if (path[0] == '/') {
		if (str_copy(tmp, path, sizeof(tmp)) < 0)
			uucp_die("%s: path too long", path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)) || path_join(tmp, sizeof(tmp), cwd, path) < 0)
			uucp_die("%s: cannot make the path absolute", path);
	}
	if (path_canon(out, outlen, tmp) < 0)
		uucp_die("%s: bad path", path);
}

/* uucp_base - the last component of a path */
static const char *
uucp_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* uucp_join_dir - to = dir "/" base, without a doubled slash */
static void
uucp_join_dir(char *to, size_t tolen, const char *dir, const char *base)
{
	size_t n = strlen(dir);

	if (str_fmt(to, tolen, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", base) < 0)
		uucp_die("%s/%s: path too long", dir, base);
}

/* uucp_copy_in - copy src into a new spool data file; its wire name in
 * wire */
static void
uucp_copy_in(struct spool *sp, const char *sys, char grade, int in, const char *src,
    char wire[SPOOL_WIRE_MAX])
{
	char buf[65536];
	ssize_t r;
	int fd = spool_data_create(sp, sys, grade, wire);

	if (fd < 0)
		uucp_die("%s: cannot create a spool file: %s", src, strerror(errno));
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write_all(fd, buf, (size_t)r) < 0) {
			int err = errno;
			spool_data_abort(sp, sys, wire, fd);
			uucp_die("%s: copying into the spool: %s", src, strerror(err));
		}
	}
	if (spool_data_commit(sp, sys, wire, fd) < 0)
		uucp_die("%s: committing the spool copy: %s", src, strerror(errno));
}

/* uucp_options - the wire options of a command */
static void
uucp_options(const struct uucp_opts *o, char kind, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s%s", kind == 'S' ? (o->copy ? "C" : "c") : "",
	    o->mkdirs ? "d" : "f", o->mail ? "m" : "", kind == 'S' && o->notify ? "n" : "");
}

/* The paths of one command; a job's commands point into an array of these
 * that follows them in job->cmd's block. */
struct uucp_paths {
	char from[SPOOL_PATH_MAX];
	char to[SPOOL_PATH_MAX];
};

/* uucp_send_cmd - fill an S command for local file src, its paths in pp */
static void
uucp_send_cmd(struct spool *sp, const struct uucp_opts *o, const char *sys, const char *src,
    const char *dest, int dest_is_dir, const char *user, struct spool_cmd *c,
    struct uucp_paths *pp)
{
	struct stat st;
	int fd;

	memset(c, 0, sizeof(*c));
	c->kind = 'S';
	c->from = pp->from;
	c->to = pp->to;
	uucp_local_abs(src, pp->from, sizeof(pp->from));
	fd = open(pp->from, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		uucp_die("%s: %s", src, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		uucp_die("%s: not a regular file", src);
	if (dest_is_dir)
		uucp_join_dir(pp->to, sizeof(pp->to), dest, uucp_base(pp->from));
	else if (str_copy(pp->to, dest, sizeof(pp->to)) < 0)
		uucp_die("%s: path too long", dest);
	str_copy(c->user, user, sizeof(c->user));
	uucp_options(o, 'S', c->options, sizeof(c->options));
	c->mode = st.st_mode & 0777;
	if (o->notify)
		str_copy(c->notify, o->notify, sizeof(c->notify));
	if (o->copy)
		uucp_copy_in(sp, sys, o->grade, fd, src, c->temp);
	else
		str_copy(c->temp, "D.0", sizeof(c->temp));
	close(fd);
}

/* uucp_fetch_cmd - fill an R command for remote path src, its paths in pp */
static void
uucp_fetch_cmd(const struct uucp_opts *o, const char *src, const char *dest,
    int dest_is_dir, const char *user, struct spool_cmd *c, struct uucp_paths *pp)
{
	memset(c, 0, sizeof(*c));
	c->kind = 'R';
	c->from = pp->from;
	c->to = pp->to;
	str_copy(pp->from, src, sizeof(pp->from));
	if (dest_is_dir)
		uucp_join_dir(pp->to, sizeof(pp->to), dest, uucp_base(src));
	else
		str_copy(pp->to, dest, sizeof(pp->to));
	str_copy(c->user, user, sizeof(c->user));
	uucp_options(o, 'R', c->options, sizeof(c->options));
	str_copy(c->temp, "D.0", sizeof(c->temp));
	c->mode = 0666;
}

/* uucp_start - start Brigade's uucico -I config -s sys in the background */
static void
uucp_start(const char *config, const char *sys)
{
	char prog[PATH_MAX];
	char *args[] = { prog, "-I", (char *)config, "-s", (char *)sys, NULL };

	if (util_find_program("uucico", prog, sizeof(prog)) < 0) {
		fprintf(stderr, "uucp: job queued, but Brigade's uucico was not found to call %s\n",
		    sys);
		return;
	}
	if (util_spawn_detached(args) < 0)
		fprintf(stderr, "uucp: cannot start uucico: %s\n", strerror(errno));
}

/* uucp_user - the requesting user's name */
static void
uucp_user(char *out, size_t outlen)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : getenv("LOGNAME");

	if (!name || !name_is_safe(name, outlen - 1) || str_copy(out, name, outlen) < 0)
		uucp_die("cannot tell who you are");
}

/* uucp_build - fill job from the file arguments */
static void
uucp_build(struct spool *sp, const struct uucp_opts *o, int nfile, char **files,
    struct spool_job *job)
{
	char sys[SPOOL_SYS_MAX], ssys[SPOOL_SYS_MAX], dest_abs[PATH_MAX];
	const char *dest, *src;
	struct uucp_paths *pp;
	struct stat st;
	int i, remote_dest, dir;

	remote_dest = uucp_split(files[nfile - 1], sys, sizeof(sys), &dest);
	if (nfile - 1 > SPOOL_CMD_MAX)
		uucp_die("at most %d files at once", SPOOL_CMD_MAX);
	/* one block, freed with job->cmd: the commands, then their paths */
	job->cmd = calloc((size_t)nfile, sizeof(*job->cmd) + sizeof(*pp));
	if (!job->cmd)
		uucp_die("out of memory");
	pp = (struct uucp_paths *)(job->cmd + nfile);
	if (remote_dest) {
		uucp_remote_ok(sys, dest);
		for (i = 0; i < nfile - 1; i++) {	/* check all before copying any */
			if (uucp_split(files[i], ssys, sizeof(ssys), &src))
				continue;
			if (stat(src, &st) < 0 || access(src, R_OK) < 0)
				uucp_die("%s: %s", src, strerror(errno));
			if (!S_ISREG(st.st_mode))
				uucp_die("%s: not a regular file", src);
		}
		dir = nfile > 2 || dest[strlen(dest) - 1] == '/';
		for (i = 0; i < nfile - 1; i++) {
			if (uucp_split(files[i], ssys, sizeof(ssys), &src))
				uucp_die("%s: copying between two remote systems is not supported",
				    files[i]);
			uucp_send_cmd(sp, o, sys, src, dest, dir, job->user, &job->cmd[job->ncmd],
			    &pp[job->ncmd]);
			job->ncmd++;
		}
	} else {
		if (dest[0] == '~') {
			/* ~/path: our public directory, resolved by uucico */
			uucp_remote_ok("local", dest);
			str_copy(dest_abs, dest, sizeof(dest_abs));
			dir = nfile > 2 || dest[strlen(dest) - 1] == '/';
		} else {
			uucp_local_abs(dest, dest_abs, sizeof(dest_abs));
			dir = nfile > 2 || (stat(dest_abs, &st) == 0 && S_ISDIR(st.st_mode));
		}
		for (i = 0; i < nfile - 1; i++) {
			if (!uucp_split(files[i], ssys, sizeof(ssys), &src))
				uucp_die("%s: both ends are local; use cp", files[i]);
			if (i > 0 && strcmp(ssys, sys) != 0)
				uucp_die("%s: all sources must be on one system", files[i]);
			str_copy(sys, ssys, sizeof(sys));
			uucp_remote_ok(sys, src);
			uucp_fetch_cmd(o, src, dest_abs, dir, job->user, &job->cmd[job->ncmd],
			    &pp[job->ncmd]);
			job->ncmd++;
		}
	}
	str_copy(job->sys, sys, sizeof(job->sys));
}

int
main(int argc, char **argv)
{
	struct uucp_opts o = { .copy = 1, .mkdirs = 1, .grade = 'N' };
	struct spool_job job;
	struct spool *sp;
	struct conf conf;
	char err[512];
	int ch;

	while ((ch = getopt(argc, argv, "I:rCcdfmn:g:j")) != -1) {
		switch (ch) {
		case 'I': o.config = optarg; break;
		case 'r': o.no_start = 1; break;
		case 'C': o.copy = 1; break;
		case 'c': o.copy = 0; break;
		case 'd': o.mkdirs = 1; break;
		case 'f': o.mkdirs = 0; break;
		case 'm': o.mail = 1; break;
		case 'n':
			if (!name_is_safe(optarg, 127) || strchr(optarg, '\\'))
				uucp_die("-n %s: bad user name", optarg);
			o.notify = optarg;
			break;
		case 'g':
			if (strlen(optarg) != 1 || !((optarg[0] >= '0' && optarg[0] <= '9') ||
			    (optarg[0] >= 'A' && optarg[0] <= 'Z') ||
			    (optarg[0] >= 'a' && optarg[0] <= 'z')))
				uucp_die("-g %s: a grade is one letter or digit", optarg);
			o.grade = optarg[0];
			break;
		case 'j': o.print_id = 1; break;
		default: uucp_usage();
		}
	}
	if (argc - optind < 2)
		uucp_usage();
	if (conf_load(&conf, o.config, err, sizeof(err)) < 0)
		uucp_die("%s", err);
	log_init("uucp", conf.logfile);
	sp = spool_open(conf.spool, conf.nodename, conf.lockdir, err, sizeof(err));
	if (!sp)
		uucp_die("%s", err);
	memset(&job, 0, sizeof(job));
	job.grade = o.grade;
	uucp_user(job.user, sizeof(job.user));
	uucp_build(sp, &o, argc - optind, argv + optind, &job);
	if (spool_queue(sp, &job) < 0)
		uucp_die("cannot queue the job for %s: %s", job.sys, strerror(errno));
	log_info("sys=%s job=%s user=%s: queued %zu command%s", job.sys, job.id, job.user,
	    job.ncmd, job.ncmd == 1 ? "" : "s");
	if (o.print_id)
		printf("%s\n", job.id);
	fflush(stdout);
	if (!o.no_start)
		uucp_start(conf.path, job.sys);
	free(job.cmd);
	spool_close(sp);
	conf_free(&conf);
	return 0;
}
