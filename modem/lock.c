/*
 * lock.c - HDB device lock files: LCK..NAME in a lock directory, holding
 * the owner's pid as ten ASCII digits and a newline, so cu, minicom, Taylor
 * UUCP and other programs that follow the convention see that a device is
 * in use and we see theirs.  A lock whose pid no longer runs is stale and
 * is broken.  Lock files are read as hostile text: at most 64 bytes, a
 * decimal number (or a 4-byte binary pid as old HDB wrote) or nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "modem/port.h"
#include "modem/port_priv.h"

#define PORT_LOCK_TRIES 3	/* races with another locker before giving up */

static char port_lock_dirname[PATH_MAX] = PORT_LOCK_DIR;

/* The locks this process holds: device path as given, and the lock file
 * (a symlinked device may point elsewhere by the time it is unlocked). */
#define PORT_LOCK_HELD 8
static struct {
	char dev[256];
	char file[PATH_MAX];
} port_lock_held[PORT_LOCK_HELD];

/* port_lock_dir - set the directory lock files go in */
void
port_lock_dir(const char *dir)
{
	str_copy(port_lock_dirname, dir && dir[0] ? dir : PORT_LOCK_DIR,
	    sizeof(port_lock_dirname));
}

/* port_lock_name - the lock file name for device path (pure): LCK.. and the
 * device's name under /dev with '/' as '_' (the target of a symlink) */
int
port_lock_name(const char *path, char *out, size_t outlen)
{
	char real[PATH_MAX], base[PATH_MAX];
	const char *s = path;
	size_t i;

	if (realpath(path, real) != NULL)
		s = real;
	if (strncmp(s, "/dev/", 5) == 0)
		s += 5;
	else if (strrchr(s, '/') != NULL)
		s = strrchr(s, '/') + 1;
	if (str_copy(base, s, sizeof(base)) < 0 || base[0] == '\0')
		return -1;
	for (i = 0; base[i]; i++)
		if (base[i] == '/')
			base[i] = '_';
	return str_fmt(out, outlen, "LCK..%s", base);
}

/* port_lock_parse - the pid in a lock file's text (pure); 0 when none */
long
port_lock_parse(const char *text, size_t len)
{
	long pid = 0;
	size_t i = 0;

	while (i < len && text[i] == ' ')
		i++;
	if (i < len && text[i] >= '0' && text[i] <= '9') {
		for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
			pid = pid * 10 + (text[i] - '0');
			if (pid > 0x7fffffffL)
				return 0;
		}
		return pid;
	}
	if (len == 4) {		/* old binary HDB lock: a native int */
		int bin;
		memcpy(&bin, text, 4);
		return bin > 0 ? bin : 0;
	}
	return 0;
}

/* port_lock_owner - the pid in lock file path, 0 when unreadable or empty */
static long
port_lock_owner(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? port_lock_parse(buf, (size_t)n) : 0;
}

/* port_lock_write_tmp - a temporary file beside the lock holding our pid */
static int
port_lock_write_tmp(const char *tmp)
{
	char text[16];
	int fd, rc;

	(void)snprintf(text, sizeof(text), "%10ld\n", (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	rc = write_all(fd, text, strlen(text));
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* port_lock_remember - note a lock taken for dev */
static void
port_lock_remember(const char *dev, const char *file)
{
	size_t i;

	for (i = 0; i < PORT_LOCK_HELD; i++)
		if (port_lock_held[i].dev[0] == '\0') {
			str_copy(port_lock_held[i].dev, dev, sizeof(port_lock_held[i].dev));
			str_copy(port_lock_held[i].file, file, sizeof(port_lock_held[i].file));
			return;
		}
}

/* port_lock - take the lock for device path; 0, 1 (with err) when the lock
 * directory cannot be written so no lock was taken, or -1 with err when
 * another live process holds it */
int
port_lock(const char *path, char *err, size_t errlen)
{
	char name[PATH_MAX], lock[PATH_MAX], tmp[PATH_MAX];
	int tries, rc = -1;

	if (port_lock_name(path, name, sizeof(name)) < 0 ||
	    path_join(lock, sizeof(lock), port_lock_dirname, name) < 0 ||
	    str_fmt(tmp, sizeof(tmp), "%s/LTMP.%ld", port_lock_dirname, (long)getpid()) < 0) {
		port_err(err, errlen, 0, "%s: lock file name too long", path);
		return -1;
	}
	(void)unlink(tmp);
	if (port_lock_write_tmp(tmp) < 0) {
		int e = errno;
		port_err(err, errlen, 0, "%s: cannot write %s: %s", path, tmp, strerror(e));
		(void)unlink(tmp);
		/* a lock directory we may not write: no lock, the caller warns */
		return e == EACCES || e == EROFS || e == ENOENT || e == EPERM ? 1 : -1;
	}
	for (tries = 0; tries < PORT_LOCK_TRIES; tries++) {
		long owner;
		if (link(tmp, lock) == 0) {
			rc = 0;
			break;
		}
		if (errno != EEXIST) {
			port_err(err, errlen, 0, "%s: cannot lock %s: %s", path, lock,
			    strerror(errno));
			break;
		}
		owner = port_lock_owner(lock);
		if (owner == (long)getpid()) {
			rc = 2;	/* already ours: the first taker unlocks */
			break;
		}
		if (owner > 0 && (kill((pid_t)owner, 0) == 0 || errno == EPERM)) {
			port_err(err, errlen, 0, "%s: device locked by pid %ld (%s)", path, owner,
			    lock);
			break;
		}
		log_info("breaking stale lock %s (pid %ld)", lock, owner);
		(void)unlink(lock);
	}
	if (tries == PORT_LOCK_TRIES)
		port_err(err, errlen, 0, "%s: cannot take %s", path, lock);
	(void)unlink(tmp);
	if (rc == 0)
		port_lock_remember(path, lock);
	return rc == 2 ? 0 : rc;
}

/* port_unlock - remove the lock taken for path when it still holds our pid */
void
port_unlock(const char *path)
{
	size_t i;

	for (i = 0; i < PORT_LOCK_HELD; i++) {
		if (port_lock_held[i].dev[0] == '\0' || strncmp(port_lock_held[i].dev, path,
		    sizeof(port_lock_held[i].dev) - 1) != 0)
			continue;
		if (port_lock_owner(port_lock_held[i].file) == (long)getpid())
			(void)unlink(port_lock_held[i].file);
		port_lock_held[i].dev[0] = '\0';
		return;
	}
}

/* port_lock_open - lock path for a port being opened: 1 locked, 0 not (the
 * lock directory is not writable: warned), -1 with err (in use) */
int
port_lock_open(const char *path, char *err, size_t errlen)
{
	char why[512];
	int rc = port_lock(path, why, sizeof(why));

	if (rc == 1) {
		log_warnx("%s: not locked: %s", path, why);
		return 0;
	}
	if (rc < 0) {
		port_err(err, errlen, 0, "%s", why);
		return -1;
	}
	return 1;
}
