/* test_sched.c - the daemon's scheduling decisions with an injected clock:
 * windows across midnight and the week's end, grades, retry waits, the
 * back-off and its cap, the next window, the Poll file. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/tap.h"
#include "uucico/sched.h"

/* at - a UTC instant (the test runs with TZ=UTC0) */
static time_t
at(int y, int mo, int d, int hh, int mm, int ss)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return timegm(&tm);
}

/* test_decide - sched_decide over a table (2026-11-29 is a Sunday) */
static void
test_decide(void)
{
	static const struct {
		const char *field;
		char grade;
		int poll, failed, busy;
		int y, mo, d, hh, mm;
		long retry_in;		/* next_retry - now, seconds */
		int want;
	} t[] = {
		{ "Any", 'A', 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_CALL },
		{ "Any", 0, 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_IDLE },
		{ "Any", 0, 1, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_CALL },
		{ "Never", 'A', 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_WAIT_WINDOW },
		{ "Never", 0, 1, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_WAIT_WINDOW },
		{ "Any", 'A', 0, 0, 1, 2026, 11, 30, 12, 0, 0, SCHED_BUSY },
		/* retry wait: before, at, after */
		{ "Any", 'A', 0, 1, 0, 2026, 11, 30, 12, 0, 60, SCHED_WAIT_RETRY },
		{ "Any", 'A', 0, 1, 0, 2026, 11, 30, 12, 0, 0, SCHED_CALL },
		{ "Any", 'A', 0, 1, 0, 2026, 11, 30, 12, 0, -1, SCHED_CALL },
		/* a night window across midnight, weekdays */
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 11, 30, 22, 59, 0, SCHED_WAIT_WINDOW },
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 11, 30, 23, 0, 0, SCHED_CALL },
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 12, 1, 0, 0, 0, SCHED_CALL },
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 12, 1, 5, 59, 0, SCHED_CALL },
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 12, 1, 6, 0, 0, SCHED_WAIT_WINDOW },
		/* week edge: Friday night runs into Saturday; Sunday night is
		 * not a weekday's, Monday 00:30 belongs to Sunday's range */
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 12, 5, 2, 0, 0, SCHED_CALL },
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 12, 5, 23, 30, 0, SCHED_WAIT_WINDOW },
		{ "Wk2300-0600", 'n', 0, 0, 0, 2026, 11, 30, 0, 30, 0, SCHED_WAIT_WINDOW },
		{ "SaSu", 'n', 0, 0, 0, 2026, 12, 5, 23, 59, 0, SCHED_CALL },
		{ "SaSu", 'n', 0, 0, 0, 2026, 12, 7, 0, 0, 0, SCHED_WAIT_WINDOW },
		/* grades: urgent at once, bulk waits for the night */
		{ "Any/C,Wk2300-0600", 'A', 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_CALL },
		{ "Any/C,Wk2300-0600", 'C', 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_CALL },
		{ "Any/C,Wk2300-0600", 'n', 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_WAIT_WINDOW },
		{ "Any/C,Wk2300-0600", 'n', 0, 0, 0, 2026, 11, 30, 23, 5, 0, SCHED_CALL },
		{ "Any/C,Wk2300-0600;5", '9', 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_CALL },
		{ "Bogus", 'A', 0, 0, 0, 2026, 11, 30, 12, 0, 0, SCHED_BAD_FIELD },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sched_input in;
		time_t now = at(t[i].y, t[i].mo, t[i].d, t[i].hh, t[i].mm, 0);
		int got;

		memset(&in, 0, sizeof(in));
		in.timefield = t[i].field;
		in.best_grade = t[i].grade;
		in.poll_wanted = t[i].poll;
		in.failed = t[i].failed;
		in.busy = t[i].busy;
		in.next_retry = t[i].failed ? now + t[i].retry_in : 0;
		got = sched_decide(&in, now);
		ok(got == t[i].want, "decide %s grade %c poll %d at %04d-%02d-%02d %02d:%02d: %s "
		    "(want %s)", t[i].field, t[i].grade ? t[i].grade : '-', t[i].poll, t[i].y,
		    t[i].mo, t[i].d, t[i].hh, t[i].mm, sched_reason(got), sched_reason(t[i].want));
	}
}

/* test_backoff - doubling waits, the base, the 23-hour cap */
static void
test_backoff(void)
{
	static const struct {
		int retries;
		long base, want;
	} t[] = {
		{ 1, 0, 300 }, { 2, 0, 600 }, { 3, 0, 1200 }, { 8, 0, 38400 },
		{ 9, 0, 76800 }, { 10, 0, 82800 }, { 1000, 0, 82800 },
		{ 1, 2, 2 }, { 2, 2, 4 }, { 5, 2, 32 }, { 40, 2, 82800 },
		{ 1, 300000, 82800 }, { 0, 60, 60 }, { 1, -5, 300 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(sched_backoff(t[i].retries, t[i].base) == t[i].want,
		    "backoff retries=%d base=%ld: %ld (want %ld)", t[i].retries, t[i].base,
		    sched_backoff(t[i].retries, t[i].base), t[i].want);
	for (i = 1; i < 64; i++)
		if (sched_backoff((int)i + 1, 0) < sched_backoff((int)i, 0))
			break;
	ok(i == 64, "backoff never shrinks as failures grow");
}

/* test_next_window - the next opening, across midnight and the week */
static void
test_next_window(void)
{
	time_t mon_noon = at(2026, 11, 30, 12, 0, 30);

	ok(sched_next_window("Any", 0, mon_noon) == mon_noon, "open now: now");
	ok(sched_next_window("Wk2300-0600", 'n', mon_noon) == at(2026, 11, 30, 23, 0, 0),
	    "night window opens at 23:00");
	ok(sched_next_window("SaSu", 0, mon_noon) == at(2026, 12, 5, 0, 0, 0),
	    "weekend window opens Saturday 00:00");
	ok(sched_next_window("Su0100-0200", 0, at(2026, 12, 6, 2, 0, 0)) ==
	    at(2026, 12, 13, 1, 0, 0), "just missed: a week later");
	ok(sched_next_window("Never", 0, mon_noon) == (time_t)-1, "Never: never");
	ok(sched_next_window("Nonsense", 0, mon_noon) == (time_t)-1, "bad field: -1");
	ok(sched_next_window("Any/C,Wk2300-0600", 'A', mon_noon) == mon_noon,
	    "urgent grade: now");
}

/* test_poll - the Poll file and when a poll is due */
static void
test_poll(void)
{
	static const char text[] =
	    "# Poll: system<TAB>hours\n"
	    "alpha\t0 6 12 18\n"
	    "\n"
	    "beta\t23\n"
	    "gamma\t24\n"
	    "delta\n"
	    "eps\t1 x\n"
	    "../x\t3\n"
	    "zeta 3   4\t5 # comment\n";
	struct sched_poll p[8];
	char err[128];
	int n = sched_poll_parse(text, sizeof(text) - 1, p, 8, err, sizeof(err));

	ok(n == 3, "Poll: three good entries (%d)", n);
	ok(n >= 1 && strcmp(p[0].sys, "alpha") == 0 && p[0].hours == (1UL | 1UL << 6 |
	    1UL << 12 | 1UL << 18) && p[0].line == 2, "alpha: hours 0 6 12 18 on line 2");
	ok(n >= 2 && strcmp(p[1].sys, "beta") == 0 && p[1].hours == 1UL << 23, "beta: 23");
	ok(n >= 3 && strcmp(p[2].sys, "zeta") == 0 && p[2].hours == (1UL << 3 | 1UL << 4 |
	    1UL << 5), "zeta: spaces and a comment");
	ok(strncmp(err, "line 5:", 7) == 0, "first error on line 5: %s", err);
	ok(sched_poll_parse("a\t1\nb\t2\n", 8, p, 1, err, sizeof(err)) == 1 && err[0],
	    "more entries than room: stops, says so");

	ok(sched_poll_due(1UL << 12, 0, at(2026, 11, 30, 12, 30, 0)), "due: hour listed, never called");
	ok(!sched_poll_due(1UL << 12, at(2026, 11, 30, 12, 5, 0), at(2026, 11, 30, 12, 30, 0)),
	    "not due: called this hour");
	ok(sched_poll_due(1UL << 12, at(2026, 11, 30, 11, 59, 59), at(2026, 11, 30, 12, 0, 0)),
	    "due: last call just before the hour");
	ok(!sched_poll_due(1UL << 12, 0, at(2026, 11, 30, 13, 0, 0)), "not due: hour not listed");
	ok(sched_poll_due(1UL, at(2026, 11, 29, 23, 30, 0), at(2026, 11, 30, 0, 10, 0)),
	    "due: hour 0 after midnight");
}

int
main(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	test_decide();
	test_backoff();
	test_next_window();
	test_poll();
	return done_testing();
}
