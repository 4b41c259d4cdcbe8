/*
 * mbox.c - append messages to mbox files, all or nothing (see mbox.h).
 *
 * Trust: the message bytes are hostile but only copied (escaped, never
 * interpreted); the user name has been validated by the caller and is
 * checked again by mbox_path; the mailbox must be a regular file with a
 * single link, opened without following symbolic links.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gateway/mailaddr.h"
#include "gateway/mbox.h"
#include "lib/util.h"

#define MBOX_POLL_MS 20

/* mbox_fail - format a reason into err; returns code */
static int __attribute__((format(printf, 4, 5)))
mbox_fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* mbox_nap - sleep for the lock poll interval */
static void
mbox_nap(void)
{
	struct timespec ts = { 0, MBOX_POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* mbox_is_from - whether the line at p is ">*From " */
static int
mbox_is_from(const char *p, size_t left)
{
	size_t i = 0;

	while (i < left && p[i] == '>')
		i++;
	return left - i >= 5 && !memcmp(p + i, "From ", 5);
}

/* mbox_escape - the mboxrd form of a message */
char *
mbox_escape(const char *msg, size_t len, size_t *outlen)
{
	size_t off = 0, o = 0, lines = 1, n;
	const char *nl;
	char *out;

	for (n = 0; n < len; n++)
		if (msg[n] == '\n')
			lines++;
	if (lines > ((size_t)-1 - len - 3) || !(out = malloc(len + lines + 3)))
		return NULL;
	while (off < len) {
		nl = memchr(msg + off, '\n', len - off);
		n = nl ? (size_t)(nl - msg - off) + 1 : len - off;
		if (mbox_is_from(msg + off, n))
			out[o++] = '>';
		memcpy(out + o, msg + off, n);
		o += n;
		off += n;
	}
	if (o == 0 || out[o - 1] != '\n')
		out[o++] = '\n';
	out[o++] = '\n';
	*outlen = o;
	return out;
}

/* mbox_path - maildir/user for a safe user name */
int
mbox_path(char *dst, size_t n, const char *maildir, const char *user)
{
	if (!mailaddr_user_is_valid(user))
		return -1;
	return path_join(dst, n, maildir, user);
}

/* mbox_dotlock - create path.lock (breaking a stale one) before deadline */
static int
mbox_dotlock(const char *lock, long long deadline, char *err, size_t errlen)
{
	struct stat st;
	char pid[16];
	int fd;

	for (;;) {
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return mbox_fail(MBOX_TEMP, err, errlen, "cannot create %s: %s", lock,
			    strerror(errno));
		if (lstat(lock, &st) == 0 && time(NULL) - st.st_mtime > MBOX_STALE_LOCK_S)
			(void)unlink(lock);
		if (now_ms() >= deadline)
			return mbox_fail(MBOX_TEMP, err, errlen, "mailbox locked (%s)", lock);
		mbox_nap();
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	(void)write_all(fd, pid, strlen(pid));
	close(fd);
	return MBOX_OK;
}

/* mbox_open - open the mailbox for append, checked, with an fcntl lock */
static int
mbox_open(const char *path, long long deadline, int *fdp, off_t *sizep, char *err,
    size_t errlen)
{
	struct flock fl;
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return mbox_fail(errno == ELOOP ? MBOX_PERM : MBOX_TEMP, err, errlen,
		    "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		close(fd);
		return mbox_fail(MBOX_PERM, err, errlen, "%s is not a plain file", path);
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLK, &fl) < 0) {
		if ((errno != EAGAIN && errno != EACCES && errno != EINTR) || now_ms() >= deadline) {
			close(fd);
			return mbox_fail(MBOX_TEMP, err, errlen, "cannot lock %s", path);
		}
		mbox_nap();
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return mbox_fail(MBOX_TEMP, err, errlen, "cannot stat %s: %s", path, strerror(errno));
	}
	*fdp = fd;
	*sizep = st.st_size;
	return MBOX_OK;
}

/* mbox_write - append the From_ line and the escaped message; truncate
 * back to size on failure */
static int
mbox_write(int fd, off_t size, const char *from_line, const char *msg, size_t len,
    char *err, size_t errlen)
{
	char *esc, last = '\n';
	size_t elen;
	int e;

	if (!(esc = mbox_escape(msg, len, &elen)))
		return mbox_fail(MBOX_TEMP, err, errlen, "out of memory");
	if (size > 0 && pread(fd, &last, 1, size - 1) != 1)
		last = '\n';
	if ((last != '\n' && write_all(fd, "\n", 1) < 0) ||
	    write_all(fd, from_line, strlen(from_line)) < 0 ||
	    write_all(fd, esc, elen) < 0 || fsync(fd) < 0) {
		e = errno;
		free(esc);
		if (ftruncate(fd, size) < 0 || fsync(fd) < 0)
			return mbox_fail(MBOX_TEMP, err, errlen, "write failed (%s) and truncating "
			    "back failed: %s", strerror(e), strerror(errno));
		return mbox_fail(MBOX_TEMP, err, errlen, "write failed: %s", strerror(e));
	}
	free(esc);
	return MBOX_OK;
}

/* mbox_append - append one message to a mailbox, all or nothing */
int
mbox_append(const char *path, const char *from_line, const char *msg, size_t len,
    char *err, size_t errlen)
{
	char lock[4096];
	long long deadline = now_ms() + MBOX_LOCK_WAIT_MS;
	off_t size = 0;
	int fd = -1, r;

	if (str_fmt(lock, sizeof(lock), "%s.lock", path) < 0)
		return mbox_fail(MBOX_PERM, err, errlen, "mailbox path too long");
	if ((r = mbox_dotlock(lock, deadline, err, errlen)) != MBOX_OK)
		return r;
	if ((r = mbox_open(path, deadline, &fd, &size, err, errlen)) != MBOX_OK)
		goto out;
	r = mbox_write(fd, size, from_line, msg, len, err, errlen);
	if (r == MBOX_OK && size == 0)
		(void)fsync_dir(path, 0);
out:
	if (fd >= 0)
		close(fd);
	(void)unlink(lock);
	return r;
}
