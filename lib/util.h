/*
 * util.h - small shared helpers: bounded strings, whole-file I/O, atomic
 * file replacement, directory creation and checks on names that come from
 * outside (the wire, a spool file, a user).
 */
#ifndef BRIGADE_UTIL_H
#define BRIGADE_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* str_copy - copy src into dst of size n, always NUL-terminated; returns
 * -1 (and copies a truncated string) when src does not fit. */
int str_copy(char *dst, const char *src, size_t n);

/* str_fmt - snprintf that returns -1 on truncation or error. */
int str_fmt(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* write_all - write all len bytes to fd, retrying on EINTR and short
 * writes; 0 or -1 with errno set. */
int write_all(int fd, const void *buf, size_t len);

/* read_all - read up to len bytes until EOF; returns bytes read or -1. */
ssize_t read_all(int fd, void *buf, size_t len);

/* file_read - read a whole file of at most max bytes into a new
 * NUL-terminated buffer (caller frees); *lenp gets its length.  NULL on
 * error (errno set; EFBIG when larger than max). */
char *file_read(const char *path, size_t max, size_t *lenp);

/* fsync_dir - fsync the directory that holds path (or path itself when it
 * is a directory and is_dir is set). */
int fsync_dir(const char *path, int is_dir);

/* file_write_atomic - replace path with data: write a temporary file in
 * the same directory, fsync it, rename it over path, fsync the directory.
 * A crash leaves either the old or the new content, never a mix. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* mkdir_p - create a directory and its parents (mode for new ones). */
int mkdir_p(const char *path, mode_t mode);

/* path_join - dst = a "/" b; -1 when it does not fit. */
int path_join(char *dst, size_t n, const char *a, const char *b);

/* name_is_safe - whether s may be used as one path component: non-empty,
 * at most max bytes, not "." or "..", no '/', no control bytes or
 * spaces.  The single gate for names from outside. */
int name_is_safe(const char *s, size_t max);

/* path_is_clean - whether an absolute path has no "." or ".." components,
 * no empty components and no control bytes. */
int path_is_clean(const char *path);

/* path_under - whether clean absolute path lies inside directory dir
 * (both clean; dir itself counts as inside). */
int path_under(const char *path, const char *dir);

/* path_canon - resolve a path lexically into dst: collapse "//" and ".",
 * and apply ".." (never above "/").  dst must hold PATH_MAX bytes. */
int path_canon(char *dst, size_t n, const char *path);

/* now_ms - a monotonic clock in milliseconds. */
long long now_ms(void);

/* util_find_program - find Brigade's own program name (never another
 * package's program of that name in PATH): beside the running binary (a
 * build tree), in the sbin or bin beside its directory (an installed tree,
 * wherever it was staged), then in SBINDIR and BINDIR.  Writes the path to
 * out; 0, or -1 when not found. */
int util_find_program(const char *name, char *out, size_t outlen);

/* util_spawn_detached - run argv[0] with argv in a new session, its stdio
 * on /dev/null, not waited for (double fork: no zombie is left).  0, or -1
 * when it could not be started. */
int util_spawn_detached(char *const argv[]);

#endif
