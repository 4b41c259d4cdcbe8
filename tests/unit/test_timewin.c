/* test_timewin.c - the Systems time field, with an injected clock. */
#include <string.h>

#include "lib/timewin.h"
#include "tests/unit/tap.h"

/* tm_at - a broken-down time on weekday wday (0 = Sunday) at hh:mm */
static struct tm
tm_at(int wday, int hh, int mm)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_wday = wday;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	return tm;
}

int
main(void)
{
	static const struct {
		const char *field;
		int wday, hh, mm;
		char grade;
		int want;
	} t[] = {
		{ "Any", 0, 0, 0, 0, 1 },
		{ "Any", 6, 23, 59, 'z', 1 },
		{ "Never", 3, 12, 0, 0, 0 },
		{ "Wk", 0, 12, 0, 0, 0 },		/* Sunday */
		{ "Wk", 1, 12, 0, 0, 1 },		/* Monday */
		{ "Wk", 6, 12, 0, 0, 0 },		/* Saturday */
		{ "MoWeFr", 3, 9, 0, 0, 1 },
		{ "MoWeFr", 4, 9, 0, 0, 0 },
		{ "Any0800-1700", 2, 7, 59, 0, 0 },
		{ "Any0800-1700", 2, 8, 0, 0, 1 },
		{ "Any0800-1700", 2, 16, 59, 0, 1 },
		{ "Any0800-1700", 2, 17, 0, 0, 0 },
		/* across midnight: Friday 23:00 to Saturday 06:00 */
		{ "Fr2300-0600", 5, 23, 30, 0, 1 },
		{ "Fr2300-0600", 6, 5, 59, 0, 1 },
		{ "Fr2300-0600", 6, 6, 0, 0, 0 },
		{ "Fr2300-0600", 5, 5, 0, 0, 0 },	/* Friday early: Thursday's night */
		/* week edge: Saturday night into Sunday */
		{ "Sa2200-0200", 0, 1, 0, 0, 1 },
		{ "Sa2200-0200", 1, 1, 0, 0, 0 },
		/* grades */
		{ "Any/C", 1, 12, 0, 'A', 1 },
		{ "Any/C", 1, 12, 0, 'C', 1 },
		{ "Any/C", 1, 12, 0, 'N', 0 },
		{ "Any/C,Any2305-0855", 1, 23, 30, 'N', 1 },
		{ "Any/C,Any2305-0855", 1, 12, 0, 'N', 0 },
		{ "Any/C,Any2305-0855", 1, 12, 0, 'B', 1 },
		{ "Any;30", 1, 12, 0, 0, 1 },
		{ "Wk|SaSu0900-1000", 0, 9, 30, 0, 1 },
		/* malformed */
		{ "Sometimes", 1, 12, 0, 0, -1 },
		{ "Any25x0", 1, 12, 0, 0, -1 },
		{ "Any0800-17", 1, 12, 0, 0, -1 },
		{ "Any/", 1, 12, 0, 0, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tm tm = tm_at(t[i].wday, t[i].hh, t[i].mm);
		int got = timewin_allows(t[i].field, &tm, t[i].grade);
		ok(got == t[i].want, "%s on day %d at %02d:%02d grade %c: %d (want %d)", t[i].field,
		    t[i].wday, t[i].hh, t[i].mm, t[i].grade ? t[i].grade : '-', got, t[i].want);
	}
	ok(timewin_retry("Any;30") == 30, "retry minutes parsed");
	ok(timewin_retry("Any") == -1, "no retry field");
	ok(timewin_retry("Any;x") == -1, "bad retry field");
	ok(timewin_grade_better('0', 'A') && timewin_grade_better('Z', 'a') &&
	    !timewin_grade_better('b', 'B'), "grade order: digits, upper, lower");
	return done_testing();
}
