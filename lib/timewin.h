/*
 * timewin.h - the time field of an HDB Systems entry: when a system may
 * be called, and for which grades.  Pure functions of the field and a
 * broken-down time, so the logic can be tested with any clock.
 *
 *   Any | Never | Wk (Mo-Fr) | days Su Mo Tu We Th Fr Sa, run together
 *   optionally followed by hhmm-hhmm (a range may wrap past midnight),
 *   optionally /G (only grades G and better), several entries joined by
 *   commas (or '|'), and an optional ";N" retry time in minutes at the end.
 *   Examples: "Any", "Wk1700-0800", "MoWeFr0800-1200,SaSu", "Any/C,Any0000-0600;30".
 */
#ifndef BRIGADE_TIMEWIN_H
#define BRIGADE_TIMEWIN_H

#include <time.h>

/* timewin_allows - whether a call may be placed at tm for work of grade
 * (0: any grade at all, as for a poll).  Returns 1, 0, or -1 when the
 * field cannot be parsed. */
int timewin_allows(const char *field, const struct tm *tm, char grade);

/* timewin_retry - the ";N" retry minutes of the field, or -1 if absent. */
int timewin_retry(const char *field);

/* timewin_grade_better - whether grade a is as urgent as b or more
 * ('0'-'9' before 'A'-'Z' before 'a'-'z'). */
int timewin_grade_better(char a, char b);

#endif
