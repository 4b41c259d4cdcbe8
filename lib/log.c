/*
 * log.c - Brigade's logging.  Each line is written with one write(2) on a
 * file opened O_APPEND, so several processes may share one log file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

static char log_prog[32] = "brigade";
static int log_fd = 2;
static int log_stderr_copy;
static int log_debug_mask;

/* log_init - set the program name and log file */
void
log_init(const char *prog, const char *logfile)
{
	const char *slash = strrchr(prog, '/');

	snprintf(log_prog, sizeof(log_prog), "%s", slash ? slash + 1 : prog);
	if (log_fd > 2)
		close(log_fd);
	log_fd = 2;
	if (logfile && *logfile) {
		int fd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			log_fd = fd;
		else
			fprintf(stderr, "%s: cannot open log %s: %s\n", log_prog, logfile,
			    strerror(errno));
	}
}

/* log_set_debug - enable debug categories by name or number */
int
log_set_debug(const char *spec)
{
	static const struct { const char *name; int bit; } names[] = {
		{ "handshake", LOG_D_HANDSHAKE }, { "proto", LOG_D_PROTO },
		{ "port", LOG_D_PORT }, { "config", LOG_D_CONFIG },
		{ "spool", LOG_D_SPOOL }, { "chat", LOG_D_CHAT },
		{ "xfer", LOG_D_XFER }, { "all", LOG_D_ALL },
	};
	char buf[256], *tok, *save = NULL;

	if (spec[0] >= '0' && spec[0] <= '9') {
		int n = atoi(spec);
		log_debug_mask |= n >= 9 ? LOG_D_ALL : (1 << n) - 1;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(tok, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		log_debug_mask |= names[i].bit;
	}
	return 0;
}

/* log_debug_on - whether a debug category is enabled */
int
log_debug_on(int cat)
{
	return (log_debug_mask & cat) != 0;
}

/* log_also_stderr - copy log lines to stderr too */
void
log_also_stderr(int on)
{
	log_stderr_copy = on;
}

/* log_escape - rewrite bytes that are not printable ASCII as \ooo, in
 * place from offset 0, so that nothing from the wire can forge a log line
 * or a terminal escape; returns the new length */
static size_t
log_escape(char *line, size_t n, size_t size)
{
	char out[4096];
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < sizeof(out); i++) {
		unsigned char ch = (unsigned char)line[i];
		if (ch >= ' ' && ch < 0x7f) {
			out[o++] = (char)ch;
		} else {
			snprintf(out + o, 5, "\\%03o", ch);
			o += 4;
		}
	}
	if (o >= size)
		o = size - 1;
	memcpy(line, out, o);
	line[o] = '\0';
	return o;
}

/* log_emit - format and write one line */
static void
log_emit(const char *fmt, va_list ap, int with_errno, int err)
{
	char line[4096];
	size_t n;
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = (size_t)snprintf(line, sizeof(line), "%s[%ld]: ", log_prog, (long)getpid());
	n += strftime(line + n, sizeof(line) - n, "%Y-%m-%d %H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%02ld ", ts.tv_nsec / 10000000);
	if (n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = log_escape(line, strlen(line), sizeof(line));
	if (with_errno && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, ": %s", strerror(err));
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, n) < 0) {
		/* nowhere left to complain */
	}
	if (log_stderr_copy && log_fd != 2 && write(2, line, n) < 0) {
		/* likewise */
	}
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(fmt, ap, 0, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(fmt, ap, 1, err);
	va_end(ap);
	errno = err;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(fmt, ap, 0, 0);
	va_end(ap);
}

void
log_debug(int cat, const char *fmt, ...)
{
	va_list ap;

	if (!(log_debug_mask & cat))
		return;
	va_start(ap, fmt);
	log_emit(fmt, ap, 0, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(fmt, ap, 1, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(fmt, ap, 0, 0);
	va_end(ap);
	exit(1);
}
