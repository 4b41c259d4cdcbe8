/*
 * uuxqt.c - run the execution requests that arrived.
 *
 *   uuxqt [-I config] [-x debug]
 *
 * Scans SPOOL/SYS/in/ for X. files (SYS, the directory's system, is the
 * sender; for our own node's directory, a local request).  Each X. file
 * is locked (flock; a second uuxqt skips it), parsed and judged
 * (uuxperm.h):
 *   - malformed, or naming a file that is not a spool name in SYS/in:
 *     moved to SPOOL/.Corrupt with the reason logged, never run;
 *   - a command that Permissions' COMMANDS does not allow for SYS (the
 *     default is rmail alone): refused, logged, a notice sent;
 *   - data not there yet: left for a later run, until it is older than
 *     "uuxqt-max-wait" seconds (default 86400), then refused;
 *   - otherwise run: the program is looked up in "command-path" (a
 *     colon-separated list; default: uuxqt's own directory, then
 *     /usr/sbin:/usr/bin:/bin) and started with execve, never a shell, with
 *     standard input from the I file (else /dev/null), in a fresh
 *     directory holding the F files under their names, and the
 *     environment PATH=command-path, UU_MACHINE, UU_USER and
 *     BRIGADE_CONFIG (so Brigade's rmail finds this node).
 * Exit 0: done.  Exit 75 (EX_TEMPFAIL): kept and retried by the next
 * uuxqt run.  Any other exit or a signal: failed.  A failure or a refusal
 * sends a notice unless the X. file says N (and a success when it says
 * n): a mail to the R address (else the U user) queued with uuxq_queue as
 * "rmail ADDR" on SYS, which for a local request is our own node (the
 * notice then runs in this same pass).  Notices never ask for notices.
 * One log line per request says what happened and why.
 *
 * Trust: X. files come from neighbours: parsed by xfile_parse, names
 * checked by uuxperm before any path is built, and only spool_in_path
 * builds paths.  The command's output is read back bounded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "uux/uuxperm.h"
#include "uux/uuxq.h"
#include "uux/xfile.h"

#define UUXQT_EX_TEMPFAIL 75
#define UUXQT_OUT_MAX 4096		/* command output quoted in a notice */
#define UUXQT_TRIED_MAX 4096		/* deferred requests remembered per run */
#define UUXQT_PASSES_MAX 20		/* rescans while work keeps arriving */

struct uuxqt {
	struct conf conf;
	struct hdb hdb;
	struct spool *sp;
	char cmdpath[4096];		/* PATH for commands */
	long max_wait;			/* seconds to wait for data */
	char workdir[PATH_MAX];		/* SPOOL/.Xqtdir */
	char *tried[UUXQT_TRIED_MAX];	/* X. paths deferred in this run */
	size_t ntried;
	int ran;			/* requests handled in this pass */
};

/* One request being handled. */
struct uuxqt_job {
	const char *sys;		/* sender */
	char xpath[PATH_MAX];
	struct xfile x;
	char cmdline[512];		/* for logs and notices, shortened */
	char out[UUXQT_OUT_MAX + 1];	/* the command's output */
};

/* uuxqt_cmdline - the command and arguments, for humans, bounded */
static void
uuxqt_cmdline(struct uuxqt_job *j)
{
	size_t i, o = 0, n;

	j->cmdline[0] = '\0';
	for (i = 0; i < j->x.argc && o + 8 < sizeof(j->cmdline); i++) {
		n = strlen(j->x.argv[i]);
		if (o + n + 2 >= sizeof(j->cmdline))
			n = sizeof(j->cmdline) - o - 6;
		o += (size_t)snprintf(j->cmdline + o, sizeof(j->cmdline) - o, "%s%.*s",
		    i ? " " : "", (int)n, j->x.argv[i]);
	}
	for (o = 0; j->cmdline[o]; o++)
		if ((unsigned char)j->cmdline[o] < ' ' || (unsigned char)j->cmdline[o] == 0x7f)
			j->cmdline[o] = '?';
}

/* uuxqt_asprintf - format into a new buffer; its length or -1 */
static int __attribute__((format(printf, 2, 3)))
uuxqt_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(*out = malloc((size_t)n + 1)))
		return -1;
	va_start(ap, fmt);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return n;
}

/* uuxqt_notice - send the requester a notice (unless N, or a success
 * without n) */
static void
uuxqt_notice(struct uuxqt *q, struct uuxqt_job *j, int success, const char *why)
{
	static char *args[1];
	struct uuxq_req r;
	char *text = NULL, date[64], err[256], addr[XFILE_NAME_MAX];
	time_t now = time(NULL);
	int len;

	if (success ? !(j->x.notify & XFILE_NOTIFY_OK) : (j->x.notify & XFILE_NOTIFY_NEVER))
		return;
	str_copy(addr, j->x.requestor[0] ? j->x.requestor : j->x.user, sizeof(addr));
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", localtime(&now));
	len = uuxqt_asprintf(&text, "From uucp %s%s%s\nFrom: uucp@%s\nTo: %s\n"
	    "Subject: execution %s: %s\n\nYour request from %s to run\n\n\t%s\n\non %s %s: %s\n%s%s",
	    date, strcmp(j->sys, q->conf.nodename) ? " remote from " : "",
	    strcmp(j->sys, q->conf.nodename) ? q->conf.nodename : "", q->conf.nodename, addr,
	    success ? "succeeded" : "failed", j->cmdline, j->sys, j->cmdline, q->conf.nodename,
	    success ? "succeeded" : "failed", why, j->out[0] ? "\nIts output:\n\n" : "", j->out);
	if (len < 0)
		return;
	memset(&r, 0, sizeof(r));
	args[0] = addr;
	r.sys = j->sys;
	r.command = "rmail";
	r.args = args;
	r.nargs = 1;
	r.user = "uucp";
	r.notify = UUXQ_NOTIFY_NEVER;
	r.stdin_fd = -1;
	r.stdin_data = text;
	r.stdin_len = (size_t)len;
	if (uuxq_queue(q->sp, &q->conf, &r, NULL, err, sizeof(err)) < 0)
		log_warnx("sys=%s: cannot queue a notice to %s: %s", j->sys, addr, err);
	else
		log_info("sys=%s: notice queued to %s: %s", j->sys, addr, why);
	free(text);
}

/* uuxqt_remove - remove a finished request: its data files, then the X.
 * file (still locked) */
static void
uuxqt_remove(struct uuxqt *q, struct uuxqt_job *j)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < j->x.nfiles; i++)
		if (spool_in_path(q->sp, j->sys, j->x.files[i].name, path, sizeof(path)) == 0)
			unlink(path);
	if (j->x.input[0] && spool_in_path(q->sp, j->sys, j->x.input, path, sizeof(path)) == 0)
		unlink(path);
	unlink(j->xpath);
	fsync_dir(j->xpath, 0);
}

/* uuxqt_missing - the first required file not yet received, or NULL */
static const char *
uuxqt_missing(struct uuxqt *q, struct uuxqt_job *j)
{
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < j->x.nfiles; i++)
		if (spool_in_path(q->sp, j->sys, j->x.files[i].name, path, sizeof(path)) < 0 ||
		    stat(path, &st) < 0)
			return j->x.files[i].name;
	if (j->x.input[0] && (spool_in_path(q->sp, j->sys, j->x.input, path, sizeof(path)) < 0 ||
	    stat(path, &st) < 0))
		return j->x.input;
	return NULL;
}

/* uuxqt_find - the program in the command path; 0 or -1 */
static int
uuxqt_find(const struct uuxqt *q, const char *name, char *out, size_t outlen)
{
	char dirs[sizeof(q->cmdpath)], *d, *save = NULL;
	struct stat st;

	str_copy(dirs, q->cmdpath, sizeof(dirs));
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue;
		if (path_join(out, outlen, d, name) == 0 && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* uuxqt_prepare - a fresh execution directory holding the F files under
 * their names; 0 or -1 */
static int
uuxqt_prepare(struct uuxqt *q, struct uuxqt_job *j, char *dir, size_t dirlen)
{
	static unsigned seq;
	char src[PATH_MAX], dst[PATH_MAX];
	size_t i;

	if (str_fmt(dir, dirlen, "%s/%ld.%u", q->workdir, (long)getpid(), ++seq) < 0 ||
	    mkdir(dir, 0700) < 0)
		return -1;
	for (i = 0; i < j->x.nfiles; i++) {
		if (!j->x.files[i].use[0])
			continue;
		if (spool_in_path(q->sp, j->sys, j->x.files[i].name, src, sizeof(src)) < 0 ||
		    path_join(dst, sizeof(dst), dir, j->x.files[i].use) < 0 ||
		    link(src, dst) < 0)
			return -1;
	}
	return 0;
}

/* uuxqt_rmdir - remove an execution directory and what is in it */
static void
uuxqt_rmdir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    path_join(path, sizeof(path), dir, e->d_name) == 0)
				unlink(path);
		closedir(d);
	}
	rmdir(dir);
}

/* uuxqt_child - in the child: set up descriptors and environment, execve */
static void
uuxqt_child(struct uuxqt *q, struct uuxqt_job *j, const char *prog, const char *dir,
    int outfd)
{
	char path[PATH_MAX], e_path[4200], e_mach[96], e_user[96], e_conf[PATH_MAX + 32];
	char *envp[] = { e_path, e_mach, e_user, e_conf, "LANG=C", NULL };
	int fd;

	if (j->x.input[0] && spool_in_path(q->sp, j->sys, j->x.input, path, sizeof(path)) == 0)
		fd = open(path, O_RDONLY);
	else
		fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0 ||
	    chdir(dir) < 0)
		_exit(126);
	snprintf(e_path, sizeof(e_path), "PATH=%s", q->cmdpath);
	snprintf(e_mach, sizeof(e_mach), "UU_MACHINE=%s", j->sys);
	snprintf(e_user, sizeof(e_user), "UU_USER=%s", j->x.user);
	snprintf(e_conf, sizeof(e_conf), "BRIGADE_CONFIG=%s", q->conf.path);
	signal(SIGPIPE, SIG_DFL);
	execve(prog, j->x.argv, envp);
	_exit(127);
}

/* uuxqt_exec - run the request; its wait status, or -1 when it could not
 * be started (why says so) */
static int
uuxqt_exec(struct uuxqt *q, struct uuxqt_job *j, char *why, size_t whylen)
{
	char prog[PATH_MAX], dir[PATH_MAX], outp[PATH_MAX];
	int outfd = -1, status = -1;
	ssize_t n;
	pid_t pid;

	if (uuxqt_find(q, j->x.argv[0], prog, sizeof(prog)) < 0) {
		snprintf(why, whylen, "command \"%s\" not found in the command path", j->x.argv[0]);
		return -1;
	}
	if (uuxqt_prepare(q, j, dir, sizeof(dir)) < 0 ||
	    path_join(outp, sizeof(outp), dir, ".uuxqt-output") < 0 ||
	    (outfd = open(outp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(why, whylen, "cannot prepare the execution directory: %s",
		    strerror(errno));
		goto done;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		goto done;
	}
	if (pid == 0)
		uuxqt_child(q, j, prog, dir, outfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	n = pread(outfd, j->out, UUXQT_OUT_MAX, 0);
	j->out[n > 0 ? n : 0] = '\0';
	for (n = 0; j->out[n]; n++)
		if (((unsigned char)j->out[n] < ' ' && j->out[n] != '\n' && j->out[n] != '\t') ||
		    (unsigned char)j->out[n] == 0x7f)
			j->out[n] = '?';
done:
	if (outfd >= 0)
		close(outfd);
	uuxqt_rmdir(dir);
	return status;
}

/* uuxqt_tried - whether path was deferred earlier in this run (and
 * remember it when add is set) */
static int
uuxqt_tried(struct uuxqt *q, const char *path, int add)
{
	size_t i;

	for (i = 0; i < q->ntried; i++)
		if (strcmp(q->tried[i], path) == 0)
			return 1;
	if (add && q->ntried < UUXQT_TRIED_MAX)
		q->tried[q->ntried++] = strdup(path);
	return 0;
}

/* uuxqt_run - a judged request: wait, refuse or run */
static void
uuxqt_run(struct uuxqt *q, struct uuxqt_job *j, int verdict, const char *judged,
    time_t age)
{
	char why[512];
	const char *missing;
	int st;

	if (verdict == UUXPERM_REFUSE) {
		log_warnx("sys=%s user=%s file=%s: refused \"%s\": %s", j->sys, j->x.user,
		    j->xpath, j->cmdline, judged);
		uuxqt_notice(q, j, 0, judged);
		uuxqt_remove(q, j);
		return;
	}
	if ((missing = uuxqt_missing(q, j)) != NULL) {
		if (age <= q->max_wait) {
			log_debug(LOG_D_SPOOL, "sys=%s file=%s: waiting for %s", j->sys, j->xpath,
			    missing);
			uuxqt_tried(q, j->xpath, 1);
			return;
		}
		snprintf(why, sizeof(why), "data file %s never arrived", missing);
		log_warnx("sys=%s user=%s file=%s: gave up \"%s\": %s", j->sys, j->x.user,
		    j->xpath, j->cmdline, why);
		uuxqt_notice(q, j, 0, why);
		uuxqt_remove(q, j);
		return;
	}
	why[0] = '\0';
	st = uuxqt_exec(q, j, why, sizeof(why));
	q->ran++;
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == UUXQT_EX_TEMPFAIL) {
		log_info("sys=%s user=%s file=%s: deferred \"%s\": exit 75 (temporary failure)",
		    j->sys, j->x.user, j->xpath, j->cmdline);
		uuxqt_tried(q, j->xpath, 1);
		return;
	}
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		log_info("sys=%s user=%s file=%s: executed \"%s\": exit 0", j->sys, j->x.user,
		    j->xpath, j->cmdline);
		uuxqt_notice(q, j, 1, "exit status 0");
	} else {
		if (st != -1 && WIFEXITED(st))
			snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(st));
		else if (st != -1 && WIFSIGNALED(st))
			snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(st));
		log_warnx("sys=%s user=%s file=%s: failed \"%s\": %s", j->sys, j->x.user,
		    j->xpath, j->cmdline, why);
		uuxqt_notice(q, j, 0, why);
	}
	uuxqt_remove(q, j);
}

/* uuxqt_one - handle one X. file of sys (its path), locked */
static void
uuxqt_one(struct uuxqt *q, const char *sys, const char *path)
{
	struct uuxqt_job *j = calloc(1, sizeof(*j));
	struct perm_view v;
	struct stat st, st2;
	char err[256], judged[512], *text = NULL;
	size_t len;
	int fd, verdict;

	if (!j)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		goto done;
	/* gone or moved aside meanwhile by another uuxqt */
	if (fstat(fd, &st) < 0 || stat(path, &st2) < 0 || st.st_ino != st2.st_ino ||
	    !S_ISREG(st.st_mode))
		goto done;
	j->sys = sys;
	str_copy(j->xpath, path, sizeof(j->xpath));
	text = file_read(path, XFILE_TEXT_MAX, &len);
	if (!text) {
		spool_corrupt(q->sp, path, sys, errno == EFBIG ? "execution file too long" :
		    "unreadable execution file");
		goto done;
	}
	if (xfile_parse(text, len, &j->x, err, sizeof(err)) < 0) {
		snprintf(judged, sizeof(judged), "malformed execution file: %s", err);
		spool_corrupt(q->sp, path, sys, judged);
		goto done;
	}
	uuxqt_cmdline(j);
	v = perm_for_machine(&q->hdb, sys, q->conf.pubdir);
	verdict = uuxperm_check(&j->x, &v, judged, sizeof(judged));
	if (verdict == UUXPERM_CORRUPT) {
		log_warnx("sys=%s user=%s file=%s: never run \"%s\": %s", sys, j->x.user, path,
		    j->cmdline, judged);
		spool_corrupt(q->sp, path, sys, judged);
		goto done;
	}
	uuxqt_run(q, j, verdict, judged, time(NULL) - st.st_mtime);
done:
	if (fd >= 0)
		close(fd);
	free(text);
	free(j);
}

/* uuxqt_sys - handle the X. files received from sys */
static void
uuxqt_sys(struct uuxqt *q, const char *sys)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (str_fmt(dir, sizeof(dir), "%s/%s/in", spool_dir(q->sp), sys) < 0)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "X.", 2) != 0 ||
		    spool_in_path(q->sp, sys, e->d_name, path, sizeof(path)) < 0)
			continue;
		if (uuxqt_tried(q, path, 0))
			continue;
		uuxqt_one(q, sys, path);
	}
	closedir(d);
}

/* uuxqt_pass - one scan over every system directory with an in/; the
 * number of requests run */
static int
uuxqt_pass(struct uuxqt *q)
{
	struct dirent *e;
	DIR *d;

	q->ran = 0;
	d = opendir(spool_dir(q->sp));
	if (!d) {
		log_warn("cannot read the spool %s", spool_dir(q->sp));
		return 0;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && name_is_safe(e->d_name, SPOOL_SYS_MAX - 1))
			uuxqt_sys(q, e->d_name);
	closedir(d);
	return q->ran;
}

/* uuxqt_config - the command path, wait limit and work directory */
static int
uuxqt_config(struct uuxqt *q, const char *argv0)
{
	char self[PATH_MAX], *slash;
	const char *v;
	ssize_t n;

	v = conf_get(&q->conf, "command-path");
	if (v) {
		str_copy(q->cmdpath, v, sizeof(q->cmdpath));
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0)
			self[n] = '\0';
		else
			str_copy(self, argv0, sizeof(self));
		slash = strrchr(self, '/');
		if (slash && self[0] == '/') {
			*slash = '\0';
			str_fmt(q->cmdpath, sizeof(q->cmdpath), "%s:/usr/sbin:/usr/bin:/bin",
			    self[0] ? self : "/");
		} else {
			str_copy(q->cmdpath, "/usr/sbin:/usr/bin:/bin", sizeof(q->cmdpath));
		}
	}
	v = conf_get(&q->conf, "uuxqt-max-wait");
	q->max_wait = v ? atol(v) : 86400;
	if (q->max_wait < 0)
		q->max_wait = 0;
	if (str_fmt(q->workdir, sizeof(q->workdir), "%s/.Xqtdir", spool_dir(q->sp)) < 0 ||
	    mkdir_p(q->workdir, 0700) < 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct uuxqt q;
	struct hdb_errors errs = { 0 };
	const char *config = NULL;
	char err[512];
	size_t i;
	int ch, pass;

	while ((ch = getopt(argc, argv, "I:x:")) != -1) {
		switch (ch) {
		case 'I': config = optarg; break;
		case 'x': log_set_debug(optarg); break;
		default:
			fprintf(stderr, "usage: uuxqt [-I config] [-x debug]\n");
			return 64;
		}
	}
	if (conf_load(&q.conf, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "uuxqt: %s\n", err);
		return 78;
	}
	log_init("uuxqt", q.conf.logfile);
	hdb_load(&q.hdb, q.conf.systems, q.conf.devices, q.conf.dialers, q.conf.permissions,
	    &errs);
	for (i = 0; i < errs.n; i++)
		log_warnx("%s", errs.msg[i]);
	hdb_errors_free(&errs);
	q.sp = spool_open(q.conf.spool, q.conf.nodename, q.conf.lockdir, err, sizeof(err));
	if (!q.sp)
		fatalx("%s", err);
	if (uuxqt_config(&q, argv[0]) < 0)
		fatal("%s", q.workdir);
	signal(SIGPIPE, SIG_IGN);
	for (pass = 0; pass < UUXQT_PASSES_MAX && uuxqt_pass(&q) > 0; pass++)
		;
	for (i = 0; i < q.ntried; i++)
		free(q.tried[i]);
	spool_close(q.sp);
	hdb_free(&q.hdb);
	conf_free(&q.conf);
	return 0;
}
