/*
 * log.h - Brigade's logging: one line per event, to a log file or stderr.
 *
 * Lines look like "prog[pid]: 2026-11-30 01:02:03 what happened".  Callers
 * put key=value pairs (sys=beta job=...) in the text themselves.  log_warn
 * and fatal append strerror(errno); log_warnx and fatalx do not.  Debug
 * output is by category (-x), written only when that category is enabled.
 */
#ifndef BRIGADE_LOG_H
#define BRIGADE_LOG_H

#include <stdarg.h>

/* Debug categories for -x; a bit each. */
enum {
	LOG_D_HANDSHAKE = 1 << 0,	/* session handshake strings */
	LOG_D_PROTO = 1 << 1,		/* protocol packets */
	LOG_D_PORT = 1 << 2,		/* bytes read and written on the port */
	LOG_D_CONFIG = 1 << 3,		/* configuration decisions */
	LOG_D_SPOOL = 1 << 4,		/* spool operations */
	LOG_D_CHAT = 1 << 5,		/* chat scripts */
	LOG_D_XFER = 1 << 6,		/* file transfer commands */
	LOG_D_ALL = 0x7f
};

/* log_init - set the program name and log file (NULL or "" for stderr). */
void log_init(const char *prog, const char *logfile);

/* log_set_debug - enable debug categories from a -x argument such as
 * "handshake,proto" or "all" or a number; returns -1 on an unknown name. */
int log_set_debug(const char *spec);

/* log_debug_on - whether category cat is enabled. */
int log_debug_on(int cat);

/* log_also_stderr - when on, each log line is also copied to stderr. */
void log_also_stderr(int on);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(int cat, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
