/*
 * sched.h - the daemon's scheduling decisions as pure functions: whether a
 * neighbour is due a call now, how long a failed neighbour waits, when its
 * time window next opens, and the HDB Poll file.  Every function takes the
 * clock as an argument (a time_t, and the zone through localtime_r), so
 * tests can drive them with any instant.  Nothing here does I/O.
 */
#ifndef BRIGADE_SCHED_H
#define BRIGADE_SCHED_H

#include <stddef.h>
#include <time.h>

#define SCHED_BACKOFF_BASE 300		/* first wait after a failure (seconds) */
#define SCHED_BACKOFF_CAP (23 * 3600)	/* the longest wait, as HDB */
#define SCHED_POLL_MAX 256		/* systems in a Poll file */

/* What the daemon knows about one neighbour at an instant. */
struct sched_input {
	const char *timefield;		/* the Systems time field ("Any", "Wk0800-1700;5") */
	char best_grade;		/* the most urgent grade queued, 0 when nothing is */
	int poll_wanted;		/* a poll is requested (uupoll or the Poll file) */
	int failed;			/* the last call failed */
	time_t next_retry;		/* not before this (0: any time) */
	int busy;			/* a call with it is in progress */
};

/* Why sched_decide said what it said. */
enum {
	SCHED_CALL = 0,			/* call now */
	SCHED_IDLE = 1,			/* nothing queued, no poll wanted */
	SCHED_BUSY = 2,			/* a call is already in progress */
	SCHED_WAIT_RETRY = 3,		/* failed: waiting for next_retry */
	SCHED_WAIT_WINDOW = 4,		/* outside the time window (for the grade) */
	SCHED_BAD_FIELD = 5,		/* the time field does not parse */
};

/* sched_decide - whether to call the neighbour described by in at now:
 * SCHED_CALL, or the reason not to.  Work is called for with its best
 * grade (so "Any/C,Wk1800-0600" calls grade C and better at once, bulk
 * only at night); a poll is called for with grade 0 (any window). */
int sched_decide(const struct sched_input *in, time_t now);

/* sched_reason - a short name for a sched_decide result ("call", "idle",
 * "busy", "retry-wait", "window", "bad-time-field"). */
const char *sched_reason(int decision);

/* sched_backoff - the wait in seconds after the retries'th consecutive
 * failure (retries >= 1).  base is the first wait: the Systems ";N"
 * minutes times 60 when given, else SCHED_BACKOFF_BASE (or an operator's
 * value); each further failure doubles it, up to SCHED_BACKOFF_CAP.
 * base <= 0 means SCHED_BACKOFF_BASE. */
long sched_backoff(int retries, long base);

/* sched_next_window - the first minute at or after now when field lets
 * grade (0: any) call, searching at most eight days ahead; now itself
 * when the window is open, (time_t)-1 when it never opens or the field
 * is bad. */
time_t sched_next_window(const char *field, char grade, time_t now);

/* One Poll file entry: "system<TAB>hour hour ..." (hours 0-23). */
struct sched_poll {
	char sys[64];
	unsigned long hours;		/* bit h set: poll during hour h */
	int line;
};

/* sched_poll_parse - parse a Poll file (text of len bytes) into at most
 * max entries; returns the number parsed, and puts the first error as
 * "line N: why" in err (bad lines are skipped).  '#' starts a comment. */
int sched_poll_parse(const char *text, size_t len, struct sched_poll *out, size_t max,
    char *err, size_t errlen);

/* sched_poll_due - whether an entry with hours wants a poll at now, given
 * that the system was last called (successfully or not) at last_call:
 * now's hour is listed and no call began since that hour started. */
int sched_poll_due(unsigned long hours, time_t last_call, time_t now);

#endif
