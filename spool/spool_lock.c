/*
 * spool_lock.c - per-system locks, HDB style: LOCKDIR/LCK.SYS holds the
 * owner's pid as ten ASCII digits and a newline.  A lock is created by
 * writing a temporary file and link(2)ing it to the lock name, so it
 * appears whole or not at all.  A lock whose process is dead is broken.
 *
 * Breaking is the racy part: two processes may both see the same stale
 * lock, and the slower one must not remove the lock the faster one has
 * just made.  So the check ("is the pid in it dead?") and the unlink are
 * done together under an flock on LOCKDIR/.LCK.guard; only breakers take
 * it, and a live owner's lock never looks stale, so what a breaker reads
 * is what it removes.
 *
 * Trust: a lock file is written by any process that can write LOCKDIR; it
 * is read bounded and a content that is not a pid counts as stale.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool_int.h"

/* spool_lock_path - LOCKDIR/LCK.SYS */
static int
spool_lock_path(const struct spool *sp, const char *sys, char *out, size_t outlen)
{
	if (!spool_sys_ok(sys)) {
		errno = EINVAL;
		return -1;
	}
	return str_fmt(out, outlen, "%s/LCK.%s", sp->lockdir, sys);
}

/* spool_lock_held - index of sys in our held list, or -1 */
static int
spool_lock_held(const struct spool *sp, const char *sys)
{
	size_t i;

	for (i = 0; i < sp->nheld; i++)
		if (strcmp(sp->held[i], sys) == 0)
			return (int)i;
	return -1;
}

/* spool_lock_pid - the pid in a lock file: >0, 0 unreadable, -1 gone */
static long
spool_lock_pid(const char *path)
{
	char buf[32], *end;
	ssize_t r;
	long pid;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? -1 : 0;
	r = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || *end != '\n' || pid <= 0)
		return 0;
	return pid;
}

/* spool_lock_break - remove path if its owner is dead; 1 broken (or
 * gone), 0 alive, -1 error */
static int
spool_lock_break(struct spool *sp, const char *path, const char *sys)
{
	char guard[PATH_MAX];
	long pid;
	int g, r = 0;

	if (str_fmt(guard, sizeof(guard), "%s/.LCK.guard", sp->lockdir) < 0)
		return -1;
	g = open(guard, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (g < 0)
		return -1;
	while (flock(g, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(g);
			return -1;
		}
	}
	pid = spool_lock_pid(path);
	if (pid < 0) {
		r = 1;
	} else if (pid == 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
		if (unlink(path) == 0 || errno == ENOENT) {
			log_info("sys=%s: broke stale lock %s (pid %ld)", sys, path, pid);
			r = 1;
		} else {
			r = -1;
		}
	}
	close(g);
	return r;
}

/* spool_lock_make - write our pid to a temporary file and link it to
 * path; 0, or -1 (EEXIST: someone holds it) */
static int
spool_lock_make(struct spool *sp, const char *path)
{
	char tmp[PATH_MAX], buf[16];
	int fd, r, err;

	fd = spool_tmp_open(sp->lockdir, tmp, sizeof(tmp), 0644);
	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%10ld\n", (long)getpid());
	if (write_all(fd, buf, strlen(buf)) < 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	close(fd);
	r = link(tmp, path);
	err = errno;
	unlink(tmp);
	errno = err;
	return r;
}

/* spool_lock - take sys's lock */
int
spool_lock(struct spool *sp, const char *sys)
{
	char path[PATH_MAX];
	int tries, b;

	if (spool_lock_path(sp, sys, path, sizeof(path)) < 0)
		return -1;
	if (spool_lock_held(sp, sys) >= 0)
		return 0;
	if (sp->nheld == SPOOL_HELD_MAX) {
		errno = ENOLCK;
		return -1;
	}
	for (tries = 0; tries < 5; tries++) {
		if (spool_lock_make(sp, path) == 0) {
			str_copy(sp->held[sp->nheld++], sys, SPOOL_SYS_MAX);
			spool_recv_prune_sys(sp, sys);
			return 0;
		}
		if (errno != EEXIST)
			return -1;
		b = spool_lock_break(sp, path, sys);
		if (b < 0)
			return -1;
		if (b == 0)
			break;
	}
	errno = EWOULDBLOCK;
	return -1;
}

/* spool_unlock - release sys's lock if we hold it */
void
spool_unlock(struct spool *sp, const char *sys)
{
	char path[PATH_MAX];
	int i = spool_lock_held(sp, sys);

	if (i < 0)
		return;
	if (spool_lock_path(sp, sys, path, sizeof(path)) == 0 &&
	    spool_lock_pid(path) == (long)getpid())
		unlink(path);
	sp->nheld--;
	if ((size_t)i != sp->nheld)
		memcpy(sp->held[i], sp->held[sp->nheld], SPOOL_SYS_MAX);
}
