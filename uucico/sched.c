/*
 * sched.c - the daemon's scheduling decisions: pure functions of their
 * arguments and the clock passed in.  The Systems time field comes from
 * the operator and the Poll file too; both are checked, never trusted to
 * be well formed.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/timewin.h"
#include "lib/util.h"
#include "uucico/sched.h"

/* sched_decide - whether a neighbour is due a call at now */
int
sched_decide(const struct sched_input *in, time_t now)
{
	struct tm tm;
	char grade;
	int r;

	if (!in->best_grade && !in->poll_wanted)
		return SCHED_IDLE;
	if (in->busy)
		return SCHED_BUSY;
	if (in->failed && in->next_retry > now)
		return SCHED_WAIT_RETRY;
	if (!localtime_r(&now, &tm))
		return SCHED_BAD_FIELD;
	/* A poll may use any window; work the window of its best grade. */
	grade = in->poll_wanted ? 0 : in->best_grade;
	r = timewin_allows(in->timefield, &tm, grade);
	if (r < 0)
		return SCHED_BAD_FIELD;
	return r ? SCHED_CALL : SCHED_WAIT_WINDOW;
}

/* sched_reason - the name of a decision */
const char *
sched_reason(int decision)
{
	static const char *names[] = { "call", "idle", "busy", "retry-wait", "window",
		"bad-time-field" };

	if (decision < 0 || decision > SCHED_BAD_FIELD)
		return "unknown";
	return names[decision];
}

/* sched_backoff - doubling waits from base, capped */
long
sched_backoff(int retries, long base)
{
	long wait;
	int i;

	if (base <= 0)
		base = SCHED_BACKOFF_BASE;
	if (base > SCHED_BACKOFF_CAP)
		return SCHED_BACKOFF_CAP;
	wait = base;
	for (i = 1; i < retries && wait < SCHED_BACKOFF_CAP; i++)
		wait *= 2;
	return wait > SCHED_BACKOFF_CAP ? SCHED_BACKOFF_CAP : wait;
}

/* sched_next_window - scan forward minute by minute for an open window */
time_t
sched_next_window(const char *field, char grade, time_t now)
{
	time_t t = now;
	struct tm tm;
	int i, r;

	for (i = 0; i <= 8 * 24 * 60; i++) {
		if (!localtime_r(&t, &tm))
			return (time_t)-1;
		r = timewin_allows(field, &tm, grade);
		if (r < 0)
			return (time_t)-1;
		if (r)
			return t;
		/* to the start of the next minute */
		t = t - tm.tm_sec + 60;
	}
	return (time_t)-1;
}

/* sched_poll_line - parse one Poll line into e; 0, 1 (blank), -1 */
static int
sched_poll_line(char *line, struct sched_poll *e, const char **why)
{
	char *p = line, *name;
	size_t n;

	p[strcspn(p, "#")] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 1;
	name = p;
	n = strcspn(p, " \t");
	if (!p[n]) {
		*why = "no hours after the system name";
		return -1;
	}
	p[n] = '\0';
	if (!name_is_safe(name, sizeof(e->sys) - 1) || name[0] == '.') {
		*why = "bad system name";
		return -1;
	}
	str_copy(e->sys, name, sizeof(e->sys));
	e->hours = 0;
	for (p += n + 1;;) {
		long h = 0;
		int digits = 0;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		while (isdigit((unsigned char)*p) && digits < 3) {
			h = h * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits || h > 23 || (*p && *p != ' ' && *p != '\t' && *p != '\r')) {
			*why = "hours are numbers 0 to 23";
			return -1;
		}
		e->hours |= 1UL << h;
	}
	if (!e->hours) {
		*why = "no hours after the system name";
		return -1;
	}
	return 0;
}

/* sched_poll_parse - every line of a Poll file */
int
sched_poll_parse(const char *text, size_t len, struct sched_poll *out, size_t max,
    char *err, size_t errlen)
{
	char line[1024];
	size_t pos = 0, n = 0;
	int ln = 0;

	if (errlen)
		err[0] = '\0';
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *why = NULL;
		int r;

		ln++;
		if (l >= sizeof(line)) {
			why = "line too long";
			r = -1;
		} else {
			memcpy(line, text + pos, l);
			line[l] = '\0';
			if (memchr(line, '\0', l))
				why = "NUL byte", r = -1;
			else if (n == max)
				why = "too many entries", r = -1;
			else
				r = sched_poll_line(line, &out[n], &why);
		}
		if (r == 0)
			out[n++].line = ln;
		else if (r < 0 && errlen && !err[0])
			snprintf(err, errlen, "line %d: %s", ln, why);
		pos += l + (nl ? 1 : 0);
	}
	return (int)n;
}

/* sched_poll_due - the hour is listed and not yet served */
int
sched_poll_due(unsigned long hours, time_t last_call, time_t now)
{
	struct tm tm;
	time_t hour_start;

	if (!localtime_r(&now, &tm))
		return 0;
	if (!(hours & (1UL << tm.tm_hour)))
		return 0;
	hour_start = now - tm.tm_min * 60 - tm.tm_sec;
	return last_call < hour_start;
}
