/*
 * uuxq.c - queue a remote execution (see uuxq.h): the data files, the X.
 * file, and the job that sends them, or for our own node the files
 * committed straight into SPOOL/NODE/in/ for uuxqt.
 *
 * Trust: the caller's request is checked (system, command and user names,
 * grade, arguments that the X. file can carry byte-exact); the local files
 * it names are opened with the caller's rights.  On any failure every data
 * file already written is removed, so nothing is left queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "uux/uuxq.h"
#include "uux/xfile.h"

#define UUXQ_DATA_MAX (XFILE_FILES_MAX + 1)

/* The data files written so far, for the job and for cleaning up. */
struct uuxq_state {
	struct spool *sp;
	const char *dsys;		/* where data files were created */
	char grade;
	char wire[UUXQ_DATA_MAX][SPOOL_WIRE_MAX];
	size_t nwire;
	char xdata[SPOOL_WIRE_MAX];	/* remote: the data file holding the X. text */
};

/* uuxq_err - format a reason into err; returns -1 */
static int
uuxq_err(char *err, size_t errlen, const char *what, int e)
{
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", e ? strerror(e) : "");
	errno = e ? e : EINVAL;
	return -1;
}

/* uuxq_grade_ok - whether g is a UUCP grade */
static int
uuxq_grade_ok(char g)
{
	return (g >= '0' && g <= '9') || (g >= 'A' && g <= 'Z') || (g >= 'a' && g <= 'z');
}

/* uuxq_copy_fd - copy in (to EOF) into out */
static int
uuxq_copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t r;

	for (;;) {
		r = read(in, buf, sizeof(buf));
		if (r == 0)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || write_all(out, buf, (size_t)r) < 0)
			return -1;
	}
}

/* uuxq_data - write one data file from fd in (or buf when in < 0); its
 * wire name is recorded in st */
static int
uuxq_data(struct uuxq_state *st, int in, const char *buf, size_t len)
{
	char *wire = st->wire[st->nwire];
	int fd, e;

	fd = spool_data_create(st->sp, st->dsys, st->grade, wire);
	if (fd < 0)
		return -1;
	if ((in >= 0 ? uuxq_copy_fd(in, fd) : write_all(fd, buf, len)) < 0) {
		e = errno;
		spool_data_abort(st->sp, st->dsys, wire, fd);
		errno = e;
		return -1;
	}
	if (spool_data_commit(st->sp, st->dsys, wire, fd) < 0)
		return -1;
	st->nwire++;
	return 0;
}

/* uuxq_cleanup - remove every data file written (in the queue or in/) */
static void
uuxq_cleanup(struct uuxq_state *st, int moved)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < st->nwire; i++) {
		if (spool_data_path(st->sp, st->dsys, st->wire[i], path, sizeof(path)) == 0)
			unlink(path);
		if (moved && spool_in_path(st->sp, st->dsys, st->wire[i], path, sizeof(path)) == 0)
			unlink(path);
	}
	if (st->xdata[0] && spool_data_path(st->sp, st->dsys, st->xdata, path,
	    sizeof(path)) == 0)
		unlink(path);
}

/* uuxq_check - validate the request; NULL or why not */
static const char *
uuxq_check(const struct spool *sp, const struct uuxq_req *req)
{
	size_t i;

	(void)sp;
	if (!req->sys || !name_is_safe(req->sys, SPOOL_SYS_MAX - 1) || req->sys[0] == '.')
		return "bad system name";
	if (!req->command || !name_is_safe(req->command, 255))
		return "bad command name";
	if (!req->user || !name_is_safe(req->user, 63))
		return "bad user name";
	if (req->grade && !uuxq_grade_ok(req->grade))
		return "bad grade";
	if (req->nargs + 1 > XFILE_ARGS_MAX || req->nfiles > XFILE_FILES_MAX)
		return "too many arguments";
	for (i = 0; i < req->nargs; i++)
		if (!req->args[i] || !req->args[i][0])
			return "empty argument";
	for (i = 0; i < req->nfiles; i++)
		if (!req->files[i] || !req->file_names || !req->file_names[i] ||
		    !name_is_safe(req->file_names[i], XFILE_NAME_MAX - 1))
			return "bad file argument";
	if (req->requestor && (!req->requestor[0] || strlen(req->requestor) >= XFILE_NAME_MAX))
		return "bad requestor address";
	return NULL;
}

/* uuxq_build - fill x from the request (without data files) */
static int
uuxq_build(const struct conf *conf, const struct uuxq_req *req, struct xfile *x)
{
	char *argv[XFILE_ARGS_MAX];
	size_t i;

	memset(x, 0, sizeof(*x));
	str_copy(x->user, req->user, sizeof(x->user));
	str_copy(x->sys, conf->nodename, sizeof(x->sys));
	if (req->requestor)
		str_copy(x->requestor, req->requestor, sizeof(x->requestor));
	x->notify = req->notify & (XFILE_NOTIFY_NEVER | XFILE_NOTIFY_FAIL | XFILE_NOTIFY_OK);
	argv[0] = (char *)req->command;
	for (i = 0; i < req->nargs; i++)
		argv[i + 1] = req->args[i];
	return xfile_set_args(x, argv, req->nargs + 1);
}

/* uuxq_files - write the data files (sent files, then stdin) and name
 * them in x */
static int
uuxq_files(struct uuxq_state *st, const struct uuxq_req *req, struct xfile *x,
    char *err, size_t errlen)
{
	size_t i;
	int fd, r;

	for (i = 0; i < req->nfiles; i++) {
		fd = open(req->files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return uuxq_err(err, errlen, req->files[i], errno);
		r = uuxq_data(st, fd, NULL, 0);
		close(fd);
		if (r < 0)
			return uuxq_err(err, errlen, "cannot spool a file argument", errno);
		str_copy(x->files[x->nfiles].name, st->wire[st->nwire - 1], XFILE_NAME_MAX);
		str_copy(x->files[x->nfiles].use, req->file_names[i], XFILE_NAME_MAX);
		x->nfiles++;
	}
	if (req->stdin_fd < 0 && !req->stdin_data)
		return 0;
	if (x->nfiles == XFILE_FILES_MAX)
		return uuxq_err(err, errlen, "too many files", 0);
	if (uuxq_data(st, req->stdin_fd, req->stdin_data, req->stdin_len) < 0)
		return uuxq_err(err, errlen, "cannot spool standard input", errno);
	str_copy(x->files[x->nfiles++].name, st->wire[st->nwire - 1], XFILE_NAME_MAX);
	str_copy(x->input, st->wire[st->nwire - 1], sizeof(x->input));
	return 0;
}

/* uuxq_local - commit data and X. file into our own execution area */
static int
uuxq_local(struct uuxq_state *st, const char *text, size_t len, char *xname,
    char *err, size_t errlen)
{
	char from[PATH_MAX], to[PATH_MAX];
	size_t i;

	for (i = 0; i < st->nwire; i++) {
		if (spool_data_path(st->sp, st->dsys, st->wire[i], from, sizeof(from)) < 0 ||
		    spool_in_path(st->sp, st->dsys, st->wire[i], to, sizeof(to)) < 0 ||
		    rename(from, to) < 0)
			return uuxq_err(err, errlen, "cannot move data into the execution area",
			    errno);
	}
	if (st->nwire > 0 && (fsync_dir(from, 0) < 0 || fsync_dir(to, 0) < 0))
		return uuxq_err(err, errlen, "fsync", errno);
	if (spool_in_path(st->sp, st->dsys, xname, to, sizeof(to)) < 0 ||
	    file_write_atomic(to, text, len, 0600) < 0)
		return uuxq_err(err, errlen, "cannot write the execution file", errno);
	return 0;
}

/* uuxq_remote - write the X. text as a data file and queue the job that
 * sends everything */
static int
uuxq_remote(struct uuxq_state *st, const struct uuxq_req *req, const char *text,
    size_t len, const char *xname, char jobid[SPOOL_ID_MAX], char *err, size_t errlen)
{
	struct spool_cmd cmds[UUXQ_DATA_MAX + 1];
	struct spool_job job;
	size_t i;
	int fd;

	fd = spool_data_create(st->sp, st->dsys, st->grade, st->xdata);
	if (fd < 0)
		return uuxq_err(err, errlen, "cannot create the execution file", errno);
	if (write_all(fd, text, len) < 0) {
		int e = errno;
		spool_data_abort(st->sp, st->dsys, st->xdata, fd);
		st->xdata[0] = '\0';
		return uuxq_err(err, errlen, "cannot write the execution file", e);
	}
	if (spool_data_commit(st->sp, st->dsys, st->xdata, fd) < 0) {
		st->xdata[0] = '\0';
		return uuxq_err(err, errlen, "cannot commit the execution file", errno);
	}
	memset(&job, 0, sizeof(job));
	memset(cmds, 0, sizeof(cmds));
	str_copy(job.sys, req->sys, sizeof(job.sys));
	str_copy(job.user, req->user, sizeof(job.user));
	job.grade = st->grade;
	for (i = 0; i <= st->nwire; i++) {
		struct spool_cmd *c = &cmds[i];
		const char *w = i < st->nwire ? st->wire[i] : st->xdata;
		c->kind = 'S';
		c->from = w;
		c->to = i < st->nwire ? w : xname;
		str_copy(c->user, req->user, sizeof(c->user));
		str_copy(c->options, "C", sizeof(c->options));
		str_copy(c->temp, w, sizeof(c->temp));
		c->mode = 0666;
	}
	job.cmd = cmds;
	job.ncmd = st->nwire + 1;
	if (spool_queue(st->sp, &job) < 0)
		return uuxq_err(err, errlen, "cannot queue the job", errno);
	if (jobid)
		str_copy(jobid, job.id, SPOOL_ID_MAX);
	return 0;
}

/* uuxq_queue - queue a remote (or local) execution */
int
uuxq_queue(struct spool *sp, const struct conf *conf, const struct uuxq_req *req,
    char jobid[SPOOL_ID_MAX], char *err, size_t errlen)
{
	struct uuxq_state st;
	struct xfile *x = NULL;
	char xname[SPOOL_WIRE_MAX], *text = NULL;
	const char *why;
	size_t len;
	int local, r = -1, e;

	memset(&st, 0, sizeof(st));
	if (err && errlen)
		err[0] = '\0';
	if ((why = uuxq_check(sp, req)) != NULL)
		return uuxq_err(err, errlen, why, 0);
	local = strcmp(req->sys, conf->nodename) == 0;
	st.sp = sp;
	st.dsys = req->sys;
	st.grade = req->grade ? req->grade : 'N';
	x = malloc(sizeof(*x));
	if (!x)
		return uuxq_err(err, errlen, "out of memory", ENOMEM);
	if (uuxq_build(conf, req, x) < 0) {
		uuxq_err(err, errlen, "arguments too long or too many", 0);
		goto done;
	}
	if (uuxq_files(&st, req, x, err, errlen) < 0)
		goto done;
	text = xfile_format(x, &len);
	if (!text) {
		uuxq_err(err, errlen, "cannot format the execution file", errno);
		goto done;
	}
	if (spool_wire_name(sp, 'X', conf->nodename, st.grade, xname) < 0) {
		uuxq_err(err, errlen, "cannot name the execution file", errno);
		goto done;
	}
	if (local) {
		r = uuxq_local(&st, text, len, xname, err, errlen);
		if (r == 0 && jobid)
			str_copy(jobid, xname, SPOOL_ID_MAX);
	} else {
		r = uuxq_remote(&st, req, text, len, xname, jobid, err, errlen);
	}
done:
	e = errno;
	if (r < 0)
		uuxq_cleanup(&st, local);
	free(text);
	free(x);
	errno = e;
	return r;
}
