/*
 * util.c - small shared helpers.  Names from outside are checked only by
 * name_is_safe and path_is_clean/path_under, so that there is one gate.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

#ifndef SBINDIR
#define SBINDIR "/usr/local/sbin"
#endif
#ifndef BINDIR
#define BINDIR "/usr/local/bin"
#endif

/* str_copy - bounded copy */
int
str_copy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n == 0)
		return -1;
	if (len >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

/* str_fmt - bounded formatting that reports truncation */
int
str_fmt(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	return (r < 0 || (size_t)r >= n) ? -1 : 0;
}

/* write_all - write everything */
int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* read_all - read until EOF or len bytes */
ssize_t
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* file_read - slurp a bounded file */
char *
file_read(const char *path, size_t max, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	r = read_all(fd, buf, (size_t)st.st_size);
	close(fd);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[r] = '\0';
	if (lenp)
		*lenp = (size_t)r;
	return buf;
}

/* fsync_dir - make a directory entry durable */
int
fsync_dir(const char *path, int is_dir)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, r;

	if (str_copy(dir, path, sizeof(dir)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!is_dir) {
		slash = strrchr(dir, '/');
		if (!slash)
			str_copy(dir, ".", sizeof(dir));
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* file_write_atomic - write, fsync, rename, fsync the directory */
int
file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, err;

	if (str_fmt(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return fsync_dir(path, 0);
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
	return -1;
}

/* mkdir_p - create a directory with its parents */
int
mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	if (str_copy(buf, path, sizeof(buf)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* path_join - join two path pieces */
int
path_join(char *dst, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la > 0 && a[la - 1] == '/')
		return str_fmt(dst, n, "%s%s", a, b);
	return str_fmt(dst, n, "%s/%s", a, b);
}

/* name_is_safe - the gate for single names from outside */
int
name_is_safe(const char *s, size_t max)
{
	size_t len = strlen(s);
	const unsigned char *p;

	if (len == 0 || len > max)
		return 0;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p == '/' || *p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

/* path_is_clean - absolute, no dot components, no control bytes */
int
path_is_clean(const char *path)
{
	const char *p = path, *comp;

	if (path[0] != '/' || strstr(path, "//"))
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return 0;
	p = path;
	while (*p) {
		while (*p == '/')
			p++;
		comp = p;
		while (*p && *p != '/')
			p++;
		if (p - comp == 1 && comp[0] == '.')
			return 0;
		if (p - comp == 2 && comp[0] == '.' && comp[1] == '.')
			return 0;
		if (p - comp == 0 && *p)
			return 0;
	}
	return 1;
}

/* path_under - containment of clean paths */
int
path_under(const char *path, const char *dir)
{
	size_t ld = strlen(dir);

	while (ld > 1 && dir[ld - 1] == '/')
		ld--;
	if (ld == 1 && dir[0] == '/')
		return path[0] == '/';
	if (strncmp(path, dir, ld) != 0)
		return 0;
	return path[ld] == '\0' || path[ld] == '/';
}

/* path_canon - lexical canonical form */
int
path_canon(char *dst, size_t n, const char *path)
{
	char out[PATH_MAX];
	size_t o = 0;
	const char *p = path, *comp;

	if (path[0] != '/' || n < 2) {
		errno = EINVAL;
		return -1;
	}
	out[o++] = '/';
	while (*p) {
		size_t len;
		while (*p == '/')
			p++;
		comp = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - comp);
		if (len == 0 || (len == 1 && comp[0] == '.'))
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			if (o > 1) {
				o--;
				while (o > 1 && out[o - 1] != '/')
					o--;
			}
			continue;
		}
		if (o + len + 2 >= sizeof(out)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(out + o, comp, len);
		o += len;
		out[o++] = '/';
	}
	if (o > 1)
		o--;
	out[o] = '\0';
	return str_copy(dst, out, n);
}

/* now_ms - monotonic milliseconds */
long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* util_find_program - Brigade's own program by name */
int
util_find_program(const char *name, char *out, size_t outlen)
{
	static const char *const rel[] = { "", "../sbin/", "../bin/" };
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t i;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			slash[1] = '\0';
			for (i = 0; i < UTIL_ARRAY_LEN(rel); i++)
				if (str_fmt(out, outlen, "%s%s%s", self, rel[i], name) == 0 &&
				    access(out, X_OK) == 0)
					return 0;
		}
	}
	if (path_join(out, outlen, SBINDIR, name) == 0 && access(out, X_OK) == 0)
		return 0;
	if (path_join(out, outlen, BINDIR, name) == 0 && access(out, X_OK) == 0)
		return 0;
	return -1;
}

/* util_spawn_detached - start a program in the background */
int
util_spawn_detached(char *const argv[])
{
	pid_t pid = fork();
	int fd, status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return 0;
}
