/*
 * spool_ops.c - poll markers and job rejuvenation (see spool_ops.h).
 * Names come from the operator or the configuration: each is checked by
 * spool_sys_ok before a path is built from it; command files are parsed
 * with the spool's own bounded parser.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool_int.h"
#include "spool/spool_ops.h"

/* spool_poll_path - SPOOL/.Poll or SPOOL/.Poll/SYS */
static int
spool_poll_path(const struct spool *sp, const char *sys, char *out, size_t outlen)
{
	if (!sys)
		return str_fmt(out, outlen, "%s/.Poll", sp->dir);
	if (!spool_sys_ok(sys)) {
		errno = EINVAL;
		return -1;
	}
	return str_fmt(out, outlen, "%s/.Poll/%s", sp->dir, sys);
}

/* spool_poll_request - create the marker */
int
spool_poll_request(struct spool *sp, const char *sys)
{
	char dir[PATH_MAX], path[PATH_MAX];

	if (spool_poll_path(sp, NULL, dir, sizeof(dir)) < 0 ||
	    spool_poll_path(sp, sys, path, sizeof(path)) < 0)
		return -1;
	if (spool_mkdir(dir) < 0)
		return -1;
	if (access(path, F_OK) == 0)
		return 0;
	return spool_write_new(dir, path, "", 0, 0644);
}

/* spool_poll_pending - whether the marker exists */
int
spool_poll_pending(struct spool *sp, const char *sys)
{
	char path[PATH_MAX];

	if (spool_poll_path(sp, sys, path, sizeof(path)) < 0)
		return -1;
	return access(path, F_OK) == 0;
}

/* spool_poll_clear - remove the marker */
int
spool_poll_clear(struct spool *sp, const char *sys)
{
	char path[PATH_MAX];

	if (spool_poll_path(sp, sys, path, sizeof(path)) < 0)
		return -1;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -1;
	return fsync_dir(path, 0);
}

/* spool_poll_systems - names of the markers */
int
spool_poll_systems(struct spool *sp, char ***names, size_t *n)
{
	char dir[PATH_MAX], **v = NULL, **nv;
	struct dirent *de;
	size_t cnt = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	if (spool_poll_path(sp, NULL, dir, sizeof(dir)) < 0)
		return -1;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (!spool_sys_ok(de->d_name))
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strdup(de->d_name))) {
			v = nv ? nv : v;
			goto fail;
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	*names = v;
	*n = cnt;
	return 0;
fail:
	closedir(d);
	while (cnt > 0)
		free(v[--cnt]);
	free(v);
	errno = ENOMEM;
	return -1;
}

/* spool_ops_find - the one job whose id starts with prefix; 1, 0, -1 */
static int
spool_ops_find(struct spool *sp, const char *prefix, char sys[SPOOL_SYS_MAX],
    char id[SPOOL_ID_MAX], char user[64])
{
	struct spool_job job;
	int r = spool_find_prefix(sp, prefix, &job);

	if (r == 1) {
		str_copy(sys, job.sys, SPOOL_SYS_MAX);
		str_copy(id, job.id, SPOOL_ID_MAX);
		str_copy(user, job.user, 64);
		free(job.cmd);
	}
	return r;
}

/* spool_ops_rewrite - re-read a job's file under the lock held by the
 * caller and write it back with queued set to now */
static int
spool_ops_rewrite(const char *dir, const char *path)
{
	struct spool_job job;
	char *text, *out = NULL, err[128];
	size_t len;
	int r = -1;

	memset(&job, 0, sizeof(job));
	text = file_read(path, SPOOL_JOB_FILE_MAX, &len);
	if (!text)
		return -1;
	if (spool_job_parse(text, len, &job, err, sizeof(err)) < 0) {
		errno = EINVAL;
		goto done;
	}
	job.queued = time(NULL);
	out = spool_job_format(&job, &len);
	if (out)
		r = spool_write_new(dir, path, out, len, 0644);
done:
	free(job.cmd);
	free(out);
	free(text);
	return r;
}

/* spool_job_rejuvenate - queued time of a job to now */
int
spool_job_rejuvenate(struct spool *sp, const char *id, const char *user)
{
	char sys[SPOOL_SYS_MAX], jid[SPOOL_ID_MAX], owner[64], dir[PATH_MAX], path[PATH_MAX];
	char lockpath[PATH_MAX];
	int r, lk;

	if (!id || !id[0] || strlen(id) >= SPOOL_ID_MAX) {
		errno = ENOENT;
		return -1;
	}
	r = spool_ops_find(sp, id, sys, jid, owner);
	if (r <= 0) {
		if (r == 0)
			errno = ENOENT;
		return -1;
	}
	if (user && strcmp(user, owner) != 0) {
		errno = EPERM;
		return -1;
	}
	if (str_fmt(dir, sizeof(dir), "%s/%s/C.", sp->dir, sys) < 0 ||
	    str_fmt(path, sizeof(path), "%s/C.%s", dir, jid) < 0 ||
	    str_fmt(lockpath, sizeof(lockpath), "%s/%s/.joblock", sp->dir, sys) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* the same job-edit lock spool.c takes, so a command finishing
	 * meanwhile is not undone */
	lk = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lk < 0)
		return -1;
	while ((r = flock(lk, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (r == 0)
		r = access(path, F_OK) == 0 ? spool_ops_rewrite(dir, path) : -1;
	if (r == 0)
		log_info("sys=%s job=%s: rejuvenated", sys, jid);
	{
		int err = errno;
		close(lk);
		errno = err;
	}
	return r;
}
