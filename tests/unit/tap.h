/*
 * tap.h - a tiny TAP producer for Brigade's C unit tests.
 * ok(cond, fmt...) prints "ok N - ..." or "not ok N - ..."; done_testing()
 * prints the plan and returns the exit status.
 */
#ifndef BRIGADE_TAP_H
#define BRIGADE_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_UNUSED __attribute__((unused))

TAP_UNUSED __attribute__((format(printf, 2, 3))) static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

TAP_UNUSED __attribute__((format(printf, 1, 2))) static void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

TAP_UNUSED static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
