/*
 * spool.c - Brigade's queue: opening the spool, wire names, outgoing data
 * files, command files (queue, list, done, kill) and moving broken files
 * aside.  Locks are in spool_lock.c, receiving and status in
 * spool_recv.c, the command file format in spool_job.c.
 *
 * Trust: system names, ids and wire names given by callers are checked
 * again here before a path is built from them; files read back from the
 * spool are parsed by spool_job_parse, and one that fails is moved to
 * SPOOL/.Corrupt (never deleted) with a log line.
 *
 * Every file is written as SPOOL_TMP_PREFIX... with O_EXCL in the
 * directory of its final name, fsync'd, renamed, and the directory
 * fsync'd.  Listing ignores names that start with '.', so a crash leaves
 * at worst a stray temporary file, never a half job.
 *
 * Edits of an existing command file (spool_cmd_done, spool_job_kill) hold
 * an flock on SPOOL/SYS/.joblock so a kill cannot be undone by a
 * concurrent rewrite.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool_int.h"

static const char spool_b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* spool_sys_ok - whether sys may name a system directory */
int
spool_sys_ok(const char *sys)
{
	return sys && sys[0] != '.' && name_is_safe(sys, SPOOL_SYS_MAX - 1);
}

/* spool_wire_ok - whether w may name a file in a spool directory */
static int
spool_wire_ok(const char *w)
{
	return w && w[0] != '.' && name_is_safe(w, SPOOL_WIRE_MAX + 7);
}

/* spool_mkdir - create one directory; when new, fsync its parent */
int
spool_mkdir(const char *path)
{
	if (mkdir(path, 0755) == 0)
		return fsync_dir(path, 0);
	return errno == EEXIST ? 0 : -1;
}

/* spool_tmp_open - create a fresh temporary file in dir with O_EXCL; its
 * path goes to tmp */
int
spool_tmp_open(const char *dir, char *tmp, size_t tmplen, mode_t mode)
{
	static unsigned long seq;
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		if (str_fmt(tmp, tmplen, "%s/" SPOOL_TMP_PREFIX "%ld.%lu.%lld", dir,
		    (long)getpid(), ++seq, now_ms()) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* spool_write_new - write data as final (in dir) atomically: O_EXCL
 * temporary, fsync, rename, fsync dir.  On error nothing is left and errno
 * tells why. */
int
spool_write_new(const char *dir, const char *final, const void *data, size_t len,
    mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, err;

	fd = spool_tmp_open(dir, tmp, sizeof(tmp), mode);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, final) < 0)
		goto fail;
	return fsync_dir(dir, 1);
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
	return -1;
}

/* spool_corrupt - move a broken file to SPOOL/.Corrupt and log it; the
 * new name is made with link(2), so an earlier corrupt file of the same
 * name is never replaced */
int
spool_corrupt(struct spool *sp, const char *path, const char *sys, const char *why)
{
	char dst[PATH_MAX];
	const char *base = strrchr(path, '/');
	int i, r = -1;

	base = base ? base + 1 : path;
	for (i = 0; i < 100; i++) {
		if (str_fmt(dst, sizeof(dst), "%s/.Corrupt/%s.%s.%lld.%d", sp->dir, sys, base,
		    (long long)time(NULL), i) < 0)
			break;
		r = link(path, dst);
		if (r == 0 || errno != EEXIST)
			break;
	}
	if (r < 0 || unlink(path) < 0) {
		log_warn("sys=%s file=%s: corrupt (%s) but cannot move it aside", sys, path, why);
		return -1;
	}
	fsync_dir(dst, 0);
	fsync_dir(path, 0);
	log_warnx("sys=%s file=%s: corrupt: %s: moved to %s", sys, path, why, dst);
	return 0;
}

/* spool_open - open or create a spool */
struct spool *
spool_open(const char *dir, const char *nodename, const char *lockdir, char *err,
    size_t errlen)
{
	static const char *subs[] = { ".Status", ".Received", ".Temp", ".Corrupt" };
	struct spool *sp = calloc(1, sizeof(*sp));
	char path[PATH_MAX];
	size_t i;

	if (!sp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sp->recv_max_age = SPOOL_RECV_AGE_DEFAULT;
	if (dir[0] != '/' || path_canon(sp->dir, sizeof(sp->dir), dir) < 0) {
		snprintf(err, errlen, "spool directory %s: not an absolute path", dir);
		goto fail;
	}
	if (!spool_sys_ok(nodename) || str_copy(sp->node, nodename, sizeof(sp->node)) < 0) {
		snprintf(err, errlen, "bad node name \"%s\"", nodename);
		goto fail;
	}
	if (lockdir && lockdir[0])
		str_copy(path, lockdir, sizeof(path));
	else
		str_fmt(path, sizeof(path), "%s/.Lock", sp->dir);
	if (path[0] != '/' || path_canon(sp->lockdir, sizeof(sp->lockdir), path) < 0) {
		snprintf(err, errlen, "lock directory %s: not an absolute path", path);
		goto fail;
	}
	if (mkdir_p(sp->dir, 0755) < 0 || mkdir_p(sp->lockdir, 0755) < 0) {
		snprintf(err, errlen, "%s: %s", sp->dir, strerror(errno));
		goto fail;
	}
	for (i = 0; i < UTIL_ARRAY_LEN(subs); i++) {
		if (path_join(path, sizeof(path), sp->dir, subs[i]) < 0 || spool_mkdir(path) < 0) {
			snprintf(err, errlen, "%s/%s: %s", sp->dir, subs[i], strerror(errno));
			goto fail;
		}
	}
	return sp;
fail:
	free(sp);
	return NULL;
}

/* spool_close - release held locks and free the handle */
void
spool_close(struct spool *sp)
{
	if (!sp)
		return;
	while (sp->nheld > 0) {
		char sys[SPOOL_SYS_MAX];
		str_copy(sys, sp->held[sp->nheld - 1], sizeof(sys));
		spool_unlock(sp, sys);
	}
	free(sp);
}

/* spool_dir - the spool's top directory */
const char *
spool_dir(const struct spool *sp)
{
	return sp->dir;
}

/* spool_sys_dirs - create SPOOL/SYS with its C. and D. directories */
static int
spool_sys_dirs(struct spool *sp, const char *sys)
{
	char path[PATH_MAX];

	if (str_fmt(path, sizeof(path), "%s/%s", sp->dir, sys) < 0 || spool_mkdir(path) < 0)
		return -1;
	if (str_fmt(path, sizeof(path), "%s/%s/C.", sp->dir, sys) < 0 || spool_mkdir(path) < 0)
		return -1;
	if (str_fmt(path, sizeof(path), "%s/%s/D.", sp->dir, sys) < 0 || spool_mkdir(path) < 0)
		return -1;
	return 0;
}

/* spool_seq_next - take the next value of the persistent counter */
static int
spool_seq_next(struct spool *sp, unsigned long *out)
{
	char lockp[PATH_MAX], seqp[PATH_MAX], buf[32], *text, *end;
	unsigned long v = 0;
	int fd, r = -1, err;

	if (str_fmt(lockp, sizeof(lockp), "%s/.Sequence.lock", sp->dir) < 0 ||
	    str_fmt(seqp, sizeof(seqp), "%s/.Sequence", sp->dir) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			goto done;
	text = file_read(seqp, 64, NULL);
	if (text) {
		errno = 0;
		v = strtoul(text, &end, 10);
		if (errno || end == text || *end != '\n') {
			spool_corrupt(sp, seqp, "node", "unreadable sequence counter");
			v = (unsigned long)time(NULL);
		}
		free(text);
	} else if (errno != ENOENT) {
		goto done;
	}
	v++;
	snprintf(buf, sizeof(buf), "%lu\n", v);
	if (spool_write_new(sp->dir, seqp, buf, strlen(buf), 0644) < 0)
		goto done;
	*out = v;
	r = 0;
done:
	err = errno;
	close(fd);
	errno = err;
	return r;
}

/* spool_wire_exists - whether a data file of that name is in sys's queue */
static int
spool_wire_exists(const struct spool *sp, const char *sys, const char *wire)
{
	char path[PATH_MAX];
	struct stat st;

	if (spool_data_path(sp, sys, wire, path, sizeof(path)) < 0)
		return 0;
	return lstat(path, &st) == 0;
}

/* spool_wire_fresh - a new wire name embedding sys that names no file in
 * dest's queue (nor in sys's) */
static int
spool_wire_fresh(struct spool *sp, char kind, const char *sys, char grade,
    const char *dest, char out[SPOOL_WIRE_MAX])
{
	unsigned long v;
	char sys7[8];
	int tries;

	if ((kind != 'D' && kind != 'X' && kind != 'C') || !spool_sys_ok(sys) ||
	    !((grade >= '0' && grade <= '9') || (grade >= 'A' && grade <= 'Z') ||
	    (grade >= 'a' && grade <= 'z'))) {
		errno = EINVAL;
		return -1;
	}
	snprintf(sys7, sizeof(sys7) + 0, "%.7s", sys);
	for (tries = 0; tries < 1000; tries++) {
		if (spool_seq_next(sp, &v) < 0)
			return -1;
		v %= 62UL * 62 * 62 * 62;
		snprintf(out, SPOOL_WIRE_MAX, "%c.%s%c%c%c%c%c", kind, sys7, grade,
		    spool_b62[v / (62 * 62 * 62)], spool_b62[v / (62 * 62) % 62],
		    spool_b62[v / 62 % 62], spool_b62[v % 62]);
		if (!spool_wire_exists(sp, sys, out) && (!dest || !spool_wire_exists(sp, dest, out)))
			return 0;
	}
	errno = EEXIST;
	return -1;
}

/* spool_wire_name - allocate a fresh wire name */
int
spool_wire_name(struct spool *sp, char kind, const char *sys, char grade,
    char out[SPOOL_WIRE_MAX])
{
	return spool_wire_fresh(sp, kind, sys, grade, NULL, out);
}

/* spool_data_path - the path of an outgoing data file */
int
spool_data_path(const struct spool *sp, const char *sys, const char *wire, char *out,
    size_t outlen)
{
	if (!spool_sys_ok(sys) || !spool_wire_ok(wire)) {
		errno = EINVAL;
		return -1;
	}
	if (str_fmt(out, outlen, "%s/%s/D./%s", sp->dir, sys, wire) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* spool_data_tmp - the temporary name of a data file being written */
static int
spool_data_tmp(const struct spool *sp, const char *sys, const char *wire, char *out,
    size_t outlen)
{
	if (!spool_sys_ok(sys) || !spool_wire_ok(wire)) {
		errno = EINVAL;
		return -1;
	}
	return str_fmt(out, outlen, "%s/%s/D./" SPOOL_TMP_PREFIX "%s", sp->dir, sys, wire);
}

/* spool_data_create - start a new outgoing data file */
int
spool_data_create(struct spool *sp, const char *sys, char grade, char out[SPOOL_WIRE_MAX])
{
	char tmp[PATH_MAX];
	int fd;

	if (!spool_sys_ok(sys)) {
		errno = EINVAL;
		return -1;
	}
	if (spool_sys_dirs(sp, sys) < 0)
		return -1;
	if (spool_wire_fresh(sp, 'D', sp->node, grade, sys, out) < 0)
		return -1;
	if (spool_data_tmp(sp, sys, out, tmp, sizeof(tmp)) < 0)
		return -1;
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	return fd;
}

/* spool_data_commit - fsync and rename a data file into place */
int
spool_data_commit(struct spool *sp, const char *sys, const char *wire, int fd)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	int err;

	if (spool_data_tmp(sp, sys, wire, tmp, sizeof(tmp)) < 0 ||
	    spool_data_path(sp, sys, wire, final, sizeof(final)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (fsync(fd) < 0) {
		err = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		err = errno;
		goto fail;
	}
	if (rename(tmp, final) < 0 || fsync_dir(final, 0) < 0) {
		err = errno;
		unlink(final);
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	errno = err;
	return -1;
}

/* spool_data_abort - drop a data file being written */
void
spool_data_abort(struct spool *sp, const char *sys, const char *wire, int fd)
{
	char tmp[PATH_MAX];

	if (fd >= 0)
		close(fd);
	if (spool_data_tmp(sp, sys, wire, tmp, sizeof(tmp)) == 0)
		unlink(tmp);
}

/* spool_cmd_has_data - whether command c owns a data file in the spool */
static int
spool_cmd_has_data(const struct spool_cmd *c)
{
	return (c->kind == 'S' || c->kind == 'E') && strchr(c->options, 'C') &&
	    strcmp(c->temp, "D.0") != 0;
}

/* spool_job_path - the command file of a job */
static int
spool_job_path(const struct spool *sp, const char *sys, const char *id, char *out,
    size_t outlen)
{
	return str_fmt(out, outlen, "%s/%s/C./C.%s", sp->dir, sys, id);
}

/* spool_job_write - write job's command file atomically (new or replace) */
static int
spool_job_write(struct spool *sp, const struct spool_job *job)
{
	char dir[PATH_MAX], path[PATH_MAX], *text;
	size_t len;
	int r, err;

	if (str_fmt(dir, sizeof(dir), "%s/%s/C.", sp->dir, job->sys) < 0 ||
	    spool_job_path(sp, job->sys, job->id, path, sizeof(path)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	text = spool_job_format(job, &len);
	if (!text)
		return -1;
	r = spool_write_new(dir, path, text, len, 0644);
	err = errno;
	free(text);
	errno = err;
	return r;
}

/* spool_queue - queue a new job */
int
spool_queue(struct spool *sp, struct spool_job *job)
{
	char path[PATH_MAX];
	struct stat st;
	uuid_t u;
	size_t i;

	if (!spool_sys_ok(job->sys) || job->ncmd == 0 || job->ncmd > SPOOL_CMD_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < job->ncmd; i++) {
		if (!spool_cmd_has_data(&job->cmd[i]))
			continue;
		if (spool_data_path(sp, job->sys, job->cmd[i].temp, path, sizeof(path)) < 0)
			return -1;
		if (stat(path, &st) < 0)
			return -1;	/* ENOENT: data file not committed */
	}
	if (spool_sys_dirs(sp, job->sys) < 0)
		return -1;
	uuid_generate(u);
	uuid_unparse_lower(u, job->id);
	job->queued = time(NULL);
	return spool_job_write(sp, job);
}

/* spool_job_bytes - the size of a job's pending local data */
static off_t
spool_job_bytes(const struct spool *sp, const struct spool_job *job)
{
	char path[PATH_MAX];
	struct stat st;
	off_t total = 0;
	size_t i;

	for (i = 0; i < job->ncmd; i++) {
		const struct spool_cmd *c = &job->cmd[i];
		if (c->done || (c->kind != 'S' && c->kind != 'E'))
			continue;
		if (spool_cmd_has_data(c)) {
			if (spool_data_path(sp, job->sys, c->temp, path, sizeof(path)) < 0)
				continue;
		} else if (str_copy(path, c->from, sizeof(path)) < 0 || path[0] != '/') {
			continue;
		}
		if (stat(path, &st) == 0)
			total += st.st_size;
	}
	return total;
}

/* spool_job_load - read and parse one command file; 1 loaded, 0 gone or
 * moved aside, -1 error */
static int
spool_job_load(struct spool *sp, const char *sys, const char *name, struct spool_job *job)
{
	char path[PATH_MAX], err[128];
	char *text;
	size_t len;

	if (str_fmt(path, sizeof(path), "%s/%s/C./%s", sp->dir, sys, name) < 0)
		return 0;
	text = file_read(path, SPOOL_JOB_FILE_MAX, &len);
	if (!text) {
		if (errno == ENOENT)
			return 0;
		if (errno == EFBIG) {
			spool_corrupt(sp, path, sys, "too large");
			return 0;
		}
		return -1;
	}
	if (spool_job_parse(text, len, job, err, sizeof(err)) < 0) {
		free(text);
		spool_corrupt(sp, path, sys, err);
		return 0;
	}
	free(text);
	if (strcmp(job->sys, sys) != 0 || strncmp(name, "C.", 2) != 0 ||
	    strcmp(name + 2, job->id) != 0) {
		free(job->cmd);
		job->cmd = NULL;
		spool_corrupt(sp, path, sys, "id or system does not match its name");
		return 0;
	}
	job->bytes = spool_job_bytes(sp, job);
	return 1;
}

/* spool_list_sys - append sys's jobs to *jobs */
static int
spool_list_sys(struct spool *sp, const char *sys, struct spool_job **jobs, size_t *n,
    size_t *cap)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (str_fmt(path, sizeof(path), "%s/%s/C.", sp->dir, sys) < 0)
		return -1;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		struct spool_job job;
		int got;
		if (de->d_name[0] == '.' || strncmp(de->d_name, "C.", 2) != 0)
			continue;
		got = spool_job_load(sp, sys, de->d_name, &job);
		if (got < 0) {
			r = -1;
			break;
		}
		if (got == 0)
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct spool_job *nj = realloc(*jobs, ncap * sizeof(*nj));
			if (!nj) {
				free(job.cmd);
				r = -1;
				break;
			}
			*jobs = nj;
			*cap = ncap;
		}
		(*jobs)[(*n)++] = job;
	}
	closedir(d);
	return r;
}

/* spool_job_cmp - higher grade first ('0' < 'A' < 'a'), then oldest */
static int
spool_job_cmp(const void *a, const void *b)
{
	const struct spool_job *x = a, *y = b;

	if (x->grade != y->grade)
		return (unsigned char)x->grade < (unsigned char)y->grade ? -1 : 1;
	if (x->queued != y->queued)
		return x->queued < y->queued ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* spool_list - the queued jobs, sorted */
int
spool_list(struct spool *sp, const char *sys, struct spool_job **jobs, size_t *n)
{
	char **names = NULL;
	size_t nn = 0, i, cap = 0;
	int r = 0;

	*jobs = NULL;
	*n = 0;
	if (sys) {
		if (!spool_sys_ok(sys)) {
			errno = EINVAL;
			return -1;
		}
		r = spool_list_sys(sp, sys, jobs, n, &cap);
	} else {
		if (spool_systems(sp, &names, &nn) < 0)
			return -1;
		for (i = 0; i < nn && r == 0; i++)
			r = spool_list_sys(sp, names[i], jobs, n, &cap);
		for (i = 0; i < nn; i++)
			free(names[i]);
		free(names);
	}
	if (r < 0) {
		spool_list_free(*jobs, *n);
		*jobs = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*jobs, *n, sizeof(**jobs), spool_job_cmp);
	return 0;
}

/* spool_list_free - free a list from spool_list */
void
spool_list_free(struct spool_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(jobs[i].cmd);
	free(jobs);
}

/* spool_name_cmp - qsort helper for strings */
static int
spool_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* spool_systems - systems with a queue directory */
int
spool_systems(struct spool *sp, char ***names, size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t cap = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(sp->dir);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char *copy;
		if (!spool_sys_ok(de->d_name))
			continue;
		if (str_fmt(path, sizeof(path), "%s/%s/C.", sp->dir, de->d_name) < 0 ||
		    stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (*n == cap) {
			char **nn;
			cap = cap ? cap * 2 : 8;
			nn = realloc(*names, cap * sizeof(*nn));
			if (!nn)
				goto fail;
			*names = nn;
		}
		copy = strdup(de->d_name);
		if (!copy)
			goto fail;
		(*names)[(*n)++] = copy;
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), spool_name_cmp);
	return 0;
fail:
	closedir(d);
	while (*n > 0)
		free((*names)[--*n]);
	free(*names);
	*names = NULL;
	return -1;
}

/* spool_joblock - take sys's job-edit flock; the fd, or -1 */
static int
spool_joblock(struct spool *sp, const char *sys)
{
	char path[PATH_MAX];
	int fd;

	if (str_fmt(path, sizeof(path), "%s/%s/.joblock", sp->dir, sys) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* spool_joblock_release - release the job-edit flock */
static void
spool_joblock_release(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
}

/* spool_cmd_unlink_data - remove a command's data file, if it has one */
static void
spool_cmd_unlink_data(struct spool *sp, const char *sys, const struct spool_cmd *c)
{
	char path[PATH_MAX];

	if (spool_cmd_has_data(c) && spool_data_path(sp, sys, c->temp, path, sizeof(path)) == 0)
		if (unlink(path) < 0 && errno != ENOENT)
			log_warn("sys=%s file=%s: cannot remove", sys, path);
}

/* spool_job_remove - unlink a job's command file, then its data files */
static int
spool_job_remove(struct spool *sp, const struct spool_job *job)
{
	char path[PATH_MAX];
	size_t i;

	if (spool_job_path(sp, job->sys, job->id, path, sizeof(path)) < 0)
		return -1;
	if (unlink(path) < 0 || fsync_dir(path, 0) < 0)
		return -1;
	for (i = 0; i < job->ncmd; i++)
		spool_cmd_unlink_data(sp, job->sys, &job->cmd[i]);
	return 0;
}

/* spool_cmd_done - mark one command finished; drop the job when none is
 * left; then remove the command's data file */
int
spool_cmd_done(struct spool *sp, struct spool_job *job, size_t idx)
{
	char path[PATH_MAX];
	struct stat st;
	size_t i, left = 0;
	int lk, r = -1;

	if (idx >= job->ncmd || !spool_sys_ok(job->sys)) {
		errno = EINVAL;
		return -1;
	}
	lk = spool_joblock(sp, job->sys);
	if (lk < 0)
		return -1;
	if (spool_job_path(sp, job->sys, job->id, path, sizeof(path)) < 0)
		goto done;
	if (stat(path, &st) < 0)
		goto done;	/* killed meanwhile: ENOENT */
	job->cmd[idx].done = 1;
	for (i = 0; i < job->ncmd; i++)
		if (!job->cmd[i].done)
			left++;
	if (left == 0) {
		r = spool_job_remove(sp, job);
		goto done;
	}
	if (spool_job_write(sp, job) < 0) {
		job->cmd[idx].done = 0;
		goto done;
	}
	spool_cmd_unlink_data(sp, job->sys, &job->cmd[idx]);
	r = 0;
done:
	spool_joblock_release(lk);
	return r;
}

/* spool_find_prefix - find the one job whose id starts with prefix (out
 * then owns its cmd array); 1 found, 0 none, -1 error (EINVAL: ambiguous) */
int
spool_find_prefix(struct spool *sp, const char *prefix, struct spool_job *out)
{
	struct spool_job *jobs;
	size_t n, i, hits = 0, at = 0;

	if (spool_list(sp, NULL, &jobs, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strncmp(jobs[i].id, prefix, strlen(prefix)) == 0) {
			hits++;
			at = i;
		}
	if (hits == 1) {
		*out = jobs[at];
		jobs[at].cmd = NULL;
	}
	spool_list_free(jobs, n);
	if (hits > 1) {
		errno = EINVAL;
		return -1;
	}
	return hits == 1;
}

/* spool_job_kill - remove a job by id or unique prefix */
int
spool_job_kill(struct spool *sp, const char *id, const char *user)
{
	struct spool_job job;
	char path[PATH_MAX];
	struct stat st;
	int lk, r;

	if (!id || !id[0] || strlen(id) >= SPOOL_ID_MAX) {
		errno = ENOENT;
		return -1;
	}
	r = spool_find_prefix(sp, id, &job);
	if (r <= 0) {
		if (r == 0)
			errno = ENOENT;
		return -1;
	}
	r = -1;
	if (user && strcmp(user, job.user) != 0) {
		errno = EPERM;
		goto out;
	}
	lk = spool_joblock(sp, job.sys);
	if (lk < 0)
		goto out;
	if (spool_job_path(sp, job.sys, job.id, path, sizeof(path)) == 0 && stat(path, &st) == 0)
		r = spool_job_remove(sp, &job);
	else
		errno = ENOENT;
	spool_joblock_release(lk);
	if (r == 0)
		log_info("sys=%s job=%s: killed", job.sys, job.id);
out:
	free(job.cmd);
	return r;
}
