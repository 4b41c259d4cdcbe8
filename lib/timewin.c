/*
 * timewin.c - evaluate a Systems time field.  The field comes from the
 * operator's Systems file; malformed fields are reported (-1), never
 * guessed at.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timewin.h"
#include "lib/util.h"

/* timewin_grade_rank - the order of grades: digits, upper, lower */
static int
timewin_grade_rank(char g)
{
	if (g >= '0' && g <= '9')
		return g - '0';
	if (g >= 'A' && g <= 'Z')
		return 10 + g - 'A';
	if (g >= 'a' && g <= 'z')
		return 36 + g - 'a';
	return 100 + (unsigned char)g;
}

/* timewin_grade_better - grade comparison */
int
timewin_grade_better(char a, char b)
{
	return timewin_grade_rank(a) <= timewin_grade_rank(b);
}

/* timewin_days - parse the day part into a bit mask (bit 0 Sunday) */
static int
timewin_days(const char **pp, int *mask)
{
	static const char *names[] = { "Su", "Mo", "Tu", "We", "Th", "Fr", "Sa" };
	const char *p = *pp;
	int m = 0, i, any = 0;

	for (;;) {
		if (strncmp(p, "Any", 3) == 0) {
			m = 0x7f;
			p += 3;
		} else if (strncmp(p, "Wk", 2) == 0) {
			m |= 0x3e;
			p += 2;
		} else if (strncmp(p, "Never", 5) == 0) {
			p += 5;
		} else {
			for (i = 0; i < 7; i++)
				if (strncmp(p, names[i], 2) == 0)
					break;
			if (i == 7)
				break;
			m |= 1 << i;
			p += 2;
		}
		any = 1;
	}
	if (!any)
		return -1;
	*mask = m;
	*pp = p;
	return 0;
}

/* timewin_hhmm - parse four digits */
static int
timewin_hhmm(const char *p, int *minutes)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (v / 100 > 24 || v % 100 > 59)
		return -1;
	*minutes = (v / 100) * 60 + v % 100;
	return 0;
}

/* timewin_entry - evaluate one comma-separated entry */
static int
timewin_entry(const char *e, const struct tm *tm, char grade)
{
	const char *p = e;
	int mask, from = 0, to = 24 * 60, now, day = tm->tm_wday, in;

	if (timewin_days(&p, &mask) < 0)
		return -1;
	if (isdigit((unsigned char)*p)) {
		if (timewin_hhmm(p, &from) < 0 || p[4] != '-' || timewin_hhmm(p + 5, &to) < 0)
			return -1;
		p += 9;
	}
	if (*p == '/') {
		if (!p[1] || p[2])
			return -1;
		if (grade && !timewin_grade_better(grade, p[1]))
			return 0;
		p += 2;
	}
	if (*p)
		return -1;
	now = tm->tm_hour * 60 + tm->tm_min;
	if (from <= to) {
		in = now >= from && now < to && (mask & (1 << day));
	} else {
		/* wraps midnight: the late part belongs to today, the early
		 * part to the day the range started on */
		int yesterday = (day + 6) % 7;
		in = (now >= from && (mask & (1 << day))) ||
		    (now < to && (mask & (1 << yesterday)));
	}
	return in;
}

/* timewin_allows - evaluate the whole field */
int
timewin_allows(const char *field, const struct tm *tm, char grade)
{
	char buf[256], *e, *save = NULL, *semi;
	int any = 0, r;

	if (str_copy(buf, field, sizeof(buf)) < 0)
		return -1;
	semi = strchr(buf, ';');
	if (semi)
		*semi = '\0';
	for (e = strtok_r(buf, ",|", &save); e; e = strtok_r(NULL, ",|", &save)) {
		r = timewin_entry(e, tm, grade);
		if (r < 0)
			return -1;
		any |= r;
	}
	return any;
}

/* timewin_retry - the ;N suffix */
int
timewin_retry(const char *field)
{
	const char *semi = strchr(field, ';');
	char *end;
	long v;

	if (!semi)
		return -1;
	v = strtol(semi + 1, &end, 10);
	if (end == semi + 1 || *end || v < 0 || v > 100000)
		return -1;
	return (int)v;
}
